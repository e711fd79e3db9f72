"""A vertical scrollbar that repaints only the lines its thumb's move changes.

Textual repaints a scrollbar (every one of its lines, ~40 us each) whenever the size or
position it shows changes at all. A week switch changes the sidebar's length by a category row
or two and the list's by a few papers: at 1,000 weeks the thumb stays where it was, and the
repaint was a tenth of the key's time. When the thumb does move (a week of another length), a
line or two of the bar change: only those are repainted (a repaint of all of them made the
compositor cut every line of the screen that the bar crosses), and the bar's lines are made
without rich's console (`BarLines`), the same strips again for the lines that stay.
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING, cast

from rich.color import Color
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.renderables.blank import Blank
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget

from reader.widgets.plain_lines import PlainStylesCache

if TYPE_CHECKING:
    from collections.abc import Hashable

    from textual.css.styles import RulesMap


def thumb_eighths(
    size: int, virtual_size: float, window_size: float, position: float
) -> tuple[int, int] | None:
    """Where `ScrollBarRender.render_bar` draws the thumb of a bar of `size` cells: its first
    and last eighth of a cell (the same arithmetic); None when it draws none."""
    if not (window_size and size and virtual_size and size != virtual_size):
        return None
    if virtual_size <= window_size:  # nothing to scroll (Textual hides the bar; it cannot draw it)
        return None
    eighths = len(ScrollBarRender.VERTICAL_BARS)
    thumb_size = max(1, window_size / (virtual_size / size))
    offset = (size - thumb_size) * (position / (virtual_size - window_size))
    start = int(offset * eighths)
    return start, start + ceil(thumb_size * eighths)


def thumb(size: int, virtual_size: float, window_size: float, position: float) -> Hashable:
    """What decides how `ScrollBarRender.render_bar` draws a bar of `size` cells: the thumb's
    first and last eighths of a cell, or, without a thumb, the inputs."""
    found = thumb_eighths(size, virtual_size, window_size, position)
    if found is None:
        return ("no thumb", size, virtual_size, window_size, position)
    return (size, *found)


def bar_lines(
    size: int, virtual_size: float, window_size: float, position: float
) -> list[Hashable]:
    """What each line of a vertical bar of `size` cells shows as `ScrollBarRender.render_bar`
    draws it (`thumb_eighths`): above the thumb, in it, below it, or its first or last line
    (in eighths of a cell); without a thumb, the bar's back."""
    found = thumb_eighths(size, virtual_size, window_size, position)
    if found is None:
        return [None] * size
    bars = ScrollBarRender.VERTICAL_BARS
    eighths = len(bars)
    top, top_eighth = divmod(max(0, found[0]), eighths)
    bottom, bottom_eighth = divmod(max(0, found[1]), eighths)
    lines: list[Hashable] = [
        "above" if y < top else "thumb" if y < bottom else "below" for y in range(size)
    ]
    if top < size and bars[eighths - 1 - top_eighth] != " ":
        lines[top] = ("first", top_eighth)
    if bottom < size and bars[eighths - 1 - bottom_eighth] != " ":
        lines[bottom] = ("last", bottom_eighth)
    return lines


class BarLines(Visual):
    """A vertical `ScrollBarRender` as the strips Textual makes of it (each line's one segment
    in the widget's style: `Widget.post_render`, `RichVisual.render_strips`), without rich's
    console: a thumb's move then draws its few changed lines (the same strips as before for
    the others, which the styles cache finds finished) rather than the whole bar anew."""

    def __init__(self, bar: ScrollBarRender, seen: dict[tuple[Segment, RichStyle], Strip]) -> None:
        self._bar = bar
        self._seen = seen

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        bar, seen = self._bar, self._seen
        colors = bar.style if isinstance(bar.style, RichStyle) else RichStyle.parse(bar.style)
        segments = bar.render_bar(
            size=height or 0,
            window_size=bar.window_size,
            virtual_size=bar.virtual_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=colors.bgcolor or Color.parse("#555555"),
            bar_color=colors.color or Color.parse("bright_magenta"),
        ).segments
        base = style.rich_style
        strips = []
        for segment in segments[:height]:  # a thumb at the end may run past it (rich crops)
            strip = seen.get((segment, base))
            if strip is None:
                if len(seen) >= 64:
                    seen.clear()
                line = [Segment(segment.text, base + segment.style)] if base else [segment]
                strip = seen[segment, base] = Strip(line)
            strips.append(strip)
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._bar.virtual_size


