"""The feeds a paper can come from, beside the weekly digest: Hugging Face's daily papers and the
arXiv listings (issue 29). No Textual here.

A paper read from a feed carries `Paper.origins`, one `reader.model.Origin` per pick (the feed,
the day, what the feed tells of it: upvotes and comments on Hugging Face, the announcement type
and the listing on arXiv). A paper read from a digest file alone has none: it comes from the
digest ("potw", Papers of the Week). Opened together, papers with the same arXiv id become one
row (`reader.sources.join.merge_feeds`) whose origins list every pick. The formats are
`reader.sources.formats.hf` and `reader.sources.formats.arxiv_listing`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from operator import attrgetter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reader import environment
from reader.model import Origin, Paper
from reader.patterns import compiled
from reader.records import frozen
from reader.text import inert

__all__ = [
    "ANNOUNCE_TYPES",
    "ARXIV_RSS_URL",
    "HF_URL",
    "FEED_MARKS",
    "FeedBases",
    "FeedPage",
    "ShortcutError",
    "expand_shortcut",
    "expand_sources",
    "feed_name",
    "first_page",
    "has_feeds",
    "is_shortcut",
    "named_notice",
    "new_by_feed",
    "next_page",
    "page_number",
    "FEEDS",
    "FEED_LABELS",
    "describe_by_feed",
    "describe_origin",
    "describe_new_by_feed",
    "describe_origins",
    "feeds_of",
    "origins_of",
    "source_marks",
    "upvotes_of",
    "week_ending",
]

FEEDS: tuple[str, ...] = ("potw", "hf", "arxiv")
"""The feeds, in the order rows and the pane list them: the digest, Hugging Face, arXiv."""

FEED_LABELS: dict[str, str] = {
    "potw": "Papers of the Week",
    "hf": "HF daily",
    "arxiv": "arXiv",
}
"""How the pane names each feed."""

ANNOUNCE_TYPES: tuple[str, ...] = ("new", "cross", "replace", "replace-cross")
"""arXiv's announcement types in its listings: a new paper, a cross-list from another category,
a new version, a new version of a cross-list."""


def week_ending(day: date) -> date:
    """The week a day belongs to, as the digest names weeks: the Sunday that ends it (Monday to
    Sunday, as ISO weeks run).

    >>> week_ending(date(2026, 6, 24)), week_ending(date(2026, 6, 28))
    (datetime.date(2026, 6, 28), datetime.date(2026, 6, 28))
    """
    return day + timedelta(days=6 - day.weekday())


def origins_of(paper: Paper) -> tuple[Origin, ...]:
    """Where the paper was picked: its origins, or the digest's week for a digest's paper."""
    return paper.origins or (Origin("potw", paper.week),)


def feeds_of(paper: Paper) -> frozenset[str]:
    """The feeds that picked the paper (`potw` for a digest's paper)."""
    if not paper.origins:
        return _POTW
    return frozenset(origin.feed for origin in paper.origins)


_POTW = frozenset(("potw",))


def upvotes_of(paper: Paper) -> int | None:
    """The paper's upvotes on Hugging Face (the most it was seen with), or None."""
    votes = [origin.upvotes for origin in paper.origins if origin.upvotes is not None]
    return max(votes) if votes else None


def describe_origin(origin: Origin) -> str:
    """One pick as the pane says it: `HF daily 2026-06-24 ↑212 · 5 comments`, `arXiv cs.LG
    2026-06-22 (new)`, `Papers of the Week 2026-06-28`."""
    words = [FEED_LABELS.get(origin.feed, origin.feed)]
    if origin.listing:
        words.append(origin.listing)
    words.append(origin.day.isoformat())
    if origin.upvotes is not None:
        words.append(f"\u2191{origin.upvotes}")
    if origin.announce:
        words.append(f"({origin.announce})")
    text = " ".join(words)
    if origin.comments:
        text += f", {origin.comments} comment{'s' if origin.comments != 1 else ''}"
    return text


def describe_origins(paper: Paper) -> str:
    """Every pick of the paper, joined by ` · `: `Papers of the Week 2026-06-28 · HF daily
    2026-06-24 ↑212`."""
    return " \u00b7 ".join(describe_origin(origin) for origin in origins_of(paper))


# --- shortcuts: `hf`, `hf:2026-W26`, `arxiv:cs.LG+cs.CL`, `potw` ---------------------------------

HF_URL = "https://huggingface.co"
"""Where Hugging Face's API is (`/api/daily_papers`); `$READER_HF_URL` replaces it."""
ARXIV_RSS_URL = "https://rss.arxiv.org"
"""Where arXiv's listing feeds are (`/rss/cs.LG`); `$READER_ARXIV_RSS_URL` replaces it."""

HF_PAGE = 50
"""Papers asked of Hugging Face a page (`limit`); a full page brings the next (`p`)."""
HF_MAX_PAGES = 40
"""The most pages read of one shortcut (2,000 papers: a month is ~600-1,000)."""

_HF_WEEK = compiled(r"(\d{4})-W(\d{2})", re.IGNORECASE)
_HF_DAY = compiled(r"\d{4}-\d{2}-\d{2}")
_HF_MONTH = compiled(r"(\d{4})-(\d{2})")
_SHORTCUT = compiled(r"(?:hf|arxiv|potw)(?::.*)?", re.IGNORECASE | re.DOTALL)


class ShortcutError(ValueError):
    """A shortcut that names nothing reader can read: `str(error)` is `WORD: why`."""


@frozen
class FeedBases:
    """Where the shortcuts point: Hugging Face, arXiv's listings, the `--latest` digest."""

    hf: str = HF_URL
    arxiv: str = ARXIV_RSS_URL
    potw: str = ""

    @classmethod
    def from_environment(cls, potw: str = "") -> FeedBases:
        """`$READER_HF_URL` and `$READER_ARXIV_RSS_URL` where set (the tests: a server on
        127.0.0.1), else the real addresses."""
        return cls(
            hf=environment.hf_url(HF_URL),
            arxiv=environment.arxiv_rss_url(ARXIV_RSS_URL),
            potw=potw,
        )


def is_shortcut(source: str) -> bool:
    """Whether a source is written as a shortcut (`hf`, `hf:…`, `arxiv:…`, `potw`): read so,
    never as a file (a file of that name is `./hf`)."""
    return _SHORTCUT.fullmatch(source) is not None


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def expand_shortcut(source: str, bases: FeedBases, today: date | None = None) -> str:
    """The URL a shortcut stands for (raises ShortcutError for one that names nothing):

    - `hf`: this week's daily papers on Hugging Face (the ISO week of `today`), `hf:2026-W26`
      that week, `hf:2026-06-24` that day, `hf:2026-06` that month; the first page
      (`limit=HF_PAGE&p=0`), the loader reads the next ones (`next_page`);
    - `arxiv:cs.LG`, `arxiv:cs.LG+cs.CL`: arXiv's listing of those categories (or archives:
      `arxiv:math`), today's announcements;
    - `potw`: the weekly digest `--latest` reads.

    >>> bases = FeedBases("http://127.0.0.1:8000", "http://127.0.0.1:8001", "http://x/README.md")
    >>> expand_shortcut("hf:2026-W26", bases)
    'http://127.0.0.1:8000/api/daily_papers?week=2026-W26&limit=50&p=0'
    >>> expand_shortcut("arxiv:cs.LG+cs.CL", bases), expand_shortcut("potw", bases)
    ('http://127.0.0.1:8001/rss/cs.LG+cs.CL', 'http://x/README.md')
    """
    name, _, value = source.partition(":")
    name = name.lower()
    if name == "potw":
        if value:
            raise ShortcutError(f"{source}: potw takes nothing after it (the digest's newest copy)")
        return bases.potw
    if name == "hf":
        return _hf_url(source, value.strip(), bases.hf, today or date.today())
    return _arxiv_url(source, value.strip(), bases.arxiv)


def _hf_url(source: str, value: str, base: str, today: date) -> str:
    if not value:
        query = f"week={_iso_week(today)}"
    elif (week := _HF_WEEK.fullmatch(value)) is not None:
        year, number = int(week.group(1)), int(week.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ShortcutError(f"{source}: {year} has no week {number}") from None
        query = f"week={year:04d}-W{number:02d}"
    elif _HF_DAY.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ShortcutError(f"{source}: not a date") from None
        query = f"date={value}"
    elif (month := _HF_MONTH.fullmatch(value)) is not None and 1 <= int(month.group(2)) <= 12:
        query = f"month={value}"
    else:
        raise ShortcutError(
            f"{source}: hf takes a week (2026-W26), a day (2026-06-24) or a month (2026-06)"
        )
    return f"{base.rstrip('/')}/api/daily_papers?{query}&limit={HF_PAGE}&p=0"


def _arxiv_url(source: str, value: str, base: str) -> str:
    from reader.arxiv import TAXONOMY

    if not value:
        raise ShortcutError(f"{source}: name the listing, as in arxiv:cs.LG or arxiv:cs.LG+cs.CL")
    archives = {code.split(".", 1)[0] for code in TAXONOMY}
    known = {code.lower(): code for code in (*TAXONOMY, *archives)}
    codes = []
    for part in value.split("+"):
        code = known.get(part.strip().lower())
        if code is None:
            raise ShortcutError(
                f"{source}: {inert(part.strip())!r} is not an arXiv category "
                "(such as cs.LG, stat.ML, math.OC) or archive (cs, math)"
            )
        codes.append(code)
    return f"{base.rstrip('/')}/rss/{'+'.join(codes)}"


def expand_sources(
    sources: Sequence[str], bases: FeedBases, today: date | None = None
) -> list[str]:
    """`sources` with every shortcut replaced by its URL (others kept as they are)."""
    return [
        expand_shortcut(source, bases, today) if is_shortcut(source) else source
        for source in sources
    ]


class FeedPage(list[Paper]):
    """The papers of one page of a feed, with what was left out of it: an answer that changed
    shape in some of its items loses those items only (`skipped`, one reason each), and the
    next page is asked for by the items the page held (`items`), not by the papers read."""

    def __init__(self, papers: Iterable[Paper], path: str, items: int, skipped: Sequence[str]):
        super().__init__(papers)
        self.path = path
        self.items = items
        self.skipped = tuple(skipped)

    def notice(self) -> str | None:
        """`URL: 2 of 50 papers left out (item 4: the paper has no title)`; None when none was."""
        if not self.skipped:
            return None
        left = len(self.skipped)
        return f"{self.path}: {left:,} of {self.items:,} papers left out ({self.skipped[0]})"


def next_page(url: str, count: int) -> str | None:
    """The next page of a Hugging Face daily-papers URL that `count` papers came from, when that
    page was exactly full (`count` is its `limit`: a page holding more answers from a server
    that pages no longer, and asking on would bring it again) and is not the last one read
    (`HF_MAX_PAGES`); None for any other URL (a URL without `limit` and `p` is read as it is)."""
    parts = urlsplit(url)
    if not parts.path.endswith("/api/daily_papers"):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    values = dict(query)
    try:
        limit, page = int(values["limit"]), int(values["p"])
    except (KeyError, ValueError):
        return None
    if limit <= 0 or count != limit or page + 1 >= HF_MAX_PAGES:
        return None
    following = urlencode([(key, str(page + 1) if key == "p" else value) for key, value in query])
    return urlunsplit(parts._replace(query=following))


def page_number(url: str) -> int | None:
    """Which page (`p`) of Hugging Face's daily papers `url` is; None for any other URL (one
    without `limit` and `p` included)."""
    parts = urlsplit(url)
    if not parts.path.endswith("/api/daily_papers"):
        return None
    values = dict(parse_qsl(parts.query, keep_blank_values=True))
    try:
        return int(values["p"]) if int(values["limit"]) > 0 else None
    except (KeyError, ValueError):
        return None


def first_page(url: str) -> str | None:
    """The first page (`p=0`) of the pages of Hugging Face's daily papers `url` is one of, as
    `next_page` writes it; None for any other URL."""
    if page_number(url) is None:
        return None
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit(
        parts._replace(query=urlencode([(key, "0" if key == "p" else v) for key, v in query]))
    )


def feed_name(url: str) -> str | None:
    """What a feed's URL is called in the title: `HF daily 2026-W26`, `arXiv cs.LG`; None for a
    URL that is not one of them."""
    parts = urlsplit(url)
    if parts.path.endswith("/api/daily_papers"):
        values = dict(parse_qsl(parts.query))
        when = values.get("week") or values.get("date") or values.get("month") or ""
        return inert(f"HF daily {when}".strip())
    listing = re.fullmatch(r".*/(?:rss|atom)/([A-Za-z][A-Za-z.+\-]*)/?", parts.path)
    if listing is None:
        return None
    try:
        _arxiv_url("", listing.group(1), "")
    except ShortcutError:
        return None  # not a list of arXiv's categories
    return f"arXiv {listing.group(1)}"


def named_notice(notice: str) -> str:
    """A notice about a feed with the feed's name for its URL, as a toast says it:
    `HF daily 2026-W26: offline: the copy of …` (others as they are)."""
    url, colon, rest = notice.partition(": ")
    name = feed_name(url) if colon and "://" in url else None
    return f"{name}: {rest}" if name is not None else notice


FEED_MARKS: dict[str, str] = {"potw": "P", "hf": "H", "arxiv": "A"}
"""The letter of each feed in the list's mark column (`source_marks`)."""


def source_marks(paper: Paper) -> str:
    """The list's mark of where a paper was picked, a letter a feed in `FEEDS` order, a space
    where that feed did not pick it: `PH ` (the digest and Hugging Face), `  A` (an arXiv
    listing alone). Always `len(FEEDS)` characters."""
    feeds = feeds_of(paper)
    return "".join(FEED_MARKS[feed] if feed in feeds else " " for feed in FEEDS)


def has_feeds(papers: Sequence[Paper]) -> bool:
    """Whether any paper came from a feed (the list then shows `source_marks`)."""
    return any(map(_ORIGINS, papers))


_ORIGINS = attrgetter("origins")


def new_by_feed(old: Sequence[Paper], new: Sequence[Paper]) -> dict[str, int]:
    """How many papers each feed picked in `new` that it had not picked in `old` (by
    `Paper.key`: the arXiv id), in `FEEDS` order, feeds with none left out."""
    had: dict[str, set[str]] = {feed: set() for feed in FEEDS}
    for paper in old:
        for feed in feeds_of(paper):
            had.setdefault(feed, set()).add(paper.key)
    counted: dict[str, set[str]] = {}
    for paper in new:
        for feed in feeds_of(paper):
            if paper.key not in had.get(feed, ()):
                counted.setdefault(feed, set()).add(paper.key)
    return {feed: len(counted[feed]) for feed in FEEDS if feed in counted}


def describe_new_by_feed(old: Sequence[Paper], new: Sequence[Paper]) -> str | None:
    """What each feed brought, as `r` and `--watch` say it in an inbox: `3 new papers: 1 from
    Papers of the Week, 2 from HF daily` (None when no feed brought any)."""
    counts = new_by_feed(old, new)
    if not counts:
        return None
    keys = {paper.key for paper in new} - {paper.key for paper in old}
    total = len(keys) or max(counts.values())
    papers = "paper" if total == 1 else "papers"
    return f"{total:,} new {papers}: {_each_feed(counts)}"


def describe_by_feed(papers: Sequence[Paper]) -> str | None:
    """What an inbox holds, as `r` says it when nothing is new: `2,360 papers from 3 feeds:
    123 from Papers of the Week, 2,000 from HF daily, 300 from arXiv` (a paper two feeds picked
    counts in both; of one feed `120 papers from HF daily`; None when no paper came from a
    feed)."""
    counts = new_by_feed((), papers)
    if not counts:
        return None
    total = len(papers)
    held = f"{total:,} {'paper' if total == 1 else 'papers'} from"
    if len(counts) == 1:
        return f"{held} {FEED_LABELS[next(iter(counts))]}"
    return f"{held} {len(counts)} feeds: {_each_feed(counts)}"


def _each_feed(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} from {FEED_LABELS[feed]}" for feed, count in counts.items())
