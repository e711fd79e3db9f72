"""The feeds in the TUI (issue 29): the upstream README, Hugging Face's week and a cs.LG listing
served from 127.0.0.1 and opened together as one inbox. Each row is marked with the feeds that
picked it, the pane names them with the day and the upvotes, `S` sorts by upvotes, the feed
terms filter, `r` says what each feed brought, a feed that fails is named while the others
open, and hostile text from either feed reaches the terminal inert."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from reader.app import ReaderApp, make_app
from reader.feeds import FeedBases, expand_sources
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest, parse_text
from reader.sources.source import DigestSource
from reader.state import StateStore
from reader.widgets.abstract import AbstractPane
from reader.widgets.paper_list import PaperList
from tests.feeds import (
    HOSTILE,
    XML_HOSTILE,
    XML_HOSTILE_REFS,
    ArxivItem,
    HFPaper,
    arxiv_day,
    arxiv_rss,
    hf_page,
    hf_routes,
    hf_week,
)
from tests.tui.conftest import screen_of, wait_for
from tests.tui.test_drills_tui import assert_notifications_safe, assert_terminal_safe
from tests.webdigest import Server, digest_route, readme, serve, status_route

SUNDAY = date(2026, 6, 28)
WEDNESDAY = date(2026, 6, 24)
SOURCES = ["potw", "hf:2026-W26", "arxiv:cs.LG"]


@pytest.fixture
def server() -> Iterator[Server]:
    """The README of two weeks to 2026-06-28; Hugging Face's week 2026-W26, whose first paper
    is also the README's newest pick; a cs.LG day whose first item is Hugging Face's second."""
    with serve() as running:
        text = readme(2, newest=SUNDAY)
        running.routes["/README.md"] = digest_route(text.encode(), etag='"readme"')
        picked = parse_text(text, "README.md")[0]
        week = hf_week(2026, 26, per_day=2)
        week[0] = HFPaper(
            id=str(picked.arxiv_id), title="As HF titles it", day=WEDNESDAY, upvotes=212
        )
        hf_routes(running, week)
        items = [
            ArxivItem(id=week[1].id, title="Shared", announce="cross"),
            *arxiv_day(WEDNESDAY, 3),
        ]
        running.routes["/rss/cs.LG"] = digest_route(arxiv_rss("cs.LG", WEDNESDAY, items))
        yield running


def inbox_app(server: Server, tmp_path: Path, sources: list[str] = SOURCES) -> ReaderApp:
    """The app as `reader potw hf:2026-W26 arxiv:cs.LG` builds it, against `server`."""
    bases = FeedBases(server.url(""), server.url(""), server.url("/README.md"))
    urls = expand_sources(sources, bases)
    return make_app(source=DigestSource(urls), state=StateStore(tmp_path / "state"), read_delay=60)


def row_text(app: ReaderApp, row: int, width: int = 110) -> str:
    return app.screen.query_one(PaperList).render_row(row, width, False).plain


def pane_text(app: ReaderApp) -> str:
    return app.screen.query_one(AbstractPane).content.plain


def toasts(app: ReaderApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def screen_text(app: ReaderApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_each_row_is_marked_with_its_feeds_and_the_pane_names_them(
    server: Server, tmp_path: Path
) -> None:
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause()
        browse = screen_of(app).browse
        assert browse.week == SUNDAY
        marks = {
            browse.digest.papers[index].title: row_text(app, row)[4:7]
            for row, index in enumerate(browse.rows)
        }
        picked = browse.digest.papers[browse.rows[0]]
        assert marks[picked.title] == "PH "  # the README's pick, on Hugging Face too
        assert marks["Paper 2 of the week of 2026-06-28"] == "P  "
        assert marks["Shared"] == " HA"
        assert marks["arXiv paper 0 of 2026-06-24"] == "  A"
        assert sorted(marks.values()).count(" H ") == 8
        assert "PH  Paper 1 of the week of 2026-06-28" in screen_text(app)  # as the user sees it
        assert "From: Papers of the Week 2026-06-28 · HF daily 2026-06-24 ↑212" in pane_text(app)
        assert app.title == "README + HF daily 2026-W26 + arXiv cs.LG"


async def test_s_sorts_by_upvotes_and_the_feed_terms_filter(server: Server, tmp_path: Path) -> None:
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        browse = screen_of(app).browse
        await pilot.press("S", "S", "S")
        assert browse.sort == "upvotes" and "Sorted by upvotes" in toasts(app)
        votes = [browse.digest.papers[index].origins for index in browse.rows]
        upvotes = [max((o.upvotes or -1 for o in origins), default=-1) for origins in votes]
        assert upvotes == sorted(upvotes, reverse=True) and upvotes[0] == 212
        await pilot.press("S")
        assert browse.sort == "week"
        await pilot.press("slash", *"from:arxiv -announce:cross", "enter")
        await wait_for(lambda: browse.query_text == "from:arxiv -announce:cross", pilot)
        assert [browse.digest.papers[i].title for i in browse.rows] == [
            "arXiv paper 0 of 2026-06-24",
            "arXiv paper 1 of 2026-06-24",
            "arXiv paper 2 of 2026-06-24",
        ]


async def test_without_feeds_there_is_no_mark_and_no_upvotes_sort(tmp_path: Path) -> None:
    app = make_app(load_digest(), state=StateStore(tmp_path / "state"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        browse = screen_of(app).browse
        assert row_text(app, 0)[:4] == " •  " and row_text(app, 0)[4] != " "  # the title
        assert "From:" not in pane_text(app)
        await pilot.press("S", "S", "S")
        assert browse.sort == "week"


async def test_r_says_what_each_feed_brought(server: Server, tmp_path: Path) -> None:
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        items = arxiv_day(WEDNESDAY, 5)  # two more than before (and no "Shared")
        server.routes["/rss/cs.LG"] = digest_route(arxiv_rss("cs.LG", WEDNESDAY, items))
        await pilot.press("r")
        await wait_for(lambda: any("2 new papers: 2 from arXiv" in t for t in toasts(app)), pilot)
        assert len(screen_of(app).browse.digest) == 20 + 10 - 1 + 5  # one pick is on HF too


async def test_a_feed_that_fails_is_named_and_the_others_open(
    server: Server, tmp_path: Path
) -> None:
    server.routes["/rss/cs.LG"] = status_route(503)
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)
        assert len(screen_of(app).browse.digest) == 20 + 10 - 1
        assert app.title == "README + HF daily 2026-W26 + arXiv cs.LG · arXiv cs.LG not read"
        assert toasts(app) == [
            f"{server.url('/rss/cs.LG')}: cannot fetch: HTTP 503 Service Unavailable"
            " (and no cached copy); left out"
        ]


async def test_hostile_feeds_reach_the_terminal_inert(tmp_path: Path) -> None:
    hf = tmp_path / "hf.json"
    hf.write_bytes(
        hf_page(
            [
                HFPaper(
                    id="2606.00001",
                    title=HOSTILE,
                    day=WEDNESDAY,
                    summary=HOSTILE,
                    authors=(HOSTILE,),
                    github=f"https://github.com/{HOSTILE}",
                    project="javascript:alert(1)",
                ),
                HFPaper(id=HOSTILE, title="Not on arXiv", day=WEDNESDAY),
            ]
        )
    )
    listing = tmp_path / "cs.LG.xml"
    item = ArxivItem(
        id="2606.00002",
        title=XML_HOSTILE,
        abstract=XML_HOSTILE,
        categories=(XML_HOSTILE,),
        authors=(XML_HOSTILE,),
    )
    listing.write_text(
        arxiv_rss("cs.LG", WEDNESDAY, [item]).decode().replace("[bold]", XML_HOSTILE_REFS)
    )
    digest = load_digest([str(hf), str(listing)])
    app = make_app(digest, state=StateStore(tmp_path / "state"), read_delay=60)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        shown = assert_terminal_safe(app)
        assert "␛" in shown and "<U+202E>" in shown and "\\x9b" in shown  # visible, not dropped
        await pilot.press("j")
        await pilot.pause()
        assert_terminal_safe(app)
        await pilot.press("y", "o")
        await pilot.pause()
        assert_terminal_safe(app)
        assert_notifications_safe(app)


async def test_the_inbox_in_a_browser_tab(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """`reader --serve potw hf:2026-W26 arxiv:cs.LG`: a tab shows the same inbox (the shortcuts
    point at 127.0.0.1 through the environment the server and its tabs inherit)."""
    pytest.importorskip("reader.serve")
    from tests.served import Terminal, aiohttp, serving

    monkeypatch.setenv("READER_HF_URL", server.url(""))
    monkeypatch.setenv("READER_ARXIV_RSS_URL", server.url(""))
    monkeypatch.setenv("READER_LATEST_URL", server.url("/README.md"))
    with serving("--read-after", "-1", *SOURCES) as served:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"{served.base}/ws?width=120&height=40")
            terminal = Terminal(ws, 120, 40)
            await terminal.until(
                lambda: (
                    "README + HF daily 2026-W26 + arXiv cs.LG" in terminal.text
                    and "PH  Paper 1 of the week of 2026-06-28" in terminal.text
                    and "From: Papers of the Week 2026-06-28 · HF daily 2026-06-24 ↑212"
                    in terminal.text
                ),
                "the inbox, its marks and the pane",
            )
            await ws.close()
