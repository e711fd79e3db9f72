"""Snapshot tests of the main layouts. Look at every SVG before accepting one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reader.app import make_app
from reader.sources.loader import load_digest


def test_main_newest_week(snap_compare: Any) -> None:
    assert snap_compare(make_app(load_digest(), read_delay=60), terminal_size=(120, 40))


def test_all_weeks_filtered(snap_compare: Any) -> None:
    app = make_app(load_digest(), week="all", query="diffusion", read_delay=60)
    assert snap_compare(app, terminal_size=(120, 40), press=["j"])


def test_narrow_80_columns(snap_compare: Any) -> None:
    assert snap_compare(make_app(load_digest(), read_delay=60), terminal_size=(80, 24))


def test_tiny_abstract(snap_compare: Any) -> None:
    app = make_app(load_digest(), week="2023-05-14", read_delay=60)
    assert snap_compare(app, terminal_size=(50, 20), press=["j", "enter"])


def test_help_screen(snap_compare: Any) -> None:
    assert snap_compare(
        make_app(load_digest(), read_delay=60), terminal_size=(100, 40), press=["question_mark"]
    )


POTW = Path(__file__).resolve().parents[1] / "fixtures" / "potw"


def test_bullet_summary(snap_compare: Any) -> None:
    """A README summary written as `<br>●` bullets: one bullet a line, no `␊`."""
    app = make_app(load_digest(POTW / "bullets.md"), read_delay=60)
    assert snap_compare(app, terminal_size=(110, 24))


def test_math_abstract(snap_compare: Any) -> None:
    """An abstract joined from the CSV, its `$…$` math as Unicode and its price kept."""
    digest = load_digest([POTW / "joined.md", POTW / "ml-potw-abstracts.csv"])
    app = make_app(digest, week="2023-10-15", read_delay=60)
    assert snap_compare(app, terminal_size=(100, 34))


FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


def test_inbox_of_feeds(snap_compare: Any) -> None:
    """The digest, Hugging Face's week and a cs.LG day as one inbox: each row marked with the
    feeds that picked it (P H A), the pane saying where and with how many upvotes."""
    sources = [FEEDS / "potw.md", FEEDS / "hf-2026-W26.json", FEEDS / "cs.LG.xml"]
    app = make_app(load_digest(sources), read_delay=60)
    assert snap_compare(app, terminal_size=(120, 40))
