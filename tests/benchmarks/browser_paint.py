"""The browser's first paint: `reader --serve` against a bare textual-serve app, in Chromium.

Run: `.venv/bin/python tests/benchmarks/browser_paint.py [--runs N] [--tree DIR] [--before DIR]`
(not collected by pytest; `run.py` runs it as part of `make bench`; `--before` serves another
checkout's reader too, in the same turns, for a before/after in one sitting). It needs
playwright and a Chromium (`/usr/bin/chromium`, or $READER_CHROMIUM); without them it says why
and measures nothing.

Both apps are served on 127.0.0.1: the bare app of `bare_app.py` with textual-serve's own
`Server` and page, and `reader --serve` (its page, on the bundled digest). Each run opens each
page in a fresh browser context of headless Chromium (1400x900, an empty cache), the apps in
turns, their order alternating, each once the servers' processes have been idle for 0.3 s (the
last tab's reader ended, reader's next spare started: `settle`); no request may leave 127.0.0.1
(any other is answered here with an empty page and counted: textual-serve's page asks a font
service on the internet for its font, so the bare app's page draws with the browser's own
monospace font).

The page is instrumented by a script that runs before its own (the same for both apps):
textual.js is loaded by the browser from the app's server as a user's browser loads it, not
routed through this process (routing it put a fetch, a decode and a re-encode of its 514 KB here
on the page's path, in a Python process competing for the same 2 cores as the servers). The
script catches the xterm.js Terminal textual.js makes (the first object given a `terminal`
with a `write`), and wraps that terminal's `write`: every binary websocket message (a frame
Textual wrote) is time-stamped when it arrives and when xterm.js has parsed it (its write
callback), and xterm.js's buffer is read after each write until the screen holds everything it
must show. For each run:

- first paint: from navigation start until xterm.js rendered (its onRender) a screen that holds
  it all, complete: reader, the digest's name, the newest week's first title twice (list and
  abstract pane), the first words of its abstract and "All weeks"; the bare app, its Static's
  text and its footer's "Quit";
- frames: the binary messages received until a second after that paint, how many of them draw
  the whole screen (they put the cursor on every row), and their bytes;
- xterm.js's time on the first full frame (arrival until parsed) and on all frames;
- what the page did before: the document, textual.js, the fonts (resource timing), the load
  event, the websocket opened, the first frame's arrival.

Reported: the median of each and its spread (min-max) over the runs; the goal is reader's first
paint <= 1.1x the bare app's, with one full frame (issue 26).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # tests.chromium (appended: the measured tree's reader goes first)
from tests.chromium import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.processes import interrupt  # noqa: E402

BARE_APP = HERE / "bare_app.py"
GOAL_PAINT = 1.1
"""Reader's first paint in the browser against the bare textual-serve app's (issue 26)."""
GOAL_FULL_FRAMES = 1
VIEWPORT = {"width": 1400, "height": 900}
LINGER = 1.0
"""Seconds after the first paint in which frames are still counted."""
QUIET = 0.3
"""Seconds without CPU in the servers' processes before a page load starts (`settle`)."""
LOCAL = re.compile(r"^(?:https?|wss?)://127\.0\.0\.1:\d+/")

