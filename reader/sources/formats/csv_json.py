"""CSV with a header row, and JSON as `reader --print --format json` writes it.

CSV:

    week,title,category,abstract,link,arxiv_id
    2023-06-25,QLoRA: Efficient Finetuning of Quantized LLMs,cs.LG,"We present QLoRA, ...",https://...

- The first non-blank record is the header. Columns are matched by name as in the pipe table
  (case-insensitively, `_`, `-` and spaces alike, any order): Week, Title, Category, Abstract,
  and the link: Paper-Link (or PaperURL), else Link, else URL. Title and the link are required;
  Week, Category, Abstract, Summary (or Description), Links, Authors and TweetURL may be missing;
  others (arxiv_id, read, ...) are ignored. A blank week (or `undated`, `none`), or no Week
  column at all, makes the paper undated (`reader.model.UNDATED`): the upstream CSV of
  abstracts, `Title,Description,PaperURL,TweetURL,Abstract`, is read so (its TweetURL becomes a
  Tweet link).
- Fields are read as the csv module reads Excel's dialect: quoted fields may hold commas, quotes
  (doubled) and line breaks. Values are kept exactly (not stripped), so a printed CSV reads back
  to the same papers. Tab-separated files (a `.tsv` name, or a header with tabs and no commas)
  are read the same way. Blank records are skipped; a short record is padded.
- Links: one link per line, `label<TAB>url` (as `--format csv` writes them); a line without a
  tab is `label url` (the last word is the url) or just a url.

JSON: a list of objects with the keys `week`, `title`, `link` (required strings), `category`,
`abstract`, `summary` (optional strings or null), `links` (optional list of `{"label", "url"}`),
`authors` (optional list of names; in CSV one name a line), `sources` (optional, the feeds that
picked the paper as `--format json` writes them: `[{"feed": "hf", "day": "2026-06-24",
"upvotes": 212}, …]`; see `reader.feeds`); keys are matched like CSV columns; `arxiv_id`,
`upvotes`, `read`, `starred` and unknown keys are ignored.

For both, `week` is `YYYY-MM-DD` (optionally with a time; blank for an undated paper), title and
link must not be blank, and the arXiv id always comes from the link. Errors carry the line of the
record (CSV) or the object (JSON; the decoder's own line for malformed JSON). No Textual here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from reader.feeds import ANNOUNCE_TYPES, FEEDS
from reader.model import Link, Origin, Paper
from reader.sources.formats import (
    COLUMNS,
    CUT_ROW,
    REQUIRED,
    LoadError,
    match_columns,
    parse_week,
    parse_week_cell,
    require_columns,
)
from reader.text import arxiv_id, json_problem

__all__ = ["json_items", "json_kind", "json_string", "parse_csv", "parse_json", "parse_links_cell"]

# The shared columns, and two that only CSV and JSON carry.
_FIELDS: dict[str, tuple[str, int]] = {
    **COLUMNS,
    "summary": ("summary", 0),
    "description": ("summary", 1),
    "links": ("links", 0),
    "authors": ("authors", 0),
    "author": ("authors", 1),
    "tweeturl": ("tweet", 0),
    "tweet-url": ("tweet", 0),
    "tweet": ("tweet", 1),
    "sources": ("sources", 0),
}
_CSV_REQUIRED = tuple((field, label) for field, label in REQUIRED if field != "week")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CSV_FIELD_LIMIT = 2**31 - 1


def _paper(
    path: str,
    line: int,
    week_text: str,
    title: str,
    link: str,
    category: str = "",
    abstract: str = "",
    summary: str = "",
    links: tuple[Link, ...] = (),
    authors: tuple[str, ...] = (),
) -> Paper:
    week = parse_week_cell(week_text)
    if week is None:
        raise LoadError(
            path, line, f"unparseable week {week_text[:40]!r} (expected YYYY-MM-DD, or blank)"
        )
    if not title.strip():
        raise LoadError(path, line, "empty title")
    if not link.strip():
        raise LoadError(path, line, "empty link")
    return Paper(
        week=week,
        title=title,
        link=link,
        category=category,
        abstract=abstract,
        arxiv_id=arxiv_id(link),
        summary=summary,
        links=links,
        line=line,
        authors=authors,
    )


def _columns(names: Sequence[str]) -> dict[str, int]:
    """Field -> position of its column (or JSON key); the first of equal names wins."""
    return match_columns(names, _FIELDS)


# --- CSV ---------------------------------------------------------------------------------------


def parse_links_cell(text: str) -> tuple[Link, ...]:
    """The links of a CSV `links` cell: one per line, `label<TAB>url` (the URL after the last
    tab), `label url` or `url`.

    >>> parse_links_cell("Tweet\\thttps://x.com/1\\nCode https://github.com/a\\nhttps://b.org")
    (Link(label='Tweet', url='https://x.com/1'), Link(label='Code', url='https://github.com/a'), \
Link(label='Link', url='https://b.org'))
    """
    links: list[Link] = []
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if "\t" in line:
            label, url = line.rsplit("\t", 1)  # a URL has no tab; a label may
        else:
            words = line.split()
            label, url = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else ("", words[0])
        if url.strip():
            links.append(Link(label if label.strip() else "Link", url))
    return tuple(links)


def author_names(names: list[str]) -> tuple[str, ...]:
    """Author names as a paper keeps them: whitespace runs made one space, blanks dropped.

    >>> author_names(["Tim  Dettmers", " ", "Ari\nHoltzman"])
    ('Tim Dettmers', 'Ari Holtzman')
    """
    return tuple(cleaned for name in names if (cleaned := " ".join(name.split())))


def parse_csv(text: str, path: str = "<string>") -> list[Paper]:
    """The papers of a CSV file with a header row, in source order (see the module rules)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    tabs = path.lower().endswith(".tsv") or ("\t" in first_line and "," not in first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabs else ",")
    start = 1  # the first line of the record being read
    header: list[str] | None = None
    columns: dict[str, int] = {}
    papers: list[Paper] = []
    old_limit = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(fields):
                continue
            if header is None:
                header = fields
                columns = _csv_columns(header, path, line)
                continue
            count = len(fields)
            week, title, link, category, abstract, summary, links, authors, tweet = (
                fields[at] if 0 <= at < count else ""
                for at in (columns.get(name, -1) for name in _CSV_ORDER)
            )
            extra = parse_links_cell(links) if links else ()
            if tweet.strip():
                extra += (Link("Tweet", tweet.strip()),)
            try:
                paper = _paper(
                    path,
                    line,
                    week,
                    title,
                    link,
                    category,
                    abstract,
                    summary,
                    extra,
                    author_names(authors.split("\n")) if authors else (),
                )
            except LoadError as failure:
                if columns["link"] < count:
                    raise
                raise LoadError(path, line, f"{failure.message}{CUT_ROW}") from None
            papers.append(paper)
    except csv.Error as error:
        raise LoadError(path, start, f"bad CSV: {error}") from None
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise LoadError(path, None, "no header row: expected week,title,...,link")
    return papers


