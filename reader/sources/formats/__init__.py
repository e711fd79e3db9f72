"""Parsers of the digest formats, and what they share: the error they raise, the week parser.

Each format module exposes a function `parse_<format>(text: str, path: str) -> list[Paper]` that
raises `LoadError` (with the path and the 1-based line) on bad input and never anything else:
`table.parse_table` (the pipe-table digest), `potw.parse_potw` (the upstream "ML Papers of the
Week" README), `csv_json.parse_csv` and `csv_json.parse_json`. `detect_format` picks one from the
text (and the file name as a hint); `reader.sources.loader` reads files and dispatches. No
Textual here.

`LoadError` lives here rather than in `reader.sources.loader` so that format modules can import it
without an import cycle; `reader.sources.loader` re-exports it and callers use
`reader.sources.loader.LoadError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date

from reader.limits import LINE_CHARS
from reader.model import UNDATED
from reader.patterns import compiled
from reader.sources.formats.extensions import DIGEST_EXTENSIONS, MAX_INDEX_BYTES

__all__ = [
    "DIGEST_EXTENSIONS",
    "FORMAT_NAMES",
    "INDEX",
    "MAX_INDEX_BYTES",
    "LoadError",
    "detect_format",
    "normalize_header",
    "parse_week",
    "parse_week_cell",
    "too_long",
]


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


CUT_ROW = ": the row ends before the link's column (is the file cut short?)"
"""What an empty title or link adds when its row stopped short (a download cut off)."""


def too_long(length: int) -> str:
    """What is wrong with a line of `length` characters, over `reader.limits.LINE_CHARS`."""
    return (
        f"a line of {length:,} characters: a line of a digest holds at most {LINE_CHARS:,} "
        "(is this a digest?)"
    )


_WEEK = compiled(
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
    text = text.strip()
    if len(text) == 10 and text[4] == text[7] == "-":  # a plain date: no regex (start-up work)
        year, month, day = text[:4], text[5:7], text[8:]
        if not (year + month + day).isascii() or not (year + month + day).isdigit():
            return None
    else:
        match = _WEEK.fullmatch(text)
        if match is None:
            return None
        year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


UNDATED_WORDS = ("undated", "none")
"""Week cells that mean "no week" (besides a blank one in CSV and JSON)."""


def parse_week_cell(text: str) -> date | None:
    """`parse_week`, and `UNDATED` for a blank cell or `undated` / `none` (any case).

    >>> parse_week_cell(""), parse_week_cell("Undated"), parse_week_cell("2023-06-25")
    (datetime.date(1, 1, 1), datetime.date(1, 1, 1), datetime.date(2023, 6, 25))
    """
    stripped = text.strip()
    if not stripped or stripped.lower() in UNDATED_WORDS:
        return UNDATED
    return parse_week(stripped)


# --- format detection --------------------------------------------------------------------------

FORMAT_NAMES: tuple[str, ...] = ("table", "potw", "csv", "json", "hf", "arxiv")
"""The input formats: pipe-table digest, upstream README, CSV with a header row, JSON list,
Hugging Face's daily papers (`reader.sources.formats.hf`), an arXiv listing feed
(`reader.sources.formats.arxiv_listing`)."""

INDEX = "index"
"""What `detect_format` says of a digest index (`reader.sources.formats.index`): a file of links
to digest files, which the loader reads instead; not a format with papers of its own."""

DETECT_PREFIX = 65536
"""Detection reads at most this many characters of the text: its cost does not grow with size."""

_DETECT_LINES = 200
_EXTENSION_HINTS: dict[str, str] = {".json": "json", ".csv": "csv", ".tsv": "csv"}
# Hugging Face's daily papers: a list whose items hold a "paper" object (a key that no digest's
# JSON has; a quote inside a JSON string is escaped, so text cannot look like it).
_HF_MARK = compiled(r'"paper"\s*:\s*\{')
# XML: an arXiv listing (RSS or Atom); no digest format starts with "<?xml", "<rss" or "<feed".
_XML_START = compiled(r"<\?xml[\s?]|<rss[\s>]|<feed[\s>]|<!DOCTYPE\s+(?!html)", re.I)
# The README's week headings and its table of contents: "Papers of the Week (June 19 - ...".
_POTW_MARK = compiled(
    r"papers\s+of\s+the\s+week\W{0,8}\(|\|\s*\**\s*paper\s*\**\s*\|\s*\**\s*links\b", re.I
)


COLUMNS: dict[str, tuple[str, int]] = {
    "week": ("week", 0),
    "title": ("title", 0),
    "category": ("category", 0),
    "abstract": ("abstract", 0),
    "paper-link": ("link", 0),
    "paperurl": ("link", 0),
    "paper-url": ("link", 0),
    "link": ("link", 1),
    "url": ("link", 2),
}
"""Normalized column name -> (field, priority): the lowest priority wins when several columns
name one field (Paper-Link, else Link, else URL). Shared by the pipe table, CSV and JSON."""

REQUIRED: tuple[tuple[str, str], ...] = (
    ("week", "Week"),
    ("title", "Title"),
    ("link", "Paper-Link (or Link, URL)"),
)
"""The fields every format needs, with the names errors give them."""


def normalize_header(name: str) -> str:
    """A column or key name as matched: lowercased, runs of spaces, `_` and `-` made one `-`.

    >>> normalize_header(" Paper_Link "), normalize_header("paper link"), normalize_header("URL")
    ('paper-link', 'paper-link', 'url')
    """
    return "-".join(name.lower().replace("_", " ").replace("-", " ").split())  # no regex


def match_columns(
    names: Sequence[str], known: dict[str, tuple[str, int]] = COLUMNS
) -> dict[str, int]:
    """Field -> position of the column (or key) that gives it: names matched as
    `normalize_header` says; where several name one field, the lowest priority, then the first."""
    found: dict[str, tuple[int, int]] = {}
    for position, name in enumerate(names):
        match = known.get(normalize_header(name))
        if match is None:
            continue
        field, priority = match
        if field not in found or priority < found[field][0]:
            found[field] = (priority, position)
    return {field: position for field, (_, position) in found.items()}


def require_columns(
    columns: dict[str, int],
    header: str,
    path: str,
    line: int,
    required: tuple[tuple[str, str], ...] = REQUIRED,
) -> None:
    """A LoadError at `line` when a required field has no column; `header` says what was there."""
    missing = [label for field, label in required if field not in columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise LoadError(
            path,
            line,
            f"missing required column{plural} {', '.join(missing)} (the header has: {header})",
        )


_LINK_NAMES = {name for name, (field, _) in COLUMNS.items() if field == "link"}


def _names(cells: list[str]) -> set[str]:
    return {normalize_header(cell.strip().strip('"').strip("*")) for cell in cells}


def detect_format(text: str, path: str = "") -> str:
    """The format of a digest's text: one of `FORMAT_NAMES`. Looks at a small prefix only.

    In order: text starting with `<?xml`, `<rss`, `<feed` or a DOCTYPE (not HTML's) is an arXiv
    listing (arxiv); a JSON list whose objects hold a `"paper": {` object is Hugging Face's daily
    papers (hf); text starting with `{`, or `[` then `{` or `]`, is json; a first line without a
    pipe whose comma- (or tab-) separated names include Title and Week or a link (the upstream
    CSV of abstracts: `Title,Description,PaperURL,TweetURL,Abstract`) is csv; a pipe-table row
    naming Week and Title is the pipe-table digest; "Papers of the Week (" (a week heading or the
    table of contents) or a `| **Paper** | **Links** |` header is the upstream README, unless
    no heading has a week's date range and links lead to digest files: then it is `INDEX`, an
    index of other digest files (`reader.sources.formats.index`); otherwise the extension decides
    (.json, .csv, .tsv), and anything else is read as a pipe table (whose parser then explains
    what it expected).
    """
    head = text[:DETECT_PREFIX].lstrip("\ufeff \t\r\n")
    if head.startswith("<") and _XML_START.match(head):
        return "arxiv"
    if head.startswith("[") and head[1:].lstrip()[:1] == "{" and _HF_MARK.search(head):
        return "hf"
    if head.startswith("{") or (head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]")):
        return "json"
    newline = head.find("\n")
    first = head if newline < 0 else head[:newline]
    if "\r" in first:
        first = first.split("\r", 1)[0]
    if "|" not in first:
        for separator in (",", "\t"):
            names = _names(first.split(separator)) if separator in first else set()
            if "title" in names and ("week" in names or names & _LINK_NAMES):
                return "csv"
    if "|" in head:
        if "\r" in head:
            head = head.replace("\r\n", "\n").replace("\r", "\n")
        for line in head.split("\n", _DETECT_LINES)[:_DETECT_LINES]:
            if (
                "|" in line
                and "week" in line.lower()
                and {"week", "title"} <= _names(line.split("|"))
            ):
                return "table"
    if "](" in head or "]:" in head:
        from reader.sources.formats.index import has_digest_link, has_week_heading

        if not has_week_heading(head) and has_digest_link(head):
            return INDEX
    if _POTW_MARK.search(head):
        return "potw"
    extension = os.path.splitext(path)[1].lower()
    return _EXTENSION_HINTS.get(extension, "table")
