"""Pure helpers for reading a digest in order: repeated papers, next/previous unread.

No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
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
    found: dict[str, list[int]] = {}
    for index, paper in enumerate(digest.papers):
        indices = found.get(paper.key)
        if indices is None:
            found[paper.key] = [index]
        else:
            indices.append(index)
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
        self._known: dict[str, bool] = {}
        for key, found in self.indices.items():
            read = is_read(key)
            self._known[key] = read
            if read:
                for index in found:
                    self.per_week[digest.papers[index].week] += 1

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
