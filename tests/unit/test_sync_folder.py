"""Two machines' reading state through one sync folder (reader.sync, StateStore(sync_dir=...)):
what goes across, and what happens to cut, copied, newer, unreadable and vanished journals."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.state import StateStore
from reader.sync import journal as journal_module
from reader.sync.folder import COMPACT_AFTER, PENDING
from reader.sync.journal import (
    FORMAT,
    BadLine,
    Journal,
    decode,
    encode,
    event_from,
    event_record,
    header_record,
)
from reader.sync.merge import NOTE, Event
from tests.mounts import read_only

QLORA, LLAMA = "2305.14314", "2302.13971"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "Sync" / "reader"


@pytest.fixture
def synced(tmp_path: Path, folder: Path) -> Iterator[tuple[StateStore, StateStore]]:
    folder.parent.mkdir()
    laptop = opened(tmp_path / "laptop", folder, "laptop")
    desktop = opened(tmp_path / "desktop", folder, "desktop")
    yield laptop, desktop
    laptop.close()
    desktop.close()


def opened(directory: Path, folder: Path, machine: str | None = None) -> StateStore:
    """A store on the sync folder, merged as the app merges it on opening."""
    store = StateStore(directory, sync_dir=folder, machine=machine)
    store.sync_now()
    return store


def journal_of(store: StateStore) -> Path:
    assert store.sync is not None
    return store.sync.path


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


# --- lines ----------------------------------------------------------------------------------------


def test_a_line_reads_back_and_a_changed_byte_is_caught() -> None:
    event = Event((NOTE, QLORA, ""), (1_765_000_000_000, 3, "abc123"), "ünïcode\nand a newline")
    line = encode(event_record(event))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert event_from(decode(line[:-1]), "abc123") == event
    damaged = line[:20] + bytes([line[20] ^ 1]) + line[21:-1]
    with pytest.raises(BadLine):
        decode(damaged)
    with pytest.raises(BadLine):
        decode(line[:-5])  # cut


def test_events_out_of_limits_are_refused() -> None:
    record = event_record(Event((NOTE, QLORA, ""), (1, 0, "m"), "x" * 20_001))
    with pytest.raises(BadLine):
        event_from(record, "m")
    with pytest.raises(BadLine):
        event_from({"t": [1, 0], "f": "r", "k": QLORA, "v": 2}, "m")
    with pytest.raises(BadLine):
        event_from({"t": [-1, 0], "f": "r", "k": QLORA, "v": 1}, "m")


# --- two machines ---------------------------------------------------------------------------------


def test_marks_stars_notes_tags_and_searches_go_across_with_their_removals(
    synced: tuple[StateStore, StateStore],
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA, LLAMA])
    laptop.toggle_star(QLORA)
    laptop.set_note(QLORA, "Read the 4-bit part again.")
    laptop.set_tags(QLORA, ["llm", "quantization"])
    laptop.save_search("diffusion", "cat:vision diffusion")
    assert desktop.sync_now() == "7 changes from laptop"
    assert desktop.is_read(QLORA) and desktop.is_read(LLAMA) and desktop.is_starred(QLORA)
    assert desktop.note(QLORA) == "Read the 4-bit part again."
    assert desktop.tags(QLORA) == ("llm", "quantization")
    assert desktop.searches() == {"diffusion": "cat:vision diffusion"}

    desktop.set_read([LLAMA], False)
    desktop.toggle_star(QLORA)
    desktop.set_note(QLORA, "")
    desktop.tag([QLORA], "llm", on=False)
    desktop.delete_search("diffusion")
    assert laptop.sync_now() == "5 changes from desktop"
    assert laptop.is_read(QLORA) and not laptop.is_read(LLAMA) and not laptop.is_starred(QLORA)
    assert laptop.note(QLORA) == "" and laptop.tags(QLORA) == ("quantization",)
    assert laptop.searches() == {}
    assert laptop.warnings == desktop.warnings == []


def test_merged_changes_are_saved_in_the_store(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.toggle_star(QLORA)
    desktop.sync_now()
    desktop.close()
    with StateStore(tmp_path / "desktop") as reopened:  # without the folder
        assert reopened.is_starred(QLORA)


def test_a_note_edited_on_both_machines_keeps_both_texts_until_written_again(
    synced: tuple[StateStore, StateStore],
) -> None:
    laptop, desktop = synced
    laptop.set_note(QLORA, "laptop's note")
    desktop.set_note(QLORA, "desktop's note")
    laptop.sync_now()
    desktop.sync_now()
    shown = laptop.note(QLORA)
    assert desktop.note(QLORA) == shown
    other = {"laptop's note", "desktop's note"} - {shown}
    for store in (laptop, desktop):
        assert [c.text for c in store.note_conflicts(QLORA)] == list(other)
    conflict = laptop.note_conflicts(QLORA)[0]
    assert conflict.machine in ("laptop", "desktop")
    # Picking the other text settles it on both.
    laptop.set_note(QLORA, conflict.text)
    desktop.sync_now()
    assert desktop.note(QLORA) == conflict.text
    assert laptop.note_conflicts(QLORA) == desktop.note_conflicts(QLORA) == ()


def test_the_same_text_kept_settles_a_conflict_too(synced: tuple[StateStore, StateStore]) -> None:
    laptop, desktop = synced
    laptop.set_note(QLORA, "a")
    desktop.set_note(QLORA, "b")
    laptop.sync_now()
    desktop.sync_now()
    laptop.set_note(QLORA, laptop.note(QLORA))  # the editor closed without a change
    desktop.sync_now()
    assert len(desktop.note_conflicts(QLORA)) == 1
    laptop.keep_note(QLORA, laptop.note(QLORA))  # "keep this one"
    desktop.sync_now()
    assert desktop.note_conflicts(QLORA) == laptop.note_conflicts(QLORA) == ()


def test_a_third_machine_starting_later_gets_everything(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    desktop.set_tags(LLAMA, ["llama"])
    with opened(tmp_path / "tablet", folder, "tablet") as tablet:
        assert tablet.is_read(QLORA) and tablet.tags(LLAMA) == ("llama",)
        assert tablet.synced == "2 changes from desktop and laptop"


def test_changes_made_with_syncing_off_are_sent_when_it_is_on_again(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.set_tags(QLORA, ["llm"])
    laptop.toggle_star(LLAMA)
    laptop.close()
    with StateStore(tmp_path / "laptop") as offline:  # no sync folder this time
        offline.tag([QLORA], "llm", on=False)
        offline.toggle_star(LLAMA)
        offline.set_note(QLORA, "written offline")
    with opened(tmp_path / "laptop", folder, "laptop") as again:
        assert again.note(QLORA) == "written offline"
    desktop.sync_now()
    assert desktop.tags(QLORA) == () and not desktop.is_starred(LLAMA)
    assert desktop.note(QLORA) == "written offline"


def test_the_first_merge_keeps_the_later_of_two_histories(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, _desktop = synced
    # A machine with its own state (from before syncing) joins: its older note is kept as a
    # conflict, its star (set before the laptop's unstar) gives way.
    with StateStore(tmp_path / "old") as old:
        old.toggle_star(QLORA)
        old.set_note(QLORA, "the old machine's note")
    laptop.toggle_star(QLORA)
    laptop.toggle_star(QLORA)
    laptop.set_note(QLORA, "the laptop's note")
    with opened(tmp_path / "old", folder, "old") as old:
        assert not old.is_starred(QLORA)
        assert old.note(QLORA) == "the laptop's note"
        assert [c.text for c in old.note_conflicts(QLORA)] == ["the old machine's note"]
    laptop.sync_now()
    assert [c.text for c in laptop.note_conflicts(QLORA)] == ["the old machine's note"]


def test_a_clock_hours_ahead_does_not_undo_a_later_change(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.parent.mkdir()
    laptop = opened(tmp_path / "laptop", folder, "laptop")
    desktop = opened(tmp_path / "desktop", folder, "desktop")
    assert laptop.sync is not None
    real = laptop.sync.clock._now
    laptop.sync.clock._now = lambda: real() + 3 * 3_600_000  # three hours fast
    laptop.toggle_star(QLORA)
    desktop.sync_now()
    desktop.toggle_star(QLORA)  # after seeing the laptop's star, in real time
    laptop.sync_now()
    assert not laptop.is_starred(QLORA) and not desktop.is_starred(QLORA)
    laptop.close()
    desktop.close()


# --- damaged, copied, newer journals --------------------------------------------------------------


def test_a_cut_last_line_waits_for_the_rest_and_loses_nothing(
    synced: tuple[StateStore, StateStore],
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    laptop.set_note(LLAMA, "a note being synced")
    path = journal_of(laptop)
    whole = path.read_bytes()
    path.write_bytes(whole[:-7])  # what a sync tool caught mid-copy leaves
    desktop.sync_now()
    assert desktop.is_read(QLORA) and desktop.note(LLAMA) == ""
    assert any("not complete" in w and path.name in w for w in desktop.warnings)
    path.write_bytes(whole)  # the copy completes
    desktop.sync_now()
    assert desktop.note(LLAMA) == "a note being synced"


def test_a_damaged_line_is_skipped_with_a_warning_and_the_rest_is_read(
    synced: tuple[StateStore, StateStore],
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    laptop.set_read([LLAMA])
    path = journal_of(laptop)
    lines = lines_of(path)
    lines[1] = lines[1].replace(QLORA.encode(), b"2305.99999")  # its CRC no longer matches
    path.write_bytes(b"".join(lines))
    desktop.sync_now()
    assert desktop.is_read(LLAMA) and not desktop.is_read("2305.99999")
    assert any("1 line of" in w and "skipped" in w for w in desktop.warnings)


def test_our_own_cut_line_is_set_apart_before_the_next_append(
    synced: tuple[StateStore, StateStore],
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    path = journal_of(laptop)
    path.write_bytes(path.read_bytes()[:-3])  # a crash mid-write
    laptop.set_read([LLAMA])
    desktop.sync_now()
    assert desktop.is_read(LLAMA)  # the next change is whole, on a line of its own


def test_a_journal_from_a_newer_reader_is_left_unread_with_a_warning(
    synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, _desktop = synced
    future = folder / "phone-0123456789ab.jsonl"
    header = header_record("0123456789ab", "phone") | {"format": FORMAT + 1}
    event = encode({"t": [1, 0], "f": "r", "k": QLORA, "v": 1})
    future.write_bytes(encode(header) + event)
    laptop.sync_now()
    assert not laptop.is_read(QLORA)
    assert any("newer reader" in w and future.name in w for w in laptop.warnings)
    assert future.read_bytes() == encode(header) + event  # untouched


def test_changes_of_a_kind_this_reader_does_not_know_are_counted_and_kept(
    synced: tuple[StateStore, StateStore], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    path = journal_of(laptop)
    newer = encode({"t": [2, 0], "f": "highlight", "k": QLORA, "v": "p. 3"})
    with open(path, "ab") as file:
        file.write(newer)
    desktop.sync_now()
    assert desktop.is_read(QLORA)
    assert any("newer" in w and "left for it" in w for w in desktop.warnings)
    # Compacting the laptop's journal keeps that line.
    monkeypatch.setattr("reader.sync.folder.COMPACT_AFTER", 3)
    for _ in range(4):
        laptop.toggle_star(LLAMA)
    laptop.sync_now()
    assert newer in lines_of(path)


def test_a_conflicted_copy_of_a_journal_is_merged_and_named(
    synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    path = journal_of(laptop)
    copy = path.with_name(path.stem + " (conflicted copy 2026-12-07).jsonl")
    shutil.copy(path, copy)
    laptop.set_read([LLAMA])
    with open(copy, "ab") as file:  # the copy has a change the journal lacks
        assert laptop.sync is not None
        event = Event(("s", QLORA, ""), laptop.sync.clock.tick(), 1)
        file.write(encode(event_record(event)))
    desktop.sync_now()
    assert desktop.is_read(QLORA) and desktop.is_read(LLAMA) and desktop.is_starred(QLORA)
    assert any(copy.name in w and "a copy of" in w for w in desktop.warnings)
    # The laptop takes the change only its copy held into its journal: deleting the copy
    # loses nothing.
    laptop.sync_now()
    copy.unlink()
    assert laptop.is_starred(QLORA)
    with opened(desktop.directory.parent / "tablet", folder) as tablet:
        assert tablet.is_starred(QLORA)


def test_a_file_that_is_not_a_journal_is_named_and_skipped(
    synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, _desktop = synced
    (folder / "notes.jsonl").write_text('{"hello": "world"}\n')
    laptop.sync_now()
    assert any("notes.jsonl is not a reader journal" in w for w in laptop.warnings)


def test_limits_a_line_too_long_and_a_journal_too_big(
    synced: tuple[StateStore, StateStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    path = journal_of(laptop)
    with open(path, "ab") as file:
        file.write(b"0" * (journal_module.MAX_LINE_BYTES + 10) + b"\n")
    laptop.set_read([LLAMA])
    monkeypatch.setattr(journal_module, "MAX_JOURNAL_BYTES", path.stat().st_size - 5)
    desktop.sync_now()
    assert desktop.is_read(QLORA) and not desktop.is_read(LLAMA)
    assert any("only its beginning" in w for w in desktop.warnings)
    assert any("skipped" in w for w in desktop.warnings)


# --- the folder itself ----------------------------------------------------------------------------


def test_a_read_only_folder_keeps_changes_pending_until_it_can_be_written(
    synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    with read_only(folder):
        laptop.set_note(QLORA, "kept while the folder is read-only")
        assert any("cannot write" in w for w in laptop.warnings)
        assert (laptop.directory / PENDING).exists()
        assert laptop.note(QLORA) == "kept while the folder is read-only"
        desktop.sync_now()  # reading a read-only folder is fine
        assert desktop.is_read(QLORA)
    laptop.sync_now()
    assert not (laptop.directory / PENDING).exists()
    desktop.sync_now()
    assert desktop.note(QLORA) == "kept while the folder is read-only"


def test_a_vanished_folder_keeps_changes_and_its_return_sends_them(
    synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    laptop.sync_now()
    moved = folder.with_name("unmounted")
    folder.rename(moved)
    laptop.toggle_star(QLORA)
    laptop.sync_now()
    assert any("is not there" in w for w in laptop.warnings)
    assert not folder.exists()  # not made again: it may be a mount point
    moved.rename(folder)
    laptop.sync_now()
    desktop.sync_now()
    assert desktop.is_read(QLORA) and desktop.is_starred(QLORA)


def test_a_journal_removed_from_the_folder_is_written_again(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, _desktop = synced
    laptop.set_read([QLORA])
    laptop.set_note(QLORA, "still here")
    journal_of(laptop).unlink()
    laptop.sync_now()
    assert any("written again" in w for w in laptop.warnings)
    with opened(tmp_path / "tablet", folder, "tablet") as tablet:
        assert tablet.is_read(QLORA) and tablet.note(QLORA) == "still here"


def test_compaction_keeps_the_last_change_of_each_field(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    for _ in range(COMPACT_AFTER // 2 + 1):
        laptop.toggle_star(QLORA)
        laptop.toggle_read(LLAMA)
    desktop.sync_now()  # the desktop has seen some of it
    for _ in range(3):
        laptop.toggle_star(QLORA)
    laptop.set_note(QLORA, "after")
    laptop.sync_now()
    journal = Journal(journal_of(laptop))
    events = journal.read()
    assert len(events) == 3  # star, read, note
    desktop.sync_now()
    with opened(tmp_path / "tablet", folder, "tablet") as tablet:
        for store in (desktop, tablet):
            assert store.is_starred(QLORA) == laptop.is_starred(QLORA)
            assert store.is_read(LLAMA) == laptop.is_read(LLAMA)
            assert store.note(QLORA) == "after"


def test_sync_status_names_the_machines_and_what_is_pending(
    synced: tuple[StateStore, StateStore],
) -> None:
    laptop, desktop = synced
    laptop.set_read([QLORA])
    laptop.set_read([LLAMA])
    status = desktop.sync_status()
    assert status is not None
    assert status.incoming == 2 and status.pending == 0
    (other,) = status.machines
    assert other.name == "laptop" and other.changes == 2 and other.latest is not None
    assert status.reachable and status.writable
    desktop.sync_now()
    laptop.sync_now()
    status = laptop.sync_status()
    assert status is not None
    assert status.incoming == 0
    (other,) = status.machines
    assert other.name == "desktop" and other.mine_not_merged == 0
    laptop.toggle_star(QLORA)
    status = laptop.sync_status()
    assert status is not None and status.machines[0].mine_not_merged == 1


def test_two_readers_on_one_machine_share_its_journal(tmp_path: Path, folder: Path) -> None:
    folder.parent.mkdir()
    first = opened(tmp_path / "laptop", folder, "laptop")
    second = opened(tmp_path / "laptop", folder, "laptop")
    assert first.sync is not None and second.sync is not None
    assert first.sync.machine == second.sync.machine
    for sync in (first.sync, second.sync):  # both change in the same millisecond
        sync.clock._now = lambda: 1_800_000_000_000
    first.toggle_star(QLORA)
    second.toggle_read(QLORA)
    first.close()
    second.close()
    events = Journal(folder / f"laptop-{first.sync.machine}.jsonl").read()
    stamps = [event.stamp for event in events]
    assert len(stamps) == len(set(stamps)) == 2
    with opened(tmp_path / "desktop", folder, "desktop") as desktop:
        assert desktop.is_starred(QLORA) and desktop.is_read(QLORA)


def test_a_copied_state_folder_gets_a_journal_of_its_own(tmp_path: Path, folder: Path) -> None:
    folder.parent.mkdir()
    with opened(tmp_path / "laptop", folder, "laptop") as laptop:
        laptop.toggle_star(QLORA)
    shutil.copytree(tmp_path / "laptop", tmp_path / "copy")
    with opened(tmp_path / "copy", folder, "desktop") as copy:
        assert copy.sync is not None and laptop.sync is not None
        assert copy.sync.machine != laptop.sync.machine
        assert any("made on another machine" in w for w in copy.warnings)
        assert copy.is_starred(QLORA)


def test_unwritable_state_and_folder_keep_changes_for_the_session(
    tmp_path: Path, folder: Path
) -> None:
    folder.parent.mkdir()
    store = opened(tmp_path / "laptop", folder, "laptop")
    assert store.sync is not None
    with read_only(folder), read_only(tmp_path / "laptop"):
        store.toggle_star(QLORA)
        assert store.is_starred(QLORA)
        assert any("kept for this session" in w for w in store.warnings)
    store.sync_now()  # writable again: sent
    store.close()
    with opened(tmp_path / "desktop", folder, "desktop") as desktop:
        assert desktop.is_starred(QLORA)


def test_a_change_made_before_the_first_merge_of_a_session_is_sent(
    tmp_path: Path, synced: tuple[StateStore, StateStore], folder: Path
) -> None:
    laptop, desktop = synced
    laptop.toggle_star(QLORA)
    desktop.sync_now()
    desktop.close()
    again = StateStore(tmp_path / "desktop", sync_dir=folder, machine="desktop")
    try:
        assert again.is_starred(QLORA)
        again.toggle_star(QLORA)  # before this session has read the laptop's journal
        again.sync_now()
        laptop.sync_now()
        assert not laptop.is_starred(QLORA) and not again.is_starred(QLORA)
    finally:
        again.close()


def test_a_note_journaled_before_the_first_merge_is_not_sent_again_as_a_conflict(
    tmp_path: Path, folder: Path
) -> None:
    """A store on the folder that changed a note (`--import-state --sync-dir`) and never merged:
    its note is in its journal already, so when another machine kept its own text over it (K),
    the first merge here takes that text; before, the note was sent again as if written with
    syncing off, and came back as a conflict on every machine."""
    folder.mkdir(parents=True)
    laptop = StateStore(tmp_path / "laptop", sync_dir=folder, machine="laptop")
    laptop.set_note(QLORA, "the laptop's note")
    laptop.toggle_star(QLORA)
    laptop.close()
    with opened(tmp_path / "desktop", folder, "desktop") as desktop:
        desktop.set_note(QLORA, "the desktop's note")  # after seeing the laptop's: replaces it
        desktop.toggle_star(QLORA)
    with opened(tmp_path / "laptop", folder, "laptop") as laptop:
        assert laptop.note(QLORA) == "the desktop's note"
        assert laptop.note_conflicts(QLORA) == ()
        assert not laptop.is_starred(QLORA)
    with opened(tmp_path / "desktop", folder, "desktop") as desktop:
        assert desktop.note(QLORA) == "the desktop's note"
        assert desktop.note_conflicts(QLORA) == ()
