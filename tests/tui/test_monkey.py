"""The monkey: thousands of seeded random keys and resizes, with the screen's promises checked
after every one. A seed that once failed is kept below as a regular test."""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from reader.app import ReaderApp
from reader.model import Digest
from reader.screens.links import LinksScreen
from reader.screens.main import MainScreen
from reader.settings import Settings
from reader.sources.loader import load_digest
from reader.state import StateStore
from reader.text import inert
from reader.widgets.abstract import AbstractPane

MONKEY_KEYS = int(os.environ.get("READER_MONKEY_KEYS", "3000"))
"""Keys in the long run (READER_MONKEY_KEYS=50000 for a longer night)."""

STATE_ACTIONS = (
    "toggle_read", "toggle_star", "mark_view_read", "undo", "copy_link", "copy_markdown",
    "open_link", "open_pdf", "download_pdf", "copy_citation",
)  # fmt: skip
"""The actions that may change a paper's reading state (copying and opening mark it read)."""
STATE_KEYS = {
    key
    for binding in MainScreen.BINDINGS
    if binding.action.startswith(STATE_ACTIONS)  # type: ignore[union-attr]
    for key in binding.key.split(",")  # type: ignore[union-attr]
}


def binding_keys() -> list[str]:
    keys: set[str] = set()
    for binding in [*MainScreen.BINDINGS, *ReaderApp.BINDINGS]:
        keys.update(binding.key.split(","))  # type: ignore[union-attr]
    return sorted(keys)


KEYS = binding_keys() + [
    "down", "up", "j", "k", "g", "G", "pagedown", "pageup", "home", "end", "space",
    "enter", "enter", "escape", "escape", "tab", "shift+tab", "backspace", "left", "right",
    "ctrl+p", "ctrl+q", "f1",
    *"abcdefghijklmnopqrstuvwxyz", *"ADIOSW", " ", ":", '"', "-",
]  # fmt: skip


class MonkeyApp(ReaderApp):
    """The reader, except that quitting is counted instead of done."""

    quits = 0

    async def action_quit(self) -> None:
        self.quits += 1

    def action_interrupt(self) -> None:  # ctrl+c
        self.quits += 1


def key_event(key: str) -> events.Key:
    names = {" ": "space", ":": "colon", '"': "quotation_mark", "-": "minus"}
    if len(key) == 1:
        return events.Key(names.get(key, key), key)
    chars = {"enter": "\r", "escape": "\x1b", "tab": "\t", "backspace": "\x7f", "space": " "}
    chars |= {"question_mark": "?", "slash": "/"}
    chars |= {"left_square_bracket": "[", "right_square_bracket": "]"}
    return events.Key(key, chars.get(key))


async def settle(app: ReaderApp, pilot: Pilot[Any]) -> None:
    """Until every message the key caused has been handled (held keys released)."""
    quiet = 0
    for _ in range(20):  # two rounds in a row with nothing queued: nothing is in flight
        await pilot._wait_for_screen()
        nodes = [app, *app.screen.walk_children(with_self=True)]
        quiet = 0 if any(node._message_queue.qsize() for node in nodes) else quiet + 1
        if quiet == 2:
            break
    deadline = time.monotonic() + 5
    while app._held_keys:
        assert time.monotonic() < deadline, "keys held for good"
        await asyncio.sleep(0.006)
        await pilot._wait_for_screen()


def marks(store: StateStore, digest: Digest) -> tuple[frozenset[str], frozenset[str]]:
    read = store.snapshot_read(paper.key for paper in digest.papers)
    return frozenset(key for key, is_read in read.items() if is_read), store.starred_keys()


def check(app: ReaderApp, step: str) -> None:
    """The screen's promises, whatever came before."""
    assert app.is_running, step
    screen = app.screen
    if not isinstance(screen, MainScreen):
        return
    current = screen.browse.current_paper
    pane = screen.query_one(AbstractPane)
    if current is None:
        assert screen.browse.rows == [], step
        assert pane.content.plain.startswith("No papers"), step
    else:
        assert screen.paper_list.cursor == screen.browse.cursor, step  # list and model agree
        assert pane.content.plain.startswith(inert(current.title)), step
    count = len(screen.browse.rows)
    title = screen.sub_title or ""
    if screen.has_class("-tiny"):
        assert re.match(rf"{count}( |/)", title), (step, title)
    else:
        assert re.search(rf" · {count} (paper|of )", title), (step, title)
    assert len(screen.paper_list.indices) == count, step
    views = [e for e in screen.sidebar.entries if e.kind in ("all", "week", "starred")]
    active = [e for e in views if e.active]
    assert len(active) == 1, step
    if screen.browse.starred_only:
        assert active[0].kind == "starred", step
    elif screen.browse.week is None:
        assert active[0].kind == "all", step
    else:
        assert active[0].kind == "week" and active[0].week == screen.browse.week, step


SEED_POOL = [
    "E", "M", "R", "S", "Y", "a", "b", "c", "e", "enter", "escape", "f1", "left_square_bracket",
    "m", "n", "o", "p", "q", "question_mark", "r", "right_square_bracket", "s", "shift+tab",
    "slash", "tab", "u", "y", "down", "up", "j", "k", "g", "G", "pagedown", "pageup", "home",
    "end", "space", "enter", "enter", "escape", "escape", "tab", "shift+tab", "backspace", "left",
    "right", "ctrl+p", "ctrl+q", "f1", *"abcdefghijklmnopqrstuvwxyz", *"ADIOSW", " ", ":", '"',
    "-",
]  # fmt: skip
"""The keys as they were when the seeds below failed (KEYS grows with the bindings)."""


