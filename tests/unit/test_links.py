"""A paper's links for the `L` list (reader.links.paper_links)."""

from __future__ import annotations

from datetime import date

from reader.links import paper_links
from reader.model import Link, Paper
from reader.text import arxiv_id


def test_the_papers_link_the_pdf_then_the_others_each_once() -> None:
    link = "https://arxiv.org/abs/2305.14314"
    paper = Paper(
        date(2023, 5, 28),
        "QLoRA",
        link,
        arxiv_id=arxiv_id(link),
        links=(
            Link("Tweet", "https://x.com/a/status/1"),
            Link("Code", " https://github.com/artidoro/qlora "),
            Link("Paper", link),  # the same as the main link: once
            Link("", "https://example.org/project"),
        ),
    )
    assert paper_links(paper) == [
        ("Paper", link),
        ("PDF", "https://arxiv.org/pdf/2305.14314"),
        ("Tweet", "https://x.com/a/status/1"),
        ("Code", "https://github.com/artidoro/qlora"),
        ("Link", "https://example.org/project"),
    ]


def test_a_paper_off_arxiv_has_no_pdf() -> None:
    paper = Paper(date(2023, 5, 28), "A blog", "https://example.org/post")
    assert paper_links(paper) == [("Link", "https://example.org/post")]
