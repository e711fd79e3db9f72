"""The query engine: parse a search query and filter, count and sort a digest's papers.

Pure Python, no Textual. Both the TUI's filter bar and `reader --print --query` use it.

Syntax (matching ignores case everywhere; the keyword `OR` is upper case; see `QUERY_HELP`):

- `word` occurs (as a substring) in the title, the cleaned abstract or the category;
  terms side by side must all match (AND); `"a phrase"` matches the phrase;
- `-term` excludes any term (words, phrases, fields, regexes);
- `a OR b` matches either; `OR` is the uppercase keyword only (a lowercase `or` is a word) and binds
  tighter than AND: `x a OR b` is `x AND (a OR b)`;
- `title:`, `abstract:`, `cat:`/`category:`, `author:` restrict a word, a `"quoted phrase"` or a
  `/regex/` to one field (categories are matched by their readable name: `cat:vision`; authors
  are known once arXiv metadata was fetched, or from a json/csv digest that lists them; plain
  words do not search authors);
- `week:` takes a date or any prefix of one (`2023-05-14`, `2023-05`, `2023`), a range `A..B`
  (inclusive; either end may be left open) or a comparison `>=D`, `>D`, `<=D`, `<D`; a partial date
  in a range or comparison stands for its whole period (`week:<=2023-05` includes May);
  `week:none` (or `week:undated`) finds the undated papers, which no date or range does;
- `id:2305.14314` is the arXiv id, any version (`v2` is ignored; a full arXiv link works too);
- `/regex/` is a Python regex (IGNORECASE, MULTILINE: `^` and `$` anchor at each field's ends);
- `is:read`, `is:unread`, `is:starred` ask the reading state (without one, nothing is read or
  starred);
- `note:word` (also a `"phrase"` or a `/regex/`) searches the paper's own note, `has:note` and
  `has:tag` ask whether it has one, `tag:name` whether it has that tag (exactly; tags are
  lowercase); plain words do not search notes.

Leniency, so that typing a query character by character never shows an error for what is merely
unfinished: an unclosed quote or regex runs to the end of the query; a term with nothing in it yet
(`-`, `""`, `//`, `title:`, `week:>=`, `week:..`) is ignored, and so is a dangling `OR`; `foo:bar`
with an unknown field name is the plain word `foo:bar` (URLs, `e.g.:`); parentheses are ordinary
characters. Only an invalid regex, a bad `week:` value and an unknown `is:` or `has:` value raise
`QueryError`, with the 0-based offset of the fault in the query.
"""

from __future__ import annotations

import calendar
import importlib
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, timedelta
from typing import Any, Literal, Protocol, cast

from reader.formats import UNDATED_WORDS
from reader.model import UNDATED, Digest, Paper
from reader.reading import ReadingState
from reader.text import arxiv_id

__all__ = [
    "QUERY_HELP",
    "SORT_KEYS",
    "Query",
    "QueryError",
    "ReadingState",
    "category_counts",
    "parse_query",
    "select",
    "sort_indices",
    "toggle_category",
    "week_counts",
]


