"""The data model: a paper, and a digest of papers grouped by week. No Textual here."""

from __future__ import annotations

import io
import os
import threading
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import accumulate
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol, cast, overload

from reader.records import frozen_slots
from reader.text import clean_abstract

if TYPE_CHECKING:
    import mmap

    from reader.tokens import TokenIndex

UNDATED = date.min
"""The week of a paper that has none (a row of the upstream CSV of abstracts that joined no dated
paper): sorted after every real week, listed as "Undated", found by `week:none`, printed as an
empty week (`undated` in the markdown table, whose blank first cell means a continuation row)."""


def week_label(week: date) -> str:
    """A week as shown: `2023-06-25`, or `Undated`."""
    return "Undated" if week == UNDATED else week.isoformat()


def week_text(week: date) -> str:
    """A week as printed in json and csv: `2023-06-25`, or an empty string when undated."""
    return "" if week == UNDATED else week.isoformat()


def join_note(joined: tuple[int, int]) -> str:
    """What joining undated papers did, in a sentence (a toast, and stderr with --print).

    >>> join_note((380, 40))
    'Joined 380 undated papers to their dated ones; 40 stay undated (week:none finds them).'
    """
    matched, undated = joined
    papers = "paper" if matched == 1 else "papers"
    rest = (
        "none stays undated."
        if undated == 0
        else f"{undated} stay{'s' if undated == 1 else ''} undated (week:none finds them)."
    )
    return f"Joined {matched} undated {papers} to their dated ones; {rest}"


_set = object.__setattr__
"""How the records below set their fields (they are frozen), as `dataclass` would: their
`__init__` is written out because the one `dataclass` generates costs an `exec` at import
(~1M instructions each, issue 26's start-up) and a generic one is slower (`reader.records`)."""


@frozen_slots
class Link:
    """A labelled link beside a paper's main one (Tweet, Code, Project, ...)."""

    label: str
    url: str

    def __init__(self, label: str, url: str) -> None:
        _set(self, "label", label)
        _set(self, "url", url)


@frozen_slots
class Origin:
    """Where a paper was picked, for a paper read from a feed (`reader.feeds`): the feed
    (`potw` the digest, `hf` Hugging Face's daily papers, `arxiv` an arXiv listing) and the day
    (featured, announced; the digest's week), with what that feed tells of it."""

    feed: str
    day: date
    upvotes: int | None = None
    """Hugging Face: the upvotes when it was read."""
    comments: int | None = None
    """Hugging Face: the number of comments."""
    announce: str = ""
    """arXiv: new, cross, replace or replace-cross."""
    listing: str = ""
    """arXiv: the listing it came in (`cs.LG`, `cs.LG+cs.CL`)."""

    def __init__(
        self,
        feed: str,
        day: date,
        upvotes: int | None = None,
        comments: int | None = None,
        announce: str = "",
        listing: str = "",
    ) -> None:
        _set(self, "feed", feed)
        _set(self, "day", day)
        _set(self, "upvotes", upvotes)
        _set(self, "comments", comments)
        _set(self, "announce", announce)
        _set(self, "listing", listing)


@frozen_slots
class Paper:
    """One paper of the digest, as read from the source (the abstract is kept raw)."""

    week: date
    title: str
    link: str
    category: str = ""
    abstract: str = ""
    arxiv_id: str | None = None
    summary: str = ""
    links: tuple[Link, ...] = ()
    line: int = 0
    """The 1-based line of the source where the paper starts (0 when unknown)."""
    authors: tuple[str, ...] = ()
    """Author names as written ("Tim Dettmers"): from a json/csv digest, or from arXiv metadata."""
    origins: tuple[Origin, ...] = ()
    """The feeds that picked it (`reader.feeds`); () for a paper read from a digest file alone."""

    def __init__(
        self,
        week: date,
        title: str,
        link: str,
        category: str = "",
        abstract: str = "",
        arxiv_id: str | None = None,
        summary: str = "",
        links: tuple[Link, ...] = (),
        line: int = 0,
        authors: tuple[str, ...] = (),
        origins: tuple[Origin, ...] = (),
    ) -> None:
        _set(self, "week", week)
        _set(self, "title", title)
        _set(self, "link", link)
        _set(self, "category", category)
        _set(self, "abstract", abstract)
        _set(self, "arxiv_id", arxiv_id)
        _set(self, "summary", summary)
        _set(self, "links", links)
        _set(self, "line", line)
        _set(self, "authors", authors)
        _set(self, "origins", origins)

    @property
    def key(self) -> str:
        """What reading state is keyed by: the arXiv id without version, else the link."""
        return self.arxiv_id or self.link

    @property
    def text(self) -> str:
        """The abstract as displayed and searched: arXiv artifacts made readable."""
        return clean_abstract(self.abstract)


