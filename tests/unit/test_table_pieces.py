"""A pipe table parsed as it is read, a piece at a time (`parse_table_pieces`, the loader's
`_parse_file`), gives what parsing the whole text gives: the same papers, or the same error at the
same line (`reader: error: FILE:LINE: ...`), wherever the pieces are cut and whatever the rows
hold (escaped pipes, backslashes, odd whitespace, empty cells, non-ASCII, bad rows, bytes that
are not UTF-8)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import cast
from unittest import mock

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import reader.sources.formats
import reader.sources.loader
from reader.model import UNDATED, Digest, Paper
from reader.sources.fields import within_limits
from reader.sources.formats import LoadError, parse_week_cell
from reader.sources.formats.table import _split_cells, parse_table, parse_table_pieces
from reader.sources.join import join_undated
from reader.sources.loader import decode, load_digest, parse_text
from reader.text import arxiv_id, arxiv_ids
from tests.unit.test_fuzz import FUZZ, chars, line_end, tables

Outcome = tuple[str, object]


def outcome(parse: Callable[[], list[Paper]]) -> Outcome:
    try:
        return ("papers", parse())
    except LoadError as error:
        return ("error", str(error))


def cut(text: str, points: list[int]) -> list[str]:
    """`text` cut at `points` (anywhere: inside a CRLF, a surrogate-free character, a line)."""
    bounds = sorted({0, len(text), *(point % (len(text) + 1) for point in points)})
    return [text[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


cell = st.one_of(
    st.text(chars, max_size=12),
    st.sampled_from(
        ["", " ", "  x  ", "\\", "a\\|b", "\\\\|", "x \\| y", "é☃🙂中", "\t", "|", "a|b", " \\ "]
    ),
)


@st.composite
def long_tables(draw: st.DrawFn) -> str:
    """A table of many rows, most written plainly (`| a | b | c |`) with the odd one among them:
    a cell with a pipe (escaped or not) or a backslash, spaces or tabs around cells, an empty or
    missing cell, a continuation row, an undated or bad week, a stray line that ends the table."""
    lines = ["Notes before | the table", "| Week | title | category | abstract | Paper-Link |"]
    lines.append("|:---|:---|:---|:---|:---|")
    for number in range(draw(st.integers(0, 40))):
        week = f"2023-{1 + number % 12:02d}-{1 + number % 28:02d}"
        title, category, abstract = f"Paper {number}", "cs.LG", f"About {number}, é ☃."
        link = f"https://arxiv.org/abs/2306.{number:05d}v1"
        cells = [week, title, category, abstract, link]
        if draw(st.integers(0, 3)) == 0:  # an odd row
            kind = draw(st.integers(0, 6))
            if kind == 0:
                cells[draw(st.integers(0, 4))] = draw(cell)
            elif kind == 1:
                cells[0] = draw(st.sampled_from(["", " ", "undated", "None", "2023-02-30", "x"]))
            elif kind == 2:
                cells = cells[: draw(st.integers(0, 4))]
            elif kind == 3:
                cells.append(draw(cell))
            elif kind == 4:
                lines.append(draw(st.sampled_from(["", "   ", "after", "|", "||"])))
                continue
            separator = draw(st.sampled_from([" | ", "|", " |  ", "\t|\t", " | "]))
            row = separator.join(cells)
            lead, trail = draw(st.sampled_from(["| ", "|", "", "  | ", "|\t"])), draw(
                st.sampled_from([" |", "|", "", " | ", "| "])
            )
            lines.append(lead + row + trail)
        else:
            lines.append("| " + " | ".join(cells) + " |")
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r", ""]))
    text = "\n".join(lines).replace("\n", draw(line_end)) + ending
    return ("\ufeff" if draw(st.booleans()) else "") + text


table_texts = st.one_of(tables(), long_tables())


@given(table_texts, st.lists(st.integers(0, 1 << 16), max_size=8))
@settings(FUZZ, max_examples=400)
def test_a_table_in_pieces_parses_as_the_whole_text(text: str, points: list[int]) -> None:
    whole = outcome(lambda: parse_table(text, "t.md"))
    assert outcome(lambda: parse_table_pieces(cut(text, points), "t.md")) == whole
    at_lines = [piece + "\n" for piece in text.split("\n")]  # as the loader cuts them
    at_lines[-1] = at_lines[-1][:-1]
    assert outcome(lambda: parse_table_pieces(at_lines, "t.md")) == whole


@given(
    table_texts,
    st.integers(1, 96),
    st.sampled_from([16, 200, 65536]),
    st.one_of(st.none(), st.tuples(st.integers(0, 1 << 16), st.sampled_from([b"\xff", b"\xc3"]))),
)
@example(  # a week of 0001-01-01 is undated: joined into the dated paper of the same id
    "Week | category | abstract | Paper-Link | title\n--- | --- | --- | --- | ---\n"
    "2000-01-01 |  |  | https://arxiv.org/abs/2306.00001v2 | 0\n| | more | | |\n"
    "0001-01-01 |  |  | https://arxiv.org/abs/2306.00001v2 | 0\n",
    1,
    16,
    None,
)
@settings(FUZZ, max_examples=300)
def test_a_file_read_in_chunks_loads_as_the_whole_text(
    text: str, chunk: int, prefix: int, bad: tuple[int, bytes] | None
) -> None:
    """`prefix`: how much of the text format detection looks at (the loader reads that much
    before it parses: small, the table is parsed while the file is still being read)."""
    data = text.encode("utf-8")
    if bad is not None:  # a byte that is not UTF-8 (before, inside or after the table)
        where = bad[0] % (len(data) + 1) if bad[0] % 3 else len(data) - bad[0] % 7
        while where < len(data) and (data[where] & 0xC0) == 0x80:  # not inside a character
            where += 1
        data = data[:where] + bad[1] + data[where:]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "d.md")
        with open(path, "wb") as file:
            file.write(data)

        def whole() -> list[Paper]:  # as the loader holds fields to FIELD_CHARS and joins
            papers, _ = within_limits(parse_text(decode(data, path), path), path)
            weeks = {paper.week for paper in papers}
            if UNDATED in weeks and len(weeks) > 1:  # an undated row into its dated paper
                papers = join_undated(papers)[0]
            return list(Digest(papers).papers)

        def in_chunks() -> list[Paper]:
            with mock.patch.object(reader.sources.loader, "READ_CHUNK", chunk):
                return list(load_digest(path).papers)

        with (
            mock.patch.object(reader.sources.formats, "DETECT_PREFIX", prefix),
            mock.patch.object(reader.sources.loader, "DETECT_PREFIX", prefix),
        ):
            assert outcome(in_chunks) == outcome(whole)


def _load_error(path: str, chunk: int) -> LoadError:
    with mock.patch.object(reader.sources.loader, "READ_CHUNK", chunk):
        try:
            load_digest(path)
        except LoadError as error:
            return error
    raise AssertionError("no error")


HEADER = "| Week | title | category | abstract | Paper-Link |\n|---|---|---|---|---|\n"


def _rows(count: int) -> str:
    return "".join(
        f"| 2023-06-25 | Paper {n} | cs.LG | {'Words. ' * 40} "
        f"| https://arxiv.org/abs/2306.{n:05d} |\n"
        for n in range(count)
    )


def test_a_byte_that_is_not_utf8_after_a_bad_row_is_the_error(tmp_path: Path) -> None:
    # as when the whole file was decoded before parsing: the bad byte, not the bad week
    path = tmp_path / "d.md"
    bad_row = "| 2023-02-30 | Bad | cs.LG | x | https://a.org |\n"
    path.write_bytes((HEADER + bad_row + _rows(300)).encode() + b"| \xff |\n")
    error = _load_error(str(path), 4096)
    assert (error.line, error.message) == (304, "not UTF-8 text: byte 0xff at column 3")
    path.write_bytes((HEADER + bad_row + _rows(300)).encode())
    error = _load_error(str(path), 4096)
    assert (error.line, error.message) == (3, "unparseable week '2023-02-30' (expected YYYY-MM-DD)")


def test_a_byte_that_is_not_utf8_after_the_table_is_the_error(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    after = "\nNotes after the table.\n" + "More prose.\n" * 20_000
    path.write_bytes((HEADER + _rows(300) + after).encode() + b"caf\xc3\n")
    error = _load_error(str(path), 4096)
    assert (error.line, error.message) == (20_305, "not UTF-8 text: byte 0xc3 at column 4")
    path.write_bytes((HEADER + _rows(300) + after).encode())
    with mock.patch.object(reader.sources.loader, "READ_CHUNK", 4096):
        assert len(load_digest(path)) == 300


link_texts = st.one_of(
    st.sampled_from(
        [
            "https://arxiv.org/abs/2306.00001v2",
            "https://arxiv.org/abs/2306.0001",
            "https://arxiv.org/abs/2306.000012",
            "https://arxiv.org/abs/2306.00001v",
            "https://arxiv.org/abs/2306.00001v12/",
            "https://ARXIV.org/abs/2306.00001",
            "http://arxiv.org/pdf/2305.14314v1.pdf",
            "https://www.arxiv.org/abs/hep-th/9901001?x=1",
            "https://arxiv.org/abs/2306.00001\n",
            "https://arxiv.org/abs/２３０６.00001",
            "https://x.org/abs/2306.00001",
            "",
        ]
    ),
    st.text(st.sampled_from("htps:/arxiv.orgbdf0123456789v.?#\n é"), max_size=40),
    st.text(chars, max_size=20).map(lambda text: "https://arxiv.org/abs/" + text),
)


@given(st.lists(link_texts, max_size=20))
@settings(FUZZ, max_examples=300)
def test_arxiv_ids_in_bulk_are_those_of_each_link(links: list[str]) -> None:
    links = [link.strip() for link in links]  # as parsers give them
    assert arxiv_ids(links) == [arxiv_id(link) for link in links]


@st.composite
def rows(draw: st.DrawFn) -> str:
    """A row of five cells in any framing: spaced or tight separators, outer pipes or not,
    indentation, cells with escaped pipes, backslashes, tabs, non-ASCII, empty cells."""
    cells = [
        draw(st.sampled_from(["2023-06-25", " 2023-06-25 00:00", "2023-06-25\t"])),
        draw(cell.filter(lambda text: text.strip() not in ("", "|"))).replace("|", "\\|"),
        draw(cell),
        draw(st.one_of(cell, st.text(chars, min_size=100, max_size=400))),
        draw(st.sampled_from(["https://arxiv.org/abs/2306.00001v1", "https://a.org/x\\|y", "x"])),
    ]
    separators = [draw(st.sampled_from([" | ", "|", " |", "| ", "\t|  "])) for _ in range(4)]
    row = cells[0] + "".join(sep + text for sep, text in zip(separators, cells[1:], strict=True))
    lead = draw(st.sampled_from(["| ", "|", "", "  |", "| "]))
    trail = draw(st.sampled_from([" |", "|", "", " | ", " |"]))
    return lead + row + trail


@given(rows())
@settings(FUZZ, max_examples=500)
def test_a_row_reads_as_the_careful_split_says(row: str) -> None:
    """The parser's fast paths (split from both ends around the abstract; split on every pipe
    when none is escaped) give the cells that the careful path (`_split_cells`, cmark-gfm's
    rules) gives."""
    assume("\n" not in row and "\r" not in row)
    header = "| Week | title | category | abstract | Paper-Link |\n|---|---|---|---|---|\n"
    careful = _split_cells(row)
    assert careful is not None
    week, title, category, abstract, link = (careful + [""] * 5)[:5]
    found = outcome(lambda: parse_table(header + row + "\n", "r.md"))
    if not (week and parse_week_cell(week) and title and link):
        assert found[0] == "error"  # a blank week (a continuation row), an empty title or link
        return
    assert found[0] == "papers", found
    (paper,) = cast(list[Paper], found[1])
    assert paper.week == parse_week_cell(week)
    assert (paper.title, paper.category, paper.abstract, paper.link) == (
        title,
        category,
        abstract,
        link,
    )
    assert paper.arxiv_id == arxiv_id(link)
