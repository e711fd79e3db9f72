"""Shared fixtures: every test runs with its own reading-state and cache directories and no real
clipboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.hygiene"]  # no test leaves global state changed or takes over 1 GiB


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    state = tmp_path / "state"
    monkeypatch.setenv("READER_STATE_DIR", str(state))
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in ("READER_ARXIV_OFFLINE", "READER_ARXIV_TIMEOUT"):  # set by main() for the TUI
        monkeypatch.setenv(name, "")  # restored (unset) after the test
    yield state


BUNDLED = Path(__file__).resolve().parent.parent / "reader" / "data" / "ml-papers-2023.md"


@pytest.fixture
def bundled_path() -> Path:
    return BUNDLED


MEASURED = pytest.StashKey[list[str]]()


@pytest.fixture
def measured(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test measured (times, sizes); printed at the end of the run for the record."""
    return request.config.stash.setdefault(MEASURED, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = terminalreporter.config.stash.get(MEASURED, [])
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)