class QueryError(ValueError):
    """A query that cannot be used: `message` says why, `position` where (0-based offset)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (column {self.position + 1})"


class Annotations(Protocol):
    """What `note:`, `has:` and `tag:` ask (a reading state may have it; the store does)."""

    def note(self, key: str) -> str: ...

    def tags(self, key: str) -> tuple[str, ...]: ...


def _annotations(state: ReadingState | None) -> Annotations | None:
    if state is None or not callable(getattr(state, "note", None)):
        return None
    return cast(Annotations, state)


Field = Literal["any", "title", "abstract", "category", "author", "note"]
Spans = Callable[[str, str], list[tuple[int, int]]]
"""(text, field) -> the spans of `text` to highlight: `Query.highlight_spans`."""
FIELDS: tuple[str, ...] = ("title", "abstract", "category", "author", "note", "any")

_TEXT_FIELDS: dict[str, Field] = {
    "title": "title",
    "abstract": "abstract",
    "cat": "category",
    "category": "category",
    "author": "author",
    "authors": "author",
    "note": "note",
}
_OTHER_FIELDS = ("week", "id", "is", "has", "tag")
_FIELD_NAME = re.compile(r"([A-Za-z]+):")
_LITERAL_PATTERN = re.compile(r"[^\W_]+(?: [^\W_]+)*")
_DATE_PREFIX = re.compile(r"(\d{1,4})$|(\d{4})-(\d{0,2})$|(\d{4})-(\d{2})-(\d{0,2})$")
_WEEK_COMPARISON = re.compile(r"(>=|<=|>|<)")
_VERSION = re.compile(r"v\d+$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_REGEX_FLAGS = re.IGNORECASE | re.MULTILINE


# --- terms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """A substring test: words, phrases, regexes without metacharacters. `value` is lowercase."""

    field: Field
    value: str


@dataclass(frozen=True)
class _Regex:
    """`pattern` (IGNORECASE) is for the original text; `lowered` for the lowercased haystacks: the
    same regex without IGNORECASE when it has no capital letter, which is several times faster."""

    field: Field
    pattern: re.Pattern[str]
    lowered: re.Pattern[str] = _field(compare=False)
    literals: tuple[str, ...] = _field(default=(), compare=False)
    """Substrings every match of `lowered` contains, longest first: fast prefilters."""


@dataclass(frozen=True)
class _Weeks:
    """Weeks from `low` to `high`, inclusive; None is open. Empty when low > high. With
    `undated` (`week:none`), only the undated papers; no date range holds them."""

    low: date | None
    high: date | None
    undated: bool = False

    def contains(self, week: date) -> bool:
        if week == UNDATED or self.undated:
            return week == UNDATED and self.undated
        return (self.low is None or self.low <= week) and (self.high is None or week <= self.high)

    def within(self, other: _Weeks) -> bool:
        """Every week of self is a week of other."""
        if self.low is not None and self.high is not None and self.low > self.high:
            return True
        if self.undated or other.undated:
            return self.undated and other.undated
        low_ok = other.low is None or (self.low is not None and self.low >= other.low)
        high_ok = other.high is None or (self.high is not None and self.high <= other.high)
        return low_ok and high_ok


@dataclass(frozen=True)
class _Id:
    value: str


@dataclass(frozen=True)
class _Is:
    what: Literal["read", "unread", "starred"]


_IS_VALUES: dict[str, Literal["read", "unread", "starred"]] = {
    "read": "read",
    "unread": "unread",
    "starred": "starred",
}

@dataclass(frozen=True)
class _Has:
    what: Literal["note", "tag"]


@dataclass(frozen=True)
class _Tag:
    name: str


_HAS_VALUES: dict[str, Literal["note", "tag"]] = {
    "note": "note",
    "notes": "note",
    "tag": "tag",
    "tags": "tag",
}

_Kind = _Text | _Regex | _Weeks | _Id | _Is | _Has | _Tag


@dataclass(frozen=True)
class _Term:
    kind: _Kind
    negated: bool
    start: int
    end: int


def _implies(term: _Term, other: _Term) -> bool:
    """True when every paper that `term` matches is matched by `other` (whatever the data)."""
    a, b = term.kind, other.kind
    if term.negated != other.negated:
        return False
    if not term.negated:
        if isinstance(a, _Text) and isinstance(b, _Text):
            return b.value in a.value and _within(a.field, b.field)
        if isinstance(a, _Weeks) and isinstance(b, _Weeks):
            return a.within(b)
    else:  # not-a implies not-b when b implies a
        if isinstance(a, _Text) and isinstance(b, _Text):
            return a.value in b.value and _within(b.field, a.field)
        if isinstance(a, _Weeks) and isinstance(b, _Weeks):
            return b.within(a)
    return a == b


def _within(field: Field, other: Field) -> bool:
    """Whether text found in `field` is found by a term on `other` (plain words search every
    field but the authors)."""
    return field == other or (other == "any" and field not in ("author", "note"))


Clause = tuple[_Term, ...]
"""Terms joined by OR."""


# --- parsing -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def _skip_spaces(self) -> None:
        text = self.text
        while self.i < len(text) and text[self.i].isspace():
            self.i += 1

    def _bare(self) -> tuple[str, int]:
        """The characters up to the next space; returns the value and its start."""
        start = self.i
        text = self.text
        while self.i < len(text) and not text[self.i].isspace():
            self.i += 1
        return text[start : self.i], start

    def _quoted(self) -> tuple[str, int]:
        """A phrase from the opening quote at `i` to the closing one, or to the end."""
        start = self.i + 1
        close = self.text.find('"', start)
        end = len(self.text) if close < 0 else close
        self.i = len(self.text) if close < 0 else close + 1
        return _SPACES.sub(" ", self.text[start:end]).strip(), start

    def _slashed(self) -> tuple[str, int]:
        """A regex from the opening slash at `i` to the next unescaped slash, or to the end."""
        start = self.i + 1
        text = self.text
        j = start
        while j < len(text) and text[j] != "/":
            j += 2 if text[j] == "\\" else 1
        end = min(j, len(text))
        self.i = end + 1 if end < len(text) else len(text)
        return text[start:end], start

    def items(self) -> list[_Term | None]:
        """Terms in order, None standing for an OR keyword. Ignored (empty) terms are left out."""
        out: list[_Term | None] = []
        text = self.text
        while True:
            self._skip_spaces()
            if self.i >= len(text):
                return out
            start = self.i
            negated = False
            if text[self.i] == "-":
                self.i += 1
                if self.i >= len(text) or text[self.i].isspace():
                    continue  # a lone "-": a negation not typed yet
                negated = True
            kind = self._term(negated)
            if kind == "OR":
                out.append(None)
            elif kind is not None:
                out.append(_Term(kind, negated, start, self.i))

    def _term(self, negated: bool) -> _Kind | Literal["OR"] | None:
        text = self.text
        char = text[self.i]
        if char == '"':
            value, _ = self._quoted()
            return _Text("any", value.lower()) if value else None
        if char == "/":
            pattern, at = self._slashed()
            return _regex("any", pattern, at)
        named = _FIELD_NAME.match(text, self.i)
        if named is not None:
            name = named.group(1).lower()
            if name in _TEXT_FIELDS or name in _OTHER_FIELDS:
                self.i = named.end()
                return self._field(name)
        value, _ = self._bare()
        if value == "OR" and not negated:
            return "OR"
        return _Text("any", value.lower())

    def _field(self, name: str) -> _Kind | None:
        text = self.text
        if self.i >= len(text) or text[self.i].isspace():
            return None  # "title:" with nothing typed after it yet
        if name in _TEXT_FIELDS:
            where = _TEXT_FIELDS[name]
            lower = fold if where == "author" else str.lower
            if text[self.i] == '"':
                value, _ = self._quoted()
                return _Text(where, lower(value)) if value else None
            if text[self.i] == "/":
                pattern, at = self._slashed()
                return _regex(where, pattern, at)
            value, _ = self._bare()
            return _Text(where, lower(value))
        if text[self.i] == '"':
            value, at = self._quoted()
        else:
            value, at = self._bare()
        if not value:
            return None
        if name == "week":
            return _week(value, at)
        if name == "id":
            return _Id(_arxiv_value(value))
        if name == "tag":
            return _Tag(value.strip().lower())
        if name == "has":
            has = _HAS_VALUES.get(value.lower())
            if has is None:
                raise QueryError(f"has: takes note or tag, not {value!r}", at)
            return _Has(has)
        what = _IS_VALUES.get(value.lower())
        if what is None:
            raise QueryError(f"is: takes read, unread or starred, not {value!r}", at)
        return _Is(what)


def _regex(where: Field, pattern: str, at: int) -> _Kind | None:
    if not pattern:
        return None
    if _LITERAL_PATTERN.fullmatch(pattern):
        return _Text(where, pattern.lower())  # no metacharacters: a plain, faster substring test
    try:
        compiled = re.compile(pattern, _REGEX_FLAGS)
        if pattern != pattern.lower() or "(?" in pattern or where == "note":
            return _Regex(where, compiled, compiled)
        return _Regex(where, compiled, re.compile(pattern, re.MULTILINE), _literals(pattern))
    except re.error as error:
        offset = error.pos if error.pos is not None else 0
        raise QueryError(f"invalid regex: {error.msg}", at + min(offset, len(pattern))) from None
    except (OverflowError, RecursionError, ValueError) as error:
        raise QueryError(f"invalid regex: {error}", at) from None


def _literals(pattern: str) -> tuple[str, ...]:
    """The runs of plain characters at the top level of a (case-sensitive) regex, longest first:
    every match contains each. () when there are none or the regex parser is not available."""
    try:
        parser: Any = importlib.import_module("re._parser")  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        parser = importlib.import_module("sre_parse")
    try:
        parsed = parser.parse(pattern, re.MULTILINE)
        literal_op = parser.LITERAL
        runs, run = [], ""
        for op, argument in parsed.data:
            if op == literal_op:
                run += chr(argument)
                continue
            runs.append(run)
            run = ""
        runs.append(run)
        return tuple(sorted({run for run in runs if run}, key=len, reverse=True))
    except Exception:  # an internal API: never let it break a query
        return ()


def _arxiv_value(value: str) -> str:
    from_link = arxiv_id(value)
    if from_link is not None:
        return from_link.lower()
    return _VERSION.sub("", value.strip()).lower()


def _period(value: str, at: int) -> tuple[date, date]:
    """The first and last day of every date whose ISO form starts with `value`."""
    match = _DATE_PREFIX.match(value)
    if match is None:
        raise QueryError(f"week: expects a date such as 2023-05-14 or 2023-05, not {value!r}", at)
    year_only, year_m, month_m, year_d, month_d, day_d = match.groups()
    if year_only is not None:
        pad = 4 - len(year_only)
        first = max(1, int(year_only + "0" * pad))
        last = int(year_only + "9" * pad)
        if last < 1:
            raise QueryError(f"week: no year starts with {value!r}", at)
        return date(first, 1, 1), date(last, 12, 31)
    year = int(year_m if year_m is not None else year_d)
    if year < 1:
        raise QueryError(f"week: no year {year:04d}", at)
    month_text = month_m if month_m is not None else month_d
    months = _digit_range(month_text, 12)
    if months is None:
        raise QueryError(f"week: no month starts with {month_text!r}", at + 5)
    if day_d is None:
        low_month, high_month = months
        return date(year, low_month, 1), _month_end(year, high_month)
    month = months[0]
    month_days = calendar.monthrange(year, month)[1]
    days = _digit_range(day_d, month_days)
    if days is None:
        raise QueryError(f"week: {year:04d}-{month:02d} has no day {day_d!r}", at + 8)
    return date(year, month, days[0]), date(year, month, days[1])


def _digit_range(digits: str, most: int) -> tuple[int, int] | None:
    """The numbers 1..most whose two-digit form starts with `digits` (0-2 digits), as a range."""
    if not digits:
        return 1, most
    if len(digits) == 2:
        number = int(digits)
        return (number, number) if 1 <= number <= most else None
    low = max(1, int(digits) * 10)
    high = min(most, int(digits) * 10 + 9)
    return (low, high) if low <= high else None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


_NO_WEEKS = _Weeks(date.max, date.min)


def _week(value: str, at: int) -> _Weeks | None:
    if value.lower() in UNDATED_WORDS:
        return _Weeks(None, None, undated=True)
    comparison = _WEEK_COMPARISON.match(value)
    if comparison is not None:
        operator = comparison.group(1)
        rest = value[comparison.end() :]
        if not rest:
            return None  # "week:>=" with the date not typed yet
        first, last = _period(rest, at + comparison.end())
        if operator == ">=":
            return _Weeks(first, None)
        if operator == "<=":
            return _Weeks(None, last)
        if operator == ">":
            after = _shift(last, 1)
            return _NO_WEEKS if after is None else _Weeks(after, None)
        before = _shift(first, -1)
        return _NO_WEEKS if before is None else _Weeks(None, before)
    if ".." in value:
        dots = value.index("..")
        low_text, high_text = value[:dots], value[dots + 2 :]
        if not low_text and not high_text:
            return None
        low = _period(low_text, at)[0] if low_text else None
        high = _period(high_text, at + dots + 2)[1] if high_text else None
        if low is not None and high is not None and low > high:
            raise QueryError(
                f"week: the range {value} runs backwards (write the earlier date first: "
                f"{high_text}..{low_text})",
                at,
            )
        return _Weeks(low, high)
    first, last = _period(value, at)
    return _Weeks(first, last)


def _clauses(items: list[_Term | None]) -> tuple[Clause, ...]:
    """Group terms into clauses: OR joins its neighbours; a dangling OR is dropped."""
    clauses: list[list[_Term]] = []
    joining = False
    for item in items:
        if item is None:
            joining = bool(clauses)
            continue
        if joining:
            clauses[-1].append(item)
        else:
            clauses.append([item])
        joining = False
    return tuple(tuple(clause) for clause in clauses)


# --- per-digest caches -------------------------------------------------------------------------


class _Index:
    """Lowercased per-field views of one digest, built once, sharing the digest's haystacks."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest  # kept alive so that its id() is not reused while cached
        papers = digest.papers
        self.hay = digest.haystacks
        interned: dict[str, str] = {}
        self.titles = [paper.title.lower() for paper in papers]
        self.categories = [
            interned.setdefault(paper.category, paper.category.lower()) for paper in papers
        ]
        # Where the abstract starts in each haystack: Digest.haystacks is "title\ncategory\ntext",
        # lowercased (the tests for abstract: terms fail if that layout changes).
        self.text_start = array(
            "q", (len(t) + len(c) + 2 for t, c in zip(self.titles, self.categories, strict=True))
        )
        self.ids = [(paper.arxiv_id or "").lower() for paper in papers]
        self._memo: OrderedDict[object, tuple[_Term, bytearray]] = OrderedDict()
        self._keys: list[str] | None = None
        self._sort_titles: list[str] | None = None
        self._sort_categories: list[tuple[bool, str]] | None = None
        self._authors: list[str] | None = None

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
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [paper.key for paper in self.digest.papers]
        return self._keys

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

    def memo(self, term: _Term) -> bytearray | None:
        """The per-paper outcomes of a term (0 unknown, 1 hit, 2 miss), if remembered."""
        key = (term.negated, term.kind)
        with _CACHE_LOCK:
            entry = self._memo.get(key)
            if entry is None:
                return None
            self._memo.move_to_end(key)
            return entry[1]

    def remember(self, term: _Term, mask: bytearray) -> None:
        key = (term.negated, term.kind)
        with _CACHE_LOCK:
            self._memo[key] = (term, mask)
            self._memo.move_to_end(key)
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)

    def seed(self, term: _Term) -> bytearray | None:
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
            elif misses is None and _implies(term, known):
                misses = mask
            elif hits is None and _implies(known, term):
                hits = mask
        bits = 0  # outcomes are final once written, so reading a mask in use is safe
        for source, table in ((misses, _KEEP_MISSES), (hits, _KEEP_HITS), (opposite, _SWAP)):
            if source is not None:
                bits |= int.from_bytes(source.translate(table), "little")
        return bytearray(bits.to_bytes(len(self.hay), "little")) if bits else None

    def week_span(self, weeks: _Weeks) -> range:
        """The indices of the papers in `weeks`: contiguous, as the digest is sorted by week."""
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

