"""Test hygiene, as a pytest plugin (`tests/conftest.py` loads it): no test leaves the process's
global state changed, and none takes more than `MEMORY_LIMIT` of memory.

Global state: the environment, the working directory, signal handlers, and the garbage
collector (on or off, its thresholds, objects frozen with `gc.freeze`). Each is compared before
the test's setup and after its teardown; a change is restored and the test fails in its
teardown, naming what it left changed.

Processes: every test runs with `READER_TEST_RUN` (a token of this run) and `TMUX_TMPDIR` (a
folder of this run) in its environment, which whatever it starts inherits, tmux servers and
the programs in their panes included. After its teardown, a tmux socket left in that folder
(a server still running, or the file tmux keeps after its server ended: `tests.processes.end_tmux`
removes both) or a process carrying the token still running after `GRACE` seconds fails the
test; the server or process is killed, the socket removed. A process started while fixtures
were set up (a module's browser) may live until the last test of its module.

Memory: the peak resident size of the test process during each test (Linux: the peak is reset
before each test through `/proc/self/clear_refs`; elsewhere a test shows only when it raises
the process's peak), and of the child processes it waited for (when it raised their peak). A
test over the limit fails; the end of the run lists the tests that took the most, and
`READER_RSS_REPORT=FILE` writes every test's figures to FILE (tab-separated).
"""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

MEMORY_LIMIT = 1 << 30
"""Bytes a test may take at its peak: in the test process over what was resident when it began
(the process keeps what earlier tests left, ~750 MiB by the end of the suite), or in a child it
waited for."""
SHOWN = 8
"""Tests listed at the end of the run, those with the highest peaks."""

RUN_MARK = "READER_TEST_RUN"
"""The environment variable whose value marks the processes this run started."""
GRACE = float(os.environ.get("READER_TEST_GRACE") or 5)
"""Seconds a process or a tmux server may take to end after its test (a killed tmux server's
panes get SIGHUP and take a moment)."""

_CLEAR_REFS = Path("/proc/self/clear_refs")
_PROC = Path("/proc")
_STATUS = Path("/proc/self/status")
_SIGNALS = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP)]
_BEFORE = pytest.StashKey[dict[str, Any]]()
_PEAKS = pytest.StashKey[list[tuple[str, int, int, int]]]()
_SET_UP = pytest.StashKey[set[int]]()
_RUN = pytest.StashKey[tuple[str, Path]]()


# --- global state ---------------------------------------------------------------------------


def _handlers() -> dict[int, Any]:
    found: dict[int, Any] = {}
    for number in _SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            found[number] = signal.getsignal(number)
    return found


def _global_state() -> dict[str, Any]:
    return {
        "environment": dict(os.environ),
        "cwd": os.getcwd(),
        "signals": _handlers(),
        "gc": (gc.isenabled(), gc.get_threshold()),
        "frozen": gc.get_freeze_count(),
    }


def _restore(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Put back what changed; what it was, in words."""
    changed: list[str] = []
    if after["environment"] != before["environment"]:
        old, new = before["environment"], after["environment"]
        names = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        changed.append(f"environment variables {', '.join(names)}")
        os.environ.clear()
        os.environ.update(old)
    if after["cwd"] != before["cwd"]:
        changed.append(f"the working directory ({before['cwd']} -> {after['cwd']})")
        os.chdir(before["cwd"])
    moved = [n for n, h in after["signals"].items() if before["signals"].get(n) != h]
    if moved:
        changed.append("signal handlers of " + ", ".join(signal.Signals(n).name for n in moved))
        for number in moved:
            handler = before["signals"].get(number)
            if handler is not None:
                signal.signal(number, handler)
    if after["gc"] != before["gc"]:
        changed.append(f"the garbage collector (on, thresholds: {before['gc']} -> {after['gc']})")
        enabled, thresholds = before["gc"]
        gc.set_threshold(*thresholds)
        (gc.enable if enabled else gc.disable)()
    if after["frozen"] > before["frozen"]:
        changed.append(f"{after['frozen'] - before['frozen']} objects frozen by gc.freeze()")
        if before["frozen"] == 0:
            gc.unfreeze()
    return changed


# --- memory -----------------------------------------------------------------------------------


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")  # resets the peak resident size (VmHWM)
    except OSError:
        return False
    return True


def _status(field: str) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return None


def _peak_bytes() -> int:
    """The test process's peak resident size (since the last reset, on Linux)."""
    peak = _status("VmHWM:")
    if peak is not None:
        return peak
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _children_peak() -> int:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale


def _size(count: int) -> str:
    return f"{count / (1 << 20):,.0f} MiB"


# --- processes and tmux servers ---------------------------------------------------------------


def _pids() -> set[int]:
    with contextlib.suppress(OSError):
        return {int(name) for name in os.listdir(_PROC) if name.isdigit()}
    return set()


def _marked(token: str) -> dict[int, str]:
    """The running processes (not zombies: they have no environment) that carry `token`, but
    this one: their command lines."""
    mark = f"{RUN_MARK}={token}\0".encode()
    found: dict[int, str] = {}
    for pid in _pids() - {os.getpid()}:
        try:
            environment = (_PROC / str(pid) / "environ").read_bytes()
            if mark not in b"\0" + environment:
                continue
            command = (_PROC / str(pid) / "cmdline").read_bytes()
        except OSError:  # ended meanwhile, or not ours to read
            continue
        found[pid] = command.replace(b"\0", b" ").decode(errors="replace").strip()[:160]
    return found


def _still_running(token: str, found: dict[int, str]) -> dict[int, str]:
    """Those of `found` still running after at most `GRACE` seconds."""
    deadline = time.monotonic() + GRACE
    while found and time.monotonic() < deadline:
        time.sleep(0.05)
        now = _marked(token)
        found = {pid: command for pid, command in found.items() if pid in now}
    return found


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _tmux_sockets(folder: Path) -> list[Path]:
    sockets = folder / f"tmux-{os.getuid()}"
    with contextlib.suppress(OSError):
        return sorted(sockets.iterdir())
    return []


def _end_tmux(path: Path) -> None:
    if shutil.which("tmux") is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["tmux", "-S", str(path), "kill-server"], capture_output=True, timeout=10
            )
    path.unlink(missing_ok=True)


