"""Abstracts kept in the digest file they were read from, read when asked (issue 26).

No Textual here. A big pipe-table digest is parsed a piece at a time; for each row whose abstract
is the row's bytes as written (no escaped pipe, not continued on another row), the parser keeps
where those bytes are in the file (`FileAbstracts.add`) instead of the text: a paper's abstract
is then a `reader.model.Deferred` that reads them whenever it is shown, printed or searched. At
100,000 papers that is 135 MiB less on the heap at a first open; the parsed-digest cache keeps
the abstracts of a second open on disk the same way.

The file stays open (a file renamed over it, as editors and `git` do, leaves this one readable).
One changed in place after it was read (its size or modification time differ) is not read: its
bytes may be anything now; the abstract says so instead (`CHANGED`).
"""

from __future__ import annotations

import os
import re
import stat
import threading
import weakref
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence

from reader.model import SEARCH_ENCODING, Deferred

__all__ = ["CHANGED", "MIN_DEFERRED", "MIN_FILE_BYTES", "FileAbstracts", "keep_abstracts"]

CHANGED = (
    "(The digest file changed after it was read, so this abstract cannot be shown: r reads it"
    " again.)"
)
"""What an abstract reads when its file was changed in place since it was parsed."""
MIN_DEFERRED = 100
"""Shorter abstracts are kept as text: a kept place takes about as much memory."""
MIN_FILE_BYTES = 1 << 20
"""A smaller digest keeps its abstracts in memory (a few MB at most; read faster so)."""

_BOM = b"\xef\xbb\xbf"
_SPAN = 64 << 20
"""The most read at once for `raws`."""
_PREAD: Callable[[int, int, int], bytes] | None = getattr(os, "pread", None)  # not on Windows


class FileAbstracts:
    """Where abstracts are in one open digest file (a `reader.model.StoredText`): per abstract,
    its offset and size in bytes. It owns `fd` (closed once no paper refers to it)."""

    __slots__ = ("__weakref__", "_lock", "fd", "offsets", "path", "sizes", "stamp", "start")

    def __init__(self, fd: int, path: str) -> None:
        self.fd = fd
        self.path = path
        info = os.fstat(fd)
        self.stamp = (info.st_size, info.st_mtime_ns)
        self.start = len(_BOM) if self._read(len(_BOM), 0) == _BOM else 0
        """Where the text begins: after a byte order mark (which the reader drops)."""
        self.offsets: array[int] = array("q")
        self.sizes: array[int] = array("q")
        self._lock = threading.Lock()
        weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, path: str) -> FileAbstracts | None:
        """Abstracts of the regular file at `path`, or None when it cannot be opened so."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                return cls(fd, path)
        except OSError:
            pass
        os.close(fd)
        return None

    def __len__(self) -> int:
        return len(self.sizes)

    def read_from(self, path: str) -> bool:
        """Whether `path` is still the file this holds open, unchanged since it was opened (so
        what was read from `path` meanwhile came from it)."""
        try:
            named, held = os.stat(path), os.fstat(self.fd)
        except OSError:
            return False
        same = (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)
        return same and self.unchanged()

    def add(self, offset: int, size: int) -> Deferred:
        """Keep the place of one more abstract: `size` bytes at `offset` of the file."""
        self.offsets.append(offset)
        self.sizes.append(size)
        return (self, len(self.sizes) - 1)

    def unchanged(self) -> bool:
        """Whether the file still has the size and modification time it had when opened."""
        try:
            info = os.fstat(self.fd)
        except OSError:
            return False
        return (info.st_size, info.st_mtime_ns) == self.stamp

    def size(self, index: int) -> int:
        """The abstract's size in bytes (its UTF-8), without reading it."""
        return self.sizes[index]

    def raw(self, index: int) -> bytes:
        """The abstract's bytes as the file holds them (b"" when they cannot be read whole)."""
        size = self.sizes[index]
        data = self._read(size, self.offsets[index])
        return data if len(data) == size else b""

    def text(self, index: int) -> str:
        """The abstract (never raises: an unreadable file gives "", a changed one `CHANGED`)."""
        if not self.unchanged():
            return CHANGED
        return self.raw(index).decode(SEARCH_ENCODING, "replace")

    def texts(self, indices: Sequence[int]) -> list[str]:
        """`text` of each of `indices`, read together (papers near each other in the digest are
        near each other in the file: one read for them all)."""
        if not self.unchanged():
            return [CHANGED] * len(indices)
        return [raw.decode(SEARCH_ENCODING, "replace") for raw in self.raws(indices)]

    def raws(self, indices: Sequence[int]) -> list[bytes]:
        """`raw` of each of `indices`, read together when they lie close together."""
        offsets, sizes = self.offsets, self.sizes
        if not indices:
            return []
        low = min(map(offsets.__getitem__, indices))
        high = max(offsets[index] + sizes[index] for index in indices)
        wanted = sum(map(sizes.__getitem__, indices))
        if high - low > max(2 * wanted, 1 << 16) or high - low > _SPAN:
            return [self.raw(index) for index in indices]
        block = self._read(high - low, low)
        if len(block) != high - low:
            return [b""] * len(indices)
        return [block[offsets[i] - low : offsets[i] - low + sizes[i]] for i in indices]

    def _read(self, size: int, offset: int) -> bytes:
        try:
            if _PREAD is not None:  # one system call, no lock
                return _PREAD(self.fd, size, offset)
            with self._lock:
                os.lseek(self.fd, offset, os.SEEK_SET)
                return os.read(self.fd, size)
        except OSError:
            return b""


