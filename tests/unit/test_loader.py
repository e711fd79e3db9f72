"""The pipe-table loader: every rule and every error (with its line), the bundled digest, merging,
and properties of the parser."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader.sources.loader as loader_module
from reader.model import Paper
from reader.sources.formats.table import parse_table
from reader.sources.loader import (
    BUNDLED,
    LoadError,
    _raise_decode_error,
    expand_sources,
    load_digest,
    parse_text,
    read_pieces,
    read_source,
    read_stdin,
    source_stamp,
)
from reader.sources.source import DigestSource

HEADER = "| Week | Title | Category | Abstract | Paper-Link |\n|---|---|---|---|---|\n"


def table(*rows: str, header: str = HEADER) -> str:
    return header + "".join(row + "\n" for row in rows)


def error_of(text: str) -> LoadError:
    with pytest.raises(LoadError) as caught:
        parse_table(text, "digest.md")
    assert caught.value.path == "digest.md"
    return caught.value


# --- the bundled digest ------------------------------------------------------------------------


def test_bundled_digest_is_the_packaged_file() -> None:
    assert BUNDLED.is_file()
    assert BUNDLED.name == "ml-papers-2023.md"
    assert BUNDLED.parent.name == "data" and BUNDLED.parent.parent.name == "reader"
    digest = load_digest()
    assert digest.name == "ml-papers-2023"
    assert digest.source == str(BUNDLED)


def test_bundled_digest_contents() -> None:
    digest = load_digest()
    assert len(digest) == 123
    assert len(digest.weeks) == 13
    assert digest.weeks[0] == date(2023, 6, 25)
    assert len(digest.indices(date(2023, 6, 25))) == 10
    assert digest.weeks[-1] == date(2023, 4, 2)
    assert sum(len(digest.indices(week)) for week in digest.weeks) == 123


def test_bundled_digest_arxiv_id_and_lines() -> None:
    digest = load_digest()
    (paper,) = [paper for paper in digest.papers if paper.link.endswith("/abs/2303.17564v1")]
    assert paper.arxiv_id == "2303.17564"
    assert paper.title.startswith("BloombergGPT")
    lines = BUNDLED.read_text(encoding="utf-8").split("\n")
    for paper in digest.papers:
        row = lines[paper.line - 1]
        assert paper.week.isoformat() in row and paper.link in row
        assert paper.title and paper.abstract and paper.category
        assert "|" not in paper.link and paper.link == paper.link.strip()
    assert sorted(paper.line for paper in digest.papers) == list(range(3, 3 + 123))


def test_load_digest_accepts_str_path_and_empty_list() -> None:
    by_str = load_digest(str(BUNDLED))
    by_path = load_digest(BUNDLED)
    by_default = load_digest([])
    assert by_str.papers == by_path.papers == by_default.papers
    assert by_str.name == by_path.name == "ml-papers-2023"


# --- columns -----------------------------------------------------------------------------------


def test_columns_found_by_name_in_any_order_case_insensitively() -> None:
    text = table(
        "| https://example.org/p | an abstract | 2023-05-01 | cs.LG | A title |",
        header="| PAPER-LINK | abstract | wEEK | Category | TITLE |\n|---|---|---|---|---|\n",
    )
    (paper,) = parse_table(text)
    assert paper == Paper(
        week=date(2023, 5, 1),
        title="A title",
        link="https://example.org/p",
        category="cs.LG",
        abstract="an abstract",
        arxiv_id=None,
        line=3,
    )


@pytest.mark.parametrize("name", ["Paper-Link", "paper link", "paper_link", "Link", "URL", "url"])
def test_link_column_spellings(name: str) -> None:
    text = f"| Week | Title | {name} |\n|---|---|---|\n| 2023-05-01 | T | https://x.org/a |\n"
    assert parse_table(text)[0].link == "https://x.org/a"


def test_paper_link_is_preferred_over_link_and_url() -> None:
    text = (
        "| URL | Week | Link | Title | Paper-Link |\n|-|-|-|-|-|\n"
        "| https://u | 2023-05-01 | https://l | T | https://p |\n"
    )
    assert parse_table(text)[0].link == "https://p"
    text = "| URL | Week | Link | Title |\n|-|-|-|-|\n| https://u | 2023-05-01 | https://l | T |\n"
    assert parse_table(text)[0].link == "https://l"


def test_category_and_abstract_may_be_missing_and_extra_columns_are_ignored() -> None:
    text = (
        "| Stars | Week | Title | Notes | Link |\n|---|---|---|---|---|\n"
        "| 5 | 2023-05-01 | T | whatever | https://x.org |\n"
    )
    (paper,) = parse_table(text)
    assert (paper.title, paper.category, paper.abstract, paper.link) == (
        "T",
        "",
        "",
        "https://x.org",
    )


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("| Title | Category | Paper-Link |", "Week"),
        ("| Week | Category | Paper-Link |", "Title"),
        ("| Week | Title | Abstract |", "Paper-Link"),
        ("| Week | Titles | Paper-Links |", "Title"),
    ],
)
def test_missing_required_column_reports_the_header_line(header: str, missing: str) -> None:
    text = f"# A digest\n\nSome prose.\n{header}\n|---|---|---|\n| 2023-05-01 | a | b |\n"
    error = error_of(text)
    assert error.line == 4
    assert missing in error.message and "missing" in error.message


LINK = "Paper-Link (or Link, URL)"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Week | title\n--- | ---\n", f"column {LINK} (the header has: Week, title)"),
        ("||\n|-|\n| a |\n", f"columns Week, Title, {LINK} (the header has: nothing)"),
    ],
)
def test_a_header_short_of_columns_is_a_table_that_says_what_it_has(text: str, said: str) -> None:
    """A two-column table without outer pipes (one pipe a row) is a table, not "no table", and
    an empty header says so. Found by `make mutate`: no test had a row of exactly one pipe, or a
    header of no names."""
    error = error_of(text)
    assert (error.line, error.message) == (1, f"missing required {said}")


# --- GFM cell rules ----------------------------------------------------------------------------


def test_escaped_pipe_is_a_literal_pipe() -> None:
    (paper,) = parse_table(table(r"| 2023-05-01 | A \| B | cs | x \|y\| z | https://x.org |"))
    assert paper.title == "A | B"
    assert paper.abstract == "x |y| z"
    assert paper.link == "https://x.org"


def test_backslashes_other_than_before_a_pipe_are_kept() -> None:
    row = r"| 2023-05-01 | T | cs | see \emph{this}, 50\% and \\ newline | https://x.org |"
    (paper,) = parse_table(table(row))
    assert paper.abstract == r"see \emph{this}, 50\% and \\ newline"


def test_backslash_before_a_pipe_always_escapes_it_as_in_cmark_gfm() -> None:
    # cmark-gfm: a `|` right after a backslash is literal whatever precedes that backslash, and
    # only that one backslash is dropped. So `\\|` is a backslash and a literal pipe.
    (paper,) = parse_table(table(r"| 2023-05-01 | a\\| b | cs | ab | https://x.org |"))
    assert paper.title == "a\\| b"
    assert (paper.category, paper.abstract) == ("cs", "ab")  # no cell was split off


def test_trailing_backslash_in_a_cell_is_kept_when_a_space_precedes_the_pipe() -> None:
    (paper,) = parse_table(table(r"| 2023-05-01 | ends with \ | cs | ab | https://x.org |"))
    assert paper.title == "ends with \\"


def test_short_row_is_padded_and_extra_cells_are_ignored() -> None:
    text = (
        "| Week | Title | Link | Category | Abstract |\n|---|---|---|---|---|\n"
        "| 2023-05-01 | T1 | https://a |\n"
        "| 2023-05-01 | T2 | https://b | cs | abs | surplus | more |\n"
    )
    first, second = parse_table(text)
    assert (first.title, first.link, first.category, first.abstract) == ("T1", "https://a", "", "")
    assert (second.category, second.abstract) == ("cs", "abs")


def test_leading_and_trailing_pipes_are_optional() -> None:
    text = (
        "Week | Title | Link\n--- | :---: | ---:\n"
        "2023-05-01 | no pipes | https://a\n"
        "| 2023-05-01 | leading only | https://b\n"
        "2023-05-01 | trailing only | https://c |\n"
        "   |  2023-05-01 |  indented  | https://d |  \n"
    )
    titles = [(paper.title, paper.link) for paper in parse_table(text)]
    assert titles == [
        ("no pipes", "https://a"),
        ("leading only", "https://b"),
        ("trailing only", "https://c"),
        ("indented", "https://d"),
    ]


def test_cells_are_stripped() -> None:
    (paper,) = parse_table(table("|  2023-05-01\t|\t T \t|  cs  |   ab   |  https://x.org  |"))
    assert (paper.title, paper.category, paper.abstract, paper.link) == (
        "T",
        "cs",
        "ab",
        "https://x.org",
    )


def test_text_before_and_after_the_table_is_ignored() -> None:
    text = (
        "# Papers | of the week\n\nIntro with a | pipe.\n- a list\n\n"
        + table("| 2023-05-01 | T | cs | ab | https://x.org |")
        + "\nOutro | with pipes\n| 2023-13-45 | not a row | | | |\n"
    )
    (paper,) = parse_table(text)
    assert paper.title == "T"
    assert paper.line == 8  # five lines of prose, the header, the alignment row, then the row


def test_a_blank_line_ends_the_table() -> None:
    text = table(
        "| 2023-05-01 | T1 | cs | ab | https://a |",
        "   ",
        "| 2023-05-08 | T2 | cs | ab | https://b |",
    )
    assert [paper.title for paper in parse_table(text)] == ["T1"]


def test_a_line_without_a_pipe_ends_the_table() -> None:
    text = table("| 2023-05-01 | T1 | cs | ab | https://a |", "Source: somewhere")
    assert [paper.title for paper in parse_table(text)] == ["T1"]


def test_only_the_first_table_is_read() -> None:
    first = table("| 2023-05-01 | T1 | cs | ab | https://a |")
    second = table("| 2023-05-08 | T2 | cs | ab | https://b |")
    assert [paper.title for paper in parse_table(first + "\n" + second)] == ["T1"]


@pytest.mark.parametrize(
    "alignment", ["|---|---|---|", "|:--|:-:|--:|", "- | - | -", "| :- | - | -: |", "|-|-|-|"]
)
def test_alignment_row_variants(alignment: str) -> None:
    text = f"| Week | Title | Link |\n{alignment}\n| 2023-05-01 | T | https://a |\n"
    assert [paper.title for paper in parse_table(text)] == ["T"]


def test_bom_crlf_and_lone_cr_are_accepted_with_the_same_lines() -> None:
    lf = "Intro\n\n" + table(
        "| 2023-05-01 | T1 | cs | ab | https://a |", "| 2023-05-08 | T2 | cs | ab | https://b |"
    )
    expected = parse_table(lf)
    assert [paper.line for paper in expected] == [5, 6]
    assert parse_table("\ufeff" + lf.replace("\n", "\r\n")) == expected
    assert parse_table(lf.replace("\n", "\r")) == expected
    assert parse_table("\ufeff" + lf) == expected


def test_other_line_separators_stay_inside_cells() -> None:
    (paper,) = parse_table(table("| 2023-05-01 | a\u2028b\x0bc\x85d | cs | ab | https://a |"))
    assert paper.title == "a\u2028b\x0bc\x85d"


# --- continuation rows -------------------------------------------------------------------------


def test_continuation_rows_are_merged_per_column() -> None:
    text = table(
        "| 2023-05-01 | First line | cs | Abstract one | https://a |",
        "|            | of title   |    | abstract two |           |",
        "|            |            |    |              |           |",
        "|            |            |    | after blank  |           |",
        "| 2023-05-08 | Next       | cs | x            | https://b |",
    )
    first, second = parse_table(text)
    assert first.title == "First line\nof title"
    assert first.abstract == "Abstract one\nabstract two\n\nafter blank"
    assert (first.category, first.link, first.line) == ("cs", "https://a", 3)
    assert (second.title, second.line) == ("Next", 7)


def test_continuation_row_before_any_paper_is_an_error() -> None:
    error = error_of(table("|  | orphan |  |  |  |", "| 2023-05-01 | T | cs | ab | https://a |"))
    assert error.line == 3
    assert error.message == "a continuation row (blank Week) before the first paper"


def test_title_completed_by_a_continuation_row_is_accepted() -> None:
    text = table("| 2023-05-01 |  | cs | ab | https://a |", "|  | Title | | | |")
    assert parse_table(text)[0].title == "Title"


# --- weeks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["2023-06-25", "2023-06-25 00:00:00", "2023-06-25T00:00", "2023-06-25T10:20:30.5Z"]
)
def test_week_is_an_iso_date_optionally_with_a_time(cell: str) -> None:
    (paper,) = parse_table(table(f"| {cell} | T | cs | ab | https://a |"))
    assert paper.week == date(2023, 6, 25)


@pytest.mark.parametrize(
    "cell", ["25/06/2023", "2023-6-25", "2023-02-30", "June 25", "2023-06-25 noon", "2023-06"]
)
def test_unparseable_week_reports_the_row_line(cell: str) -> None:
    text = table(
        "| 2023-05-01 | T1 | cs | ab | https://a |", f"| {cell} | T2 | cs | ab | https://b |"
    )
    error = error_of(text)
    assert error.line == 4
    assert "week" in error.message and cell in error.message


# --- errors ------------------------------------------------------------------------------------


def test_empty_title_reports_the_row_line() -> None:
    text = table(
        "| 2023-05-01 | T1 | cs | ab | https://a |",
        "| 2023-05-01 |    | cs | ab | https://b |",
        "| 2023-05-01 | T3 | cs | ab | https://c |",
    )
    error = error_of(text)
    assert (error.line, error.message) == (4, "empty title")


def test_empty_link_reports_the_row_line_even_at_the_end() -> None:
    text = table("| 2023-05-01 | T1 | cs | ab | https://a |", "| 2023-05-01 | T2 | cs | ab |")
    error = error_of(text)
    assert (error.line, error.message) == (4, "empty link")


def test_errors_are_reported_in_source_order() -> None:
    text = table("| 2023-05-01 |  | cs | ab | https://a |", "| bad | T2 | cs | ab | https://b |")
    assert error_of(text).line == 3


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "just prose\nno table here\n", "| Week | Title | Link |\n", "a | b\n\n---|---\n"],
)
def test_no_table(text: str) -> None:
    error = error_of(text)
    assert error.line is None
    assert "no table" in error.message


def test_alignment_row_with_a_different_cell_count_is_not_a_table() -> None:
    error = error_of("Intro\n| Week | Title | Link |\n|---|---|\n| 2023-05-01 | T | https://a |\n")
    assert error.line == 3
    assert "no table" in error.message
    assert "has 2 cells" in error.message and "has 3" in error.message


def test_header_without_rows_is_an_empty_digest(tmp_path: Path) -> None:
    assert parse_table(HEADER) == []
    assert parse_table(HEADER.rstrip("\n")) == []
    path = tmp_path / "empty.md"
    path.write_text(HEADER + "\nThe end.\n", encoding="utf-8")
    digest = load_digest(path)
    assert (len(digest), digest.weeks, digest.name) == (0, (), "empty")


def test_load_error_str() -> None:
    assert str(LoadError("a.md", 7, "bad week")) == "a.md:7: bad week"
    assert str(LoadError("a.md", None, "no such file")) == "a.md: no such file"
    error = LoadError("a.md", 7, "bad week")
    assert (error.path, error.line, error.message) == ("a.md", 7, "bad week")


def test_load_error_from_a_file_carries_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text(table("| 2023-05-01 | T | cs | ab | https://a |", "| 2023/05/08 | T |"))
    with pytest.raises(LoadError) as caught:
        load_digest(path)
    assert (caught.value.path, caught.value.line) == (str(path), 4)
    assert str(caught.value).startswith(f"{path}:4: ")


# --- read_source -------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.md")
    with pytest.raises(LoadError) as caught:
        read_source(path)
    assert (caught.value.path, caught.value.line) == (path, None)
    assert "no such file" in caught.value.message


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_digest(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(tmp_path), None)
    assert "directory" in caught.value.message


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_undecodable_bytes_report_the_line_of_the_first_bad_byte(
    tmp_path: Path, newline: bytes
) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(
        newline.join(
            [b"| Week | Title |", b"|---|---|", b"| ok | caf\xc3\xa9 |"]
            + [b"| 2023 | caf\xe9 |", b"\xff"]
        )
    )
    with pytest.raises(LoadError) as caught:
        read_source(str(path))
    assert (caught.value.path, caught.value.line) == (str(path), 4)
    assert "UTF-8" in caught.value.message and "0xe9" in caught.value.message


def test_read_source_strips_the_bom_and_keeps_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbfa\r\nb\rc\n")
    assert read_source(str(path)) == "a\r\nb\rc\n"


# --- several files -----------------------------------------------------------------------------


def test_several_files_are_merged_and_duplicates_in_a_week_kept_once(tmp_path: Path) -> None:
    one = tmp_path / "one.md"
    two = tmp_path / "two.md"
    one.write_text(
        table(
            "| 2023-05-01 | A | cs | ab | https://arxiv.org/abs/2301.00001v1 |",
            "| 2023-05-01 | B | cs | ab | https://example.org/b |",
        )
    )
    two.write_text(
        table(
            # A again in the same week, from another version of its link: the same key.
            "| 2023-05-01 | A (v2) | cs | ab | https://arxiv.org/abs/2301.00001v2 |",
            # A in another week: a different entry.
            "| 2023-05-08 | A | cs | ab | https://arxiv.org/abs/2301.00001 |",
            "| 2023-05-01 | C | cs | ab | https://example.org/c |",
        )
    )
    digest = load_digest([one, str(two)])
    assert digest.name == "one + two"
    assert str(one) in digest.source and str(two) in digest.source
    assert digest.weeks == (date(2023, 5, 8), date(2023, 5, 1))
    newest = [digest.papers[i].title for i in digest.indices(date(2023, 5, 8))]
    older = [digest.papers[i].title for i in digest.indices(date(2023, 5, 1))]
    assert newest == ["A"]
    assert older == ["A", "B", "C"]  # the first A kept, in file order


def test_a_file_merged_with_itself_is_unchanged() -> None:
    assert load_digest([BUNDLED, BUNDLED]).papers == load_digest(BUNDLED).papers


def test_an_error_in_the_second_file_names_that_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("no table\n")
    with pytest.raises(LoadError) as caught:
        load_digest([BUNDLED, bad])
    assert caught.value.path == str(bad)


def test_parse_text_dispatches_to_the_table_parser() -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    assert parse_text(text, "x.md") == parse_table(text, "x.md")


def test_non_arxiv_links_are_kept_without_an_id() -> None:
    text = table(
        "| 2023-05-01 | T | cs | ab | https://openreview.net/forum?id=abc |",
        "| 2023-05-01 | U | cs | ab | https://arxiv.org/pdf/2306.00001v3.pdf |",
    )
    first, second = parse_table(text)
    assert (first.link, first.arxiv_id) == ("https://openreview.net/forum?id=abc", None)
    assert second.arxiv_id == "2306.00001"


# --- properties --------------------------------------------------------------------------------

_FIELDS = ("week", "title", "category", "abstract", "link")
_HEADER_NAMES = {
    "week": ["Week", "week", "WEEK"],
    "title": ["Title", "title"],
    "category": ["Category", "category"],
    "abstract": ["Abstract", "ABSTRACT"],
    "link": ["Paper-Link", "paper link", "paper_link", "Link", "URL"],
}
_NEWLINES = re.compile(r"\r\n|\r|\n")

# Text rich in what matters to a table: pipes, backslashes, line breaks, unicode.
cell_text = st.text(
    alphabet=st.one_of(st.sampled_from("|\\ \t\r\n-:"), st.characters(exclude_categories=["Cs"])),
    max_size=30,
)


def escape(line: str) -> str:
    return line.replace("|", "\\|")


def normalized(cell: str) -> str:
    """What a cell reads back as: its lines stripped, joined by newlines, stripped."""
    return "\n".join(line.strip() for line in _NEWLINES.split(cell)).strip()


def write_table(columns: list[tuple[str, str]], papers: list[dict[str, str]]) -> str:
    """A pipe table as tabulate writes one: multi-line cells as continuation rows."""
    lines = ["| " + " | ".join(escape(name) for _, name in columns) + " |"]
    lines.append("|" + "|".join(":---" for _ in columns) + "|")
    for paper in papers:
        cells = [_NEWLINES.split(paper[field]) for field, _ in columns]
        for row in range(max(len(cell) for cell in cells)):
            parts = [escape(cell[row]) if row < len(cell) else "" for cell in cells]
            lines.append("| " + " | ".join(parts) + " |")
    return "\n".join(lines) + "\n"


@st.composite
def digests(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    fields = draw(st.permutations(_FIELDS))
    columns = [(field, draw(st.sampled_from(_HEADER_NAMES[field]))) for field in fields]
    if draw(st.booleans()):
        columns.insert(draw(st.integers(0, len(columns))), ("extra", "Notes"))
    required = cell_text.filter(lambda text: normalized(text) != "")
    papers = [
        {
            "week": draw(st.dates()).isoformat()
            + draw(st.sampled_from(["", " 00:00:00", "T12:30"])),
            "title": draw(required),
            "link": draw(required),
            "category": draw(cell_text),
            "abstract": draw(cell_text),
            "extra": draw(cell_text),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    return columns, papers


@given(digests())
@settings(max_examples=300, deadline=None)
def test_a_written_table_parses_back_to_the_same_cells(
    digest: tuple[list[tuple[str, str]], list[dict[str, str]]],
) -> None:
    columns, papers = digest
    parsed = parse_table(write_table(columns, papers))
    assert len(parsed) == len(papers)
    line = 3
    for paper, original in zip(parsed, papers, strict=True):
        assert paper.week.isoformat() == original["week"][:10]
        assert paper.title == normalized(original["title"])
        assert paper.link == normalized(original["link"])
        assert paper.category == normalized(original["category"])
        assert paper.abstract == normalized(original["abstract"])
        assert paper.line == line
        line += max(len(_NEWLINES.split(original[field])) for field, _ in columns)


table_lines = st.one_of(
    st.sampled_from(
        [
            "| Week | Title | Link |",
            "Week|title|URL|Abstract",
            "|---|---|---|",
            ":-|-:|-",
            "| 2023-05-01 | T | https://arxiv.org/abs/2301.00001 |",
            "| | more | |",
            "|",
            "\\|",
            "",
        ]
    ),
    cell_text,
)


@given(st.one_of(st.text(), st.lists(table_lines, max_size=12).map("\n".join)))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_papers_or_a_load_error(text: str) -> None:
    try:
        papers = parse_table(text, "t.md")
    except LoadError as error:
        assert error.path == "t.md"
        assert error.line is None or 1 <= error.line <= text.count("\n") + text.count("\r") + 1
    else:
        for paper in papers:
            assert paper.title and paper.link
            assert paper.title == paper.title.strip()


@given(st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_bytes_give_text_or_a_load_error(data: bytes) -> None:
    """Any file: its text exactly (one leading BOM dropped), or the error a user reads, naming
    the line of the first byte that is not UTF-8; then papers with a title and a link, or an
    error of one line at a line of the file."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "random.md")
        with open(path, "wb") as file:
            file.write(data)
        try:
            decoded: str | None = data.decode("utf-8")
        except UnicodeDecodeError as bad:
            decoded, before = None, data[: bad.start]  # CRLF, CR and LF each end a line
            bad_line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
            column = bad.start - max(before.rfind(b"\n"), before.rfind(b"\r"))
            says = f"not UTF-8 text: byte 0x{data[bad.start]:02x} at column {column}"
        try:
            text = read_source(path)
        except LoadError as error:
            assert decoded is None, f"valid UTF-8 refused: {error}"
            assert str(error) == f"{path}:{bad_line}: {says}"
            return
        assert decoded is not None, "bytes that are not UTF-8 read as text"
        assert text == decoded.removeprefix("\ufeff")
        try:
            papers = parse_text(text, path)
        except LoadError as error:
            assert error.path == path and "\n" not in str(error)
            assert error.line is None or 1 <= error.line <= len(text.splitlines()) + 1
        else:
            for paper in papers:
                assert paper.title.strip() and paper.link.strip()


