"""A digest in the upstream README's style, and a small HTTP server on 127.0.0.1 to serve it.

Nothing here talks to anything but loopback: the server binds 127.0.0.1 on a free port.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MONTHS = "January February March April May June July August September October November December"


def _day(day: date) -> str:
    return f"{MONTHS.split()[day.month - 1]} {day.day}"


def readme(weeks: int, per_week: int = 10, newest: date = date(2026, 11, 29)) -> str:
    """An upstream-style README: `weeks` weeks ending on `newest`, newest first, `per_week`
    papers each with a bold title, a summary, a Paper and a Tweet link. Paper ids are unique per
    (week, paper) and stable: the same week always has the same papers."""
    lines = [
        "# ML Papers of The Week",
        "",
        "At DAIR.AI we ❤️ reading ML papers so we've created this repo to highlight the top ML "
        "papers of every week.",
        "",
        "Here is the weekly series:",
        "",
    ]
    for number in range(weeks):
        end = newest - timedelta(days=7 * number)
        start = end - timedelta(days=6)
        lines += [
            f"## Top ML Papers of the Week ({_day(start)} - {_day(end)}) - {end.year}",
            "| **Paper**  | **Links** |",
            "| ------------- | ------------- |",
        ]
        serial = (end - date(2020, 1, 5)).days // 7
        for paper in range(1, per_week + 1):
            arxiv = f"{end.year % 100:02d}{end.month:02d}.{serial % 1000:03d}{paper:02d}"
            lines.append(
                f"| {paper}) **Paper {paper} of the week of {end.isoformat()}** - a study of "
                f"attention in models that read long contexts, with results on reasoning "
                f"benchmarks and an analysis of where the gains come from. | "
                f"[Paper](https://arxiv.org/abs/{arxiv}), "
                f"[Tweet](https://x.com/dair_ai/status/{serial}{paper:02d}) |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _rows(end: date, per_week: int) -> list[str]:
    serial = (end - date(2020, 1, 5)).days // 7
    rows = []
    for paper in range(1, per_week + 1):
        arxiv = f"{end.year % 100:02d}{end.month:02d}.{serial % 1000:03d}{paper:02d}"
        rows.append(
            f"| {paper}) **Paper {paper} of the week of {end.isoformat()}** - a study of "
            "attention in models that read long contexts, with results on reasoning "
            "benchmarks and an analysis of where the gains come from. | "
            f"[Paper](https://arxiv.org/abs/{arxiv}), "
            f"[Tweet](https://x.com/dair_ai/status/{serial}{paper:02d}) |"
        )
    return rows


def _range(end: date) -> str:
    """`June 21 - June 28`, as the upstream's year files write a week (start a week before)."""
    return f"{_day(end - timedelta(days=7))} - {_day(end)}"


def _anchor(end: date) -> str:
    """A week heading's anchor on GitHub: `top-ai-papers-of-the-week-june-21---june-28---2026`."""
    return f"top ai papers of the week {_range(end)} - {end.year}".lower().replace(" ", "-")


def year_file(year: int, ends: list[date], per_week: int = 10) -> str:
    """A year file of the upstream (`years/2026.md` since April 2026): a title, a link back to
    the index, then its weeks newest first, headed `## Top AI Papers of the Week (June 21 -
    June 28) - 2026` (the year of the week's end: `(December 29 - January 4) - 2026`)."""
    lines = [
        f"# AI Papers of the Week — {year}",
        "",
        "[← Back to main index](../README.md)",
        "",
        f"This page collects every weekly issue of **AI Papers of the Week** from {year}. For "
        "other years, see the [main index](../README.md).",
        "",
        "---",
        "",
    ]
    for end in sorted(ends, reverse=True):
        lines += [
            f"## Top AI Papers of the Week ({_range(end)}) - {end.year}",
            "| **Paper**  | **Links** |",
            "| ------------- | ------------- |",
            *_rows(end, per_week),
            "",
        ]
    return "\n".join(lines) + "\n"


def year_weeks(newest: date, weeks: int) -> dict[int, list[date]]:
    """`weeks` weeks ending on `newest` and every 7 days before it, by the year of their end."""
    years: dict[int, list[date]] = {}
    for number in range(weeks):
        end = newest - timedelta(days=7 * number)
        years.setdefault(end.year, []).append(end)
    return years


def index_readme(years: dict[int, list[date]], folder: str = "years") -> str:
    """The upstream README since April 2026: an index, a heading per year (newest first) and a
    link per week into `years/YYYY.md#anchor`; no tables."""
    lines = [
        "# AI Papers of the Week",
        "",
        "[Subscribe to our newsletter](https://nlpnews.substack.com/) to get a weekly list of "
        "top AI papers in your inbox.",
        "",
        "Here is the weekly series:",
        "",
    ]
    for year in sorted(years, reverse=True):
        lines.append(f"## {year}")
        lines += [
            f"- [Top AI Papers of the Week ({_range(end)})]({folder}/{year}.md#{_anchor(end)})"
            for end in sorted(years[year], reverse=True)
        ]
        lines.append("")
    lines += ["[Follow us on Twitter](https://twitter.com/dair_ai)", ""]
    return "\n".join(lines)


