"""The upstream "AI Papers of the Week" files (github.com/dair-ai/AI-Papers-of-the-Week, until
2026 "ML Papers of the Week"): its README until April 2026, its year files `years/YYYY.md` since
(the README is now an index of links to them: `reader.sources.formats.index`).

    ## Top ML Papers of the Week (June 19 - June 25)
    | **Paper**  | **Links** |
    | ------------- | ------------- |
    | 1) **Textbooks Are All You Need** - introduces ... | [Paper](https://...), [Tweet](...) |

    ## Top AI Papers of the Week (December 29 - January 4) - 2026

Rules (every version of those files seen, 2023 to 2026):

- A week is a heading (`#` to `######`) with a date range in parentheses: `(June 19 - June 25)`,
  `(May 29-June 4)`, `(Feb 13 - 19)`, `(May 22-28)`, `(Sept 4 - 10)`, `(June 19, 2023 - June 25,
  2023)`, optionally followed by a year: `(December 30 - January 5) - 2025`. Months are full names
  or abbreviations (with or without a dot). The week is the END date of the range. A heading that
  says "Papers of the Week" with a parenthesis that is not such a range is an error (its line).
  Any other heading ends the week; text outside weeks (the table of contents of links near the
  top, year headings like `## 2024`, prose) is ignored.
- The year of the end date: a year written in the range, else the year after the parenthesis
  (the year of the END: upstream writes `(December 30 - January 5) - 2025` for the week ending
  2025-01-05, and lists it between the weeks ending 2025-01-12 and 2024-12-29). A heading without
  a year takes it from its neighbours: weeks are listed newest first, so going down the file the
  year rolls back when the date goes up (Dec after Jan); a file listed oldest first (detected
  from headings a few weeks apart stepping forward) rolls forward instead. When no heading has
  a year, the first week that links arXiv papers is dated from their newest id (2306.11644 ->
  June 2023: the week ends in 2023, or in 2024 if its month comes before June), else from a
  year in the file name (`README-2023-07-01.md`), else the current year (the previous one if
  that puts the week in the future).
- A paper is a table row under a week, with or without leading and trailing pipes (`\\|` is a
  literal pipe); the header row `| **Paper** | **Links** |` and the alignment row are skipped. The
  last cell holds the links, the cells before it the paper. A leading item number (`1)`, `5.`)
  is dropped. The title and the summary are split as `split_title` says (bold text, else the first
  separator: two spaces, a line break or a spaced dash, else a word that opens a summary such as
  "Introduces" or "This paper"; else the row is title-only). `<br>` is a line break; each `●`
  bullet starts a line; Markdown links inside become their text; `**`/`__` markers and a few
  HTML entities are removed.
- Links are `[Label](url)` with any separators (`,`, spaces, stray parentheses); bare http(s)
  URLs when there are none. The paper's link is the best link of the whole row: the first one
  labelled Paper (`Paper`, `Paper 1`), else the first that is not social (Project, Blog, Report,
  GitHub, Code, ...; social: labelled Tweet, Thread, X, ... or pointing at x.com, twitter.com,
  linkedin.com), the links cell before the summary cell; else the first link of the links cell.
  The other links of the links cell go into `Paper.links`, in row order (a link of the summary
  cell that became the paper's link is not repeated). A row without any link is an error.
- Category and abstract are empty; the one-line summary goes into `Paper.summary`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date

from reader.limits import LINE_CHARS
from reader.model import Link, Paper
from reader.sources.formats import LoadError, too_long
from reader.text import arxiv_id

__all__ = ["parse_potw", "parse_range"]

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS: dict[str, int] = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_RANGE = re.compile(
    r"\s*(?P<sm>[A-Za-z]{3,9})\.?\s*(?P<sd>\d{1,2})(?:st|nd|rd|th)?(?:\s*,?\s*(?P<sy>\d{4}))?"
    r"\s*(?:-+|–|—|to|through|until)\s*"
    r"(?:(?P<em>[A-Za-z]{3,9})\.?\s*)?(?P<ed>\d{1,2})(?:st|nd|rd|th)?(?:\s*,?\s*(?P<ey>\d{4}))?\s*",
    re.IGNORECASE,
)
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]+|$)(.*)")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_YEAR_AFTER = re.compile(r"\s*[-–—,:]?\s*\**\s*(\d{4})(?!\d)")
_POTW_WORDS = re.compile(r"papers\s+of\s+the\s+week", re.IGNORECASE)
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NEW_ARXIV_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}")

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_DELIMITER_CELL = re.compile(r"\s*:?-+:?\s*")
_ROW_NUMBER = re.compile(r"\d{1,4}\s*[.)](?=\s|\*|_|\[|$)\s*")
_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"https?://[^\s<>\[\]()|\"']+")
_BOLD_TITLE = re.compile(r"(\*\*|__)(.+?)\1(.*)", re.DOTALL)
_SEPARATOR = re.compile(r"[*_]*\s*[-–—:;,]*\s*")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BULLET = re.compile(r"\s*●\s*")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&nbsp;": " "}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))
_SOCIAL = {"tweet", "tweets", "thread", "x", "twitter", "post", "x-post", "linkedin"}
_HEADER_CELLS = {"paper", "papers", "title", "links", "link"}


@dataclass
class _Week:
    line: int
    month: int
    day: int
    year: int | None
    rows: list[tuple[int, str, str, str, tuple[Link, ...]]] = field(default_factory=list)
    """Per paper: its line, title, summary, link, other links."""


def parse_range(text: str) -> tuple[int, int, int | None] | None:
    """The end of a week's date range as (month, day, year or None); None if `text` is not one.

    >>> parse_range("June 19 - June 25"), parse_range("Feb 13 - 19"), parse_range("May 22-28")
    ((6, 25, None), (2, 19, None), (5, 28, None))
    >>> parse_range("December 30, 2024 - January 5"), parse_range("Dec 30 - Jan 5, 2025")
    ((1, 5, 2025), (1, 5, 2025))
    >>> parse_range("Summer 2023") is None, parse_range("June 19 - June 31") is None
    (True, True)
    """
    match = _RANGE.fullmatch(text)
    if match is None:
        return None
    start_month = _MONTHS.get(match.group("sm").lower())
    end_name = match.group("em")
    end_month = _MONTHS.get(end_name.lower()) if end_name else start_month
    if start_month is None or end_month is None:
        return None
    start_day, end_day = int(match.group("sd")), int(match.group("ed"))
    try:  # a leap year, so that February 29 passes here and is checked against the real year
        date(2000, start_month, start_day)
        date(2000, end_month, end_day)
    except ValueError:
        return None
    if match.group("ey"):
        return end_month, end_day, int(match.group("ey"))
    if match.group("sy"):
        crosses = (end_month, end_day) < (start_month, start_day)
        return end_month, end_day, int(match.group("sy")) + crosses
    return end_month, end_day, None


def _heading_week(heading: str, line: int, path: str) -> _Week | None:
    """The week a heading opens; None for any other heading; LoadError for a bad range."""
    text = heading.replace("**", "").replace("__", "")
    parentheses = list(_PARENTHESES.finditer(text))
    for match in parentheses:
        parsed = parse_range(match.group(1))
        if parsed is None:
            continue
        month, day, year = parsed
        if year is None:
            after = _YEAR_AFTER.match(text, match.end())
            if after is not None:
                year = int(after.group(1))
        return _Week(line, month, day, year)
    if parentheses and _POTW_WORDS.search(text):
        raise LoadError(
            path,
            line,
            f"unparseable week range ({parentheses[0].group(1)[:40]}) in the heading"
            " (expected like '(June 19 - June 25)' or '(Feb 13 - 19) - 2023')",
        )
    return None


# --- rows --------------------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    pieces = _UNESCAPED_PIPE.split(line) if "\\|" in line else line.split("|")
    if pieces and not pieces[0].strip():
        del pieces[0]
    if pieces and not pieces[-1].strip():
        del pieces[-1]
    return [piece.replace("\\|", "|").strip() for piece in pieces]


def _is_header_or_delimiter(cells: list[str]) -> bool:
    if all(_DELIMITER_CELL.fullmatch(cell) for cell in cells):
        return True
    names = [cell.replace("*", "").replace("_", "").strip().lower() for cell in cells]
    return names[0] in ("paper", "papers", "title") and set(names) <= _HEADER_CELLS


def _entities(text: str) -> str:
    return _ENTITY.sub(lambda match: _ENTITIES[match.group()], text) if "&" in text else text


def _inline(text: str) -> str:
    """Markdown links as their text, `**`/`__` dropped, entities decoded."""
    if "](" in text:
        text = _LINK.sub(lambda match: match.group(1) or match.group(2), text)
    return _entities(text.replace("**", "").replace("__", ""))


def _clean_title(text: str) -> str:
    text = _SPACES.sub(" ", _inline(text).replace("\n", " ")).strip()
    return text.rstrip(" -–—:;,").strip() or text


def _clean_summary(text: str) -> str:
    if "●" in text:
        text = _BULLET.sub("\n● ", text)
    text = _inline(text)
    if "\n" not in text:
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


SPLITS: tuple[str, ...] = ("bold", "separator", "opener", "none")
"""How `split_title` found the title: bold text; a separator (two spaces, a line break, a spaced
dash); a word that opens a summary (a guess); nothing (the row is title-only)."""

LONG_TITLE = 120
"""A title longer than this many characters is doubtful: it has probably swallowed its summary."""

# A mistyped bold: `*8Title**` (8 shares its key with `*`), `*Title**`, `***Title*`.
_BROKEN_BOLD = re.compile(r"([*_]{1,3})(?:8(?=[A-Z]))?([^*_\n]+?)[*_]{1,3}(?![*_])(.*)", re.DOTALL)
# Without bold: the first run of two or more spaces, a line break, or a dash with a space on
# both sides ends the title.
_TITLE_END = re.compile(r"\s{2,}|\n|\s[-–—]+\s")
# Without any separator: a word that opens a summary in the upstream's style ("… in LLMs
# Introduces a unified …", "… Workflow Graphs This paper presents …"), after at least one word.
_OPENER = re.compile(
    r"(?<=\S)\s+(?="
    r"(?:This|These)\s+(?:new\s+)?(?:paper|work|study|survey|report|review|research|approach)\b"
    r"|The\s+authors\b|Researchers\b|We\s+(?:introduce|propose|present)\b"
    r"|(?:Introduces|Proposes|Presents|Demonstrates|Investigates|Explores|Examines|Develops"
    r"|Provides|Discusses|Argues|Claims|Surveys|Evaluates|Releases)\b)"
)


def split_title(cell: str) -> tuple[str, str, str]:
    """A paper cell (after its item number) as (title, summary, how): `how` is one of `SPLITS`.

    The title is the leading `**bold**` text (also a mistyped one: `*8Title**`), the summary
    what follows after a separator (`-`, `–`, `:`). Without bold, the title runs to the first
    run of two or more spaces, line break (`<br>`) or spaced dash (`Title - summary`); without
    any of those (or when that title would be over `LONG_TITLE` characters), to the first word
    that opens a summary ("Introduces", "Proposes", "This paper", "The authors", "Researchers",
    ...); else the whole cell is the title.

    >>> split_title("**Bold** - a summary")[::2], split_title("VideoRAG - a framework")[::2]
    (('Bold', 'bold'), ('VideoRAG', 'separator'))
    >>> split_title("A Memory OS for LLMs Introduces a unified OS")
    ('A Memory OS for LLMs', 'Introduces a unified OS', 'opener')
    """
    if "<" in cell:
        cell = _BR.sub("\n", cell)
    bold = _BOLD_TITLE.match(cell)
    if bold is None and cell[:1] in "*_" and cell[:1]:
        bold = _BROKEN_BOLD.match(cell)
    if bold is not None and bold.group(2).strip():
        rest = bold.group(3)
        separator = _SEPARATOR.match(rest)
        summary = rest[separator.end() :] if separator else rest
        return _clean_title(bold.group(2)), _clean_summary(summary), "bold"
    cell = cell.strip()
    end = _TITLE_END.search(cell)
    how = "separator"
    if end is None or not cell[: end.start()].strip(" -–—") or end.start() > LONG_TITLE:
        opener = _OPENER.search(cell, 0, end.start() if end is not None else len(cell))
        if opener is not None or end is None:
            end, how = opener, "opener"
    if end is None:
        return _clean_title(cell), "", "none"
    return _clean_title(cell[: end.start()]), _clean_summary(cell[end.end() :]), how


def is_doubtful(title: str, how: str) -> bool:
    """Whether a split (from `split_title`) is doubtful: found by a guess, or a title still over
    `LONG_TITLE` characters."""
    return how == "opener" or len(title) > LONG_TITLE


def _title_and_summary(cell: str) -> tuple[str, str]:
    number = _ROW_NUMBER.match(cell)
    if number is not None:
        cell = cell[number.end() :]
    title, summary, _ = split_title(cell)
    return title, summary


def _links(cell: str) -> list[Link]:
    found = [
        Link(_SPACES.sub(" ", _entities(label)).strip() or "Link", url.strip())
        for label, url in _LINK.findall(cell)
        if url.strip()
    ]
    if not found:
        found = [
            Link("Link", url.rstrip(".,;:"))
            for url in _BARE_URL.findall(cell)
            if url.rstrip(".,;:")
        ]
    return found


_SOCIAL_HOSTS = re.compile(
    r"https?://(?:[\w-]+\.)*(?:x\.com|twitter\.com|linkedin\.com|threads\.net|bsky\.app)(?:[/:?#]|$)",
    re.IGNORECASE,
)


def _link_kind(link: Link) -> int:
    """0 for a Paper link, 1 for another non-social one, 2 for a tweet or another social post."""
    words = re.sub(r"[^a-z0-9]+", " ", link.label.lower()).split()
    if words and words[0] == "paper":
        return 0
    if " ".join(words) in _SOCIAL or _SOCIAL_HOSTS.match(link.url.strip()):
        return 2
    return 1


def _choose(links: list[Link], inline: list[Link]) -> tuple[str, tuple[Link, ...]]:
    """The paper's link and the other links, from the links cell's `links` and the summary
    cell's `inline` links (see the module rules)."""
    ranked = [(_link_kind(link), 0, at) for at, link in enumerate(links)]
    ranked += [(_link_kind(link), 1, at) for at, link in enumerate(inline)]
    kind, cell, at = min(ranked)
    if kind == 2 and links:  # nothing but social links: the links cell's first
        cell, at = 0, 0
    if cell == 1:
        return inline[at].url, tuple(links)
    return links[at].url, tuple(links[:at] + links[at + 1 :])


