"""Loading digests: read files, directories or standard input, parse them, build a `Digest`.

No Textual here. Every failure is a `LoadError` carrying the file (`-` for standard input) and,
where one applies, the 1-based line, so the command line can print
`reader: error: FILE:LINE: message`.

Sources: a path to a file, a directory (every file in it with a digest extension, `.md`,
`.markdown`, `.csv`, `.tsv`, `.json`, sorted by name, not recursive, hidden files skipped; or,
when its README is a digest index, that index), or `-` for standard input, or an http(s) URL
(fetched through the cache of `reader.sources.fetch`: a conditional GET, the cached copy when
offline).
The format of each file is detected from its content (its extension is a hint): see
`reader.sources.formats.detect_format`.

A digest index (`reader.sources.formats.index`: a Markdown file of links to digest files, like the
upstream README since 2026) is read as the files it links to under its own folder, in its order,
each once, one level deep. Each of them is read on its own: a file that cannot be read (a 404,
a timeout, over the size limit, not a digest) is left out with a notice, or its cached copy read
instead; only an index none of whose files can be read is an error.

`source_stamp(sources)` is a cheap fingerprint of what would be read (paths, sizes,
modification times, directory listings): poll it and read again when it changes.
`reader.sources.source.DigestSource` does that for the TUI (load, reload and what is new).
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import itertools
import operator
import os
import stat
import sys
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn, TypeAlias

from reader.feeds import FeedPage, feed_name, next_page
from reader.model import UNDATED, Digest, Paper
from reader.sources.fetch import (
    Fetched,
    FetchError,
    FetchOptions,
    copy_time,
    fetch,
    is_url,
    read_cached,
    size_text,
)
from reader.sources.fields import within_limits
from reader.sources.formats import (
    DETECT_PREFIX,
    DIGEST_EXTENSIONS,
    FORMAT_NAMES,
    INDEX,
    MAX_INDEX_BYTES,
    LoadError,
    detect_format,
)

if TYPE_CHECKING:
    from reader.sources.formats.index import Followed

# reader.sources.formats.index is imported when a file holds links to digest files (startup speed).

__all__ = [
    "BUNDLED",
    "DIGEST_EXTENSIONS",
    "STDIN",
    "LoadError",
    "Progress",
    "Sources",
    "decode",
    "detect_format",
    "expand_sources",
    "load_digest",
    "parse_text",
    "read_pieces",
    "read_source",
    "read_stdin",
    "source_list",
    "source_stamp",
]

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "ml-papers-2023.md"
"""The digest shipped with the package, opened when no digest is given."""

STDIN = "-"
"""The source that reads standard input."""

README_NAMES = ("readme.md", "readme.markdown")
"""A directory whose README (any case) is a digest index reads as that index."""

Source: TypeAlias = "str | os.PathLike[str]"
Sources: TypeAlias = "Source | Sequence[Source] | None"
"""What `load_digest` takes: one source, several, or None (or []) for the bundled digest."""

_PARSERS: dict[str, tuple[str, str]] = {
    "table": ("reader.sources.formats.table", "parse_table"),
    "potw": ("reader.sources.formats.potw", "parse_potw"),
    "csv": ("reader.sources.formats.csv_json", "parse_csv"),
    "json": ("reader.sources.formats.csv_json", "parse_json"),
    "hf": ("reader.sources.formats.hf", "parse_hf"),
    "arxiv": ("reader.sources.formats.arxiv_listing", "parse_arxiv_listing"),
}
"""Each format's parser, imported when a file of that format is first read (startup speed)."""


def _parser(fmt: str) -> Callable[[str, str], list[Paper]]:
    module, name = _PARSERS[fmt]
    parse: Callable[[str, str], list[Paper]] = getattr(importlib.import_module(module), name)
    return parse


# --- reading -----------------------------------------------------------------------------------