def keep_abstracts(path: str) -> FileAbstracts | None:
    """Where to keep the abstracts of the digest file at `path` while it is parsed: None for a
    file under `MIN_FILE_BYTES` (or one that cannot be opened again)."""
    try:
        if os.path.getsize(path) < MIN_FILE_BYTES:
            return None
    except OSError:
        return None
    return FileAbstracts.open(path)


_SCAN_BYTES = 4 << 20
"""About how much of the file `FileAbstracts.scan` reads and lowercases at once."""
_NOT_ASCII: list[re.Pattern[bytes]] = []
"""A byte that is not ASCII (compiled when first needed: not at start-up)."""
_PLACEHOLDER = b"this http"


def scan(
    abstracts: FileAbstracts, word: bytes
) -> Iterator[tuple[list[int], list[tuple[int, bytes]]]]:
    """Which abstracts hold `word` (lowercase ASCII letters and digits), read from the file a
    block at a time without building any text: the block's bytes lowercased as ASCII bytes
    (`bytes.lower`), `word` found in them. Yields per block (sure, unsure): `sure`, the
    abstracts that hold it for certain once cleaned (`reader.text.clean_abstract`) and
    lowercased as text; `unsure`, those to be looked at as text (with their bytes): cleaning
    may make or unmake `word` where there is a backslash (LaTeX), or arXiv's placeholder at a
    match (a space goes in beside it), and lowercasing as text may make ASCII letters of other
    bytes (U+212A KELVIN SIGN is a `k`). Any other abstract does not hold it. The caller asks
    `unchanged()` first; OSError when a block cannot be read whole."""
    offsets, sizes = abstracts.offsets, abstracts.sizes
    count = len(sizes)
    size = len(word)
    low = 0
    while low < count:
        start = offsets[low]
        high = max(bisect_right(offsets, start + _SCAN_BYTES, low + 1, count) - 1, low + 1)
        end = offsets[high - 1] + sizes[high - 1]
        block = abstracts._read(end - start, start)
        if len(block) != end - start:
            raise OSError(f"{abstracts.path}: not read whole")
        lowered = block.lower()
        doubtful: set[int] = set()
        for mark in (b"\\",) if block.isascii() else (b"\\", None):
            index = low
            position = _next(block, mark, 0)
            while position >= 0:
                index = bisect_right(offsets, start + position, index, high) - 1
                stop = offsets[index] + sizes[index] - start
                if position < stop:  # in the abstract (not in the columns after it)
                    doubtful.add(index)
                    position = stop  # one is enough: on to the next abstract
                else:
                    position += 1
                position = _next(block, mark, position)
        sure: list[int] = []
        index = low
        at = lowered.find(word)
        while at >= 0:
            index = bisect_right(offsets, start + at, index, high) - 1
            begin = offsets[index] - start
            stop = begin + sizes[index]
            if at + size <= stop:
                # a space goes in before arXiv's placeholder and after its "URL" when a letter
                # is beside them: a match that such a space would split is doubtful
                near = lowered.find(_PLACEHOLDER, max(begin, at - 14), min(stop, at + size + 9))
                if index in doubtful or near >= 0:
                    doubtful.add(index)
                else:
                    sure.append(index)
                if index + 1 >= high:
                    break
                at = lowered.find(word, offsets[index + 1] - start)
            else:
                at = lowered.find(word, at + 1)
        yield sure, [
            (index, block[offsets[index] - start : offsets[index] - start + sizes[index]])
            for index in sorted(doubtful)
        ]
        low = high


def _next(block: bytes, mark: bytes | None, start: int) -> int:
    """Where `mark` (None: any byte that is not ASCII) is next in `block` from `start`; -1."""
    if mark is not None:
        return block.find(mark, start)
    if not _NOT_ASCII:
        _NOT_ASCII.append(re.compile(rb"[\x80-\xff]"))
    found = _NOT_ASCII[0].search(block, start)
    return -1 if found is None else found.start()
