"""The key line at the bottom: whole `key label` items only, at every width from 20 to 250."""

from __future__ import annotations

import re
from datetime import date

from textual._compositor import LayoutUpdate
from textual.pilot import Pilot
from textual.widgets import Input

from reader.app import ReaderApp, make_app
from reader.model import Digest, Paper
from reader.sources.loader import load_digest
from reader.widgets.key_line import fit_items

PALETTE = "^p palette"
SHORT_PALETTE = "^p"
"""The palette's key alone, where its label would push a key off the line (issue 24)."""


def bottom_row(app: ReaderApp) -> str:
    """The screen's last row as the terminal would show it (every widget composited)."""
    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, LayoutUpdate)
    last = list(update.strips)[-1]
    return "".join(segment.text for segment in last)


async def settled_row(pilot: Pilot[None], app: ReaderApp, width: int) -> str:
    """The bottom row once the screen is laid out at `width` (a loaded machine can be late)."""
    row = bottom_row(app)
    for _ in range(100):
        if len(row) == width:
            break
        await pilot.pause(0.05)
        row = bottom_row(app)
    return row


def shown_items(app: ReaderApp) -> list[str]:
    """`key label` of each binding the screen shows, in order, one per action."""
    items: list[str] = []
    actions: set[str] = set()
    for key, (_node, binding, _enabled, _tip) in app.screen.active_bindings.items():
        if key == "ctrl+p" or not binding.show or binding.action in actions:
            continue
        actions.add(binding.action)
        items.append(f"{app.get_key_display(binding)} {binding.description}")
    return items


def assert_clean(row: str, items: list[str], width: int) -> None:
    assert len(row) == width, (width, row)
    chunks = [chunk for chunk in re.split(r" {2,}", row.strip()) if chunk]
    short = bool(chunks) and chunks[-1] == SHORT_PALETTE  # the label gave way to more keys
    palette = bool(chunks) and chunks[-1] in (PALETTE, SHORT_PALETTE)
    keys = chunks[:-1] if palette else chunks
    assert keys == items[: len(keys)], (width, row)  # whole labels, in order, nothing else
    if width >= len(items[0]) + 2 + len(PALETTE):
        assert palette, (width, row)
    if short:
        assert len(fit_items(items, PALETTE, width)[0]) < len(keys), (width, row)
    # As many items as fit: the next one would not.
    right = SHORT_PALETTE if short else PALETTE
    used = len("  ".join(keys)) + (len(right) + 2 if palette else 0)
    if len(keys) < len(items):
        assert used + 2 + len(items[len(keys)]) > width, (width, row)


async def test_every_width_from_20_to_250_shows_whole_labels_only() -> None:
    one = Paper(date(2023, 6, 25), "A paper", "https://arxiv.org/abs/2306.00001")
    app = make_app(Digest((one,), name="one"))  # the line does not depend on the papers
    async with app.run_test(size=(20, 8)) as pilot:
        items = shown_items(app)
        assert items[:3] == ["q Quit", "? Help", "/ Filter"]
        for width in range(20, 251):
            await pilot.resize_terminal(width, 8)
            assert_clean(await settled_row(pilot, app, width), items, width)


async def test_the_line_follows_the_focus() -> None:
    app = make_app(load_digest())
    async with app.run_test(size=(120, 24)) as pilot:
        before = await settled_row(pilot, app, 120)
        assert "y Copy" in before
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        items = shown_items(app)
        assert_clean(await settled_row(pilot, app, 120), items, 120)


async def test_a_click_on_an_item_presses_its_key() -> None:
    app = make_app(load_digest())
    async with app.run_test(size=(120, 24)) as pilot:
        row = await settled_row(pilot, app, 120)
        x = row.index("? Help")
        await pilot.click(offset=(x + 2, 23))
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


def test_fit_items_keeps_order_and_quit_before_the_palette() -> None:
    items = ["q Quit", "? Help", "/ Filter"]
    assert fit_items(items, PALETTE, 8) == (["q Quit"], False)
    assert fit_items(items, PALETTE, 17) == (["q Quit", "? Help"], False)
    assert fit_items(items, PALETTE, 18) == (["q Quit"], True)
    assert fit_items(items, PALETTE, 26) == (["q Quit", "? Help"], True)
    assert fit_items(items, PALETTE, 5) == ([], False)
    assert fit_items([], PALETTE, 10) == ([], True)
