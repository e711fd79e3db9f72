"""The main screen's background work. Each task runs in a worker and reports back by posting a
typed message to the screen (a filter's hits, saved marks, a reloaded digest, arXiv progress and
results); the screen hands the result to the browse model and draws. Nothing here calls into the
screen from another thread."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import get_current_worker

from reader import tokens
from reader.browse import Bulk, Job, Merge, Search, ToZotero, Warm
from reader.model import Digest
from reader.query import filters_done, parse_query
from reader.screens.threads import in_daemon_thread
from reader.sources.fetch import size_text
from reader.text import inert

if TYPE_CHECKING:
    from reader.arxiv_fetch import MetadataResult, MetadataStore
    from reader.settings import ArxivOptions
    from reader.similar import Ranking
    from reader.sources.source import DigestSource, Reloaded
    from reader.state import StateStore
    from reader.zotero import Sent


class Filtered(Message):
    """The hits of a query filtered in a thread."""

    bubble = False

    def __init__(
        self, search: Search, hits: list[int] | str, ranking: Ranking | None = None
    ) -> None:
        super().__init__()
        self.search = search
        self.hits = hits
        self.ranking = ranking
        """The query's `like:` order (None without `like:`)."""


class MarksSaved(Message):
    """Many marks saved in a thread."""

    bubble = False

    def __init__(self, bulk: Bulk) -> None:
        super().__init__()
        self.bulk = bulk


class DigestReloaded(Message):
    """The digest read again (r, --watch). It goes on to the App, which shows its notices."""

    def __init__(self, reloaded: Reloaded, quiet: bool) -> None:
        super().__init__()
        self.reloaded = reloaded
        self.quiet = quiet
        """Under --watch: only what is new is said."""


class ReloadFailed(Message):
    """Reading the digest again failed."""

    bubble = False

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class Notice(Message):
    """A toast from a task (progress, failure), shown literally."""

    bubble = False

    def __init__(self, text: str, severity: SeverityLevel = "information", timeout: float = 4):
        super().__init__()
        self.text = text
        self.severity: SeverityLevel = severity
        self.timeout = timeout


class PdfSaved(Message):
    """A PDF downloaded (D) to `path`."""

    bubble = False

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class MetadataFetched(Message):
    """What fetching arXiv metadata (F) did."""

    bubble = False

    def __init__(self, result: MetadataResult) -> None:
        super().__init__()
        self.result = result


class ZoteroSent(Message):
    """What sending papers to Zotero (Z) came to."""

    bubble = False

    def __init__(self, sent: Sent) -> None:
        super().__init__()
        self.sent = sent


class Synced(Message):
    """The sync folder was merged into the store: what came ("" when nothing did)."""

    bubble = False

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


def start(screen: Screen[None], job: Job, current: Callable[[], Digest]) -> None:
    """Run a job of the browse model. `current()` is the digest shown (a build for another one
    stops)."""
    if isinstance(job, Search):
        screen.run_worker(lambda: _filter(screen, job), thread=True, exclusive=True, group="filter")
    elif isinstance(job, Bulk):
        screen.run_worker(lambda: _save(screen, job), thread=True, group="marks", name="marks")
    elif isinstance(job, ToZotero):
        screen.run_worker(lambda: _to_zotero(screen, job), thread=True, group="zotero")
    elif isinstance(job, Merge):
        screen.run_worker(
            lambda: _merge(screen, job.store), thread=True, exclusive=True, group="sync"
        )
    else:
        warm(screen, job, current)


def _to_zotero(screen: Screen[None], job: ToZotero) -> None:
    from reader.zotero import ZOTERO_URL, send_to_zotero

    handoff = job.handoff
    url = handoff.zotero_url or ZOTERO_URL
    sent = send_to_zotero(job.papers, job.lookup, url=url, timeout=handoff.timeout)
    screen.post_message(ZoteroSent(sent))


def _merge(screen: Screen[None], store: StateStore) -> None:
    screen.post_message(Synced(store.sync_now()))


def watch_sync(screen: Screen[None], store: StateStore, changed: Callable[[], None]) -> None:
    """--watch with a sync folder: every few seconds, call `changed()` when a journal there
    changed (one stat per journal)."""

    async def run() -> None:
        while True:
            await asyncio.sleep(SYNC_WATCH_SECONDS)
            if store.sync_changed():
                changed()

    screen.run_worker(run(), group="watch-sync", name="watch sync folder")


SYNC_WATCH_SECONDS = 2.0


def _filter(screen: Screen[None], search: Search) -> None:
    """Filter a large digest off the UI thread. A newer query's worker cancels this one (the
    group is exclusive), and the filtering stops at its next step (or once the search text it
    waited for is built); the model drops the hits of an older query anyway."""
    worker = get_current_worker()
    hits = search.run_unless(lambda: worker.is_cancelled)
    if hits is None or worker.is_cancelled:
        return
    ranking = search.rank() if search.query.likes and not isinstance(hits, str) else None
    if ranking is not None and not isinstance(hits, str):
        # the list asks for it: ordered here, not on the UI thread (the hits are ascending)
        ranking.order(hits, ascending=True)
    if not worker.is_cancelled:
        screen.post_message(Filtered(search, hits, ranking))


