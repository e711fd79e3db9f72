"""One inbox (issue 29): the digest's papers and the feeds' merged by arXiv id
(`reader.sources.join.merge_feeds`), and through the loader."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reader.feeds import describe_origins, feeds_of, upvotes_of
from reader.model import Link, Origin, Paper
from reader.sources.join import merge_feeds
from reader.sources.loader import load_digest
from tests.feeds import ArxivItem, HFPaper, arxiv_rss, hf_page

SUNDAY = date(2026, 6, 28)
WEDNESDAY = date(2026, 6, 24)
MONDAY = date(2026, 6, 22)


def _digest_row(arxiv_id: str, week: date = SUNDAY, **fields: object) -> Paper:
    values: dict[str, object] = {
        "title": f"Digest title of {arxiv_id}",
        "summary": "The digest's own summary.",
        "category": "",
    }
    values.update(fields)
    return Paper(
        week=week,
        link=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        **values,  # type: ignore[arg-type]
    )


def _hf_row(arxiv_id: str, day: date = WEDNESDAY, upvotes: int = 212) -> Paper:
    return Paper(
        week=SUNDAY if day > MONDAY - timedelta(days=1) else day + timedelta(6 - day.weekday()),
        title=f"HF title of {arxiv_id}",
        link=f"https://arxiv.org/abs/{arxiv_id}",
        abstract="The abstract, from Hugging Face.",
        arxiv_id=arxiv_id,
        links=(Link("Code", f"https://github.com/lab/{arxiv_id}"),),
        authors=("Ada Lovelace",),
        origins=(Origin("hf", day, upvotes=upvotes, comments=2),),
    )


def _arxiv_row(arxiv_id: str, day: date = MONDAY, announce: str = "new") -> Paper:
    return Paper(
        week=day + timedelta(6 - day.weekday()),
        title=f"arXiv title of {arxiv_id}",
        link=f"https://arxiv.org/abs/{arxiv_id}",
        category="Machine Learning",
        abstract="The abstract, from arXiv.",
        arxiv_id=arxiv_id,
        authors=("Grace Hopper", "Ada Lovelace"),
        origins=(Origin("arxiv", day, announce=announce, listing="cs.LG"),),
    )


def test_a_paper_in_all_three_is_one_row_with_the_richest_fields() -> None:
    (row,) = merge_feeds(
        [_hf_row("2606.00001"), _digest_row("2606.00001"), _arxiv_row("2606.00001")]
    )
    assert row.title == "Digest title of 2606.00001"  # the editor's
    assert row.summary == "The digest's own summary."
    assert row.abstract == "The abstract, from arXiv."  # an abstract over none
    assert row.category == "Machine Learning"  # the digest had none
    assert row.authors == ("Grace Hopper", "Ada Lovelace")
    assert row.links == (Link("Code", "https://github.com/lab/2606.00001"),)
    assert row.week == SUNDAY
    assert feeds_of(row) == {"potw", "hf", "arxiv"}
    assert upvotes_of(row) == 212
    assert describe_origins(row) == (
        "Papers of the Week 2026-06-28 · HF daily 2026-06-24 ↑212, 2 comments · "
        "arXiv cs.LG 2026-06-22 (new)"
    )


def test_a_paper_only_the_feeds_have_takes_the_week_of_its_latest_pick() -> None:
    friday_before = date(2026, 6, 19)
    (row,) = merge_feeds([_arxiv_row("2606.00002", friday_before), _hf_row("2606.00002")])
    assert row.week == SUNDAY
    assert row.title == "arXiv title of 2606.00002"
    assert [origin.feed for origin in row.origins] == ["hf", "arxiv"]


def test_a_digest_paper_listed_in_two_weeks_takes_the_feeds_in_both() -> None:
    earlier = SUNDAY - timedelta(days=7)
    rows = merge_feeds(
        [_digest_row("2606.00003"), _digest_row("2606.00003", earlier), _hf_row("2606.00003")]
    )
    assert [row.week for row in rows] == [SUNDAY, earlier]
    assert all(feeds_of(row) == {"potw", "hf"} for row in rows)
    assert rows[1].origins[0] == Origin("potw", earlier)


def test_without_feeds_the_digest_is_untouched() -> None:
    rows = [_digest_row("2606.00004"), _digest_row("2606.00005")]
    assert merge_feeds(rows) == rows


# --- properties --------------------------------------------------------------------------------

_IDS = [f"2606.{n:05d}" for n in range(6)]
_DAYS = [date(2026, 6, 15) + timedelta(days=n) for n in range(14)]


@st.composite
def _rows(draw: st.DrawFn) -> tuple[list[Paper], list[Paper]]:
    """(the digest's rows, in order; the feeds' rows) over a few shared ids."""
    digest = [
        _digest_row(
            draw(st.sampled_from(_IDS)),
            draw(st.sampled_from([SUNDAY, SUNDAY - timedelta(days=7)])),
            summary=draw(st.sampled_from(["", "A summary."])),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    unique: dict[tuple[date, str | None], Paper] = {}
    for row in digest:  # as the loader gives them: a paper once in a week
        unique.setdefault((row.week, row.arxiv_id), row)
    makers: list[Callable[[str, date], Paper]] = [_hf_row, _arxiv_row]
    feeds = [
        draw(st.sampled_from(makers))(draw(st.sampled_from(_IDS)), draw(st.sampled_from(_DAYS)))
        for _ in range(draw(st.integers(0, 10)))
    ]
    return list(unique.values()), feeds


@given(_rows(), st.randoms(use_true_random=False))
def test_merging_never_loses_a_paper_or_repeats_an_id_and_ignores_the_order(
    rows: tuple[list[Paper], list[Paper]], random: object
) -> None:
    digest, feeds = rows
    merged = merge_feeds(digest + feeds)
    ids = Counter(row.arxiv_id for row in merged)
    digest_ids = Counter(row.arxiv_id for row in digest)
    assert set(ids) == {row.arxiv_id for row in digest + feeds}  # no paper lost
    for arxiv_id, count in ids.items():  # one row an id; the digest's own weeks kept
        assert count == max(1, digest_ids[arxiv_id])
    for row in merged:  # every pick kept on its row
        picks = {
            origin for feed in feeds if feed.arxiv_id == row.arxiv_id for origin in feed.origins
        }
        assert picks <= set(row.origins)
    shuffled = list(feeds)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    mixed = list(digest)
    for row in shuffled:  # the feeds before, between and after the digest's rows
        mixed.insert(random.randint(0, len(mixed)), row)  # type: ignore[attr-defined]
    assert merge_feeds(mixed) == merged
    assert merge_feeds(merged) == merged  # merging again changes nothing


# --- through the loader ------------------------------------------------------------------------


def test_the_loader_merges_feed_files_with_a_digest_in_any_order(tmp_path: Path) -> None:
    digest = tmp_path / "potw.json"
    digest.write_text(
        '[{"week": "2026-06-28", "title": "QLoRA, as the digest names it", "category": "NLP",'
        ' "summary": "Picked.", "link": "https://arxiv.org/abs/2606.00001"}]'
    )
    hf = tmp_path / "hf.json"
    hf.write_bytes(
        hf_page(
            [
                HFPaper(id="2606.00001", title="QLoRA", day=WEDNESDAY, upvotes=212),
                HFPaper(id="2606.00002", title="Other", day=WEDNESDAY, upvotes=7),
            ]
        )
    )
    listing = tmp_path / "cs.LG.xml"
    listing.write_bytes(
        arxiv_rss(
            "cs.LG",
            MONDAY,
            [ArxivItem(id="2606.00001", title="QLoRA"), ArxivItem(id="2606.00002", title="Other")],
        )
    )
    one = load_digest([str(digest), str(hf), str(listing)])
    other = load_digest([str(listing), str(hf), str(digest)])
    assert one.papers == other.papers
    assert [(paper.arxiv_id, sorted(feeds_of(paper))) for paper in one.papers] == [
        ("2606.00001", ["arxiv", "hf", "potw"]),
        ("2606.00002", ["arxiv", "hf"]),
    ]
    assert one.papers[0].title == "QLoRA, as the digest names it"
    assert one.papers[0].abstract  # from the feeds


def test_a_pick_whose_upvotes_are_unknown_comes_after_one_with_none() -> None:
    unknown = _hf_row("2606.00002")
    unknown = replace(unknown, origins=(Origin("hf", WEDNESDAY, comments=2),))
    merged = merge_feeds([unknown, _hf_row("2606.00003", upvotes=0)])
    assert [paper.arxiv_id for paper in merged] == ["2606.00003", "2606.00002"]