Predicate = Callable[[int], bool]


def _predicate(term: _Term, ix: _Index, state: ReadingState | None) -> Predicate:
    kind = term.kind
    positive: Predicate
    if isinstance(kind, (_Text, _Regex, _Has, _Tag)) and (
        not isinstance(kind, (_Text, _Regex)) or kind.field == "note"
    ):
        positive = _annotation_predicate(kind, ix, _annotations(state))
    elif isinstance(kind, _Text):
        value = kind.value
        hay, titles, categories, starts = ix.hay, ix.titles, ix.categories, ix.text_start
        if kind.field == "any":
            positive = lambda i: value in hay[i]  # noqa: E731
        elif kind.field == "title":
            positive = lambda i: value in titles[i]  # noqa: E731
        elif kind.field == "category":
            positive = lambda i: value in categories[i]  # noqa: E731
        elif kind.field == "author":
            authors = ix.authors
            positive = lambda i: value in authors[i]  # noqa: E731
        else:
            positive = lambda i: hay[i].find(value, starts[i]) >= 0  # noqa: E731
    elif isinstance(kind, _Regex):
        search = kind.lowered.search
        hay, titles, categories, starts = ix.hay, ix.titles, ix.categories, ix.text_start
        if kind.field == "any":
            positive = lambda i: search(hay[i]) is not None  # noqa: E731
        elif kind.field == "title":
            positive = lambda i: search(titles[i]) is not None  # noqa: E731
        elif kind.field == "category":
            positive = lambda i: search(categories[i]) is not None  # noqa: E731
        elif kind.field == "author":
            authors = ix.authors
            positive = lambda i: search(authors[i]) is not None  # noqa: E731
        else:
            positive = lambda i: search(hay[i], starts[i]) is not None  # noqa: E731
    elif isinstance(kind, _Weeks):
        span = ix.week_span(kind)
        positive = span.__contains__
    elif isinstance(kind, _Id):
        ids, wanted = ix.ids, kind.value
        positive = lambda i: ids[i] == wanted  # noqa: E731
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
    kind: _Text | _Regex | _Has | _Tag, ix: _Index, notes: Annotations | None
) -> Predicate:
    """A term about the reader's own notes and tags (none without them)."""
    if notes is None:
        return lambda i: False
    keys, note, tags = ix.keys, notes.note, notes.tags
    if isinstance(kind, _Text):
        value = kind.value
        return lambda i: value in note(keys[i]).lower()
    if isinstance(kind, _Regex):
        search = kind.pattern.search
        return lambda i: search(note(keys[i])) is not None
    if isinstance(kind, _Tag):
        name = kind.name
        return lambda i: name in tags(keys[i])
    if kind.what == "note":
        return lambda i: bool(note(keys[i]))
    return lambda i: bool(tags(keys[i]))


