"""Authors: `author:` in the query language, json/csv output and round trips, and --print with
metadata cached in the state store (bibtex, ris)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import rispy
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.arxiv import enrich, parse_feed
from reader.cli import main
from reader.model import Digest, Paper
from reader.output import write_papers
from reader.query import parse_query, select
from reader.sources.formats.csv_json import parse_csv, parse_json
from reader.sources.loader import load_digest
from reader.state import StateStore
from tests.arxiv_server import FIXTURES

SAMPLES = parse_feed((FIXTURES / "three.xml").read_bytes()).entries
DIGEST = enrich(load_digest(None), SAMPLES)


def _ids(query: str) -> list[str | None]:
    return [DIGEST.papers[i].arxiv_id for i in select(DIGEST, None, parse_query(query))]


def test_author_queries() -> None:
    assert _ids("author:dettmers") == ["2305.14314"]
    assert _ids("author:İrsoy") == ["2303.17564"]
    found = sorted(i or "" for i in _ids("author:dettmers OR author:schwaller"))
    assert found == ["2304.05376", "2305.14314"]
    assert _ids("authors:/^gideon mann$/") == ["2303.17564"]
    assert len(_ids("-author:dettmers")) == len(DIGEST) - 1
    assert _ids("dettmers") == []  # plain words do not search authors


def test_author_names_match_without_accents() -> None:
    assert _ids("author:irsoy") == ["2303.17564"]  # Ozan İrsoy
    assert _ids("author:İRSOY") == ["2303.17564"]
    paper = Paper(date(2023, 6, 25), "T", "https://x.org", authors=("Jürgen Müller", "Łukasz K"))
    digest = Digest([paper])
    for query in ("author:muller", "author:müller", 'author:"jurgen m"', "author:łukasz"):
        assert select(digest, None, parse_query(query)) == [0], query
    assert parse_query("author:muller").highlight_spans("Jürgen Müller", "author") == [(7, 13)]
    assert parse_query("author:irsoy").highlight_spans("Ozan İrsoy", "author") == [(5, 10)]


def test_an_author_term_does_not_narrow_a_plain_word() -> None:
    """`author:x` does not imply the plain word `x` (which does not search authors)."""
    plain, author = parse_query("dettmers"), parse_query("author:dettmers")
    assert not author.narrows(plain)
    assert not plain.narrows(author)
    assert parse_query("author:dettmers x").narrows(author)


def test_author_highlighting() -> None:
    query = parse_query("author:dett qlora")
    assert query.highlight_spans("Tim Dettmers", "author") == [(4, 8)]
    assert query.highlight_spans("QLoRA by Dettmers", "title") == [(0, 5)]
    assert parse_query("qlora").highlight_spans("QLoRA Dettmers", "author") == []


def _write(digest: Digest, fmt: str) -> str:
    out = io.StringIO()
    write_papers(digest, range(len(digest)), fmt, out)
    return out.getvalue()


def test_json_and_csv_carry_authors_when_known() -> None:
    records = json.loads(_write(DIGEST, "json"))
    by_id = {record["arxiv_id"]: record for record in records}
    assert by_id["2305.14314"]["authors"][0] == "Tim Dettmers"
    assert "authors" not in by_id["2303.17580"]
    rows = list(csv.DictReader(io.StringIO(_write(DIGEST, "csv"))))
    by_id_csv = {row["arxiv_id"]: row for row in rows}
    assert by_id_csv["2303.17564"]["authors"].split("\n")[1] == "Ozan İrsoy"
    assert by_id_csv["2303.17580"]["authors"] == ""
    plain = load_digest(None)
    assert "authors" not in _write(plain, "csv").split("\n", 1)[0]
    assert '"authors"' not in _write(plain, "json")


@pytest.mark.parametrize(("fmt", "parse"), [("json", parse_json), ("csv", parse_csv)])
def test_round_trips_keep_authors(fmt: str, parse: object) -> None:
    first = _write(DIGEST, fmt)
    back = Digest(parse(first, f"x.{fmt}"))  # type: ignore[operator]
    assert [p.authors for p in back.papers] == [p.authors for p in DIGEST.papers]
    assert _write(back, fmt) == first


_NAMES = st.lists(st.text(min_size=1, max_size=15), max_size=4)


@settings(max_examples=100, deadline=None)
@given(names=_NAMES)
def test_any_names_round_trip_after_one_pass(names: list[str]) -> None:
    paper = Paper(date(2023, 6, 25), "T", "https://arxiv.org/abs/2306.00001", authors=tuple(names))
    digest = Digest([paper])
    for fmt, parse in (("json", parse_json), ("csv", parse_csv)):
        once = _write(Digest(parse(_write(digest, fmt), "x")), fmt)
        twice = _write(Digest(parse(once, "x")), fmt)
        assert once == twice


def test_json_authors_must_be_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "d.json"
    path.write_text(
        '[{"week": "2023-06-25", "title": "T", "link": "https://x.org",\n "authors": [1]}]'
    )
    assert main([str(path), "--print"]) == 2
    err = capsys.readouterr().err
    assert err == f"reader: error: {path}:1: 'authors' holds a number; expected names (strings)\n"


def _cache(state_dir: Path) -> None:
    with StateStore(state_dir) as store:
        store.arxiv.save_metadata(SAMPLES.values())


def test_print_uses_cached_metadata(
    isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _cache(isolated_state)
    assert main(["--print", "--format", "json", "--query", "author:dettmers"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["arxiv_id"] == "2305.14314"
    assert record["authors"] == list(SAMPLES["2305.14314"].authors)


def test_print_bibtex_and_ris(isolated_state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--print", "--format", "bibtex", "--query", "id:2305.14314"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("% anon2023qlora: authors missing")
    _cache(isolated_state)
    assert main(["--print", "--format", "bibtex", "--week", "2023-04-16"]) == 0
    library = bibtexparser.parse_string(capsys.readouterr().out)
    keys = [entry.key for entry in library.entries]
    assert "bran2023chemcrow" in keys and len(keys) == len(set(keys))
    assert main(["--print", "--format", "ris", "--query", "id:2303.17564"]) == 0
    (record,) = rispy.loads(capsys.readouterr().out)
    assert record["authors"][1] == "Ozan İrsoy"


def test_print_creates_no_state_for_citations(
    isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--print", "--format", "ris"]) == 0
    assert rispy.loads(capsys.readouterr().out)
    assert not isolated_state.exists()


def test_source_authors_win_over_metadata() -> None:
    paper = replace(
        next(p for p in load_digest(None).papers if p.arxiv_id == "2305.14314"),
        authors=("Someone Else",),
    )
    assert enrich(Digest([paper]), SAMPLES).papers[0].authors == ("Someone Else",)
