"""What a new user trips on (issue 24): pilot tests of the fixes that live in the TUI."""

from __future__ import annotations

from textual.widgets import Static

from reader.app import make_app
from reader.commands import HELP
from reader.model import Digest
from reader.widgets.filter_input import FilterInput
from tests.tui.conftest import screen_of


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
