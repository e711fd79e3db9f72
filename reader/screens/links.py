"""The links of a paper (`L`): pick one to open it (Enter or o) or copy it (y)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.screens.modal import BoxedModal
from reader.text import inert

LINKS_HELP = "Enter or o opens · y copies · Esc closes"


class LinksScreen(BoxedModal):
    """The paper's links as a list; the action runs on the highlighted one and closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,o", "open", "Open", priority=True),
        Binding("y", "copy", "Copy", priority=True),
        Binding("escape,q,L", "close", "Close", priority=True),
    ]

    BOX = "links-box"
    DEFAULT_CSS = """
    LinksScreen > #links-box { width: 90%; max-width: 110; max-height: 80%; }
    LinksScreen #links-list { height: auto; max-height: 20; border: none; }
    LinksScreen #links-help { height: auto; color: $text-muted; }
    """

    def __init__(
        self,
        title: str,
        links: Sequence[tuple[str, str]],
        open_url: Callable[[str], None],
        copy_url: Callable[[str], None],
    ) -> None:
        super().__init__(id="links")
        self.heading = title
        self.links = list(links)
        self.open_url = open_url
        self.copy_url = copy_url

    def box(self) -> ComposeResult:
        width = max(len(inert(label)) for label, _ in self.links)
        options = [
            Option(Text.assemble((inert(label).ljust(width), "bold"), "  ", inert(url)))
            for label, url in self.links
        ]
        yield Static(Text.assemble(("Links · ", "bold"), inert(self.heading)))
        yield OptionList(*options, id="links-list")
        yield Static(LINKS_HELP, id="links-help")

    def focused_widget(self) -> Widget:
        listing = self.query_one(OptionList)
        listing.highlighted = 0
        return listing

    def _chosen(self) -> str | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None else self.links[index][1]

    def action_open(self) -> None:
        url = self._chosen()
        self.dismiss()
        if url is not None:
            self.open_url(url)

    def action_copy(self) -> None:
        url = self._chosen()
        self.dismiss()
        if url is not None:
            self.copy_url(url)

    def action_close(self) -> None:
        self.dismiss()