def _annotation(kind: _Kind) -> bool:
    return isinstance(kind, (_Has, _Tag)) or (
        isinstance(kind, (_Text, _Regex)) and kind.field == "note"
    )


def _cost(clause: Clause) -> tuple[int, int, int]:
    """Cheap, selective clauses first: each later one scans only what the earlier ones kept.
    Exclusions usually keep most papers, and a longer word is usually rarer."""
    worst = 0
    for term in clause:
        kind = term.kind
        if isinstance(kind, (_Weeks, _Id)):
            cost = 0
        elif _annotation(kind) or isinstance(kind, _Is):
            cost = 3
        elif isinstance(kind, _Text):
            cost = 1 if kind.field in ("title", "category", "author") else 2
        else:
            cost = 4
        worst = max(worst, cost)
    negated = all(term.negated for term in clause)
    shortest = min(len(term.kind.value) if isinstance(term.kind, _Text) else 0 for term in clause)
    return worst * 10 + len(clause), int(negated), -shortest


def _pure(clause: Clause) -> bool:
    """Whether a clause depends on the papers only (not on the reading state)."""
    return not any(isinstance(term.kind, _Is) or _annotation(term.kind) for term in clause)


def _likely_first(term: _Term) -> tuple[int, int]:
    """Order of the terms of an OR: cheap ones, then short (likely to match) words, regexes last."""
    kind = term.kind
    if isinstance(kind, (_Weeks, _Id)):
        return 0, 0
    if _annotation(kind) or isinstance(kind, _Is):
        return 2, 0
    if isinstance(kind, _Text):
        return 1, len(kind.value)
    return 3, 0


