"""The feeds in the TUI (issue 29): the upstream README, Hugging Face's week and a cs.LG listing
served from 127.0.0.1 and opened together as one inbox. Each row is marked with the feeds that
picked it, the pane names them with the day and the upvotes, `S` sorts by upvotes, the feed
terms filter, `r` says what each feed brought, a feed that fails is named while the others
open, and hostile text from either feed reaches the terminal inert."""

from __future__ import annotations

from collections.abc import Iterator
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
    SUNDAY,
    WEDNESDAY,
    WITHDRAWN,
    ArxivItem,
    HFPaper,
    arxiv_day,
    arxiv_rss,
    hf_page,
    hf_routes,
    hf_week,
    hostile_feeds,
)
from tests.tui.conftest import screen_of, wait_for
from tests.tui.test_drills_tui import assert_notifications_safe, assert_terminal_safe
from tests.tui.test_typeahead import typed
from tests.webdigest import Server, digest_route, readme, serve, status_route

SOURCES = ["potw", "hf:2026-W26", "arxiv:cs.LG"]


@pytest.fixture
def server() -> Iterator[Server]:
    """The README of two weeks to 2026-06-28; Hugging Face's week 2026-W26, whose first paper
    is also the README's newest pick; a cs.LG day whose first item is Hugging Face's second."""
    with serve() as running:
        text = readme(2, newest=SUNDAY)
        running.routes["/README.md"] = digest_route(text.encode(), etag='"readme"')
        picked = parse_text(text, "README.md")[0]
        week = hf_of_the_week(str(picked.arxiv_id))
        hf_routes(running, week)
        items = [
            ArxivItem(id=week[1].id, title="Shared", announce="cross"),
            *arxiv_day(WEDNESDAY, 3),
        ]
        running.routes["/rss/cs.LG"] = digest_route(arxiv_rss("cs.LG", WEDNESDAY, items))
        yield running


def hf_of_the_week(picked: str) -> list[HFPaper]:
    """Hugging Face's week 2026-W26, two papers a day, the first the README's `picked`."""
    week = hf_week(2026, 26, per_day=2)
    week[0] = HFPaper(id=picked, title="As HF titles it", day=WEDNESDAY, upvotes=212)
    return week


def inbox_app(
    server: Server,
    tmp_path: Path,
    sources: list[str] = SOURCES,
    watch: tuple[float, float] | None = None,
) -> ReaderApp:
    """The app as `reader potw hf:2026-W26 arxiv:cs.LG` builds it, against `server` (with
    `watch`, under `--watch`: files every `watch[0]` seconds, URLs every `watch[1]`)."""
    bases = FeedBases(server.url(""), server.url(""), server.url("/README.md"))
    urls = expand_sources(sources, bases)
    if watch is None:
        source = DigestSource(urls)
    else:
        source = DigestSource(urls, watch=True, watch_every=watch[0], url_every=watch[1])
    return make_app(source=source, state=StateStore(tmp_path / "state"), read_delay=60)


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


