"""The upstream README's newer layouts: titles split from their summaries (a spaced dash, no
separator at all, a mistyped bold), the paper link found anywhere in the row, and how doubtful a
split is. Each layout is a fixture under tests/fixtures/potw/ written in the upstream's style."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.model import Link, Paper
from reader.sources.formats.potw import LONG_TITLE, is_doubtful, parse_potw, split_title

POTW = Path(__file__).resolve().parents[1] / "fixtures" / "potw"


def potw(name: str) -> list[Paper]:
    path = POTW / name
    return parse_potw(path.read_text(encoding="utf-8"), str(path))


def test_a_spaced_dash_ends_a_title_without_bold() -> None:
    papers = potw("dash-separator.md")
    assert [paper.title for paper in papers] == [
        "Self-Tuning Models",
        "FrameRAG",
        "Can LLMs Write Good Exams?",
        "2.5-bit FLUX",  # the dash comes before the two spaces inside the summary
        "Cache-Augmented Generation (CAG)",  # an en dash
        "Mixture-of-Experts Scaling Laws Revisited For Instruction-Following Models",
    ]
    assert papers[0].summary.startswith("introduces Transformer^2, a self-adaptation framework")
    assert papers[0].summary.endswith("1) a dispatch system, and 2) a mixing step.")
    assert papers[3].summary == (
        "presents a way to quantize the state-of-the-art text-to-image model to 2.5 bits."
    )
    assert papers[5].summary == ""  # hyphens inside words are not separators


def test_a_title_without_any_separator_ends_where_its_summary_opens() -> None:
    papers = potw("no-separator.md")
    assert [(paper.title, paper.summary.split(" ", 2)[:2]) for paper in papers] == [
        ("A Memory Operating System for Retrieval-Augmented Agents", ["Introduces", "a"]),
        ("Building Reliable Shopping Agents with Workflow Graphs", ["This", "paper"]),
        ("Sparse Rewards", ["Researchers", "from"]),
        (
            "Scaling Laws for Retrieval: What Changes When Retrieval Is Learned Jointly With the"
            " Language Model at Every Scale We Could Train",
            [""],
        ),
    ]
    # The second row's bullets still become lines.
    assert papers[1].summary.endswith("workflow graphs.\n● It uses a directed acyclic graph.")


def test_a_mistyped_bold_still_marks_the_title() -> None:
    papers = potw("broken-bold.md")
    assert [(paper.title, paper.summary) for paper in papers] == [
        ("Magicoder", "a series of open-source LLMs for code."),
        (
            "RankZebra",
            "an open-source LLM for listwise zero-shot reranking that bridges the gap with GPT-4.",
        ),
        ("Half Bold", "one star short."),
        ("Three Stars", "one star too many."),
    ]


def test_the_paper_link_is_the_best_non_social_link_of_the_whole_row() -> None:
    papers = potw("inline-links.md")
    assert [(paper.link, paper.links) for paper in papers] == [
        # the only non-social link sits in the summary cell
        (
            "https://arena.example.org/blog/agent-arena",
            (Link("Tweet", "https://x.com/a/status/1"),),
        ),
        # social links in the summary never win over the links cell's Blog
        ("https://example.org/kernels", (Link("Tweet", "https://x.com/d/status/4"),)),
        ("https://arxiv.org/abs/2504.00003", (Link("Tweet", "https://x.com/e/status/5"),)),
        # nothing but social links: the links cell's first
        ("https://x.com/f/status/7", ()),
        # a post is social by its address whatever its label
        ("https://github.com/g/code", (Link("Announcement", "https://x.com/g/status/8"),)),
    ]
    assert papers[2].arxiv_id == "2504.00003"
    assert papers[0].summary.endswith("open-sourcing of its infrastructure. Report")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("**Bold Title** - summary", ("Bold Title", "summary", "bold")),
        ("*8RankZephyr** - summary", ("RankZephyr", "summary", "bold")),
        ("Title  Summary here", ("Title", "Summary here", "separator")),
        ("Title - summary", ("Title", "summary", "separator")),
        ("Title<br>● first", ("Title", "● first", "separator")),
        ("Big Model Introduces a thing", ("Big Model", "Introduces a thing", "opener")),
        ("Introduces Alone", ("Introduces Alone", "", "none")),  # never at the first word
        ("A Plain Title", ("A Plain Title", "", "none")),
    ],
)
def test_split_title(cell: str, expected: tuple[str, str, str]) -> None:
    assert split_title(cell) == expected


def test_doubtful_splits_are_guesses_or_titles_still_too_long() -> None:
    assert is_doubtful("Big Model", "opener")
    assert not is_doubtful("Big Model", "separator")
    assert is_doubtful("x" * (LONG_TITLE + 1), "none")
    assert not is_doubtful("x" * LONG_TITLE, "bold")


WORD = st.from_regex(r"[A-Z][a-z0-9]{0,8}", fullmatch=True)


@given(
    title=st.lists(WORD, min_size=1, max_size=8).map(" ".join),
    summary=st.lists(st.from_regex(r"[a-z0-9,.;]{1,9}", fullmatch=True), min_size=1, max_size=20),
    layout=st.sampled_from(["**{t}** - {s}", "{t}  {s}", "{t} - {s}", "{t}<br>{s}", "{t}"]),
)
def test_every_layout_gives_back_the_title_written(
    title: str, summary: list[str], layout: str
) -> None:
    text = " ".join(summary)
    got_title, got_summary, how = split_title(layout.format(t=title, s=text))
    assert got_title == title
    assert got_summary == ("" if layout == "{t}" else text)
    assert how != "opener"


def test_a_title_header_a_bare_link_and_a_row_of_one_cell() -> None:
    """A header row named Title (bold or not) is no paper; a bare URL among the links is a
    link labelled "Link"; a row of one cell (links in the text) is a paper too."""
    text = (
        "## Top ML Papers of the Week (June 19 - June 25) - 2023\n"
        "| **Title** | **Links** |\n| --- | --- |\n"
        "| 1) **Alpha** - a study | https://arxiv.org/abs/2306.00001 https://example.org/x |\n"
        "| 2) **Beta** - another [Paper](https://arxiv.org/abs/2306.00002) |\n"
    )
    alpha, beta = parse_potw(text, "r.md")
    assert (alpha.title, alpha.link) == ("Alpha", "https://arxiv.org/abs/2306.00001")
    assert [(link.label, link.url) for link in alpha.links] == [("Link", "https://example.org/x")]
    assert (beta.title, beta.link) == ("Beta", "https://arxiv.org/abs/2306.00002")
    plain = text.replace("| **Title** | **Links** |", "| Title | Links |")
    assert [paper.title for paper in parse_potw(plain, "r.md")] == ["Alpha", "Beta"]