def _evaluate(
    term: _Term, ix: _Index, state: ReadingState | None, kept: Iterable[int]
) -> list[int]:
    kind = term.kind
    if isinstance(kind, _Text) and kind.field == "any":  # the hot path: plain words
        value, hay = kind.value, ix.hay
        if term.negated:
            return [i for i in kept if value not in hay[i]]
        return [i for i in kept if value in hay[i]]
    if isinstance(kind, _Weeks):
        span = ix.week_span(kind)
        if term.negated:
            return [i for i in kept if i not in span]
        return [i for i in kept if i in span]
    if isinstance(kind, _Regex) and kind.literals and kind.field != "note":
        return _evaluate_regex(term, kind, ix, kept)
    predicate = _predicate(term, ix, state)
    return [i for i in kept if predicate(i)]


def _evaluate_regex(term: _Term, kind: _Regex, ix: _Index, kept: Iterable[int]) -> list[int]:
    """A regex with required substrings: those (remembered, like words) narrow the papers that
    the regex itself must scan."""
    kept = kept if isinstance(kept, (list, range)) else list(kept)
    candidates: Iterable[int] = kept
    for literal in kind.literals:
        candidates = _apply_term(
            _Term(_Text(kind.field, literal), False, 0, 0), ix, None, candidates
        )
        if not candidates:
            break
    positive = _predicate(_Term(kind, False, term.start, term.end), ix, None)
    hits = [i for i in candidates if positive(i)]
    if not term.negated:
        return hits
    matched = set(hits)
    return [i for i in kept if i not in matched]