# --- directories, standard input, reload (the formats issue) -------------------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def json_digest(*papers: tuple[str, str, str]) -> str:
    return json.dumps([{"week": w, "title": t, "link": link} for w, t, link in papers])


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_a_directory_reads_its_digest_files_sorted_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.json").write_text(json_digest(("2023-05-08", "From JSON", "https://j")))
    (folder / "a.md").write_text(table("| 2023-05-01 | From table | cs | ab | https://t |"))
    (folder / "c.CSV").write_text("week,title,link\n2023-05-01,From CSV,https://c\n")
    (folder / "d.md").write_text((FIXTURES / "potw" / "toc.md").read_text(encoding="utf-8"))
    (folder / ".hidden.md").write_text(table("| 2023-05-01 | Hidden | cs | ab | https://h |"))
    (folder / "notes.txt").write_text("not a digest")
    (folder / "sub" / "deep.md").write_text(table("| 2023-05-01 | Deep | cs | ab | https://d |"))
    digest = load_digest(folder)
    assert (digest.name, digest.source) == ("papers", str(folder))
    titles = [paper.title for paper in digest.papers]
    # Newest week first; within a week, file order (a.md, b.json, c.CSV, d.md), then row order.
    assert titles == [
        "Textbooks Are All You Need",
        "Voicebox",
        "From JSON",
        "From table",
        "From CSV",
    ]


