"""How long reading-state operations take (a mark must never delay a keystroke).

Run: .venv/bin/python tests/state_bench.py
Prints median / p95 / max milliseconds per operation, alone and while another process writes
marks to the same store as fast as it can.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.state import StateStore  # noqa: E402

HAMMER = """
import sys, time
from reader.state import StateStore
store = StateStore(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < end:
    store.set_read([f"other-{n % 5000}"], n % 3 != 0)
    n += 1
store.close()
print(n)
"""


def timed(action: Callable[[int], object], repeats: int) -> tuple[float, float, float]:
    samples = []
    for n in range(repeats):
        started = time.perf_counter()
        action(n)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)], samples[-1]


def report(label: str, numbers: tuple[float, float, float]) -> None:
    median, p95, worst = numbers
    print(f"{label:<44} {median:8.3f} {p95:8.3f} {worst:8.3f}")


def measure(store: StateStore, suffix: str) -> None:
    hundred = [[f"2301.{n * 100 + k:05d}" for k in range(100)] for n in range(50)]
    report(f"toggle_read, 1 key{suffix}", timed(lambda n: store.toggle_read(f"k{n % 500}"), 2000))
    report(f"set_read, 1 key{suffix}", timed(lambda n: store.set_read([f"s{n % 500}"]), 2000))
    report(
        f"set_read, 100 keys{suffix}",
        timed(lambda n: store.set_read(hundred[n % 50], n % 2 == 0), 300),
    )
    report(f"toggle_star, 1 key{suffix}", timed(lambda n: store.toggle_star(f"k{n % 500}"), 2000))
    report(f"refresh{suffix}", timed(lambda n: store.refresh(), 300))


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "state"
        print(f"{'operation (ms)':<44} {'median':>8} {'p95':>8} {'max':>8}")
        store = StateStore(directory)
        measure(store, "")
        store.close()

        seconds = 6.0
        hammer = subprocess.Popen(
            [sys.executable, "-c", HAMMER, str(directory), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        time.sleep(0.5)
        store = StateStore(directory)
        measure(store, ", other process writing")
        store.close()
        writes = int(hammer.communicate()[0])
        print(f"(the other process wrote {writes} marks in {seconds:.0f} s)")

        big = Path(temporary) / "big"
        store = StateStore(big)
        store.set_read([f"2301.{n:05d}" for n in range(10_000)])
        store.close()
        report("open a store of 10,000 marks", timed(lambda n: StateStore(big).close(), 20))
        store = StateStore(big)
        target = Path(temporary) / "export.json"
        report("export_json, 10,000 marks", timed(lambda n: store.export_json(target), 10))
        fresh = [StateStore(Path(temporary) / f"fresh{n}") for n in range(5)]
        report("import_json, 10,000 marks", timed(lambda n: fresh[n].import_json(target), 5))
        for opened in [store, *fresh]:
            opened.close()


if __name__ == "__main__":
    main()
