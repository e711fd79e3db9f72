"""`reader --serve` starts a tab's reader before its tab (issue 26): one waits from the
server's start, imported and loaded, for a page's websocket, which gives it the tab's size
(`reader.spare`); the next tab that connects takes it, and the next spare starts a second
later. No timing here: which process draws the tab, at what size, with the state and the
digest as they are when the tab comes, and that none is left behind."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.environment import SERVE_SPARE
from reader.sources.loader import load_digest
from tests.conftest import BUNDLED
from tests.served import Served, Terminal, aiohttp, serving

pytest.importorskip("reader.serve")


def spares(served: Served) -> list[int]:
    """The reader processes under the server that wait as spares (READER_SERVE_SPARE set)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        spare = f"{SERVE_SPARE}=1".encode() in environ and b"reader" in command
        if spare and _descends(int(entry.name), served.process.pid, stat):
            found.append(int(entry.name))
    return found


def _descends(pid: int, ancestor: int, stat: str) -> bool:
    for _ in range(5):
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == ancestor:
            return True
        try:
            stat = Path(f"/proc/{parent}/stat").read_text()
        except OSError:
            return False
    return False


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


async def test_a_spare_waits_from_the_start_and_the_next_tab_takes_it() -> None:
    with serving() as served:
        wait_until(lambda: len(spares(served)) == 1, "the spare")  # before any page
        (spare,) = spares(served)
        async with aiohttp.ClientSession() as session:
            for _ in range(2):  # pages asked for: the one spare still waits, alone
                async with session.get(served.url) as page:
                    assert page.status == 200
            time.sleep(0.5)
            assert spares(served) == [spare]

            width, height = 100, 30  # the tab's own size, given to the spare
            ws = await session.ws_connect(f"{served.base}/ws?width={width}&height={height}")
            terminal = Terminal(ws, width, height)
            await terminal.until(
                lambda: "ml-papers-2023" in terminal.text and "All weeks" in terminal.text,
                "the first paint",
            )
            rows = terminal.screen.display
            assert "ml-papers-2023" in rows[0] and rows[0].rstrip().endswith("10 papers"), rows[0]
            assert rows[height - 1].strip() != "", rows  # the key line on the tab's last row
            assert os.path.exists(f"/proc/{spare}")  # the spare draws this tab
            # and the next one waits for the next tab
            wait_until(lambda: [pid for pid in spares(served) if pid != spare] != [], "a new spare")
            await terminal.key("q")
            await ws.close()


async def test_a_spare_is_not_used_once_its_digest_changed(tmp_path: Path) -> None:
    digest_file = tmp_path / "digest.md"
    text = BUNDLED.read_text(encoding="utf-8")
    digest = load_digest(BUNDLED)
    newest = digest.papers[digest.indices(digest.weeks[0])[0]]
    digest_file.write_text(text, encoding="utf-8")
    with serving(str(digest_file)) as served:
        wait_until(lambda: len(spares(served)) == 1, "the spare")
        (spare,) = spares(served)
        wait_until(lambda: waiting_for_its_tab(spare), "the spare to wait for its tab")
        digest_file.write_text(text.replace(newest.title, "A Title Changed Meanwhile"), "utf-8")
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"{served.base}/ws?width=120&height=40")
            terminal = Terminal(ws, 120, 40)
            await terminal.until(
                lambda: "A Title Changed Meanwhile" in terminal.text, "the digest as it is now"
            )
            wait_until(lambda: not os.path.exists(f"/proc/{spare}"), "the old spare to end", 10)
            await terminal.key("q")
            await ws.close()


async def test_no_spare_is_left_when_the_server_stops() -> None:
    with serving() as served:
        async with aiohttp.ClientSession() as session, session.get(served.url) as page:
            assert page.status == 200
        wait_until(lambda: len(spares(served)) == 1, "the spare")
        (spare,) = spares(served)
        served.process.send_signal(signal.SIGINT)
        served.process.wait(timeout=20)
        wait_until(lambda: not os.path.exists(f"/proc/{spare}"), "the spare to end", 10)


def waiting_for_its_tab(pid: int) -> bool:
    """The spare's main thread is blocked in `select` on its input (`reader.spare`): it has read
    the digest and the reading state, and waits for a tab's size."""
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False
    return wchan.startswith(("poll_schedule_timeout", "do_select"))


async def test_a_tab_shows_the_state_as_it_is_when_it_takes_the_spare(
    bundled_path: Path,
) -> None:
    """A spare reads the reading state when it starts, maybe minutes before a tab takes it: a
    star another reader saved meanwhile is in the tab's first screen (it was not)."""
    from reader.sources.loader import load_digest
    from reader.state import StateStore

    keys = [paper.key for paper in load_digest([bundled_path]).papers]
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            async with session.get(served.url) as page:
                assert page.status == 200
            wait_until(lambda: len(spares(served)) == 1, "the spare")
            (spare,) = spares(served)
            wait_until(lambda: waiting_for_its_tab(spare), "the spare to wait for its tab")
            with StateStore() as other:  # another reader stars every paper meanwhile
                other.set_starred(keys)
            width, height = 120, 40
            ws = await session.ws_connect(f"{served.base}/ws?width={width}&height={height}")
            terminal = Terminal(ws, width, height)
            await terminal.until(lambda: "All weeks" in terminal.text, "the first paint")
            await terminal.until(lambda: "★ starred" in terminal.text, "the star in the pane")
            sidebar = [row.split("▕")[0] for row in terminal.screen.display]
            starred = next(row for row in sidebar if "★ Starred" in row)
            assert starred.split()[-1] == str(len(set(keys))), starred
            assert os.path.exists(f"/proc/{spare}")  # the spare drew this tab
            await terminal.key("q")
            await ws.close()