class StoredText(Protocol):
    """Where the abstracts of papers read back from the parsed-digest cache stay: on disk, read
    when asked (`reader.sources.digest_cache`), so that a big digest's abstracts take no memory."""

    def text(self, index: int) -> str:
        """The abstract of paper `index` of the entry (never raises for what the file holds)."""


Deferred = tuple[StoredText, int]
"""A paper's abstract not in memory: (where it is kept, its index there). A plain tuple: 100,000
of them are made in ~5 ms, where instances of a class take ~30 ms."""


class _AbstractField:
    """`Paper.abstract`: the slot holds the text, or a `Deferred` that reads it when asked
    (each time: the text is not kept, so showing or exporting papers keeps memory flat)."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, paper: object, owner: type | None = None) -> Any:
        if paper is None:
            return self
        value = self.slot.__get__(paper, owner)
        if type(value) is str:
            return value
        store, index = value
        return cast(str, store.text(index))

    def __set__(self, paper: object, value: object) -> None:
        self.slot.__set__(paper, value)

    def __delete__(self, paper: object) -> None:
        self.slot.__delete__(paper)


Paper.abstract = _AbstractField(Paper.__dict__["abstract"])  # type: ignore[assignment]
_ABSTRACT_SLOT = cast(_AbstractField, Paper.__dict__["abstract"]).slot


def stored_abstract(paper: Paper) -> str | Deferred:
    """What a paper's abstract slot holds: the text, or where it is kept (`Deferred`), without
    reading it."""
    return cast("str | Deferred", _ABSTRACT_SLOT.__get__(paper, Paper))


def abstracts_of(papers: Sequence[Paper]) -> list[str]:
    """`[paper.abstract for paper in papers]`, where the abstracts kept in one place are read
    together when it can (`texts`: one read for papers near each other)."""
    held = list(map(stored_abstract, papers))
    found: list[str | None] = [text if type(text) is str else None for text in held]
    places: dict[int, tuple[StoredText, list[int], list[int]]] = {}
    for position, kept in enumerate(held):
        if type(kept) is not str:
            store, index = cast(Deferred, kept)
            entry = places.get(id(store))
            if entry is None:
                entry = places[id(store)] = (store, [], [])
            entry[1].append(position)
            entry[2].append(index)
    for store, positions, indices in places.values():
        texts = getattr(store, "texts", None)
        read = texts(indices) if callable(texts) else [store.text(i) for i in indices]
        for position, text in zip(positions, read, strict=True):
            found[position] = text
    return cast(list[str], found)


_TEXT_CHUNK = 1024
"""Papers whose abstracts `Digest.haystacks` reads at once."""


def search_text(paper: Paper, abstract: str) -> str:
    """A paper's search text (see `Digest.haystacks`), its abstract given (as read)."""
    text = clean_abstract(abstract)
    return (
        f"{paper.title}\n{paper.category}\n{text}\n{paper.summary}"
        if paper.summary
        else f"{paper.title}\n{paper.category}\n{text}"
    ).lower()


BUILD_PAUSE: list[Callable[[], object]] = [lambda: None]
"""Called between chunks of papers while the search text is built: `reader.query` makes it
wait while a query is answered without the search text (`reader.query.early`), so that the
two do not share the interpreter."""


QUERY_PAUSE: list[Callable[[], object]] = [lambda: None]
"""Called between chunks of background work a query would share the interpreter with (the
parsed-digest cache's entry): `reader.query` makes it wait a moment while a query is filtered in
a thread."""


SearchChunk = tuple[bytes, Sequence[int]]
"""The search text of a few papers one after another (UTF-8, lowercased) and each one's size."""


def encoded_chunks(texts: Iterable[str], size: int = 4096) -> Iterator[SearchChunk]:
    """`texts` (lowercased already) as `SearchChunk`s of `size` texts."""
    chunk: list[bytes] = []
    for text in texts:
        chunk.append(text.encode(SEARCH_ENCODING, SEARCH_ERRORS))
        if len(chunk) >= size:
            yield b"".join(chunk), list(map(len, chunk))
            chunk = []
    if chunk:
        yield b"".join(chunk), list(map(len, chunk))


