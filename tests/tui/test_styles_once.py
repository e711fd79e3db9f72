"""The main screen's start-up work in Textual (issue 26): no container widgets (the header, the
key line and the sidebar are split off the screen, the rest stacks in what is left: a container
costs its mount, its styles and a full render of its region before the first paint), and each
widget styled once before the first paint: as it is mounted, and again only for what changes its
styles (the list takes the focus). Textual would style every node again when the screen first
resumes (~20M instructions for nothing); a later resume that asks for it restyles as before."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from textual import events
from textual.containers import Horizontal, Vertical
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

from reader.app import make_app
from reader.sources.loader import load_digest


async def test_the_main_screen_has_no_containers() -> None:
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [type(node).__name__ for node in app.screen.query(Horizontal)] == []
        assert [type(node).__name__ for node in app.screen.query(Vertical)] == []
        names = [type(node).__name__ for node in app.screen.children]
        assert names[:3] == ["FittedHeader", "KeyLine", "Sidebar"]  # split off in this order


@pytest.fixture
def styled(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each kind of widget has been styled (component classes' nodes left out)."""
    counts: Counter[str] = Counter()
    original = Stylesheet.apply

    def apply(self: Stylesheet, node: DOMNode, **kwargs: Any) -> None:
        if type(node) is not DOMNode:
            counts[type(node).__name__] += 1
        original(self, node, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", apply)
    return counts


async def test_each_widget_is_styled_once_before_the_first_paint(styled: Counter[str]) -> None:
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        once = ("MainScreen", "Sidebar", "FilterInput", "AbstractPane", "KeyLine", "FittedHeader")
        assert {name: styled[name] for name in once} == dict.fromkeys(once, 1)
        assert styled["PaperList"] == 2  # and when it takes the focus
        app.screen.post_message(events.ScreenResume())  # as Textual's switch_screen does
        await pilot.pause()
        assert styled["Sidebar"] > 1  # a later resume restyles as before
