"""Run `reader` with its garbage collections logged (the benchmarks' way to see GC pauses).

`python gc_log.py ARGS...` is `reader ARGS...`, except that every collection that takes 0.5 ms or
more of CPU appends a line `END GENERATION MS` to the file named by $READER_GC_LOG (END is
`time.perf_counter()` when it ended: the system's monotonic clock, comparable with the
benchmark's own; MS is the collecting thread's CPU time, `time.thread_time()`, so that a
loaded machine taking the CPU away mid-collection does not count as a pause). `run.py` reads it
to find the pauses that fell while keys were pressed.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import Any

LOG = open(os.environ["READER_GC_LOG"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
_started = [0.0]


def _collected(phase: str, info: dict[str, Any]) -> None:
    cpu = time.thread_time()
    if phase == "start":
        _started[0] = cpu
        return
    pause = (cpu - _started[0]) * 1000
    if pause >= 0.5:
        LOG.write(f"{time.perf_counter():.6f} {info['generation']} {pause:.3f}\n")


gc.callbacks.append(_collected)

from reader.cli import main  # noqa: E402 - after the callback, so the imports are seen too

if __name__ == "__main__":
    sys.exit(main())
