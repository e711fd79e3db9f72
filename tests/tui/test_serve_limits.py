"""`--serve` limits (issue 23, item 9): the terminal size a tab asks for is clamped, tabs are
capped (`--max-tabs`, with a page saying why), and Ctrl+C stops within its 3 s with tabs open."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from tests.served import Terminal, aiohttp, serving

serve = pytest.importorskip("reader.serve")


@pytest.mark.parametrize(
    ("asked", "given"),
    [
        ((20000, 20000), (serve.MAX_COLUMNS, serve.MAX_ROWS)),
        ((120, 40), (120, 40)),
        (("-5", "0"), (1, 1)),
        (("wide", None), (80, 24)),
        ((float("inf"), 1e300), (80, serve.MAX_ROWS)),
        ((True, "99999999999999999999"), (80, serve.MAX_ROWS)),
    ],
)
def test_terminal_size_is_made_sane(asked: tuple[object, object], given: tuple[int, int]) -> None:
    assert serve.terminal_size(*asked) == given


async def test_a_huge_terminal_asked_by_a_websocket_is_clamped() -> None:
    """The drill: one websocket with ?width=20000&height=20000 drove its reader to 2.7 GB in
    28 s, still growing. Now it draws 500x200 at most: its first screen is a few hundred KB."""
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"{served.base}/ws?width=20000&height=20000")
            terminal = Terminal(ws, serve.MAX_COLUMNS, serve.MAX_ROWS)
            await terminal.until(lambda: "AudioPaLM" in terminal.text, "the first paint")
            await ws.send_json(["resize", {"width": 30000, "height": 30000}])
            await terminal.key("j")
            await terminal.until(lambda: len(terminal.raw) > 0, "more frames")
            assert len(terminal.raw) < 4_000_000
            await ws.close()


async def test_tabs_are_capped_and_the_page_says_why() -> None:
    with serving("--max-tabs", "2") as served:
        async with aiohttp.ClientSession() as session:
            tabs = []
            for _ in range(2):
                ws = await session.ws_connect(f"{served.base}/ws?width=80&height=24")
                terminal = Terminal(ws, 80, 24)
                await terminal.until(painted(terminal), "the first paint")
                tabs.append(ws)
            async with session.get(f"{served.base}/") as page:
                assert page.status == 503
                text = await page.text()
                assert "2 tabs already open, the most this server serves at once" in text
                assert "--max-tabs 2" in text
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"{served.base}/ws?width=80&height=24")
            assert refused.value.status == 503
            await tabs[0].close()
            for _ in range(50):  # the server sees the tab go
                async with session.get(f"{served.base}/") as page:
                    if page.status == 200:
                        break
                time.sleep(0.1)
            assert page.status == 200
            await tabs[1].close()


def painted(terminal: Terminal) -> Callable[[], bool]:
    return lambda: "AudioPaLM" in terminal.text


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "State:\tZ" not in status.read()
    except OSError:
        return False


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"]
)
async def test_ctrl_c_stops_within_its_seconds_with_tabs_open(signum: int, status: int) -> None:
    """The drill: with tabs open, Ctrl+C took 10 s (and exited 0, not 130 as the README says).
    SIGTERM ends it the same way, with 143; nothing is left listening or running."""
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                ws = await session.ws_connect(f"{served.base}/ws?width=80&height=24")
                terminal = Terminal(ws, 80, 24)
                await terminal.until(painted(terminal), "the first paint")
            shells = children(served.process.pid)
            readers = [pid for shell in shells for pid in [shell, *children(shell)]]
            assert readers
            started = time.monotonic()
            served.process.send_signal(signum)
            served.process.wait(timeout=30)
            took = time.monotonic() - started
    assert took < serve.SHUTDOWN_SECONDS + 1.5, f"took {took:.1f} s"
    assert served.process.returncode == status
    assert not [pid for pid in readers if alive(pid)]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", served.port), timeout=5).close()


async def test_a_resize_to_the_size_the_reader_has_is_not_passed_on() -> None:
    """textual.js sends the size its websocket connected with again once it opens: passed on,
    the reader laid its screen out again before drawing its first frame."""
    from textual_serve.download_manager import DownloadManager

    async def nothing(*_args: object) -> None:
        return None

    spare: Any = SimpleNamespace(returncode=None, stdin=SimpleNamespace())  # a waiting reader
    service = serve.ReaderAppService(
        "true",
        write_bytes=nothing,
        write_str=nothing,
        close=nothing,
        download_manager=DownloadManager(),
        spare=spare,
    )
    told: list[dict[str, object]] = []

    async def send_meta(data: dict[str, object]) -> bool:
        told.append(data)
        return True

    service.send_meta = send_meta
    assert await service._open_app_process(100, 30) is spare
    assert told == [{"type": "size", "width": 100, "height": 30}]
    await service.set_terminal_size(100, 30)  # what textual.js sends as the websocket opens
    await service.set_terminal_size(120, 40)
    await service.set_terminal_size(120, 40)
    assert told[1:] == [{"type": "resize", "width": 120, "height": 40}]
