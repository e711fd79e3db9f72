"""Pilot tests of reading state in the TUI: read, unread, starred, next unread, mark all, undo."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from textual import events

from reader.app import ReaderApp, make_app
from reader.model import Digest, Paper
from reader.state import StateStore
from reader.widgets.abstract import AbstractPane
from reader.widgets.sidebar import Sidebar
from tests.tui.conftest import screen_of as main
from tests.tui.conftest import screen_text

NEWEST = date(2023, 6, 25)
NEXT = date(2023, 6, 18)


def key_at(app: ReaderApp, row: int) -> str:
    screen = main(app)
    return screen.browse.digest.papers[screen.browse.rows[row]].key


def sidebar_count(app: ReaderApp, kind: str, week: date | None = None) -> str:
    entries = app.screen.query_one(Sidebar).entries
    return next(e.count for e in entries if e.kind == kind and e.week == week)


async def test_paper_becomes_read_after_dwell(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=0.5)
    started = time.monotonic()  # the first paper is shown as the screen mounts
    async with app.run_test(size=(120, 40)) as pilot:
        first = key_at(app, 0)
        await pilot.pause()
        if time.monotonic() - started < 0.4:
            assert not store.is_read(first)
        while not store.is_read(first):
            assert time.monotonic() - started < 5
            await pilot.pause(0.05)
        assert time.monotonic() - started >= 0.5
        assert sidebar_count(app, "week", NEWEST) == "9/10"
        # moving on before the delay does not mark the passed paper (when the machine is slow
        # enough that the two keys took the whole delay, the paper was rightly read)
        pressed = time.monotonic()
        await pilot.press("j", "j")
        if time.monotonic() - pressed < 0.4:
            assert not store.is_read(key_at(app, 1))


async def test_m_toggles_and_s_stars(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        key = key_at(app, 0)
        await pilot.press("m")
        assert store.is_read(key)
        assert "·  read" in app.screen.query_one(AbstractPane).content.plain
        await pilot.press("m")
        assert not store.is_read(key)
        await pilot.press("s")
        assert store.is_starred(key)
        assert sidebar_count(app, "starred") == "1"
        assert "★ starred" in app.screen.query_one(AbstractPane).content.plain
        await pilot.press("s")
        assert not store.is_starred(key)
        assert sidebar_count(app, "starred") == "0"


async def test_starred_view_lists_starred_papers(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "left_square_bracket", "j", "s")
        starred = {key_at(app, 1)}
        screen = main(app)
        screen.act(screen.browse.show_week, None, starred_only=True)
        await pilot.pause()
        assert len(screen.browse.rows) == 2
        assert starred <= {digest.papers[i].key for i in screen.browse.rows}
        assert (screen.sub_title or "").startswith("Starred")


async def test_mark_all_and_undo(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")  # one read before the bulk change
        await pilot.press("M")
        keys = [key_at(app, row) for row in range(10)]
        assert all(store.is_read(k) for k in keys)
        assert sidebar_count(app, "week", NEWEST) == "0/10"
        await pilot.press("u")
        assert store.is_read(keys[0])  # it was read before: stays read
        assert not any(store.is_read(k) for k in keys[1:])
        assert sidebar_count(app, "week", NEWEST) == "9/10"


async def test_u_undoes_the_last_change_of_any_kind_then_says_there_is_nothing(
    digest: Digest,
) -> None:
    """Issue 24 item 13: a star, a note and a deleted saved search come back, newest first; u
    with nothing left says so (it was an idle key)."""
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = main(app)
        first = key_at(app, 0)
        store.save_search("mine", "diffusion")
        await pilot.press("s", "N", *"a note", "ctrl+s")
        assert store.is_starred(first) and store.note(first) == "a note"
        screen.sidebar.cursor = next(
            row for row, e in enumerate(screen.sidebar.entries) if e.kind == "search"
        )
        screen.set_focus(screen.sidebar)
        await pilot.press("delete")
        assert store.searches() == {}
        await pilot.press("u")  # the deleted search
        assert store.searches() == {"mine": "diffusion"}
        await pilot.press("u", "u")  # the note, then the star
        assert store.note(first) == "" and not store.is_starred(first)
        assert "★" not in screen.paper_list.render_row(0, 100, False).plain
        await pilot.press("u")
        await pilot.pause()
        toasts = [str(note.message) for note in app._notifications]
        assert toasts[-1] == "Nothing to undo."
        assert any(toast.startswith("Undone: the note on") for toast in toasts)
        await pilot.press("question_mark")  # the help said u undid mark-all ("undo that")
        await pilot.pause()
        assert "Mark all in the view read / undo the last change" in screen_text(app)


async def test_next_unread_crosses_weeks(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        store.set_read([key_at(app, row) for row in range(10) if row != 4])
        await pilot.press("n")
        assert screen.paper_list.cursor == 4
        await pilot.press("n")  # nothing unread below it this week: the next week's first
        assert screen.browse.week == NEXT
        assert screen.paper_list.cursor == 0
        await pilot.press("p")  # back up into the newer week, to its last unread paper
        assert screen.browse.week == NEWEST
        assert screen.paper_list.cursor == 4
        store.set_read([key_at(app, 4)])
        await pilot.press("p")  # nothing unread above: stays, and says so
        assert screen.browse.week == NEWEST
        assert screen.paper_list.cursor == 4


async def test_copy_marks_read_and_is_read_filter(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        key = key_at(app, 2)
        await pilot.press("j", "j", "y")
        assert store.is_read(key)
        screen = main(app)
        screen.set_filter("is:read")
        await pilot.pause()
        assert [digest.papers[i].key for i in screen.browse.rows] == [key]
        screen.set_filter("is:unread")
        await pilot.pause()
        assert len(screen.browse.rows) == 9


async def test_marks_survive_a_restart(digest: Digest, isolated_state: Path) -> None:
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        key = key_at(app, 0)
        await pilot.press("m", "j", "s")
        starred = key_at(app, 1)
        await pilot.press("q")
    app.state.close()
    reopened = StateStore(isolated_state)
    assert reopened.is_read(key)
    assert reopened.is_starred(starred)
    app2 = make_app(digest, state=reopened, read_delay=60)
    async with app2.run_test(size=(120, 40)):
        assert sidebar_count(app2, "week", NEWEST).startswith("9/")  # m: read; j s: starred


async def test_repeated_paper_is_marked_with_its_other_weeks() -> None:
    link = "https://arxiv.org/abs/2306.00001"
    papers = [
        Paper(NEWEST, "Twice", link, arxiv_id="2306.00001"),
        Paper(NEXT, "Twice (v2)", link + "v2", arxiv_id="2306.00001"),
        Paper(NEWEST, "Once", "https://arxiv.org/abs/2306.00002", arxiv_id="2306.00002"),
    ]
    store = StateStore()
    app = make_app(Digest(papers, name="t"), state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        text = app.screen.query_one(AbstractPane).content.plain
        assert "Also in the week of 2023-06-18" in text
        await pilot.press("m", "left_square_bracket")
        # the same paper in the other week is read too: marks are keyed by arXiv id
        assert main(app).browse.digest.papers[main(app).browse.rows[0]].title == "Twice (v2)"
        assert "·  read" in app.screen.query_one(AbstractPane).content.plain


async def test_no_dwell_read_while_the_abstract_is_hidden(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=1.0)  # the dwell starts as the screen mounts
    async with app.run_test(size=(120, 40)) as pilot:
        first = key_at(app, 0)
        await pilot.press("question_mark")  # the help screen covers the abstract at once
        await pilot.pause(1.2)
        assert not store.is_read(first)
        await pilot.press("escape")
        for _ in range(50):
            await pilot.pause(0.05)
            if store.is_read(first):
                break
        assert store.is_read(first)


async def test_no_dwell_read_on_a_tiny_list(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=0.2)
    async with app.run_test(size=(50, 20)) as pilot:
        await pilot.pause(0.6)
        assert not store.is_read(key_at(app, 0))  # the list only: its abstract is not shown
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if store.is_read(key_at(app, 0)):
                break
        assert store.is_read(key_at(app, 0))


async def test_marks_from_another_instance_show_on_focus(digest: Digest) -> None:
    store = StateStore()
    app = make_app(digest, state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        other = StateStore(store.directory)
        other.set_read([key_at(app, 0), key_at(app, 1)])
        other.toggle_star(key_at(app, 2))
        other.close()
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert sidebar_count(app, "week", NEWEST) == "8/10"
        assert sidebar_count(app, "starred") == "1"


async def test_big_mark_all_saves_in_a_thread_and_undoes(
    digest: Digest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.browse.jobs as jobs_module

    monkeypatch.setattr(jobs_module, "BULK_IN_THREAD", 0)
    store = StateStore()
    app = make_app(digest, week="all", state=store, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        keys = {p.key for p in digest.papers}
        await pilot.press("M")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert all(store.is_read(k) for k in keys)
        assert sidebar_count(app, "all") == "0/123"
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not any(store.is_read(k) for k in keys)
        assert sidebar_count(app, "all") == "123/123"
    store.close()
    assert not any(StateStore(store.directory).is_read(k) for k in keys)
