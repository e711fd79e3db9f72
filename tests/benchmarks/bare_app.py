"""The baseline of the startup benchmark: a bare Textual app (App, Header, Footer, one Static).

`run.py` starts it in tmux exactly as it starts `reader` and waits for TEXT and the footer's "Quit";
then it presses x a few times (each press shows "Pressed N") for the floor of a key's round trip.
"""

from __future__ import annotations

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

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(TEXT)
        yield Footer()

    def action_press(self) -> None:
        self.presses += 1
        self.query_one(Static).update(f"{TEXT} Pressed {self.presses}")


if __name__ == "__main__":
    BareApp().run()
