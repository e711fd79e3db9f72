"""`reader --serve`: the reader in a browser tab, through textual-serve (the `web` extra).

textual-serve starts one `reader` process per browser tab and relays its screen over a
websocket. This module adds what reader needs around it, and imports no Textual:

- a page of its own: the digest's name as title, an icon, textual-serve's fonts served locally
  (its page asks a font service on the internet for them), no referrer sent with opened links;
- a tab's reader started before the tab (a spare, `reader.spare`): one waits from the server's
  start, imported and with the digest read, and again from a second after a tab took it (or
  from the page's request, when none waits); it reads the reading state and draws as soon as a
  page's websocket brings the tab's size. A spare whose digest or config file changed since it
  started is let go, and the tab starts its own reader;
- a guard in front of every route: on loopback it answers only requests addressed to a loopback
  name (no DNS rebinding) and refuses websockets opened by pages of other origins; with a token
  (required when listening beyond loopback) nothing is served without it, given once in the URL
  and then kept in a same-site, HTTP-only cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import os
import re
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, log, to_int

from reader.environment import SERVE_SPARE

WEB_DIR = Path(__file__).resolve().parent / "web"
"""The page template and icon."""

TOKEN_COOKIE = "reader_token"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SHUTDOWN_SECONDS = 3.0
"""How long Ctrl+C takes at most with tabs open: their readers are told to quit, those still
running after `QUIT_SECONDS` are killed, and their websockets are closed without waiting for
the browser's reply."""
QUIT_SECONDS = 1.5
"""How long a tab's reader has to quit by itself when the server stops."""
MAX_TABS = 8
"""Tabs (each a reader process, ~45 MB) served at once by default (`--max-tabs`, the config's
`max_tabs`)."""
MAX_COLUMNS, MAX_ROWS = 500, 200
"""The largest terminal a tab may ask for (a 4K screen with a small font is ~380x110): a
websocket asking `?width=20000&height=20000` drove its reader past 2.7 GB."""

REFILL_SECONDS = 1.0
"""How long after a tab takes the spare the next one starts: not at once, where its start would
compete for the CPU with that tab's first screen (drawn in the reader and then in the browser)."""

_HOST_HEADER = re.compile(r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a Host header or netloc, without its port: `[::1]:8000` → `::1`."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header[1:]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def files_stamp(sources: Sequence[str] | None) -> object:
    """What a tab's reader reads at its start, as `--watch` looks at it (`source_stamp`: each
    digest file's size and time; a URL's changes every 5 minutes), and the config file."""
    from reader.config import config_path
    from reader.sources.loader import source_stamp

    try:
        config = config_path().stat()
        config_stamp: tuple[int, int] | None = (config.st_size, config.st_mtime_ns)
    except OSError:
        config_stamp = None
    try:
        return (source_stamp(sources), config_stamp)
    except Exception:  # nothing to compare: no spare is used
        return object()


def new_token() -> str:
    """A secret for the URL: 32 characters of URL-safe base64 (192 bits)."""
    return secrets.token_urlsafe(24)


def child_command(arguments: Sequence[str]) -> str:
    """The shell command textual-serve runs for each browser tab: this Python's reader."""
    return shlex.join([sys.executable, "-m", "reader", *arguments])


def terminal_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size a tab asked for, made sane: whole numbers within 1..`MAX_COLUMNS` and
    1..`MAX_ROWS` (80x24 for what is not a number)."""

    def whole(value: object, default: int, most: int) -> int:
        if isinstance(value, bool):
            return default
        if isinstance(value, (int, float)) and value == value and abs(value) != float("inf"):
            number = int(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip()[:12])
        else:
            return default
        return max(1, min(most, number))

    return whole(width, 80, MAX_COLUMNS), whole(height, 24, MAX_ROWS)


def page_url(host: str, port: int, token: str | None = None) -> str:
    """The URL to open; a wildcard host (0.0.0.0, ::) is named by this machine's host name."""
    shown = host
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host.strip("[]")).is_unspecified:
            shown = socket.gethostname()
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    query = f"?token={token}" if token is not None else ""
    return f"http://{shown}:{port}/{query}"


