"""A digest index in the TUI (issue 22): `--latest` on the upstream README of 2026, an index of
year files, served from 127.0.0.1 laid out like the raw-file host. The loading screen counts
files and bytes; the reader opens on the newest week of the newest file; the sidebar, `week:`,
`[`, `r` and where you left off work across the files; a file that fails is named."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

import reader.app
from reader.app import make_app
from reader.screens.loading import LoadingScreen
from reader.screens.main import MainScreen
from reader.sources.source import DigestSource
from reader.state import StateStore
from tests.tui.conftest import screen_of, wait_for
from tests.webdigest import (
    RAW_PREFIX,
    Handler,
    Server,
    digest_route,
    index_readme,
    serve,
    serve_tree,
    slow_route,
    status_route,
    upstream_tree,
    year_file,
    year_weeks,
)


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def toasts(app: reader.app.ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def index_app(url: str, state: StateStore | None = None) -> reader.app.ReaderApp:
    """The app as `reader --latest` builds it: fetched behind the loading screen."""
    return make_app(source=DigestSource([url]), state=state, read_delay=60, session_key=url)


def sidebar_rows(app: reader.app.ReaderApp) -> list[str]:
    sidebar = screen_of(app).sidebar
    return [sidebar.render_row(i, 40, False).plain for i in range(sidebar.row_count)]


async def test_the_index_opens_on_the_newest_week_and_counts_files(server: Server) -> None:
    tree = upstream_tree()
    url = serve_tree(server, tree)
    slow = tree["years/2025.md"].encode()
    server.routes[f"{RAW_PREFIX}/years/2025.md"] = slow_route(slow, pieces=4, pause=0.15)
    app = index_app(url)
    labels: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:

        def loaded() -> bool:
            if isinstance(app.screen, LoadingScreen):
                labels.append(str(app.screen.query_one("#loading-label").render()))
            return isinstance(app.screen, MainScreen)

        await wait_for(loaded, pilot)
        await pilot.pause(0.1)
        assert any(
            label.startswith("Fetching years/2025.md: 2 of 3 files · ") for label in labels
        ), labels
        screen = screen_of(app)
        assert screen.browse.week == date(2026, 1, 18)  # the newest week, of the newest file
        assert app.title == "README"
        rows = sidebar_rows(app)
        weeks = [row for row in rows if "0/10" in row or "10/10" in row]
        assert len(weeks) == 8  # both files' weeks, one list
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert screen.browse.week == date(2025, 12, 28)  # from 2026.md into 2025.md
        await pilot.press("slash", *"week:2025-12..2026-01-04", "enter")
        await pilot.press("a")
        assert {screen.browse.digest.papers[i].week for i in screen.browse.rows} == {
            date(2025, 12, 7),
            date(2025, 12, 14),
            date(2025, 12, 21),
            date(2025, 12, 28),
            date(2026, 1, 4),
        }


def late_route(text: str, answered: list[str], seconds: float = 1.0) -> Handler:
    """`text`, answered after `seconds` (its path then added to `answered`)."""
    answer = digest_route(text.encode())

    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        answered.append(request.path)
        answer(request)

    return handle


async def test_the_loading_screen_names_the_file_it_waits_for(server: Server) -> None:
    """The line that says which year file is awaited comes right after the index's last bytes
    (within the screen's 50 ms between lines): it is shown once that time is up, not dropped
    (was: `Fetching …README.md: 2 KB of 2 KB` stayed while the year files took seconds)."""
    tree = upstream_tree()
    url = serve_tree(server, tree)
    answered: list[str] = []
    for year in (2026, 2025):
        path = f"{RAW_PREFIX}/years/{year}.md"
        server.routes[path] = late_route(tree[f"years/{year}.md"], answered)
    app = index_app(url)
    async with app.run_test(size=(120, 40)) as pilot:
        label = ""

        def waiting() -> bool:
            nonlocal label
            if isinstance(app.screen, LoadingScreen):
                label = str(app.screen.query_one("#loading-label").render())
            return label.startswith("Fetching years/2026.md: 1 of 3 files · ")

        await wait_for(waiting, pilot)
        assert answered == []  # said while the server had not answered yet
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)  # let the new screen finish mounting before the test exits


async def test_where_you_left_off_holds_across_the_files(server: Server, tmp_path: Path) -> None:
    url = serve_tree(server, upstream_tree())
    first = index_app(url, StateStore(tmp_path / "s"))
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: isinstance(first.screen, MainScreen), pilot)
        await pilot.press(*["left_square_bracket"] * 4, "j", "j")
        screen = screen_of(first)
        left = (screen.browse.week, screen.browse.current_paper)
        assert left[0] == date(2025, 12, 21)
    first.state.close()
    again = index_app(url, StateStore(tmp_path / "s"))
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: isinstance(again.screen, MainScreen), pilot)
        await pilot.pause()
        screen = screen_of(again)
        assert (screen.browse.week, screen.browse.current_paper) == left


async def test_a_year_file_that_fails_is_named_and_the_rest_is_read(server: Server) -> None:
    url = serve_tree(server, upstream_tree())
    server.routes[f"{RAW_PREFIX}/years/2025.md"] = status_route(404)
    app = index_app(url)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)  # let the new screen finish mounting before the test exits
        screen = screen_of(app)
        assert len(screen.browse.digest) == 30
        assert app.title == "README · 2025.md not read"
        broken = server.url(f"{RAW_PREFIX}/years/2025.md")
        assert toasts(app) == [
            f"{broken}: cannot fetch: HTTP 404 Not Found (and no cached copy); left out"
        ]


async def test_r_brings_a_new_week_of_the_newest_file(server: Server) -> None:
    url = serve_tree(server, upstream_tree())
    app = index_app(url)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        screen = screen_of(app)
        years = year_weeks(date(2026, 1, 25), 9)
        newer = {"README.md": index_readme(years), "years/2026.md": year_file(2026, years[2026])}
        serve_tree(server, newer)
        server.responses.clear()
        await pilot.press("r")
        await wait_for(lambda: "1 new week, 10 papers." in toasts(app), pilot)
        assert dict(server.responses) == {  # the year files fetched at once: in any order
            f"{RAW_PREFIX}/README.md": 200,
            f"{RAW_PREFIX}/years/2026.md": 200,
            f"{RAW_PREFIX}/years/2025.md": 304,
        }
        digest = screen.browse.digest
        assert len(digest) == 90 and digest.weeks[0] == date(2026, 1, 25)
        assert screen.browse.counts.unread(date(2026, 1, 25)) == 10
        assert screen.browse.week == date(2026, 1, 18)  # the view stays where the reader was
