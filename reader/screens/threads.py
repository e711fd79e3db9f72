"""Calling into the app from other threads. Kept apart so that the first frame imports little."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from textual.app import App

T = TypeVar("T")


def call_quietly(app: App[Any], callback: Callable[..., None], *args: object) -> None:
    """Run `callback` on the app's thread from another thread; nothing if the app has quit."""
    if not app.is_running:
        return
    with contextlib.suppress(RuntimeError):
        app.call_from_thread(callback, *args)


async def in_daemon_thread(function: Callable[[], T], name: str) -> T:
    """`function()` run in a daemon thread and awaited (from an async worker).

    A thread worker runs in the event loop's executor, whose threads are joined when the app
    exits: quitting would wait for a 1 GB digest to finish parsing. A daemon thread is left
    behind instead, and what it returns after the app has quit goes nowhere.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(settle: Callable[[], object]) -> None:
        def on_the_loop() -> None:
            if not future.done():  # else the worker was cancelled (the app quit, the screen went)
                settle()

        with contextlib.suppress(RuntimeError):  # the loop has closed: the app has quit
            loop.call_soon_threadsafe(on_the_loop)

    def run() -> None:
        try:
            result = function()
        except BaseException as error:
            deliver(partial(future.set_exception, error))
            return
        deliver(partial(future.set_result, result))

    threading.Thread(target=run, name=name, daemon=True).start()
    return await future
