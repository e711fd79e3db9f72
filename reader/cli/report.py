"""What the command line says on standard error: `reader: error: ...`, `reader: warning: ...`,
notes, the state store's warnings; every line terminal-safe (`reader.text.inert`)."""

from __future__ import annotations

import os
import sys
from datetime import date

from reader.cli.parse import PROG
from reader.exits import EXIT_NO_MATCH
from reader.model import week_label
from reader.state import StateStore
from reader.text import inert


def error(message: str) -> None:
    """One line on standard error: `reader: error: MESSAGE`, made terminal-safe."""
    say(f"error: {message}")


def warn(message: str) -> None:
    say(f"warning: {message}")


def say(message: str) -> None:
    try:
        sys.stderr.write(f"{PROG}: {inert(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def no_match(query: str, week: date | None, elsewhere: int = 0, then: str = "") -> int:
    """Say that no paper matches (`query`, in `week` unless None; `elsewhere` of them in the
    other weeks), then `then` (what was not done); EXIT_NO_MATCH."""
    where = "" if week is None else f" in week {week_label(week)}"
    what = f"no papers match '{query}'" if query else "no papers in the digest"  # made inert
    others = f"; {elsewhere} in other weeks (--week all)" if elsewhere else ""
    say(f"{what}{where}{others}{then}")
    return EXIT_NO_MATCH


def describe_os_error(failure: OSError) -> str:
    reason = failure.strerror or str(failure)
    if failure.filename is not None:
        return f"{os.fsdecode(failure.filename)}: {reason}"
    return reason


def show_warnings(store: StateStore, shown: int = 0) -> int:
    """Print the store's warnings from number `shown` on; the number shown in all."""
    for warning in store.warnings[shown:]:
        warn(warning)
    return len(store.warnings)
