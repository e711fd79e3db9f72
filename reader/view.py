"""The main screen's view model: which papers it shows, its sidebar rows, counts and subtitle.

No Textual here. A frozen `View` says what is asked for (the week or the starred papers, the sort,
the query text); pure functions turn it, the digest and the query's hits (sorted digest indices)
into what the widgets draw. The screen holds the `View` and redraws from it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import repeat
from operator import sub

from reader.model import Digest, week_label
from reader.query import (
    FACET_TERM,
    ReadingState,
    category_counts,
    facet_term,
    parse_query,
    sort_indices,
    toggle_category,
)
from reader.reading import find_unread
from reader.text import inert

SORT_CYCLE = ("week", "title", "category")
"""The order S steps through."""


@dataclass(frozen=True)
class View:
    """What the main screen is asked to show. `query` is the text of the applied query."""

    week: date | None = None
    """None: all weeks."""
    starred_only: bool = False
    sort: str = "week"
    reverse: bool = False
    query: str = ""

    @property
    def show_week(self) -> bool:
        """Whether the list shows each paper's week (several weeks, or not in week order)."""
        return self.week is None or self.sort != "week"

    @property
    def by_week(self) -> bool:
        """One week in week order: n and p may go on into the neighbouring weeks."""
        return self.week is not None and not self.starred_only and self.sort == "week"

    def next_sort(self) -> View:
        return replace(self, sort=SORT_CYCLE[(SORT_CYCLE.index(self.sort) + 1) % len(SORT_CYCLE)])


@dataclass(frozen=True)
class Entry:
    """One sidebar row. `kind` is all, starred, week, category, or heading (not selectable)."""

    kind: str
    label: str
    count: str = ""
    week: date | None = None
    category: str = ""
    active: bool = False


# --- the papers of a view --------------------------------------------------------------------


def week_hits(digest: Digest, hits: Sequence[int], week: date | None) -> Sequence[int]:
    """The hits in `week` (None: all of them)."""
    if week is None:
        return hits
    span = digest.indices(week)
    return hits[bisect_left(hits, span.start) : bisect_left(hits, span.stop)]


def match_count(digest: Digest, hits: Sequence[int], week: date) -> int:
    span = digest.indices(week)
    return bisect_left(hits, span.stop) - bisect_left(hits, span.start)


def starred_within(total: int, starred: Sequence[int], selected: Sequence[int]) -> list[int]:
    """The `starred` indices among `selected` (both sorted; `total`: the digest's size)."""
    if len(selected) == total:
        return list(starred)
    found = []
    for index in starred:
        at = bisect_left(selected, index)
        if at < len(selected) and selected[at] == index:
            found.append(index)
    return found


def view_rows(
    digest: Digest,
    hits: Sequence[int],
    view: View,
    starred: Callable[[], Sequence[int]],
) -> list[int]:
    """The digest indices `view` lists, in its order. `starred()` gives the starred papers'
    indices (asked only for the starred view)."""
    selected = week_hits(digest, hits, view.week)
    if view.starred_only:
        selected = starred_within(len(digest), starred(), selected)
    return sort_indices(digest, selected, view.sort, view.reverse)


def subtitle(view: View, count: int, total: int | None, compact: bool = False) -> str:
    """`2023-05-14 · 3 of 12 papers · diffusion · by title (reversed)`; `total` is given only
    when a query filters. `compact` (tiny screens): the count first, whole, then where
    (`3/12 · 2023-05-14`); the query is in the filter bar."""
    if view.starred_only:
        where = "Starred"
    else:
        where = "All weeks" if view.week is None else week_label(view.week)
    if compact:
        shown = str(count) if total is None else f"{count}/{total}"
        return f"{shown} · {where}"
    papers = f"{count} paper{'s' if count != 1 else ''}"
    if total is not None:
        papers = f"{count} of {total} papers · {inert(view.query)}"
    order = "" if view.sort == "week" and not view.reverse else f" · by {view.sort}"
    if view.reverse:
        order += " (reversed)"
    return f"{where} · {papers}{order}"


def elsewhere(digest: Digest, hits: Sequence[int], week: date | None) -> int:
    """How many of the hits lie outside `week` (None, all weeks: 0)."""
    return 0 if week is None else len(hits) - match_count(digest, hits, week)


def empty_lines(view: View, filtered: bool, elsewhere: int) -> list[str]:
    """What an empty list says: why it is empty and what to do. `filtered`: a query filters;
    `elsewhere`: how many matches the other weeks hold."""
    where = "" if view.week is None else f" in {week_label(view.week)}"
    if view.starred_only:
        lines = [
            f"No starred papers{' match' if filtered else ''}.",
            "s stars the highlighted paper.",
        ]
    elif not filtered:
        lines = [f"No papers{where}."]
    else:
        lines = [f"No papers match{where}."]
        if elsewhere and view.week is not None:
            lines.append(f"{elsewhere} in other weeks: a shows all weeks.")
    if filtered:
        lines.append("Esc clears the filter, / edits it.")
    return lines