def _memoizable(term: _Term) -> bool:
    """Terms that scan abstracts and depend on the papers only: worth remembering per paper."""
    kind = term.kind
    if _annotation(kind):
        return False
    return isinstance(kind, _Regex) or (
        isinstance(kind, _Text) and kind.field in ("any", "abstract")
    )


_UNKNOWN, _HIT, _MISS = 0, 1, 2
_KEEP_MISSES = bytes.maketrans(bytes([_HIT]), bytes([_UNKNOWN]))
_KEEP_HITS = bytes.maketrans(bytes([_MISS]), bytes([_UNKNOWN]))
_SWAP = bytes.maketrans(bytes([_HIT, _MISS]), bytes([_MISS, _HIT]))


def _apply_term(
    term: _Term, ix: _Index, state: ReadingState | None, kept: Iterable[int]
) -> list[int]:
    """The papers of `kept` that match `term`. A term that scans abstracts remembers, per paper,
    whether it matched, and starts from what related terms remember: typing, backspacing or
    adding an exclusion then scans only the papers whose outcome is still unknown."""
    if not _memoizable(term):
        return _evaluate(term, ix, state, kept)
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


@dataclass(frozen=True)
class Query:
    """A parsed query. `Query(text)` parses (and may raise `QueryError`); equal by text."""

    text: str
    clauses: tuple[Clause, ...] = _field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clauses", _clauses(_Parser(self.text).items()))

    @property
    def is_empty(self) -> bool:
        """True when the query filters nothing out (no term typed, or only unfinished ones)."""
        return not self.clauses

    def matches(self, digest: Digest, index: int, state: ReadingState | None = None) -> bool:
        return bool(self.filter(digest, (index,), state))

    def filter(
        self,
        digest: Digest,
        indices: Iterable[int],
        state: ReadingState | None = None,
        *,
        satisfied: Query | None = None,
    ) -> list[int]:
        """The indices, in their given order, of the papers the query matches.

        `satisfied`: a query that every index in `indices` is known to match (the previous query,
        when `self.narrows(previous)` and `indices` are its hits). Clauses it already enforces are
        not checked again, except those about the reading state, which may have changed.
        """
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
        ix = _index(digest)
        kept: Iterable[int] = indices
        for clause in sorted(clauses, key=_cost):
            kept = _apply(clause, ix, state, kept)
            if not kept:
                break
        return kept if isinstance(kept, list) else list(kept)

    def narrows(self, previous: Query) -> bool:
        """True when every hit of this query is certainly a hit of `previous`, so that filtering
        `previous`'s hits gives the same result as filtering everything (a sufficient test: it
        recognises added terms and grown words/phrases, not every logical implication)."""
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
                if term.negated or not isinstance(kind, (_Text, _Regex)):
                    continue
                if not (field == "any" or _within(cast(Field, field), kind.field)):
                    continue
                if isinstance(kind, _Regex):
                    spans.extend(
                        m.span() for m in kind.pattern.finditer(text) if m.end() > m.start()
                    )
                elif kind.field == "author":  # matched folded: "irsoy" lights up "İrsoy"
                    spans.extend(_folded_occurrences(text, kind.value))
                elif same_length:
                    spans.extend(_occurrences(lowered, kind.value))
                else:  # lowercasing changed the length (rare letters): match case-insensitively
                    pattern = re.compile(re.escape(kind.value), re.IGNORECASE)
                    spans.extend(m.span() for m in pattern.finditer(text))
        return _merge(spans)


