"""The Textual app: thin. The main screen holds the view; the data layer holds the rest."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakSet

from textual import events
from textual.actions import parse as parse_action
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, TextArea

from reader.cli import EXIT_INTERRUPTED
from reader.collector import CHECK_SECONDS, Collector
from reader.commands import COMMANDS
from reader.config import Config, config_path, save_theme
from reader.model import Digest, join_note, resolve_week, week_label
from reader.reading import ReadCounts
from reader.screens.main import MainScreen
from reader.screens.threads import call_quietly
from reader.state import Session, StateStore
from reader.text import inert
from reader.updates import describe_change

if TYPE_CHECKING:
    from reader.loader import Loader

TEXTUAL_COMMANDS = frozenset({"Theme", "Quit", "Screenshot"})
"""Textual's own palette commands that the palette keeps."""

WATCH_SECONDS = 2.0
"""How often --watch looks at the files for changes."""
HOLD_LIMIT = 2.0
"""Keys wait at most this many seconds for a screen being pushed to be ready for them."""


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
        Binding("question_mark,f1", "help", "Help", key_display="?", show=False, id="help"),
        Binding("q", "quit", "Quit", show=False, id="quit"),
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="interrupt"),
    ]

    def __init__(
        self,
        digest: Digest | None,
        *,
        week: date | str | None,
        query: str = "",
        state: StateStore,
        read_delay: float = 1.5,
        loader: Loader | None = None,
        description: str = "",
        reload: Callable[[], Digest] | None = None,
        stamp: Callable[[], object] | None = None,
        config: Config | None = None,
        session_key: str | None = None,
        week_given: bool = False,
        query_given: bool = False,
    ) -> None:
        super().__init__()
        self.config = config if config is not None else Config(config_path())
        self.session_key = session_key
        """Names the digest for "where you left off" (None: not remembered)."""
        self.week_given, self.query_given = week_given, query_given
        keymap, self._unknown_commands = self.config.keymap(command_names())
        self.set_keymap(keymap)
        self.digest = digest
        self.initial_week = week
        self.initial_query = query
        self.state = state
        self.read_delay = read_delay
        self.loader = loader
        self.description = description
        self.reloader = reload
        self.stamp = stamp
        self.load_error: Exception | None = None
        self._stamp_seen: object = None
        self._reloading = False
        self._watching = False
        self._notices: tuple[str, ...] = ()
        self._counts: ReadCounts | None = None
        self._held_keys: deque[events.Key] = deque()
        self._held_since = 0.0
        self.collector = Collector()
        self._focused_screens: WeakSet[Screen[object]] = WeakSet()
        """Screens that have focused a widget once: a later loss of focus holds no keys."""
        self.title = inert(digest.name) if digest is not None else inert(description)

    def get_default_screen(self) -> Screen[None]:
        if self.digest is None:
            if self.loader is None:
                raise ValueError("ReaderApp needs a digest or a loader")
            from reader.screens.loading import LoadingScreen  # only for big digests

            return LoadingScreen(self._load, self.description, self._loaded, self._load_failed)
        return self._main_screen(self.digest)

    def on_mount(self) -> None:
        self._apply_config()
        if self.digest is not None:
            self._show_notices(self.digest)
            self.call_after_refresh(self._settle_collector)
        if self.stamp is not None:
            self._stamp_seen = self.stamp()
            self.set_interval(WATCH_SECONDS, self._check_files, name="watch")

    def _settle_collector(self) -> None:
        """After the first paint: what is alive now (the digest, the screen) lives all session,
        so it is frozen out of the garbage collector, and collecting starts again if the command
        line held it off during startup; full collections wait until no key has come for a
        while (`reader.collector`), so none lands in the middle of a keystroke."""
        if self.collector.settle():
            self.set_interval(CHECK_SECONDS, self.collector.collect_if_idle, name="collector")

    # --- keys: each one is routed and handled before the next, as if typed slowly ----------

    async def on_event(self, event: events.Event) -> None:
        """Route a key from the terminal now, in the App's own task.

        Textual posts a key to the focused widget's queue and resolves its bindings when it has
        bubbled back, so focus changes and effects of one key came after the following keys of a
        burst had been routed. Here every key is resolved at once against the focus of that
        moment: priority bindings, then typing into a focused Input, then the focused chain's
        bindings. A screen that is being pushed (help, the palette, the main screen after
        loading) holds the keys behind it until it is mounted and focused.
        """
        if isinstance(event, events.InputEvent):
            self.collector.heard_input()
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._held_keys or not self._ready_for_keys():
            if not self._held_keys:
                self._held_since = time.monotonic()
                self.set_timer(0.005, self._release_held_keys)
            self._held_keys.append(event)
            return
        await self._route_key(event)

    def _ready_for_keys(self) -> bool:
        """False while the current screen has not mounted, or not yet focused its first widget."""
        screen = self.screen
        if not screen.is_mounted:
            return False
        if screen.focused is not None or screen in self._focused_screens:
            self._focused_screens.add(screen)
            return True
        return screen.AUTO_FOCUS == "" or not any(w.focusable for w in screen.query("*"))

    async def _release_held_keys(self) -> None:
        while self._held_keys:
            waited = time.monotonic() - self._held_since
            if not self._ready_for_keys() and waited < HOLD_LIMIT:
                self.set_timer(0.005, self._release_held_keys)
                return
            await self._route_key(self._held_keys.popleft())

    async def _route_key(self, event: events.Key) -> None:
        if not self.app_focus:
            self.app_focus = True
        if await self._check_bindings(event.key, priority=True):
            return
        if event.key in ("pagedown", "pageup") and _palette_list_unpaged(self.screen):
            return  # Textual's palette raises KeyError paging a list it has not laid out
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable:
            await focused._on_key(event)  # typed now, so the next key sees the new text
            return
        if isinstance(focused, TextArea) and (event.is_printable or event.key in ("enter", "tab")):
            await focused._on_key(event)  # the note editor: text, new lines and indents
            return
        if await self._check_bindings(event.key):
            return
        event._reader_routed = True  # type: ignore[attr-defined]
        (focused or self.screen)._forward_event(event)

    async def _on_key(self, event: events.Key) -> None:
        if getattr(event, "_reader_routed", False):
            event.prevent_default()  # its bindings were looked up when it was routed

    def _apply_config(self) -> None:
        """The config's theme (a name Textual lacks is an error), then its errors and warnings
        as notifications (they went to standard error too); a theme picked later is saved."""
        config = self.config
        for message in config.errors:
            self.notify(message, severity="error", markup=False, timeout=10)
        for message in config.warnings + self._unknown_commands:
            self.notify(message, severity="warning", markup=False, timeout=10)
        if config.theme is not None:
            if config.theme in self.available_themes:
                self.theme = config.theme
            else:
                self.notify(
                    f"{inert(str(config.path))}: no theme {inert(config.theme)!r}; "
                    f"the themes are {', '.join(sorted(self.available_themes))}",
                    severity="error",
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

    @property
    def download_dir(self) -> str | None:
        """Where exports are saved: --download-dir, $READER_DOWNLOAD_DIR or the config's
        download_dir (Textual's default, the downloads folder, without)."""
        from reader.arxiv_fetch import DOWNLOAD_ENV

        chosen = os.environ.get(DOWNLOAD_ENV) or self.config.download_dir
        return str(chosen) if chosen else None

    def on_app_focus(self) -> None:
        """Back in the terminal: show marks another instance saved meanwhile."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.refresh_marks()

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        """An export (e / E) is written: in a terminal, say where."""
        if event.path is not None and not self.is_web:
            self.notify(f"Saved {inert(str(event.path))}", markup=False)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        self.notify(f"Export failed: {inert(str(event.exception))}", severity="error", markup=False)

    def _main_screen(self, digest: Digest) -> MainScreen:
        session = self._last_session()
        initial_week = self.initial_week
        query = self.initial_query
        if session is not None:
            if not self.week_given and session.week:
                known = session.week == "all" or any(
                    week.isoformat() == session.week for week in digest.weeks
                )
                initial_week = session.week if known else initial_week
            if not self.query_given:
                query = session.query
        week = resolve_week(digest, initial_week)
        if week is not None and week not in digest.week_ranges:
            self.notify(f"No week {week_label(week)} in this digest: showing the newest.")
            week = digest.weeks[0] if digest.weeks else None
        if digest.joined is not None:
            self.notify(join_note(digest.joined), markup=False, timeout=8)
        counts = (
            self._counts if self._counts is not None and self._counts.digest is digest else None
        )
        screen = MainScreen(
            digest,
            week=week,
            query=query,
            store=self.state,
            read_delay=self.read_delay,
            counts=counts,
            week_given=self.initial_week not in (None, "latest"),
        )
        if session is not None and session.paper:
            screen.initial_paper = session.paper
        return screen

    def _last_session(self) -> Session | None:
        if self.session_key is None or not self.config.restore_session:
            return None
        return self.state.session(self.session_key)

    def save_session(self, main: MainScreen | None = None) -> None:
        """Remember where this digest was left: its week, query and highlighted paper."""
        if self.session_key is None or not self.config.restore_session:
            return
        screens = [main] if main is not None else self.screen_stack
        for screen in screens:
            if isinstance(screen, MainScreen) and screen.ready:
                week = "all" if screen.week is None else screen.week.isoformat()
                self.state.save_session(
                    self.session_key, Session(week, screen.query_text, screen.shown_key)
                )
                return

    def _load(self, progress: Callable[[float, str], None]) -> Digest:
        """In the loading thread: the digest, and its read counts (one look-up per paper)."""
        assert self.loader is not None
        digest = self.loader(progress)
        progress(-1, f"Counting what is read among {len(digest)} papers")
        self._counts = ReadCounts(digest, self.state.is_read)
        return digest

    def _loaded(self, digest: Digest) -> None:
        self.digest = digest
        self._show_notices(digest)
        loading = self.screen
        self.push_screen(self._main_screen(digest))
        # The loading screen stays at the bottom of the stack, emptied: its progress bar would
        # go on animating under the main screen (CPU and repaints while the reader is idle).
        loading.remove_children()
        self.call_after_refresh(self._settle_collector)

    def _load_failed(self, error: Exception) -> None:
        self.load_error = error
        self.exit(return_code=2)

    # --- reload ------------------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read the digest again from disk, in a thread; the view is kept where it can be."""
        if self.reloader is None:
            self.notify("This digest cannot be reloaded.", severity="warning", markup=False)
            return
        if self._reloading:
            return
        self._reloading = True
        self._watching = False
        reloader = self.reloader

        def run() -> None:
            try:
                digest = reloader()
                digest.haystacks  # noqa: B018 - build the search text off the UI thread
            except Exception as error:
                self._call(self._reload_failed, error)
            else:
                self._call(self._reloaded, digest)

        threading.Thread(target=run, name="reader-reload", daemon=True).start()

    def _call(self, callback: Callable[..., None], *args: object) -> None:
        call_quietly(self, callback, *args)

    def _reloaded(self, digest: Digest) -> None:
        self._reloading = False
        old = self.digest
        self.digest = digest
        if isinstance(self.screen, MainScreen):
            self.screen.replace_digest(digest)
        else:
            for screen in self.screen_stack:
                if isinstance(screen, MainScreen):
                    screen.replace_digest(digest)
        quiet, self._watching = self._watching, False
        new = describe_change(old, digest) if old is not None else None
        if new is not None and not new.startswith("changed"):
            self.notify(f"{new}.", title="New in the digest", markup=False)
        elif new is not None or not (quiet or digest.notices):
            # nothing new is said only on r: --watch keeps quiet, and so does an offline copy
            self.notify(
                f"Reloaded: {len(digest)} papers in {len(digest.weeks)} weeks.", markup=False
            )
        self._show_notices(digest, only_new=quiet)
        gc.freeze()

    def _show_notices(self, digest: Digest, only_new: bool = False) -> None:
        """The title says when the digest is an offline copy; a toast says each notice (under
        --watch, only a notice not shown last time)."""
        notices = digest.notices
        self.title = inert(digest.name) + (" · offline copy" if notices else "")
        for notice in notices:
            if not (only_new and notice in self._notices):
                self.notify(inert(notice), severity="warning", timeout=10, markup=False)
        self._notices = notices

    def _reload_failed(self, error: Exception) -> None:
        self._reloading = False
        self.notify(f"Reload failed: {inert(str(error))}", severity="error", markup=False)

    def _check_files(self) -> None:
        if self.stamp is None or self.digest is None:
            return
        try:
            stamp = self.stamp()
        except Exception:
            return
        if stamp != self._stamp_seen:
            self._stamp_seen = stamp
            if not self._reloading:
                self.action_reload()
                self._watching = True  # its toasts say only what is new

    def action_interrupt(self) -> None:
        """Ctrl+C quits from anywhere, with the exit status of an interrupted program (130)."""
        self.exit(return_code=EXIT_INTERRUPTED)

    # --- help and the palette ----------------------------------------------------------------

    def action_help(self) -> None:
        from reader.screens.help import HelpScreen  # imported when first asked for (startup)

        if isinstance(self.screen, HelpScreen):
            return
        from textual.widgets import Input

        syntax_first = isinstance(self.focused, Input)
        remapped = [
            (key, f"{command} (remapped in {inert(str(self.config.path))})")
            for command, key in sorted(self._keymap.items())
        ]
        self.push_screen(HelpScreen(extra_keys=remapped, syntax_first=syntax_first))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The app's commands (each with its key), then Textual's Theme and Screenshot, and its
        Quit where no key quits. Textual's Keys panel and Maximize are left out: the help (?)
        lists every key, and the panes have their layout."""
        own: list[SystemCommand] = []
        if isinstance(screen, MainScreen):
            at: dict[str, int] = {}  # one command per action, with all of its keys
            for entry in COMMANDS:
                _, name, parameters = parse_action(entry.action)
                if not entry.palette or screen.check_action(name, parameters) is False:
                    continue  # only what applies now (no paper: no copy; nothing to undo)
                if entry.action in at:
                    first = own[at[entry.action]]
                    own[at[entry.action]] = first._replace(
                        help=f"{first.help} or {entry.key_display}"
                    )
                    continue
                at[entry.action] = len(own)
                own.append(
                    SystemCommand(
                        entry.palette_title,
                        f"Key: {self._keymap.get(entry.name) or entry.key_display}",
                        partial(screen.run_action, entry.action),
                    )
                )
            from reader.output import EXPORTS  # not needed before the palette opens

            for fmt, (label, extension, _) in EXPORTS.items():
                if fmt not in ("markdown", "json"):  # those two have keys (e, E)
                    own.append(
                        SystemCommand(
                            f"Export the view as {label}",
                            f"A {extension} file: a download in a browser, "
                            "else in the downloads folder",
                            partial(screen.action_export, fmt),
                        )
                    )
        titles = {command.title for command in own}
        yield from own
        for command in super().get_system_commands(screen):
            if command.title in TEXTUAL_COMMANDS and command.title not in titles:
                yield command


def _palette_list_unpaged(screen: Screen[object]) -> bool:
    """The palette's list is empty or has no room yet (paging it would raise, textual 8.2.8)."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(screen, CommandPalette):
        return False
    commands = screen.query_one(CommandList)
    return not commands.option_count or not commands.scrollable_content_region


def command_names() -> frozenset[str]:
    """The commands `[keys]` in the config may remap: the name of each command and of the
    App's own keys."""
    own = (b.id for b in ReaderApp.BINDINGS if isinstance(b, Binding) and b.id)
    return frozenset({command.name for command in COMMANDS} | set(own))


def make_app(
    digest: Digest | None = None,
    *,
    week: date | str | None = "latest",
    query: str = "",
    state: StateStore | None = None,
    read_delay: float = 1.5,
    loader: Loader | None = None,
    description: str = "",
    reload: Callable[[], Digest] | None = None,
    stamp: Callable[[], object] | None = None,
    config: Config | None = None,
    session_key: str | None = None,
    week_given: bool = False,
    query_given: bool = False,
) -> ReaderApp:
    """The app as the command line builds it (tests use this too).

    Give `digest` when it is loaded already, or `loader` to load it in the app behind a progress
    bar. `reload` reads the digest again (the r key); `stamp` fingerprints the files, and
    when given, the app polls it and reloads on a change (--watch). Without `state`, the store
    in the state directory ($READER_STATE_DIR) is opened.
    """
    store = state if state is not None else StateStore()
    return ReaderApp(
        digest,
        week=week,
        query=query,
        state=store,
        read_delay=read_delay,
        loader=loader,
        description=description,
        reload=reload,
        stamp=stamp,
        config=config,
        session_key=session_key,
        week_given=week_given,
        query_given=query_given,
    )