def _line_of_byte(data: bytes, offset: int) -> int:
    """The 1-based line of the byte at `offset`, counting LF, CRLF and lone CR as line ends."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def decode(data: bytes, path: str) -> str:
    """`data` as text: UTF-8, a leading BOM dropped, line endings untouched.

    Raises LoadError with the line and column of the first byte that is not UTF-8.
    """
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


Progress = Callable[[float, str], None]
"""Told how loading goes: (fraction done, or -1 when it cannot be told; what is being done).
It may raise to stop the loading (the TUI does when the user quits)."""

_WEEK = operator.attrgetter("week")
_ORIGINS = operator.attrgetter("origins")

Loader = Callable[[Progress], Digest]
"""Loads a digest, reporting progress as (fraction done or -1 when unknown, what it is doing)."""

READ_CHUNK = 1024 * 1024
"""Bytes read (and decoded, and parsed) at a time. Larger pieces cost more than they save: the
allocator maps each one afresh (at 100k papers 8 MB pieces made loading ~60 ms slower)."""

MAX_STREAM_BYTES = 1 << 30
"""The most read from a source whose size is not known in advance (a pipe, a FIFO, standard
input): an endless stream (`yes |`, `cat /dev/zero |`) ends in an error, not a hang."""


def _read_pieces(file: BinaryIO, path: str, progress: Progress | None) -> Iterator[str]:
    """The text of an open file, in pieces that each (but the last) end with a line feed. A
    regular file is read as it was when reading began: one that grows meanwhile (a log being
    written) is read up to its size at the start, so reading always ends; and if it did grow, up
    to the last complete line (the one being appended may be cut short). Anything else (a pipe,
    a FIFO, a /proc file) is read as a stream, in one piece."""
    try:
        info = os.fstat(file.fileno())
    except (OSError, ValueError):
        info = None
    if info is not None and (
        stat.S_ISBLK(info.st_mode) or (stat.S_ISCHR(info.st_mode) and not os.isatty(file.fileno()))
    ):
        raise LoadError(path, None, "is a device, not a digest file")  # /dev/zero, /dev/sda
    size = info.st_size if info is not None and stat.S_ISREG(info.st_mode) else 0
    if size <= 0:
        yield decode(_read_stream(file, path, progress), path)
        return
    # Read into one buffer and decoded up to its last line feed, the bytes after it moved to
    # the front for the next read: no step holds the interpreter for long (the TUI stays
    # responsive and `q` quits at once while a huge file loads), and nothing is copied but into
    # the text (an incremental decoder would copy every chunk it is given).
    read_into: Callable[[memoryview], int | None] = file.readinto  # type: ignore[attr-defined]
    buffer = bytearray(READ_CHUNK)
    kept = 0  # bytes at the front of `buffer`, after the last line feed decoded
    done = 0
    first = True
    last_byte = b""
    while done < size:
        want = min(READ_CHUNK, size - done)
        if len(buffer) < kept + want:  # a line longer than a chunk
            buffer.extend(bytes(kept + want - len(buffer)))
        with memoryview(buffer) as view:
            count = read_into(view[kept : kept + want])
        if not count:
            break
        done += count
        end = kept + count
        last_byte = bytes(buffer[end - 1 : end])
        cut = buffer.rfind(b"\n", kept, end) + 1
        piece = ""
        if cut:
            with memoryview(buffer) as view:
                try:
                    piece = codecs.utf_8_decode(view[:cut], "strict", True)[0]
                except UnicodeDecodeError:
                    _raise_decode_error(file, done, path)
            buffer[: end - cut] = buffer[cut:end]
            kept = end - cut
        else:  # no line feed in it: read on
            kept = end
        if progress is not None:
            progress(done / size, f"Reading {path}: {done >> 20} of {size >> 20} MB")
        if piece:
            if first:
                piece = piece.removeprefix("\ufeff")
                first = False
            yield piece
    grew = done == size and last_byte not in (b"", b"\n", b"\r") and bool(file.read(1))
    with memoryview(buffer) as view:
        try:  # all of it, but a character cut in half at the end of a file that grew
            piece = codecs.utf_8_decode(view[:kept], "strict", not grew)[0]
        except UnicodeDecodeError:
            _raise_decode_error(file, done, path)
    if first:
        piece = piece.removeprefix("\ufeff")
    if grew:  # drop the line being appended
        piece = piece[: piece.rfind("\r") + 1]  # (what was yielded ends with a line feed)
    if piece:
        yield piece


def _raise_decode_error(file: BinaryIO, size: int, path: str) -> NoReturn:
    """Raise the LoadError for the first byte of the file that is not UTF-8 (read again)."""
    file.seek(0)
    decode(file.read(size), path)  # raises, with the line and the column
    raise LoadError(path, None, "not UTF-8 text")  # the file changed meanwhile


def _read_stream(file: BinaryIO, path: str, progress: Progress | None) -> bytes:
    """Everything `file` gives until its end, at most `MAX_STREAM_BYTES`. Bytes that are not
    UTF-8 stop the reading at once (an endless binary stream fails fast, with its line)."""
    validate = codecs.getincrementaldecoder("utf-8")().decode
    chunks: list[bytes] = []
    done = 0
    while True:
        chunk = file.read(READ_CHUNK)
        if not isinstance(chunk, bytes):
            raise LoadError(path, None, "is not a byte stream")
        if not chunk:
            break
        chunks.append(chunk)
        done += len(chunk)
        try:
            validate(chunk)
        except UnicodeDecodeError:
            decode(b"".join(chunks), path)  # raises, with the line and the column
            raise
        if done > MAX_STREAM_BYTES:
            raise LoadError(
                path,
                None,
                f"more than {MAX_STREAM_BYTES >> 20} MB and no end in sight: "
                "an endless stream? (save it to a file to read it whole)",
            )
        if progress is not None:
            progress(-1, f"Reading {path}: {done >> 20} MB")
    return b"".join(chunks)


def read_source(path: str | os.PathLike[str], progress: Progress | None = None) -> str:
    """The text of the file at `path`: UTF-8, a leading BOM dropped, line endings untouched.

    Raises LoadError for a missing or unreadable file, a directory, a device (`/dev/zero`), a
    stream longer than `MAX_STREAM_BYTES`, or bytes that are not UTF-8 (with the line of the
    first bad byte). A FIFO is read like `cat` reads it: opening waits for a writer.
    """
    return "".join(read_pieces(path, progress))


def read_pieces(path: str | os.PathLike[str], progress: Progress | None = None) -> Iterator[str]:
    """`read_source(path)` a piece at a time, as it is read: pieces that each (but the last)
    end with a line feed, and whose text joined is `read_source(path)`. The errors are those of
    `read_source`, raised when reading gets to them."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise LoadError(path, None, "is a directory, not a digest file")
    try:
        with open(path, "rb") as file:
            yield from _read_pieces(file, path, progress)
    except FileNotFoundError:
        raise LoadError(path, None, "no such file") from None
    except IsADirectoryError:
        raise LoadError(path, None, "is a directory, not a digest file") from None
    except PermissionError:
        raise LoadError(path, None, "permission denied") from None
    except OSError as error:
        raise LoadError(path, None, f"cannot read: {error.strerror or error}") from None


