"""The pipe-table digest format (GFM tables, as pandas/tabulate `to_markdown` writes them).

    | Week       | title | category | abstract | Paper-Link                         |
    |:-----------|:------|:---------|:---------|:-----------------------------------|
    | 2023-06-25 | ...   | cs.CL    | ...      | https://arxiv.org/abs/2306.12345v1 |

Rules:
- The table is the first header row followed by a GFM alignment row with as many cells
  (`| --- | :--: |`); text before it is ignored. It ends at the first line without a pipe (a blank
  line, or prose after the table); what follows is ignored.
- Columns are found by header name, case-insensitively, in any order: Week, Title, Category,
  Abstract, and the link: Paper-Link (also "paper link", "paper_link"), else Link, else URL.
  Week, Title and the link are required. Extra columns are ignored.
- Cells are split as cmark-gfm does: a `|` preceded by a backslash is a literal pipe (that one
  backslash is dropped); every other backslash is kept as written (abstracts hold LaTeX). So a
  writer escapes a cell with `cell.replace("|", "\\|")` and its cells read back unchanged.
  Leading and trailing pipes are optional, a short row is padded, extra cells are ignored, cells
  are stripped.
- A row whose Week cell is blank continues the previous paper (tabulate writes a multi-line cell
  that way): its cells are appended to the paper's, per column, joined by a newline.
- Week: `YYYY-MM-DD`, optionally followed by a time. Title and link must not be empty.
- A UTF-8 BOM, CRLF and lone CR line endings are accepted.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import repeat

from reader.abstracts import MIN_DEFERRED, FileAbstracts
from reader.limits import FIELD_CHARS, LINE_CHARS
from reader.model import Deferred, Paper, new_paper, new_papers
from reader.patterns import compiled
from reader.sources.formats import (
    CUT_ROW,
    LoadError,
    match_columns,
    parse_week_cell,
    require_columns,
    too_long,
)
from reader.text import arxiv_id, arxiv_ids

__all__ = ["parse_table"]

_UNESCAPED_PIPE = compiled(r"(?<!\\)\|")


def _split_cells(line: str) -> list[str] | None:
    """The stripped, unescaped cells of a row; None for a line with no unescaped pipe."""
    pieces = _UNESCAPED_PIPE.split(line) if "\\|" in line else line.split("|")
    if len(pieces) == 1:
        return None
    if not pieces[0].strip():  # a leading pipe (after optional indentation)
        del pieces[0]
    if pieces and not pieces[-1].strip():  # a trailing pipe
        del pieces[-1]
    return [piece.replace("\\|", "|").strip() for piece in pieces]


def _is_delimiter_row(line: str) -> bool:
    if "-" not in line:
        return False
    cells = line.split("|")
    if len(cells) > 1 and not cells[0].strip():
        del cells[0]
    if len(cells) > 1 and not cells[-1].strip():
        del cells[-1]
    return all(map(_is_delimiter_cell, cells))


def _is_delimiter_cell(cell: str) -> bool:
    """A cell of the row under a table's header: `---`, `:--`, `--:`, `:-:` (spaces and tabs
    around), as `[ \\t]*:?-+:?[ \\t]*` would match it whole, without compiling that regex."""
    dashes = cell.strip(" \t")
    dashes = dashes[1:] if dashes[:1] == ":" else dashes
    dashes = dashes[:-1] if dashes[-1:] == ":" else dashes
    return bool(dashes) and not dashes.strip("-")


def _find_table(text: str, path: str) -> tuple[int, list[str], int]:
    """The header line's 0-based index, its cells, and the offset in `text` of the line after the
    alignment row (past the end when there is none); LoadError when there is no table."""
    mismatch: LoadError | None = None
    index = 0
    start = 0
    end = text.find("\n")
    if end < 0:
        end = len(text)
    while end < len(text):  # a line follows this one
        following_end = text.find("\n", end + 1)
        if following_end < 0:
            following_end = len(text)
        line = text[start:end]
        if "|" in line:
            following = text[end + 1 : following_end]
            if _is_delimiter_row(following):
                header = _split_cells(line)
                delimiter = _split_cells(following)
                if header is not None and delimiter is not None:
                    if len(header) == len(delimiter):
                        return index, header, following_end + 1
                    if mismatch is None:
                        mismatch = LoadError(
                            path,
                            index + 2,
                            f"no table: the alignment row has {len(delimiter)} cells"
                            f" but the header row above it has {len(header)}",
                        )
        index += 1
        start, end = end + 1, following_end
    if mismatch is not None:
        raise mismatch
    raise LoadError(
        path, None, "no table: expected a header row, an alignment row (| --- | --- |), then rows"
    )


def _columns(header: list[str], path: str, line: int) -> dict[str, int]:
    """Field name -> cell index, from the header cells."""
    columns = match_columns(header)
    require_columns(columns, ", ".join(header) or "nothing", path, line)
    return columns


_Row = tuple[int, date, str, str, str, str]
"""A paper's row: its line, week, title, category, abstract, link."""


