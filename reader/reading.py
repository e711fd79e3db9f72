"""Pure helpers for reading a digest in order: repeated papers, next/previous unread.

No Textual here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from reader.model import Digest


def repeated_weeks(digest: Digest) -> dict[str, tuple[date, ...]]:
    """For each paper key found in more than one week: those weeks, newest first."""
    weeks: dict[str, set[date]] = defaultdict(set)
    for paper in digest.papers:
        weeks[paper.key].add(paper.week)
    return {
        key: tuple(sorted(found, reverse=True)) for key, found in weeks.items() if len(found) > 1
    }


def find_unread(
    order: Sequence[int],
    start: int,
    step: int,
    is_unread: Callable[[int], bool],
) -> int | None:
    """The first position after `start` (before it when `step` is -1) whose paper is unread."""
    position = start + step
    while 0 <= position < len(order):
        if is_unread(order[position]):
            return position
        position += step
    return None
