"""What each format reads of a paper beyond its title and link, and the error each wrong field
gives, at its file and line: JSON's `sources` (as `--format json` writes them) and link labels,
Hugging Face's item title, dates, authors and project links, arXiv listings' Atom links, RSS
dates and untitled items. (Found by `make mutate`: nothing asserted these.)"""

from __future__ import annotations

import json
from datetime import date

import pytest

from reader.model import Link, Origin
from reader.sources.formats import LoadError
from reader.sources.formats.arxiv_listing import parse_arxiv_listing
from reader.sources.formats.csv_json import parse_json
from reader.sources.formats.hf import parse_hf
from reader.sources.loader import parse_text


def json_digest(**fields: object) -> str:
    paper = {"week": "2024-01-07", "title": "T", "link": "https://arxiv.org/abs/2401.00001"}
    return json.dumps([paper | fields], indent=1)


def json_error(**fields: object) -> str:
    with pytest.raises(LoadError) as raised:
        parse_json(json_digest(**fields), "d.json")
    return str(raised.value)


# --- JSON: sources and links ---------------------------------------------------------------------


def test_json_sources_read_back_as_the_papers_origins() -> None:
    sources = [
        {"feed": "hf", "day": "2024-01-03", "upvotes": 12, "comments": 3},
        {"feed": "arxiv", "day": "2024-01-04", "announce": "cross", "listing": "cs.LG+cs.CL"},
        {"feed": "arxiv", "day": "2024-01-05", "announce": "gossip", "listing": "1 bad listing"},
    ]
    (paper,) = parse_json(json_digest(sources=sources), "d.json")
    assert paper.origins == (
        Origin("hf", date(2024, 1, 3), upvotes=12, comments=3),
        Origin("arxiv", date(2024, 1, 4), announce="cross", listing="cs.LG+cs.CL"),
        Origin("arxiv", date(2024, 1, 5)),  # an unknown announce type and listing: left out
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("hf", "'sources' holds a string; expected objects"),
        ({"feed": 5, "day": "2024-01-03"}, "'feed' must be a string, not a number"),
        ({"feed": True, "day": "2024-01-03"}, "'feed' must be a string, not a boolean"),
        ({"feed": {}, "day": "2024-01-03"}, "'feed' must be a string, not an object"),
        ({"feed": "rss", "day": "2024-01-03"}, "a source's 'feed' must be one of potw, hf, arxiv"),
        ({"feed": "hf", "day": 20240103}, "'day' must be a string, not a number"),
        ({"feed": "hf", "day": "soon"}, "a source's 'day' must be a date (YYYY-MM-DD)"),
        ({"feed": "hf", "day": "2024-01-03", "upvotes": "9"}, "a source's 'upvotes' must be"),
        ({"feed": "arxiv", "day": "2024-01-03", "announce": 1}, "'announce' must be a string"),
        ({"feed": "arxiv", "day": "2024-01-03", "listing": []}, "'listing' must be a string"),
    ],
)
def test_a_wrong_source_is_an_error_at_the_papers_line(source: object, message: str) -> None:
    assert json_error(sources=[source]).startswith(f"d.json:2: {message}")


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (
            [{"label": 5, "url": "https://x.org"}],
            "d.json:2: 'label' must be a string, not a number",
        ),
        ([{"label": "Code", "url": None}, 7], "d.json:2: 'links' holds a number; expected {"),
        ("https://x.org", "d.json:2: 'links' must be a list, not a string"),
    ],
)
def test_a_wrong_link_is_an_error_at_the_papers_line(links: object, message: str) -> None:
    assert json_error(links=links).startswith(message)


def test_json_links_keep_their_labels_and_a_bare_address_is_a_link() -> None:
    links = [
        {"label": "Code", "url": "https://github.com/x"},
        {"url": "https://x.org"},
        "https://y",
    ]
    (paper,) = parse_json(json_digest(links=links), "d.json")
    assert paper.links == (
        Link("Code", "https://github.com/x"),
        Link("Link", "https://x.org"),
        Link("Link", "https://y"),
    )


# --- Hugging Face --------------------------------------------------------------------------------


def hf_item(**paper: object) -> dict[str, object]:
    return {"paper": {"id": "2406.12345", "title": "T"} | paper, "publishedAt": "2026-06-24"}


