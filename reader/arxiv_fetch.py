"""arXiv over the network: metadata from the API into the state store, and PDF downloads.
No Textual here.

- `fetch_metadata(ids, store)` asks the API (`READER_ARXIV_API`, default `reader.arxiv.API_URL`)
  for the ids whose metadata is not cached yet, politely (`reader.arxiv.MetadataClient`: 100 ids a
  request, one request at a time, 3 s apart), and saves what it finds in the store. Ids that are
  cached are never asked again, so offline everything cached keeps working.
- `download_pdf(arxiv_id, title, directory)` saves `https://arxiv.org/pdf/<id>` (the prefix is
  `READER_ARXIV_PDF` in tests) as `<id> <short title>.pdf` in the user's download directory
  (`--download-dir` or `READER_DOWNLOAD_DIR` change it). It never overwrites a file (another name
  gets ` (2)`, ` (3)`, ...), refuses a body that does not start as a PDF (an HTML page, a captcha),
  and keeps the limits of fetched digests: no byte for `TIMEOUT` seconds is a failure, a body over
  `PDF_MAX_BYTES` is refused (by its Content-Length before reading, and while streaming), and a
  redirect may not go from https to http or to another scheme. The body streams into a hidden
  `.part` file next to the target, which becomes the PDF only when complete.

HTTP is `reader.sources.fetch`'s, shared with digests: its opener and redirect policy, its
wording of network errors, its streaming with a size cap, a per-read timeout and byte progress.
No cache of HTTP bodies here: metadata is cached in the state store, PDFs are files the user
keeps.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reader import __version__, environment
from reader.arxiv import API_URL, FetchReport, Metadata, MetadataClient, batches
from reader.files import sweep_stale

__all__ = [
    "PDF_MAX_BYTES",
    "TIMEOUT",
    "DownloadError",
    "api_url",
    "download_pdf",
    "fetch_metadata",
    "get",
    "network_settings",
    "pdf_filename",
]

TIMEOUT = 15.0
"""Seconds a request may take, from connecting to its last byte (a PDF: without a byte)."""
API_MAX_BYTES = 8 << 20
"""The largest API answer read (100 entries are a few hundred KB)."""
PDF_MAX_BYTES = 64 << 20
"""The largest PDF downloaded (arXiv's own limit on a submission is 50 MB)."""
PDF_SECONDS = 600.0
"""A PDF download in all, from connecting to its last byte (its timeout is per read)."""
CHUNK = 64 << 10
PDF_PREFIX = "https://arxiv.org/pdf/"

Progress = Callable[[int, "int | None"], None]
"""(bytes so far, total bytes or None when the server did not say)."""


class DownloadError(Exception):
    """A request that failed: one line saying why."""


def api_url() -> str:
    return environment.arxiv_api(API_URL)


def pdf_source(arxiv_id: str) -> str:
    return environment.arxiv_pdf_prefix(PDF_PREFIX) + arxiv_id


def network_settings(offline: bool | None, timeout: float | None) -> tuple[bool, float]:
    """`offline` and `timeout` as given, else as `$READER_ARXIV_OFFLINE` and
    `$READER_ARXIV_TIMEOUT` say, else online with `TIMEOUT`."""
    return environment.arxiv_network(offline, timeout, TIMEOUT)


# --- HTTP: reader.sources.fetch's (the opener, its redirect policy, error wording, streaming) ---


def _stream(
    url: str,
    write: Callable[[bytes], object],
    *,
    timeout: float,
    max_bytes: int,
    progress: Progress | None = None,
    check_start: Callable[[bytes, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    whole: float | None = None,
) -> int:
    """GET `url` (no cache) into `write`; the number of bytes. `check_start(head, content_type)`
    sees the Content-Type before any byte is read, then the body's first bytes. `timeout`
    bounds every read and `whole` (default: `timeout`) the whole request. Raises DownloadError
    with the reason."""
    import http.client
    import urllib.request

    from reader.sources.fetch import (
        FetchError,
        TransferError,
        check_url,
        describe,
        opened,
        read_stream,
    )

    try:
        check_url(url)
    except FetchError as error:
        raise DownloadError(error.message) from None
    request = urllib.request.Request(url, headers={"User-Agent": f"reader/{__version__}"})
    try:
        with opened(request, timeout, whole) as response:
            content_type = response.headers.get("Content-Type") or ""
            head = b""
            if check_start is not None:
                check_start(b"", content_type)  # refused by its type before any byte is read

            def checked_write(chunk: bytes) -> None:
                nonlocal head
                if check_start is not None and len(head) < 16:
                    head += chunk
                    if len(head) >= 16:
                        check_start(head, content_type)
                write(chunk)

            size = read_stream(
                response,
                url,
                checked_write,
                max_bytes=max_bytes,
                progress=(lambda _url, done, total: progress(done, total)) if progress else None,
                cancelled=cancelled,
            )
            if check_start is not None and len(head) < 16:
                check_start(head, content_type)
            return size
    except DownloadError:
        raise
    except TransferError as error:
        raise DownloadError(str(error)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise DownloadError(describe(error, timeout)) from None


def get(url: str, *, timeout: float = TIMEOUT, max_bytes: int = API_MAX_BYTES) -> bytes:
    """The body of `url` (no cache), whole within `timeout` seconds. Raises DownloadError."""
    parts: list[bytes] = []
    _stream(url, parts.append, timeout=timeout, max_bytes=max_bytes)
    return b"".join(parts)


# --- metadata ----------------------------------------------------------------------------------


class MetadataStore(Protocol):
    def metadata(self, ids: Iterable[str]) -> dict[str, Metadata]: ...

    def save_metadata(self, items: Iterable[Metadata]) -> None: ...

    def save_missing(self, ids: Iterable[str]) -> None: ...

    def missing_since(self, ids: Iterable[str]) -> dict[str, float]: ...


METADATA_SECONDS = 300.0
"""A metadata fetch in all: past this no request is started (each is bounded by its timeout,
from connecting to its last byte), and the ids not asked are reported."""
ASK_MISSING_AGAIN = 7 * 24 * 3600.0
"""Seconds before an id arXiv had no paper for is asked again (the API has off days)."""


@dataclass
class MetadataResult:
    """What `fetch_metadata` did: ids already cached, the API's report (None when nothing had
    to be asked)."""

    wanted: int
    cached: int
    report: FetchReport | None
    known_missing: int = 0
    """Ids arXiv had no paper for when asked within `ASK_MISSING_AGAIN`: not asked now."""
    offline: int = 0
    """Ids not cached and not asked because of `--offline`."""

    def summary(self) -> str:
        report = self.report
        missing = self.known_missing + (len(report.missing) if report is not None else 0)
        if self.offline:
            return (
                f"arXiv metadata of {self._papers}: {self.cached} cached, {self.offline} not "
                "cached (--offline: nothing fetched)."
            )
        if report is None:
            known = f" ({missing} not on arXiv)" if missing else ""
            return f"arXiv metadata of {self._papers}: all cached already{known}."
        parts = [f"fetched {len(report.found)}"]
        if self.cached:
            parts.append(f"{self.cached} cached already")
        if missing:
            parts.append(f"{missing} not found on arXiv")
        if report.errors:
            failed = len(report.errors)
            parts.append(f"{failed} failed request{'' if failed == 1 else 's'}")
        return f"arXiv metadata of {self._papers}: " + ", ".join(parts) + "."

    @property
    def _papers(self) -> str:
        return f"{self.wanted} paper{'' if self.wanted == 1 else 's'}"


_CLIENTS: dict[str, MetadataClient] = {}
"""One client per API URL for the process, so that its spacing holds across calls."""
_ONE_AT_A_TIME = threading.Lock()
"""Held while the API is asked: two fetches (two workers of the TUI) never overlap."""
_TIMEOUT = [TIMEOUT]
"""The timeout of the fetch holding `_ONE_AT_A_TIME` (the clients are shared across calls)."""


def _get_api(url: str) -> bytes:
    return get(url, timeout=_TIMEOUT[0])


def fetch_metadata(
    ids: Iterable[str],
    store: MetadataStore,
    *,
    transport: Callable[[str], bytes] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    offline: bool | None = None,
    timeout: float | None = None,
    seconds: float = METADATA_SECONDS,
) -> MetadataResult:
    """Fetch and cache the metadata of those of `ids` that are not cached; see the module.
    `offline`: the cache only, no request; `timeout`: the longest request, from connecting to
    its last byte (None: see `network_settings`); `seconds`: the whole fetch at most (the ids
    not asked by then are an error of the report)."""
    offline, timeout = network_settings(offline, timeout)
    wanted = [arxiv_id for batch in batches(ids) for arxiv_id in batch]
    cached = store.metadata(wanted)
    recent = time.time() - ASK_MISSING_AGAIN
    known_missing = {i for i, when in store.missing_since(wanted).items() if when >= recent}
    missing = [i for i in wanted if i not in cached and i not in known_missing]
    if not missing:
        return MetadataResult(len(wanted), len(cached), None, len(known_missing))
    if offline:
        return MetadataResult(len(wanted), len(cached), None, len(known_missing), len(missing))
    base = api_url()
    client = _CLIENTS.get(base) if transport is None else None
    if client is None:
        client = MetadataClient(
            transport or _get_api, base_url=base, clock=time.monotonic, sleep=time.sleep
        )
        if transport is None:
            _CLIENTS[base] = client
    end = time.monotonic() + seconds
    out_of_time = [False]

    def stop() -> bool:
        if cancelled is not None and cancelled():
            return True
        out_of_time[0] = time.monotonic() >= end
        return out_of_time[0]

    done_ids = [0]

    def asked(done: int, total: int) -> None:
        done_ids[0] = done
        _TIMEOUT[0] = max(0.1, min(timeout, end - time.monotonic()))
        if progress is not None:
            progress(done, total)

    with _ONE_AT_A_TIME:
        _TIMEOUT[0] = min(timeout, seconds)
        report = client.fetch(missing, progress=asked, cancelled=stop)
    if out_of_time[0]:
        report.errors.append(
            f"arXiv API: stopped after {seconds:g} s in all; "
            f"{len(missing) - done_ids[0]} papers not asked"
        )
    if report.found:
        store.save_metadata(report.found.values())
    if report.missing:
        store.save_missing(report.missing)
    return MetadataResult(len(wanted), len(cached), report, len(known_missing))


# --- PDFs --------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]+')
SHORT_TITLE = 60
"""Characters of the title in a PDF's file name."""
NAME_BYTES = 255
"""The longest file name, in bytes, of most file systems (ext4, btrfs, XFS, APFS, tmpfs)."""
_SUFFIX_ROOM = len(" (9999)")
"""Kept free for the ` (2)` of a name already taken (`_free_name`)."""


def pdf_filename(arxiv_id: str, title: str, limit: int = NAME_BYTES) -> str:
    """`2305.14314 QLoRA Efficient Finetuning of Quantized LLMs.pdf`: the id, then the title cut
    at a word within `SHORT_TITLE` characters, without characters file systems refuse; the
    whole name, with room for ` (2)`, within `limit` bytes of UTF-8 (the file system's limit
    is on bytes: 60 emoji are 240 of them).

    >>> pdf_filename("hep-th/9901001", "A/B: the <best> title?")
    'hep-th_9901001 A B the best title.pdf'
    """
    cleaned = " ".join(_UNSAFE_NAME.sub(" ", unicodedata.normalize("NFC", title)).split())
    stem = _cut_bytes(arxiv_id.replace("/", "_"), limit - _SUFFIX_ROOM - len(".pdf"))
    room = limit - _SUFFIX_ROOM - len(f"{stem} .pdf".encode())
    if len(cleaned) > SHORT_TITLE or len(cleaned.encode()) > room:
        cut = _cut_bytes(cleaned[:SHORT_TITLE], room)
        cleaned = cut.rsplit(" ", 1)[0] if " " in cut else cut
    cleaned = cleaned.strip(" .")
    return f"{stem} {cleaned}.pdf" if cleaned else f"{stem}.pdf"


def _cut_bytes(text: str, size: int) -> str:
    """`text` cut to at most `size` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= size:
        return text
    return data[: max(0, size)].decode("utf-8", "ignore")


def name_limit(directory: Path) -> int:
    """The longest file name `directory`'s file system takes, in bytes (`NAME_BYTES` at most)."""
    try:
        return min(NAME_BYTES, os.pathconf(directory, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return NAME_BYTES


def _check_pdf(head: bytes, content_type: str) -> None:
    if content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        raise DownloadError("the server sent an HTML page, not a PDF")
    if head and head.lstrip(b"\r\n\t ")[:5] != b"%PDF-":
        raise DownloadError("the body is not a PDF (it does not start with %PDF-)")


def _free_name(directory: Path, name: str) -> Path:
    target = directory / name
    stem, suffix = target.stem, target.suffix
    number = 2
    while target.exists() or target.is_symlink():
        target = directory / f"{stem} ({number}){suffix}"
        number += 1
    return target


def download_pdf(
    arxiv_id: str,
    title: str,
    directory: Path,
    *,
    url: str | None = None,
    timeout: float | None = None,
    max_bytes: int = PDF_MAX_BYTES,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    offline: bool | None = None,
) -> Path:
    """Download the PDF of `arxiv_id` into `directory`; the path it was saved as (see the
    module). Raises DownloadError; nothing is left behind then (`offline`: at once). None for
    `timeout` / `offline`: see `network_settings`."""
    offline, timeout = network_settings(offline, timeout)
    if offline:
        raise DownloadError("--offline: PDFs are not downloaded")
    source = url or pdf_source(arxiv_id)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        sweep_stale(directory, ".reader-*.part")  # left by a download or export that was killed
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".reader-", suffix=".pdf.part")
    except OSError as error:
        raise DownloadError(f"cannot write in {directory}: {_os_error(error)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _stream(
                source,
                handle.write,
                timeout=timeout,
                max_bytes=max_bytes,
                progress=progress,
                check_start=_check_pdf,
                cancelled=cancelled,
                whole=max(timeout, PDF_SECONDS),
            )
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.getsize(partial) == 0:
            raise DownloadError("the body is empty, not a PDF")
        name = pdf_filename(arxiv_id, title, name_limit(directory))
        while True:
            target = _free_name(directory, name)
            try:
                os.link(partial, target)  # fails if the name was taken meanwhile: never overwrites
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: exclusive create, then copy
                try:
                    with open(target, "xb") as out, open(partial, "rb") as data:
                        while block := data.read(CHUNK):
                            out.write(block)
                except FileExistsError:
                    continue
            break
        with contextlib.suppress(OSError):
            os.chmod(target, 0o644 & ~_UMASK)  # mkstemp made it private
        return target
    except OSError as error:
        raise DownloadError(f"cannot save the PDF: {_os_error(error)}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(partial)


def _os_error(error: OSError) -> str:
    from reader.sources.fetch import describe

    return describe(error, TIMEOUT)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()
"""Read once at import (the main thread): os.umask is process-wide, not for worker threads."""
