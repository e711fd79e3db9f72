"""Counts, sorting and the views a query selects; the category facet's term."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from reader.model import Digest
from reader.patterns import compiled
from reader.query.engine import Query, _index
from reader.query.syntax import SPACES
from reader.reading import ReadingState

if TYPE_CHECKING:
    from reader.similar import Ranking

# --- counts, sorting, views --------------------------------------------------------------------


def week_counts(digest: Digest, indices: Iterable[int]) -> dict[date, int]:
    """How many of `indices` fall in each week: every week of the digest, newest first, zeros
    included."""
    ordered = sorted(indices)
    counts: dict[date, int] = {}
    for week in digest.weeks:
        span = digest.week_ranges[week]
        counts[week] = bisect_left(ordered, span.stop) - bisect_left(ordered, span.start)
    return counts


def category_counts(digest: Digest, indices: Iterable[int]) -> dict[str, int]:
    """How many of `indices` have each category (as written; "" for none), most first, then by
    name (`by_count`). Categories with no paper among `indices` are left out."""
    papers = digest.papers
    return by_count(Counter(papers[i].category for i in indices).items())


def by_count(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Category counts in the sidebar's order: most first, then by name (case-folded, then as
    written)."""
    return dict(sorted(counts, key=lambda item: (-item[1], item[0].casefold(), item[0])))


SORT_KEYS: tuple[str, ...] = ("week", "title", "category", "similarity", "upvotes")
"""`similarity`: by a `like:` query's ranking (week order without one); a query with `like:`
sorts so unless told otherwise (`default_sort`). `upvotes`: the most upvoted on Hugging Face
first (issue 29)."""


def default_sort(query: Query) -> str:
    """The order a view of `query` takes when none is asked for: by similarity with `like:`."""
    return "similarity" if query.likes else "week"


def sort_indices(
    digest: Digest,
    indices: Iterable[int],
    key: str = "week",
    reverse: bool = False,
    ranking: Ranking | None = None,
) -> list[int]:
    """`indices` in view order. week: newest first, the digest's order within a week; title:
    case-folded, ties in week order; category: by name (papers without one last), then week
    order; similarity: by `ranking`'s score, highest first, ties in week order (week order
    without a ranking); upvotes: the most upvotes on Hugging Face first (papers without any
    last), then week order. `reverse` flips the whole order."""
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r}; expected one of {', '.join(SORT_KEYS)}")
    ordered = sorted(indices)  # the digest's order is week order
    if key == "title":
        ordered.sort(key=_index(digest).sort_titles.__getitem__)
    elif key == "category":
        ordered.sort(key=_index(digest).sort_categories.__getitem__)
    elif key == "similarity" and ranking is not None:
        ordered = ranking.order(ordered, ascending=True)
    elif key == "upvotes":
        votes = _index(digest).picks[2]
        ordered.sort(key=lambda i: -votes[i])
    if reverse:
        ordered.reverse()
    return ordered


def select(
    digest: Digest,
    week: date | None,
    query: Query,
    state: ReadingState | None = None,
    sort: str | None = None,
    reverse: bool = False,
    ranking: Ranking | None = None,
) -> list[int]:
    """What a view shows: the week's papers (every paper when `week` is None), filtered by `query`,
    sorted (`sort` None: `default_sort`). The TUI's list and `reader --print` both come from
    here. `ranking`: the query's (`Query.ranking`), when the caller has it already."""
    if sort is None:
        sort = default_sort(query)
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}; expected one of {', '.join(SORT_KEYS)}")
    hits = query.filter(digest, digest.indices(week), state)
    if (sort == "week" or (sort == "similarity" and not query.likes)) and not reverse:
        return hits  # already in the digest's order
    if sort == "similarity" and ranking is None:
        ranking = query.ranking(digest, state)
    return sort_indices(digest, hits, sort, reverse, ranking)


@lru_cache(maxsize=1024)
def facet_term(category: str | None = None) -> re.Pattern[str]:
    """The category facet's term as the sidebar writes it, `cat:"<category>"` (any letter case,
    `category:` too, a whole word of the query); with no `category`, the term of any category."""
    name = r'[^"]*' if category is None else re.escape(category)
    return re.compile(r'(?:(?<=\s)|^)(?:cat|category):"' + name + r'"(?=\s|$)', re.IGNORECASE)


FACET_TERM = compiled(r'(?:(?<=\s)|^)(?:cat|category):"[^"]*"(?=\s|$)', re.IGNORECASE)
"""A category facet term of any category: `facet_term()`, compiled when first used."""


def toggle_category(text: str, category: str) -> str:
    """The query `text` with the term `cat:"<category>"` added, or removed where it is already
    there (as written by this function, in any letter case). For the category facet."""
    term = f'cat:"{category}"'
    pattern = facet_term(category)
    if pattern.search(text):
        return SPACES.sub(" ", pattern.sub("", text)).strip()
    return f"{text.rstrip()} {term}".strip()
