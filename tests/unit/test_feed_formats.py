"""The feeds' formats (issue 29): Hugging Face's daily papers (JSON) and arXiv's listings (RSS and
Atom), detected by their content, their papers and their errors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from reader.model import Link, Origin
from reader.sources.formats import LoadError, detect_format
from reader.sources.formats.arxiv_listing import parse_arxiv_listing
from reader.sources.formats.hf import parse_hf
from reader.sources.loader import load_digest, parse_text
from tests.feeds import (
    HOSTILE,
    SUNDAY,
    WEDNESDAY,
    WITHDRAWN,
    XML_HOSTILE,
    ArxivItem,
    HFPaper,
    arxiv_atom,
    arxiv_day,
    arxiv_rss,
    hf_page,
    hf_week,
    hostile_listing,
)
from tests.unit.test_xmlsafe import BOMB

# --- detection ---------------------------------------------------------------------------------


def test_each_feed_is_detected_by_its_content_whatever_its_name() -> None:
    assert detect_format(hf_page(hf_week(2026, 26)).decode(), "page.md") == "hf"
    assert detect_format(arxiv_rss("cs.LG", WEDNESDAY, arxiv_day(WEDNESDAY)).decode()) == "arxiv"
    assert detect_format(arxiv_atom("cs.LG", WEDNESDAY, []).decode(), "x.json") == "arxiv"
    assert detect_format(BOMB.decode(), "feed.csv") == "arxiv"  # so its parser refuses it


def test_the_digest_formats_are_not_mistaken_for_feeds() -> None:
    printed = json.dumps([{"week": "2026-06-28", "title": "The paper: {x}", "link": "l"}])
    assert detect_format(printed) == "json"
    assert detect_format('[{"title": "x", "abstract": "\\"paper\\": {"}]') == "json"
    assert detect_format("[]") == "json"
    assert (
        detect_format('<div align="center">\n\n## Top ML Papers of the Week (June 1 - June 7)')
        == "potw"
    )
    assert detect_format("<!DOCTYPE html>\n<html>") != "arxiv"


# --- Hugging Face ------------------------------------------------------------------------------


def test_a_daily_papers_page_gives_its_papers_as_the_issue_maps_them() -> None:
    item = HFPaper(
        id="2406.12345",
        title="Scaling\n  Laws  for Everything",
        day=WEDNESDAY,
        summary="We study\nscaling.",
        authors=("Ada Lovelace", " Alan  Turing "),
        upvotes=212,
        comments=5,
        github="https://github.com/lab/scaling",
        project="https://lab.example/scaling",
    )
    (paper,) = parse_hf(hf_page([item]).decode(), "hf.json")
    assert paper.title == "Scaling Laws for Everything"
    assert paper.link == "https://arxiv.org/abs/2406.12345"
    assert paper.arxiv_id == "2406.12345"
    assert paper.abstract == "We study scaling."
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.week == SUNDAY  # the week of the day it was featured
    assert paper.links == (
        Link("Code", "https://github.com/lab/scaling"),
        Link("Project", "https://lab.example/scaling"),
    )
    assert paper.origins == (Origin("hf", WEDNESDAY, upvotes=212, comments=5),)
    assert paper.line == 1


def test_each_paper_knows_the_line_of_its_item() -> None:
    text = json.dumps([item.item() for item in hf_week(2026, 26, per_day=1)], indent=2)
    papers = parse_hf(text, "hf.json")
    starts = [number for number, line in enumerate(text.splitlines(), 1) if line == "  {"]
    assert [paper.line for paper in papers] == starts


def test_an_id_that_is_not_arxivs_links_to_its_page_on_hugging_face_quoted() -> None:
    items = [HFPaper(id="not-arxiv/\x1b[31m", title="T", day=WEDNESDAY)]
    (paper,) = parse_hf(hf_page(items).decode(), "hf.json")
    assert paper.arxiv_id is None
    assert paper.link == "https://huggingface.co/papers/not-arxiv%2F%1B%5B31m"


def test_hostile_text_is_kept_as_written_and_hostile_links_are_dropped() -> None:
    item = HFPaper(
        id="2406.12345",
        title=HOSTILE,
        day=WEDNESDAY,
        summary=HOSTILE,
        authors=(HOSTILE,),
        github="javascript:alert(1)",
        project="https://example.org/\x1b[2J",
    )
    (paper,) = parse_hf(hf_page([item]).decode(), "hf.json")
    assert "\x1b[31mred" in paper.title and "\u202e" in paper.abstract
    assert paper.authors and "\x1b" in paper.authors[0]
    assert paper.links == ()  # a link reader would not open, or with raw controls: not kept


_DAYS = ("submittedOnDailyAt", "publishedAt")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda item: item.pop("paper"), "the item has no 'paper' object"),
        (lambda item: item.update(paper=None), "the item has no 'paper' object"),
        (lambda item: item["paper"].pop("id"), "the paper has no 'id'"),
        (lambda item: item["paper"].update(id=2606.1), "'id' must be a string, not a number"),
        (
            lambda item: item["paper"].update(title=None, summary="s") or item.update(title=""),
            "the paper has no title",
        ),
        (
            lambda item: [item.update(publishedAt=None), *map(item["paper"].pop, _DAYS)],
            "the item has no date (publishedAt)",
        ),
        (
            lambda item: [item.update(publishedAt="soon"), *map(item["paper"].pop, _DAYS)],
            "'publishedAt' is not a date: 'soon'",
        ),
        (
            lambda item: item.clear() or item.update(error="rate limited"),
            "the item has no 'paper' object",
        ),
    ],
)
def test_an_item_that_is_no_paper_is_left_out_and_said(change: object, words: str) -> None:
    """The API changed shape in one item: that item is left out, with its number and why,
    and the page's other papers are read; a page none of whose items reads is an error on
    the first one's line."""
    week = hf_week(2026, 26, per_day=1)
    items = [paper.item() for paper in week]
    change(items[2])  # type: ignore[operator]
    page = parse_hf(json.dumps(items, indent=2), "hf.json")
    assert [paper.title for paper in page] == [week[n].title for n in (0, 1, 3, 4)]
    assert (page.items, page.skipped) == (5, (f"item 3: {words}",))
    assert page.notice() == f"hf.json: 1 of 5 papers left out (item 3: {words})"
    items = [paper.item() for paper in hf_week(2026, 26, per_day=1)]
    for item in items:
        change(item)  # type: ignore[operator]
    text = json.dumps(items, indent=2)
    with pytest.raises(LoadError) as error:
        parse_hf(text, "hf.json")
    assert error.value.message == words
    starts = [number for number, line in enumerate(text.splitlines(), 1) if line == "  {"]
    assert error.value.line == starts[0]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("upvotes", "many"),
        ("upvotes", None),
        ("upvotes", 1.5),
        ("upvotes", [3]),
        ("authors", "Ada Lovelace"),
        ("authors", [None, 5, {"name": 7}, {"_id": "x"}]),
        ("githubRepo", 5),
        ("projectPage", {"url": "https://x.org"}),
        ("summary", None),
        ("ai_summary", None),
    ],
)
def test_an_optional_field_of_another_shape_is_read_as_absent(key: str, value: object) -> None:
    """`paper.upvotes` of 1.5 or "many", authors that are no objects, a link that is no text:
    the paper stays, without that field (nothing left out, nothing said)."""
    (plain,) = parse_hf(hf_page([HFPaper(id="2606.00001", title="T", day=WEDNESDAY)]).decode())
    item = HFPaper(id="2606.00001", title="T", day=WEDNESDAY, upvotes=7, github="https://g.h/x")
    items = [item.item()]
    items[0]["paper"][key] = value  # type: ignore[index]
    page = parse_hf(json.dumps(items), "hf.json")
    assert page.skipped == () and page.notice() is None
    (paper,) = page
    assert paper.title == "T" and paper.week == plain.week
    if key == "upvotes":
        assert paper.origins[0].upvotes is None
    if key == "authors":
        assert paper.authors == ()
    if key == "githubRepo":
        assert paper.links == ()
    if key == "summary":  # the item's own summary stands in
        assert paper.abstract == plain.abstract


