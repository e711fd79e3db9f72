"""Loading behind a progress bar, reload (r) and --watch, in the TUI."""

from __future__ import annotations

import gc
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from textual.widgets import ProgressBar

from reader.app import ReaderApp, make_app
from reader.model import Digest
from reader.reading import ReadCounts
from reader.screens.loading import LoadingScreen
from reader.screens.main import MainScreen
from reader.settings import Settings
from reader.sources.loader import LoadError, load_digest
from reader.sources.source import DigestSource
from tests.tui.conftest import ScriptedSource, screen_text, wait_for

HEADER = "| Week | title | category | abstract | Paper-Link |\n|:--|:--|:--|:--|:--|\n"


def row(week: str, title: str, number: int) -> str:
    link = f"https://arxiv.org/abs/2306.{number:05d}"
    return f"| {week} | {title} | Machine Learning | About {title}. | {link} |\n"


async def test_loader_runs_behind_a_progress_bar_then_main_screen() -> None:
    release = threading.Event()
    seen: list[float] = []

    def loader(progress: Callable[[float, str], None]) -> Digest:
        progress(0.25, "Reading big.md")
        seen.append(0.25)
        release.wait(5)
        return load_digest()

    app = make_app(source=ScriptedSource(loader, "big.md"), read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: bool(seen), pilot)
        assert isinstance(app.screen, LoadingScreen)
        await pilot.pause(0.1)
        assert "Reading big.md" in str(app.screen.query_one("#loading-label").render())
        release.set()
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert len(screen.browse.rows) == 10
        assert app.title == "ml-papers-2023"
        # The loading screen under it is emptied: no progress bar animating behind the reader.
        (loading,) = [s for s in app.screen_stack if isinstance(s, LoadingScreen)]
        assert not loading.query(ProgressBar)
        assert not loading.children


async def test_a_progress_line_does_not_wait_for_the_ui() -> None:
    """The loader tells its progress and goes on: it never waits for the UI to draw the line
    (it did, ~0.1 s in all at 100k papers, while the UI drew the loading screen)."""
    go, told, release = threading.Event(), threading.Event(), threading.Event()

    def loader(progress: Callable[[float, str], None]) -> Digest:
        go.wait(5)
        progress(0.5, "Reading big.md: half")
        told.set()
        release.wait(5)
        return load_digest()

    app = make_app(source=ScriptedSource(loader, "big.md"), read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, LoadingScreen), pilot)
        go.set()
        returned = told.wait(2)  # the UI's thread is held here: nothing it must do can run
        await pilot.pause(0.1)
        assert "half" in str(app.screen.query_one("#loading-label").render())
        release.set()
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)  # (Textual's Header sets its title after its first frame)
    assert returned, "the loader waited for the UI to show its progress line"


async def test_progress_lines_that_fit_lay_nothing_out_and_a_long_one_wraps() -> None:
    """A line of the loading screen is shown without laying the screen out again (a layout
    cost as much as the frame, every 50 ms of a load), unless it is wider than the screen."""
    lines: list[str] = []
    shown: list[str] = []
    go, release = threading.Event(), threading.Event()

    def loader(progress: Callable[[float, str], None]) -> Digest:
        go.wait(5)
        for line in lines:
            progress(0.5, line)
            while not shown or shown[-1] != line:
                time.sleep(0.01)
        release.wait(5)
        return load_digest()

    app = make_app(source=ScriptedSource(loader, "big.md"), read_delay=60)
    layouts = [0]
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(lambda: isinstance(app.screen, LoadingScreen), pilot)
        screen = app.screen
        assert isinstance(screen, LoadingScreen)
        lay_out = screen._refresh_layout

        def counted(*args: object, **kwargs: object) -> None:
            layouts[0] += 1
            lay_out(*args, **kwargs)  # type: ignore[arg-type]

        screen._refresh_layout = counted  # type: ignore[method-assign]
        label = screen.query_one("#loading-label")
        show = screen._show_progress

        def showing(fraction: float, doing: str) -> None:
            show(fraction, doing)
            shown.append(doing)

        screen._show_progress = showing  # type: ignore[method-assign]
        await pilot.pause(0.2)
        layouts[0] = 0
        lines.extend(f"Reading big.md: {n} MB of 9 MB" for n in range(1, 4))
        lines.append("Reading " + "a-very-long-file-name-" * 4 + ".md")
        go.set()
        await wait_for(lambda: len(shown) == 4, pilot)
        await pilot.pause(0.2)
        assert label.size.height >= 2  # the long line wrapped: laid out for it
        assert 1 <= layouts[0] <= 2, layouts  # the long line's, not one a line
        release.set()
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)


async def test_q_quits_while_loading_never_finishes() -> None:
    never = threading.Event()

    def loader(progress: Callable[[float, str], None]) -> Digest:
        never.wait(30)
        raise LoadError("huge.md", None, "given up")

    app = make_app(source=ScriptedSource(loader, "huge.md"))
    started = time.monotonic()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert time.monotonic() - started < 5
    never.set()