def read_stdin() -> str:
    """The text of standard input, read to its end and decoded like a file (`-` in errors)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise LoadError(STDIN, None, "standard input is not available")
    try:
        data = _read_stream(stream, STDIN, None)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise LoadError(STDIN, None, f"cannot read standard input: {reason}") from None
    return decode(data, STDIN)


# --- sources -----------------------------------------------------------------------------------


def source_list(sources: Sources = None) -> list[str]:
    """The sources as a list of strings; the bundled digest for None or an empty list."""
    if sources is None:
        return [str(BUNDLED)]
    if isinstance(sources, (str, os.PathLike)):
        return [os.fspath(sources)]
    return [os.fspath(source) for source in sources] or [str(BUNDLED)]


def _directory_files(path: str) -> list[str]:
    """The digest files of a directory, by name; only its README when that is an index."""
    try:
        names = sorted(os.listdir(path))
    except PermissionError:
        raise LoadError(path, None, "permission denied") from None
    except OSError as error:
        raise LoadError(path, None, f"cannot list: {error.strerror or error}") from None
    files = [
        os.path.join(path, name)
        for name in names
        if not name.startswith(".")
        and os.path.splitext(name)[1].lower() in DIGEST_EXTENSIONS
        and os.path.isfile(os.path.join(path, name))
    ]
    if not files:
        raise LoadError(
            path,
            None,
            f"is a directory with no digest files ({', '.join(DIGEST_EXTENSIONS)})",
        )
    for file in files:
        if os.path.basename(file).lower() in README_NAMES and local_index(file) is not None:
            return [file]
    return files


_INDEXES: dict[tuple[str, int, int], Followed | None] = {}
"""`local_index`'s answers, by (absolute path, size, modification time)."""


