"""Pure text helpers: arXiv ids, abstract cleaning, and making untrusted text inert.

No Textual here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader.patterns import compiled

if TYPE_CHECKING:
    import json

_ARXIV_LINK = compiled(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def arxiv_id(link: str) -> str | None:
    """The arXiv id, without version, of an arXiv abs/pdf link; None for any other link.

    >>> arxiv_id("https://arxiv.org/abs/2303.17564v1")
    '2303.17564'
    """
    match = _ARXIV_LINK.match(link.strip())
    return match.group("id") if match else None


_ARXIV_ABS = compiled(r"https://arxiv\.org/abs/(\d{4}\.\d{4,5})(?:v\d+)?$")
"""The usual form of the links `_ARXIV_LINK` takes (no IGNORECASE, no alternatives: ~2x faster),
with the same id."""


def arxiv_ids(links: Sequence[str]) -> list[str | None]:
    """`arxiv_id` of each of `links`, in bulk (for parsers: ~0.25 us a link)."""
    return [
        found[1] if found else arxiv_id(link)
        for link, found in zip(links, map(_ARXIV_ABS.match, links), strict=True)
    ]


# --- abstract cleaning -------------------------------------------------------------------------

PLACEHOLDER = compiled(r"\bthis https? URL\b")
"""arXiv's stand-in for a link it removed from an abstract; displayed dimmed."""

_LATEX_WRAPPER = compiled(r"\\(?:url|emph|textit|textbf|texttt|textrm|textsc|mathrm)\{([^{}]*)\}")
_MATH = compiled(r"(\$\$?)(?:\\.|[^\\$])+?\1")
_SPACES = compiled(r"  +")
_WHITESPACE = str.maketrans("\t\r\n", "   ")


def _collapse_spaces(text: str) -> str:
    if "\n" in text or "\t" in text or "\r" in text:
        text = text.translate(_WHITESPACE)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(" ")


def _restore_lost_space(text: str) -> str:
    """`atthis https URLand` -> `at this https URL and`: arXiv glued its link placeholder to the
    words around it."""
    parts = text.split("this http")
    for index in range(len(parts) - 1):
        if parts[index][-1:].isalnum():
            parts[index] += " "
        after = parts[index + 1]
        for tail in ("s URL", " URL"):
            if after.startswith(tail) and after[len(tail) : len(tail) + 1].isalnum():
                parts[index + 1] = f"{tail} {after[len(tail) :]}"
    return "this http".join(parts)


# LaTeX accents in prose: `Fr\\'echet`, `G\\"{o}del`, `{\\'e}`, `\\c{c}`, `\\v s`, `\\'\\i`.
_ACCENT_MARKS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "H": "\u030b",
    "u": "\u0306",
    "k": "\u0328",
}
_ACCENT = compiled(
    r"(\{)?\\(?:(['`^\"~=.])\s*|([cvHuk])(?:\s+|(?=\{)))"
    r"(?:\{\s*(\\i|[A-Za-z])\s*\}|(\\i|[A-Za-z]))(?(1)\})"
)


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENT_MARKS[match.group(2) or match.group(3)]
    letter = match.group(4) or match.group(5)
    letter = "i" if letter == "\\i" else letter
    return unicodedata.normalize("NFC", letter + mark)


def _clean_prose(text: str) -> str:
    if "\\" in text:
        text = _ACCENT.sub(_accent, text)
        text = text.replace("\\%", "%").replace("\\&", "&").replace("\\_", "_")
    if "~" in text:
        text = text.replace("~", " ")
    if " --" in text:
        text = text.replace(" --- ", " — ").replace(" -- ", " – ")
    return text