def _tmux_left(folder: Path) -> list[str]:
    """What the tmux servers of the test left, in words; each server killed, each socket
    removed."""
    left: list[str] = []
    for path in _tmux_sockets(folder):
        deadline = time.monotonic() + GRACE
        running = _answers(path)
        while running and time.monotonic() < deadline:
            time.sleep(0.05)
            running = path.exists() and _answers(path)
        if running:
            left.append(f"a tmux server running (-L {path.name})")
        elif path.exists():
            left.append(
                f"the socket file of an ended tmux server (-L {path.name}): tmux keeps it;"
                " tests.processes.end_tmux removes it"
            )
        _end_tmux(path)
    return left


def _processes_left(item: pytest.Item, nextitem: pytest.Item | None) -> list[str]:
    """The processes the test started and left running, in words, each killed. One that was
    already running when the test's fixtures were set up counts only after the last test of
    its module (a module's fixture may keep it)."""
    token, _ = item.config.stash[_RUN]
    found = _marked(token)
    if not found:
        return []
    last_of_module = nextitem is None or nextitem.path != item.path
    if not last_of_module:
        set_up = item.stash.get(_SET_UP, set())
        found = {pid: command for pid, command in found.items() if pid not in set_up}
        if not found:
            return []
    found = _still_running(token, found)
    left = []
    for pid, command in sorted(found.items()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        left.append(f"a process running (pid {pid}: {command})")
    return left


def pytest_configure(config: pytest.Config) -> None:
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    folder = Path(tempfile.mkdtemp(prefix="reader-tmux-"))
    config.stash[_RUN] = (token, folder)
    os.environ[RUN_MARK] = token
    os.environ["TMUX_TMPDIR"] = str(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is None:
        return
    token, folder = run
    for path in _tmux_sockets(folder):
        _end_tmux(path)
    for pid in _marked(token):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


# --- hooks ------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    before = _global_state()
    before["reset"] = _reset_peak()
    before["self"] = _peak_bytes()
    before["resident"] = _status("VmRSS:") or 0
    before["children"] = _children_peak()
    item.stash[_BEFORE] = before
    result = yield
    item.stash[_SET_UP] = _pids()  # what runs now may be a fixture's for the whole module
    return result


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    result = yield
    before = item.stash.get(_BEFORE, None)
    if before is None:
        return result
    own = _peak_bytes()
    own = own if before["reset"] or own > before["self"] else 0
    children = _children_peak()
    children = children if children > before["children"] else 0
    now = _status("VmRSS:") or 0
    grew = max(0, own - before["resident"]) if before["reset"] else own
    item.config.stash.setdefault(_PEAKS, []).append((item.nodeid, grew, children, now))
    changed = _restore(before, _global_state())
    problems = [f"left changed: {what}" for what in changed]
    if _RUN in item.config.stash:
        problems += [f"left {what}" for what in _tmux_left(item.config.stash[_RUN][1])]
        problems += [f"left {what}" for what in _processes_left(item, nextitem)]
    grown = own - before["resident"] if before["reset"] else 0
    # A forked child (multiprocessing, a test's fork) starts with a copy of this process's
    # resident set, and its peak counts it: a child is judged by what it took over that.
    child_took = max(0, children - before["resident"]) if children else 0
    for whose, peak in (("the test process grew", grown), ("a child process took", child_took)):
        if peak > MEMORY_LIMIT:
            problems.append(
                f"{whose} by {_size(peak)} during this test (the limit is "
                f"{_size(MEMORY_LIMIT)}: README, Development)"
            )
    if problems:
        raise AssertionError("test hygiene: " + "; ".join(problems))
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    peaks = terminalreporter.config.stash.get(_PEAKS, [])
    if not peaks:
        return
    report = os.environ.get("READER_RSS_REPORT")
    if report:
        lines = ["test\tpeak_over_start_bytes\tpeak_children_bytes\trss_after_bytes"]
        lines += ["\t".join(map(str, row)) for row in peaks]
        Path(report).write_text("\n".join(lines) + "\n")
    terminalreporter.section("peak memory per test (over what was resident when it began)")
    top = sorted(peaks, key=lambda row: -max(row[1], row[2]))[:SHOWN]
    for name, own, children, _ in top:
        child = f", a child {_size(children)}" if children else ""
        terminalreporter.write_line(f"{_size(own):>10} {name}{child}")
    largest = max(peaks, key=lambda row: row[3])
    terminalreporter.write_line(
        f"resident after the tests: at most {_size(largest[3])} (after {largest[0]}), "
        f"{_size(peaks[-1][3])} at the end"
    )
