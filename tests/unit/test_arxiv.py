"""reader.arxiv: ids, PDF links, the taxonomy, the Atom parser and the request plan."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.arxiv import (
    TAXONOMY,
    FeedError,
    Metadata,
    MetadataClient,
    batches,
    category_code,
    enrich,
    parse_feed,
    pdf_url,
    query_url,
    short_authors,
    year_of_id,
)
from reader.sources.loader import load_digest
from tests.arxiv_server import FIXTURES, ArxivServer, Reply


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    running = ArxivServer()
    yield running
    running.close()


def test_pdf_link_is_derived_from_the_id() -> None:
    assert pdf_url("2305.14314") == "https://arxiv.org/pdf/2305.14314"
    assert pdf_url("hep-th/9901001") == "https://arxiv.org/pdf/hep-th/9901001"


@pytest.mark.parametrize(
    ("arxiv_id", "year"),
    [
        ("2305.14314", 2023),
        ("0704.0001", 2007),
        ("1501.00001", 2015),
        ("hep-th/9901001", 1999),
        ("math.GT/0309136", 2003),
        ("2313.00001", None),
        ("not an id", None),
    ],
)
def test_year_of_id(arxiv_id: str, year: int | None) -> None:
    assert year_of_id(arxiv_id) == year


def test_every_category_of_the_bundled_digest_has_a_code() -> None:
    digest = load_digest(None)
    codes = {paper.category: category_code(paper.category) for paper in digest.papers}
    assert None not in codes.values(), codes
    assert codes["Computation and Language"] == "cs.CL"
    assert codes["Machine Learning"] == "cs.LG"  # not stat.ML: digests leave out "Computer Science"
    assert codes["Physics > Chemical Physics"] == "physics.chem-ph"
    assert codes["Quantitative Finance > Statistical Finance"] == "q-fin.ST"
    assert codes["Astrophysics > Instrumentation and Methods for Astrophysics"] == "astro-ph.IM"


def test_category_names_and_codes() -> None:
    assert category_code("Statistics > Machine Learning") == "stat.ML"
    assert category_code("Computer Science > Machine Learning") == "cs.LG"
    assert category_code("  computation AND language ") == "cs.CL"
    assert category_code("cs.CV") == "cs.CV"
    assert category_code("Quantum Physics") == "quant-ph"
    assert category_code("Cooking") is None
    assert category_code("") is None
    # every name with its archive maps back to its own code
    for code, name in TAXONOMY.items():
        if "." in code and not code.startswith("cs."):
            archive = {
                "astro-ph": "Astrophysics",
                "cond-mat": "Condensed Matter",
                "econ": "Economics",
                "eess": "Electrical Engineering and Systems Science",
                "math": "Mathematics",
                "nlin": "Nonlinear Sciences",
                "physics": "Physics",
                "q-bio": "Quantitative Biology",
                "q-fin": "Quantitative Finance",
                "stat": "Statistics",
            }[code.split(".")[0]]
            assert category_code(f"{archive} > {name}") == code


def test_parse_the_sample_feed() -> None:
    feed = parse_feed((FIXTURES / "three.xml").read_bytes())
    assert feed.errors == []
    assert list(feed.entries) == ["2305.14314", "2303.17564", "2304.05376"]
    qlora = feed.entries["2305.14314"]
    assert qlora.title == "QLoRA: Efficient Finetuning of Quantized LLMs"
    assert qlora.authors == ("Tim Dettmers", "Artidoro Pagnoni", "Ari Holtzman", "Luke Zettlemoyer")
    assert qlora.published == date(2023, 5, 23)
    assert qlora.primary_category == "cs.LG"
    assert qlora.comment == "Extended NeurIPS submission"
    assert qlora.version == 1
    bloomberg = feed.entries["2303.17564"]
    assert bloomberg.authors[1] == "Ozan İrsoy"
    assert (bloomberg.published, bloomberg.updated) == (date(2023, 3, 30), date(2023, 12, 21))
    assert bloomberg.categories == ("cs.LG", "cs.AI", "cs.CL", "q-fin.GN")
    assert bloomberg.version == 3
    chemcrow = feed.entries["2304.05376"]
    assert chemcrow.primary_category == "physics.chem-ph"
    assert chemcrow.journal_ref == "Nature Machine Intelligence (2024)"
    assert chemcrow.doi == "10.1038/s42256-024-00832-8"
    assert chemcrow.authors[0] == "Andres M Bran"  # the affiliation is not part of the name


def test_parse_an_error_entry_and_a_missing_id() -> None:
    error = parse_feed((FIXTURES / "error.xml").read_bytes())
    assert error.entries == {}
    assert error.errors == ["incorrect id format for 2305.1431x"]
    missing = parse_feed((FIXTURES / "none.xml").read_bytes())
    assert (missing.entries, missing.errors) == ({}, [])


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Service unavailable</body></html>",
        b"",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>',
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x "y">]><feed/>',
        b"\xff\xfe garbage",
    ],
)
def test_what_is_not_a_feed_is_a_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body)


@given(st.binary(max_size=300))
def test_what_is_not_a_feed_is_one_line_saying_so(body: bytes) -> None:
    """Any bytes: a FeedError whose message is the one line `F` and --fetch-metadata show, or
    a feed whose entries are papers with an arXiv id."""
    try:
        feed = parse_feed(body)
    except FeedError as error:
        message = str(error)
        assert message and "\n" not in message and message == message.strip()
    else:
        arxiv_id = re.compile(r"\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7}")
        assert all(arxiv_id.fullmatch(key) for key in feed.entries)


XML_TEXT = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn"))
    | st.sampled_from(["&", "<", ">", '"', "'", "\n  ", "\t", "é", "]]>", " "]),
    max_size=12,
).map("".join)


@given(st.lists(st.tuples(XML_TEXT, st.lists(XML_TEXT, max_size=4)), max_size=4))
def test_a_feed_gives_back_the_titles_and_authors_it_holds(
    papers: list[tuple[str, list[str]]],
) -> None:
    """What the pane and BibTeX show of a fetched paper is what arXiv sent: each title and
    author as written (markup characters and all), on one line, whitespace runs as one space,
    empty names left out; the version from the id."""
    from xml.sax.saxutils import escape

    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/2301.{n:05d}v{n + 1}</id>"
        f"<title>{escape(title)}</title>"
        + "".join(f"<author><name>{escape(name)}</name></author>" for name in names)
        + "</entry>"
        for n, (title, names) in enumerate(papers)
    )
    body = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'
    feed = parse_feed(body.encode("utf-8"))
    assert list(feed.entries) == [f"2301.{n:05d}" for n in range(len(papers))]
    for n, (title, names) in enumerate(papers):
        got = feed.entries[f"2301.{n:05d}"]
        assert got.title == " ".join(title.split())
        assert got.authors == tuple(" ".join(name.split()) for name in names if name.split())
        assert got.version == n + 1


def test_metadata_json_round_trip() -> None:
    for item in parse_feed((FIXTURES / "three.xml").read_bytes()).entries.values():
        assert Metadata.from_json(item.arxiv_id, item.to_json()) == item
    assert Metadata.from_json("1", "not a dict") is None
    damaged = Metadata.from_json("1", {"authors": [1, "A"], "published": "2023-13-45"})
    assert damaged is not None and damaged.authors == ("A",) and damaged.published is None


def test_batches_drop_versions_and_duplicates_and_hold_at_most_100() -> None:
    ids = [f"2301.{n:05d}" for n in range(250)] + ["2301.00001v2", " 2301.00002 "]
    plan = list(batches(ids))
    assert [len(batch) for batch in plan] == [100, 100, 50]
    assert plan[0][0] == "2301.00000" and plan[-1][-1] == "2301.00249"


def test_query_url() -> None:
    url = query_url("http://127.0.0.1:1/api/query", ["2305.14314", "hep-th/9901001"])
    assert url == (
        "http://127.0.0.1:1/api/query?id_list=2305.14314%2Chep-th%2F9901001&max_results=2"
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_requests_are_batched_and_spaced_three_seconds_apart() -> None:
    fake = FakeClock()
    asked: list[tuple[float, str]] = []

    def transport(url: str) -> bytes:
        asked.append((fake.now, url))
        fake.now += 0.5  # the request itself takes half a second
        return (FIXTURES / "none.xml").read_bytes()

    client = MetadataClient(transport, clock=fake.clock, sleep=fake.sleep)
    progress: list[tuple[int, int]] = []
    report = client.fetch(
        [f"2301.{n:05d}" for n in range(250)], progress=lambda *a: progress.append(a)
    )
    assert report.requests == 3
    starts = [when for when, _ in asked]
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [3.0, 3.0]
    assert fake.sleeps == [2.5, 2.5]
    assert progress == [(100, 250), (200, 250), (250, 250)]
    assert len(report.missing) == 250
    # a second fetch on the same client waits for the spacing too
    client.fetch(["2301.99999"])
    assert asked[-1][0] - starts[-1] == 3.0


def test_a_failed_request_is_reported_and_the_next_batch_still_tried() -> None:
    fake = FakeClock()
    calls = 0

    def transport(url: str) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TimeoutError("timed out")
        return (FIXTURES / "three.xml").read_bytes()

    client = MetadataClient(transport, clock=fake.clock, sleep=fake.sleep, batch_size=2)
    report = client.fetch(["2301.00001", "2301.00002", "2305.14314", "2303.17564"])
    assert report.errors == ["arXiv API: timed out"]
    assert sorted(report.found) == ["2303.17564", "2305.14314"]
    assert report.missing == []  # the failed batch's ids are neither found nor missing


def test_cancel_stops_between_requests() -> None:
    fake = FakeClock()
    client = MetadataClient(
        lambda url: (FIXTURES / "none.xml").read_bytes(),
        clock=fake.clock,
        sleep=fake.sleep,
        batch_size=1,
    )
    done: list[int] = []
    report = client.fetch(
        ["2301.00001", "2301.00002", "2301.00003"],
        progress=lambda count, total: done.append(count),
        cancelled=lambda: len(done) >= 2,
    )
    assert report.requests == 2


def _urllib_transport(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
        body: bytes = response.read()
        return body


def test_against_a_local_api_server(server: ArxivServer) -> None:
    fake = FakeClock()
    client = MetadataClient(
        _urllib_transport, base_url=server.api_url, clock=fake.clock, sleep=fake.sleep
    )
    report = client.fetch(["2305.14314", "2303.17564v2", "2399.99999", "2304.05376"])
    assert sorted(report.found) == ["2303.17564", "2304.05376", "2305.14314"]
    assert report.missing == ["2399.99999"]
    assert report.errors == []
    assert len(server.api_requests()) == 1
    assert "max_results=4" in server.api_requests()[0][1]


def test_a_malformed_id_gives_the_api_error(server: ArxivServer) -> None:
    fake = FakeClock()
    client = MetadataClient(
        _urllib_transport, base_url=server.api_url, clock=fake.clock, sleep=fake.sleep
    )
    report = client.fetch(["2305.1431x", "2305.14314"])
    assert report.errors == ["arXiv API: incorrect id format for 2305.1431x"]
    assert report.found == {} and report.missing == []


def test_an_html_answer_is_an_error(server: ArxivServer) -> None:
    server.api_reply = lambda ids: Reply(b"<html>busy</html>", content_type="text/html")
    fake = FakeClock()
    client = MetadataClient(
        _urllib_transport, base_url=server.api_url, clock=fake.clock, sleep=fake.sleep
    )
    report = client.fetch(["2305.14314"])
    assert len(report.errors) == 1 and "not an Atom feed" in report.errors[0]


def test_short_authors() -> None:
    assert short_authors(()) == ""
    assert short_authors(("Tim Dettmers",)) == "Dettmers"
    assert short_authors(("Tim Dettmers", "Ari Holtzman")) == "Dettmers & Holtzman"
    assert short_authors(("Tim Dettmers", "A B", "C D")) == "Dettmers et al."


def test_enrich_gives_authors_to_papers_without_them() -> None:
    digest = load_digest(None)
    feed = parse_feed((FIXTURES / "three.xml").read_bytes())
    enriched = enrich(digest, feed.entries)
    assert enrich(digest, {}) is digest
    by_id = {paper.arxiv_id: paper for paper in enriched.papers}
    assert by_id["2305.14314"].authors[0] == "Tim Dettmers"
    assert by_id["2303.17580"].authors == ()
    assert [p.title for p in enriched.papers] == [p.title for p in digest.papers]
