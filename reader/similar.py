"""Similar papers, offline: which papers are like a paper, or like a set of papers (a profile).

No Textual here, no model, no network. Each paper is a TF-IDF vector over its words: the title
(each word counted `TITLE_WEIGHT` times), the abstract, the summary and (when known) the authors
(one term per author). Words are the tokens of the search text (`reader.tokens`: runs of ASCII
letters and digits, non-ASCII bytes inside words), lowercased, a plural `s` taken off
(`models` -> `model`, `policies` -> `policy`); stop words, numbers, one-letter words and words
that only one paper holds are left out. A term's weight in a paper is `(1 + ln tf) * idf`
with `idf = ln(N / df)`: a word in most papers weighs almost nothing, and words in more than
`COMMON` of the papers are dropped. Each vector is scaled to length 1 (cosine similarity).

The index keeps, per paper, only its `KEEP` heaviest terms (what makes it itself), as postings:
per term, the papers that keep it and their weight in a byte, the heaviest first. Ranking by a
paper (or by the sum of several papers' vectors: a profile) adds, for each of its `ASK`
heaviest terms, the product of the weights to the term's first `READ` papers: at most some
65,000 additions whatever the size, never a pass over every paper's words. The score of a
paper is that sum over 255 * 255 (about its cosine with the query).
"""

from __future__ import annotations

import contextlib
import math
import operator
import re
import sys
import threading
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field
from functools import cached_property
from itertools import accumulate, compress, islice
from operator import itemgetter, not_
from typing import Any, SupportsIndex, overload

from reader.model import SEARCH_ENCODING, SEARCH_ERRORS, Digest
from reader.records import frozen

__all__ = [
    "VERSION",
    "Ranking",
    "SimilarityIndex",
    "build",
    "ensure",
    "from_records",
    "paper_terms",
    "stem",
]

VERSION = 2
"""Of the index as the digest cache keeps it (bumped when terms or weights change meaning)."""

TITLE_WEIGHT = 3
"""A word of the title counts as this many occurrences."""
KEEP = 32
"""Terms kept per paper (its heaviest)."""
ASK = 16
"""Terms of a paper asked when ranking by it (its heaviest)."""
ASK_PROFILE = 48
"""Terms of a profile (several papers) asked."""
READ = 4096
"""Postings read per asked term, the heaviest: a word in many papers weighs little in most of
them, and what it adds to those is left out (the cost of a query stays bounded at any size)."""
COMMON = 0.25
"""Words in more than this share of the papers are not terms (when there are 20 papers or more:
a handful of papers share most of their words)."""
SCALE = 255
"""A weight in [0, 1] is kept as a byte: round(weight * SCALE)."""
_YIELD = 32
"""Papers handled between two moments the build lets other threads run."""

_OTHER = bytes(b for b in range(128) if not (48 <= b <= 57 or 97 <= b <= 122))
_SPACES = bytes.maketrans(_OTHER, b" " * len(_OTHER))
_DIGITS = frozenset(b"0123456789")
_KEPT = frozenset((b"2d", b"3d", b"4d"))
"""Words that start with a digit are not terms (`2023`, `8x`, `65b`), but for these."""
_AUTHOR = b"~"
"""Starts an author's term (`~tim dettmers`): no word holds it."""

STOP_WORDS: frozenset[bytes] = frozenset(
    b"""a about above after again against all almost along already also although always am
    among an and another any are around as at be because been before being below between both
    but by can cannot could did do does doing done down due during each either else etc even
    ever every few for from further get gets given gives had has have having he her here hers
    how however i if in into is it its itself just may me might more most much must my near
    neither no nor not now of off often on once one only onto or other others otherwise our
    ours out over own per rather s same several she should since so some still such than that
    the their theirs them themselves then there thereby therefore these they this those though
    through thus to too toward towards under until up upon us use used uses using very via
    was we well were what whether which while who whom whose why will with within without
    would yet you your also e g i e et al eg ie vs via new show shows shown propose proposed
    proposes present presents introduce introduces paper work approach method methods result
    results based two three four five six seven eight nine ten first second third""".split()
)
"""English function words, and the words every abstract uses to say what it does."""


