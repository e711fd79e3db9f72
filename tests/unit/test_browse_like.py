"""`like:` in the browse model, without Textual: ~ (`more_like`) and Esc (`go_back`), the order
by similarity, and a big digest's ranking handed to a thread (a `Search` job) and answered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import reader.browse.model as model_module
from reader import similar
from reader.browse import Browse, Search
from reader.model import Digest, Paper
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
    monkeypatch.setattr(model_module, "SYNC_BUILD_LIMIT", 2)
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