def count_label(matches: int, unread: int, filtered: bool) -> str:
    """`unread/total` without a query; the number of matches with one."""
    return str(matches) if filtered else f"{unread}/{matches}"


# --- moving between weeks and papers ---------------------------------------------------------


def step_week(
    digest: Digest, hits: Sequence[int], week: date | None, delta: int, filtered: bool
) -> date | None:
    """The week `delta` steps older (1) or newer (-1) from `week` that has matches; from All
    weeks the newest with matches. None when there is none that way."""
    weeks = digest.weeks
    if not weeks:
        return None
    target = 0 if week is None else weeks.index(week) + delta
    while 0 <= target < len(weeks) and filtered and not match_count(digest, hits, weeks[target]):
        target += 1 if week is None else delta  # skip weeks with no matches
    return weeks[target] if 0 <= target < len(weeks) else None


@dataclass(frozen=True)
class Found:
    """An unread paper: in `week` (the view's own, or a neighbour), at `position` of `rows`."""

    week: date | None
    rows: list[int]
    position: int


def next_unread(
    digest: Digest,
    hits: Sequence[int],
    view: View,
    rows: list[int],
    cursor: int,
    step: int,
    is_unread: Callable[[int], bool],
) -> Found | None:
    """The next (step 1) or previous (-1) unread paper from `cursor`: in the view, else (one
    week in week order) in the older or newer weeks."""
    position = find_unread(rows, cursor, step, is_unread)
    if position is not None:
        return Found(view.week, rows, position)
    if not view.by_week:
        return None
    weeks = digest.weeks
    at = weeks.index(view.week) + step
    while 0 <= at < len(weeks):
        other = view_rows(digest, hits, replace(view, week=weeks[at]), list)
        found = find_unread(other, -1 if step > 0 else len(other), step, is_unread)
        if found is not None:
            return Found(weeks[at], other, found)
        at += step
    return None


# --- the sidebar -----------------------------------------------------------------------------


def category_active(query: str, category: str) -> bool:
    """Whether the facet term of `category` is in the query text."""
    return '"' in query and facet_term(category).search(query) is not None


def without_facet(query: str) -> str:
    """The query text without its category facet terms."""
    return FACET_TERM.sub(" ", query)


def pick_category(query: str, category: str) -> str:
    """The query text after picking `category` in the facet: single-choice, so it replaces the
    category picked before; picking it again removes it (`query.toggle_category`)."""
    if not category_active(query, category):
        query = without_facet(query)
    return " ".join(toggle_category(query, category).split())


class WeekRows:
    """The sidebar's week rows (none marked active), rebuilt only when the hits or the marks
    change: a week switch at 1,000 weeks then costs two rows, not a thousand. A rebuild counts
    every week's hits with one bisection per week boundary (driven by `map`) and keeps the rows
    whose counts did not change."""

    def __init__(self) -> None:
        self._cached: tuple[Sequence[int], object, list[Entry]] | None = None
        self._weeks: tuple[Digest, list[int], list[str]] | None = None

    def _bounds(self, digest: Digest) -> tuple[list[int], list[str]]:
        """Where each week's papers start, and the end; and the weeks' labels."""
        known = self._weeks
        if known is None or known[0] is not digest:
            spans = [digest.indices(week) for week in digest.weeks]
            bounds = [span.start for span in spans] + [spans[-1].stop if spans else 0]
            known = self._weeks = (digest, bounds, [week_label(w) for w in digest.weeks])
        return known[1], known[2]

    def rows(
        self,
        digest: Digest,
        hits: Sequence[int],
        filtered: bool,
        marks_version: int,
        unread: Callable[[date], int],
    ) -> list[Entry]:
        key = (marks_version, filtered)
        cached = self._cached
        if cached is None or cached[0] is not hits or cached[1] != key:
            weeks = digest.weeks
            bounds, labels = self._bounds(digest)
            at = list(map(bisect_left, repeat(hits), bounds))
            matches = map(sub, at[1:], at[:-1])
            if filtered:
                counts = list(map(str, matches))
            else:
                counts = [f"{unread(week)}/{n}" for week, n in zip(weeks, matches, strict=False)]
            before = cached[2] if cached is not None else []
            if len(before) != len(weeks) or (before and before[0].week != weeks[0]):
                before = [_NO_ROW] * len(weeks)
            rows = [
                row if row.count == count and row.week == week else Entry("week", text, count, week)
                for row, week, text, count in zip(before, weeks, labels, counts, strict=False)
            ]
            self._cached = cached = (hits, key, rows)
        return list(cached[2])


