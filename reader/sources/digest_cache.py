"""The parsed-digest cache: a big digest opened again unchanged is read back, not parsed again.

No Textual here. `open_digest(sources)` is `load_digest(sources)` with a cache in front of it, for
digests of at least `MIN_BYTES` read from files (standard input is never cached). One cache entry
per list of sources, in `cache_dir()` (`$READER_CACHE_DIR/parsed`, else `parsed` in the user
cache directory; fetched digests keep their own subdirectory beside it):

- `<key>.papers`: the papers' fields as columns (`marshal`, in chunks), in the digest's order,
  then their abstracts as one block of UTF-8 that stays on disk: a paper read back from the
  cache reads its abstract when asked (`reader.model.Deferred`), so a big digest's abstracts
  take no memory;
- `<key>.search`: the lowercased search text (`Digest.haystacks`, a `reader.model.SearchText`)
  as one block of UTF-8 read at once, read only when a search first needs it (the TUI reads it
  after the first paint);
- `<key>.tokens`: the search text's token index (`reader.tokens`), which papers hold each word,
  written once the TUI has built it and read back by the next TUI (and by `--print`);
- `<key>.similar`: the similarity index of `like:` (`reader.similar`), written once built and
  read back while the papers' authors are the same (`similar.authors_stamp`).

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
import io
import marshal
import os
import struct
import threading
import weakref
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import accumulate, islice, repeat
from operator import attrgetter, is_
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

from reader import model
from reader.environment import user_dir
from reader.files import replacing
from reader.model import (
    SEARCH_ENCODING,
    SEARCH_ERRORS,
    Digest,
    Link,
    Paper,
    SearchChunk,
    SearchText,
    StoredText,
    new_papers,
    stored_abstract,
)
from reader.sources.loader import (
    STDIN,
    Progress,
    Sources,
    digest_name,
    load_digest,
    source_list,
    source_stamp,
)
from reader.tokens import VERSION as TOKENS_VERSION
from reader.tokens import TokenIndex
from reader.tokens import from_records as tokens_from_records

if TYPE_CHECKING:
    from reader.similar import SimilarityIndex

__all__ = ["BODY_MIN_BYTES", "MIN_BYTES", "VERSION", "BodyCache", "cache_dir", "open_digest"]

VERSION = 5
"""Bumped whenever what an entry holds or how the loader parses changes (5: fields are cut to
`reader.limits.FIELD_CHARS`, so an entry written before may hold longer ones)."""
MAGIC = "reader-parsed-digest"
SUBDIRECTORY = "parsed"
MIN_BYTES = 1 << 20
"""Smaller digests parse about as fast as an entry is read: they are not cached."""

_FIELDS = 12
"""Columns: week (ordinal), title, link, category, arxiv_id, summary, line; the links as a count
per paper and their labels and URLs one after another; the authors as a count per paper and
their names one after another."""

Stamp = tuple[tuple[str, int, int], ...]


def cache_dir() -> Path:
    """Where parsed digests are kept: `$READER_CACHE_DIR/parsed`, else the user cache directory's
    `parsed`."""
    return user_dir("cache") / SUBDIRECTORY


def _key(stamp: Stamp) -> str:
    import hashlib  # only for a digest big enough to cache (start-up work, issue 26)

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
    later: Callable[[Callable[[], None]], None] | None = None,
) -> Digest:
    """`load_digest(sources, progress)`, read from the cache when an entry for exactly these
    files, unchanged, is there; else parsed, and the entry written for next time (in a thread
    when `background`). With `later`, a background write is not started but handed to it, to
    start when the caller likes (the TUI: after its first paint, which the writing, ~0.4 s of
    CPU at 100k papers, would otherwise slow down)."""
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
    if any(map(_ORIGINS, digest.papers)):
        return digest  # a feed's papers (issue 29): their origins are not kept in an entry
    if digest.notices:
        return digest  # notices (a field cut) are not kept in an entry: read afresh, said again
    _write(base, header, digest, background, later)
    return digest


_ORIGINS = attrgetter("origins")

BODY_MIN_BYTES = 64 << 10
"""A fetched body smaller than this parses about as fast as its entry is read: not kept."""


class BodyCache:
    """The papers of fetched bodies (`load_digest`'s `bodies`), kept as entries keyed by the URL
    and the body's size and SHA-256: a body a 304 confirmed (or the same bytes downloaded
    again) is read back, not parsed again; a changed body misses and its entry is rewritten.
    An index's files each have their own entry, so one changed year file is the only one parsed.
    Entries are written as `open_digest`'s are: in a thread, or handed to `later`. Feeds' pages
    (papers with origins) are not kept."""

    def __init__(
        self,
        directory: Path | None = None,
        later: Callable[[Callable[[], None]], None] | None = None,
        min_bytes: int | None = None,
    ) -> None:
        self.directory = directory
        self.later = later
        self.min_bytes = min_bytes

    def __call__(self, url: str, body: bytes, parse: Callable[[], list[Paper]]) -> list[Paper]:
        if len(body) < (BODY_MIN_BYTES if self.min_bytes is None else self.min_bytes):
            return parse()
        import hashlib  # only for a body big enough to cache

        folder = self.directory if self.directory is not None else cache_dir()
        name = "url-" + hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        base = folder / name
        header = (MAGIC, VERSION, (("url", url, len(body), hashlib.sha256(body).hexdigest()),))
        cached = _read(base, header, url, url)
        if cached is not None:
            return list(cached.papers)
        papers = parse()
        if papers and not any(map(_ORIGINS, papers)):
            kept = Digest(papers, name=url, source=url)
            if all(map(is_, kept.papers, papers)):  # read back in this order
                _write(base, header, kept, True, self.later)
        return papers


# --- entries: a header, records, then a block of bytes -------------------------------------------
#
# Each record is its CRC-32 (4 bytes, little-endian), its length (8 bytes) and a `marshal` dump;
# the block is its length and the bytes. The checksum is checked before a record is unmarshalled:
# marshal allocates a list or tuple as long as its count says before reading its items, so a
# damaged count in a few bytes would have it claim gigabytes (a test saw 1.2 GB). Records are
# written and read a chunk at a time, so that a thread writing or reading an entry never holds
# the interpreter for long (the TUI stays live while it works after the first paint). Nothing
# read is trusted: lengths are checked against the file's size, every record against the types
# written, so a damaged entry is a miss, never an exception.

CHUNK = 4096
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_T = TypeVar("_T")
_OFFSETS = "Q"
"""The array type of a block's per-item byte lengths (8 bytes each)."""