def fold(text: str) -> str:
    """`text` for matching names: lowercase, accents dropped (`Müller`, `İrsoy` -> `muller`,
    `irsoy`); letters without a decomposition (`Ł`) are only lowercased."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


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
    return all(any(_implies(term, other) for other in theirs) for term in mine)


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
    """Parse a query; raises `QueryError` (with `position`) for a bad regex or week value."""
    return Query(text)


# --- counts, sorting, views --------------------------------------------------------------------


def week_counts(digest: Digest, indices: Iterable[int]) -> dict[date, int]:
    """How many of `indices` fall in each week: every week of the digest, newest first, zeros
    included."""
    ordered = sorted(indices)
    counts: dict[date, int] = {}
    for week in digest.weeks:
        span = digest.week_ranges[week]
        counts[week] = bisect_left(ordered, span.stop) - bisect_left(ordered, span.start)
    return counts


def category_counts(digest: Digest, indices: Iterable[int]) -> dict[str, int]:
    """How many of `indices` have each category (as written; "" for none), most first, then by
    name. Categories with no paper among `indices` are left out."""
    papers = digest.papers
    counts = Counter(papers[i].category for i in indices)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))


SORT_KEYS: tuple[str, ...] = ("week", "title", "category")


def sort_indices(
    digest: Digest, indices: Iterable[int], key: str = "week", reverse: bool = False
) -> list[int]:
    """`indices` in view order. week: newest first, the digest's order within a week; title:
    case-folded, ties in week order; category: by name (papers without one last), then week order.
    `reverse` flips the whole order."""
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {key!r}; expected one of {', '.join(SORT_KEYS)}")
    ordered = sorted(indices)  # the digest's order is week order
    if key == "title":
        ordered.sort(key=_index(digest).sort_titles.__getitem__)
    elif key == "category":
        ordered.sort(key=_index(digest).sort_categories.__getitem__)
    if reverse:
        ordered.reverse()
    return ordered


def select(
    digest: Digest,
    week: date | None,
    query: Query,
    state: ReadingState | None = None,
    sort: str = "week",
    reverse: bool = False,
) -> list[int]:
    """What a view shows: the week's papers (every paper when `week` is None), filtered by `query`,
    sorted. The TUI's list and `reader --print` both come from here."""
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}; expected one of {', '.join(SORT_KEYS)}")
    hits = query.filter(digest, digest.indices(week), state)
    if sort == "week" and not reverse:
        return hits  # already in the digest's order
    return sort_indices(digest, hits, sort, reverse)


