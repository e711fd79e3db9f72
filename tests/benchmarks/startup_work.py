"""Start-up work in instructions: reader until the digest is on screen, against the bare app.

Run: `.venv/bin/python tests/benchmarks/startup_work.py [--tree DIR] [--frames]` (needs
`valgrind`; `run.py` runs it as part of `make bench`). Wall-clock start-up ratios move by ±0.3x
between runs on a shared 2-core machine; the instructions a process executes are the same from
run to run (to ~0.1%), so this counts them with `valgrind --tool=cachegrind --cache-sim=no`:

- each program runs in a pseudo-terminal of 120x40 under valgrind, from exec until the first
  write to the terminal after which the screen holds what it must show (`--marker` text seen
  `--times` times in everything written so far): the bare app of `bare_app.py`, its Static's
  text once; reader on the bundled digest, the newest week's first title twice (its row in the
  list and the abstract pane's heading) and the first words of its abstract (the pane's text):
  the first frame that is complete;
- the hook that watches the writes is installed by an import hook (a meta-path finder) when
  Textual's driver module is imported, so the measured program imports nothing more than it
  would; the process ends with `os._exit` at that write.

`--frames` also reports what each program wrote to the terminal until then (frames and bytes),
and, for reader, the frames it writes in the next second (run without valgrind): a first frame
that is complete is the only one.

`--profile N` (no valgrind) says where reader's extra work is: each program runs with every
bytecode it executes counted (`sys.settrace` opcode events; deterministic, and ~110 instructions
a bytecode here, though C code such as `re`'s compiler or OpenSSL's loading is not seen), and
prints the N functions whose inclusive count grew most from the bare app's to reader's, then
reader's N costliest module bodies (what importing each runs, its own imports left out).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import re
import select
import shutil
import struct
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WIDTH, HEIGHT = 120, 40
GOAL = 1.25
"""Reader's instructions until the digest is on screen, against the bare app's (issue 26)."""

HOOK = r'''
import importlib.abc, importlib.machinery, os, sys, time
MARKERS = [m.encode() for m in os.environ["STARTUP_MARKERS"].split("\x1f")]
TIMES = [int(n) for n in os.environ["STARTUP_TIMES"].split(",")]
LOG = os.environ.get("STARTUP_LOG")
LINGER = float(os.environ.get("STARTUP_LINGER", "0"))
seen = [0] * len(MARKERS)
state = {"frames": 0, "bytes": 0, "done": None}
DONE = []  # called when the screen is complete (--profile)

def _written(data):
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)
    state["frames"] += 1
    state["bytes"] += len(raw)
    if LOG:
        with open(LOG, "a") as log:
            log.write(f"{time.monotonic():.6f} {len(raw)}\n")
    for n, marker in enumerate(MARKERS):
        seen[n] += raw.count(marker)
    if state["done"] is None and all(s >= t for s, t in zip(seen, TIMES)):
        state["done"] = time.monotonic()
        if LOG:
            with open(LOG, "a") as log:
                log.write(f"{state['done']:.6f} done\n")
        if not LINGER:
            for done in DONE:
                done()
            os._exit(0)
    if LINGER and state["done"] is not None and time.monotonic() - state["done"] > LINGER:
        os._exit(0)

class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in ("textual.drivers.linux_driver", "textual.drivers.web_driver"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        loader = spec.loader
        run = loader.exec_module
        def exec_module(module):
            run(module)
            for owner in list(vars(module).values()):
                if (
                    isinstance(owner, type)
                    and owner.__module__ == module.__name__
                    and "write" in vars(owner)
                ):
                    original = owner.write
                    def write(self, data, _original=original):
                        _original(self, data)
                        _written(data)
                    owner.write = write
        loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, _Finder())
if os.environ.get("STARTUP_PROFILE"):
    exec(os.environ["STARTUP_PROFILE_CODE"])
program = sys.argv[1]
sys.argv = sys.argv[1:]
if program.endswith(".py"):
    import runpy
    runpy.run_path(program, run_name="__main__")
else:
    from reader.cli import main
    sys.exit(main(sys.argv[1:]))
'''


PROFILER = r'''
import collections, json
INCL, MODULES = collections.Counter(), collections.Counter()
_stack = []  # [key, own, children, module bodies below]


def _trace(frame, event, arg):
    if event == "opcode":
        _stack[-1][1] += 1
    elif event == "call":
        frame.f_trace_opcodes, frame.f_trace_lines = True, False
        code = frame.f_code
        _stack.append([f"{code.co_filename}:{code.co_firstlineno}:{code.co_name}", 0, 0, 0])
    elif event == "return" and _stack:
        key, own, children, below = _stack.pop()
        total = own + children
        module = key.endswith(":<module>")
        if module:
            MODULES[key] += total - below
        if all(entry[0] != key for entry in _stack):
            INCL[key] += total
        if _stack:
            _stack[-1][2] += total
            _stack[-1][3] += total if module else below
    return _trace


def _dump():
    sys.settrace(None)
    total = sum(own + children for _, own, children, _ in _stack)  # the frames still running too
    with open(os.environ["STARTUP_PROFILE"], "w", encoding="utf-8") as out:
        json.dump({"incl": INCL, "modules": MODULES, "total": total}, out)


_stack.append(["<hook>", 0, 0, 0])
DONE.append(_dump)
sys.settrace(_trace)
'''


@dataclass
class Count:
    instructions: int
    frames: int
    bytes: int


def _pty_run(argv: list[str], env: dict[str, str], timeout: float) -> int:
    """Run `argv` on a pseudo-terminal of WIDTH x HEIGHT, reading what it writes; its status."""
    pid, fd = pty.fork()
    if pid == 0:  # the child
        with contextlib.suppress(Exception):
            os.execvpe(argv[0], argv, env)
        os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    deadline = time.monotonic() + timeout
    status = None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    if not os.read(fd, 65536):
                        break
                except OSError:
                    break
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        else:
            os.kill(pid, 9)
    finally:
        if status is None:
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status)


def _markers(program: str) -> tuple[list[str], list[int]]:
    sys.path[:0] = [str(HERE), str(ROOT)]
    if program == "bare":
        from bare_app import TEXT

        return [TEXT], [1]
    from reader.sources.loader import BUNDLED, load_digest

    digest = load_digest(BUNDLED)
    paper = digest.papers[digest.week_ranges[digest.weeks[0]].start]
    words = " ".join(paper.text.split()[:4])
    return [paper.title[:40], words], [2, 1]


def _argv(program: str, tree: Path) -> list[str]:
    return [str(HERE / "bare_app.py")] if program == "bare" else ["reader"]


def count(program: str, tree: Path, timeout: float = 600) -> Count:
    """The instructions `program` (bare or reader) executes until its screen is complete."""
    markers, times = _markers(program)
    with tempfile.TemporaryDirectory(prefix="reader-startup-") as scratch:
        hook = Path(scratch) / "hook.py"
        hook.write_text(HOOK, encoding="utf-8")
        out = Path(scratch) / "cachegrind.txt"
        log = Path(scratch) / "writes.log"
        env = _env(scratch, tree, markers, times, log)
        valgrind = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            f"--log-file={out}",
            sys.executable,
            str(hook),
            *_argv(program, tree),
        ]
        _pty_run(valgrind, env, timeout)
        text = out.read_text(encoding="utf-8", errors="replace")
        found = re.search(r"I\s+refs:\s+([\d,]+)", text)
        if found is None:
            raise RuntimeError(f"no instruction count for {program}:\n{text[-2000:]}")
        frames, size = _frames(log)
        return Count(int(found[1].replace(",", "")), frames, size)


def _env(
    scratch: str, tree: Path, markers: list[str], times: list[int], log: Path
) -> dict[str, str]:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": str(WIDTH),
        "LINES": str(HEIGHT),
        "READER_STATE_DIR": f"{scratch}/state",
        "READER_CACHE_DIR": f"{scratch}/cache",
        "XDG_CONFIG_HOME": f"{scratch}/config",
        "PYTHONPATH": os.pathsep.join([str(tree), str(HERE)]),
        "STARTUP_MARKERS": "\x1f".join(markers),
        "STARTUP_TIMES": ",".join(map(str, times)),
        "STARTUP_LOG": str(log),
        "PYTHONHASHSEED": "0",
    }
    for name in ("TMUX", "TEXTUAL", "TEXTUAL_DRIVER", "NO_COLOR"):
        env.pop(name, None)
    return env


def _frames(log: Path) -> tuple[int, int]:
    frames = size = 0
    with contextlib.suppress(FileNotFoundError):
        for line in log.read_text(encoding="utf-8").splitlines():
            stamp, what = line.split()
            if what == "done":
                break
            frames += 1
            size += int(what)
    return frames, size


def frames_after(program: str, tree: Path, linger: float = 1.0) -> list[tuple[float, int]]:
    """(ms after the complete screen, bytes) of each write `program` makes in the `linger`
    seconds after its screen was complete (no valgrind)."""
    markers, times = _markers(program)
    with tempfile.TemporaryDirectory(prefix="reader-startup-") as scratch:
        hook = Path(scratch) / "hook.py"
        hook.write_text(HOOK, encoding="utf-8")
        log = Path(scratch) / "writes.log"
        env = _env(scratch, tree, markers, times, log) | {"STARTUP_LINGER": str(linger)}
        _pty_run([sys.executable, str(hook), *_argv(program, tree)], env, 60)
        after: list[tuple[float, int]] = []
        done: float | None = None
        with contextlib.suppress(FileNotFoundError):
            for line in log.read_text(encoding="utf-8").splitlines():
                stamp, what = line.split()
                if what == "done":
                    done = float(stamp)
                elif done is not None and float(stamp) - done <= linger:
                    after.append(((float(stamp) - done) * 1000, int(what)))
        return after


def profile(program: str, tree: Path) -> dict[str, Any]:
    """Bytecodes `program` executes until its screen is complete: inclusive per function
    ("file:line:name"), and per module body without its imports (see the module's docstring)."""
    markers, times = _markers(program)
    with tempfile.TemporaryDirectory(prefix="reader-startup-") as scratch:
        hook = Path(scratch) / "hook.py"
        hook.write_text(HOOK, encoding="utf-8")
        out = Path(scratch) / "profile.json"
        env = _env(scratch, tree, markers, times, Path(scratch) / "writes.log") | {
            "STARTUP_PROFILE": str(out),
            "STARTUP_PROFILE_CODE": PROFILER,
        }
        _pty_run([sys.executable, str(hook), *_argv(program, tree)], env, 600)
        if not out.exists():
            raise RuntimeError(f"{program}: no profile (its screen was never complete)")
        return cast(dict[str, Any], json.loads(out.read_text(encoding="utf-8")))


def _short(key: str, tree: Path) -> str:
    path, line, name = key.rsplit(":", 2)
    for root in (str(tree) + "/", "site-packages/", "/lib/python3"):
        if root in path:
            path = path.split(root, 1)[1]
    return f"{path}:{line} {name}"


def print_profile(tree: Path, top: int) -> None:
    bare, reader = profile("bare", tree), profile("reader", tree)
    print(
        f"bytecodes until the screen is complete: bare app {bare['total']:,},"
        f" reader {reader['total']:,}; in module bodies: bare app"
        f" {sum(bare['modules'].values()):,}, reader {sum(reader['modules'].values()):,}"
    )
    grown = sorted(
        (count - bare["incl"].get(key, 0), count, key)
        for key, count in reader["incl"].items()
        if not key.endswith(":<module>") and not key.startswith("<frozen")
    )[::-1]
    print("functions (not module bodies) whose inclusive bytecodes grew most: reader-bare, reader")
    for more, count, key in grown[:top]:
        print(f"  {more:>10,} {count:>10,}  {_short(key, tree)}")
    own = [(count, key) for key, count in reader["modules"].items() if f"{tree}/reader/" in key]
    print("reader's module bodies: bytecodes, their own imports left out")
    for count, key in sorted(own, reverse=True)[:top]:
        print(f"  {count:>10,}  {_short(key, tree)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--frames", action="store_true", help="also the frames written")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="no valgrind: where reader's extra bytecodes go"
    )
    args = parser.parse_args(argv)
    if args.profile:
        print_profile(args.tree.resolve(), args.profile)
        return 0
    if shutil.which("valgrind") is None:
        print("startup_work: valgrind not found", file=sys.stderr)
        return 2
    tree = args.tree.resolve()
    import compileall

    compileall.compile_dir(str(tree / "reader"), quiet=1)
    bare = count("bare", tree)
    reader = count("reader", tree)
    ratio = reader.instructions / bare.instructions
    print(
        f"bare app: {bare.instructions / 1e6:,.0f}M instructions ({bare.frames} writes,"
        f" {bare.bytes:,} bytes); reader: {reader.instructions / 1e6:,.0f}M ({reader.frames}"
        f" writes, {reader.bytes:,} bytes): {ratio:.3f}x (goal <= {GOAL}x)"
    )
    if args.frames:
        for program in ("bare", "reader"):
            after = frames_after(program, tree)
            print(
                f"{program}: writes in the second after its screen was complete:"
                f" {', '.join(f'{ms:.0f} ms {size:,} B' for ms, size in after) or 'none'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