async def test_load_error_exits_with_status_2() -> None:
    def loader(progress: Callable[[float, str], None]) -> Digest:
        raise LoadError("bad.md", 7, "not a date: 'soon'")

    app: ReaderApp = make_app(source=ScriptedSource(loader, "bad.md"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.load_error is not None, pilot)
        await pilot.pause()
    assert app.return_code == 2
    assert str(app.load_error) == "bad.md:7: not a date: 'soon'"


async def test_r_reloads_and_keeps_week_query_and_paper(tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    path.write_text(
        HEADER
        + row("2023-06-18", "Old one", 1)
        + row("2023-06-25", "Alpha", 2)
        + row("2023-06-25", "Beta", 3)
    )
    source = DigestSource([str(path)])
    app = make_app(source.load(), source=source, read_delay=60)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j")
        current = screen.browse.current_paper
        assert current is not None and current.title == "Beta"
        with path.open("a") as file:
            file.write(row("2023-06-25", "Gamma", 4) + row("2023-07-02", "Newer week", 5))
        await pilot.press("r")
        await wait_for(lambda: len(screen.browse.digest) == 5, pilot)
        await pilot.pause()
        assert screen.browse.week is not None and screen.browse.week.isoformat() == "2023-06-25"
        current = screen.browse.current_paper
        assert current is not None and current.title == "Beta"
        papers = screen.browse.digest.papers
        assert [papers[i].title for i in screen.browse.rows] == ["Alpha", "Beta", "Gamma"]


async def test_reload_failure_keeps_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    path.write_text(HEADER + row("2023-06-25", "Alpha", 2))
    source = DigestSource([str(path)])
    app = make_app(source.load(), source=source, read_delay=60)
    async with app.run_test(size=(120, 30)) as pilot:
        path.write_text(HEADER + "| soon | Broken | x | y | https://x.org |\n")
        await pilot.press("r")
        await wait_for(lambda: any("Reload failed" in n.message for n in app._notifications), pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert [p.title for p in screen.browse.digest.papers] == ["Alpha"]


async def test_watch_reloads_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "digest.md"
    path.write_text(HEADER + row("2023-06-25", "Alpha", 2))
    source = DigestSource([str(path)], watch=True, watch_every=0.05)
    app = make_app(source.load(), source=source, read_delay=60)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert "Written later" not in screen_text(app)
        with path.open("a") as file:
            file.write(row("2023-06-25", "Written later", 6))
        await wait_for(lambda: "Written later" in screen_text(app), pilot)
        shown = screen_text(app)
        assert shown.index("Alpha") < shown.index("Written later")  # both listed, in file order
        assert re.search(r"2023-06-25 +2/2\b", shown)  # the sidebar counts the new paper


async def test_focus_event_before_the_main_screen_composed_is_harmless() -> None:
    """A browser terminal (textual-serve) sends AppFocus at once: it may come while loading or
    right after the main screen is pushed, before it has composed. Nothing may assume widgets."""
    from textual import events

    errors: list[Exception] = []

    class EarlyFocus(ReaderApp):
        def _loaded(self, digest: Digest, counts: ReadCounts) -> None:
            super()._loaded(digest, counts)
            try:
                self.on_app_focus()  # the main screen is pushed but has not composed yet
            except Exception as error:
                errors.append(error)
            self.post_message(events.AppFocus())

    release = threading.Event()

    def loader(progress: Callable[[float, str], None]) -> Digest:
        release.wait(5)
        return load_digest()

    app = EarlyFocus(
        source=ScriptedSource(loader, "big.md"),
        state=make_app(load_digest()).state,
        settings=Settings(read_delay=60),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(events.AppFocus())  # during the loading screen
        await pilot.pause()
        release.set()
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert len(screen.browse.rows) == 10
        app.post_message(events.AppFocus())
        await pilot.press("j")
        assert screen.paper_list.cursor == 1
    assert errors == []
    assert app.return_code in (None, 0)


async def test_the_collector_comes_back_frozen_after_the_first_paint() -> None:
    """The command line holds the collector off while starting; the app turns it on after its
    first paint with what is alive by then frozen (no full collection walks the digest)."""
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        app = make_app(load_digest(), read_delay=60)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(gc.isenabled, pilot)
            assert gc.get_freeze_count() > 0
            assert isinstance(app.screen, MainScreen)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.enable()


async def test_q_quits_while_a_reload_never_finishes() -> None:
    """The reload worker waits on a daemon thread: quitting does not wait for the reading."""
    never = threading.Event()
    started = threading.Event()

    def reload() -> Digest:
        started.set()
        never.wait(30)
        raise LoadError("huge.md", None, "given up")

    source = ScriptedSource(lambda progress: load_digest(), "huge.md", reload=reload)
    app = make_app(source.load(), source=source, read_delay=60)
    began = time.monotonic()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await wait_for(started.is_set, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert time.monotonic() - began < 5
    never.set()


async def test_a_big_digest_writes_its_cache_entry_after_the_main_screen_is_painted(
    tmp_path: Path,
) -> None:
    from reader.sources.digest_cache import MIN_BYTES, cache_dir

    path = tmp_path / "big.md"
    # few papers (the search index is not built in the background), but over MIN_BYTES
    path.write_text(
        HEADER
        + "".join(row("2023-06-25", f"Paper {n} " + "x" * 1200, n) for n in range(1, 461))
    )
    assert path.stat().st_size > MIN_BYTES
    source = DigestSource([str(path)])
    app = make_app(source=source, read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        assert source.defer_cache  # not while loading: after the first paint
        await wait_for(lambda: bool(list(cache_dir().glob("*.papers"))), pilot)
        await app.workers.wait_for_complete()  # nothing left running into the next test
    for thread in threading.enumerate():
        if thread.name == "reader-cache-write":
            thread.join()
    assert load_digest(path).papers == DigestSource([str(path)]).load().papers
