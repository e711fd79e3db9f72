"""Timings of a 1 MB upstream-style README from a server on 127.0.0.1 (issue 14).

Run: `.venv/bin/python tests/benchmarks/fetch_timings.py [--runs N]` (not collected by pytest).
Measures, medians of N interleaved runs, with a cache directory of its own:
1. in process: `fetch()` + `commit()` of a fresh download (200), of a 304, of the cached copy
   with its server gone and with --offline, and for comparison reading the same bytes from a file;
2. end to end: `reader URL --print --format links > /dev/null`, wall time from spawn to exit,
   for the same cases, against `reader FILE` of the same bytes.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reader.sources.fetch import FetchOptions, _entry_path, fetch  # noqa: E402
from tests.webdigest import digest_route, megabyte_readme, serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    body = megabyte_readme().encode()
    work = Path(tempfile.mkdtemp(prefix="reader-fetch-timings-"))
    atexit.register(shutil.rmtree, work, True)
    cache = work / "cache"
    file = work / "README.md"
    file.write_bytes(body)
    options = FetchOptions(directory=cache / "http")
    env = {**os.environ, "READER_CACHE_DIR": str(cache), "READER_STATE_DIR": str(work / "state")}
    reader = [str(ROOT / ".venv" / "bin" / "reader")]
    with serve() as gone:  # a server that served the README once, then stopped
        gone.routes["/README.md"] = digest_route(body, etag='"w1"')
        gone_url = gone.url("/README.md")
        fetch(gone_url, options).commit()

    with serve() as server:
        server.routes["/README.md"] = digest_route(body, etag='"w1"')
        url = server.url("/README.md")
        entry = _entry_path(cache / "http", url)

        def clear() -> None:
            entry.unlink(missing_ok=True)

        def ensure() -> None:
            if not entry.exists():
                fetch(url, options).commit()

        def cli(source: str, *more: str) -> Callable[[], object]:
            argv = [*reader, source, *more, "--print", "--format", "links"]
            return lambda: subprocess.run(
                argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )

        cases: list[tuple[str, Callable[[], object], Callable[[], object], Callable[[], object]]]
        cases = [
            ("fresh fetch (200, 1 MB body)", clear, lambda: fetch(url, options).commit(), cli(url)),
            (
                "revalidated (304, nothing downloaded)",
                ensure,
                lambda: fetch(url, options).commit(),
                cli(url),
            ),
            (
                "offline open: the server gone",
                lambda: None,
                lambda: fetch(gone_url, options),
                cli(gone_url),
            ),
            (
                "offline open: --offline",
                lambda: None,
                lambda: fetch(gone_url, replace(options, offline=True)),
                cli(gone_url, "--offline"),
            ),
            (
                "reference: the same bytes from a file",
                lambda: None,
                file.read_bytes,
                cli(str(file)),
            ),
        ]
        inner: dict[str, list[float]] = {name: [] for name, *_ in cases}
        outer: dict[str, list[float]] = {name: [] for name, *_ in cases}
        for _ in range(runs):  # interleaved: a load spike hits every case alike
            for name, before, in_process, command in cases:
                for action, times in ((in_process, inner), (command, outer)):
                    before()
                    started = time.perf_counter()
                    action()
                    times[name].append((time.perf_counter() - started) * 1000)

    print(f"README: {len(body):,} bytes; medians of {runs} interleaved runs")
    print("| case | fetch() in process, ms | `reader URL --print --format links`, ms |")
    print("|---|---:|---:|")
    for name, *_ in cases:
        print(
            f"| {name} | {statistics.median(inner[name]):.2f} "
            f"| {statistics.median(outer[name]):.0f} |"
        )


if __name__ == "__main__":
    from tests.processes import exit_on_sigterm

    exit_on_sigterm()  # `kill PID` unwinds: its temporary folders and servers go too
    main()
