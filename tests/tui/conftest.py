"""Shared by the TUI tests: the bundled digest as a fixture, the main screen of an app, and
polling for a condition with a generous timeout (never sleep-and-hope)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from reader.app import ReaderApp
from reader.loader import load_digest
from reader.model import Digest
from reader.screens.main import MainScreen


@pytest.fixture(scope="module")
def digest() -> Digest:
    """The bundled digest (immutable: one per test module)."""
    return load_digest()


def screen_of(app: ReaderApp) -> MainScreen:
    """The app's main screen (fails when another screen is on top)."""
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def wait_for(condition: Callable[[], bool], pilot: Any, seconds: float = 20.0) -> None:
    """Poll `condition` until it holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)
