"""A first open with a query typed at once, and the memory of the first and second opens (issue 26).

`run.py` calls `measure_first_open` per size (and `--million` adds 1M papers); on its own:
`.venv/bin/python tests/benchmarks/first_open.py [--sizes 100k] [--runs 1]` prints what it measured.
Each run, in the benchmark's private tmux at 120x40, with an empty $READER_CACHE_DIR:

1. Typed at the first paint: reader is started on the generated digest; as soon as the newest
   week's first title shows twice (list and abstract pane), `/` is sent and then the letters of
   FILTER_WORD, one every 0.1 s (sent on a fixed clock, not after each echo), as a user who
   starts typing at once would. Measured: from the last key sent until the header's subtitle
   ends with the whole word (the screen writes it only once that query's hits are in) and the
   screen has settled: "the result after the last key", against the read floor (reading and
   `splitlines()` the same file in Python).
2. Peak memory: VmHWM of that process once its background work is over (the search text, the
   token index and the cache entry written, or the process idle): the first open's peak, against
   the file's size; VmRSS then is the first open's steady memory.
3. Second open: the same file again (the entry the first wrote): VmRSS 0.5 s after it painted
   (the whole digest counted), against the file's size.
4. A short needle (`--short`; `run.py --million` at 1M): in that second open, `/` then `i`
   alone until the process is idle, then backspace, then `e`, `a`, backspace twice and `o`,
   one key every 50 ms: one- or two-letter needles that most papers hold. Each key's echo in the
   filter bar is timed (a key that waits for a search is a key blocked), and the CPU the process
   spends from the burst's first key until it is idle again, against that of `i` alone (work
   that a newer key supersedes and that goes on running adds to it).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):  # run as a script
    sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import generate  # noqa: E402

if TYPE_CHECKING:
    from run import Poller

FILTER_WORD = "quantized"
KEY_EVERY = 0.1
SHORT_KEYS = ("e", "a", "BSpace", "BSpace", "o")
ONE_KEY = ("i",)
SHORT_EVERY = 0.05


@dataclass
class FirstOpen:
    label: str
    file_bytes: int
    floor: float = float("nan")
    typed: list[float] = field(default_factory=list)
    """ms from the last key until the whole query's result was on screen."""
    peak_kb: list[int] = field(default_factory=list)
    """VmHWM once the first open's background work was over."""
    steady_kb: list[int] = field(default_factory=list)
    """VmRSS of the first open then."""
    second_kb: list[int] = field(default_factory=list)
    """VmRSS of the second open, 0.5 s after painted."""
    background_s: list[float] = field(default_factory=list)
    """From the first paint until the first open's background work was over."""
    short_echo: list[float] = field(default_factory=list)
    """ms from each short-needle key until the bar showed it."""
    short_cpu: float = float("nan")
    """CPU seconds from the first short-needle key until idle."""
    short_one: float = float("nan")
    """CPU seconds of one filtering of the short needle (measured in the same process)."""
    errors: list[str] = field(default_factory=list)


def _wait_background(cache: Path, pid: int, timeout: float) -> None:
    """Until the first open has written its cache entry, search text and token index, or the
    process has used no CPU for 1.5 s (an older reader may not write them all)."""
    from run import cpu_ticks

    deadline = time.perf_counter() + timeout
    idle_since: float | None = None
    folder = cache / "parsed"
    while time.perf_counter() < deadline:
        done = all(list(folder.glob(f"*.{kind}")) for kind in ("papers", "search", "tokens"))
        ticks = cpu_ticks(pid)
        time.sleep(0.2)
        busy = cpu_ticks(pid) - ticks > 1
        if done and not busy:
            return
        if busy:
            idle_since = None
        else:
            idle_since = idle_since or time.perf_counter()
            if time.perf_counter() - idle_since > 1.5:
                return