def test_an_error_in_a_directory_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(table("| 2023-05-01 | T | cs | ab | https://t |"))
    bad = tmp_path / "b.csv"
    bad.write_text("week,title,link\n2023-05-01,T,https://c\nnever,T,https://d\n")
    with pytest.raises(LoadError) as caught:
        load_digest(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(bad), 3)


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("nothing to read")
    with pytest.raises(LoadError) as caught:
        load_digest(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(tmp_path), None)
    assert "no digest files" in caught.value.message


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"\xef\xbb\xbf" + BUNDLED.read_bytes().replace(b"\n", b"\r\n"))
    digest = load_digest("-")
    assert (digest.name, digest.source, len(digest)) == ("stdin", "-", 123)
    assert digest.papers == load_digest(BUNDLED).papers


def test_dash_twice_reads_standard_input_once_and_merges_with_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_stdin(monkeypatch, json_digest(("2030-01-06", "Future", "https://f")).encode())
    digest = load_digest(["-", BUNDLED, "-"])
    assert digest.name == "stdin + ml-papers-2023 + stdin"
    assert len(digest) == 124
    assert digest.papers[0].title == "Future"


def test_standard_input_errors_name_the_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"week,title,link\n2023-01-01,caf\xe9,x\n")
    with pytest.raises(LoadError) as caught:
        load_digest("-")
    assert (caught.value.path, caught.value.line) == ("-", 2)
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(LoadError) as caught:
        load_digest(["-"])
    assert (caught.value.path, caught.value.line) == ("-", None)


