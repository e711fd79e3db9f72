"""Small promises of the reading state that nothing asserted before `make mutate` found them: an
export carries when each note was written (so the newer note wins an import), a tag a full paper
already has is no refusal, and the warning for a key that is not text."""

from __future__ import annotations

import json
from pathlib import Path

from reader.limits import TAGS_PER_PAPER
from reader.state import StateStore


def test_an_export_carries_when_each_note_was_written_so_the_newer_note_wins(
    tmp_path: Path,
) -> None:
    laptop, desktop = StateStore(tmp_path / "laptop"), StateStore(tmp_path / "desktop")
    try:
        laptop.set_note("k", "written first, on the laptop")
        desktop.set_note("k", "written later, on the desktop")
        export = tmp_path / "desktop.json"
        assert desktop.export_json(export) == 1
        (entry,) = json.loads(export.read_text(encoding="utf-8"))["marks"]
        assert entry["note"] == "written later, on the desktop"
        assert isinstance(entry["note_updated"], float) and entry["note_updated"] > 1.7e9
        laptop.import_json(export)
        assert laptop.note("k") == "written later, on the desktop"
        older = tmp_path / "laptop.json"
        entry["note"], entry["note_updated"] = "older still", entry["note_updated"] - 60
        older.write_text(json.dumps({"version": 1, "marks": [entry]}), encoding="utf-8")
        laptop.import_json(older)
        assert laptop.note("k") == "written later, on the desktop"
    finally:
        laptop.close()
        desktop.close()


def test_a_tag_a_full_paper_already_has_is_no_refusal() -> None:
    store = StateStore()
    try:
        store.set_tags("full", [f"t{n:02d}" for n in range(TAGS_PER_PAPER)])
        said = len(store.warnings)
        store.tag(["full", "other"], "t07")
        assert store.warnings[said:] == []
        assert len(store.tags("full")) == TAGS_PER_PAPER and store.tags("other") == ("t07",)
    finally:
        store.close()


def test_a_key_that_is_not_text_is_kept_for_the_session_with_a_warning() -> None:
    store = StateStore()
    try:
        store.set_read("\ud800", True)
        assert store.is_read("\ud800")
        assert store.warnings == [
            "Reading state: a paper key is not valid text; its marks are not saved."
        ]
    finally:
        store.close()
