"""The main screen: it holds the browse model (`reader.browse.Browse`), turns each key into one of
the model's operations and draws what the model says changed, through one path (`draw`), within
the key's own handling. Background work runs in `tasks`, whose messages come back here; the keys
that reach outside the reader (clipboard, browser, files, arXiv, reload) are `outward.Outward`."""

from __future__ import annotations

import operator
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from reader.browse import Browse, Changed, Entry, sidebar_cursor
from reader.commands import COMMANDS, PAPER_ACTIONS, Command
from reader.model import Digest
from reader.screens.main import tasks
from reader.screens.main.outward import Outward
from reader.settings import Settings
from reader.sources.source import DigestSource
from reader.text import inert
from reader.widgets.abstract import AbstractPane, render_paper
from reader.widgets.compositor import SpanCompositor
from reader.widgets.filter_input import FilterInput
from reader.widgets.header import FittedHeader
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
from reader.widgets.paper_list import PaperList
from reader.widgets.sidebar import Sidebar

NARROW = 100
"""Below this many columns the sidebar collapses (b shows it)."""
TINY = 60
"""Below this many columns the list and the abstract take the screen one at a time."""
AHEAD_DELAY = 0.05
"""Seconds without a change of the list or the paper shown before what the next key most likely
shows is rendered ahead (a burst of keys, a word typed, renders nothing its next key changes)."""


