"""Writing a selection of papers for `reader --print`: table, json, csv, markdown, links, and the
citation formats bibtex and ris (`reader.citations`).

No Textual here. Every writer streams: it writes paper by paper (the table in chunks), so printing
100,000 papers never builds one giant string.

Terminal safety: a digest is untrusted text, and output often goes straight to a terminal.

- json keeps every character exactly, escaping control characters, C1 controls, DEL and bidi
  overrides as ``\\uXXXX`` (``json.dumps`` itself escapes only the characters below U+0020).
- table, csv, markdown and links always (not only on a terminal) make such characters inert with
  `reader.text.inert`: ESC becomes ``␛``, U+202E becomes ``<U+202E>``, and so on. Ordinary text is
  left untouched, and `inert` is idempotent, so ``reader X --print --format F | reader - --print
  --format F`` is byte-identical for csv and markdown too.
- Newlines: csv keeps them inside quoted fields (as the csv module writes them); markdown writes
  a multi-line cell as continuation rows whose Week cell is blank (as pandas/tabulate do), which
  the loader joins back with newlines. Pipe-table cells are stripped, so spaces at the start or
  end of a line in a cell do not survive a markdown round trip; CR becomes ``␍`` (inert).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

from reader.feeds import upvotes_of
from reader.model import UNDATED, Digest, Origin, Paper, week_text
from reader.reading import ReadingState
from reader.text import inert, inert_lines, is_web_link

if TYPE_CHECKING:
    from reader.arxiv import Metadata

Lookup = Callable[[str], "Metadata | None"]

FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown", "links", "bibtex", "ris")
"""The formats `write_papers` knows, the default first."""

FIELDS: tuple[str, ...] = ("week", "title", "category", "abstract", "link", "arxiv_id")
"""The field names of json objects and csv columns, in order."""

EXTRA_FIELDS: tuple[str, ...] = ("summary", "links")
"""Fields of papers read from the upstream README (`Paper.summary`, `Paper.links`): a json object
has each only when the paper has it; csv has both columns when any printed paper has either
(links one per line as `label<TAB>url`). Markdown, the digest's own table, has neither."""

AUTHOR_FIELD = "authors"
"""Known authors (`Paper.authors`): a json list of names, a csv column with one name a line
(present when any printed paper has authors). Markdown and the table have none."""

SOURCE_FIELDS: tuple[str, ...] = ("sources", "upvotes")
"""Where a paper read from feeds was picked (issue 29): a json list of `{"feed", "day", …}`
objects, and its upvotes on Hugging Face when known (derived from `sources`; reading ignores
it). Only json carries them; json reads `sources` back, so round trips hold."""

NOTE_FIELDS: tuple[str, ...] = ("note", "tags")
"""The reader's own note and tags of a paper (from the reading state): a json object has `note`
(text) and `tags` (a list) only when the paper has them; csv has both columns (tags separated by
spaces) when any printed paper has either. Reading a digest ignores them, so round trips hold."""

SCORE_FIELD = "score"
"""A `like:` query's similarity of each paper (0 to 1, three decimals): a json member and a csv
column last, a table column after the week. Markdown, links and the citations have none."""

MARKDOWN_HEADER: tuple[str, ...] = ("Week", "title", "category", "abstract", "Paper-Link")
"""The header of the markdown table: the bundled digest's own."""


def _annotations(state: ReadingState | None, key: str) -> tuple[str, tuple[str, ...]]:
    """The paper's note and tags, when the state keeps them."""
    note = getattr(state, "note", None)
    tags = getattr(state, "tags", None)
    text = note(key) if callable(note) else ""
    names = tags(key) if callable(tags) else ()
    return (text if isinstance(text, str) else ""), tuple(names)


EXPORTS: dict[str, tuple[str, str, str]] = {
    "markdown": ("Markdown", ".md", "text/markdown"),
    "json": ("JSON", ".json", "application/json"),
    "csv": ("CSV", ".csv", "text/csv"),
    "bibtex": ("BibTeX", ".bib", "application/x-bibtex"),
    "ris": ("RIS", ".ris", "application/x-research-info-systems"),
    "links": ("links", ".txt", "text/plain"),
}
"""The formats the reader exports its view in (e, E, the palette): label, extension, MIME type."""