PRELUDE = r"""
window.__bench = (() => {
  const b = {frames: [], complete: null, paint: null, markers: window.__expected || [],
             term: null, wsOpen: null, wsStart: null, renders: [], long: [], fonts: []};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.long.push([e.startTime, e.duration]);
  }).observe({type: "longtask", buffered: true});
  document.fonts.addEventListener("loadingdone", (e) => {
    b.fonts.push([performance.now(), e.fontfaces.map((f) => f.style + " " + f.family)]);
  });
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    b.wsStart = performance.now();
    const socket = new Socket(...args);
    socket.addEventListener("open", () => { b.wsOpen = performance.now(); });
    return socket;
  };
  window.WebSocket.prototype = Socket.prototype;
  const decoder = new TextDecoder();
  b.screen = (term) => {
    const lines = [];
    const buffer = term.buffer.active;
    for (let y = 0; y < term.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\n");
  };
  b.holds = (term) => {
    const text = b.screen(term);
    return b.markers.every(([marker, times]) => text.split(marker).length - 1 >= times);
  };
  b.glyphs = (term) => {
    // What xterm.js's renderer draws into its glyph atlas once each: a character in a style.
    const keys = new Set();
    const buffer = term.buffer.active;
    const cell = buffer.getNullCell();
    for (let y = 0; y < term.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      for (let x = 0; line && x < term.cols; x++) {
        line.getCell(x, cell);
        const chars = cell.getChars();
        if (chars === "" || chars === " ") continue;
        keys.add([chars, cell.getFgColorMode(), cell.getFgColor(), cell.getBgColorMode(),
                  cell.getBgColor(), cell.isBold(), cell.isItalic(), cell.isDim(),
                  cell.isUnderline(), cell.isInverse()].join(","));
      }
    }
    return keys.size;
  };
  b.watch = (term) => {
    // textual.js writes each binary websocket message with term.write(data, done).
    const write = term.write.bind(term);
    term.write = (data, done) =>
      typeof data === "string" ? write(data, done) : b.write(term, data, done, write);
    b.term = term;
    term.onRender((range) => {
      b.renders.push([performance.now(), range.start, range.end]);
      if (b.complete !== null && b.paint === null) b.paint = performance.now();
    });
  };
  // textual.js keeps its xterm.js Terminal in `this.terminal` of the object that connects the
  // websocket: the first such assignment is caught here, and the trap removed.
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      delete Object.prototype.terminal;
      Object.defineProperty(this, "terminal", {value, writable: true, configurable: true,
                                               enumerable: true});
      if (value && typeof value.write === "function" && value.buffer) b.watch(value);
    },
  });
  b.write = (term, data, done, write) => {
    const text = decoder.decode(data);
    const rows = new Set();
    for (const m of text.matchAll(/\x1b\[(\d+);\d+H/g)) rows.add(m[1]);
    const frame = {recv: performance.now(), bytes: data.length, rows: rows.size,
                   full: rows.size >= term.rows, parsed: null};
    b.frames.push(frame);
    write(data, () => {
      frame.parsed = performance.now();
      if (done) done();
      if (b.complete === null && b.holds(term)) {
        b.complete = frame.parsed;
        b.completeFrame = b.frames.length - 1;
      }
    });
  };
  return b;
})();
"""


@dataclass
class Run:
    """One page load of one app."""

    paint_ms: float
    complete_ms: float
    first_frame_ms: float
    first_full_ms: float
    ws_open_ms: float
    load_ms: float
    document_ms: float
    script_ms: float
    fonts_ms: float
    frames: int
    full_frames: int
    bytes: int
    full_bytes: list[int]
    first_full_parse_ms: float
    glyphs: int
    parse_ms: float
    outside: list[str]


@dataclass
class Result:
    """Every run of both apps, or why none was made."""

    bare: list[Run] = field(default_factory=list)
    reader: list[Run] = field(default_factory=list)
    before: list[Run] = field(default_factory=list)
    """The reader of `--before` (another checkout), when given."""
    skipped: str = ""
    size: str = ""


def why_not() -> str:
    """Why the browser bench cannot run here ("" when it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        return "textual-serve is not installed (the web extra)"
    if chromium_path() is None:
        return "no Chromium here (apt-get install -y chromium)"
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server of {url} exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _tree_ticks(roots: Sequence[int]) -> int:
    """The CPU ticks (user and system) of these processes and all their descendants."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo += children.get(pid, [])
    return total


def settle(pids: Sequence[int], quiet: float = QUIET, most: float = 15.0) -> None:
    """Wait until the servers and what they started used no CPU for `quiet` seconds (at most
    `most`): a page load starts when the last one's work is over, whichever app it was (a tab's
    reader quitting, a spare starting for the next tab)."""
    if not Path("/proc/self/stat").exists():
        time.sleep(most / 10)
        return
    deadline = time.monotonic() + most
    last = _tree_ticks(pids)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = _tree_ticks(pids)
        if now == last:
            return
        last = now