def _row(line: str, number: int, path: str) -> tuple[int, str, str, str, tuple[Link, ...]] | None:
    """A paper row as (line, title, summary, link, links); None for a header or alignment row."""
    cells = _cells(line)
    if not cells or _is_header_or_delimiter(cells):
        return None
    paper_cell = "|".join(cells[:-1]) if len(cells) > 1 else cells[0]
    links = _links(cells[-1]) if len(cells) > 1 else []
    inline = _links(paper_cell) if "](" in paper_cell or not links else []
    if not links:  # a row without a links cell: its own links are the row's links
        links, inline = inline, []
    title, summary = _title_and_summary(paper_cell)
    if not title:
        raise LoadError(path, number, "empty title")
    if not links:
        raise LoadError(
            path, number, "no link in the row (expected links like [Paper](https://...))"
        )
    link, others = _choose(links, inline)
    return number, title, summary, link, others


# --- years -------------------------------------------------------------------------------------


def _arxiv_year(week: _Week) -> int | None:
    """The year of a week from the newest arXiv id among its papers' links."""
    newest: tuple[int, int] | None = None
    for _, _, _, link, others in week.rows:
        for url in (link, *(other.url for other in others)):
            identifier = arxiv_id(url)
            match = _NEW_ARXIV_ID.fullmatch(identifier) if identifier else None
            if match is not None:
                stamp = (int(match.group(1)), int(match.group(2)))
                if 1 <= stamp[1] <= 12 and (newest is None or stamp > newest):
                    newest = stamp
    if newest is None:
        return None
    year, month = 2000 + newest[0], newest[1]
    return year + 1 if week.month < month else year