def export_filename(digest_name: str, week: date | None, fmt: str, query: str = "") -> str:
    """A safe file name for an export of a view: `ml-papers-2023-2023-06-25.md`, `…-all.json`,
    with the query's short form (`reader.exports.query_slug`) last: `…-all-diffusion.md`."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", digest_name).strip("-.") or "digest"
    when = "all" if week is None else (week_text(week) or "undated")
    what = re.sub(r"[^a-z0-9-]+", "-", query.lower()).strip("-")
    return f"{stem[:80]}-{when}{'-' + what if what else ''}{EXPORTS[fmt][1]}"


def write_papers(
    digest: Digest,
    indices: Iterable[int],
    fmt: str,
    out: TextIO,
    state: ReadingState | None = None,
    color: bool | None = None,
    metadata: Lookup | None = None,
    scores: Callable[[int], float] | None = None,
) -> int:
    """Write the papers of `digest` at `indices`, in that order, to `out` in format `fmt`.

    `state`, when given, adds `read` and `starred` to json objects, and the paper's `note` and
    `tags` to json and csv (see `NOTE_FIELDS`). `color`: None follows the
    terminal (and NO_COLOR / FORCE_COLOR), False never styles, True always does; only the table
    is styled. `metadata` (arXiv id -> cached arXiv metadata) completes bibtex and ris.
    `scores` (digest index -> similarity, `reader.similar.Ranking.score`) adds `SCORE_FIELD` to
    json, csv and the table. Returns the number of papers written.
    """
    if scores is not None and fmt in ("json", "csv", "table"):
        indices = indices if isinstance(indices, Sequence) else list(indices)
        found: Sequence[float] | None = [round(scores(index), 3) for index in indices]
    else:
        found = None
    if fmt in ("bibtex", "ris"):
        from reader.citations import write_bibtex, write_ris

        papers_of = (digest.papers[index] for index in indices)
        if fmt == "bibtex":
            return write_bibtex(papers_of, out, metadata)
        return write_ris(papers_of, out, metadata)
    if fmt == "csv":  # its header depends on the selection
        return _write_csv([digest.papers[index] for index in indices], out, state, found)
    papers = (digest.papers[index] for index in indices)
    if fmt == "json":
        return _write_json(papers, out, state, found)
    if fmt == "markdown":
        return _write_markdown(papers, out)
    if fmt == "links":
        return _write_links(papers, out)
    if fmt == "table":
        return _write_table(digest, indices, out, color, found)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- json --------------------------------------------------------------------------------------

_JSON_STRING: Callable[[str], str] = json.encoder.encode_basestring
_JSON_ASCII: Callable[[str], str] = json.encoder.encode_basestring_ascii
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def _escape_json(text: str) -> str:
    """`text` (json.dumps output) with the characters json leaves raw escaped as \\uXXXX."""
    if text.isascii() and "\x7f" not in text:  # isascii is a flag: no scan; DEL is the only one
        return text
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def origin_record(origin: Origin) -> dict[str, Any]:
    """A pick of the paper as json writes it (`sources`): feed and day, then what is known."""
    record: dict[str, Any] = {"feed": origin.feed, "day": origin.day.isoformat()}
    if origin.upvotes is not None:
        record["upvotes"] = origin.upvotes
    if origin.comments is not None:
        record["comments"] = origin.comments
    if origin.announce:
        record["announce"] = origin.announce
    if origin.listing:
        record["listing"] = origin.listing
    return record


def paper_record(paper: Paper, state: ReadingState | None = None) -> dict[str, Any]:
    """The json object of a paper: the `FIELDS`; `summary` and `links` (a list of
    `{"label", "url"}`) when the paper has them; `authors`; `sources` (`origin_record`, a paper
    that feeds picked: `reader.feeds`) and its `upvotes` when known; `read` and `starred` when
    `state` is given."""
    record: dict[str, Any] = {
        "week": week_text(paper.week),
        "title": paper.title,
        "category": paper.category,
        "abstract": paper.abstract,
        "link": paper.link,
        "arxiv_id": paper.arxiv_id,
    }
    if paper.summary:
        record["summary"] = paper.summary
    if paper.links:
        record["links"] = [{"label": link.label, "url": link.url} for link in paper.links]
    if paper.authors:
        record["authors"] = list(paper.authors)
    if paper.origins:
        record["sources"] = [origin_record(origin) for origin in paper.origins]
        votes = upvotes_of(paper)
        if votes is not None:
            record["upvotes"] = votes
    if state is not None:
        record["read"] = bool(state.is_read(paper.key))
        record["starred"] = bool(state.is_starred(paper.key))
        note, tags = _annotations(state, paper.key)
        if note:
            record["note"] = note
        if tags:
            record["tags"] = list(tags)
    return record


_JSON_CONSTANTS: dict[object, str] = {True: "true", False: "false", None: "null"}


def _json_value(value: object, ascii_only: bool) -> str:
    if isinstance(value, str):
        return _JSON_ASCII(value) if ascii_only else _JSON_STRING(value)
    if value is True or value is False or value is None:  # read, starred, a missing arxiv_id
        return _JSON_CONSTANTS[value]
    if isinstance(value, list) and value and isinstance(value[0], str):  # authors, tags
        items = (f"      {_json_value(item, ascii_only)}" for item in value)
        return "[\n" + ",\n".join(items) + "\n    ]"
    if isinstance(value, list) and value:  # links: objects of strings, laid out as json.dumps does
        items = (
            "      {\n"
            + ",\n".join(
                f"        {_json_value(key, ascii_only)}: {_json_value(item, ascii_only)}"
                for key, item in entry.items()
            )
            + "\n      }"
            for entry in value
        )
        return "[\n" + ",\n".join(items) + "\n    ]"
    return json.dumps(value)


def _write_json(
    papers: Iterable[Paper],
    out: TextIO,
    state: ReadingState | None,
    scores: Sequence[float] | None = None,
) -> int:
    # The same text as json.dumps(list, indent=2, ensure_ascii=False), written object by object.
    # json.dumps with indent runs in pure Python; the records are flat, so their layout is built
    # here around the C string encoder (3x faster). Where the output cannot encode all of
    # Unicode, everything beyond ASCII is escaped instead.
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("_", "-")
    ascii_only = not encoding.startswith("utf")
    count = 0
    for paper in papers:
        record = paper_record(paper, state)
        if scores is not None:
            record[SCORE_FIELD] = scores[count]
        members = ",\n".join(
            f'    "{key}": {_json_value(value, ascii_only)}' for key, value in record.items()
        )
        out.write(("[\n  {\n" if count == 0 else ",\n  {\n") + _escape_json(members) + "\n  }")
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


# --- csv ---------------------------------------------------------------------------------------


def _write_csv(
    papers: Sequence[Paper],
    out: TextIO,
    state: ReadingState | None = None,
    scores: Sequence[float] | None = None,
) -> int:
    writer = csv.writer(out, lineterminator="\n")
    extra = any(paper.summary or paper.links for paper in papers)
    authors = any(paper.authors for paper in papers)
    annotations = [_annotations(state, paper.key) for paper in papers] if state is not None else []
    noted = any(note or tags for note, tags in annotations)
    writer.writerow(
        (FIELDS + EXTRA_FIELDS if extra else FIELDS)
        + ((AUTHOR_FIELD,) if authors else ())
        + (NOTE_FIELDS if noted else ())
        + ((SCORE_FIELD,) if scores is not None else ())
    )
    count = 0
    for paper in papers:
        row = [
            week_text(paper.week),
            inert(paper.title, keep_newlines=True),
            inert(paper.category, keep_newlines=True),
            inert(paper.abstract, keep_newlines=True),
            inert(paper.link),
            paper.arxiv_id or "",
        ]
        if extra:
            row.append(inert(paper.summary, keep_newlines=True))
            row.append("\n".join(f"{inert(link.label)}\t{inert(link.url)}" for link in paper.links))
        if authors:
            row.append("\n".join(inert(name) for name in paper.authors))
        if noted:
            note, tags = annotations[count]
            row.append(inert(note, keep_newlines=True))
            row.append(" ".join(inert(tag) for tag in tags))
        if scores is not None:
            row.append(f"{scores[count]:.3f}")
        writer.writerow(row)
        count += 1
    return count


# --- markdown ----------------------------------------------------------------------------------


def markdown_cell(text: str) -> list[str]:
    """`text` as the cells of a pipe-table column: one per line, inert, `|` escaped as `\\|`.

    >>> markdown_cell("a | b\\x1b\\nc")
    ['a \\\\| b␛', 'c']
    """
    cleaned = inert(text.strip(), keep_newlines=True).replace("|", "\\|")
    if "\n" not in cleaned:
        return [cleaned]
    return [line.strip() for line in cleaned.split("\n")]


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _write_markdown(papers: Iterable[Paper], out: TextIO) -> int:
    out.write(_markdown_row(MARKDOWN_HEADER))
    out.write("|" + "|".join(":---" for _ in MARKDOWN_HEADER) + "|\n")
    count = 0
    for paper in papers:
        title, category, abstract, link = (
            markdown_cell(paper.title),
            markdown_cell(paper.category),
            markdown_cell(paper.abstract),
            markdown_cell(paper.link),
        )
        columns = (title, category, abstract, link)
        # An undated paper's week is `undated`: a blank Week cell means a continuation row.
        week = "undated" if paper.week == UNDATED else paper.week.isoformat()
        out.write(_markdown_row((week, *(column[0] for column in columns))))
        # A multi-line cell continues on rows with a blank week, as pandas/tabulate write it.
        for row in range(1, max(map(len, columns))):
            cells = (column[row] if row < len(column) else "" for column in columns)
            out.write(_markdown_row(("", *cells)))
        count += 1
    return count


# --- links -------------------------------------------------------------------------------------


def _write_links(papers: Iterable[Paper], out: TextIO) -> int:
    count = 0
    for paper in papers:
        out.write(inert(paper.link) + "\n")
        count += 1
    return count


# --- table -------------------------------------------------------------------------------------

TABLE_CHUNK = 500
"""Rows rendered per Rich table: the chunks share column widths, so they join seamlessly."""


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


LINK_HEADER = "arXiv/link"


def _link_cell(paper: Paper) -> str:
    return paper.arxiv_id or paper.link


def _write_table(
    digest: Digest,
    indices: Iterable[int],
    out: TextIO,
    color: bool | None,
    scores: Sequence[float] | None = None,
) -> int:
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would raise SystemExit(1); let the caller handle it like any broken pipe.
            self.quiet = True
            raise BrokenPipeError

    console = _Console(
        file=out,
        force_terminal=color,
        no_color=False if color else None,
        color_system="auto" if color is not False else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    order = indices if isinstance(indices, Sequence) else list(indices)
    papers = digest.papers

    # Column widths from the whole selection, so that every chunk lays out the same. Four
    # columns, one space of padding on each side of a separator, and three (blank) separators:
    # 9 cells that hold no text. The week takes 10; the title gives way first, then the
    # category and the link (which wrap or are cut with an ellipsis).
    available = max(console.width, 40) - 9 - 10 - (8 if scores is not None else 0)
    # Measured as shown: inert text is wider than the raw (a control character takes no cell).
    title_len = max(
        (max(map(cell_len, inert_lines(papers[i].title).split("\n"))) for i in order), default=0
    )
    category_len = max((cell_len(inert(papers[i].category)) for i in order), default=0)
    link_len = max((cell_len(inert(_link_cell(papers[i]))) for i in order), default=0)
    title_len, category_len = max(title_len, 5), max(category_len, 8)
    link_len = max(link_len, len(LINK_HEADER))
    if title_len + category_len + link_len <= available:
        title_width, category_width, link_width = title_len, category_len, link_len
    else:
        category_width = min(category_len, max(8, available // 5))
        link_width = min(link_len, max(len(LINK_HEADER), available // 4))
        title_width = max(5, available - category_width - link_width)

    def new_table(header: bool) -> Table:
        table = Table(
            box=box.SIMPLE_HEAD,
            show_header=header,
            show_edge=False,
            pad_edge=False,
            header_style="bold",
            expand=False,
        )
        table.add_column("Week", width=10, min_width=10, max_width=10, no_wrap=True)
        if scores is not None:  # a like: query's similarity, before the title it explains
            table.add_column("Score", width=5, min_width=5, justify="right", no_wrap=True)
        table.add_column("Title", width=title_width, min_width=title_width, overflow="fold")
        table.add_column(
            "Category",
            width=category_width,
            min_width=category_width,
            style="dim",
            overflow="ellipsis",
            no_wrap=True,
        )
        table.add_column(LINK_HEADER, width=link_width, min_width=link_width, overflow="fold")
        return table

    if not order:
        console.print(new_table(header=True))
        return 0
    count = 0
    for number, chunk in enumerate(_chunks(order, TABLE_CHUNK)):
        table = new_table(header=number == 0)
        for index in chunk:
            paper = papers[index]
            link = Text(inert(_link_cell(paper)))
            if is_web_link(paper.link):
                link.stylize(Style(link=paper.link.strip()))
            score = () if scores is None else (f"{scores[count]:.2f}",)
            table.add_row(
                week_text(paper.week),
                *score,
                Text(inert_lines(paper.title)),  # a line break in a title is meant
                Text(inert(paper.category)),
                link,
            )
            count += 1
        console.print(table)
    return count
