"""The garbage collector in the TUI: after the first paint, only the youngest generation is
collected automatically; a full collection runs once no key has come for a while (so none lands
in the middle of a keystroke)."""

from __future__ import annotations

import gc
from typing import Any

from reader.app import make_app
from reader.collector import IDLE_SECONDS, NEVER, PENDING
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest
from tests.tui.conftest import wait_for


async def test_full_collections_wait_until_no_key_has_come() -> None:
    thresholds = gc.get_threshold()
    full: list[float] = []

    def heard(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] > 0:
            full.append(info["generation"])

    gc.disable()  # as the command line does while starting
    try:
        app = make_app(load_digest(), read_delay=60)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(gc.isenabled, pilot)
            assert isinstance(app.screen, MainScreen)
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[1:] == (NEVER, NEVER)  # the youngest generation only
            gc.callbacks.append(heard)
            for _ in range(PENDING):  # a full collection is due
                gc.collect(0)
            full.clear()
            for _ in range(round(2 * IDLE_SECONDS / 0.25)):  # keys for twice the idle time
                await pilot.press("j")
                await pilot.pause(0.25)
            assert full == []  # never idle long enough: only the youngest between the keys
            await wait_for(lambda: bool(full), pilot, seconds=20)  # idle now: it runs
            assert full[0] == 2
            assert app.screen.paper_list.cursor > 0
    finally:
        if heard in gc.callbacks:
            gc.callbacks.remove(heard)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.enable()
