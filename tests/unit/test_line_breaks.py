"""A line break the format means is a line break on screen and in `--print --format table`;
raw control characters in hostile text stay inert; json and csv keep the text as read."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from reader.browse import Pane
from reader.model import Digest, Paper
from reader.output import write_papers
from reader.sources.formats.potw import parse_potw
from reader.text import inert_lines
from reader.widgets.abstract import render_paper

BULLETS = Path(__file__).resolve().parents[1] / "fixtures" / "potw" / "bullets.md"


def bullets() -> list[Paper]:
    return parse_potw(BULLETS.read_text(encoding="utf-8"), str(BULLETS))


def printed(papers: list[Paper], fmt: str) -> str:
    out = io.StringIO()
    digest = Digest(papers)
    write_papers(digest, range(len(digest)), fmt, out, color=False)
    return out.getvalue()


def test_inert_lines_keeps_only_line_feeds() -> None:
    assert inert_lines("a\nb") == "a\nb"
    assert inert_lines("a\tb\rc\x1b[2Jd\u202e") == "a␉b␍c␛[2Jd<U+202E>"
    assert inert_lines("plain") == "plain"


def test_a_bullet_summary_shows_one_bullet_a_line_in_the_pane() -> None:
    shown = render_paper(Pane(bullets()[0])).plain
    assert "␊" not in shown
    assert (
        "Summary: It automates designing the agent workflow per task:\n"
        "● Agentic supernet – a continuous space of agent architectures.\n"
        "● Huge cost savings – only 6–45% of the inference cost."
    ) in shown


def test_a_hostile_summary_still_shows_its_control_characters_inert() -> None:
    paper = Paper(
        week=date(2025, 1, 5), title="T", link="https://a.org", summary="one\n\x1b[31mtwo\tthree"
    )
    shown = render_paper(Pane(paper)).plain
    assert "Summary: one\n␛[31mtwo␉three" in shown
    assert "\x1b" not in shown and "\t" not in shown


def test_the_highlight_of_a_query_lands_on_the_second_line() -> None:
    def spans(plain: str, field: str) -> list[tuple[int, int]]:
        return [(plain.find("supernet"), plain.find("supernet") + 8)]

    text = render_paper(Pane(bullets()[0], spans=spans))
    start = text.plain.find("supernet")
    styled = [span for span in text.spans if span.start == start and span.end == start + 8]
    assert styled, text.spans


def test_the_table_breaks_a_title_where_its_line_break_is() -> None:
    paper = Paper(
        week=date(2023, 6, 25),
        title="A Title Written\nOn Two Lines",
        link="https://arxiv.org/abs/2306.00001",
    )
    lines = printed([paper], "table").splitlines()
    assert "␊" not in "".join(lines)
    row = next(at for at, line in enumerate(lines) if "A Title Written" in line)
    assert lines[row].split()[:4] == ["2023-06-25", "A", "Title", "Written"]
    assert lines[row + 1].strip() == "On Two Lines"


def test_json_and_csv_keep_the_summary_as_read() -> None:
    papers = bullets()
    record = json.loads(printed(papers, "json"))[0]
    assert record["summary"] == papers[0].summary
    assert "\n● Agentic supernet" in record["summary"]
    row = next(csv.DictReader(io.StringIO(printed(papers, "csv"))))
    assert row["summary"] == papers[0].summary