def _send_at(tmux_keys: object, target: str, keys: list[tuple[str, bool]], every: float) -> float:
    """Send `keys` one every `every` seconds on a fixed clock; the perf_counter of the last."""
    send = tmux_keys  # Tmux.keys
    start = time.perf_counter()
    last = start
    for number, (key, literal) in enumerate(keys):
        due = start + number * every
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        last = send(target, key, literal)  # type: ignore[operator]
    return last


def measure_first_open(
    poller: Poller, label: str, runs: int, timeout: float = 600, short: bool = False
) -> FirstOpen:
    from run import (
        READER_ARGV,
        first_line,
        floor_ms,
        log,
        matches,
        newest_titles,
        reader_ready,
        rss_kb,
        shows_twice,
    )

    from reader.sources.loader import load_digest

    tmux = poller.tmux
    path = generate.ensure(label)
    log(f"{label}: first open with a query typed at once ({path.stat().st_size / 1e6:.1f} MB)")
    digest = load_digest(path)
    result = FirstOpen(label, path.stat().st_size)
    result.floor = floor_ms(path, 3)
    early = shows_twice(newest_titles(digest)[0])
    ready = reader_ready(digest, with_count=True)
    done = first_line(matches(rf"· {re.escape(FILTER_WORD)}(?:\s|$)"))
    keys = [("/", True)] + [(letter, True) for letter in FILTER_WORD]
    del digest
    scratch = Path(tempfile.mkdtemp(prefix=f"reader-first-{label}-"))
    try:
        for run in range(runs):
            cache = scratch / f"cache{run}"
            # each open with a reading state of its own: a reader the bench kills saves where it
            # was (SIGHUP, SIGTERM), and the next would open there (the keys' `~`: `like:ID`)
            env = {"READER_CACHE_DIR": str(cache), "READER_STATE_DIR": str(scratch / f"first{run}")}
            target, pid, started = tmux.spawn([*READER_ARGV, str(path)], env)
            try:
                poller.wait(target, started, early, settle=0.0, timeout=timeout)
                painted = time.perf_counter()
                last = _send_at(tmux.keys, target, keys, KEY_EVERY)
                paint = poller.wait(target, last, done, settle=0.15, timeout=timeout)
                result.typed.append(paint.ms)
                _wait_background(cache, pid, timeout)
                result.background_s.append(time.perf_counter() - painted)
                rss, hwm = rss_kb(pid)
                result.peak_kb.append(hwm)
                result.steady_kb.append(rss)
                log(
                    f"  run {run + 1}: result {paint.ms:.0f} ms after the last key; peak"
                    f" {hwm / 1024:.0f} MiB, then {rss / 1024:.0f} MiB"
                    f" (background over {result.background_s[-1]:.1f} s after the first paint)"
                )
            except Exception as error:  # NotPainted, a dead process
                result.errors.append(str(error).split("\n", 1)[0])
                log(f"  {error}")
            finally:
                tmux.kill(target, pid)
            env["READER_STATE_DIR"] = str(scratch / f"second{run}")
            target, pid, started = tmux.spawn([*READER_ARGV, str(path)], env)
            try:
                poller.wait(target, started, ready, settle=0.3, timeout=timeout)
                time.sleep(0.5)
                rss, _ = rss_kb(pid)
                result.second_kb.append(rss)
                log(f"  run {run + 1}: second open {rss / 1024:.0f} MiB")
                if short and run == runs - 1:
                    _short_needle(poller, target, pid, result)
            except Exception as error:
                result.errors.append(str(error).split("\n", 1)[0])
                log(f"  {error}")
            finally:
                tmux.kill(target, pid)
    finally:
        subprocess.run(["rm", "-rf", str(scratch)], check=False)
    return result


def _bar(screen: str) -> str:
    """The filter bar's text: the first line of the list pane that starts after the sidebar."""
    lines = screen.split("\n")
    text = lines[1].split("▕", 1)[-1].strip() if len(lines) > 1 else ""
    return "" if text.startswith("/ to filter") else text  # empty: the placeholder