@contextlib.contextmanager
def servers(
    env: dict[str, str], tree: Path = ROOT, before: Path | None = None
) -> Iterator[tuple[dict[str, str], list[int]]]:
    """The bare app under textual-serve and `reader --serve` (and the reader of the checkout
    `before`, to compare in the same run), all on 127.0.0.1: their URLs, and their processes'
    ids."""
    ports = {"bare": free_port(), "reader": free_port()}
    bare_command = f"{sys.executable} {BARE_APP}"
    processes = {
        "bare": subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from textual_serve.server import Server;"
                " Server(sys.argv[1], host='127.0.0.1', port=int(sys.argv[2])).serve()",
                bare_command,
                str(ports["bare"]),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    }
    # Each reader runs in its checkout: `python -m reader` puts the working directory first on
    # sys.path, ahead of PYTHONPATH, so another directory's reader/ would be the one measured.
    readers = {"reader": (env, tree.resolve())} | (
        {"before": (env | {"PYTHONPATH": str(before.resolve())}, before.resolve())}
        if before is not None
        else {}
    )
    try:
        for name, (reader_env, where) in readers.items():
            ports[name] = free_port()
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "reader", "--serve", "--port", str(ports[name])],
                env=reader_env,
                cwd=where,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        urls = {name: f"http://127.0.0.1:{port}/" for name, port in ports.items()}
        for name, process in processes.items():
            _wait_http(urls[name], process)
        yield urls, [process.pid for process in processes.values()]
    finally:
        for process in processes.values():
            interrupt(process, 10)


def markers(program: str) -> list[tuple[str, int]]:
    """What the screen must hold, and how many times, to be complete."""
    sys.path[:0] = [str(HERE), str(ROOT)]
    if program == "bare":
        from bare_app import TEXT

        return [(TEXT, 1), ("BareApp", 1)]
    from reader.sources.loader import BUNDLED, load_digest

    digest = load_digest(BUNDLED)
    paper = digest.papers[digest.week_ranges[digest.weeks[0]].start]
    words = " ".join(paper.text.split()[:4])
    return [(digest.name, 1), (paper.title[:40], 2), (words, 1), ("All weeks", 1)]


def load_once(browser: Any, url: str, expected: list[tuple[str, int]], timeout: float) -> Run:
    """Open `url` in a fresh context until its screen is complete, then `LINGER` seconds."""
    context = browser.new_context(viewport=VIEWPORT)
    outside: list[str] = []

    def stub(route: Any) -> None:
        outside.append(route.request.url)
        kind = "text/css" if "css" in route.request.url else "text/html"
        route.fulfill(status=200, content_type=kind, body="")

    try:
        context.route(lambda address: not LOCAL.match(address), stub)
        page = context.new_page()
        page.add_init_script("window.__expected = " + _js_list(expected) + ";\n" + PRELUDE)
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_function(
                "() => window.__bench.paint !== null", timeout=timeout * 1000, polling=10
            )
        except Exception:
            if not page.evaluate("() => window.__bench.term !== null"):
                raise RuntimeError(
                    "textual.js has changed: no xterm.js Terminal was given to a `terminal`"
                ) from None
            raise
        page.wait_for_timeout(LINGER * 1000)
        found: dict[str, Any] = page.evaluate(
            """(linger) => {
              const b = window.__bench;
              const nav = performance.getEntriesByType("navigation")[0];
              const resources = performance.getEntriesByType("resource");
              const end = (pattern) => Math.min(1e9, ...resources
                .filter((r) => pattern.test(r.name)).map((r) => r.responseEnd)) % 1e9;
              const frames = b.frames.filter((f) => f.recv <= b.paint + 1000 * linger);
              return {paint: b.paint, complete: b.complete, frames: frames, ws: b.wsOpen,
                      glyphs: b.glyphs(b.term),
                      first: b.frames.length ? b.frames[0].recv : null,
                      firstFull: (b.frames.find((f) => f.full) || {recv: null}).recv,
                      document: nav.responseEnd, load: nav.loadEventStart,
                      script: end(/textual\\.js/), fonts: end(/\\.(ttf|woff2?)|fonts\\./)};
            }""",
            LINGER,
        )
    finally:
        context.close()
    frames = found["frames"]
    full = [frame for frame in frames if frame["full"]]
    return Run(
        paint_ms=found["paint"],
        complete_ms=found["complete"],
        first_frame_ms=found["first"] or float("nan"),
        first_full_ms=found["firstFull"] or float("nan"),
        ws_open_ms=found["ws"] if found["ws"] is not None else float("nan"),
        load_ms=found["load"],
        document_ms=found["document"],
        script_ms=found["script"],
        fonts_ms=found["fonts"],
        frames=len(frames),
        full_frames=len(full),
        bytes=sum(frame["bytes"] for frame in frames),
        full_bytes=[frame["bytes"] for frame in full],
        glyphs=found["glyphs"],
        first_full_parse_ms=(full[0]["parsed"] - full[0]["recv"]) if full else float("nan"),
        parse_ms=sum((frame["parsed"] or frame["recv"]) - frame["recv"] for frame in frames),
        outside=outside,
    )


