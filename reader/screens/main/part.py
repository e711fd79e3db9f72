"""What the parts of the main screen share (`MainScreen` is made of them): the browse model and
the settings, running one of the model's operations and then drawing (`act`), toasts (`say`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

from textual.notifications import SeverityLevel
from textual.widgets import Input

from reader.browse import Browse, Changed
from reader.screens.first_frame import FirstFrameScreen
from reader.settings import Settings
from reader.sources.source import DigestSource
from reader.widgets.paper_list import PaperList
from reader.widgets.sidebar import Sidebar

P = ParamSpec("P")


class ScreenPart(FirstFrameScreen):
    """The base of the main screen and of its parts (`outward.Outward`)."""

    browse: Browse
    """Everything shown and what the keys do to it."""
    settings: Settings
    """The read delay; the arXiv keys' --offline, --timeout, and where files are saved."""
    source: DigestSource | None
    """Where the digest comes from: reloading it (r) and watching it (--watch)."""

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def filter_bar(self) -> Input:
        return self.query_one("#filter", Input)

    def act(self, operation: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
        """Run an operation of the model, then draw what it changed."""
        operation(*args, **kwargs)
        self.draw()

    def draw(self, also: Changed = Changed.NONE) -> None:
        """Draw what the model says changed (`MainScreen.draw`, the one redraw)."""
        raise NotImplementedError

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 4
    ) -> None:
        """A toast, taken literally: no markup, so text from the digest cannot restyle it."""
        self.app.notify(message, severity=severity, timeout=timeout, markup=False)
