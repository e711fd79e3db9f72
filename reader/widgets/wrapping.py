"""The abstract pane's lines: rich's word wrap, with what a paper shown again under another
query has in common with what was shown reused.

A filter keystroke shows the same paper with its highlights a letter longer: the text, and so
where its lines break, is the same; most lines read as before. `Wrapper.lines` gives the lines
`Text.wrap` gives (the same steps, in the same order), but finds where a paragraph breaks from
the last time it was wrapped at that width (`divide_line` was ~70% of the wrap), and a line
that is the same text in the same styles as a line drawn before is that line's strip again (so
the frame finds it drawn: `AbstractPane._drawn`, `PlainStylesCache`).
"""

from __future__ import annotations

from collections.abc import Hashable

from rich._wrap import divide_line
from rich.console import Console
from rich.containers import Lines
from rich.segment import Segment
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text
from textual.strip import Strip

KEPT = 600
"""Paragraphs' breaks, and lines' strips, a Wrapper keeps (each): more than the papers the pane
keeps have (`abstract.PANES_KEPT`)."""


class Wrapper:
    """Wraps texts as `Text.wrap` does, keeping paragraphs' breaks and lines' strips."""

    def __init__(self) -> None:
        self._breaks: dict[tuple[str, int, bool], list[int]] = {}
        self._strips: dict[Hashable, Strip] = {}

    def wrap(self, text: Text, console: Console, width: int) -> Lines:
        """`text.wrap(console, width)`, line for line."""
        justify = text.justify or DEFAULT_JUSTIFY
        overflow = text.overflow or DEFAULT_OVERFLOW
        fold = overflow == "fold"
        lines = Lines()
        for line in text.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(8)
            if text.no_wrap:
                new_lines = Lines([line])
            else:
                new_lines = line.divide(self._divide(line.plain, width, fold))
                for piece in new_lines:
                    piece.rstrip_end(width)
            if justify:
                new_lines.justify(console, width, justify=justify, overflow=overflow)
            for piece in new_lines:
                piece.truncate(width, overflow=overflow)
            lines.extend(new_lines)
        return lines

    def _divide(self, plain: str, width: int, fold: bool) -> list[int]:
        key = (plain, width, fold)
        offsets = self._breaks.get(key)
        if offsets is None:
            if len(self._breaks) >= KEPT:
                self._breaks.clear()
            offsets = self._breaks[key] = divide_line(plain, width, fold=fold)
        return offsets

    def strips(self, text: Text, console: Console, width: int) -> list[Strip]:
        """The lines of `text` wrapped `width` wide, as strips: a line that reads as one made
        before (text, style and spans) is that line's strip."""
        if width <= 0:
            return []
        strips = []
        for line in self.wrap(text, console, width):
            key: Hashable | None = (line.plain, line.style, tuple(line.spans), line.end)
            try:
                strip = self._strips.get(key)
            except TypeError:  # a style that cannot be hashed: made, not kept
                key, strip = None, None
            if strip is None:
                strip = Strip(_rendered(line, console), line.cell_len)
                if key is not None:
                    if len(self._strips) >= KEPT:
                        self._strips.clear()
                    self._strips[key] = strip
            strips.append(strip)
        return strips


def _rendered(line: Text, console: Console) -> list[Segment]:
    return list(line.render(console, end=""))
