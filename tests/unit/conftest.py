"""Shared by the unit tests: parametrized ids a second pytest run in the same process finds.

pytest escapes a parameter's backslashes, control characters and non-ASCII letters in a test's
id (`[\\\\end{document}]`), and a second `pytest.main` in the same process no longer finds such
an id given on its command line ("not found"); mutmut (`make mutate`) runs each mutant's tests so.
Such a string parameter gets an id of plain ASCII instead: `%` and the code point in hex for each
of those characters (`[%5cend{document}]`).

Also the `keep_all` fixture of the tests of abstracts kept in their file, and `held_build`, a
build of the search text held up until the test lets it go."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

import reader.sources.formats.table
from reader import abstracts
from reader.model import Digest, SearchChunk


def _plain(text: str) -> str:
    return "".join(c if " " <= c <= "~" and c not in "\\%" else f"%{ord(c):x}" for c in text)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    text = val.decode("latin-1") if isinstance(val, bytes) else val
    if isinstance(text, str) and _plain(text) != text:
        return _plain(text)
    return None


@pytest.fixture
def keep_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every abstract of every file kept in the file (not only those of big files)."""
    monkeypatch.setattr(abstracts, "MIN_FILE_BYTES", 0)
    monkeypatch.setattr(abstracts, "MIN_DEFERRED", 1)
    monkeypatch.setattr(reader.sources.formats.table, "MIN_DEFERRED", 1)


@dataclass
class HeldBuild:
    """A build of a digest's search text held up (`held_build`): `building` is set once one has
    started; it goes on once the test sets `release` (or after 10 s)."""

    building: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def held_build(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldBuild]:
    """Every build of a search text (`Digest._search_chunks`) waits for `release`, which the
    end of the test sets if the test did not."""
    held = HeldBuild()
    chunks = Digest._search_chunks

    def wait(self: Digest) -> Iterator[SearchChunk]:
        held.building.set()
        held.release.wait(10)
        return chunks(self)

    monkeypatch.setattr(Digest, "_search_chunks", wait)
    yield held
    held.release.set()