def facet_term(category: str | None = None) -> re.Pattern[str]:
    """The category facet's term as the sidebar writes it, `cat:"<category>"` (any letter case,
    `category:` too, a whole word of the query); with no `category`, the term of any category."""
    name = r'[^"]*' if category is None else re.escape(category)
    return re.compile(r'(?:(?<=\s)|^)(?:cat|category):"' + name + r'"(?=\s|$)', re.IGNORECASE)


FACET_TERM = facet_term()
"""A category facet term of any category."""


def toggle_category(text: str, category: str) -> str:
    """The query `text` with the term `cat:"<category>"` added, or removed where it is already
    there (as written by this function, in any letter case). For the category facet."""
    term = f'cat:"{category}"'
    pattern = facet_term(category)
    if pattern.search(text):
        return _SPACES.sub(" ", pattern.sub("", text)).strip()
    return f"{text.rstrip()} {term}".strip()


# --- help --------------------------------------------------------------------------------------

QUERY_HELP: list[tuple[str, str]] = [
    ("word", "occurs in the title, abstract or category (substring, any case)"),
    ("w1 w2", "both (AND)"),
    ('"a phrase"', "the phrase occurs"),
    ('-word  -"a phrase"  -cat:robotics', "excludes papers that match"),
    ("a OR b", "either (OR in capitals: or is a word); x a OR b = x AND (a OR b)"),
    ("title:…  abstract:…  cat:…", 'only in that field; quote a phrase: cat:"computer vision"'),
    ("author:hinton", "an author's name (known once arXiv metadata is fetched)"),
    ("week:2023-05-14  week:2023-05", "that week / every week whose date starts with the value"),
    (
        "week:2023-05-01..2023-05-31",
        "weeks in the range, earlier date first, ends included (either may be open)",
    ),
    ("week:>=2023-06-01  week:<2023-05", "weeks after or before a date (also > and <=)"),
    ("week:none", "the undated papers (rows of a CSV of abstracts that joined no week)"),
    ("id:2305.14314", "the arXiv id, any version"),
    ("/regex/  title:/regex/", "a Python regular expression over those fields (any case)"),
    ("is:read  is:unread  is:starred", "reading state"),
    ('note:word  note:"a phrase"', "your note on the paper"),
    ("has:note  has:tag  tag:to-read", "papers with a note, with any tag, with that tag"),
]
