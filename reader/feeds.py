"""The feeds a paper can come from, beside the weekly digest: Hugging Face's daily papers and the
arXiv listings (issue 29). No Textual here.

A paper read from a feed carries `Paper.origins`, one `reader.model.Origin` per pick (the feed,
the day, what the feed tells of it: upvotes and comments on Hugging Face, the announcement type
and the listing on arXiv). A paper read from a digest file alone has none: it comes from the
digest ("potw", Papers of the Week). Opened together, papers with the same arXiv id become one
row (`reader.join.merge_feeds`) whose origins list every pick. The formats are
`reader.formats.hf` and `reader.formats.arxiv_listing`.
"""

from __future__ import annotations

from datetime import date, timedelta

from reader.model import Origin, Paper

__all__ = [
    "ANNOUNCE_TYPES",
    "FEEDS",
    "FEED_LABELS",
    "describe_origin",
    "describe_origins",
    "feeds_of",
    "origins_of",
    "upvotes_of",
    "week_ending",
]

FEEDS: tuple[str, ...] = ("potw", "hf", "arxiv")
"""The feeds, in the order rows and the pane list them: the digest, Hugging Face, arXiv."""

FEED_LABELS: dict[str, str] = {
    "potw": "Papers of the Week",
    "hf": "HF daily",
    "arxiv": "arXiv",
}
"""How the pane names each feed."""

ANNOUNCE_TYPES: tuple[str, ...] = ("new", "cross", "replace", "replace-cross")
"""arXiv's announcement types in its listings: a new paper, a cross-list from another category,
a new version, a new version of a cross-list."""


def week_ending(day: date) -> date:
    """The week a day belongs to, as the digest names weeks: the Sunday that ends it (Monday to
    Sunday, as ISO weeks run).

    >>> week_ending(date(2026, 6, 24)), week_ending(date(2026, 6, 28))
    (datetime.date(2026, 6, 28), datetime.date(2026, 6, 28))
    """
    return day + timedelta(days=6 - day.weekday())


def origins_of(paper: Paper) -> tuple[Origin, ...]:
    """Where the paper was picked: its origins, or the digest's week for a digest's paper."""
    return paper.origins or (Origin("potw", paper.week),)


def feeds_of(paper: Paper) -> frozenset[str]:
    """The feeds that picked the paper (`potw` for a digest's paper)."""
    if not paper.origins:
        return _POTW
    return frozenset(origin.feed for origin in paper.origins)


_POTW = frozenset(("potw",))


def upvotes_of(paper: Paper) -> int | None:
    """The paper's upvotes on Hugging Face (the most it was seen with), or None."""
    votes = [origin.upvotes for origin in paper.origins if origin.upvotes is not None]
    return max(votes) if votes else None


def describe_origin(origin: Origin) -> str:
    """One pick as the pane says it: `HF daily 2026-06-24 ↑212 · 5 comments`, `arXiv cs.LG
    2026-06-22 (new)`, `Papers of the Week 2026-06-28`."""
    words = [FEED_LABELS.get(origin.feed, origin.feed)]
    if origin.listing:
        words.append(origin.listing)
    words.append(origin.day.isoformat())
    if origin.upvotes is not None:
        words.append(f"\u2191{origin.upvotes}")
    if origin.announce:
        words.append(f"({origin.announce})")
    text = " ".join(words)
    if origin.comments:
        text += f", {origin.comments} comment{'s' if origin.comments != 1 else ''}"
    return text


def describe_origins(paper: Paper) -> str:
    """Every pick of the paper, joined by ` · `: `Papers of the Week 2026-06-28 · HF daily
    2026-06-24 ↑212`."""
    return " \u00b7 ".join(describe_origin(origin) for origin in origins_of(paper))
