"""`like:` in the browse model, without Textual: ~ (`more_like`) and Esc (`go_back`), the order
by similarity, and a big digest's ranking handed to a thread (a `Search` job) and answered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import reader.browse.jobs as jobs_module
import reader.browse.sidebar as sidebar_module
from reader import similar
from reader.browse import Browse, Changed, Search
from reader.model import Digest, Paper
from reader.query import category_counts
from reader.state import StateStore

NEWEST = date(2024, 1, 14)
OLD = NEWEST - timedelta(weeks=1)


def paper(n: int, title: str, week: date = NEWEST) -> Paper:
    key = f"2401.{n:05d}"
    return Paper(week, title, f"https://arxiv.org/abs/{key}", "", f"About {title.lower()}.", key)


DIGEST = Digest(
    [
        paper(1, "Mamba state space models"),
        paper(2, "Tulip gardens"),
        paper(3, "Volcano eruptions"),
        paper(4, "Vision mamba with state space blocks", OLD),
        paper(5, "Sonnet rhymes", OLD),
    ]
)


def browse_of(digest: Digest) -> Browse:
    browse = Browse(digest, StateStore(), week=NEWEST)
    browse.open()
    return browse


def test_more_like_lists_every_week_by_similarity_and_go_back_returns() -> None:
    browse = browse_of(DIGEST)
    browse.point(2)
    browse.point(0)  # on Mamba
    browse.more_like()
    assert browse.text == "like:2401.00001" and browse.query_text == browse.text
    assert browse.week is None and browse.sort == "similarity" and browse.can_go_back
    paper = browse.current_paper
    assert paper is not None and paper.title == "Vision mamba with state space blocks"
    assert "2401.00001" not in [browse.digest.papers[i].key for i in browse.rows]
    assert "More like “Mamba state space models”" in browse.title()
    shown = browse.pane()
    assert shown.score is not None and shown.score > 0 and "mamba" in shown.similar
    spans = browse.spans
    assert spans is not None and spans("Vision mamba", "title") == [(7, 12)]
    browse.go_back()
    assert browse.query_text == "" and browse.week == NEWEST and browse.sort == "week"
    current = browse.current_paper
    assert current is not None and current.title == "Mamba state space models"
    assert not browse.can_go_back and browse.pane().score is None


def test_a_big_digest_ranks_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs_module, "SYNC_BUILD_LIMIT", 2)
    digest = Digest(DIGEST.papers)
    browse = browse_of(digest)
    browse.take_jobs()
    browse.more_like()
    (job,) = browse.take_jobs()
    assert isinstance(job, Search) and job.query.likes
    assert any("builds an index" in toast.text for toast in browse.take_toasts())
    assert browse.week is None and browse.query_text == ""  # not answered yet
    hits, ranking = job.run(), job.rank()
    assert isinstance(hits, list) and ranking is not None
    browse.answer(job, hits, ranking)
    paper = browse.current_paper
    assert paper is not None and paper.title == "Vision mamba with state space blocks"
    assert similar.cached(digest) is not None
    browse.go_back()  # back to the newest week: the query "" is answered at once
    assert browse.query_text == "" and browse.week == NEWEST
    current = browse.current_paper
    assert current is not None and current.title == "Mamba state space models"


def test_with_the_index_built_the_list_waits_for_the_ranking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A digest ranked in a thread whose index is built: ~ changes the filter bar at once and the
    list only with the answer (no frame of every week unranked in between)."""
    monkeypatch.setattr(jobs_module, "SYNC_BUILD_LIMIT", 2)
    monkeypatch.setattr(jobs_module, "SYNC_RANK_LIMIT", 2)
    digest = Digest(DIGEST.papers)
    similar.ensure(digest)
    browse = browse_of(digest)
    browse.take_jobs()
    before, title = list(browse.rows), browse.title()
    browse.take_changes()
    browse.more_like()
    (job,) = browse.take_jobs()
    assert isinstance(job, Search) and browse.text == "like:2401.00001"
    assert browse.rows == before and browse.title() == title
    assert not any("builds an index" in toast.text for toast in browse.take_toasts())
    assert Changed.LIST not in browse.take_changes()
    browse.answer(job, job.run(), job.rank())
    assert "More like “Mamba state space models”" in browse.title()
    paper = browse.current_paper
    assert paper is not None and paper.title == "Vision mamba with state space blocks"


def test_every_papers_categories_are_counted_once_per_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """~ lists every paper: the sidebar's category counts are the digest's, in any order, counted
    once while ~ and Esc follow one another (100,000 papers cost a key ~25 ms each time), and
    again for another digest."""
    counted: list[int] = []
    count = category_counts

    def counting(digest: Digest, indices: Sequence[int]) -> dict[str, int]:
        counted.append(len(indices))
        return count(digest, indices)

    monkeypatch.setattr(sidebar_module, "category_counts", counting)
    papers = [replace(p, category=c) for p, c in zip(DIGEST.papers, "ABBAB", strict=True)]
    browse = browse_of(Digest(papers))

    def categories() -> dict[str, str]:
        return {e.category: e.count for e in browse.sidebar() if e.kind == "category"}

    for _ in range(2):
        browse.more_like()
        assert categories() == {"B": "3", "A": "1"}  # Mamba, liked, left out
        browse.go_back()
        assert categories() == {"B": "2", "A": "1"}  # the newest week
    assert counted.count(len(papers)) == 1 and len(papers) - 1 not in counted
    browse.replace_digest(Digest([replace(p, category="C") for p in papers]))
    browse.more_like()
    assert categories() == {"C": "4"}
    assert counted.count(len(papers)) == 2


@given(
    st.lists(st.sampled_from(["", "cs.LG", "cs.CL", "Cs.cl", "stat.ML"]), min_size=1),
    st.data(),
)
def test_counts_less_the_missing_papers_are_the_counts_of_the_rest(
    categories: list[str], data: st.DataObject
) -> None:
    papers = [replace(DIGEST.papers[0], category=c) for c in categories]
    digest = Digest(papers)
    total = len(papers)
    hits = sorted(data.draw(st.sets(st.integers(0, total - 1))))
    gone = sidebar_module.missing(hits, total, total)
    assert gone == [i for i in range(total) if i not in hits]
    assert sidebar_module.missing(hits, total, total - len(hits) - 1) is None or not gone
    every = category_counts(digest, range(total))
    rest = sidebar_module.without(every, (papers[i].category for i in gone))
    assert list(rest.items()) == list(category_counts(digest, hits).items())
