"""A hybrid logical clock: the time a machine gives each change it makes, so that the changes of
all machines fall into one order that respects what each machine had seen. No I/O, no Textual.

A stamp is `(milliseconds, counter, machine)`. A machine's next stamp is later than every stamp
it has made or read, whatever its wall clock says: a change made after merging another
machine's change always comes after it, even when the other machine's clock runs ahead (its
stamps carry its time, and this machine's counter climbs past them). Between changes that
never saw each other, the later wall clock wins, and the machine id breaks a tie, so two
machines given the same changes always agree on their order.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Stamp = tuple[int, int, str]
"""(milliseconds since the epoch, counter, machine id): compared as a tuple."""

MAX_MS = 1 << 47
"""The largest time a stamp may carry (the year 6429): a journal line beyond it is refused."""
MAX_COUNTER = 1 << 31
"""The largest counter (two billion changes in one millisecond)."""


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class Clock:
    """The clock of one machine: `tick()` stamps a change made here, `observe()` a stamp read
    from another machine (or from this machine's own journal, when it starts)."""

    def __init__(self, machine: str, now: Callable[[], int] = wall_ms) -> None:
        self.machine = machine
        self._now = now
        self.ms = 0
        self.counter = 0

    def __repr__(self) -> str:
        return f"Clock({self.machine!r}, {self.ms}, {self.counter})"

    def tick(self) -> Stamp:
        """A new stamp, later than any this clock has made or observed."""
        now = self._now()
        if now > self.ms:
            self.ms, self.counter = now, 0
        else:
            self.counter += 1
            if self.counter >= MAX_COUNTER:  # not reachable in practice: move time on
                self.ms, self.counter = self.ms + 1, 0
        return (self.ms, self.counter, self.machine)

    def observe(self, stamp: Stamp) -> None:
        """Let later stamps come after `stamp`."""
        ms, counter = stamp[0], stamp[1]
        if (ms, counter) > (self.ms, self.counter):
            self.ms, self.counter = ms, counter

    def ahead(self) -> int:
        """How many milliseconds this clock is ahead of the wall clock (0 when it is not):
        a stamp observed from a machine whose clock runs fast moves it on."""
        return max(0, self.ms - self._now())
