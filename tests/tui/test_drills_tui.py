"""Failure drills in the TUI (issue 7): hostile text never reaches the terminal live, links open
only for http(s), every screen survives every size, copying works without a clipboard, reading
state faults warn without losing saved marks, and a 1 GB file loads behind a progress bar that
`q` interrupts at once (in a real terminal: tmux).

"What reaches the terminal" is checked on the exact output Textual would write: the compositor's
full update rendered to a string (`screen_output`). Textual's own sequences (SGR colours, cursor
moves, OSC 8 hyperlinks) are allowed; any other control character is a leak. The segments are
checked too: no control character in any text, no hyperlink but http(s).
"""

from __future__ import annotations

import base64
import io
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyperclip  # type: ignore[import-untyped]
import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._compositor import LayoutUpdate
from textual.command import CommandPalette
from textual.widgets import Input

import reader.state
from reader.app import ReaderApp, make_app
from reader.model import Digest, Link, Paper
from reader.screens.help import HelpScreen
from reader.screens.loading import LoadingScreen
from reader.screens.main import MainScreen
from reader.sources.loader import LoadError
from reader.state import FILENAME, StateStore
from reader.text import inert, is_web_link
from reader.widgets.abstract import AbstractPane
from tests.processes import end_tmux
from tests.tui.conftest import ScriptedSource, wait_for
from tests.tui.conftest import screen_of as main_screen

REPO = Path(__file__).resolve().parents[2]
WEEK = date(2023, 6, 25)
OLDER = date(2023, 6, 18)

# Clipboard write (OSC 52), window titles (OSC 0 and 2, ended by BEL and by ST), screen clear,
# cursor position query, BEL, backspace, NUL, DEL, C1 CSI, bidi override and isolate.
PAYLOAD = (
    "\x1b]52;c;RVZJTA==\x07\x1b]0;PWNED\x07\x1b]2;PWNED\x1b\\\x1b[2J\x1b[6n"
    "\x07\x08\x00\x7f\x9b6n\u202eRTL\u2066"
)
# The same, as `reader.text.inert` shows it: what the reader must see instead.
SHOWN = ["␛]52;c;RVZJTA==␇", "␛]0;PWNED␇", "␛[2J", "␛[6n", "␀", "␈", "␡", "\\x9b6n", "<U+202E>"]
# Every character that must never be written raw: C0 controls (but the newlines between lines),
# DEL, C1 controls, bidi controls.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What Textual itself writes: SGR colours, cursor positioning, OSC 8 hyperlinks (ended by ST).
OWN_SEQUENCE = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H|\x1b\]8;[^\x1b\x07]*\x1b\\")
OSC8_TARGET = re.compile(r"\x1b\]8;[^;\x1b\x07]*;([^\x1b\x07]*)\x1b\\")

HOSTILE = Paper(
    WEEK,
    f"Hostile {PAYLOAD} title",
    "https://arxiv.org/abs/2306.00001",
    category=f"Cat{PAYLOAD}",
    abstract=f"Abstract {PAYLOAD} [bold]markup[/] [link=javascript:x]y[/link] end",
    arxiv_id="2306.00001",
    summary=f"Summary {PAYLOAD}",
    links=(
        Link(f"Tw{PAYLOAD}", "https://x.com/a/status/1"),
        Link("Code", "javascript:alert(1)"),
        Link("Data", "data:text/html,<script>alert(1)</script>"),
        Link("File", "file:///etc/passwd"),
        Link("Escaped", "https://evil.example/\x1b]8;;https://evil\x07"),
    ),
)
NOT_WEB = {
    "Script link": "javascript:alert(document.cookie)",
    "File link": "file:///etc/passwd",
    "Data link": "data:text/html;base64,PHNjcmlwdD4=",
    "Escaped https": "https://ok.example/\x1b]2;PWNED\x07",
    "Spaced scheme": " javascript:alert(2)",
}
PAPERS = [
    HOSTILE,
    *(Paper(WEEK, title, link) for title, link in NOT_WEB.items()),
    Paper(OLDER, "Upper-case scheme \u202e\u2067", "  HTTPS://UPPER.example/x  "),
]
NAME = f"evil{PAYLOAD}name"


def hostile_digest() -> Digest:
    return Digest(PAPERS, name=NAME)


# --- what reaches the terminal ---------------------------------------------------------------


