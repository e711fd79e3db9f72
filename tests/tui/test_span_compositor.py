"""The main screen's compositor writes what Textual's writes, byte for byte, while rendering and
cutting only the pieces of lines an update writes (`reader.widgets.compositor`)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.strip import Strip
from textual.widget import Widget

from reader.app import ReaderApp, make_app
from reader.model import Digest
from reader.screens.main import MainScreen
from reader.widgets.abstract import AbstractPane
from reader.widgets.compositor import SpanCompositor
from reader.widgets.line_list import LineList
from reader.widgets.plain_lines import PlainStylesCache
from tests.tui.conftest import screen_of
from tests.tui.test_frames import _digest
from tests.tui.test_typeahead import burst

STEPS = ["down", "up", "[", "]", "pagedown", "tab", "slash", "escape", "a", "backspace", "s", "m"]


def _written(update: ChopsUpdate | None) -> str | None:
    return None if update is None else update.render_segments(Console(width=200))


@pytest.mark.parametrize("size", [(120, 40), (100, 30), (70, 24), (50, 15)])
async def test_every_update_is_the_one_textual_writes(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """A seeded walk of key bursts (cursor moves, week switches, filter edits, focus, marks):
    each partial update writes what Textual's compositor writes for the same changed regions,
    and a cursor move renders neither the sidebar nor the header."""
    compared: list[int] = []
    rendered: list[str] = []
    partial = SpanCompositor.render_partial_update
    render_lines = Widget.render_lines

    def checked(self: SpanCompositor) -> ChopsUpdate | None:
        regions = set(self._dirty_regions)
        rendered.clear()
        ours = partial(self)
        widgets = list(rendered)
        self._dirty_regions.update(regions)
        theirs = Compositor.render_partial_update(self)
        assert _written(ours) == _written(theirs)
        compared.append(1)
        rendered[:] = widgets
        return ours

    def recorded(self: Widget, crop: Any) -> Any:
        rendered.append(type(self).__name__)
        return render_lines(self, crop)

    monkeypatch.setattr(SpanCompositor, "render_partial_update", checked)
    monkeypatch.setattr(Widget, "render_lines", recorded)
    rng = random.Random(size[0])
    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert isinstance(screen._compositor, SpanCompositor)
        for _ in range(40):
            keys = [rng.choice(STEPS) for _ in range(rng.randint(1, 3))]
            if "slash" in keys:
                keys += list(rng.choice(["zebra", "seg", "fits", "paper 3"])) + ["enter"]
            await burst(app, pilot, keys)
            if app.screen is not screen:
                await pilot.press("escape")
                await pilot.pause()
        await pilot.press("escape", "escape")
        await pilot.pause()
        app.set_focus(screen.paper_list)
        await pilot.pause()
        if size[0] >= 100:  # the sidebar shown beside the list
            await pilot.press("home")
            await pilot.pause()
            rendered.clear()
            await pilot.press("down")
            await pilot.pause()
            assert rendered, "nothing rendered for a cursor move"
            assert not {"Sidebar", "FittedHeader", "KeyLine", "FilterInput"} & set(rendered), (
                rendered
            )
    assert len(compared) > 40


async def test_the_bundled_digest_s_keys_write_what_textual_writes(
    monkeypatch: pytest.MonkeyPatch, digest: Digest
) -> None:
    """The same on the bundled digest, through the keys of the benchmark."""
    partial = SpanCompositor.render_partial_update
    compared: list[int] = []

    def checked(self: SpanCompositor) -> ChopsUpdate | None:
        regions = set(self._dirty_regions)
        ours = partial(self)
        self._dirty_regions.update(regions)
        assert _written(ours) == _written(Compositor.render_partial_update(self))
        compared.append(1)
        return ours

    monkeypatch.setattr(SpanCompositor, "render_partial_update", checked)
    app = make_app(digest, read_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ["down", "down", "[", "[", "]", "slash", *"agent", "enter", "down", "s"]:
            await pilot.press(key)
            await pilot.pause(0.1)
    assert len(compared) > 10


Cell = tuple[str, Any]


def _place(grid: list[list[Cell]], strip: Strip, x: int, y: int) -> None:
    for text, style, control in strip:
        if control:
            continue
        for char in text:
            width = cell_len(char)
            if 0 <= y < len(grid) and x < len(grid[y]):
                grid[y][x] = (char, style)
                for extra in range(1, width):
                    if x + extra < len(grid[y]):
                        grid[y][x + extra] = ("", style)
            x += width


def _apply(grid: list[list[Cell]], update: object) -> None:
    """What a terminal shows after `update` is written (`render_segments`, cell by cell)."""
    if isinstance(update, LayoutUpdate):
        for y, line in enumerate(update.strips, update.region.y):
            x = update.region.x
            for strip in line:
                _place(grid, strip, x, y)
                x += strip.cell_length
    elif isinstance(update, ChopsUpdate):
        for y, x1, x2 in update.spans:
            chops = update.chops[y].items()
            for end, (x, chop) in zip(update.chop_ends[y], chops, strict=False):
                if chop is None or x > x2 or end <= x1:
                    continue
                if not (x2 > x >= x1 and end <= x2):
                    chop = chop.crop(0, min(end, x2) - x)
                _place(grid, chop, x, y)


def _afresh(screen: MainScreen) -> list[list[Cell]]:
    """The screen drawn afresh: every cache of lines dropped (Textual's and reader's)."""
    for widget in list(screen._compositor.visible_widgets):
        widget.refresh()
        if isinstance(widget, LineList):
            widget.forget_rows()
        if isinstance(widget, AbstractPane):
            widget._drawn.clear()
        cache = widget._styles_cache
        if isinstance(cache, PlainStylesCache):
            cache._finished.clear()
    width, height = screen._compositor.size
    grid: list[list[Cell]] = [[(" ", None)] * width for _ in range(height)]
    for y, strip in enumerate(screen._compositor.render_strips()):
        _place(grid, strip, 0, y)
    return grid


@pytest.mark.parametrize("size", [(120, 30), (90, 24)])
async def test_what_the_terminal_was_sent_is_the_screen_drawn_afresh(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """Every update written since the first frame, applied cell by cell as a terminal would,
    gives the screen that drawing it afresh gives: nothing that changed was left unwritten
    (the scrollbars' lines repainted in part, the lines cut in part). Sixty weeks: the
    sidebar scrolls, and its thumb moves by a line or two as weeks change their categories."""
    width, height = size
    grid: list[list[Cell]] = [[(" ", None)] * width for _ in range(height)]
    display = ReaderApp._display

    def written(self: ReaderApp, screen: Any, renderable: Any) -> None:
        _apply(grid, renderable)
        display(self, screen, renderable)

    monkeypatch.setattr(ReaderApp, "_display", written)
    rng = random.Random(height)
    app = make_app(_digest(weeks=60, per_week=3), read_delay=60)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        for step in range(50):
            if step % 3 == 0:
                keys = [rng.choice(["[", "]", "[", "pagedown"])]
            else:
                keys = [rng.choice(STEPS) for _ in range(rng.randint(1, 3))]
                if "slash" in keys:
                    keys += list(rng.choice(["zebra", "seg", "fits", "paper 3"])) + ["enter"]
            await burst(app, pilot, keys)
            if app.screen is not screen:
                await pilot.press("escape")
                await pilot.pause()
            if step % 10 == 9:
                await pilot.pause(0.05)  # every frame of the keys written
                assert grid == _afresh(screen), step
                await pilot.pause()  # (the frame drawing it afresh)
