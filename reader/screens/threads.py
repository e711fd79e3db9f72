"""Calling into the app from other threads. Kept apart so that the first frame imports little."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual.app import App


def call_quietly(app: App[Any], callback: Callable[..., None], *args: object) -> None:
    """Run `callback` on the app's thread from another thread; nothing if the app has quit."""
    if not app.is_running:
        return
    with contextlib.suppress(RuntimeError):
        app.call_from_thread(callback, *args)
