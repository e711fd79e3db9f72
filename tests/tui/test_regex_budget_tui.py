"""A saved search whose regex backtracks without end (issue 23, item 7) cannot hold the app: it
is counted within `SEARCH_COUNT_SECONDS` and shows `!`, and typing it says why in the filter
bar's message instead of stalling."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from textual import events
from textual.widgets import Static

from reader.app import make_app
from reader.browse.jobs import OPENING_SECONDS
from reader.model import Digest, Paper
from reader.query import REGEX_SECONDS, Query
from reader.state import Session, StateStore
from reader.widgets.filter_input import FilterInput
from tests.tui.conftest import screen_of, screen_text, wait_for


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


async def test_a_restored_slow_regex_does_not_hold_the_first_paint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The digest was left filtered by a regex that is slow here: before, it was filtered on
    the UI thread with its whole budget (1 s of CPU) before the first paint. Now the UI thread
    gives it `OPENING_SECONDS`; the worker, which runs it with its whole budget, is held here
    until the first frame was read, so this first frame cannot be one that waited for it."""
    calls: list[tuple[float, bool]] = []  # (budget, on the UI thread)
    first_frame_read = threading.Event()
    real = Query.filter

    def spy(self: Query, *args: Any, budget: float = REGEX_SECONDS, **kwargs: Any) -> list[int]:
        on_ui = threading.current_thread() is threading.main_thread()
        calls.append((budget, on_ui))
        if not on_ui:
            first_frame_read.wait(60)
            budget = min(budget, 0.3)  # the test's CPU: the worker's whole budget is 1 s
        return real(self, *args, budget=budget, **kwargs)

    monkeypatch.setattr(Query, "filter", spy)
    store = StateStore()
    store.save_session("aaa", Session("all", "/(a|aa)+$/", ""))
    app = make_app(digest(), state=store, read_delay=60, session_key="aaa")
    async with app.run_test(size=(120, 40)) as pilot:
        first = screen_text(app)
        assert "/(a|aa)+$/" in first  # the filter bar
        assert all(f"Paper {n}" in first for n in range(3))  # the papers, unfiltered
        assert "took over" not in first
        assert [budget for budget, on_ui in calls if on_ui] == [OPENING_SECONDS]
        first_frame_read.set()
        await wait_for(lambda: "took over 0.3 s" in screen_text(app), pilot)
        assert [budget for budget, on_ui in calls if not on_ui] == [REGEX_SECONDS]
        assert all(f"Paper {n}" in screen_text(app) for n in range(3))
