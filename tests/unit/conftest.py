"""Shared by the unit tests: parametrized ids a second pytest run in the same process finds.

pytest escapes a parameter's backslashes, control characters and non-ASCII letters in a test's
id (`[\\\\end{document}]`), and a second `pytest.main` in the same process no longer finds such
an id given on its command line ("not found"); mutmut (`make mutate`) runs each mutant's tests so.
Such a string parameter gets an id of plain ASCII instead: `%` and the code point in hex for each
of those characters (`[%5cend{document}]`).

Also the `keep_all` fixture of the tests of abstracts kept in their file."""

from __future__ import annotations

import pytest

import reader.sources.formats.table
from reader import abstracts


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
