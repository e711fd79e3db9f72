"""The query engine: per-digest caches, evaluation, and `Query` (filter, narrowing,
highlight spans)."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field as _field
from functools import reduce
from itertools import compress, repeat
from operator import add, and_, ge, sub
from typing import TYPE_CHECKING, Protocol, cast

from reader import model as _model
from reader.limits import QUERY_CHARS
from reader.model import SEARCH_ENCODING, SEARCH_ERRORS, UNDATED, Digest, Paper, SearchText
from reader.query import early
from reader.query import likes as _likes
from reader.query.syntax import (
    FIELDS,
    Announce,
    Clause,
    Field,
    From,
    Has,
    Id,
    Is,
    Kind,
    Like,
    QueryError,
    QueryNote,
    Regex,
    Tag,
    Term,
    Text,
    Upvotes,
    Weeks,
    field_within,
    fold,
    implies,
    parse_with_notes,
)
from reader.reading import KeyIndices, ReadingState, key_indices
from reader.records import frozen
from reader.tokens import TokenIndex

if TYPE_CHECKING:
    from reader.similar import Ranking


class Annotations(Protocol):
    """What `note:`, `has:` and `tag:` ask (a reading state may have it; the store does)."""

    def note(self, key: str) -> str: ...

    def tags(self, key: str) -> tuple[str, ...]: ...


def _annotations(state: ReadingState | None) -> Annotations | None:
    if state is None or not callable(getattr(state, "note", None)):
        return None
    return cast(Annotations, state)


# --- per-digest caches -------------------------------------------------------------------------


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode(SEARCH_ENCODING, SEARCH_ERRORS))


class _Index:
    """Lowercased per-field views of one digest, built once, sharing the digest's haystacks."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest  # kept alive so that its id() is not reused while cached
        self.hay: SearchText = digest.haystacks
        self._memo: OrderedDict[object, tuple[Term, bytearray]] = OrderedDict()
        self._titles: list[str] | None = None
        self._categories: list[str] | None = None
        self._text_start: array[int] | None = None
        self._ids: list[str] | None = None
        self._numbers: list[int] | None = None
        self._keys: list[str] | None = None
        self._sort_titles: list[str] | None = None
        self._sort_categories: list[tuple[bool, str]] | None = None
        self._authors: list[str] | None = None
        self._key_indices: KeyIndices | None = None
        self._picks: tuple[list[frozenset[str]], list[frozenset[str]], list[int]] | None = None
        self.last: tuple[list[int], int] | None = None
        """The last result `Query.filter` made from token masks alone, and its bits (bit `i`
        set for paper `i`): the next keystroke, narrowing within it, intersects bits instead
        of visiting its papers."""

    # Each view is built when a query first needs it (a plain word needs none of them).

    @property
    def titles(self) -> list[str]:
        if self._titles is None:
            self._titles = [paper.title.lower() for paper in self.digest.papers]
        return self._titles

    @property
    def categories(self) -> list[str]:
        if self._categories is None:
            interned: dict[str, str] = {}
            self._categories = [
                interned.get(paper.category)
                or interned.setdefault(paper.category, paper.category.lower())
                for paper in self.digest.papers
            ]
        return self._categories

    @property
    def text_start(self) -> array[int]:
        """Where the abstract starts in each paper's search text, in bytes: Digest.haystacks is
        "title\ncategory\ntext", lowercased (the tests for abstract: terms fail if that changes)."""
        if self._text_start is None:
            sizes: dict[str, int] = {}
            self._text_start = array(
                "q",
                (
                    start
                    + (
                        len(paper.title)
                        if paper.title.isascii()
                        else _utf8_length(paper.title.lower())
                    )
                    + (
                        sizes.get(paper.category)
                        or sizes.setdefault(
                            paper.category, _utf8_length(paper.category.lower()) + 2
                        )
                    )
                    for start, paper in zip(self.hay.starts, self.digest.papers, strict=False)
                ),
            )
        return self._text_start

    @property
    def numbers(self) -> list[int]:
        """`list(range(len(digest)))`: results are made of these int objects, not of new ones.
        A result holds only pointers then, and the garbage collector, which reads every object a
        list holds when it walks the list, reads the same 100,000 ints laid out in order, not
        ints scattered in the heap (a full collection over a few results of 100k papers took
        15-30 ms)."""
        if self._numbers is None:
            self._numbers = list(range(len(self.digest.papers)))
        return self._numbers

    def column(self, field: str) -> list[str]:
        """The lowercased titles, categories, or folded authors (for `title:` and so on)."""
        if field == "title":
            return self.titles
        if field == "category":
            return self.categories
        return self.authors

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = [(paper.arxiv_id or "").lower() for paper in self.digest.papers]
        return self._ids

    @property
    def authors(self) -> list[str]:
        """Per paper, its authors folded (`fold`), one a line ("" when not known)."""
        if self._authors is None:
            self._authors = [
                fold("\n".join(paper.authors)) if paper.authors else ""
                for paper in self.digest.papers
            ]
        return self._authors

    @property
    def picks(self) -> tuple[list[frozenset[str]], list[frozenset[str]], list[int]]:
        """Per paper, the feeds that picked it, the arXiv announce types, its upvotes (-1 when
        none): for `from:`, `announce:`, `upvotes:` (issue 29)."""
        if self._picks is None:
            from reader.feeds import feeds_of, upvotes_of

            papers = self.digest.papers
            none: frozenset[str] = frozenset()
            self._picks = (
                [feeds_of(paper) for paper in papers],
                [
                    frozenset(origin.announce for origin in paper.origins if origin.announce)
                    if paper.origins
                    else none
                    for paper in papers
                ],
                [-1 if (votes := upvotes_of(paper)) is None else votes for paper in papers],
            )
        return self._picks

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [paper.key for paper in self.digest.papers]
        return self._keys

    @property
    def key_indices(self) -> KeyIndices:
        """Each paper key and the papers that carry it (`like:` finds its papers by it)."""
        if self._key_indices is None:
            self._key_indices = key_indices(self.digest)
        return self._key_indices

    @property
    def sort_titles(self) -> list[str]:
        if self._sort_titles is None:
            self._sort_titles = [paper.title.casefold() for paper in self.digest.papers]
        return self._sort_titles

    @property
    def sort_categories(self) -> list[tuple[bool, str]]:
        if self._sort_categories is None:
            keys: dict[str, tuple[bool, str]] = {}
            self._sort_categories = [
                keys.get(paper.category) or keys.setdefault(paper.category, _category_key(paper))
                for paper in self.digest.papers
            ]
        return self._sort_categories

    def memo(self, term: Term) -> bytearray | None:
        """The per-paper outcomes of a term (0 unknown, 1 hit, 2 miss), if remembered."""
        key = (term.negated, term.kind)
        with _CACHE_LOCK:
            entry = self._memo.get(key)
            if entry is None:
                return None
            self._memo.move_to_end(key)
            return entry[1]

    def remember(self, term: Term, mask: bytearray) -> None:
        key = (term.negated, term.kind)
        with _CACHE_LOCK:
            self._memo[key] = (term, mask)
            self._memo.move_to_end(key)
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)

    def seed(self, term: Term) -> bytearray | None:
        """What remembered terms tell about a new one: a paper that misses a term implied by
        `term` misses it too ("diffusio" for "diffusion"); a paper that matches a term implying
        it matches it too ("-vi" for "-vis"); the term's negation tells everything it knows.
        None when nothing is known."""
        with _CACHE_LOCK:
            entries = list(self._memo.values())
        misses = hits = opposite = None
        for known, mask in reversed(entries):  # the most recently used first
            if known.kind == term.kind and known.negated != term.negated:
                opposite = mask
            elif misses is None and implies(term, known):
                misses = mask
            elif hits is None and implies(known, term):
                hits = mask
        bits = 0  # outcomes are final once written, so reading a mask in use is safe
        for source, table in ((misses, _KEEP_MISSES), (hits, _KEEP_HITS), (opposite, _SWAP)):
            if source is not None:
                bits |= int.from_bytes(source.translate(table), "little")
        return bytearray(bits.to_bytes(len(self.hay), "little")) if bits else None

    def week_span(self, weeks: Weeks) -> range:
        """The indices of the papers in `weeks`: contiguous, as the digest is sorted by week."""
        if weeks.latest:  # the newest dated week (the undated papers come last)
            newest = next(iter(self.digest.weeks), UNDATED)
            return range(0) if newest == UNDATED else self.digest.week_ranges[newest]
        ranges = [
            self.digest.week_ranges[week] for week in self.digest.weeks if weeks.contains(week)
        ]
        if not ranges:
            return range(0)
        return range(min(r.start for r in ranges), max(r.stop for r in ranges))


