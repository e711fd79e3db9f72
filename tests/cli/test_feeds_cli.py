"""The feeds on the command line (issue 29): `--print` of an inbox, its round trip, `--sort
upvotes`, the feeds' query terms, hostile text and hostile XML."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from reader.output import FORMATS
from tests.cli.test_cli import assert_one_error_line, cli, printed
from tests.feeds import (
    HOSTILE,
    WEDNESDAY,
    ArxivItem,
    arxiv_day,
    arxiv_rss,
    hf_page,
    hf_week,
    hostile_feeds,
)
from tests.unit.test_xmlsafe import BOMB

UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\x00", "\x08", "\x7f")


@pytest.fixture
def inbox(tmp_path: Path) -> list[str]:
    """A digest file, a week of Hugging Face and a day of cs.LG, sharing papers."""
    week = hf_week(2026, 26, per_day=2)
    digest = tmp_path / "potw.json"
    digest.write_text(
        json.dumps(
            [
                {
                    "week": "2026-06-28",
                    "title": "The digest's pick",
                    "category": "Machine Learning",
                    "summary": "Why it matters.",
                    "link": f"https://arxiv.org/abs/{week[0].id}",
                },
                {
                    "week": "2026-06-21",
                    "title": "Older",
                    "link": "https://arxiv.org/abs/2606.00007",
                },
            ]
        )
    )
    hf = tmp_path / "hf.json"
    hf.write_bytes(hf_page(week))
    listing = tmp_path / "cs.LG.xml"
    items = arxiv_day(WEDNESDAY) + [ArxivItem(id=week[1].id, title="Shared", announce="cross")]
    listing.write_bytes(arxiv_rss("cs.LG", WEDNESDAY, items))
    return [str(digest), str(hf), str(listing)]


def test_the_inbox_prints_one_row_per_paper_with_its_sources(
    capsys: pytest.CaptureFixture[str], inbox: list[str]
) -> None:
    records = printed(capsys, *inbox)
    ids = [record["arxiv_id"] for record in records]
    assert len(ids) == len(set(ids)) == 2 + 10 + 7 - 2  # two papers in two feeds each
    pick = records[0]
    assert pick["title"] == "The digest's pick" and pick["summary"] == "Why it matters."
    assert pick["abstract"]  # from Hugging Face
    sources = pick["sources"]
    assert isinstance(sources, list)
    assert [source["feed"] for source in sources] == ["potw", "hf"]
    assert pick["upvotes"] == 200
    older = next(record for record in records if record["title"] == "Older")
    assert "sources" not in older and "upvotes" not in older


def test_printed_json_reads_back_to_the_same_bytes(
    capsys: pytest.CaptureFixture[str], inbox: list[str], tmp_path: Path
) -> None:
    code, first, err = cli(capsys, *inbox, "--print", "--format", "json")
    assert (code, err) == (0, "")
    again = tmp_path / "again.json"
    again.write_text(first)
    code, second, err = cli(capsys, str(again), "--print", "--format", "json")
    assert (code, err) == (0, "")
    assert second == first


def test_sort_by_upvotes_puts_the_most_first_and_papers_without_last(
    capsys: pytest.CaptureFixture[str], inbox: list[str]
) -> None:
    records = printed(capsys, *inbox, "--sort", "upvotes")
    votes = [record.get("upvotes") for record in records]
    known = [vote for vote in votes if vote is not None]
    assert known == sorted(known, reverse=True)  # type: ignore[type-var]
    assert votes[: len(known)] == known and len(known) == 10
    records = printed(capsys, *inbox, "--sort", "upvotes", "--reverse")
    assert [record.get("upvotes") for record in records] == votes[::-1]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("from:hf", 10),
        ("from:arxiv", 7),
        ("from:potw", 2),
        ("from:hf from:arxiv", 1),
        ("announce:cross", 2),
        ("upvotes:>=195", 6),
        ("-from:potw upvotes:<195", 4),
    ],
)
def test_the_feed_terms_select_in_print(
    capsys: pytest.CaptureFixture[str], inbox: list[str], query: str, count: int
) -> None:
    assert len(printed(capsys, *inbox, "--query", query)) == count


def test_a_bad_feed_term_is_one_line(capsys: pytest.CaptureFixture[str], inbox: list[str]) -> None:
    code, out, err = cli(capsys, *inbox, "--print", "--query", "from:reddit")
    assert (code, out) == (2, "")
    assert_one_error_line(err, "--query: from: takes potw, hf or arxiv, not 'reddit'")


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_feeds_never_reach_the_terminal_raw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    hf, listing = hostile_feeds(tmp_path)
    code, out, err = cli(capsys, str(hf), str(listing), "--print", "--format", fmt)
    assert (code, err) == (0, "")
    for char in UNSAFE:
        assert char not in out, (fmt, repr(char))
    if fmt == "json":
        records = json.loads(out)
        assert records[0]["title"] == HOSTILE  # kept exactly, escaped
        assert "\u202e" in records[-1]["title"]


def test_the_entity_bomb_is_one_error_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bomb = tmp_path / "cs.LG.xml"
    bomb.write_bytes(BOMB)
    code, out, err = cli(capsys, str(bomb), "--print")
    assert (code, out) == (2, "")
    assert err == f"reader: error: {bomb}:2: refused: a DOCTYPE (feeds have none; it is not read)\n"


def test_a_weekends_empty_feed_prints_nothing_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    weekend = tmp_path / "cs.LG.xml"
    weekend.write_bytes(arxiv_rss("cs.LG", date(2026, 6, 27), []))
    code, out, err = cli(capsys, str(weekend), "--print", "--format", "json")
    assert (code, out, err) == (1, "[]\n", "reader: no papers in the digest\n")
