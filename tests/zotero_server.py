"""A stand-in for Zotero desktop's connector on 127.0.0.1, for tests.

`FakeZotero` answers `GET /connector/ping` (200, "Zotero is running") and
`POST /connector/import?session=ID` as Zotero's connector does: 201 with one created item per
RIS record of the body, 409 for a session id it has seen, 400 for a body with no record, or
the status the test queues in `answers` (e.g. 500 for a read-only library, with Zotero's body).
Like Zotero it drops a request whose User-Agent starts with `Mozilla/` without answering, and
answers 400 to a POST without Content-Length. It records every request (method, path, query,
headers, body). Nothing listens beyond loopback.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeZotero:
    answers: list[int | None] = field(default_factory=list)
    """Statuses to give the next imports (in order) instead of importing (None: import)."""
    requests: list[Recorded] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)
    bodies: dict[int, bytes] = field(default_factory=dict)
    """The body of a queued status (default: what Zotero sends with it)."""
    created: int | None = None
    """How many items an import creates (None: one per RIS record)."""

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _record(self, body: bytes) -> Recorded:
                parts = urlsplit(self.path)
                recorded = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                )
                fake.requests.append(recorded)
                return recorded

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Zotero-Version", "7.0.0")
                self.end_headers()
                self.wfile.write(body)

            def _browser(self) -> bool:
                if self.headers.get("User-Agent", "").startswith("Mozilla/"):
                    self.close_connection = True  # Zotero cancels the response
                    return True
                return False

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                self._record(b"")
                if self._browser():
                    return
                if urlsplit(self.path).path == "/connector/ping":
                    self._send(200, b"<html><body>Zotero is running</body></html>", "text/html")
                else:
                    self._send(404, b"No endpoint found\n", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                length = self.headers.get("Content-Length")
                body = self.rfile.read(int(length)) if length and length.isdigit() else b""
                recorded = self._record(body)
                if self._browser():
                    return
                if recorded.path != "/connector/import":
                    self._send(404, b"No endpoint found\n", "text/plain")
                    return
                if length is None:
                    self._send(400, b"Content-length not provided\n", "text/plain")
                    return
                status = fake.answers.pop(0) if fake.answers else None
                if status is not None:
                    answer = {500: b'{"libraryEditable":false}', 409: b'{"error":"SESSION_EXISTS"}'}
                    self._send(status, fake.bodies.get(status, answer.get(status, b"")))
                    return
                session = recorded.query.get("session", [""])[0]
                if session in fake.sessions:
                    self._send(409, b'{"error":"SESSION_EXISTS"}')
                    return
                fake.sessions.add(session)
                records = body.count(b"\nER  - ") if fake.created is None else fake.created
                if not records:
                    self._send(400, b"")
                    return
                items = [{"id": n, "itemType": "journalArticle"} for n in range(records)]
                self._send(201, json.dumps(items).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def imports(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/connector/import"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
