"""Pilot tests of what differs when the app is served to a browser, and of the exports."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.app import ReaderApp, make_app
from reader.output import write_papers
from reader.screens.main import MainScreen
from reader.screens.main import outward as main_screen
from reader.sources.loader import load_digest


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
        paper = main_of(app).browse.current_paper
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
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path))
    digest = load_digest()
    app = make_app(digest, query="language")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = main_of(app)
        await pilot.press("m")  # one read mark, which the JSON carries
        expected = io.StringIO()
        write_papers(digest, screen.browse.rows, fmt, expected, state=screen.browse.store)
        await pilot.press(key)
        suffix = ".md" if fmt == "markdown" else ".json"
        await pilot.pause()
        saved = tmp_path / f"ml-papers-2023-2023-06-25-language{suffix}"
        assert any(str(n.message).endswith(f"to\n{saved}") for n in app._notifications)
        assert saved.read_text(encoding="utf-8") == expected.getvalue()
        if fmt == "json":
            rows = json.loads(saved.read_text(encoding="utf-8"))
            assert len(rows) == len(screen.browse.rows) > 1
            assert [row["read"] for row in rows].count(True) >= 1


async def test_the_palette_exports_the_citations_of_the_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path))
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
            digest,
            screen.browse.rows,
            "bibtex",
            expected,
            metadata=screen.browse.store.arxiv.cached_metadata,
        )
        await pilot.press("ctrl+p", *"as bibtex")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        saved = tmp_path / "ml-papers-2023-2023-06-25.bib"
        assert saved.read_text(encoding="utf-8") == expected.getvalue()
        assert expected.getvalue().count("@") == len(screen.browse.rows) == 10


def messages_of(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_export_creates_its_folder_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "no" / "such" / "folder"
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(folder))
    app = make_app(load_digest(), query="language")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        count = len(main_of(app).browse.rows)
        await pilot.press("e")
        await pilot.pause()
        first = folder / "ml-papers-2023-2023-06-25-language.md"
        assert first.is_file()
        assert f"Exported {count} papers as Markdown to\n{first}" in messages_of(app)
        first.write_text("mine", encoding="utf-8")
        await pilot.press("e")
        await pilot.pause()
        second = folder / "ml-papers-2023-2023-06-25-language (2).md"
        assert first.read_text(encoding="utf-8") == "mine"  # never overwritten
        assert second.read_text(encoding="utf-8").count("\n") == count + 2  # header, rule, rows
        assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, second.name])


async def test_export_errors_are_words_not_errnos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(blocker / "exports"))
    app = make_app(load_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert errors == [
            f"Export not saved: cannot create the folder {blocker / 'exports'}: not a directory"
        ]


async def test_an_empty_view_is_not_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path / "out"))
    app = make_app(load_digest(), query="zzzznothing")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert "Nothing to export: no papers in this view." in messages_of(app)
        assert not (tmp_path / "out").exists()


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
        paper = main_of(app).browse.current_paper
        assert paper is not None
        await pilot.press("o")
        await pilot.pause()
        assert tabs == [(paper.link, True)]
        assert local == []
