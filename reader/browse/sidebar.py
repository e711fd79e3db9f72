"""The sidebar's rows: All weeks, Starred, the weeks with their counts, the categories of the view
(a facet), the tags in use and the saved searches. Pure functions and caches, no Textual."""

from __future__ import annotations

from abc import abstractmethod
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import overload

from reader.browse.view import View, count_label, view_rows
from reader.model import Digest, week_label
from reader.query import (
    FACET_TERM,
    ReadingState,
    by_count,
    category_counts,
    facet_term,
    parse_query,
    toggle_category,
)
from reader.records import frozen


@frozen
class Entry:
    """One sidebar row. `kind` is all, starred, week, category, or heading (not selectable)."""

    kind: str
    label: str
    count: str = ""
    week: date | None = None
    category: str = ""
    active: bool = False

    def __init__(  # written out: one a week, made again as counts change (`reader.records`)
        self,
        kind: str,
        label: str,
        count: str = "",
        week: date | None = None,
        category: str = "",
        active: bool = False,
    ) -> None:
        _set = object.__setattr__
        _set(self, "kind", kind)
        _set(self, "label", label)
        _set(self, "count", count)
        _set(self, "week", week)
        _set(self, "category", category)
        _set(self, "active", active)


def category_active(query: str, category: str) -> bool:
    """Whether the facet term of `category` is in the query text."""
    return '"' in query and facet_term(category).search(query) is not None


def without_facet(query: str) -> str:
    """The query text without its category facet terms (each has a quote)."""
    return FACET_TERM.sub(" ", query) if '"' in query else query


def pick_category(query: str, category: str) -> str:
    """The query text after picking `category` in the facet: single-choice, so it replaces the
    category picked before; picking it again removes it (`query.toggle_category`)."""
    if not category_active(query, category):
        query = without_facet(query)
    return " ".join(toggle_category(query, category).split())


class WeekRows:
    """The sidebar's week rows (none marked active) for the hits and marks of now, as a
    `WeekCounts`: the same one while neither changes (a week switch reuses every row made).
    Making it costs no pass over the weeks: a row, and its count, are made when first asked
    for, which is when it is drawn (the sidebar shows ~35 of 1,000 weeks at 100k papers; a
    filter keystroke made a row for most of them)."""

    def __init__(self) -> None:
        self._cached: tuple[Sequence[int], object, WeekCounts] | None = None
        self._weeks: tuple[Digest, list[int], list[str]] | None = None

    def _bounds(self, digest: Digest) -> tuple[list[int], list[str]]:
        """Where each week's papers start, and the end; and the weeks' labels."""
        known = self._weeks
        if known is None or known[0] is not digest:
            spans = [digest.indices(week) for week in digest.weeks]
            bounds = [span.start for span in spans] + [spans[-1].stop if spans else 0]
            known = self._weeks = (digest, bounds, [week_label(w) for w in digest.weeks])
            self._cached = None  # another digest's rows
        return known[1], known[2]

    def rows(
        self,
        digest: Digest,
        hits: Sequence[int],
        filtered: bool,
        marks_version: int,
        unread: Callable[[date], int],
    ) -> WeekCounts:
        key = (marks_version, filtered)
        bounds, labels = self._bounds(digest)
        cached = self._cached
        if cached is None or cached[0] is not hits or cached[1] != key:
            made = WeekCounts(
                digest.weeks,
                labels,
                bounds,
                hits,
                unread if not filtered else None,
                before=None if cached is None else cached[2],
            )
            self._cached = cached = (hits, key, made)
        return cached[2]


class _Rows(Sequence[Entry]):
    """Rows made when asked for: `row(at)` is one (`at` as given, negative from the end), `rows`
    a run of them in order, each class saying how; indexing and slicing are these two."""

    __slots__ = ()

    @overload
    def __getitem__(self, at: int) -> Entry: ...

    @overload
    def __getitem__(self, at: slice) -> list[Entry]: ...

    def __getitem__(self, at: int | slice) -> Entry | list[Entry]:
        if isinstance(at, slice):
            start, stop, step = at.indices(len(self))
            if step != 1:
                return [self.row(i) for i in range(start, stop, step)]
            return self.rows(start, stop)
        return self.row(at)

    @abstractmethod
    def row(self, at: int) -> Entry: ...

    def rows(self, start: int, stop: int) -> list[Entry]:
        """The rows from `start` to `stop` (bounds within the rows, `start <= stop` or none)."""
        return [self.row(i) for i in range(start, stop)]


