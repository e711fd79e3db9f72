"""The filter bar: an Input whose text is shown inert (a pasted escape sequence stays visible)."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from reader.limits import QUERY_CHARS
from reader.text import inert_chars
from reader.widgets.plain_lines import PlainStylesCache


class FilterInput(Input):
    """An Input that never sends its value's control characters to the terminal.

    The value itself is kept as typed (the query engine sees it exactly); only its display is
    made inert, one character for one, so the cursor stays where it belongs.

    A keystroke repaints the bar alone: Textual's Input assigns its virtual size on every change
    of value, which lays the whole screen out (a frame's worth of work on each key typed).

    It takes at most `reader.limits.QUERY_CHARS` characters (a longer paste is cut there).

    Its line is made as its few segments while the text is printable ASCII that fits, with no
    selection or suggestion shown (`_plain_line`): Input renders it through rich's console
    (~0.2 ms, on every keystroke and every blink of the cursor).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", QUERY_CHARS)
        super().__init__(*args, **kwargs)
        self._styles_cache = PlainStylesCache()  # its line styled the short way

    def replace(self, text: str, start: int, end: int) -> None:
        """Input's replace, with text that would go past `max_length` cut to fit (Input refuses
        the whole of a paste that is too long)."""
        if self.max_length:
            low, high = sorted((max(0, start), min(len(self.value), end)))
            room = self.max_length - (len(self.value) - (high - low))
            text = text[: max(0, room)]
        super().replace(text, start, end)

    def _watch_value(self, value: str) -> None:
        # The text's width, for scrolling it, set quietly: Input's own watcher then finds the
        # size unchanged (no layout) and goes on (Changed, the cursor kept in view).
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)  # the value itself repaints the bar

    def render_line(self, y: int) -> Strip:
        plain = self._plain_line(y)
        return super().render_line(y) if plain is None else plain

    def _plain_line(self, y: int) -> Strip | None:
        """Input's line, the same segments, made without rendering (None: not a plain line).
        Input renders the text (the cursor's cell, past the end a space, in the cursor's
        style), pads it to the content's width and one cell more, in the widget's style."""
        value = self.value
        if y != 0 or not value or self.password or self.highlighter is not None:
            return None
        shown = inert_chars(value)
        if not (shown.isascii() and shown.isprintable()):
            return None
        focused = self.has_focus
        if focused and (len(self._suggestion) > len(value) or not self.selection.is_empty):
            return None
        width = self.scrollable_content_region.width
        if self.scroll_offset.x or len(shown) >= width:
            return None  # scrolled, or the cursor's cell past the end would not fit
        base = self.rich_style
        if focused and self._cursor_visible:
            cursor = self.cursor_position
            if cursor >= len(shown):
                shown += " "  # the cursor at the end
            cursor_style = base + self.get_component_rich_style("input--cursor")
            segments = [
                Segment(piece, style)
                for piece, style in (
                    (shown[:cursor], base),
                    (shown[cursor : cursor + 1], cursor_style),
                    (shown[cursor + 1 :], base),
                )
                if piece
            ]
        else:
            segments = [Segment(shown, base)]
        segments.append(Segment(" " * (width + 1 - len(shown)), base))
        return Strip(segments, width + 1)

    @property
    def _value(self) -> Text:
        text = Text(inert_chars(self.value), no_wrap=True, overflow="ignore", end="")
        if self.highlighter is not None:
            text = self.highlighter(text)
        return text
