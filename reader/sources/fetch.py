"""Fetching digests from the web, with a cache for reading offline. No Textual here.

`fetch(url, options)` returns the body of an http(s) URL and says where it came from:

- a **fresh download** (200): the body is held back from the cache until `Fetched.commit()`,
  which the loader calls once the body has parsed as a digest, so an error page never replaces a
  good copy;
- **not modified** (304 to a conditional GET with `If-None-Match` / `If-Modified-Since`): the cached
  body, nothing downloaded, nothing rewritten (the entry's modification time records when the
  server last confirmed it);
- **offline** (no network, a timeout, an HTTP error, a body over the limit, a refused redirect): the
  cached copy, with `Fetched.notice` saying "offline: the copy of 2026-11-30 14:02 (why)"; without
  a cached copy, `FetchError` (a `LoadError` naming the URL, so the CLI prints one line, exit 2);
- **cached** (`--offline`): the cached copy, the network never touched.

The cache keeps one file per URL in `http` under the user cache directory (under
`$READER_CACHE_DIR` when that is set): a header line of JSON (the URL, ETag, Last-Modified, when
the copy was fetched and last confirmed current, its length and SHA-256), then the body exactly as
served. Files are written to a
temporary name in the same directory and renamed over the old one, so a reader (or a second
instance fetching at the same moment) sees a whole entry or the previous one, never half of one;
an entry whose length or hash does not match is ignored as damaged.

Limits: http and https only; no redirect from https to http (nor to any other scheme); a timeout
on the whole request, from connecting to the last byte (`TIMEOUT`: a server that drips a byte
at a time cannot hold it longer); at most
`MAX_BYTES`, checked against Content-Length before reading and again while streaming (also after
gzip decompression); an HTML page is refused (a login portal or an error page is not a digest).
The standard library's `urllib` does the HTTP: one resource per URL, always revalidated, needs no
more than this module.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from reader import __version__, environment
from reader.files import replacing
from reader.records import frozen
from reader.sources.formats import LoadError

if TYPE_CHECKING:
    import http.client
    import socket
    import urllib.request

# The network modules (urllib.request, http.client, ssl: ~50 ms to import) are imported only when
# something is fetched: reading files, the bundled digest and --offline never pay for them.

__all__ = [
    "LATEST_URL",
    "MAX_BYTES",
    "TIMEOUT",
    "ByteProgress",
    "CachedCopy",
    "FetchError",
    "FetchOptions",
    "Fetched",
    "TransferError",
    "cache_dir",
    "cached_urls",
    "check_url",
    "fetch",
    "is_url",
    "latest_url",
    "read_cached",
    "describe",
    "opened",
    "opener",
    "read_stream",
    "redirect_allowed",
    "size_text",
]

LATEST_URL = "https://raw.githubusercontent.com/dair-ai/AI-Papers-of-the-Week/main/README.md"
"""What `reader --latest` opens, unless `--latest-url` or `$READER_LATEST_URL` says otherwise: the
upstream README, an index of links to its year files (`years/2026.md`, ...), which the loader
follows. The repository was `dair-ai/ML-Papers-of-the-Week` until 2026; that address (in an old
config or cache) answers with a redirect to this one."""


TIMEOUT = 15.0
"""Seconds a request may take in all, from connecting to its last byte (and so the longest
wait for a connection or a piece of the body)."""

MAX_BYTES = 32 << 20
"""The largest body fetched (the 2025 upstream README is ~0.5 MB)."""

CHUNK = 64 << 10

_MAGIC = b"reader-cache 1\n"
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
"""What a URL's scheme is made of (RFC 3986), its first character a letter."""

ByteProgress = Callable[[str, int, "int | None"], None]
"""Told how a download goes: (URL, bytes received, bytes expected or None when not said); the
last call, once the body is whole, has both counts equal (its size, said or not)."""


