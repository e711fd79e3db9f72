"""The main screen: it owns the view (week, query, sort) and pushes it down to the widgets."""

from __future__ import annotations

import asyncio
import gc
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Input, Static
from textual.widgets._header import HeaderTitle
from textual.worker import get_current_worker

from reader import tokens
from reader.arxiv import pdf_url, with_cached_authors
from reader.browser import browser_plausible, open_in_browser
from reader.clipboard import copy_local
from reader.commands import COMMANDS, NEEDS_A_PAPER
from reader.model import Digest, Paper, week_label
from reader.query import Query, QueryError, Spans, parse_query
from reader.reading import ReadCounts, repeated_weeks
from reader.screens.edit import LineEditor, NoteEditor
from reader.screens.threads import in_daemon_thread
from reader.state import StateStore, normal_tag
from reader.text import inert, is_web_link
from reader.view import (
    CategoryCounts,
    Entry,
    View,
    WeekRows,
    category_active,
    elsewhere,
    empty_lines,
    next_unread,
    pick_category,
    search_entries,
    sidebar_cursor,
    sidebar_entries,
    starred_within,
    step_week,
    subtitle,
    tag_entries,
    toggle_tag,
    view_rows,
)
from reader.widgets.abstract import AbstractPane, render_paper
from reader.widgets.filter_input import FilterInput
from reader.widgets.key_line import KeyLine
from reader.widgets.messages import (
    CategoryToggled,
    PaperChosen,
    PaperHighlighted,
    SearchChosen,
    SidebarChoice,
    StarredChosen,
    TagToggled,
    WeekChosen,
)
from reader.widgets.paper_list import PaperList, PaperStatus
from reader.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from reader.arxiv_fetch import ArxivOptions, MetadataResult
    from reader.exports import Export
    from reader.loader import DigestSource, Reloaded

NARROW = 100
"""Below this many columns the sidebar collapses (b shows it)."""
TINY = 60
"""Below this many columns the list and the abstract take the screen one at a time."""

BULK_IN_THREAD = 2_000
"""Mark-all and undo of more papers than this save in a thread worker."""
SYNC_FILTER_LIMIT = 20_000
"""Up to this many candidates a keystroke filters at once; above, in a thread worker (unless
the token index answers the whole query: `Query.indexed`)."""
WARM_INDEX_LIMIT = 500
"""Above this many papers the search text and the token index are built in the background as
soon as a digest is shown (~15 ms and ~45 ms a thousand papers), not by the first keystroke typed
into the filter (at 1,000 papers that keystroke took 20 ms more than the next ones)."""


class StoreStatus(PaperStatus):
    """Reading state for the list, from the store."""

    def __init__(
        self,
        store: StateStore,
        repeated: dict[str, tuple[date, ...]],
        selected: dict[str, None] | None = None,
    ) -> None:
        self.store = store
        self.repeated = repeated
        self.selected = selected if selected is not None else {}

    def has_selection(self) -> bool:
        return bool(self.selected)

    def is_selected(self, paper: Paper) -> bool:
        return paper.key in self.selected

    def is_read(self, paper: Paper) -> bool:
        return self.store.is_read(paper.key)

    def is_starred(self, paper: Paper) -> bool:
        return self.store.is_starred(paper.key)

    def is_repeated(self, paper: Paper) -> bool:
        return paper.key in self.repeated


