"""Handing papers to Zotero desktop through its connector, the local server Zotero runs while it
is open (the one its browser extension talks to). No Textual here.

`send_to_zotero` asks `GET /connector/ping` whether Zotero is there, then posts the papers as
RIS, exactly what `--print --format ris` writes (authors when the arXiv metadata is cached; the
abstract page as the item's URL; the PDF link, which Zotero's RIS import turns into a linked
"Full Text (PDF)" attachment), to `POST /connector/import?session=ID`, with a new random
session id each request and at most `BATCH` papers a request. Zotero imports them into the
library or collection selected in its window and answers 201 with the items it created; 400
when it found nothing to import; 409 when the session id was used before (a new one is tried,
once); 500 when the selected library is read-only.

Only `url` (`ZOTERO_URL` unless the config's `zotero_url` or `--zotero-url` says otherwise) is
ever contacted, through the HTTP digests use (`reader.sources.fetch`: the same limits, and `timeout`
bounds each whole request; no proxy: the connector is on this machine), as `reader/VERSION`:
Zotero refuses requests whose User-Agent starts with `Mozilla/` (they could come from a web
page). Every outcome is one sentence: sent, n of m sent, nothing imported, read-only, not
running.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from io import StringIO
from typing import TYPE_CHECKING

from reader import __version__
from reader.citations import Lookup, write_ris
from reader.model import Paper
from reader.sources.fetch import TIMEOUT, TransferError, describe, opened, read_stream

if TYPE_CHECKING:
    import urllib.request

ZOTERO_URL = "http://127.0.0.1:23119"
"""Where Zotero desktop's connector listens (its port is set in Zotero's advanced settings)."""
CONTENT_TYPE = "application/x-research-info-systems"
BATCH = 100
"""Papers sent in one request (Zotero imports a request's papers in one go)."""
MAX_ANSWER = 8 << 20
"""The largest answer read from Zotero (the created items as JSON, a few KB each)."""


@dataclass(frozen=True)
class Sent:
    """What sending came to: `sent` of `total` papers imported; `message` says it in words."""

    sent: int
    total: int
    message: str

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.sent >= self.total


class _Refused(Exception):
    """Zotero answered, but not with an import: the message says why."""


def _papers(count: int) -> str:
    return f"{count:,} paper" if count == 1 else f"{count:,} papers"


def check_zotero_url(url: str) -> str:
    """`url` without a trailing slash when it is an http URL with a host; else ValueError
    saying why (the connector speaks plain HTTP on this machine)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http URL of Zotero's connector: {url!r}")
    return url.strip().rstrip("/")


def _where(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _request(url: str, body: bytes | None = None) -> urllib.request.Request:
    import urllib.request

    headers = {"User-Agent": f"reader/{__version__}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = CONTENT_TYPE
    return urllib.request.Request(
        url, data=body, headers=headers, method="GET" if body is None else "POST"
    )


def _answer(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    """The status and body of Zotero's answer (an HTTP error status is an answer too), the
    whole request within `timeout`, no proxy."""
    pieces: list[bytes] = []
    with opened(request, timeout, local=True) as response:
        read_stream(response, request.full_url, pieces.append, max_bytes=MAX_ANSWER)
        return response.status, b"".join(pieces)


_FAILURES: tuple[type[BaseException], ...] = (OSError, TransferError, ValueError)


def _import(url: str, body: bytes, timeout: float) -> int:
    """Post one batch; the number of items Zotero created. Raises _Refused with the reason."""
    for _attempt in range(2):
        session = uuid.uuid4().hex
        request = _request(f"{url}/connector/import?session={session}", body)
        status, answer = _answer(request, timeout)
        if status == 201:
            try:
                items = json.loads(answer.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise _Refused("Zotero's answer was not the list of items it created") from None
            if not isinstance(items, list):
                raise _Refused("Zotero's answer was not the list of items it created")
            return len(items)
        if status == 409:
            continue  # a session id Zotero has seen: another one
        if status == 400:
            raise _Refused("Zotero found nothing it could import in them (HTTP 400)")
        if status == 500 and b'"libraryEditable":false' not in answer.replace(b" ", b""):
            raise _Refused("Zotero failed while importing (HTTP 500; its error log says why)")
        if status == 500:
            raise _Refused(
                "Zotero could not import into the library selected in its window (HTTP 500): "
                "it is read-only (a group you cannot edit, or a feed); select My Library or a "
                "collection you can edit in Zotero, then send again"
            )
        raise _Refused(f"Zotero answered HTTP {status}")
    raise _Refused("Zotero refused two new session ids (HTTP 409)")


def send_to_zotero(
    papers: Sequence[Paper],
    lookup: Lookup | None = None,
    *,
    url: str = ZOTERO_URL,
    timeout: float = TIMEOUT,
    batch: int = BATCH,
) -> Sent:
    """Send `papers` (their RIS, with `lookup`'s cached arXiv metadata) to Zotero at `url`.
    Never raises for Zotero's answers or the network: `Sent.message` says what happened."""
    total = len(papers)
    if not total:
        return Sent(0, 0, "Nothing to send to Zotero: no papers.")
    try:
        base = check_zotero_url(url)
    except ValueError as error:
        return Sent(0, total, str(error))
    where = _where(base)
    try:
        status, _body = _answer(_request(f"{base}/connector/ping"), timeout)
    except _FAILURES as error:
        if _refused(error):
            return Sent(
                0,
                total,
                f"Zotero is not running: nothing answers at {where}. Start Zotero, then send "
                "again.",
            )
        return Sent(0, total, f"Zotero does not answer at {where} ({describe(error, timeout)}).")
    if status != 200:
        return Sent(
            0, total, f"No Zotero connector at {where}: it answered HTTP {status} to a ping."
        )
    sent = 0
    for start in range(0, total, max(1, batch)):
        chunk = papers[start : start + max(1, batch)]
        out = StringIO()
        write_ris(chunk, out, lookup)
        try:
            created = _import(base, out.getvalue().encode("utf-8"), timeout)
        except _Refused as refused:
            return Sent(sent, total, _stopped(sent, total, str(refused)))
        except _FAILURES as error:
            reason = f"Zotero stopped answering ({describe(error, timeout)})"
            return Sent(sent, total, _stopped(sent, total, reason))
        sent += min(created, len(chunk))
    if sent >= total:
        return Sent(total, total, f"Sent {_papers(total)} to Zotero.")
    if sent == 0:
        return Sent(0, total, f"Zotero imported none of the {_papers(total)} sent.")
    return Sent(sent, total, f"Zotero imported {sent:,} of the {_papers(total)} sent.")


def _refused(error: BaseException) -> bool:
    """Whether the connection was refused (nothing listens: Zotero is not running)."""
    reason = getattr(error, "reason", error)
    return isinstance(reason, ConnectionRefusedError)


def _stopped(sent: int, total: int, reason: str) -> str:
    if sent:
        return f"Sent {sent:,} of {_papers(total)} to Zotero; then {reason}."
    return f"Nothing sent to Zotero: {reason}."
