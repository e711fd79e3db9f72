"""Headless Chromium for the browser test and the browser bench: where it is and how it is started
(Debian's `chromium`; `READER_CHROMIUM` names another). Standard library only: the bench imports it
as a script's neighbour, without pytest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",  # without these Chromium calls hosts on the internet
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """The Chromium to run, or None when there is none."""
    for candidate in (os.environ.get("READER_CHROMIUM"), shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None
