"""A state store that cannot be written (issue 23, item 2): it is read read-only, the app says
that changes will not be kept, and an export never reports success for data it left out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.arxiv import parse_feed
from reader.cli import main
from reader.state import FILENAME, Session, StateStore, saving
from tests.arxiv_server import FIXTURES
from tests.damage import damage, pages_of
from tests.mounts import read_only

KEYS = [f"2301.{n:05d}" for n in range(400)]


def fill_store() -> None:
    store = StateStore()
    store.set_read(KEYS)
    store.set_starred(KEYS[:10])
    store.set_note(KEYS[0], "a note")
    store.set_tags(KEYS[1], ["to-read"])
    store.save_search("llm", "llm -cat:vision")
    store.save_session("bundled", Session("2023-05-14"))
    store.close()


def test_a_read_only_folder_shows_every_mark_and_says_changes_are_not_kept(
    isolated_state: Path,
) -> None:
    """Before: no mark shown (the folder cannot hold SQLite's WAL index, so even a read-only
    connection failed); "will not be saved" and an empty store."""
    fill_store()
    with read_only(isolated_state):
        store = StateStore()
        try:
            assert store.read_only and not store.saving
            [warning] = store.warnings
            assert "read-only" in warning and "will not be saved" in warning
            assert "400 marks, 1 note, 1 tag, 1 search, 1 place left off read" in warning
            assert all(store.is_read(key) for key in KEYS)
            assert store.is_starred(KEYS[9]) and not store.is_starred(KEYS[10])
            assert store.note(KEYS[0]) == "a note"
            assert store.tags(KEYS[1]) == ("to-read",)
            assert store.searches() == {"llm": "llm -cat:vision"}
            assert store.session("bundled") == Session("2023-05-14")
            store.toggle_star(KEYS[20])  # kept in memory for the session
            assert store.is_starred(KEYS[20])
        finally:
            store.close()
    again = StateStore()
    assert not again.is_starred(KEYS[20]), "nothing was written into the read-only folder"
    again.close()


def test_export_state_from_a_read_only_folder_exports_everything(
    isolated_state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: before, `--export-state out.json` wrote an empty export, "exported 0 marks",
    exit 0."""
    fill_store()
    out = tmp_path / "out.json"
    with read_only(isolated_state):
        assert main(["--export-state", str(out)]) == 0
    captured = capsys.readouterr()
    assert "exported 400 papers (400 read, 10 starred)" in captured.out
    assert "read-only" in captured.err
    marks = json.loads(out.read_text())["marks"]
    assert sum(1 for mark in marks if mark["read"]) == 400
    assert [mark["note"] for mark in marks if "note" in mark] == ["a note"]


def test_an_export_of_a_store_that_cannot_be_read_fails_and_keeps_the_old_backup(
    isolated_state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A state file that cannot be read at all (here a folder in its place) is not exported
    as an empty store over the last good backup."""
    isolated_state.mkdir()
    (isolated_state / FILENAME).mkdir()
    out = tmp_path / "backup.json"
    out.write_text("the last good backup\n")
    assert main(["--export-state", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not exported: the reading state could not be read whole" in err
    assert out.read_text() == "the last good backup\n"


def opened_and_exported(folder: Path, out: Path) -> tuple[list[str], int]:
    """With `folder` read-only: the warnings of a store opened there, and the exit status of
    `--export-state OUT`."""
    with read_only(folder):
        store = StateStore()
        warnings = list(store.warnings)
        store.close()
        return warnings, main(["--export-state", str(out)])


def test_a_damaged_store_in_a_read_only_folder_is_read_and_not_exported(
    isolated_state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Damaged and cannot be moved aside: what can be read is shown; an export would leave
    out rows that could not be read, so it fails (the damaged file is still there)."""
    store = StateStore()
    for key in KEYS:
        store.set_note(key, f"a note on {key} " + "words " * 12)
    store.close()
    path = isolated_state / FILENAME
    damage(path, pages_of(path, "notes")[3])
    out = tmp_path / "out.json"
    warnings, status = opened_and_exported(isolated_state, out)
    assert "damaged" in warnings[0] and "notes lost" in warnings[0]
    assert status == 2
    err = capsys.readouterr().err
    assert "not exported: the reading state could not be read whole" in err
    assert "(some of its rows could not be read)" in err  # why (found by `make mutate`)
    assert not out.exists()


def left_in_the_wal(folder: Path) -> None:
    """The store filled, then 5 more marks and a note written by a reader killed before it
    closed (as kill -9): those are only in `state.sqlite3-wal`. Its WAL index (`-shm`) is
    removed, as a copy of the folder or a backup tool may leave it."""
    fill_store()
    script = (
        "import os, sys\n"
        "from reader.state import StateStore\n"
        "store = StateStore(sys.argv[1])\n"
        "store.set_read([f'2302.{n:05d}' for n in range(5)])\n"
        "store.set_note('2302.00001', 'a note in the WAL')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(folder)], check=True)
    assert (folder / f"{FILENAME}-wal").stat().st_size > 0
    (folder / f"{FILENAME}-shm").unlink()


def test_a_read_only_folder_with_a_wal_and_no_index_shows_what_the_wal_holds(
    isolated_state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite reads such a folder only as `immutable=1`, which ignores the WAL: before, the 5
    marks and the note written last were not shown, and `--export-state` exported 400 of 405
    marks with exit 0. Now the file and its WAL are read from a copy."""
    left_in_the_wal(isolated_state)
    out = tmp_path / "out.json"
    with read_only(isolated_state):
        store = StateStore()
        try:
            [warning] = store.warnings
            assert "405 marks, 2 notes, 1 tag, 1 search, 1 place left off read" in warning
            assert store.is_read("2302.00004") and store.note("2302.00001") == "a note in the WAL"
        finally:
            store.close()
        assert main(["--export-state", str(out)]) == 0
    assert "exported 405 papers (405 read, 10 starred), 2 notes" in capsys.readouterr().out
    assert sorted(isolated_state.iterdir()) == [
        isolated_state / name for name in (FILENAME, f"{FILENAME}-wal")
    ]


def test_a_wal_that_cannot_be_read_is_said_and_not_exported(
    isolated_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """When the copy cannot be made either (no room for it), the warning says the changes
    written last are not shown, and an export, which would lose them, fails."""
    left_in_the_wal(isolated_state)
    monkeypatch.setattr(saving, "salvage_copy", lambda *_args: None)
    out = tmp_path / "out.json"
    warnings, status = opened_and_exported(isolated_state, out)
    [warning] = warnings
    assert "400 marks, 1 note, 1 tag, 1 search, 1 place left off read" in warning
    assert f"in {FILENAME}-wal) could not be read and are not shown" in warning
    assert status == 2
    assert "not exported" in capsys.readouterr().err
    assert not out.exists()


def test_a_read_only_folder_shows_the_arxiv_metadata_cache(isolated_state: Path) -> None:
    """Before, a store read read-only showed its marks but none of the cached metadata (the
    cache reads through the store's connection, which a read-only store does not have)."""
    sample = parse_feed((FIXTURES / "three.xml").read_bytes()).entries["2305.14314"]
    store = StateStore()
    store.arxiv.save_metadata([sample])
    store.close()
    with read_only(isolated_state):
        store = StateStore()
        try:
            assert store.read_only
            assert "1 paper's arXiv metadata read" in store.warnings[0]
            assert store.arxiv.cached_metadata("2305.14314") == sample
        finally:
            store.close()
