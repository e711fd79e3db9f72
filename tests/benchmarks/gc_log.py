"""Run `reader` with its garbage collections logged (the benchmarks' way to see GC pauses).

`python gc_log.py ARGS...` is `reader ARGS...`, except that every collection that takes 0.5 ms or
more of CPU appends a line `END GENERATION MS` to the file named by $READER_GC_LOG (END is
`time.perf_counter()` when it ended: the system's monotonic clock, comparable with the
benchmark's own; MS is the collecting thread's CPU time, `time.thread_time()`, so that a
loaded machine taking the CPU away mid-collection does not count as a pause). `run.py` reads it
to find the pauses that fell while keys were pressed.

With $READER_GC_TYPES naming a file too, every full collection (generation 2) first appends a
line: how many objects it is about to walk (those not frozen by `gc.freeze`), how many
references the lists, dicts, sets and tuples among them hold, the ten most common types and the
five biggest containers, and once done, how long it took and how many objects it freed, to
trace what makes a pause long.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections import Counter
from typing import Any

LOG = open(os.environ["READER_GC_LOG"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
TYPES_PATH = os.environ.get("READER_GC_TYPES")
TYPES = open(TYPES_PATH, "a", buffering=1, encoding="utf-8") if TYPES_PATH else None  # noqa: SIM115
_started = [0.0]


def _census() -> str:
    objects = gc.get_objects()  # every generation but the frozen one
    common = Counter(type(item).__qualname__ for item in objects).most_common(10)
    sized = [item for item in objects if isinstance(item, (list, dict, set, tuple))]
    biggest = sorted(sized, key=len, reverse=True)[:5]
    references = sum(map(len, sized))
    return (
        f"{len(objects)} objects, {references} references in containers; "
        + " ".join(f"{name}:{count}" for name, count in common)
        + "; biggest: "
        + " ".join(f"{type(item).__qualname__}({len(item)})" for item in biggest)
    )


def _collected(phase: str, info: dict[str, Any]) -> None:
    if phase == "start" and TYPES is not None and info["generation"] == 2:
        TYPES.write(f"{time.perf_counter():.6f} 2 {_census()}\n")
    cpu = time.thread_time()
    if phase == "start":
        _started[0] = cpu
        return
    pause = (cpu - _started[0]) * 1000
    if pause >= 0.5:
        LOG.write(f"{time.perf_counter():.6f} {info['generation']} {pause:.3f}\n")
    if TYPES is not None and info["generation"] == 2:
        TYPES.write(f"  {pause:.3f} ms, {info['collected']} collected\n")


gc.callbacks.append(_collected)

from reader.cli import main  # noqa: E402 - after the callback, so the imports are seen too

if __name__ == "__main__":
    sys.exit(main())
