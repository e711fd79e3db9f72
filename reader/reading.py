"""Pure helpers for reading a digest in order: repeated papers, next/previous unread.

No Textual here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
    digest: Digest, indices: KeyIndices | None = None
) -> dict[str, tuple[date, ...]]:
    """For each paper key found in more than one week: those weeks, newest first."""
    if indices is None:
        indices = key_indices(digest)
    papers = digest.papers
    repeated: dict[str, tuple[date, ...]] = {}
    for key, found in indices.repeated().items():
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


class KeyIndices(Mapping[str, tuple[int, ...]]):
    """Each paper key, and the indices of the papers that carry it (in one week or several), in
    order. Kept as the first index of every key (a dict built in C, no list per paper) and all
    the indices of the few keys that several papers carry."""

    __slots__ = ("_first", "_several")

    def __init__(self, keys: Sequence[str]) -> None:
        self._first: dict[str, int] = dict(zip(keys, range(len(keys)), strict=True))
        self._several: dict[str, tuple[int, ...]] = {}
        if len(self._first) < len(keys):
            shared = {key for key, count in Counter(keys).items() if count > 1}
            several: dict[str, list[int]] = {key: [] for key in shared}
            for index, key in enumerate(keys):
                if key in shared:
                    several[key].append(index)
            self._several = {key: tuple(found) for key, found in several.items()}

    def __getitem__(self, key: str) -> tuple[int, ...]:
        several = self._several.get(key)
        return several if several is not None else (self._first[key],)

    def __contains__(self, key: object) -> bool:
        return key in self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def repeated(self) -> dict[str, tuple[int, ...]]:
        """The keys carried by several papers, and their indices."""
        return self._several


def key_indices(digest: Digest) -> KeyIndices:
    """Each paper key, and the indices of the papers that carry it (in one week or several)."""
    return KeyIndices([paper.arxiv_id or paper.link for paper in digest.papers])  # Paper.key


class ReadCounts:
    """How many papers of each week are read, kept up to date as marks change.

    Counting is done once (one look-up per paper); a change of marks then costs only the papers
    whose keys changed, so a keystroke never recounts 100,000 papers.
    """

    def __init__(
        self,
        digest: Digest,
        is_read: Callable[[str], bool],
        indices: KeyIndices | None = None,
    ) -> None:
        self.digest = digest
        self.is_read = is_read
        self.indices = key_indices(digest) if indices is None else indices
        self.per_week: dict[date, int] = dict.fromkeys(digest.weeks, 0)
        keys = self.indices
        self._read = set(compress(keys, map(is_read, keys)))
        """The digest's keys read when last asked (the others were not)."""
        papers = digest.papers
        for key in self._read:
            for index in self.indices[key]:
                self.per_week[papers[index].week] += 1

    def update(self, keys: Iterable[str]) -> None:
        """Marks of `keys` may have changed: adjust the counts."""
        papers = self.digest.papers
        for key in keys:
            if key not in self.indices:
                continue
            before = key in self._read
            now = self.is_read(key)
            if now != before:
                if now:
                    self._read.add(key)
                else:
                    self._read.discard(key)
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
