"""A content line of a plainly styled widget, styled the short way.

Textual styles every line a widget renders in `StylesCache.render_line`: it reads a dozen style
rules for each line (gutter, border, outline, hatch, tint, opacities), and works out the border's
segments and styles again, whatever the widget's styles are. For the lists and the abstract pane,
whose styles are a background, padding left and right and a border on one side, that is most of
what a changed line costs (two thirds here), and a key changes 25 lines (a cursor move) to 40 or
more (a week switch). `PlainStylesCache` reads the rules once a render and, while they are plain,
builds the same strip as Textual does: the content line, its padding, the side borders' cells.
Anything else (a top or bottom border's line, an outline, a tint, a hatch, opacity, top or
bottom padding) is left to Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from textual._border import get_box
from textual._segment_tools import line_pad
from textual._styles_cache import StylesCache
from textual.strip import Strip
from textual.style import Style

if TYPE_CHECKING:
    from rich.style import Style as RichStyle
    from textual.color import Color
    from textual.css.styles import StylesBase
    from textual.geometry import Size, Spacing
    from textual.widget import Widget

    RenderContentLine = Any


def plain(styles: StylesBase, opacity: float) -> bool:
    """Whether Textual's styling of a content line is only its padding left and right and the
    side borders over the widget's background: no outline, top or bottom padding, hatch, tint or
    opacity (a top or bottom border's own line is not a content line)."""
    if opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a:
        return False
    if styles.has_rule("hatch") and styles.hatch != "none":
        return False
    padding = styles.padding
    if padding.top or padding.bottom:
        return False
    return not any(edge for edge, _ in styles.outline)


class _Plain:
    """What one render's content lines share: the widget's background, side borders, rows."""

    __slots__ = (
        "first", "inner", "key", "last", "left", "pad_left", "pad_right", "right", "width",
        "content_width",
    )  # fmt: skip

    def __init__(
        self,
        styles: StylesBase,
        size: Size,
        content_size: Size,
        base_background: Color,
        inner: Style,
        outer: Style,
    ) -> None:
        (top, _), (right, right_color), (bottom, _), (left, left_color) = styles.border
        self.inner: RichStyle = inner.rich_style
        self.left: Segment | None = None
        self.right: Segment | None = None
        if left:
            style = Style(foreground=base_background + left_color)
            self.left = get_box(left, inner, outer, style)[1][0]
        if right:
            style = Style(foreground=base_background + right_color)
            self.right = get_box(right, inner, outer, style)[1][2]
        self.first = 1 if top else 0
        """The first content line (below a top border)."""
        self.last = size.height - (2 if bottom else 1)
        """The last content line (above a bottom border)."""
        _, self.pad_right, _, self.pad_left = styles.padding
        self.width = size.width
        self.content_width = content_size.width
        self.key = (
            self.inner, self.left, self.right, self.pad_left, self.pad_right, self.width,
            self.content_width,
        )  # fmt: skip
        """What a finished line depends on besides its content."""

    def finish(self, line: Strip) -> Strip:
        """A content line as Textual styles it: its length made the content's, its padding and
        the side borders' cells added, over the widget's background."""
        inner = self.inner
        segments: list[Segment] | Strip = line.adjust_cell_length(self.content_width, inner)
        if self.pad_left or self.pad_right:
            segments = line_pad(segments, self.pad_left, self.pad_right, inner)
        if self.left is not None or self.right is not None:
            segments = [
                *(() if self.left is None else (self.left,)),
                *segments,
                *(() if self.right is None else (self.right,)),
            ]
        return Strip(segments, self.width)


FINISHED_KEPT = 600
"""Content lines a PlainStylesCache keeps finished (`PlainStylesCache._finished`): a screen's
lines several times over (a strip, with the caches Textual gives each, is ~2-3 KB)."""


class PlainStylesCache(StylesCache):
    """A StylesCache whose content lines are made the short way while the widget's styles are
    plain (`plain`); the widget's lines are the same, segment for segment, as Textual's.

    A content line the widget draws again (the same Strip: a list row kept for what it shows,
    an abstract's line drawn before or styled ahead) is not styled again: the finished strip is
    kept, and with it what Textual's filters made of it (each strip keeps its own)."""

    def __init__(self) -> None:
        super().__init__()
        self._plain: _Plain | None = None
        self._finished: dict[int, tuple[Strip, Strip]] = {}
        """Finished lines by their content line's `id` (the content line kept with it)."""
        self._finished_as: object = None
        """The `_Plain.key` the finished lines were made for."""

    def _configure(
        self,
        styles: StylesBase,
        size: Size,
        content_size: Size,
        base_background: Color,
        background: Color,
        opacity: float,
    ) -> _Plain | None:
        if not plain(styles, opacity):
            return None
        inner, outer = self.get_inner_outer(base_background, background)
        known = _Plain(styles, size, content_size, base_background, inner, outer)
        if known.key != self._finished_as:
            self._finished.clear()
            self._finished_as = known.key
        return known

    def _finish(self, known: _Plain, line: Strip) -> Strip:
        done = self._finished.get(id(line))
        if done is not None and done[0] is line:
            return done[1]
        strip = known.finish(line)
        if len(self._finished) >= FINISHED_KEPT:
            self._finished.clear()
        self._finished[id(line)] = (line, strip)
        return strip

    def prepare(self, widget: Widget, lines: Iterable[Strip]) -> None:
        """Finish `lines` (content lines `widget` will draw) ahead, filters included, as
        `render_widget` would: the frame that draws them then finds them finished."""
        styles = widget.styles
        base_background, background = widget.background_colors
        known = self._configure(
            styles,
            widget.region.size,
            widget.content_region.size,
            base_background,
            background,
            widget.opacity,
        )
        if known is None:
            return
        filters = widget.get_line_filters()
        for line in lines:
            strip = self._finish(known, line)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)

    def render(
        self,
        styles: StylesBase,
        size: Size,
        base_background: Color,
        background: Color,
        *args: Any,
        **kwargs: Any,
    ) -> list[Strip]:
        self._plain = self._configure(
            styles,
            size,
            kwargs.get("content_size") or size,
            base_background,
            background,
            kwargs.get("opacity", 1.0),
        )
        try:
            return super().render(styles, size, base_background, background, *args, **kwargs)
        finally:
            self._plain = None

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: RenderContentLine,
        *rest: Any,
    ) -> Strip:
        known = self._plain
        if known is None or not known.first <= y <= known.last:
            return super().render_line(
                styles,
                y,
                size,
                content_size,
                padding,
                base_background,
                background,
                render_content_line,
                *rest,
            )
        content_y = y - known.first
        if content_y < content_size.height:
            return self._finish(known, render_content_line(content_y))
        return known.finish(Strip.blank(content_size.width, known.inner))
