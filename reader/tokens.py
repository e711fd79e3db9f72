"""The token index of a digest's search text: for each word, which papers hold it, so that a word
typed into the filter is looked up instead of searched for through every paper's bytes.

No Textual here. A token is a longest run of bytes of one paper's search text that holds no
ASCII byte other than a digit or a lower-case letter (the text is lowercased; bytes of non-ASCII
characters belong to tokens). A needle made of token bytes only occurs in a paper exactly when
one of the paper's tokens holds it, so the index answers such a needle exactly: the papers of
every token that holds the needle, found in the joined vocabulary with `bytes.find`. A needle
with other bytes (a phrase, `self-supervised`) gets the papers that hold its longest piece, a
superset the caller searches. A needle that too many tokens or postings hold (a letter or two of
a big vocabulary) is not answered: such words are in most papers, where a scan stops early.

Postings: a token held by more than a 32nd of the papers is a bitset (an `int`, a bit a paper:
what 4-byte paper numbers would take at that count); the others' paper numbers are one flat
array, each token a slice of it (which the digest cache maps from its file rather than reads). A
lookup is a mask of `b"0"`/`b"1"` a paper (`bin()` of the union of the bitsets, reversed), with
the sparse papers set in it.

Size, as measured (`tests/benchmarks/token_index.py`): the generated 100k digest
(825 distinct tokens) builds in ~3.5-5 s to 7.3 MB; 100,000 texts drawn from a Zipf vocabulary of
300,000 words build in ~10 s to 259,039 tokens, 12 MB read plus 35 MB of paper numbers mapped.
"""

from __future__ import annotations

import threading
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from itertools import accumulate, repeat
from operator import lt, methodcaller
from typing import Any, Generic, TypeVar

from reader.model import Digest, SearchText

__all__ = ["VERSION", "TokenIndex", "build", "ensure", "from_records", "stored"]

VERSION = 1
"""Of the index as the digest cache keeps it (bumped when tokens or postings change meaning)."""

_OTHER = bytes(b for b in range(128) if not (48 <= b <= 57 or 97 <= b <= 122))
"""The bytes that end a token: ASCII but digits and lower-case letters."""
_SPACES = bytes.maketrans(_OTHER, b" " * len(_OTHER))
_DENSE = 32
"""A token in more than 1/_DENSE of the papers keeps a bitset, not a list of paper numbers."""
_MAX_TOKENS = 5_000
"""A needle held by more tokens than this is not looked up (a scan finds it early per paper)."""
_MAX_SPARSE = 4
"""Nor one whose sparse postings add up to more than this many times the number of papers."""
_QUICK_IDS = 65_536
"""At most this many sparse postings are marked for an answer given while a key waits
(`quick`): a one-letter needle marks about as many as there are papers (~100 ms at 1M)."""
_QUICK_BITSETS = 1_024
"""Nor more bitsets than this OR-ed."""
_QUICK_PAPERS = 250_000
"""Nor any needle not looked up yet in an index of more papers: making the answer's mask and
reading its hits take a pass over every paper (~20-30 ms at 1M with the sidebar's counts,
which the key's echo waited for); the filter's thread looks it up."""
_REMEMBERED = 64
"""Needles whose matching tokens are kept: typing a word narrows within the last letter's."""
_PIECE_IDS = 65_536
"""Postings marked between two looks at whether a lookup was called off (~2 ms)."""
_PIECE_BITSETS = 64
"""Bitsets OR-ed between two such looks."""
_MASKS = 8
"""Answers kept (a mask is a byte a paper)."""
_MASK_BITS = bytes.maketrans(b"01", b"\x00\x01")

T = TypeVar("T", bytes, int)


class _Kept(Generic[T]):
    """The answers of one kind of lookup (a mask of a byte a paper, or bits), kept: the last
    `_MASKS` by needle, and the tokens of the last one made with what they gave (a letter typed
    on that leaves the tokens as they were, `quan` -> `quant`, gets the same, not made again)."""

    __slots__ = ("answers", "held")

    def __init__(self) -> None:
        self.answers: OrderedDict[bytes, tuple[T, bool] | None] = OrderedDict()
        self.held: tuple[list[int], T] | None = None

    def forget(self) -> None:
        self.answers.clear()
        self.held = None


