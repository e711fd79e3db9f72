"""Loader fuzzing (issue 7): whatever the input, loading gives a digest or a `LoadError` that names
the source and, when the problem is at a line, that line; never another exception. And what
loads prints safely in every output format.

Inputs are generated tables (random unicode, pipes, backslashes, missing and extra cells, very
long cells, CR/LF mixes, NULs, BOMs), upstream READMEs, CSV and JSON, read from files, from
directories of several files, from standard input, and as raw bytes. Every example goes through
`load_digest` or a parser; the properties below hold for all of them.

Examples in all: 2,300 (see the `settings` of each property; 600 + 300 + 500 + 250 + 200 + 300 +
150). This file runs in 12-20 s on two cores (`pytest tests/test_fuzz.py --durations=0`); a run
with twelve times as many examples (27,600) found nothing either.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reader.model import Digest
from reader.output import FORMATS, paper_record, write_papers
from reader.sources.formats import LoadError
from reader.sources.formats.table import parse_table
from reader.sources.loader import load_digest, parse_text
from reader.text import arxiv_id

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Errors that concern the whole source rather than a line of it: only these may lack a line.
WHOLE_SOURCE = (
    "no table: expected",
    "no week headings",
    "no header row",
    "empty: expected a JSON list",
    "is a directory with no digest files",
)
# What must never be printed raw by the inert formats: C0 but newline and tab, DEL, C1, bidi.
RAW_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_END = re.compile(r"\r\n|\r|\n")


def line_count(text: str) -> int:
    """Lines as every parser counts them: LF, CRLF and a lone CR each end one."""
    return len(_LINE_END.findall(text)) + 1


def check_outcome(
    load: Callable[[], Digest], texts: dict[str, str], what: str = "digest"
) -> Digest | None:
    """Run `load`: it gives a sound digest, or a LoadError naming one of `texts` (path -> the
    text read from it) with a line inside that text unless the error concerns the whole."""
    try:
        digest = load()
    except LoadError as error:
        assert error.path in texts, (error, list(texts))
        if error.line is None:
            assert error.message.startswith(WHOLE_SOURCE), error
        else:
            assert 1 <= error.line <= line_count(texts[error.path]), (error, what)
        assert str(error).startswith(f"{error.path}:")
        return None
    assert isinstance(digest, Digest)
    weeks = [paper.week for paper in digest.papers]
    assert weeks == sorted(weeks, reverse=True)
    assert list(digest.weeks) == sorted(set(weeks), reverse=True)
    most_lines = max((line_count(text) for text in texts.values()), default=1)
    for paper in digest.papers:
        assert isinstance(paper.week, date)
        assert paper.title.strip() and paper.link.strip()
        assert paper.arxiv_id == arxiv_id(paper.link)
        assert 1 <= paper.line <= most_lines
        assert isinstance(paper.text, str)  # the cleaned abstract: never raises
    assert len(digest.haystacks) == len(digest)
    return digest


# --- building blocks -----------------------------------------------------------------------------

SPECIAL = (
    "|\\`*_#()[]<>!:-–—,.;\"' \t\x00\x1b\x07\x08\x7f\x9b\u202e\u2066\ufeff\u2028\x0b\x0c\x85é☃🙂中"
)
chars = st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=["Cs"]))
noise = st.text(chars, max_size=24)
line_end = st.sampled_from(["\n", "\r\n", "\r"])
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
week_cell = st.one_of(
    dates.map(date.isoformat),
    st.tuples(dates, st.sampled_from([" 00:00:00", "T12:30", "T23:59:59.5Z", "+01:00"])).map(
        lambda pair: pair[0].isoformat() + pair[1]
    ),
    st.sampled_from(["", " ", "2023-02-29", "2023-13-01", "0000-01-01", "2023-6-5", "soon"]),
    noise,
)
link_cell = st.one_of(
    st.sampled_from(
        [
            "https://arxiv.org/abs/2306.00001v2",
            "http://arxiv.org/pdf/2305.14314v1.pdf",
            "https://arxiv.org/abs/hep-th/9901001",
            "javascript:alert(1)",
            "https://x.org/a\\|b",
            "",
        ]
    ),
    noise.map(lambda text: "https://" + text),
    noise,
)
long_cell = st.tuples(st.text(chars, min_size=1, max_size=6), st.integers(2_000, 15_000)).map(
    lambda pair: pair[0] * pair[1]
)
text_cell = st.one_of(
    noise, st.sampled_from(["\\|", "\\", "a \\| b", "$x|y$", "| |", "\\\\|"]), long_cell
)
HEADER_NAMES = ["Week", "week", "title", "Title", "category", "abstract", "Paper-Link",
                "paper_link", "Link", "URL", "Notes", "", "**Title**"]  # fmt: skip


@st.composite
def tables(draw: st.DrawFn) -> str:
    """A pipe table, often damaged: any header, rows with too few or too many cells, odd
    framing, prose around it, mixed line endings, a BOM."""
    columns = draw(
        st.one_of(
            st.permutations(["Week", "title", "category", "abstract", "Paper-Link"]).map(list),
            st.lists(st.one_of(st.sampled_from(HEADER_NAMES), noise), max_size=7),
        )
    )
    width = len(columns)
    lines = [draw(noise) for _ in range(draw(st.integers(0, 2)))]  # prose before
    lines.append(frame(draw, columns))
    delimiter = [draw(st.sampled_from(["---", ":--", "--:", ":-:", "-", " --- "]))]
    lines.append(frame(draw, delimiter * (width + draw(st.sampled_from([0, 0, 0, -1, 1])))))
    fields = {
        "week": week_cell,
        "paper-link": link_cell,
        "link": link_cell,
        "url": link_cell,
        "title": st.one_of(noise, text_cell),
    }
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 9)) == 0:  # a continuation row, or a stray line
            lines.append(draw(st.sampled_from(["| | more | | |", "", "|", "text after"])))
            continue
        cells = [
            draw(fields.get(column.strip("*").lower().replace("_", "-"), text_cell))
            for column in columns
        ]
        change = draw(st.sampled_from([0, 0, 0, -2, -1, 1, 2]))
        cells = cells[: max(0, width + change)] if change < 0 else cells + ["x"] * change
        lines.append(frame(draw, cells))
    lines += [draw(noise) for _ in range(draw(st.integers(0, 1)))]  # prose after
    text = "".join(line + draw(line_end) for line in lines)
    return ("\ufeff" if draw(st.booleans()) else "") + text


def frame(draw: st.DrawFn, cells: list[str]) -> str:
    """Cells as a table row: leading and trailing pipes optional, tight or spaced."""
    separator = draw(st.sampled_from([" | ", "|", " |", "|  "]))
    row = separator.join(cells)
    if draw(st.integers(0, 3)):
        row = "| " + row
    if draw(st.integers(0, 3)):
        row += " |"
    return row


MONTHS = ["January", "Feb", "Mar.", "April", "May", "June", "Jul", "Aug", "Sept", "Oct",
          "November", "Dec", "Junly", "Smarch"]  # fmt: skip


@st.composite
def readmes(draw: st.DrawFn) -> str:
    """An upstream README: week headings with every kind of range and year (some impossible),
    tables of rows with noisy titles, summaries and links, arXiv ids that date the weeks."""
    parts = ["# ML Papers of The Week\n"]
    for _ in range(draw(st.integers(0, 5))):
        start = f"{draw(st.sampled_from(MONTHS))} {draw(st.integers(0, 32))}"
        end = draw(st.sampled_from(["", f"{draw(st.sampled_from(MONTHS))} "]))
        end += str(draw(st.integers(0, 32)))
        year = draw(st.sampled_from(["", ", 2023", " - 2024", ", 0001", " - 9999", ", 0000"]))
        hashes = "#" * draw(st.integers(1, 7))
        parts.append(f"{hashes} Top ML Papers of the Week ({start} - {end}){year}\n")
        parts.append("| **Paper**  | **Links** |\n| ------------- | ------------- |\n")
        for number in range(draw(st.integers(0, 4))):
            title = draw(st.one_of(noise, long_cell))
            summary = draw(noise)
            cell = f"**{title}** - {summary}" if draw(st.booleans()) else f"{title}  {summary}"
            identifier = f"{draw(st.integers(0, 9999)):04d}.{draw(st.integers(0, 99999)):05d}"
            label = draw(st.sampled_from(["Paper", "Tweet", "Code", "", "Paper 2"]))
            links = draw(
                st.sampled_from(
                    [
                        f"[{label}](https://arxiv.org/abs/{identifier})",
                        f"[{label}](https://x.com/{number}), [Paper]({draw(noise)})",
                        "",
                        f"https://arxiv.org/abs/{identifier}",
                    ]
                )
            )
            row = f"| {number + 1}) {cell} | {links} |"
            if draw(st.integers(0, 5)) == 0:
                row = draw(noise) + row[draw(st.integers(0, len(row))) :]
            parts.append(row + draw(line_end))
        parts.append(draw(st.sampled_from(["\n", "## 2024\n", "", f"{draw(noise)}\n"])))
    return ("\ufeff" if draw(st.booleans()) else "") + "".join(parts)


@st.composite
def csvs(draw: st.DrawFn) -> str:
    """CSV (or TSV) with a header naming the fields in any order, quoted and multi-line fields,
    damaged records."""
    separator = draw(st.sampled_from([",", "\t"]))
    names = draw(
        st.one_of(
            st.permutations(["week", "Title", "paper_link", "summary", "Links", "x"]),
            st.lists(st.one_of(st.sampled_from(HEADER_NAMES), noise), max_size=6),
        )
    )
    field = st.one_of(
        noise,
        noise.map(lambda text: '"' + text.replace('"', '""') + '"'),
        long_cell.map(lambda text: '"' + text.replace('"', '""') + '"'),
        st.sampled_from(['"unclosed', '"a\nb"', '"tab\there"', '""']),
    )
    lines = [separator.join(names)]
    for _ in range(draw(st.integers(0, 6))):
        cells = []
        for name in names:
            kind = name.lower().replace("_", "-")
            strategy = {"week": week_cell, "paper-link": link_cell, "link": link_cell}.get(
                kind, field
            )
            cells.append(draw(strategy))
        lines.append(separator.join(cells))
    return ("\ufeff" if draw(st.booleans()) else "") + draw(line_end).join(lines)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), noise, long_cell)
json_value = st.recursive(
    json_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(noise, children, max_size=3)
    ),
    max_leaves=6,
)
json_paper = st.fixed_dictionaries(
    {"week": week_cell, "title": st.one_of(noise, long_cell), "link": link_cell},
    optional={
        "category": st.one_of(st.none(), noise),
        "abstract": st.one_of(st.none(), noise, long_cell),
        "summary": json_value,
        "links": st.lists(
            st.one_of(noise, st.fixed_dictionaries({"label": noise, "url": link_cell})),
            max_size=3,
        ),
        "Paper-Link": json_value,
    },
)


@st.composite
def jsons(draw: st.DrawFn) -> str:
    """A JSON list of paper objects (or anything else), sometimes cut, sometimes nested deeply."""
    value = draw(st.one_of(st.lists(st.one_of(json_paper, json_value), max_size=4), json_value))
    text = json.dumps(value, indent=draw(st.sampled_from([None, 1])), ensure_ascii=False)
    damage = draw(st.integers(0, 5))
    if damage == 0:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(noise) + text[cut + draw(st.integers(0, 3)) :]
    elif damage == 1:
        text = "[" * draw(st.integers(1, 3000)) + text
    return text.replace("\n", draw(line_end))


SOURCES = {"table": tables(), "potw": readmes(), "csv": csvs(), "json": jsons()}
EXTENSIONS = {"table": ".md", "potw": ".md", "csv": ".csv", "json": ".json"}


# --- properties ----------------------------------------------------------------------------------


@given(tables())
@settings(FUZZ, max_examples=600)
def test_any_table_gives_papers_or_an_error_at_its_line(text: str) -> None:
    check_outcome(lambda: Digest(parse_table(text, "t.md")), {"t.md": text})
    check_outcome(lambda: Digest(parse_text(text, "t.md")), {"t.md": text})  # detected


@st.composite
def damaged_tables(draw: st.DrawFn) -> tuple[str, int, str]:
    """A sound table with one bad row, and the line of that row and what is wrong with it."""
    count = draw(st.integers(1, 6))
    bad = draw(st.integers(0, count - 1))
    problem = draw(st.sampled_from(["week", "title", "link"]))
    ending = draw(line_end)
    preamble = [draw(noise).replace("|", "") for _ in range(draw(st.integers(0, 3)))]
    # prose, not something that reads as JSON (`{`, `[{`) or as a CSV header
    preamble = [
        line
        for line in preamble
        if not _LINE_END.search(line) and line.strip(" \t\ufeff")[:1] not in ("{", "[")
    ]
    lines = [*preamble, "| Week | title | abstract | Paper-Link |", "|---|---|---|---|"]
    for number in range(count):
        week, title, link = "2023-06-25", f"Title {number}", f"https://a.org/{number}"
        if number == bad:
            if problem == "week":
                week = draw(st.sampled_from(["2023-02-30", "June", "2023/06/25", "x"]))
            elif problem == "title":
                title = ""
            else:
                link = ""
        abstract = draw(noise).replace("|", "\\|")
        assume(not _LINE_END.search(abstract))
        lines.append(f"| {week} | {title} | {abstract} | {link} |")
    bom = "\ufeff" if draw(st.booleans()) else ""
    return bom + ending.join(lines) + ending, len(preamble) + 3 + bad, problem


@given(damaged_tables())
@settings(FUZZ, max_examples=300)
def test_a_bad_row_is_reported_at_its_own_line(case: tuple[str, int, str]) -> None:
    text, line, problem = case
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "damaged.md")
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        try:
            load_digest(path)
        except LoadError as error:
            assert (error.path, error.line) == (path, line)
            expected = {"week": "unparseable week", "title": "empty title", "link": "empty link"}
            assert error.message.startswith(expected[problem])
        else:
            raise AssertionError(f"no error for a bad {problem} at line {line}")


@given(st.sampled_from(list(SOURCES)).flatmap(lambda fmt: st.tuples(st.just(fmt), SOURCES[fmt])))
@settings(FUZZ, max_examples=500)
def test_every_format_from_a_file_gives_a_digest_or_an_error_at_a_line(
    case: tuple[str, str],
) -> None:
    fmt, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "digest" + EXTENSIONS[fmt])
        with open(path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        check_outcome(lambda: load_digest(path), {path: text.removeprefix("\ufeff")}, fmt)


formats_and_texts = st.sampled_from(list(SOURCES)).flatmap(
    lambda fmt: st.tuples(st.just(fmt), SOURCES[fmt])
)


@given(
    st.lists(formats_and_texts, min_size=1, max_size=3),
    st.lists(st.sampled_from(["notes.txt", ".hidden.md", "sub/inner.md"]), max_size=2),
)
@settings(FUZZ, max_examples=250)
def test_a_directory_of_digests_gives_a_digest_or_names_the_bad_file(
    files: list[tuple[str, str]], ignored: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        texts: dict[str, str] = {}
        for number, (fmt, text) in enumerate(files):
            path = os.path.join(folder, f"{number}-{fmt}{EXTENSIONS[fmt]}")
            with open(path, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            texts[path] = text.removeprefix("\ufeff")
        for name in ignored:  # never read: they must not matter
            Path(folder, name).parent.mkdir(exist_ok=True)
            Path(folder, name).write_bytes(b"\xff\xfe not a digest")
        digest = check_outcome(lambda: load_digest(folder), texts, "directory")
        if digest is not None:
            assert digest.name == os.path.basename(folder)


@given(formats_and_texts, st.sampled_from(["utf-8", "utf-8-sig"]))
@settings(FUZZ, max_examples=200)
def test_standard_input_gives_a_digest_or_an_error_at_a_line(
    case: tuple[str, str], encoding: str
) -> None:
    fmt, text = case
    data = text.encode(encoding)
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    with mock.patch.object(sys, "stdin", stdin):
        check_outcome(lambda: load_digest("-"), {"-": text.removeprefix("\ufeff")}, fmt)


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    """A generated digest's bytes with bytes that are not UTF-8 (or a cut character) put in."""
    _, text = draw(formats_and_texts)
    data = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(
            st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80"])
        )
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@given(st.one_of(damaged_bytes(), st.binary(max_size=300)))
@settings(FUZZ, max_examples=300)
def test_any_bytes_give_a_digest_or_an_error_at_a_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bytes.md")
        with open(path, "wb") as file:
            file.write(data)
        # Lines of the raw bytes: a decoding error names the line of the first bad byte.
        as_text = data.decode("utf-8", "replace").removeprefix("\ufeff")
        check_outcome(lambda: load_digest(path), {path: as_text}, "bytes")


