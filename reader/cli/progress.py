"""A download's progress on standard error, for `--print` of a digest from the web."""

from __future__ import annotations

import shutil
import sys
import time

from reader.ascii import can_write
from reader.cli.parse import PROG
from reader.sources.fetch import size_text
from reader.text import inert


class StderrBar:
    """A download's progress on standard error (a terminal): one line redrawn, wiped at the end."""

    WIDTH = 24

    def __init__(self) -> None:
        self._drawn = 0.0
        self._shown = False
        # Without UTF-8 (LC_ALL=C): ASCII of the same width.
        self._glyphs = "█░…" if can_write(sys.stderr, "█░…") else "#-."

    def __call__(self, url: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._drawn < 0.1 and done != total:
            return
        self._drawn = now
        size = f"{size_text(done)} of {size_text(total)}" if total else size_text(done)
        bar = ""
        if total:
            filled = min(self.WIDTH, self.WIDTH * done // total)
            bar = self._glyphs[0] * filled + self._glyphs[1] * (self.WIDTH - filled) + " "
        head, address = f"{PROG}: fetching ", inert(url)
        width = shutil.get_terminal_size((80, 24)).columns - 1
        # One line, or the next redraw cannot wipe it: drop the bar, then shorten the URL.
        if len(head) + len(address) + 1 + len(bar) + len(size) > width:
            bar = ""
        room = width - len(head) - 1 - len(size)
        if len(address) > room:
            address = address[: max(0, room - 1)] + self._glyphs[2]
        line = f"{head}{address} {bar}{size}"[:width]
        try:
            sys.stderr.write(f"\r\x1b[K{line}")
            sys.stderr.flush()
        except (OSError, ValueError):
            return
        self._shown = True

    def close(self) -> None:
        if self._shown:
            try:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            self._shown = False
