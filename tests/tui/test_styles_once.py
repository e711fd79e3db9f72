"""The main screen's start-up work in Textual (issue 26): no container widgets (the header, the
key line and the sidebar are split off the screen, the rest stacks in what is left: a container
costs its mount, its styles and a full render of its region before the first paint)."""

from __future__ import annotations

from textual.containers import Horizontal, Vertical

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