class _PaperFields:
    """`Paper`'s twin with the same slots, not frozen. A frozen dataclass's `__init__` sets each
    field through `object.__setattr__`, which makes building 100,000 papers take ~100 ms;
    `new_paper` builds this twin instead (~25 ms) and turns it into the `Paper` it equals."""

    __slots__ = vars(Paper)["__slots__"]  # the same layout: a twin becomes a Paper

    def __init__(
        self,
        week: date,
        title: str,
        link: str,
        category: str = "",
        abstract: str = "",
        arxiv_id: str | None = None,
        summary: str = "",
        links: tuple[Link, ...] = (),
        line: int = 0,
        authors: tuple[str, ...] = (),
        origins: tuple[Origin, ...] = (),
    ) -> None:
        self.week = week
        self.title = title
        self.link = link
        self.category = category
        self.abstract = abstract
        self.arxiv_id = arxiv_id
        self.summary = summary
        self.links = links
        self.line = line
        self.authors = authors
        self.origins = origins


def new_paper(
    week: date,
    title: str,
    link: str,
    category: str = "",
    abstract: str | Deferred = "",
    arxiv_id: str | None = None,
    summary: str = "",
    links: tuple[Link, ...] = (),
    line: int = 0,
    authors: tuple[str, ...] = (),
    origins: tuple[Origin, ...] = (),
) -> Paper:
    """`Paper(week, title, link, ...)`, the same arguments in the same order, built ~4x faster:
    for parsers that make many papers. The result is an ordinary, frozen `Paper`. `abstract`
    may be `Deferred` (read from disk whenever asked)."""
    paper = _PaperFields(
        week,
        title,
        link,
        category,
        cast(str, abstract),
        arxiv_id,
        summary,
        links,
        line,
        authors,
        origins,
    )
    paper.__class__ = Paper  # type: ignore[assignment]
    return cast(Paper, paper)


def new_papers(
    weeks: Iterable[date],
    titles: Iterable[str],
    links: Iterable[str],
    categories: Iterable[str],
    abstracts: Iterable[str | Deferred],
    arxiv_ids: Iterable[str | None],
    summaries: Iterable[str],
    extras: Iterable[tuple[Link, ...]],
    lines: Iterable[int],
    authors: Iterable[tuple[str, ...]],
) -> list[Paper]:
    """`new_paper` for columns of fields (zipped), faster still: a paper ~0.6 us."""
    papers = list(
        map(
            _PaperFields,
            weeks,
            titles,
            links,
            categories,
            abstracts,
            arxiv_ids,
            summaries,
            extras,
            lines,
            authors,
        )
    )
    for paper in papers:
        paper.__class__ = Paper  # type: ignore[assignment]
    return cast(list[Paper], papers)


_WEEK = attrgetter("week")


SEARCH_ENCODING = "utf-8"
SEARCH_ERRORS = "surrogatepass"
"""How the search text is kept: UTF-8 bytes (a digest with a few non-ASCII letters would make one
big `str` two or four bytes a character); lone surrogates (from JSON) pass through."""


BLOCK_BYTES = 4 << 20
"""The size of a block of `SearchText.blocks` (about 3,000 papers)."""
_PREADV: Callable[[int, list[memoryview], int], int] | None = getattr(os, "preadv", None)


