"""Stopping what a test or a bench started: a server, as Ctrl+C does; a private tmux server,
with its socket file; the bench itself, when it is sent SIGTERM. Standard library only: the
benches import it as a script's neighbour, without pytest."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from types import FrameType
from typing import Any


def interrupt(process: subprocess.Popen[Any], timeout: float) -> None:
    """SIGINT (Ctrl+C) to `process` if it still runs; killed if it has not ended `timeout`
    seconds later."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def tmux_socket(name: str) -> Path:
    """The socket file of `tmux -L NAME`, where tmux puts it: `$TMUX_TMPDIR` (else /tmp), then
    `tmux-UID/NAME`."""
    folder = os.environ.get("TMUX_TMPDIR") or "/tmp"
    return Path(os.path.realpath(folder)) / f"tmux-{os.getuid()}" / name


def end_tmux(name: str, timeout: float = 20) -> None:
    """Kill the private tmux server `-L NAME` (and with it every program in its panes), then
    remove its socket file: tmux leaves it behind when its server ends, one file a run."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["tmux", "-L", name, "-f", os.devnull, "kill-server"],
            capture_output=True,
            timeout=timeout,
        )
    tmux_socket(name).unlink(missing_ok=True)


def _terminated(number: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + number)


def exit_on_sigterm() -> None:
    """A bench sent SIGTERM (`kill PID`, the end of a session) unwinds as on Ctrl+C: its
    `finally` blocks stop its tmux server and remove its temporary folders."""
    signal.signal(signal.SIGTERM, _terminated)
