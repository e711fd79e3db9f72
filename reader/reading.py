"""Pure helpers for reading a digest in order: repeated papers, next/previous unread.

No Textual here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import compress
from typing import Protocol

from reader.model import Digest


class ReadingState(Protocol):
    """The reading state as the data layer asks it, by `Paper.key` (`reader.state.StateStore`
    provides it; `is:` terms, the writers and the view model use it)."""

    def is_read(self, key: str) -> bool: ...

    def is_starred(self, key: str) -> bool: ...


def repeated_weeks(
    digest: Digest, indices: dict[str, list[int]] | None = None
) -> dict[str, tuple[date, ...]]:
    """For each paper key found in more than one week: those weeks, newest first."""
    if indices is None:
        indices = key_indices(digest)
    papers = digest.papers
    repeated: dict[str, tuple[date, ...]] = {}
    if len(indices) == len(papers):  # every key once
        return repeated
    for key, found in indices.items():
        if len(found) > 1:
            weeks = {papers[index].week for index in found}
            if len(weeks) > 1:
                repeated[key] = tuple(sorted(weeks, reverse=True))
    return repeated


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


def key_indices(digest: Digest) -> dict[str, list[int]]:
    """Each paper key, and the indices of the papers that carry it (in one week or several)."""
    keys = [paper.arxiv_id or paper.link for paper in digest.papers]  # Paper.key, inlined
    found = {key: [index] for index, key in enumerate(keys)}
    if len(found) < len(keys):  # some keys are carried by several papers: all their indices
        shared = {key for key, count in Counter(keys).items() if count > 1}
        for key in shared:
            found[key] = []
        for index, key in enumerate(keys):
            if key in shared:
                found[key].append(index)
    return found


class ReadCounts:
    """How many papers of each week are read, kept up to date as marks change.

    Counting is done once (one look-up per paper); a change of marks then costs only the papers
    whose keys changed, so a keystroke never recounts 100,000 papers.
    """

    def __init__(
        self,
        digest: Digest,
        is_read: Callable[[str], bool],
        indices: dict[str, list[int]] | None = None,
    ) -> None:
        self.digest = digest
        self.is_read = is_read
        self.indices = key_indices(digest) if indices is None else indices
        self.per_week: dict[date, int] = dict.fromkeys(digest.weeks, 0)
        keys = self.indices
        self._known: dict[str, bool] = dict(zip(keys, map(is_read, keys), strict=True))
        papers = digest.papers
        for key in compress(self.indices, self._known.values()):  # the read ones only
            for index in self.indices[key]:
                self.per_week[papers[index].week] += 1

    def update(self, keys: Iterable[str]) -> None:
        """Marks of `keys` may have changed: adjust the counts."""
        papers = self.digest.papers
        for key in keys:
            before = self._known.get(key)
            if before is None:
                continue
            now = self.is_read(key)
            if now != before:
                self._known[key] = now
                for index in self.indices[key]:
                    self.per_week[papers[index].week] += 1 if now else -1

    def unread(self, week: date | None) -> int:
        """Unread papers in `week` (None: in the whole digest)."""
        if week is None:
            return len(self.digest) - sum(self.per_week.values())
        return len(self.digest.indices(week)) - self.per_week.get(week, 0)

    def indices_of(self, keys: Iterable[str]) -> list[int]:
        """The sorted indices of the papers that carry any of `keys`."""
        return sorted(index for key in keys for index in self.indices.get(key, ()))
