"""The input formats besides the pipe table: format detection, the upstream "ML Papers of the
Week" README (each variation a fixture under tests/fixtures/potw/), CSV and JSON, their errors
with lines, and properties: any text gives papers or a LoadError, never another exception.

Expected values come from reading the fixtures; the upstream README counts were made with grep
(`grep -cE '^\\| *[0-9]+[).]'` gives 249 rows; `grep -c '^## Top ML'` 25 week headings, one of
which, Feb 13 - 19, holds 9 rows).
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model import Digest, Link, Paper
from reader.output import paper_record, write_papers
from reader.sources.formats import DETECT_PREFIX, LoadError, detect_format
from reader.sources.formats.csv_json import parse_csv, parse_json, parse_links_cell
from reader.sources.formats.potw import parse_potw, parse_range
from reader.sources.loader import BUNDLED, load_digest, parse_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POTW = FIXTURES / "potw"
UPSTREAM = FIXTURES / "upstream-potw-README-2023-07-01.md"
HEADING = "## Top ML Papers of the Week"
TABLE_HEAD = "| **Paper**  | **Links** |\n| ------------- | ------------- |\n"


def potw(name: str) -> list[Paper]:
    path = POTW / name
    return parse_potw(path.read_text(encoding="utf-8"), str(path))


def weeks_and_titles(papers: list[Paper]) -> list[tuple[str, str]]:
    return [(paper.week.isoformat(), paper.title) for paper in papers]


def error_of(parse: object, text: str, path: str = "digest") -> LoadError:
    assert callable(parse)
    with pytest.raises(LoadError) as caught:
        parse(text, path)
    assert caught.value.path == path
    return caught.value


def render(papers: list[Paper], fmt: str) -> str:
    digest = Digest(papers)
    out = io.StringIO()
    write_papers(digest, range(len(digest)), fmt, out)
    return out.getvalue()


# --- detection ---------------------------------------------------------------------------------


def test_detects_each_format_from_content() -> None:
    assert detect_format(BUNDLED.read_text(encoding="utf-8"), "x.txt") == "table"
    assert detect_format(UPSTREAM.read_text(encoding="utf-8"), "x.txt") == "potw"
    papers = load_digest().papers[:3]
    assert detect_format(render(list(papers), "json"), "-") == "json"
    assert detect_format(render(list(papers), "csv"), "-") == "csv"
    assert detect_format(render(list(papers), "markdown"), "-") == "table"
    assert detect_format("[]\n", "-") == "json"
    assert detect_format("\ufeff \n [\n  {", "-") == "json"
    assert detect_format("Week\tTitle\tLink\n2023-01-01\tT\thttps://x\n", "-") == "csv"
    assert detect_format(" Week , TITLE , url \n", "-") == "csv"


def test_every_potw_fixture_is_detected_as_the_readme() -> None:
    for path in sorted(POTW.glob("*.md")):
        assert detect_format(path.read_text(encoding="utf-8"), str(path)) == "potw", path.name


def test_the_extension_decides_only_when_the_content_does_not() -> None:
    assert detect_format("garbage", "a.json") == "json"
    assert detect_format("garbage", "a.csv") == "csv"
    assert detect_format("garbage", "a.TSV") == "csv"
    assert detect_format("garbage", "a.md") == "table"
    assert detect_format("garbage", "-") == "table"
    # The content wins over a misleading extension.
    assert detect_format("| Week | Title | Link |\n|---|---|---|\n", "a.json") == "table"
    assert detect_format("[{}]", "a.md") == "json"


def test_a_markdown_file_starting_with_a_badge_is_not_json() -> None:
    text = "[![badge](https://x.org/b.svg)](https://x.org)\n\n| Week | Title | Link |\n|-|-|-|\n"
    assert detect_format(text, "-") == "table"


def test_a_pipe_table_that_mentions_the_readme_is_still_a_table() -> None:
    text = (
        "# Made from ML Papers of the Week (June 19 - June 25)\n\n"
        "| Week | title | Paper-Link |\n|---|---|---|\n| 2023-06-25 | T | https://x.org |\n"
    )
    assert detect_format(text, "-") == "table"
    assert parse_text(text, "-")[0].title == "T"


def test_detection_reads_only_a_prefix() -> None:
    readme = "\n" * DETECT_PREFIX + f"{HEADING} (June 19 - June 25)\n"
    assert detect_format(readme, "-") == "table"  # the marker lies past the prefix
    assert detect_format(readme[DETECT_PREFIX - 10 :], "-") == "potw"


def test_parse_text_dispatches_and_accepts_a_forced_format() -> None:
    text = UPSTREAM.read_text(encoding="utf-8")
    assert parse_text(text, "r.md") == parse_potw(text, "r.md")
    with pytest.raises(LoadError) as caught:
        parse_text(text, "r.md", fmt="json")
    assert caught.value.line == 1
    with pytest.raises(ValueError):
        parse_text(text, "r.md", fmt="yaml")


# --- the upstream README -----------------------------------------------------------------------


def test_upstream_readme_counts() -> None:
    papers = parse_potw(UPSTREAM.read_text(encoding="utf-8"), str(UPSTREAM))
    assert len(papers) == 249
    weeks = sorted({paper.week for paper in papers}, reverse=True)
    assert len(weeks) == 25
    # Headings "(June 19 - June 25)" down to "(Jan 1-8)", no year anywhere: arXiv 2306.x -> 2023.
    assert weeks[0] == date(2023, 6, 25) and weeks[-1] == date(2023, 1, 8)
    by_week = {week: sum(paper.week == week for paper in papers) for week in weeks}
    assert by_week[date(2023, 2, 19)] == 9
    assert all(count == 10 for week, count in by_week.items() if week != date(2023, 2, 19))
    assert all(paper.category == "" and paper.abstract == "" for paper in papers)


def test_upstream_readme_first_and_special_rows() -> None:
    papers = parse_potw(UPSTREAM.read_text(encoding="utf-8"), str(UPSTREAM))
    first = papers[0]
    assert (first.title, first.link, first.arxiv_id, first.line) == (
        "Textbooks Are All You Need",
        "https://arxiv.org/abs/2306.11644",
        "2306.11644",
        42,
    )
    assert first.summary.startswith("introduces a new 1.3B parameter LLM called phi-1;")
    assert first.links == (
        Link("Tweet", "https://twitter.com/SebastienBubeck/status/1671326369626853376?s=20"),
    )
    # Line 46: "| 5. **LOMO** - ..." with no trailing pipe.
    (lomo,) = [paper for paper in papers if paper.line == 46]
    assert (lomo.title, lomo.arxiv_id) == ("LOMO", "2306.09782")
    # Line 436: a [Project] link and no Paper link.
    (valle,) = [paper for paper in papers if paper.line == 436]
    assert valle.link == "https://valle-demo.github.io/"
    assert valle.week == date(2023, 1, 8)


def test_upstream_readme_agrees_with_the_bundled_digest() -> None:
    # The bundled digest was made from this README: each of its papers is in the same week there.
    papers = parse_potw(UPSTREAM.read_text(encoding="utf-8"), str(UPSTREAM))
    ids: dict[date, set[str]] = {}
    for paper in papers:
        for url in (paper.link, *(link.url for link in paper.links)):
            match = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", url)
            if match:
                ids.setdefault(paper.week, set()).add(match.group(1))
    bundled = load_digest()
    assert all(paper.arxiv_id in ids.get(paper.week, set()) for paper in bundled.papers)


def test_year_suffix_is_the_year_of_the_end_date() -> None:
    assert weeks_and_titles(potw("year-suffix.md")) == [
        ("2025-01-12", "Cache-Augmented Generation"),
        ("2025-01-12", "rStar-Math"),
        ("2025-01-05", "Agents Are Not Enough"),  # (December 30 - January 5) - 2025
        ("2025-01-05", "OLMo 2"),
        ("2024-12-29", "DeepSeek-V3"),
    ]


def test_headings_without_a_year_take_it_from_the_order_of_the_weeks() -> None:
    assert [paper.week for paper in potw("inferred-years.md")] == [
        date(2025, 1, 19),  # above the only year, carried upwards
        date(2025, 1, 12),
        date(2025, 1, 5),  # crosses the year end: ends in 2025
        date(2024, 12, 29),  # "- 2024"
        date(2024, 12, 22),
        date(2024, 12, 1),
    ]


def test_no_year_anywhere_dates_the_file_from_arxiv_ids() -> None:
    assert weeks_and_titles(potw("arxiv-year.md")) == [
        ("2023-01-08", "Muse"),  # newest id 2301 -> 2023
        ("2023-01-08", "An Older Paper"),
        ("2023-01-01", "Year End Paper"),  # (Dec 26 - Jan 1)
        ("2022-12-25", "December Paper"),  # the month goes up: a year earlier
    ]


def section(heading: str, *links: str) -> str:
    rows = "".join(
        f"| {n}) **Paper {n}** - s. | [Paper]({link}) |\n" for n, link in enumerate(links)
    )
    return f"{HEADING} ({heading})\n{TABLE_HEAD}{rows}\n"


def test_an_arxiv_month_after_the_week_means_the_next_year() -> None:
    text = section("Jan 2 - 8", "https://arxiv.org/abs/2212.00001")
    assert parse_potw(text)[0].week == date(2023, 1, 8)


def test_no_year_and_no_arxiv_id_uses_the_file_name_then_the_current_year() -> None:
    text = section("June 19 - June 25", "https://example.org/a") + section(
        "Dec 5 - 11", "https://example.org/b"
    )
    named = parse_potw(text, "notes-2021.md")
    assert [paper.week for paper in named] == [date(2021, 6, 25), date(2020, 12, 11)]
    today = date(2024, 8, 1)
    assert [paper.week for paper in parse_potw(text, "notes.md", today=today)] == [
        date(2024, 6, 25),
        date(2023, 12, 11),
    ]
    # A week that would lie in the future belongs to the year before.
    early = date(2024, 3, 1)
    assert parse_potw(text, "notes.md", today=early)[0].week == date(2023, 6, 25)
    assert parse_potw(text, "notes.md")[0].week.year in (date.today().year, date.today().year - 1)


def test_weeks_listed_oldest_first_roll_the_year_forward() -> None:
    assert [paper.week for paper in potw("oldest-first.md")] == [
        date(2023, 12, 24),
        date(2023, 12, 31),
        date(2024, 1, 7),
        date(2024, 1, 14),
    ]


def test_a_week_heading_repeated_does_not_vote_for_an_order() -> None:
    """The same week twice in a row says nothing of the order (a step of 0 days): the one step
    back says newest first, so January 1-7 is of the same year (it was rolled to the next year
    when each repeat voted oldest first; found by `make mutate`)."""
    headings = ["Jan 8 - 14", "Jan 8 - 14", "Jan 8 - 14", "Jan 1 - 7"]
    text = "".join(section(h, f"https://example.org/{n}") for n, h in enumerate(headings))
    assert [paper.week for paper in parse_potw(text, "notes-2024.md")] == [
        *[date(2024, 1, 14)] * 3,
        date(2024, 1, 7),
    ]


def test_abbreviated_months_and_day_only_ranges() -> None:
    assert [paper.week for paper in potw("abbreviated.md")] == [
        date(2023, 7, 2),  # (June 26 - July 2, 2023)
        date(2023, 6, 4),  # (May 29-June 4)
        date(2023, 5, 28),  # (May 22-28)
        date(2023, 4, 2),  # (Mar 27 - April 2)
        date(2023, 3, 5),  # (Feb 27-Mar 5)
        date(2023, 2, 19),  # (Feb 13 - 19)
        date(2023, 2, 5),  # (Jan 30-Feb 5)
        date(2022, 9, 11),  # (Sept. 5 – 11): after February going down, so the year before
    ]


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("June 19 - June 25", (6, 25, None)),
        ("May 29-June 4", (6, 4, None)),
        ("Feb 13 - 19", (2, 19, None)),
        ("May 22-28", (5, 28, None)),
        ("Mar 20-Mar 26", (3, 26, None)),
        ("sept. 4 – 10", (9, 10, None)),
        ("Dec 30 — Jan 5", (1, 5, None)),
        ("December 30, 2024 - January 5, 2025", (1, 5, 2025)),
        ("December 30, 2024 - January 5", (1, 5, 2025)),
        ("June 19 - 25, 2023", (6, 25, 2023)),
        ("Jan 1st to Jan 8th", (1, 8, None)),
        ("Feb 23 - 29", (2, 29, None)),  # checked against the year once it is known
    ],
)
def test_parse_range(text: str, end: tuple[int, int, int | None]) -> None:
    assert parse_range(text) == end


@pytest.mark.parametrize(
    "text", ["", "June", "June 19", "Junly 19 - 25", "June 31 - July 2", "1-7"]
)
def test_parse_range_rejects(text: str) -> None:
    assert parse_range(text) is None


def test_numbering_and_pipes() -> None:
    papers = potw("numbering.md")
    assert [(paper.title, paper.line) for paper in papers] == [
        ("Closing Parenthesis", 6),
        ("Numbered With A Dot", 7),  # "5." and no trailing pipe
        ("No Space After The Pipe", 8),
        ("Indented Row", 9),
        ("No Leading Pipe", 10),
        ("No Number", 11),
        ("2.5D Vision, 3D Worlds", 12),  # "2.5D" is not an item number
    ]
    assert papers[1].summary == "and no trailing pipe."
    assert papers[1].links == (Link("Tweet", "https://twitter.com/a/status/5"),)
    assert papers[2].summary == "nor before the dash."


def test_rows_without_bold_split_title_and_summary_at_two_spaces() -> None:
    papers = potw("two-spaces.md")
    assert [paper.title for paper in papers] == [
        "PaperBench",
        "Why do LLMs Attend to First Token?",
        "Docling",
        "A Title With Single Spaces Only",
    ]
    assert papers[0].summary.startswith("OpenAI introduces a new benchmark, PaperBench, to test")
    # Only the first run of spaces separates; later ones are collapsed.
    assert "first token; a phenomenon" in papers[1].summary
    # A Markdown link in the summary becomes its text.
    assert papers[2].summary.startswith("Docling is an open-source toolkit")
    assert papers[3].summary == ""
    assert papers[0].links == (
        Link("Tweet", "https://x.com/OpenAI/status/1907481490457506235"),
        Link("GitHub", "https://github.com/openai/preparedness"),
    )


def test_br_and_bullets_become_lines() -> None:
    papers = potw("bullets.md")
    assert papers[0].title == "MaAS: Multi-agent Architecture Search"
    assert papers[0].summary == (
        "It automates designing the agent workflow per task:\n"
        "● Agentic supernet – a continuous space of agent architectures.\n"
        "● Huge cost savings – only 6–45% of the inference cost."
    )
    assert papers[1].summary == (
        "A benchmark of replication.\n"
        "● A rigorous challenge – 20 ICML papers.\n"
        "● Automatic grading – LLM judges."
    )
    assert papers[2].summary == (
        "Guidelines:\n\n1. Prompt Engineering:\n● Use clear prompts\n● Avoid few-shot prompting"
        "\n\nThe paper also covers fine-tuning."
    )
    assert (papers[3].title, papers[3].summary) == ("Bold Title", "first line\nsecond line & more.")


def test_title_only_rows() -> None:
    papers = potw("title-only.md")
    assert [(paper.title, paper.summary) for paper in papers] == [
        ("A Bold Title Alone", ""),
        ("A Plain Title Alone", ""),
        ("A Bold Title With A Dangling Dash", ""),
        ("A Linked Title", ""),
    ]
    assert papers[3].link == "https://arxiv.org/abs/2304.00004"


def test_link_labels_separators_and_the_choice_of_the_paper_link() -> None:
    papers = potw("links.md")
    links = [(paper.link, [(link.label, link.url) for link in paper.links]) for paper in papers]
    assert links == [
        ("https://arxiv.org/abs/2305.00001", [("Tweet", "https://twitter.com/a/status/1")]),
        ("https://example.org/project", [("Tweet", "https://twitter.com/a/status/2")]),
        (
            "https://github.com/a/code",
            [("Tweet", "https://twitter.com/a/status/3"), ("Demo", "https://example.org/demo")],
        ),
        ("https://twitter.com/a/status/4", []),
        (
            "https://arxiv.org/abs/2305.00005",
            [("Blog", "https://example.org/blog"), ("Book", "https://example.org/book")],
        ),
        (
            "https://example.org/p1",
            [
                ("Blog", "https://example.org/blog6"),
                ("Paper 2", "https://example.org/p2"),
                ("Tweet", "https://x.com/a/status/6"),
            ],
        ),
        (
            "https://arxiv.org/abs/2305.00007",
            [("Tweet", "https://twitter.com/a/status/7"), ("GitHub", "https://github.com/a/seven")],
        ),
        (
            "https://github.com/a/repo",
            [("Models", "https://huggingface.co/a"), ("Tweet", "https://twitter.com/a/status/8")],
        ),
        (
            "https://en.wikipedia.org/wiki/Transformer_(deep_learning)",
            [("Tweet", "https://twitter.com/a/status/9")],
        ),
        ("https://arxiv.org/abs/2305.00010", []),
    ]
    assert [paper.arxiv_id for paper in papers[:2]] == ["2305.00001", None]


def test_the_table_of_contents_and_tables_outside_weeks_are_not_papers() -> None:
    papers = potw("toc.md")
    assert weeks_and_titles(papers) == [
        ("2023-06-25", "Textbooks Are All You Need"),
        ("2023-06-18", "Voicebox"),
    ]
    assert [paper.line for paper in papers] == [23, 28]


def test_readme_errors_carry_the_line() -> None:
    bad_range = f"# Title\n\n{HEADING} (Junly 19 - 25)\n{TABLE_HEAD}"
    error = error_of(parse_potw, bad_range)
    assert (error.line, "week range" in error.message) == (3, True)
    no_link = section("June 19 - June 25", "https://a.org") + "| 2) **No Link** - s. | |\n"
    # heading, header, alignment row, the first paper, a blank line: the row is line 6
    assert error_of(parse_potw, no_link).line == 6
    assert "no link" in error_of(parse_potw, no_link).message
    no_title = section("June 19 - June 25", "https://a.org") + "| 2) | [Paper](https://b) |\n"
    assert (error_of(parse_potw, no_title).line, error_of(parse_potw, no_title).message) == (
        6,
        "empty title",
    )
    leap = (
        f"# Leap\n{HEADING} (Feb 23 - 29) - 2023\n{TABLE_HEAD}| 1) **T** | [Paper](https://a) |\n"
    )
    error = error_of(parse_potw, leap)
    assert (error.line, error.message) == (2, "no such date: 2023-02-29")
    assert parse_potw(leap.replace("2023", "2024"))[0].week == date(2024, 2, 29)
    nothing = error_of(parse_potw, "# ML Papers of The Week\n\nNothing yet.\n")
    assert nothing.line is None and "no week headings" in nothing.message


def test_crlf_bom_and_cr_give_the_same_papers() -> None:
    text = (POTW / "numbering.md").read_text(encoding="utf-8")
    expected = parse_potw(text)
    assert parse_potw("\ufeff" + text.replace("\n", "\r\n")) == expected
    assert parse_potw(text.replace("\n", "\r")) == expected


def test_escaped_pipes_stay_in_the_cell() -> None:
    text = section("June 19 - June 25", "https://a.org").replace("- s.", "- a \\| b")
    assert parse_potw(text)[0].summary == "a | b"


def test_a_readme_of_1300_papers_parses_fast() -> None:
    start = date(2025, 4, 6)
    parts = ["# ML Papers of The Week\n\n"]
    for week in range(130):
        end = start - timedelta(days=7 * week)
        begin = end - timedelta(days=6)
        parts.append(f"{HEADING} ({begin:%B} {begin.day} - {end:%B} {end.day})\n{TABLE_HEAD}")
        for n in range(1, 11):
            bullets = "<br> ● A bullet point. " * 8
            links = f"[Paper](https://arxiv.org/abs/2501.{week:03d}{n:02d}), [Tweet](https://x/{n})"
            parts.append(f"| {n}) Paper {week}-{n}  Summary text. {bullets}| {links} |\n")
        parts.append("\n")
    text = "".join(parts)
    began = time.perf_counter()
    papers = parse_potw(text, "big-2025.md")
    elapsed = time.perf_counter() - began
    assert len(papers) == 1300
    assert len({paper.week for paper in papers}) == 130
    assert papers[-1].week == start - timedelta(days=7 * 129)
    assert elapsed < 5, elapsed  # about 0.1 s; generous for slow machines


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_columns_by_name_in_any_order() -> None:
    text = (
        "URL,Notes,TITLE,week,Category\n"
        "https://arxiv.org/abs/2301.00001v2,x,A title,2023-01-08,cs.LG\n"
        '"https://b.org","y","Multi\nline, ""quoted""",2023-01-01 00:00:00,\n'
    )
    first, second = parse_csv(text, "d.csv")
    assert (first.title, first.link, first.arxiv_id, first.category, first.line) == (
        "A title",
        "https://arxiv.org/abs/2301.00001v2",
        "2301.00001",
        "cs.LG",
        2,
    )
    assert (second.title, second.week, second.line, second.abstract) == (
        'Multi\nline, "quoted"',
        date(2023, 1, 1),
        3,
        "",
    )


