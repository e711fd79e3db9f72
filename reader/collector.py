"""When the garbage collector runs in the TUI: the young generation as usual; what survives it is
collected once the keys pause for a moment and then frozen, so that no collection walks it again.
No Textual here.

The command line holds the collector off while reader starts and loads; after the first paint,
everything alive by then (the digest, the screen) is frozen out of it (`gc.freeze`) and it is
turned back on for the youngest generation only (`settle`). A full collection of everything
made since used to wait for a second without input: it walked Textual's render caches (each
kept strip with its seven caches is ~20 objects the collector tracks; ~80,000 objects after a
few dozen keys) and the last results' lists of up to 100,000 papers: 20-35 ms at 100k papers,
whenever the user paused (the bench caught four during the first `~`'s index build, traced
with `tests/benchmarks/gc_log.py` and its `READER_GC_TYPES` census). Now `collect_if_idle`
runs every `CHECK_SECONDS` once no input has come for `QUIET_SECONDS`, collects what the young
collections left behind (what was made since the last time) and freezes what survives: each
collection walks the objects of the keys since the one before, once (a few milliseconds), and
the render caches, kept for minutes, are walked once.

A frozen object is freed as usual when the last reference to it goes; what the collector alone
can free is a cycle, and one that was alive (frozen) when it became garbage stays: a toast, the
help screen, a worker that ran meanwhile (~2,000 objects, ~300 KB over a few dozen keys with
the help screen opened thrice, measured). So once `RECLAIM_AFTER` collections have frozen
something and no input has come for `RECLAIM_SECONDS`, everything is collected once, the
frozen objects too (`gc.unfreeze`), and frozen again: ~50 ms at 1,000 papers, ~120 ms at
100,000, while the user has been away for half a minute.
"""

from __future__ import annotations

import gc
import time

QUIET_SECONDS = 0.05
"""How long without a key or a mouse event before what was made since the last collection is
collected (and what survives frozen)."""
CHECK_SECONDS = 0.5
"""How often the app asks `collect_if_idle`."""
PENDING = 1
"""Collections of the youngest generation since the last collection that make one due
(anything survived them)."""
RECLAIM_AFTER = 100
"""Collections that froze what survived them before the frozen objects are collected once."""
RECLAIM_SECONDS = 30.0
"""How long without input before that whole collection runs."""
NEVER = 1 << 30
"""A threshold that the count never reaches: no automatic collection of that generation."""


class Collector:
    """The TUI's garbage collection policy: `settle` after the first paint, `heard_input` on
    every key and mouse event, `collect_if_idle` every `CHECK_SECONDS`."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self.active = False
        self.full_collections = 0
        """Collections run between keys (each of what was made since the one before)."""
        self.frozen_since = 0
        """Of those, since the last whole collection."""
        self.whole_collections = 0
        """Collections of everything, the frozen objects too (`RECLAIM_AFTER`)."""

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
        """Collect what was made since the last collection and freeze what survives, if
        anything survived a young collection and no input has come for `QUIET_SECONDS`; after
        `RECLAIM_SECONDS` without input, everything once, if `RECLAIM_AFTER` collections froze
        what they left since the last time. True when a collection ran."""
        if not self.active:
            return False
        quiet = time.monotonic() - self.last_input
        if quiet >= RECLAIM_SECONDS and self.frozen_since >= RECLAIM_AFTER:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.frozen_since = 0
            self.whole_collections += 1
            return True
        if quiet < QUIET_SECONDS:
            return False
        _, young_collections, middle_collections = gc.get_count()
        if young_collections < PENDING and not middle_collections:
            return False
        gc.collect()
        gc.freeze()
        self.full_collections += 1
        self.frozen_since += 1
        return True