class WeekCounts(_Rows):
    """The week rows of one set of hits (sorted digest indices) and marks, each row made, and
    its count worked out, when first asked for: a week's count is the hits between its
    bounds, two bisections; without a query (`unread` given), `unread/total`. Rows asked for
    again are the same objects, and so is a row `before` (the rows of the hits before, of the
    same weeks) had made with the same count: the sidebar finds it unchanged at a glance."""

    __slots__ = ("_weeks", "_labels", "_bounds", "_hits", "_unread", "_every", "_made", "_before")

    def __init__(
        self,
        weeks: Sequence[date],
        labels: Sequence[str],
        bounds: Sequence[int],
        hits: Sequence[int],
        unread: Callable[[date], int] | None,
        before: WeekCounts | None = None,
    ) -> None:
        self._weeks, self._labels, self._bounds = weeks, labels, bounds
        self._hits, self._unread = hits, unread
        self._every = len(hits) == bounds[-1]  # every paper a hit: a week's count is its size
        self._made: list[Entry | None] = [None] * len(weeks)
        self._before = before._made if before is not None and before._weeks is weeks else None

    def __len__(self) -> int:
        return len(self._made)

    def row(self, week: int) -> Entry:
        """The row of the `week`-th week (newest first), made the first time."""
        made = self._made[week]
        if made is None:
            count = self.label_count(week)
            before = self._before
            made = None if before is None else before[week]
            if made is None or made.count != count:
                made = _week_row(self._weeks[week], self._labels[week], count)
            self._made[week] = made
        return made

    def label_count(self, week: int) -> str:
        """The `week`-th week's count as its row shows it."""
        if week < 0:
            week += len(self._made)
        bounds = self._bounds
        first, stop = bounds[week], bounds[week + 1]
        if self._every:
            matches = stop - first
        else:
            hits = self._hits
            low = bisect_left(hits, first)
            matches = bisect_left(hits, stop, low) - low
        if self._unread is None:
            return str(matches)
        return f"{self._unread(self._weeks[week])}/{matches}"


def _week_row(week: date, label: str, count: str) -> Entry:
    """`Entry("week", label, count, week)`, made in half the time (the dataclass's frozen
    `__init__` sets each field through `object.__setattr__`)."""
    row: Entry = object.__new__(Entry)
    row.__dict__.update(_WEEK_ROW, label=label, count=count, week=week)
    return row


_WEEK_ROW = dict(vars(Entry("week", "")))
"""A week row's fields, those `_week_row` is not given as `Entry` makes them."""


class SidebarRows(_Rows):
    """The sidebar's rows: `head` (All weeks, Starred, the heading), the week rows (`weeks`,
    made when asked for; the `active`-th, if any, marked active), then `tail` (the categories,
    tags and saved searches). What the sidebar draws asks for the ~35 rows on screen, not the
    1,000 weeks of 100k papers."""

    __slots__ = ("head", "weeks", "active", "tail", "_active_row")

    def __init__(
        self, head: list[Entry], weeks: Sequence[Entry], active: int | None, tail: list[Entry]
    ) -> None:
        self.head, self.weeks, self.active, self.tail = head, weeks, active, tail
        self._active_row: Entry | None = None

    def __len__(self) -> int:
        return len(self.head) + len(self.weeks) + len(self.tail)

    def rows(self, start: int, stop: int) -> list[Entry]:
        first, weeks = len(self.head), len(self.weeks)
        rows = self.head[start:stop]  # the rows shown: head, weeks, tail, each at once
        low, high = max(start - first, 0), min(stop - first, weeks)
        if low < high:
            rows += self.weeks[low:high]
            if self.active is not None and low <= self.active < high:
                rows[first + self.active - start] = self.row(first + self.active)
        rows += self.tail[max(start - first - weeks, 0) : max(stop - first - weeks, 0)]
        return rows

    def row(self, at: int) -> Entry:
        if at < 0:
            at += len(self)
        if at < 0:
            raise IndexError(at)
        week = at - len(self.head)
        if week < 0:
            return self.head[at]
        if week >= len(self.weeks):
            return self.tail[week - len(self.weeks)]  # IndexError past the end
        if week != self.active:
            return self.weeks[week]
        made = self._active_row
        if made is None:
            made = self._active_row = replace(self.weeks[week], active=True)
        return made

    def cursor(self, keep: Entry | None) -> int:
        """`sidebar_cursor` without making a week row but those it looks at."""
        head, weeks, tail = self.head, self.weeks, self.tail
        after = len(head) + len(weeks)
        if keep is not None:
            wanted = (keep.kind, keep.week, keep.category)
            for row, entry in enumerate(head):
                if (entry.kind, entry.week, entry.category) == wanted:
                    return row
            if keep.kind == "week":
                for row in range(len(weeks)):
                    entry = weeks[row]
                    if (entry.week, entry.category) == wanted[1:]:
                        return len(head) + row
            for row, entry in enumerate(tail):
                if (entry.kind, entry.week, entry.category) == wanted:
                    return after + row
        for row, entry in enumerate(head):
            if entry.active:
                return row
        if self.active is not None:
            return len(head) + self.active
        return next((after + row for row, entry in enumerate(tail) if entry.active), 0)


