"""In a real terminal (tmux, private socket): keys sent in one burst land where they were typed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.state import StateStore
from tests.processes import end_tmux

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)


class Terminal:
    """A reader in a detached tmux session on a socket of its own."""

    def __init__(self, socket: str, state: Path) -> None:
        self.socket = socket
        self.state = state

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", os.devnull, *args],
            capture_output=True, text=True, timeout=20, check=True,
        )  # fmt: skip
        return result.stdout

    def start(self, *reader_args: str) -> None:
        command = [
            "env", f"READER_STATE_DIR={self.state}", "TERM=xterm-256color",
            sys.executable, "-m", "reader", "--read-after", "-1", *reader_args,
        ]  # fmt: skip
        self.tmux("new-session", "-d", "-s", "r", "-x", "120", "-y", "40", " ".join(command))

    def quit(self) -> None:
        """q, and wait until the reader (and with it the session) has ended."""
        self.tmux("send-keys", "-t", "r", "q")
        deadline = time.monotonic() + 20
        while self.alive():
            assert time.monotonic() < deadline, "the reader did not quit"
            time.sleep(0.05)

    def alive(self) -> bool:
        command = ["tmux", "-L", self.socket, "-f", os.devnull, "has-session", "-t", "r"]
        return subprocess.run(command, capture_output=True, timeout=20).returncode == 0

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "r")

    def wait_for(self, condition: Callable[[str], bool], what: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{text}")
            time.sleep(0.05)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(f"reader-test-{os.getpid()}-{tmp_path.name}", tmp_path / "state")
    try:
        yield term
    finally:
        end_tmux(term.socket)  # the server, its panes and its socket file


def header(text: str) -> str:
    return text.splitlines()[0] if text else ""


def settled(term: Terminal, seconds: float = 0.6) -> str:
    """The screen once it has stopped changing for `seconds`."""
    last, since = term.screen(), time.monotonic()
    deadline = time.monotonic() + 20
    while time.monotonic() - since < seconds:
        assert time.monotonic() < deadline, "the screen never settled"
        time.sleep(0.05)
        now = term.screen()
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_a_pasted_filter_types_and_stars_nothing(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for(lambda t: "2023-06-25 · 10 papers" in header(t), "the reader")
    terminal.tmux("send-keys", "-t", "r", "-l", "/diffusion")  # one burst, as a paste
    text = terminal.wait_for(lambda t: "diffusion" in header(t), "the filter to apply")
    text = settled(terminal)
    assert "2023-06-25 · 0 of 10 papers · diffusion" in header(text)
    terminal.tmux("send-keys", "-t", "r", "Escape")  # out of the filter: q quits
    terminal.wait_for(lambda t: "2023-06-25 · 10 papers" in header(t), "the filter to clear")
    terminal.quit()
    store = StateStore(terminal.state)
    try:
        assert store.starred_keys() == frozenset()
        from reader.sources.loader import load_digest

        keys = [paper.key for paper in load_digest().papers]
        assert not any(store.snapshot_read(keys).values())
    finally:
        store.close()


def test_enter_then_a_is_the_all_weeks_command(terminal: Terminal) -> None:
    terminal.start()
    terminal.wait_for(lambda t: "2023-06-25 · 10 papers" in header(t), "the reader")
    terminal.tmux("send-keys", "-t", "r", "/", "segment anything", "Enter", "a")  # one burst
    text = terminal.wait_for(lambda t: "All weeks" in header(t), "all weeks")
    text = settled(terminal)
    assert "All weeks · 2 of 123 papers" in header(text)
    filter_bar = text.splitlines()[1].rstrip()
    assert filter_bar.endswith(" segment anything")  # beside the sidebar; no `a` in it
    terminal.tmux("send-keys", "-t", "r", "Escape")
    settled(terminal)
    terminal.quit()
