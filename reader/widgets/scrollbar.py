"""A vertical scrollbar that is repainted only when its thumb would be drawn differently.

Textual repaints a scrollbar (every one of its lines, ~40 us each) whenever the size or
position it shows changes at all. A week switch changes the sidebar's length by a category row
or two and the list's by a few papers: at 1,000 weeks the thumb stays where it was, and the
repaint was a tenth of the key's time.
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING, cast

from rich.console import RenderableType
from textual.geometry import Size
from textual.reactive import Reactive
from textual.renderables.blank import Blank
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.widget import Widget

from reader.widgets.plain_lines import PlainStylesCache

if TYPE_CHECKING:
    from collections.abc import Hashable


def thumb(size: int, virtual_size: float, window_size: float, position: float) -> Hashable:
    """What decides how `ScrollBarRender.render_bar` draws a bar of `size` cells: the thumb's
    first and last eighths of a cell (the same arithmetic), or, without a thumb, the inputs."""
    if not (window_size and size and virtual_size and size != virtual_size):
        return ("no thumb", size, virtual_size, window_size, position)
    if virtual_size <= window_size:  # nothing to scroll (Textual hides the bar; it cannot draw it)
        return ("all shown", size, virtual_size, window_size, position)
    eighths = len(ScrollBarRender.VERTICAL_BARS)
    thumb_size = max(1, window_size / (virtual_size / size))
    offset = (size - thumb_size) * (position / (virtual_size - window_size))
    start = int(offset * eighths)
    return (size, start, start + ceil(thumb_size * eighths))


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

    def _repaint_if_moved(self) -> None:
        if not self._size:  # not laid out yet: drawn with its first layout. (Its size would ask
            return  # the compositor for a map of every widget, hidden ones too: ~3M instructions)
        drawn = self._thumb()
        if drawn != self._drawn:
            self._drawn = drawn
            self.refresh()

    def watch_window_virtual_size(self) -> None:
        self._repaint_if_moved()

    def watch_window_size(self) -> None:
        self._repaint_if_moved()

    def watch_position(self) -> None:
        self._repaint_if_moved()

    def render(self) -> RenderableType:
        self._drawn = self._thumb()
        if self._blank() and isinstance(self.parent, Widget):
            # a Visual, as Textual's own ScrollBarCorner draws (ScrollBar.render says rich's)
            return cast(RenderableType, Blank(self.parent.background_colors[1]))
        return super().render()


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
        bar.window_virtual_size = size.height
        bar.window_size = widget.container_size.height - widget.scrollbar_size_horizontal
        if not isinstance(bar, QuietScrollBar):
            bar.refresh()
    widget.scroll_x = widget.validate_scroll_x(widget.scroll_x)
    widget.scroll_y = widget.validate_scroll_y(widget.scroll_y)
