"""Where reader's time and memory go at a size: import, data layer, and the TUI (headless).

Run: `.venv/bin/python tests/benchmarks/profile_app.py [--size 100k] [--top 20] [--skip-imports]`
(not collected by pytest). Prints, and writes to `tests/benchmarks/out/profile-<size>.txt`:

1. Imports: median wall ms of a fresh `python -c "import ..."` for what the bare app imports and
   for what `reader` imports before its first frame, and the modules reader adds, slowest first
   (`-X importtime`, self time).
2. The data layer, step by step on the generated digest: read, parse, `Digest`, `haystacks`, the
   query index; CPU ms and VmRSS after each step; then `load_digest`, which parses a file as it
   reads it (no whole text).
3. The TUI, headless (`run_test`, 120x40, the digest given already loaded, a fresh state dir):
   cProfile of the UI thread for the first frame (mount until idle), for cursor moves (down),
   week switches ([) and typing a filter word; the top functions by cumulative time. Filtering
   runs in a thread worker above 20,000 candidates, which cProfile does not see: the same
   `Query.filter` calls are timed here on their own.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if __package__ in (None, ""):  # run as a script
    sys.path[:0] = [str(HERE), str(ROOT)]

import generate  # noqa: E402

BARE_IMPORTS = "import textual.app; from textual.widgets import Footer, Header, Static"
READER_IMPORTS = "import reader.cli; from reader.app import make_app"
_INTERESTING = r"reader/|textual/|rich/"


def rss_mb() -> float:
    with open("/proc/self/status") as file:
        for line in file:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def import_report(runs: int = 5) -> str:
    out = io.StringIO()

    def wall(code: str) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def self_times(code: str) -> dict[str, int]:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        times: dict[str, int] = {}
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if match:
                times[match.group(3)] = int(match.group(1))
        return times

    bare_ms, reader_ms = wall(BARE_IMPORTS), wall(READER_IMPORTS)
    print(f"## Imports (median of {runs} fresh interpreters, wall ms)", file=out)
    print(f"- bare app: `{BARE_IMPORTS}`: {bare_ms:.0f} ms", file=out)
    print(f"- reader:   `{READER_IMPORTS}`: {reader_ms:.0f} ms", file=out)
    bare, reader = self_times(BARE_IMPORTS), self_times(READER_IMPORTS)
    extra = {name: us for name, us in reader.items() if name not in bare}
    total = sum(extra.values()) / 1000
    print(f"- modules reader imports and the bare app does not: {len(extra)}, ", file=out, end="")
    print(f"{total:.0f} ms of self time in all; the slowest:", file=out)
    for name, us in sorted(extra.items(), key=lambda item: -item[1])[:15]:
        print(f"  - {name}: {us / 1000:.1f} ms", file=out)
    return out.getvalue()


def data_report(path: Path) -> tuple[str, Any]:
    from reader.model import Digest
    from reader.query import parse_query
    from reader.sources.loader import load_digest, parse_text, read_source

    out = io.StringIO()
    print(f"## Data layer: {path.name} ({path.stat().st_size / 2**20:.0f} MiB)", file=out)
    print(f"start: VmRSS {rss_mb():.0f} MiB", file=out)
    steps: list[tuple[str, Callable[[], Any]]] = []
    state: dict[str, Any] = {}
    steps.append(("read_source (read + decode)", lambda: state.update(text=read_source(path))))
    steps.append(("parse_text", lambda: state.update(papers=parse_text(state["text"], str(path)))))
    steps.append(("free the text", lambda: state.pop("text")))
    steps.append(("Digest(papers)", lambda: state.update(digest=Digest(state.pop("papers")))))
    steps.append(("Digest.haystacks", lambda: state["digest"].haystacks))
    steps.append(
        (
            "query index (first Query.filter)",
            lambda: parse_query("x").filter(state["digest"], range(1)),
        )
    )
    # What the loader does with a file: parsed a piece at a time as it is read, never joined.
    steps.append(("load_digest (read, parsed as read, Digest)", lambda: load_digest(path)))
    for name, step in steps:
        started, cpu = time.perf_counter(), time.process_time()
        step()
        wall_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        memory = rss_mb()
        print(f"- {name}: {wall_ms:.0f} ms ({cpu_ms:.0f} ms CPU), VmRSS {memory:.0f} MiB", file=out)
    return out.getvalue(), state["digest"]


def _stats(profile: cProfile.Profile, top: int) -> str:
    """reader's own functions by cumulative time, then every function by internal time."""
    parts = []
    for title, sort, pattern in (
        ("reader's functions, by cumulative time", "cumulative", r"/reader/"),
        ("all functions, by internal time", "tottime", _INTERESTING),
    ):
        buffer = io.StringIO()
        stats = pstats.Stats(profile, stream=buffer)
        stats.sort_stats(sort).print_stats(pattern, top)
        lines = buffer.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        kept = [
            line.replace(str(ROOT) + "/", "").replace(".venv/lib/python3.11/site-packages/", "")
            for line in lines[start:]
            if line.strip()
        ]
        parts.append(f"{title}:\n" + "\n".join(kept))
    return "\n".join(parts) + "\n"


