"""`note:`, `has:` and `tag:`: queries about the reader's own notes and tags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.query import Query, QueryError, parse_query, select
from reader.state import StateStore
from tests.fakes import FakeState
from tests.unit.test_query import DIGEST, LLAMA, ids, run

STATE = FakeState(
    read={"2305.14314"},
    starred=set(),
    notes={"2305.14314": "Use for the Project X zorblax.\nSee appendix B.", "2304.02643": "SAM"},
    tags={"2305.14314": ("project-x", "to-read"), "2303.16199": ("to-read",)},
)


def test_note_terms() -> None:
    assert run("note:zorblax", STATE) == {"2305.14314"}
    assert run('note:"project x"', STATE) == {"2305.14314"}
    assert run("note:/^see app/", STATE) == {"2305.14314"}
    assert run("note:sam", STATE) == {"2304.02643"}
    assert run("has:note", STATE) == {"2305.14314", "2304.02643"}
    assert run("-has:note llama", STATE) == LLAMA - {"2305.14314"}
    assert run("zorblax", STATE) == set(), "plain words do not search notes"


def test_tag_terms() -> None:
    assert run("tag:to-read", STATE) == {"2305.14314", "2303.16199"}
    assert run("TAG:Project-X", STATE) == {"2305.14314"}
    assert run("tag:to", STATE) == set(), "a tag matches whole"
    assert run("has:tag -tag:project-x", STATE) == {"2303.16199"}
    assert run("tag:project-x OR note:sam", STATE) == {"2305.14314", "2304.02643"}
    assert run("has:tags is:unread", STATE) == {"2303.16199"}


def test_without_notes_nothing_has_one() -> None:
    assert run("has:note") == set() and run("tag:x") == set()
    assert run("-has:note llama") == LLAMA


def test_has_takes_note_or_tag() -> None:
    with pytest.raises(QueryError) as raised:
        parse_query("llama has:stars")
    assert raised.value.position == 10 and "has:" in raised.value.message


def test_unfinished_terms_are_ignored() -> None:
    for text in ("note:", "tag:", "has:", "-tag:"):
        assert parse_query(text).is_empty


def test_note_highlighting_only_in_the_note() -> None:
    query = parse_query("note:baseline llama")
    note = "A LLaMA baseline"
    assert query.highlight_spans(note, "note") == [(8, 16)]
    assert query.highlight_spans("llama baseline", "title") == [(0, 5)]


def test_the_narrowing_shortcut_rechecks_notes_and_tags() -> None:
    state = FakeState(read=set(), starred=set(), tags={"2305.14314": ("x",)})
    first = parse_query("tag:x")
    hits = first.filter(DIGEST, range(len(DIGEST.papers)), state)
    assert ids(hits) == {"2305.14314"}
    state.tag_map = {}
    again = parse_query("tag:x llama")
    assert again.filter(DIGEST, hits, state, satisfied=first) == []


def test_the_store_answers_note_and_tag_queries(isolated_state: object) -> None:
    with StateStore() as store:
        store.set_note("2305.14314", "QLoRA notes")
        store.set_tags("2303.16199", ["Later"])
        found = select(DIGEST, None, Query("note:qlora OR tag:later"), store)
        assert ids(found) == {"2305.14314", "2303.16199"}


@given(st.text(max_size=30))
def test_any_text_after_note_or_tag_parses_or_raises_query_error(text: str) -> None:
    for field in ("note:", "tag:", "has:"):
        try:
            select(DIGEST, None, parse_query(field + text), STATE)
        except QueryError as error:  # has: refuses a value; note:/.../ may be a bad regex
            if field == "has:":
                assert error.message.startswith("has: takes note or tag")
                assert error.position in (4, 5)  # at the value, inside a quote if quoted
            else:
                assert field == "note:" and error.message.startswith("invalid regex")


# --- output: json and csv carry note and tags, and round trips hold ---------------------------


def _annotated_store() -> None:
    with StateStore() as store:
        store.set_note("2305.14314", 'Line one, "quoted"\nline two \x1b[31m| pipe')
        store.set_tags("2305.14314", ["to-read", "project-x"])
        store.set_tags("2303.16199", ["later"])


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_note_and_tags_in_output_round_trip(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    import io
    import sys

    from reader.cli import main
    from tests.conftest import BUNDLED

    _annotated_store()
    args = ["--print", "--format", fmt, "--query", "has:note OR has:tag"]
    assert main([str(BUNDLED), *args]) == 0
    first, err = capsys.readouterr()
    assert err == ""
    if fmt == "json":
        import json

        records = {record["arxiv_id"]: record for record in json.loads(first)}
        assert records["2305.14314"]["note"] == 'Line one, "quoted"\nline two \x1b[31m| pipe'
        assert records["2305.14314"]["tags"] == ["project-x", "to-read"]
        assert "note" not in records["2303.16199"] and records["2303.16199"]["tags"] == ["later"]
        assert "\x1b" not in first  # escaped as \u001b
    else:
        import csv

        rows = {row["arxiv_id"]: row for row in csv.DictReader(io.StringIO(first))}
        assert rows["2305.14314"]["note"] == 'Line one, "quoted"\nline two ␛[31m| pipe'
        assert rows["2305.14314"]["tags"] == "project-x to-read"
        assert rows["2303.16199"]["note"] == ""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(first.encode()), "utf-8"))
    assert main(["-", *args]) == 0
    again, err = capsys.readouterr()
    assert (again, err) == (first, "")