def _page() -> int:
    """What a memory map's offset is a multiple of (the entry's blocks start there)."""
    import mmap  # only for a digest big enough to cache (start-up work, issue 26)

    return mmap.ALLOCATIONGRANULARITY


class _Reader:
    """Records read one after another from an entry, each length checked against the file."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file = file
        self.size = size
        self.at = 0

    def _length(self) -> int | None:
        raw = self.file.read(_LENGTH.size)
        if len(raw) != _LENGTH.size:
            return None
        (length,) = _LENGTH.unpack(raw)
        self.at += _LENGTH.size
        return length if self.at + length <= self.size else None

    def record(self) -> Any:
        """The next record, or None when there is none that reads."""
        data = self.raw()
        if data is None:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None

    def raw(self) -> bytes | None:
        """The next record's bytes, unread, or None when they are not all there or their
        checksum does not hold."""
        raw = self.file.read(_CRC.size)
        self.at += len(raw)
        if len(raw) != _CRC.size:
            return None
        (crc,) = _CRC.unpack(raw)
        length = self._length()
        if length is None:
            return None
        data = self.file.read(length)
        self.at += len(data)
        return data if len(data) == length and zlib.crc32(data) == crc else None

    def block_start(self, length: int) -> int | None:
        """Where the closing block of `length` bytes starts, if it is there and ends the file."""
        if self._length() != length or self.at + length != self.size:
            return None
        return self.at


def _read_entry(
    path: Path, header: tuple[Any, ...], read: Callable[[BinaryIO, _Reader], _T | None]
) -> _T | None:
    """What `read` makes of the entry at `path` past its header (`_open_entry`), the file
    closed after; None when the entry is missing, stale or does not read (`read`'s errors)."""
    opened = _open_entry(path, header)
    if opened is None:
        return None
    file, reader = opened
    with file:
        try:
            return read(file, reader)
        except (OSError, ValueError, MemoryError, EOFError, TypeError):
            return None


def _open_entry(path: Path, header: tuple[Any, ...]) -> tuple[BinaryIO, _Reader] | None:
    """The entry at `path`, open, past its header, if its header is `header`."""
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by the caller, or kept by a store
    except OSError:
        return None
    try:
        reader = _Reader(file, os.fstat(file.fileno()).st_size)
        if reader.record() == header:
            return file, reader
    except OSError:
        pass
    file.close()
    return None


def _lengths(raw: object, count: int) -> array[int] | None:
    """The offsets (from 0 to the end) of `count` items whose byte lengths `raw` holds."""
    if type(raw) is not bytes or len(raw) != count * 8:
        return None
    lengths = array(_OFFSETS)
    if lengths.itemsize != 8:
        return None
    lengths.frombytes(raw)
    try:
        return array("q", accumulate(lengths, initial=0))
    except OverflowError:  # lengths that add up beyond any file
        return None


def _abstract_size(paper: Paper) -> int:
    """The size in UTF-8 of a paper's abstract, not read when its store knows it."""
    held = stored_abstract(paper)
    if isinstance(held, str):
        return len(held) if held.isascii() else len(held.encode(SEARCH_ENCODING, SEARCH_ERRORS))
    store, index = held
    size = getattr(store, "size", None)
    if callable(size):
        return cast(int, size(index))
    return len(paper.abstract.encode(SEARCH_ENCODING, SEARCH_ERRORS))


def _abstracts_bytes(papers: Sequence[Paper]) -> list[bytes]:
    """`_abstract_bytes` of each paper; those kept in one file read together (`raws`)."""
    found: list[bytes] = []
    places: dict[int, tuple[StoredText, list[int], list[int]]] = {}
    for position, kept in enumerate(map(stored_abstract, papers)):
        if isinstance(kept, str):
            found.append(kept.encode(SEARCH_ENCODING, SEARCH_ERRORS))
            continue
        found.append(b"")
        store, index = kept
        entry = places.setdefault(id(store), (store, [], []))
        entry[1].append(position)
        entry[2].append(index)
    for store, positions, indices in places.values():
        raws = getattr(store, "raws", None)
        if callable(raws):
            read = cast(list[bytes], raws(indices))
        else:
            read = [_abstract_bytes(papers[position]) for position in positions]
        for position, raw in zip(positions, read, strict=True):
            found[position] = raw
    return found


def _abstract_bytes(paper: Paper) -> bytes:
    """A paper's abstract in UTF-8: the bytes its store keeps, else the text encoded."""
    held = stored_abstract(paper)
    if not isinstance(held, str):
        store, index = held
        raw = getattr(store, "raw", None)
        if callable(raw):
            return cast(bytes, raw(index))
    return paper.abstract.encode(SEARCH_ENCODING, SEARCH_ERRORS)


def _write_entry(
    path: Path, header: tuple[Any, ...], records: Iterable[Any], block: Iterable[bytes]
) -> None:
    """Write an entry atomically: a temporary file renamed into place once complete. The block's
    length is its parts' total, known to the last record (`("end", ..., length)`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, sweep=True) as file:
        total = 0
        for record in (header, *records) if isinstance(records, tuple) else _chain(header, records):
            _write_record(file, marshal.dumps(record))
            if type(record) is tuple and record[:1] == ("end",):
                total = record[-1]
        file.write(_LENGTH.pack(total))
        written = 0
        for part in block:
            file.write(part)
            written += len(part)
        if written != total:
            raise ValueError("reader.sources.digest_cache: the block is not the length announced")


def _write_record(file: BinaryIO, data: bytes) -> None:
    """A record as an entry holds it: its checksum, its length, then its bytes (`_Reader.raw`
    reads it)."""
    file.write(_CRC.pack(zlib.crc32(data)))
    file.write(_LENGTH.pack(len(data)))
    file.write(data)


def _chain(first: Any, rest: Iterable[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _quietly(write: Callable[[], None]) -> None:
    with contextlib.suppress(OSError, ValueError, MemoryError):
        write()


def _in_background(write: Callable[[], None]) -> None:
    """Run `write` in a thread (not a daemon: a --print run waits for its entry at exit)."""
    threading.Thread(target=_quietly, args=(write,), name="reader-cache-write").start()


# --- the papers ---------------------------------------------------------------------------------


def _typed(column: object, kinds: frozenset[type], count: int) -> bool:
    """Whether `column` is a list of `count` values of the `kinds` (checked in C: `map`)."""
    return type(column) is list and len(column) == count and set(map(type, column)) <= kinds


_INT = frozenset({int})
_STR = frozenset({str})
_STR_OR_NONE: frozenset[type] = frozenset({str, type(None)})


def _grouped(counts: list[int], flat: list[Any]) -> Iterable[tuple[Any, ...]] | None:
    """`flat` cut into tuples of `counts` items each, if the counts add up."""
    if min(counts, default=0) < 0 or sum(counts) != len(flat):
        return None
    if not flat:
        return repeat((), len(counts))
    items = iter(flat)
    return (tuple(islice(items, count)) if count else () for count in counts)


def _papers(chunk: object, abstracts: _Abstracts, first: int) -> list[Paper] | None:
    """The papers of one record (the `first`th paper of the entry onwards), or None if it is not
    what `_columns` wrote."""
    if not (type(chunk) is tuple and len(chunk) == _FIELDS and type(chunk[0]) is list):
        return None
    (weeks, titles, links, categories, ids, summaries, lines) = chunk[:7]
    link_counts, labels, urls, author_counts, names = chunk[7:]
    count = len(weeks)
    if not (
        _typed(weeks, _INT, count)
        and all(_typed(column, _STR, count) for column in (titles, links, categories, summaries))
        and _typed(ids, _STR_OR_NONE, count)
        and _typed(lines, _INT, count)
        and _typed(link_counts, _INT, count)
        and _typed(author_counts, _INT, count)
        and _typed(labels, _STR, len(labels) if type(labels) is list else -1)
        and _typed(urls, _STR, len(labels))
        and _typed(names, _STR, len(names) if type(names) is list else -1)
    ):
        return None
    extras = _grouped(
        link_counts, [Link(label, url) for label, url in zip(labels, urls, strict=True)]
    )
    authors = _grouped(author_counts, names)
    if extras is None or authors is None:
        return None
    days = {ordinal: date.fromordinal(ordinal) for ordinal in set(weeks)}
    return new_papers(
        map(days.__getitem__, weeks),
        titles,
        links,
        categories,
        zip(repeat(abstracts), range(first, first + count)),
        ids,
        summaries,
        extras,
        lines,
        authors,
    )


_PREAD: Callable[[int, int, int], bytes] | None = getattr(os, "pread", None)  # not on Windows


class _Abstracts:
    """The abstracts block of an entry (a `reader.model.StoredText`): the file stays open (a
    newer entry renamed over it leaves this one readable), each abstract read when asked."""

    def __init__(self, file: BinaryIO, start: int, offsets: array[int]) -> None:
        self.file = file
        self.start = start
        self.offsets = offsets
        self.lock = threading.Lock()
        weakref.finalize(self, file.close)

    def text(self, index: int) -> str:
        begin, end = self.offsets[index], self.offsets[index + 1]
        try:
            if _PREAD is not None:  # one system call, no buffer, no lock
                raw = _PREAD(self.file.fileno(), end - begin, self.start + begin)
            else:
                with self.lock:
                    self.file.seek(self.start + begin)
                    raw = self.file.read(end - begin)
        except (OSError, ValueError):
            return ""
        try:
            return raw.decode(SEARCH_ENCODING, SEARCH_ERRORS)
        except UnicodeDecodeError:  # a damaged entry: not worse than the file it came from
            return raw.decode(SEARCH_ENCODING, "replace")


def _read(base: Path, header: tuple[Any, ...], name: str, source: str) -> Digest | None:
    opened = _open_entry(base.with_suffix(".papers"), header)
    if opened is None:
        return None
    file, reader = opened
    search = _SearchFile(base.with_suffix(".search"), header)
    try:
        digest = _read_papers(file, reader, name, source)
    except (OSError, ValueError, TypeError, OverflowError, MemoryError):
        digest = None  # a day number out of range, say
    if digest is None:
        file.close()
        return None
    digest.search_store = search
    return digest


def _read_papers(file: BinaryIO, reader: _Reader, name: str, source: str) -> Digest | None:
    chunks: list[Any] = []
    while True:
        record = reader.record()
        if record is None:
            return None
        if type(record) is tuple and record[:1] == ("end",):
            break
        chunks.append(record)
    if len(record) != 4:
        return None
    _, count, joined, length = record
    if not (type(count) is int and type(length) is int and count >= 0):
        return None
    if not (
        joined is None
        or (type(joined) is tuple and len(joined) == 2 and all(type(n) is int for n in joined))
    ):
        return None
    offsets = _lengths(reader.record(), count)
    if offsets is None or offsets[-1] != length:
        return None
    start = reader.block_start(length)
    if start is None:
        return None
    abstracts = _Abstracts(file, start, offsets)
    papers: list[Paper] = []
    for chunk in chunks:
        part = _papers(chunk, abstracts, len(papers))
        if part is None or len(papers) + len(part) > count:
            return None
        papers.extend(part)
    if len(papers) != count:
        return None
    digest = Digest(papers, name=name, source=source, joined=joined)
    if not all(map(is_, digest.papers, papers)):
        return None  # not in the digest's order: the entry was not written from a digest
    return digest


def _columns(papers: Sequence[Paper]) -> tuple[list[Any], ...]:
    return (
        [paper.week.toordinal() for paper in papers],
        [paper.title for paper in papers],
        [paper.link for paper in papers],
        [paper.category for paper in papers],
        [paper.arxiv_id for paper in papers],
        [paper.summary for paper in papers],
        [paper.line for paper in papers],
        [len(paper.links) for paper in papers],
        [link.label for paper in papers for link in paper.links],
        [link.url for paper in papers for link in paper.links],
        [len(paper.authors) for paper in papers],
        [name for paper in papers for name in paper.authors],
    )


def _write(
    base: Path,
    header: tuple[Any, ...],
    digest: Digest,
    background: bool,
    later: Callable[[Callable[[], None]], None] | None = None,
) -> None:
    """Write the papers entry (in a thread when `background`: started now, or by `later`); the
    search text is written when it is first built (a search, or the TUI after its first paint).
    Skipped when the cache cannot be written."""
    papers = digest.papers

    def write() -> None:
        # The abstracts a chunk at a time: those kept on disk (`reader.abstracts`) are sized
        # without reading them and copied as bytes, never all in memory at once.
        sizes = array(_OFFSETS, map(_abstract_size, papers))
        total = sum(sizes)

        pause = model.QUERY_PAUSE[0]  # a query typed meanwhile goes first

        def records() -> Iterator[Any]:
            for start in range(0, len(papers), CHUNK):
                pause()
                yield _columns(papers[start : start + CHUNK])
            yield ("end", len(papers), digest.joined, total)
            yield sizes.tobytes()

        def block() -> Iterator[bytes]:
            for start in range(0, len(papers), CHUNK):
                pause()
                yield b"".join(_abstracts_bytes(papers[start : start + CHUNK]))

        _write_entry(base.with_suffix(".papers"), header, records(), block())

    if background:
        if later is not None:
            later(lambda: _in_background(write))
        else:
            _in_background(write)
    else:
        _quietly(write)
    digest.search_store = _SearchFile(base.with_suffix(".search"), header)


# --- the search text ----------------------------------------------------------------------------


_FOOTER = struct.Struct("<QQ")
"""The end of a search text's file: the number of papers and the size of the text."""
_SEARCH_FORMAT = ("search", 2)


class _SearchFile:
    """The entry's search text (a `reader.model.SearchStore`): a header, then the text as one
    block that starts on a page (memory-mapped when read: only the pages a search reads are in
    memory, and the kernel may drop them again), then the per-paper byte lengths and a footer
    (`_FOOTER`). It is written as it is built, so it is never all in memory."""

    def __init__(self, path: Path, header: tuple[Any, ...]) -> None:
        self.path = path
        self.header = header

    def load(self, count: int) -> SearchText | None:
        search = self._load()
        if search is None or len(search) != count:
            return None
        search.tokens = self.load_tokens(count)  # the TUI built it, if one ever ran on this
        return search

    def _load(self) -> SearchText | None:
        opened = _open_entry(self.path, self.header)
        if opened is None:
            return None
        file, reader = opened
        with file:
            try:
                if reader.record() != _SEARCH_FORMAT:
                    return None
                start = -(-reader.at // _page()) * _page()
                if reader.size < start + _FOOTER.size:
                    return None
                file.seek(reader.size - _FOOTER.size)
                count, length = _FOOTER.unpack(file.read(_FOOTER.size))
                if start + length + count * 8 + _FOOTER.size != reader.size:
                    return None
                file.seek(start + length)
                starts = _lengths(file.read(count * 8), count)
                if starts is None or starts[-1] != length:
                    return None
                if not length:
                    return SearchText(b"", starts)
                import mmap

                mapped = mmap.mmap(file.fileno(), length, access=mmap.ACCESS_READ, offset=start)
                kept = io.FileIO(os.dup(file.fileno()))  # for scans: read, not mapped in
                return SearchText(mapped, starts, (kept, start))
            except (OSError, ValueError, MemoryError, OverflowError, struct.error):
                return None

    def build(self, chunks: Iterable[SearchChunk], count: int) -> SearchText | None:
        """The search text of `chunks` (`count` papers in all), written to the entry as it is
        made and then mapped; None when it cannot be written (the caller builds it in
        memory)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(self.path, sweep=True) as file:
                for record in (self.header, _SEARCH_FORMAT):
                    _write_record(file, marshal.dumps(record))
                file.write(bytes(-file.tell() % _page()))  # the text starts on a page: mapped
                sizes: array[int] = array(_OFFSETS)
                for data, lengths in chunks:
                    file.write(data)
                    sizes.extend(lengths)
                if len(sizes) != count:
                    raise ValueError("reader.digest_cache: not one search text per paper")
                file.write(sizes.tobytes())
                file.write(_FOOTER.pack(count, sum(sizes)))
        except (OSError, ValueError):
            return None
        search = self._load()
        return search if search is not None and len(search) == count else None

    def load_tokens(self, count: int) -> TokenIndex | None:
        """The token index kept beside the search text (`<key>.tokens`), if it reads as one of
        `count` papers in the current format and its checksums hold. Its paper numbers are
        mapped, not read: only the pages lookups touch take memory."""

        def read(file: BinaryIO, reader: _Reader) -> TokenIndex | None:
            said = reader.record()
            raw = reader.raw()
            if not (
                raw is not None
                and type(said) is tuple
                and len(said) == 6
                and said[:4] == ("tokens", TOKENS_VERSION, count, zlib.crc32(raw))
                and type(said[4]) is int
                and said[4] >= 0
            ):
                return None  # a bit flipped in a posting would still read: checked whole
            length, crc = said[4], said[5]
            start = -(-reader.at // _page()) * _page()
            if reader.size != start + length or length % 4:
                return None
            file.seek(start)
            check = 0
            while chunk := file.read(1 << 20):
                check = zlib.crc32(chunk, check)
            if check != crc:
                return None
            if not length:
                return tokens_from_records(marshal.loads(raw), count, array("I"))
            import mmap

            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            ids = memoryview(mapped)[start:].cast("I")
            return tokens_from_records(marshal.loads(raw), count, ids, mapped)

        return _read_entry(self.path.with_suffix(".tokens"), self.header, read)

    def save_tokens(self, tokens: TokenIndex) -> None:
        def write() -> None:
            meta, ids = tokens.records()
            raw = marshal.dumps(meta)
            said = ("tokens", TOKENS_VERSION, tokens.count, zlib.crc32(raw), len(ids))
            path = self.path.with_suffix(".tokens")
            path.parent.mkdir(parents=True, exist_ok=True)
            with replacing(path, sweep=True) as file:
                for record in (self.header, (*said, zlib.crc32(ids))):
                    _write_record(file, marshal.dumps(record))
                _write_record(file, raw)
                file.write(bytes(-file.tell() % _page()))  # the ids start on a page: mapped
                file.write(ids)

        _in_background(write)

    def load_similar(self, count: int, authors: int) -> SimilarityIndex | None:
        """The similarity index kept beside the search text (`<key>.similar`), if it reads as
        one of `count` papers whose authors' checksum is `authors`, its checksum holds."""
        from reader.similar import VERSION, from_records

        def read(_: BinaryIO, reader: _Reader) -> SimilarityIndex | None:
            said = reader.record()
            raw = reader.raw()
            if raw is None or said != ("similar", VERSION, count, authors, zlib.crc32(raw)):
                return None
            return from_records(marshal.loads(raw), count)

        return _read_entry(self.path.with_suffix(".similar"), self.header, read)

    def save_similar(self, index: SimilarityIndex, authors: int) -> None:
        """Keep a freshly built similarity index (in the background; failures are skipped)."""
        from reader.similar import VERSION

        def write() -> None:
            raw = marshal.dumps(index.records())
            path = self.path.with_suffix(".similar")
            path.parent.mkdir(parents=True, exist_ok=True)
            said = ("similar", VERSION, index.count, authors, zlib.crc32(raw))
            with replacing(path, sweep=True) as file:
                for record in (self.header, said):
                    _write_record(file, marshal.dumps(record))
                _write_record(file, raw)

        _in_background(write)
