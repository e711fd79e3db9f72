"""A stand-in for arXiv on 127.0.0.1, for tests: the API's Atom answers and PDFs.

`ArxivServer` answers `/api/query?id_list=...` from the hand-built samples in
`tests/fixtures/arxiv/` (entries of papers it knows, nothing for a well-formed id it does not know,
arXiv's error entry for a malformed id) and serves `/pdf/<id>` as the test sets it up. It records
every request (path and monotonic time). Nothing listens beyond loopback.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"
_ENTRY = re.compile(r"  <entry>.*?</entry>\n", re.S)
_ENTRY_ID = re.compile(r"<id>http://arxiv\.org/abs/([^<]+?)(?:v\d+)?</id>")
_WELL_FORMED = re.compile(r"\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}")

FEED_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: id_list={ids}</title>
  <id>http://arxiv.org/api/local</id>
  <updated>2026-12-01T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{count}\
</opensearch:totalResults>
"""
ERROR_ENTRY = """  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{id}</id>
    <title>Error</title>
    <summary>incorrect id format for {id}</summary>
    <updated>2026-12-01T00:00:00-05:00</updated>
    <author><name>arXiv api core</name></author>
  </entry>
"""

PDF_BODY = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def sample_entries() -> dict[str, str]:
    """The entries of the samples, by arXiv id."""
    entries: dict[str, str] = {}
    for match in _ENTRY.finditer((FIXTURES / "three.xml").read_text(encoding="utf-8")):
        found = _ENTRY_ID.search(match.group())
        if found:
            entries[found.group(1)] = match.group()
    return entries


@dataclass
class Reply:
    """What the server answers on a path: a status, headers, a body (sent in `chunks`)."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    length: bool = True
    """Send a Content-Length header."""
    delay: float = 0.0
    """Seconds to wait before answering."""
    drip: float = 0.0
    """Send the body a byte at a time, this many seconds apart (until the server closes)."""


@dataclass
class ArxivServer:
    entries: dict[str, str] = field(default_factory=sample_entries)
    replies: dict[str, Reply] = field(default_factory=dict)
    requests: list[tuple[float, str]] = field(default_factory=list)
    api_reply: Callable[[list[str]], Reply] | None = None
    """Replaces the API's answer (a failing server, a page that is not Atom)."""

    def __post_init__(self) -> None:
        server = self
        self.closing = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((time.monotonic(), self.path))
                reply = server.answer(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    if reply.length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if not reply.drip:
                        self.wfile.write(reply.body)
                    for index in range(len(reply.body) if reply.drip else 0):
                        if server.closing.wait(reply.drip):
                            return
                        self.wfile.write(reply.body[index : index + 1])
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    def answer(self, path: str) -> Reply:
        parts = urlsplit(path)
        if parts.path == "/api/query":
            ids = [i for i in parse_qs(parts.query).get("id_list", [""])[0].split(",") if i]
            if self.api_reply is not None:
                return self.api_reply(ids)
            return Reply(self.feed(ids), content_type="application/atom+xml; charset=utf-8")
        return self.replies.get(parts.path, Reply(b"not found", status=404))

    def feed(self, ids: list[str]) -> bytes:
        malformed = [i for i in ids if not _WELL_FORMED.fullmatch(re.sub(r"v\d+$", "", i))]
        if malformed:  # arXiv answers a malformed id with one error entry, nothing else
            body = FEED_HEAD.format(ids=",".join(ids), count=1) + ERROR_ENTRY.format(
                id=malformed[0]
            )
        else:
            found = [self.entries[i] for i in ids if i in self.entries]
            body = FEED_HEAD.format(ids=",".join(ids), count=len(found)) + "".join(found)
        return (body + "</feed>\n").encode("utf-8")

    def api_requests(self) -> list[tuple[float, str]]:
        return [(when, path) for when, path in self.requests if path.startswith("/api/")]

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
