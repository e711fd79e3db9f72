"""reader's performance budget (issue 6), measured in one run: `make bench`.

Run: `.venv/bin/python tests/benchmarks/run.py [--sizes 1k,10k,100k] [--quick] [--runs N]`
(not collected by pytest). It generates the synthetic digests once (`generate.py`, reused from
`tests/benchmarks/out/`), then measures, in this order and in the same run:

1. Startup: `.venv/bin/reader` on the bundled digest against `bare_app.py` (App, Header, Footer, one
   Static), each spawned in a fresh tmux session of 120x40, runs interleaved; median ms from spawn
   until fully painted. Goal: ratio <= 1.25. The bare app's key (`x` updating its Static) is the
   floor every key below is measured against.
2. Open, per size: `reader FILE` until fully painted, minus the bare app, against the floor:
   reading the same file and `splitlines()` in Python (`open(rb).read().decode().splitlines()`,
   the least any loader does), median of several runs in this process. Each run is a first open
   (an empty $READER_CACHE_DIR: parsed and the cache written) and a second open of the unchanged
   file (the cache read). Goals at 100k: first <= 2.5x, second <= 1.5x.
3. Keys, per size, in the last second open: a cursor move (Down), a week switch ([), and filter
   keystrokes (`/`, then a word typed one letter at a time), each from `send-keys` until the
   screen shows the new state; the median over the presses, against the bare app's key. Goals:
   cursor <= 1.5x, week <= 2x, filter <= 2x (issue 26), and at 100k each within 1.5x of its 1k
   figure. Then `~` (More like this) on a paper of the filtered list until the header says "More
   like": the first builds the similarity index (in a thread), the next (Esc, Down, ~) are timed,
   and less the `like:ID` of step 7 (the ranking, off the UI thread) must be a usual key: <= 3.5x.
4. Idle CPU: 0.5 s after that instance painted, its CPU time (its CPU clock) over 2 s. Goal: none
   (<= 1% of a core). GC pauses: reader runs under `gc_log.py`, which logs every collection of
   0.5 ms or more; the longest one while the keys were pressed. Goal: <= 5 ms (no full
   collection mid-key).
5. Memory, per size: VmRSS (/proc/PID/status) of that instance just after loading and again after
   the keys (the search index is built by then), against the file's size. Goal at 100k: <= 2x.
6. `reader FILE --print --format json --query QUERY > /dev/null` (the cache warm), wall time from
   spawn to exit, median, against the same floor. Goal at 100k: <= 2x.
7. `like:` in process (`similar_bench.py`, in a process of its own per size): `like:ID` and
   `like:starred` with 50 starred papers, the whole query, against sorting every paper by a
   precomputed key in the same run; the similarity index's memory against the file. Goals at
   100k: `like:ID` <= 3x (about 50 ms), `like:starred` <= 12x (about 200 ms), memory <= 0.3x.
8. A first open at 100k with a query typed at its first paint, and the memory of the first and
   second opens (`first_open.py`, issue 26): the result after the last key against the read
   floor (goal <= 3x), the first open's peak against the file (<= 2.5x), a second open's memory
   (<= 1.0x). `--million` adds the same at 1M papers (a 1.4 GB digest, generated once; minutes:
   run it alone, under nice), with its memory once the background work is over (<= 1.5x) and
   short needles typed in a burst: each key's echo (<= 50 ms) and the burst's CPU against one
   such needle alone (<= 2x: superseded work stops).
9. Start-up work (`startup_work.py`, needs valgrind; `--skip-work` leaves it out): the
   instructions the bare app and reader execute until their screen is there, complete (reader:
   the abstract pane's text too), counted by cachegrind (deterministic, where wall-clock ratios
   move by ±0.3x on this machine). Goal <= 1.25x. And what each writes to the terminal in the
   second after: reader's first frame is complete, so no more than the bare app's (Textual
   lays a screen out a second time after its first layout, and repaints it on resume).
10. The browser (`browser_paint.py`, needs playwright and Chromium; `--skip-browser` leaves it
   out): `reader --serve` and the bare app under textual-serve, each opened in headless
   Chromium, interleaved; navigation until xterm.js drew the screen, complete. Goal <= 1.1x
   the bare app's, with one full frame.

How "painted" is decided: tmux runs on a private socket (`-L reader-bench-PID`, no config, status
line off) and this script talks to it through one control-mode client (`tmux -C`), so a capture
costs a fraction of a millisecond instead of a process spawn. It polls `capture-pane -p -e` every
`--poll-ms` (2 ms) until the screen passes a content check and has not changed (colours included)
for a settle time (0.3 s at startup, 0.15 s after a key); the time reported is when that final
screen was first seen. The checks, on the plain text:
- bare app: its Static's text and the footer's "Quit";
- reader: the footer's "Quit", the digest's name, the title of the newest week's first paper shown
  twice (list and abstract pane), and (for the synthetic digests) the paper count, so a
  progressive load counts only once every paper is in;
- cursor move / week switch: the next paper's title shown twice (and the week in the header);
- filter keystroke: the header ends its subtitle with the query typed so far (`· quantized`), which
  the screen writes only after filtering.
Reading state goes to a temporary READER_STATE_DIR, never the user's own.
The table is printed and written to tests/benchmarks/out/results.md.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import gc
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if __package__ in (None, ""):  # run as a script
    sys.path[:0] = [str(HERE), str(ROOT)]

import browser_paint  # noqa: E402
import first_open  # noqa: E402
import generate  # noqa: E402
import similar_bench  # noqa: E402
import startup_work  # noqa: E402
from bare_app import TEXT as BARE_TEXT  # noqa: E402

from reader.model import Digest  # noqa: E402
from reader.sources.loader import BUNDLED, load_digest  # noqa: E402
from tests.processes import exit_on_sigterm, tmux_socket  # noqa: E402

BIN = Path(sys.executable).parent
READER = BIN / "reader"
READER_ARGV = [str(READER)]
"""How reader is started (`--tree` runs another checkout's code: `python -m reader`)."""
BARE_APP = HERE / "bare_app.py"
WIDTH, HEIGHT = 120, 40
FILTER_WORD = "quantized"
PRINT_QUERY = "quantized reward"
TITLE_PREFIX = 48
"""Characters of a title that must show twice (list row and abstract pane)."""

GOAL_STARTUP = 1.25
GOAL_STARTUP_WORK = 1.25
"""Instructions until the bundled digest is on screen, complete, against the bare app's
(`startup_work.py`, issue 26)."""
GOAL_KEYS = {"cursor": 1.5, "week": 2.0, "filter": 2.0}
"""Each key's round trip against the bare app's key (issue 26; 2 / 3.5 / 3.5 in issue 12), at
every size."""
GOAL_MORE_LIKE = 3.5
"""`~` less its ranking against the bare app's key: a usual key (issue 27, issue 12's week key)."""
GOAL_TYPED = 3.0
"""A first open with a query typed at its first paint: the result after the last key, against
the read floor (`first_open.py`, issue 26)."""
GOAL_PEAK = 2.5
"""That first open's peak memory (VmHWM), against the file."""
GOAL_STEADY = 1.5
"""That first open's memory once its background work is over, against the file (judged at 1M)."""
GOAL_SECOND = 1.0
"""Memory just after a second open (the cache), against the file."""
GOAL_ECHO_MS = 50.0
"""The slowest echo of a key typed while a short needle is searched (1M): no key waits for it."""
GOAL_BURST = 2.0
"""The CPU of a burst of short needles against one alone (1M): superseded work stops."""
MILLION = "1000k"
GOAL_KEY_SCALE = 1.5
"""At the big size, each key within this ratio of its figure at the small size."""
GOAL_LOAD = 2.5
"""First open: the load until painted, minus the bare app, against the read floor."""
GOAL_REOPEN = 1.5
"""Second open of the unchanged digest (the parsed-digest cache), against the read floor."""
GOAL_MEMORY = 2.0
GOAL_PRINT = 2.0
GOAL_IDLE_CPU = 1.0
"""Percent of a core used while idle after loading (measured over IDLE_SECONDS)."""
GOAL_GC_PAUSE_MS = 5.0
"""The longest garbage collection while the keys are pressed."""
IDLE_SECONDS = 2.0
GOAL_SIZE = "100k"
"""Where the load, memory and --print goals are judged (other sizes: for information)."""
SMALL_SIZE = "1k"
GC_WRAPPER = HERE / "gc_log.py"

_ANSI = re.compile(r"\x1b\[[0-9;:?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()=>]")


def plain(screen: str) -> str:
    return _ANSI.sub("", screen)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- tmux --------------------------------------------------------------------------------------


class TmuxError(RuntimeError):
    pass


def _quote(text: str) -> str:
    """A tmux command-language string (double quotes: backslash, quote and $ escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


class Tmux:
    """A private tmux server and one control-mode client to send it commands quickly."""

    def __init__(self, env: dict[str, str], cwd: Path = ROOT) -> None:
        self.socket = f"reader-bench-{os.getpid()}"
        self.cwd = cwd
        """Where every program starts: the measured checkout (`python -m reader` puts the
        working directory first on sys.path, ahead of PYTHONPATH)."""
        self.base = ["tmux", "-L", self.socket, "-f", os.devnull]
        self.env = env
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "ctl", *size], env=env, cwd=cwd, check=True
        )
        self.client = subprocess.Popen(
            [*self.base, "-C", "attach-session", "-t", "ctl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        self._sync()
        for option in ("status off", "remain-on-exit on", "history-limit 0"):
            self.command(f"set-option -g {option}")
        self.sessions = 0

    def _sync(self) -> None:
        """Skip the attach command's own reply: wait for the answer to a marker."""
        marker = f"sync-{os.getpid()}"
        self._send(f"display-message -p {marker}")
        while self._block() != [marker]:
            pass

    def _send(self, line: str) -> None:
        assert self.client.stdin is not None
        self.client.stdin.write(line.encode() + b"\n")
        self.client.stdin.flush()

    def _block(self) -> list[str]:
        """The output lines of the next %begin ... %end block (notifications are skipped)."""
        assert self.client.stdout is not None
        readline = self.client.stdout.readline
        number = ""
        while True:
            raw = readline()
            if not raw:
                raise TmuxError("the tmux control client ended")
            if raw.startswith(b"%begin "):
                parts = raw.split()
                number = parts[2].decode()
                if parts[3:4] == [b"1"]:  # flag 1: a command of this client
                    break
                self._skip(number)  # e.g. the attach command's reply, which may come late
        out: list[str] = []
        while True:
            raw = readline()
            if not raw:
                raise TmuxError("the tmux control client ended")
            if raw.startswith((b"%end ", b"%error ")):
                parts = raw.split()
                if len(parts) >= 3 and parts[2].decode() == number:
                    if raw.startswith(b"%error"):
                        raise TmuxError("\n".join(out) or raw.decode())
                    return out
            out.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _skip(self, number: str) -> None:
        assert self.client.stdout is not None
        while True:
            raw = self.client.stdout.readline()
            if not raw:
                raise TmuxError("the tmux control client ended")
            parts = raw.split()
            if raw.startswith((b"%end ", b"%error ")) and parts[2:3] == [number.encode()]:
                return

    def command(self, line: str) -> list[str]:
        self._send(line)
        return self._block()

    def spawn(
        self, argv: Sequence[str], env: dict[str, str] | None = None
    ) -> tuple[str, int, float]:
        """Start `argv` in a new 120x40 session (with `env` added to the server's environment):
        (target, pid, the perf_counter at the request)."""
        self.sessions += 1
        name = f"run{self.sessions}"
        shell = "exec " + " ".join(shlex.quote(arg) for arg in argv)
        extra = "".join(f" -e {_quote(f'{key}={value}')}" for key, value in (env or {}).items())
        line = (
            f"new-session -d -P -F '#{{pane_pid}}' -s {name} -x {WIDTH} -y {HEIGHT}{extra}"
            f" -c {_quote(str(self.cwd))} {_quote(shell)}"
        )
        started = time.perf_counter()
        out = self.command(line)
        return f"{name}:0.0", int(out[0]), started

    def capture(self, target: str) -> str:
        return "\n".join(self.command(f"capture-pane -p -e -t {target}"))

    def keys(self, target: str, key: str, literal: bool) -> float:
        """Send a key; the perf_counter just before sending."""
        started = time.perf_counter()
        if literal and key.startswith("~"):  # tmux reads a leading ~ as the home directory
            self.command(f"send-keys -t {target} -H {' '.join(f'{b:02x}' for b in key.encode())}")
        else:
            self.command(f"send-keys -t {target} {'-l ' if literal else ''}{_quote(key)}")
        return started

    def dead(self, target: str) -> bool:
        return self.command(f"display-message -p -t {target} '#{{pane_dead}}'") == ["1"]

    def kill(self, target: str, pid: int) -> None:
        self.command(f"kill-session -t {target.split(':')[0]}")
        deadline = time.perf_counter() + 5
        while _alive(pid):
            if time.perf_counter() > deadline:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def close(self) -> None:
        with contextlib.suppress(TmuxError):
            self.command("kill-server")
        tmux_socket(self.socket).unlink(missing_ok=True)  # tmux leaves it behind
        self.client.wait(timeout=5)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().split(") ", 1)[1][:1] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


@dataclass
class Paint:
    ms: float
    """From the request (spawn or key) until the final screen was first seen."""
    screen: str
    first_ms: float | None = None
    """When `early` first held (a progressive first paint), if it was given."""


class NotPainted(RuntimeError):
    pass


@dataclass
class Poller:
    tmux: Tmux
    poll: float

    def wait(
        self,
        target: str,
        started: float,
        ready: Callable[[str], bool],
        settle: float,
        timeout: float,
        early: Callable[[str], bool] | None = None,
    ) -> Paint:
        """Poll until `ready(plain screen)` holds and the screen stays the same for `settle`."""
        last = ""
        text = ""
        changed = started
        ok = False
        first: float | None = None
        while True:
            raw = self.tmux.capture(target)
            now = time.perf_counter()
            if raw != last:
                last, changed = raw, now
                text = plain(raw)
                ok = ready(text)
                if first is None and early is not None and early(text):
                    first = now
            elif ok and now - changed >= settle:
                return Paint(
                    (changed - started) * 1000,
                    text,
                    None if first is None else (first - started) * 1000,
                )
            if now - started > timeout:
                dead = " (the program ended)" if self.tmux.dead(target) else ""
                raise NotPainted(f"not painted after {timeout:.0f} s{dead}; the screen:\n{text}")
            time.sleep(self.poll)


# --- what the screens should show --------------------------------------------------------------


def shows_twice(title: str) -> Callable[[str], bool]:
    prefix = title[:TITLE_PREFIX]
    return lambda screen: screen.count(prefix) >= 2


def shows_count(count: int) -> Callable[[str], bool]:
    pattern = re.compile(rf"(?<![\d,]){count}(?![\d,])|(?<![\d,]){count:,}(?![\d,])")
    return lambda screen: pattern.search(screen) is not None


def every(*checks: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda screen: all(check(screen) for check in checks)


def first_line(check: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda screen: check(screen.split("\n", 1)[0])


def matches(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda screen: compiled.search(screen) is not None


def has(text: str) -> Callable[[str], bool]:
    return lambda screen: text in screen


def newest_titles(digest: Digest) -> list[str]:
    """The titles of the newest week's papers in list order."""
    span = digest.week_ranges[digest.weeks[0]]
    return [digest.papers[index].title for index in span]


def reader_ready(digest: Digest, with_count: bool) -> Callable[[str], bool]:
    checks = [has("Quit"), first_line(has(digest.name)), shows_twice(newest_titles(digest)[0])]
    if with_count:
        checks.append(shows_count(len(digest)))
    return every(*checks)


# --- measurements ------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def floor_ms(path: Path, runs: int) -> float:
    """Reading the file and splitting its lines: the least any loader does."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with open(path, "rb") as file:
            lines = file.read().decode("utf-8").splitlines()
        times.append((time.perf_counter() - started) * 1000)
        del lines
        gc.collect()
    return median(times)


def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in kB."""
    values = {}
    with open(f"/proc/{pid}/status") as file:
        for line in file:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def cpu_ticks(pid: int) -> int:
    """User + system CPU time of the process so far, in clock ticks (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as file:
        fields = file.read().rsplit(") ", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (all its threads, ended ones included), to the nanosecond:
    its CPU-time clock (clock_getcpuclockid's id: ~pid << 3 | CPUCLOCK_SCHED). /proc/PID/stat
    counts in 10 ms ticks, and a difference of two readings can be a tick off either way: 0.5%
    of a core over 2 s. Falls back to the ticks where the clock cannot be read."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except OSError:
        return cpu_ticks(pid) / os.sysconf("SC_CLK_TCK")


def idle_cpu(pid: int, seconds: float) -> float:
    """Percent of a core the process used over `seconds` of doing nothing."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds * 100


def wait_for_cache(cache: Path, pid: int, timeout: float = 120) -> None:
    """Until the first open has written its parsed-digest entry and, once built, the search
    text and its token index (all written in threads after the first paint; a digest too small
    to cache, or an older reader without the cache or the index, writes none: give up once the
    process is idle)."""
    deadline = time.perf_counter() + timeout
    idle_since: float | None = None
    while time.perf_counter() < deadline:
        folder = cache / "parsed"
        if all(list(folder.glob(f"*.{kind}")) for kind in ("papers", "search", "tokens")):
            return
        ticks = cpu_ticks(pid)
        time.sleep(0.2)
        if cpu_ticks(pid) - ticks <= 1:
            idle_since = idle_since or time.perf_counter()
            if time.perf_counter() - idle_since > 1.0:
                return
        else:
            idle_since = None


def gc_pauses(log_path: Path, start: float, end: float) -> list[tuple[int, float]]:
    """(generation, ms) of the collections logged by gc_log.py that ended in [start, end]."""
    pauses = []
    with contextlib.suppress(FileNotFoundError):
        for line in log_path.read_text(encoding="utf-8").splitlines():
            when, generation, ms = line.split()
            if start <= float(when) <= end:
                pauses.append((int(generation), float(ms)))
    return pauses


@dataclass
class SizeResult:
    label: str
    papers: int
    file_bytes: int
    floor: float = float("nan")
    load: list[float] = field(default_factory=list)
    first_paint: list[float] = field(default_factory=list)
    reopen: list[float] = field(default_factory=list)
    idle_cpu: float = float("nan")
    gc_keys: list[tuple[int, float]] = field(default_factory=list)
    gc_load: list[tuple[int, float]] = field(default_factory=list)
    cursor: list[float] = field(default_factory=list)
    week: list[float] = field(default_factory=list)
    filter: list[float] = field(default_factory=list)
    more_like: list[float] = field(default_factory=list)
    """~ (More like this), once the similarity index is there."""
    more_like_first: float = float("nan")
    """The first ~, which builds (or reads) the similarity index in a thread."""
    more_like_window: tuple[float, float] = (0.0, 0.0)
    """When the first ~ was sent and answered (perf_counter)."""
    gc_build: list[tuple[int, float]] = field(default_factory=list)
    """The pauses of `gc_keys` that fell while the first ~ built the index (no key is pressed
    then: the collector's full collections run once no key has come for a second)."""
    rss_loaded: int = 0
    rss_used: int = 0
    hwm: int = 0
    print_: list[float] = field(default_factory=list)
    similar: dict[str, object] | None = None
    """`similar_bench.Result` of this size, as its json."""
    errors: list[str] = field(default_factory=list)


@dataclass
class Settings:
    startup_runs: int
    load_runs: dict[str, int]
    presses: int
    print_runs: int
    floor_runs: int
    poll: float


def measure_startup(
    poller: Poller, settings: Settings
) -> tuple[list[float], list[float], list[float]]:
    """(bare app ms, reader ms) from spawn to painted, and the bare app's key round trips."""
    tmux = poller.tmux
    bundled = load_digest(BUNDLED)
    ready_reader = reader_ready(bundled, with_count=False)
    ready_bare = every(has(BARE_TEXT), has("Quit"))
    bare: list[float] = []
    reader: list[float] = []
    keys: list[float] = []
    for run in range(settings.startup_runs):
        for argv, ready, times in (
            ([sys.executable, str(BARE_APP)], ready_bare, bare),
            (READER_ARGV, ready_reader, reader),
        ):
            target, pid, started = tmux.spawn(argv)
            try:
                paint = poller.wait(target, started, ready, settle=0.3, timeout=30)
                times.append(paint.ms)
                if times is bare and run == 0:  # the floor of a key's round trip
                    for press in range(1, settings.presses + 1):
                        sent = tmux.keys(target, "x", True)
                        shown = has(f"Pressed {press}")
                        keys.append(poller.wait(target, sent, shown, settle=0.15, timeout=30).ms)
            finally:
                tmux.kill(target, pid)
        log(f"  startup run {run + 1}: bare {bare[-1]:.0f} ms, reader {reader[-1]:.0f} ms")
    if keys:
        log(f"  bare app, x: {', '.join(f'{t:.0f}' for t in keys)} ms")
    return bare, reader, keys


def measure_size(poller: Poller, settings: Settings, label: str, env: dict[str, str]) -> SizeResult:
    """Per run: a first open (an empty cache directory) and a second open of the same file (the
    cache the first one wrote); the keys, memory, idle CPU and GC pauses in the last second open."""
    tmux = poller.tmux
    path = generate.ensure(label)
    log(f"{label}: {path.name}, {path.stat().st_size / 1e6:.1f} MB; loading it here for the checks")
    digest = load_digest(path)
    result = SizeResult(label, len(digest), path.stat().st_size)
    result.floor = floor_ms(path, settings.floor_runs)
    ready = reader_ready(digest, with_count=True)
    early = shows_twice(newest_titles(digest)[0])
    runs = settings.load_runs.get(label, 1)
    scratch = Path(tempfile.mkdtemp(prefix=f"reader-bench-{label}-"))
    argv = [sys.executable, str(GC_WRAPPER), str(path)]
    try:
        for run in range(runs):
            cache = scratch / f"cache{run}"
            gc_log = scratch / f"gc{run}.log"
            run_env = {"READER_CACHE_DIR": str(cache), "READER_GC_LOG": str(gc_log)}
            for reopen in (False, True):
                target, pid, started = tmux.spawn(argv, run_env)
                keep = reopen and run == runs - 1
                try:
                    paint = poller.wait(
                        target, started, ready, settle=0.3, timeout=180, early=early
                    )
                    (result.reopen if reopen else result.load).append(paint.ms)
                    if paint.first_ms is not None and not reopen:
                        result.first_paint.append(paint.first_ms)
                    which = "second" if reopen else "first"
                    log(f"  run {run + 1}, {which} open: {paint.ms:.0f} ms")
                    if keep:
                        painted = time.perf_counter()
                        result.gc_load = gc_pauses(gc_log, started, painted)
                        time.sleep(0.5)
                        result.idle_cpu = idle_cpu(pid, IDLE_SECONDS)
                        result.rss_loaded, result.hwm = rss_kb(pid)
                        keys_start = time.perf_counter()
                        measure_keys(poller, settings, target, digest, result)
                        result.gc_keys = gc_pauses(gc_log, keys_start, time.perf_counter())
                        result.gc_build = gc_pauses(gc_log, *result.more_like_window)
                        result.rss_used, result.hwm = rss_kb(pid)
                        log(
                            f"  idle CPU {result.idle_cpu:.1f}% of a core; GC pauses while"
                            f" loading {result.gc_load}, during the keys {result.gc_keys}"
                        )
                    if not reopen:  # it goes on writing the cache after painting
                        wait_for_cache(cache, pid)
                except NotPainted as error:
                    result.errors.append(str(error).split("\n", 1)[0])
                    log(f"  {error}")
                finally:
                    tmux.kill(target, pid)
        print_env = {**env, "READER_CACHE_DIR": str(scratch / f"cache{runs - 1}")}
        for _ in range(settings.print_runs):
            argv = [*READER_ARGV, str(path), "--print", "--format", "json", "--query", PRINT_QUERY]
            started = time.perf_counter()
            done = subprocess.run(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=print_env
            )
            elapsed = (time.perf_counter() - started) * 1000
            if done.returncode != 0:
                result.errors.append(
                    f"--print exited {done.returncode}: {done.stderr.decode()[:200]}"
                )
                break
            result.print_.append(elapsed)
        log(f"  --print (cache warm): {', '.join(f'{t:.0f}' for t in result.print_)} ms")
        measure_similar(result, env)
    finally:
        subprocess.run(["rm", "-rf", str(scratch)], check=False)
    return result


def measure_similar(result: SizeResult, env: dict[str, str]) -> None:
    """`like:` in process, in a process of its own (`similar_bench.py`)."""
    argv = [sys.executable, str(HERE / "similar_bench.py"), "--sizes", result.label, "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    if done.returncode != 0 or not done.stdout.strip():
        result.errors.append(f"similar_bench exited {done.returncode}: {done.stderr[-200:]}")
        return
    result.similar = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"  like: {result.similar}")


def _similar_rows(size: SizeResult, bare_key: float) -> list[tuple[str, ...]]:
    found = size.similar
    if found is None:
        return []
    judged = size.label == GOAL_SIZE
    floor = median(found["floor"])  # type: ignore[arg-type]
    rows = []
    for name, key, goal in (
        ("like:ID, in process (parse, filter, rank, order)", "like", similar_bench.GOAL_LIKE),
        ("like:starred, 50 starred, in process", "profile", similar_bench.GOAL_PROFILE),
    ):
        value = median(found[key])  # type: ignore[arg-type]
        rows.append(
            (
                name,
                size.label,
                f"{value:.1f} ms",
                f"sorting every paper {floor:.1f} ms",
                f"{value / floor:.1f}x",
                f"≤ {goal:g}x",
                _verdict(value / floor <= goal if judged else None),
            )
        )
    if size.more_like:
        value, like = median(size.more_like), median(found["like"])  # type: ignore[arg-type]
        ratio = (value - like) / bare_key
        rows.append(
            (
                "Key: more like this (~), less like:ID in process",
                size.label,
                f"{value:.1f} ms (first ~ {_ms(size.more_like_first)}: the index)",
                f"like:ID {like:.1f} ms; bare key {bare_key:.1f} ms; n={len(size.more_like)}",
                f"{ratio:.1f}x bare",
                f"≤ {GOAL_MORE_LIKE}x bare",
                _verdict(ratio <= GOAL_MORE_LIKE),
            )
        )
    memory = int(found["memory_bytes"])  # type: ignore[call-overload]
    ratio = memory / size.file_bytes
    rows.append(
        (
            "Similarity index in memory (read back, asked once)",
            size.label,
            f"{memory / 2**20:,.1f} MiB",
            f"file {size.file_bytes / 2**20:,.0f} MiB; built in {found['build_s']:.1f} s, "
            f"read back in {found['read_ms']:.0f} ms",
            f"{ratio:.2f}x",
            f"≤ {similar_bench.GOAL_MEMORY}x",
            _verdict(ratio <= similar_bench.GOAL_MEMORY if judged else None),
        )
    )
    return rows


def measure_keys(
    poller: Poller, settings: Settings, target: str, digest: Digest, result: SizeResult
) -> None:
    tmux = poller.tmux

    def press(key: str, literal: bool, ready: Callable[[str], bool]) -> float:
        started = tmux.keys(target, key, literal)
        return poller.wait(target, started, ready, settle=0.15, timeout=30).ms

    titles = newest_titles(digest)
    for row in range(1, min(settings.presses, len(titles) - 1) + 1):
        result.cursor.append(press("Down", False, shows_twice(titles[row])))
    log(f"  cursor: {', '.join(f'{t:.0f}' for t in result.cursor)} ms")

    weeks = digest.weeks
    for step in range(1, min(settings.presses, len(weeks) - 1) + 1):
        week = weeks[step]
        title = digest.papers[digest.week_ranges[week].start].title
        ready = every(first_line(has(week.isoformat())), shows_twice(title))
        result.week.append(press("[", True, ready))
    log(f"  week: {', '.join(f'{t:.0f}' for t in result.week)} ms")

    press_untimed = tmux.keys(target, "/", True)
    poller.wait(target, press_untimed, lambda screen: True, settle=0.2, timeout=30)
    for length in range(1, len(FILTER_WORD) + 1):
        typed = FILTER_WORD[:length]
        subtitle = matches(rf"· {re.escape(typed)}(?:\s|$)")
        result.filter.append(press(typed[-1], True, first_line(subtitle)))
    log(f"  filter: {', '.join(f'{t:.0f}' for t in result.filter)} ms")

    # ~ (More like this) on a paper of the filtered list, then Esc back and ~ on the next one:
    # the header says "More like “…”" in the frame that lists the ranked papers.
    more_like, gone = first_line(has("More like “")), first_line(lambda s: "More like" not in s)
    cleared = tmux.keys(target, "Escape", False)  # clears the filter, focuses the list
    poller.wait(target, cleared, first_line(lambda s: FILTER_WORD not in s), settle=0.2, timeout=30)
    started = tmux.keys(target, "~", True)
    result.more_like_first = poller.wait(target, started, more_like, settle=0.15, timeout=300).ms
    result.more_like_window = (started, started + result.more_like_first / 1000)
    for _ in range(settings.presses):
        back = tmux.keys(target, "Escape", False)
        poller.wait(target, back, gone, settle=0.15, timeout=30)
        moved = tmux.keys(target, "Down", False)
        poller.wait(target, moved, lambda screen: True, settle=0.15, timeout=30)
        result.more_like.append(press("~", True, more_like))
    log(
        f"  more like: first {result.more_like_first:.0f} ms, then "
        f"{', '.join(f'{t:.0f}' for t in result.more_like)} ms"
    )


# --- the report --------------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def _ms(value: float) -> str:
    return "n/a" if value != value else f"{value:,.0f} ms"


Work = tuple[
    startup_work.Count, startup_work.Count, list[tuple[float, int]], list[tuple[float, int]]
]
"""The bare app's and reader's start-up instructions, and the writes each makes in the second
after its screen was complete (reader's, then the bare app's)."""


def _work_rows(work: Work | None) -> list[tuple[str, ...]]:
    if work is None:
        return []
    bare, reader, after, bare_after = work
    ratio = reader.instructions / bare.instructions
    return [
        (
            "Start-up work until the bundled digest is on screen, complete (valgrind)",
            "123",
            f"{reader.instructions / 1e6:,.0f}M instructions",
            f"bare app {bare.instructions / 1e6:,.0f}M",
            f"{ratio:.2f}x",
            f"≤ {GOAL_STARTUP_WORK}x",
            _verdict(ratio <= GOAL_STARTUP_WORK),
        ),
        (
            "Writes to the terminal in the second after that screen (Textual repaints a bare"
            " app's screen too, after its first layout)",
            "123",
            ", ".join(f"{ms:.0f} ms: {size:,} B" for ms, size in after) or "none",
            "bare app: "
            + (", ".join(f"{ms:.0f} ms: {size:,} B" for ms, size in bare_after) or "none"),
            "",
            "no more than the bare app's",
            _verdict(len(after) <= len(bare_after)),
        ),
    ]


def _background(name: str, found: first_open.FirstOpen) -> str:
    if not name.startswith("Memory of") or not found.background_s:
        return ""
    return f"; background over {median(found.background_s):.1f} s after the first paint"


def _first_open_rows(found: first_open.FirstOpen) -> list[tuple[str, ...]]:
    judged = found.label in (GOAL_SIZE, MILLION)
    mib = found.file_bytes / 2**20
    label = "1M" if found.label == MILLION else found.label
    rows: list[tuple[str, ...]] = []
    if found.typed:
        typed = median(found.typed)
        ratio = typed / found.floor
        rows.append(
            (
                "A query typed at the first paint of a first open, a key every 0.1 s: the result"
                " after the last key",
                label,
                _ms(typed),
                f"read+splitlines {_ms(found.floor)}; max {_ms(max(found.typed))},"
                f" n={len(found.typed)}",
                f"{ratio:.1f}x",
                f"≤ {GOAL_TYPED:g}x",
                _verdict(ratio <= GOAL_TYPED if judged else None),
            )
        )
    for name, values, goal, judge in (
        ("Peak memory (VmHWM) of that first open", found.peak_kb, GOAL_PEAK, judged),
        (
            "Memory of that first open once its background work is over",
            found.steady_kb,
            GOAL_STEADY,
            found.label == MILLION,
        ),
        ("Memory (VmRSS) just after a second open", found.second_kb, GOAL_SECOND, judged),
    ):
        if not values:
            continue
        kb = median(values)
        ratio = kb * 1024 / found.file_bytes
        rows.append(
            (
                name,
                label,
                f"{kb / 1024:,.0f} MiB",
                f"file {mib:,.0f} MiB" + _background(name, found),
                f"{ratio:.2f}x",
                f"≤ {goal:g}x",
                _verdict(ratio <= goal if judge else None),
            )
        )
    if found.short_echo:
        slowest = max(found.short_echo)
        burst = found.short_cpu / found.short_one if found.short_one > 0 else float("inf")
        rows.append(
            (
                "Short needles typed (i alone; e a ⌫ ⌫ o, 50 ms apart): the slowest key's echo",
                label,
                f"{slowest:.0f} ms",
                f"median {median(found.short_echo):.0f} ms, n={len(found.short_echo)}",
                "",
                f"≤ {GOAL_ECHO_MS:.0f} ms",
                _verdict(slowest <= GOAL_ECHO_MS),
            )
        )
        rows.append(
            (
                "CPU of that burst until idle, against i alone",
                label,
                f"{found.short_cpu:.2f} s",
                f"i alone {found.short_one:.2f} s",
                f"{burst:.1f}x",
                f"≤ {GOAL_BURST:g}x",
                _verdict(burst <= GOAL_BURST),
            )
        )
    for error in found.errors:
        rows.append(("Error", label, error, "", "", "", "FAIL"))
    return rows


def report(
    bare: list[float],
    startup: list[float],
    bare_keys: list[float],
    sizes: list[SizeResult],
    settings: Settings,
    opened: Sequence[first_open.FirstOpen] = (),
    work: Work | None = None,
    browser: browser_paint.Result | None = None,
) -> str:
    rows: list[tuple[str, ...]] = []
    bare_ms = median(bare)
    if startup:
        ratio = median(startup) / bare_ms
        rows.append(
            (
                "Startup, bundled digest (spawn → painted)",
                "123",
                _ms(median(startup)),
                f"bare app {_ms(bare_ms)}",
                f"{ratio:.2f}x",
                f"≤ {GOAL_STARTUP}x",
                _verdict(ratio <= GOAL_STARTUP),
            )
        )
    rows += _work_rows(work)
    rows += browser_paint.rows(browser) if browser is not None else []
    if bare_keys:
        rows.append(
            (
                "Key round trip of the bare app (x updates its Static)",
                "—",
                f"{median(bare_keys):.1f} ms",
                f"max {max(bare_keys):.0f} ms, n={len(bare_keys)}",
                "",
                "(the floor for keys)",
                "—",
            )
        )
    bare_key = median(bare_keys)
    small = next((size for size in sizes if size.label == SMALL_SIZE), None)
    for size in sizes:
        judged = size.label == GOAL_SIZE
        if size.load:
            load = median(size.load)
            net = load - bare_ms if bare else load
            ratio = net / size.floor
            first = (
                f"; first paint {_ms(median(size.first_paint))}"
                if size.first_paint and median(size.first_paint) < load - 50
                else ""
            )
            rows.append(
                (
                    "First open until painted, minus the bare app",
                    size.label,
                    f"{_ms(net)} ({_ms(load)} in all{first})",
                    f"read+splitlines {_ms(size.floor)}",
                    f"{ratio:.1f}x",
                    f"≤ {GOAL_LOAD}x",
                    _verdict(ratio <= GOAL_LOAD if judged else None),
                )
            )
        if size.reopen:
            load = median(size.reopen)
            net = load - bare_ms if bare else load
            ratio = net / size.floor
            rows.append(
                (
                    "Second open (unchanged file), minus the bare app",
                    size.label,
                    f"{_ms(net)} ({_ms(load)} in all)",
                    f"read+splitlines {_ms(size.floor)}",
                    f"{ratio:.1f}x",
                    f"≤ {GOAL_REOPEN}x",
                    _verdict(ratio <= GOAL_REOPEN if judged else None),
                )
            )
        for key, name, times in (
            ("cursor", "Key: cursor move (Down)", size.cursor),
            ("week", "Key: week switch ([)", size.week),
            ("filter", "Key: filter keystroke", size.filter),
        ):
            if not times:
                continue
            value = median(times)
            ratio = value / bare_key if bare_keys else float("nan")
            ok = ratio <= GOAL_KEYS[key]
            ratio_text = f"{ratio:.1f}x bare"
            goal = f"≤ {GOAL_KEYS[key]}x bare"
            small_times = getattr(small, key) if small is not None and small is not size else []
            if small_times:
                scale = value / median(small_times)
                ratio_text += f", {scale:.2f}x {SMALL_SIZE}"
                goal += f", ≤ {GOAL_KEY_SCALE}x {SMALL_SIZE}"
                ok = ok and scale <= GOAL_KEY_SCALE
            rows.append(
                (
                    name,
                    size.label,
                    f"{value:.1f} ms",
                    f"bare key {bare_key:.1f} ms; max {max(times):.0f} ms, n={len(times)}",
                    ratio_text,
                    goal,
                    _verdict(ok),
                )
            )
        if size.cursor:
            worst = max((ms for _, ms in size.gc_keys), default=0.0)
            full = sum(1 for generation, _ in size.gc_keys if generation == 2)
            building = size.gc_build
            during = (
                f"; {len(building)} of them ({sum(1 for g, _ in building if g == 2)} full,"
                f" longest {max(ms for _, ms in building):.1f} ms) while the first ~ built the"
                " similarity index"
                if building
                else ""
            )
            rows.append(
                (
                    "Longest GC pause during the keys",
                    size.label,
                    f"{worst:.1f} ms",
                    f"{len(size.gc_keys)} pauses ≥ 0.5 ms, {full} full{during}",
                    "",
                    f"≤ {GOAL_GC_PAUSE_MS:.0f} ms",
                    _verdict(worst <= GOAL_GC_PAUSE_MS),
                )
            )
        if size.idle_cpu == size.idle_cpu:
            rows.append(
                (
                    "CPU while idle after loading",
                    size.label,
                    f"{size.idle_cpu:.1f}% of a core",
                    f"over {IDLE_SECONDS:.0f} s, 0.5 s after painted",
                    "",
                    f"≤ {GOAL_IDLE_CPU:.0f}%",
                    _verdict(size.idle_cpu <= GOAL_IDLE_CPU),
                )
            )
        for name, kb in (
            ("Memory (VmRSS) just loaded", size.rss_loaded),
            ("Memory (VmRSS) after the keys", size.rss_used),
        ):
            if not kb:
                continue
            ratio = kb * 1024 / size.file_bytes
            rows.append(
                (
                    name,
                    size.label,
                    f"{kb / 1024:,.0f} MiB",
                    f"file {size.file_bytes / 2**20:,.0f} MiB",
                    f"{ratio:.2f}x",
                    f"≤ {GOAL_MEMORY}x",
                    _verdict(ratio <= GOAL_MEMORY if judged and "after" in name else None),
                )
            )
        if size.print_:
            value = median(size.print_)
            ratio = value / size.floor
            rows.append(
                (
                    f"--print --format json --query '{PRINT_QUERY}'",
                    size.label,
                    _ms(value),
                    f"read+splitlines {_ms(size.floor)}",
                    f"{ratio:.1f}x",
                    f"≤ {GOAL_PRINT}x",
                    _verdict(ratio <= GOAL_PRINT if judged else None),
                )
            )
        rows += _similar_rows(size, bare_key)
        for error in size.errors:
            rows.append(("Error", size.label, error, "", "", "", "FAIL"))
        for found in opened:
            if found.label == size.label:
                rows += _first_open_rows(found)
    for found in opened:
        if found.label not in {size.label for size in sizes}:
            rows += _first_open_rows(found)

    header = ("Measure", "Size", "Value", "Reference", "Ratio", "Goal", "Result")
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---", "---:", "---:", "---", "---:", "---", "---"]) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    commit = subprocess.run(
        ["git", "-C", os.environ.get("PYTHONPATH") or str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    load1, load5, _ = os.getloadavg()
    import textual

    about = (
        f"reader benchmarks, {datetime.now():%Y-%m-%d %H:%M}, commit {commit or '?'}; "
        f"Python {platform.python_version()}, textual {textual.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load1:.1f}/{load5:.1f}. tmux {WIDTH}x{HEIGHT}, "
        f"polled every {settings.poll * 1000:.0f} ms; medians ({settings.startup_runs} startup "
        f"runs per app, load runs {settings.load_runs}). Load, memory and --print goals are "
        f"judged at {GOAL_SIZE}; the key, GC and idle goals at every size."
    )
    return about + "\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="reader's benchmarks (issue 6).")
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k")
    parser.add_argument("--quick", action="store_true", help="fewer runs (a rougher table)")
    parser.add_argument("--runs", type=int, default=None, help="startup runs per app")
    parser.add_argument("--poll-ms", type=float, default=2.0, help="capture interval")
    parser.add_argument("--skip-startup", action="store_true", help="measure the sizes only")
    parser.add_argument(
        "--million",
        action="store_true",
        help="also a first and second open of 1M papers (a 1.4 GB digest; minutes; run it alone"
        " under nice)",
    )
    parser.add_argument(
        "--skip-work", action="store_true", help="no start-up instruction count (valgrind)"
    )
    parser.add_argument(
        "--skip-browser", action="store_true", help="no first paint in Chromium (browser_paint)"
    )
    parser.add_argument(
        "--tree",
        type=Path,
        help="measure the reader of another checkout (e.g. a worktree of an older commit) with"
        " this venv: its directory goes first on PYTHONPATH",
    )
    args = parser.parse_args(argv)
    labels = [label.strip() for label in args.sizes.split(",") if label.strip()]
    if args.quick:
        settings = Settings(3, {"1k": 1, "10k": 1, "100k": 1}, 5, 1, 3, args.poll_ms / 1000)
    else:
        settings = Settings(7, {"1k": 3, "10k": 3, "100k": 3}, 9, 3, 5, args.poll_ms / 1000)
    if args.runs:
        settings.startup_runs = args.runs
    if not READER.exists():
        log(f"error: {READER} not found: run `make` (pip install -e .) first")
        return 2
    for label in labels:
        generate.ensure(label)

    # An installed reader runs from bytecode that pip wrote; with PYTHONDONTWRITEBYTECODE set
    # (as on the development machine) a checkout would compile its ~100 modules on every start
    # (~100 ms) while Textual's are compiled: compile the measured tree first, as pip does.
    tree = args.tree.resolve() if args.tree is not None else ROOT
    compileall.compile_dir(str(tree / "reader"), quiet=1)
    state = tempfile.mkdtemp(prefix="reader-bench-state-")
    env = {**os.environ, "READER_STATE_DIR": state, "READER_CACHE_DIR": state + "/cache"}
    env.pop("TMUX", None)
    if args.tree is not None:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"] = str(args.tree.resolve())
        READER_ARGV[:] = [sys.executable, "-m", "reader"]
        os.chdir(tree)  # not the harness's own reader/ first on sys.path (`-m reader`)
    tmux = Tmux(env, tree)
    try:
        poller = Poller(tmux, settings.poll)
        bare: list[float] = []
        startup: list[float] = []
        bare_keys: list[float] = []
        if not args.skip_startup:
            log("startup: bare app and reader on the bundled digest")
            bare, startup, bare_keys = measure_startup(poller, settings)
        elif labels:
            log("bare app (for the load baseline)")
            quick = Settings(3, {}, settings.presses, 0, 0, settings.poll)
            bare, _, bare_keys = measure_startup(poller, quick)
        sizes = [measure_size(poller, settings, label, env) for label in labels]
        opened = [
            first_open.measure_first_open(poller, label, settings.load_runs.get(label, 1))
            for label in labels
            if label == GOAL_SIZE
        ]
        if args.million:
            opened.append(first_open.measure_first_open(poller, MILLION, 1, short=True))
    finally:
        tmux.close()
        subprocess.run(["rm", "-rf", state], check=False)
    work = None
    if not args.skip_work and not args.skip_startup:
        if shutil.which("valgrind") is None:
            log("start-up work: valgrind not found (apt-get install valgrind), skipped")
        else:
            log("start-up work under valgrind: bare app and reader")
            work = (
                startup_work.count("bare", tree),
                startup_work.count("reader", tree),
                startup_work.frames_after("reader", tree),
                startup_work.frames_after("bare", tree),
            )
    browser = None
    if not args.skip_browser and not args.skip_startup:
        log("browser: reader --serve and the bare app in Chromium")
        browser = browser_paint.measure(3 if args.quick else 5, args.tree)
    table = report(bare, startup, bare_keys, sizes, settings, opened, work, browser)
    print(table)
    generate.OUT.mkdir(parents=True, exist_ok=True)
    (generate.OUT / "results.md").write_text(table, encoding="utf-8")
    log(f"written to {generate.OUT / 'results.md'}")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()  # `kill PID`: the finally blocks still stop tmux and remove the scratch
    sys.exit(main())
