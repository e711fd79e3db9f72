"""The baseline of the startup benchmark: a bare Textual app (App, Header, Footer, one Static).

`run.py` starts it in tmux exactly as it starts `reader` and waits for TEXT and the footer's "Quit".
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static

TEXT = "A bare Textual app: the baseline of reader's startup benchmark."


class BareApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(TEXT)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