def _save(screen: Screen[None], bulk: Bulk) -> None:
    bulk.save()
    screen.post_message(MarksSaved(bulk))


def warm(
    screen: Screen[None],
    job: Warm,
    current: Callable[[], Digest],
    then: Callable[[], None] | None = None,
) -> None:
    """Build the search text in the background so the first keystroke finds it ready (a filter
    typed meanwhile waits for this build: `Digest.haystacks`), then run `then` (the parsed-digest
    cache's entry, which would slow the build down if written at the same time), then the token
    index (read from the cache, else built: 3.5-5 s at 100,000 papers, meanwhile words are
    searched for); then, when the app froze what was alive at its first paint
    (`ReaderApp._settle_collector`), freeze the indexes too: full collections would otherwise
    walk their lists at every keystroke."""

    def build() -> None:
        digest = job.digest
        try:
            parse_query("warm").filter(digest, range(1), None)
        finally:
            filters_done(YIELD_SECONDS)  # a query typed meanwhile is answered first
            if then is not None:
                then()
        if gc.get_freeze_count():
            gc.freeze()
        worker = get_current_worker()

        def stop() -> bool:
            filters_done(YIELD_SECONDS)  # asked every block of the build: a query goes first
            return worker.is_cancelled or digest is not current()

        built = tokens.ensure(digest, stop)
        if built is not None and gc.get_freeze_count():
            gc.freeze()

    screen.run_worker(build, thread=True, exclusive=True, group="warm", name="search index")


YIELD_SECONDS = 10.0
"""The longest the background build waits for a query being filtered in a thread (a scan of 1M
papers takes about a second)."""


def reload(screen: Screen[None], source: DigestSource, quiet: bool) -> None:
    """Read the digest again (files afresh, URLs revalidated) in a daemon thread, so quitting
    never waits for a big digest; `quiet` under --watch."""

    def read_again() -> Reloaded:
        reloaded = source.reload()
        reloaded.digest.haystacks  # noqa: B018 - the search text, built off the UI thread
        return reloaded

    async def run() -> None:
        try:
            reloaded = await in_daemon_thread(read_again, name="reader-reload")
        except Exception as error:
            screen.post_message(ReloadFailed(error))
            return
        screen.post_message(DigestReloaded(reloaded, quiet))

    screen.run_worker(run(), group="reload", name="reload")


def watch(
    screen: Screen[None],
    source: DigestSource,
    ready: Callable[[], bool],
    changed: Callable[[], None],
) -> None:
    """--watch: every few seconds, while `ready()` (not reloading), look at the sources and
    call `changed()` when they changed."""

    async def run() -> None:
        source.changed()  # takes note of the sources if they were not read through it
        while True:
            await asyncio.sleep(source.watch_every)
            if ready() and source.changed():
                changed()

    screen.run_worker(run(), group="watch", name="watch")


def download_pdf(
    screen: Screen[None], arxiv_id: str, title: str, options: ArxivOptions, directory: Path
) -> str:
    """D: the PDF of arXiv:`arxiv_id` into the downloads folder, its progress in toasts; what to
    say now."""
    from reader.arxiv_fetch import DownloadError
    from reader.arxiv_fetch import download_pdf as download

    shown = [0]

    def progress(done: int, total: int | None) -> None:
        step = done * 4 // total if total else done >> 22  # quarters, or every 4 MB
        if step > shown[0]:
            shown[0] = step
            size = f"{size_text(done)} of {size_text(total)}" if total else size_text(done)
            screen.post_message(Notice(f"arXiv:{arxiv_id}: {size}", timeout=2))

    def run() -> None:
        try:
            path = download(
                arxiv_id,
                title,
                directory,
                progress=progress,
                offline=options.offline,
                timeout=options.timeout,
            )
        except DownloadError as error:
            message = f"PDF of arXiv:{arxiv_id} not downloaded: {error}"
            screen.post_message(Notice(inert(message), severity="error", timeout=8))
            return
        screen.post_message(PdfSaved(path))

    screen.run_worker(run, thread=True, group="pdf", name=f"PDF {arxiv_id}")
    return f"Downloading the PDF of arXiv:{arxiv_id} into {inert(str(directory))}…"


def fetch_metadata(
    screen: Screen[None], ids: list[str], store: MetadataStore, options: ArxivOptions
) -> None:
    """F: the arXiv metadata of `ids` (cached ones are not asked for), progress in toasts."""
    from reader.arxiv_fetch import fetch_metadata as fetch

    def progress(done: int, total: int) -> None:
        if done < total:
            screen.post_message(Notice(f"arXiv metadata: {done}/{total}", timeout=2))

    def run() -> None:
        worker = get_current_worker()
        result = fetch(
            ids,
            store,
            progress=progress,
            cancelled=lambda: worker.is_cancelled,
            offline=options.offline,
            timeout=options.timeout,
        )
        if not worker.is_cancelled:  # F again, or the app is closing
            screen.post_message(MetadataFetched(result))

    screen.run_worker(run, thread=True, exclusive=True, group="metadata", name="arXiv metadata")
