"""The filter bar: an Input whose text is shown inert (a pasted escape sequence stays visible)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input

from reader.text import inert_chars


class FilterInput(Input):
    """An Input that never sends its value's control characters to the terminal.

    The value itself is kept as typed (the query engine sees it exactly); only its display is
    made inert, one character for one, so the cursor stays where it belongs.
    """

    @property
    def _value(self) -> Text:
        text = Text(inert_chars(self.value), no_wrap=True, overflow="ignore", end="")
        if self.highlighter is not None:
            text = self.highlighter(text)
        return text
