"""When the garbage collector runs in the TUI: the young generations as usual, full collections
only between keys. No Textual here.

The command line holds the collector off while reader starts and loads; after the first paint,
everything alive by then (the digest, the screen) is frozen out of it (`gc.freeze`) and it is
turned back on. A frozen process still makes a full collection of its later objects every ten
collections of the middle generation: the collector compares what has come into the oldest
generation with what its last full collection kept, and that was frozen (nothing, to it). At
100k papers such a collection walked Textual's 15-20k live objects (render caches, strips) and
the last results' lists: 8-30 ms on this machine, in the middle of a keystroke (traced with
`tests/benchmarks/gc_log.py` and its `READER_GC_TYPES` census). Collections of the middle
generation took 2-5 ms too (a keystroke's fresh results of up to 100,000 papers are in it). So
only the youngest generation is collected automatically after the first paint (`settle`: a
millisecond or two); what survives it waits in the middle generation, and the app collects
everything (`collect_if_idle`) once no input has come for `IDLE_SECONDS` and the youngest has
been collected `PENDING` times since.
"""

from __future__ import annotations

import gc
import time

IDLE_SECONDS = 1.0
"""How long without a key or a mouse event before a full collection may run."""
CHECK_SECONDS = 0.5
"""How often the app asks `collect_if_idle`."""
PENDING = 10
"""Collections of the youngest generation since the last full one that make one due (Python's
own second threshold)."""
NEVER = 1 << 30
"""A threshold that the count never reaches: no automatic collection of that generation."""


class Collector:
    """The TUI's garbage collection policy: `settle` after the first paint, `heard_input` on
    every key and mouse event, `collect_if_idle` every `CHECK_SECONDS`."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self.active = False
        self.full_collections = 0
        """Full collections run while idle."""

    def settle(self) -> bool:
        """Freeze what is alive, turn the collector back on for the youngest generation only;
        True when done. Nothing is done when the collector is already on: in-process callers
        (tests) keep their own ways."""
        if gc.isenabled():
            return False
        gc.freeze()
        young, _, _ = gc.get_threshold()
        gc.set_threshold(young, NEVER, NEVER)
        gc.enable()
        self.active = True
        return True

    def heard_input(self) -> None:
        self.last_input = time.monotonic()

    def collect_if_idle(self) -> bool:
        """A full collection, if one is due and no input has come for `IDLE_SECONDS`."""
        if not self.active or time.monotonic() - self.last_input < IDLE_SECONDS:
            return False
        _, young_collections, middle_collections = gc.get_count()
        if young_collections < PENDING and not middle_collections:
            return False
        gc.collect()
        self.full_collections += 1
        return True