async def tui_report(digest: Any, top: int, presses: int) -> str:
    from reader.app import make_app
    from reader.query import parse_query
    from reader.screens.main import MainScreen
    from reader.state import StateStore

    out = io.StringIO()
    store = StateStore()
    app = make_app(digest, state=store)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        while not isinstance(app.screen, MainScreen):
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        profile.disable()
        first = (time.perf_counter() - started) * 1000
        print(f"## TUI, headless 120x40, {len(digest):,} papers", file=out)
        print(f"### First frame: {first:.0f} ms from run_test to idle (profiled)", file=out)
        print(_stats(profile, top), file=out)
        screen = app.screen

        async def phase(title: str, keys: list[str]) -> None:
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for key in keys:
                await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause()
            profile.disable()
            elapsed = (time.perf_counter() - started) * 1000 / len(keys)
            print(f"### {title}: {elapsed:.0f} ms a key with the pilot's overhead", file=out)
            print(_stats(profile, top), file=out)

        await phase(f"Cursor moves ({presses} x down)", ["down"] * presses)
        await phase(f"Week switches ({presses} x [)", ["left_square_bracket"] * presses)
        await pilot.press("slash")
        await pilot.pause()
        word = "quantized"
        await phase(f"Filter keystrokes (typing {word!r})", list(word))
        assert isinstance(screen, MainScreen)
        print("### The filter's own work (Query.filter on a fresh Digest, so no memo):", file=out)
        fresh = type(digest)(digest.papers, name=digest.name)
        parse_query("warm").filter(fresh, range(1))  # builds the haystacks and the index
        previous = parse_query("")
        hits: list[int] = list(range(len(fresh)))
        for length in range(1, len(word) + 1):
            query = parse_query(word[:length])
            narrowing = length > 1 and query.narrows(previous)
            candidates = hits if narrowing else range(len(fresh))
            satisfied = previous if narrowing else None
            started = time.perf_counter()
            hits = query.filter(fresh, candidates, store, satisfied=satisfied)
            elapsed = (time.perf_counter() - started) * 1000
            print(f"- {word[:length]!r}: {elapsed:.1f} ms, {len(hits):,} hits", file=out)
            previous = query
        await pilot.press("q")
    store.close()
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile reader at one size.")
    parser.add_argument("--size", default="100k", help="1k, 10k, 100k, or bundled")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--presses", type=int, default=5)
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args(argv)
    os.environ["READER_STATE_DIR"] = tempfile.mkdtemp(prefix="reader-profile-state-")
    atexit.register(shutil.rmtree, os.environ["READER_STATE_DIR"], True)
    if args.size == "bundled":
        from reader.sources.loader import BUNDLED

        path = BUNDLED
    else:
        path = generate.ensure(args.size)
    parts = [] if args.skip_imports else [import_report()]
    data, digest = data_report(path)
    parts.append(data)
    parts.append(asyncio.run(tui_report(digest, args.top, args.presses)))
    text = "\n".join(parts)
    print(text)
    (generate.OUT / f"profile-{args.size}.txt").write_text(text, encoding="utf-8")
    subprocess.run(["rm", "-rf", os.environ["READER_STATE_DIR"]], check=False)
    return 0


if __name__ == "__main__":
    from tests.processes import exit_on_sigterm

    exit_on_sigterm()  # `kill PID` unwinds: its temporary folders and servers go too
    sys.exit(main())
