"""What syncing through a folder costs (issue 28): merging 10,000 changes made on another
machine, and the journal's size per change.

Run: `.venv/bin/python tests/benchmarks/sync_bench.py [--changes 10000] [--runs 5] [--json]`
(not collected by pytest). In temporary folders:

- the other machine (a store with the sync folder) makes the changes through the store's API,
  as the app does: marks read 60%, stars 15%, a tag 15%, notes 8% (one call each), saved
  searches 2%; its journal's bytes / changes is the size per change;
- merge: a second store, open on the same sync folder (empty when it opened), takes them all
  with `sync_now()` (read and check the journal, merge, compare with the store, write SQLite):
  median of `--runs` fresh stores;
- the floor: the same changes made directly in a store without a sync folder (its own SQLite
  writes, the least taking them in can cost), median of as many runs;
- a second floor, the least reading them can cost: the journal's lines read and each one's JSON
  decoded with `json.loads` (no checksum, no merge, no store), median of as many runs.

Goal: merge <= 4x the floor (the one of making the changes locally).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if __package__ in (None, ""):
    sys.path[:0] = [str(ROOT)]

from reader.state import StateStore  # noqa: E402

GOAL = 4.0


def make_changes(store: StateStore, count: int) -> None:
    """`count` changes, in the proportions of the module's docstring."""
    reads = count * 60 // 100
    stars = count * 15 // 100
    tags = count * 15 // 100
    notes = count * 8 // 100
    searches = count - reads - stars - tags - notes
    keys = [f"2{n // 10000 % 10}0{n % 9 + 1}.{n:05d}" for n in range(reads)]
    store.set_read(keys)
    store.set_starred(keys[:stars])
    store.tag(keys[stars : stars + tags], "to-read")
    for n in range(notes):
        store.set_note(keys[n], f"Note {n}: the method in section 3 is worth trying on our data.")
    for n in range(searches):
        store.save_search(f"search {n}", f"cat:vision diffusion -segment {n}")


def run(count: int, runs: int) -> dict[str, float]:
    merges: list[float] = []
    floors: list[float] = []
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        folder = root / "sync"
        folder.mkdir()
        receivers = [
            StateStore(root / f"receiver-{n}", sync_dir=folder, machine=f"receiver{n}")
            for n in range(runs)
        ]
        started = time.perf_counter()
        with StateStore(root / "sender", sync_dir=folder, machine="sender") as sender:
            make_changes(sender, count)
            assert sender.sync is not None
            journal = sender.sync.path
        written = time.perf_counter() - started
        size = journal.stat().st_size
        for receiver in receivers:
            started = time.perf_counter()
            message = receiver.sync_now()
            merges.append(time.perf_counter() - started)
            assert message.startswith(f"{count:,} changes") or message.startswith(
                f"{count} changes"
            ), message
            receiver.close()
        for n in range(runs):
            with StateStore(root / f"floor-{n}") as plain:
                started = time.perf_counter()
                make_changes(plain, count)
                floors.append(time.perf_counter() - started)
        reads: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            with open(journal, "rb") as file:
                decoded = [json.loads(line[9:]) for line in file.read().splitlines() if line]
            reads.append(time.perf_counter() - started)
            assert len(decoded) > count
    merge, floor = statistics.median(merges), statistics.median(floors)
    read = statistics.median(reads)
    return {
        "changes": count,
        "merge_ms": merge * 1000,
        "floor_ms": floor * 1000,
        "ratio": merge / floor,
        "read_ms": read * 1000,
        "ratio_to_read": merge / read,
        "journal_bytes": size,
        "bytes_per_change": size / count,
        "sender_ms": written * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.changes, args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"merge {result['changes']:,} changes: {result['merge_ms']:.0f} ms "
            f"(floor, the same changes made locally: {result['floor_ms']:.0f} ms; "
            f"{result['ratio']:.2f}x, goal <= {GOAL:g}x; reading and decoding the journal's "
            f"lines: {result['read_ms']:.0f} ms, {result['ratio_to_read']:.1f}x)\n"
            f"journal: {result['journal_bytes']:,} bytes, "
            f"{result['bytes_per_change']:.1f} bytes a change; "
            f"the sender wrote it in {result['sender_ms']:.0f} ms"
        )
    return 0 if result["ratio"] <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
