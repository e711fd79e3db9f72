"""Limits on what the reader keeps of your own text (issue 23, item 6): notes, tags, search
names and queries, at input and at `--import-state`, each with a message saying what was cut or
refused (`reader.limits`; the README's Limits section)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.limits import (
    IMPORT_BYTES,
    NOTE_CHARS,
    QUERY_CHARS,
    SEARCH_NAME_CHARS,
    TAG_CHARS,
    TAGS_PER_PAPER,
)
from reader.query import QueryError, parse_query
from reader.state import StateError, StateStore


def export_file(path: Path, marks: list[dict[str, object]], searches: list[object]) -> Path:
    path.write_text(json.dumps({"version": 1, "marks": marks, "searches": searches}))
    return path


def test_a_huge_imported_note_is_cut_and_the_import_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: a 100 MB note imported whole, then froze the TUI ~9 s and ~2 GB each time its
    paper was shown. (A 1 MB note here: the limit is the same.)"""
    huge = "word " * 200_000
    path = export_file(
        tmp_path / "export.json",
        [
            {"key": "2301.00001", "read": True, "note": huge},
            {"key": "2301.00002", "tags": ["ok", "x" * (TAG_CHARS + 1)]},
            {"key": "k" * 5000, "read": True},
        ],
        [{"name": "n" * 300, "query": "llm"}, {"name": "long", "query": "q" * (QUERY_CHARS + 1)}],
    )
    assert main(["--import-state", str(path)]) == 0
    err = capsys.readouterr().err
    assert (
        f"{path}: 1 note cut to {NOTE_CHARS:,} characters; 1 mark and 1 tag and 1 search refused "
        "(over the limits: see the README's Limits)" in err
    )
    store = StateStore()
    assert store.note("2301.00001") == huge[:NOTE_CHARS]
    assert store.tags("2301.00002") == ("ok",)
    assert store.searches() == {"n" * SEARCH_NAME_CHARS: "llm"}
    store.close()


def test_an_export_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(IMPORT_BYTES + 1)  # sparse: nothing is written
    store = StateStore()
    with pytest.raises(StateError, match="over 256 MiB: not read"):
        store.import_json(path)
    store.close()


def test_a_long_note_typed_is_cut_with_a_warning() -> None:
    store = StateStore()
    store.set_note("k", "x" * (NOTE_CHARS + 10))
    assert len(store.note("k")) == NOTE_CHARS
    assert store.warnings[-1] == (
        f"The note was cut to {NOTE_CHARS:,} characters (it had {NOTE_CHARS + 10:,})."
    )
    store.close()


def test_tags_over_their_limits_are_refused_with_a_warning() -> None:
    store = StateStore()
    kept = store.set_tags("k", ["fine", "y" * (TAG_CHARS + 1)])
    assert kept == ("fine",)
    assert "Tags are at most 50 characters" in store.warnings[-1]
    store.set_tags("k", [f"t{n:02d}" for n in range(TAGS_PER_PAPER + 5)])
    assert len(store.tags("k")) == TAGS_PER_PAPER
    assert store.warnings[-1] == (
        f"A paper keeps at most {TAGS_PER_PAPER} tags: the others were refused."
    )
    store.tag(["k", "other"], "one-more")
    assert "one-more" not in store.tags("k") and store.tags("other") == ("one-more",)
    assert store.warnings[-1] == (
        f"1 paper already had {TAGS_PER_PAPER} tags: 'one-more' was not added there."
    )
    store.close()


def test_a_search_over_the_limits_is_cut_or_refused() -> None:
    store = StateStore()
    assert not store.save_search("long", "q" * (QUERY_CHARS + 1))
    assert store.warnings[-1] == f"Search not saved: its query is over {QUERY_CHARS:,} characters."
    assert store.save_search("n" * (SEARCH_NAME_CHARS + 5), "llm")
    assert list(store.searches()) == ["n" * SEARCH_NAME_CHARS]
    store.close()


def test_a_query_over_the_limit_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(QueryError, match="over 2,000 characters"):
        parse_query("a" * (QUERY_CHARS + 1))
    parse_query("a " * (QUERY_CHARS // 2))  # at the limit: fine
    assert main(["--print", "--query", "x" * (QUERY_CHARS + 1)]) == 2
    assert "reader: error: --query: the query is over 2,000 characters" in capsys.readouterr().err