def _merged(row: _Row, extra: list[tuple[str, str, str, str]]) -> _Row:
    """`row` with its continuation rows' cells appended, per column, on new lines."""
    line, week, title, category, abstract, link = row
    return (
        line,
        week,
        "\n".join([title, *(cells[0] for cells in extra)]).strip(),
        "\n".join([category, *(cells[1] for cells in extra)]).strip(),
        "\n".join([abstract, *(cells[2] for cells in extra)]).strip(),
        "\n".join([link, *(cells[3] for cells in extra)]).strip(),
    )


def _row_of(paper: Paper) -> _Row:
    return (paper.line, paper.week, paper.title, paper.category, paper.abstract, paper.link)


def _check_complete(
    papers: list[Paper],
    continued: dict[int, list[tuple[str, str, str, str]]],
    at: int,
    path: str,
    cut: bool = False,
) -> None:
    """LoadError unless the paper at `at` has a title and a link once its rows are merged.
    `cut`: its row ended before the link's column (a file cut short, as a download cut off)."""
    row = _row_of(papers[at])
    extra = continued.get(at)
    if extra:
        row = _merged(row, extra)
    why = CUT_ROW if cut else ""
    if not row[2]:
        raise LoadError(path, row[0], f"empty title{why}")
    if not row[5]:
        raise LoadError(path, row[0], f"empty link{why}")


def parse_table(text: str, path: str = "<string>") -> list[Paper]:
    """The papers of the first pipe table in `text`, in source order (see the module rules).

    Raises LoadError (with `path` and the 1-based line) for: no table, a missing required column,
    an unparseable week, an empty title or link, a continuation row before any paper.
    """
    return parse_table_pieces((text,), path)


def parse_table_pieces(
    pieces: Iterable[str],
    path: str = "<string>",
    kept: FileAbstracts | None = None,
    long: list[int] | None = None,
) -> list[Paper]:
    """`parse_table` of the text that `pieces` make one after another, each (but the last)
    ending with a line feed: a big file is parsed as it is read and decoded, a chunk at a time,
    never joined into one string (which would take the memory, and the time, of another copy).
    Reads `pieces` only up to the end of the table.

    `kept`: the file the pieces are read from, whole and in order (a BOM dropped): an abstract
    that is the row's bytes as written is kept there, not in memory (`reader.abstracts`).

    `long`, if given, gets the positions of the papers that alone can hold a field over
    `FIELD_CHARS`: those of a row longer than that, or of continuation rows (the loader cuts
    such fields: `reader.sources.fields`)."""
    collecting = gc.isenabled()
    gc.disable()  # ~100,000 rows and papers: the collector would walk them again and again
    try:
        return _parse(iter(pieces), path, kept, long if long is not None else [])
    finally:
        if collecting:
            gc.enable()