def test_csv_reads_what_print_writes_including_summary_and_links() -> None:
    papers = potw("links.md")[:3] + list(load_digest().papers[:2])
    text = render(papers, "csv")
    assert text.split("\n", 1)[0] == "week,title,category,abstract,link,arxiv_id,summary,links"
    again = parse_csv(text, "-")
    assert [paper_record(paper) for paper in Digest(again).papers] == [
        paper_record(paper) for paper in Digest(papers).papers
    ]


def test_csv_links_cell() -> None:
    assert parse_links_cell("Tweet\thttps://x/1\n\nCode  https://g/2\r\nhttps://b/3\n") == (
        Link("Tweet", "https://x/1"),
        Link("Code", "https://g/2"),
        Link("Link", "https://b/3"),
    )
    assert parse_links_cell("Two words\thttps://x\n\thttps://y") == (
        Link("Two words", "https://x"),
        Link("Link", "https://y"),
    )
    # a label with a tab of its own (a spreadsheet's cell): the URL is what follows the last tab
    # (it was "v2\thttps://x/3", no URL at all; found by `make mutate`)
    assert parse_links_cell("Code\tv2\thttps://x/3") == (Link("Code\tv2", "https://x/3"),)


def test_csv_blank_records_short_rows_bom_and_tsv() -> None:
    text = "\ufeff\nweek,title,link,abstract\n\n2023-01-08,T,https://a\n,,,\n2023-01-01,U,https://b,ab\n"
    first, second = parse_csv(text, "d.csv")
    assert (first.line, first.abstract, second.line, second.abstract) == (4, "", 6, "ab")
    tsv = "week\ttitle\tlink\n2023-01-08\tA, with comma\thttps://a\n"
    assert parse_csv(tsv, "d.tsv")[0].title == "A, with comma"
    assert parse_csv(tsv, "d.txt")[0].title == "A, with comma"  # tabs and no comma in the header


