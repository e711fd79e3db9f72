"""The feeds fetched (issue 29): the shortcuts `hf`, `hf:2026-W26`, `arxiv:cs.LG+cs.CL`, `potw`
expanded to URLs whose bases the environment sets, so that everything here asks 127.0.0.1 only;
Hugging Face's pages followed; the fetch cache; what reaches the network and when."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from reader.feeds import HF_PAGE
from tests.cli.test_cli import assert_one_error_line, cli, printed
from tests.feeds import (
    arxiv_day,
    arxiv_rss,
    feeds_environment,
    hf_page,
    hf_routes,
    hf_week,
)
from tests.webdigest import Server, digest_route, readme, serve, status_route

WEDNESDAY = date(2026, 6, 24)


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """Hugging Face's week 2026-W26 (120 papers: three pages), cs.LG and cs.CL on Wednesday,
    and an upstream README, all on 127.0.0.1; the environment points the shortcuts there."""
    with serve() as server:
        hf_routes(server, hf_week(2026, 26, per_day=24))
        listing = arxiv_day(WEDNESDAY, count=6)
        server.routes["/rss/cs.LG+cs.CL"] = digest_route(
            arxiv_rss("cs.LG+cs.CL", WEDNESDAY, listing), etag='"lgcl"'
        )
        server.routes["/rss/cs.LG"] = digest_route(arxiv_rss("cs.LG", WEDNESDAY, listing))
        server.routes["/README.md"] = digest_route(
            readme(2, newest=date(2026, 6, 28)).encode(), etag='"readme"'
        )
        for name, value in feeds_environment(server).items():
            monkeypatch.setenv(name, value)
        yield server


def test_hf_reads_every_page_of_the_week_and_nothing_else(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    records = printed(capsys, "hf:2026-W26")
    assert len(records) == 120
    assert [path for path, _ in feeds.requests] == [
        f"/api/daily_papers?week=2026-W26&limit={HF_PAGE}&p={page}" for page in (0, 1, 2)
    ]


def test_a_full_last_page_asks_for_one_more_and_an_empty_one_ends(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    hf_routes(feeds, hf_week(2026, 27, per_day=10))  # 50 papers: exactly one page
    assert len(printed(capsys, "hf:2026-W27")) == 50
    assert [path.rsplit("&", 1)[1] for path, _ in feeds.requests] == ["p=0", "p=1"]


def test_a_server_that_pages_no_longer_is_asked_once(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    """Hugging Face answering every page with the whole week (more than `limit`: it ignores
    the paging) is asked once, not 40 times (with 30 MB a page, that was 1.2 GB and 26 s)."""
    whole = hf_page(hf_week(2026, 27, per_day=30))  # 150 papers on every page
    for page in range(40):
        feeds.routes[f"/api/daily_papers?week=2026-W27&limit={HF_PAGE}&p={page}"] = digest_route(
            whole
        )
    assert len(printed(capsys, "hf:2026-W27")) == 150
    assert [path.rsplit("&", 1)[1] for path, _ in feeds.requests] == ["p=0"]


def test_a_server_that_ignores_the_page_number_is_asked_twice(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    """Every `p` answered with the first page: the second answer is the first again, and
    reading stops there (was: 40 requests for the same 50 papers)."""
    first = hf_page(hf_week(2026, 27, per_day=10))  # exactly one page of 50
    for page in range(40):
        feeds.routes[f"/api/daily_papers?week=2026-W27&limit={HF_PAGE}&p={page}"] = digest_route(
            first
        )
    assert len(printed(capsys, "hf:2026-W27")) == 50
    assert [path.rsplit("&", 1)[1] for path, _ in feeds.requests] == ["p=0", "p=1"]


def test_an_item_that_changed_shape_costs_that_paper_only(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    """One item of the first page without its `paper` object: the 49 others and the next
    pages are read (the page held 50 items, so the next is asked for), and it is said once."""
    week = hf_week(2026, 27, per_day=24)  # 120 papers, three pages
    pages = [[paper.item() for paper in week[start : start + HF_PAGE]] for start in (0, 50, 100)]
    pages[0][3] = {"paper": None, "title": "\x1b[2J changed"}
    for number, items in enumerate(pages):
        path = f"/api/daily_papers?week=2026-W27&limit={HF_PAGE}&p={number}"
        feeds.routes[path] = digest_route(json.dumps(items).encode())
    code, out, err = cli(capsys, "hf:2026-W27", "--print", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 119
    first = feeds.url(f"/api/daily_papers?week=2026-W27&limit={HF_PAGE}&p=0")
    assert (
        err
        == f"reader: {first}: 1 of 50 papers left out (item 4: the item has no 'paper' object)\n"
    )


def test_the_three_sources_open_as_one_inbox(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    records = printed(capsys, "--latest", "hf:2026-W26", "arxiv:cs.LG+cs.CL")
    feeds_of = [
        sorted(source["feed"] for source in record.get("sources", []))  # type: ignore[attr-defined]
        for record in records
    ]
    assert feeds_of.count([]) == 20  # the README's papers (two weeks of ten)
    assert feeds_of.count(["hf"]) == 120
    assert feeds_of.count(["arxiv"]) == 6


def test_shortcuts_read_from_the_cache_when_offline(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    first = printed(capsys, "hf:2026-W26", "arxiv:cs.LG")
    feeds.requests.clear()
    code, out, err = cli(
        capsys, "hf:2026-W26", "arxiv:cs.LG", "--offline", "--print", "--format", "json"
    )
    assert code == 0 and feeds.requests == []
    assert out.count('"arxiv_id"') == len(first)
    said = err.splitlines()  # one notice a source, not one a page of Hugging Face
    assert [line.split(": offline")[0] for line in said] == [
        f"reader: {feeds.url(f'/api/daily_papers?week=2026-W26&limit={HF_PAGE}&p=0')}",
        f"reader: {feeds.url('/rss/cs.LG')}",
    ]


def test_a_revalidated_source_downloads_nothing_new(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    printed(capsys, "arxiv:cs.LG+cs.CL")
    printed(capsys, "arxiv:cs.LG+cs.CL")
    conditional = feeds.hits("/rss/cs.LG+cs.CL")[1]
    assert conditional.get("If-None-Match") == '"lgcl"'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("hf:2026-W54", "hf:2026-W54: 2026 has no week 54"),
        ("hf:yesterday", "hf:yesterday: hf takes a week (2026-W26), a day (2026-06-24)"),
        ("arxiv:cs.XX", "arxiv:cs.XX: 'cs.XX' is not an arXiv category"),
        ("arxiv", "arxiv: name the listing, as in arxiv:cs.LG"),
    ],
)
def test_a_shortcut_that_names_nothing_is_one_line(
    capsys: pytest.CaptureFixture[str], feeds: Server, source: str, message: str
) -> None:
    code, out, err = cli(capsys, source, "--print")
    assert (code, out) == (2, "")
    assert_one_error_line(err, message)
    assert feeds.requests == []


def test_a_source_that_fails_leaves_the_others_open_with_a_notice(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    feeds.routes["/rss/cs.LG"] = status_route(503, b"down for maintenance")
    code, out, err = cli(
        capsys, "hf:2026-W26", "arxiv:cs.LG", "--latest", "--print", "--format", "json"
    )
    assert code == 0
    assert len(json.loads(out)) == 120 + 20
    assert err == (
        f"reader: {feeds.url('/rss/cs.LG')}: cannot fetch: HTTP 503 Service Unavailable"
        " (and no cached copy); left out\n"
    )


def test_a_failing_source_reads_its_cached_copy_instead(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    printed(capsys, "arxiv:cs.LG")
    feeds.routes["/rss/cs.LG"] = status_route(500)
    code, out, err = cli(capsys, "hf:2026-W26", "arxiv:cs.LG", "--print", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 126
    assert "/rss/cs.LG: offline: the copy of" in err and "(HTTP 500" in err


def test_when_every_source_fails_it_is_one_error(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    feeds.routes.clear()
    code, out, err = cli(capsys, "hf:2026-W26", "arxiv:cs.LG", "--print")
    assert (code, out) == (2, "")
    assert_one_error_line(err, feeds.url("/api/daily_papers?week=2026-W26&limit=50&p=0"))
    assert "cannot fetch: HTTP 404" in err


def test_a_page_that_fails_keeps_the_pages_read_before_it(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    third = f"/api/daily_papers?week=2026-W26&limit={HF_PAGE}&p=2"
    feeds.routes[third] = status_route(502)
    code, out, err = cli(capsys, "hf:2026-W26", "--print", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 100
    assert err == (
        f"reader: {feeds.url(third)}: cannot fetch: HTTP 502 Bad Gateway (and no cached copy);"
        " left out\n"
    )


def test_update_says_what_each_feed_brought(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    printed(capsys, "arxiv:cs.LG")
    listing = arxiv_day(WEDNESDAY, count=8)
    feeds.routes["/rss/cs.LG"] = digest_route(arxiv_rss("cs.LG", WEDNESDAY, listing))
    code, out, err = cli(capsys, "--update")
    assert (code, err) == (0, "")
    assert out == f"{feeds.url('/rss/cs.LG')}: 2 new papers: 2 from arXiv\n"


def test_a_bare_reader_opens_the_feeds_the_config_lists(
    capsys: pytest.CaptureFixture[str],
    feeds: Server,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """`digest = ["potw", "hf:2026-W26", "arxiv:cs.LG+cs.CL"]` in the config: `reader` alone
    opens the same inbox as `reader --latest hf:2026-W26 arxiv:cs.LG+cs.CL`; a source given on
    the command line replaces the config's; --update revalidates what the config opened."""
    config = tmp_path / "config.toml"
    config.write_text('digest = ["potw", "hf:2026-W26", "arxiv:cs.LG+cs.CL"]\n')
    monkeypatch.setenv("READER_CONFIG", str(config))
    mine = printed(capsys)
    assert [path.split("?")[0] for path, _ in feeds.requests] == [
        "/README.md",
        *["/api/daily_papers"] * 3,
        "/rss/cs.LG+cs.CL",
    ]
    assert mine == printed(capsys, "--latest", "hf:2026-W26", "arxiv:cs.LG+cs.CL")
    assert len(mine) == 20 + 120 + 6
    feeds.requests.clear()
    assert len(printed(capsys, "arxiv:cs.LG")) == 6
    assert [path for path, _ in feeds.requests] == ["/rss/cs.LG"]


def test_update_reads_a_feeds_pages_as_one(
    capsys: pytest.CaptureFixture[str], feeds: Server
) -> None:
    """--update says one line for Hugging Face's week, not one a page: papers that moved
    between pages (their upvotes changed their order) are not new, and a page that has come
    since is read (was: `50 new papers` for page 0 and page 1 each, and the new page unseen)."""
    week = hf_week(2026, 26, per_day=24)
    printed(capsys, "hf:2026-W26")
    hf_routes(feeds, week[::-1])
    first = feeds.url(f"/api/daily_papers?week=2026-W26&limit={HF_PAGE}&p=0")
    said = "nothing new, 120 papers from HF daily"
    assert cli(capsys, "--update") == (0, f"{first}: {said}\n", "")
    hf_routes(feeds, [*week, *hf_week(2026, 26, per_day=10, start=200)])  # a fourth page
    feeds.requests.clear()
    assert cli(capsys, "--update") == (0, f"{first}: 50 new papers: 50 from HF daily\n", "")
    assert [path.rsplit("&", 1)[1] for path, _ in feeds.requests] == ["p=0", "p=1", "p=2", "p=3"]
    code, out, _ = cli(capsys, "hf:2026-W26", "--offline", "--print", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 170  # the fourth page is in the cache