def clean_abstract(text: str) -> str:
    """The abstract as a reader wants it: arXiv artifacts made readable, accents outside math
    as letters (`Fr\\'echet` Fréchet), math kept as written (`reader.latex` shows it as Unicode).

    >>> clean_abstract(r"Code is available atthis https URL. See~\\url{x.org}, 50\\% -- more.")
    'Code is available at this https URL. See x.org, 50% – more.'
    """
    if not text:
        return ""
    if "this http" in text:
        text = _restore_lost_space(text)
    if "\\" in text:
        previous = None
        while previous != text:  # nested wrappers: \emph{\textbf{x}}
            previous = text
            text = _LATEX_WRAPPER.sub(r"\1", text)
    if "$" not in text:
        return _collapse_spaces(_clean_prose(text))
    parts: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        parts.append(_clean_prose(text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_clean_prose(text[position:]))
    return _collapse_spaces("".join(parts))


# --- terminal safety ---------------------------------------------------------------------------

_BIDI = (
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    # invisible: zero-width space, line and paragraph separators, word joiner, a BOM mid-text
    "\u200b\u2028\u2029\u2060\ufeff"
)
_INERT_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_INERT_TABLE[0x7F] = "\u2421"
_INERT_TABLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
_INERT_TABLE.update({ord(char): f"<U+{ord(char):04X}>" for char in _BIDI})
_UNSAFE = compiled("[\x00-\x1f\x7f-\x9f" + _BIDI + "]")
_UNSAFE_KEEP_LINES = compiled("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]")


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def inert(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character and bidi override made visible and harmless.

    ESC becomes ␛, BEL ␇, NUL ␀ (the Control Pictures block); C1 controls become `\\x9b`;
    bidi overrides become `<U+202E>`. Nothing is dropped, so nothing is hidden from the reader.

    >>> inert("a\\x1b[2Jb\\u202e")
    'a␛[2Jb<U+202E>'
    """
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    if pattern.search(text) is None:
        return text
    if keep_newlines:
        table = dict(_INERT_TABLE)
        del table[0x0A], table[0x09]
        return text.translate(table)
    return text.translate(_INERT_TABLE)


_INERT_LINES_TABLE = dict(_INERT_TABLE)
del _INERT_LINES_TABLE[0x0A]


def inert_lines(text: str) -> str:
    """Like `inert`, but a line feed stays a line break: for text whose line breaks are meant
    (a README summary's `<br>` and bullets, a multi-line cell) and shown where lines can break.
    Tabs, CR and every other control character are still made visible (`␉`, `␍`, `␛`).

    >>> inert_lines("first\n● second\r\x1b")
    'first\n● second␍␛'
    """
    if _UNSAFE.search(text) is None:  # (a line feed alone is translated to itself below:
        return text  # one pattern fewer to compile, ~1M instructions at start-up)
    return text.translate(_INERT_LINES_TABLE)


_ONE_TO_ONE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_ONE_TO_ONE[0x7F] = "\u2421"
_ONE_TO_ONE.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_ONE_TO_ONE.update({ord(char): "\ufffd" for char in _BIDI})


def inert_chars(text: str) -> str:
    """Like `inert`, one character for one (C1 controls and bidi marks become U+FFFD), so that
    positions in the text stay valid: for an editable field whose cursor indexes characters.

    >>> inert_chars("a\x1bb\u202ec")
    'a␛b\ufffdc'
    """
    if _UNSAFE.search(text) is None:
        return text
    return text.translate(_ONE_TO_ONE)


_BLANK_TO_END = compiled(r"\s*")


def json_problem(error: json.JSONDecodeError) -> str:
    """What a JSON decoder found wrong, with its column, and "(is the file cut short?)" when the
    text ended too soon: `Unterminated string starting at column 23 (is the file cut short?)`
    (json's message, "Unterminated string starting at", leaves its place to the caller)."""
    what = error.msg.removesuffix(" at")
    rest = _BLANK_TO_END.match(error.doc, error.pos)
    at_end = rest is not None and rest.end() == len(error.doc)
    ended = error.msg.startswith("Unterminated") or at_end
    return f"{what} at column {error.colno}{' (is the file cut short?)' if ended else ''}"


def is_web_link(link: str) -> bool:
    """True for http and https links: the only ones reader opens or renders as hyperlinks."""
    lowered = link.strip().lower()
    return lowered.startswith(("http://", "https://")) and has_unsafe(link) is False
