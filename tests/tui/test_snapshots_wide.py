"""The layout at wide screens (issue 24, item 15): the sidebar has room for long category names,
the abstract keeps a readable measure; and the README's picture is the filtered-view snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reader.app import make_app
from reader.sources.loader import load_digest

REPO = Path(__file__).resolve().parents[2]


def test_wide_200_columns(snap_compare: Any) -> None:
    app = make_app(load_digest(), week="2023-06-25", read_delay=60)
    assert snap_compare(app, terminal_size=(200, 50))


def test_the_readme_picture_is_the_current_filtered_view() -> None:
    """docs/screenshot.svg is tests/tui/__snapshots__/test_snapshots/test_all_weeks_filtered.svg:
    after `make snapshot-update` changes that, copy it (the README shows it)."""
    snapshot = REPO / "tests/tui/__snapshots__/test_snapshots/test_all_weeks_filtered.svg"
    assert (REPO / "docs/screenshot.svg").read_bytes() == snapshot.read_bytes()
