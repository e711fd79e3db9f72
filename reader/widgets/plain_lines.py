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

    __slots__ = ("first", "inner", "last", "left", "pad_left", "pad_right", "right")

    def __init__(
        self, styles: StylesBase, size: Size, base_background: Color, inner: Style, outer: Style
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


class PlainStylesCache(StylesCache):
    """A StylesCache whose content lines are made the short way while the widget's styles are
    plain (`plain`); the widget's lines are the same, segment for segment, as Textual's."""

    def __init__(self) -> None:
        super().__init__()
        self._plain: _Plain | None = None

    def render(
        self,
        styles: StylesBase,
        size: Size,
        base_background: Color,
        background: Color,
        *args: Any,
        **kwargs: Any,
    ) -> list[Strip]:
        self._plain = None
        if plain(styles, kwargs.get("opacity", 1.0)):
            inner, outer = self.get_inner_outer(base_background, background)
            self._plain = _Plain(styles, size, base_background, inner, outer)
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
        inner = known.inner
        content_y = y - known.first
        if content_y < content_size.height:
            line = render_content_line(content_y).adjust_cell_length(content_size.width, inner)
        else:
            line = Strip.blank(content_size.width, inner)
        segments: list[Segment] | Strip = line
        if known.pad_left or known.pad_right:
            segments = line_pad(line, known.pad_left, known.pad_right, inner)
        if known.left is not None or known.right is not None:
            segments = [
                *(() if known.left is None else (known.left,)),
                *segments,
                *(() if known.right is None else (known.right,)),
            ]
        return Strip(segments, size.width)