def test_repeats_within_one_file_are_kept_but_not_across_files(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(
        json_digest(("2023-05-01", "A", "https://a"), ("2023-05-01", "A again", "https://a"))
    )
    assert [paper.title for paper in load_digest(one).papers] == ["A", "A again"]
    assert [paper.title for paper in load_digest([one, one]).papers] == ["A", "A again"]


def test_reload_reads_the_same_sources_again(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("week,title,link\n2023-05-01,First,https://a\n")
    source = DigestSource([str(path)])
    assert [paper.title for paper in source.reload().digest.papers] == ["First"]
    path.write_text("week,title,link\n2023-05-01,First,https://a\n2023-05-08,Second,https://b\n")
    assert [paper.title for paper in source.reload().digest.papers] == ["Second", "First"]
    assert DigestSource().reload().digest.papers == load_digest().papers


def test_standard_input_cannot_be_reloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, BUNDLED.read_bytes())
    with pytest.raises(LoadError) as caught:
        DigestSource([str(BUNDLED), "-"]).reload()
    assert (caught.value.path, caught.value.line, caught.value.message) == (
        "-",
        None,
        "standard input cannot be reloaded",
    )


def test_source_stamp_changes_with_the_files(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(table("| 2023-05-01 | T | cs | ab | https://t |"))
    before = source_stamp([tmp_path, "-"])
    assert before == source_stamp([tmp_path, "-"])
    assert [entry[0] for entry in before] == [str(tmp_path), str(path)]
    path.write_text(table("| 2023-05-01 | T2 | cs | ab | https://t |"))
    after_edit = source_stamp([tmp_path])
    assert after_edit != before
    (tmp_path / "b.json").write_text("[]")
    (tmp_path / "ignored.txt").write_text("x")
    (tmp_path / ".hidden.md").write_text("x")  # an editor's swap or a dotfile: not a digest
    assert [entry[0] for entry in source_stamp([tmp_path])] == [
        str(tmp_path),
        str(path),
        str(tmp_path / "b.json"),
    ]
    path.unlink()
    assert (str(path), -1, -1) in source_stamp([path])


def test_digest_source_loads_reloads_and_says_what_is_new(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("week,title,link\n2023-05-01,First,https://a\n")
    source = DigestSource([str(path)])
    assert (source.description, source.reloadable, source.watch) == (str(path), True, False)
    first = source.load()
    assert source.digest is first and [paper.title for paper in first.papers] == ["First"]
    assert source.reload().change is None  # nothing changed
    path.write_text(
        "week,title,link\n2023-05-01,First,https://a\n2023-05-01,Also,https://c\n"
        "2023-05-08,Second,https://b\n"
    )
    reloaded = source.reload()
    assert [paper.title for paper in reloaded.digest.papers] == ["Second", "First", "Also"]
    assert reloaded.change == "1 new week, 2 papers"
    assert source.digest is reloaded.digest
    path.write_text("week,title,link\n2023-05-01,First,https://a\n")
    assert source.reload().change == "2 papers removed"
    bundled = DigestSource()
    assert bundled.description == "the bundled digest"
    assert bundled.load().papers == load_digest().papers


def test_digest_source_with_standard_input_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, BUNDLED.read_bytes())
    source = DigestSource(["-"], watch=True)
    assert not source.reloadable and not source.watch  # stdin cannot be read twice
    assert len(source.load()) == len(load_digest())
    with pytest.raises(LoadError, match="standard input cannot be reloaded"):
        source.reload()


def test_digest_source_sees_changes_since_it_last_read(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("week,title,link\n2023-05-01,First,https://a\n")
    source = DigestSource([str(tmp_path)], watch=True)
    source.load()
    assert not source.changed()
    (tmp_path / "more.json").write_text("[]")  # a new file in the directory
    assert source.changed() and source.changed()  # until read again
    source.reload()
    assert not source.changed()
    path.write_text("week,title,link\n2023-05-01,Edited,https://a\n")
    assert source.changed()
    unread = DigestSource([str(path)], watch=True)  # never read through it: the first look
    assert not unread.changed()  # only takes note
    path.write_text("week,title,link\n2023-05-01,Again,https://a\n2023-05-02,B,https://b\n")
    assert unread.changed()


def test_expand_sources() -> None:
    potw = FIXTURES / "potw"
    files = expand_sources([str(potw), "-", str(BUNDLED)])
    assert files[-2:] == ["-", str(BUNDLED)]
    assert files[:-2] == sorted(
        str(path) for path in potw.iterdir() if path.suffix in (".md", ".csv")
    )
    assert expand_sources(None) == [str(BUNDLED)]


def test_standard_input_errors_say_what_happened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(LoadError) as missing:
        read_stdin()
    assert str(missing.value) == "-: standard input is not available"

    class Broken(io.RawIOBase):
        def readinto(self, buffer: object) -> int:
            raise OSError(5, "Input/output error")

        def readable(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Broken())))
    with pytest.raises(LoadError) as broken:
        read_stdin()
    assert str(broken.value) == "-: cannot read standard input: Input/output error"


def test_decode_drops_one_byte_order_mark_only() -> None:
    from reader.sources.loader import decode

    assert decode(b"\xef\xbb\xbfabc", "x") == "abc"
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfabc", "x") == "\ufeffabc"
    assert decode(b"abc", "x") == "abc"


def test_read_source_joins_the_pieces_of_a_big_file_and_tells_its_progress(tmp_path: Path) -> None:
    """A file over the reading chunk (1 MiB) is read in pieces: joined, they are the text."""
    text = "".join(f"line {n}: {'x' * 60}\n" for n in range(40_000))  # ~2.8 MB, 40,000 lines
    path = tmp_path / "big.md"
    path.write_text(text, encoding="utf-8")
    heard: list[float] = []
    assert read_source(path, lambda done, _: heard.append(done)) == text
    assert len(heard) >= 3 and heard == sorted(heard) and heard[-1] == 1.0


def test_a_file_that_reads_as_utf8_when_read_again_is_said_to_have_changed() -> None:
    """The first reading found a byte that is not UTF-8; read again from the start it is all
    UTF-8: the file changed meanwhile, and the error says only that it is not UTF-8 text."""
    with pytest.raises(LoadError) as raised:
        _raise_decode_error(io.BytesIO(b"| all | fine |\n"), 15, "d.md")
    assert str(raised.value) == "d.md: not UTF-8 text"


def _fed_fifo(tmp_path: Path, data: bytes) -> tuple[str, threading.Thread]:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as writer:
            writer.write(data)

    feeding = threading.Thread(target=feed, daemon=True)
    feeding.start()
    return str(fifo), feeding


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_read_as_a_stream_its_megabytes_told(tmp_path: Path) -> None:
    rows = "".join(
        f"| 2024-01-07 | Paper {n} | LLM | {'w ' * 40} | https://arxiv.org/abs/2401.{n:05d} |\n"
        for n in range(25_000)
    )
    header = "| Week | Title | Category | Abstract | Link |\n|---|---|---|---|---|\n"
    data = (header + rows).encode()
    path, feeding = _fed_fifo(tmp_path, data)
    heard: list[tuple[float, str]] = []
    digest = load_digest([path], progress=lambda done, what: heard.append((done, what)))
    feeding.join(5)
    assert len(digest) == 25_000
    reading = [(done, what) for done, what in heard if what.startswith(f"Reading {path}: ")]
    assert {done for done, _ in reading} == {-1}  # no size known in advance
    assert reading[-1][1] == f"Reading {path}: {len(data) >> 20} MB" and len(data) >> 20 >= 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_stream_over_its_limit_says_how_many_megabytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader_module, "MAX_STREAM_BYTES", 2 << 20)
    path, feeding = _fed_fifo(tmp_path, b"| x |\n" * (1 << 20))  # 6 MB
    with pytest.raises(LoadError) as raised:
        load_digest([path])
    feeding.join(5)
    assert str(raised.value).startswith(f"{path}: more than 2 MB and no end in sight")