_CSV_ORDER = (
    "week",
    "title",
    "link",
    "category",
    "abstract",
    "summary",
    "links",
    "authors",
    "tweet",
)


def _csv_columns(header: list[str], path: str, line: int) -> dict[str, int]:
    columns = _columns(header)
    require_columns(columns, ", ".join(header)[:200], path, line, _CSV_REQUIRED)
    return columns


# --- JSON --------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def json_string(value: object, key: str, path: str, line: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LoadError(path, line, f"{key!r} must be a string, not {json_kind(value)}")
    if _SURROGATE.search(value):  # a lone \ud800 escape: not text any output could encode
        return _SURROGATE.sub("\ufffd", value)
    return value


def _json_links(value: object, path: str, line: int) -> tuple[Link, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise LoadError(path, line, f"'links' must be a list, not {json_kind(value)}")
    links: list[Link] = []
    for item in value:
        if isinstance(item, str):
            label, url = "Link", json_string(item, "links", path, line)
        elif isinstance(item, dict):
            label = json_string(item.get("label"), "label", path, line) or "Link"
            url = json_string(item.get("url"), "url", path, line)
        else:
            raise LoadError(
                path,
                line,
                f'\'links\' holds {json_kind(item)}; expected {{"label", "url"}} objects',
            )
        if url.strip():
            links.append(Link(label, url))
    return tuple(links)


def _json_authors(value: object, path: str, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return author_names(value.split("\n"))
    if not isinstance(value, list):
        raise LoadError(path, line, f"'authors' must be a list of names, not {json_kind(value)}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise LoadError(
                path, line, f"'authors' holds {json_kind(item)}; expected names (strings)"
            )
        names.append(json_string(item, "authors", path, line))
    return author_names(names)


def _json_paper(value: object, path: str, line: int) -> Paper:
    if not isinstance(value, dict):
        raise LoadError(path, line, f"expected a paper object, found {json_kind(value)}")
    keys = list(value)
    columns = _columns(keys)
    for field, label in REQUIRED:
        if field not in columns:
            raise LoadError(path, line, f"the paper has no {label.split(' ')[0]!r} key")

    def get(field: str) -> str:
        at = columns.get(field)
        if at is None:
            return ""
        return json_string(value[keys[at]], keys[at], path, line)

    links_at = columns.get("links")
    authors_at = columns.get("authors")
    sources_at = columns.get("sources")
    paper = _paper(
        path,
        line,
        get("week"),
        get("title"),
        get("link"),
        get("category"),
        get("abstract"),
        get("summary"),
        _json_links(value[keys[links_at]], path, line) if links_at is not None else (),
        _json_authors(value[keys[authors_at]], path, line) if authors_at is not None else (),
    )
    if sources_at is None or value[keys[sources_at]] is None:
        return paper
    return replace(paper, origins=_json_origins(value[keys[sources_at]], path, line))


def _json_origins(value: object, path: str, line: int) -> tuple[Origin, ...]:
    """`sources` as `--format json` writes them (`reader.output.origin_record`)."""
    if not isinstance(value, list):
        raise LoadError(path, line, f"'sources' must be a list, not {json_kind(value)}")
    origins: list[Origin] = []
    for item in value:
        if not isinstance(item, dict):
            raise LoadError(path, line, f"'sources' holds {json_kind(item)}; expected objects")
        feed = json_string(item.get("feed"), "feed", path, line)
        if feed not in FEEDS:
            raise LoadError(path, line, f"a source's 'feed' must be one of {', '.join(FEEDS)}")
        day = parse_week(json_string(item.get("day"), "day", path, line))
        if day is None:
            raise LoadError(path, line, "a source's 'day' must be a date (YYYY-MM-DD)")
        counts: list[int | None] = []
        for key in ("upvotes", "comments"):
            number = item.get(key)
            if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
                raise LoadError(path, line, f"a source's {key!r} must be a whole number")
            counts.append(number)
        announce = json_string(item.get("announce"), "announce", path, line)
        listing = json_string(item.get("listing"), "listing", path, line)
        origins.append(
            Origin(
                feed,
                day,
                upvotes=counts[0],
                comments=counts[1],
                announce=announce if announce in ANNOUNCE_TYPES else "",
                listing=listing if _LISTING.fullmatch(listing) else "",
            )
        )
    return tuple(origins)


_LISTING = re.compile(r"[A-Za-z][A-Za-z.+\-]{0,200}")


def parse_json(text: str, path: str = "<string>") -> list[Paper]:
    """The papers of a JSON list of paper objects, in order (see the module rules).

    The list is decoded object by object, so each error names the line of its object.
    """
    return [_json_paper(value, path, line) for value, line in json_items(text, path)]


def json_items(
    text: str, path: str, what: str = "a JSON list of papers ([{...}, ...])"
) -> Iterator[tuple[object, int]]:
    """The items of the JSON list `text` with the line each starts on, decoded one by one, so
    that an error names its line. `what` says what was expected when `text` is not a list."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # JSON allows CR only as whitespace; count lines as the other formats do
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    decoder = json.JSONDecoder()
    size = len(text)
    counted_to, line = 0, 1

    def line_at(position: int) -> int:
        nonlocal counted_to, line
        line += text.count("\n", counted_to, position)
        counted_to = position
        return line

    def skip(position: int) -> int:
        match = _WHITESPACE.match(text, position)
        return match.end() if match else position

    position = skip(0)
    if position == size:
        raise LoadError(path, None, f"empty: expected {what}")
    if text[position] != "[":
        found = "an object" if text[position] == "{" else f"{text[position]!r}"
        raise LoadError(path, line_at(position), f"expected {what}, not {found}")
    position = skip(position + 1)
    if position < size and text[position] == "]":
        position += 1
    else:
        while True:
            start = line_at(position)
            try:
                value, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                raise LoadError(path, error.lineno, f"bad JSON: {json_problem(error)}") from None
            except (ValueError, RecursionError) as error:
                message = "nested too deeply" if isinstance(error, RecursionError) else str(error)
                raise LoadError(path, start, f"bad JSON: {message}") from None
            yield value, start
            position = skip(end)
            if position < size and text[position] == ",":
                position = skip(position + 1)
                continue
            if position < size and text[position] == "]":
                position += 1
                break
            cut = " (is the file cut short?)" if position >= size else ""
            raise LoadError(
                path,
                line_at(min(position, size)),
                f"bad JSON: expected ',' or ']' after a paper{cut}",
            )
    position = skip(position)
    if position < size:
        raise LoadError(path, line_at(position), "bad JSON: extra data after the list")