def _default_anchor(weeks: list[_Week], path: str, today: date) -> tuple[int, int]:
    """(index, year) of a week whose year is guessed when no heading has one."""
    for index, week in enumerate(weeks):
        year = _arxiv_year(week)
        if year is not None:
            return index, year
    found = _FILE_YEAR.findall(os.path.basename(path))
    if found:
        return 0, int(found[0])
    first = weeks[0]
    future = (first.month, first.day) > (today.month, today.day)
    return 0, today.year - future


def _listed_oldest_first(days: list[tuple[int, int]]) -> bool:
    """Whether the weeks run oldest first: consecutive headings a few weeks apart vote (a step
    of +7 days is oldest first, -7 days newest first, across a year end too); far-apart ones do
    not. Newest first, upstream's order, unless the votes say otherwise."""
    votes = 0
    for (month, day), (next_month, next_day) in zip(days, days[1:]):  # noqa: B905
        step = (date(2000, next_month, next_day) - date(2000, month, day)).days % 366
        if 0 < step <= 42:
            votes += 1
        elif step >= 366 - 42:
            votes -= 1
    return votes > 0


def _assign_years(weeks: list[_Week], path: str, today: date) -> None:
    """Give every week a year: its own, else inferred from its neighbours (module rules)."""
    anchors = [index for index, week in enumerate(weeks) if week.year is not None]
    if not anchors:
        index, year = _default_anchor(weeks, path, today)
        weeks[index].year = year
        anchors = [index]
    days = [(week.month, week.day) for week in weeks]
    ascending = _listed_oldest_first(days)
    first = anchors[0]
    for index in range(first - 1, -1, -1):  # upwards from the first known year
        below = weeks[index + 1]
        assert below.year is not None
        if ascending:
            weeks[index].year = below.year - int(days[index] > days[index + 1])
        else:
            weeks[index].year = below.year + int(days[index] < days[index + 1])
    for index in range(first + 1, len(weeks)):  # downwards
        if weeks[index].year is not None:
            continue
        above = weeks[index - 1]
        assert above.year is not None
        if ascending:
            weeks[index].year = above.year + int(days[index] < days[index - 1])
        else:
            weeks[index].year = above.year - int(days[index] > days[index - 1])


