"""The app in its terminal: Ctrl+C, the command palette, inline query errors, ASCII output."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from reader.app import make_app
from reader.loader import load_digest
from reader.model import Digest
from reader.screens.main import MainScreen


@pytest.fixture(scope="module")
def digest() -> Digest:
    return load_digest()


async def test_a_reversed_week_range_says_so_under_the_filter(digest: Digest) -> None:
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("slash", *"week:2023-05-31..2023-05-1")  # May 31 to May 19
        await pilot.pause()
        assert isinstance(app.focused, Input)
        error = screen.query_one("#filter-error", Static)
        assert error.display
        assert "week: the range 2023-05-31..2023-05-1 runs backwards" in str(error.render())
        assert len(screen.indices) == 0  # what "…2023-05" (May 31 to May 31) gave stays
        await pilot.press("ctrl+u", *"week:2023-05-01..2023-05-31")
        await pilot.pause()
        assert not error.display
        assert len(screen.indices) == 37