class SearchText(Sequence[str]):
    """Every paper's lowercased searchable text (`Digest.haystacks`), one after another as UTF-8
    in one `bytes`: paper `i` is `data[starts[i]:starts[i + 1]]`. A substring of the text is a
    substring of the bytes at the same place (UTF-8 is self-synchronising), so queries search
    the bytes with `bytes.find` and map a hit to its paper by bisection. As a sequence: each
    paper's text, decoded."""

    __slots__ = ("_file", "data", "starts", "tokens")

    def __init__(
        self,
        data: bytes | mmap.mmap,
        starts: Sequence[int],
        file: tuple[io.FileIO, int] | None = None,
    ) -> None:
        if not starts or starts[0] != 0 or starts[-1] != len(data):
            raise ValueError("SearchText: starts must run from 0 to the end of the data")
        self.data = cast(bytes, data)
        """The text: `bytes`, or a read-only memory map of the cache's file (`reader.digest_cache`),
        which has the same `find` and slices as bytes."""
        self._file = file
        """With a memory map: the file open and where the text starts in it, for `blocks`."""
        self.starts = starts if isinstance(starts, array) else array("q", starts)
        """The offsets of the papers' texts, and the end: one more than there are papers (an
        array: no int objects for the garbage collector to walk)."""
        self.tokens: TokenIndex | None = None
        """Which papers hold each word (`reader.tokens`), once built or read: queries look words
        up in it instead of searching the bytes."""

    @classmethod
    def build(cls, texts: Iterable[str]) -> SearchText:
        """The search text of `texts`, lowercased already (built in chunks: no second copy)."""
        return cls.from_chunks(encoded_chunks(texts))

    @classmethod
    def from_chunks(cls, chunks: Iterable[SearchChunk]) -> SearchText:
        """The search text of `chunks` (`SearchChunk`), one after another."""
        out = io.BytesIO()
        lengths: list[int] = []
        for data, sizes in chunks:
            out.write(data)
            lengths.extend(sizes)
        return cls(out.getvalue(), array("q", accumulate(lengths, initial=0)))

    def __len__(self) -> int:
        return len(self.starts) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("SearchText index out of range")
        return self.text(index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchText):
            return NotImplemented
        return self.data[:] == other.data[:] and self.starts == other.starts

    __hash__ = None  # type: ignore[assignment]

    def text(self, index: int) -> str:
        """Paper `index`'s text (a damaged cache's bad bytes come back as U+FFFD)."""
        raw = self.data[self.starts[index] : self.starts[index + 1]]
        try:
            return raw.decode(SEARCH_ENCODING, SEARCH_ERRORS)
        except UnicodeDecodeError:
            return raw.decode(SEARCH_ENCODING, "replace")

    def paper_at(self, offset: int) -> int:
        """The paper whose text holds byte `offset`."""
        return bisect_right(self.starts, offset) - 1

    def blocks(self, first: int, stop: int) -> Iterator[tuple[int, int, bytes | bytearray, int]]:
        """The text of papers `first` to `stop` (exclusive) a block of papers at a time, for a
        scan through all of them: (low, high, buffer, base), where paper `i` of `low`..`high` is
        `buffer[starts[i] - base : starts[i + 1] - base]`. A block is about `BLOCK_BYTES`, so a
        caller may stop between blocks. A text read from the cache is read into one buffer
        reused for every block, not through its memory map: a scan leaves no page of it in the
        process's memory (a scan of 1M papers would otherwise keep 1.3 GB of the file mapped
        in)."""
        starts = self.starts
        stop = min(stop, len(starts) - 1)
        buffer: bytearray | None = None
        low = max(first, 0)
        while low < stop:
            base = starts[low]
            high = max(bisect_right(starts, base + BLOCK_BYTES, low + 1, stop + 1) - 1, low + 1)
            if self._file is None or _PREADV is None:
                yield low, high, self.data, 0
            else:
                size = starts[high] - base
                if buffer is None or len(buffer) < size:
                    buffer = bytearray(max(size, BLOCK_BYTES))
                file, offset = self._file
                try:
                    with memoryview(buffer) as view:
                        read = _PREADV(file.fileno(), [view[:size]], offset + base)
                except (OSError, ValueError):
                    read = -1
                yield (low, high, buffer, base) if read == size else (low, high, self.data, 0)
            low = high


class SearchStore(Protocol):
    """Somewhere a digest's search text is kept between runs (`reader.sources.digest_cache`)."""

    def load(self, count: int) -> SearchText | None:
        """The stored search text of `count` papers, or None when there is none to trust; with
        its token index when one is kept (`load_tokens`)."""

    def build(self, chunks: Iterable[SearchChunk], count: int) -> SearchText | None:
        """The search text of `chunks` (`count` papers in all), kept as it is built (to be read
        by `load` next time); None when it cannot be kept (the digest builds it in memory)."""

    def load_tokens(self, count: int) -> TokenIndex | None:
        """The stored token index of the search text of `count` papers, or None."""

    def save_tokens(self, tokens: TokenIndex) -> None:
        """Keep a freshly built token index (failures are the store's to swallow)."""