def local_index(path: str) -> Followed | None:
    """The files a local digest index leads to (`reader.sources.formats.index`), or None when
    `path` is not an index (or cannot be read: reading it then says why). Cheap to ask again: a
    file is looked at once per size and modification time, and only its first 64 KB unless they
    hold an index."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_INDEX_BYTES:
        return None
    key = (os.path.abspath(path), info.st_size, info.st_mtime_ns)
    if key in _INDEXES:
        return _INDEXES[key]
    followed: Followed | None = None
    try:
        with open(path, "rb") as file:
            head = file.read(DETECT_PREFIX)
            if detect_format(head.decode("utf-8", "replace"), path) == INDEX:
                from reader.sources.formats.index import index_targets, resolve_path

                text = decode(head + file.read(MAX_INDEX_BYTES), path)
                targets = index_targets(text)
                if targets:
                    followed = resolve_path(path, targets)
    except (OSError, LoadError):
        return None
    if len(_INDEXES) >= 256:
        _INDEXES.clear()
    _INDEXES[key] = followed
    return followed


def _expanded(sources: Sources = None) -> list[tuple[str, Followed | None]]:
    """The files to read, in order, each with what it leads to when it is a local index:
    directories replaced by their digest files; `-` and URLs kept."""
    files: list[tuple[str, Followed | None]] = []
    for source in source_list(sources):
        if source == STDIN or is_url(source):
            files.append((source, None))
            continue
        paths = _directory_files(source) if os.path.isdir(source) else [source]
        files.extend((path, local_index(path)) for path in paths)
    return files


def expand_sources(sources: Sources = None) -> list[str]:
    """The files to read, in order: directories replaced by their digest files, a local index
    followed by the files it leads to; `-` and URLs kept."""
    files: list[str] = []
    for path, followed in _expanded(sources):
        files.append(path)
        if followed is not None:
            files.extend(followed.files)
    return files


def digest_name(sources: Sources = None) -> str:
    """The name `load_digest(sources)` gives its digest, known without reading anything."""
    return " + ".join(_name(source) for source in source_list(sources))


def _name(source: str) -> str:
    if source == STDIN:
        return "stdin"
    if is_url(source):
        named = feed_name(source)
        if named is not None:
            return named
        path = source.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
        return Path(path).stem if "/" in path else "digest"
    return Path(source).stem or Path(os.path.abspath(source)).name


# --- parsing -----------------------------------------------------------------------------------


def parse_text(text: str, path: str, fmt: str | None = None) -> list[Paper]:
    """The papers of a digest's text, in source order, in format `fmt` (default: detected).

    `path` names the source in errors and, by its extension, hints at the format.
    """
    if fmt is None:
        fmt = detect_format(text, path)
        if fmt == INDEX:  # links and no weeks: say what a README of weeks should have
            fmt = "potw"
    elif fmt not in _PARSERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMAT_NAMES)}")
    return _parser(fmt)(text, path)


def load_digest(
    sources: Sources = None,
    progress: Progress | None = None,
    fetching: FetchOptions | None = None,
    bodies: BodyPapers | None = None,
) -> Digest:
    """The digest in one source, or several merged into one; the bundled digest for None (or []).

    A source is a file, a directory of digest files, or `-` (standard input, read once even if
    given twice). `Digest.name` is the file's stem (`stdin` for `-`, the directory's name for a
    directory; names joined by " + " for several sources) and `Digest.source` the sources as
    given, joined by ", ". When several files are merged, a paper (same `Paper.key`) that a later
    file repeats in the same week is kept once, at its first appearance; repeats within one file
    are kept. Undated papers (the upstream CSV of abstracts) join the dated papers they describe
    and fill what those lack (`reader.sources.join`); `Digest.joined` then says how many joined
    and how many stay undated (None when there was nothing dated to join). `progress`, if given,
    hears how reading and parsing go.

    A URL is fetched as `fetching` says (default: online, the default cache); a fresh body enters
    the cache only once it has parsed. Where a cached copy stood in for the network,
    `Digest.notices` says so ("offline: the copy of 2026-11-30 14:02 (why)"). A URL that is one
    of several sources and cannot be read at all (nor from the cache), or a page of a feed
    after its first, is left out with a notice and named in `Digest.title_note`, as a file of an
    index is; only when no source can be read is it an error. `bodies`, if given, is asked for
    the papers of each fetched body (the parsed-digest cache of `DigestSource`).
    """
    given = source_list(sources)
    loading = _Loading(progress, fetching, bodies)
    expanded = _expanded(given)
    failed: list[LoadError] = []
    for path, followed in expanded:
        if path == STDIN:
            loading.read_stdin()
        elif is_url(path) and len(expanded) > 1:  # one of several: its failure is a notice
            try:
                loading.read_url(path)
            except LoadError as error:
                loading.left_out(path, error)
                failed.append(error)
        elif is_url(path):
            loading.read_url(path)
        elif followed is not None:
            loading.read_index(path, followed)
        else:
            papers, only = _parse_file(path, progress)
            loading.add(papers, path, only)
    if failed and len(failed) == len(expanded):  # nothing could be read at all
        raise failed[0]
    papers = loading.papers + loading.feed_papers if loading.feed_papers else loading.papers
    name = digest_name(given)
    joined: tuple[int, int] | None = None
    if UNDATED in map(_WEEK, papers) and any(paper.week != UNDATED for paper in papers):
        from reader.sources.join import join_undated  # only for undated papers beside dated ones

        papers, matched, undated = join_undated(papers)
        joined = (matched, undated)
    if loading.feed_papers:
        from reader.sources.join import merge_feeds  # only when a feed was read (reader.feeds)

        papers = merge_feeds(papers)
    if progress is not None:
        progress(-1, f"Indexing {len(papers)} papers")
    return Digest(
        papers,
        name=name,
        source=", ".join(given),
        joined=joined,
        notices=tuple(loading.notices),
        title_note=loading.title_note(),
    )


NESTED = "is itself an index of digest files: not followed (an index is followed one level deep)"

BodyPapers: TypeAlias = Callable[[str, bytes, Callable[[], list[Paper]]], list[Paper]]
"""What `load_digest` asks for the papers of a fetched body (its URL, its bytes, and how to
parse it): `reader.sources.digest_cache.BodyCache` keeps them, so a body a 304 confirmed is not
parsed again."""


class _Loading:
    """The papers read so far, and what to say of how they were read."""

    def __init__(
        self,
        progress: Progress | None,
        fetching: FetchOptions | None,
        bodies: BodyPapers | None = None,
    ) -> None:
        self.progress = progress
        self.fetching = fetching if fetching is not None else FetchOptions()
        self.bodies = bodies
        self.papers: list[Paper] = []
        self.feed_papers: list[Paper] = []
        """Papers of feeds (`reader.feeds`): merged by arXiv id at the end (`merge_feeds`), never
        left out as repeats (nor do they make a digest's papers repeats)."""
        self.seen: set[tuple[date, str]] | None = None
        self.notices: list[str] = []
        self.missing: list[str] = []
        """Files of an index that could not be read."""
        self.offline = False
        """Whether a cached copy stood in for the network."""
        self.stdin_text: str | None = None

    def add(self, parsed: list[Paper], source: str, only: Collection[int] | None = None) -> None:
        """Papers of one more file: one that a file before repeats in the same week is left out
        (repeats within one file are kept). A feed's papers are kept aside (`feed_papers`);
        the items of a feed's page that could not be read are said (`FeedPage.notice`). A field
        over `reader.limits.FIELD_CHARS` is cut, with a notice (`only`: the positions of the
        only papers that can hold one, when the parser knows them)."""
        if isinstance(parsed, FeedPage) and (notice := parsed.notice()) is not None:
            self.notices.append(notice)
        parsed, notice = within_limits(parsed, source, only)
        if notice is not None:
            self.notices.append(notice)
        if any(map(_ORIGINS, parsed)):
            self.feed_papers.extend(parsed)
            return
        if not self.papers:
            self.papers = parsed
            return
        if self.seen is None:
            self.seen = {(paper.week, paper.key) for paper in self.papers}
        seen = self.seen
        parsed = [paper for paper in parsed if (paper.week, paper.key) not in seen]
        seen.update((paper.week, paper.key) for paper in parsed)
        self.papers.extend(parsed)

    def left_out(self, source: str, error: LoadError) -> None:
        """A source (one of several given, or a page of a feed) that could not be read: said,
        and named in the title, while the others are read."""
        self.notices.append(f"{error}; left out")
        self.missing.append(source)

    def title_note(self) -> str:
        notes: list[str] = []
        if len(self.missing) == 1:
            notes.append(f"{_file_name(self.missing[0])} not read")
        elif self.missing:
            notes.append(f"{len(self.missing)} files not read")
        if self.offline:
            notes.append("offline copy")
        return " · ".join(notes)

    def read_stdin(self) -> None:
        if self.stdin_text is not None:  # read once even if given twice: all repeats
            return
        self.stdin_text = read_stdin()
        self.add(self._parsed(self.stdin_text, STDIN), STDIN)

    def _parsed(self, text: str, path: str, body: bytes | None = None) -> list[Paper]:
        """The papers of `text`; of a fetched `body`, through `bodies` (parsed once)."""

        def parse() -> list[Paper]:
            if self.progress is not None:
                self.progress(-1, f"Parsing {path} ({len(text) >> 20} MB)")
            return parse_text(text, path)

        if body is not None and self.bodies is not None:
            return self.bodies(path, body, parse)
        return parse()

    def _fetched(self, fetched: Fetched, said: bool = False) -> None:
        """A fetched body that read well: its cache entry written, its notice kept (unless
        `said`: a page of a feed whose first page said it already)."""
        fetched.commit()
        if fetched.notice is not None:
            if not said:
                self.notices.append(f"{fetched.url}: {fetched.notice}")
            self.offline = True

    def read_url(
        self, url: str, said: bool = False, repeated: frozenset[str] = frozenset()
    ) -> None:
        """A URL given as a source: a digest, or an index whose files are read next (`said`:
        a later page of a feed whose first page came from the cache and said so; `repeated`:
        the papers of the page before it, which it must not be)."""
        fetched = fetch(url, self.fetching, _fetch_progress(self.progress))
        try:
            text = decode(fetched.body, url)
            targets = _index_targets(text, url)
            parsed = None if targets else self._parsed(text, url, fetched.body)
        except LoadError as error:  # not a digest: the cached copy, if there is one
            fetched = fetched.fallback(error)
            text = decode(fetched.body, url)
            targets = _index_targets(text, url)
            parsed = None if targets else self._parsed(text, url, fetched.body)
        if parsed is not None:
            self._fetched(fetched, said)
            if repeated and frozenset(paper.key for paper in parsed) == repeated:
                return  # the page before it again: a server that ignores `p` (asking on won't end)
            self.add(parsed, url)
            items = parsed.items if isinstance(parsed, FeedPage) else len(parsed)
            following = next_page(url, items)  # Hugging Face's pages (reader.feeds)
            if following is not None:
                keys = frozenset(paper.key for paper in parsed)
                try:
                    self.read_url(following, said or fetched.notice is not None, keys)
                except LoadError as error:  # the pages read so far stay
                    self.left_out(following, error)
            return
        from reader.sources.formats.index import resolve_url

        self._fetched(fetched)
        followed = resolve_url(fetched.location, targets)
        self.read_index(url, followed, len(fetched.body), fetched.location)

    def read_index(
        self, index: str, followed: Followed, size: int | None = None, base: str | None = None
    ) -> None:
        """The files an index leads to, each on its own: one that cannot be read is a notice
        (and its cached copy is read, if there is one); none read at all is a LoadError."""
        self.notices.extend(followed.notices(index))
        files = followed.files
        if not files:
            why = "; ".join(sorted({why for _, why in followed.refused}))
            raise LoadError(
                index, None, f"an index with no digest file to read ({why or 'no links'})"
            )
        if size is None:
            with contextlib.suppress(OSError):
                size = os.path.getsize(index)
        told = _FilesTold(self.progress, base or index, len(files) + 1, size or 0)
        failures: list[str] = []
        urls = list(dict.fromkeys(file for file in files if is_url(file)))
        fetching = _Fetching(urls, self.fetching, told) if len(urls) > 1 else None
        try:
            for file in files:
                only: list[int] | None = None
                told.start(file)
                try:
                    if is_url(file):
                        parsed = self._linked_url(file, told, fetching)
                    else:
                        parsed, only = self._linked_file(file, told)
                except LoadError as error:
                    failures.append(str(error))
                    self.notices.append(f"{error}; left out")
                    self.missing.append(file)
                else:
                    self.add(parsed, file, only)
                told.file_done(file)
        finally:
            if fetching is not None:  # an error: the downloads not begun are not begun
                fetching.shutdown(wait=False, cancel_futures=True)
        if len(failures) == len(files):
            count = "the file" if len(files) == 1 else f"any of the {len(files)} files"
            raise LoadError(index, None, f"cannot read {count} it links to: {failures[0]}")

    def _linked_url(
        self, url: str, told: _FilesTold, fetching: _Fetching | None = None
    ) -> list[Paper]:
        """A file an index links to, fetched (by `fetching`, when it is fetching several at
        once); when what came is not a digest, its cached copy."""
        try:
            if fetching is not None:
                fetched = fetching.result(url)
            else:
                fetched = fetch(url, self.fetching, told.hear_bytes(url))
        except FetchError as error:  # an HTML page; or a failure, and nothing cached
            return self._instead(url, error)
        told.bytes(len(fetched.body), url)
        try:
            body = fetched.body
            if self.bodies is not None:
                parsed = self.bodies(url, body, lambda: _linked_papers(decode(body, url), url))
            else:
                parsed = _linked_papers(decode(body, url), url)
        except LoadError as error:
            if fetched.status != "downloaded":
                raise
            return self._instead(url, error)
        self._fetched(fetched)
        return parsed

    def _instead(self, url: str, error: LoadError) -> list[Paper]:
        """The cached copy of `url` in place of what `error` says went wrong."""
        cached = read_cached(url, self.fetching.directory)
        if cached is None:
            raise error
        try:
            parsed = _linked_papers(decode(cached.body, url), url)
        except LoadError:
            raise error from None
        self.notices.append(f"{error}; read the copy of {copy_time(cached.checked)} instead")
        self.offline = True
        return parsed

    def _linked_file(self, path: str, told: _FilesTold) -> tuple[list[Paper], list[int] | None]:
        if local_index(path) is not None:
            raise LoadError(path, None, NESTED)
        parsed = _parse_file(path, told.hear_fraction(path))
        with contextlib.suppress(OSError):
            told.bytes(os.path.getsize(path), path)
        return parsed


def _index_targets(text: str, path: str) -> list[str]:
    """The targets of the links of `text` when it is a digest index, else []."""
    if detect_format(text, path) != INDEX:
        return []
    from reader.sources.formats.index import index_targets

    return index_targets(text)


def _linked_papers(text: str, path: str) -> list[Paper]:
    """The papers of a file an index links to; a LoadError when it is an index itself."""
    if _index_targets(text, path):
        raise LoadError(path, None, NESTED)
    return parse_text(text, path)


def _file_name(path: str) -> str:
    """A file's name as the title shows it: `2025.md`; a feed's, `HF daily 2026-W26`."""
    if is_url(path):
        named = feed_name(path)
        if named is not None:
            return named
        path = path.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return path.rstrip("/").rsplit("/", 1)[-1] or path


FETCH_AT_ONCE = 4
"""How many files of an index are downloaded at once (the upstream README links one a year)."""


class _Fetching:
    """The files of an index being downloaded, `FETCH_AT_ONCE` at a time, begun in the index's
    order, each bounded by `--timeout` as one alone is; `result(url)` waits for one (and
    raises what its fetch raised)."""

    def __init__(self, urls: list[str], options: FetchOptions, told: _FilesTold) -> None:
        import threading
        from concurrent.futures import ThreadPoolExecutor
        from dataclasses import replace

        lock = threading.Lock()
        heard = options.progress
        if heard is not None:  # one download's line at a time on standard error

            def hear(url: str, done: int, total: int | None) -> None:
                with lock:
                    heard(url, done, total)

            options = replace(options, progress=hear)
        self._pool = ThreadPoolExecutor(min(FETCH_AT_ONCE, len(urls)), "reader-fetch")
        self._futures = {
            url: self._pool.submit(fetch, url, options, told.hear_bytes(url)) for url in urls
        }

    def result(self, url: str) -> Fetched:
        return self._futures[url].result()

    def shutdown(self, wait: bool, cancel_futures: bool) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


class _FilesTold:
    """Progress through an index's files: `Fetching years/2025.md: 2 of 5 files · 1.2 MB` (the
    index counts as a file, and is read by then). Files may be fetched several at once (from
    threads): the line names the file read next in the index's order (`start`), the bytes
    count every file's received so far."""

    def __init__(self, progress: Progress | None, index: str, total: int, size: int) -> None:
        import threading

        self.progress = progress
        self.folder = index[: index.rfind("/") + 1]
        self.total = total
        self.done = 1
        self.size = size
        self._told = 0.0
        self._lock = threading.Lock()
        self._current: str | None = None
        self._doing: dict[str, str] = {}
        """What the line says a file not yet done is doing: `Fetching years/2025.md`."""
        self._received: dict[str, int] = {}
        """The bytes of each file not yet done received (or read) so far."""
        self._fraction: dict[str, float] = {}

    def _shown(self, path: str) -> str:
        return path[len(self.folder) :] if path.startswith(self.folder) else path

    def _tell(self, key: str | None, now: bool = False) -> None:
        """The line for `key` if it is the file read now (the lock held)."""
        if self.progress is None or key != self._current or key not in self._doing:
            return
        moment = time.monotonic()
        if not now and moment - self._told < 0.05:
            return
        self._told = moment
        size = self.size + sum(self._received.values())
        of = f"{self.done} of {self.total} files · {size_text(size)}"
        fraction = (self.done + self._fraction.get(key, 0.0)) / self.total
        self.progress(fraction, f"{self._doing[key]}: {of}")

    def _begin(self, key: str, doing: str) -> None:
        with self._lock:
            self._doing[key] = doing
            self._received[key] = 0
            self._fraction[key] = 0.0
            self._tell(key, True)

    def _heard(self, key: str, received: int, fraction: float, now: bool) -> None:
        with self._lock:
            if key in self._doing:
                self._received[key] = received
                self._fraction[key] = fraction
                self._tell(key, now)

    def start(self, key: str) -> None:
        """The file read next, in the index's order: the line names it from now on."""
        with self._lock:
            self._current = key
            self._tell(key, True)

    def hear_bytes(self, url: str) -> Callable[[str, int, int | None], None] | None:
        if self.progress is None:
            return None
        self._begin(url, f"Fetching {self._shown(url)}")

        def hear(_: str, done: int, total: int | None) -> None:
            self._heard(url, done, done / total if total else 0.0, done == total)

        return hear

    def hear_fraction(self, path: str) -> Progress | None:
        if self.progress is None:
            return None
        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0
        self._begin(path, f"Reading {self._shown(path)}")

        def hear(fraction: float, _: str) -> None:
            part = max(fraction, 0.0)
            self._heard(path, int(part * size), part, part >= 1)

        return hear

    def bytes(self, count: int, key: str) -> None:
        """`key` is read whole: `count` bytes."""
        with self._lock:
            self.size += count
            self._received.pop(key, None)

    def file_done(self, key: str) -> None:
        with self._lock:
            for kept in (self._doing, self._received, self._fraction):
                kept.pop(key, None)
            self.done += 1
            if self.done == self.total and self.progress is not None:
                self._told = time.monotonic()
                of = f"{self.done} of {self.total} files · {size_text(self.size)}"
                self.progress(1.0, f"Read: {of}")


def _parse_file(
    path: str, progress: Progress | None, big: bool = True
) -> tuple[list[Paper], list[int] | None]:
    """`parse_text(read_source(path), path)`, the same papers and the same errors, but a
    pipe-table digest is parsed while it is read, a piece at a time: its text is never joined
    into one string (at 100,000 papers that copy took ~50 ms and 130 MB). As when the whole
    file was read first, a byte that is not UTF-8 anywhere in it is the error reported, before
    any in the table, and the whole file is read even when the table ends early. With the
    papers, the positions of those that alone can hold a field over `FIELD_CHARS` (a table's
    parser knows them), or None (any can)."""
    from reader.abstracts import keep_abstracts
    from reader.sources.formats.table import parse_table_pieces

    parsing = [False]
    fraction_read = [-1.0]

    def told(fraction: float, doing: str) -> None:
        fraction_read[0] = fraction
        if progress is not None:
            progress(fraction, f"Parsing{doing.removeprefix('Reading')}" if parsing[0] else doing)

    pieces = read_pieces(path, told if progress is not None else None)
    head: list[str] = []
    length = 0
    for piece in pieces:
        head.append(piece)
        length += len(piece)
        if length >= DETECT_PREFIX:
            break
    fmt = detect_format(head[0] if len(head) == 1 else "".join(head), path)
    if fmt == INDEX:  # not followed here (`local_index` said no): read as a README of weeks
        fmt = "potw"
    if fmt != "table":
        text = "".join([*head, *pieces])
        if progress is not None:
            progress(-1, f"Parsing {path} ({len(text) >> 20} MB)")
        return parse_text(text, path, fmt), None
    parsing[0] = True
    if progress is not None:
        progress(fraction_read[0], f"Parsing {path}")
    kept = keep_abstracts(path) if big else None
    long: list[int] = []
    try:
        papers = parse_table_pieces(itertools.chain(head, pieces), path, kept, long)
    except LoadError:
        for _ in pieces:  # a byte further on that is not UTF-8 is the error to report
            pass
        raise
    for _ in pieces:  # the rest of the file, after the table: read, so checked, as before
        pass
    if kept is not None and len(kept) and not kept.read_from(path):
        return _parse_file(path, None, big=False)  # changed as it was read: read it again
    return papers, long


def _fetch_progress(progress: Progress | None) -> Callable[[str, int, int | None], None] | None:
    """A download's bytes told to a loader's `progress`: `Fetching URL: 512 KB of 1.0 MB`."""
    if progress is None:
        return None
    told = [0.0]

    def hear(url: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - told[0] < 0.05 and done != total:
            return
        told[0] = now
        of = f" of {size_text(total)}" if total else ""
        progress(done / total if total else -1, f"Fetching {url}: {size_text(done)}{of}")

    return hear


URL_WATCH_SECONDS = 300.0
"""How often `--watch` revalidates URLs (files are looked at every 2 s)."""


def source_stamp(
    sources: Sources = None, url_every: float = URL_WATCH_SECONDS
) -> tuple[tuple[str, int, int], ...]:
    """A fingerprint of the sources for `--watch`: (path, size, mtime in ns) of every file that
    `load_digest(sources)` would read (the files a local index leads to too), plus each
    directory's own entry (so that added, removed and renamed files change it). Missing files
    appear with -1s; `-` is left out. Cheap: one `stat` per file, no reading (but a look at a
    small file that changed, to see whether it is an index: `local_index`). A URL
    appears as (URL, -1, the number of `url_every`-second periods since the epoch), so the
    stamp changes, and the digest is revalidated, that often."""
    stamp: list[tuple[str, int, int]] = []
    for source in source_list(sources):
        if source == STDIN:
            continue
        if is_url(source):
            stamp.append((source, -1, int(time.time() // url_every)))
            continue
        paths = [source]
        if os.path.isdir(source):
            with contextlib.suppress(OSError):
                paths += [
                    os.path.join(source, name)
                    for name in sorted(os.listdir(source))
                    if not name.startswith(".")
                    and os.path.splitext(name)[1].lower() in DIGEST_EXTENSIONS
                ]
        for path in paths:
            try:
                info = os.stat(path)
            except OSError:
                stamp.append((path, -1, -1))
                continue
            stamp.append((path, info.st_size, info.st_mtime_ns))
            followed = local_index(path) if stat.S_ISREG(info.st_mode) else None
            for linked in followed.files if followed is not None else ():
                try:
                    info = os.stat(linked)
                except OSError:
                    stamp.append((linked, -1, -1))
                else:
                    stamp.append((linked, info.st_size, info.st_mtime_ns))
    return tuple(stamp)