def test_a_stream_of_text_not_bytes_is_an_error() -> None:
    with pytest.raises(LoadError) as raised:
        loader_module._read_stream(io.StringIO("| a |\n"), "-", None)  # type: ignore[arg-type]
    assert str(raised.value) == "-: is not a byte stream"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_stream_that_is_not_utf8_is_named_with_the_line(tmp_path: Path) -> None:
    path, feeding = _fed_fifo(tmp_path, b"| Week | Title |\n|---|---|\n| 2024-01-07 | \xff |\n")
    with pytest.raises(LoadError) as raised:
        load_digest([path])
    feeding.join(5)
    assert str(raised.value) == f"{path}:3: not UTF-8 text: byte 0xff at column 16"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_stream_cut_in_the_middle_of_a_character_is_named_with_the_line(tmp_path: Path) -> None:
    """Each chunk checked as it arrives passes (the character may go on in the next); the end
    of the stream finds it cut. Found by `make mutate`: that error's file name was never read."""
    data = "| Week | Title |\n|---|---|\n| 2024-01-07 | café |\n| 2024-01-07 | €".encode()
    path, feeding = _fed_fifo(tmp_path, data[:-1])
    with pytest.raises(LoadError) as raised:
        load_digest([path])
    feeding.join(5)
    assert str(raised.value) == f"{path}:4: not UTF-8 text: byte 0xe2 at column 16"


