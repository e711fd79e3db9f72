"""reader.output, in process: every format, terminal safety, streaming."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from rich.cells import cell_len

from reader import output
from reader.model import Digest, Paper
from reader.output import FIELDS, FORMATS, markdown_cell, write_papers
from tests.fakes import FakeState

ARXIV = "https://arxiv.org/abs/2305.14314v2"
HOSTILE_TITLE = "Evil \x1b]52;c;SGVsbG8=\x07 title \u202ereversed\x1b[2J"
HOSTILE_ABSTRACT = "Ring\x07 the bell\x1b[31m, \x9b31m C1, \x7f DEL, \u2066isolate\u2069, \u200f."
# Everything that must never reach a terminal raw: C0 except newline/tab, DEL, C1, bidi controls.
RAW_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def paper(
    week: date,
    title: str,
    link: str = "https://example.org/paper",
    category: str = "Machine Learning",
    abstract: str = "An abstract.",
    arxiv_id: str | None = None,
) -> Paper:
    return Paper(
        week=week, title=title, link=link, category=category, abstract=abstract, arxiv_id=arxiv_id
    )


@pytest.fixture
def digest() -> Digest:
    return Digest(
        [
            paper(date(2023, 6, 18), "Older paper", "https://example.org/older"),
            paper(
                date(2023, 6, 25),
                "QLoRA: Efficient Finetuning | of Quantized LLMs",
                ARXIV,
                "Computation and Language",
                "We present QLoRA, an efficient finetuning approach (see $x|y$).",
                "2305.14314",
            ),
            paper(date(2023, 6, 25), "Ünïcode — title ☃", "https://example.org/u", "", ""),
        ]
    )


@pytest.fixture
def hostile() -> Digest:
    return Digest(
        [
            paper(
                date(2023, 5, 14),
                HOSTILE_TITLE,
                "https://example.org/\x1b[2Jx",
                "Cat\u202egory\x07",
                HOSTILE_ABSTRACT,
            )
        ]
    )


def render(digest: Digest, fmt: str, **kwargs: object) -> str:
    out = io.StringIO()
    write_papers(digest, range(len(digest)), fmt, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


# --- json --------------------------------------------------------------------------------------


def test_json_objects_hold_the_fields_in_order(digest: Digest) -> None:
    records = json.loads(render(digest, "json"))
    assert [list(record) for record in records] == [list(FIELDS)] * 3
    # Digest order: newest week first, source order within a week.
    assert records[0] == {
        "week": "2023-06-25",
        "title": "QLoRA: Efficient Finetuning | of Quantized LLMs",
        "category": "Computation and Language",
        "abstract": "We present QLoRA, an efficient finetuning approach (see $x|y$).",
        "link": ARXIV,
        "arxiv_id": "2305.14314",
    }
    assert records[1]["arxiv_id"] is None and records[1]["category"] == ""
    assert records[2]["week"] == "2023-06-18"


def test_json_is_pretty_printed_like_json_dumps(digest: Digest) -> None:
    # Streaming object by object writes the very text json.dumps would write for the list.
    expected = [output.paper_record(p) for p in digest.papers]
    text = render(digest, "json")
    assert text == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert "Ünïcode — title ☃" in text  # not \u-escaped


def test_json_read_and_starred_are_present_for_every_paper_with_a_state(digest: Digest) -> None:
    state = FakeState(read={"2305.14314"}, starred={"https://example.org/older"})
    records = json.loads(render(digest, "json", state=state))
    assert [(r["read"], r["starred"]) for r in records] == [
        (True, False),
        (False, False),
        (False, True),
    ]
    assert list(records[1]) == [*FIELDS, "read", "starred"]
    assert "read" not in json.loads(render(digest, "json"))[0]


def test_json_with_state_and_ascii_output_is_still_json_dumps(digest: Digest) -> None:
    state = FakeState(read={"2305.14314"}, starred=set())
    expected = [output.paper_record(p, state) for p in digest.papers]
    assert render(digest, "json", state=state) == (
        json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    )
    # An output that cannot encode Unicode gets \u escapes instead of an encoding error.
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", newline="")
    write_papers(digest, range(len(digest)), "json", out, state=state)
    out.flush()
    assert raw.getvalue().decode("ascii") == json.dumps(expected, indent=2) + "\n"


def test_json_of_nothing_is_an_empty_list(digest: Digest) -> None:
    out = io.StringIO()
    assert write_papers(digest, [], "json", out) == 0
    assert out.getvalue() == "[]\n"


def test_json_escapes_every_terminal_control_and_keeps_the_text(hostile: Digest) -> None:
    text = render(hostile, "json")
    assert RAW_UNSAFE.search(text) is None
    for escape in ("\\u001b", "\\u0007", "\\u202e", "\\u009b", "\\u007f", "\\u2066", "\\u200f"):
        assert escape in text
    (record,) = json.loads(text)
    assert record["title"] == HOSTILE_TITLE
    assert record["abstract"] == HOSTILE_ABSTRACT
    assert record["category"] == "Cat\u202egory\x07"


def test_json_follows_the_selection_order(digest: Digest) -> None:
    out = io.StringIO()
    write_papers(digest, iter([2, 0]), "json", out)
    assert [r["title"] for r in json.loads(out.getvalue())] == [
        "Older paper",
        "QLoRA: Efficient Finetuning | of Quantized LLMs",
    ]


# --- csv ---------------------------------------------------------------------------------------


def test_csv_has_the_header_and_reads_back(digest: Digest) -> None:
    text = render(digest, "csv")
    assert text.splitlines()[0] == "week,title,category,abstract,link,arxiv_id"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [
        {key: "" if value is None else value for key, value in output.paper_record(p).items()}
        for p in digest.papers
    ]


def test_csv_keeps_newlines_inside_a_quoted_field() -> None:
    digest = Digest([paper(date(2023, 1, 1), "T", abstract='two\nlines, "quoted"')])
    (row,) = list(csv.DictReader(io.StringIO(render(digest, "csv"))))
    assert row["abstract"] == 'two\nlines, "quoted"'


def test_csv_makes_controls_inert(hostile: Digest) -> None:
    text = render(hostile, "csv")
    assert RAW_UNSAFE.search(text) is None
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["title"] == "Evil ␛]52;c;SGVsbG8=␇ title <U+202E>reversed␛[2J"
    assert row["link"] == "https://example.org/␛[2Jx"


# --- markdown ----------------------------------------------------------------------------------


def test_markdown_is_the_digest_table(digest: Digest) -> None:
    lines = render(digest, "markdown").splitlines()
    assert lines[0] == "| Week | title | category | abstract | Paper-Link |"
    assert re.fullmatch(r"\|(:?-+:?\|){5}", lines[1])
    assert lines[2] == (
        "| 2023-06-25 | QLoRA: Efficient Finetuning \\| of Quantized LLMs | "
        "Computation and Language | "
        "We present QLoRA, an efficient finetuning approach (see $x\\|y$). | " + ARXIV + " |"
    )
    assert lines[3] == "| 2023-06-25 | Ünïcode — title ☃ |  |  | https://example.org/u |"
    assert len(lines) == 5


def test_markdown_of_nothing_is_a_header() -> None:
    assert len(render(Digest([]), "markdown").splitlines()) == 2


def test_markdown_cells_escape_pipes_and_split_lines() -> None:
    assert markdown_cell("  one line\t kept ") == ["one line\t kept"]
    assert markdown_cell("a|b\\|c") == ["a\\|b\\\\|c"]
    assert markdown_cell("two \n\n li\rnes\r") == ["two", "", "li␍nes"]


def test_markdown_writes_a_multiline_cell_as_continuation_rows() -> None:
    digest = Digest([paper(date(2023, 1, 1), "Title\nsecond", abstract="a\nb\nc")])
    assert render(digest, "markdown").splitlines()[2:] == [
        "| 2023-01-01 | Title | Machine Learning | a | https://example.org/paper |",
        "|  | second |  | b |  |",
        "|  |  |  | c |  |",
    ]


ROUND_TRIP_CASES = [
    paper(date(2023, 6, 25), "Pipes | and \\| backslashes \\", abstract=r"LaTeX $\alpha|\beta$ \%"),
    paper(date(2023, 6, 25), "Multi\nline", category="Two\nlines", abstract="p1\n\np2"),
    paper(date(2023, 6, 18), "Unicode ☃ — é", ARXIV, "", "", "2305.14314"),
    paper(date(2023, 6, 18), "Tabs\tinside", abstract="ends with a backslash\\"),
]


def test_markdown_reads_back_through_the_table_parser() -> None:
    from reader.sources.formats.table import parse_table

    digest = Digest(ROUND_TRIP_CASES)
    text = render(digest, "markdown")
    again = Digest(parse_table(text, "<printed>"))
    assert [output.paper_record(p) for p in again.papers] == [
        output.paper_record(p) for p in digest.papers
    ]
    assert render(again, "markdown") == text


def test_hostile_markdown_reads_back_identically(hostile: Digest) -> None:
    from reader.sources.formats.table import parse_table

    text = render(hostile, "markdown")
    assert render(Digest(parse_table(text, "<printed>")), "markdown") == text


def test_markdown_makes_controls_inert(hostile: Digest) -> None:
    text = render(hostile, "markdown")
    assert RAW_UNSAFE.search(text) is None
    assert "␛[2J" in text and "<U+202E>reversed" in text and "Ring␇" in text
    assert "\\x9b31m" in text


# --- links -------------------------------------------------------------------------------------


def test_links_are_one_per_line(digest: Digest, hostile: Digest) -> None:
    assert render(digest, "links") == (
        f"{ARXIV}\nhttps://example.org/u\nhttps://example.org/older\n"
    )
    assert render(hostile, "links") == "https://example.org/␛[2Jx\n"


# --- table -------------------------------------------------------------------------------------


def test_table_shows_week_title_category_and_id(
    digest: Digest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    text = render(digest, "table", color=False)
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[0].split() == ["Week", "Title", "Category", "arXiv/link"]
    qlora = next(line for line in lines if "QLoRA" in line)
    assert qlora.startswith("2023-06-25")
    assert "Computation and Language" in qlora and "2305.14314" in qlora
    assert ARXIV not in text  # an arXiv paper shows its id, others their link
    assert "https://example.org/older" in text


@pytest.mark.parametrize("columns", [40, 60, 100])
def test_table_fits_the_width(
    digest: Digest, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    lines = render(digest, "table", color=False).splitlines()
    assert max(cell_len(line) for line in lines) <= columns
    assert any(line.startswith("2023-06-18") for line in lines)  # the week is never cut


def test_table_chunks_join_seamlessly(digest: Digest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    whole = render(digest, "table", color=False)
    monkeypatch.setattr(output, "TABLE_CHUNK", 1)
    assert render(digest, "table", color=False) == whole


def test_table_is_styled_only_on_request(hostile: Digest, digest: Digest) -> None:
    plain = render(digest, "table", color=False)
    styled = render(digest, "table", color=True)
    assert "\x1b[" not in plain and "\x1b[" in styled
    assert "\x1b]8;" in styled  # the link is a terminal hyperlink


def test_table_makes_controls_inert(hostile: Digest) -> None:
    for color in (False, True):
        text = render(hostile, "table", color=color)
        # Styling adds SGR sequences of its own; none of the digest's sequences survive.
        assert "\x1b[2J" not in text and "\x1b]52" not in text
        assert "\x07" not in text and "\u202e" not in text and "\x9b" not in text
        assert "␛" in text
    # the hostile link is not made a hyperlink
    assert "\x1b]8;" not in render(hostile, "table", color=True)


def test_table_of_nothing_is_a_header() -> None:
    lines = render(Digest([]), "table", color=False).splitlines()
    assert len(lines) == 2
    assert lines[0].split() == ["Week", "Title", "Category", "arXiv/link"]
    assert set(lines[1].strip()) == {"─"}


# --- every format ------------------------------------------------------------------------------


class CountingWriter(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "table"])
def test_writers_stream_paper_by_paper(fmt: str) -> None:
    digest = Digest([paper(date(2023, 1, 1 + n % 28), f"Paper {n}") for n in range(200)])
    out = CountingWriter()
    assert write_papers(digest, range(200), fmt, out) == 200
    assert out.writes >= 200


def test_an_unknown_format_is_a_value_error(digest: Digest) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        write_papers(digest, [], "yaml", io.StringIO())
