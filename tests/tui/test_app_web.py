"""Pilot tests of what differs when the app is served to a browser, and of the exports."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.app import ReaderApp, make_app
from reader.loader import load_digest
from reader.output import write_papers
from reader.screens import main as main_screen
from reader.screens.main import MainScreen


def main_of(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def recorder(into: list[str]) -> Callable[[str], bool]:
    """A stand-in for copy_local that records what it was given and says it copied."""

    def record(text: str) -> bool:
        into.append(text)
        return True

    return record


async def test_served_copy_goes_to_the_page_only(monkeypatch: pytest.MonkeyPatch) -> None:
    local: list[str] = []
    monkeypatch.setattr(main_screen, "copy_local", recorder(local))
    monkeypatch.setattr(ReaderApp, "is_web", property(lambda self: True))
    app = make_app(load_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        paper = main_of(app).current_paper
        assert paper is not None
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == paper.link  # OSC 52, which textual-serve hands to the page
        assert local == []  # never the server's own clipboard
        assert any("to the browser's clipboard" in str(n.message) for n in app._notifications)


async def test_in_a_terminal_copy_still_uses_the_local_clipboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local: list[str] = []
    monkeypatch.setattr(main_screen, "copy_local", recorder(local))
    app = make_app(load_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert local == [app.clipboard]


@pytest.mark.parametrize(("key", "fmt"), [("e", "markdown"), ("E", "json")])
async def test_export_writes_the_view_as_print_does(
    key: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("textual.app.user_downloads_path", lambda: tmp_path)
    digest = load_digest()
    app = make_app(digest, query="language")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main_of(app)
        await pilot.press("m")  # one read mark, which the JSON carries
        expected = io.StringIO()
        write_papers(digest, screen.indices, fmt, expected, state=screen.store)
        await pilot.press(key)
        suffix = ".md" if fmt == "markdown" else ".json"
        saved = tmp_path / f"ml-papers-2023-2023-06-25{suffix}"
        for _ in range(100):
            await pilot.pause(0.05)
            if any(f"Saved {saved}" in str(n.message) for n in app._notifications):
                break
        assert any(f"Saved {saved}" in str(n.message) for n in app._notifications)
        assert saved.read_text(encoding="utf-8") == expected.getvalue()
        if fmt == "json":
            rows = json.loads(saved.read_text(encoding="utf-8"))
            assert len(rows) == len(screen.indices) > 1
            assert [row["read"] for row in rows].count(True) >= 1


async def test_the_palette_exports_the_citations_of_the_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("textual.app.user_downloads_path", lambda: tmp_path)
    digest = load_digest()
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main_of(app)
        titles = [command.title for command in app.get_system_commands(screen)]
        for label in ("CSV", "BibTeX", "RIS", "links"):
            assert f"Export the view as {label}" in titles
        expected = io.StringIO()
        write_papers(
            digest, screen.indices, "bibtex", expected, metadata=screen.store.cached_metadata
        )
        await pilot.press("ctrl+p", *"as bibtex")
        await pilot.pause(0.3)
        await pilot.press("enter")
        saved = tmp_path / "ml-papers-2023-2023-06-25.bib"
        for _ in range(100):
            await pilot.pause(0.05)
            if any(f"Saved {saved}" in str(n.message) for n in app._notifications):
                break
        assert saved.read_text(encoding="utf-8") == expected.getvalue()
        assert expected.getvalue().count("@") == len(screen.indices) == 10


async def test_served_o_opens_a_tab_of_the_page_not_a_browser_on_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local: list[str] = []
    monkeypatch.setattr(main_screen, "open_in_browser", local.append)
    monkeypatch.setattr(main_screen, "browser_plausible", lambda: True)
    monkeypatch.setattr(ReaderApp, "is_web", property(lambda self: True))
    tabs: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        ReaderApp, "open_url", lambda self, url, *, new_tab=True: tabs.append((url, new_tab))
    )
    app = make_app(load_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        paper = main_of(app).current_paper
        assert paper is not None
        await pilot.press("o")
        await pilot.pause()
        assert tabs == [(paper.link, True)]
        assert local == []