def _category_key(paper: Paper) -> tuple[bool, str]:
    return (not paper.category, paper.category.casefold())


_CACHE: OrderedDict[int, _Index] = OrderedDict()
_CACHE_SIZE = 4
_MEMO_SIZE = 48  # terms remembered per digest, a byte per paper each
_CACHE_LOCK = threading.Lock()


def _index(digest: Digest) -> _Index:
    """The cached `_Index` of a digest. `Digest` has no `__weakref__` slot, so the cache keys by
    `id()` and holds the few most recent digests alive, which keeps the keys unambiguous."""
    key = id(digest)
    with _CACHE_LOCK:  # the TUI filters in a worker thread
        found = _CACHE.get(key)
        if found is not None and found.digest is digest:
            _CACHE.move_to_end(key)
            return found
    built = _Index(digest)  # outside the lock: a digest of 100k papers takes a while
    with _CACHE_LOCK:
        _CACHE[key] = built
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


# --- evaluation --------------------------------------------------------------------------------

REGEX_SECONDS = 1.0
"""The time a query's regexes may take in all, per `Query.filter` (a scan of 100,000 abstracts
takes well under a second). The `regex` module counts the process's CPU time: on a busy
machine the wall clock runs on further."""
SEARCH_COUNT_SECONDS = 0.1
"""The time a saved search's count may take (the sidebar counts each when it is drawn, the
first paint too): past it the count is `!`."""
HIGHLIGHT_SECONDS = 0.05
"""The time a regex may take to find what to highlight in one text."""
_BUDGET = threading.local()
_TIMED_OUT: dict[tuple[str, int], float] = {}
"""(query text, id of the digest) -> the budget it ran out of: the sidebar counts saved searches
again after every mark, and a regex that ran out of time is not run again for as long."""


class Cancelled(Exception):
    """A filtering its caller called off (`Query.filter`'s `cancelled`): a newer query came."""


class _Running(threading.Condition):
    count = 0


_RUNNING = _Running()
"""How many filterings that may be called off (`Query.filter`'s `cancelled`: a thread's) run."""


def _before_the_build(
    clauses: Sequence[Clause], digest: Digest, indices: Iterable[int]
) -> list[int] | None:
    """A thread's query of plain words while the search text is not built yet: answered from
    the digest file (`reader.query.early`), not after waiting for the build. None: it waits."""
    texts = []
    for clause in clauses:
        term = clause[0]
        kind = term.kind
        if len(clause) != 1 or term.negated or not isinstance(kind, Text) or kind.field != "any":
            return None
        texts.append(kind.value)
    words = early.words_of(texts)
    if words is None:
        return None
    with early.RUNNING:
        early.RUNNING.count += 1
    try:
        return early.answer(words, digest, indices, _called_off)
    finally:
        with early.RUNNING:
            early.RUNNING.count -= 1
            early.RUNNING.notify_all()


