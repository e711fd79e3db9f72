"""Shared by the TUI tests: the bundled digest as a fixture, the main screen of an app, and
polling for a condition with a generous timeout (never sleep-and-hope), and a digest source
whose loading the test scripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from reader.app import ReaderApp
from reader.model import Digest
from reader.screens.main import MainScreen
from reader.sources.loader import Loader, Progress, load_digest
from reader.sources.source import DigestSource, Reloaded


@pytest.fixture(scope="module")
def digest() -> Digest:
    """The bundled digest (immutable: one per test module)."""
    return load_digest()


def screen_of(app: ReaderApp) -> MainScreen:
    """The app's main screen (fails when another screen is on top)."""
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def screen_text(app: ReaderApp) -> str:
    """The characters on the screen as the user sees them, row by row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(condition: Callable[[], bool], pilot: Any, seconds: float = 20.0) -> None:
    """Poll `condition` until it holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


class ScriptedSource(DigestSource):
    """A digest source that loads (and reloads) as the test says: blocking until released,
    failing, reporting progress. The app, its screens and threads are the real ones."""

    def __init__(
        self,
        load: Loader,
        description: str = "big.md",
        reload: Callable[[], Digest] | None = None,
    ) -> None:
        super().__init__([description])
        self._load, self._reload = load, reload

    def load(self, progress: Progress | None = None) -> Digest:
        self.digest = self._load(progress or (lambda fraction, doing: None))
        return self.digest

    def reload(self) -> Reloaded:
        if self._reload is None:
            return super().reload()
        return Reloaded(self._reload(), None)