def _js_list(expected: list[tuple[str, int]]) -> str:
    import json

    return json.dumps([[marker, times] for marker, times in expected])


def measure(
    runs: int = 5, tree: Path | None = None, timeout: float = 60, before: Path | None = None
) -> Result:
    """`runs` interleaved page loads of each app (after one unmeasured warm-up of each); with
    `before`, also of the reader of that checkout."""
    reason = why_not()
    if reason:
        return Result(skipped=reason)
    from playwright.sync_api import sync_playwright

    result = Result(size=f"{VIEWPORT['width']}x{VIEWPORT['height']}")
    state = tempfile.mkdtemp(prefix="reader-browser-bench-")
    env = {
        **os.environ,
        "READER_STATE_DIR": state + "/state",
        "READER_CACHE_DIR": state + "/cache",
        "XDG_CONFIG_HOME": state + "/config",
    }
    if tree is not None:
        env["PYTHONPATH"] = str(tree.resolve())
    for name in ("TMUX", "TEXTUAL", "NO_COLOR"):
        env.pop(name, None)
    expected = {"bare": markers("bare"), "reader": markers("reader")}
    expected["before"] = expected["reader"]
    try:
        where = tree if tree is not None else ROOT
        with servers(env, where, before) as (urls, pids), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            try:
                programs = list(urls)
                for program in programs:  # warm-up: bytecode, the digest cache
                    load_once(browser, urls[program], expected[program], timeout)
                for number in range(runs):
                    order = programs if number % 2 == 0 else programs[::-1]
                    for program in order:
                        settle(pids)
                        run = load_once(browser, urls[program], expected[program], timeout)
                        getattr(result, program).append(run)
            finally:
                browser.close()
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return result


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    return f"{min(values):,.0f}-{max(values):,.0f}" if values else "n/a"


