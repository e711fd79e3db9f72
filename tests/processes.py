"""Stopping a server a test or a bench started, as Ctrl+C does. Standard library only: the
benches import it as a script's neighbour, without pytest."""

from __future__ import annotations

import signal
import subprocess
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
