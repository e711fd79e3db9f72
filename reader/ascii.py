"""ASCII stand-ins for what an output encoding such as ASCII (`LC_ALL=C`) cannot write.

Python writes such a character as `\\u2605` (6 cells for 1), which breaks every aligned line.
The error handler registered here writes each one as ASCII text of the *same width* instead:
`★` `*`, `⧉` `=`, `▸` `>`, `•` `o`, box drawing `-` `|` `+`, a control picture such as `␛` `?`,
an accented letter without its accent, a wide (CJK) character `??`. Rich and Textual measure
lines in cells before they are encoded, so the layout stays as drawn.
"""

from __future__ import annotations

import codecs
import unicodedata
from typing import TextIO

from rich.cells import cell_len

HANDLER = "reader-ascii"
"""The name of the codec error handler, for `errors=` (registered by `install`)."""

GLYPHS: dict[str, str] = {
    "★": "*",
    "☆": "*",
    "⧉": "=",
    "▸": ">",
    "▶": ">",
    "◀": "<",
    "•": "o",
    "●": "o",
    "⭘": "o",
    "≡": "=",
    "·": ".",
    "…": ".",
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "⚠": "!",
    "✓": "v",
    "✗": "x",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "█": "#",
    "▔": "-",
    "▁": "_",
    "▏": "|",
    "▕": "|",
    "▎": "|",
    "▍": "|",
    "▌": "|",
    "▐": "|",
    "\u00a0": " ",
}


def stand_in(char: str) -> str:
    """ASCII for `char`, as many cells wide as `char` is (nothing for a zero-width one)."""
    width = cell_len(char)
    if width == 0:
        return ""
    known = GLYPHS.get(char)
    if known is not None:
        return known
    code = ord(char)
    if 0x2400 <= code <= 0x2426:  # control pictures: what inert() shows for ESC, BEL, NUL
        return "?"
    if 0x2500 <= code <= 0x257F:  # box drawing
        name = unicodedata.name(char, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # other block elements (scrollbar ends): their colour shows
        return " "
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if len(plain) == width and plain.isprintable():
        return plain  # é → e
    return "?" * width


def _handle(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(stand_in(char) for char in text), error.end


def install() -> None:
    """Register the `reader-ascii` error handler (idempotent)."""
    codecs.register_error(HANDLER, _handle)


def can_write(stream: TextIO | None, sample: str = "★⧉▸•␛─") -> bool:
    """Whether `stream`'s encoding writes `sample` as it is."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def fall_back(stream: TextIO | None) -> bool:
    """Make `stream` write ASCII stand-ins for what its encoding lacks; whether it had to."""
    if stream is None or can_write(stream):
        return False
    reconfigure = getattr(stream, "reconfigure", None)
    if not callable(reconfigure):
        return False
    install()
    reconfigure(errors=HANDLER)
    return True