# --- what loads, prints safely -------------------------------------------------------------------

hostile_text = st.text(
    st.one_of(
        st.sampled_from("|\\\x00\x1b\x07\x08\x7f\x9b\u202e\u2066\t\r\n[]*_`<>&é☃ "),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=30,
)


@st.composite
def sound_hostile_tables(draw: st.DrawFn) -> str:
    """A valid table whose cells hold anything a cell can hold (pipes escaped, one line each)."""
    lines = ["| Week | title | category | abstract | Paper-Link |", "|---|---|---|---|---|"]
    for _ in range(draw(st.integers(1, 5))):
        week = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))

        def cell(required: bool = False) -> str:
            value = draw(hostile_text)
            value = _LINE_END.sub(" ", value).replace("\\", "\\\\").replace("|", "\\|")
            return value + "x" if required else value

        lines.append(
            f"| {week.isoformat()} | {cell(True)} | {cell()} | {cell()} | https://{cell(True)} |"
        )
    return "\n".join(lines) + "\n"


@given(sound_hostile_tables())
@settings(FUZZ, max_examples=150)
def test_what_loads_prints_inert_in_every_format(text: str) -> None:
    digest = Digest(parse_table(text, "h.md"))
    outputs = {}
    for fmt in FORMATS:
        out = io.StringIO()
        assert write_papers(digest, range(len(digest)), fmt, out, color=False) == len(digest)
        outputs[fmt] = out.getvalue()
    for fmt in ("table", "csv", "markdown", "links"):
        assert RAW_UNSAFE.search(outputs[fmt]) is None, (fmt, outputs[fmt])
    assert RAW_UNSAFE.search(outputs["json"]) is None  # escaped by its own rules
    assert json.loads(outputs["json"]) == [paper_record(paper) for paper in digest.papers]
    # markdown reads back as the table it is, and prints again the same
    again = Digest(parse_table(outputs["markdown"], "again.md"))
    out = io.StringIO()
    write_papers(again, range(len(again)), "markdown", out)
    assert out.getvalue() == outputs["markdown"]