def stem(word: bytes) -> bytes:
    """`word` without a plural ending: `models` -> `model`, `policies` -> `policy`; words in
    `ss`, `us`, `is` (`loss`, `corpus`, `analysis`) and short words are kept whole."""
    if len(word) > 4 and word.endswith(b"ies"):
        return word[:-3] + b"y"
    if len(word) > 3 and word.endswith(b"s") and not word.endswith((b"ss", b"us", b"is")):
        return word[:-1]
    return word


class _Stems(dict[bytes, bytes]):
    """word -> its term (`b""`: not a term), worked out once per distinct word."""

    def __missing__(self, word: bytes) -> bytes:
        if len(word) < 2 or word in STOP_WORDS or (word[0] in _DIGITS and word not in _KEPT):
            term = b""
        else:
            term = stem(word)
            if term in STOP_WORDS:
                term = b""
        self[word] = term
        return term


_KNOWN_TERMS = 16_384
"""Words whose term number (or none) an index remembers (`SimilarityIndex.number`)."""
_KNOWN_WORDS = 100_000
"""Words the shared `_Stems` of the ranking's highlights keeps before it starts again."""
_STEMS = _Stems()
"""The terms of the words highlighted and explained under a `like:` query (`Ranking.spans`,
`Ranking.words`, `paper_terms`): each visible row's title and the pane's text ask for the same
words again on every key."""


def _shared_stems() -> _Stems:
    if len(_STEMS) > _KNOWN_WORDS:
        _STEMS.clear()
    return _STEMS


def _author_term(name: str) -> bytes:
    from reader.query.syntax import fold  # the names as author: matches them

    return _AUTHOR + " ".join(fold(name).split()).encode(SEARCH_ENCODING, SEARCH_ERRORS)


def paper_terms(
    text: bytes, authors: Sequence[str] = (), stems: dict[bytes, bytes] | None = None
) -> Counter[bytes]:
    """A paper's terms and how often each occurs (title words `TITLE_WEIGHT` times), from its
    search text (`title\\ncategory\\nabstract[\\nsummary]`, lowercased) and its authors."""
    get = (stems if stems is not None else _shared_stems()).__getitem__
    first = text.find(b"\n")
    if first < 0:
        title, body = text, b""
    else:
        second = text.find(b"\n", first + 1)
        title, body = text[:first], (b"" if second < 0 else text[second + 1 :])
    counts = Counter(map(get, body.translate(_SPACES).split()))
    for _ in range(TITLE_WEIGHT):
        counts.update(map(get, title.translate(_SPACES).split()))
    counts.pop(b"", None)
    for name in authors:
        counts[_author_term(name)] += 1
    return counts


Vector = list[tuple[int, float]]
"""(term number, weight), heaviest first; weights of a paper's vector have length 1."""


