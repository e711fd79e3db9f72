"""Snapshots of the reader's own layer: the sidebar's Tags and Searches with a selection, and
the note editor. Look at every SVG before accepting one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reader.app import make_app
from reader.sources.loader import load_digest
from reader.state import StateStore


def _store(tmp_path: Path) -> StateStore:
    store = StateStore(tmp_path / "state")
    store.set_tags("2306.12925", ["to-read", "speech"])
    store.set_tags("2306.11695", ["to-read"])
    store.set_tags("2305.14314", ["project-x"])
    store.set_note("2306.12925", "Compare with **Whisper**.\n- speech in, speech out")
    store.save_search("Llamas", "llama")
    store.save_search("To read", "tag:to-read")
    store.set_read(["2306.11695"])
    return store


def test_sidebar_with_tags_searches_and_a_selection(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(load_digest(), state=_store(tmp_path), read_delay=60)
    assert snap_compare(app, terminal_size=(120, 40), press=["x", "j", "x", "k", "k"])


def test_note_editor(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(load_digest(), state=_store(tmp_path), read_delay=60)
    assert snap_compare(app, terminal_size=(100, 30), press=["N"])
