"""The browse model (reader.browse.Browse) driven directly, as the screen drives it: an operation,
then what it says changed, the toasts it queued and the jobs it asks for. No Textual."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import reader.browse.jobs as jobs_module
from reader.browse import Browse, Bulk, Changed, Search, Warm
from reader.browse.undo import UNDO_LIMIT
from reader.model import Digest, Paper
from reader.query import REGEX_SECONDS, Query, QueryError
from reader.state import StateStore

NEWEST = date(2023, 6, 25)
W2 = NEWEST - timedelta(weeks=1)
W3 = NEWEST - timedelta(weeks=2)


def _paper(week: date, n: int, title: str, category: str = "Vision") -> Paper:
    return Paper(
        week,
        title,
        f"https://arxiv.org/abs/2306.{n:05d}",
        category=category,
        abstract=f"The abstract of {title.lower()}.",
        arxiv_id=f"2306.{n:05d}",
    )


DIGEST = Digest(
    [
        _paper(NEWEST, 1, "Zebra diffusion"),
        _paper(NEWEST, 2, "Apple agents", "Agents"),
        _paper(NEWEST, 3, "Mango robots", "Robotics"),
        _paper(W2, 4, "Banana diffusion"),
        _paper(W2, 5, "Cherry agents", "Agents"),
        _paper(W3, 6, "Date robots", "Robotics"),
    ],
    name="test",
)
KEYS = [paper.key for paper in DIGEST.papers]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    opened = StateStore(tmp_path / "state")
    yield opened
    opened.close()


def opened(store: StateStore, **kwargs: object) -> Browse:
    browse = Browse(DIGEST, store, week=NEWEST, **kwargs)  # type: ignore[arg-type]
    browse.open()
    return browse


def titles(browse: Browse) -> list[str]:
    return [browse.digest.papers[i].title for i in browse.rows]


def said(browse: Browse) -> list[str]:
    return [toast.text for toast in browse.take_toasts()]


def test_the_model_imports_no_textual() -> None:
    script = "import sys, reader.browse; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0


def test_opening_lists_the_week_and_says_what_to_draw(store: StateStore) -> None:
    browse = opened(store)
    assert titles(browse) == ["Zebra diffusion", "Apple agents", "Mango robots"]
    assert browse.current == 0 and browse.cursor == 0
    changed = browse.take_changes()
    assert Changed.LIST | Changed.SIDEBAR | Changed.TITLE | Changed.PANE in changed
    assert browse.take_changes() == Changed.NONE  # taken: nothing left to draw
    assert browse.title() == "2023-06-25 · 3 papers"


def test_opening_on_the_paper_it_was_left_on(store: StateStore) -> None:
    browse = opened(store, paper=KEYS[2])
    assert browse.current_paper is DIGEST.papers[2] and browse.cursor == 2
    assert browse.session().paper == KEYS[2]


def test_a_query_with_no_match_in_the_week_opens_on_all_weeks(store: StateStore) -> None:
    browse = opened(store, text="banana")
    assert browse.week is None and titles(browse) == ["Banana diffusion"]
    assert said(browse) == ["Nothing matches in 2023-06-25: showing all weeks."]
    asked = opened(store, text="banana", week_given=True)  # --week: it stays
    assert asked.week == NEWEST and asked.rows == [] and said(asked) == []
    assert asked.empty_lines()[:2] == [
        "No papers match in 2023-06-25.",
        "1 in other weeks: a shows all weeks.",
    ]


def test_typing_filters_and_the_pane_follows(store: StateStore) -> None:
    browse = opened(store)
    browse.point(1)
    browse.take_changes()
    browse.ask("agents")
    assert titles(browse) == ["Apple agents"] and browse.current == 1  # the paper kept
    assert browse.title() == "2023-06-25 · 1 of 3 papers · agents"
    pane = browse.pane()
    assert pane.paper is DIGEST.papers[1] and pane.spans is not None and pane.read is False
    assert pane.spans("Apple agents", "title") == [(6, 12)]
    browse.ask("agents zzz")
    assert browse.rows == [] and browse.pane().message == "No papers match."
    assert browse.text == browse.query_text == "agents zzz"


def test_a_bad_query_keeps_the_results_and_says_why(store: StateStore) -> None:
    browse = opened(store)
    browse.ask("diffusion")
    browse.take_changes()
    browse.ask("diffusion /(/")
    assert browse.take_changes() == Changed.ERROR
    assert browse.error is not None and browse.error.startswith("⚠")
    assert browse.query_text == "diffusion" and browse.text == "diffusion /(/"
    assert titles(browse) == ["Zebra diffusion"]
    browse.ask("diffusion")
    assert browse.error is None and Changed.ERROR in browse.take_changes()


def test_a_big_filter_goes_to_a_thread_and_a_stale_answer_is_dropped(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", 0)
    browse = Browse(DIGEST, store, week=None)
    browse.open()
    browse.ask("robots")
    (first,) = browse.take_jobs()
    assert isinstance(first, Search) and first.query.text == "robots"
    browse.ask("agents")
    (second,) = browse.take_jobs()
    assert isinstance(second, Search)
    browse.answer(first, first.run())  # an older query's hits: dropped
    assert browse.query_text == "" and len(browse.rows) == len(DIGEST)
    browse.answer(second, second.run())
    assert titles(browse) == ["Apple agents", "Cherry agents"]


def test_a_search_in_a_thread_stops_once_a_newer_query_is_asked(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer query, even one answered at once (an empty bar, a word the index answers),
    starts no worker that would call the older one's off: the older one's run stops itself
    (at 1M papers a letter's lookup went on ~100 ms for nothing)."""
    monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", 0)
    browse = Browse(DIGEST, store, week=None)
    browse.open()
    browse.ask("robots")
    (search,) = browse.take_jobs()
    assert isinstance(search, Search)
    hits = search.run_unless(lambda: False)  # the newest: runs whole
    assert isinstance(hits, list) and hits
    browse.ask("")  # answered at once: every paper
    assert browse.take_jobs() == []
    assert search.run_unless(lambda: False) is None  # called off: a newer query was asked
    assert isinstance(search.run(), list)  # at once (not in a thread): runs whole


