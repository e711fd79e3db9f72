"""How many times one filter keystroke's handling crosses from one of reader's files into another
(issue 25): the bundled digest, headless at 120x40, `/` and `dif` typed, then `f` traced. A call
into reader's code counts as a crossing when the nearest caller in reader's code is in another
file (calls through Textual in between count as one crossing: the screen setting a widget's
reactive and Textual calling the widget's watcher).

Run: `.venv/bin/python tests/benchmarks/crossings.py [--tree CHECKOUT]` (not collected by pytest).
`--tree` traces another checkout's reader (e.g. an older commit, for before/after)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

SCREEN_NAMES = ("screens/main.py", "screens/main/")
"""The main screen's module(s), old and new layout."""


def _reader_frame(frame: FrameType | None, root: str) -> FrameType | None:
    while frame is not None and not frame.f_code.co_filename.startswith(root):
        frame = frame.f_back
    return frame


Crossing = tuple[str, str, str]


async def trace(keys: str, key: str) -> tuple[list[Crossing], list[Crossing]]:
    import reader
    from reader.app import make_app
    from reader.screens.routing import TypeaheadApp
    from reader.sources.loader import load_digest

    root = str(Path(reader.__file__).resolve().parent) + os.sep
    crossings: list[tuple[str, str, str]] = []
    """(caller's file, callee's file, function) of each call from one file into another."""
    returns: list[tuple[str, str, str]] = []
    """(callee's file, caller's file, function) of each return from one file into another."""

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event not in ("call", "return") or not frame.f_code.co_filename.startswith(root):
            return
        caller = _reader_frame(frame.f_back, root)
        here = frame.f_code.co_filename
        if caller is None or caller.f_code.co_filename == here:
            return
        there = caller.f_code.co_filename[len(root) :]
        if event == "call":
            crossings.append((there, here[len(root) :], frame.f_code.co_name))
        else:
            returns.append((here[len(root) :], there, frame.f_code.co_name))

    route = TypeaheadApp._route_key
    tracing = [False]

    async def traced(self: TypeaheadApp, event: Any) -> None:
        if not tracing[0]:
            await route(self, event)
            return
        sys.setprofile(profile)
        try:
            await route(self, event)
        finally:
            sys.setprofile(None)

    TypeaheadApp._route_key = traced  # type: ignore[method-assign]
    app = make_app(load_digest(), week="all", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *keys)
        await pilot.pause(0.3)
        tracing[0] = True
        await pilot.press(key)
        tracing[0] = False
        await pilot.pause()
    return crossings, returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="trace the reader of another checkout")
    parser.add_argument("--list", action="store_true", help="print every crossing")
    args = parser.parse_args()
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    crossings, returns = asyncio.run(trace("di", "f"))
    modules = {name for pair in crossings for name in pair[:2]}
    distinct = set(crossings)

    def into_screen(found: list[Crossing]) -> list[Crossing]:
        return [c for c in found if any(name in c[1] for name in SCREEN_NAMES)]

    if args.list:
        for caller, callee, name in sorted(distinct):
            print(f"{caller} -> {callee}:{name}")
    print(
        f"calls from one file into another: {len(crossings)}, {len(distinct)} distinct "
        f"(caller's file, function), over {len(modules)} modules"
    )
    print(
        f"into the screen: {len(into_screen(crossings))} calls "
        f"({len(set(into_screen(crossings)))} distinct), {len(into_screen(returns))} returns"
    )
    for name, count in Counter(c[1] for c in crossings).most_common():
        print(f"  {count:4} into {name}")


if __name__ == "__main__":
    main()
