"""The main screen: it owns the view (week, query, sort) and pushes it down to the widgets."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from reader.clipboard import copy_local
from reader.model import Digest, Paper
from reader.query import (
    Query,
    QueryError,
    category_counts,
    parse_query,
    sort_indices,
    toggle_category,
    week_counts,
)
from reader.text import inert, is_web_link
from reader.widgets.abstract import AbstractPane, render_paper
from reader.widgets.line_list import LineList
from reader.widgets.paper_list import PaperList, PaperStatus
from reader.widgets.sidebar import Entry, Sidebar

NARROW = 100
"""Below this many columns the sidebar collapses (b shows it)."""
TINY = 60
"""Below this many columns the list and the abstract take the screen one at a time."""

SORT_CYCLE = ("week", "title", "category")


class MainScreen(Screen[None]):
    """Sidebar of weeks and categories, the paper list, the abstract of the highlighted paper."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", key_display="/"),
        Binding("left_square_bracket", "older_week", "Older", key_display="["),
        Binding("right_square_bracket", "newer_week", "Newer", key_display="]"),
        Binding("a", "all_weeks", "All weeks"),
        Binding("y", "copy_link", "Copy link"),
        Binding("Y", "copy_markdown", "Copy Markdown link", show=False),
        Binding("o", "open_link", "Open"),
        Binding("c", "narrow_category", "Only this category", show=False),
        Binding("S", "cycle_sort", "Sort: week → title → category", show=False),
        Binding("R", "reverse_sort", "Reverse the order", show=False),
        Binding("b", "toggle_sidebar", "Show/hide the sidebar", show=False),
        Binding("tab", "cycle_focus(1)", "Next pane", show=False),
        Binding("shift+tab", "cycle_focus(-1)", "Previous pane", show=False),
        Binding("escape", "back", "Back / clear the filter", show=False),
    ]

    def __init__(
        self,
        digest: Digest,
        *,
        week: date | None,
        query: str = "",
    ) -> None:
        super().__init__()
        self.digest = digest
        self.week = week
        self.query_text = ""
        self.filter_query: Query = parse_query("")
        self.sort = "week"
        self.reverse = False
        self.hits: list[int] = list(range(len(digest)))
        self.indices: list[int] = []
        self.status = PaperStatus()
        self._initial_query = query
        self._wide_sidebar_hidden = False

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield Input(
                    placeholder='/ to filter: words, "a phrase", -word, cat:…, week:…',
                    id="filter",
                    select_on_focus=False,
                )
                yield Static("", id="filter-error", markup=False)
                yield PaperList(id="papers")
                yield AbstractPane(id="abstract")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = False
        self.query_one("#filter-error").display = False
        if self._initial_query:
            self.query_one("#filter", Input).value = self._initial_query
        self._set_query(self._initial_query)
        self.query_one(PaperList).focus()

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width < TINY, "-tiny")

    # --- the view --------------------------------------------------------------------------

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def current_paper(self) -> Paper | None:
        index = self.paper_list.current
        return None if index is None else self.digest.papers[index]

    def _set_query(self, text: str) -> bool:
        """Filter by `text`; on a bad query show why and keep the previous results."""
        error = self.query_one("#filter-error", Static)
        try:
            query = parse_query(text)
        except QueryError as exc:
            error.update(f"⚠ {inert(exc.message)}")
            error.display = True
            return False
        error.display = False
        if query.narrows(self.filter_query) and self.query_text:
            candidates: Sequence[int] = self.hits
        else:
            candidates = range(len(self.digest))
        self.filter_query, self.query_text = query, text
        self.hits = (
            list(range(len(self.digest)))
            if query.is_empty
            else query.filter(self.digest, candidates, None)
        )
        self._refresh_view(keep=self.paper_list.current)
        return True

    def _view_indices(self) -> list[int]:
        if self.week is None:
            selected: Sequence[int] = self.hits
        else:
            span = self.digest.indices(self.week)
            low = bisect_left(self.hits, span.start)
            high = bisect_left(self.hits, span.stop)
            selected = self.hits[low:high]
        return sort_indices(self.digest, selected, self.sort, self.reverse)

    def _refresh_view(self, keep: int | None = None) -> None:
        """Recompute the list for the week and query; the cursor stays on `keep` if it is there."""
        self.indices = self._view_indices()
        cursor = 0
        if keep is not None:
            try:
                cursor = self.indices.index(keep)
            except ValueError:
                cursor = 0
        spans = None if self.filter_query.is_empty else self.filter_query.highlight_spans
        self.paper_list.show(
            self.digest,
            self.indices,
            show_week=self.week is None or self.sort != "week",
            spans=spans,
            cursor=cursor,
        )
        self._refresh_sidebar()
        self._refresh_title()
        if not self.indices:
            self._show_paper(None)

    def _refresh_title(self) -> None:
        where = "All weeks" if self.week is None else self.week.isoformat()
        total = len(self.digest) if self.week is None else len(self.digest.indices(self.week))
        count = len(self.indices)
        papers = f"{count} paper{'s' if count != 1 else ''}"
        if not self.filter_query.is_empty:
            papers = f"{count} of {total} papers · {inert(self.query_text)}"
        order = "" if self.sort == "week" and not self.reverse else f" · by {self.sort}"
        if self.reverse:
            order += " (reversed)"
        self.sub_title = f"{where} · {papers}{order}"

    def _refresh_sidebar(self) -> None:
        filtering = not self.filter_query.is_empty
        counts = week_counts(self.digest, self.hits) if filtering else None
        entries: list[Entry] = [
            Entry("all", "All weeks", str(len(self.hits)), active=self.week is None)
        ]
        for week in self.digest.weeks:
            total = len(self.digest.indices(week))
            count = str(counts.get(week, 0)) if counts is not None else str(total)
            entries.append(
                Entry("week", week.isoformat(), count, week=week, active=week == self.week)
            )
        categories = category_counts(self.digest, self.indices)
        if categories:
            entries.append(Entry("heading", ""))
            entries.append(Entry("heading", "Categories"))
            for name, count_ in sorted(categories.items(), key=lambda item: (-item[1], item[0])):
                active = self._category_active(name)
                entries.append(Entry("category", name, str(count_), category=name, active=active))
        sidebar = self.sidebar
        current = sidebar.current
        cursor = next(
            (
                row
                for row, entry in enumerate(entries)
                if current is not None
                and entry.kind == current.kind
                and entry.week == current.week
                and entry.category == current.category
                and (current.kind != "week" or entry.week == self.week)
            ),
            None,
        )
        if cursor is None or self.sidebar.has_focus is False:
            cursor = next(row for row, entry in enumerate(entries) if entry.active)
        sidebar.set_entries(entries, cursor)

    def _category_active(self, category: str) -> bool:
        return f'cat:"{category.lower()}"' in self.query_text.lower()

    def _show_paper(self, index: int | None) -> None:
        pane = self.query_one(AbstractPane)
        if index is None:
            message = "No papers match." if not self.filter_query.is_empty else "No papers."
            pane.show_paper(Text(message, style="dim italic"))
            return
        paper = self.digest.papers[index]
        spans = None if self.filter_query.is_empty else self.filter_query.highlight_spans
        pane.show_paper(render_paper(paper, spans=spans))

    def select_week(self, week: date | None) -> None:
        """Show `week` (None: All weeks), keeping the highlighted paper when it is there."""
        if week == self.week:
            return
        self.week = week
        self._refresh_view(keep=self.paper_list.current)

    # --- events from the widgets -----------------------------------------------------------

    @on(LineList.CursorMoved, "#papers")
    def _paper_highlighted(self, event: LineList.CursorMoved) -> None:
        self._show_paper(self.paper_list.current)

    @on(LineList.CursorMoved, "#sidebar")
    def _sidebar_moved(self, event: LineList.CursorMoved) -> None:
        entry = self.sidebar.current
        if entry is not None and entry.kind in ("all", "week") and self.sidebar.has_focus:
            self.select_week(entry.week)

    @on(LineList.RowSelected, "#sidebar")
    def _sidebar_selected(self, event: LineList.RowSelected) -> None:
        entry = self.sidebar.current
        if entry is None:
            return
        if entry.kind == "category":
            self.toggle_category(entry.category)
        elif entry.kind in ("all", "week"):
            self.select_week(entry.week)
            self.paper_list.focus()

    @on(LineList.RowSelected, "#papers")
    def _paper_selected(self, event: LineList.RowSelected) -> None:
        if self.has_class("-tiny"):
            self.add_class("-show-abstract")
            self.query_one(AbstractPane).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._set_query(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.paper_list.focus()

    # --- actions ---------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Replace the query text (the filter bar shows it) and apply it."""
        self.query_one("#filter", Input).value = text
        self._set_query(text)

    def toggle_category(self, category: str) -> None:
        self.set_filter(toggle_category(self.query_text, category))

    def action_focus_filter(self) -> None:
        self.remove_class("-show-abstract")
        self.query_one("#filter", Input).focus()

    def action_older_week(self) -> None:
        self._step_week(1)

    def action_newer_week(self) -> None:
        self._step_week(-1)

    def _step_week(self, delta: int) -> None:
        weeks = self.digest.weeks
        if not weeks:
            return
        if self.week is None:
            target = 0 if delta > 0 else len(weeks) - 1
        else:
            target = weeks.index(self.week) + delta
        if not 0 <= target < len(weeks):
            self.notify(
                "This is the oldest week." if delta > 0 else "This is the newest week.",
                timeout=2,
            )
            return
        self.select_week(weeks[target])

    def action_all_weeks(self) -> None:
        self.select_week(None)

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        local = copy_local(text)
        how = "" if local else " (through the terminal, OSC 52)"
        self.notify(f"Copied {what}{how}:\n{inert(text)}", timeout=3)

    def action_copy_link(self) -> None:
        paper = self.current_paper
        if paper is not None:
            self._copy(paper.link, "link")

    def action_copy_markdown(self) -> None:
        paper = self.current_paper
        if paper is not None:
            title = paper.title.replace("[", "\\[").replace("]", "\\]")
            self._copy(f"[{title}]({paper.link})", "Markdown link")

    def action_open_link(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        if not is_web_link(paper.link):
            self.notify(
                f"Not opening {inert(paper.link)!r}: only http and https links are opened "
                "(y copies it).",
                severity="warning",
            )
            return
        self.app.open_url(paper.link.strip())
        self.notify(f"Opening {inert(paper.link)}", timeout=2)

    def action_narrow_category(self) -> None:
        paper = self.current_paper
        if paper is not None and paper.category and not self._category_active(paper.category):
            self.toggle_category(paper.category)

    def action_cycle_sort(self) -> None:
        self.sort = SORT_CYCLE[(SORT_CYCLE.index(self.sort) + 1) % len(SORT_CYCLE)]
        self._refresh_view(keep=self.paper_list.current)
        self.notify(f"Sorted by {self.sort}", timeout=1.5)

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self._refresh_view(keep=self.paper_list.current)

    def action_toggle_sidebar(self) -> None:
        if self.has_class("-narrow"):
            self.toggle_class("-sidebar-open")
        else:
            self.toggle_class("-sidebar-hidden")
        if not self.sidebar.display and self.sidebar.has_focus:
            self.paper_list.focus()

    def _panes(self) -> list[LineList | AbstractPane]:
        panes: list[LineList | AbstractPane] = [
            self.sidebar,
            self.paper_list,
            self.query_one(AbstractPane),
        ]
        return [pane for pane in panes if pane.display and pane.region.area > 0]

    def action_cycle_focus(self, delta: int) -> None:
        if self.has_class("-tiny"):
            if self.has_class("-show-abstract"):
                self.remove_class("-show-abstract")
                self.paper_list.focus()
            else:
                self.add_class("-show-abstract")
                self.query_one(AbstractPane).focus()
            return
        panes = self._panes()
        focused = self.focused
        position = panes.index(focused) if focused in panes else 0
        if focused not in panes:
            position = panes.index(self.paper_list) - delta if self.paper_list in panes else 0
        panes[(position + delta) % len(panes)].focus()

    def action_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            if filter_input.value:
                self.set_filter("")
            self.paper_list.focus()
        elif self.has_class("-show-abstract"):
            self.remove_class("-show-abstract")
            self.paper_list.focus()
        elif self.has_class("-sidebar-open"):
            self.remove_class("-sidebar-open")
            self.paper_list.focus()