class SimilarityIndex:
    """The terms and postings of a digest's papers (see the module's docstring). Immutable.

    Laid out flat, so that the cache keeps it as a few blocks: the terms sorted and joined by
    newlines, where each starts, each term's document frequency; per term, its slice of `docs`
    (paper numbers) and `weights` (a byte each), the heaviest first."""

    __slots__ = (
        "count",
        "joined",
        "starts",
        "df",
        "offsets",
        "docs",
        "weights",
        "_lock",
        "_memo",
        "_numbers",
    )

    def __init__(
        self,
        count: int,
        joined: bytes,
        starts: Sequence[int],
        df: Sequence[int],
        offsets: Sequence[int],
        docs: Sequence[int],
        weights: Sequence[int],
    ) -> None:
        self.count = count
        self.joined = joined
        self.starts = starts
        self.df = df
        self.offsets = offsets
        self.docs = docs
        self.weights = weights
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[tuple[int, int], ...], tuple[int, ...]] = OrderedDict()
        self._numbers: dict[bytes, int] = {}
        """The numbers of the words looked up last (`number`), up to `_KNOWN_TERMS`."""

    def __len__(self) -> int:
        return len(self.starts) - 1

    def term(self, number: int) -> bytes:
        return self.joined[self.starts[number] : self.starts[number + 1] - 1]

    def number(self, term: bytes) -> int:
        """The number of `term`, or -1 when it is not one (by bisection of the sorted terms: a
        table of them would take ~100 bytes a term, more than the rest of the index). The last
        `_KNOWN_TERMS` words asked are remembered: a paper's vector asks for each of its words,
        and the pane asks again for the paper it shows (~3 us a bisection, ~0.25 ms a paper)."""
        numbers = self._numbers
        found = numbers.get(term)
        if found is not None:
            return found
        size = len(self)
        at = bisect_left(range(size), term, key=self.term)
        found = at if at < size and self.term(at) == term else -1
        if len(numbers) >= _KNOWN_TERMS:
            numbers.clear()
        numbers[term] = found
        return found

    def nbytes(self) -> int:
        """The memory the index's blocks take (what the benchmark measures)."""
        return (
            len(self.joined)
            + sum(_itemsize(block) * len(block) for block in (self.starts, self.df, self.offsets))
            + _itemsize(self.docs) * len(self.docs)
            + _itemsize(self.weights) * len(self.weights)
        )

    def idf(self, number: int) -> float:
        return math.log(self.count / self.df[number])

    def vector(self, counts: Counter[bytes]) -> Vector:
        """The weighted, unit-length vector of a paper's term counts (`paper_terms`): its terms
        that are terms of the index, heaviest first (ties by term number)."""
        number, idf = self.number, self.idf
        weighted: list[tuple[int, float]] = []
        for term, tf in counts.items():
            found = number(term)
            if found >= 0:
                weighted.append((found, (1.0 + math.log(tf)) * idf(found)))
        return _unit(weighted)

    def paper_vector(self, digest: Digest, index: int) -> Vector:
        """Paper `index`'s vector, from its search text and authors."""
        search = digest.haystacks
        text = search.data[search.starts[index] : search.starts[index + 1]]
        return self.vector(paper_terms(text, digest.papers[index].authors))

    def scores(self, vector: Vector, ask: int) -> tuple[int, ...]:
        """Per paper, the sum over the `ask` heaviest terms of `vector` of its weight (in
        1/SCALE) times the paper's weight (the same): about the cosine times SCALE * SCALE. The
        last few are remembered (typing more of a query asks again). A tuple: a tuple of ints
        is one the garbage collector stops walking once it has seen it (a list of 100,000 was
        walked by every full collection: ~1 ms each here)."""
        asked = tuple(
            (term, factor) for term, weight in vector[:ask] if (factor := round(weight * SCALE)) > 0
        )
        with self._lock:
            known = self._memo.get(asked)
            if known is not None:
                self._memo.move_to_end(asked)
                return known
        added = [0] * self.count  # a list: its items are read and written faster than an array's
        offsets, docs, weights = self.offsets, self.docs, self.weights
        for term, factor in asked:
            start = offsets[term]
            stop = min(offsets[term + 1], start + READ)
            for paper, mine in zip(docs[start:stop], weights[start:stop], strict=True):
                added[paper] += factor * mine
        totals = tuple(added)
        with self._lock:
            self._memo[asked] = totals
            while len(self._memo) > 2:
                self._memo.popitem(last=False)
        return totals

    def records(self) -> tuple[Any, ...]:
        """What `from_records` reads back (marshal-able: bytes, ints)."""
        return (
            "similar",
            VERSION,
            self.count,
            self.joined,
            _raw(self.starts, "I"),
            _raw(self.df, "I"),
            _raw(self.offsets, "I"),
            _raw(self.docs, "I"),
            _raw(self.weights, "B"),
        )


def _itemsize(block: Sequence[int]) -> int:
    return block.itemsize if isinstance(block, (array, memoryview)) else 8


def _raw(numbers: Sequence[int], kind: str) -> bytes:
    if isinstance(numbers, array) and numbers.typecode == kind:
        return numbers.tobytes()
    return array(kind, numbers).tobytes()


def _numbers(raw: object, kind: str) -> array[int] | None:
    numbers = array(kind)
    if type(raw) is not bytes or len(raw) % numbers.itemsize:
        return None
    numbers.frombytes(raw)
    return numbers