@pytest.mark.parametrize("width", [120, 80, 50])
async def test_the_header_keeps_the_count_and_the_sort_name_at_any_width(
    server: Server, tmp_path: Path, width: int
) -> None:
    """An inbox's title is long (`README + HF daily 2026-W26 + arXiv cs.LG`): it gives way,
    the count and the order stay whole (was: the sort name cut at 120 columns)."""
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(width, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.press("S", "S", "S", "R", "slash", *"from:arxiv attention", "enter")
        await wait_for(lambda: screen_of(app).browse.query_text == "from:arxiv attention", pilot)
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        if width < 60:  # tiny: the count first, where (the order is the list's own)
            assert "0/22 · 2026-06-28" in header
        else:
            assert "2026-06-28 · 0 of 22 papers" in header
            assert header.rstrip().endswith("· by upvotes (reversed)")


async def test_the_marks_keep_their_column_beside_star_read_and_selection(
    server: Server, tmp_path: Path
) -> None:
    """The feeds' letters come after the star, unread and selection marks, in one column
    whatever those show, and stay while the list is filtered and sorted."""
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause()
        assert row_text(app, 0).startswith(" •  PH  Paper 1 of the week")
        await pilot.press("s", "m", "x")  # star, read, select (x moves down)
        await pilot.pause()
        assert row_text(app, 0).startswith("✓ ★   PH  Paper 1 of the week")
        assert row_text(app, 1).startswith("   •  P   Paper 2 of the week")
        await pilot.press("slash", *typed("from:hf"), "enter")
        browse = screen_of(app).browse
        await wait_for(lambda: browse.query_text == "from:hf", pilot)
        shown = [row_text(app, row)[:10] for row in range(len(browse.rows))]
        assert shown[0] == "✓ ★   PH  " and set(shown[1:]) == {"   •   H  ", "   •   HA "}
        await pilot.press("x", "S", "S", "S")  # the selection cleared; by upvotes
        await pilot.pause()
        assert browse.sort == "upvotes"
        assert row_text(app, 0).startswith("★   PH  2026-06-28  Paper 1 of the week")
        assert "▕ •   HA 2026-06-28  Shared  " in screen_text(app).splitlines()[3]


async def test_reading_state_notes_and_tags_follow_the_arxiv_id_across_feeds(
    server: Server, tmp_path: Path
) -> None:
    """Starred, read and noted in the inbox (the digest's pick, also on Hugging Face), the
    paper is so when Hugging Face's week is opened alone, under Hugging Face's title."""
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause()
        await pilot.press("s", "m", "N", *typed("seen on HF too"), "ctrl+s")
        await pilot.press("t", *typed("feeds"), "enter")
        await pilot.pause()
        key = screen_of(app).browse.digest.papers[screen_of(app).browse.rows[0]].key
    alone = inbox_app(server, tmp_path, ["hf:2026-W26"])
    async with alone.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: isinstance(alone.screen, MainScreen), pilot)
        await pilot.pause()
        browse = screen_of(alone).browse
        await pilot.press("slash", *typed("is:starred"), "enter")
        await wait_for(lambda: browse.query_text == "is:starred", pilot)
        assert [browse.digest.papers[i].key for i in browse.rows] == [key]
        assert row_text(alone, 0).startswith("★    H  As HF titles it")  # read: no dot
        pane = pane_text(alone)
        assert "·  read  ·  ★ starred\nFrom: HF daily 2026-06-24 ↑212\n" in pane
        assert "Papers of the Week" not in pane
        assert pane.endswith("Tags: #feeds\n\nNote\nseen on HF too")


