"""The parsed-digest cache: a big digest opened again unchanged is read back, not parsed again.

No Textual here. `open_digest(sources)` is `load_digest(sources)` with a cache in front of it, for
digests of at least `MIN_BYTES` read from files (standard input is never cached). One cache entry
per list of sources, in `cache_dir()` (`$READER_CACHE_DIR/parsed`, else `parsed` in the user
cache directory; fetched digests keep their own subdirectory beside it):

- `<key>.papers`: the papers' fields as columns (`marshal`, in chunks), in the digest's order;
- `<key>.search`: the lowercased search text (`Digest.haystacks`), read only when a search
  first needs it (the TUI reads it after the first paint).

An entry is used only when its header matches: the format version (`VERSION`), and the path,
size and modification time (ns) of every file the sources read, taken *before* they were
parsed (so a file that changes while it is read leaves an entry that is already stale). Anything
else (an older format, a changed file, a truncated or damaged entry, fields of the wrong types)
is a miss: the digest is parsed again and the entry rewritten. Entries are written to a
temporary file and renamed into place (atomic); a cache that cannot be written is skipped
silently, since the digest itself is already loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import os
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reader.files import replacing
from reader.loader import (
    STDIN,
    Progress,
    Sources,
    digest_name,
    load_digest,
    source_list,
    source_stamp,
)
from reader.model import Digest, Link, Paper, new_paper

__all__ = ["CACHE_DIR_ENV", "MIN_BYTES", "VERSION", "cache_dir", "open_digest"]

VERSION = 1
"""Bumped whenever what an entry holds or how the loader parses changes."""
MAGIC = "reader-parsed-digest"
CACHE_DIR_ENV = "READER_CACHE_DIR"
"""Overrides the user cache directory (tests and the benchmarks point it at a temporary one)."""
SUBDIRECTORY = "parsed"
MIN_BYTES = 1 << 20
"""Smaller digests parse about as fast as an entry is read: they are not cached."""

_FIELDS = 10
"""Columns: week (ordinal), title, link, category, abstract, arxiv_id, summary, links, line,
authors."""

Stamp = tuple[tuple[str, int, int], ...]


def cache_dir() -> Path:
    """Where parsed digests are kept: `$READER_CACHE_DIR/parsed`, else the user cache directory's
    `parsed`."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override).expanduser() / SUBDIRECTORY
    import platformdirs

    return Path(platformdirs.user_cache_dir("reader", appauthor=False)) / SUBDIRECTORY


