"""The browse model's part of issue 24 (item 13): week keys from All weeks. No Textual."""

from __future__ import annotations

from pathlib import Path

from reader.browse import Browse
from reader.state import StateStore
from tests.unit.test_browse import DIGEST, NEWEST, W2


def test_week_keys_from_all_weeks_open_the_highlighted_papers_week(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    try:
        browse = Browse(DIGEST, store, week=None)
        browse.open()
        row = next(i for i, n in enumerate(browse.rows) if DIGEST.papers[n].week == W2)
        browse.point(row)
        paper = browse.current_paper
        browse.step_week(1)  # [ : the paper's own week, the cursor still on it
        assert browse.week == W2 and browse.current_paper == paper
        browse.step_week(-1)  # then ] is the next newer one
        assert browse.week == NEWEST
        browse.show_week(None)
        browse.point(0)
        browse.step_week(-1)  # ] from All weeks: the newest paper's week
        assert browse.week == NEWEST
    finally:
        store.close()