BUILD_WAIT = 10.0
"""The longest the search text's build waits for a query answered without it (`early`)."""
_model.BUILD_PAUSE[0] = lambda: early.wait(BUILD_WAIT)
ENTRY_WAIT = 2.0
"""The longest the cache entry's writing waits for a query filtered in a thread, a chunk."""
_model.QUERY_PAUSE[0] = lambda: filters_done(ENTRY_WAIT)  # ENTRY_WAIT read at each call


def filters_done(timeout: float) -> bool:
    """Wait until no filtering runs in a thread (one waiting for the search text counts), at
    most `timeout` seconds: whether none does. Background work that a filtering would share the
    interpreter with (the cache entry, the token index) waits for it: the user's query comes
    first."""
    with _RUNNING:
        return _RUNNING.wait_for(lambda: not _RUNNING.count, timeout)


_STEP = 16_384
"""Papers scanned between two looks at whether the filtering was called off (~10 ms)."""


@contextlib.contextmanager
def _budget(seconds: float, cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
    """The end of the time a query may take, for `_time_left` (in this thread; an inner
    budget does not extend an outer one), and what tells whether it was called off."""
    outer = getattr(_BUDGET, "end", None)
    outer_cancelled = getattr(_BUDGET, "cancelled", None)
    end = time.monotonic() + seconds
    _BUDGET.end = end if outer is None else min(outer, end)
    if cancelled is not None:
        _BUDGET.cancelled = cancelled
    try:
        yield
    finally:
        _BUDGET.end = outer
        _BUDGET.cancelled = outer_cancelled


def _called_off() -> None:
    """Raise `Cancelled` when the filtering running in this thread was called off."""
    cancelled = getattr(_BUDGET, "cancelled", None)
    if cancelled is not None and cancelled():
        raise Cancelled


def _time_left() -> float | None:
    """Seconds left of the query's budget (None: no budget); TimeoutError when none is left."""
    end: float | None = getattr(_BUDGET, "end", None)
    if end is None:
        return None
    left = end - time.monotonic()
    if left <= 0:
        raise TimeoutError("the query's time is up")
    return left


Predicate = Callable[[int], bool]


def _predicate(term: Term, ix: _Index, state: ReadingState | None) -> Predicate:
    kind = term.kind
    positive: Predicate
    if isinstance(kind, (Text, Regex, Has, Tag)) and (
        not isinstance(kind, (Text, Regex)) or kind.field == "note"
    ):
        positive = _annotation_predicate(kind, ix, _annotations(state))
    elif isinstance(kind, Text):
        value = kind.value
        if kind.field in ("any", "abstract"):
            needle, find, ends = _encoded(value), ix.hay.data.find, ix.hay.starts
            lows = ix.hay.starts if kind.field == "any" else ix.text_start
            positive = lambda i: find(needle, lows[i], ends[i + 1]) >= 0  # noqa: E731
        else:
            values = ix.column(kind.field)
            positive = lambda i: value in values[i]  # noqa: E731
    elif isinstance(kind, Regex):
        search = kind.lowered.search
        text = ix.hay.text
        left = _time_left
        if kind.field == "any":
            positive = lambda i: search(text(i), timeout=left()) is not None  # noqa: E731
        elif kind.field in ("title", "category", "author"):
            values = ix.column(kind.field)
            positive = lambda i: search(values[i], timeout=left()) is not None  # noqa: E731
        else:  # the abstract: after "title\ncategory\n" (in characters here)
            titles, categories = ix.titles, ix.categories
            positive = lambda i: (  # noqa: E731
                search(text(i), len(titles[i]) + len(categories[i]) + 2, timeout=left())
                is not None
            )
    elif isinstance(kind, Weeks):
        span = ix.week_span(kind)
        positive = span.__contains__
    elif isinstance(kind, Id):
        ids, wanted = ix.ids, kind.value
        positive = lambda i: ids[i] == wanted  # noqa: E731
    elif isinstance(kind, From):
        feeds, feed = ix.picks[0], kind.feed
        positive = lambda i: feed in feeds[i]  # noqa: E731
    elif isinstance(kind, Announce):
        announced, announce = ix.picks[1], kind.kind
        positive = lambda i: announce in announced[i]  # noqa: E731
    elif isinstance(kind, Upvotes):
        votes = ix.picks[2]
        low = 0 if kind.low is None else kind.low
        high = kind.high
        positive = lambda i: votes[i] >= low and (high is None or votes[i] <= high)  # noqa: E731
    else:
        keys = ix.keys
        if state is None:
            positive = (lambda i: True) if kind.what == "unread" else (lambda i: False)
        elif kind.what == "read":
            is_read = state.is_read
            positive = lambda i: is_read(keys[i])  # noqa: E731
        elif kind.what == "unread":
            is_read = state.is_read
            positive = lambda i: not is_read(keys[i])  # noqa: E731
        else:
            is_starred = state.is_starred
            positive = lambda i: is_starred(keys[i])  # noqa: E731
    if term.negated:
        return lambda i: not positive(i)
    return positive


def _annotation_predicate(
    kind: Text | Regex | Has | Tag, ix: _Index, notes: Annotations | None
) -> Predicate:
    """A term about the reader's own notes and tags (none without them)."""
    if notes is None:
        return lambda i: False
    keys, note, tags = ix.keys, notes.note, notes.tags
    if isinstance(kind, Text):
        value = kind.value
        return lambda i: value in note(keys[i]).lower()
    if isinstance(kind, Regex):
        search, left = kind.pattern.search, _time_left
        return lambda i: search(note(keys[i]), timeout=left()) is not None
    if isinstance(kind, Tag):
        name = kind.name
        return lambda i: name in tags(keys[i])
    if kind.what == "note":
        return lambda i: bool(note(keys[i]))
    return lambda i: bool(tags(keys[i]))


def _annotation(kind: Kind) -> bool:
    return isinstance(kind, (Has, Tag)) or (
        isinstance(kind, (Text, Regex)) and kind.field == "note"
    )


def _cost(clause: Clause) -> tuple[int, int, int]:
    """Cheap, selective clauses first: each later one scans only what the earlier ones kept.
    Exclusions usually keep most papers, and a longer word is usually rarer."""
    worst = 0
    for term in clause:
        kind = term.kind
        if isinstance(kind, (Weeks, Id, From, Announce, Upvotes)):
            cost = 0
        elif _annotation(kind) or isinstance(kind, Is):
            cost = 3
        elif isinstance(kind, Text):
            cost = 1 if kind.field in ("title", "category", "author") else 2
        else:
            cost = 4
        worst = max(worst, cost)
    negated = all(term.negated for term in clause)
    shortest = min(len(term.kind.value) if isinstance(term.kind, Text) else 0 for term in clause)
    return worst * 10 + len(clause), int(negated), -shortest


def _pure(clause: Clause) -> bool:
    """Whether a clause depends on the papers only (not on the reading state)."""
    return not any(isinstance(term.kind, Is) or _annotation(term.kind) for term in clause)


def _likely_first(term: Term) -> tuple[int, int]:
    """Order of the terms of an OR: cheap ones, then short (likely to match) words, regexes last."""
    kind = term.kind
    if isinstance(kind, (Weeks, Id, From, Announce, Upvotes)):
        return 0, 0
    if _annotation(kind) or isinstance(kind, Is):
        return 2, 0
    if isinstance(kind, Text):
        return 1, len(kind.value)
    return 3, 0


def _encoded(value: str) -> bytes:
    return value.encode(SEARCH_ENCODING, SEARCH_ERRORS)


_PROBE = 1024
"""Papers tried one by one before a scan of all of them picks its way (see `_having`)."""


def _having(hay: SearchText, needle: bytes, lows: Sequence[int], kept: Iterable[int]) -> list[int]:
    """The papers of `kept`, in order, whose search text from `lows[i]` (its start, or where its
    abstract starts) to its end holds `needle`.

    A few candidates: each paper's bytes are searched on their own (`bytes.find` with bounds,
    driven by `map`, no Python bytecode per paper). Every paper (typing a first letter): when
    the first `_PROBE` papers show that hits are rare, the whole text is searched at once and
    each hit mapped to its paper by bisection, the search going on from the next paper; when
    hits are common (one or two letters), paper by paper, which stops at each paper's first
    hit instead of visiting every hit's paper from the bisection."""
    data, ends = hay.data, hay.starts
    count = len(hay)
    if not needle:
        return list(kept)
    if isinstance(kept, range) and kept.step == 1 and kept.stop - kept.start > 4 * _PROBE:
        start, stop = max(kept.start, 0), min(kept.stop, count)
        probe = range(start, start + _PROBE)
        found = _each(data, needle, lows, ends, probe)
        common = len(found) * 3 > _PROBE  # a third or more: one by one
        # a block at a time (read, not mapped in, from a cached text), and it may be called off
        for low, high, block, base in hay.blocks(probe.stop, stop):
            _called_off()
            if common:
                found += _each(block, needle, lows, ends, range(low, high), base)
            else:
                found += _scan(block, needle, lows, ends, low, high, base)
        return found
    if not isinstance(kept, (list, tuple, range)):
        kept = list(kept)
    if len(kept) <= _STEP:
        return _each(data, needle, lows, ends, kept)
    found = []
    for low in range(0, len(kept), _STEP):
        _called_off()
        found += _each(data, needle, lows, ends, kept[low : low + _STEP])
    return found


def _each(
    data: bytes | bytearray,
    needle: bytes,
    lows: Sequence[int],
    ends: Sequence[int],
    kept: Iterable[int],
    base: int = 0,
) -> list[int]:
    """The papers of `kept` whose text from `lows[i]` to `ends[i + 1]` holds `needle`, each
    searched on its own; `data` holds the text from byte `base` on."""
    find = data.find
    if isinstance(kept, range) and kept.step == 1:
        low_of: Iterable[int] = lows[kept.start : kept.stop]
        end_of: Iterable[int] = ends[kept.start + 1 : kept.stop + 1]
    else:
        kept = kept if isinstance(kept, (list, tuple)) else list(kept)
        low_of = map(lows.__getitem__, kept)
        end_of = map(ends.__getitem__, map((1).__add__, kept))
    if base:
        low_of, end_of = map(sub, low_of, repeat(base)), map(sub, end_of, repeat(base))
    return list(compress(kept, map(ge, map(find, repeat(needle), low_of, end_of), repeat(0))))


def _scan(
    data: bytes | bytearray,
    needle: bytes,
    lows: Sequence[int],
    ends: Sequence[int],
    first: int,
    stop: int,
    base: int = 0,
) -> list[int]:
    """Papers `first` to `stop` (exclusive) by one search through their bytes; `data` holds
    the text from byte `base` on."""
    hits: list[int] = []
    if first >= stop:
        return hits
    find, size, limit = data.find, len(needle), ends[stop] - base
    paper = first
    at = lows[paper] - base
    while True:
        found = find(needle, at, limit)
        if found < 0:
            return hits
        found += base
        paper = bisect_right(ends, found, paper) - 1
        if found < lows[paper]:  # before where this paper's field starts: look again there
            at = lows[paper] - base
            continue
        if found + size <= ends[paper + 1]:  # not across into the next paper
            hits.append(paper)
        paper += 1
        if paper >= stop:
            return hits
        at = lows[paper] - base


def _evaluate(
    term: Term, ix: _Index, state: ReadingState | None, kept: Iterable[int]
) -> list[int]:
    kind = term.kind
    if isinstance(kind, Text) and kind.field in ("any", "abstract"):  # the hot path: words
        lows = ix.hay.starts if kind.field == "any" else ix.text_start
        hits = _having(ix.hay, _encoded(kind.value), lows, kept)
        if not term.negated:
            return hits
        matched = set(hits)
        return [i for i in kept if i not in matched]
    if isinstance(kind, Weeks):
        span = ix.week_span(kind)
        if term.negated:
            return [i for i in kept if i not in span]
        return [i for i in kept if i in span]
    if isinstance(kind, Regex) and kind.literals and kind.field != "note":
        return _evaluate_regex(term, kind, ix, kept)
    predicate = _predicate(term, ix, state)
    return [i for i in kept if predicate(i)]


def _evaluate_regex(term: Term, kind: Regex, ix: _Index, kept: Iterable[int]) -> list[int]:
    """A regex with required substrings: those (remembered, like words) narrow the papers that
    the regex itself must scan."""
    kept = kept if isinstance(kept, (list, range)) else list(kept)
    candidates: Iterable[int] = kept
    for literal in kind.literals:
        candidates = _apply_term(
            Term(Text(kind.field, literal), False, 0, 0), ix, None, candidates
        )
        if not candidates:
            break
    positive = _predicate(Term(kind, False, term.start, term.end), ix, None)
    hits = [i for i in candidates if positive(i)]
    if not term.negated:
        return hits
    matched = set(hits)
    return [i for i in kept if i not in matched]


def _memoizable(term: Term) -> bool:
    """Terms that scan abstracts and depend on the papers only: worth remembering per paper."""
    kind = term.kind
    if _annotation(kind):
        return False
    return isinstance(kind, Regex) or (
        isinstance(kind, Text) and kind.field in ("any", "abstract")
    )


_UNKNOWN, _HIT, _MISS = 0, 1, 2
_KEEP_MISSES = bytes.maketrans(bytes([_HIT]), bytes([_UNKNOWN]))
_KEEP_HITS = bytes.maketrans(bytes([_MISS]), bytes([_UNKNOWN]))
_SWAP = bytes.maketrans(bytes([_HIT, _MISS]), bytes([_MISS, _HIT]))


def _indexed(term: Term, ix: _Index, kept: Iterable[int]) -> list[int] | None:
    """The papers of `kept` that match a word, from the token index when the search text has one
    and it can tell (`reader.tokens`): exactly for a word of letters and digits anywhere; else
    the papers that hold its longest piece, searched. None: the term is scanned for."""
    kind = term.kind
    tokens = ix.hay.tokens
    if tokens is None or not isinstance(kind, Text) or kind.field not in ("any", "abstract"):
        return None
    needle = _encoded(kind.value)
    found = tokens.lookup(needle) if needle else None
    if found is None:
        return None
    mask, exact = found
    if isinstance(kept, range) and kept.step == 1 and 0 <= kept.start <= kept.stop <= len(mask):
        candidates = list(compress(kept, mask[kept.start : kept.stop]))
    else:
        kept = kept if isinstance(kept, (list, tuple, range)) else list(kept)
        candidates = list(compress(kept, map(mask.__getitem__, kept)))
    if not exact or kind.field == "abstract":
        lows = ix.hay.starts if kind.field == "any" else ix.text_start
        candidates = _each(ix.hay.data, needle, lows, ix.hay.starts, candidates)
    if not term.negated:
        return candidates
    if exact and kind.field == "any":
        missing = mask.translate(_NEGATE)
        if isinstance(kept, range) and kept.step == 1:
            return list(compress(kept, missing[kept.start : kept.stop]))
        return list(compress(kept, map(missing.__getitem__, kept)))
    matched = set(candidates)
    return [i for i in kept if i not in matched]


_NEGATE = bytes.maketrans(b"\x00\x01", b"\x01\x00")


SETTLE_PAPERS = 250_000
"""Above this many papers a lookup in a filter's thread first waits `SETTLE_SECONDS`."""
SETTLE_SECONDS = 0.06
"""How long: a key typed meanwhile (a burst of letters and backspaces, ~50 ms apart) calls the
lookup off before it starts; at 1M papers a letter's lookup takes ~100 ms of CPU."""


def _settle() -> None:
    """In a filter's thread, wait `SETTLE_SECONDS` unless called off meanwhile (`Cancelled`);
    elsewhere return at once."""
    if getattr(_BUDGET, "cancelled", None) is None:
        return
    end = time.monotonic() + SETTLE_SECONDS
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 0.01))
        _called_off()


