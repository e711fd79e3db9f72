"""Opening links in a web browser without blocking the UI. No Textual here."""

from __future__ import annotations

import contextlib
import os
import sys
import threading


def browser_plausible() -> bool:
    """True where a graphical browser can open: $BROWSER set, macOS, Windows, or a display.

    Over SSH with no display, Python's webbrowser would pick a console browser that fights the
    TUI for the terminal, so reader copies the link instead.
    """
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open(url: str) -> None:
    import webbrowser  # when a link is opened, not at start-up

    with contextlib.suppress(Exception):  # a broken browser setup is not the reader's crash
        webbrowser.open(url, new=2)


def open_in_browser(url: str) -> None:
    """Open `url` in a daemon thread: a slow browser command never freezes the keyboard."""
    threading.Thread(target=_open, args=(url,), name="reader-browser", daemon=True).start()
