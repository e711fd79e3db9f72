"""Opening the reader (the TUI) from the command line: when the digest is read (a small one
before the App starts, so its errors print at once; a big one or a download behind the loading
screen), the terminal as standard input after a pipe, the App's exit status."""

from __future__ import annotations

import os
import sys

from reader import environment
from reader.ascii import fall_back
from reader.cli.digests import check_week, source_bytes
from reader.cli.parse import UsageError
from reader.cli.report import warn
from reader.exits import EXIT_OK
from reader.model import Digest
from reader.settings import Settings
from reader.sources.source import DigestSource
from reader.state import StateStore

LOAD_IN_APP_BYTES = 8 * 1024 * 1024
"""Digests bigger than this load inside the TUI, behind a progress bar; smaller ones before it."""


def run_tui(settings: Settings) -> int:
    """The TUI: a small digest is loaded first (errors print at once); a big one loads inside
    the app behind a progress bar, and its error, if any, is printed when the app has closed."""
    from reader.app import ReaderApp

    source = DigestSource(settings.sources, settings.fetching, watch=settings.watch)
    digest: Digest | None = None
    if not source.reloadable:  # standard input: read before the app takes the terminal
        digest = source.load()
        _reattach_terminal()
    elif not source.downloads and source_bytes(settings.sources) <= LOAD_IN_APP_BYTES:
        digest = source.load()
    # else big files, or a download: behind the loading screen's progress bar
    if digest is not None:
        check_week(digest, settings.asked_week, default="latest")  # a week the digest lacks
    store = StateStore(sync_dir=settings.sync_dir)  # its warnings are the app's to show
    try:
        app = ReaderApp(digest, source=source, state=store, settings=settings)
        for stream in (sys.__stderr__, sys.stdout):  # Textual draws on the first
            fall_back(stream)
        if served() and environment.serve_spare():  # started before its tab: its size comes
            from reader.spare import wait_for_size

            if not wait_for_size():
                return EXIT_OK
            store.refresh()  # what other readers saved while this one waited for its tab
        app.run()
    finally:
        store.close()
        for warning in store.warnings:  # what closing could not save
            warn(warning)
    if app.load_error is not None:
        raise app.load_error
    return_code = app.return_code
    return return_code if isinstance(return_code, int) else EXIT_OK


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        return False


def _reattach_terminal() -> None:
    """After a digest was read from a pipe, give the TUI the terminal as standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError as error:
        raise UsageError(
            "the digest came from standard input and there is no terminal for the reader; "
            "use --print"
        ) from error
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the process


def served() -> bool:
    """True inside textual-serve: its web driver talks through the pipes it gave the app."""
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")