_NO_ROW = Entry("week", "", "\0")
"""Stands for a row not built yet (no count reads like it)."""


def sidebar_entries(
    digest: Digest,
    view: View,
    hits: Sequence[int],
    *,
    filtered: bool,
    unread_all: int,
    starred_count: int,
    week_rows: list[Entry],
    categories: dict[str, int],
) -> list[Entry]:
    """All weeks, Starred, the weeks, then the categories by count (those in `view.query`
    marked active)."""
    entries: list[Entry] = [
        Entry(
            "all",
            "All weeks",
            count_label(len(hits), unread_all, filtered),
            active=view.week is None and not view.starred_only,
        )
    ]
    entries.append(Entry("starred", "★ Starred", str(starred_count), active=view.starred_only))
    entries.append(Entry("heading", "Weeks"))
    weeks_at = len(entries)
    entries += week_rows
    if view.week is not None and not view.starred_only:
        row = weeks_at + digest.weeks.index(view.week)
        entries[row] = replace(entries[row], active=True)
    if any(categories):
        entries.append(Entry("heading", ""))
        entries.append(Entry("heading", "Categories"))
        for name, count in sorted(categories.items(), key=lambda item: (-item[1], item[0])):
            if not name:
                continue
            active = category_active(view.query, name)
            entries.append(Entry("category", name, str(count), category=name, active=active))
    return entries


def sidebar_cursor(entries: Sequence[Entry], keep: Entry | None) -> int:
    """The row of `keep` (a category row the user is on), else the active row, else 0."""
    if keep is not None:
        for row, entry in enumerate(entries):
            if (entry.kind, entry.week, entry.category) == (keep.kind, keep.week, keep.category):
                return row
    return next((row for row, entry in enumerate(entries) if entry.active), 0)


class CategoryCounts:
    """The categories and their counts in the view as it would be without the category facet,
    so every category stays on offer while one is picked. Remembers its last answer."""

    def __init__(self) -> None:
        self._cached: tuple[object, dict[str, int]] | None = None

    def counts(
        self,
        digest: Digest,
        view: View,
        hits: Sequence[int],
        rows: Sequence[int],
        *,
        state: ReadingState | None,
        starred: Callable[[], Sequence[int]],
        marks_version: int,
        refilter_limit: int,
    ) -> dict[str, int]:
        """`rows` is what the view lists; above `refilter_limit` papers the counts are those
        of `rows` (refiltering without the facet would cost a keystroke too much)."""
        base_text = without_facet(view.query)
        indices: Sequence[int] = rows
        key: object = rows
        if base_text != view.query and len(digest) <= refilter_limit:
            key = (base_text, view.week, view.starred_only, marks_version, hits)
        cached = self._cached
        if cached is not None and (cached[0] is key or cached[0] == key):
            return cached[1]
        if key is not rows:
            base = parse_query(base_text)
            everything = range(len(digest))
            base_hits = (
                list(everything) if base.is_empty else base.filter(digest, everything, state)
            )
            indices = view_rows(digest, base_hits, view, starred)
        counts = category_counts(digest, indices)
        self._cached = (key, counts)
        return counts


# --- the reader's own layer: tags and saved searches --------------------------------------------


def tag_term(tag: str) -> str:
    """The query term that picks the papers with `tag`."""
    return f"tag:{tag}"


def toggle_tag(query: str, tag: str) -> str:
    """`query` with the term tag:NAME added, or removed where it is (any letter case)."""
    term = tag_term(tag).lower()
    words = query.split()
    kept = [word for word in words if word.lower() != term]
    return " ".join(kept if len(kept) != len(words) else [*words, tag_term(tag)])


def tag_entries(counts: dict[str, int], query: str) -> list[Entry]:
    """The "Tags" section: each tag (by name) with its number of papers; those in `query`
    marked active. Nothing when no paper has a tag."""
    if not counts:
        return []
    words = {word.lower() for word in query.split()}
    entries = [Entry("heading", ""), Entry("heading", "Tags")]
    for tag, count in sorted(counts.items()):
        active = tag_term(tag).lower() in words
        entries.append(Entry("tag", f"#{tag}", str(count), category=tag, active=active))
    return entries


def search_entries(searches: dict[str, str], counts: dict[str, str], view: View) -> list[Entry]:
    """The "Searches" section: each saved search with its count (`unread/total`); the one whose
    query the view shows over all weeks is active. Nothing without saved searches."""
    if not searches:
        return []
    entries = [Entry("heading", ""), Entry("heading", "Searches")]
    for name, text in searches.items():
        active = view.week is None and not view.starred_only and view.query == text
        entries.append(Entry("search", name, counts.get(name, ""), category=name, active=active))
    return entries
