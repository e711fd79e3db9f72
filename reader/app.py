"""The Textual app, thin: it routes keys, pushes screens and applies the config. The main screen
draws the browse model (`reader.browse.Browse`, which the App builds) and runs reloads; the data
layer (`reader.sources.loader.DigestSource`, the store) the rest."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input

from reader.browse import Browse, Handoff
from reader.collector import CHECK_SECONDS, Collector
from reader.commands import COMMANDS, help_rows, settle_keymap
from reader.config import Config, save_theme
from reader.exits import EXIT_INTERRUPTED
from reader.feeds import named_notice
from reader.model import Digest, join_note, week_label
from reader.reading import ReadCounts
from reader.screens.main import MainScreen
from reader.screens.main.tasks import DigestReloaded
from reader.screens.routing import TypeaheadApp
from reader.session import opening
from reader.settings import Settings
from reader.sources.source import DigestSource
from reader.state import Session, StateStore
from reader.text import inert


def styles_path() -> Path:
    """The app's stylesheet: inside the installed wheel, else the checkout's top-level styles/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "styles", here.parent / "styles"):
        if (candidate / "reader.tcss").is_file():
            return candidate / "reader.tcss"
    raise FileNotFoundError("reader.tcss not found beside the package")


class ReaderApp(TypeaheadApp):
    """A reader for a weekly digest of ML papers: give `digest` when it is loaded already, or a
    `source` to load it behind a progress bar (and to reload it: r, --watch). Without `state`,
    the store in the state directory ($READER_STATE_DIR) is opened."""

    CSS_PATH = styles_path()
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", key_display="?", show=False, id="help"),
        Binding("q", "quit", "Quit", show=False, id="quit"),
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="interrupt"),
    ]

    def __init__(
        self,
        digest: Digest | None = None,
        *,
        source: DigestSource | None = None,
        state: StateStore | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        if digest is not None:
            self.title = inert(digest.name)
        elif source is not None:
            self.title = inert(source.description)
        else:
            raise ValueError("ReaderApp needs a digest or a source")
        self.digest, self.source = digest, source
        self.state = state if state is not None else StateStore()
        self.settings = settings if settings is not None else Settings()
        self.config = self.settings.config
        keymap, self._unknown_commands = self.config.keymap(command_names())
        keymap, refused = settle_keymap(keymap)
        for name, why in refused:  # a remap that would take another command's key
            line = self.config.key_lines.get(name, 1)
            self._unknown_commands.append(
                f"{inert(str(self.config.path))}:{line}: [keys] {name} = "
                f'"{inert(self.config.keys[name])}" ignored: {inert(why)}'
            )
        self._unknown_commands += self.config.shadowed(keymap, own_keys(), priority_names())
        self.set_keymap(keymap)
        self.load_error: Exception | None = None
        self._notices: tuple[str, ...] = ()
        self.collector = Collector()
        self._signals_before: dict[int, Any] = {}
        """What SIGHUP and SIGTERM did before the reader took them (put back on closing)."""
        self.main: MainScreen | None = None
        """The main screen, once there is a digest to show."""

    def get_default_screen(self) -> Screen[None]:
        if self.digest is None and self.source is not None:
            from reader.screens.loading import LoadingScreen  # only for big digests

            self.source.defer_cache = True  # written after the first paint (`_loaded`)
            return LoadingScreen(self.source, self.state, self._loaded, self._load_failed)
        assert self.digest is not None
        return self._main_screen(self.digest)

    def on_mount(self) -> None:
        self._end_on_signals(True)
        self._apply_config()
        if self.digest is not None:
            self.show_notices(self.digest)
            self.call_after_refresh(self._settle_collector)

    def _settle_collector(self) -> None:
        """After the first paint: what is alive now (the digest, the screen) lives all session,
        so it is frozen out of the garbage collector, and collecting starts again if the command
        line held it off during startup; what the keys make is collected once they pause, and
        what survives frozen (`reader.collector`), so no collection walks it again."""
        if self.collector.settle():
            self.set_interval(CHECK_SECONDS, self.collector.collect_if_idle, name="collector")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            # full collections wait for a pause in the input, and one runs once it pauses
            self.collector.heard_input(asyncio.get_running_loop())
        await super().on_event(event)  # keys: routed at once (`TypeaheadApp`)

    def _apply_config(self) -> None:
        """The config's theme (a name Textual lacks is ignored, with a warning), then its
        warnings as notifications (they went to standard error too); a theme picked later is
        saved."""
        config = self.config
        for message in config.warnings + self._unknown_commands:
            self.notify(message, severity="warning", markup=False, timeout=10)
        if config.theme is not None:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                self.notify(
                    f"{inert(str(config.path))}: no theme {inert(config.theme)!r}; "
                    f"the themes are {', '.join(sorted(self.available_themes))}; ignored",
                    severity="warning",
                    markup=False,
                    timeout=10,
                )
        self.watch(self, "theme", self._theme_changed, init=False)

    def _theme_changed(self, theme: str) -> None:
        if theme == self.config.theme:
            return
        error = save_theme(theme, self.config.path)
        if error is not None:
            self.notify(error, severity="warning", markup=False)

    def on_app_focus(self) -> None:
        """Back in the terminal: show marks another instance saved meanwhile."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.refresh_marks()

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        """A download in the browser (an export, a PDF) that could not be sent."""
        error = event.exception
        words = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        self.notify(f"Download failed: {inert(words)}", severity="error", markup=False)

    # --- the main screen, where the digest was left, loading -----------------------------------

    def _main_screen(self, digest: Digest, counts: ReadCounts | None = None) -> MainScreen:
        settings = self.settings
        start = opening(digest, settings, self._last_session())
        if start.missing is not None:
            self.notify(f"No week {week_label(start.missing)} in this digest: showing the newest.")
        if digest.joined is not None:
            self.notify(join_note(digest.joined), markup=False, timeout=8)
        browse = Browse(
            digest,
            self.state,
            week=start.week,
            text=start.query,
            counts=counts,
            week_given=settings.week not in (None, "latest"),
            paper=start.paper,
            handoff=Handoff(settings.zotero_url, settings.arxiv.timeout),
        )
        self.main = MainScreen(browse, settings, self.source)
        return self.main

    def _last_session(self) -> Session | None:
        key = self.settings.session_key if self.config.restore_session else None
        return self.state.session(key) if key is not None else None

    def on_unmount(self) -> None:
        """Closing (the app quits, a test ends): remember where this digest was left."""
        self._end_on_signals(False)
        self.save_session()

    _ENDING = (signal.SIGHUP, signal.SIGTERM) if hasattr(signal, "SIGHUP") else ()

    def _end_on_signals(self, on: bool) -> None:
        """The terminal closed (SIGHUP) or the reader was told to end (SIGTERM, a logout): it
        ends as on `q`, where the digest was left saved, with 128 + the signal's number (the
        default action killed it at once, and a reopened digest was back where it last quit).
        In a browser tab the web driver ends the reader on SIGTERM itself."""
        if self.is_web:
            return
        with contextlib.suppress(RuntimeError):  # no running loop
            loop = asyncio.get_running_loop()
            if on:
                for number in self._ENDING:
                    # A signal ignored when the reader started (`nohup reader`) stays ignored.
                    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                        before = signal.getsignal(number)
                        if before != signal.SIG_IGN:
                            loop.add_signal_handler(number, self._ended_by, number)
                            self._signals_before[number] = before
                return
            for taken, before in self._signals_before.items():
                # asyncio puts the default action back; what was there before is put back.
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, TypeError):
                    loop.remove_signal_handler(taken)
                    signal.signal(taken, before)
            self._signals_before.clear()

    ENDING_DEADLINE = 2.0
    """Seconds an app ended by a signal has to close; then the process ends regardless (a
    terminal that is gone may leave Textual's last writes or a worker thread waiting)."""

    def _ended_by(self, number: int) -> None:
        import os
        import threading

        self.save_session()  # before anything that may write to a terminal that is gone
        deadline = threading.Timer(self.ENDING_DEADLINE, os._exit, (128 + number,))
        deadline.daemon = True
        deadline.start()
        self.exit(return_code=128 + number)

    def save_session(self) -> None:
        """Remember where this digest was left: its week, query and highlighted paper."""
        key = self.settings.session_key
        main = self.main
        if key is not None and self.config.restore_session and main is not None and main.ready:
            self.state.save_session(key, main.browse.session())

    def _loaded(self, digest: Digest, counts: ReadCounts) -> None:
        self.digest = digest
        self.show_notices(digest)
        loading = self.screen
        self.push_screen(self._main_screen(digest, counts))
        # The loading screen stays at the bottom of the stack, emptied: its progress bar would
        # go on animating under the main screen (CPU and repaints while the reader is idle).
        loading.remove_children()
        self.call_after_refresh(self._settle_collector)

    def _load_failed(self, error: Exception) -> None:
        self.load_error = error
        self.exit(return_code=2)

    def on_digest_reloaded(self, event: DigestReloaded) -> None:
        """The main screen has shown a reloaded digest: its notices (under --watch, only new)."""
        self.show_notices(event.reloaded.digest, only_new=event.quiet)

    def show_notices(self, digest: Digest, only_new: bool = False) -> None:
        """The title says when the digest is an offline copy or a file of it was not read
        (`README · 2025.md not read`); one toast says the notices, a line each, a feed by its
        name (`arXiv cs.LG: offline: the copy of …`: three sources offline were three toasts
        over the pane); after a reload under --watch, only the notices not shown last time."""
        notices = digest.notices
        note = digest.title_note
        self.title = inert(digest.name) + (f" · {inert(note)}" if note else "")
        fresh = [notice for notice in notices if not (only_new and notice in self._notices)]
        if fresh:
            said = "\n".join(inert(named_notice(notice)) for notice in fresh)
            self.notify(said, severity="warning", timeout=10, markup=False)
        self._notices = notices

    def action_interrupt(self) -> None:
        """Ctrl+C quits from anywhere, with the exit status of an interrupted program (130)."""
        self.exit(return_code=EXIT_INTERRUPTED)

    # --- help and the palette ----------------------------------------------------------------

    def action_help(self) -> None:
        from reader.screens.help import HelpScreen  # imported when first asked for (startup)

        if isinstance(self.screen, HelpScreen):
            return
        syntax_first = isinstance(self.focused, Input)
        self.push_screen(HelpScreen(keys=help_rows(self._keymap), syntax_first=syntax_first))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from reader.screens.palette import system_commands  # when the palette first opens

        return system_commands(screen, self._keymap, super().get_system_commands(screen))


def command_names() -> frozenset[str]:
    """The commands `[keys]` in the config may remap: the name of each command and of the
    App's own keys."""
    own = (b.id for b in ReaderApp.BINDINGS if isinstance(b, Binding) and b.id)
    return frozenset({command.name for command in COMMANDS} | set(own))


def priority_names() -> frozenset[str]:
    """The commands that run before any widget's own keys (priority bindings)."""
    own = (b.id for b in ReaderApp.BINDINGS if isinstance(b, Binding) and b.priority and b.id)
    return frozenset({command.name for command in COMMANDS if command.priority} | set(own))


def own_keys() -> dict[str, tuple[str, str]]:
    """The keys the focusable widgets bind for themselves (they come before the screen's and
    the App's keys while the widget has the focus): key -> ("the list", "Down")."""
    from reader.widgets.abstract import AbstractPane
    from reader.widgets.line_list import LineList

    keys: dict[str, tuple[str, str]] = {}
    for widget, owner in ((LineList, "the list"), (AbstractPane, "the abstract")):
        for binding in widget.BINDINGS:
            if isinstance(binding, Binding):
                for key in binding.key.split(","):
                    keys.setdefault(key.strip(), (owner, binding.description))
    return keys


def make_app(
    digest: Digest | None = None,
    *,
    source: DigestSource | None = None,
    state: StateStore | None = None,
    config: Config | None = None,
    **settings: Any,
) -> ReaderApp:
    """`ReaderApp(digest, source=..., state=..., settings=Settings(**settings))`, `config` in
    the settings when given: the app as the command line builds it, with the settings by name
    (tests use this too)."""
    chosen = Settings(**settings) if config is None else Settings(config=config, **settings)
    return ReaderApp(digest, source=source, state=state, settings=chosen)