def _size(text: str) -> int:
    """The size of `text` in UTF-8."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _whole_lines(pieces: Iterator[str]) -> Iterator[tuple[str, int, bool]]:
    """`pieces` cut at line feeds (each piece but the last ends with one, as a reader gives
    them anyway), CRLF and lone CR made LF, a leading BOM dropped; each with the size in UTF-8
    of the text it was made of, and whether its offsets are still that text's (no line ending
    was changed in it)."""
    carry = ""
    first = True
    for piece in pieces:
        if first:
            piece = piece.removeprefix("\ufeff")
            first = False
        if carry:
            piece = carry + piece
        cut = piece.rfind("\n") + 1
        if cut < len(piece):  # (a CR at the end may be half of a CRLF)
            piece, carry = piece[:cut], piece[cut:]
        else:
            carry = ""
        if piece:
            yield _lines_of(piece)
    if carry:
        yield _lines_of(carry)


def _lines_of(piece: str) -> tuple[str, int, bool]:
    if "\r" in piece:
        return piece.replace("\r\n", "\n").replace("\r", "\n"), _size(piece), False
    return piece, _size(piece), True


class _Places:
    """Where the abstracts of the piece being parsed are in the file (`kept`): the piece's byte
    offset, and for a piece that is not ASCII the byte offset of the last character asked."""

    def __init__(self, kept: FileAbstracts) -> None:
        self.kept = kept
        self.base = kept.start
        """The byte offset of the piece's text in the file."""
        self.text = ""
        self.exact = True
        self.ascii = True
        self.char = 0
        self.byte = 0

    def piece(self, text: str, exact: bool) -> None:
        """`text` is parsed next (`exact`: its offsets are the file's)."""
        self.text, self.exact, self.ascii, self.char, self.byte = text, exact, text.isascii(), 0, 0

    def advance(self, size: int) -> None:
        """The piece parsed was `size` bytes of the file."""
        self.base += size

    def byte_of(self, char: int) -> int:
        """The file offset of character `char` of the piece (asked in increasing order)."""
        if self.ascii:
            return self.base + char
        if char < self.char:
            self.char = self.byte = 0
        self.byte += _size(self.text[self.char : char])
        self.char = char
        return self.base + self.byte

    def keep(self, start: int, abstract: str) -> str | Deferred:
        """`abstract`, which starts at character `start` of the piece: kept in the file when it
        is long enough to be worth it."""
        if not self.exact or len(abstract) < MIN_DEFERRED:
            return abstract
        return self.kept.add(self.byte_of(start), _size(abstract))