class MainScreen(Outward):
    """Sidebar of weeks and categories, the paper list, the abstract of the highlighted paper.

    Every key that moves the focus moves it at once (`set_focus`, never the deferred `focus()`),
    and Enter is a priority binding here: the App routes the next key of a burst by the focus
    this leaves.
    """

    AUTO_FOCUS = "#papers"

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
        self, browse: Browse, settings: Settings, source: DigestSource | None = None
    ) -> None:
        super().__init__()
        self._compositor = SpanCompositor()  # a key's update cuts only the lines it writes
        self.browse = browse
        self.settings = settings
        self.source = source
        self.read_delay = settings.read_delay
        self._read_timer: Timer | None = None
        self._shown: tuple[object, ...] | None = None
        """What the abstract pane shows: (digest, paper index, query)."""
        self._had_papers = True
        self._ahead: Timer | None = None
        """Renders what the next key most likely shows once the keys pause (`_render_ahead`)."""
        self.ready = False
        """True once composed and mounted: before, no handler may touch the widgets."""
        self._header: FittedHeader | None = None

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # No containers (each costs its mount, styles and a full render before the first paint):
        # the header, the key line and the sidebar are split off the screen in this order, the
        # rest stacks in what is left (styles/reader.tcss).
        self._header = FittedHeader(icon="≡")  # ⭘, Textual's, is a box in many fonts
        yield self._header
        yield KeyLine()
        yield Sidebar(id="sidebar")
        yield FilterInput(
            placeholder='/ to filter: words, "a phrase", -word, cat:…, week:…',
            id="filter",
            select_on_focus=False,
        )
        yield Static("", id="filter-error", markup=False)
        yield PaperList(id="papers")
        yield AbstractPane(id="abstract")

    def on_mount(self) -> None:
        bar = self.filter_bar
        bar.cursor_blink = False
        self.query_one("#filter-error").display = False
        if self.browse.text:
            bar.value = self.browse.text
        self.paper_list.status = self.browse.marks
        self.act(self.browse.open)
        self.set_focus(self.paper_list)
        self.watch(self.sidebar, "cursor", self._sidebar_moved, init=False)
        self.watch(self.paper_list, "cursor", self._paper_moved, init=False)
        self.watch(bar, "value", self._filter_changed, init=False)
        warm = self.browse.warm()
        written = self.source.write_cache if self.source is not None else None
        if warm is not None:  # once painted: the thread slowed the paint
            self.call_after_refresh(tasks.warm, self, warm, self._digest, written)
        elif written is not None:
            self.call_after_refresh(written)
        self.call_after_refresh(self.act, self.browse.merge)  # the sync folder, once painted
        self._watch_source()
        self.ready = True

    def on_resize(self, event: events.Resize) -> None:
        width = event.size.width
        self.set_class(width < NARROW, "-narrow")
        tiny = width < TINY
        if tiny != self.has_class("-tiny"):
            self.set_class(tiny, "-tiny")
            if self.ready:
                self.draw(Changed.TITLE)
        if self.ready:
            self._focus_off_hidden()
            self._draw_header()
            self.call_after_refresh(self._keep_focus)

    def _focus_off_hidden(self) -> None:
        """The resize hid the focused pane: the focus goes where it went when the sidebar and the
        column were containers of their own (Textual gives it to a shown sibling that takes it):
        from the column to its first such pane; from the sidebar nowhere (`_keep_focus` gives it
        to the list), not to the filter bar, its sibling now that the screen holds them all."""
        focused = self.focused
        if focused is None or focused.display:
            return
        column = [self.filter_bar, self.paper_list, self.query_one(AbstractPane)]
        if focused in column:
            shown = [pane for pane in column if pane.display and pane.focusable]
            self.set_focus(shown[0] if shown else None)
        else:
            self.set_focus(None)

    def _keep_focus(self) -> None:
        """A pane hidden by a resize took the focus with it: the list takes it."""
        if self.focused is None and self.app.screen is self:
            self.set_focus(self._main_pane())

    def _digest(self) -> Digest:
        return self.browse.digest

    # --- the one redraw ----------------------------------------------------------------------

    def draw(self, also: Changed = Changed.NONE) -> None:
        """Draw what the model (and `also`) says changed since the last draw, now, so the whole
        update of a key lands before the next key is routed; say what the model has to say
        and start the background work it asks for."""
        browse = self.browse
        for job in browse.take_jobs():
            tasks.start(self, job, self._digest)
        changed = browse.take_changes() | also
        if Changed.ERROR in changed:
            self._draw_error()
        if Changed.BAR in changed:
            self.filter_bar.value = browse.text
            self.filter_bar.cursor_position = len(browse.text)  # typing goes on at the end
        if Changed.LIST in changed:
            self._draw_list()
        else:
            if Changed.MARKS in changed:
                self.paper_list.refresh()
            if Changed.CURSOR in changed:
                self.paper_list.cursor = browse.cursor
        if Changed.SIDEBAR in changed:
            self._draw_sidebar()
        if Changed.TITLE in changed:
            self._draw_title()
        if changed & (Changed.PANE | Changed.DETAILS):
            self._draw_pane(changed)
        if changed & (Changed.LIST | Changed.PANE):
            self._ahead_soon()
        for toast in browse.take_toasts():
            self.say(toast.text, severity=toast.severity, timeout=toast.timeout)
        while browse.store.warnings:
            self.say(inert(browse.store.warnings.pop(0)), severity="warning", timeout=8)

    def _draw_error(self) -> None:
        error = self.query_one("#filter-error", Static)
        if self.browse.error is not None:
            error.update(self.browse.error)
            error.display = True
        elif error.display:
            error.display = False

    def _draw_list(self) -> None:
        browse = self.browse
        self.paper_list.show(
            browse.digest,
            browse.rows,
            show_week=browse.view.show_week,
            spans=browse.spans,
            cursor=browse.cursor,
            announce=False,  # the abstract follows here, before the next key
        )
        self._draw_empty()
        if bool(browse.rows) != self._had_papers:  # the paper keys come and go
            self._had_papers = bool(browse.rows)
            self.refresh_bindings()

    def _ahead_soon(self) -> None:
        """Render ahead (`_render_ahead`) once the keys pause (not while the screen opens:
        the first paint's work stays what it is)."""
        if not self.ready:
            return
        if self._ahead is not None:
            self._ahead.stop()
        self._ahead = self.set_timer(AHEAD_DELAY, self._render_ahead, name="render-ahead")

    def _render_ahead(self) -> None:
        """What the next key most likely shows, rendered while the keys pause: the rows a cursor
        move changes and the abstracts of the papers above and below the cursor; the rows of the
        weeks `[` and `]` go to and the abstract of each one's first paper. That key then
        renders none of them."""
        self._ahead = None
        browse, pane = self.browse, self.query_one(AbstractPane)
        ahead = browse.weeks_ahead()
        weeks = [rows for _, rows in ahead]
        self.paper_list.prepare_moves()
        for week, rows in ahead:
            self.paper_list.prepare(rows)
            entries = browse.sidebar_ahead(week, rows)
            if entries is not None:
                self.sidebar.prepare(entries, sidebar_cursor(entries, self._sidebar_keep()))
            if self._header is not None:
                compact = self.has_class("-tiny")
                self._header.prepare(browse.title_ahead(week, rows, compact=compact))
        for index in browse.papers_ahead(weeks):
            content = browse.pane(index)
            pane.prepare(content, lambda: render_paper(content))  # noqa: B023 (called here)

    def _draw_empty(self) -> None:
        """What the empty list says, its keys those that work where the focus is."""
        typing = self.focused is self.filter_bar
        self.paper_list.empty_lines = self.browse.empty_lines(typing)

    def on_descendant_focus(self) -> None:
        if not self.browse.rows:  # the filter bar takes or gives up the focus: other keys
            self._draw_empty()

    def _draw_sidebar(self) -> None:
        """The sidebar's rows; its cursor stays on a category, tag or search the user is on."""
        entries = self.browse.sidebar()
        self.sidebar.set_entries(entries, sidebar_cursor(entries, self._sidebar_keep()))

    def _sidebar_keep(self) -> Entry | None:
        """The sidebar row its cursor stays on: a category, tag or search the user is on."""
        sidebar = self.sidebar
        current = sidebar.current
        if self.focused is sidebar and current is not None:
            return current if current.kind in ("category", "tag", "search") else None
        return None

    def _draw_title(self) -> None:
        """The header's subtitle, repainting the header alone, in this frame.

        Assigning `Screen.sub_title` repaints the whole screen, and the Header picks the new
        title up a frame later (an async watcher) with a layout of its own. (Its title widget
        is found by its type's name: `FittedHeader.show_title`.)"""
        text = self.browse.title(compact=self.has_class("-tiny"))
        if text == self.sub_title:
            return
        self.set_reactive(Screen.sub_title, text)
        self._draw_header()

    def _draw_header(self) -> None:
        """The header's title and subtitle as they fit now (after a resize too)."""
        if self._header is not None:
            self._header.show_title()

    def _draw_pane(self, changed: Changed) -> None:
        """The abstract of the paper under the cursor. The same paper (digest, paper and query)
        is drawn again only when what is known of it changed, where it was scrolled to; another
        one from its top, and it becomes read if it stays there long enough."""
        browse, pane = self.browse, self.query_one(AbstractPane)
        index = browse.current
        shown = (browse.digest, index, browse.query)
        last = self._shown
        if index is not None and last is not None and all(map(operator.is_, shown, last)):
            if Changed.DETAILS in changed:  # the same paper, again where it was scrolled to
                scroll = pane.scroll_y
                content = browse.pane()
                pane.show(content, lambda: render_paper(content))
                pane.scroll_to(y=scroll, animate=False)
            return
        if index is None and Changed.PANE not in changed:
            return
        self._shown = shown
        self._stop_dwell()
        content = browse.pane()
        pane.show(content, lambda: render_paper(content))
        if index is not None and content.read is False and self.read_delay >= 0:
            self._dwell(index)

    # --- reading by dwelling ------------------------------------------------------------------

    def _dwell(self, index: int) -> None:
        self._read_timer = self.set_timer(
            self.read_delay, lambda: self._dwelt_on(index), name="mark-read"
        )

    def _stop_dwell(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _dwelt_on(self, index: int) -> None:
        self._read_timer = None
        if self.browse.current != index:
            return
        if self.app.screen is not self or not self.query_one(AbstractPane).display:
            self._dwell(index)  # hidden (help, palette, a narrow list): not read yet
            return
        self.act(self.browse.mark_read, index)

    def refresh_marks(self) -> None:
        """Pick up marks that another running instance saved meanwhile."""
        if self.ready:  # a focus event before the screen composed: on_mount reads the store
            self.act(self.browse.refresh_marks)

    # --- events from the widgets and the tasks ------------------------------------------------

    def _paper_moved(self) -> None:
        """The list's cursor moved: the pane follows at once (watched, not a message, so the
        key's whole update lands in the frame it triggers)."""
        if self.browse.point(self.paper_list.cursor):
            self.draw()

    @on(PaperHighlighted)
    def _paper_highlighted(self, event: PaperHighlighted) -> None:
        self._paper_moved()  # shown already, unless a cursor was set without its watcher

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
        browse = self.browse
        if isinstance(choice, CategoryToggled):
            self.act(browse.toggle_category, choice.category)
        elif isinstance(choice, TagToggled):
            self.act(browse.toggle_tag, choice.tag)
        elif isinstance(choice, SearchChosen):
            self.act(browse.pick_search, choice.name)
        elif isinstance(choice, WeekChosen):
            self.act(browse.show_week, choice.week)
        elif isinstance(choice, StarredChosen):
            self.act(browse.show_week, None, starred_only=True)
        if isinstance(choice, (WeekChosen, StarredChosen, SearchChosen)) and choice.picked:
            self.remove_class("-sidebar-open")
            self.set_focus(self.paper_list)

    @on(PaperChosen)
    def _paper_clicked(self, event: PaperChosen) -> None:
        self._paper_selected()

    def _paper_selected(self) -> None:
        """Enter (or a double click) on a paper: its abstract takes the focus, to be read and
        scrolled (j, k, Space); Esc gives the focus back to the list. Tiny screens show it."""
        if self.browse.current is None:
            return
        if self.has_class("-tiny"):
            self.add_class("-show-abstract")
        self.set_focus(self.query_one(AbstractPane))

    def _filter_changed(self, value: str) -> None:
        """The filter's text changed (watched: the list is filtered before the next key)."""
        if value != self.browse.text:  # else the model has it already (set_filter)
            self.act(self.browse.ask, value)

    @on(tasks.Filtered)
    def _filtered(self, event: tasks.Filtered) -> None:
        self.act(self.browse.answer, event.search, event.hits, event.ranking)

    @on(tasks.MarksSaved)
    def _marks_saved(self, event: tasks.MarksSaved) -> None:
        self.act(self.browse.saved, event.bulk)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter":  # only where Enter means something; elsewhere the widget's own
            focused = self.focused
            return focused is not None and focused.id in ("filter", "sidebar", "papers")
        if self.ready and action in PAPER_ACTIONS:  # hidden without one (key line, palette)
            return self.browse.current is not None
        return True

    def explain_idle_key(self, key: str) -> bool:
        """`key` runs a command that needs a paper and none is highlighted: say why nothing
        happens (the key line and the palette leave such commands out). True when said."""
        if not self.ready or self.browse.current is not None:
            return False
        for binding in self._bindings.key_to_bindings.get(key, []):
            command = next((c for c in COMMANDS if c.action == binding.action), None)
            if command is not None and command.action_name in PAPER_ACTIONS:
                self.say(f"{command.palette_title}: no paper in the view.", timeout=2)
                return True
        return False

    def offers(self, command: Command) -> bool:
        """Whether the palette lists `command`: it applies now (undo: something to undo)."""
        if command.action == "undo" and not self.browse.can_undo:
            return False
        return self.check_action(command.action_name, ()) is not False

    def action_enter(self) -> None:
        """Enter: the filter keeps its query and gives the keys back to the list; the sidebar
        picks its row; the list gives the focus to the abstract (tiny screens: shows it)."""
        focused = self.focused
        if focused is self.sidebar:
            self._sidebar_chose(self.sidebar.choice(picked=True))
        elif focused is self.paper_list:
            self._paper_selected()
        else:
            self.set_focus(self.paper_list)

    # --- actions: the view --------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Replace the query text (the filter bar shows it) and apply it."""
        self.act(self.browse.set_query, text)

    def action_focus_filter(self) -> None:
        """Focus the filter with its text selected: typing replaces it, → or End edits it."""
        self.remove_class("-show-abstract")
        bar = self.filter_bar
        self.set_focus(bar)
        bar.select_all()

    def action_older_week(self) -> None:
        self.act(self.browse.step_week, 1)

    def action_newer_week(self) -> None:
        self.act(self.browse.step_week, -1)

    def action_all_weeks(self) -> None:
        self.act(self.browse.show_week, None)

    def action_narrow_category(self) -> None:
        self.act(self.browse.narrow_category)

    def action_more_like(self) -> None:
        """~: the papers most like the highlighted one, of every week (Esc comes back)."""
        self.act(self.browse.more_like)
        self.set_focus(self.paper_list)

    def action_cycle_sort(self) -> None:
        self.act(self.browse.cycle_sort)

    def action_reverse_sort(self) -> None:
        self.act(self.browse.reverse_sort)

    def action_next_unread(self) -> None:
        self.act(self.browse.jump_unread, 1)

    def action_previous_unread(self) -> None:
        self.act(self.browse.jump_unread, -1)

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
        """Esc: leave the filter, clear the selection, the abstract, the sidebar, the query."""
        if self.focused is self.filter_bar:
            if self.filter_bar.value:
                self.set_filter("")
            self.set_focus(self.paper_list)
        elif self.browse.selected:
            self.act(self.browse.clear_selection)
        elif self.has_class("-show-abstract") or isinstance(self.focused, AbstractPane):
            self.remove_class("-show-abstract")  # the abstract: back to the list
            self.set_focus(self.paper_list)
        elif self.has_class("-sidebar-open"):
            self.remove_class("-sidebar-open")
            self.set_focus(self.paper_list)
        elif self.browse.can_go_back:  # out of a More like view (~)
            self.act(self.browse.go_back)
        elif self.browse.query_text:
            self.set_filter("")

    # --- actions: reading state and the reader's own layer -------------------------------------

    def action_toggle_read(self) -> None:
        if not self.browse.selected:  # an explicit choice beats the dwell timer
            self._stop_dwell()
        self.act(self.browse.toggle_read)

    def action_toggle_star(self) -> None:
        self.act(self.browse.toggle_star)

    def action_mark_view_read(self) -> None:
        self.act(self.browse.mark_view_read)

    def action_undo(self) -> None:
        self.act(self.browse.undo)

    def action_toggle_selection(self) -> None:
        self.act(self.browse.toggle_selection)

    def action_edit_note(self) -> None:
        from reader.screens.main import editors  # Textual's TextArea: after the first paint

        editor = editors.note(self.browse, self.draw)
        if editor is not None:
            self.app.push_screen(editor)

    def action_keep_note(self) -> None:
        self.act(self.browse.keep_note)

    def action_edit_tags(self) -> None:
        from reader.screens.main import editors

        editor = editors.tags(self.browse, self.draw)
        if editor is not None:
            self.app.push_screen(editor)

    def action_save_search(self) -> None:
        from reader.screens.main import editors

        editor = editors.search(self.browse, self.draw)
        if editor is None:
            self.say("Type a query first (/): that is what a search saves.", timeout=3)
        else:
            self.app.push_screen(editor)

    def action_delete_search(self) -> None:
        entry = self.sidebar.current
        if self.focused is not self.sidebar or entry is None or entry.kind != "search":
            self.say("Highlight a saved search in the sidebar to delete it.", timeout=2)
            return
        self.act(self.browse.delete_search, entry.category)