def rows(result: Result) -> list[tuple[str, ...]]:
    """The rows of `run.py`'s table (Measure, Size, Value, Reference, Ratio, Goal, Result)."""
    where = f"Chromium {result.size}" if result.size else "Chromium"
    if result.skipped:
        return [
            (
                "Browser first paint vs a bare textual-serve app",
                where,
                f"skipped: {result.skipped}",
                "",
                "",
                f"≤ {GOAL_PAINT}x",
                "—",
            )
        ]
    bare, reader = result.bare, result.reader
    paint = median([r.paint_ms for r in reader])
    bare_paint = median([r.paint_ms for r in bare])
    ratio = paint / bare_paint
    full = median([r.full_frames for r in reader])
    bare_full = median([r.full_frames for r in bare])
    outside = sorted({url for r in bare + reader for url in r.outside})

    def frames_text(found: list[Run]) -> str:
        full_bytes = [size for r in found for size in r.full_bytes[:1]]
        return (
            f"{median([r.frames for r in found]):.0f} frames, "
            f"{median([r.full_frames for r in found]):.0f} full "
            f"(first {median(full_bytes):,.0f} B), {median([r.bytes for r in found]):,.0f} B"
        )

    def before(found: list[Run]) -> str:
        return (
            f"document {median([r.document_ms for r in found]):.0f}, textual.js "
            f"{median([r.script_ms for r in found]):.0f}, first font "
            + (
                f"{median([r.fonts_ms for r in found]):.0f}"
                if any(r.fonts_ms for r in found)
                else "none"
            )
            + f", load {median([r.load_ms for r in found]):.0f}, websocket "
            f"{median([r.ws_open_ms for r in found]):.0f}, first bytes "
            f"{median([r.first_frame_ms for r in found]):.0f}, first full frame "
            f"{median([r.first_full_ms for r in found]):.0f}, parsed (complete) "
            f"{median([r.complete_ms for r in found]):.0f}, drawn "
            f"{median([r.paint_ms for r in found]):.0f} ms"
        )

    return [
        (
            "Browser first paint: navigation → the digest's rows drawn by xterm.js, complete",
            where,
            f"{paint:,.0f} ms ({spread([r.paint_ms for r in reader])}, n={len(reader)})",
            f"bare textual-serve app {bare_paint:,.0f} ms ({spread([r.paint_ms for r in bare])})",
            f"{ratio:.2f}x",
            f"≤ {GOAL_PAINT}x",
            "PASS" if ratio <= GOAL_PAINT else "FAIL",
        ),
        (
            f"Browser frames until {LINGER:.0f} s after that paint (full: the cursor on every row)",
            where,
            frames_text(reader),
            "bare app: " + frames_text(bare),
            "",
            f"{GOAL_FULL_FRAMES} full frame",
            "PASS" if full <= GOAL_FULL_FRAMES else "FAIL",
        ),
        (
            "xterm.js on the first full frame (arrival → parsed), all frames parsed, the complete"
            " screen's parse → drawn; the characters in a style it draws (its glyph atlas)",
            where,
            f"{median([r.first_full_parse_ms for r in reader]):.0f} / "
            f"{median([r.parse_ms for r in reader]):.0f} / "
            f"{median([r.paint_ms - r.complete_ms for r in reader]):.0f} ms; "
            f"{median([r.glyphs for r in reader]):.0f} glyphs",
            f"bare app {median([r.first_full_parse_ms for r in bare]):.0f} / "
            f"{median([r.parse_ms for r in bare]):.0f} / "
            f"{median([r.paint_ms - r.complete_ms for r in bare]):.0f} ms; "
            f"{median([r.glyphs for r in bare]):.0f} glyphs",
            "",
            "(for information)",
            "—",
        ),
        (
            "Browser: what the page did before the first paint (ms after navigation)",
            where,
            before(reader),
            "bare app: "
            + before(bare)
            + (f"; stubbed outside requests: {', '.join(outside)}" if outside else ""),
            "",
            f"(bare app's full frames: {bare_full:.0f})",
            "—",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads of each app")
    parser.add_argument("--tree", type=Path, help="the checkout whose reader is served")
    parser.add_argument(
        "--before", type=Path, help="also serve this checkout's reader, in the same turns"
    )
    parser.add_argument("--raw", action="store_true", help="also print every run")
    args = parser.parse_args(argv)
    result = measure(args.runs, args.tree, before=args.before)
    if args.raw:
        for program in ("bare", "reader", "before"):
            for run in getattr(result, program):
                print(program, run)
    for row in rows(result):
        print("| " + " | ".join(row) + " |")
    if result.before:
        print(f"before ({args.before}):")
        before = Result(bare=result.bare, reader=result.before, size=result.size)
        for row in rows(before):
            print("| " + " | ".join(row) + " |")
    return 0 if not result.skipped else 2


if __name__ == "__main__":
    from tests.processes import exit_on_sigterm

    exit_on_sigterm()  # `kill PID` unwinds: its temporary folders and servers go too
    sys.exit(main())
