"""The main screen's first frame is the only one written at start (issue 26): Textual wrote the
same screen, whole, three more times within ~40 ms (the resume's repaint, the layout for the
terminal's size the driver posts at start, the second layout of widgets the first one sized),
~13 KB each in a terminal, ~20 KB each through `--serve`. `FirstFrameScreen` drops a frame whose
screen is the one the first frame drew; anything that changes is drawn.

The frames are counted where the screen hands them to the App (`App._display`), which a headless
test runs like a terminal does: the counts do not depend on timing."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.strip import Strip

from reader.app import make_app
from reader.model import Digest
from reader.screens.main import MainScreen
from tests.tui.conftest import screen_of, wait_for


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[list[Strip]]:
    """Each frame the main screen hands to the App, as the screen it leaves behind."""
    frames: list[list[Strip]] = []
    original = App._display

    def display(self: App[Any], screen: Any, renderable: Any) -> None:
        if renderable is not None and isinstance(screen, MainScreen):
            frames.append(screen._compositor.render_strips())
        original(self, screen, renderable)

    monkeypatch.setattr(App, "_display", display)
    return frames


async def test_the_first_frame_is_the_only_one(
    monkeypatch: pytest.MonkeyPatch, digest: Digest
) -> None:
    frames = _recording(monkeypatch)
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: len(frames) >= 1, pilot)
        await pilot.pause(0.3)  # Textual's own repaints came within ~40 ms
        first = "\n".join(strip.text for strip in frames[0])
        paper = screen_of(app).browse.current_paper
        assert paper is not None and first.count(paper.title) == 2, first
        same = frames[1:] == frames[:-1]
        assert len(frames) == 1, f"{len(frames)} frames, all of the same screen: {same}"


async def test_a_change_at_start_is_drawn(monkeypatch: pytest.MonkeyPatch, digest: Digest) -> None:
    """The frames after the first are compared with it, and the first that differs is drawn
    (here a key pressed as soon as the screen is there); so are the next ones."""
    frames = _recording(monkeypatch)
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: len(frames) >= 1, pilot)
        screen = screen_of(app)
        second = screen.browse.digest.papers[screen.browse.rows[1]].title
        await pilot.press("j")
        await wait_for(lambda: len(frames) >= 2, pilot)
        assert frames[-1] != frames[0]
        assert f"▊ {second[:40]}" in "\n".join(strip.text for strip in frames[-1])
        await pilot.press("k")
        await wait_for(lambda: len(frames) >= 3, pilot)
        assert frames[-1] == frames[0]  # back where it started: drawn all the same


async def test_after_a_suspension_the_same_screen_is_drawn(
    monkeypatch: pytest.MonkeyPatch, digest: Digest
) -> None:
    """Suspended (Ctrl+Z, an editor run in the terminal), the terminal holds something else:
    the same screen is drawn again when Textual repaints it."""
    frames = _recording(monkeypatch)
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: len(frames) >= 1, pilot)
        screen = screen_of(app)
        screen.refresh()
        await pilot.pause(0.1)
        assert len(frames) == 1
        app.app_suspend_signal.publish(app)
        screen.refresh()
        await wait_for(lambda: len(frames) >= 2, pilot)
        assert frames[-1] == frames[0]


async def test_after_another_screen_the_same_screen_is_drawn(
    monkeypatch: pytest.MonkeyPatch, digest: Digest
) -> None:
    """The help opened and closed at once (as a drill in tmux does): the terminal holds the
    help, so the main screen, the same as its first frame, is drawn again."""
    frames = _recording(monkeypatch)
    app = make_app(digest, read_delay=-1)  # no paper marked read meanwhile, however slow
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: len(frames) >= 1, pilot)
        await pilot.press("question_mark")
        await wait_for(lambda: app.screen is not screen_of_main(app), pilot)
        await pilot.press("escape")
        await wait_for(lambda: len(frames) >= 2, pilot)
        assert frames[-1] == frames[0]


def screen_of_main(app: Any) -> Any:
    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))