def test_the_papers_own_summary_comes_before_the_items() -> None:
    """The API repeats the summary on the item; when the two differ, the paper's is the
    abstract (the item's stands in only for a paper without one: above). Found by `make
    mutate`: every test's item carried the same text twice."""
    items = [HFPaper(id="2606.00001", title="T", day=WEDNESDAY, summary="The paper's.").item()]
    items[0]["summary"] = "The item's."
    (paper,) = parse_hf(json.dumps(items), "hf.json")
    assert paper.abstract == "The paper's."


def test_whole_counts_written_as_floats_are_kept() -> None:
    item = HFPaper(id="2606.00001", title="T", day=WEDNESDAY).item()
    item["paper"]["upvotes"] = 212.0  # type: ignore[index]
    item["numComments"] = 5.0
    (paper,) = parse_hf(json.dumps([item]))
    assert (paper.origins[0].upvotes, paper.origins[0].comments) == (212, 5)


def test_an_empty_day_is_no_papers() -> None:
    assert parse_text("[]", "hf.json") == []


# --- arXiv listings ----------------------------------------------------------------------------


def test_a_listing_gives_its_papers_as_the_issue_maps_them() -> None:
    items = [
        ArxivItem(
            id="2606.01234",
            title="Attention\n    Is Still All You Need",
            abstract="We\n  revisit attention.",
            announce="cross",
            categories=("cs.CL", "cs.LG"),
            authors=("Grace Hopper", "Edsger W. Dijkstra", "Barbara Liskov"),
            version=2,
        )
    ]
    (paper,) = parse_arxiv_listing(arxiv_rss("cs.LG", WEDNESDAY, items).decode(), "cs.LG")
    assert paper.title == "Attention Is Still All You Need"
    assert paper.link == "https://arxiv.org/abs/2606.01234"
    assert paper.arxiv_id == "2606.01234"
    assert paper.abstract == "We revisit attention."
    assert paper.category == "Computation and Language"  # the primary subject's name
    assert paper.authors == ("Grace Hopper", "Edsger W. Dijkstra", "Barbara Liskov")
    assert paper.week == SUNDAY
    assert paper.origins == (Origin("arxiv", WEDNESDAY, announce="cross", listing="cs.LG"),)