class QuietScrollBar(ScrollBar):
    """A ScrollBar whose size and position repaint it only when the thumb moves or resizes."""

    window_virtual_size: Reactive[int] = Reactive(100, repaint=False)
    window_size: Reactive[int] = Reactive(0, repaint=False)
    position: Reactive[float] = Reactive(0, repaint=False)

    def __init__(
        self, vertical: bool = True, name: str | None = None, *, thickness: int = 1
    ) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._styles_cache = PlainStylesCache()  # its lines styled the short way
        self._drawn: Hashable = None
        self._strips_seen: dict[tuple[Segment, RichStyle], Strip] = {}
        """The bar's lines as drawn (`BarLines`), by their segment and the widget's style."""
        self._drawn_lines: list[Hashable] | None = None
        """What each line of the bar was drawn with (`_bar_lines`), None: drawn blank or not
        known."""

    def _thumb(self) -> Hashable:
        size = self.size.height if self.vertical else self.size.width
        if self._blank():
            return ("blank", size)
        return thumb(size, self.window_virtual_size, self.window_size, self.position)

    def _blank(self) -> bool:
        """Shown always (its widget's `overflow-y: scroll`, so that it never lays the screen out
        by coming or going) with nothing to scroll: drawn blank, as a stable gutter is."""
        parent = self.parent
        return (
            isinstance(parent, Widget)
            and parent.styles.overflow_y == "scroll"
            and self.window_virtual_size <= self.window_size
        )

    def _bar_lines(self) -> list[Hashable] | None:
        """What each line of the bar shows (`bar_lines`), colours aside (a change of them
        repaints the whole bar); None when drawn blank (or horizontal)."""
        if not self.vertical or self._blank():
            return None
        return bar_lines(
            self.size.height, self.window_virtual_size, self.window_size, self.position
        )

    def _repaint_if_moved(self) -> None:
        """Repaint the lines whose cells the thumb's move changes (all of them when the bar
        comes or goes): at 1,000 weeks a week switch moves the sidebar's thumb by a line, and
        a repaint of every line made the compositor cut every line of the screen again."""
        if not self._size:  # not laid out yet: drawn with its first layout. (Its size would ask
            return  # the compositor for a map of every widget, hidden ones too: ~3M instructions)
        drawn = self._thumb()
        if drawn == self._drawn:
            return
        self._drawn = drawn
        old, lines = self._drawn_lines, self._bar_lines()
        self._drawn_lines = lines
        if old is None or lines is None or len(old) != len(lines):
            self.refresh()
            return
        width = self.size.width
        changed = [y for y, (was, now) in enumerate(zip(old, lines, strict=False)) if was != now]
        start = 0
        for at in range(1, len(changed) + 1):
            if at == len(changed) or changed[at] != changed[at - 1] + 1:
                self.refresh(Region(0, changed[start], width, at - start))
                start = at

    def watch_window_virtual_size(self) -> None:
        self._repaint_if_moved()

    def watch_window_size(self) -> None:
        self._repaint_if_moved()

    def watch_position(self) -> None:
        self._repaint_if_moved()

    def render(self) -> RenderableType:
        self._drawn = self._thumb()
        self._drawn_lines = self._bar_lines()
        if self._blank() and isinstance(self.parent, Widget):
            # a Visual, as Textual's own ScrollBarCorner draws (ScrollBar.render says rich's)
            return cast(RenderableType, Blank(self.parent.background_colors[1]))
        bar = super().render()
        if isinstance(bar, ScrollBarRender) and bar.vertical:
            return cast(RenderableType, BarLines(bar, self._strips_seen))
        return bar


class QuietScrollbars(Widget):
    """Mixin (before the widget class): the vertical scrollbar is a QuietScrollBar."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            bar = QuietScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar


def update_scrollbar(widget: Widget, size: Size) -> None:
    """Tell `widget`'s vertical scrollbar its new virtual `size` (the bar stays shown or hidden:
    the caller lays the screen out when that changes), as Textual's `_scroll_update` does,
    except that a quiet bar repaints itself only if its thumb moved (Textual's repaints it)."""
    if widget.show_vertical_scrollbar and widget.styles.scrollbar_size_vertical:
        bar = widget.vertical_scrollbar
        window = widget.container_size.height - widget.scrollbar_size_horizontal
        if not isinstance(bar, QuietScrollBar):
            bar.window_virtual_size = size.height
            bar.window_size = window
            bar.refresh()
        elif (bar.window_virtual_size, bar.window_size) != (size.height, window):
            # Both set, then the thumb compared once (each reactive assignment ran its
            # watcher, ~30 us apiece, and a week switch sets the list's and the sidebar's).
            bar.set_reactive(QuietScrollBar.window_virtual_size, size.height)
            bar.set_reactive(QuietScrollBar.window_size, window)
            bar._repaint_if_moved()
    # Assigned only when they change (an assignment validates again and compares: ~20 us).
    scroll_x = widget.validate_scroll_x(widget.scroll_x)
    if scroll_x != widget.scroll_x:
        widget.scroll_x = scroll_x
    scroll_y = widget.validate_scroll_y(widget.scroll_y)
    if scroll_y != widget.scroll_y:
        widget.scroll_y = scroll_y