NARROW_SHARE = 64
"""A letter that takes at most one paper in this many of the digest out of the last result is
answered by taking those out of it (~0.6 us each, and a copy of the rest's pointers); more, by
reading the hits off anew (a pass over every paper: ~1 ms at 100k, where taking 1,000 out
took 0.7 ms and 2,000 1.5 ms)."""

SPARSE_SHARE = 20
"""Hits at most one paper in this many of the digest are read off by finding their bits
(~0.3 us each), not by a pass over every paper (at 100k papers, 500 hits in 0.15 ms and
3,000 in 0.44 ms against the pass's 0.7-0.8 ms)."""


def _narrowed(last: tuple[list[int], int], bits: int, count: int, numbers: list[int]) -> list[int]:
    """The hits of `bits` (`count` papers, a bit each), a subset of `last`'s (its hits and
    bits): its very hits when none went (typing on within a word often takes none out: the
    sidebar's counts and the list then see the same hits), the few that went taken out of
    them, or read off anew."""
    before, had = last
    left = bits.bit_count()
    if left == len(before):
        return before
    if (len(before) - left) * NARROW_SHARE <= count:
        gone = _set_bits(had ^ bits)
        at = list(map(bisect_left, repeat(before), gone))
        starts = [0, *map(add, at, repeat(1))]
        at.append(len(before))
        kept: list[int] = []  # the runs between them, a copy of pointers each
        deque(map(kept.extend, map(before.__getitem__, map(slice, starts, at))), 0)
        return kept
    return _read_off(bits, count, numbers)


