"""The loading screen: a big digest loads (and its read papers are counted) in a background
thread while the UI stays live."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.message import Message
from textual.widgets import Header, Label, ProgressBar

from reader.model import Digest
from reader.reading import ReadCounts
from reader.screens.first_frame import FirstFrameScreen
from reader.screens.threads import call_quietly
from reader.sources.source import DigestSource
from reader.state import StateStore
from reader.text import inert
from reader.widgets.key_line import KeyLine


class LoadCancelled(Exception):
    """Raised through the loader when the app has quit while loading."""


class LoadingScreen(FirstFrameScreen):
    """A progress bar while `source` loads in a daemon thread; `q` quits at any moment."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit")
    ]

    DEFAULT_CSS = """
    LoadingScreen Label { width: 100%; content-align: center middle; margin-bottom: 1; }
    LoadingScreen ProgressBar { width: auto; }
    """

    def __init__(
        self,
        source: DigestSource,
        store: StateStore,
        on_loaded: Callable[[Digest, ReadCounts], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        super().__init__()
        self.source, self.store = source, store
        self.description = source.description
        self.on_loaded = on_loaded
        self.on_failed = on_failed
        self._last_progress = 0.0
        self._pending: tuple[float, str] | None = None
        """A line told within 50 ms of the last one shown: shown when they are up."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(), Center():
            yield Label(f"Loading {inert(self.description)}…", id="loading-label")
            yield ProgressBar(total=None, show_eta=False, id="loading-bar")
        yield KeyLine()

    def on_mount(self) -> None:
        # A daemon thread, not a worker: quitting must not wait for a 1 GB parse to finish.
        self._app = self.app  # the thread has no active-app context of its own
        threading.Thread(target=self._load, name="reader-load", daemon=True).start()

    def _load(self) -> None:
        try:
            digest = self.source.load(self._progress)
            self._progress(-1, f"Counting what is read among {len(digest)} papers")
            counts = ReadCounts(digest, self.store.is_read)  # one look-up per paper
        except LoadCancelled:
            return
        except Exception as error:  # the app reports it; a thread must not die silently
            self._call(self.on_failed, error)
            return
        self._call(self.on_loaded, digest, counts)

    def _call(self, callback: Callable[..., None], *args: object) -> None:
        call_quietly(self._app, callback, *args)

    class Told(Message):
        """What the loader's thread tells the screen (a progress line), posted: the loader
        does not wait for the UI to show it (at 100k papers it waited ~0.1 s in all while
        the UI drew)."""

        def __init__(self, show: Callable[..., None], *args: object) -> None:
            super().__init__()
            self.show, self.args = show, args

    def on_loading_screen_told(self, message: Told) -> None:
        if self.app.screen is self and self.query(ProgressBar):  # (not once loaded: emptied)
            message.show(*message.args)

    def _post(self, show: Callable[..., None], *args: object) -> None:
        self.post_message(self.Told(show, *args))  # thread-safe

    def _progress(self, fraction: float, doing: str) -> None:
        """At most a line every 50 ms (and every last one: `fraction` 1); a line that comes
        sooner is kept and shown when the 50 ms are up, unless a newer one came by then (else
        a line told just after another, `Fetching years/2026.md` right after the index's last
        bytes, was never shown however long what it names then took)."""
        if not self._app.is_running:
            raise LoadCancelled  # the user quit: stop reading a huge file for nobody
        now = time.monotonic()
        if now - self._last_progress >= 0.05 or fraction >= 1:
            self._last_progress = now
            self._pending = None
            self._post(self._show_progress, fraction, doing)
            return
        first = self._pending is None
        self._pending = (fraction, doing)
        if first:
            self._post(self._show_pending_later, self._last_progress + 0.05 - now)

    def _show_pending_later(self, delay: float) -> None:
        self.set_timer(max(delay, 0.0), self._show_pending)

    def _show_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and self.app.screen is self:  # (not once the digest is shown)
            self._last_progress = time.monotonic()
            self._show_progress(*pending)

    def _show_progress(self, fraction: float, doing: str) -> None:
        bar = self.query_one(ProgressBar)
        if fraction < 0:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=100 * fraction)
        label = self.query_one("#loading-label", Label)
        text, width = inert(doing), label.size.width
        # the screen is laid out again only when the line may wrap (a layout of this screen
        # took as long as its frame, every 50 ms of the load, on the loader's interpreter)
        label.update(text, layout=not width or cell_len(text) > width or label.size.height != 1)
