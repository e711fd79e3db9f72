"""How long a week of all three sources takes to open (issue 29): the digest's README, Hugging
Face's daily papers of one ISO week and one day of arXiv's cs.LG listing, from a server on
127.0.0.1 (an empty cache: every body downloaded) and then from the cache (`--offline`).

Run: `nice -n 10 .venv/bin/python tests/benchmarks/feeds_open.py [--runs 5] [--tui]`
(not collected by pytest; `--tui` needs tmux). Sizes as the real feeds are: the README of 181
weeks (1,810 papers), Hugging Face's week of 5 days x 25 papers (three pages of 50), a cs.LG
day of 450 items (new, cross-lists and replacements), abstracts ~1,200 characters. Each figure
is `reader --latest hf:2026-W26 arxiv:cs.LG --print --format json` in a fresh process (spawn to
exit), and `load_digest` in process; the floor is `reader FILE --print --format json` of the
same papers as one local json file (what reading the three costs without HTTP, feeds and
merging). With `--tui`, also the reader itself in a private tmux at 120x40, from spawn until
painted (the title, and the newest week's first paper in the list: toasts may cover the pane;
`run.py`'s poller), against the bare Textual app of `run.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(ROOT))

from reader.model import Digest  # noqa: E402
from reader.sources.fetch import FetchOptions  # noqa: E402
from reader.sources.loader import load_digest  # noqa: E402
from tests.feeds import (  # noqa: E402
    ArxivItem,
    HFPaper,
    arxiv_rss,
    feeds_environment,
    hf_routes,
)
from tests.webdigest import digest_route, readme, serve  # noqa: E402

ABSTRACT = (
    "We study how large language models trained on long contexts use the information they "
    "are given, and find that the gains reported on reasoning benchmarks come mostly from a "
    "small number of retrieval heads. "
) * 6
WEEK_DAY = date(2026, 6, 24)


def _hf_week() -> list[HFPaper]:
    monday = date.fromisocalendar(2026, 26, 1)
    return [
        HFPaper(
            id=f"2606.{10000 + day * 25 + n:05d}",
            title=f"A daily paper {day}-{n} on efficient attention for long contexts",
            day=monday + timedelta(days=day),
            summary=ABSTRACT,
            authors=tuple(f"Author {k} of {n}" for k in range(6)),
            upvotes=300 - n * 7,
            comments=n % 4,
            github=f"https://github.com/lab/repo{n}",
        )
        for day in range(5)
        for n in range(25)
    ]


def _listing() -> bytes:
    kinds = ["new"] * 160 + ["cross"] * 130 + ["replace"] * 110 + ["replace-cross"] * 50
    items = [
        ArxivItem(
            # a fifth of them are Hugging Face's papers too: merged by id
            id=f"2606.{(10000 + n) if n % 5 == 0 and n < 625 else 20000 + n:05d}",
            title=f"A cs.LG paper {n} on optimization of deep networks",
            abstract=ABSTRACT,
            announce=kind,
            categories=("cs.LG", "stat.ML") if kind != "cross" else ("cs.CV", "cs.LG"),
            authors=tuple(f"Author {k}" for k in range(5)),
        )
        for n, kind in enumerate(kinds)
    ]
    return arxiv_rss("cs.LG", WEEK_DAY, items)


def _spawn(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reader", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    return time.perf_counter() - started


def _ms(values: list[float]) -> str:
    median, low, high = (statistics.median(values) * 1000, min(values) * 1000, max(values) * 1000)
    return f"median {median:.0f} ms (min {low:.0f}, max {high:.0f})"


def _tui(runs: int, env: dict[str, str], sources: list[str], digest: Digest, one: Path) -> None:
    """The reader in tmux, from spawn until painted: from the server (an empty cache each run)
    and from the cache (`--offline`), against the bare app."""
    sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
    from run import BARE_APP, BARE_TEXT, Poller, Tmux, every, first_line, has

    tmux = Tmux(env)
    poller = Poller(tmux, 0.005)
    first = digest.papers[digest.week_ranges[digest.weeks[0]][0]].title
    # the title and the newest week's first paper in the list (toasts may cover the pane)
    ready = every(has("Quit"), first_line(has("papers")), has(first))
    bare_ready = every(has(BARE_TEXT), has("Quit"))
    argv = [sys.executable, "-m", "reader", "--read-after", "-1", *sources]
    timings: dict[str, list[float]] = {"server": [], "cache": [], "file": [], "bare": []}
    try:
        for run in range(runs):
            cache = {"READER_CACHE_DIR": str(Path(env["READER_STATE_DIR"]).parent / f"tui{run}")}
            for name, command, done in (
                ("bare", [sys.executable, str(BARE_APP)], bare_ready),
                ("server", argv, ready),
                ("cache", [*argv, "--offline"], ready),
                ("file", [*argv[: -len(sources)], str(one)], ready),
            ):
                target, pid, started = tmux.spawn(command, cache)
                timings[name].append(poller.wait(target, started, done, 0.3, 60).ms / 1000)
                tmux.kill(target, pid)
    finally:
        tmux.close()
    print(f"TUI, local server, empty cache, until painted: {_ms(timings['server'])}")
    print(f"TUI, from the cache (--offline), until painted: {_ms(timings['cache'])}")
    print(f"TUI, the same papers as one json file:          {_ms(timings['file'])}")
    print(f"the bare Textual app, until painted:            {_ms(timings['bare'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tui", action="store_true", help="the reader in tmux too")
    args = parser.parse_args()
    sources = ["--latest", "hf:2026-W26", "arxiv:cs.LG"]
    with serve() as server, tempfile.TemporaryDirectory() as folder:
        hf_routes(server, _hf_week())
        server.routes["/rss/cs.LG"] = digest_route(_listing(), etag='"cs.LG"')
        server.routes["/README.md"] = digest_route(
            readme(181, newest=date(2026, 6, 28)).encode(), etag='"readme"'
        )
        env = {
            **os.environ,
            **feeds_environment(server),
            "READER_STATE_DIR": str(Path(folder) / "state"),
            "PYTHONPATH": str(ROOT),
        }
        cold, warm, process_cold, process_warm, floor = [], [], [], [], []
        for run in range(args.runs):
            env["READER_CACHE_DIR"] = str(Path(folder) / f"cache{run}")
            cold.append(_spawn([*sources, "--print", "--format", "json"], env))
            warm.append(_spawn([*sources, "--offline", "--print", "--format", "json"], env))
        one = Path(folder) / "all.json"
        with one.open("w") as out:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "reader",
                    *sources,
                    "--offline",
                    "--print",
                    "--format",
                    "json",
                ],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=out,
            )
        for _ in range(args.runs):
            floor.append(_spawn([str(one), "--print", "--format", "json"], env))
        urls = [
            server.url("/README.md"),
            server.url("/api/daily_papers?week=2026-W26&limit=50&p=0"),
            server.url("/rss/cs.LG"),
        ]
        for run in range(args.runs):
            cache = Path(folder) / f"process{run}"
            started = time.perf_counter()
            digest = load_digest(urls, fetching=FetchOptions(directory=cache))
            process_cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            load_digest(urls, fetching=FetchOptions(directory=cache, offline=True))
            process_warm.append(time.perf_counter() - started)
        requests = len(server.requests)
        if args.tui:
            _tui(args.runs, env, sources, digest, one)
    print(f"papers: {len(digest)} in {len(digest.weeks)} weeks; requests: {requests}")
    print(f"--print json, local server, empty cache:  {_ms(cold)}")
    print(f"--print json, from the cache (--offline): {_ms(warm)}")
    print(f"--print json of the same papers as one local json file (floor): {_ms(floor)}")
    print(f"load_digest in process, local server:     {_ms(process_cold)}")
    print(f"load_digest in process, from the cache:   {_ms(process_warm)}")


if __name__ == "__main__":
    from tests.processes import exit_on_sigterm

    exit_on_sigterm()  # `kill PID` unwinds: its temporary folders and servers go too
    main()
