"""A saved search whose regex backtracks without end (issue 23, item 7) cannot hold the app: it
is counted within `SEARCH_COUNT_SECONDS` and shows `!`, and typing it says why in the filter
bar's message instead of stalling."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.widgets import Static

from reader.app import make_app
from reader.model import Digest, Paper
from reader.state import StateStore
from reader.widgets.filter_input import FilterInput
from tests.tui.conftest import screen_of, wait_for


def digest() -> Digest:
    papers = [
        Paper(date(2023, 1, 1), f"Paper {n}", "Cat", "a" * 60 + "!", f"https://arxiv.org/abs/2301.{n:05d}")
        for n in range(3)
    ]
    return Digest(papers, name="aaa")


async def test_a_saved_regex_search_that_backtracks_shows_a_mark_not_a_stall() -> None:
    """The drill: an imported search /(a+)+$/ re-ran at every start, and against abstracts of
    26 a's the first paint took 5.2 s, doubling per a. (That regex is quick in the `regex`
    module; /(a|aa)+$/ is not.)"""
    store = StateStore()
    store.save_search("slow", "/(a|aa)+$/")
    store.save_search("plain", "paper")
    app = make_app(digest(), state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await wait_for(lambda: any(e.kind == "search" for e in screen.sidebar.entries), pilot)
        rows = {e.label: e.count for e in screen.sidebar.entries if e.kind == "search"}
        assert rows == {"plain": "3/3", "slow": "!"}
        await pilot.press("slash")
        screen.query_one(FilterInput).post_message(events.Paste("/(a|aa)+$/"))
        error = screen.query_one("#filter-error", Static)
        await wait_for(lambda: "took over" in str(error.render()), pilot)
        assert app.is_running