def _typed(poller: Poller, target: str, keys: Sequence[str], every: float) -> list[float]:
    """Type `keys` into the focused filter bar, one every `every` seconds: ms until each shows."""
    tmux = poller.tmux
    typed = ""
    echoes: list[float] = []
    for key in keys:
        literal = key != "BSpace"
        typed = typed + key if literal else typed[:-1]
        sent = tmux.keys(target, key, literal)
        echo = poller.wait(
            target, sent, lambda screen, want=typed: _bar(screen) == want, settle=0.0, timeout=60
        )
        echoes.append(echo.ms)
        pause = every - (time.perf_counter() - sent)
        if pause > 0:
            time.sleep(pause)
    return echoes


def _cpu_until_idle(pid: int, since: int) -> float:
    """CPU seconds the process used from `since` (clock ticks) until it has been idle 1 s."""
    from run import cpu_ticks

    quiet = 0
    while quiet < 5:
        before = cpu_ticks(pid)
        time.sleep(0.2)
        quiet = quiet + 1 if cpu_ticks(pid) - before <= 1 else 0
    return (cpu_ticks(pid) - since) / os.sysconf("SC_CLK_TCK")


def _short_needle(poller: Poller, target: str, pid: int, result: FirstOpen) -> None:
    """One short needle typed alone, then a burst of them: each key's echo, and the CPU of the
    burst against the one (work that a newer key supersedes should stop)."""
    from run import cpu_ticks, log

    tmux = poller.tmux
    sent = tmux.keys(target, "/", True)
    poller.wait(target, sent, lambda screen: True, settle=0.3, timeout=30)
    ticks = cpu_ticks(pid)
    result.short_echo += _typed(poller, target, ONE_KEY, SHORT_EVERY)
    result.short_one = _cpu_until_idle(pid, ticks)
    _typed(poller, target, ["BSpace"], SHORT_EVERY)
    _cpu_until_idle(pid, cpu_ticks(pid))
    ticks = cpu_ticks(pid)
    result.short_echo += _typed(poller, target, SHORT_KEYS, SHORT_EVERY)
    result.short_cpu = _cpu_until_idle(pid, ticks)
    log(
        f"  short needle: echoes {', '.join(f'{t:.0f}' for t in result.short_echo)} ms;"
        f" CPU {result.short_one:.2f} s for {ONE_KEY[0]!r} alone,"
        f" {result.short_cpu:.2f} s for {'/'.join(SHORT_KEYS)} a key every"
        f" {SHORT_EVERY * 1000:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    from run import ROOT, Poller, Tmux

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100k")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--short", action="store_true", help="the short-needle keys too")
    args = parser.parse_args(argv)
    state = tempfile.mkdtemp(prefix="reader-first-state-")
    env = {**os.environ, "READER_STATE_DIR": state}
    env.pop("TMUX", None)
    import compileall

    compileall.compile_dir(str(ROOT / "reader"), quiet=1)
    tmux = Tmux(env)
    try:
        poller = Poller(tmux, 0.002)
        for label in args.sizes.split(","):
            found = measure_first_open(poller, label.strip(), args.runs, short=args.short)
            mib = found.file_bytes / 2**20
            print(
                f"{label}: floor {found.floor:.0f} ms; typed {found.typed} ms"
                f" ({[round(t / found.floor, 1) for t in found.typed]}x);"
                f" peak {[round(k / 1024 / mib, 2) for k in found.peak_kb]}x,"
                f" steady {[round(k / 1024 / mib, 2) for k in found.steady_kb]}x,"
                f" second {[round(k / 1024 / mib, 2) for k in found.second_kb]}x of {mib:.0f} MiB;"
                f" errors {found.errors}"
            )
    finally:
        tmux.close()
        subprocess.run(["rm", "-rf", state], check=False)
    return 0


if __name__ == "__main__":
    from tests.processes import exit_on_sigterm

    exit_on_sigterm()  # `kill PID` unwinds: its temporary folders and servers go too
    sys.exit(main())