def test_csv_errors_carry_the_record_line() -> None:
    missing = error_of(parse_csv, "\n\nweek,name,link\n2023-01-01,T,https://a\n")
    assert missing.line == 3 and "Title" in missing.message
    bad_week = 'week,title,link\n2023-01-08,"two\nlines",https://a\n2023/01/01,T,https://b\n'
    error = error_of(parse_csv, bad_week)
    assert (error.line, "unparseable week '2023/01/01'" in error.message) == (4, True)
    empty_title = "week,title,link\n2023-01-08,  ,https://a\n"
    assert (error_of(parse_csv, empty_title).line, error_of(parse_csv, empty_title).message) == (
        2,
        "empty title",
    )
    empty_link = "week,title,link\n2023-01-08,T, \n"
    assert (error_of(parse_csv, empty_link).line, error_of(parse_csv, empty_link).message) == (
        2,
        "empty link",
    )
    assert error_of(parse_csv, "").line is None
    assert error_of(parse_csv, "\n,,\n\n").line is None  # only blank records: no header


CUT = "(is the file cut short?)"


def test_a_digest_cut_short_says_so_at_its_last_line() -> None:
    """A download cut off (or `head -c`) ends inside a row: the error is at that line, and says
    what it looks like, where it said only "empty link" (or, in JSON, "Unterminated string
    starting at" and nothing after)."""
    digest = render(list(load_digest(BUNDLED).papers[:3]), "markdown")
    second = digest.index("\n| 2023", digest.index("\n| 2023") + 1)
    cut = digest[: second + 300]  # in the abstract of the 2nd paper's row, line 4
    error = error_of(parse_text, cut, "d.md")
    assert (error.line, error.message) == (
        4,
        f"empty link: the row ends before the link's column {CUT}",
    )
    table = "| Week | title | link |\n|---|---|---|\n| 2023-01-08 | T |  |\n"
    assert error_of(parse_text, table, "d.md").message == "empty link"  # there, but empty
    rows = render(list(load_digest(BUNDLED).papers[:3]), "csv")
    error = error_of(parse_csv, rows[: rows.index("\n2023") + 30])
    assert (error.line, error.message) == (
        2,
        f"empty link: the row ends before the link's column {CUT}",
    )
    whole = render(list(load_digest(BUNDLED).papers[:3]), "json")
    inside = whole[: whole.index('"abstract"', len(whole) // 2) + 20]
    error = error_of(parse_json, inside)
    assert error.message.startswith("bad JSON: Unterminated string starting at column ")
    assert error.message.endswith(CUT) and error.line == inside.count("\n") + 1
    after = whole[: whole.index("},") + 1]
    expected = f"bad JSON: expected ',' or ']' after a paper {CUT}"
    assert error_of(parse_json, after).message == expected
    wrong = whole.replace('"title"', "title", 1)
    assert error_of(parse_json, wrong).message == (
        "bad JSON: Expecting property name enclosed in double quotes at column 5"
    )


def test_csv_accepts_very_long_fields() -> None:
    long = "x" * 300_000  # beyond the csv module's default field limit of 131,072
    (paper,) = parse_csv(f"week,title,link,abstract\n2023-01-08,T,https://a,{long}\n")
    assert paper.abstract == long
    assert csv.field_size_limit() == 131072  # restored


# --- JSON --------------------------------------------------------------------------------------


def test_json_reads_what_print_writes() -> None:
    papers = potw("bullets.md") + list(load_digest().papers[:3])
    text = render(papers, "json")
    again = parse_json(text, "p.json")
    assert [paper_record(paper) for paper in Digest(again).papers] == json.loads(text)
    assert render(again, "json") == text
    starts = [number for number, line in enumerate(text.split("\n"), 1) if line == "  {"]
    assert [paper.line for paper in again] == starts and len(starts) == 7


def test_json_keys_matched_like_columns_and_extras_ignored() -> None:
    text = json.dumps(
        [
            {
                "Week": "2023-01-08T10:00",
                "Title": "T",
                "URL": "https://x.org",
                "Paper-Link": "https://arxiv.org/abs/2301.00001",
                "arxiv_id": "9999.99999",
                "read": True,
                "whatever": [1, 2],
                "summary": None,
                "links": ["https://plain.org", {"url": "https://u.org"}, {"label": "L", "url": ""}],
            }
        ]
    )
    (paper,) = parse_json(text)
    assert (paper.week, paper.link, paper.arxiv_id, paper.summary) == (
        date(2023, 1, 8),
        "https://arxiv.org/abs/2301.00001",
        "2301.00001",  # always from the link
        "",
    )
    assert paper.links == (Link("Link", "https://plain.org"), Link("Link", "https://u.org"))


def test_json_keeps_strings_exactly_and_replaces_lone_surrogates() -> None:
    text = (
        '[{"week": "2023-01-08", "title": " \\u001b[2J\\ttab ", "link": "x",'
        ' "abstract": "\\ud800"}]'
    )
    (paper,) = parse_json(text)
    assert (paper.title, paper.abstract) == (" \x1b[2J\ttab ", "\ufffd")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty"),
        ("  {\n}", 1, "not an object"),
        ('\n\n"x"', 3, "not '\"'"),
        (
            '[\n {"week": "2023-01-08", "title": "T", "link": "x"},\n'
            ' {"week": "2023-01-08", "title": 3, "link": "x"}\n]',
            3,
            "'title' must be a string, not a number",
        ),
        ('[\n {"week": "2023-01-08", "title": "T"}\n]', 2, "'Paper-Link'"),
        ('[\n {"week": "08/01/2023", "title": "T", "link": "x"}\n]', 2, "unparseable week"),
        ('[\n {"week": "2023-01-08", "title": "", "link": "x"}\n]', 2, "empty title"),
        ('[\n {"week": "2023-01-08", "title": "T", "link": " "}\n]', 2, "empty link"),
        ('[\n {"week": "2023-01-08",\n  "title": "T" "link": "x"}\n]', 3, "Expecting ','"),
        ('[\n {"week": "2023-01-08", "title": "T", "link": "x"}\n\n', 4, "expected ',' or ']'"),
        ('[\n {"week": "2023-01-08", "title": "T", "link": "x"},\n]', 3, "Expecting value"),
        ("[\n  3\n]", 2, "found a number"),
        ("[]\n[]", 2, "extra data"),
        ('[\r\n\r\n {"week": 1, "title": "T", "link": "x"}]', 3, "'week' must be a string"),
        ('[\r\r {"title": "T", "link": "x", "week": "2023-01-08", "links": {}}]', 3, "'links'"),
        ("[" * 100_000, 1, "bad JSON: nested too deeply"),
    ],
)
def test_json_errors_carry_the_line(text: str, line: int | None, words: str) -> None:
    error = error_of(parse_json, text, "p.json")
    assert error.line == line, error
    assert words in error.message, error