def _key(stamp: Stamp) -> str:
    paths = "\0".join(os.path.abspath(path) for path, _, _ in stamp)
    return hashlib.sha256(paths.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _header(stamp: Stamp) -> tuple[Any, ...]:
    return (MAGIC, VERSION, tuple((os.path.abspath(p), size, mtime) for p, size, mtime in stamp))


def open_digest(
    sources: Sources = None,
    progress: Progress | None = None,
    *,
    min_bytes: int = MIN_BYTES,
    directory: Path | None = None,
    background: bool = True,
) -> Digest:
    """`load_digest(sources, progress)`, read from the cache when an entry for exactly these
    files, unchanged, is there; else parsed, and the entry written for next time (in a thread
    when `background`)."""
    given = source_list(sources)
    if STDIN in given:
        return load_digest(sources, progress)
    stamp = source_stamp(given)
    if any(size < 0 for _, size, _ in stamp) or sum(size for _, size, _ in stamp) < min_bytes:
        return load_digest(sources, progress)  # a missing file: the loader says what is wrong
    folder = directory if directory is not None else cache_dir()
    base = folder / _key(stamp)
    header = _header(stamp)
    if progress is not None and base.with_suffix(".papers").is_file():
        # said only when an entry is there: else the loader's own "Reading FILE" comes at once
        progress(-1, f"Reading {', '.join(given)} from the cache of parsed digests")
    cached = _read(base, header, digest_name(given), ", ".join(given))
    if cached is not None:
        return cached
    digest = load_digest(sources, progress)
    _write(base, header, digest, background)
    return digest


# --- entries: a header, then records of up to CHUNK papers, then an end record ---------------
#
# Each record is its length (8 bytes, little-endian) and a `marshal` dump. Written and read a chunk
# at a time, so that a thread writing or reading an entry never holds the interpreter for long
# (the TUI stays live while it works after the first paint).

CHUNK = 4096
_LENGTH = struct.Struct("<Q")


def _records(path: Path, header: tuple[Any, ...]) -> list[Any] | None:
    """The records after the header of the entry at `path`, the end record last, if the header is
    `header` and every record reads; else None (never raises for what the file holds)."""
    try:
        with open(path, "rb") as file:
            data = memoryview(file.read())
    except OSError:
        return None
    records: list[Any] = []
    at = 0
    try:
        while at < len(data):
            (length,) = _LENGTH.unpack_from(data, at)
            at += _LENGTH.size
            if at + length > len(data):
                return None
            records.append(marshal.loads(data[at : at + length]))
            at += length
    except (EOFError, ValueError, TypeError, struct.error):
        return None
    if len(records) < 2 or records[0] != header:
        return None
    end = records[-1]
    if not (type(end) is tuple and len(end) == 3 and end[0] == "end"):
        return None
    return records[1:]


def _write_entry(path: Path, header: tuple[Any, ...], records: Iterable[Any]) -> None:
    """Write an entry atomically: a temporary file renamed into place once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as file:
        for record in itertools.chain([header], records):
            data = marshal.dumps(record)
            file.write(_LENGTH.pack(len(data)))
            file.write(data)


def _quietly(write: Callable[[], None]) -> None:
    with contextlib.suppress(OSError, ValueError, MemoryError):
        write()


def _in_background(write: Callable[[], None]) -> None:
    """Run `write` in a thread (not a daemon: a --print run waits for its entry at exit)."""
    threading.Thread(target=_quietly, args=(write,), name="reader-cache-write").start()


# --- the papers ---------------------------------------------------------------------------------


def _all(column: object, kind: type, length: int, optional: bool = False) -> bool:
    if type(column) is not list or len(column) != length:
        return False
    if optional:
        return all(value is None or type(value) is kind for value in column)
    return all(type(value) is kind for value in column)


def _papers(chunk: object) -> list[Paper] | None:
    """The papers of one record, or None if it is not what `_columns` wrote."""
    if not (type(chunk) is tuple and len(chunk) == _FIELDS and type(chunk[0]) is list):
        return None
    weeks, titles, links, categories, abstracts, ids, summaries, extras, lines, authors = chunk
    count = len(weeks)
    if not (
        _all(weeks, int, count)
        and all(_all(column, str, count) for column in (titles, links, categories, abstracts))
        and _all(ids, str, count, optional=True)
        and _all(summaries, str, count)
        and _all(extras, tuple, count)
        and _all(lines, int, count)
        and _all(authors, tuple, count)
        and all(type(name) is str for names in authors for name in names)
        and all(
            type(pair) is tuple and len(pair) == 2 and all(type(part) is str for part in pair)
            for extra in extras
            for pair in extra
        )
    ):
        return None
    days = {ordinal: date.fromordinal(ordinal) for ordinal in set(weeks)}
    return [
        new_paper(
            days[week],
            title,
            link,
            category,
            abstract,
            arxiv_id,
            summary,
            tuple(Link(label, url) for label, url in extra) if extra else (),
            line,
            names,
        )
        for week, title, link, category, abstract, arxiv_id, summary, extra, line, names in zip(
            *chunk, strict=True
        )
    ]


def _read(base: Path, header: tuple[Any, ...], name: str, source: str) -> Digest | None:
    records = _records(base.with_suffix(".papers"), header)
    if records is None:
        return None
    _, count, joined = records[-1]
    if type(count) is not int:
        return None
    if not (
        joined is None
        or (type(joined) is tuple and len(joined) == 2 and all(type(n) is int for n in joined))
    ):
        return None
    papers: list[Paper] = []
    try:
        for chunk in records[:-1]:
            part = _papers(chunk)
            if part is None:
                return None
            papers.extend(part)
    except (ValueError, TypeError, OverflowError):  # a day number out of range, say
        return None
    if len(papers) != count:
        return None
    digest = Digest(papers, name=name, source=source, joined=joined)
    if any(a is not b for a, b in zip(digest.papers, papers, strict=True)):
        return None  # not in the digest's order: the entry was not written from a digest
    digest.search_store = _SearchFile(base.with_suffix(".search"), header)
    return digest


def _columns(papers: Sequence[Paper]) -> tuple[list[Any], ...]:
    return (
        [paper.week.toordinal() for paper in papers],
        [paper.title for paper in papers],
        [paper.link for paper in papers],
        [paper.category for paper in papers],
        [paper.abstract for paper in papers],
        [paper.arxiv_id for paper in papers],
        [paper.summary for paper in papers],
        [tuple((link.label, link.url) for link in paper.links) for paper in papers],
        [paper.line for paper in papers],
        [paper.authors for paper in papers],
    )


def _write(base: Path, header: tuple[Any, ...], digest: Digest, background: bool) -> None:
    """Write the papers entry; the search text is written when it is first built (a search, or
    the TUI after its first paint). Skipped when the cache cannot be written."""
    papers = digest.papers

    def records() -> Iterator[Any]:
        for start in range(0, len(papers), CHUNK):
            yield _columns(papers[start : start + CHUNK])
        yield ("end", len(papers), digest.joined)

    def write() -> None:
        _write_entry(base.with_suffix(".papers"), header, records())

    if background:
        _in_background(write)
    else:
        _quietly(write)
    digest.search_store = _SearchFile(base.with_suffix(".search"), header)


# --- the search text ----------------------------------------------------------------------------


class _SearchFile:
    """The entry's search text (a `reader.model.SearchStore`), in records of CHUNK strings."""

    def __init__(self, path: Path, header: tuple[Any, ...]) -> None:
        self.path = path
        self.header = header

    def load(self, count: int) -> list[str] | None:
        records = _records(self.path, self.header)
        if records is None or records[-1][1] != count:
            return None
        haystacks: list[str] = []
        for chunk in records[:-1]:
            if not _all(chunk, str, len(chunk) if type(chunk) is list else -1):
                return None
            haystacks.extend(chunk)
        return haystacks if len(haystacks) == count else None

    def save(self, haystacks: list[str]) -> None:
        def records() -> Iterator[Any]:
            for start in range(0, len(haystacks), CHUNK):
                yield haystacks[start : start + CHUNK]
            yield ("end", len(haystacks), None)

        _in_background(lambda: _write_entry(self.path, self.header, records()))