async def test_the_pane_shows_what_each_feed_adds(tmp_path: Path) -> None:
    """Hugging Face's upvotes, comments, code and project page; an arXiv listing's day and
    announcement; a withdrawn paper as arXiv lists it (no authors, its withdrawal notice)."""
    hf = tmp_path / "hf.json"
    featured = HFPaper(
        id="2606.00001",
        title="Featured",
        day=WEDNESDAY,
        upvotes=212,
        comments=5,
        github="https://github.com/lab/featured",
        project="https://lab.example/featured",
    )
    hf.write_bytes(hf_page([featured]))
    listing = tmp_path / "cs.LG.xml"
    listing.write_bytes(arxiv_rss("cs.LG", WEDNESDAY, [WITHDRAWN]))
    digest = load_digest([str(hf), str(listing)])
    app = make_app(digest, state=StateStore(tmp_path / "state"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        browse = screen_of(app).browse
        titles = [browse.digest.papers[index].title for index in browse.rows]
        await pilot.press(*["j"] * titles.index("Featured"))
        await pilot.pause()
        assert pane_text(app).split("\n")[:7] == [
            "Featured",
            "Ada Lovelace, Alan Turing",
            "2026-06-28  ·  arXiv:2606.00001  ·  unread",
            "From: HF daily 2026-06-24 ↑212, 5 comments",
            "https://arxiv.org/abs/2606.00001",
            "PDF: https://arxiv.org/pdf/2606.00001",
            "Code: https://github.com/lab/featured",
        ]
        assert "\nProject: https://lab.example/featured\n" in pane_text(app)
        await pilot.press("home", *["j"] * titles.index("A Paper Its Authors Withdrew"))
        await pilot.pause()
        assert pane_text(app).split("\n")[:3] == [
            "A Paper Its Authors Withdrew",
            "2026-06-28  ·  Machine Learning  ·  arXiv:2606.00042  ·  unread",
            "From: arXiv cs.LG 2026-06-24 (replace)",
        ]
        assert "This paper has been withdrawn by the authors" in pane_text(app)


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


async def test_r_with_nothing_new_says_what_each_feed_holds(server: Server, tmp_path: Path) -> None:
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.press("r")
        said = (
            "Nothing new, 32 papers from 3 feeds: 20 from Papers of the Week, "
            "10 from HF daily, 4 from arXiv."
        )
        await wait_for(lambda: said in toasts(app), pilot)
        (note,) = [n for n in app._notifications if n.message == said]
        assert note.title == "Reloaded"


async def test_watch_says_what_each_feed_brought_and_nothing_when_none_did(
    server: Server, tmp_path: Path
) -> None:
    app = inbox_app(server, tmp_path, watch=(0.05, 0.3))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await wait_for(lambda: len(server.hits("/rss/cs.LG")) >= 3, pilot)  # two revalidations
        assert not any("new paper" in t for t in toasts(app))
        picked = parse_text(readme(2, newest=SUNDAY), "README.md")[0]
        late = HFPaper(id="2606.40001", title="Late", day=WEDNESDAY)
        hf_routes(server, [*hf_of_the_week(str(picked.arxiv_id)), late])
        items = arxiv_day(WEDNESDAY, 5)
        server.routes["/rss/cs.LG"] = digest_route(arxiv_rss("cs.LG", WEDNESDAY, items))
        said = "3 new papers: 1 from HF daily, 2 from arXiv"
        await wait_for(lambda: any(said in t for t in toasts(app)), pilot)
        assert len(screen_of(app).browse.digest) == 20 + 10 - 1 + 5 + 1


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
            "arXiv cs.LG: cannot fetch: HTTP 503 Service Unavailable (and no cached copy); left out"
        ]


async def test_r_with_every_source_failing_says_so_in_one_toast(
    server: Server, tmp_path: Path
) -> None:
    """Each source read again from its cached copy on r: one toast, a line a source, the feeds
    by name (was a toast each, three over the pane, two of them long Hugging Face URLs)."""
    app = inbox_app(server, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        app.clear_notifications()
        papers = len(screen_of(app).browse.digest)
        for path in list(server.routes):
            server.routes[path] = status_route(503)
        await pilot.press("r")
        await wait_for(lambda: any("503" in toast for toast in toasts(app)), pilot)
        (said,) = [toast for toast in toasts(app) if "503" in toast]
        lines = said.splitlines()
        assert [line.split(": ")[0] for line in lines] == [
            server.url("/README.md").split(": ")[0],
            "HF daily 2026-W26",
            "arXiv cs.LG",
        ]
        assert all("HTTP 503" in line and "the copy of" in line for line in lines)
        assert len(screen_of(app).browse.digest) == papers  # every paper still there


async def test_hostile_feeds_reach_the_terminal_inert(tmp_path: Path) -> None:
    hf, listing = hostile_feeds(tmp_path, "cs.LG.xml")
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
        await pilot.press("home")
        for _ in screen_of(app).browse.rows:  # the project page's javascript: link dropped
            assert "javascript:" not in pane_text(app) and "Project:" not in pane_text(app)
            await pilot.press("j")
            await pilot.pause()


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
