"""Which papers a view lists and what its header and empty list say: pure functions, no Textual.

A frozen `View` says where and in what order (the week or the starred papers, the sort); with the
digest and the hits of the applied query (sorted digest indices) these functions give the rows,
the subtitle, the week steps and the unread jumps. `reader.browse.Browse` holds them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from reader.model import Digest, week_label
from reader.patterns import compiled
from reader.query import SORT_KEYS, sort_indices
from reader.reading import find_unread
from reader.records import frozen
from reader.text import inert

if TYPE_CHECKING:
    from reader.similar import Ranking

SORT_CYCLE = SORT_KEYS[:3]
"""The order S steps through: week, title, category (similarity and upvotes are asked for)."""
SIMILAR = SORT_KEYS[3]
"""The order S adds, first, while a `like:` query is applied."""


@frozen
class View:
    """Where and in what order the main screen lists papers (the query is `Browse.query`)."""

    week: date | None = None
    """None: all weeks."""
    starred_only: bool = False
    sort: str = "week"
    reverse: bool = False

    @property
    def show_week(self) -> bool:
        """Whether the list shows each paper's week (several weeks, or not in week order)."""
        return self.week is None or self.sort != "week"

    @property
    def by_week(self) -> bool:
        """One week in week order: n and p may go on into the neighbouring weeks."""
        return self.week is not None and not self.starred_only and self.sort == "week"

    def next_sort(self, cycle: Sequence[str] = SORT_CYCLE) -> View:
        """The view sorted by the next order of `cycle` (the first, from one not in it)."""
        at = cycle.index(self.sort) if self.sort in cycle else -1
        return replace(self, sort=cycle[(at + 1) % len(cycle)])


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
    ranking: Ranking | None = None,
) -> list[int]:
    """The digest indices `view` lists, in its order. `starred()` gives the starred papers'
    indices (asked only for the starred view); `ranking`, the applied `like:` query's, orders
    them by similarity."""
    selected = week_hits(digest, hits, view.week)
    if view.starred_only:
        selected = starred_within(len(digest), starred(), selected)
    return sort_indices(digest, selected, view.sort, view.reverse, ranking)


def subtitle(
    view: View, count: int, total: int | None, compact: bool = False, query: str = ""
) -> str:
    """`2023-05-14 · 3 of 12 papers · diffusion · by title (reversed)`; `total` is given only
    when `query` filters. `compact` (tiny screens): the count first, whole, then where
    (`3/12 · 2023-05-14`); the query is in the filter bar."""
    if view.starred_only:
        where = "Starred"
    else:
        where = "All weeks" if view.week is None else week_label(view.week)
    if compact:
        shown = f"{count:,}" if total is None else f"{count:,}/{total:,}"
        return f"{shown} · {where}"
    papers = f"{count:,} paper{'s' if count != 1 else ''}"
    if total is not None:
        papers = f"{count:,} of {total:,} papers · {inert(query)}"
    order = "" if view.sort == "week" and not view.reverse else f" · by {view.sort}"
    if view.reverse:
        order += " (reversed)"
    return f"{where} · {papers}{order}"


HEADER_TITLE_LEAST = 12
"""The cells of the header's title kept (`README + HF…`) before the subtitle gives way."""
_HEADER_KEPT = compiled(r"by \w+( \(reversed\))?$|\d+ selected$")
"""The pieces of a subtitle `fit_header` keeps whole: the order and the selection."""


def fit_header(title: str, sub_title: str, width: int) -> tuple[str, str]:
    """The header's title and subtitle cut to fit in `width` cells together, as `title — sub`:
    the title gives way first (down to `HEADER_TITLE_LEAST`), then the query in the subtitle
    (`README + HF… — 2026-06-28 · 12 of 3,010 papers · transf… · by upvotes (reversed)`); where,
    the count, the sort name and the selection stay whole while they can."""
    from rich.cells import cell_len, set_cell_size

    def cut(text: str, cells: int) -> str:
        if cell_len(text) <= cells:
            return text
        return set_cell_size(text, cells - 1).rstrip() + "…" if cells > 1 else ""

    if not sub_title:
        return cut(title, width), ""
    if cell_len(title) + 3 + cell_len(sub_title) <= width:
        return title, sub_title
    pieces = sub_title.split(" · ")
    room = width - 3 - min(cell_len(title), HEADER_TITLE_LEAST)
    query = [  # what the query says: after where and the count, before the order and selection
        i for i, piece in enumerate(pieces[2:], 2) if not _HEADER_KEPT.match(piece)
    ]
    for _ in query:
        over = cell_len(" · ".join(pieces)) - room
        longest = max(query, key=lambda i: cell_len(pieces[i]))
        if over <= 0 or cell_len(pieces[longest]) <= 6:
            break
        pieces[longest] = cut(pieces[longest], max(6, cell_len(pieces[longest]) - over))
    if cell_len(" · ".join(pieces)) > room:  # the filter bar below says the query whole
        pieces = [piece for i, piece in enumerate(pieces) if i not in query]
    sub_title = cut(" · ".join(pieces), width)
    left = width - 3 - cell_len(sub_title)
    return (cut(title, left), sub_title) if left >= 6 else ("", sub_title)


def elsewhere(digest: Digest, hits: Sequence[int], week: date | None) -> int:
    """How many of the hits lie outside `week` (None, all weeks: 0)."""
    return 0 if week is None else len(hits) - match_count(digest, hits, week)


def empty_lines(view: View, filtered: bool, elsewhere: int, typing: bool = False) -> list[str]:
    """What an empty list says: why it is empty and what to do, with keys that work where the
    focus is. `filtered`: a query filters; `elsewhere`: how many matches the other weeks hold;
    `typing`: the filter bar has the focus, where a letter is typed, not a command."""
    where = "" if view.week is None else f" in {week_label(view.week)}"
    then = "Enter, then " if typing else ""  # Enter leaves the bar: the letters are keys again
    if view.starred_only:
        lines = [
            f"No starred papers{' match' if filtered else ''}.",
            f"{then}s stars the highlighted paper.",
        ]
    elif not filtered:
        lines = [f"No papers{where}."]
    else:
        lines = [f"No papers match{where}."]
        if elsewhere and view.week is not None:
            lines.append(f"{elsewhere} in other weeks: {then}a shows all weeks.")
    if filtered:
        lines.append("Esc clears the filter." if typing else "Esc clears the filter, / edits it.")
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


@frozen
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
