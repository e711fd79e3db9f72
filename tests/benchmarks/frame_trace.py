"""Where each key's time goes, frame by frame: the profile behind the key rows of `make bench`.

Run: `.venv/bin/python tests/benchmarks/frame_trace.py [--size 10k] [--keys KEYS] [--out FILE]`
(not collected by pytest). It opens the generated digest of that size in reader, in a private
tmux at 120x40, under `frame_hooks.py`, and presses each key of KEYS (tmux key names, comma
separated; the default is the bench's: Down twice, `[` twice, then `/` and a word typed), 0.4 s
apart. The bare app of `bare_app.py` runs the same way for its `x` key, once as it is (one line
changes) and once with its Static `--floor-lines` lines long (all of them change: the floor of a
key that changes as many lines as a week switch does). For each key it prints:

- routed: reader's handling of the key (its whole update, before any frame is drawn);
- first frame: the key made from the input until its first frame's bytes were written;
- frames: how many frames (writes) the key caused within 150 ms, and their bytes;
- layouts: full layouts of the screen in those frames;
- the widgets whose lines were rendered for the first frame: lines and milliseconds.

Textual's cost of a line (its styles cache, filters, the compositor's cut) is in every widget's
milliseconds, so "lines rendered" times that cost is the floor of a key that changes those
lines; the bare app's key renders one line.
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if __package__ in (None, ""):  # run as a script
    sys.path[:0] = [str(HERE), str(ROOT)]

import generate  # noqa: E402

from tests.processes import end_tmux, exit_on_sigterm  # noqa: E402

DEFAULT_KEYS = "Down,Down,[,[,/,q,u,a,n,t,i,z,e,d"
WINDOW_MS = 150.0
_RUNS = itertools.count()


@dataclass
class KeyTrace:
    key: str
    made: float
    routed: float | None = None
    writes: list[tuple[float, int]] = field(default_factory=list)
    layouts: int = 0
    widgets: list[tuple[str, int, float]] = field(default_factory=list)
    """(widget, lines, ms) rendered before the first write."""


def read_log(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the last line may be half written
    return events


def traces(events: list[dict[str, Any]], keys: int) -> list[KeyTrace]:
    """The last `keys` key events and what followed each within the window."""
    found: list[KeyTrace] = []
    current: KeyTrace | None = None
    for event in events:
        kind, t = event["ev"], event["t"]
        if kind == "key":
            current = KeyTrace(event["key"], t)
            found.append(current)
            continue
        if current is None or t - current.made > WINDOW_MS:
            continue
        if kind == "routed" and current.routed is None:
            current.routed = t - current.made
        elif kind == "write":
            current.writes.append((t - current.made, event["bytes"]))
        elif kind == "layout":
            current.layouts += 1
        elif kind == "widget" and not current.writes:
            current.widgets.append((event["widget"], event["lines"], event["ms"]))
    return found[-keys:]


def run(command: list[str], keys: list[str], settle: float, env: dict[str, str]) -> list[KeyTrace]:
    socket = f"reader-trace-{os.getpid()}-{next(_RUNS)}"  # a fresh server each run
    tmux = ["tmux", "-L", socket, "-f", os.devnull]
    with tempfile.TemporaryDirectory(prefix="reader-trace-") as scratch:
        log = Path(scratch) / "frames.jsonl"
        line = " ".join(subprocess.list2cmdline([part]) for part in command)
        hooks = [sys.executable, str(HERE / "frame_hooks.py"), str(log)]
        shell = subprocess.list2cmdline(hooks) + " " + line
        subprocess.run(
            [*tmux, "new-session", "-d", "-s", "t", "-x", "120", "-y", "40", shell],
            env={**env, "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)])},
            cwd=ROOT,
            check=True,
        )
        try:
            time.sleep(settle)
            for key in keys:
                subprocess.run([*tmux, "send-keys", "-t", "t", key], check=True)
                time.sleep(0.4)
            return traces(read_log(log), len(keys))
        finally:
            end_tmux(socket)


def table(title: str, found: list[KeyTrace]) -> str:
    rows = [
        f"### {title}",
        "",
        "| key | routed ms | first frame ms | frames (bytes) | layouts | rendered for the first"
        " frame: widget lines ms |",
        "|---|---:|---:|---|---:|---|",
    ]
    for trace in found:
        first = f"{trace.writes[0][0]:.1f}" if trace.writes else "-"
        frames = ", ".join(f"{nbytes:,}" for _, nbytes in trace.writes)
        widgets = "; ".join(
            f"{name} {lines} {ms:.1f}" for name, lines, ms in trace.widgets if ms >= 0.2
        )
        routed = "-" if trace.routed is None else f"{trace.routed:.1f}"
        rows.append(
            f"| {trace.key} | {routed} | {first} | {len(trace.writes)} ({frames}) |"
            f" {trace.layouts} | {widgets} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="1k, 10k or 100k")
    parser.add_argument("--keys", default=DEFAULT_KEYS, help="tmux key names, comma separated")
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    parser.add_argument(
        "--second-open",
        action="store_true",
        help="open the digest once first (its parsed-digest cache written), then trace the keys"
        " in a second open from that cache, as `run.py` presses its keys",
    )
    parser.add_argument(
        "--floor-lines",
        type=int,
        default=60,
        help="also run the bare app with its x key changing this many lines (0: not)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        help="seconds between reader's start and its first key (default: 2, 4, 12 by size;"
        " less at 100k presses the keys while the token index is still being built)",
    )
    args = parser.parse_args(argv)
    digest = generate.ensure(args.size)
    keys = [key for key in args.keys.split(",") if key]
    state = tempfile.mkdtemp(prefix="reader-trace-state-")
    atexit.register(shutil.rmtree, state, True)
    env = {
        **os.environ,
        "READER_STATE_DIR": state,
        "READER_CACHE_DIR": state + "/cache",
        "READER_CONFIG": os.devnull,
    }
    env.pop("TMUX", None)
    settle = args.settle or {"1k": 2.0, "10k": 4.0, "100k": 12.0}.get(args.size, 4.0)
    tables = [table("The bare app (its x key)", run(["bare"], ["x"] * 5, 2.0, env))]
    if args.floor_lines > 1:
        lines = args.floor_lines
        title = f"The bare app, its x key changing {lines} lines (the floor of such a key)"
        tables.append(table(title, run(["bare", str(lines)], ["x"] * 5, 2.0, env)))
    title = f"reader, {args.size}"
    if args.second_open:
        run(["reader", str(digest)], [], settle, env)  # writes the cache; no keys
        title += ", a second open"
    tables.append(table(title, run(["reader", str(digest)], keys, settle, env)))
    out = "\n\n".join(tables)
    print(out)
    if args.out is not None:
        args.out.write_text(out + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main())
