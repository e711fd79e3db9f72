"""Parsers of the digest formats, and what they share: the error they raise, the week parser.

Each format module exposes a function `parse_<format>(text: str, path: str) -> list[Paper]` that
raises `LoadError` (with the path and the 1-based line) on bad input and never anything else.
`reader.loader` reads files and dispatches to them. No Textual here.

`LoadError` lives here rather than in `reader.loader` so that format modules can import it without
an import cycle; `reader.loader` re-exports it and callers use `reader.loader.LoadError`.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["LoadError", "parse_week"]


class LoadError(Exception):
    """A digest that cannot be read: the file, the 1-based line (None when no line applies), why.

    `str(error)` is `PATH:LINE: message` (or `PATH: message`), ready for `reader: error: ...`.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


_WEEK = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,
)


def parse_week(text: str) -> date | None:
    """The date of a week cell: `YYYY-MM-DD`, optionally followed by a time; None if it is not one.

    >>> parse_week("2023-06-25"), parse_week("2023-06-25 00:00:00"), parse_week("2023-06-25T00:00")
    (datetime.date(2023, 6, 25), datetime.date(2023, 6, 25), datetime.date(2023, 6, 25))
    >>> parse_week("2023-02-30") is None, parse_week("25/06/2023") is None
    (True, True)
    """
    match = _WEEK.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