def test_an_empty_query_lists_every_paper_in_a_list_of_its_own(store: StateStore) -> None:
    browse = Browse(DIGEST, store, week=None)
    browse.open()
    browse.ask("agents")
    browse.ask("")
    first = browse.hits
    assert first == list(range(len(DIGEST)))
    first.clear()
    browse.ask("robots")
    browse.ask("")
    assert browse.hits == list(range(len(DIGEST))) and browse.hits is not first
    # what it is copied from is a tuple of ints: the garbage collector stops walking it once
    # seen (a list of 100,000 was walked by every full collection of the TUI)
    gc.collect()
    assert browse._all is not None and not gc.is_tracked(browse._all[1])


def test_a_thread_answer_opens_where_it_was_left(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", 0)
    browse = Browse(DIGEST, store, week=NEWEST, text="robots", paper=KEYS[2])
    browse.open()
    (search,) = browse.take_jobs()
    assert isinstance(search, Search)
    assert said(browse) == []  # nothing judged before the hits are in
    browse.answer(search, search.run())
    assert browse.week == NEWEST and browse.current == 2 and said(browse) == []


def out_of_time_below_the_whole_budget(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Query.filter as if its regexes ran out of any budget under `REGEX_SECONDS` (a slow
    regex, counted rather than timed); the budgets it was given, in order."""
    budgets: list[float] = []
    real = Query.filter

    def filter(self: Query, *args: Any, budget: float = REGEX_SECONDS, **kwargs: Any) -> list[int]:
        budgets.append(budget)
        if budget < REGEX_SECONDS:
            raise QueryError(f"a regex took over {budget:g} s and was stopped", 0)
        return real(self, *args, budget=budget, **kwargs)

    monkeypatch.setattr(Query, "filter", filter)
    return budgets


def test_a_slow_query_to_open_with_filters_in_a_thread_the_papers_listed_meanwhile(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23: a restored regex query held the first paint for its whole budget (1 s of
    CPU). It gets `OPENING_SECONDS` at once, then its whole budget in a thread."""
    budgets = out_of_time_below_the_whole_budget(monkeypatch)
    browse = Browse(DIGEST, store, week=NEWEST, text="/diffusion/", paper=KEYS[2])
    browse.open()
    assert budgets == [jobs_module.OPENING_SECONDS]
    assert jobs_module.OPENING_SECONDS < REGEX_SECONDS
    (search,) = browse.take_jobs()
    assert isinstance(search, Search) and search.budget == REGEX_SECONDS
    assert titles(browse) == ["Zebra diffusion", "Apple agents", "Mango robots"]  # unfiltered
    assert browse.current == 2 and browse.text == "/diffusion/" and browse.error is None
    browse.answer(search, search.run())
    assert titles(browse) == ["Zebra diffusion"] and browse.query_text == "/diffusion/"
    assert budgets[1:] == [REGEX_SECONDS]


def test_a_query_to_open_with_that_runs_out_of_time_in_its_thread_lists_without_it(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of its whole budget too: said under the bar, the papers listed (a digest too big
    to filter at once listed nothing before)."""
    monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", 0)
    browse = Browse(DIGEST, store, week=NEWEST, text="/diffusion/")
    browse.open()
    (search,) = browse.take_jobs()
    assert isinstance(search, Search) and browse.rows == []  # a big digest: the hits first
    browse.answer(search, "a regex took over 1 s and was stopped")
    assert browse.error == "⚠ a regex took over 1 s and was stopped"
    assert titles(browse) == ["Zebra diffusion", "Apple agents", "Mango robots"]


def test_picking_a_category_and_a_tag_set_the_bar(store: StateStore) -> None:
    browse = opened(store)
    browse.toggle_category("Agents")
    assert browse.text == 'cat:"Agents"' and Changed.BAR in browse.take_changes()
    assert titles(browse) == ["Apple agents"]
    browse.toggle_category("Agents")
    assert browse.text == "" and len(browse.rows) == 3
    store.set_tags(KEYS[0], ["later"])
    browse.toggle_tag("later")
    assert browse.text == "tag:later" and titles(browse) == ["Zebra diffusion"]


def test_weeks_sorts_and_unread_jumps(store: StateStore) -> None:
    browse = opened(store)
    browse.step_week(1)
    assert browse.week == W2
    browse.step_week(1)
    browse.step_week(1)
    assert browse.week == W3 and said(browse) == ["No older week."]
    browse.show_week(None)
    browse.cycle_sort()
    assert titles(browse)[0] == "Apple agents" and said(browse) == ["Sorted by title"]
    browse.show_week(NEWEST)
    browse.cycle_sort()
    browse.cycle_sort()  # back to week order
    store.set_read(KEYS[:3], True)
    browse.take_changes()
    browse.jump_unread(1)  # none left in this week: the next unread is in the older week
    assert browse.week == W2 and browse.current == 3


def test_marks_change_the_rows_sidebar_and_pane(store: StateStore) -> None:
    browse = opened(store)
    browse.take_changes()
    browse.toggle_read()
    assert store.is_read(KEYS[0])
    assert browse.take_changes() == Changed.MARKS | Changed.SIDEBAR | Changed.DETAILS
    assert browse.pane().read is True
    week_row = next(e for e in browse.sidebar() if e.kind == "week" and e.week == NEWEST)
    assert week_row.count == "2/3"


@pytest.mark.parametrize(
    ("act", "check"),
    [
        ("toggle_read", lambda s: s.is_read(KEYS[0])),
        ("toggle_star", lambda s: s.is_starred(KEYS[0])),
        ("mark_view_read", lambda s: all(s.is_read(k) for k in KEYS[:3])),
        ("note", lambda s: s.note(KEYS[0]) == "a note"),
        ("tags", lambda s: s.tags(KEYS[0]) == ("later",)),
        ("selection tags", lambda s: s.tags(KEYS[1]) == ("later",)),
        ("save search", lambda s: "mine" in s.searches()),
    ],
)
def test_u_undoes_the_last_change_of_any_kind(store: StateStore, act: str, check: object) -> None:
    browse = opened(store)
    assert callable(check)
    if act == "note":
        browse.set_note(KEYS[0], "a note")
    elif act == "tags":
        browse.set_tags(KEYS[0], "later")
    elif act == "selection tags":
        browse.selected.update(dict.fromkeys(KEYS[:2]))
        browse.tag_selection(KEYS[:2], "later")
    elif act == "save search":
        browse.save_search("mine", "agents")
    else:
        getattr(browse, act)()
    assert check(store) and browse.can_undo
    said(browse)
    browse.undo()
    assert not check(store) and not browse.can_undo
    assert said(browse)[0].startswith("Undone:")
    assert store.note(KEYS[0]) == "" and store.tags(KEYS[0]) == () and store.searches() == {}


def test_undo_brings_back_a_deleted_search_and_says_when_there_is_nothing(
    store: StateStore,
) -> None:
    browse = opened(store)
    browse.undo()
    assert said(browse) == ["Nothing to undo."]
    store.save_search("mine", "agents")
    browse.delete_search("mine")
    assert store.searches() == {}
    browse.undo()
    assert store.searches() == {"mine": "agents"}
    assert said(browse)[-1] == "Undone: the saved search mine is back."
    assert any(e.kind == "search" and e.label == "mine" for e in browse.sidebar())


def test_undo_puts_back_changes_newest_first_and_forgets_the_oldest(store: StateStore) -> None:
    browse = opened(store)
    browse.toggle_read()  # read
    browse.toggle_star()
    browse.undo()  # the star first
    assert not store.is_starred(KEYS[0]) and store.is_read(KEYS[0])
    browse.undo()
    assert not store.is_read(KEYS[0])
    for _ in range(UNDO_LIMIT + 5):
        browse.toggle_read()
    undone = 0
    while browse.can_undo:
        browse.undo()
        undone += 1
    assert undone == UNDO_LIMIT


def test_thousands_of_marks_are_saved_in_a_thread(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs_module, "BULK_IN_THREAD", 1)
    browse = opened(store)
    browse.mark_view_read()
    (bulk,) = browse.take_jobs()
    assert isinstance(bulk, Bulk) and said(browse) == ["Saving 3 marks…"]
    assert not store.is_read(KEYS[0])  # not yet: the thread saves them
    bulk.save()
    browse.saved(bulk)
    assert all(store.is_read(k) for k in KEYS[:3])
    assert said(browse) == ["Marked 3 papers read (u undoes)."]
    browse.undo()
    (back,) = browse.take_jobs()
    assert isinstance(back, Bulk)
    back.save()
    browse.saved(back)
    assert not any(store.is_read(k) for k in KEYS[:3])
    assert said(browse)[-1] == "Undone: 3 papers unread again."


def test_unstarring_in_the_starred_view_keeps_the_cursor_in_place(store: StateStore) -> None:
    store.set_starred(KEYS[:3], True)
    browse = opened(store)
    browse.show_week(None, starred_only=True)
    browse.point(1)
    browse.toggle_star()
    assert titles(browse) == ["Zebra diffusion", "Mango robots"] and browse.cursor == 1


def test_the_selection_is_what_commands_act_on(store: StateStore) -> None:
    browse = opened(store)
    browse.toggle_selection()  # selects the first, moves on
    assert browse.cursor == 1 and Changed.CURSOR in browse.take_changes()
    browse.point(2)
    browse.toggle_selection()
    assert [p.title for p in browse.targets()] == ["Zebra diffusion", "Mango robots"]
    assert browse.title().endswith("· 2 selected")
    clip = browse.clip("link")
    assert clip is not None and clip.text == f"{DIGEST.papers[0].link}\n{DIGEST.papers[2].link}"
    browse.toggle_star()
    assert store.is_starred(KEYS[0]) and store.is_starred(KEYS[2])
    assert said(browse)[-1] == "2 papers starred ★."
    browse.clear_selection()
    assert browse.targets() == [DIGEST.papers[2]]


def test_a_replaced_digest_keeps_the_week_query_and_paper(store: StateStore) -> None:
    browse = opened(store)
    browse.ask("robots OR agents")
    browse.point(1)
    bigger = Digest([*DIGEST.papers, _paper(NEWEST, 7, "Fig robots")], name="test")
    browse.replace_digest(bigger)
    assert browse.digest is bigger and browse.week == NEWEST
    assert browse.current_paper is not None and browse.current_paper.title == "Mango robots"
    assert titles(browse) == ["Apple agents", "Mango robots", "Fig robots"]
    assert browse.take_jobs() == []  # a small digest builds no index in the background
    assert browse.warm() is None
    big = Digest([_paper(NEWEST, n, f"P{n}") for n in range(600)])
    assert isinstance(Browse(big, store).warm(), Warm)


def test_rows_ahead_are_those_the_week_steps_list(store: StateStore) -> None:
    """What the screen renders ahead is what `[` and `]` list next: the older and the newer
    week with matches (a filter skips weeks without any); nothing from All weeks."""
    browse = opened(store)
    browse.step_week(1)  # W2: one older (W3), one newer (NEWEST)
    ahead = browse.rows_ahead()
    older, newer = Browse(DIGEST, store, week=W3), Browse(DIGEST, store, week=NEWEST)
    older.open()
    newer.open()
    assert ahead == [older.rows, newer.rows]
    browse.ask("robots")  # W2 holds none: from NEWEST the older week with matches is W3
    browse.step_week(-1)
    assert [titles_of(rows) for rows in browse.rows_ahead()] == [["Date robots"]]
    browse.show_week(None)
    assert browse.rows_ahead() == []


def test_the_sidebar_ahead_is_the_sidebar_after_the_week_step(store: StateStore) -> None:
    """The sidebar rows and the header's subtitle rendered ahead for each week `[` and `]` go
    to are those of the view once there (the week marked, its categories counted), with or
    without a query; no sidebar ahead while a category is picked (its counts are the view's
    without it)."""
    for query in ("", "robots"):
        browse = opened(store)
        if query:
            browse.ask(query)
        browse.step_week(1)
        for week, rows in browse.weeks_ahead():
            ahead = browse.sidebar_ahead(week, rows)
            there = opened(store)
            if query:
                there.ask(query)
            there.show_week(week)
            assert there.rows == rows
            assert ahead is not None and list(ahead) == list(there.sidebar()), (query, week)
            for compact in (False, True):
                assert browse.title_ahead(week, rows, compact) == there.title(compact)
    browse = opened(store)
    browse.step_week(1)
    category = next(entry for entry in browse.sidebar() if entry.kind == "category")
    browse.toggle_category(category.category)
    week, rows = browse.weeks_ahead()[0]
    assert browse.sidebar_ahead(week, rows) is None


def test_papers_ahead_are_the_cursor_s_neighbours_and_each_week_s_first(
    store: StateStore,
) -> None:
    """The abstracts the screen renders ahead: the papers above and below the cursor (none past
    either end), and the first paper of each week `[` and `]` would show."""
    browse = opened(store)
    browse.step_week(1)
    rows = browse.rows
    weeks = browse.rows_ahead()
    assert browse.papers_ahead(weeks) == [rows[1], *(week[0] for week in weeks)]
    assert len(rows) >= 2
    browse.point(len(rows) - 1)  # the last row: nothing below it
    assert browse.papers_ahead([]) == [rows[-2]]


def titles_of(rows: list[int]) -> list[str]:
    return [DIGEST.papers[i].title for i in rows]


def test_the_pane_of_another_paper_is_what_it_shows_when_highlighted(store: StateStore) -> None:
    browse = opened(store)
    ahead = browse.pane(browse.rows[1])
    browse.point(1)
    assert browse.pane() == ahead
    assert ahead.paper is DIGEST.papers[browse.rows[1]]
