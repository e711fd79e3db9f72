"""A reader ended by its terminal closing (SIGHUP) or by SIGTERM saves where it was and closes;
if closing hangs (a terminal that is gone), the process still ends by a deadline."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from reader.app import ReaderApp, make_app
from tests.tui.test_drills_tui import hostile_digest


def test_a_reader_ended_by_a_signal_ends_even_if_closing_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ended = threading.Event()
    codes: list[int] = []
    calls: list[str] = []

    def fake_exit(code: int) -> None:
        codes.append(code)
        ended.set()

    monkeypatch.setattr(os, "_exit", fake_exit)
    monkeypatch.setattr(ReaderApp, "ENDING_DEADLINE", 0.05)
    app = make_app(hostile_digest())
    monkeypatch.setattr(app, "save_session", lambda: calls.append("saved"))
    monkeypatch.setattr(app, "exit", lambda **kw: calls.append(f"exit {kw['return_code']}"))
    app._ended_by(signal.SIGHUP)  # closing "hangs": exit returns and nothing ends the process
    assert calls == ["saved", "exit 129"]
    assert ended.wait(5), "nothing ended the process after the deadline"
    assert codes == [129]
