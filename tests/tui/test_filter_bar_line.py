"""The filter bar's line made the short way (`FilterInput._plain_line`) is Input's, segment for
segment, and Input's own rendering is left what is not plain."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from textual.widgets.input import Selection

from reader.app import make_app
from reader.sources.loader import load_digest
from reader.widgets.filter_input import FilterInput

VALUES = ["a", "ab c", "quantized", "x" * 86, "x" * 87, "x" * 120, "tab\there", "é", "esc\x1b[31m"]


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_bars_line_is_inputs_line(theme: str) -> None:
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await pilot.press("slash")
        await pilot.pause()
        bar = app.screen.query_one(FilterInput)
        plain = 0
        for value in VALUES:
            for focused in (True, False):
                for blink in (True, False):
                    for cursor in sorted({0, 1, len(value) // 2, len(value)}):
                        if focused:
                            bar.focus()
                        else:
                            app.screen.set_focus(None)
                        await pilot.pause()
                        bar.value = value
                        bar.cursor_position = cursor
                        bar._cursor_visible = blink
                        bar.scroll_to(x=0, animate=False, immediate=True)
                        made = bar._plain_line(0)
                        want = Input.render_line(bar, 0)
                        line = bar.render_line(0)
                        assert list(line) == list(want), (value, focused, blink, cursor)
                        assert line.cell_length == want.cell_length
                        if made is not None:
                            plain += 1
                            assert list(made) == list(want)
        assert plain > 50  # most of them made the short way
        bar.focus()
        await pilot.pause()
        bar.value = "ab"
        bar.selection = Selection(0, 2)  # a selection: Input's own rendering
        assert bar._plain_line(0) is None
        assert list(bar.render_line(0)) == list(Input.render_line(bar, 0))
        bar.value = ""
        assert bar._plain_line(0) is None  # the placeholder: Input's