class TokenIndex:
    """Which papers hold each token (see the module's docstring). Immutable once built.

    Laid out flat, so that the cache can keep it as a few blocks: the tokens joined by newlines
    and where each starts; per token, its bitset (`dense`) or its slice of `ids` (`offsets`),
    the sparse tokens' paper numbers one list after another. `ids` may be a memory map of the
    cache file: only the pages a lookup reads are in memory."""

    __slots__ = (
        "count",
        "joined",
        "starts",
        "offsets",
        "ids",
        "dense",
        "_keep",
        "_lock",
        "_found",
        "_masks",
        "_bits",
        "_sparse",
    )

    def __init__(
        self,
        count: int,
        joined: bytes,
        starts: Sequence[int],
        offsets: Sequence[int],
        ids: Sequence[int],
        dense: dict[int, int],
        keep: object = None,
    ) -> None:
        self.count = count
        """The number of papers."""
        self.joined = joined
        """The tokens, sorted, joined by newlines."""
        self.starts = starts
        """Where each token starts in `joined`, and the end (one more than there are tokens)."""
        self.offsets = offsets
        """Where each token's paper numbers start in `ids`, and the end (none for a dense one)."""
        self.ids = ids
        self.dense = dense
        """Token number -> bitset of its papers, for the tokens held by more than 1/_DENSE."""
        self._keep = keep  # what `ids` maps, kept open as long as the index lives
        self._lock = threading.Lock()
        self._found: OrderedDict[bytes, list[int]] = OrderedDict()
        self._masks: _Kept[bytes] = _Kept()
        """`lookup`'s answers kept."""
        self._bits: _Kept[int] = _Kept()
        """`lookup_bits`'s answers kept (a bit a paper: 12.5 KB at 100k papers)."""
        self._sparse: OrderedDict[tuple[int, ...], int] = OrderedDict()
        """The bits of the papers of a few sets of sparse tokens, by their numbers: a letter
        typed on often leaves the sparse tokens as they were and takes dense ones out
        (`qu` -> `qua`), and its lookup then marks no posting again."""

    def __len__(self) -> int:
        return len(self.starts) - 1

    def token(self, number: int) -> bytes:
        return self.joined[self.starts[number] : self.starts[number + 1] - 1]

    def papers(self, number: int) -> list[int]:
        """The papers that hold token `number`, in order."""
        bits = self.dense.get(number)
        if bits is None:
            return list(self.ids[self.offsets[number] : self.offsets[number + 1]])
        return [paper for paper, bit in enumerate(bin(bits)[:1:-1]) if bit == "1"]

    def tokens_holding(self, needle: bytes) -> list[int] | None:
        """The numbers of the tokens that hold `needle` (token bytes only), or None when more
        than `_MAX_TOKENS` do."""
        with self._lock:
            known = self._found.get(needle)
            if known is not None:
                self._found.move_to_end(needle)
                return known
            wider = max((found for found in self._found if found in needle), key=len, default=None)
            within = None if wider is None else self._found[wider]
        if within is not None:  # the tokens that hold `needle` hold that shorter needle too
            token = self.token
            ids = [number for number in within if needle in token(number)]
        else:
            searched = self._search(needle)
            if searched is None:
                return None
            ids = searched
        with self._lock:
            self._found[needle] = ids
            while len(self._found) > _REMEMBERED:
                self._found.popitem(last=False)
        return ids

    def _search(self, needle: bytes) -> list[int] | None:
        joined, starts = self.joined, self.starts
        find = joined.find
        ids: list[int] = []
        at = 0
        while True:
            found = find(needle, at)
            if found < 0:
                return ids
            token = bisect_right(starts, found) - 1
            ids.append(token)
            if len(ids) > _MAX_TOKENS:
                return None
            at = starts[token + 1]

    def lookup(
        self, needle: bytes, step: Callable[[], None] = lambda: None
    ) -> tuple[bytes, bool] | None:
        """(mask, exact): per paper `1` when it may hold `needle` (`0`, `1` bytes: see the module's
        docstring), and whether that is exact. None when the index cannot tell cheaply. The last
        few answers are kept (the filter asks whether it can answer, then asks). `step()` is
        called between pieces of the work (it may raise to stop it: a newer query came), and
        other threads run there: a needle that marks millions of postings (a letter at 1M
        papers, ~150 ms) never holds the interpreter longer than a piece (~2 ms)."""
        return self._answer(self._masks, needle, step, self._mask)

    def lookup_bits(
        self, needle: bytes, step: Callable[[], None] = lambda: None
    ) -> tuple[int, bool] | None:
        """(bits, exact): `lookup`'s answer as an int, bit `i` set when paper `i` may hold
        `needle`. Typing on within a word ANDs, compares and counts these (a few microseconds
        at 100k papers, where the byte a paper of `lookup`'s mask took ~0.1 ms a pass) and
        makes the byte mask of the result only when its hits are read off anew. The last few
        answers are kept; `step` as for `lookup`."""
        return self._answer(self._bits, needle, step, self._union)

    def _answer(
        self,
        kept: _Kept[T],
        needle: bytes,
        step: Callable[[], None],
        make: Callable[[list[int], Callable[[], None]], T | None],
    ) -> tuple[T, bool] | None:
        """`needle`'s answer kept in `kept`, else made of its tokens' postings by `make` (unless
        its tokens are those of the last one made) and kept."""
        with self._lock:
            if needle in kept.answers:
                kept.answers.move_to_end(needle)
                return kept.answers[needle]
        found = self._made(kept, needle, step, make)
        with self._lock:
            kept.answers[needle] = found
            while len(kept.answers) > _MASKS:
                kept.answers.popitem(last=False)
        return found

    def _made(
        self,
        kept: _Kept[T],
        needle: bytes,
        step: Callable[[], None],
        make: Callable[[list[int], Callable[[], None]], T | None],
    ) -> tuple[T, bool] | None:
        exact = len(needle.translate(None, _OTHER)) == len(needle)
        piece = self._piece(needle)
        if not piece:
            return None
        numbers = self.tokens_holding(piece)
        if numbers is None:
            return None
        with self._lock:
            held = kept.held
        if held is not None and held[0] == numbers:
            return held[1], exact
        found = make(numbers, step)
        if found is None:
            return None
        with self._lock:
            kept.held = (numbers, found)
        return found, exact

    def _union(self, numbers: list[int], step: Callable[[], None]) -> int | None:
        """The papers that hold any of the tokens `numbers`, a bit a paper (see `lookup_bits`):
        the bitsets OR-ed, and the sparse tokens' papers marked in a mask of their own, which
        becomes bits in one `int(_, 2)` (~0.15 ms at 100k papers), kept by those tokens."""
        split = self._split(numbers, step)
        if split is None:
            return None
        bits, spans = split
        if bits.bit_length() > self.count:  # a bitset longer than the papers
            return None
        if not spans:
            return bits
        dense = self.dense
        key = tuple(number for number in numbers if number not in dense)
        with self._lock:
            sparse = self._sparse.get(key)
        if sparse is None:
            marks = bytearray(b"0") * self.count
            if not self._mark(marks, spans, step):
                return None
            marks.reverse()
            sparse = int(marks, 2)
            with self._lock:
                self._sparse[key] = sparse
                while len(self._sparse) > _MASKS:
                    self._sparse.popitem(last=False)
        return bits | sparse

    def _split(
        self, numbers: list[int], step: Callable[[], None]
    ) -> tuple[int, list[tuple[int, int]]] | None:
        """The dense tokens' bitsets of `numbers` OR-ed, and the sparse ones' spans of `ids`;
        None when these hold more than `_MAX_SPARSE` times the papers."""
        dense, offsets = self.dense, self.offsets
        bits = 0
        spans: list[tuple[int, int]] = []
        pause = _pause()
        for order, number in enumerate(numbers):
            held = dense.get(number)
            if held is not None:
                if not order % _PIECE_BITSETS:
                    step()
                    pause(0)
                bits |= held
            else:
                spans.append((offsets[number], offsets[number + 1]))
        if sum(stop - start for start, stop in spans) > _MAX_SPARSE * self.count:
            return None
        step()
        return bits, spans

    def _mark(
        self, mask: bytearray, spans: list[tuple[int, int]], step: Callable[[], None]
    ) -> bool:
        """Set the byte of each paper of `spans` (of `ids`) in `mask` to `1`, a piece at a time
        (`step` between pieces); False when a paper number is past the end (no such index was
        ever written)."""
        one, ids = ord("1"), self.ids
        pause = _pause()
        marked = 0
        try:
            for start, stop in spans:
                for low in range(start, stop, _PIECE_IDS):
                    high = min(stop, low + _PIECE_IDS)
                    marked += high - low
                    if marked > _PIECE_IDS:
                        marked = 0
                        step()
                        pause(0)
                    deque(map(mask.__setitem__, ids[low:high], repeat(one)), 0)
        except IndexError:
            return False
        return len(mask) == self.count

    def known(self, needle: bytes) -> bool:
        """Whether `lookup(needle)` or `lookup_bits(needle)` is kept (answered at once)."""
        with self._lock:
            return needle in self._masks.answers or needle in self._bits.answers

    def quick(self, needle: bytes) -> bool:
        """Whether `lookup(needle)` is known or quick: little enough to do while a key waits
        (a filter the index answers runs on the UI thread). A short needle that most papers
        hold is looked up in the filter's thread instead: the postings it marks grow with the
        papers (a one-letter needle took ~15 ms a key at 100k papers, ~150 ms at 1M)."""
        if self.known(needle):
            return True
        numbers = self.tokens_holding(self._piece(needle))
        if numbers is None:
            return True  # refused at once
        if self.count > _QUICK_PAPERS:
            return False
        dense, offsets = self.dense, self.offsets
        bitsets = sum(1 for number in numbers if number in dense)
        if bitsets > _QUICK_BITSETS:
            return False
        marked = 0
        for number in numbers:
            if number not in dense:
                marked += offsets[number + 1] - offsets[number]
                if marked > _QUICK_IDS:
                    return False
        return True

    @staticmethod
    def _piece(needle: bytes) -> bytes:
        """What is looked up for `needle`: itself when it is one token's letters and digits,
        else its longest piece of them."""
        if len(needle.translate(None, _OTHER)) == len(needle):
            return needle
        return max(needle.translate(_SPACES).split(), key=len, default=b"")

    def _mask(self, numbers: list[int], step: Callable[[], None]) -> bytes | None:
        """The papers that hold any of the tokens `numbers`, a byte a paper (see `lookup`)."""
        split = self._split(numbers, step)
        if split is None:
            return None
        bits, spans = split
        mask = bytearray((bin(bits)[:1:-1] if bits else "").ljust(self.count, "0"), "ascii")
        if not self._mark(mask, spans, step) or len(mask) != self.count:
            return None  # a bitset longer than the papers, or a paper number past the end
        return bytes(mask.translate(_MASK_BITS))

    def records(self) -> tuple[Any, ...]:
        """What `from_records` reads back (marshal-able), and the ids block as bytes."""
        tokens, bits = list(self.dense), list(self.dense.values())
        return (
            self.count,
            self.joined,
            _raw(self.starts, "q"),
            _raw(self.offsets, "q"),
            tokens,
            bits,
        ), _raw(self.ids, "I")