class MainScreen(Screen[None]):
    """Sidebar of weeks and categories, the paper list, the abstract of the highlighted paper.

    Every key that moves the focus moves it at once (`set_focus`, never the deferred `focus()`),
    and Enter is a priority binding here: the App routes the next key of a burst by the focus
    this leaves.
    """

    AUTO_FOCUS = "#papers"

    view: var[View] = var(View(), init=False, always_update=True)
    """What is shown (week, starred, sort, query text); every change redraws (`watch_view`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            command.keys,
            command.action,
            command.label,
            key_display=command.display,
            show=command.show,
            priority=command.priority,
            tooltip=command.title,
            id=command.name,
        )
        for command in COMMANDS
    ]
    """Made from `reader.commands.COMMANDS`, which also gives the help and the palette."""

    def __init__(
        self,
        digest: Digest,
        *,
        week: date | None,
        query: str = "",
        store: StateStore,
        read_delay: float = 1.5,
        counts: ReadCounts | None = None,
        week_given: bool = False,
        source: DigestSource | None = None,
        arxiv: ArxivOptions | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        """Where the digest comes from: reloading it (r) and watching it (--watch)."""
        self._reloading = False
        self.arxiv = arxiv
        """--offline, --timeout and --download-dir for the arXiv keys (None: the defaults)."""
        digest = with_cached_authors(digest, store.arxiv.metadata)
        self.week_given = week_given
        """The week was asked for (--week): it stays even when nothing there matches."""
        self.digest = digest
        self.set_reactive(MainScreen.view, View(week=week))
        self._keep: int | None = None
        """The paper the next redraw keeps the cursor on (else the highlighted one)."""
        self._had_papers = True
        self._shown: tuple[Digest, int | None, Query] | None = None
        """What the abstract pane shows: (digest, paper index, query)."""
        self.store = store
        self.read_delay = read_delay
        self.counts = counts if counts is not None else ReadCounts(digest, store.is_read)
        self.repeated = repeated_weeks(digest, self.counts.indices)
        self._categories = CategoryCounts()
        self._read_timer: Timer | None = None
        self._undo: list[dict[str, bool]] = []
        self._marks_version = 0
        """Counts changes of reading state, for the sidebar's cache of week rows."""
        self._week_rows = WeekRows()
        self._generation = 0
        """Counts queries and digests; a filter result from an older one is dropped."""
        self._asked_text = ""
        """The text last given to _set_query (its result may still be filtering in a thread)."""
        self.filter_query: Query = parse_query("")
        self.hits: list[int] = list(range(len(digest)))
        self.indices: list[int] = []
        self._initial_query = query
        self.selected: dict[str, None] = {}
        """Keys of the selected papers, in the order they were selected."""
        self._search_counts: tuple[object, dict[str, str]] | None = None
        self.shown_key = ""
        """The key of the paper the abstract pane shows (for "where you left off")."""
        self.initial_paper: str | None = None
        """The key of the paper to put the cursor on at start (where you left off)."""
        self.ready = False
        """True once composed and mounted: before, no handler may touch the widgets."""

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield FilterInput(
                    placeholder='/ to filter: words, "a phrase", -word, cat:…, week:…',
                    id="filter",
                    select_on_focus=False,
                )
                yield Static("", id="filter-error", markup=False)
                yield PaperList(id="papers")
                yield AbstractPane(id="abstract")
        yield KeyLine()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = False
        self.query_one("#filter-error").display = False
        if self._initial_query:
            self.query_one("#filter", Input).value = self._initial_query
        self.paper_list.status = StoreStatus(self.store, self.repeated, self.selected)
        self._set_query(self._initial_query)
        if self.initial_paper is not None:
            self._cursor_to_key(self.initial_paper)
        week = self.week
        if week is not None and self.hits and not self.indices and not self.week_given:
            # the newest week by default and nothing matches there: all weeks, as --print
            self.say(f"Nothing matches in {week_label(week)}: showing all weeks.")
            self.select_week(None)
        self.set_focus(self.paper_list)
        self.watch(self.sidebar, "cursor", self._sidebar_moved, init=False)
        self.watch(self.paper_list, "cursor", self._paper_moved, init=False)
        self.watch(self.query_one("#filter", Input), "value", self._filter_changed, init=False)
        self._show_store_warnings()
        if len(self.digest) > WARM_INDEX_LIMIT:  # once painted: the thread slowed the paint
            self.call_after_refresh(self._build_search_index)
        if self.source is not None and self.source.watch:
            self._watch()
        self.ready = True

    def on_unmount(self) -> None:
        """Closing (the app quits, a test ends): remember where this digest was left."""
        save = getattr(self.app, "save_session", None)
        if callable(save):
            save(self)

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        self.set_class(width < NARROW, "-narrow")
        tiny = width < TINY
        if tiny != self.has_class("-tiny"):
            self.set_class(tiny, "-tiny")
            if self.ready:
                self._refresh_title()
        if self.ready:
            self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        """A pane hidden by a resize took the focus with it: the list takes it."""
        if self.focused is None and self.app.screen is self:
            self.set_focus(self._main_pane())

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
        self._asked_text = text
        error = self.query_one("#filter-error", Static)
        try:
            query = parse_query(text)
        except QueryError as exc:
            error.update(f"⚠ {inert(exc.message)}")
            error.display = True
            return False
        if error.display:
            error.display = False
        self._generation += 1
        self.workers.cancel_group(self, "filter")
        if query.is_empty:
            self._apply_hits(query, text, list(range(len(self.digest))), self._generation)
            return True
        satisfied: Query | None = None
        candidates: Sequence[int] = range(len(self.digest))
        if self.query_text and query.narrows(self.filter_query):
            candidates, satisfied = self.hits, self.filter_query
        if len(candidates) <= SYNC_FILTER_LIMIT or query.indexed(self.digest):
            hits = query.filter(self.digest, candidates, self.store, satisfied=satisfied)
            self._apply_hits(query, text, hits, self._generation)
        else:
            self._filter_in_thread(query, text, candidates, satisfied, self._generation)
        return True

    @work(thread=True, exclusive=True, group="filter")
    def _filter_in_thread(
        self,
        query: Query,
        text: str,
        candidates: Sequence[int],
        satisfied: Query | None,
        generation: int,
    ) -> None:
        """Filter a large digest off the UI thread; a newer keystroke supersedes this one."""
        digest = self.digest
        hits = query.filter(digest, candidates, self.store, satisfied=satisfied)
        if not get_current_worker().is_cancelled and digest is self.digest:
            self.app.call_from_thread(self._apply_hits, query, text, hits, generation)

    def _apply_hits(self, query: Query, text: str, hits: list[int], generation: int) -> None:
        """Show the hits of `query`, unless a newer query (or digest) has come meanwhile."""
        if generation != self._generation:
            return
        self.filter_query, self.hits = query, hits
        self.view = replace(self.view, query=text)

    @work(thread=True, exclusive=True, group="warm")
    def _build_search_index(self) -> None:
        """Build the search index in the background so the first keystroke finds it ready, then
        the token index (read from the cache, else built: 3.5-5 s at 100,000 papers, meanwhile
        words are searched for); then, when the app froze what was alive at its first paint
        (`ReaderApp._settle_collector`), freeze the indexes too: full collections would
        otherwise walk their lists at every keystroke."""
        digest = self.digest
        parse_query("warm").filter(digest, range(1), None)
        if gc.get_freeze_count():
            gc.freeze()
        worker = get_current_worker()
        built = tokens.ensure(digest, lambda: worker.is_cancelled or digest is not self.digest)
        if built is not None and gc.get_freeze_count():
            gc.freeze()

    @property
    def week(self) -> date | None:
        return self.view.week

    @property
    def starred_only(self) -> bool:
        return self.view.starred_only

    @property
    def sort(self) -> str:
        return self.view.sort

    @property
    def query_text(self) -> str:
        return self.view.query

    def _starred(self) -> list[int]:
        return self.counts.indices_of(self.store.starred_keys())

    def show_view(self, view: View, keep: int | None = None) -> None:
        """Show `view` with the cursor on the paper `keep` (default: the highlighted one)."""
        self._keep = keep
        self.view = view

    def watch_view(self) -> None:
        """The one redraw: the view changed (or its hits, or the digest). Synchronous, so the
        whole update of a key lands before the next key is routed."""
        keep, self._keep = self._keep, None
        self._redraw(self.paper_list.current if keep is None else keep)

    def _redraw(self, keep: int | None) -> None:
        """Recompute the list for the view; the cursor stays on `keep` if it is there."""
        view = self.view
        self.indices = view_rows(self.digest, self.hits, view, self._starred)
        cursor = 0
        if keep is not None:
            try:
                cursor = self.indices.index(keep)
            except ValueError:
                cursor = 0
        self.paper_list.show(
            self.digest,
            self.indices,
            show_week=view.show_week,
            spans=self._spans(),
            cursor=cursor,
            announce=False,  # the abstract follows here, before the next key
        )
        filtered = not self.filter_query.is_empty
        self.paper_list.empty_lines = (
            []
            if self.indices
            else empty_lines(view, filtered, elsewhere(self.digest, self.hits, view.week))
        )
        self._refresh_sidebar()
        self._refresh_title()
        self._show_paper(self.paper_list.current)
        if bool(self.indices) != self._had_papers:  # the paper keys come and go
            self._had_papers = bool(self.indices)
            self.refresh_bindings()

    def _refresh_title(self) -> None:
        """The header's subtitle (with the number of selected papers); on tiny screens the count
        first (the query is in the bar)."""
        view = self.view
        total = None
        if not self.filter_query.is_empty:
            starred_only = view.starred_only
            total = len(self._starred() if starred_only else self.digest.indices(view.week))
        text = subtitle(view, len(self.indices), total, compact=self.has_class("-tiny"))
        chosen = len(self.selected)
        self._set_subtitle(f"{text} · {chosen} selected" if chosen else text)

    def _set_subtitle(self, text: str) -> None:
        """The header's subtitle, repainting the header alone, in this frame.

        Assigning `Screen.sub_title` repaints the whole screen, and the Header picks the new
        title up a frame later (an async watcher) with a layout of its own."""
        if text == self.sub_title:
            return
        self.set_reactive(Screen.sub_title, text)
        for header in self.query(Header):
            header.query_one(HeaderTitle).update(header.format_title(), layout=False)

    def _spans(self) -> Spans | None:
        return None if self.filter_query.is_empty else self.filter_query.highlight_spans

    def _refresh_sidebar(self) -> None:
        """Rebuild the sidebar's rows; its cursor stays on the same entry."""
        filtered = not self.filter_query.is_empty
        entries = sidebar_entries(
            self.digest,
            self.view,
            self.hits,
            filtered=filtered,
            unread_all=self.counts.unread(None),
            starred_count=len(starred_within(len(self.digest), self._starred(), self.hits)),
            week_rows=self._week_rows.rows(
                self.digest, self.hits, filtered, self._marks_version, self.counts.unread
            ),
            categories=self._categories.counts(
                self.digest,
                self.view,
                self.hits,
                self.indices,
                state=self.store,
                starred=self._starred,
                marks_version=self._marks_version,
                refilter_limit=SYNC_FILTER_LIMIT,
            ),
        )
        entries += self._tag_entries() + self._search_entries()
        sidebar = self.sidebar
        current = sidebar.current
        keep = None
        if (
            current is not None
            and current.kind in ("category", "tag", "search")
            and self.focused is sidebar
        ):
            keep = current
        sidebar.set_entries(entries, sidebar_cursor(entries, keep))

    def _tag_entries(self) -> list[Entry]:
        """The "Tags" section: each tag in use on this digest's papers, with its count."""
        counts: dict[str, int] = {}
        known = self.counts.indices
        for key, tags in self.store.tag_map().items():
            if key in known:
                for tag in tags:
                    counts[tag] = counts.get(tag, 0) + 1
        if not counts:
            return []
        return tag_entries(counts, self.query_text)

    def _search_entries(self) -> list[Entry]:
        """The "Searches" section: each saved search with its unread/total count."""
        searches = self.store.searches()
        if not searches:
            return []
        key = (tuple(searches.items()), self._marks_version, id(self.digest))
        cached = self._search_counts
        if cached is None or cached[0] != key:
            counts: dict[str, str] = {}
            everything = range(len(self.digest))
            for name, text in searches.items():
                try:
                    hits = parse_query(text).filter(self.digest, everything, self.store)
                except QueryError:
                    counts[name] = "!"
                    continue
                unread = sum(1 for i in hits if not self.store.is_read(self.digest.papers[i].key))
                counts[name] = f"{unread}/{len(hits)}"
            self._search_counts = cached = (key, counts)
        return search_entries(searches, cached[1], self.view)

    def _show_paper(self, index: int | None) -> None:
        """Show the paper in the abstract pane; it becomes read if it stays there long enough.

        A paper already shown (the same digest, paper and query) is left as it is: a redraw
        that keeps the cursor where it was costs the pane nothing."""
        shown = (self.digest, index, self.filter_query)
        if (
            index is not None
            and self._shown is not None
            and all(a is b for a, b in zip(shown, self._shown, strict=True))
        ):
            return
        self._shown = shown
        pane = self.query_one(AbstractPane)
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if index is None:
            message = "No papers match." if not self.filter_query.is_empty else "No papers."
            pane.show_paper(Text(message, style="dim italic"))
            return
        paper = self.digest.papers[index]
        self.shown_key = paper.key
        others = tuple(week for week in self.repeated.get(paper.key, ()) if week != paper.week)
        pane.show_paper(
            render_paper(
                paper,
                spans=self._spans(),
                other_weeks=others,
                read=self.store.is_read(paper.key),
                starred=self.store.is_starred(paper.key),
                meta=self.store.arxiv.cached_metadata(paper.arxiv_id) if paper.arxiv_id else None,
                note=self.store.note(paper.key),
                tags=self.store.tags(paper.key),
            )
        )
        if not self.store.is_read(paper.key) and self.read_delay >= 0:
            self._read_timer = self.set_timer(
                self.read_delay, lambda: self._dwelt_on(index), name="mark-read"
            )

    def _dwelt_on(self, index: int) -> None:
        self._read_timer = None
        if self.paper_list.current != index:
            return
        if self.app.screen is not self or not self.query_one(AbstractPane).display:
            # the abstract is hidden (help, palette, a narrow list): not read yet, ask again later
            self._read_timer = self.set_timer(
                self.read_delay, lambda: self._dwelt_on(index), name="mark-read"
            )
            return
        self._mark_read(index)

    def _mark_read(self, index: int) -> None:
        key = self.digest.papers[index].key
        if not self.store.is_read(key):
            self.store.set_read([key], True)
            self._after_marks([key], redraw_pane=True)

    def _after_marks(self, keys: Iterable[str], redraw_pane: bool = False) -> None:
        """The marks of `keys` changed: redraw the list, the counts, and the pane if asked."""
        self.counts.update(keys)
        self._marks_version += 1
        self.paper_list.refresh()
        self._refresh_sidebar()
        self._show_store_warnings()
        if redraw_pane:
            self._show_paper_details_only()

    def _show_paper_details_only(self) -> None:
        """Redraw the pane for the current paper without restarting the read timer."""
        index = self.paper_list.current
        if index is None:
            return
        timer, self._read_timer = self._read_timer, None
        delay, self.read_delay = self.read_delay, -1.0
        self._shown = None  # its marks or metadata changed: drawn again
        scroll = self.query_one(AbstractPane).scroll_y
        try:
            self._show_paper(index)
        finally:
            self.read_delay = delay
            self._read_timer = timer
        self.query_one(AbstractPane).scroll_to(y=scroll, animate=False)

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 4
    ) -> None:
        """A toast, taken literally: no markup, so text from the digest cannot restyle it."""
        self.app.notify(message, severity=severity, timeout=timeout, markup=False)

    def _show_store_warnings(self) -> None:
        while self.store.warnings:
            self.say(inert(self.store.warnings.pop(0)), severity="warning", timeout=8)

    def refresh_marks(self) -> None:
        """Pick up marks that another running instance saved meanwhile."""
        if not self.ready:  # a focus event before the screen composed: on_mount reads the store
            return
        self.store.refresh()
        self.counts = ReadCounts(self.digest, self.store.is_read, self.counts.indices)
        self._marks_version += 1
        self.paper_list.refresh()
        self._refresh_sidebar()
        self._show_store_warnings()
        self._show_paper_details_only()

    def replace_digest(self, digest: Digest) -> None:
        """A reloaded digest: the week, query and highlighted paper stay where they still exist."""
        digest = with_cached_authors(digest, self.store.arxiv.metadata)
        if not self.ready:  # not composed yet: on_mount shows this digest
            self.digest = digest
            self.counts = ReadCounts(digest, self.store.is_read)
            self.repeated = repeated_weeks(digest, self.counts.indices)
            self.hits = list(range(len(digest)))
            if self.week is not None and self.week not in digest.week_ranges:
                week = digest.weeks[0] if digest.weeks else None
                self.set_reactive(MainScreen.view, replace(self.view, week=week))
            return
        current = self.current_paper
        self._generation += 1
        self.workers.cancel_group(self, "filter")
        self.store.refresh()  # marks another instance wrote meanwhile
        self.digest = digest
        self.counts = ReadCounts(digest, self.store.is_read)
        self._marks_version += 1
        self.repeated = repeated_weeks(digest, self.counts.indices)
        self.paper_list.status = StoreStatus(self.store, self.repeated, self.selected)
        self._categories = CategoryCounts()
        view = self.view
        if view.week is not None and view.week not in digest.week_ranges:
            view = replace(view, week=digest.weeks[0] if digest.weeks else None)
        everything = range(len(digest))
        query = self.filter_query
        self.hits = (
            list(everything) if query.is_empty else query.filter(digest, everything, self.store)
        )
        keep = None
        if current is not None:
            same = self.counts.indices.get(current.key, ())
            keep = next((i for i in same if digest.papers[i].week == current.week), None)
        self.show_view(view, keep=keep)
        if len(digest) > WARM_INDEX_LIMIT:
            self._build_search_index()

    def select_week(self, week: date | None, starred_only: bool = False) -> None:
        """Show `week` (None: All weeks), keeping the highlighted paper when it is there."""
        if week != self.week or starred_only != self.starred_only:
            self.view = replace(self.view, week=week, starred_only=starred_only)

    # --- events from the widgets -----------------------------------------------------------

    def _paper_moved(self) -> None:
        """The list's cursor moved: the pane follows at once (watched, not a message, so the
        key's whole update lands in the frame it triggers)."""
        self._show_paper(self.paper_list.current)

    @on(PaperHighlighted)
    def _paper_highlighted(self, event: PaperHighlighted) -> None:
        # Shown already by _paper_moved; this catches a cursor set without its watcher.
        if event.index == self.paper_list.current:  # else stale: a newer one is on its way
            self._show_paper(event.index)

    def _sidebar_moved(self) -> None:
        """The sidebar's cursor moved: browsing shows the week at once (watched, not a posted
        message, so the view changes before the next key is routed)."""
        if self.focused is self.sidebar:
            self._sidebar_chose(self.sidebar.choice(picked=False))

    @on(WeekChosen)
    @on(StarredChosen)
    @on(CategoryToggled)
    @on(TagToggled)
    @on(SearchChosen)
    def _sidebar_clicked(self, event: SidebarChoice) -> None:
        self._sidebar_chose(event)

    def _sidebar_chose(self, choice: SidebarChoice | None) -> None:
        """A sidebar row chosen: by the cursor, Enter (handled at once) or a double click."""
        if isinstance(choice, CategoryToggled):
            self.toggle_category(choice.category)
        elif isinstance(choice, TagToggled):
            self.toggle_tag(choice.tag)
        elif isinstance(choice, SearchChosen):
            self.pick_search(choice.name)
            if choice.picked:
                self.remove_class("-sidebar-open")
                self.set_focus(self.paper_list)
        elif choice is not None:
            if isinstance(choice, WeekChosen):
                self.select_week(choice.week)
            else:
                self.select_week(None, starred_only=True)
            if choice.picked:
                self.remove_class("-sidebar-open")
                self.set_focus(self.paper_list)

    @on(PaperChosen)
    def _paper_clicked(self, event: PaperChosen) -> None:
        self._paper_selected()

    def _paper_selected(self) -> None:
        if self.has_class("-tiny"):
            self.add_class("-show-abstract")
            self.set_focus(self.query_one(AbstractPane))

    def _filter_changed(self, value: str) -> None:
        """The filter's text changed (watched: the list is filtered before the next key)."""
        if value != self._asked_text:  # set_filter has applied it already
            self._set_query(value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter":  # only where Enter means something; elsewhere the widget's own
            focused = self.focused
            return focused is not None and (
                focused.id in ("filter", "sidebar")
                or (focused is self.paper_list and self.has_class("-tiny"))
            )
        if not self.ready:
            return True
        if action in NEEDS_A_PAPER:  # hidden from the key line and the palette without one
            return self.paper_list.current is not None
        if action == "undo":
            return bool(self._undo)
        return True

    def action_enter(self) -> None:
        """Enter: the filter keeps its query and gives the keys back to the list; the sidebar
        picks its row; on tiny screens the list shows the abstract."""
        focused = self.focused
        if focused is self.sidebar:
            self._sidebar_chose(self.sidebar.choice(picked=True))
        elif focused is self.paper_list:
            self._paper_selected()
        else:
            self.set_focus(self.paper_list)

    # --- actions ---------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Replace the query text (the filter bar shows it) and apply it."""
        filter_input = self.query_one("#filter", Input)
        filter_input.value = text
        filter_input.cursor_position = len(text)  # typing goes on at the end
        if text != self._asked_text:  # else the watcher has applied it
            self._set_query(text)

    def toggle_category(self, category: str) -> None:
        """The category facet is single-choice: picking a category replaces the one picked
        before; picking it again removes it."""
        self.set_filter(pick_category(self.query_text, category))

    def toggle_tag(self, tag: str) -> None:
        """Add the term tag:NAME to the query, or remove it where it is."""
        self.set_filter(toggle_tag(self.query_text, tag))

    def pick_search(self, name: str) -> None:
        """Show a saved search: its query over all weeks."""
        text = self.store.searches().get(name)
        if text is None:
            return
        self.show_view(replace(self.view, week=None, starred_only=False))
        if text != self.query_text:
            self.set_filter(text)

    def action_focus_filter(self) -> None:
        """Focus the filter with its text selected: typing replaces it, → or End edits it."""
        self.remove_class("-show-abstract")
        bar = self.query_one("#filter", Input)
        self.set_focus(bar)
        bar.select_all()

    def action_older_week(self) -> None:
        self._step_week(1)

    def action_newer_week(self) -> None:
        self._step_week(-1)

    def _step_week(self, delta: int) -> None:
        if not self.digest.weeks:
            return
        filtered = not self.filter_query.is_empty
        target = step_week(self.digest, self.hits, self.week, delta, filtered)
        if target is None:
            where = "older" if delta > 0 else "newer"
            matching = " with matches" if self.query_text else ""
            self.say(f"No {where} week{matching}.", timeout=2)
            return
        self.select_week(target)

    def action_all_weeks(self) -> None:
        self.select_week(None)

    def _copy(self, text: str, what: str, shown: str | None = None) -> None:
        """Copy `text`; the toast shows `shown` (default: the text itself)."""
        self.app.copy_to_clipboard(text)
        if self.app.is_web:  # OSC 52 reaches the page; pyperclip would copy on the server
            how = " to the browser's clipboard"
        else:
            how = "" if copy_local(text) else " (through the terminal, OSC 52)"
        self.say(f"Copied {what}{how}:\n{inert(text if shown is None else shown)}", timeout=3)
        self._mark_read_current()

    def action_copy_link(self) -> None:
        papers = self.targets()
        if len(papers) > 1:
            self._copy("\n".join(paper.link for paper in papers), f"{len(papers)} links")
        elif papers:
            self._copy(papers[0].link, "link")

    def action_copy_markdown(self) -> None:
        papers = self.targets()
        lines = []
        for paper in papers:
            title = paper.title.replace("[", "\\[").replace("]", "\\]")
            lines.append(f"[{title}]({paper.link})")
        if len(lines) > 1:
            self._copy("\n".join(f"- {line}" for line in lines), f"{len(lines)} Markdown links")
        elif lines:
            self._copy(lines[0], "Markdown link")

    def action_export(self, fmt: str) -> None:
        """The view as --print writes it: a download in the browser, else a file in the
        downloads folder (`reader.exports.export_view`)."""
        from reader.exports import export_view  # startup: when used

        notice = export_view(
            self.digest,
            self.indices,
            fmt,
            week=self.week,
            query=self.view.query,
            state=self.store,
            metadata=self.store.arxiv.cached_metadata,
            directory=getattr(self.app, "download_dir", None),
            browser=self._download_in_browser if self.app.is_web else None,
        )
        self.say(notice.message, severity=notice.severity, timeout=6)

    def _download_in_browser(self, export: Export) -> None:
        self.app.deliver_text(
            io.StringIO(export.text),
            save_filename=export.name,
            mime_type=export.mime_type,
            encoding="utf-8",
            name=export.name,
        )

    # --- reading state ---------------------------------------------------------------------

    def action_toggle_read(self) -> None:
        if self.selected:
            keys = list(self.selected)
            value = not all(self.store.is_read(key) for key in keys)
            self.store.set_read(keys, value)
            self.say(f"{len(keys)} papers marked {'read' if value else 'unread'}.", timeout=2)
            self._after_marks(keys, redraw_pane=True)
            return
        paper = self.current_paper
        if paper is None:
            return
        if self._read_timer is not None:  # an explicit choice beats the dwell timer
            self._read_timer.stop()
            self._read_timer = None
        self.store.toggle_read(paper.key)
        self._after_marks([paper.key], redraw_pane=True)

    def action_toggle_star(self) -> None:
        if self.selected:
            keys = list(self.selected)
            value = not all(self.store.is_starred(key) for key in keys)
            self.store.set_starred(keys, value)
            self.say(f"{len(keys)} papers {'starred ★' if value else 'unstarred'}.", timeout=2)
            self._after_marks(keys, redraw_pane=True)
            if self.starred_only:
                self._redraw(keep=self.paper_list.current)
            return
        paper = self.current_paper
        if paper is None:
            return
        starred = self.store.toggle_star(paper.key)
        self.say("Starred ★" if starred else "Star removed", timeout=1.5)
        self._after_marks([paper.key], redraw_pane=True)
        if self.starred_only:  # the view is the starred papers: it changed
            cursor = self.paper_list.cursor
            self._redraw(keep=self.paper_list.current)
            if not starred and self.indices:
                self.paper_list.cursor = min(cursor, len(self.indices) - 1)

    def action_mark_view_read(self) -> None:
        keys = [self.digest.papers[i].key for i in self.indices]
        unread = [key for key, read in self.store.snapshot_read(keys).items() if not read]
        if not unread:
            self.say("Every paper here is read already.", timeout=2)
            return
        self._undo.append(dict.fromkeys(unread, False))  # undo touches only what changed
        count = len(unread)
        self._bulk_marks(
            lambda: self.store.set_read(unread, True),
            unread,
            f"Marked {count} paper{'s' if count != 1 else ''} read (u undoes).",
        )

    def action_undo(self) -> None:
        if not self._undo:
            self.say("Nothing to undo.", timeout=2)
            return
        before = self._undo.pop()
        count = len(before)
        self._bulk_marks(
            lambda: self.store.restore_read(before),
            list(before),
            f"Undone: {count} paper{'s' if count != 1 else ''} unread again.",
        )

    def _bulk_marks(self, apply: Callable[[], None], keys: list[str], done: str) -> None:
        """Change many marks; thousands are saved in a thread so the keyboard stays live."""
        if len(keys) <= BULK_IN_THREAD:
            apply()
            self._bulk_done(keys, done)
            return
        self.say(f"Saving {len(keys)} marks…", timeout=2)

        def run() -> None:
            apply()
            self.app.call_from_thread(self._bulk_done, keys, done)

        self.run_worker(run, thread=True, group="marks", name="bulk marks")

    def _bulk_done(self, keys: list[str], done: str) -> None:
        self._after_marks(keys, redraw_pane=True)
        self.say(done)

    def action_next_unread(self) -> None:
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def _is_unread(self, index: int) -> bool:
        return not self.store.is_read(self.digest.papers[index].key)

    def _jump_unread(self, step: int) -> None:
        """To the next (step 1) or previous (-1) unread paper, into older or newer weeks."""
        found = next_unread(
            self.digest,
            self.hits,
            self.view,
            self.indices,
            self.paper_list.cursor,
            step,
            self._is_unread,
        )
        if found is None:
            self.say("No more unread papers this way.", timeout=2)
        elif found.week == self.week:
            self.paper_list.cursor = found.position
        else:
            self.show_view(replace(self.view, week=found.week), keep=found.rows[found.position])

    def action_open_link(self) -> None:
        paper = self.current_paper
        if paper is not None:
            self.open_link(paper.link)

    def open_link(self, url: str) -> None:
        """Open an http(s) link of the highlighted paper (o; a PDF key may use it too): in a new
        tab of the user's browser when served, else in a local browser, else copy it."""
        link = inert(url)
        if not is_web_link(url):
            self.say(
                f"Not opening {link!r}: only http and https links are opened (y copies it).",
                severity="warning",
            )
            return
        if self.app.is_web:  # textual-serve: the page opens it in a new tab
            self.app.open_url(url.strip(), new_tab=True)
        elif browser_plausible():
            open_in_browser(url.strip())
        else:
            self.app.copy_to_clipboard(url)
            self.say(f"No browser here (no display): copied the link instead.\n{link}")
            self._mark_read_current()
            return
        self.say(f"Opening {link}", timeout=2)
        self._mark_read_current()

    # --- the reader's own layer: selection, notes, tags, saved searches ----------------------

    def targets(self) -> list[Paper]:
        """What a command acts on: the selected papers (in the digest's order), else the
        highlighted one."""
        if not self.selected:
            paper = self.current_paper
            return [] if paper is None else [paper]
        indices = self.counts.indices
        firsts = sorted(indices[key][0] for key in self.selected if indices.get(key))
        return [self.digest.papers[index] for index in firsts]

    def action_toggle_selection(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        if paper.key in self.selected:
            del self.selected[paper.key]
        else:
            self.selected[paper.key] = None
        self.paper_list.refresh()
        self._refresh_title()
        papers = self.paper_list
        if papers.cursor < papers.row_count - 1:
            papers.cursor += 1

    def clear_paper_selection(self) -> None:
        count = len(self.selected)
        self.selected.clear()
        self.paper_list.refresh()
        self._refresh_title()
        self.say(f"Selection cleared ({count}).", timeout=1.5)

    def _cursor_to_key(self, key: str) -> None:
        indices = self.counts.indices.get(key, ())
        for index in indices:
            if index in self.indices:
                self.paper_list.cursor = self.indices.index(index)
                return

    def action_edit_note(self) -> None:
        paper = self.current_paper
        if paper is None:
            return
        key = paper.key

        def keep(text: str) -> None:
            before = self.store.note(key)
            self.store.set_note(key, text)
            if text != before:
                self.say("Note kept." if text.strip() else "Note removed.", timeout=1.5)
            self._after_annotations()

        self.app.push_screen(NoteEditor(paper.title, self.store.note(key), keep))

    def action_edit_tags(self) -> None:
        papers = self.targets()
        if not papers:
            return
        words = self.store.all_tags()
        in_use = ", ".join(f"{tag} ({count})" for tag, count in words.items()) or "none yet"
        if len(papers) == 1:
            key = papers[0].key

            def apply_one(text: str) -> None:
                tags = self.store.set_tags(key, text.split())
                self.say(f"Tags: {' '.join(tags) or 'none'}", timeout=1.5)
                self._after_annotations()

            self.app.push_screen(
                LineEditor(
                    f"Tags of: {papers[0].title}",
                    " ".join(self.store.tags(key)),
                    apply_one,
                    hint=f"Separated by spaces; → completes. In use: {in_use}",
                    words=words,
                    placeholder="to-read project-x",
                    editor_id="tag-editor",
                )
            )
            return
        keys = [paper.key for paper in papers]

        def apply_many(text: str) -> None:
            added: list[str] = []
            removed: list[str] = []
            for word in text.split():
                name = normal_tag(word[1:] if word.startswith("-") else word)
                if name:
                    self.store.tag(keys, name, on=not word.startswith("-"))
                    (removed if word.startswith("-") else added).append(name)
            done = [f"+{tag}" for tag in added] + [f"-{tag}" for tag in removed]
            self.say(f"{len(keys)} papers: {' '.join(done) or 'no change'}", timeout=2)
            self._after_annotations()

        self.app.push_screen(
            LineEditor(
                f"Tag {len(keys)} selected papers",
                "",
                apply_many,
                hint=f"tag adds, -tag removes; → completes. In use: {in_use}",
                words=words,
                placeholder="to-read -later",
                editor_id="tag-editor",
            )
        )

    def _after_annotations(self) -> None:
        """Notes or tags changed: queries about them, the sidebar and the pane may differ."""
        self._marks_version += 1
        if self.query_text:
            self._set_query(self.query_text)
        else:
            self._refresh_sidebar()
        self._show_store_warnings()
        self._show_paper_details_only()

    def action_save_search(self) -> None:
        text = self.query_text.strip()
        if not text:
            self.say("Type a query first (/): that is what a search saves.", timeout=3)
            return
        existing = next((n for n, q in self.store.searches().items() if q == text), "")

        def save(name: str) -> None:
            name = " ".join(name.split())
            if not name:
                return
            replaced = name in self.store.searches()
            self.store.save_search(name, text)
            self.say(f"Search {'replaced' if replaced else 'saved'}: {inert(name)}", timeout=2)
            self._refresh_sidebar()
            self._show_store_warnings()

        self.app.push_screen(
            LineEditor(
                f"Save the search: {text}",
                existing,
                save,
                hint="A name; an existing name is replaced. Del in the sidebar deletes one.",
                placeholder="name",
                editor_id="search-editor",
            )
        )

    def action_delete_search(self) -> None:
        entry = self.sidebar.current
        if self.focused is not self.sidebar or entry is None or entry.kind != "search":
            self.say("Highlight a saved search in the sidebar to delete it.", timeout=2)
            return
        self.store.delete_search(entry.category)
        self.say(f"Search deleted: {inert(entry.category)}", timeout=2)
        self._refresh_sidebar()

    # --- arXiv: PDF, metadata, citations ----------------------------------------------------

    def _arxiv_paper(self, what: str) -> Paper | None:
        """The highlighted paper if it is on arXiv; else None, and a toast says so."""
        paper = self.current_paper
        if paper is not None and not paper.arxiv_id:
            self.say(f"Not an arXiv paper: no {what}.", severity="warning", timeout=3)
            return None
        return paper

    def action_open_pdf(self) -> None:
        paper = self._arxiv_paper("PDF link")
        if paper is not None and paper.arxiv_id:
            self.open_link(pdf_url(paper.arxiv_id))

    def action_download_pdf(self) -> None:
        paper = self._arxiv_paper("PDF to download")
        if paper is None or not paper.arxiv_id:
            return
        from reader.arxiv_fetch import ArxivOptions, DownloadError, download_dir, download_pdf

        options = self.arxiv or ArxivOptions()
        arxiv_id, title = paper.arxiv_id, paper.title
        directory = download_dir(options.download_dir)
        self.say(f"Downloading the PDF of arXiv:{arxiv_id} into {inert(str(directory))}…")
        shown = [0]

        def progress(done: int, total: int | None) -> None:
            step = done * 4 // total if total else done >> 22  # quarters, or every 4 MB
            if step > shown[0]:
                shown[0] = step
                size = f"{_size(done)} of {_size(total)}" if total else _size(done)
                self.app.call_from_thread(self.say, f"arXiv:{arxiv_id}: {size}", timeout=2)

        def run() -> None:
            try:
                path = download_pdf(
                    arxiv_id,
                    title,
                    directory,
                    progress=progress,
                    offline=options.offline,
                    timeout=options.timeout,
                )
            except DownloadError as error:
                message = f"PDF of arXiv:{arxiv_id} not downloaded: {error}"
                self.app.call_from_thread(self.say, inert(message), severity="error", timeout=8)
                return
            if self.app.is_web:  # served: the browser gets the file too
                self.app.call_from_thread(
                    self.app.deliver_binary,
                    path,
                    save_filename=path.name,
                    mime_type="application/pdf",
                    name=path.name,
                )
            self.app.call_from_thread(self.say, f"Saved {inert(str(path))}", timeout=6)

        self.run_worker(run, thread=True, group="pdf", name=f"PDF {arxiv_id}")

    def action_fetch_metadata(self) -> None:
        ids = list(
            dict.fromkeys(i for i in (self.digest.papers[n].arxiv_id for n in self.indices) if i)
        )
        if not ids:
            self.say("No arXiv papers in this view.", timeout=2)
            return
        from reader.arxiv_fetch import ArxivOptions, fetch_metadata

        options = self.arxiv or ArxivOptions()
        self.say(f"Fetching arXiv metadata of {len(ids)} papers…", timeout=2)

        def progress(done: int, total: int) -> None:
            if done < total:
                self.app.call_from_thread(self.say, f"arXiv metadata: {done}/{total}", timeout=2)

        def run() -> None:
            worker = get_current_worker()
            result = fetch_metadata(
                ids,
                self.store.arxiv,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
                offline=options.offline,
                timeout=options.timeout,
            )
            if worker.is_cancelled:  # F again, or the app is closing
                return
            self.app.call_from_thread(self._metadata_fetched, result)

        self.run_worker(run, thread=True, exclusive=True, group="metadata", name="arXiv metadata")

    def _metadata_fetched(self, result: MetadataResult) -> None:
        if result.report is not None and result.report.found:
            self.replace_digest(self.digest)  # the authors join the list, the pane and author:
            self._show_paper_details_only()
        failed = result.report is not None and result.report.errors
        details = f" ({inert(result.report.errors[0])})" if failed and result.report else ""
        self.say(
            result.summary() + details, severity="warning" if failed else "information", timeout=5
        )

    def action_copy_citation(self, fmt: str) -> None:
        from reader.citations import bibtex_entry, ris_record  # startup: imported when used

        papers = self.targets()
        if len(papers) > 1:
            entries = []
            for each in papers:
                found = self.store.arxiv.cached_metadata(each.arxiv_id) if each.arxiv_id else None
                entries.append(
                    ris_record(each, found) if fmt == "ris" else bibtex_entry(each, found)
                )
            what = "RIS records" if fmt == "ris" else "BibTeX entries"
            self._copy("\n".join(entries), f"{len(entries)} {what}", f"{len(entries)} {what}")
            return
        paper = self.current_paper
        if paper is None:
            return
        meta = self.store.arxiv.cached_metadata(paper.arxiv_id) if paper.arxiv_id else None
        text = ris_record(paper, meta) if fmt == "ris" else bibtex_entry(paper, meta)
        lines = text.splitlines()
        shown = "\n".join(lines[:2] if fmt == "ris" else [line for line in lines if "@" in line])
        self._copy(text, "RIS" if fmt == "ris" else "BibTeX", f"{shown} … ({len(lines)} lines)")

    def _mark_read_current(self) -> None:
        if self.paper_list.current is not None:
            self._mark_read(self.paper_list.current)

    def action_narrow_category(self) -> None:
        paper = self.current_paper
        if (
            paper is not None
            and paper.category
            and not category_active(self.query_text, paper.category)
        ):
            self.toggle_category(paper.category)

    def action_cycle_sort(self) -> None:
        self.view = self.view.next_sort()
        self.say(f"Sorted by {self.sort}", timeout=1.5)

    def action_reverse_sort(self) -> None:
        self.view = replace(self.view, reverse=not self.view.reverse)

    def action_toggle_sidebar(self) -> None:
        """Wide: show or hide the sidebar. Narrow: open it as a drawer, focused; close it."""
        if self.has_class("-narrow"):
            self.toggle_class("-sidebar-open")
            opened = self.has_class("-sidebar-open")
            self.set_focus(self.sidebar if opened else self._main_pane())
        else:
            self.toggle_class("-sidebar-hidden")
            if self.has_class("-sidebar-hidden") and self.focused is self.sidebar:
                self.set_focus(self.paper_list)

    def _main_pane(self) -> Widget:
        if self.has_class("-tiny") and self.has_class("-show-abstract"):
            return self.query_one(AbstractPane)
        return self.paper_list

    def action_cycle_focus(self, delta: int) -> None:
        """Sidebar (where shown) → list → abstract; on tiny screens the abstract takes the list's
        place while focused."""
        sidebar_shown = not self.has_class("-sidebar-hidden") and (
            not self.has_class("-narrow") or self.has_class("-sidebar-open")
        )
        panes: list[Widget] = [self.sidebar] if sidebar_shown else []
        panes += [self.paper_list, self.query_one(AbstractPane)]
        focused = self.focused
        if focused in panes:
            position = panes.index(focused)
        else:
            position = panes.index(self.paper_list) - delta
        target = panes[(position + delta) % len(panes)]
        if self.has_class("-tiny"):
            self.set_class(isinstance(target, AbstractPane), "-show-abstract")
            if target is not self.sidebar:
                self.remove_class("-sidebar-open")
        self.set_focus(target)

    def action_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if self.focused is filter_input:
            if filter_input.value:
                self.set_filter("")
            self.set_focus(self.paper_list)
        elif self.selected:
            self.clear_paper_selection()
        elif self.has_class("-show-abstract"):
            self.remove_class("-show-abstract")
            self.set_focus(self.paper_list)
        elif self.has_class("-sidebar-open"):
            self.remove_class("-sidebar-open")
            self.set_focus(self.paper_list)
        elif self.query_text:
            self.set_filter("")

    # --- reload (r) and --watch: workers; the source reads in a daemon thread ---------------

    def action_reload(self) -> None:
        """Read the digest again (r): files afresh, URLs revalidated; the view is kept."""
        if self.source is None or not self.source.reloadable:
            self.app.notify("This digest cannot be reloaded.", severity="warning", markup=False)
        elif not self._reloading:
            self._reloading = True
            self._reload(quiet=False)

    @work(group="reload")
    async def _reload(self, quiet: bool) -> None:
        """Reload, then show the digest and what is new in it (`quiet`, under --watch: only
        what is new). The thread is a daemon's: quitting never waits for a big digest."""
        assert self.source is not None
        try:
            reloaded = await in_daemon_thread(self._read_again, name="reader-reload")
        except Exception as error:
            self.app.notify(f"Reload failed: {inert(str(error))}", severity="error", markup=False)
            return
        finally:
            self._reloading = False
        digest, new = reloaded.digest, reloaded.change
        self.replace_digest(digest)
        if new is not None and not new.startswith("changed"):
            self.app.notify(f"{new}.", title="New in the digest", markup=False)
        elif new is not None or not (quiet or digest.notices):
            # nothing new is said only on r: --watch keeps quiet, and so does an offline copy
            reloaded_text = f"Reloaded: {len(digest)} papers in {len(digest.weeks)} weeks."
            self.app.notify(reloaded_text, markup=False)
        show_notices = getattr(self.app, "show_notices", None)
        if callable(show_notices):
            show_notices(digest, only_new=quiet)
        gc.freeze()

    def _read_again(self) -> Reloaded:
        """In the reload thread: the digest read again, and its search text built."""
        assert self.source is not None
        reloaded = self.source.reload()
        reloaded.digest.haystacks  # noqa: B018 - built off the UI thread
        return reloaded

    @work(group="watch")
    async def _watch(self) -> None:
        """--watch: look at the sources every few seconds; on a change, reload quietly."""
        source = self.source
        assert source is not None
        source.changed()  # takes note of the sources if they were not read through it
        while True:
            await asyncio.sleep(source.watch_every)
            if not self._reloading and source.changed():
                self._reloading = True
                self._reload(quiet=True)


def _size(count: int) -> str:
    """Bytes as a download's progress shows them: `54 bytes`, `12 KB`, `1.3 MB`."""
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"
