"""The query language's syntax: terms and the parser (`parse_query` is in the engine).

See `reader.query` for the language."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import field as _field
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, Literal

from reader.model import UNDATED
from reader.patterns import compiled
from reader.records import frozen
from reader.sources.formats import UNDATED_WORDS
from reader.text import arxiv_id


class QueryError(ValueError):
    """A query that cannot be used: `message` says why, `position` where (0-based offset)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (column {self.position + 1})"


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
_OTHER_FIELDS = ("week", "id", "is", "has", "tag", "like", "from", "announce", "upvotes")
_FIELD_NAME = compiled(r"([A-Za-z]+):")
_LITERAL_PATTERN = compiled(r"[^\W_]+(?: [^\W_]+)*")
_DATE_PREFIX = compiled(r"(\d{1,4})$|(\d{4})-(\d{0,2})$|(\d{4})-(\d{2})-(\d{0,2})$")
_WEEK_COMPARISON = compiled(r"(>=|<=|>|<)")
_VERSION = compiled(r"v\d+$", re.IGNORECASE)
SPACES = compiled(r"\s+")
_REGEX_FLAGS = re.IGNORECASE | re.MULTILINE

# --- terms -------------------------------------------------------------------------------------


@frozen
class Text:
    """A substring test: words, phrases, regexes without metacharacters. `value` is lowercase."""

    field: Field
    value: str


@frozen
class Regex:
    """`pattern` (IGNORECASE) is for the original text; `lowered` for the lowercased haystacks: the
    same regex without IGNORECASE when it has no capital letter, which is several times faster."""

    field: Field
    pattern: Any
    """A `regex` pattern (as `re.Pattern[str]`, and its searches take a `timeout`)."""
    lowered: Any = _field(compare=False)
    literals: tuple[str, ...] = _field(default=(), compare=False)
    """Substrings every match of `lowered` contains, longest first: fast prefilters."""


@frozen
class Weeks:
    """Weeks from `low` to `high`, inclusive; None is open. Empty when low > high. With
    `undated` (`week:none`), only the undated papers; no date range holds them."""

    low: date | None
    high: date | None
    undated: bool = False
    latest: bool = False
    """`week:latest`: the digest's newest dated week (the engine knows which)."""

    def contains(self, week: date) -> bool:
        if self.latest:
            return False  # the engine asks for the newest week itself (`_Index.week_span`)
        if week == UNDATED or self.undated:
            return week == UNDATED and self.undated
        return (self.low is None or self.low <= week) and (self.high is None or week <= self.high)

    def within(self, other: Weeks) -> bool:
        """Every week of self is a week of other."""
        if self.latest or other.latest:
            return self.latest and other.latest
        if self.low is not None and self.high is not None and self.low > self.high:
            return True
        if self.undated or other.undated:
            return self.undated and other.undated
        low_ok = other.low is None or (self.low is not None and self.low >= other.low)
        high_ok = other.high is None or (self.high is not None and self.high <= other.high)
        return low_ok and high_ok


@frozen
class Id:
    value: str


@frozen
class Is:
    what: Literal["read", "unread", "starred"]


_IS_VALUES: dict[str, Literal["read", "unread", "starred"]] = {
    "read": "read",
    "unread": "unread",
    "starred": "starred",
}


@frozen
class Has:
    what: Literal["note", "tag"]


@frozen
class Tag:
    name: str


_HAS_VALUES: dict[str, Literal["note", "tag"]] = {
    "note": "note",
    "notes": "note",
    "tag": "tag",
    "tags": "tag",
}

@frozen
class Like:
    """`like:`: order by similarity to a paper (`what` "paper", `value` its arXiv id or key), or
    to every starred paper, every paper with a note, every paper with tag `value`."""

    what: Literal["paper", "starred", "note", "tag"]
    value: str = ""


@frozen
class From:
    """`from:hf`: papers a feed picked (`reader.feeds`; `potw` is the digest)."""

    feed: str


@frozen
class Announce:
    """`announce:new`: papers an arXiv listing announced so."""

    kind: str