def _pause() -> Callable[[float], None]:
    """What a lookup calls between its pieces of work: `time.sleep(0)` in a thread (the UI
    thread's keys go on meanwhile); nothing on the main thread, the UI's own (a filter answered
    while its key waits), where it would hand the interpreter to another thread mid-key."""
    if threading.current_thread() is threading.main_thread():
        return _stay
    return time.sleep


def _stay(seconds: float) -> None:
    """Not pausing (see `_pause`)."""


def _raw(numbers: Sequence[int], kind: str) -> bytes:
    if isinstance(numbers, array) and numbers.typecode == kind:
        return numbers.tobytes()
    if isinstance(numbers, memoryview):
        return numbers.tobytes()
    return array(kind, numbers).tobytes()


def _numbers(raw: object, kind: str) -> array[int] | None:
    numbers = array(kind)
    if type(raw) is not bytes or len(raw) % numbers.itemsize:
        return None
    numbers.frombytes(raw)
    return numbers


def from_records(
    records: object, count: int, ids: Sequence[int] | None = None, keep: object = None
) -> TokenIndex | None:
    """The index that `TokenIndex.records` gave, with its ids block (`ids`, an array or a
    memoryview cast to "I"), if it reads as one of `count` papers (else None: a damaged or
    foreign record is never trusted; a paper number out of range is caught when looked up)."""
    if not (type(records) is tuple and len(records) == 6 and records[0] == count):
        return None
    _, joined, raw_starts, raw_offsets, tokens, bits = records
    starts, offsets = _numbers(raw_starts, "q"), _numbers(raw_offsets, "q")
    if type(joined) is not bytes or starts is None or offsets is None or ids is None:
        return None
    size = len(starts) - 1
    if (
        size < 0
        or len(offsets) != size + 1
        or starts[0] != 0
        or starts[-1] != len(joined) + (1 if joined or size else 0)
        or not all(map(lt, starts, starts[1:]))  # every token at least one byte
        or offsets[0] != 0
        or offsets[-1] != len(ids)
        or any(map(lt, offsets[1:], offsets))
        or joined.count(b"\n") != max(size - 1, 0)
        or len(joined.translate(None, _OTHER + b"\n")) + max(size - 1, 0) != len(joined)
    ):
        return None
    if not (type(tokens) is list and type(bits) is list and len(tokens) == len(bits)):
        return None
    if not set(map(type, tokens)) <= {int} or not set(map(type, bits)) <= {int}:
        return None
    if any(not 0 <= token < size for token in tokens) or any(
        bit <= 0 or bit.bit_length() > count for bit in bits
    ):
        return None
    dense = dict(zip(tokens, bits, strict=True))
    return TokenIndex(count, joined, starts, offsets, ids, dense, keep)