def test_an_hf_item_without_a_paper_title_takes_the_items_own() -> None:
    item = hf_item(title="") | {"title": "The item's title"}
    (paper,) = parse_hf(json.dumps([item]), "hf.json")
    assert paper.title == "The item's title"


def test_hf_project_links_with_spaces_or_other_schemes_are_left_out() -> None:
    item = hf_item(githubRepo="https://github.com/a b", projectPage="https://lab.org/p")
    (paper,) = parse_hf(json.dumps([item]), "hf.json")
    assert paper.links == (Link("Project", "https://lab.org/p"),)
    item = hf_item(githubRepo="https://github.com/a/b", projectPage="javascript:alert(1)")
    (paper,) = parse_hf(json.dumps([item]), "hf.json")
    assert paper.links == (Link("Code", "https://github.com/a/b"),)


def test_an_hf_item_without_a_date_is_left_out_and_said() -> None:
    undated: dict[str, object] = {"paper": {"id": "2406.1", "title": "T"}}
    text = "[\n" + json.dumps(hf_item()) + ",\n" + json.dumps(undated) + "\n]"
    page = parse_hf(text, "hf.json")
    assert [paper.arxiv_id for paper in page] == ["2406.12345"]
    assert page.notice() == (
        "hf.json: 1 of 2 papers left out (item 2: the item has no date (publishedAt))"
    )


# --- arXiv listings ------------------------------------------------------------------------------

ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>cs.LG updates on arXiv.org</title>
  <updated>2026-06-24T00:00:00-04:00</updated>
  <entry>
    <id>tag:example.org,2026:one</id>
    <title>Not on arXiv</title>
    <link href="https://example.org/papers/one" rel="alternate"/>
    <link href="https://example.org/papers/one.pdf" rel="related"/>
  </entry>
</feed>
"""

RSS = """<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0">
  <channel>
    <title>cs.LG updates on arXiv.org</title>
    <pubDate>Wed, 24 Jun 2026 00:00:00 -0400</pubDate>
    <item>
      <title>{title}</title>
      <link>https://arxiv.org/abs/2606.00001</link>
      <pubDate>Mon, 15 Jun 2026 00:00:00 -0400</pubDate>
    </item>
  </channel>
</rss>
"""


def test_an_atom_entry_off_arxiv_keeps_its_alternate_link() -> None:
    (paper,) = parse_arxiv_listing(ATOM, "feed.xml")
    assert paper.link == "https://example.org/papers/one"
    assert paper.arxiv_id is None


def test_an_rss_item_is_dated_by_its_own_pub_date_before_the_channels() -> None:
    (paper,) = parse_arxiv_listing(RSS.format(title="A paper"), "feed.xml")
    assert paper.origins[0].day == date(2026, 6, 15)
    assert paper.week == date(2026, 6, 21)


def test_an_rss_item_without_a_title_is_an_error_at_its_line() -> None:
    with pytest.raises(LoadError) as raised:
        parse_arxiv_listing(RSS.format(title=""), "feed.xml")
    assert str(raised.value) == "feed.xml:6: an item without a title"


# --- a README of weeks and a JSON digest: headers, a BOM, the errors' words ----------------------

WEEK = "## Top ML Papers of the Week (January 1 - January 7, 2024)\n\n"


def test_a_papers_header_row_is_no_paper() -> None:
    text = (
        WEEK + "| **Papers** | **Links** |\n| --- | --- |\n"
        "| 1) **A paper** - about things | [Paper](https://arxiv.org/abs/2401.00001) |\n"
    )
    assert [paper.title for paper in parse_text(text, "r.md", "potw")] == ["A paper"]


def test_a_readme_of_weeks_says_what_a_week_heading_looks_like() -> None:
    with pytest.raises(LoadError) as raised:
        parse_text("# Papers\n\nNothing here.\n", "r.md", "potw")
    assert str(raised.value) == (
        "r.md: no week headings: expected '## Top AI Papers of the Week (June 21 - June 28) - "
        "2026' followed by a table of papers"
    )
    heading = "## Top ML Papers of the Week (" + "x" * 60 + ")\n"
    with pytest.raises(LoadError) as raised:
        parse_text(heading, "r.md", "potw")
    assert str(raised.value).startswith(
        f"r.md:1: unparseable week range ({'x' * 40}) in the heading (expected like "
    )


def test_a_json_digest_may_begin_with_a_bom() -> None:
    (paper,) = parse_json("\ufeff" + json_digest(), "d.json")
    assert paper.title == "T"