@frozen
class Upvotes:
    """`upvotes:>50`: papers with that many upvotes on Hugging Face, from `low` to `high`
    inclusive (None is open)."""

    low: int | None
    high: int | None


Kind = Text | Regex | Weeks | Id | Is | Has | Tag | Like | From | Announce | Upvotes


@frozen
class Term:
    kind: Kind
    negated: bool
    start: int
    end: int


def implies(term: Term, other: Term) -> bool:
    """True when every paper that `term` matches is matched by `other` (whatever the data)."""
    a, b = term.kind, other.kind
    if term.negated != other.negated:
        return False
    if not term.negated:
        if isinstance(a, Text) and isinstance(b, Text):
            return b.value in a.value and field_within(a.field, b.field)
        if isinstance(a, Weeks) and isinstance(b, Weeks):
            return a.within(b)
    else:  # not-a implies not-b when b implies a
        if isinstance(a, Text) and isinstance(b, Text):
            return a.value in b.value and field_within(b.field, a.field)
        if isinstance(a, Weeks) and isinstance(b, Weeks):
            return b.within(a)
    return a == b


def field_within(field: Field, other: Field) -> bool:
    """Whether text found in `field` is found by a term on `other` (plain words search every
    field but the authors)."""
    return field == other or (other == "any" and field not in ("author", "note"))


Clause = tuple[Term, ...]
"""Terms joined by OR."""

MAX_CLAUSES = 256
"""At most this many clauses (ANDs of ORs) from one query: `(a b) OR (c d)` is four, and each
group ORed with another multiplies them."""


@frozen
class QueryNote:
    """Something in a query that was not understood as written, but did not stop it: shown under
    the filter bar and on stderr for `--print`, like an error but with the results."""

    message: str
    position: int  # 0-based offset in the query
    hint: str = ""  # said after the column

    def __str__(self) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.message} (column {self.position + 1}){hint}"