def from_records(records: object, count: int) -> SimilarityIndex | None:
    """The index `SimilarityIndex.records` gave, if it reads as one of `count` papers in this
    version (else None: a damaged or foreign record is never trusted)."""
    if not (
        type(records) is tuple
        and len(records) == 9
        and records[:3] == ("similar", VERSION, count)
        and type(records[3]) is bytes
    ):
        return None
    joined: bytes = records[3]
    starts, df, offsets = (
        _numbers(records[4], "I"),
        _numbers(records[5], "I"),
        _numbers(records[6], "I"),
    )
    docs, weights = _numbers(records[7], "I"), _numbers(records[8], "B")
    if starts is None or df is None or offsets is None or docs is None or weights is None:
        return None
    size = len(starts) - 1
    if (
        size < 0
        or len(df) != size
        or len(offsets) != size + 1
        or starts[0] != 0
        or starts[-1] != len(joined) + (1 if size else 0)
        or joined.count(b"\n") != max(size - 1, 0)
        or any(b <= a for a, b in zip(starts, starts[1:], strict=False))
        or offsets[0] != 0
        or offsets[-1] != len(docs)
        or len(weights) != len(docs)
        or any(b < a for a, b in zip(offsets, offsets[1:], strict=False))
        or any(not 0 < n <= count for n in df)
        or (docs and max(docs) >= count)
    ):
        return None
    return SimilarityIndex(count, joined, starts, df, offsets, docs, weights)


def _unit(weighted: list[tuple[int, float]]) -> Vector:
    norm = math.sqrt(sum(weight * weight for _, weight in weighted))
    if not norm:
        return []
    weighted.sort(key=_heaviest)
    return [(term, weight / norm) for term, weight in weighted]