class FetchError(LoadError):
    """A URL that cannot be read, and no cached copy to fall back to: `URL: why`."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(url, None, message)


class TransferError(Exception):
    """A transfer that failed (network, HTTP status, limit, refused redirect): one line saying
    why. `fetch` falls back on a cached copy; other callers (arxiv_fetch) report it."""


# --- URLs and settings -------------------------------------------------------------------------


def is_url(source: str) -> bool:
    """True for anything written like a URL (`scheme://…`): it is fetched, never opened as a file
    (other schemes than http and https are then refused by `check_url`)."""
    scheme, written, _ = source.partition("://")  # no regex: one fewer to compile at start-up
    return bool(written) and scheme[:1].isalpha() and all(c in _SCHEME_CHARS for c in scheme)


def check_url(url: str) -> str:
    """`url` if it is an http or https URL with a host; else FetchError naming it."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(url, f"only http and https URLs can be read, not {parts.scheme}:")
    if not parts.hostname:
        raise FetchError(url, "the URL has no host")
    return url


def latest_url(flag: str | None = None) -> str:
    """The digest `--latest` opens: the flag, else `$READER_LATEST_URL`, else `LATEST_URL`."""
    return environment.latest_url(flag, LATEST_URL)


def cache_dir() -> Path:
    """Where fetched digests are kept: `$READER_CACHE_DIR/http`, else the user cache directory's
    `http` (beside the parsed-digest cache's `parsed`)."""
    return environment.user_dir("cache") / "http"


@frozen
class FetchOptions:
    """How to fetch: `offline` never touches the network; `timeout` in seconds; `max_bytes` the
    largest body; `directory` the cache (None: `cache_dir()`); `progress` hears every download."""

    offline: bool = False
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    directory: Path | None = None
    progress: ByteProgress | None = None

    @property
    def cache(self) -> Path:
        return self.directory if self.directory is not None else cache_dir()


# --- the cache ---------------------------------------------------------------------------------


@frozen
class CachedCopy:
    """A cached body and what the server said of it. Times are seconds since the epoch."""

    url: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    fetched: float = 0.0
    """When this body was downloaded."""
    checked: float = 0.0
    """When the server last confirmed it current (a download or a 304)."""
    location: str | None = None
    """Where the body was served from after redirects, when that is not `url` (relative links
    in it resolve against this address)."""


def _entry_path(directory: Path, url: str) -> Path:
    import hashlib

    return directory / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".entry")


def _read_header(file: IO[bytes]) -> dict[str, Any] | None:
    import json

    if file.read(len(_MAGIC)) != _MAGIC:
        return None
    line = file.readline(1 << 16)
    if not line.endswith(b"\n"):  # cut short: the entry is not whole
        return None
    try:
        header = json.loads(line)
    except ValueError:
        return None
    return header if isinstance(header, dict) else None


def read_cached(url: str, directory: Path | None = None) -> CachedCopy | None:
    """The cached copy of `url`, or None when there is none or it is damaged."""
    path = _entry_path(directory if directory is not None else cache_dir(), url)
    try:
        with open(path, "rb") as file:
            header = _read_header(file)
            body = file.read()
            touched = os.fstat(file.fileno()).st_mtime  # a 304 only touches the entry
    except OSError:
        return None
    if header is None or header.get("url") != url:
        return None
    if header.get("length") != len(body) or header.get("sha256") != _digest(body):
        return None
    etag, modified = header.get("etag"), header.get("last_modified")
    location = header.get("location")
    return CachedCopy(
        url=url,
        body=body,
        etag=etag if isinstance(etag, str) else None,
        last_modified=modified if isinstance(modified, str) else None,
        fetched=float(header.get("fetched") or 0),
        checked=max(float(header.get("checked") or 0), touched),
        location=location if isinstance(location, str) and location != url else None,
    )