def test_an_empty_json_list_is_an_empty_digest() -> None:
    assert parse_json("[]") == [] == parse_json(" [ \n ] \n")


# --- properties: never another exception ---------------------------------------------------------

_LINE_COUNT = re.compile(r"\r\n|\r|\n")


def lines_in(text: str) -> int:
    return len(_LINE_COUNT.findall(text)) + 1


def check(parse: object, text: str) -> None:
    """`parse(text)` gives sound papers or a LoadError with a plausible line; nothing else."""
    assert callable(parse)
    try:
        papers = parse(text, "fuzz")
    except LoadError as error:
        assert error.path == "fuzz"
        assert error.line is None or 1 <= error.line <= lines_in(text), (error, lines_in(text))
    else:
        for paper in papers:
            assert isinstance(paper, Paper)
            assert paper.title.strip() and paper.link.strip()
            assert 1 <= paper.line <= lines_in(text)


noise = st.text(
    alphabet=st.one_of(
        st.sampled_from("|\\*#()[]<>●-–:,.;\"'\t\r\n\x00\x1b\u202e{}0123456789 "),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=40,
)
readme_lines = st.one_of(
    st.sampled_from(
        [
            f"{HEADING} (June 19 - June 25)",
            f"{HEADING} (Dec 30 - Jan 5) - 2025",
            f"{HEADING} (Feb 23 - 29)",
            f"{HEADING} (Junly 1 - 2)",
            "## 2024",
            "# **ML Papers of The Week**",
            "| **Paper**  | **Links** |",
            "| ------------- | ------------- |",
            "| 1) **Title** - summary <br> ● bullet | [Paper](https://arxiv.org/abs/2301.00001) |",
            "| 2) Title  summary | [Tweet](https://x.com/1), [Code](https://g.com/x)",
            "5. **T** | https://example.org",
            "| 3) **T** | |",
            "- [Top ML Papers of the Week (May 1-7)](#x)",
            "",
        ]
    ),
    noise,
    noise.map(lambda cell: f"| 1) {cell} | [Paper]({cell}) |"),
)


@st.composite
def readme_texts(draw: st.DrawFn) -> str:
    """Week headings, each over a table of rows with noisy cells but sound links."""
    headings = ["(June 19 - June 25)", "(Dec 30 - Jan 5) - 2025", "(Feb 13 - 19)", "(May 1-7)"]
    parts = ["# ML Papers of The Week\n"]
    for _ in range(draw(st.integers(1, 4))):
        parts.append(f"{HEADING} {draw(st.sampled_from(headings))}\n{TABLE_HEAD}")
        for number in range(draw(st.integers(0, 4))):
            title = draw(noise) + "x"
            bold = draw(st.booleans())
            cell = f"**{title}** - {draw(noise)}" if bold else f"{title}  {draw(noise)}"
            parts.append(f"| {number}) {cell} | [Paper](https://a.org/{number}) |\n")
    return "".join(parts)


@given(st.one_of(noise, st.lists(readme_lines, max_size=14).map("\n".join), readme_texts()))
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_readme_papers_or_a_load_error(text: str) -> None:
    check(parse_potw, text)


csv_lines = st.one_of(
    st.sampled_from(
        [
            "week,title,link,summary,links",
            "Week,Title,URL",
            "2023-01-08,T,https://a,s,Tweet\thttps://t",
            '2023-01-08,"multi',
            'line",https://b',
            '"unclosed',
            "2023-13-45,T,https://c",
            ",,,",
            "",
        ]
    ),
    noise,
)
csv_field = st.one_of(noise, noise.map(lambda text: '"' + text.replace('"', '""') + '"'))


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """A header naming the fields, then records: mostly sound, some damaged."""
    names = draw(st.permutations(["week", "Title", "paper_link", "summary", "Links", "x"]))
    lines = [",".join(names)]
    for _ in range(draw(st.integers(0, 5))):
        values = {
            "week": draw(st.dates()).isoformat() if draw(st.integers(0, 9)) else draw(csv_field),
            "Title": draw(csv_field) + "t",
            "paper_link": "h" + draw(csv_field),
        }
        lines.append(",".join(values.get(name) or draw(csv_field) for name in names))
    if draw(st.integers(0, 3)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.one_of(csv_lines, noise)))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@given(st.one_of(noise, st.lists(csv_lines, max_size=10).map("\n".join), csv_texts()))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_csv_papers_or_a_load_error(text: str) -> None:
    check(parse_csv, text)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), noise),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(noise, children, max_size=3)
    ),
    max_leaves=8,
)
paper_objects = st.fixed_dictionaries(
    {
        "week": st.dates().map(date.isoformat),
        "title": noise.map(lambda text: text + "t"),
        "link": noise.map(lambda text: "https://" + text),
    },
    optional={
        "category": st.one_of(st.none(), noise),
        "summary": st.one_of(st.none(), noise),
        "links": st.lists(
            st.one_of(noise, st.fixed_dictionaries({"label": noise, "url": noise})), max_size=3
        ),
        "Week": st.one_of(noise, json_values),  # a second spelling: the first key wins
        "extra": json_values,
    },
)


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    value = draw(
        st.one_of(st.lists(st.one_of(paper_objects, json_values), max_size=4), json_values)
    )
    text = json.dumps(value, indent=draw(st.sampled_from([None, 1, 2])))
    if draw(st.integers(0, 2)) == 0:  # damage it
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(noise) + text[cut + draw(st.integers(0, 3)) :]
    return text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))


