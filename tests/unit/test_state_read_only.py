"""A state store that cannot be written (issue 23, item 2): it is read read-only, the app says
that changes will not be kept, and an export never reports success for data it left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.state import FILENAME, Session, StateStore
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
    with read_only(isolated_state):
        store = StateStore()
        warnings = list(store.warnings)
        store.close()
        status = main(["--export-state", str(out)])
    assert "damaged" in warnings[0] and "notes lost" in warnings[0]
    assert status == 2
    assert "not exported" in capsys.readouterr().err
    assert not out.exists()
