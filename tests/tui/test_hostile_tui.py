"""Hostile text in the TUI: control sequences are shown inert, markup is taken literally."""

from __future__ import annotations

from datetime import date

import pytest

from reader.app import make_app
from reader.model import Digest, Paper
from reader.screens.main import MainScreen
from reader.widgets.abstract import AbstractPane

WEEK = date(2023, 6, 25)
RAW = ("\x1b", "\x07", "\x00", "\u202e", "\x9b", "\x08")

HOSTILE = Paper(
    WEEK,
    "Evil \x1b]52;c;ZXZpbA==\x07 title \x1b[2J [bold]markup[/] [/nope] \u202eright",
    "https://arxiv.org/abs/2306.00001\x1b]8;;https://evil.example\x07",
    category="Cat\x1b[31m [red]x",
    abstract="Abstract \x1b[6n asks the cursor \x00 NUL \x08 backspace \x9b C1 [link=x]y[/link]",
    arxiv_id="2306.00001",
)
SCRIPT = Paper(WEEK, "Script link", "javascript:alert(1)")


async def test_digest_name_and_titles_never_reach_the_screen_raw() -> None:
    digest = Digest([HOSTILE, SCRIPT], name="evil\x1b[2J[bold]name")
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y", "Y", "o", "j", "o", "k", "question_mark", "escape")
        await pilot.press("slash", "left_square_bracket", "b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        pane = app.screen.query_one(AbstractPane).content.plain
        assert "␛[6n" in pane and "␀" in pane and "\\x9b" in pane
        assert "[bold]markup[/]" in pane
        assert app.clipboard.endswith(f"]({HOSTILE.link})")  # copied exactly; shown inert
        screenshot = app.export_screenshot()
    for raw in RAW:
        assert raw not in screenshot
    assert "␛" in screenshot


@pytest.mark.parametrize("size", [(20, 8), (40, 12), (80, 24), (250, 70)])
async def test_hostile_digest_at_every_size(size: tuple[int, int]) -> None:
    app = make_app(Digest([HOSTILE, SCRIPT], name="x"), read_delay=60)
    async with app.run_test(size=size) as pilot:
        await pilot.press("j", "enter", "escape", "y", "o", "question_mark", "escape")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("only http and https" in n for n in notes)
        for note in notes:
            assert not any(raw in note for raw in RAW)
