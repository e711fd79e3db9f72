"""One build of a digest's search text and token index, which every asker waits for; and a
filtering in a thread that stops once called off (issue 26: typing into the filter while the TUI
built the search text in the background started another build per keystroke)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import model, tokens
from reader.browse import Search
from reader.model import Digest, Paper, SearchChunk, SearchText
from reader.query import Cancelled, engine, filters_done, parse_query
from tests.unit.conftest import HeldBuild

WEEK = date(2024, 1, 7)


def digest_of(abstracts: list[str]) -> Digest:
    return Digest(
        Paper(WEEK, f"title {n}", f"https://example.org/{n}", "cat", abstract)
        for n, abstract in enumerate(abstracts)
    )


def in_threads(count: int, work: object) -> list[object]:
    results: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        found = work()  # type: ignore[operator]
        with lock:
            results.append(found)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def test_askers_at_once_share_one_build_of_the_search_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    digest = digest_of(["quantized models", "plain"] * 50)
    builds: list[int] = []
    texts = Digest._search_chunks

    def slow(self: Digest) -> Iterator[SearchChunk]:
        builds.append(1)
        time.sleep(0.05)  # long enough for every thread to ask meanwhile
        return texts(self)

    monkeypatch.setattr(Digest, "_search_chunks", slow)
    assert not digest.has_haystacks
    found = in_threads(8, lambda: digest.haystacks)
    assert len(builds) == 1
    assert all(search is found[0] for search in found)
    assert digest.has_haystacks


def test_askers_at_once_share_one_build_of_the_token_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    digest = digest_of(["quantized models", "plain"] * 50)
    builds: list[int] = []
    build = tokens.build

    def slow(search: SearchText, cancelled: object = None) -> tokens.TokenIndex | None:
        builds.append(1)
        time.sleep(0.05)
        return build(search)

    monkeypatch.setattr(tokens, "build", slow)
    found = in_threads(6, lambda: tokens.ensure(digest))
    assert len(builds) == 1
    assert all(index is found[0] for index in found)


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps of three papers, blocks of 64 bytes and a probe of two: small digests take every
    way a big one does."""
    monkeypatch.setattr(engine, "_STEP", 3)
    monkeypatch.setattr(engine, "_PROBE", 2)
    monkeypatch.setattr(model, "BLOCK_BYTES", 64)


def test_a_filtering_called_off_stops_at_its_next_step(small_steps: None) -> None:
    digest = digest_of(["rare" if n % 7 == 0 else "common" for n in range(60)])
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= 3

    engine._CACHE.clear()
    with pytest.raises(Cancelled):
        parse_query("rare").filter(digest, range(60), cancelled=cancelled)
    assert len(asked) == 3  # stopped there, not after the 20 steps of the whole scan
    # called off by a caller that is not asked again: the next filtering is whole
    assert parse_query("rare").filter(digest, range(60)) == list(range(0, 60, 7))


def test_a_search_called_off_gives_no_hits(small_steps: None) -> None:
    digest = digest_of(["common words"] * 40)
    query = parse_query("common")
    search = Search(query, list(range(40)), None, 1, digest, None)  # type: ignore[arg-type]
    assert search.run_unless(lambda: True) is None
    assert search.run_unless(lambda: False) == list(range(40))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    abstracts=st.lists(
        st.sampled_from(["rare", "common", "rare common", "", "quantized"]), max_size=30
    ),
    word=st.sampled_from(["rare", "common", "quant", "o", "-rare", "abstract:common"]),
    reverse=st.booleans(),
)
def test_a_scan_in_steps_finds_what_one_scan_finds(
    small_steps: None, abstracts: list[str], word: str, reverse: bool
) -> None:
    digest = digest_of(abstracts)
    everything = list(range(len(digest)))
    query = parse_query(word)
    engine._CACHE.clear()
    want = [i for i in everything if query.matches(digest, i)]
    engine._CACHE.clear()
    assert query.filter(digest, range(len(digest)), cancelled=lambda: False) == want
    engine._CACHE.clear()
    kept = everything[::-1] if reverse else everything
    assert query.filter(digest, kept, cancelled=lambda: False) == [i for i in kept if i in want]


def test_background_work_waits_for_a_query_filtered_in_a_thread(held_build: HeldBuild) -> None:
    """A filtering in a thread (one that may be called off) counts as running from its start,
    waiting for the search text included, until it returns: `filters_done` waits for it (the
    TUI's cache entry and token index then start once the typed query is answered)."""
    digest = digest_of(["quantized models", "plain"] * 50)
    found: list[list[int]] = []
    query = parse_query("quantized")
    thread = threading.Thread(
        target=lambda: found.append(query.filter(digest, range(100), None, cancelled=lambda: False))
    )
    assert filters_done(0)
    thread.start()
    assert held_build.building.wait(10)
    assert not filters_done(0.05)  # it waits for the search text: it runs
    held_build.release.set()
    assert filters_done(10)
    thread.join(10)
    assert found == [list(range(0, 100, 2))]
    assert query.filter(digest, range(4), None) == [0, 2]  # not in a thread: not counted
    assert filters_done(0)