def _set_bits(bits: int) -> list[int]:
    """The positions of the set bits of `bits` (few of them), found with `str.find` in C."""
    text = bin(bits)[:1:-1]  # bit i at index i
    found: list[int] = []
    at = text.find("1")
    while at >= 0:
        found.append(at)
        at = text.find("1", at + 1)
    return found


_ASCII_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _read_off(bits: int, count: int, numbers: list[int]) -> list[int]:
    """The papers of `bits` (`count` papers, a bit each), in order: few, by finding their
    bits (`SPARSE_SHARE`); else its mask made a byte a paper and read off in C (`compress`:
    ~1 ms at 100k papers)."""
    if bits.bit_count() * SPARSE_SHARE <= count:
        return list(map(numbers.__getitem__, _set_bits(bits)))
    mask = (bin(bits)[:1:-1] if bits else "").ljust(count, "0").encode("ascii")
    return list(compress(numbers, mask.translate(_ASCII_BITS)))


def _exact_word(term: Term, tokens: TokenIndex, quick: bool = False) -> int | None:
    """A bit a paper, set when it holds `term`'s word (its negation left to the caller), when
    the term is a word anywhere that the token index answers exactly; else None. `quick`: None
    too when that answer is not known and would take long (`TokenIndex.quick`)."""
    kind = term.kind
    if not isinstance(kind, Text) or kind.field != "any":
        return None
    needle = _encoded(kind.value)
    if quick and not tokens.quick(needle):
        return None
    if not quick and tokens.count > SETTLE_PAPERS and not tokens.known(needle):
        _settle()
    found = tokens.lookup_bits(needle, _called_off)  # in a thread, it stops once called off
    return found[0] if found is not None and found[1] else None


