"""The rows listed and the cursor: the view (week, starred, sort) shown, the cursor's moves, the
week steps and unread jumps, and what the screen may render ahead while idle."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from reader import collector
from reader.browse.core import Core
from reader.browse.jobs import Changed
from reader.browse.view import SIMILAR, SORT_CYCLE, View, next_unread, step_week, view_rows


class Rows(Core):
    """The rows and the cursor (see the module's docstring)."""

    def _relist(self, keep: int | None = None) -> None:
        """List the rows of the view and its hits again, the cursor on the paper `keep`
        (default: the highlighted one) if it is still listed, else on the first row."""
        if keep is None:
            keep = self.current
        self.rows = view_rows(self.digest, self.hits, self.view, self._starred, self.ranking)
        self.cursor = 0
        if keep is not None and keep >= 0:  # -1: the first row (no search of 100k rows)
            with contextlib.suppress(ValueError):  # not listed: the first row
                self.cursor = self.rows.index(keep)
        self._moved()
        self._changed |= Changed.LIST | Changed.SIDEBAR | Changed.TITLE | Changed.PANE
        collector.made(max(len(self.rows), len(self.hits)))  # big: frozen before it is drawn

    def _moved(self) -> None:
        paper = self.current_paper
        if paper is not None:
            self.shown_key = paper.key

    def point(self, row: int) -> bool:
        """The list's cursor moved to `row` (by the list's own keys or the mouse); False when
        it was there already."""
        if row == self.cursor or not 0 <= row < len(self.rows):
            return False
        self.cursor = row
        self._moved()
        self._changed |= Changed.PANE
        return True

    def _move(self, row: int) -> None:
        """Move the cursor (the list is told)."""
        self.cursor = row
        self._moved()
        self._changed |= Changed.CURSOR | Changed.PANE

    def _show(self, view: View, keep: int | None = None) -> None:
        self.view = view
        self._relist(keep)

    def show_week(self, week: date | None, starred_only: bool = False) -> None:
        """Show `week` (None: All weeks), keeping the highlighted paper when it is there."""
        if week != self.week or starred_only != self.starred_only:
            self._show(replace(self.view, week=week, starred_only=starred_only))

    def step_week(self, delta: int) -> None:
        """One week older (1) or newer (-1) that has matches; from All weeks (or Starred) the
        highlighted paper's week, the cursor staying on it, else the newest."""
        if not self.digest.weeks:
            return
        paper = self.current_paper
        if self.week is None and paper is not None and paper.week in self.digest.weeks:
            self.show_week(paper.week)
            return
        filtered = not self.query.is_empty
        target = step_week(self.digest, self.hits, self.week, delta, filtered)
        if target is None:
            where = "older" if delta > 0 else "newer"
            matching = " with matches" if self.query_text else ""
            self.say(f"No {where} week{matching}.", timeout=2)
            return
        self.show_week(target)

    def rows_ahead(self) -> list[list[int]]:
        """The rows `step_week` would list next, one week older and one newer (each with
        matches), for the screen to render ahead while idle; none outside one week's view."""
        return [rows for _, rows in self.weeks_ahead()]

    def weeks_ahead(self) -> list[tuple[date, list[int]]]:
        """The weeks `step_week` would show next, one older and one newer (each with matches),
        with their rows (`rows_ahead`)."""
        view, digest = self.view, self.digest
        if view.week is None or view.starred_only:
            return []
        filtered = not self.query.is_empty
        ahead = []
        for delta in (1, -1):
            week = step_week(digest, self.hits, view.week, delta, filtered)
            if week is not None:
                other = replace(view, week=week)
                rows = view_rows(digest, self.hits, other, self._starred, self.ranking)
                if rows:
                    ahead.append((week, rows))
        return ahead

    def papers_ahead(self, weeks: Sequence[Sequence[int]]) -> list[int]:
        """The papers whose abstract the next key most likely shows, for the screen to render
        ahead while idle: those above and below the cursor, and the first of each of `weeks`
        (`rows_ahead`: where `[` and `]` go)."""
        rows, cursor = self.rows, self.cursor
        papers = [rows[row] for row in (cursor + 1, cursor - 1) if 0 <= row < len(rows)]
        papers.extend(week[0] for week in weeks)
        return papers

    def cycle_sort(self) -> None:
        cycle: tuple[str, ...] = (*SORT_CYCLE, "upvotes") if self.upvoted else SORT_CYCLE
        if self.ranking is not None:  # a like: query: by similarity first
            cycle = (SIMILAR, *cycle)
        self._show(self.view.next_sort(cycle))
        self.say(f"Sorted by {self.sort}", timeout=1.5)

    def reverse_sort(self) -> None:
        self._show(replace(self.view, reverse=not self.view.reverse))

    def jump_unread(self, step: int) -> None:
        """To the next (step 1) or previous (-1) unread paper, into older or newer weeks."""
        papers, is_read = self.digest.papers, self.store.is_read
        found = next_unread(
            self.digest,
            self.hits,
            self.view,
            self.rows,
            self.cursor,
            step,
            lambda index: not is_read(papers[index].key),
        )
        if found is None:
            self.say("No more unread papers this way.", timeout=2)
        elif found.week == self.week:
            self._move(found.position)
        else:
            self._show(replace(self.view, week=found.week), keep=found.rows[found.position])

    def _cursor_to_key(self, key: str) -> None:
        for index in self.counts.indices.get(key, ()):
            if index in self.rows:
                self._move(self.rows.index(index))
                return
