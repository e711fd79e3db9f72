"""A digest from a URL in the TUI: the loading bar's bytes, `r` offline, new weeks, --watch.

Only a server on 127.0.0.1 that the test starts is ever asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import reader.app
from reader.app import make_app
from reader.screens.loading import LoadingScreen
from reader.screens.main import MainScreen
from reader.sources.source import DigestSource
from tests.tui.conftest import wait_for
from tests.webdigest import Server, digest_route, readme, serve, slow_route


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "http"  # beside the parsed-digest cache's "parsed"


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def toasts(app: reader.app.ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def url_app(url: str, source: DigestSource | None = None) -> reader.app.ReaderApp:
    """The app as `reader URL` builds it: fetched behind the loading screen, `r` refetches."""
    return make_app(source=source or DigestSource([url]), read_delay=60)


async def test_the_loading_screen_shows_the_bytes_fetched(server: Server) -> None:
    page = readme(60).encode()
    server.routes["/README.md"] = slow_route(page, pieces=6, pause=0.15)
    url = server.url("/README.md")
    app = url_app(url)
    labels: list[str] = []
    async with app.run_test(size=(120, 30)) as pilot:
        total = f" of {len(page) / 1024:.0f} KB"

        def fetching() -> bool:  # some bytes in, not all: the label counts them
            if isinstance(app.screen, LoadingScreen):
                labels.append(str(app.screen.query_one("#loading-label").render()))
            return any(
                label.startswith(f"Fetching {url}: ")
                and label.endswith(total)
                and not label.startswith((f"Fetching {url}: 0 KB", f"Fetching {url}:{total}"))
                for label in labels
            )

        await wait_for(fetching, pilot)
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)  # let the new screen finish mounting before the test exits
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.browse.week == date(2026, 11, 29)  # opened on its newest week
        assert app.title == "README"


async def test_r_revalidates_then_the_server_stops_and_the_copy_stays_readable() -> None:
    running = serve()
    server = running.__enter__()
    try:
        server.routes["/README.md"] = digest_route(readme(3).encode(), etag='"1"')
        url = server.url("/README.md")
        app = url_app(url)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await pilot.press("r")  # the server is up: a conditional GET, a 304
            await wait_for(lambda: "Nothing new, 30 papers in 3 weeks." in toasts(app), pilot)
            assert server.hits("/README.md")[1]["If-None-Match"] == '"1"'
            assert app.title == "README"
            running.__exit__(None, None, None)  # the server stops
            await pilot.press("r")
            await wait_for(lambda: any("offline: the copy of" in t for t in toasts(app)), pilot)
            (notice,) = [t for t in toasts(app) if "offline" in t]
            assert notice.startswith(f"{url}: offline: the copy of ")
            assert notice.endswith("(connection refused)")
            assert app.title == "README · offline copy"
            assert len(screen.browse.digest) == 30
            await pilot.press("j")  # still reading
            assert screen.browse.current_paper is not None
            assert screen.browse.current_paper.title == "Paper 2 of the week of 2026-11-29"
    finally:
        running.__exit__(None, None, None)


async def test_an_http_error_on_r_keeps_the_cached_copy(server: Server) -> None:
    server.routes["/README.md"] = digest_route(readme(3).encode(), etag='"1"')
    url = server.url("/README.md")
    app = url_app(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        server.routes.clear()  # every request is a 404 now
        await pilot.press("r")
        await wait_for(lambda: any("offline: the copy of" in t for t in toasts(app)), pilot)
        assert any(t.endswith("(HTTP 404 Not Found)") for t in toasts(app))
        assert app.title == "README · offline copy"
        assert len(screen.browse.digest) == 30


async def test_new_weeks_arrive_unread_with_a_toast(server: Server) -> None:
    server.routes["/README.md"] = digest_route(readme(3).encode(), etag='"1"')
    url = server.url("/README.md")
    app = url_app(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("M")  # every paper of the week shown: read
        await wait_for(lambda: screen.browse.counts.unread(date(2026, 11, 29)) == 0, pilot)
        newer = readme(5, newest=date(2026, 12, 13)).encode()
        server.routes["/README.md"] = digest_route(newer, etag='"2"')
        await pilot.press("r")
        await wait_for(lambda: "2 new weeks, 20 papers." in toasts(app), pilot)
        assert len(screen.browse.digest) == 50
        assert screen.browse.counts.unread(date(2026, 12, 13)) == 10
        assert screen.browse.counts.unread(date(2026, 12, 6)) == 10
        assert screen.browse.counts.unread(date(2026, 11, 29)) == 0  # marks kept by arXiv id
        assert screen.browse.week == date(2026, 11, 29)  # the view stays where the reader was


async def test_watch_revalidates_urls_and_toasts_only_what_is_new(server: Server) -> None:
    server.routes["/README.md"] = digest_route(readme(3).encode(), etag='"1"')
    url = server.url("/README.md")
    app = url_app(url, DigestSource([url], watch=True, watch_every=0.05, url_every=0.3))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await wait_for(lambda: len(server.hits("/README.md")) >= 3, pilot)  # two 304s
        assert not any("Nothing new" in t for t in toasts(app))
        server.routes["/README.md"] = digest_route(readme(4).encode(), etag='"2"')
        await wait_for(lambda: "1 new week, 10 papers." in toasts(app), pilot)
