"""The garbage collector in the TUI: after the first paint, the youngest generation is collected
automatically; what survives it is collected once the keys pause and then frozen, so that no
collection walks it again; after a long pause everything is collected once (a cycle frozen
while alive is freed then)."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

import reader.app
from reader import collector
from reader.app import make_app
from reader.browse.jobs import Search
from reader.collector import NEVER, Collector
from reader.query import parse_query
from reader.screens.main import MainScreen
from reader.similar import Ranking
from reader.sources.loader import load_digest
from tests.tui.conftest import wait_for


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations of the collections that start, while the test runs; the collector
    as the command line leaves it while starting (off), and as it was afterwards."""
    thresholds = gc.get_threshold()
    found: list[int] = []

    def heard(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            found.append(info["generation"])

    gc.disable()
    gc.callbacks.append(heard)
    try:
        yield found
    finally:
        gc.callbacks.remove(heard)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.enable()


class _Node:
    """An object in a reference cycle (only the collector frees it)."""

    def __init__(self) -> None:
        self.me = self


class _Unread:
    """A reading state where nothing is read or starred."""

    def is_read(self, key: str) -> bool:
        return False

    def is_starred(self, key: str) -> bool:
        return False


def _tracked_unfrozen(item: object) -> bool:
    return any(other is item for other in gc.get_objects())


async def test_what_survives_a_collection_between_keys_is_frozen(collections: list[int]) -> None:
    """A full collection used to wait for a second without keys and then walked everything
    made since the first paint (Textual's render caches: 20-35 ms at 100k papers): now what
    the keys made is collected as soon as they pause and what survives is frozen, so the next
    collection walks only what came after."""
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(gc.isenabled, pilot)
        assert isinstance(app.screen, MainScreen)
        assert gc.get_threshold()[1:] == (NEVER, NEVER)  # the youngest generation only
        kept = [_Node()]  # alive all along, made after the first paint
        for _ in range(collector.PENDING):
            gc.collect(0)
        assert _tracked_unfrozen(kept)
        ran = app.collector.full_collections
        collections.clear()
        await pilot.press("j")
        await wait_for(lambda: app.collector.full_collections > ran, pilot, seconds=5)
        assert 2 in collections
        assert gc.is_tracked(kept) and not _tracked_unfrozen(kept)  # frozen: walked no more
        assert app.screen.paper_list.cursor > 0


async def test_a_cycle_frozen_alive_is_collected_after_a_long_pause(
    collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle alive when a collection froze it (a toast, the help screen) is not freed by
    the collections that walk only what is new: once enough of them have run and no key has
    come for a while, everything is collected once, frozen objects too."""
    monkeypatch.setattr(collector, "RECLAIM_AFTER", 1)
    monkeypatch.setattr(collector, "RECLAIM_SECONDS", 1.0)
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(gc.isenabled, pilot)
        node = _Node()
        gone = weakref.ref(node)
        for _ in range(collector.PENDING):
            gc.collect(0)
        ran = app.collector.full_collections
        await pilot.press("j")
        await wait_for(lambda: app.collector.full_collections > ran, pilot, seconds=5)
        assert not _tracked_unfrozen(node)  # frozen while alive
        del node
        await pilot.pause(0.3)
        assert gone() is not None  # a cycle: the collections of what is new do not see it
        assert app.collector.whole_collections == 0
        await wait_for(lambda: gone() is None, pilot, seconds=10)
        assert app.collector.whole_collections == 1


def test_no_collection_while_keys_come_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Between keys that come within `QUIET_SECONDS` of each other nothing is collected: a
    collection waits for the keys to pause."""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    done: list[str] = []

    def collect(*args: int) -> int:
        done.append("collect")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: done.append("freeze"))
    monkeypatch.setattr(gc, "get_count", lambda: (5, collector.PENDING, 0))
    policy = Collector()
    policy.active = True
    policy.heard_input()
    now[0] += collector.QUIET_SECONDS / 2
    assert not policy.collect_if_idle() and done == []
    now[0] += collector.QUIET_SECONDS
    assert policy.collect_if_idle() and done == ["collect", "freeze"]


def test_a_big_result_is_made_after_a_young_collection_and_frozen(
    collections: list[int],
) -> None:
    """From `FREEZE_FROM` papers, the young generation is collected before a result is made
    (so that no young collection falls while its lists are made) and what is alive is frozen
    once it is made: no collection walks a list of 100,000 ints. Not while the collector is
    not in charge, nor for a smaller result, nor from a thread."""
    assert not collector.made(collector.FREEZE_FROM)  # no collector settled: left alone
    policy = Collector()
    assert policy.settle()
    size = collector.FREEZE_FROM
    collections.clear()
    assert not collector.making(size - 1) and collections == []
    done: list[bool] = []
    worker = threading.Thread(target=lambda: done.append(collector.making(size)))
    worker.start()
    worker.join()
    assert done == [False] and collections == []
    assert collector.making(size) and collections == [0]
    small, result = list(range(size - 1)), list(range(size))
    assert not collector.made(len(small)) and _tracked_unfrozen(small)
    assert _tracked_unfrozen(result)
    assert collector.made(len(result))
    assert gc.is_tracked(result) and not _tracked_unfrozen(result)  # frozen: walked no more
    assert policy.frozen_made == 1
    gc.set_threshold(700, 10, 10)  # someone else's ways now: left alone
    later = list(range(size))
    assert not collector.made(len(later)) and _tracked_unfrozen(later)
    assert not collector.making(size)


async def test_the_rows_of_a_big_view_are_frozen_before_they_are_drawn(
    collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hits and rows the browse model lists are frozen as the key makes them, before its
    frame renders (no collection between keys runs meanwhile here), the young generation
    collected before the query's work began."""
    monkeypatch.setattr(collector, "FREEZE_FROM", 50)  # the bundled digest's 123 papers
    monkeypatch.setattr(collector, "QUIET_SECONDS", 600.0)
    making, asked = collector.making, []

    def asking(papers: int) -> bool:
        asked.append(papers)
        return making(papers)

    monkeypatch.setattr(collector, "making", asking)
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(gc.isenabled, pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("~")
        await wait_for(lambda: screen.browse.ranking is not None, pilot, seconds=10)
        rows, hits = screen.browse.rows, screen.browse.hits
        assert len(rows) > 50 and gc.is_tracked(rows) and not _tracked_unfrozen(rows)
        assert gc.is_tracked(hits) and not _tracked_unfrozen(hits)
        assert app.collector.frozen_made >= 1 and app.collector.full_collections == 0
        assert asked == [len(screen.browse.digest)]  # like:KEY asks every paper


def test_a_big_querys_hits_and_scores_made_in_a_thread_are_frozen(
    collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query answered in a thread (the first `like:` of a digest builds the similarity index
    there for seconds after its hits are found) freezes its hits and its scores as it makes
    them: the collections meanwhile do not walk them."""
    monkeypatch.setattr(collector, "FREEZE_FROM", 50)  # the bundled digest's 123 papers
    digest = load_digest()
    search = Search(
        parse_query(f"like:{digest.papers[0].key}"), range(len(digest)), None, 1, digest, _Unread()
    )
    policy = Collector()
    assert policy.settle()
    found: list[object] = []

    def work() -> None:
        hits = search.run_unless(lambda: False)
        found.extend((hits, search.rank()))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    hits, ranking = found
    assert isinstance(hits, list) and len(hits) == len(digest) - 1
    assert isinstance(ranking, Ranking) and len(ranking.totals) == len(digest)
    assert gc.is_tracked(hits) and not _tracked_unfrozen(hits)
    assert not _tracked_unfrozen(ranking)
    assert policy.frozen_made == 2


async def test_a_pause_after_a_key_collects_what_it_made_without_waiting_for_the_check(
    collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each pause in the input gets its collection `QUIET_SECONDS` after the last key, not at
    the next check (every `CHECK_SECONDS`, which found the objects of several keys); keys
    that come quicker get none between them."""
    monkeypatch.setattr(reader.app, "CHECK_SECONDS", 600.0)  # the check never comes here
    monkeypatch.setattr(collector, "QUIET_SECONDS", 0.2)
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(gc.isenabled, pilot)
        ran = app.collector.full_collections
        await pilot.press("j", "j", "j")
        assert app.collector.full_collections == ran
        await wait_for(lambda: app.collector.full_collections == ran + 1, pilot, seconds=5)
        await pilot.pause(0.5)
        assert app.collector.full_collections == ran + 1  # one for the pause
