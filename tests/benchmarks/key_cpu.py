"""The bench's keys in process: reader's CPU for each, split into its handling and its frames.

Run: `.venv/bin/python tests/benchmarks/key_cpu.py [--size 1k] [--repeats 3] [--no-gc]
[--profile cursor|week|filter] [--parts]` (not collected by pytest). Another checkout is
measured with `PYTHONPATH=DIR` and DIR as the working directory. It opens the generated digest
of that size (or `bundled`) headless at 120x40 and presses what `run.py` presses: Down five
times, `[` five times, then `/` and `quantized` a letter at a time, a pause after each key. For
each key it takes the thread CPU time (`time.thread_time`, which other processes on the machine
barely move, where the wall-clock round trips of `run.py` move by ±15% or more) of reader's
routing of the key (its whole update: `ReaderApp._route_key`) and of the frames drawn before the
next key (`Screen._on_timer_update`), and counts the layouts. Headless, Textual encodes no frame
for a terminal: each is encoded here as it would be (`render_segments`, in the frame's time),
and its time and bytes are shown. It prints the medians over the keys of each kind; `--profile
KIND` adds a cProfile of that kind's routing and frames (sorted by `$KEY_CPU_SORT`, cumulative
by default; `$KEY_CPU_LINES` lines, 50). `--parts` splits each key's time among the parts of
reader that draw it (`PARTS`: the query, the sidebar's rows and widget, the list, the pane, the
title, the bar) and the frames' among the widgets whose lines they render.

The opening's own layouts are counted with the first key of each repeat. `--no-gc` turns the
collector off, as the app nearly does once painted (`reader.collector`: young collections only),
so that a collection here does not land on one key or another.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import cProfile
import gc
import io
import os
import pstats
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):  # run as a script
    sys.path[:0] = [str(HERE), os.getcwd()]

import generate  # noqa: E402

KINDS = ("cursor", "week", "filter")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reader's CPU for each of the bench's keys.")
    parser.add_argument("--size", default="1k", help="1k, 10k, 100k, or bundled")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-gc", action="store_true")
    parser.add_argument("--profile", choices=KINDS)
    parser.add_argument(
        "--route-only", action="store_true", help="profile the routing of the keys, not the frames"
    )
    parser.add_argument(
        "--frames-only", action="store_true", help="profile the frames, not the routing"
    )
    parser.add_argument(
        "--parts",
        action="store_true",
        help="split each key among the parts of reader that draw it (PARTS), and its frames"
        " among the widgets whose lines they render",
    )
    args = parser.parse_args(argv)
    scratch = tempfile.mkdtemp(prefix="key-cpu-")
    atexit.register(shutil.rmtree, scratch, True)  # one folder a run, removed (404 were left)
    for name in ("XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.environ[name] = tempfile.mkdtemp(dir=scratch)

    from textual.screen import Screen

    from reader.app import ReaderApp, make_app
    from reader.sources.loader import load_digest
    from reader.state import StateStore

    digest = load_digest() if args.size == "bundled" else load_digest(generate.ensure(args.size))
    spent = {"route": 0.0, "frame": 0.0, "layouts": 0.0, "encode": 0.0, "bytes": 0.0}
    profile = cProfile.Profile(time.thread_time)  # what other processes take is not counted
    current = [""]

    def profiled() -> bool:
        return bool(args.profile) and current[0] == args.profile

    route = ReaderApp._route_key
    frame = Screen._on_timer_update
    layout = Screen._refresh_layout
    display = ReaderApp._display

    async def timed_route(self: Any, event: Any) -> None:
        started = time.thread_time()
        routes = profiled() and not args.frames_only
        if routes:
            profile.enable()
        try:
            await route(self, event)
        finally:
            if routes:
                profile.disable()
            spent["route"] += time.thread_time() - started

    def timed_frame(self: Any) -> None:
        started = time.thread_time()
        frames = profiled() and not args.route_only
        if frames:
            profile.enable()
        try:
            frame(self)
        finally:
            if frames:
                profile.disable()
            spent["frame"] += time.thread_time() - started

    def counted_layout(self: Any, *args: Any, **kwargs: Any) -> None:
        spent["layouts"] += 1
        layout(self, *args, **kwargs)

    def encoded(self: Any, screen: Any, renderable: Any) -> None:
        """Headless, Textual encodes nothing: the update is encoded here as it is for a
        terminal (`render_segments`), within the frame's time, and its bytes counted."""
        display(self, screen, renderable)
        if renderable is not None and hasattr(renderable, "render_segments"):
            started = time.thread_time()
            data = renderable.render_segments(self.console)
            spent["encode"] += time.thread_time() - started  # within the frame's time
            spent["bytes"] += len(data.encode("utf-8"))

    parts: dict[str, float] = defaultdict(float)
    if args.parts:
        _time_parts(parts)
    ReaderApp._display = encoded  # type: ignore[method-assign]
    ReaderApp._route_key = timed_route  # type: ignore[method-assign]
    Screen._on_timer_update = timed_frame  # type: ignore[method-assign]
    Screen._refresh_layout = counted_layout  # type: ignore[method-assign]
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))

    async def once() -> None:
        _forget_lookups(digest)
        store = StateStore()
        app = make_app(digest, state=store, read_delay=60)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(1000):
                if type(app.screen).__name__ == "MainScreen":
                    break
                await pilot.pause(0.01)
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()

            async def press(kind: str, key: str) -> None:
                spent["route"] = spent["frame"] = spent["encode"] = spent["bytes"] = 0.0
                parts.clear()
                current[0] = kind
                await pilot.press(key)
                await pilot.pause()
                await pilot.pause(0.1)
                current[0] = ""
                found[kind]["route"].append(spent["route"] * 1000)
                found[kind]["frame"].append(spent["frame"] * 1000)
                found[kind]["total"].append((spent["route"] + spent["frame"]) * 1000)
                found[kind]["encode"].append(spent["encode"] * 1000)
                found[kind]["bytes"].append(spent["bytes"])
                found[kind]["layouts"].append(spent["layouts"])
                for part in PARTS:
                    found[kind][part].append(parts[part] * 1000)
                for part, value in parts.items():
                    if part.startswith("lines "):
                        found[kind][part].append(value * (1 if part.endswith(" n") else 1000))
                spent["layouts"] = 0

            for _ in range(5):
                await press("cursor", "down")
            for _ in range(5):
                await press("week", "left_square_bracket")
            await pilot.press("slash")
            await pilot.pause(0.2)
            for letter in "quantized":
                await press("filter", letter)
        store.close()

    if args.no_gc:
        gc.disable()
    for _ in range(args.repeats):
        asyncio.run(once())
    print(f"reader's CPU for each key, {args.size}, medians of {args.repeats} runs (ms):")
    for kind in KINDS:
        d = found[kind]
        medians = "  ".join(f"{part} {statistics.median(d[part]):5.2f}" for part in KINDS_PARTS)
        print(
            f"  {kind:7s} {medians}; of the frame, encoding {statistics.median(d['encode']):4.2f}"
            f" ({statistics.median(d['bytes']):,.0f} bytes); layouts {sum(d['layouts']):.0f}"
            f" in {len(d['total'])} keys"
        )
    if args.parts:
        print("  of the key, routing and frames (medians, ms; each less the parts it calls):")
        for kind in KINDS:
            d = found[kind]
            print(f"  {kind:7s} " + "  ".join(f"{p} {statistics.median(d[p]):4.2f}" for p in PARTS))
        print("  of the frames: each widget's lines rendered (mean a key: ms, lines):")
        for kind in KINDS:
            d = found[kind]
            keys = len(d["total"])
            lines = sorted(p for p in d if p.startswith("lines ") and not p.endswith(" n"))
            print(
                f"  {kind:7s} "
                + "  ".join(
                    f"{p[6:]} {sum(d[p]) / keys:4.2f} ({sum(d[p + ' n']) / keys:.0f})"
                    for p in lines
                )
            )
    if args.profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(os.environ.get("KEY_CPU_SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("KEY_CPU_LINES", "50")))
        print(out.getvalue())
    return 0


def _forget_lookups(digest: Any) -> None:
    """Each repeat types its word as a new session does: the answers the digest's token index
    keeps (its `OrderedDict`s and `_Kept`s: needles' tokens, masks, bits) from the repeat
    before are forgotten, so that only the first repeat does not find them."""
    from collections import OrderedDict

    index = getattr(digest, "token_index", None)
    for name in getattr(type(index), "__slots__", ()):
        value = getattr(index, name, None)
        if isinstance(value, OrderedDict):
            value.clear()
        elif hasattr(value, "forget"):  # lookup's and lookup_bits' answers (tokens._Kept)
            value.forget()


KINDS_PARTS = ("route", "frame", "total")

PARTS = {
    "query": ("reader.browse.querying", "Querying", "ask"),
    "sidebar": ("reader.browse.model", "Browse", "sidebar"),
    "sidebar-widget": ("reader.widgets.sidebar", "Sidebar", "set_entries"),
    "list": ("reader.widgets.paper_list", "PaperList", "show"),
    "pane": ("reader.screens.main.screen", "MainScreen", "_draw_pane"),
    "title": ("reader.screens.main.screen", "MainScreen", "_draw_title"),
    "bar": ("reader.widgets.filter_input", "FilterInput", "_watch_value"),
    "bar-line": ("reader.widgets.filter_input", "FilterInput", "render_line"),
    "sidebar-rows": ("reader.widgets.sidebar", "Sidebar", "_render_row_strip"),
}
"""The parts of a key's routing that `--parts` times (thread CPU time), each less the parts
it calls: module, class, method."""


def _time_parts(parts: dict[str, float]) -> None:
    """Wrap each of PARTS so that its thread CPU time, less that of the parts it calls, adds up
    in `parts` under its name."""
    import importlib

    stack: list[float] = []  # per part running: the time its inner parts took

    def wrap(name: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack.append(0.0)
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                took = time.thread_time() - started
                inner = stack.pop()
                parts[name] += took - inner
                if stack:
                    stack[-1] += took

        return timed

    for name, (module, owner, method) in PARTS.items():
        cls = getattr(importlib.import_module(module), owner)
        setattr(cls, method, wrap(name, getattr(cls, method)))

    from textual.widget import Widget

    render_lines = Widget.render_lines

    def rendered(self: Widget, crop: Any) -> Any:  # a frame's lines, by the widget's type
        name = f"lines {type(self).__name__}"
        stack.append(0.0)
        started = time.thread_time()
        try:
            return render_lines(self, crop)
        finally:
            took = time.thread_time() - started
            parts[name] += took - stack.pop()
            parts["lines " + type(self).__name__ + " n"] += crop.height
            if stack:
                stack[-1] += took

    Widget.render_lines = rendered  # type: ignore[method-assign]


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))  # atexit runs
    sys.exit(main())
