"""The local clipboard through pyperclip, where one is plausible. Never raises. No Textual here.

OSC 52 (App.copy_to_clipboard) is always used as well: it works over SSH and inside tmux.
"""

from __future__ import annotations

import os
import sys


def local_clipboard_plausible() -> bool:
    """True where a local clipboard can exist: macOS, Windows, or a local X11/Wayland session."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def copy_local(text: str) -> bool:
    """Copy `text` with pyperclip; False (never an exception) when that is not possible."""
    if not local_clipboard_plausible():
        return False
    try:
        import pyperclip  # type: ignore[import-untyped]

        pyperclip.copy(text)
    except Exception:  # pyperclip raises PyperclipException, OSError, FileNotFoundError, ...
        return False
    return True
