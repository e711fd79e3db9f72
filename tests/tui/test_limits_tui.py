"""Limits at input in the TUI (issue 23, item 6): a paste into the filter bar is cut at the query
limit; a note over its limit is kept cut, and the app says so."""

from __future__ import annotations

from textual import events

from reader.app import make_app
from reader.limits import NOTE_CHARS, QUERY_CHARS
from reader.loader import load_digest
from reader.widgets.filter_input import FilterInput
from tests.conftest import BUNDLED


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
        paper = app.screen.current_paper  # type: ignore[attr-defined]
        app.state.set_note(paper.key, "n" * (NOTE_CHARS + 1))
        app.screen._after_annotations()  # type: ignore[attr-defined]
        await pilot.pause()
        assert len(app.state.note(paper.key)) == NOTE_CHARS
        messages = [notice.message for notice in app._notifications]
        assert any(f"cut to {NOTE_CHARS:,} characters" in message for message in messages)