class _Marker:
    """A piece of a query's structure among its terms: `(`, `)`, NOT, OR."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


OPEN, CLOSE, NOT, OR = _Marker("("), _Marker(")"), _Marker("NOT"), _Marker("OR")
Item = Term | _Marker


# --- parsing -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.depth = 0  # groups open at `i`
        self.notes: list[QueryNote] = []

    def _skip_spaces(self) -> None:
        text = self.text
        while self.i < len(text) and text[self.i].isspace():
            self.i += 1

    def _bare(self) -> tuple[str, int]:
        """The characters up to the next space; returns the value and its start. Inside a group,
        closing parentheses at its end that the value does not open are left for the group."""
        start = self.i
        text = self.text
        while self.i < len(text) and not text[self.i].isspace():
            self.i += 1
        value = text[start : self.i]
        closing = 0
        while (
            closing < self.depth
            and value.endswith(")")
            and value.count(")") > value.count("(")
        ):
            value = value[:-1]
            closing += 1
        self.i -= closing
        return value, start

    def _quoted(self) -> tuple[str, int]:
        """A phrase from the opening quote at `i` to the closing one, or to the end."""
        start = self.i + 1
        close = self.text.find('"', start)
        end = len(self.text) if close < 0 else close
        self.i = len(self.text) if close < 0 else close + 1
        return SPACES.sub(" ", self.text[start:end]).strip(), start

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

    def items(self) -> list[Item]:
        """Terms and markers in order: `(`, `)`, NOT (also for `-(`), OR. Ignored (empty) terms
        are left out, and so is a `)` that closes no group (it is a word then)."""
        out: list[Item] = []
        text = self.text
        while True:
            self._skip_spaces()
            if self.i >= len(text):
                return out
            start = self.i
            if text[self.i] == "(":
                self.i += 1
                self.depth += 1
                out.append(OPEN)
                continue
            if text[self.i] == ")" and self.depth:
                self.i += 1
                self.depth -= 1
                out.append(CLOSE)
                continue
            negated = False
            if text[self.i] == "-":
                self.i += 1
                if self.i >= len(text) or text[self.i].isspace():
                    continue  # a lone "-": a negation not typed yet
                if text[self.i] == "(":
                    out.append(NOT)
                    continue
                negated = True
            kind = self._term(negated)
            if kind == "OR":
                out.append(OR)
            elif kind == "NOT":
                out.append(NOT)
            elif kind is not None:
                out.append(Term(kind, negated, start, self.i))

    def _term(self, negated: bool) -> Kind | Literal["OR", "NOT"] | None:
        text = self.text
        char = text[self.i]
        if char == '"':
            value, _ = self._quoted()
            return Text("any", value.lower()) if value else None
        if char == "/":
            pattern, at = self._slashed()
            return _regex("any", pattern, at)
        named = _FIELD_NAME.match(text, self.i)
        if named is not None:
            name = named.group(1).lower()
            if name in _TEXT_FIELDS or name in _OTHER_FIELDS:
                self.i = named.end()
                return self._field(name)
            if not text.startswith("//", named.end()):  # a URL is a word as it stands
                name = named.group(1)
                self.notes.append(
                    QueryNote(f"{name}: is not a field, searched as a word", self.i, _FIELDS_HINT)
                )
        value, _ = self._bare()
        if value in ("OR", "NOT") and not negated:
            return value  # type: ignore[return-value]
        return Text("any", value.lower())

    def _field(self, name: str) -> Kind | None:
        text = self.text
        if self.i >= len(text) or text[self.i].isspace():
            return None  # "title:" with nothing typed after it yet
        if name in _TEXT_FIELDS:
            where = _TEXT_FIELDS[name]
            lower = fold if where == "author" else str.lower
            if text[self.i] == '"':
                value, _ = self._quoted()
                return Text(where, lower(value)) if value else None
            if text[self.i] == "/":
                pattern, at = self._slashed()
                return _regex(where, pattern, at)
            value, _ = self._bare()
            return Text(where, lower(value))
        if text[self.i] == '"':
            value, at = self._quoted()
        else:
            value, at = self._bare()
        if not value:
            return None
        if name == "week":
            return _week(value, at)
        if name == "id":
            return Id(_arxiv_value(value))
        if name == "tag":
            return Tag(value.strip().lower())
        if name == "like":
            return like_term(value)
        if name in ("from", "announce", "upvotes"):
            return _feed_term(name, value, at)
        if name == "has":
            has = _HAS_VALUES.get(value.lower())
            if has is None:
                raise QueryError(f"has: takes note or tag, not {value!r}", at)
            return Has(has)
        what = _IS_VALUES.get(value.lower())
        if what is None:
            raise QueryError(f"is: takes read, unread or starred, not {value!r}", at)
        return Is(what)


def _feed_term(name: str, value: str, at: int) -> Kind | None:
    """`from:`, `announce:` and `upvotes:` (issue 29: the feeds beside the digest)."""
    from reader.feeds import ANNOUNCE_TYPES, FEEDS

    lowered = value.lower()
    if name == "from":
        if lowered not in FEEDS:
            raise QueryError(
                f"from: takes {', '.join(FEEDS[:-1])} or {FEEDS[-1]}, not {value!r}", at
            )
        return From(lowered)
    if name == "announce":
        if lowered not in ANNOUNCE_TYPES:
            raise QueryError(
                f"announce: takes {', '.join(ANNOUNCE_TYPES[:-1])} or {ANNOUNCE_TYPES[-1]}, "
                f"not {value!r}",
                at,
            )
        return Announce(lowered)
    comparison = _WEEK_COMPARISON.match(value)
    if comparison is not None:
        rest = value[comparison.end() :]
        if not rest:
            return None  # "upvotes:>" with the number not typed yet
        number = _count(rest, at + comparison.end())
        return {
            ">": Upvotes(number + 1, None),
            ">=": Upvotes(number, None),
            "<": Upvotes(None, number - 1),
            "<=": Upvotes(None, number),
        }[comparison.group(1)]
    if ".." in value:
        low_text, high_text = value.split("..", 1)
        if not low_text and not high_text:
            return None
        low = _count(low_text, at) if low_text else None
        high = _count(high_text, at + len(low_text) + 2) if high_text else None
        if low is not None and high is not None and low > high:
            raise QueryError(f"upvotes: the range {value} runs backwards", at)
        return Upvotes(low, high)
    number = _count(value, at)
    return Upvotes(number, number)


def _count(text: str, at: int) -> int:
    if not text.isdigit() or not text.isascii() or len(text) > 12:
        raise QueryError(f"upvotes: expects a number such as 50, >50 or 10..100, not {text!r}", at)
    return int(text)


def _regex(where: Field, pattern: str, at: int) -> Kind | None:
    if not pattern:
        return None
    if _LITERAL_PATTERN.fullmatch(pattern):
        return Text(where, pattern.lower())  # no metacharacters: a plain, faster substring test
    try:
        re.compile(pattern, _REGEX_FLAGS)  # Python's regex syntax, and its error messages
        compiled = _timed(pattern, _REGEX_FLAGS)
        if pattern != pattern.lower() or "(?" in pattern or where == "note":
            return Regex(where, compiled, compiled)
        return Regex(where, compiled, _timed(pattern, re.MULTILINE), _literals(pattern))
    except re.error as error:
        offset = error.pos if error.pos is not None else 0
        raise QueryError(f"invalid regex: {error.msg}", at + min(offset, len(pattern))) from None
    except (OverflowError, RecursionError, ValueError) as error:
        raise QueryError(f"invalid regex: {error}", at) from None


def _timed(pattern: str, flags: int) -> Any:
    """`pattern` compiled by the `regex` module (Python's syntax, `re`'s flags), whose searches
    take a `timeout`: a regex that backtracks without end (`(a|aa)+$`) is stopped, not waited
    for (`reader.query.engine` gives every query a time budget)."""
    import regex  # only a query with a regex needs it

    try:
        return regex.compile(_braces_as_re_reads_them(pattern), flags | regex.VERSION0)
    except regex.error as error:  # `re` took it: say it in `re`'s terms (QueryError upstream)
        raise re.error(error.msg, pattern, error.pos) from None


_REPEAT = r"\{(?:\d*,\d*|\d+)\}"


def _braces_as_re_reads_them(pattern: str) -> str:
    """`pattern` with every "{" that `re` reads as a plain character escaped. The `regex` module
    reads "{e}", "{s<=1}" and the like as fuzzy-match constraints (so `/a{e}/` would match every
    paper) and refuses "{s"; `re`, whose syntax queries promise, reads any "{" that does not open
    a repeat ("{3}", "{2,}", "{,4}", "{1,5}") as itself."""
    out: list[str] = []
    at, in_class = 0, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            if pattern.startswith("\\N{", at):  # a named character: \N{EM DASH}
                end = pattern.find("}", at)
                end = len(pattern) if end < 0 else end + 1
                out.append(pattern[at:end])
                at = end
                continue
            out.append(pattern[at : at + 2])
            at += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            out.append(char)
            at += 1
            for lead in ("^", "]"):  # "[]" and "[^]" take "]" as a member
                if pattern.startswith(lead, at):
                    out.append(lead)
                    at += 1
            continue
        elif char == "{" and not re.match(_REPEAT, pattern[at:]):
            out.append("\\{")
            at += 1
            continue
        out.append(char)
        at += 1
    return "".join(out)


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


def like_term(value: str) -> Like | None:
    lowered = value.lower()
    if lowered == "starred":
        return Like("starred")
    if lowered in ("note", "notes"):
        return Like("note")
    if lowered.startswith("tag:"):
        name = value[4:].strip().lower()
        return Like("tag", name) if name else None  # "like:tag:" not finished yet
    if arxiv_id(value) is not None or not lowered.startswith(("http:", "https:")):
        return Like("paper", _arxiv_value(value))
    return Like("paper", value.strip())  # a paper's key: its link, as written


def _arxiv_value(value: str) -> str:
    from_link = arxiv_id(value)
    if from_link is not None:
        return from_link.lower()
    return _VERSION.sub("", value.strip()).lower()


def _period(value: str, at: int) -> tuple[date, date]:
    """The first and last day of every date whose ISO form starts with `value`."""
    match = _DATE_PREFIX.match(value)
    if match is None:
        raise QueryError(
            f"week: expects a date such as 2023-05-14 or 2023-05, or latest, not {value!r}", at
        )
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
    import calendar  # only for week: terms (its import is start-up work, issue 26)

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
    import calendar

    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


_NO_WEEKS = Weeks(date.max, date.min)


def _week(value: str, at: int) -> Weeks | None:
    if value.lower() in UNDATED_WORDS:
        return Weeks(None, None, undated=True)
    if value.lower() == "latest":
        return Weeks(None, None, latest=True)
    comparison = _WEEK_COMPARISON.match(value)
    if comparison is not None:
        operator = comparison.group(1)
        rest = value[comparison.end() :]
        if not rest:
            return None  # "week:>=" with the date not typed yet
        first, last = _period(rest, at + comparison.end())
        if operator == ">=":
            return Weeks(first, None)
        if operator == "<=":
            return Weeks(None, last)
        if operator == ">":
            after = _shift(last, 1)
            return _NO_WEEKS if after is None else Weeks(after, None)
        before = _shift(first, -1)
        return _NO_WEEKS if before is None else Weeks(None, before)
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
        return Weeks(low, high)
    first, last = _period(value, at)
    return Weeks(first, last)


_FIELDS_HINT = "fields: " + " ".join(
    f"{name}:" for name in ("title", "abstract", "cat", "author", "note", *_OTHER_FIELDS)
)


_Tree = tuple[str, Any]
"""("term", Term), ("not", tree), ("and", [trees]), ("or", [trees])."""


class _Structure:
    """Terms and markers into a tree: juxtaposition is AND, OR binds tighter than AND (`x a OR
    b` = x AND (a OR b)), NOT (or `-`) binds to the term or group after it. An unclosed group
    ends with the query, a dangling OR or NOT is dropped, an empty group is nothing."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.i = 0

    def conjunction(self) -> _Tree | None:
        parts: list[_Tree] = []
        while self.i < len(self.items):
            if self.items[self.i] is CLOSE:
                self.i += 1
                break
            if self.items[self.i] is OR:  # an OR with nothing before it
                self.i += 1
                continue
            part = self.disjunction()
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else ("and", parts)

    def disjunction(self) -> _Tree | None:
        parts: list[_Tree] = []
        first = self.unary()
        if first is not None:
            parts.append(first)
        while self.i < len(self.items) and self.items[self.i] is OR:
            self.i += 1
            part = self.unary()
            if part is not None:
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else ("or", parts)

    def unary(self) -> _Tree | None:
        if self.i >= len(self.items):
            return None
        item = self.items[self.i]
        if item is NOT:
            self.i += 1
            inner = self.unary()
            return None if inner is None else ("not", inner)
        if item is OPEN:
            self.i += 1
            return self.conjunction()
        if isinstance(item, Term):
            self.i += 1
            return ("term", item)
        return None  # OR or ) : the caller's