async def monkey(seed: int, keys: int, tmp_path: Path, pool: list[str] | None = None) -> int:
    """`keys` random keys (and resizes) with the checks after each; returns the keys sent.

    The caller points arXiv at a closed port on 127.0.0.1 (`offline`): F and D try it."""
    pool = KEYS if pool is None else pool
    rng = random.Random(seed)
    digest = load_digest()
    store = StateStore(tmp_path / f"state-{seed}")
    app = MonkeyApp(digest, state=store, settings=Settings(read_delay=-1))
    sent = 0
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for number in range(keys):
            if rng.random() < 0.03:
                size = (rng.randint(20, 250), rng.randint(8, 70))
                await pilot.resize_terminal(*size)
                await pilot.pause(0.02)
                await settle(app, pilot)
                check(app, f"seed {seed}, step {number}: resize to {size}")
                continue
            key = rng.choice(pool)
            screen = app.screen
            commands = (
                isinstance(screen, MainScreen) and not isinstance(app.focused, Input)
            ) or isinstance(screen, CommandPalette)
            # opening or copying one of the paper's links (L) marks it read, as o and y do
            opens_link = isinstance(screen, LinksScreen) and key in ("enter", "o", "y")
            before = marks(store, digest)
            event = key_event(key)
            event.set_sender(app)
            app.post_message(event)
            await settle(app, pilot)
            sent += 1
            step = f"seed {seed}, step {number}: {key!r}"
            check(app, step)
            if not (commands and (key in STATE_KEYS or key == "enter") or opens_link):
                assert marks(store, digest) == before, f"{step} changed reading state"
        assert app.return_code is None
    return sent


def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Screenshots and downloads land in tmp_path; arXiv is a closed port on this machine."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READER_ARXIV_API", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("READER_ARXIV_PDF", "http://127.0.0.1:9/pdf/")
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path / "downloads"))


async def test_monkey_thousands_of_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch, tmp_path)  # a screenshot from the palette lands here
    # Frames at 10 a second, not 60: the keys are checked on the model after each one, and a
    # frame still paints every few keys at whatever size the terminal has then.
    monkeypatch.setattr("textual.screen.UPDATE_PERIOD", 0.1)
    monkeypatch.delenv("DISPLAY", raising=False)
    started = time.monotonic()
    sent = await monkey(20261201, MONKEY_KEYS, tmp_path)
    took = time.monotonic() - started
    print(f"monkey: {sent} keys in {took:.1f} s")
    assert sent >= MONKEY_KEYS * 0.9


@pytest.mark.parametrize(
    ("seed", "keys"),
    [
        (3, 80),  # PgDn in the palette before its list had room: KeyError in Textual's list
        (1, 500),  # a resize hid the focused sidebar: from then on keys waited 2 s each
    ],
)
async def test_monkey_seeds_that_once_failed(
    seed: int, keys: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline(monkeypatch, tmp_path)
    monkeypatch.setattr("textual.screen.UPDATE_PERIOD", 0.1)
    assert await monkey(seed, keys, tmp_path, pool=SEED_POOL) > 0


async def test_paging_a_palette_with_no_room_is_harmless(tmp_path: Path) -> None:
    """Found by the monkey: PgDn in the palette before its list had room raised KeyError
    inside Textual's OptionList and ended the app."""
    from textual.command import CommandPalette

    app = MonkeyApp(load_digest(), state=StateStore(tmp_path), settings=Settings(read_delay=-1))
    async with app.run_test(size=(20, 8)) as pilot:
        await pilot.press("ctrl+p", "pagedown", "pageup", *"zz", "pagedown")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
    assert app.return_code in (None, 0)


async def test_a_resize_that_hides_the_focused_sidebar_holds_no_keys(tmp_path: Path) -> None:
    """Found by the monkey: the sidebar had the focus, a resize hid it, and from then on every
    key waited for a focus that never came (2 s each); now the list takes the focus."""
    app = MonkeyApp(load_digest(), state=StateStore(tmp_path), settings=Settings(read_delay=-1))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("shift+tab")
        sidebar_focused = app.focused is screen.sidebar
        assert sidebar_focused
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        started = time.monotonic()
        await pilot.press("j", "j")
        assert time.monotonic() - started < 1.5
        assert app.focused is screen.paper_list
        assert screen.paper_list.cursor == 2
        current = screen.browse.current_paper
        assert current is not None
        assert screen.query_one(AbstractPane).content.plain.startswith(inert(current.title))


DEFAULT_SEEDS = (101, 102, 103)
"""Run on every `make test`, a short walk each; READER_MONKEY_SEEDS=N adds a sweep of N more."""
SWEEP = range(1000, 1000 + int(os.environ.get("READER_MONKEY_SEEDS", "0")))


@pytest.mark.parametrize("seed", [*DEFAULT_SEEDS, *SWEEP])
async def test_monkey_more_seeds(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few seeds on every run; READER_MONKEY_SEEDS=20 READER_MONKEY_SEED_KEYS=500: a sweep
    for new failures (opt-in: long)."""
    offline(monkeypatch, tmp_path)
    monkeypatch.setattr("textual.screen.UPDATE_PERIOD", 0.1)
    keys = int(os.environ.get("READER_MONKEY_SEED_KEYS", "500" if seed in SWEEP else "150"))
    assert await monkey(seed, keys, tmp_path) >= keys * 0.9
