"""Loading digests: read a file as text, parse it, and build a `Digest`. No Textual here.

Every failure is a `LoadError` carrying the file and, where one applies, the 1-based line, so the
command line can print `reader: error: FILE:LINE: message`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from reader.formats import LoadError
from reader.formats.table import parse_table
from reader.model import Digest, Paper

__all__ = ["BUNDLED", "LoadError", "load_digest", "parse_text", "read_source"]

BUNDLED = Path(__file__).resolve().parent / "data" / "ml-papers-2023.md"
"""The digest shipped with the package, opened when no digest is given."""


def _line_of_byte(data: bytes, offset: int) -> int:
    """The 1-based line of the byte at `offset`, counting LF, CRLF and lone CR as line ends."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def read_source(path: str | os.PathLike[str]) -> str:
    """The text of the file at `path`: UTF-8, a leading BOM dropped, line endings untouched.

    Raises LoadError for a missing or unreadable file, a directory, or bytes that are not UTF-8
    (with the line of the first bad byte).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise LoadError(path, None, "is a directory, not a digest file")
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise LoadError(path, None, "no such file") from None
    except IsADirectoryError:
        raise LoadError(path, None, "is a directory, not a digest file") from None
    except PermissionError:
        raise LoadError(path, None, "permission denied") from None
    except OSError as error:
        raise LoadError(path, None, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of_byte(data, error.start)
        column = error.start - max(
            data.rfind(b"\n", 0, error.start), data.rfind(b"\r", 0, error.start)
        )
        bad = data[error.start]
        raise LoadError(
            path, line, f"not UTF-8 text: byte 0x{bad:02x} at column {column}"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def parse_text(text: str, path: str) -> list[Paper]:
    """The papers of a digest's text; the one place that picks the format (for now: pipe table)."""
    return parse_table(text, path)


def load_digest(
    sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
) -> Digest:
    """The digest in one file, or several merged into one; the bundled digest for None (or []).

    `Digest.name` is the file's stem (stems joined by " + " for several files) and
    `Digest.source` the path as given (paths joined by ", "). When several files are merged, a
    paper (same key) that appears again in the same week is kept once, at its first appearance.
    """
    if sources is None:
        paths: list[str] = [str(BUNDLED)]
    elif isinstance(sources, (str, os.PathLike)):
        paths = [os.fspath(sources)]
    else:
        paths = [os.fspath(source) for source in sources] or [str(BUNDLED)]

    papers: list[Paper] = []
    for path in paths:
        papers.extend(parse_text(read_source(path), path))
    if len(paths) > 1:
        seen: set[tuple[date, str]] = set()
        unique: list[Paper] = []
        for paper in papers:
            identity = (paper.week, paper.key)
            if identity not in seen:
                seen.add(identity)
                unique.append(paper)
        papers = unique
    name = " + ".join(Path(path).stem for path in paths)
    return Digest(papers, name=name, source=", ".join(paths))