def _apply_term(
    term: Term, ix: _Index, state: ReadingState | None, kept: Iterable[int]
) -> list[int]:
    """The papers of `kept` that match `term`. A word is looked up in the token index when there
    is one (`_indexed`). A term that scans abstracts remembers, per paper, whether it matched,
    and starts from what related terms remember: typing, backspacing or adding an exclusion then
    scans only the papers whose outcome is still unknown."""
    if not _memoizable(term):
        return _evaluate(term, ix, state, kept)
    if not isinstance(kept, (list, tuple, range)):
        kept = list(kept)
    indexed = _indexed(term, ix, kept)
    if indexed is not None:
        return indexed
    size = len(ix.hay)
    mask = ix.memo(term)
    if mask is None:
        mask = ix.seed(term)
        if mask is None:
            if isinstance(kept, range) and kept == range(size):
                hits = _evaluate(term, ix, state, kept)
                mask = bytearray([_MISS]) * size
                for i in hits:
                    mask[i] = _HIT
                ix.remember(term, mask)  # published whole, never seen half-written
                return hits
            mask = bytearray(size)
        ix.remember(term, mask)
    if not isinstance(kept, (list, range)):
        kept = list(kept)
    unknown = [i for i in kept if mask[i] == _UNKNOWN]
    if not unknown:
        return [i for i in kept if mask[i] == _HIT]
    hits = _evaluate(term, ix, state, unknown)
    for i in hits:  # every write is final, so a concurrent reader never sees a wrong value
        mask[i] = _HIT
    for i in unknown:
        if mask[i] == _UNKNOWN:
            mask[i] = _MISS
    if len(unknown) == len(kept):
        return hits
    return [i for i in kept if mask[i] == _HIT]


def _apply(
    clause: Clause, ix: _Index, state: ReadingState | None, kept: Iterable[int]
) -> list[int]:
    """The papers of `kept` that match any term of `clause`."""
    if len(clause) == 1:
        return _apply_term(clause[0], ix, state, kept)
    everything = kept if isinstance(kept, (list, range)) else list(kept)
    found: set[int] = set()
    rest: Iterable[int] = everything
    for term in sorted(clause, key=_likely_first):  # each term scans what the others missed
        hits = _apply_term(term, ix, state, rest)
        if hits:
            found.update(hits)
            rest = [i for i in rest if i not in found]
            if not rest:
                break
    return [i for i in everything if i in found]


# --- the query ---------------------------------------------------------------------------------