class _Appenders(dict[bytes, Callable[[int], None]]):
    """token -> the `append` of its list of papers, made on first sight."""

    def __init__(self) -> None:
        super().__init__()
        self.lists: dict[bytes, array[int]] = {}

    def __missing__(self, token: bytes) -> Callable[[int], None]:
        papers = self.lists[token] = array("I")
        self[token] = papers.append
        return papers.append


def stored(digest: Digest) -> TokenIndex | None:
    """The digest's token index if it has one: one its cache kept comes with the search text
    (`SearchStore.load`), never built here (what `--print` uses)."""
    return digest.haystacks.tokens


_ENSURING = threading.Lock()
"""One build at a time: a second asker waits for the first one's (and finds it)."""


def ensure(digest: Digest, cancelled: Callable[[], bool] = lambda: False) -> TokenIndex | None:
    """The digest's token index: its own, else the cache's, else built (in the caller's thread:
    the TUI calls this from a worker) and handed to the cache. None if `cancelled()` came true."""
    found = stored(digest)
    if found is not None:
        return found
    with _ENSURING:
        search = digest.haystacks
        if search.tokens is not None:
            return search.tokens
        built = build(search, cancelled)
        if built is None:
            return None
        search.tokens = built
    if digest.search_store is not None:
        digest.search_store.save_tokens(built)
    return built