@given(st.one_of(noise, json_texts()))
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_json_papers_or_a_load_error(text: str) -> None:
    check(parse_json, text)


@given(st.one_of(noise, json_texts(), st.lists(readme_lines, max_size=8).map("\n".join)))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_papers_or_a_load_error_whatever_the_format(text: str) -> None:
    check(parse_text, text)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_very_long_cells_are_read_whole(fmt: str) -> None:
    long = 'word | \\ " ✓ ' * 40_000 + "\nsecond line"
    papers = [Paper(week=date(2023, 1, 8), title=long, link="https://a", summary=long)]
    parse = parse_json if fmt == "json" else parse_csv
    (again,) = parse(render(papers, fmt), "-")
    assert (again.title, again.summary) == (long, long)


# --- properties: what is written reads back ----------------------------------------------------

text_values = st.text(
    alphabet=st.one_of(
        st.sampled_from("|\\\"',\t\r\n\x00\x1b\x07\x7f\x9b\u202e●<>*#"),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=25,
)
link_values = st.lists(
    st.builds(Link, text_values.filter(str.strip), text_values.filter(str.strip)), max_size=3
).map(tuple)
papers_strategy = st.lists(
    st.builds(
        Paper,
        week=st.dates(),
        title=text_values.filter(str.strip),
        link=text_values.filter(str.strip),
        category=text_values,
        abstract=text_values,
        summary=text_values,
        links=link_values,
    ),
    max_size=5,
)


@given(papers_strategy)
@settings(max_examples=200, deadline=None)
def test_printed_json_reads_back_to_the_same_records(papers: list[Paper]) -> None:
    text = render(papers, "json")
    again = parse_json(text, "-")
    assert [paper_record(paper) for paper in again] == json.loads(text)
    assert render(again, "json") == text


@given(papers_strategy)
@settings(max_examples=200, deadline=None)
def test_printed_csv_reads_back_to_the_same_csv(papers: list[Paper]) -> None:
    text = render(papers, "csv")
    assert render(parse_csv(text, "-"), "csv") == text


@st.composite
def readmes(draw: st.DrawFn) -> tuple[str, list[tuple[date, str, str]]]:
    """A README of consecutive weeks, newest first, years mostly left out, and what it holds."""
    end = draw(st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)))
    count = draw(st.integers(1, 70))
    anchor = draw(st.integers(0, count - 1))
    words = (
        st.text(alphabet="abcdefghij XYZ'?!0123456789", min_size=1, max_size=20)
        .map(lambda text: " ".join(text.split()))
        .filter(bool)
    )
    parts: list[str] = []
    expected: list[tuple[date, str, str]] = []
    for number in range(count):
        last = end - timedelta(days=7 * number)
        first = last - timedelta(days=6)
        style = draw(st.sampled_from(["%B", "%b"]))
        start_text = f"{first.strftime(style)} {first.day}"
        same = first.month == last.month and draw(st.booleans())
        end_text = f"{last.day}" if same else f"{last.strftime(style)} {last.day}"
        dash = draw(st.sampled_from([" - ", "-", " – "]))
        year = f" - {last.year}" if number == anchor or draw(st.integers(0, 9)) == 0 else ""
        parts.append(f"{HEADING} ({start_text}{dash}{end_text}){year}\n{TABLE_HEAD}")
        for row in range(draw(st.integers(0, 3))):
            title, summary = draw(words), draw(words)
            bold = draw(st.booleans())
            cell = f"**{title}** - {summary}" if bold else f"{title}  {summary}"
            parts.append(f"| {row + 1}) {cell} | [Paper](https://example.org/{number}/{row}) |\n")
            expected.append((last, title, summary))
        parts.append("\n")
    return "".join(parts), expected


@given(readmes())
@settings(max_examples=150, deadline=None)
def test_generated_readmes_read_back_with_the_right_years(
    readme: tuple[str, list[tuple[date, str, str]]],
) -> None:
    text, expected = readme
    papers = parse_potw(text, "gen.md")
    assert [(paper.week, paper.title, paper.summary) for paper in papers] == expected


def test_csv_values_keep_their_line_endings_exactly() -> None:
    """A quoted CSV value keeps what was written: CRLF and CR inside it are not made LF (the
    round trips of --print rely on it)."""
    text = 'week,title,link\r\n2023-05-01,"a\r\nb",https://x\r\n2023-05-01,"c\rd",https://y\n'
    assert [paper.title for paper in parse_csv(text, "d.csv")] == ["a\r\nb", "c\rd"]