def cached_urls(directory: Path | None = None) -> list[str]:
    """The URLs with an entry in the cache, sorted (entries that are not whole are skipped)."""
    directory = directory if directory is not None else cache_dir()
    urls: list[str] = []
    with contextlib.suppress(OSError):
        for path in directory.glob("*.entry"):
            with contextlib.suppress(OSError), open(path, "rb") as file:
                header = _read_header(file)
                url = header.get("url") if header is not None else None
                if isinstance(url, str) and path == _entry_path(directory, url):
                    urls.append(url)
    return sorted(urls)


def _digest(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()


def write_cached(copy: CachedCopy, directory: Path | None = None) -> None:
    """Store `copy` atomically: a temporary file in the cache directory renamed over the entry.

    Raises OSError when the cache cannot be written (the caller decides whether that matters).
    """
    import json

    directory = directory if directory is not None else cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    header = {
        "url": copy.url,
        "etag": copy.etag,
        "last_modified": copy.last_modified,
        "fetched": copy.fetched,
        "checked": copy.checked,
        "length": len(copy.body),
        "sha256": _digest(copy.body),
    }
    if copy.location is not None and copy.location != copy.url:
        header["location"] = copy.location
    with replacing(_entry_path(directory, copy.url), durable=True, sweep=True) as file:
        file.write(_MAGIC)
        file.write(json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n")
        file.write(copy.body)


# --- results -----------------------------------------------------------------------------------

Status = Literal["downloaded", "not-modified", "offline", "cached"]


def copy_time(seconds: float) -> str:
    """A cached copy's time as the notices show it, in local time: `2026-11-30 14:02`."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


@frozen
class Fetched:
    """What `fetch` got: the body, where it came from (`status`), when it was last known current
    (`as_of`), why the network was not used (`reason`), and the cache entry to write."""

    url: str
    body: bytes
    status: Status
    as_of: float
    reason: str = ""
    changed: bool = True
    """False when the body is the cached one (a 304, offline) or a download of the same bytes."""
    pending: CachedCopy | None = field(default=None, repr=False)
    directory: Path | None = field(default=None, repr=False)
    touch: bool = field(default=False, repr=False)
    """A 304 with the same validators: `commit()` only sets the entry's time (its `checked`)."""
    served_from: str | None = None
    """Where the body came from after redirects, when that is not `url`."""

    @property
    def location(self) -> str:
        """The address the body was served from (after redirects): relative links resolve
        against it."""
        return self.served_from or self.url

    @property
    def notice(self) -> str | None:
        """`offline: the copy of 2026-11-30 14:02 (why)` when the body is a cached copy that the
        server did not confirm just now; else None."""
        if self.status not in ("offline", "cached"):
            return None
        why = f" ({self.reason})" if self.reason else ""
        return f"offline: the copy of {copy_time(self.as_of)}{why}"

    def fallback(self, error: LoadError) -> Fetched:
        """The cached copy in place of a fresh body that is not a digest (`error`: bytes that
        are not UTF-8, no table), as for a failed download: offline, with a notice saying why.
        Raises `error` when there is no cached copy, or the body was the cached one."""
        if self.status != "downloaded":
            raise error
        cached = read_cached(self.url, self.directory)
        if cached is None or cached.body == self.body:
            raise error
        why = f"the answer is not a digest: {error.message}"
        kept = cached.location
        return Fetched(
            self.url, cached.body, "offline", cached.checked, why, False, served_from=kept
        )

    def commit(self) -> None:
        """Write the new cache entry (a download, or a 304's new validators and time). A cache
        that cannot be written is no error: the body is in hand, the next fetch downloads again."""
        with contextlib.suppress(OSError):
            if self.pending is not None:
                write_cached(self.pending, self.directory)
            elif self.touch:
                directory = self.directory if self.directory is not None else cache_dir()
                os.utime(_entry_path(directory, self.url))


# --- fetching ----------------------------------------------------------------------------------


def redirect_allowed(from_url: str, to_url: str) -> bool:
    """Whether a redirect is followed: to http or https only, and never from https down to http."""
    import urllib.parse

    source = urllib.parse.urlsplit(from_url).scheme.lower()
    target = urllib.parse.urlsplit(to_url).scheme.lower()
    if target not in ("http", "https"):
        return False
    return not (source == "https" and target == "http")


class Deadline:
    """The end of a whole request, `seconds` from its start: when it passes, every socket the
    request opened is shut down, so that a read blocked on a server that drips a byte at a
    time returns at once. `expired` then tells the caller why its read failed."""

    def __init__(self, seconds: float) -> None:
        import threading

        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock`'s connection down when the time is up (at once if it is up already)."""
        duplicate = sock.dup()  # TLS detaches the socket it wraps: the copy stays usable
        with self._lock:
            self._sockets.append(duplicate)
            expired = self.expired
        if expired:
            _shut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def close(self) -> None:
        """The request is over: stop the clock, let go of the sockets."""
        self._timer.cancel()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()


def _shut(sock: socket.socket) -> None:
    import socket

    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def opener(
    deadline: Deadline | None = None, local: bool = False
) -> urllib.request.OpenerDirector:
    """urllib's opener (proxies from the environment, http, https) with `redirect_allowed`;
    with a `deadline`, every connection it opens is watched by it. `local`: for a service on
    this machine (Zotero's connector): no proxy, and an HTTP error status is an answer like
    any other (its body read within the deadline), not an exception."""
    import http.client
    import urllib.request

    class RedirectPolicy(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self,
            req: urllib.request.Request,
            fp: IO[bytes],
            code: int,
            msg: str,
            headers: Any,
            newurl: str,
        ) -> urllib.request.Request | None:
            if not redirect_allowed(req.full_url, newurl):
                refused = f"redirected to {newurl}: refused (not to a less secure address)"
                raise TransferError(refused)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    class Answers(urllib.request.HTTPErrorProcessor):
        def http_response(self, request: Any, response: Any) -> Any:
            return response

        https_response = http_response

    handlers: list[urllib.request.BaseHandler] = [RedirectPolicy()]
    if local:
        handlers += [urllib.request.ProxyHandler({}), Answers()]
    if deadline is None:
        return urllib.request.build_opener(*handlers)

    import socket

    def watched(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        sock = socket.create_connection(address, *args, **kwargs)
        deadline.watch(sock)
        return sock

    class Connection(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = watched

    class SecureConnection(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = watched

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(SecureConnection, req, context=getattr(self, "_context", None))

    return urllib.request.build_opener(*handlers, Plain(), Secure())


def describe(error: BaseException, timeout: float) -> str:
    """An error of the network, in a few plain words."""
    import http.client
    import socket
    import ssl
    import urllib.error

    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}".rstrip()
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, BaseException):
            return describe(reason, timeout)
        return str(reason)
    if isinstance(error, (TimeoutError, socket.timeout)):
        return f"no answer for {timeout:g} s"
    if isinstance(error, socket.gaierror):
        return "the host name cannot be resolved (no network?)"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {error.verify_message}"
    if isinstance(error, http.client.IncompleteRead):
        return "the connection closed before the end of the body"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return str(error) or type(error).__name__


def size_text(count: int) -> str:
    """A number of bytes as progress shows it (a download's, a fetch's): `245 KB`, `1.3 MB`."""
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MB"
    return f"{count / 1024:.0f} KB"


def _too_big(limit: int) -> TransferError:
    return TransferError(f"the body is over the {size_text(limit)} limit")


_HTML = rb"\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>])"


def _refuse_html(url: str, content_type: str, body_start: bytes) -> None:
    """FetchError for an HTML page: by its Content-Type, or by how its body begins."""
    if content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml") or (
        re.match(_HTML, body_start[:512], re.I)
    ):
        raise FetchError(
            url, "an HTML page, not a digest (a login or error page? the address may be wrong)"
        )


def read_stream(
    response: http.client.HTTPResponse,
    url: str,
    write: Callable[[bytes], object],
    *,
    max_bytes: int,
    progress: ByteProgress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Hand the body of `response` to `write` piece by piece as it arrives; the bytes received.

    At most `max_bytes`: checked against Content-Length before reading and while streaming.
    Every read waits at most the timeout the response was opened with. `progress` hears
    (url, bytes received, Content-Length or None), and last (url, size, size) when the body
    is whole: a body of unknown size is told its size at its end too. Raises TransferError
    (over the limit, the body cut short, cancelled) and what the socket raises (see
    `describe`).
    """
    length_header = response.headers.get("Content-Length")
    total: int | None = None
    if length_header is not None and length_header.strip().isdigit():
        total = int(length_header)
        if total > max_bytes:
            raise _too_big(max_bytes)
    received = 0
    if progress is not None:
        progress(url, 0, total)
    while True:
        if cancelled is not None and cancelled():
            raise TransferError("cancelled")
        chunk = response.read1(CHUNK)  # what has arrived: progress moves with the bytes
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise _too_big(max_bytes)
        write(chunk)
        if progress is not None:
            progress(url, received, total)
    if total is not None and received < total:
        raise TransferError("the connection closed before the end of the body")
    if progress is not None and total is None:  # the end of a body of unknown size: its size
        progress(url, received, received)
    return received


def _read_body(
    response: http.client.HTTPResponse,
    url: str,
    options: FetchOptions,
    progress: ByteProgress | None,
) -> bytes:
    """The body, decompressed if gzipped, within the size limit and the timeout."""
    import zlib

    limit = options.max_bytes
    content_type = response.headers.get("Content-Type") or ""
    _refuse_html(url, content_type, b"")  # an HTML page is not even downloaded
    gzipped = (response.headers.get("Content-Encoding") or "").strip().lower() == "gzip"
    inflate = zlib.decompressobj(wbits=31) if gzipped else None
    pieces: list[bytes] = []
    size = 0

    def keep(chunk: bytes) -> None:
        nonlocal size
        if inflate is not None:
            chunk = inflate.decompress(chunk, limit - size + 1)
            if inflate.unconsumed_tail:
                raise _too_big(limit)
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        pieces.append(chunk)

    read_stream(response, url, keep, max_bytes=limit, progress=progress)
    if inflate is not None:
        pieces.append(inflate.flush())
        if not inflate.eof:
            raise TransferError("the gzip body ends too soon")
    body = b"".join(pieces)
    if len(body) > limit:
        raise _too_big(limit)
    _refuse_html(url, content_type, body[:512])
    return body


@contextlib.contextmanager
def opened(
    request: urllib.request.Request,
    timeout: float,
    whole: float | None = None,
    *,
    local: bool = False,
) -> Iterator[http.client.HTTPResponse]:
    """The response to `request` through `opener()`, closed on leaving. `timeout` holds for the
    connection and for every read, and `whole` (default: `timeout`) for the whole request, from
    connecting to the last byte read in the block, redirects included: when it passes, the
    connection is shut and TransferError says so (a server dripping a byte at a time cannot
    keep it going). `local`: see `opener`."""
    import http.client
    import zlib

    deadline = Deadline(timeout if whole is None else whole)
    late = TransferError(f"no complete answer within {round(deadline.seconds, 2):g} s")
    try:
        response = opener(deadline, local).open(request, timeout=timeout)
        try:
            yield response
        finally:
            response.close()
        if deadline.expired:  # a connection shut mid-headers can read as a whole answer
            raise late
    except (OSError, http.client.HTTPException, TransferError, zlib.error, ValueError) as error:
        # A silent server is the same failure, whichever of the two clocks notices it first.
        silent = deadline.seconds == timeout and _timed_out(error)
        if (deadline.expired or silent) and error is not late:
            raise late from None
        raise
    finally:
        deadline.close()


def _timed_out(error: BaseException) -> bool:
    """Whether `error` is a socket's timeout (as is, or as urllib wraps it)."""
    reason = getattr(error, "reason", None)
    return isinstance(error, TimeoutError) or isinstance(reason, TimeoutError)


def _download(
    url: str, cached: CachedCopy | None, options: FetchOptions, progress: ByteProgress | None
) -> Fetched:
    import http.client
    import urllib.error
    import urllib.request
    import zlib

    headers = {"User-Agent": f"reader/{__version__}", "Accept-Encoding": "gzip"}
    if cached is not None:
        if cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
    request = urllib.request.Request(url, headers=headers)
    now = time.time()
    try:
        with opened(request, options.timeout) as response:
            body = _read_body(response, url, options, progress)
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
            location = _moved(url, response.geturl())
    except urllib.error.HTTPError as error:
        with contextlib.suppress(Exception):
            error.close()
        if error.code == 304 and cached is not None:
            etag = error.headers.get("ETag") or cached.etag
            modified = error.headers.get("Last-Modified") or cached.last_modified
            location = _moved(url, error.geturl())
            same = (etag, modified, location) == (
                cached.etag,
                cached.last_modified,
                cached.location,
            )
            pending = (
                None
                if same
                else replace(
                    cached, etag=etag, last_modified=modified, checked=now, location=location
                )
            )
            return Fetched(
                url,
                cached.body,
                "not-modified",
                now,
                "",
                False,
                pending,
                options.directory,
                same,
                location,
            )
        raise TransferError(describe(error, options.timeout)) from None
    except (TransferError, FetchError):
        raise
    except (OSError, http.client.HTTPException, zlib.error, ValueError) as error:
        raise TransferError(describe(error, options.timeout)) from None
    same = cached is not None and cached.body == body
    pending = CachedCopy(
        url=url,
        body=body,
        etag=etag,
        last_modified=modified,
        fetched=cached.fetched if same and cached is not None else now,
        checked=now,
        location=location,
    )
    return Fetched(
        url, body, "downloaded", now, "", not same, pending, options.directory, False, location
    )


def _moved(url: str, served: str | None) -> str | None:
    """Where a response came from when a redirect moved it away from `url`, else None."""
    return served if served and served != url else None


def fetch(
    url: str, options: FetchOptions | None = None, progress: ByteProgress | None = None
) -> Fetched:
    """The body of `url`: downloaded, confirmed by a 304, or the cached copy when offline.

    Raises FetchError (naming the URL) for a URL that is not http(s), an HTML page, or a failure
    with no cached copy to fall back to. Call `commit()` on the result once the body is known
    good, to update the cache. `progress` (and `options.progress`) hear the download.
    """
    options = options or FetchOptions()
    check_url(url)
    cached = read_cached(url, options.directory)
    if options.offline:
        if cached is None:
            raise FetchError(url, "not in the cache, and --offline forbids fetching it")
        return Fetched(
            url, cached.body, "cached", cached.checked, "", False, served_from=cached.location
        )
    listeners = [hear for hear in (options.progress, progress) if hear is not None]

    def heard(address: str, done: int, total: int | None) -> None:
        for hear in listeners:
            hear(address, done, total)

    try:
        return _download(url, cached, options, heard if listeners else None)
    except TransferError as failure:
        if cached is None:
            raise FetchError(url, f"cannot fetch: {failure} (and no cached copy)") from None
        return Fetched(
            url,
            cached.body,
            "offline",
            cached.checked,
            str(failure),
            False,
            served_from=cached.location,
        )
    except FetchError as refused:  # an HTML page: the cached copy, if there is one
        if cached is None:
            raise
        return Fetched(
            url,
            cached.body,
            "offline",
            cached.checked,
            refused.message,
            False,
            served_from=cached.location,
        )
