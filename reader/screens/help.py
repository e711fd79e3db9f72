"""The help screen: every key, the query syntax, and the file format in brief."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.commands import HELP
from reader.query import QUERY_HELP
from reader.widgets.abstract import InstantScroll


class KeyScroll(InstantScroll, VerticalScroll):
    """The help screen's scroll: instant, with vi keys. (Here, not beside the abstract pane:
    a widget class costs ~2M instructions to make, and the help is imported when first asked.)"""


KEYS: list[tuple[str, str]] = [(line.keys, line.meaning) for line in HELP]
"""From `reader.commands.HELP`."""


def keys_table(rows: list[tuple[str, str]], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None, expand=True)
    table.add_column(style="bold", ratio=2, overflow="fold")
    table.add_column(ratio=3)
    for key, meaning in rows:
        table.add_row(key, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    """Keys and query syntax; any of Esc, q, ? or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", show=True),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > KeyScroll {
        width: 90%; max-width: 100; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keys: list[tuple[str, str]] | None = None, syntax_first: bool = False):
        """`keys`: the key table as the config's `[keys]` left it (`commands.help_rows`)."""
        super().__init__()
        self.keys = KEYS if keys is None else keys
        self.syntax_first = syntax_first

    def compose(self) -> ComposeResult:
        keys = Static(keys_table(self.keys, "Keys"))
        syntax = Static(keys_table(QUERY_HELP, "Filter syntax"))
        with KeyScroll() as scroll:
            scroll.border_title = "reader · help (Esc closes)"
            if self.syntax_first:
                yield syntax
                yield Static(Text(""))
                yield keys
            else:
                yield keys
                yield Static(Text(""))
                yield syntax

    def on_mount(self) -> None:
        """Toasts wait until the help closes: without its toast rack, Textual shows none here."""
        self.query("#textual-toastrack").remove()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
