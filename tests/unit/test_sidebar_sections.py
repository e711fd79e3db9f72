"""The sidebar's Tags section and its category counts while a category is picked, through the
browse model as the screen drives it (found by `make mutate`: no test read them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import reader.browse.jobs as jobs_module
from reader.browse import Browse, Search
from reader.browse.sidebar import Entry
from reader.state import StateStore
from tests.unit.test_browse import DIGEST, KEYS, NEWEST, titles


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    opened = StateStore(tmp_path / "state")
    yield opened
    opened.close()


def opened(store: StateStore) -> Browse:
    browse = Browse(DIGEST, store, week=NEWEST)
    browse.open()
    return browse


def tags_section(browse: Browse) -> list[Entry]:
    entries = browse.sidebar()
    at = entries.index(Entry("heading", "Tags"))
    return entries[at - 1 : at + 1] + [e for e in entries[at:] if e.kind == "tag"]


def test_the_tags_section_lists_each_tag_with_its_papers_and_marks_those_picked(
    store: StateStore,
) -> None:
    store.set_tags(KEYS[0], ["later", "to-read"])
    store.set_tags(KEYS[4], ["later"])
    browse = opened(store)
    assert tags_section(browse) == [
        Entry("heading", ""),  # a blank line above the heading
        Entry("heading", "Tags"),
        Entry("tag", "#later", "2", category="later"),
        Entry("tag", "#to-read", "1", category="to-read"),
    ]
    browse.toggle_tag("later")
    assert [(e.label, e.active) for e in tags_section(browse)[2:]] == [
        ("#later", True),
        ("#to-read", False),
    ]
    browse.set_query("TAG:To-Read")  # picked in any letter case
    assert [(e.label, e.active) for e in tags_section(browse)[2:]] == [
        ("#later", False),
        ("#to-read", True),
    ]


def test_no_tags_no_section(store: StateStore) -> None:
    assert all(e.label != "Tags" for e in opened(store).sidebar())


def test_a_picked_category_keeps_the_others_counted_up_to_the_refilter_limit(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to the limit (the digest's size here, 6 papers) the counts are those of the view
    without the category picked, so every category stays on offer; above it, the rows'."""

    def categories(limit: int) -> list[tuple[str, str]]:
        monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", limit)
        browse = opened(store)
        browse.toggle_category("Agents")
        for job in browse.take_jobs():  # above the limit, the filter runs in a thread
            assert isinstance(job, Search)
            browse.answer(job, job.run())
        assert titles(browse) == ["Apple agents"]
        return [(e.label, e.count) for e in browse.sidebar() if e.kind == "category"]

    everything = categories(len(DIGEST))
    assert sorted(everything) == [("Agents", "1"), ("Robotics", "1"), ("Vision", "1")]
    assert categories(len(DIGEST) - 1) == [("Agents", "1")]
