"""The app in its terminal: Ctrl+C, the command palette, inline query errors, ASCII output."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static

from reader.app import ReaderApp, make_app
from reader.model import Digest
from reader.screens.main import MainScreen


async def test_a_reversed_week_range_says_so_under_the_filter(digest: Digest) -> None:
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("slash", *"week:2023-05-31..2023-05-1")  # May 31 to May 19
        await pilot.pause()
        assert isinstance(app.focused, Input)
        error = screen.query_one("#filter-error", Static)
        assert error.display
        assert "week: the range 2023-05-31..2023-05-1 runs backwards" in str(error.render())
        assert len(screen.browse.rows) == 0  # what "…2023-05" (May 31 to May 31) gave stays
        await pilot.press("ctrl+u", *"week:2023-05-01..2023-05-31")
        await pilot.pause()
        assert not error.display
        assert len(screen.browse.rows) == 37


async def palette_commands(pilot: Pilot[None], app: ReaderApp) -> list[str]:
    """The names the command palette lists before anything is typed."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    commands = palette.query_one(CommandList)
    for _ in range(50):  # the providers answer asynchronously
        if commands.option_count:
            break
        await pilot.pause(0.05)
    await pilot.pause(0.2)
    names = []
    for index in range(commands.option_count):
        prompt = commands.get_option_at_index(index).prompt
        text = prompt.plain if hasattr(prompt, "plain") else str(prompt)
        names.append(text.split("\n")[0].strip())
    return names


async def test_the_palette_lists_the_apps_commands_and_no_textual_internals(
    digest: Digest,
) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        names = await palette_commands(pilot, app)
        for wanted in ("Help", "Filter the papers", "Copy the link", "Theme", "Quit"):
            assert any(name.startswith(wanted) for name in names), (wanted, names)
        for unwanted in ("Keys", "Maximize", "Minimize"):
            assert not any(name.startswith(unwanted) for name in names), (unwanted, names)
        assert len(names) == len(set(names)), names
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


@pytest.mark.parametrize("where", ["list", "filter", "help", "palette"])
async def test_ctrl_c_quits_with_status_130_from_anywhere(digest: Digest, where: str) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        if where == "filter":
            await pilot.press("slash", "a")
            assert isinstance(app.focused, Input)
        elif where == "help":
            await pilot.press("question_mark")
        elif where == "palette":
            await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 130
        assert not app.is_running


# --- in a real terminal (a pseudo-terminal) -----------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
CSI = re.compile(r"\x1b\[[0-9;:?<>=$]*[ -/]*[@-~]")
C_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def run_in_terminal(
    args: list[str],
    keys: bytes,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (80, 24),
) -> tuple[int, bytes]:
    """`python -m reader ARGS` on a pseudo-terminal of `size`: once the key line is drawn, type
    `keys`; the exit status and every byte the app wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    environment = dict(os.environ, TERM="xterm-256color", **(env or {}))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env_path()]))
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environment,
        cwd=REPO,
        start_new_session=True,
    )
    os.close(slave)
    output = b""
    typed = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the app has gone and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if not typed and b"palette" in output:
                os.write(master, keys)
                typed = True
            if typed and process.poll() is not None and not ready:
                break
        else:
            pytest.fail(f"reader did not quit; it wrote {output[-500:]!r}")
        return process.wait(timeout=20), output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def env_path() -> str:
    return os.environ.get("PYTHONPATH", "")


def test_ctrl_c_in_a_real_terminal_quits_with_130() -> None:
    code, output = run_in_terminal([], b"\x03")
    assert code == 130, output[-300:]
    assert b"Traceback" not in output


def test_without_utf8_the_tui_writes_ascii_stand_ins() -> None:
    code, output = run_in_terminal(["--week", "all"], b"q", env=C_LOCALE)
    assert code == 0, output[-300:]
    assert b"\\u" not in output  # no escape such as \u2b58 drawn as text
    assert max(output) < 0x80  # every cell one ASCII character: the layout holds
    text = CSI.sub("", output.decode("ascii"))  # what is drawn, without colours and moves
    assert "q Quit" in text and "^p palette" in text
    assert "> All weeks" in text  # the sidebar's marker


def test_without_utf8_the_printed_table_stays_aligned(tmp_path: Path) -> None:
    digest = tmp_path / "d.md"
    digest.write_text(
        "| Week | Title | Category | Paper-Link |\n|---|---|---|---|\n"
        "| 2023-06-25 | A \u2605 star caf\u00e9 \u65e5\u672c \x1b[2J | Robotics | "
        "https://arxiv.org/abs/2306.00001 |\n"
        "| 2023-06-25 | Plain | Sound | https://arxiv.org/abs/2306.00002 |\n",
        encoding="utf-8",
    )
    environment = dict(os.environ, **C_LOCALE)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env_path()]))
    result = subprocess.run(
        [sys.executable, "-m", "reader", str(digest), "--print"],
        capture_output=True,
        env=environment,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    lines = result.stdout.decode("ascii").splitlines()
    assert len(lines) == 4 and "\\u" not in result.stdout.decode("ascii")
    assert "A * star cafe ???? ?[2J" in lines[2]
    assert lines[2].index("Robotics") == lines[3].index("Sound")
    edges = {tuple(at for at, char in enumerate(line) if char in "|+") for line in lines}
    assert len(edges) == 1 and len(edges.pop()) == 3  # every row's separators line up