@dataclass(frozen=True)
class ServeConfig:
    """What `reader --serve` serves, where, and whether a token guards it."""

    command: str
    title: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    max_tabs: int = MAX_TABS
    sources: tuple[str, ...] | None = None
    """The digests each tab reads (None: the bundled one): a spare started before they changed
    is not used."""


async def _nothing(*_args: object) -> None:
    return None


def _end(process: asyncio.subprocess.Process) -> None:
    """End a spare now: the end of its input and a kill of the shell that started it and of
    the reader under it (a spare leads a process group of its own: one still importing when
    let go would otherwise live on until it read its input's end)."""
    if process.stdin is not None:
        process.stdin.close()
    _kill(process)


def _kill(process: asyncio.subprocess.Process) -> None:
    """Kill a tab's shell, and its reader too when it was a spare (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
            return
    with contextlib.suppress(ProcessLookupError):
        process.kill()


class ReaderAppService(AppService):
    """textual-serve's AppService (one tab's reader process), given a spare to take first."""

    def __init__(self, *args: Any, spare: asyncio.subprocess.Process | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._spare = spare
        self.size: tuple[int, int] | None = None
        """The terminal size the reader has (started with, or last told)."""

    async def set_terminal_size(self, width: int, height: int) -> None:
        """Tell the reader its tab's new size, unless it has that size: textual.js sends the
        size it connected with again as its websocket opens, and a resize, even to the same
        size, had the reader lay its screen out again before its first frame (~100 ms)."""
        if (width, height) == self.size:
            return
        self.size = (width, height)
        await super().set_terminal_size(width, height)

    async def _open_app_process(
        self, width: int = 80, height: int = 24
    ) -> asyncio.subprocess.Process:
        self.size = (width, height)
        spare, self._spare = self._spare, None
        if spare is not None and spare.returncode is None and spare.stdin is not None:
            self._process, self._stdin = spare, spare.stdin
            if await self.send_meta({"type": "size", "width": width, "height": height}):
                return spare
            _end(spare)
        return await super()._open_app_process(width, height)


class ReaderServer(Server):
    """textual-serve's server with reader's page and guard; its websocket and downloads as is."""

    def __init__(self, config: ServeConfig) -> None:
        super().__init__(config.command, host=config.host, port=config.port, title=config.title)
        self.token = config.token
        self.bound_port = config.port
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(WEB_DIR), autoescape=True, enable_async=False
        )
        self._page = environment.get_template("index.html")
        self.max_tabs = config.max_tabs
        self._tabs: set[asyncio.Task[object]] = set()
        self._sessions: dict[asyncio.Task[object], tuple[web.WebSocketResponse, Any]] = {}
        """Each tab's websocket and its textual-serve AppService (the reader process)."""
        self._stopping = False
        self.sources = config.sources
        self._spare: asyncio.subprocess.Process | None = None
        """A tab's reader waiting for a tab, until a websocket takes it."""
        self._spare_stamp: object = None
        """What the spare's digest and config files were (`files_stamp`) before it started."""
        self._starting: set[asyncio.Task[None]] = set()
        self._spawning = False
        """A spare is being started (one at a time)."""
        self._leaving: set[asyncio.subprocess.Process] = set()
        """Spares let go that have not ended yet (killed when the server stops)."""

    def make_app(self) -> web.Application:
        """The aiohttp application: the page, the websocket, downloads, static files, icon."""
        app = web.Application(middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.get("/favicon.svg", self._favicon),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self._close_tabs)
        return app

    async def handle_websocket(  # type: ignore[override]
        self, request: web.Request
    ) -> web.StreamResponse:
        """textual-serve's websocket (one reader process per tab) with its size made sane, at
        most `max_tabs` at once, tracked for a quick stop."""
        if self._stopping or len(self._tabs) >= self.max_tabs:
            return web.Response(status=503, text=self._full_text() + "\n")
        width, height = terminal_size(request.query.get("width"), request.query.get("height"))
        task = asyncio.current_task()
        assert task is not None
        self._tabs.add(task)
        try:
            return await self._run_tab(request, width, height)
        finally:
            self._tabs.discard(task)
            self._sessions.pop(task, None)

    async def _run_tab(self, request: web.Request, width: int, height: int) -> web.StreamResponse:
        """textual-serve's websocket handler, its reader process the spare when there is one."""
        websocket = web.WebSocketResponse(heartbeat=15)
        service: ReaderAppService | None = None
        try:
            await websocket.prepare(request)
            service = ReaderAppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
                spare=self._take_spare(),
            )
            await service.start(width, height)
            try:
                await self._process_messages(websocket, service)
            finally:
                await service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            log.exception(error)
        finally:
            if service is not None:
                await service.stop()
        return websocket

    def _take_spare(self) -> asyncio.subprocess.Process | None:
        """The spare, for a tab that connects, unless it ended or its files changed since it
        started (then it is let go); the next spare starts `REFILL_SECONDS` later."""
        spare, self._spare = self._spare, None
        loop = asyncio.get_running_loop()
        loop.call_later(REFILL_SECONDS, self._start_spare)
        if spare is None or spare.returncode is not None:
            return None
        if files_stamp(self.sources) != self._spare_stamp:
            self._keep(loop.create_task(self._let_go(spare)))
            return None
        return spare

    def _keep(self, task: asyncio.Task[None]) -> None:
        """Hold on to a background task until it is done (Ctrl+C waits for none of them)."""
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    def _start_spare(self) -> None:
        """Start a tab's reader before its tab, unless one waits already."""
        if self._stopping or self._spare is not None or self._spawning:
            return
        if len(self._tabs) >= self.max_tabs:
            return
        self._spawning = True
        self._keep(asyncio.get_running_loop().create_task(self._spawn_spare()))

    async def _spawn_spare(self) -> None:
        environment = ReaderAppService(
            self.command,
            write_bytes=_nothing,
            write_str=_nothing,
            close=_nothing,
            download_manager=self.download_manager,
        )._build_environment()
        environment[SERVE_SPARE] = "1"
        stamp = files_stamp(self.sources)  # before it reads them: a change meanwhile is seen
        try:
            process = await asyncio.create_subprocess_shell(
                self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,  # read by the AppService that takes it
                env=environment,
                start_new_session=True,  # its own process group: `_end` ends it whole
            )
        except OSError:  # no spare: the tab starts its own, and says why if it cannot
            return
        finally:
            self._spawning = False
        if self._stopping:
            _end(process)
            await process.wait()
            return
        self._spare, self._spare_stamp = process, stamp

    async def _let_go(self, process: asyncio.subprocess.Process) -> None:
        """A spare no tab took: the end of its input ends it (killed if it has not in 2 s, or
        when the server stops)."""
        self._leaving.add(process)
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 2)
        except asyncio.TimeoutError:
            _end(process)
            await process.wait()
        finally:
            self._leaving.discard(process)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        """textual-serve's loop over a tab's messages, its `resize` requests made sane."""
        task = asyncio.current_task()
        if task is not None:
            self._sessions[task] = (websocket, app_service)
        resize = app_service.set_terminal_size

        async def set_terminal_size(width: object, height: object) -> None:
            await resize(*terminal_size(width, height))

        app_service.set_terminal_size = set_terminal_size
        await super()._process_messages(websocket, app_service)

    def _full_text(self) -> str:
        count = len(self._tabs)
        return (
            f"reader: {count} tab{'s' if count != 1 else ''} already open, the most this server "
            f"serves at once (--max-tabs {self.max_tabs}, or max_tabs in the config): close one, "
            "then reload this page"
        )

    async def _close_tabs(self, app: web.Application) -> None:
        """On Ctrl+C, within `SHUTDOWN_SECONDS` whatever the tabs do: each tab's reader is
        told to quit and killed if it has not after `QUIT_SECONDS`; each websocket is closed
        without waiting for the browser's reply."""
        self._stopping = True
        spare, self._spare = self._spare, None
        for waiting in [spare, *self._leaving] if spare is not None else [*self._leaving]:
            _end(waiting)
        if self._starting:  # a spare being started ends as it starts
            await asyncio.wait(list(self._starting), timeout=0.5)
        loop = asyncio.get_running_loop()
        end = loop.time() + QUIT_SECONDS
        sessions = list(self._sessions.values())
        for _websocket, service in sessions:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(service.send_meta({"type": "quit"}), 0.2)
        for _websocket, service in sessions:
            process = getattr(service, "_process", None)
            if process is None or process.returncode is not None:
                continue
            try:
                await asyncio.wait_for(process.wait(), max(0.0, end - loop.time()))
            except (asyncio.TimeoutError, Exception):
                with contextlib.suppress(ProcessLookupError, OSError):
                    _kill(process)
        for websocket, _service in sessions:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(code=1001), 0.2)
        for task in list(self._tabs):
            task.cancel()
        if self._tabs:
            await asyncio.wait(list(self._tabs), timeout=0.5)

    def refusal(self, request: web.Request) -> web.Response | None:
        """Why `request` must not be served (a 4xx response), or None when it may be."""
        host = request.headers.get("Host", "")
        if not _HOST_HEADER.fullmatch(host):
            return web.Response(status=400, text="reader: a bad Host header\n")
        if self.token is None and not is_loopback(host_name(host)):
            return web.Response(
                status=403,
                text=f"reader: this server answers only on this machine: "
                f"open http://127.0.0.1:{self.bound_port}/\n",
            )
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and urlsplit(origin).netloc != host:
            return web.Response(status=403, text="reader: a websocket from another site\n")
        if self.token is not None:
            given = request.query.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return web.Response(
                    status=403,
                    text="reader: this server needs the token: open the URL it printed "
                    "when it started\n",
                )
        return None

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        refused = self.refusal(request)
        if refused is not None:
            return refused
        response = await handler(request)
        if self.token is not None and request.path == "/" and isinstance(response, web.Response):
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page: the terminal, titled with the digest's name, talking to /ws; when
        `max_tabs` tabs are open, a page saying so."""
        if len(self._tabs) >= self.max_tabs:
            from html import escape

            return web.Response(
                status=503,
                text=f"<!doctype html><title>reader: too many tabs</title>"
                f"<p>{escape(self._full_text())}.</p>\n",
                content_type="text/html",
                headers={"Cache-Control": "no-store", "Retry-After": "5"},
            )
        scheme = "wss" if request.scheme == "https" else "ws"
        html = self._page.render(
            font_size=to_int(request.query.get("fontsize", "16"), 16),
            app_websocket_url=f"{scheme}://{request.host}/ws",
            config={"static": {"url": "/static/"}},
            application={"name": self.title},
            favicon_url="/favicon.svg",
            ping_url="",
        )
        self._start_spare()
        return web.Response(
            text=html, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    async def _favicon(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB_DIR / "favicon.svg", headers={"Content-Type": "image/svg+xml"})

    async def run(self, ready: Callable[[str], None]) -> int:
        """Listen until SIGINT or SIGTERM; `ready` hears the page's URL once listening. The
        number of the signal that stopped it, once nothing listens and every tab has ended."""
        runner = web.AppRunner(
            self.make_app(),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await runner.setup()
        loop = asyncio.get_running_loop()
        stopped: asyncio.Future[int] = loop.create_future()

        def stop(signum: int) -> None:
            if not stopped.done():
                stopped.set_result(signum)

        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop, signum)
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            self.bound_port = int(runner.addresses[0][1])
            ready(page_url(self.host, self.bound_port, self.token))
            self._start_spare()
            return await stopped
        finally:
            await runner.cleanup()


def serve(config: ServeConfig, ready: Callable[[str], None]) -> int:
    """Serve until interrupted; `ready` hears the URL to open (with its token, if any). The
    number of the signal that stopped it (SIGINT for Ctrl+C, SIGTERM)."""
    return asyncio.run(ReaderServer(config).run(ready))
