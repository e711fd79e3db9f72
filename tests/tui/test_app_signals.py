"""What the reader does to SIGHUP and SIGTERM: it takes them while it runs (to save where it
was, `_ended_by`) unless they were ignored when it started (`nohup reader`: the terminal closing
must not end it), and gives back on closing whatever was there before, not the default action
(asyncio's `remove_signal_handler` puts SIG_DFL)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from reader.app import make_app
from tests.tui.test_drills_tui import hostile_digest


@pytest.fixture
def kept_handlers() -> Iterator[None]:
    before = {number: signal.getsignal(number) for number in (signal.SIGHUP, signal.SIGTERM)}
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


def _own_handler(number: int, frame: FrameType | None) -> None:  # pragma: no cover: not sent
    raise AssertionError("not sent")


async def test_an_ignored_sighup_stays_ignored_and_a_handler_before_comes_back(
    kept_handlers: None,
) -> None:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _own_handler)
    app = make_app(hostile_digest())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN  # nohup's choice is kept
        assert signal.getsignal(signal.SIGTERM) is not _own_handler  # taken while it runs
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    assert signal.getsignal(signal.SIGTERM) is _own_handler


async def test_the_default_actions_come_back_after_the_reader(kept_handlers: None) -> None:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    app = make_app(hostile_digest())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN)
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