def screen_output(app: ReaderApp) -> tuple[str, list[Segment]]:
    """What Textual would write to the terminal for a full repaint of the current screen (with
    the screens under a modal one), and the segments it is made of."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    update.strips = [list(line) for line in update.strips]
    segments = [segment for line in update.strips for strip in line for segment in strip]
    console = Console(
        file=io.StringIO(),
        width=app.size.width,
        height=app.size.height,
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    return update.render_segments(console), segments


def assert_terminal_safe(app: ReaderApp) -> str:
    """Assert that the screen holds no live control character and no non-web hyperlink;
    return the visible text (the segments' text joined)."""
    stream, segments = screen_output(app)
    for segment in segments:
        if segment.control:
            continue
        assert UNSAFE.search(segment.text) is None, f"raw control in {segment.text!r}"
        link = segment.style.link if segment.style is not None else None
        if link:
            assert is_web_link(link), f"a hyperlink to {link!r}"
    for target in OSC8_TARGET.findall(stream):
        assert target == "" or is_web_link(target), f"OSC 8 hyperlink to {target!r}"
    leftover = OWN_SEQUENCE.sub("", stream)
    leaked = UNSAFE.search(leftover)
    assert leaked is None, f"leaked {leftover[max(0, leaked.start() - 30) : leaked.end() + 30]!r}"
    return "".join(segment.text for segment in segments if not segment.control)


def assert_notifications_safe(app: ReaderApp) -> list[str]:
    messages = [notification.message for notification in app._notifications]
    for message in messages:
        assert UNSAFE.search(message.replace("\n", " ")) is None, message
    return messages


def pane_text(app: ReaderApp) -> Text:
    return main_screen(app).query_one(AbstractPane).content


# --- terminal safety: every place the digest's text appears ------------------------------------


def record_browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Links opened in a browser (by the app's driver or by reader itself), recorded instead."""
    opened: list[str] = []

    def fake_open(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    monkeypatch.setenv("BROWSER", "reader-test-browser")  # a browser is plausible here
    return opened


async def test_hostile_text_is_inert_on_every_screen_and_toast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record_browser(monkeypatch)
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(
        size=(90, 30), notifications=True
    ) as pilot:  # narrow: the sidebar folds away
        await pilot.pause()
        shown = assert_terminal_safe(app)
        assert "␛" in shown and "<U+202E>" in shown  # made visible, not dropped
        assert app.title == inert(NAME) and "␛]0;PWNED␇" in app.title
        pane = pane_text(app).plain
        for marker in SHOWN:
            assert marker in pane, marker
        assert "[bold]markup[/]" in pane and "[link=javascript:x]y[/link]" in pane  # literal
        assert f"Tw{inert(PAYLOAD)}: https://x.com/a/status/1" in pane
        assert f"Summary {inert(PAYLOAD)}" in pane
        await pilot.press("y", "Y", "o")  # toasts quoting the link and the title
        await pilot.pause()
        assert "Copied" in assert_terminal_safe(app)  # the toasts are on screen
        await pilot.press("j", "o", "y", "s", "m")  # a javascript: link; star; read
        await pilot.pause()
        assert_terminal_safe(app)
        await pilot.press("b")  # the sidebar, with the hostile category, on a narrow screen
        await pilot.pause()
        assert "Cat␛]52;c;" in assert_terminal_safe(app)
        await pilot.press("escape")
        messages = assert_notifications_safe(app)
        assert any(
            "Copied Markdown link" in message and "␛\\]0;PWNED␇" in message for message in messages
        )
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert_terminal_safe(app)  # the help over the hostile list
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"open")
        await pilot.pause(0.3)
        shown = assert_terminal_safe(app)
        assert "Open the link" in shown  # the palette's results are on screen
        await pilot.press("escape")
        await pilot.pause()
        assert_terminal_safe(app)
    assert app.clipboard == NOT_WEB["Script link"]  # y on the second paper: exact, raw


async def test_copy_takes_the_text_exactly_while_showing_it_inert() -> None:
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("Y")
        title = HOSTILE.title.replace("[", "\\[").replace("]", "\\]")
        assert app.clipboard == f"[{title}]({HOSTILE.link})"
        await pilot.press("j", "y")
        assert app.clipboard == NOT_WEB["Script link"]
        (*_, last) = assert_notifications_safe(app)
        assert last.endswith(NOT_WEB["Script link"])


async def test_the_digest_name_and_a_file_name_are_inert_in_the_header(tmp_path: Path) -> None:
    from reader.sources.loader import load_digest

    path = tmp_path / f"evil\x1b]2;PWNED\x07\u202e{os.getpid()}.csv"
    path.write_text(f"week,title,link\n2023-06-25,T {PAYLOAD},https://a.org\n", encoding="utf-8")
    digest = load_digest(path)
    assert "\x1b" in digest.name  # the loader keeps names as they are; the app shows them inert
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await pilot.pause()
        shown = assert_terminal_safe(app)
        assert "evil␛]2;PWNED␇<U+202E>" in shown


async def test_reload_failure_toast_with_a_hostile_file_name() -> None:
    def reload() -> Digest:
        raise LoadError(f"bad{PAYLOAD}.md", 3, f"unparseable week {PAYLOAD!r}")

    source = ScriptedSource(lambda progress: hostile_digest(), "hostile.md", reload=reload)
    app = make_app(hostile_digest(), source=source, read_delay=60)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("r")
        await wait_for(lambda: any("Reload failed" in n.message for n in app._notifications), pilot)
        await pilot.pause()
        assert_terminal_safe(app)
        (message,) = [m for m in assert_notifications_safe(app) if "Reload failed" in m]
        assert message.startswith("Reload failed: bad␛]52;c;RVZJTA==␇")


async def test_loading_screen_label_and_title_are_inert() -> None:
    release = threading.Event()
    told = threading.Event()

    def loader(progress: Callable[[float, str], None]) -> Digest:
        progress(0.5, f"Reading {NAME}: 512 of 1024 MB")
        told.set()
        release.wait(10)
        return hostile_digest()

    app = make_app(source=ScriptedSource(loader, f"huge{PAYLOAD}.md"), read_delay=60)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(told.is_set, pilot)
        await pilot.pause(0.15)
        assert isinstance(app.screen, LoadingScreen)
        assert app.title == inert(f"huge{PAYLOAD}.md")
        shown = assert_terminal_safe(app)
        label = str(app.screen.query_one("#loading-label").render())
        assert label.startswith("Reading evil␛]52;c;RVZJTA==␇") and "Reading evil␛" in shown
        release.set()
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.pause()
        assert app.title == inert(NAME)
        assert_terminal_safe(app)


async def test_a_hostile_query_is_inert_in_the_header_and_the_filter_error() -> None:
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = main_screen(app)
        screen.act(screen.browse.ask, f"is:{PAYLOAD}")  # a bad query: the inline error quotes it
        await pilot.pause()
        assert_terminal_safe(app)
        error = str(screen.query_one("#filter-error").render())
        assert "␛" in error or "\\x1b" in error
        screen.act(screen.browse.ask, f"title {PAYLOAD}")  # a good one: the header quotes it
        await pilot.pause()
        sub_title = screen.sub_title or ""
        assert UNSAFE.search(sub_title) is None and "␛]0;PWNED␇" in sub_title


# The filter bar holds whatever was typed, pasted or put there by `c` (a category from the
# digest) or `--query`: it must draw it inert. (A plain Textual Input drew it raw: in tmux,
# `--query $'x\e]2;PWNED\a'` renamed the pane.)


async def test_c_on_a_hostile_category_keeps_the_filter_bar_inert() -> None:
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("c")  # cat:"<the category, escapes and all>" goes into the filter bar
        await pilot.pause()
        assert "\x1b" in main_screen(app).query_one("#filter", Input).value
        assert_terminal_safe(app)


async def test_a_hostile_query_from_the_command_line_keeps_the_filter_bar_inert() -> None:
    app = make_app(hostile_digest(), query="x\x1b]2;PWNED\x07", read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.pause()
        assert_terminal_safe(app)


async def test_pasting_escapes_into_the_filter_keeps_it_inert() -> None:
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("slash")
        main_screen(app).query_one("#filter", Input).post_message(
            events.Paste("\x1b[2J\x1b]52;c;RVZJTA==\x07pasted")
        )
        await pilot.pause()
        assert_terminal_safe(app)


# --- links -------------------------------------------------------------------------------------


def link_targets(text: Text) -> list[str]:
    """Every hyperlink target in a Rich Text: its spans' styles and its base style."""
    styles = [text.style, *(span.style for span in text.spans)]
    targets = []
    for style in styles:
        if isinstance(style, str):
            style = Style.parse(style) if style else Style()
        if style.link:
            targets.append(style.link)
    return targets


async def test_only_web_links_are_hyperlinks_and_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = record_browser(monkeypatch)
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = main_screen(app)
        # The hostile paper: its own arXiv link, the PDF link derived from its arXiv id, and the
        # one clean web link among its extras.
        assert link_targets(pane_text(app)) == [
            HOSTILE.link,
            "https://arxiv.org/pdf/2306.00001",
            "https://x.com/a/status/1",
        ]
        await pilot.press("o")
        await wait_for(lambda: opened == [HOSTILE.link], pilot)
        for title, link in NOT_WEB.items():
            await pilot.press("j")
            paper = screen.browse.current_paper
            assert paper is not None and paper.title == title
            assert link_targets(pane_text(app)) == []
            assert inert(link) in pane_text(app).plain  # shown, inert
            await pilot.press("o")
            notes = [n for n in app._notifications if "only http and https" in n.message]
            assert notes and notes[-1].severity == "warning"
            assert inert(link) in notes[-1].message and "y copies it" in notes[-1].message
            assert_terminal_safe(app)
        await pilot.pause(0.1)
        assert opened == [HOSTILE.link]  # none of them was opened
        await pilot.press("left_square_bracket")  # the older week
        await pilot.pause()
        paper = screen.browse.current_paper
        assert paper is not None and paper.week == OLDER
        assert link_targets(pane_text(app)) == ["HTTPS://UPPER.example/x"]
        await pilot.press("o")
        await wait_for(lambda: opened == [HOSTILE.link, "HTTPS://UPPER.example/x"], pilot)


# --- sizes ---------------------------------------------------------------------------------------

SIZES = [(20, 8), (40, 12), (80, 24), (250, 70)]
TOUR = [*SIZES, (20, 8)]  # every size, growing, then the biggest jump down


async def open_screen(name: str, pilot: Any) -> None:
    """Bring up one of the screens (or layouts) to check."""
    keys = {
        "main": [],
        "sidebar": ["b"],  # narrow: the folded sidebar shown; wide: hidden
        "abstract": ["j", "enter"],  # tiny: the abstract alone
        "filter": ["slash", *"tit"],
        "help": ["question_mark"],
        "palette": ["ctrl+p", *"week"],
    }[name]
    if keys:
        await pilot.press(*keys)
    await pilot.pause(0.2 if name == "palette" else 0)


@pytest.mark.parametrize(
    ("screen_name", "start"),
    [
        ("main", (20, 8)),
        ("sidebar", (80, 24)),
        ("abstract", (40, 12)),
        ("filter", (250, 70)),
        ("help", (20, 8)),
        ("palette", (80, 24)),
    ],
)
async def test_every_screen_renders_at_every_size_and_survives_resizes(
    screen_name: str, start: tuple[int, int]
) -> None:
    app = make_app(hostile_digest(), read_delay=60)
    async with app.run_test(size=start, notifications=True) as pilot:
        await open_screen(screen_name, pilot)
        opened = type(app.screen)
        for width, height in TOUR:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert app.size == (width, height)
            assert type(app.screen) is opened
            stream, _ = screen_output(app)
            assert stream.count("\n") == height - 1  # every line of the screen painted
            assert_terminal_safe(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code in (None, 0)


async def test_the_loading_screen_at_every_size() -> None:
    release = threading.Event()

    def loader(progress: Callable[[float, str], None]) -> Digest:
        # Loads until the test releases it (a loaded machine may take seconds over the tour),
        # with an overall deadline so that a failing test still ends.
        deadline = time.monotonic() + 60
        step = 0
        while not release.wait(0.02) and time.monotonic() < deadline:
            step = step % 99 + 1
            progress(step / 100, f"Reading huge.md: {step} of 100 MB")
        return hostile_digest()

    app = make_app(source=ScriptedSource(loader, "huge.md"), read_delay=60)
    async with app.run_test(size=(20, 8), notifications=True) as pilot:
        for width, height in TOUR:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert isinstance(app.screen, LoadingScreen)
            stream, _ = screen_output(app)
            assert stream.count("\n") == height - 1
            assert_terminal_safe(app)
        release.set()
        await wait_for(lambda: isinstance(app.screen, MainScreen), pilot)
        await pilot.resize_terminal(20, 8)
        await pilot.pause()
        assert_terminal_safe(app)


# --- clipboard -----------------------------------------------------------------------------------


def capture_driver(app: ReaderApp, written: list[str]) -> None:
    driver = app._driver
    assert driver is not None
    original = driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    driver.write = write  # type: ignore[method-assign]


def no_local_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)


class Pyperclip:
    """A stand-in for `pyperclip.copy`: records calls, raises `error` if given."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.calls: list[str] = []

    def __call__(self, text: str) -> None:
        self.calls.append(text)
        if self.error is not None:
            raise self.error


async def copy_link(app: ReaderApp, written: list[str]) -> list[Any]:
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        capture_driver(app, written)
        await pilot.press("y")
        await pilot.pause()
        assert_terminal_safe(app)
        return list(app._notifications)


PLAIN = Digest([Paper(WEEK, "A paper", "https://arxiv.org/abs/2306.00002")], name="plain")
OSC52 = "\x1b]52;c;" + base64.b64encode(b"https://arxiv.org/abs/2306.00002").decode() + "\x07"


async def test_no_clipboard_at_all_copies_through_osc52_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_local_clipboard(monkeypatch)
    fake = Pyperclip(pyperclip.PyperclipException("could not find a copy/paste mechanism"))
    monkeypatch.setattr(pyperclip, "copy", fake)
    written: list[str] = []
    app = make_app(PLAIN, read_delay=60)
    notes = await copy_link(app, written)
    assert app.clipboard == "https://arxiv.org/abs/2306.00002"
    assert OSC52 in written  # the terminal got the text
    assert fake.calls == []  # no local clipboard is plausible: pyperclip not even tried
    (note,) = notes
    assert note.severity == "information"
    assert note.message.startswith("Copied link (through the terminal, OSC 52):")


@pytest.mark.parametrize(
    "error",
    [
        pyperclip.PyperclipException("could not find a copy/paste mechanism"),
        FileNotFoundError(2, "No such file or directory", "xclip"),
        OSError(5, "Input/output error"),
        RuntimeError("boom"),
        UnicodeEncodeError("ascii", "é", 0, 1, "nope"),
        ImportError("no module named pyperclip"),
    ],
)
async def test_a_plausible_clipboard_that_fails_is_never_an_error(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    no_local_clipboard(monkeypatch)
    monkeypatch.setenv("DISPLAY", ":0")
    fake = Pyperclip(error)
    monkeypatch.setattr(pyperclip, "copy", fake)
    written: list[str] = []
    app = make_app(PLAIN, read_delay=60)
    notes = await copy_link(app, written)
    assert fake.calls == ["https://arxiv.org/abs/2306.00002"]  # tried
    assert app.clipboard == "https://arxiv.org/abs/2306.00002" and OSC52 in written
    (note,) = notes  # one toast, and not an error
    assert note.severity == "information"
    assert "(through the terminal, OSC 52)" in note.message
    assert app.return_code is None or app.return_code == 0


async def test_pyperclip_missing_entirely(monkeypatch: pytest.MonkeyPatch) -> None:
    no_local_clipboard(monkeypatch)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setitem(sys.modules, "pyperclip", None)  # `import pyperclip` raises ImportError
    written: list[str] = []
    app = make_app(PLAIN, read_delay=60)
    (note,) = await copy_link(app, written)
    assert OSC52 in written and "OSC 52" in note.message and note.severity == "information"


async def test_a_working_local_clipboard_is_used_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    no_local_clipboard(monkeypatch)
    monkeypatch.setenv("DISPLAY", ":0")
    fake = Pyperclip()
    monkeypatch.setattr(pyperclip, "copy", fake)
    written: list[str] = []
    app = make_app(PLAIN, read_delay=60)
    (note,) = await copy_link(app, written)
    assert fake.calls == ["https://arxiv.org/abs/2306.00002"]
    assert OSC52 in written  # always through the terminal as well
    assert note.message == "Copied link:\nhttps://arxiv.org/abs/2306.00002"


async def test_over_ssh_the_local_clipboard_is_not_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    no_local_clipboard(monkeypatch)
    monkeypatch.setenv("DISPLAY", "localhost:10.0")  # X forwarding: the clipboard is remote
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
    fake = Pyperclip()
    monkeypatch.setattr(pyperclip, "copy", fake)
    written: list[str] = []
    app = make_app(PLAIN, read_delay=60)
    (note,) = await copy_link(app, written)
    assert fake.calls == [] and OSC52 in written and "OSC 52" in note.message


# --- reading state faults while the app runs ---------------------------------------------------

FOUR = Digest(
    [
        Paper(WEEK, f"Paper {n}", f"https://arxiv.org/abs/2306.0000{n}", arxiv_id=f"2306.0000{n}")
        for n in range(1, 5)
    ],
    name="four",
)


class FailingConnection:
    """Stands in for the store's sqlite3 connection: every statement fails with `error`."""

    in_transaction = False

    def __init__(self, real: sqlite3.Connection, error: Exception) -> None:
        self.real = real
        self.error = error

    def execute(self, *args: object) -> None:
        raise self.error

    executemany = execute

    def close(self) -> None:
        self.real.close()


def key(app: ReaderApp, row: int) -> str:
    screen = main_screen(app)
    return screen.browse.digest.papers[screen.browse.rows[row]].key


def warnings_of(app: ReaderApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "warning"]


async def test_a_full_disk_warns_keeps_working_and_loses_no_saved_mark(
    isolated_state: Path,
) -> None:
    store = StateStore(isolated_state)
    app = make_app(FOUR, state=store, read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("m", "s")  # saved
        first = key(app, 0)
        real = store._connection()
        full = sqlite3.OperationalError("database or disk is full")
        store._conn = FailingConnection(real, full)  # type: ignore[assignment]
        await pilot.press("j", "m", "s")
        second = key(app, 1)
        (warning,) = warnings_of(app)
        assert warning.startswith("Could not save reading state (database or disk is full)")
        assert "kept in memory" in warning
        await pilot.press("j", "m")  # the app keeps working, and warns only once
        assert main_screen(app).paper_list.cursor == 2
        assert store.is_read(key(app, 2)) and store.is_read(second) and store.is_starred(second)
        assert "·  read" in pane_text(app).plain
        assert len(warnings_of(app)) == 1
        assert_terminal_safe(app)
    store.close()
    assert any("could not be saved" in warning for warning in store.warnings)
    fresh = StateStore(isolated_state)
    assert fresh.is_read(first) and fresh.is_starred(first)  # saved before the fault: kept
    fresh.close()


async def test_saving_resumes_when_the_fault_clears(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.state.saving, "RETRY_SECONDS", 0.0)
    store = StateStore(isolated_state)
    app = make_app(FOUR, state=store, read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("m")
        real = store._connection()
        store._conn = FailingConnection(real, sqlite3.OperationalError("disk I/O error"))  # type: ignore[assignment]
        await pilot.press("j", "m")
        assert warnings_of(app)[-1].startswith("Could not save reading state (disk I/O error)")
        store._conn = real
        await pilot.press("j", "s")  # the next write also writes what was left unsaved
        assert warnings_of(app)[-1] == "Reading state is being saved again."
        keys = [key(app, row) for row in range(3)]
    fresh = StateStore(isolated_state)  # before closing the app's store: saved already
    assert [fresh.is_read(k) for k in keys] == [True, True, False]
    assert fresh.is_starred(keys[2])
    fresh.close()
    store.close()


async def test_the_state_directory_removed_while_running(isolated_state: Path) -> None:
    store = StateStore(isolated_state)
    app = make_app(FOUR, state=store, read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("m", "j", "s")
        shutil.rmtree(isolated_state)
        await pilot.press("j", "m")
        (warning,) = warnings_of(app)
        assert "was removed or replaced" in warning and "every mark of this session" in warning
        keys = [key(app, row) for row in range(3)]
        assert_terminal_safe(app)
    store.close()
    fresh = StateStore(isolated_state)
    assert fresh.is_read(keys[0]) and fresh.is_starred(keys[1]) and fresh.is_read(keys[2])
    assert fresh.warnings == []
    fresh.close()


async def test_a_locked_database_warns_without_freezing_and_catches_up(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.state.saving, "RETRY_SECONDS", 0.0)
    store = StateStore(isolated_state, busy_timeout=0.1)
    app = make_app(FOUR, state=store, read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("m")
        blocker = sqlite3.connect(store.path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another program holds the database
        try:
            started = time.monotonic()
            await pilot.press("j", "m")
            assert time.monotonic() - started < 1.5
            assert "database is locked" in warnings_of(app)[-1]
            assert store.is_read(key(app, 1))  # shown as read all the same
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await pilot.press("j", "m")
        assert warnings_of(app)[-1] == "Reading state is being saved again."
        keys = [key(app, row) for row in range(3)]
    fresh = StateStore(isolated_state)
    assert all(fresh.is_read(k) for k in keys)
    fresh.close()
    store.close()


async def test_a_corrupt_store_at_startup_is_moved_aside_with_a_toast(isolated_state: Path) -> None:
    isolated_state.mkdir(parents=True)
    garbage = b"this is not a database\x1b]2;PWNED\x07" * 100
    (isolated_state / FILENAME).write_bytes(garbage)
    app = make_app(FOUR, read_delay=60)  # opens the store in $READER_STATE_DIR
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.pause()
        (warning,) = warnings_of(app)
        assert warning.startswith("Reading state file was damaged (file is not a database)")
        assert f"moved it to {FILENAME}.corrupt-" in warning
        await pilot.press("m")
        marked = key(app, 0)
        assert_terminal_safe(app)
    app.state.close()
    (aside,) = isolated_state.glob(f"{FILENAME}.corrupt-*")
    assert aside.read_bytes() == garbage  # kept, unchanged
    fresh = StateStore(isolated_state)
    assert fresh.is_read(marked) and fresh.warnings == []
    fresh.close()


async def test_an_unusable_location_warns_and_the_app_works_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / f"a file{PAYLOAD.replace(chr(0), '')}"  # a name holds no NUL
    blocker.write_text("in the way")
    monkeypatch.setenv("READER_STATE_DIR", str(blocker / "state"))
    app = make_app(FOUR, read_delay=60)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("m", "j", "s")
        (warning,) = warnings_of(app)
        assert warning.startswith("Reading state will not be saved: cannot open")
        assert app.state.is_read(key(app, 0)) and app.state.is_starred(key(app, 1))
        await pilot.pause()
        assert_terminal_safe(app)  # the path, escapes and all, is quoted inert
    app.state.close()


# --- a real terminal: tmux ----------------------------------------------------------------------

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def reader_command() -> list[str]:
    script = Path(sys.executable).with_name("reader")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reader"]


class Tmux:
    """A private tmux server (its own socket, no user config) running one command."""

    def __init__(self, name: str, config: Path) -> None:
        self.socket = f"reader-drill-{os.getpid()}-{name}"
        self.config = config
        # The terminal accepts OSC 52 from programs: a clipboard write would show as a buffer.
        config.write_text("set-option -s set-clipboard on\n")

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert TMUX is not None
        return subprocess.run(
            [TMUX, "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=10,
        )

    def start(self, command: list[str], width: int = 100, height: int = 30) -> None:
        env = [
            "env",
            f"READER_STATE_DIR={os.environ['READER_STATE_DIR']}",
            f"PYTHONPATH={REPO}",
            "TERM=xterm-256color",
            "LANG=C.UTF-8",
        ]
        done = self(
            "new-session", "-d", "-s", "r", "-x", str(width), "-y", str(height), *env, *command
        )
        assert done.returncode == 0, done.stderr

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "r").stdout

    def alive(self) -> bool:
        return self("has-session", "-t", "r").returncode == 0

    def wait_for(self, condition: Callable[[str], bool], seconds: float = 10) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.02)
        raise AssertionError(f"timed out; the screen:\n{self.screen()}")

    def stop(self) -> None:
        end_tmux(self.socket)  # the server, its panes and its socket file


@pytest.fixture
def tmux(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tmux]:
    server = Tmux(request.node.name[-20:], tmp_path / "tmux.conf")
    try:
        yield server
    finally:
        server.stop()


GIGABYTE = 1 << 30


def bounded(command: list[str], memory: int = GIGABYTE, seconds: int = 60) -> list[str]:
    """`command` with at most `memory` bytes of address space and killed after `seconds`
    (SIGALRM, which outlives exec). A reader in tmux is no child of pytest: nothing else would
    stop it from reading a whole gigabyte when `q` comes late (it peaked at 3 GiB so); capped,
    it fails with a MemoryError at ~800 MB resident instead."""
    limit = (
        "import os, resource, signal, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory})); "
        f"signal.alarm({seconds}); os.execv(sys.argv[1], sys.argv[1:])"
    )
    program = shutil.which(command[0]) or command[0]
    return [sys.executable, "-c", limit, program, *command[1:]]


@needs_tmux
def test_a_1gb_file_loads_behind_a_progress_bar_and_q_quits_at_once(
    tmp_path: Path, tmux: Tmux
) -> None:
    if shutil.disk_usage(tmp_path).free < 3 * GIGABYTE:
        pytest.skip("less than 3 GB free in the temporary directory")
    path = tmp_path / "huge.md"
    with path.open("wb") as file:  # a valid table, then a sparse gigabyte (holes read as NULs)
        file.write(b"| Week | title | category | abstract | Paper-Link |\n|:--|:--|:--|:--|:--|\n")
        file.write(b"| 2023-06-25 | A | ML | x | https://arxiv.org/abs/2306.00001 |\n")
        file.truncate(GIGABYTE)
    status = tmp_path / "status"
    command = " ".join(shlex.quote(part) for part in [*bounded(reader_command()), str(path)])
    tmux.start(["sh", "-c", f"{command}; echo $? > {shlex.quote(str(status))}"])
    screen = tmux.wait_for(lambda text: ("Loading" in text or "Reading" in text) and "Quit" in text)
    assert re.search(r"Loading .*huge\.md|Reading .*huge\.md", screen.replace("\n", " "))
    started = time.monotonic()
    tmux("send-keys", "-t", "r", "q")
    while tmux.alive() and time.monotonic() - started < 10:
        time.sleep(0.01)
    took = time.monotonic() - started
    assert not tmux.alive()
    assert status.read_text() == "0\n"
    assert took < 2.0, f"q took {took:.2f} s to quit"


def _left_at(week: str, seconds: float = 10) -> bool:
    """Whether the bundled digest's place left off becomes `week` within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with StateStore() as store:
            session = store.session("bundled")
        if session is not None and session.week == week:
            return True
        time.sleep(0.1)
    return False


@needs_tmux
@pytest.mark.parametrize("ending", ["the terminal closes", "SIGTERM"])
def test_a_reader_ended_by_its_terminal_or_sigterm_saves_where_it_was(
    tmp_path: Path, tmux: Tmux, ending: str
) -> None:
    """The drill: the terminal window closed (SIGHUP) or a logout's SIGTERM killed the reader
    at once, and reopened it was back where it had last quit. Now it ends as on `q`, its place
    saved, with 128 + the signal's number."""
    status = tmp_path / "status"
    command = " ".join(shlex.quote(part) for part in [*reader_command(), "--read-after", "-1"])
    tmux.start(["sh", "-c", f"{command}; echo $? > {shlex.quote(str(status))}"])
    tmux.wait_for(lambda text: "2023-06-25 · 10 papers" in text and "Quit" in text)
    tmux("send-keys", "-t", "r", "[")
    tmux.wait_for(lambda text: "2023-06-18 · 9 papers" in text)
    if ending == "SIGTERM":
        shell = int(tmux("display-message", "-p", "-t", "r", "#{pane_pid}").stdout)
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status.read_text() == "143\n"
    else:
        tmux.stop()  # its panes get SIGHUP
    assert _left_at("2023-06-18"), "the place left off was not saved"


@needs_tmux
def test_in_a_real_terminal_no_title_or_clipboard_is_hijacked(tmp_path: Path, tmux: Tmux) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text(
        "week,title,category,abstract,link\n"
        f'2023-06-25,"Evil {PAYLOAD} title","Cat{PAYLOAD}","Abs {PAYLOAD}",https://a.org/1\n',
        encoding="utf-8",
    )
    tmux.start([*reader_command(), str(path), "--read-after", "-1"])
    title_before = tmux("display-message", "-p", "-t", "r", "#{pane_title}").stdout
    screen = tmux.wait_for(lambda text: "Evil ␛]52;c;RVZJTA==␇" in text)
    for keys in ("j", "k", "Tab", "Tab", "Tab"):  # move, and through every pane
        tmux("send-keys", "-t", "r", keys)
    tmux("send-keys", "-t", "r", "?")
    tmux.wait_for(lambda text: "reader · help" in text)  # the help, over the hostile list
    tmux("send-keys", "-t", "r", "Escape")
    tmux.wait_for(lambda text: "reader · help" not in text and "Abs" in text)
    time.sleep(0.2)
    assert "PWNED" not in tmux("display-message", "-p", "-t", "r", "#{pane_title}").stdout
    assert tmux("display-message", "-p", "-t", "r", "#{pane_title}").stdout == title_before
    assert tmux("list-buffers").stdout == ""  # no OSC 52 from the digest reached the terminal
    tmux("send-keys", "-t", "r", "y")  # copying does, on purpose
    deadline = time.monotonic() + 5
    while tmux("list-buffers").stdout == "" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert tmux("show-buffer").stdout == "https://a.org/1"
    assert "Evil" in screen
    tmux("send-keys", "-t", "r", "q")


@needs_tmux
def test_in_a_real_terminal_a_hostile_query_renames_nothing(tmp_path: Path, tmux: Tmux) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("week,title,link\n2023-06-25,Plain,https://a.org/1\n", encoding="utf-8")
    query = "x\x1b]2;PWNED\x07\x1b]52;c;RVZJTA==\x07"
    tmux.start([*reader_command(), str(path), "--query", query, "--read-after", "-1"])
    title_before = tmux("display-message", "-p", "-t", "r", "#{pane_title}").stdout
    tmux.wait_for(lambda text: "x␛]2;PWNED␇" in text)  # the header and the filter bar
    time.sleep(0.2)
    assert tmux("display-message", "-p", "-t", "r", "#{pane_title}").stdout == title_before
    assert tmux("list-buffers").stdout == ""
    tmux("send-keys", "-t", "r", "q")
