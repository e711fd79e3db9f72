"""The lists' and the abstract's lines styled the short way (`reader.widgets.plain_lines`) are
Textual's own, segment for segment: focused or not, in another theme, at 50 columns, and with
styles the short way does not cover (then Textual styles them)."""

from __future__ import annotations

from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from reader.app import make_app
from reader.model import Digest
from reader.widgets.abstract import AbstractPane
from reader.widgets.key_line import KeyLine
from reader.widgets.plain_lines import PlainStylesCache
from tests.tui.conftest import screen_of


def textual_lines(widget: Widget) -> list[Strip]:
    """The widget's lines as Textual's own StylesCache styles them."""
    kept = widget._styles_cache
    widget._styles_cache = StylesCache()
    try:
        return widget.render_lines(widget.region.reset_offset)
    finally:
        widget._styles_cache = kept


def plain_lines(widget: Widget) -> list[Strip]:
    assert isinstance(widget._styles_cache, PlainStylesCache)
    widget._styles_cache.clear()
    return widget.render_lines(widget.region.reset_offset)


def panes(app: Any) -> list[Widget]:
    screen = screen_of(app)
    return [screen.sidebar, screen.paper_list, screen.query_one(AbstractPane)]


def others(app: Any) -> list[Widget]:
    """The other widgets whose lines are styled the short way: the scrollbars shown, the
    filter bar, the key line."""
    screen = screen_of(app)
    bars = [
        pane.vertical_scrollbar for pane in panes(app) if pane.show_vertical_scrollbar
    ]
    return [*bars, screen.filter_bar, screen.query_one(KeyLine)]


def assert_same_lines(app: Any) -> None:
    for widget in panes(app) + others(app):
        if widget.display and widget.region:
            mine, textual = plain_lines(widget), textual_lines(widget)
            assert [s.text for s in mine] == [s.text for s in textual], widget
            assert mine == textual, widget


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (50, 15)])
async def test_the_short_way_gives_textual_s_lines(digest: Digest, size: tuple[int, int]) -> None:
    app = make_app(digest, read_delay=-1)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert_same_lines(app)
        for keys in (["down", "down"], ["left_square_bracket"], ["tab"], ["slash", *"diff"]):
            await pilot.press(*keys)
            await pilot.pause()
            assert_same_lines(app)
        app.theme = "textual-light"
        await pilot.pause()
        assert_same_lines(app)


async def test_lines_are_styled_the_short_way(
    digest: Digest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a border's own line (the list's bottom border; the filter bar's, if it has
    them) goes through Textual's styling."""
    app = make_app(digest, read_delay=-1)
    calls: list[int] = []
    original = StylesCache.render_line

    def counted(self: StylesCache, styles: Any, y: int, *args: Any) -> Strip:
        calls.append(y)
        return original(self, styles, y, *args)

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(StylesCache, "render_line", counted)
        for widget in panes(app) + others(app):
            calls.clear()
            plain_lines(widget)
            borders = [0] if widget.styles.border_top[0] else []
            borders += [widget.region.height - 1] if widget.styles.border_bottom[0] else []
            assert calls == borders, widget


async def test_styles_the_short_way_leaves_out_are_textual_s(digest: Digest) -> None:
    """A tint, an outline, padding above, a top border, opacity: Textual styles those lines."""
    app = make_app(digest, read_delay=-1)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sidebar, papers, pane = panes(app)
        sidebar.styles.tint = Color(255, 0, 0, 0.3)
        papers.styles.outline = ("solid", Color(0, 255, 0))
        pane.styles.padding = (1, 2)
        pane.styles.border_top = ("round", Color(0, 0, 255))
        await pilot.pause()
        assert_same_lines(app)
        pane.styles.opacity = 0.5
        pane.styles.padding = (0, 1)
        await pilot.pause()
        assert_same_lines(app)
