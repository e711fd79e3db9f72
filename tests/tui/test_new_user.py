"""What a new user trips on (issue 24): pilot tests of the fixes that live in the TUI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from reader.app import ReaderApp, make_app
from reader.commands import HELP
from reader.config import load_config
from reader.model import Digest, Link, Paper
from reader.screens.edit import DiscardNote, LineEditor, NoteEditor
from reader.screens.help import HelpScreen
from reader.screens.links import LinksScreen
from reader.screens.main import outward as main_screen
from reader.sources.loader import load_digest
from reader.widgets.abstract import AbstractPane
from reader.widgets.filter_input import FilterInput
from reader.widgets.key_line import KeyLine
from reader.widgets.sidebar import Sidebar
from tests.arxiv_server import ArxivServer, Reply
from tests.tui.conftest import screen_of, screen_text, wait_for
from tests.tui.test_typeahead import burst


def top_focus(app: ReaderApp) -> object:
    """The focused widget (typed loosely: the tests watch it change)."""
    return app.focused


def top(app: ReaderApp) -> object:
    """The screen on top (typed loosely: the tests watch it change)."""
    return app.screen


async def test_slash_on_an_old_filter_lets_typing_replace_it(digest: Digest) -> None:
    app = make_app(digest, query="diffusion")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one("#filter", FilterInput)
        await pilot.press("slash", *"video")
        assert bar.value == "video"
        assert screen_of(app).browse.query_text == "video"
        await pilot.press("enter", "slash", "end", *"s")  # End (or →) edits the text instead
        assert bar.value == "videos"
        await pilot.press("enter", "slash", "right", "backspace")
        assert bar.value == "video"
        await pilot.press("enter", "slash", "backspace")  # the selection deleted at once
        assert bar.value == ""


def test_the_help_says_slash_replaces() -> None:
    row = next(line for line in HELP if line.keys == "/")
    assert "replaces" in row.meaning and "End edits" in row.meaning


async def test_the_filter_says_what_it_did_not_understand(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        note = screen.query_one("#filter-error", Static)
        await pilot.press("slash", *"auther:smith")
        assert note.display
        assert str(note.render()).startswith(
            "⚠ auther: is not a field, searched as a word (column 1); fields: title:"
        )
        assert screen.browse.query_text == "auther:smith"  # the query ran, as a word
        await pilot.press("ctrl+u", *"author:smith")
        assert str(note.render()) == "⚠ no authors known yet: F fetches them (column 1)"
        await pilot.press("ctrl+u", *"(diffusion OR video) -model")
        assert not note.display
        assert len(screen.browse.hits) > 0


async def test_every_editor_cancels_on_esc_and_says_how_to_save(digest: Digest) -> None:
    app = make_app(digest, week="2023-06-25", query="model", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        paper = screen.browse.current_paper
        assert paper is not None
        store = screen.browse.store
        await pilot.press("N")
        assert isinstance(top(app), NoteEditor)
        assert str(app.screen.query_one("#note-help", Static).render()) == (
            "Markdown · ctrl+s saves · Esc cancels · an emptied note is removed"
        )
        await pilot.press("escape")  # nothing changed: closes at once
        assert top(app) is screen
        await pilot.press("N", *"draft", "escape")  # changed: asks first
        assert isinstance(top(app), DiscardNote)
        await pilot.pause()
        shown = screen_text(app)  # the question is drawn (its box was once two columns wide)
        assert "Throw away the changes to this note?" in shown
        assert "y throws them away · n or Esc goes back to the note · ctrl+s saves" in shown
        await pilot.press("n")  # back to the note, the text kept
        assert isinstance(top(app), NoteEditor)
        assert app.screen.query_one(TextArea).text == "draft"
        await pilot.press("escape", "y")  # thrown away
        assert top(app) is screen and store.note(paper.key) == ""
        await pilot.press("N", *"kept", "escape", "ctrl+s")  # ctrl+s saves from the question too
        assert top(app) is screen and store.note(paper.key) == "kept"
        await pilot.press("N", "backspace", "ctrl+s")
        assert store.note(paper.key) == "kep"
        for key in ("t", "w"):  # the line editors: tags, a saved search's name
            await pilot.press(key)
            assert isinstance(top(app), LineEditor)
            assert str(app.screen.query_one("#line-keys", Static).render()) == (
                "Enter saves · Esc cancels"
            )
            await pilot.press(*"abc", "escape")
            assert top(app) is screen
        assert store.tags(paper.key) == () and store.searches() == {}


async def test_a_burst_through_the_discard_question(digest: Digest) -> None:
    app = make_app(digest, week="2023-06-25", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        await burst(app, pilot, ["N", "a", "escape", "y", "j", "N", "b", "ctrl+s"])
        await pilot.pause()
        assert top(app) is screen
        first, second = (screen.browse.digest.papers[i].key for i in screen.browse.rows[:2])
        assert screen.browse.store.note(first) == "" and screen.browse.store.note(second) == "b"


async def test_a_remap_onto_a_used_key_is_refused_with_its_line_and_help_follows(
    digest: Digest, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[keys]\ntoggle_star = "f"\ntoggle_read = "j"\ncopy_link = "m"\n', encoding="utf-8"
    )
    app = make_app(digest, week="2023-06-25", read_delay=60, config=load_config(config_file))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        messages = [str(n.message) for n in app._notifications]
        assert (
            f'{config_file}:3: [keys] toggle_read = "j" ignored: j is Down in the lists and the '
            "abstract"
        ) in messages
        assert any(
            m.startswith(f'{config_file}:4: [keys] copy_link = "m" ignored: m is the key of Mark')
            for m in messages
        )
        paper = screen.browse.current_paper
        assert paper is not None
        await pilot.press("f", "m")  # f stars; m still marks read (its remap was refused)
        assert screen.browse.store.is_starred(paper.key) and screen.browse.store.is_read(paper.key)
        await pilot.press("j")  # j still moves down
        assert screen.paper_list.cursor == 1
        await pilot.press("question_mark")
        help_screen = top(app)
        assert isinstance(help_screen, HelpScreen)
        keys = dict(help_screen.keys)
        assert keys["m / f"] == "Mark read or unread / star or unstar (remapped)"
        assert "m / s" not in keys


async def test_one_click_on_a_sidebar_category_picks_it(digest: Digest) -> None:
    app = make_app(digest, week="2023-06-25", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        sidebar = screen.sidebar
        row = next(i for i, e in enumerate(sidebar.entries) if e.kind == "category")
        name = sidebar.entries[row].category
        await pilot.click(Sidebar, offset=(4, row))
        await pilot.pause()
        assert screen.browse.query_text == f'cat:"{name}"'
        await pilot.click(Sidebar, offset=(4, row))  # again: removed
        await pilot.pause()
        assert screen.browse.query_text == ""
        await pilot.click(Sidebar, offset=(4, row), times=2)  # a double click: picked once
        await pilot.pause()
        assert screen.browse.query_text == f'cat:"{name}"'
        week_row = next(i for i, e in enumerate(sidebar.entries) if e.kind == "week")
        await pilot.click(Sidebar, offset=(4, week_row + 1))  # a week: one click, as before
        await pilot.pause()
        assert screen.browse.week == sidebar.entries[week_row + 1].week


async def test_after_a_failed_fetch_citations_say_it_failed(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = ArxivServer(api_reply=lambda ids: Reply(b"busy", status=503))
    monkeypatch.setenv("READER_ARXIV_API", server.api_url)
    try:
        app = make_app(load_digest(None), week="2023-05-28", read_delay=60)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await pilot.press("F")
            await wait_for(lambda: any("failed" in m for m in toasts(app)), pilot)
            summary = next(m for m in toasts(app) if "failed" in m)
            assert "1 failed request. (" in summary  # was "1 failed requests"
            await pilot.press("B")
            assert app.clipboard.splitlines()[0].endswith(
                ": authors missing (fetching the arXiv metadata failed: F tries again)"
            )
            assert toasts(app)[-1].splitlines()[1].startswith("% ")  # the toast says so too
            await pilot.press("I")
            assert "N1  - authors missing (fetching the arXiv metadata failed" in app.clipboard
            shown = toasts(app)[-1]
            assert "␊" not in shown  # the RIS toast shows lines, not line-feed symbols
            assert shown.splitlines()[1] == "TY  - GEN"
            assert shown.splitlines()[2].startswith(app.clipboard.splitlines()[1])
    finally:
        server.close()


def toasts(app: ReaderApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def test_toasts_wait_while_the_help_is_open(digest: Digest) -> None:
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("question_mark")
        app.notify("a toast-over-help", timeout=30)
        await pilot.pause(0.2)
        assert "toast-over-help" not in app.export_screenshot()
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert "toast-over-help" in app.export_screenshot()


async def test_wide_screens_give_the_sidebar_room_and_the_abstract_a_measure(
    digest: Digest,
) -> None:
    app = make_app(digest, week="2023-06-25", read_delay=60)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        sidebar = screen.sidebar
        assert sidebar.size.width >= 44
        row = next(i for i, e in enumerate(sidebar.entries) if e.label.startswith("Computer V"))
        assert "Computer Vision and Pattern Recognition" in sidebar.render_row(
            row, sidebar.scrollable_content_region.width, False
        ).plain
        pane = screen.query_one(AbstractPane)
        assert pane.scrollable_content_region.width > 120
        assert 90 <= max(strip.cell_length for strip in pane._lines) <= 100
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40)):
        assert screen_of(app).sidebar.outer_size.width == 30  # as before at 120 columns


async def test_at_50x15_the_key_line_keeps_both_week_keys_and_the_note_hint_shows(
    digest: Digest,
) -> None:
    app = make_app(digest, week="2023-06-25", read_delay=60)
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        line = str(app.screen.query_one(KeyLine).render())
        assert "[ Older" in line and "] Newer" in line, line
        await pilot.press("N")
        await pilot.pause()
        hint = app.screen.query_one("#note-help", Static)
        assert hint.size.height >= 2  # wrapped, not cut off
        shown = "".join(strip.text for strip in hint.render_lines(hint.region.reset_offset))
        assert "removed" in shown


async def test_x_moves_to_the_next_paper_and_says_so(digest: Digest) -> None:
    app = make_app(digest, week="2023-06-25", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("x", "x", "x")
        assert screen.paper_list.cursor == 3 and len(screen.browse.selected) == 3
    row = next(row for row in HELP if row.keys == "x")
    assert "move to the next" in row.meaning


async def test_enter_on_the_list_gives_the_abstract_the_focus_and_esc_takes_it_back(
    digest: Digest,
) -> None:
    app = make_app(digest, week="2023-06-25", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("j", "enter")
        assert isinstance(app.focused, AbstractPane)
        await pilot.press("j")  # scrolls the abstract; the list's cursor stays
        assert screen.paper_list.cursor == 1
        await pilot.press("escape")
        assert top_focus(app) is screen.paper_list and screen.paper_list.cursor == 1
    row = next(line for line in HELP if line.keys == "Enter")
    assert "list: read the abstract" in row.meaning


async def test_l_lists_the_papers_links_to_open_or_copy_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(main_screen, "open_in_browser", opened.append)
    monkeypatch.setattr(main_screen, "browser_plausible", lambda: True)
    link = "https://arxiv.org/abs/2305.14314"
    paper = Paper(
        date(2023, 5, 28),
        "QLoRA",
        link,
        arxiv_id="2305.14314",
        links=(Link("Tweet", "https://x.com/a/status/1"), Link("Code", "https://github.com/q")),
    )
    app = make_app(Digest((paper,), name="one"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        shown = top(app)
        assert isinstance(shown, LinksScreen)
        assert [label for label, _ in shown.links] == ["Paper", "PDF", "Tweet", "Code"]
        await pilot.press("down", "down", "y")  # copies the Tweet link and closes
        assert app.clipboard == "https://x.com/a/status/1"
        assert not isinstance(top(app), LinksScreen)
        await pilot.press("L", "down", "enter")  # opens the PDF
        await pilot.pause()
        assert opened == ["https://arxiv.org/pdf/2305.14314"]
    row = next(line for line in HELP if line.keys == "L")
    assert "Enter opens" in row.meaning
