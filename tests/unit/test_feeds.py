"""reader.feeds: weeks of feed days, origins, the pane's words and the list's marks, shortcuts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.feeds import (
    FeedBases,
    ShortcutError,
    describe_by_feed,
    describe_new_by_feed,
    describe_origins,
    expand_shortcut,
    expand_sources,
    feed_name,
    has_feeds,
    is_shortcut,
    new_by_feed,
    next_page,
    source_marks,
    week_ending,
)
from reader.model import Origin, Paper

BASES = FeedBases("http://127.0.0.1:1", "http://127.0.0.1:2/", "http://127.0.0.1:3/README.md")
WEDNESDAY = date(2026, 6, 24)


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 25)))
def test_a_day_belongs_to_the_sunday_that_ends_its_iso_week(day: date) -> None:
    sunday = week_ending(day)
    assert sunday.weekday() == 6 and 0 <= (sunday - day).days <= 6
    assert sunday.isocalendar()[:2] == day.isocalendar()[:2]


def _paper(*origins: Origin) -> Paper:
    return Paper(week=date(2026, 6, 28), title="t", link="l", origins=origins)


def test_marks_and_the_pane_say_where_a_paper_was_picked() -> None:
    digest = _paper()
    both = _paper(Origin("potw", date(2026, 6, 28)), Origin("hf", WEDNESDAY, upvotes=1, comments=1))
    listing = _paper(Origin("arxiv", WEDNESDAY, announce="replace-cross", listing="cs.LG+cs.CL"))
    assert [source_marks(paper) for paper in (digest, both, listing)] == ["P  ", "PH ", "  A"]
    assert describe_origins(digest) == "Papers of the Week 2026-06-28"
    assert describe_origins(both) == (
        "Papers of the Week 2026-06-28 · HF daily 2026-06-24 ↑1, 1 comment"
    )
    assert describe_origins(listing) == "arXiv cs.LG+cs.CL 2026-06-24 (replace-cross)"
    assert not has_feeds([digest]) and has_feeds([digest, listing])


@pytest.mark.parametrize(
    ("shortcut", "url"),
    [
        ("hf", "http://127.0.0.1:1/api/daily_papers?week=2026-W26&limit=50&p=0"),
        ("hf:2026-W01", "http://127.0.0.1:1/api/daily_papers?week=2026-W01&limit=50&p=0"),
        ("hf:2020-w53", "http://127.0.0.1:1/api/daily_papers?week=2020-W53&limit=50&p=0"),
        ("HF:2026-02-28", "http://127.0.0.1:1/api/daily_papers?date=2026-02-28&limit=50&p=0"),
        ("hf:2026-06", "http://127.0.0.1:1/api/daily_papers?month=2026-06&limit=50&p=0"),
        ("arxiv:cs.LG", "http://127.0.0.1:2/rss/cs.LG"),
        ("arxiv:CS.lg+stat.ml+math", "http://127.0.0.1:2/rss/cs.LG+stat.ML+math"),
        ("arxiv:hep-th", "http://127.0.0.1:2/rss/hep-th"),
        ("potw", "http://127.0.0.1:3/README.md"),
    ],
)
def test_shortcuts_expand_to_their_urls(shortcut: str, url: str) -> None:
    assert is_shortcut(shortcut)
    assert expand_shortcut(shortcut, BASES, today=WEDNESDAY) == url


@pytest.mark.parametrize(
    ("shortcut", "message"),
    [
        ("hf:2026-W00", "hf:2026-W00: 2026 has no week 0"),
        ("hf:2025-W53", "hf:2025-W53: 2025 has no week 53"),
        ("hf:2026-02-30", "hf:2026-02-30: not a date"),
        ("hf:2026-13", "hf:2026-13: hf takes a week"),
        ("hf:last week", "hf:last week: hf takes a week"),
        ("arxiv:", "arxiv:: name the listing"),
        ("arxiv:cs.LG+", "arxiv:cs.LG+: '' is not an arXiv category"),
        ("arxiv:cs.LG+\x1b[2J", "arxiv:cs.LG+\x1b[2J: '␛[2J' is not an arXiv category"),
        ("potw:2026", "potw:2026: potw takes nothing after it"),
    ],
)
def test_a_shortcut_that_names_nothing_says_why(shortcut: str, message: str) -> None:
    with pytest.raises(ShortcutError) as error:
        expand_shortcut(shortcut, BASES, today=WEDNESDAY)
    assert str(error.value).startswith(message)


def test_other_sources_are_not_shortcuts() -> None:
    sources = ["./hf", "hf.json", "arxiv.xml", "https://x/hf", "-", "hfx", "potws"]
    assert not any(map(is_shortcut, sources))
    assert expand_sources(sources, BASES) == sources


def test_the_next_page_only_of_a_full_page_of_daily_papers() -> None:
    first = expand_shortcut("hf:2026-W26", BASES)
    assert next_page(first, 50) == first.replace("p=0", "p=1")
    assert next_page(first.replace("p=0", "p=7"), 50) == first.replace("p=0", "p=8")
    assert next_page(first, 49) is None
    assert next_page(first, 51) is None  # more than asked for: the server pages no longer
    assert next_page(first.replace("p=0", "p=39"), 50) is None  # at most 40 pages
    assert next_page("http://127.0.0.1:1/api/daily_papers?week=2026-W26", 100) is None
    assert next_page("http://127.0.0.1:2/rss/cs.LG?limit=5&p=0", 5) is None


def test_feeds_are_named_in_the_title() -> None:
    assert feed_name(expand_shortcut("hf:2026-06-24", BASES)) == "HF daily 2026-06-24"
    assert feed_name("http://127.0.0.1:2/rss/cs.LG+cs.CL") == "arXiv cs.LG+cs.CL"
    assert feed_name("https://rss.arxiv.org/atom/math") == "arXiv math"
    assert feed_name("https://blog.example/rss/news") is None
    assert feed_name("http://127.0.0.1:3/README.md") is None


def test_this_week_follows_the_clock() -> None:
    monday = date(2026, 6, 29)
    assert "week=2026-W27" in expand_shortcut("hf", BASES, today=monday)
    assert "week=2026-W26" in expand_shortcut("hf", BASES, today=monday - timedelta(days=1))


def test_what_is_new_is_told_per_feed() -> None:
    digest = Paper(week=date(2026, 6, 28), title="a", link="a", arxiv_id="2606.00001")
    hf = _paper(Origin("hf", WEDNESDAY))
    hf = Paper(week=hf.week, title="b", link="b", arxiv_id="2606.00002", origins=hf.origins)
    both = Paper(
        week=hf.week,
        title="b",
        link="b",
        arxiv_id="2606.00002",
        origins=(Origin("hf", WEDNESDAY), Origin("arxiv", WEDNESDAY)),
    )
    listing = Paper(
        week=hf.week,
        title="c",
        link="c",
        arxiv_id="2606.00003",
        origins=(Origin("arxiv", WEDNESDAY),),
    )
    assert new_by_feed([digest], [digest, hf, listing]) == {"hf": 1, "arxiv": 1}
    assert describe_new_by_feed([digest], [digest, hf, listing]) == (
        "2 new papers: 1 from HF daily, 1 from arXiv"
    )
    assert describe_new_by_feed([hf], [both]) == "1 new paper: 1 from arXiv"  # new to arXiv
    assert describe_new_by_feed([digest, hf], [digest, hf]) is None
    assert describe_new_by_feed([], [digest]) == "1 new paper: 1 from Papers of the Week"
    assert describe_by_feed([hf]) == "1 paper from HF daily"
    daily = [
        Paper(week=hf.week, title="d", link="d", arxiv_id=f"2606.1{n:04}", origins=hf.origins)
        for n in range(1_200)
    ]
    assert describe_by_feed([digest, *daily, both, listing]) == (
        "1,203 papers from 3 feeds: 1 from Papers of the Week, 1,201 from HF daily, 2 from arXiv"
    )
