"""Limits at input in the TUI (issue 23, item 6): a paste into the filter bar is cut at the query
limit; a note over its limit is kept cut, and the app says so."""

from __future__ import annotations

from textual import events

from reader.app import make_app
from reader.limits import NOTE_CHARS, QUERY_CHARS
from reader.sources.loader import load_digest
from reader.widgets.filter_input import FilterInput
from tests.conftest import BUNDLED
from tests.tui.conftest import screen_of


async def test_a_huge_paste_into_the_filter_is_cut_at_the_query_limit() -> None:
    app = make_app(load_digest(BUNDLED), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        bar = app.screen.query_one(FilterInput)
        bar.post_message(events.Paste("diffusion " * 1000))
        await pilot.pause()
        assert len(bar.value) == QUERY_CHARS
        assert bar.value.startswith("diffusion diffusion")


async def test_a_note_over_its_limit_is_cut_and_the_app_says_so() -> None:
    app = make_app(load_digest(BUNDLED), read_delay=60)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        paper = screen.browse.current_paper
        assert paper is not None
        screen.act(screen.browse.set_note, paper.key, "n" * (NOTE_CHARS + 1))  # as the editor
        await pilot.pause()
        assert len(app.state.note(paper.key)) == NOTE_CHARS
        messages = [notice.message for notice in app._notifications]
        assert any(f"cut to {NOTE_CHARS:,} characters" in message for message in messages)