def test_a_file_it_may_not_read_says_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one line for a file without read permission (made here by `open`'s error: the tests
    run as root, whom permission bits do not stop). Found by `make mutate`."""
    path = tmp_path / "private.md"
    path.write_text("| Week | Title | Link |\n|---|---|---|\n")

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loader_module, "open", refused, raising=False)
    with pytest.raises(LoadError) as raised:
        load_digest([str(path)])
    assert str(raised.value) == f"{path}: permission denied"


def test_dash_is_standard_input_even_beside_a_folder_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-` is standard input, never a path: a folder named `-` where reader runs is not read in
    its place. Found by `make mutate`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").mkdir()
    (tmp_path / "-" / "digest.md").write_text("| Week | Title | Link |\n|---|---|---|\n")
    assert expand_sources(["-", "https://example.org/d.md"]) == [
        "-",
        "https://example.org/d.md",
    ]


def test_a_file_that_grows_mid_line_while_read_ends_at_its_last_whole_line(tmp_path: Path) -> None:
    """A log being written: its size is taken when reading starts, and when that size ends in
    the middle of a line being appended, the cut line is left out. Found by `make mutate` (only
    a drill in a subprocess, which mutmut cannot trace, covered it)."""
    path = tmp_path / "growing.md"
    path.write_bytes(b"| Week | Title | Link |\n|---|---|---|\n| 2024-01-07 | Par")
    pieces = read_pieces(str(path))
    first = next(pieces)  # the size is read, then the whole lines up to it
    with path.open("ab") as file:
        file.write(b"tly written | https://a.org/1 |\n")
    assert first + "".join(pieces) == "| Week | Title | Link |\n|---|---|---|\n"
