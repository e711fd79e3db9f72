"""`reader --serve` started for a test, and a websocket terminal that reads its screen with pyte.

Everything listens on 127.0.0.1 with a port the system picks (`--port 0`).
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.processes import interrupt

pytest.importorskip("textual_serve", reason="the web extra (textual-serve) is not installed")
aiohttp = pytest.importorskip("aiohttp")
pyte = pytest.importorskip("pyte")

URL = re.compile(r"at (http://\S+) ")
OSC52 = re.compile(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


@dataclass
class Served:
    """A running `reader --serve`: its URL (with the token, if any) and what it printed."""

    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        """`http://127.0.0.1:PORT` without path or token."""
        return self.url.split("/?")[0].rstrip("/")

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


@contextmanager
def serving(*arguments: str, timeout: float = 60, cwd: str | None = None) -> Iterator[Served]:
    """Start `reader --serve --port 0 ARGUMENTS`; stop it with SIGINT (as Ctrl+C) afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "--serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    assert process.stdout is not None
    lines: list[str] = []
    found = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if URL.search(line):
                found.set()
        found.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        found.wait(timeout)
        match = next((URL.search(line) for line in lines if URL.search(line)), None)
        if match is None:
            process.kill()
            _, err = process.communicate(timeout=10)
            raise AssertionError(f"no URL printed: {''.join(lines)!r} {err!r}")
        yield Served(match.group(1), process, lines)
    finally:
        interrupt(process, 20)
        if process.stderr is not None:
            process.stderr.close()


class Terminal:
    """One browser tab's worth of websocket: binary frames go to a pyte screen, text frames
    (open_url, deliver_file_start, ...) to `messages`, and every byte to `raw`."""

    def __init__(self, ws: Any, width: int, height: int) -> None:
        self.ws = ws
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.messages: list[list[Any]] = []

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def key(self, data: str) -> None:
        await self.ws.send_json(["stdin", data])

    async def until(self, done: Callable[[], bool], what: str, timeout: float = 30) -> float:
        """Read frames until `done()`; the seconds it took. Fails with the screen shown."""
        start = time.monotonic()
        deadline = start + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text}")
            try:
                message = await asyncio.wait_for(self.ws.receive(), left)
            except asyncio.TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.raw += message.data
                self.stream.feed(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.messages.append(json.loads(message.data))
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                raise AssertionError(f"the websocket closed waiting for {what}:\n{self.text}")
        return time.monotonic() - start

    def copied(self) -> list[str]:
        """Every text the app put on the clipboard through OSC 52, in order."""
        import base64

        return [base64.b64decode(m).decode("utf-8") for m in OSC52.findall(bytes(self.raw))]
