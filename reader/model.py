"""The data model: a paper, and a digest of papers grouped by week. No Textual here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Protocol, cast

from reader.text import clean_abstract

UNDATED = date.min
"""The week of a paper that has none (a row of the upstream CSV of abstracts that joined no dated
paper): sorted after every real week, listed as "Undated", found by `week:none`, printed as an
empty week (`undated` in the markdown table, whose blank first cell means a continuation row)."""


def week_label(week: date) -> str:
    """A week as shown: `2023-06-25`, or `Undated`."""
    return "Undated" if week == UNDATED else week.isoformat()


def week_text(week: date) -> str:
    """A week as printed in json and csv: `2023-06-25`, or an empty string when undated."""
    return "" if week == UNDATED else week.isoformat()


def join_note(joined: tuple[int, int]) -> str:
    """What joining undated papers did, in a sentence (a toast, and stderr with --print).

    >>> join_note((380, 40))
    'Joined 380 undated papers to their dated ones; 40 stay undated (week:none finds them).'
    """
    matched, undated = joined
    papers = "paper" if matched == 1 else "papers"
    rest = (
        "none stays undated."
        if undated == 0
        else f"{undated} stay{'s' if undated == 1 else ''} undated (week:none finds them)."
    )
    return f"Joined {matched} undated {papers} to their dated ones; {rest}"


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled link beside a paper's main one (Tweet, Code, Project, ...)."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper of the digest, as read from the source (the abstract is kept raw)."""

    week: date
    title: str
    link: str
    category: str = ""
    abstract: str = ""
    arxiv_id: str | None = None
    summary: str = ""
    links: tuple[Link, ...] = ()
    line: int = 0
    """The 1-based line of the source where the paper starts (0 when unknown)."""
    authors: tuple[str, ...] = ()
    """Author names as written ("Tim Dettmers"): from a json/csv digest, or from arXiv metadata."""

    @property
    def key(self) -> str:
        """What reading state is keyed by: the arXiv id without version, else the link."""
        return self.arxiv_id or self.link

    @property
    def text(self) -> str:
        """The abstract as displayed and searched: arXiv artifacts made readable."""
        return clean_abstract(self.abstract)


@dataclass(slots=True)
class _PaperFields:
    """`Paper`'s twin with the same slots, not frozen. A frozen dataclass's `__init__` sets each
    field through `object.__setattr__`, which makes building 100,000 papers take ~100 ms;
    `new_paper` builds this twin instead (~25 ms) and turns it into the `Paper` it equals."""

    week: date
    title: str
    link: str
    category: str = ""
    abstract: str = ""
    arxiv_id: str | None = None
    summary: str = ""
    links: tuple[Link, ...] = ()
    line: int = 0
    authors: tuple[str, ...] = ()


if _PaperFields.__slots__ != Paper.__slots__:  # the object layouts must be the same
    raise ImportError("reader.model: _PaperFields and Paper must have the same fields")


def new_paper(
    week: date,
    title: str,
    link: str,
    category: str = "",
    abstract: str = "",
    arxiv_id: str | None = None,
    summary: str = "",
    links: tuple[Link, ...] = (),
    line: int = 0,
    authors: tuple[str, ...] = (),
) -> Paper:
    """`Paper(week, title, link, ...)`, the same arguments in the same order, built ~4x faster:
    for parsers that make many papers. The result is an ordinary, frozen `Paper`."""
    paper = _PaperFields(
        week, title, link, category, abstract, arxiv_id, summary, links, line, authors
    )
    paper.__class__ = Paper  # type: ignore[assignment]
    return cast(Paper, paper)


_WEEK = attrgetter("week")


class SearchStore(Protocol):
    """Somewhere a digest's search text is kept between runs (`reader.digest_cache`)."""

    def load(self, count: int) -> list[str] | None:
        """The stored haystacks of `count` papers, or None when there are none to trust."""

    def save(self, haystacks: list[str]) -> None:
        """Keep freshly built haystacks (failures are the store's to swallow)."""


class Digest:
    """An immutable, ordered collection of papers: newest week first, source order within a week.

    Papers are addressed by their index in `papers`; views of the digest are arrays of indices.
    """

    __slots__ = (
        "name",
        "source",
        "papers",
        "weeks",
        "week_ranges",
        "joined",
        "search_store",
        "notices",
        "_haystacks",
    )

    def __init__(
        self,
        papers: Iterable[Paper],
        name: str = "digest",
        source: str = "",
        joined: tuple[int, int] | None = None,
        notices: tuple[str, ...] = (),
    ) -> None:
        ordered = sorted(papers, key=_WEEK, reverse=True)
        self.name = name
        self.source = source
        self.joined = joined
        """(joined, undated) when undated papers were joined to dated ones at load (see
        `reader.join`): how many found their dated paper, how many stay undated."""
        self.notices = notices
        """What the user should know of how it was read ("URL: offline: the copy of …")."""
        self.papers: tuple[Paper, ...] = tuple(ordered)
        weeks: list[date] = []
        ranges: dict[date, range] = {}
        start = 0
        for index in range(1, len(ordered) + 1):
            if index == len(ordered) or ordered[index].week != ordered[start].week:
                week = ordered[start].week
                weeks.append(week)
                ranges[week] = range(start, index)
                start = index
        self.weeks: tuple[date, ...] = tuple(weeks)
        self.week_ranges: dict[date, range] = ranges
        self._haystacks: list[str] | None = None
        self.search_store: SearchStore | None = None
        """Where `haystacks` are read from instead of built, and saved to once built."""

    def __len__(self) -> int:
        return len(self.papers)

    def __repr__(self) -> str:
        return f"Digest({self.name!r}, {len(self.papers)} papers, {len(self.weeks)} weeks)"

    @property
    def haystacks(self) -> list[str]:
        """Per paper, the lowercased searchable text: title, category, cleaned abstract (and the
        summary, for papers that have one: it stands in for the abstract where there is none)."""
        if self._haystacks is None and self.search_store is not None:
            self._haystacks = self.search_store.load(len(self.papers))
            if self._haystacks is None:
                self._haystacks = self._build_haystacks()
                self.search_store.save(self._haystacks)
        if self._haystacks is None:
            self._haystacks = self._build_haystacks()
        return self._haystacks

    def _build_haystacks(self) -> list[str]:
        return [
            (
                f"{paper.title}\n{paper.category}\n{paper.text}\n{paper.summary}"
                if paper.summary
                else f"{paper.title}\n{paper.category}\n{paper.text}"
            ).lower()
            for paper in self.papers
        ]

    def indices(self, week: date | None = None) -> range:
        """The indices of one week's papers, or of every paper when `week` is None."""
        if week is None:
            return range(len(self.papers))
        return self.week_ranges.get(week, range(0))

    def week_of(self, index: int) -> date:
        return self.papers[index].week


def resolve_week(digest: Digest, week: date | str | None) -> date | None:
    """`latest` (the newest week), `all` (None), or a date (an ISO string or a `date`); whether
    the digest has that week is for the caller to check (the app falls back, the CLI refuses)."""
    if week is None or week == "all":
        return None
    if week == "latest":
        return digest.weeks[0] if digest.weeks else None
    if isinstance(week, str):
        week = date.fromisoformat(week)
    return week
