"""The baseline of the startup benchmark: a bare Textual app (App, Header, Footer, one Static).

`run.py` starts it in tmux exactly as it starts `reader` and waits for TEXT and the footer's "Quit";
then it presses x a few times (each press shows "Pressed N") for the floor of a key's round trip.
`bare_app.py LINES` makes the Static LINES lines of text that every x press changes: the floor of a
key that changes that many lines (`frame_trace.py --floor-lines`).
"""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static

TEXT = "A bare Textual app: the baseline of reader's startup benchmark."


class BareApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("x", "press", "Press"),
    ]

    def __init__(self, lines: int = 1) -> None:
        super().__init__()
        self.presses = 0
        self.lines = lines

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(TEXT)
        yield Footer()

    def action_press(self) -> None:
        self.presses += 1
        if self.lines == 1:
            self.query_one(Static).update(f"{TEXT} Pressed {self.presses}")
            return
        line = f"{TEXT} Pressed {self.presses} ".ljust(110, "·")
        self.query_one(Static).update("\n".join(f"{n:>3} {line}" for n in range(self.lines)))


if __name__ == "__main__":
    BareApp(int(sys.argv[1]) if len(sys.argv) > 1 else 1).run()