@frozen
class Query:
    """A parsed query. `Query(text)` parses (and may raise `QueryError`); equal by text."""

    text: str
    clauses: tuple[Clause, ...] = _field(init=False, repr=False, compare=False)
    """The terms that filter (all but `like:`)."""
    likes: tuple[Like, ...] = _field(init=False, repr=False, compare=False)
    """The `like:` terms, which order the papers (`ranking`) and leave out the ones they are
    like; each is a clause of its own (not excluded, not joined by OR)."""
    notes: tuple[QueryNote, ...] = _field(init=False, repr=False, compare=False)
    """What was not understood as written (an unknown field): said, not an error."""

    def __post_init__(self) -> None:
        clauses: list[Clause] = []
        likes: list[Like] = []
        parsed, notes = parse_with_notes(self.text)
        for clause in parsed:
            like = next((term for term in clause if isinstance(term.kind, Like)), None)
            if like is None:
                clauses.append(clause)
            elif like.negated:
                raise QueryError("like: orders the papers, it cannot be excluded", like.start)
            elif len(clause) > 1:
                raise QueryError("like: orders the papers, it cannot be joined by OR", like.start)
            else:
                likes.append(cast(Like, like.kind))
        object.__setattr__(self, "clauses", tuple(clauses))
        object.__setattr__(self, "likes", tuple(dict.fromkeys(likes)))
        object.__setattr__(self, "notes", notes)

    def digest_notes(self, digest: Digest, fetch: str = "F") -> list[QueryNote]:
        """What the query asks that `digest` cannot answer: `author:` terms where no paper has
        authors yet (`fetch`: what fetches them, `F` or `--fetch-metadata`)."""
        notes = []
        author = next(
            (
                term
                for clause in self.clauses
                for term in clause
                if getattr(term.kind, "field", None) == "author"
            ),
            None,
        )
        if author is not None and not any(_index(digest).authors):
            notes.append(QueryNote(f"no authors known yet: {fetch} fetches them", author.start))
        return notes

    @property
    def is_empty(self) -> bool:
        """True when the query filters nothing out and orders nothing (no term typed, or only
        unfinished ones)."""
        return not self.clauses and not self.likes

    def ranking(
        self,
        digest: Digest,
        state: ReadingState | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Ranking | None:
        """The order the query's `like:` terms ask for (`reader.similar.Ranking`: scores, the
        words each paper shares), or None without any (or when `cancelled()` came true while
        the digest's similarity index was built: seconds at 100k papers, once)."""
        if not self.likes:
            return None
        return _likes.ranking(self.likes, digest, _index(digest).key_indices, state, cancelled)

    def unknown_likes(self, digest: Digest) -> list[str]:
        """The `like:ID` terms that name no paper of the digest (`like:2305.99999`)."""
        if not self.likes:
            return []
        return _likes.missing(self.likes, _index(digest).key_indices)

    def matches(self, digest: Digest, index: int, state: ReadingState | None = None) -> bool:
        return bool(self.filter(digest, (index,), state))

    def filter(
        self,
        digest: Digest,
        indices: Iterable[int],
        state: ReadingState | None = None,
        *,
        satisfied: Query | None = None,
        budget: float = REGEX_SECONDS,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[int]:
        """The indices, in their given order, of the papers the query matches.

        `satisfied`: a query that every index in `indices` is known to match (the previous query,
        when `self.narrows(previous)` and `indices` are its hits). Clauses it already enforces are
        not checked again, except those about the reading state, which may have changed.

        `like:` terms filter nothing but the papers they are like (see `reader.query.likes`).

        `budget`: the seconds its regexes may take in all; past them QueryError says so (a regex
        that backtracks without end never holds the caller longer).

        `cancelled`: asked between steps of a long scan (and once the digest's search text is
        there, which a thread may have to wait for); when it turns true, `Cancelled` is raised.
        """
        slow = (self.text, id(digest))
        if _TIMED_OUT.get(slow, -1.0) >= budget:  # it failed in as long before: not again
            raise QueryError(
                f"a regex took over {budget:g} s and was stopped (it may backtrack without "
                "end, as (a|aa)+$ does): make it simpler",
                0,
            )
        if cancelled is not None:
            with _RUNNING:
                _RUNNING.count += 1
        try:
            return self._timed(digest, indices, state, satisfied, budget, cancelled, slow)
        finally:
            if cancelled is not None:
                with _RUNNING:
                    _RUNNING.count -= 1
                    _RUNNING.notify_all()

    def _timed(
        self,
        digest: Digest,
        indices: Iterable[int],
        state: ReadingState | None,
        satisfied: Query | None,
        budget: float,
        cancelled: Callable[[], bool] | None,
        slow: tuple[str, int],
    ) -> list[int]:
        with _budget(budget, cancelled):
            try:
                return self._liked(digest, indices, state, satisfied)
            except TimeoutError:
                if len(_TIMED_OUT) > 1000:
                    _TIMED_OUT.clear()
                _TIMED_OUT[slow] = max(budget, _TIMED_OUT.get(slow, 0.0))
                raise QueryError(
                    f"a regex took over {budget:g} s and was stopped (it may backtrack without "
                    "end, as (a|aa)+$ does): make it simpler",
                    0,
                ) from None

    def _liked(
        self,
        digest: Digest,
        indices: Iterable[int],
        state: ReadingState | None,
        satisfied: Query | None,
    ) -> list[int]:
        if self.likes:
            hits = self._filter(digest, indices, state, satisfied)
            ix = _index(digest)
            seeds = _likes.seeds(self.likes, digest, ix.key_indices, state)
            return [i for i in hits if i not in seeds] if seeds else hits
        return self._filter(digest, indices, state, satisfied)

    def _filter(
        self,
        digest: Digest,
        indices: Iterable[int],
        state: ReadingState | None,
        satisfied: Query | None,
    ) -> list[int]:
        masked = self._from_masks(digest, indices)
        if masked is not None:
            return masked
        clauses = self.clauses
        if satisfied is not None:
            done = [clause for clause in satisfied.clauses if _pure(clause)]
            clauses = tuple(
                clause
                for clause in clauses
                if not any(_clause_implies(known, clause) for known in done)
            )
        if not clauses:
            return list(indices)
        if not digest.has_haystacks:
            if getattr(_BUDGET, "cancelled", None) is not None:
                found = _before_the_build(clauses, digest, indices)
                if found is not None:
                    return found
        elif early.planned():
            early.forget()  # the search text is there: no more answers without it
        ix = _index(digest)  # may wait for the search text another thread is building
        _called_off()
        kept: Iterable[int] = indices
        for clause in sorted(clauses, key=_cost):
            kept = _apply(clause, ix, state, kept)
            if not kept:
                break
        return list(map(ix.numbers.__getitem__, kept))

    def _from_masks(self, digest: Digest, indices: Iterable[int]) -> list[int] | None:
        """The hits when every clause is one word the token index answers exactly and `indices`
        are every paper or the last such result (in the digest's order): the words' bits and
        that result's are intersected (`int` AND, a bit a paper), and the hits are the last
        ones when none went, those less the few that went, or read off in C.
        None: `filter` goes on the usual way."""
        tokens = digest.token_index
        if tokens is None or not self.clauses:
            return None
        words: list[int] = []
        every = (1 << tokens.count) - 1
        for clause in self.clauses:
            term = clause[0]
            bits = _exact_word(term, tokens) if len(clause) == 1 else None
            if bits is None:
                return None
            words.append(bits ^ every if term.negated else bits)
        ix = _index(digest)
        count = len(ix.hay)
        last = ix.last
        if last is not None and indices is last[0]:
            combined = reduce(and_, words, last[1])
            hits = _narrowed(last, combined, count, ix.numbers)
        elif isinstance(indices, range) and indices == range(count):
            combined = reduce(and_, words)
            hits = _read_off(combined, count, ix.numbers)
        else:
            return None
        ix.last = (hits, combined)
        return hits

    def indexed(self, digest: Digest) -> bool:
        """True when the digest's token index answers every word of the query exactly and
        quickly, and the rest is cheap (weeks, ids, reading state): filtering then takes a few
        milliseconds at any size (`reader.tokens`), and may run while the key waits. False when
        there is no index yet, or when a short word's answer would take long to work out (it
        is worked out in the filter's thread then)."""
        tokens = digest.token_index
        if tokens is None or not self.clauses:
            return False
        return all(
            isinstance(term.kind, (Weeks, Id, Is, From, Announce, Upvotes))
            or _exact_word(term, tokens, quick=True) is not None
            for clause in self.clauses
            for term in clause
        )

    def narrows(self, previous: Query) -> bool:
        """True when every hit of this query is certainly a hit of `previous`, so that filtering
        `previous`'s hits gives the same result as filtering everything (a sufficient test: it
        recognises added terms and grown words/phrases, not every logical implication)."""
        if previous.likes and not all(
            like.what == "paper" and like in self.likes for like in previous.likes
        ):
            return False  # what it left out may be back (a star, a note, a tag changed)
        return all(
            any(_clause_implies(mine, theirs) for mine in self.clauses)
            for theirs in previous.clauses
        )

    def highlight_spans(self, text: str, field: str = "any") -> list[tuple[int, int]]:
        """Merged, sorted `(start, end)` spans of `text` matched by the positive words, phrases and
        regexes. Terms restricted to a field only count when `field` is that field (or "any")."""
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}; expected one of {', '.join(FIELDS)}")
        spans: list[tuple[int, int]] = []
        lowered = text.lower()
        same_length = len(lowered) == len(text)
        for clause in self.clauses:
            for term in clause:
                kind = term.kind
                if term.negated or not isinstance(kind, (Text, Regex)):
                    continue
                if not (field == "any" or field_within(cast(Field, field), kind.field)):
                    continue
                if isinstance(kind, Regex):
                    with contextlib.suppress(TimeoutError):  # a slow regex: no highlights
                        found = kind.pattern.finditer(text, timeout=HIGHLIGHT_SECONDS)
                        spans.extend(m.span() for m in list(found) if m.end() > m.start())
                elif kind.field == "author":  # matched folded: "irsoy" lights up "İrsoy"
                    spans.extend(_folded_occurrences(text, kind.value))
                elif same_length:
                    spans.extend(_occurrences(lowered, kind.value))
                else:  # lowercasing changed the length (rare letters): match case-insensitively
                    pattern = re.compile(re.escape(kind.value), re.IGNORECASE)
                    spans.extend(m.span() for m in pattern.finditer(text))
        return _merge(spans)


def _folded_occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` (folded) occurs in `fold(text)`, as spans of `text` itself."""
    pieces: list[str] = []
    origin: list[int] = []  # the index in `text` of each character of the folded text
    for index, char in enumerate(text):
        folded = fold(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    folded_text = "".join(pieces)
    return [
        (origin[start], origin[end - 1] + 1) for start, end in _occurrences(folded_text, needle)
    ]


def _clause_implies(mine: Clause, theirs: Clause) -> bool:
    return all(any(implies(term, other) for other in theirs) for term in mine)


def _occurrences(haystack: str, needle: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    at = haystack.find(needle)
    while at >= 0:
        found.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def parse_query(text: str) -> Query:
    """Parse a query; raises `QueryError` (with `position`) for a bad regex or week value, or a
    query over `reader.limits.QUERY_CHARS`."""
    if len(text) > QUERY_CHARS:
        raise QueryError(f"the query is over {QUERY_CHARS:,} characters", QUERY_CHARS)
    return Query(text)
