"""The upstream CSV of abstracts (`Title,Description,PaperURL,TweetURL,Abstract`, no week): alone
its papers are undated; beside a dated digest each row joins the paper it describes. Fixtures:
tests/fixtures/potw/joined.md (a README of two weeks) and ml-potw-abstracts.csv (seven rows in the
upstream's style: quoted multi-line fields, doubled quotes, an empty TweetURL and Abstract)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.app import make_app
from reader.browse import Pane
from reader.cli import main
from reader.model import UNDATED, Digest, Link, Paper, join_note
from reader.output import write_papers
from reader.query import parse_query, select
from reader.screens.main import MainScreen
from reader.sources.formats import detect_format
from reader.sources.formats.csv_json import parse_csv, parse_json
from reader.sources.join import join_undated
from reader.sources.loader import load_digest, parse_text
from reader.widgets.abstract import render_paper
from reader.widgets.sidebar import Sidebar

POTW = Path(__file__).resolve().parents[1] / "fixtures" / "potw"
README = POTW / "joined.md"
CSV = POTW / "ml-potw-abstracts.csv"


def printed(digest: Digest, fmt: str) -> str:
    out = io.StringIO()
    write_papers(digest, range(len(digest)), fmt, out, color=False)
    return out.getvalue()


def test_the_upstream_csv_is_detected_and_read_as_undated_papers() -> None:
    text = CSV.read_text(encoding="utf-8")
    assert detect_format(text, "-") == "csv"  # by its header alone, no extension
    papers = parse_csv(text, str(CSV))
    assert len(papers) == 7
    assert {paper.week for paper in papers} == {UNDATED}
    llemma = papers[0]
    assert (llemma.title, llemma.link, llemma.arxiv_id) == (
        "Llemma",
        "https://arxiv.org/abs/2310.10631",
        "2310.10631",
    )
    assert llemma.summary.startswith("an LLM for mathematics which is based on")
    assert llemma.links == (Link("Tweet", "https://x.com/a/status/1"),)
    assert llemma.abstract.endswith(
        "Proof-Pile-2.\nOn the MATH benchmark Llemma outperforms all known open base models."
    )
    assert papers[2].summary == 'a model announced on a blog, with "open weights".'
    assert papers[2].links == ()  # an empty TweetURL
    assert papers[5].summary == "a survey of surveys;\nwith a second line."
    assert [paper.line for paper in papers] == [2, 4, 5, 6, 7, 8, 10]


def test_alone_the_csv_is_one_undated_week_found_by_week_none() -> None:
    digest = load_digest(CSV)
    assert digest.weeks == (UNDATED,)
    assert digest.joined is None
    assert len(select(digest, None, parse_query("week:none"))) == 7
    assert len(select(digest, None, parse_query("week:undated survey"))) == 1
    assert select(digest, None, parse_query("week:2023")) == []
    assert select(digest, None, parse_query("week:<2030-01-01")) == []
    assert select(digest, None, parse_query("week:..2030")) == []
    records = json.loads(printed(digest, "json"))
    assert {record["week"] for record in records} == {""}


def test_no_date_range_holds_the_undated_papers() -> None:
    digest = load_digest([README, CSV])
    undated = set(select(digest, None, parse_query("week:none")))
    assert len(undated) == 2
    assert undated.isdisjoint(select(digest, None, parse_query("week:<2024")))
    assert set(select(digest, None, parse_query("-week:none"))) == set(range(6))
    # Growing a range into week:none is no narrowing (the undated are not in the range).
    assert not parse_query("week:none").narrows(parse_query("week:<2024"))
    assert not parse_query("week:<2024").narrows(parse_query("week:none"))
    assert parse_query("week:none x").narrows(parse_query("week:none"))


def test_joined_each_row_fills_the_dated_paper_it_describes() -> None:
    digest = load_digest([README, CSV])
    assert digest.joined == (5, 2)
    by_week = [(paper.week, paper.title) for paper in digest.papers]
    assert by_week == [
        (date(2023, 10, 22), "Lemma Model"),
        (date(2023, 10, 22), "Self-Reflective RAG"),
        (date(2023, 10, 22), "A Blog Release"),
        (date(2023, 10, 22), "Attention Sinks"),
        (date(2023, 10, 15), "Divergence Bounds"),
        (date(2023, 10, 15), "Lemma Model"),
        (UNDATED, "Unjoined Survey"),
        (UNDATED, "Unjoined Blog Post"),
    ]
    lemma, rag, blog, sinks, bounds, lemma_again = digest.papers[:6]
    # by arXiv id (the README links v2, the CSV the pdf)
    assert rag.abstract.startswith("Despite their remarkable capabilities")
    # by link (scheme, www. and a trailing slash differ)
    assert blog.abstract == "A release with open weights, a model card and an evaluation."
    # by title ("attention sinks!" with another link)
    assert sinks.abstract.startswith("Deploying LLMs in streaming applications")
    # what the dated paper has is kept; what it lacks is filled
    assert lemma.summary.startswith("an LLM for mathematics based on continued pretraining")
    assert sinks.summary.startswith("shows that keeping the first tokens' KV")
    assert sinks.link == "https://openreview.net/forum?id=sinks"
    # a paper listed in two weeks gets its abstract in both
    assert lemma.abstract == lemma_again.abstract != ""
    assert bounds.abstract.startswith(r"We bound the $\alpha$-divergence")
    assert digest.weeks[-1] == UNDATED


def test_the_order_of_the_files_does_not_matter() -> None:
    forward, backward = load_digest([README, CSV]), load_digest([CSV, README])
    assert backward.joined == forward.joined
    assert backward.papers == forward.papers


def test_print_reports_the_counts_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(README), str(CSV), "--print", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err == (
        "reader: Joined 5 undated papers to their dated ones; 2 stay undated"
        " (week:none finds them).\n"
    )
    records = json.loads(captured.out)
    assert [record["week"] for record in records][-3:] == ["2023-10-15", "", ""]
    # alone, nothing is joined and nothing is said
    assert main([str(CSV), "--print", "--format", "links"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_the_joined_digest_round_trips(fmt: str) -> None:
    first = printed(load_digest([README, CSV]), fmt)
    again = printed(Digest(parse_text(first, f"x.{'md' if fmt == 'markdown' else fmt}")), fmt)
    assert again == first


def test_join_note_wording() -> None:
    assert join_note((1, 0)) == "Joined 1 undated paper to their dated ones; none stays undated."
    assert join_note((0, 1)).endswith("1 stays undated (week:none finds them).")


def test_a_blank_week_reads_back_as_undated() -> None:
    papers = parse_json('[{"week": "", "title": "T", "link": "https://a.org"}]')
    assert papers[0].week == UNDATED
    text = "week,title,link\n,T,https://a.org\nundated,U,https://b.org\n"
    assert [paper.week for paper in parse_csv(text)] == [UNDATED, UNDATED]


async def test_the_tui_lists_undated_papers_and_toasts_the_counts() -> None:
    app = make_app(load_digest([README, CSV]), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any(
            "Joined 5 undated papers" in notification.message for notification in app._notifications
        )
        sidebar = app.screen.query_one(Sidebar)
        weeks = [(entry.label, entry.count) for entry in sidebar.entries if entry.kind == "week"]
        assert weeks[-1] == ("Undated", "2/2")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.act(screen.browse.show_week, UNDATED)
        await pilot.pause()
        shown = [screen.browse.digest.papers[at].title for at in screen.browse.rows]
        assert shown == ["Unjoined Survey", "Unjoined Blog Post"]
        assert "Undated" in render_paper(Pane(screen.browse.current_paper)).plain


# --- the property: joining never loses a dated paper ------------------------------------------

IDS = st.integers(min_value=10000, max_value=10050).map(lambda n: f"2310.{n}")
TITLES = st.sampled_from(["Alpha Model", "Beta-Net", "gamma rays", "Delta", "Ε psilon"])


@st.composite
def dated_paper(draw: st.DrawFn) -> Paper:
    week = date(2023, 1, 1) + timedelta(weeks=draw(st.integers(0, 40)))
    link = draw(
        st.one_of(IDS.map(lambda i: f"https://arxiv.org/abs/{i}"), st.just("https://a.org/x"))
    )
    return Paper(
        week=week,
        title=draw(TITLES),
        link=link,
        arxiv_id=link.rsplit("/", 1)[1] if "arxiv" in link else None,
        abstract=draw(st.sampled_from(["", "kept abstract"])),
        summary=draw(st.sampled_from(["", "kept summary"])),
    )


@st.composite
def csv_row(draw: st.DrawFn) -> Paper:
    link = draw(
        st.one_of(
            IDS.map(lambda i: f"http://arxiv.org/pdf/{i}v3"),
            st.sampled_from(["http://www.a.org/x/", "https://b.org/y"]),
        )
    )
    return Paper(
        week=UNDATED,
        title=draw(st.one_of(TITLES, st.just("Unrelated"))),
        link=link,
        arxiv_id=link.rsplit("/", 1)[1][:10] if "arxiv" in link else None,
        abstract="row abstract",
        summary="row summary",
    )


@settings(max_examples=300, deadline=None)
@given(dated=st.lists(dated_paper(), max_size=12), rows=st.lists(csv_row(), max_size=12))
def test_joining_never_loses_a_dated_paper(dated: list[Paper], rows: list[Paper]) -> None:
    papers, joined, undated = join_undated(dated + rows)
    assert joined + undated == len(rows)
    kept = [paper for paper in papers if paper.week != UNDATED]
    assert len(papers) == len(dated) + undated
    if not dated:
        assert papers == rows
        return
    assert [(p.week, p.title, p.link) for p in kept] == [(p.week, p.title, p.link) for p in dated]
    for before, after in zip(dated, kept):  # noqa: B905
        # what a dated paper had is never replaced; it only gains what it lacked
        assert after.abstract == (before.abstract or after.abstract)
        assert after.summary == (before.summary or after.summary)
        assert after.abstract in (before.abstract, "row abstract")


def test_citations_and_export_names_of_undated_papers_carry_no_year_one() -> None:
    from reader.output import export_filename

    digest = load_digest(CSV)
    bibtex = printed(digest, "bibtex")
    assert "year = {1}" not in bibtex and "0001" not in bibtex
    assert "year = {2023}" in bibtex  # from the arXiv id
    blog = bibtex[bibtex.index("title = {{Unjoined Blog Post}}") :].split("}\n", 2)
    assert "year" not in blog[0] + blog[1]
    assert export_filename("abstracts", UNDATED, "json") == "abstracts-undated.json"


def test_link_key_compares_links_as_a_reader_would() -> None:
    from reader.sources.join import link_key

    assert link_key("https://www.Example.org/a/B/") == "example.org/a/B"
    assert link_key("http://example.org/a") == link_key("https://EXAMPLE.org/a/")
    assert link_key("https://Example.org") == "example.org"
    assert link_key(" https://example.org/x/y//") == "example.org/x/y"


def test_a_row_fills_the_authors_a_dated_paper_lacks_and_keeps_those_it_has() -> None:
    link = "https://arxiv.org/abs/2310.00001"
    dated = Paper(date(2023, 10, 22), "A paper", link, arxiv_id="2310.00001")
    row = Paper(UNDATED, "A paper", link, arxiv_id="2310.00001", authors=("Ada", "Alan"))
    papers, joined, undated = join_undated([dated, row])
    assert [paper.authors for paper in papers] == [("Ada", "Alan")] and (joined, undated) == (1, 0)
    named = Paper(date(2023, 10, 22), "A paper", link, arxiv_id="2310.00001", authors=("Grace",))
    papers, joined, undated = join_undated([named, row])
    assert [paper.authors for paper in papers] == [("Grace",)] and (joined, undated) == (1, 0)


def test_titles_of_no_letters_or_digits_join_nothing() -> None:
    """A row and a paper whose titles are only punctuation do not match by title ("" is no
    title): the row stays undated."""
    dated = Paper(date(2023, 10, 22), "???", "https://example.org/a", abstract="")
    row = Paper(UNDATED, "!!!", "https://example.org/b", abstract="An abstract.")
    papers, joined, undated = join_undated([dated, row])
    assert (joined, undated) == (0, 1)
    assert papers == [dated, row]