def upstream_tree(
    newest: date = date(2026, 1, 18), weeks: int = 8, per_week: int = 10
) -> dict[str, str]:
    """The files of the upstream repository as it is laid out since April 2026, by path:
    `README.md` (the index) and `years/YYYY.md`. With the defaults: 2026 (3 weeks, the oldest
    `(December 28 - January 4) - 2026`, across the year boundary) and 2025 (5 weeks)."""
    years = year_weeks(newest, weeks)
    files = {"README.md": index_readme(years)}
    for year, ends in years.items():
        files[f"years/{year}.md"] = year_file(year, ends, per_week)
    return files


RAW_PREFIX = "/dair-ai/AI-Papers-of-the-Week/main"
"""Where the raw-file host serves the upstream repository's files."""


def serve_tree(server: Server, files: dict[str, str], prefix: str = RAW_PREFIX) -> str:
    """Serve `files` under `prefix` as the raw-file host lays a repository out, each with an
    ETag of its content (a conditional GET gets a 304); the index's URL."""
    import hashlib

    for path, content in files.items():
        data = content.encode()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        server.routes[f"{prefix}/{path}"] = digest_route(data, etag=etag)
    return server.url(f"{prefix}/README.md")


def megabyte_readme(size: int = 1 << 20) -> str:
    """An upstream-style README of about `size` bytes (10 papers a week)."""
    one_week = len(readme(1).encode()) - 150
    return readme(max(1, size // one_week))


Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Server:
    """Routes (path -> handler) served on 127.0.0.1; `requests` records (path, headers),
    `responses` (path, status sent)."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)
    port: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for seen, headers in self.requests if seen == path]


@contextmanager
def serve() -> Iterator[Server]:
    """A threaded HTTP server on 127.0.0.1 (a free port), shut down at the end."""
    state = Server()

    class RequestHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            state.requests.append((self.path, dict(self.headers.items())))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            route(self)

        def send_response(self, code: int, message: str | None = None) -> None:
            state.responses.append((self.path, code))
            super().send_response(code, message)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()


def digest_route(
    body: bytes,
    *,
    etag: str | None = None,
    modified: float | None = None,
    content_type: str = "text/plain; charset=utf-8",
) -> Handler:
    """Serve `body` with the validators given, answering a matching conditional GET with 304."""
    last_modified = email.utils.formatdate(modified, usegmt=True) if modified else None

    def handle(request: BaseHTTPRequestHandler) -> None:
        match = (etag is not None and request.headers.get("If-None-Match") == etag) or (
            etag is None
            and last_modified is not None
            and request.headers.get("If-Modified-Since") == last_modified
        )
        request.send_response(304 if match else 200)
        if etag is not None:
            request.send_header("ETag", etag)
        if last_modified is not None:
            request.send_header("Last-Modified", last_modified)
        if match:
            request.end_headers()
            return
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def status_route(code: int, body: bytes = b"", content_type: str = "text/plain") -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(code)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def stall_route(server: Server, seconds: float = 30.0) -> Handler:
    """Accept the request, then say nothing for `seconds` (or until the server stops)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        server.stop.wait(seconds)

    return handle


def slow_route(body: bytes, pieces: int = 8, pause: float = 0.05) -> Handler:
    """Serve `body` in `pieces` with a pause between them (two clients overlap)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        step = max(1, len(body) // pieces)
        try:
            for start in range(0, len(body), step):
                request.wfile.write(body[start : start + step])
                request.wfile.flush()
                time.sleep(pause)
        except OSError:  # the client went away
            return

    return handle


def endless_route(chunk: bytes = b"| x |\n" * 1000, announce: int | None = None) -> Handler:
    """A body without end (or announcing `announce` bytes in Content-Length)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        if announce is not None:
            request.send_header("Content-Length", str(announce))
        request.end_headers()
        try:
            while True:
                request.wfile.write(chunk)
        except OSError:
            return

    return handle


def redirect_route(location: str, code: int = 302) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(code)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


def drip_route(server: Server, body: bytes, *, head: bool = False, pause: float = 0.2) -> Handler:
    """A server that drips: one byte every `pause` seconds, of its header lines (`head`) or of
    `body` after whole headers, until the server stops. Each read is answered well within any
    timeout, so only a bound on the whole request ends it."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        if head:
            data = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"x" * 100_000
        else:
            request.send_response(200)
            request.send_header("Content-Type", "text/plain; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.flush()
            data = body
        try:
            for index in range(len(data)):
                if server.stop.wait(pause):
                    return
                request.wfile.write(data[index : index + 1])
                request.wfile.flush()
        except OSError:  # the client gave up
            return

    return handle