def _cnf(tree: _Tree, negated: bool = False) -> list[list[Term]]:
    """The tree as clauses (an AND of ORs), negations pushed down to the terms."""
    kind, value = tree
    if kind == "term":
        term: Term = value
        return [[replace(term, negated=term.negated != negated)]]
    if kind == "not":
        return _cnf(value, not negated)
    conjunctive = (kind == "and") != negated  # NOT (a OR b) = NOT a AND NOT b
    if conjunctive:
        return [clause for part in value for clause in _cnf(part, negated)]
    clauses: list[list[Term]] = [[]]
    for part in value:  # (a AND b) OR c = (a OR c) AND (b OR c)
        clauses = [mine + theirs for mine in clauses for theirs in _cnf(part, negated)]
        if len(clauses) > MAX_CLAUSES:
            raise QueryError(
                f"too many combinations of groups (over {MAX_CLAUSES}): write it with fewer ORs "
                "between groups",
                _first_position(tree),
            )
    return clauses


def _first_position(tree: _Tree) -> int:
    kind, value = tree
    if kind == "term":
        return int(value.start)
    return _first_position(value if kind == "not" else value[0])


def _clauses(items: list[Item]) -> tuple[Clause, ...]:
    """Terms and markers into clauses (an AND of ORs of terms, some negated)."""
    if not any(item is OPEN or item is NOT for item in items):  # the usual query: no tree
        clauses: list[list[Term]] = []
        joining = False
        for item in items:
            if item is OR:
                joining = bool(clauses)
            elif isinstance(item, Term):
                if joining:
                    clauses[-1].append(item)
                else:
                    clauses.append([item])
                joining = False
        return tuple(tuple(clause) for clause in clauses)
    structure = _Structure(items)
    parts: list[_Tree] = []
    while structure.i < len(items):
        tree = structure.conjunction()  # a stray `)` ends one: go on after it
        if tree is not None:
            parts.append(tree)
    if not parts:
        return ()
    whole = parts[0] if len(parts) == 1 else ("and", parts)
    return tuple(tuple(clause) for clause in _cnf(whole) if clause)


