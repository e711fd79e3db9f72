"""Typeahead: a burst of keys (a paste, a macro, a fast typist on a busy machine) is handled
exactly as the same keys pressed one at a time."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from reader.app import ReaderApp, make_app
from reader.model import Digest
from reader.screens.help import HelpScreen
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest
from reader.state import StateStore


@pytest.fixture(scope="module")
def digest() -> Digest:
    return load_digest()


def key_event(key: str) -> events.Key:
    """The event a terminal sends for `key` (a character or a key name), as Pilot builds it."""
    if len(key) == 1:
        names = {" ": "space", "/": "slash", "?": "question_mark", "[": "left_square_bracket"}
        names |= {"]": "right_square_bracket", "-": "minus", ":": "colon", '"': "quotation_mark"}
        return events.Key(names.get(key, key), key)
    try:
        char: str | None = unicodedata.lookup(key.upper().replace("_", " "))
    except KeyError:
        char = None
    if key in ("enter", "escape", "tab", "backspace"):
        char = {"enter": "\r", "escape": "\x1b", "tab": "\t", "backspace": "\x7f"}[key]
    return events.Key(key, char)


async def burst(app: ReaderApp, pilot: Pilot[Any], keys: list[str]) -> None:
    """All of `keys` at once, as a terminal delivers a paste: none waits for the one before."""
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app.post_message(event)
    await pilot.pause()
    await pilot.pause()


def outcome(app: ReaderApp) -> tuple[object, ...]:
    """What the keys did: the screen, the view, the focus, the cursor, the marks."""
    screen = app.screen
    if not isinstance(screen, MainScreen):
        return (type(screen).__name__,)
    focused = app.focused
    current = screen.browse.current_paper
    return (
        screen.browse.week,
        screen.browse.starred_only,
        screen.browse.query_text,
        screen.query_one("#filter").value,  # type: ignore[attr-defined]
        None if focused is None else (type(focused).__name__, focused.id),
        None if current is None else current.title,
        screen.sidebar.cursor,
        sorted(screen.classes),
        sorted(k for k in screen.browse.store.starred_keys()),
        sorted(p.key for p in screen.browse.digest.papers if screen.browse.store.is_read(p.key)),
    )


async def run(
    digest: Digest, tmp_path: Any, keys: list[str], *, fast: bool, size: tuple[int, int]
) -> tuple[object, ...]:
    store = StateStore(tmp_path / ("fast" if fast else "slow"))
    app = make_app(digest, week="2023-06-18", state=store, read_delay=60)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if fast:
            await burst(app, pilot, keys)
        else:
            for key in keys:
                await pilot.press(key)
        await pilot.pause()
        return outcome(app)


def typed(text: str) -> list[str]:
    return list(text)


SEQUENCES: dict[str, tuple[list[str], tuple[int, int]]] = {
    "slash then a word types it": (["/", *typed("diffusion")], (120, 40)),
    "enter leaves the filter before the next key": (
        ["/", *typed("segment anything"), "enter", "a", "j", "s"],
        (120, 40),
    ),
    "backspace edits in order": (["/", *typed("robox"), "backspace", "t", "enter", "m"], (120, 40)),
    "escape clears and leaves": (["/", *typed("llm"), "escape", "s", "j", "j"], (120, 40)),
    "sidebar moves change the week before the next key": (
        ["shift+tab", "j", "j", "j", "enter", "s", "j", "m"],
        (120, 40),
    ),
    "c then typing appends": (["c", "/", *typed(" agent"), "enter", "j", "s"], (120, 40)),
    "tiny: enter shows the abstract, escape returns": (
        ["j", "enter", "j", "escape", "j", "s"],
        (50, 15),
    ),
    "narrow: b opens the drawer and takes the keys": (
        ["b", "j", "j", "enter", "j", "s"],
        (80, 24),
    ),
    "tab cycles before the next key": (["tab", "j", "tab", "tab", "j", "s"], (120, 40)),
    "slash from the abstract on a tiny screen": (
        ["enter", "/", *typed("gpt"), "enter", "s"],
        (50, 15),
    ),
}


@pytest.mark.parametrize("name", list(SEQUENCES))
async def test_a_burst_does_what_slow_keys_do(digest: Digest, tmp_path: Any, name: str) -> None:
    keys, size = SEQUENCES[name]
    slow = await run(digest, tmp_path, keys, fast=False, size=size)
    fast = await run(digest, tmp_path, keys, fast=True, size=size)
    assert fast == slow


async def test_pasted_slash_diffusion_types_and_marks_nothing(
    digest: Digest, tmp_path: Any
) -> None:
    app = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await burst(app, pilot, ["/", *typed("diffusion")])
        assert screen.browse.query_text == "diffusion"
        assert screen.query_one("#filter").has_focus
        assert list(screen.browse.store.starred_keys()) == []
        assert not any(screen.browse.store.is_read(p.key) for p in digest.papers)


async def test_segment_anything_enter_a_is_all_weeks(digest: Digest, tmp_path: Any) -> None:
    app = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await burst(app, pilot, ["/", *typed("segment anything"), "enter", "a"])
        assert screen.browse.query_text == "segment anything"
        assert screen.browse.week is None  # `a` was the All weeks command, not a filter letter
        assert screen.paper_list.has_focus


async def test_help_takes_the_keys_typed_behind_it(digest: Digest, tmp_path: Any) -> None:
    """`?` then `q` closes the help (it does not quit the app); then `j` moves the list."""
    app = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await burst(app, pilot, ["?", "j", "q", "j"])
        await pilot.pause()
        assert app.is_running
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.paper_list.cursor == 1
        await burst(app, pilot, ["?", "q"])
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running


async def test_palette_takes_the_letters_typed_behind_ctrl_p(
    digest: Digest, tmp_path: Any
) -> None:
    from textual.command import CommandInput, CommandPalette

    app = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await burst(app, pilot, ["ctrl+p", *typed("star")])
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).value == "star"
        await burst(app, pilot, ["escape"])
        await pilot.pause()
        main = app.screen
        assert isinstance(main, MainScreen)
        assert list(main.browse.store.starred_keys()) == []
        assert main.browse.week == date(2023, 6, 25)