def _heaviest(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


# --- building ----------------------------------------------------------------------------------


def _texts(digest: Digest) -> Iterator[tuple[bytes, bytes, tuple[str, ...]]]:
    """Per paper: its title's and its body's words (the search text's first line, and what
    follows the category's line), and its authors. The text is read a block at a time
    (`SearchText.blocks`), not through the cache's memory map: a build leaves none of the file
    in the process's memory (at 100k papers the map's pages were 135 MB of it after a build)."""
    search = digest.haystacks
    starts, papers = search.starts, digest.papers
    for low, high, buffer, base in search.blocks(0, len(search)):
        for index in range(low, high):
            text = bytes(buffer[starts[index] - base : starts[index + 1] - base])
            first = text.find(b"\n")
            if first < 0:
                yield text, b"", papers[index].authors
                continue
            second = text.find(b"\n", first + 1)
            yield text[:first], (b"" if second < 0 else text[second + 1 :]), papers[index].authors


def _pauses() -> Callable[[int, Callable[[], bool]], bool]:
    """`pause(paper, cancelled)`: in a thread other than the main one, lets the others run every
    `_YIELD` papers (the UI stays responsive; a build in the main thread never waits), and
    says whether `cancelled()` came true (asked every 4,096 papers)."""
    import time

    sleep = time.sleep if threading.current_thread() is not threading.main_thread() else None

    def pause(paper: int, cancelled: Callable[[], bool]) -> bool:
        if paper % _YIELD:
            return False
        if sleep is not None:
            sleep(0)
        return not paper & 4095 and cancelled()

    return pause


def build(digest: Digest, cancelled: Callable[[], bool] = lambda: False) -> SimilarityIndex | None:
    """The similarity index of `digest`: two passes over its papers' words (which papers hold
    each term, then each paper's weights). None when `cancelled()` turns true."""
    count = len(digest)
    pause = _pauses()
    stems = _Stems()
    stem_of = stems.__getitem__
    frequencies: Counter[bytes] = Counter()
    for paper, (title, body, authors) in enumerate(_texts(digest)):
        if pause(paper, cancelled):
            return None
        held = set(map(stem_of, (title + b" " + body).translate(_SPACES).split()))
        held.update(map(_author_term, authors))
        frequencies.update(held)
    frequencies.pop(b"", None)
    most = count * COMMON if count >= 20 else count
    vocabulary = sorted(term for term, df in frequencies.items() if 1 < df <= most)
    numbers = {term: number for number, term in enumerate(vocabulary)}
    of_word = {word: numbers.get(term, -1) for word, term in stems.items()}
    number_of = of_word.__getitem__
    idfs = [math.log(count / frequencies[term]) for term in vocabulary]
    log = math.log
    # per term, (SCALE - weight) << 32 | paper of the papers that keep it: arrays, not lists of
    # ints (at 100k papers 3.2M postings were ~130 MB of int objects, and every full collection
    # meanwhile walked the lists: 30-390 ms here)
    postings: list[array[int]] = [array("Q") for _ in vocabulary]
    by_weight = itemgetter(1)
    for paper, (title, body, authors) in enumerate(_texts(digest)):
        if pause(paper, cancelled):
            return None
        counts = Counter(map(number_of, body.translate(_SPACES).split()))
        counts.update(map(number_of, title.translate(_SPACES).split() * TITLE_WEIGHT))
        for name in authors:
            counts[numbers.get(_author_term(name), -1)] += 1
        counts.pop(-1, None)
        weighted = [(number, (1.0 + log(tf)) * idfs[number]) for number, tf in counts.items()]
        norm = math.hypot(*map(by_weight, weighted))
        if not norm:
            continue
        weighted.sort(key=by_weight, reverse=True)
        scale = SCALE / norm
        for number, weight in weighted[:KEEP]:
            byte = round(weight * scale)
            if byte:
                postings[number].append((SCALE - byte) << 32 | paper)
    docs: array[int] = array("I")
    weights: array[int] = array("B")
    offsets: array[int] = array("I", [0])
    low = (1 << 32) - 1
    for number in range(len(postings)):
        # the heaviest first (ties by paper): a query reads the first `READ`; each term's
        # postings are let go as the index takes them
        ordered = sorted(postings[number])
        postings[number] = array("Q")
        docs.extend(packed & low for packed in ordered)
        weights.extend(SCALE - (packed >> 32) for packed in ordered)
        offsets.append(len(docs))
    starts = array("I", accumulate((len(term) + 1 for term in vocabulary), initial=0))
    df = array("I", (frequencies[term] for term in vocabulary))
    return SimilarityIndex(count, b"\n".join(vocabulary), starts, df, offsets, docs, weights)


_CACHE: OrderedDict[int, tuple[Digest, SimilarityIndex]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()


def cached(digest: Digest) -> SimilarityIndex | None:
    """The digest's index if one was built or read in this process (never builds)."""
    with _CACHE_LOCK:
        found = _CACHE.get(id(digest))
        if found is not None and found[0] is digest:
            _CACHE.move_to_end(id(digest))
            return found[1]
    return None


def ensure(digest: Digest, cancelled: Callable[[], bool] = lambda: False) -> SimilarityIndex | None:
    """The digest's index: the one made in this process, else the one its cache keeps, else
    built (in the caller's thread) and handed to the cache. None if `cancelled()` came true."""
    found = cached(digest)
    if found is not None:
        return found
    with _BUILD_LOCK:  # one build at a time: a second asker waits for the first one's
        found = cached(digest)
        if found is not None:
            return found
        store = digest.search_store
        load = getattr(store, "load_similar", None)
        index = load(len(digest), authors_stamp(digest)) if callable(load) else None
        if index is None:
            index = build(digest, cancelled)
            if index is None:
                return None
            save = getattr(store, "save_similar", None)
            if callable(save):
                save(index, authors_stamp(digest))
        with _CACHE_LOCK:
            _CACHE[id(digest)] = (digest, index)
            while len(_CACHE) > 2:
                _CACHE.popitem(last=False)
        return index


def authors_stamp(digest: Digest) -> int:
    """A checksum of every paper's authors: the cache's index holds them, and fetching arXiv
    metadata adds some without changing the digest's files."""
    import zlib

    check = 0
    for paper in digest.papers:
        if paper.authors:
            check = zlib.crc32("\n".join(paper.authors).encode("utf-8", "surrogatepass"), check)
            check = zlib.crc32(b"\0%d" % len(paper.authors), check)
    return check


# --- ranking -----------------------------------------------------------------------------------


AT_ONCE = 1024
"""Papers of a big ranking put in order at once (about): the rest are sorted when first read."""
_LAZY_FROM = 16 * AT_ONCE
"""Rankings of fewer papers than this are sorted whole at once (~2 ms at 10,000 papers, no
slower than the first papers found and sorted)."""


class _Rest:
    """The papers of an `Ordered` after its first `start`: found (`unsorted`) and sorted by
    score the first time one of them is read, once (the copies of an order share it)."""

    __slots__ = ("start", "_unsorted", "_key", "_sorted", "_lock")

    def __init__(
        self, start: int, unsorted: Callable[[], list[int]], key: Callable[[int], int]
    ) -> None:
        self.start = start
        self._unsorted: Callable[[], list[int]] | None = unsorted
        self._key = key
        self._sorted: tuple[int, ...] | None = None
        self._lock = threading.Lock()

    def sorted(self) -> tuple[int, ...]:
        with self._lock:
            if self._sorted is None:
                assert self._unsorted is not None
                done = self._unsorted()
                done.sort(key=self._key, reverse=True)  # stable: ties keep their order
                self._sorted, self._unsorted = tuple(done), None
            return self._sorted


class Ordered(list[int]):
    """`Ranking.order`'s answer: a list of the papers by score whose first papers (all those
    scoring at least some threshold) are in order from the start, and the rest from the first
    time any of them is read, by any means (an index past them, a slice, iterating, `index`
    of a paper not among them, `in`, comparing, changing the list); until then the list holds
    stand-ins there. Its length is right from the start."""

    __slots__ = ("_rest",)

    def __init__(self, ordered: Iterable[int] = (), rest: _Rest | None = None) -> None:
        super().__init__(ordered)
        self._rest = rest

    @classmethod
    def of(cls, asked: Sequence[int], totals: Sequence[int], ascending: bool = False) -> Ordered:
        """`asked` (distinct paper numbers; `ascending` when they are) by `totals` (see
        `Ranking.order`). The papers that score at least a threshold read off a sample of the
        scores, about `AT_ONCE` of them, are found in one pass (over `totals` when `asked` is
        ascending and holds most papers: a comprehension, the quickest pass here) and sorted;
        the others when first read."""
        score = totals.__getitem__
        count = len(asked)
        if count >= _LAZY_FROM:
            step = max(1, count // (4 * AT_ONCE))
            sample = sorted(map(score, asked[::step]), reverse=True)
            threshold = sample[min(len(sample) - 1, 2 * AT_ONCE // step)]
            first: list[int] = []
            unsorted: Callable[[], list[int]] | None = None
            if threshold > 0 and ascending and 2 * count >= len(totals):
                first = [paper for paper, total in enumerate(totals) if total >= threshold]
                if count < len(totals):  # those asked: by bisection (`asked` is ascending)
                    first = [
                        p for p in first if (at := bisect_left(asked, p)) < count and asked[at] == p
                    ]
                chosen = frozenset(first)
                unsorted = lambda: [p for p in asked if p not in chosen]  # noqa: E731
            elif threshold > 0:
                passed = bytes(map(threshold.__le__, map(score, asked)))
                first = list(compress(asked, passed))
                unsorted = lambda: list(compress(asked, map(not_, passed)))  # noqa: E731
            if unsorted is not None and len(first) >= AT_ONCE // 4:
                first.sort(key=score, reverse=True)
                # what follows them is read only once they are put in order (`_finish`):
                # meanwhile the list holds `asked` there (its length, not its papers)
                held = cls(first, _Rest(len(first), unsorted, score))
                list.extend(held, islice(asked, count - len(first)))
                return held
        shared = list(compress(asked, map(score, asked)))
        shared.sort(key=score, reverse=True)
        if len(shared) < count:
            shared.extend(compress(asked, map(not_, map(score, asked))))
        return cls(shared)

    @property
    def rest(self) -> _Rest | None:
        """What is still to be put in order (None: nothing)."""
        return self._rest

    @property
    def ready(self) -> int:
        """How many of the first papers are in order (the whole length once all are)."""
        rest = self._rest
        return len(self) if rest is None else rest.start

    def _finish(self) -> None:
        rest = self._rest
        if rest is not None:
            list.__setitem__(self, slice(rest.start, None), rest.sorted())
            self._rest = None

    def copy(self) -> Ordered:
        return Ordered(list.__iter__(self), self._rest)

    @overload
    def __getitem__(self, at: SupportsIndex) -> int: ...

    @overload
    def __getitem__(self, at: slice) -> list[int]: ...

    def __getitem__(self, at: SupportsIndex | slice) -> int | list[int]:
        rest = self._rest
        if rest is not None and (type(at) is not int or not 0 <= at < rest.start):
            self._finish()
        return list.__getitem__(self, at)

    def index(self, value: int, start: SupportsIndex = 0, stop: SupportsIndex = sys.maxsize) -> int:
        rest = self._rest
        if rest is not None:
            low, high = operator.index(start), min(operator.index(stop), rest.start)
            if 0 <= low < high:
                with contextlib.suppress(ValueError):
                    return list.index(self, value, low, high)
            self._finish()
        return list.index(self, value, start, stop)

    def __contains__(self, value: object) -> bool:
        self._finish()
        return list.__contains__(self, value)

    def __iter__(self) -> Iterator[int]:
        self._finish()
        return list.__iter__(self)

    def __reversed__(self) -> Iterator[int]:
        self._finish()
        return list.__reversed__(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, list):
            return NotImplemented
        if len(other) != len(self):
            return False
        ready = min(self.ready, other.ready if isinstance(other, Ordered) else len(other))
        if list.__getitem__(self, slice(ready)) != list.__getitem__(other, slice(ready)):
            return False
        self._finish()
        if isinstance(other, Ordered):
            other._finish()
        return list.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None

    def __reduce__(self) -> tuple[type[list[int]], tuple[list[int]]]:
        return list, (list(self),)

    def __repr__(self) -> str:
        self._finish()
        return list.__repr__(self)


def _finished_first(name: str) -> Callable[..., Any]:
    method = getattr(list, name)

    def finished(self: Ordered, *args: Any) -> Any:
        self._finish()
        return method(self, *args)

    finished.__name__ = name
    return finished


for _name in (
    "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__rmul__", "__iadd__",
    "__imul__", "__setitem__", "__delitem__", "append", "extend", "insert", "pop", "remove",
    "sort", "reverse", "clear", "count",
):  # fmt: skip
    setattr(Ordered, _name, _finished_first(_name))


@frozen
class Ranking:
    """The order a `like:` query asks for: `seeds` (the papers it is like, left out of its
    results), their summed `vector`, and per paper its `totals` (see `SimilarityIndex.scores`).
    """

    index: SimilarityIndex
    seeds: frozenset[int]
    vector: Vector
    totals: tuple[int, ...]
    ask: int = ASK
    """How many of `vector`'s heaviest terms were asked."""
    _last: list[tuple[tuple[int, ...], tuple[int, ...], _Rest | None]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )
    """The last `order` asked and its answer (`Ordered`'s list and the rest it has still to
    sort): the thread that ranks a big digest orders its hits too, and the screen's list,
    asking for the same order, gets it without sorting again (a list of its own: a caller may
    reverse it; tuples and bytes, which the garbage collector does not walk, unlike lists of
    100,000 ints: ~1 ms each full collection)."""

    def score(self, paper: int) -> float:
        """About the cosine of the paper with the seeds' vector: 0 (nothing shared) to 1."""
        return self.totals[paper] / (SCALE * SCALE)

    def order(self, indices: Iterable[int], ascending: bool = False) -> Ordered:
        """`indices` (in the digest's order) by score, highest first; ties keep their order
        (those that share nothing come last as they are: only the others are sorted). Of many
        indices, the first (about `AT_ONCE`) are put in order at once and the rest the first
        time one of them is read (`Ordered`): the list shows its first screen without
        sorting 100,000 papers first. `ascending`: the indices are (a quicker way then)."""
        asked = tuple(indices)
        last = self._last
        if last and last[0][0] == asked:
            return Ordered(last[0][1], last[0][2])
        ordered = Ordered.of(asked, self.totals, ascending)
        last[:] = [(asked, tuple(list.__iter__(ordered)), ordered.rest)]
        return ordered

    @cached_property
    def asked(self) -> frozenset[bytes]:
        """The terms the ranking asked (the seeds' heaviest): a paper shares exactly those of
        them that it holds (worked out once: every visible row's title asks)."""
        return frozenset(self.index.term(term) for term, _ in self.vector[: self.ask])

    def spans(self, text: str, field: str = "any") -> list[tuple[int, int]]:
        """Where `text` holds an asked term (`Spans`, as `Query.highlight_spans`): its words
        whose term is asked in the title, abstract and summary (`field` title, abstract, any),
        the asked authors' names in `author`."""
        asked = self.asked
        if field == "author":
            return sorted(
                span
                for name in asked
                if name.startswith(_AUTHOR)
                for span in _name_spans(text, name)
            )
        if field not in ("title", "abstract", "any"):
            return []
        stems = _shared_stems()
        found: list[tuple[int, int]] = []
        for match in _WORD.finditer(text.lower() if len(text.lower()) == len(text) else text):
            word = match.group().encode(SEARCH_ENCODING, SEARCH_ERRORS)
            if stems[word] in asked:
                found.append(match.span())
        return found

    def terms(self, digest: Digest, paper: int, most: int = 4) -> list[bytes]:
        """The terms that made `paper` similar, the biggest share of its score first: terms of
        both the seeds' vector and the paper's."""
        mine = dict(self.index.paper_vector(digest, paper))
        shared = [(weight * mine[term], term) for term, weight in self.vector if term in mine]
        shared.sort(key=lambda item: (-item[0], item[1]))
        return [self.index.term(number) for _, number in shared[:most]]

    def words(self, digest: Digest, paper: int, most: int = 4) -> list[str]:
        """`terms` as the paper writes them (lowercased): `policies` for the term `policy`, an
        author's name as given."""
        wanted = self.terms(digest, paper, most)
        if not wanted:
            return []
        shown: dict[bytes, str] = {}
        for name in digest.papers[paper].authors:
            shown.setdefault(_author_term(name), name)
        search = digest.haystacks
        text = search.data[search.starts[paper] : search.starts[paper + 1]]
        stems = _shared_stems()
        for word in text.translate(_SPACES).split():
            term = stems[word]
            if term in wanted and term not in shown:
                shown[term] = word.decode(SEARCH_ENCODING, "replace")
        return [shown.get(term) or term.decode(SEARCH_ENCODING, "replace") for term in wanted]


_WORD = re.compile(r"[^\x00-/:-@\[-`{-\x7f]+")
"""A word as the index reads it: a run of ASCII letters and digits and non-ASCII characters."""


def _name_spans(text: str, term: bytes) -> list[tuple[int, int]]:
    """Where the author of `term` (`~first last`, folded) is named in `text` (names separated
    by commas)."""
    from reader.query.syntax import fold

    wanted = term[len(_AUTHOR) :].decode(SEARCH_ENCODING, "replace")
    found = []
    at = 0
    for name in text.split(","):
        stripped = name.strip()
        if stripped and " ".join(fold(stripped).split()) == wanted:
            start = at + name.index(stripped[0])
            found.append((start, start + len(stripped)))
        at += len(name) + 1
    return found


def rank(
    digest: Digest, index: SimilarityIndex, seeds: Iterable[int], ask: int | None = None
) -> Ranking:
    """The ranking by the sum of the `seeds`' vectors (one paper: its own; several: a profile
    whose heaviest terms are asked, `ASK_PROFILE`)."""
    chosen = frozenset(seeds)
    if len(chosen) == 1:
        (only,) = chosen
        vector = index.paper_vector(digest, only)
        asked = ASK if ask is None else ask
    else:
        summed: dict[int, float] = {}
        for seed in sorted(chosen):
            for term, weight in index.paper_vector(digest, seed):
                summed[term] = summed.get(term, 0.0) + weight
        vector = _unit(list(summed.items()))
        asked = ASK_PROFILE if ask is None else ask
    return Ranking(index, chosen, vector, index.scores(vector, asked), asked)
