"""The Textual app: thin. The main screen holds the view; the data layer holds the rest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.model import Digest
from reader.screens.help import HelpScreen
from reader.screens.main import MainScreen
from reader.state import StateStore
from reader.text import inert


def styles_path() -> Path:
    """The app's stylesheet: inside the installed wheel, else the checkout's top-level styles/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "styles", here.parent / "styles"):
        if (candidate / "reader.tcss").is_file():
            return candidate / "reader.tcss"
    raise FileNotFoundError("reader.tcss not found beside the package")


class ReaderApp(App[None]):
    """A reader for a weekly digest of ML papers."""

    CSS_PATH = styles_path()
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        digest: Digest,
        *,
        week: date | None,
        query: str = "",
        state: StateStore,
        read_delay: float = 1.5,
    ) -> None:
        super().__init__()
        self.digest = digest
        self.initial_week = week
        self.initial_query = query
        self.state = state
        self.read_delay = read_delay
        self.title = inert(digest.name)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(
            self.digest,
            week=self.initial_week,
            query=self.initial_query,
            store=self.state,
            read_delay=self.read_delay,
        )

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        from textual.widgets import Input

        syntax_first = isinstance(self.focused, Input)
        self.push_screen(HelpScreen(syntax_first=syntax_first))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action.startswith("cycle_focus"):
                continue
            yield SystemCommand(
                binding.tooltip or binding.description,
                f"Key: {binding.key_display or binding.key}",
                partial(screen.run_action, binding.action),
            )
        yield SystemCommand("Help", "Keys and filter syntax (?)", self.action_help)


def resolve_week(digest: Digest, week: date | str | None) -> date | None:
    """`latest` (the newest week), `all` (None), or a date of the digest."""
    if week is None or week == "all":
        return None
    if week == "latest":
        return digest.weeks[0] if digest.weeks else None
    if isinstance(week, str):
        week = date.fromisoformat(week)
    return week


def make_app(
    digest: Digest,
    *,
    week: date | str | None = "latest",
    query: str = "",
    state: StateStore | None = None,
    read_delay: float = 1.5,
) -> ReaderApp:
    """The app as the command line builds it (tests use this too).

    Without `state`, the store in the state directory ($READER_STATE_DIR) is opened.
    """
    store = state if state is not None else StateStore()
    app = ReaderApp(
        digest, week=resolve_week(digest, week), query=query, state=store, read_delay=read_delay
    )
    return app