def _parse(
    pieces: Iterator[str], path: str, kept: FileAbstracts | None, long: list[int]
) -> list[Paper]:
    lined = _whole_lines(pieces)
    text, text_size, exact = next(lined, ("", 0, True))
    following_piece = next(lined, None)
    following = None if following_piece is None else following_piece[0]
    try:
        start, header, position = _find_table(text, path)
    except LoadError:
        if following_piece is None:
            raise
        # the table starts beyond the first piece (or its alignment row is in the next one)
        rest = [(text, text_size, exact), following_piece, *lined]
        text = "".join(piece for piece, _, _ in rest)
        text_size = sum(size for _, size, _ in rest)
        exact = all(piece_exact for _, _, piece_exact in rest)
        following_piece = following = None
        start, header, position = _find_table(text, path)
    places = None if kept is None else _Places(kept)
    if places is not None:
        places.piece(text, exact)
    columns = _columns(header, path, start + 1)
    week_at = columns["week"]
    title_at = columns["title"]
    link_at = columns["link"]
    category_at = columns.get("category", -1)
    abstract_at = columns.get("abstract", -1)

    has_category = category_at >= 0
    has_abstract = abstract_at >= 0
    width = len(header)
    before = max(abstract_at, 0)  # cells before the abstract (or the first one)
    after = width - 1 - before

    # First pass: one paper per row, continuation rows kept aside by the paper's position.
    # Lines are cut from each piece one at a time (no list of every line: less memory, none
    # left behind as garbage in the heap).
    papers: list[Paper] = []
    # The papers of the rows read since the last `flush`, as columns: built in bulk.
    weeks_read: list[date] = []
    titles: list[str] = []
    links: list[str] = []
    categories_read: list[str] = []
    abstracts: list[str | Deferred] = []
    lines: list[int] = []

    def flush() -> None:
        papers.extend(
            new_papers(
                weeks_read,
                titles,
                links,
                categories_read,
                abstracts,
                arxiv_ids(links),
                repeat(""),
                repeat(()),
                lines,
                repeat(()),
            )
        )
        for column in (weeks_read, titles, links, categories_read, abstracts, lines):
            column.clear()

    continued: dict[int, list[tuple[str, str, str, str]]] = {}
    incomplete = -1  # the position of the last paper when its title or link is empty so far
    cut = False  # and whether its row ended before the link's column
    weeks: dict[str, date] = {}
    categories: dict[str, str] = {}  # one string per distinct category
    number = start + 2  # the 1-based number of the line before `position`
    ended = False
    while True:
        find = text.find
        size = len(text)
        # A last piece is read to one past its end: a final line feed ends an empty line
        # (which ends the table); a piece followed by another ends at its final line feed.
        limit = size + 1 if following is None else size
        while position < limit:
            end = find("\n", position)
            if end < 0:
                end = size
            number += 1
            if end - position > FIELD_CHARS:
                if end - position > LINE_CHARS:
                    raise LoadError(path, number, too_long(end - position))
                long.append(len(papers) + len(lines))
            line = text[position:end]
            line_start = position
            position = end + 1
            # The fastest path, for rows written as `| a | b | c |` with as many cells as the
            # header: split on " | " from the left up to the long abstract and from the right
            # after it (the abstract is never scanned for separators). When no cell holds a
            # pipe, the pipes are exactly the outer two and the separators, so none is escaped
            # and these are the cells the general rules give, but for stripping.
            cells = line.split(" | ", before)
            if len(cells) == before + 1:
                cells[before:] = cells[before].rsplit(" | ", after)
            plain = False
            if len(cells) == width and cells[0][:2] == "| " and cells[-1][-2:] == " |":
                cells[0] = cells[0][2:]
                cells[-1] = cells[-1][:-2]
                for cell in cells:
                    if "|" in cell:
                        break
                else:
                    plain = True
            kept_abstract: str | Deferred | None = None
            if plain:  # `width` cells: no shift, no cell missing
                week_cell = cells[week_at].strip()
                title = cells[title_at].strip()
                link = cells[link_at].strip()
                category = cells[category_at].strip() if has_category else ""
                if has_abstract:
                    raw = cells[abstract_at]
                    abstract = raw.strip()
                    if places is not None and len(abstract) >= MIN_DEFERRED:
                        # its bytes in the file: after "| ", the cells before it and their " | "
                        at = line_start + 2 + sum(map(len, cells[:abstract_at])) + 3 * abstract_at
                        at += len(raw) - len(raw.lstrip())
                        kept_abstract = places.keep(at, abstract)
                else:
                    abstract = ""
            else:
                cells = line.split("|")
                escaped = False
                if "\\" in line:  # a pipe right after a backslash is escaped
                    for piece in cells:
                        if piece.endswith("\\"):
                            escaped = True
                            break
                if escaped:  # the careful path
                    careful = _split_cells(line)
                    if careful is None:
                        ended = True  # no pipe: a blank line or text after the table
                        break
                    cells = careful
                    shift = 0
                else:  # the fast path
                    if len(cells) == 1:  # no pipe: a blank line or text after the table
                        ended = True
                        break
                    first = cells[0]
                    shift = 1 if not first or first.isspace() else 0  # a leading pipe
                count = len(cells)

                at = week_at + shift
                week_cell = cells[at].strip() if at < count else ""
                at = title_at + shift
                title = cells[at].strip() if at < count else ""
                at = link_at + shift
                link = cells[at].strip() if at < count else ""
                at = category_at + shift
                category = cells[at].strip() if has_category and at < count else ""
                at = abstract_at + shift
                abstract = cells[at].strip() if has_abstract and at < count else ""

            if not week_cell:
                if not papers and not lines:
                    raise LoadError(
                        path, number, "a continuation row (blank Week) before the first paper"
                    )
                continued.setdefault(len(papers) + len(lines) - 1, []).append(
                    (title, category, abstract, link)
                )
                continue
            if incomplete >= 0:
                flush()
                _check_complete(papers, continued, incomplete, path, cut)
                incomplete = -1
            week = weeks.get(week_cell)
            if week is None:
                parsed = parse_week_cell(week_cell)
                if parsed is None:
                    raise LoadError(
                        path,
                        number,
                        f"unparseable week {week_cell[:40]!r} (expected YYYY-MM-DD)",
                    )
                week = weeks[week_cell] = parsed
            if not title or not link:
                incomplete = len(papers) + len(lines)
                cut = not plain and link_at + shift >= count
            weeks_read.append(week)
            titles.append(title)
            links.append(link)
            categories_read.append(categories.setdefault(category, category))
            abstracts.append(abstract if kept_abstract is None else kept_abstract)
            lines.append(number)
        flush()
        if ended or following_piece is None:
            break
        if places is not None:
            places.advance(text_size)
        text, text_size, exact = following_piece
        position = 0
        following_piece = next(lined, None)
        following = None if following_piece is None else following_piece[0]
        if places is not None:
            places.piece(text, exact)
    if incomplete >= 0:
        _check_complete(papers, continued, incomplete, path, cut)

    # Second pass: the papers with continuation rows, made again with their cells merged.
    # (a long continuation row, or a long line that ended the table, may add one paper too many
    # to `long`: it is only looked at; each continued paper is in `continued`)
    long[:] = sorted({*(at for at in long if at < len(papers)), *continued})
    for position, extra in continued.items():
        number, week, title, category, abstract, link = _merged(_row_of(papers[position]), extra)
        papers[position] = new_paper(
            week, title, link, category, abstract, arxiv_id(link), "", (), number
        )
    return papers