class Digest:
    """An immutable, ordered collection of papers: newest week first, source order within a week.

    Papers are addressed by their index in `papers`; views of the digest are arrays of indices.
    """

    __slots__ = (
        "name",
        "source",
        "papers",
        "weeks",
        "week_ranges",
        "joined",
        "search_store",
        "notices",
        "title_note",
        "_haystacks",
        "_building",
    )

    def __init__(
        self,
        papers: Iterable[Paper],
        name: str = "digest",
        source: str = "",
        joined: tuple[int, int] | None = None,
        notices: tuple[str, ...] = (),
        title_note: str = "",
    ) -> None:
        ordered = sorted(papers, key=_WEEK, reverse=True)
        self.name = name
        self.source = source
        self.joined = joined
        """(joined, undated) when undated papers were joined to dated ones at load (see
        `reader.sources.join`): how many found their dated paper, how many stay undated."""
        self.notices = notices
        """What the user should know of how it was read ("URL: offline: the copy of …")."""
        self.title_note = title_note
        """What the title says after the name when not all was read fresh: `offline copy`,
        `2025.md not read`, `2 files not read · offline copy` ("" when all is well)."""
        self.papers: tuple[Paper, ...] = tuple(ordered)
        ranges: dict[date, range] = {}
        start = 0
        for week, count in Counter(map(_WEEK, ordered)).items():  # in order: first seen first
            ranges[week] = range(start, start + count)
            start += count
        weeks = list(ranges)
        self.weeks: tuple[date, ...] = tuple(weeks)
        self.week_ranges: dict[date, range] = ranges
        self._haystacks: SearchText | None = None
        self._building = threading.Lock()
        """Held while `haystacks` are read or built: one build, every other asker waits for it."""
        self.search_store: SearchStore | None = None
        """Where `haystacks` are read from instead of built, and saved to once built."""

    def __len__(self) -> int:
        return len(self.papers)

    def __repr__(self) -> str:
        return f"Digest({self.name!r}, {len(self.papers)} papers, {len(self.weeks)} weeks)"

    @property
    def haystacks(self) -> SearchText:
        """Per paper, the lowercased searchable text: title, category, cleaned abstract (and the
        summary, for papers that have one: it stands in for the abstract where there is none).
        Read or built once: a thread that asks while another builds it waits for that build
        (typing into the filter while the TUI builds it in the background started a build per
        keystroke: at 100k papers 8.75x the file's memory and 5-7 s for the last one)."""
        found = self._haystacks
        if found is not None:
            return found
        with self._building:
            found = self._haystacks
            if found is None:
                store = self.search_store
                count = len(self.papers)
                if store is not None:
                    found = store.load(count) or store.build(self._search_chunks(), count)
                if found is None:
                    found = SearchText.from_chunks(self._search_chunks())
                self._haystacks = found
        return found

    @property
    def has_haystacks(self) -> bool:
        """Whether `haystacks` are there already (asking for them would not wait)."""
        return self._haystacks is not None

    @property
    def token_index(self) -> TokenIndex | None:
        """The search text's token index, when the search text is there and has one (never builds
        either: `reader.tokens.ensure` does)."""
        return None if self._haystacks is None else self._haystacks.tokens

    def _search_chunks(self) -> Iterator[SearchChunk]:
        """`_search_texts` encoded, a chunk of papers at a time (each text encoded once: the
        cache wrote the text of a chunk joined, then asked each text's size again, ~15% more
        CPU for the whole build)."""
        return encoded_chunks(self._search_texts(), _TEXT_CHUNK)

    def _search_texts(self) -> Iterator[str]:
        """Each paper's search text, lowercased (what `haystacks` holds): the abstracts read a
        chunk of papers at a time."""
        papers = self.papers
        pause = BUILD_PAUSE
        for start in range(0, len(papers), _TEXT_CHUNK):
            pause[0]()
            chunk = papers[start : start + _TEXT_CHUNK]
            yield from map(search_text, chunk, abstracts_of(chunk))

    def indices(self, week: date | None = None) -> range:
        """The indices of one week's papers, or of every paper when `week` is None."""
        if week is None:
            return range(len(self.papers))
        return self.week_ranges.get(week, range(0))


def resolve_week(digest: Digest, week: date | str | None) -> date | None:
    """`latest` (the newest week), `all` (None), or a date (an ISO string or a `date`); whether
    the digest has that week is for the caller to check (the app falls back, the CLI refuses)."""
    if week is None or week == "all":
        return None
    if week == "latest":
        return digest.weeks[0] if digest.weeks else None
    if isinstance(week, str):
        week = date.fromisoformat(week)
    return week
