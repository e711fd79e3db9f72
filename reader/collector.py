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
runs once no input has come for `QUIET_SECONDS` (asked for by each input, and every
`CHECK_SECONDS`), collects what the young
collections left behind (what was made since the last time) and freezes what survives: each
collection walks the objects of the keys since the one before, once (a few milliseconds), and
the render caches, kept for minutes, are walked once.

A result of many papers (the hits and the rows the browse model lists: lists of up to a million
ints, which every collection that meets them walks item by item) is frozen as soon as it is made
(`made`, from `FREEZE_FROM` papers), before the key's frame renders: at 100,000 papers a young
collection during `~`'s frame met its five lists and tuples of 100,000 (3-4 ms) and the
collection after the pause two of them again (2.5-3 ms); an Esc back to every paper, one or two
(1-1.5 ms each). Lists of ints hold no cycle: frozen, they are freed as usual once replaced.

A frozen object is freed as usual when the last reference to it goes; what the collector alone
can free is a cycle, and one that was alive (frozen) when it became garbage stays: a toast, the
help screen, a worker that ran meanwhile (~2,000 objects, ~300 KB over a few dozen keys with
the help screen opened thrice, measured). So once `RECLAIM_AFTER` collections have frozen
something and no input has come for `RECLAIM_SECONDS`, everything is collected once, the
frozen objects too (`gc.unfreeze`), and frozen again: ~50 ms at 1,000 papers, ~120 ms at
100,000, while the user has been away for half a minute.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref

QUIET_SECONDS = 0.05
"""How long without a key or a mouse event before what was made since the last collection is
collected (and what survives frozen)."""
CHECK_SECONDS = 0.5
"""How often the app asks `collect_if_idle` (besides once the input pauses: `heard_input`)."""
PENDING = 1
"""Collections of the youngest generation since the last collection that make one due
(anything survived them)."""
RECLAIM_AFTER = 100
"""Collections that froze what survived them before the frozen objects are collected once."""
RECLAIM_SECONDS = 30.0
"""How long without input before that whole collection runs."""
NEVER = 1 << 30
"""A threshold that the count never reaches: no automatic collection of that generation."""
FREEZE_FROM = 16_384
"""Papers of a result (`made`) from which it is frozen at once."""

_in_charge: weakref.ref[Collector] | None = None
"""The collector that `settle` turned on (the TUI's), for `made`."""


def making(papers: int) -> bool:
    """The browse model is about to make a result of up to `papers` papers on the UI thread:
    from `FREEZE_FROM`, the youngest generation is collected now (what the frames before left:
    little), which starts its count again, so that no young collection falls while the result
    is made (a few hundred objects) and walks its big lists before `made` freezes them. True
    when collected."""
    collector = None if _in_charge is None else _in_charge()
    if (
        collector is None
        or papers < FREEZE_FROM
        or not collector.in_charge()
        or threading.current_thread() is not threading.main_thread()
    ):
        return False
    gc.collect(0)
    return True


def made(papers: int) -> bool:
    """The browse model made a result of `papers` papers (its hits, its rows): from
    `FREEZE_FROM`, what is alive is frozen at once, if a collector settled and its thresholds
    still hold (in-process callers that keep their own ways are left alone). True when frozen."""
    collector = None if _in_charge is None else _in_charge()
    if collector is None or papers < FREEZE_FROM:
        return False
    return collector.freeze_made()


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
        self.frozen_made = 0
        """Big results frozen as they were made (`made`)."""
        self._pending: asyncio.TimerHandle | None = None
        """The collection asked for once the input pauses (`heard_input`)."""

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
        global _in_charge
        _in_charge = weakref.ref(self)
        return True

    def in_charge(self) -> bool:
        """Settled, and the collector still as `settle` left it (on, its thresholds)."""
        return self.active and gc.isenabled() and gc.get_threshold()[1:] == (NEVER, NEVER)

    def freeze_made(self) -> bool:
        """Freeze what is alive now (`made`), while this collector is in charge: on, and the
        collector's thresholds as `settle` left them. True when frozen."""
        if not self.in_charge():
            return False
        gc.freeze()
        self.frozen_made += 1
        self.frozen_since += 1
        return True

    def heard_input(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """A key or a mouse event: collections wait for the input to pause. With `loop`, a
        collection is asked for once it has paused for `QUIET_SECONDS` (the one asked before is
        called off): each pause collects what its keys made, where the check every
        `CHECK_SECONDS` found the objects of every key of the half second (at 10k papers, the
        bench's `~` keys: 15,000-22,000 objects, 3-5 ms; 11-12 ms under load)."""
        self.last_input = time.monotonic()
        if loop is not None and self.active:
            if self._pending is not None:
                self._pending.cancel()
            self._pending = loop.call_later(QUIET_SECONDS * 1.1, self._paused)

    def _paused(self) -> None:
        self._pending = None
        if self.in_charge():  # not once someone else's ways are back (a test's teardown)
            self.collect_if_idle()

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