def test_rss_and_atom_give_the_same_papers() -> None:
    items = [*arxiv_day(WEDNESDAY), WITHDRAWN]
    rss = parse_arxiv_listing(arxiv_rss("cs.LG+cs.CL", WEDNESDAY, items).decode())
    atom = parse_arxiv_listing(arxiv_atom("cs.LG+cs.CL", WEDNESDAY, items).decode())
    assert [replace(paper, line=0) for paper in rss] == [replace(paper, line=0) for paper in atom]
    assert [paper.origins[0].announce for paper in rss] == [
        "new",
        "new",
        "new",
        "cross",
        "replace",
        "replace-cross",
        "replace",
    ]
    assert {paper.origins[0].listing for paper in rss} == {"cs.LG+cs.CL"}


def test_a_withdrawn_paper_is_listed_with_what_arxiv_says_of_it() -> None:
    (paper,) = parse_arxiv_listing(arxiv_rss("cs.LG", WEDNESDAY, [WITHDRAWN]).decode())
    assert paper.abstract.startswith("This paper has been withdrawn")
    assert paper.authors == ()
    assert paper.origins[0].announce == "replace"


def test_a_weekends_empty_feed_is_no_papers_not_an_error() -> None:
    assert parse_arxiv_listing(arxiv_rss("cs.LG", date(2026, 6, 27), []).decode()) == []
    assert parse_text(arxiv_atom("cs.LG", date(2026, 6, 27), []).decode(), "x") == []


def test_older_titles_lose_their_id_suffix_and_an_unknown_category_stays_a_code() -> None:
    item = ArxivItem(id="2606.00001", title="Old Style", categories=("cs.XX",))
    raw = "Old Style (arXiv:2606.00001v1 [cs.XX] UPDATED)"
    (paper,) = parse_arxiv_listing(arxiv_rss("cs.XX", WEDNESDAY, [item], raw_title=raw).decode())
    assert paper.title == "Old Style"
    assert paper.category == "cs.XX"


def test_an_unknown_announce_type_is_dropped_not_shown() -> None:
    item = ArxivItem(id="2606.00001", title="T", announce=XML_HOSTILE)
    (paper,) = parse_arxiv_listing(arxiv_rss("cs.LG", WEDNESDAY, [item]).decode())
    assert paper.origins[0].announce == ""


def test_hostile_text_in_every_field_is_kept_as_written() -> None:
    text = hostile_listing("2606.00001")
    (paper,) = parse_arxiv_listing(text)
    for value in (paper.title, paper.abstract, paper.category, paper.authors[0]):
        assert "\u202e" in value and "[31mred" in value  # XML cannot carry ESC itself
    assert "\x9b" in paper.title and "\x7f" in paper.title
    assert paper.link == "https://arxiv.org/abs/2606.00001"


def test_the_entity_bomb_is_refused_with_its_line() -> None:
    with pytest.raises(LoadError) as error:
        parse_text(BOMB.decode(), "cs.LG.xml")
    assert str(error.value) == ("cs.LG.xml:2: refused: a DOCTYPE (feeds have none; it is not read)")


def test_an_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("SECRET")
    feed = arxiv_rss("cs.LG", WEDNESDAY, [ArxivItem(id="2606.00001", title="&xxe;")]).decode()
    feed = feed.replace(
        "<rss ", f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n<rss ', 1
    ).replace("&amp;xxe;", "&xxe;")
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(feed)
    with pytest.raises(LoadError) as error:
        load_digest([str(feed_file)])
    assert "refused" in str(error.value) and "SECRET" not in str(error.value)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("<?xml version='1.0'?>\n<html><body/></html>", 2, "an RSS or Atom feed was expected"),
        ("<?xml version='1.0'?>\n<rss>\n<channel>\n<item>", 4, "not XML: no element found"),
        ("<rss><channel><item><title>T</title></item></channel></rss>", 1, "without a link"),
        (
            "<rss><channel><item><title>T</title><link>https://arxiv.org/abs/2606.00001</link>"
            "</item></channel></rss>",
            1,
            "without a date",
        ),
        ("<rss></rss>", 1, "without a channel"),
    ],
)
def test_what_is_not_a_listing_is_one_error_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(LoadError) as error:
        parse_text(text, "feed")
    assert words in error.value.message
    assert error.value.line == line
