"""A keyboard-driven list of rows drawn with the Line API: as quick at 100,000 rows as at 100."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from reader.contrast import legible, truecolor
from reader.widgets.plain_lines import PlainStylesCache
from reader.widgets.scrollbar import QuietScrollbars, update_scrollbar

if TYPE_CHECKING:
    from typing_extensions import Self


def set_virtual_size(widget: ScrollView, size: Size, repaint: bool = True) -> bool:
    """Give `widget` a new virtual size, laying the screen out only when that can change it.

    Assigning `virtual_size` always lays the whole screen out (a frame's worth of work), even when
    the size is the same. Unless the vertical scrollbar appears or goes, nothing outside the
    widget moves: then the size is set quietly and only the scrollbar is updated (repainted if
    its thumb moves)."""
    old = widget.virtual_size
    if size == old:
        return False
    height = widget.container_size.height
    # Without a horizontal scrollbar the width lays nothing out (the first one, known only
    # in the first layout, would otherwise lay the screen out again and repaint all of it).
    wide = size.width != old.width and widget.styles.overflow_x != "hidden"
    comes = widget.styles.overflow_y == "auto" and (size.height > height) != (old.height > height)
    if wide or comes:
        widget.virtual_size = size
        # The scrollbar comes or goes in this layout, not in the two that Textual would
        # otherwise run in the next frames (one for the scrollbar, one for its size).
        widget._refresh_scrollbars()
        return True
    widget.set_reactive(Widget.virtual_size, size)
    update_scrollbar(widget, size)
    if repaint:
        widget.refresh()
    return False


def refresh_runs(widget: ScrollView, rows: Sequence[int]) -> None:
    """Repaint `rows` (ascending, in the widget's virtual lines) of `widget`, one region a run
    of neighbours: each refresh costs Textual ~40 us, and a week switch changes every row of
    the list, a cursor move most lines of the abstract."""
    start = 0
    for at in range(1, len(rows) + 1):
        if at == len(rows) or rows[at] != rows[at - 1] + 1:
            widget.refresh_lines(rows[start], at - start)
            start = at


_FRAME_STYLES: dict[Widget, tuple[Style, int]] = {}
"""Each widget's `rich_style` and content width while its lines are being rendered."""


@contextmanager
def frame_style(widget: Widget) -> Iterator[None]:
    """While `widget` renders a batch of lines, its `rich_style` and the width of its content
    are worked out once: Textual walks every ancestor's styles for the one (~0.5 ms) and the
    widget's gutter and scrollbars for the other (~8 us), and a pane asks for both on every
    line."""
    _FRAME_STYLES[widget] = (widget.rich_style, widget.scrollable_content_region.width)
    try:
        yield
    finally:
        _FRAME_STYLES.pop(widget, None)


def legible_segments(segments: Iterable[Segment]) -> list[Segment]:
    """The segments of a cursor row, each colour that reads under WCAG AA (4.5:1) on its
    background moved until it does (`reader.contrast.legible`): a read paper's muted title, the
    week, a star keep their hue on the cursor's background, which the theme chose for its own
    cursor text."""
    out = []
    for segment in segments:
        style = segment.style
        if style is not None and segment.text.strip():
            fg, bg = truecolor(style.color), truecolor(style.bgcolor)
            if fg is not None and bg is not None:
                better = legible(fg, bg)
                if better != fg:
                    style = style + Style(color=Color.from_rgb(*better))
                    segment = Segment(segment.text, style, segment.control)
        out.append(segment)
    return out


def base_style(widget: Widget) -> Style:
    """`widget.rich_style`, from the batch being rendered when there is one."""
    frame = _FRAME_STYLES.get(widget)
    return widget.rich_style if frame is None else frame[0]


def content_width(widget: Widget) -> int:
    """`widget.scrollable_content_region.width`, from the batch being rendered when there is
    one."""
    frame = _FRAME_STYLES.get(widget)
    return widget.scrollable_content_region.width if frame is None else frame[1]


ROWS_KEPT = 2_000
"""Rendered rows a list keeps (`LineList.row_key`): twenty screens' worth, ~1 MB."""


class RowMessage(Message):
    """Something happened on `row` of a LineList (its `control`, for @on selectors)."""

    def __init__(self, line_list: LineList, row: int) -> None:
        super().__init__()
        self.line_list = line_list
        self.row = row

    @property
    def control(self) -> LineList:
        return self.line_list


class LineList(QuietScrollbars, ScrollView, can_focus=True):
    """A cursor over `row_count` rows; subclasses say how a row looks in `render_row`.

    | Key | Action |
    |---|---|
    | down, j / up, k | Move the cursor |
    | pagedown / pageup | Move a page |
    | home, g / end, G | First / last row |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    DEFAULT_CSS = """
    LineList {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    CURSOR_COMPONENT = ""
    """The component class whose style marks the cursor row (empty: none)."""

    cursor: reactive[int] = reactive(0, init=False, always_update=True, repaint=False)
    """Moving it repaints the two rows (or the page, when it scrolls), not the whole list."""

    class CursorMoved(RowMessage):
        """The cursor moved to `row` (also posted when the rows are replaced)."""

    class RowSelected(RowMessage):
        """Enter (or a click) on `row`."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._styles_cache: PlainStylesCache = PlainStylesCache()
        self.row_count = 0
        self._empty_lines: list[str] = []
        self._component_styles_seen: dict[tuple[str, bool], Style] = {}
        self._drawn: dict[int, Strip] = {}
        """The strip last given to Textual for each line on screen (y within the widget)."""
        self._prepared: dict[tuple[int, int], Strip] = {}
        """Lines worked out when the rows were replaced, by (scroll y, y): Textual asks for
        them in the frame that follows. Anything else that changes the lines clears them."""
        self._rows_seen: dict[tuple[Hashable, Style], Strip] = {}
        """Rows rendered before, by what they show (`row_key`) and the widget's style: a filter
        keystroke that keeps the rows, a week seen again, renders none of them again."""

    @property
    def empty_lines(self) -> list[str]:
        """What the list shows while it has no rows (why, and what to do)."""
        return self._empty_lines

    @empty_lines.setter
    def empty_lines(self, lines: list[str]) -> None:
        if lines != self._empty_lines:
            self._empty_lines = lines
            if not self.row_count:
                self.refresh()

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if not regions:
            self._prepared.clear()  # everything is drawn afresh
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    # --- content ---------------------------------------------------------------------------

    def set_row_count(self, count: int, cursor: int = 0, announce: bool = True) -> None:
        """Replace the rows: `count` of them, the cursor on `cursor` (announced unless told not).

        Only the lines that now read differently are repainted (a filter keystroke that keeps
        the same papers changes few, often none), unless the list scrolls or is laid out."""
        top = int(self.scroll_offset.y)
        drawn = dict(self._drawn) if self.display and self.size.height > 0 else None
        self._prepared.clear()
        self.row_count = count
        laid_out = self._set_virtual_size(Size(self.size.width, count), repaint=False)
        self.set_reactive(LineList.cursor, self._clamp(cursor))
        self._scroll_cursor_into_view(center=True)
        if drawn is None or laid_out or int(self.scroll_offset.y) != top:
            self.refresh()
        else:
            self._repaint_changed(drawn)
        if announce:
            self.post_message(self.cursor_message(self.cursor))

    def _repaint_changed(self, drawn: dict[int, Strip]) -> None:
        top = int(self.scroll_offset.y)
        changed = []
        with frame_style(self):
            for y in range(self.size.height):
                strip = self._render_line(y)
                if drawn.get(y) != strip:
                    self._prepared[top, y] = strip
                    changed.append(top + y)
        self.refresh_rows(changed)

    def refresh_rows(self, rows: list[int]) -> None:
        """Repaint `rows` (ascending), one region a run of neighbours (`refresh_runs`)."""
        refresh_runs(self, rows)

    def cursor_message(self, row: int) -> Message:
        """What the list posts when its cursor moves to `row`; subclasses speak their domain."""
        return self.CursorMoved(self, row)

    def select_message(self, row: int) -> Message | None:
        """What the list posts on Enter or a double click on `row`."""
        return self.RowSelected(self, row)

    def component_style(self, name: str, background: bool = False) -> Style:
        """A component class's style (colours blended), without its background unless asked,
        so that the cursor row's background shows under it. Kept until the styles change:
        Textual works each out again after every refresh (~0.1 ms a name)."""
        seen = self._component_styles_seen.get((name, background))
        if seen is not None:
            return seen
        full = self.get_component_rich_style(name)
        style = full if background else Style(
            color=full.color,
            bold=full.bold,
            dim=full.dim,
            italic=full.italic,
            underline=full.underline,
            strike=full.strike,
            reverse=full.reverse,
        )
        self._component_styles_seen[name, background] = style
        return style

    def _cursor_style(self, base: Style) -> Style:
        """The cursor row's style, its background deepened (or lightened) where the theme's
        cursor text would not read on it at WCAG AA (`reader.contrast.legible`): textual-dark's
        #e0e0e0 on #0178d4 reads at 3.4:1; on the cursor's new #0062ae at 4.5:1."""
        seen = self._component_styles_seen.get(("-legible-cursor", True))
        if seen is not None:
            return seen
        style = self.component_style(self.CURSOR_COMPONENT, background=True)
        fg = truecolor(style.color) or truecolor(base.color)
        bg = truecolor(style.bgcolor)
        if fg is not None and bg is not None:
            better = legible(bg, fg)
            if better != bg:
                style = style + Style(bgcolor=Color.from_rgb(*better))
        self._component_styles_seen["-legible-cursor", True] = style
        return style

    def render_row(self, row: int, width: int, selected: bool) -> Text:
        """The content of `row` (override)."""
        return Text(str(row))

    def row_key(self, row: int, width: int, selected: bool) -> Hashable | None:
        """Everything `render_row` shows of `row` (drawn `width` wide, under the cursor when
        `selected`), as a hashable value: rows with equal keys look the same, so a row is
        rendered once for each. None (the default): rendered every time."""
        return None

    def forget_rows(self) -> None:
        """What the rows show changed in a way `row_key` does not say (another digest)."""
        self._rows_seen.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        with frame_style(self):
            return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        strip = self._prepared.pop((int(self.scroll_offset.y), y), None)
        if strip is None:
            strip = self._render_line(y)
        self._drawn[y] = strip
        return strip

    def _render_line(self, y: int) -> Strip:
        width = content_width(self)
        row = y + self.scroll_offset.y
        base = base_style(self)
        if not self.row_count and 0 <= row < len(self.empty_lines) and width > 0:
            text = Text(self.empty_lines[row], style=Style(dim=True, italic=True))
            text.truncate(width, overflow="ellipsis", pad=True)
            segments = list(text.render(self.app.console, end=""))
            return Strip(Segment.apply_style(segments, base), width)
        if row >= self.row_count or width <= 0:
            return Strip.blank(width, base)
        return self._row_strip(row, width, base)

    def _row_strip(self, row: int, width: int, base: Style) -> Strip:
        """`row` drawn `width` wide in the widget's style `base`: rendered, or as kept."""
        key = self.row_key(row, width, row == self.cursor)
        if key is None:
            return self._render_row_strip(row, width, base)
        seen = self._rows_seen.get((key, base))
        if seen is None:
            if len(self._rows_seen) >= ROWS_KEPT:
                self._rows_seen.clear()
            seen = self._rows_seen[key, base] = self._render_row_strip(row, width, base)
        return seen

    def prepare_moves(self) -> None:
        """Render ahead the rows a move of the cursor by one row changes: the row it leaves,
        without it, and the rows above and below, with it (`render_rows_ahead`)."""
        at = self.cursor
        try:
            for row in (at - 1, at + 1):
                if 0 <= row < self.row_count:
                    self.set_reactive(LineList.cursor, row)
                    self.render_rows_ahead((row, at))
        finally:
            self.set_reactive(LineList.cursor, at)

    def render_rows_ahead(self, rows: Iterable[int]) -> None:
        """Render `rows` (as they are now) into the rows kept, to be drawn later without
        rendering nor styling them then (`row_key`, `PlainStylesCache.prepare`)."""
        with frame_style(self):
            width = content_width(self)
            if width <= 0:
                return
            base = base_style(self)
            strips = [
                self._row_strip(row, width, base) for row in rows if 0 <= row < self.row_count
            ]
        self._styles_cache.prepare(self, strips)

    def _render_row_strip(self, row: int, width: int, base: Style) -> Strip:
        text = self.render_row(row, width, row == self.cursor)
        text.no_wrap = True
        text.truncate(width, overflow="ellipsis", pad=True)
        cursor = row == self.cursor and bool(self.CURSOR_COMPONENT)
        if cursor:
            text.stylize_before(self._cursor_style(base))
        segments = list(text.render(self.app.console, end=""))
        strip = Strip(segments, text.cell_len).crop_extend(0, width, None)
        styled = Segment.apply_style(strip, base)
        return Strip(legible_segments(styled) if cursor else styled, width)

    def notify_style_update(self) -> None:
        """The styles changed (a theme, focus, a class): component styles are worked out again."""
        super().notify_style_update()
        self._component_styles_seen.clear()
        self._rows_seen.clear()
        self.refresh()

    # --- the cursor ------------------------------------------------------------------------

    def _clamp(self, row: int) -> int:
        return max(0, min(row, self.row_count - 1)) if self.row_count else 0

    def validate_cursor(self, row: int) -> int:
        return self._clamp(row)

    def watch_cursor(self, old: int, row: int) -> None:
        self._prepared.clear()
        top = int(self.scroll_offset.y)
        self._scroll_cursor_into_view()
        if int(self.scroll_offset.y) == top:  # no scroll: only the two rows change
            self.refresh_lines(old)
            self.refresh_lines(row)
        else:
            self.refresh()
        self.post_message(self.cursor_message(row))

    def _scroll_cursor_into_view(self, center: bool = False) -> None:
        height = self.scrollable_content_region.height
        if height <= 0 or not self.display:  # hidden: scroll when shown (on_resize)
            return
        top = int(self.scroll_offset.y)
        if center and not (top <= self.cursor < top + height):
            self.scroll_to(y=max(0, self.cursor - height // 2), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Sized, in the layout that sizes the list, before that layout's frame is drawn: the
        first frame already shows the cursor's row (`on_resize` comes a frame later)."""
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if resized:
            self._resized()
        return resized

    def on_resize(self, event: events.Resize) -> None:
        self._resized()

    def _resized(self) -> None:
        self._set_virtual_size(Size(self.size.width, self.row_count))  # as set_row_count does
        self._scroll_cursor_into_view(center=True)

    def _set_virtual_size(self, size: Size, repaint: bool = True) -> bool:
        return set_virtual_size(self, size, repaint)

    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += self.page_height

    def action_page_up(self) -> None:
        self.cursor -= self.page_height

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.row_count - 1

    def action_select(self) -> None:
        message = self.select_message(self.cursor) if self.row_count else None
        if message is not None:
            self.post_message(message)

    async def on_click(self, event: events.Click) -> None:
        row = event.y + int(self.scroll_offset.y)
        if 0 <= row < self.row_count:
            self.cursor = row
            if event.chain >= 2:
                self.action_select()