_YIELD = 32
"""Papers indexed between two moments the build lets other threads run (~1.5 ms)."""


def build(search: SearchText, cancelled: Callable[[], bool] = lambda: False) -> TokenIndex | None:
    """The token index of `search` (3.5-5 s for 100,000 papers of 1,300 bytes: one pass of
    C calls a paper). It lets other threads run every `_YIELD` papers, so that a thread building
    it holds the UI thread up ~1.5 ms at most, not the interpreter's 5 ms switch interval. None
    when `cancelled()` turns true (it is asked every block of `SearchText.blocks` and every
    `_YIELD` papers: a caller may wait in it, as the TUI does while a query is filtered)."""
    starts = search.starts
    count = len(search)
    appenders = _Appenders()
    get = appenders.__getitem__
    pause = time.sleep
    for low, high, buffer, base in search.blocks(0, count):  # read, not mapped in
        if cancelled():
            return None
        data = bytes(buffer) if isinstance(buffer, bytearray) else buffer  # one copy a block
        for paper in range(low, high):
            if not paper % _YIELD:
                if cancelled():  # asked often: the TUI's waits there while a query runs
                    return None
                pause(0)
            text = data[starts[paper] - base : starts[paper + 1] - base]
            tokens = set(text.translate(_SPACES).split())
            deque(map(methodcaller("__call__", paper), map(get, tokens)), 0)
    return _compact(count, appenders.lists)


def _compact(count: int, lists: dict[bytes, array[int]]) -> TokenIndex:
    vocab = sorted(lists)
    ids: array[int] = array("I")
    offsets: array[int] = array("q", [0])
    dense: dict[int, int] = {}
    for number, token in enumerate(vocab):
        papers = lists.pop(token)
        if len(papers) * _DENSE > count:
            dense[number] = _bitset(papers, count)
        else:
            ids.extend(papers)
        offsets.append(len(ids))
    starts = array("q", accumulate((len(token) + 1 for token in vocab), initial=0))
    return TokenIndex(count, b"\n".join(vocab), starts, offsets, ids, dense)


def _bitset(papers: Sequence[int], count: int) -> int:
    mask = bytearray(b"0") * count
    deque(map(mask.__setitem__, papers, repeat(ord("1"))), 0)
    mask.reverse()
    return int(mask, 2)