# --- the parser --------------------------------------------------------------------------------


def parse_potw(text: str, path: str = "<string>", today: date | None = None) -> list[Paper]:
    """The papers of an "ML Papers of the Week" README, in source order (see the module rules).

    `today` (default: the current date) only matters for a file with no year anywhere.
    Raises LoadError (with `path` and the 1-based line) for: no week headings, a week heading
    whose range cannot be read, a row without a title or a link, a date that does not exist
    (February 29 in the inferred year).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    weeks: list[_Week] = []
    current: _Week | None = None
    for index, line in enumerate(text.split("\n")):
        if len(line) > LINE_CHARS:
            raise LoadError(path, index + 1, too_long(len(line)))
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] == "#":
            heading = _HEADING.match(line)
            if heading is not None:
                current = _heading_week(heading.group(1).strip().rstrip("#"), index + 1, path)
                if current is not None:
                    weeks.append(current)
                continue
        if current is None or "|" not in stripped:
            continue
        if stripped[0] != "|" and _ROW_NUMBER.match(stripped) is None:
            continue
        row = _row(stripped, index + 1, path)
        if row is not None:
            current.rows.append(row)
    if not weeks:
        raise LoadError(
            path,
            None,
            "no week headings: expected '## Top AI Papers of the Week (June 21 - June 28) - 2026'"
            " followed by a table of papers",
        )
    _assign_years(weeks, path, today or date.today())
    papers: list[Paper] = []
    for week in weeks:
        assert week.year is not None
        try:
            end = date(week.year, week.month, week.day)
        except ValueError:
            raise LoadError(
                path, week.line, f"no such date: {week.year}-{week.month:02d}-{week.day:02d}"
            ) from None
        papers.extend(
            Paper(
                week=end,
                title=title,
                link=link,
                arxiv_id=arxiv_id(link),
                summary=summary,
                links=links,
                line=line,
            )
            for line, title, summary, link, links in week.rows
        )
    return papers