def sidebar_entries(
    digest: Digest,
    view: View,
    hits: Sequence[int],
    *,
    query: str,
    filtered: bool,
    unread_all: int,
    starred_count: int,
    week_rows: Sequence[Entry],
    categories: dict[str, int],
    more: Sequence[Entry] = (),
) -> SidebarRows:
    """All weeks, Starred, the weeks, then the categories by count (those in `query`, the
    applied query's text, marked active), then `more` (tags, saved searches)."""
    head: list[Entry] = [
        Entry(
            "all",
            "All weeks",
            count_label(len(hits), unread_all, filtered),
            active=view.week is None and not view.starred_only,
        )
    ]
    head.append(Entry("starred", "★ Starred", str(starred_count), active=view.starred_only))
    head.append(Entry("heading", "Weeks"))
    active = None
    if view.week is not None and not view.starred_only:
        active = digest.weeks.index(view.week)
    tail: list[Entry] = []
    if any(categories):
        tail.append(Entry("heading", ""))
        tail.append(Entry("heading", "Categories"))
        for name, count in sorted(categories.items(), key=lambda item: (-item[1], item[0])):
            if not name:
                continue
            active_category = category_active(query, name)
            tail.append(
                Entry("category", name, str(count), category=name, active=active_category)
            )
    tail += more
    return SidebarRows(head, week_rows, active, tail)


def sidebar_cursor(entries: Sequence[Entry], keep: Entry | None) -> int:
    """The row of `keep` (a category row the user is on), else the active row, else 0."""
    if isinstance(entries, SidebarRows):
        return entries.cursor(keep)
    if keep is not None:
        for row, entry in enumerate(entries):
            if (entry.kind, entry.week, entry.category) == (keep.kind, keep.week, keep.category):
                return row
    return next((row for row, entry in enumerate(entries) if entry.active), 0)


MISSING = 64
"""Up to this many papers of the digest missing from a view's hits, its category counts are the
digest's less theirs (no pass over 100,000 rows)."""


def missing(hits: Sequence[int], total: int, most: int) -> list[int] | None:
    """The indices below `total` that `hits` (sorted, each once) lacks, if at most `most` (else
    None): found by halving, without a pass over the hits."""
    if total - len(hits) > most:
        return None
    gone: list[int] = []

    def walk(low: int, high: int, first: int, stop: int) -> None:
        """`hits[low:high]` hold values in [first, stop): gather those they lack."""
        if stop - first == high - low:
            return
        if low == high:
            gone.extend(range(first, stop))
            return
        middle = (low + high) // 2
        value = hits[middle]
        walk(low, middle, first, value)
        walk(middle + 1, high, value + 1, stop)

    walk(0, len(hits), 0, total)
    return gone


def without(counts: dict[str, int], categories: Iterable[str]) -> dict[str, int]:
    """`counts` (as `category_counts` gives them) less one for each of `categories`, in the same
    order: most first, then by name; a category left with none is left out."""
    left = Counter(counts)
    left.subtract(categories)
    return by_count((name, count) for name, count in left.items() if count > 0)


class CategoryCounts:
    """The categories and their counts in the view as it would be without the category facet,
    so every category stays on offer while one is picked. Remembers its last answer."""

    def __init__(self) -> None:
        self._cached: tuple[object, dict[str, int]] | None = None
        self._every: tuple[Digest, dict[str, int]] | None = None
        """The counts of every paper of a digest (the view of all weeks, a `like:` alone: the
        same in any order), kept while the view changes (~ and Esc, one after another)."""

    def counts(
        self,
        digest: Digest,
        view: View,
        hits: Sequence[int],
        rows: Sequence[int],
        *,
        query: str,
        state: ReadingState | None,
        starred: Callable[[], Sequence[int]],
        marks_version: int,
        refilter_limit: int,
    ) -> dict[str, int]:
        """`rows` is what the view lists; above `refilter_limit` papers the counts are those
        of `rows` (refiltering without the facet would cost a keystroke too much)."""
        base_text = without_facet(query)
        indices: Sequence[int] = rows
        key: object = rows
        if base_text != query and len(digest) <= refilter_limit:
            key = (base_text, view.week, view.starred_only, marks_version, hits)
        cached = self._cached
        if cached is not None and (cached[0] is key or cached[0] == key):
            return cached[1]
        gone = (
            missing(hits, len(digest), MISSING) if key is rows and len(rows) == len(hits) else None
        )
        if gone is not None:  # every paper but a few (a like: alone leaves its seeds out)
            every = self._every
            if every is None or every[0] is not digest:
                self._every = every = (digest, category_counts(digest, range(len(digest))))
            counts = without(every[1], (digest.papers[i].category for i in gone))
            self._cached = (key, counts)
            return counts
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


def search_entries(
    searches: dict[str, str], counts: dict[str, str], view: View, query: str
) -> list[Entry]:
    """The "Searches" section: each saved search with its count (`unread/total`); the one whose
    query (`query`) the view shows over all weeks is active. Nothing without saved searches."""
    if not searches:
        return []
    entries = [Entry("heading", ""), Entry("heading", "Searches")]
    for name, text in searches.items():
        active = view.week is None and not view.starred_only and query == text
        entries.append(Entry("search", name, counts.get(name, ""), category=name, active=active))
    return entries