def parse_with_notes(text: str) -> tuple[tuple[Clause, ...], tuple[QueryNote, ...]]:
    """The query `text` as clauses, and what in it was not understood as written (`QueryNote`);
    raises QueryError."""
    parser = _Parser(text)
    clauses = _clauses(parser.items())
    return clauses, tuple(parser.notes)


def fold(text: str) -> str:
    """`text` for matching names: lowercase, accents dropped (`Müller`, `İrsoy` -> `muller`,
    `irsoy`); letters without a decomposition (`Ł`) are only lowercased."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


# --- help --------------------------------------------------------------------------------------

QUERY_HELP: list[tuple[str, str]] = [
    ("word", "occurs in the title, abstract or category (substring, any case)"),
    ("w1 w2", "both (AND)"),
    ('"a phrase"', "the phrase occurs"),
    ('-word  -"a phrase"  -cat:robotics', "excludes papers that match"),
    ("a OR b", "either (OR in capitals: or is a word); x a OR b = x AND (a OR b)"),
    ("(a OR b) c  (a b) OR c", "groups"),
    ("NOT x  NOT (a OR b)  -(a b)", "excludes a term or a group (NOT in capitals: not is a word)"),
    ("title:…  abstract:…  cat:…", 'only in that field; quote a phrase: cat:"computer vision"'),
    ("author:hinton", "an author's name (known once arXiv metadata is fetched)"),
    ("week:2023-05-14  week:2023-05", "that week / every week whose date starts with the value"),
    (
        "week:2023-05-01..2023-05-31",
        "weeks in the range, earlier date first, ends included (either may be open)",
    ),
    ("week:>=2023-06-01  week:<2023-05", "weeks after or before a date (also > and <=)"),
    ("week:none", "the undated papers (rows of a CSV of abstracts that joined no week)"),
    ("week:latest", "the newest week of the digest"),
    ("id:2305.14314", "the arXiv id, any version"),
    ("/regex/  title:/regex/", "a Python regular expression over those fields (any case)"),
    ("is:read  is:unread  is:starred", "reading state"),
    ('note:word  note:"a phrase"', "your note on the paper"),
    ("has:note  has:tag  tag:to-read", "papers with a note, with any tag, with that tag"),
    (
        "like:2305.14314",
        "every paper, the most similar to that one first (an arXiv id or a paper's link)",
    ),
    ("like:starred  like:note  like:tag:NAME", "the most similar to your starred / noted / tagged"),
    ("from:potw  from:hf  from:arxiv", "picked by the digest, Hugging Face, an arXiv listing"),
    ("announce:new  announce:cross", "announced so by arXiv (also replace, replace-cross)"),
    ("upvotes:>50  upvotes:10..100", "upvotes on Hugging Face (also >=, <, <=, a number)"),
]
