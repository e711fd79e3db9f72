"""The command line's jobs of issue 28: `--to-zotero` (a view of the digest sent to Zotero's
connector), `--sync-status` (what the sync folder holds) and the merge that `--update` does."""

from __future__ import annotations

from reader.cli.digests import check_week, open_digest
from reader.cli.parse import PROG, UsageError
from reader.cli.printing import NO_MARKS, existing_state
from reader.cli.report import error, no_match, show_warnings
from reader.exits import EXIT_OK, EXIT_USAGE
from reader.query import Query, select
from reader.settings import Settings
from reader.state import StateStore
from reader.text import inert

NO_SYNC_DIR = (
    "--sync-status: no sync folder is set: give --sync-dir DIR or set sync_dir in the config "
    "file (reader --config-path says where it is)"
)


def to_zotero(settings: Settings, query: Query) -> int:
    """`--to-zotero`: the papers of the view (`--week`, `--query`: without either, the latest
    week; with a query alone, every week) to Zotero, with the cached arXiv metadata; one line
    says how it went (stdout when every paper was sent: exit 0; else `reader: error: ...`,
    exit 2; no paper selected: exit 1)."""
    from reader.zotero import ZOTERO_URL, send_to_zotero

    digest = open_digest(settings, settings.fetching)
    default = "all" if settings.query_given else "latest"
    week = check_week(digest, settings.asked_week, default=default)
    state = existing_state(settings.sync_dir)
    try:
        marks = state if state is not None else NO_MARKS
        papers = [digest.papers[i] for i in select(digest, week, query, state=marks)]
        lookup = state.arxiv.cached_metadata if state is not None else None
        if not papers:
            return no_match(query.text, week, then=": nothing sent to Zotero")
        sent = send_to_zotero(
            papers,
            lookup,
            url=settings.zotero_url or ZOTERO_URL,
            timeout=settings.arxiv.timeout,
        )
    finally:
        if state is not None:
            state.close()
    if not sent.ok:
        error(sent.message)
        return EXIT_USAGE
    print(inert(sent.message), flush=True)
    return EXIT_OK


def sync_status(settings: Settings) -> int:
    """`--sync-status`: the lines of `reader.sync.report` on standard output."""
    if settings.sync_dir is None:
        raise UsageError(NO_SYNC_DIR)
    from reader.sync.report import status_lines

    store = StateStore(sync_dir=settings.sync_dir)
    shown = show_warnings(store)
    try:
        status = store.sync_status()
        assert status is not None  # a store with a sync folder
        for line in status_lines(status):
            print(line)
    finally:
        store.close()
        show_warnings(store, shown)
    return EXIT_OK


def merge_sync(settings: Settings) -> None:
    """`--update` with a sync folder: merge the other machines' journals and send what is
    pending; one line says what came (problems are warnings on standard error)."""
    if settings.sync_dir is None:
        return
    store = StateStore(sync_dir=settings.sync_dir)
    shown = show_warnings(store)
    try:
        came = store.sync_now()
        shown = show_warnings(store, shown)
        print(f"{PROG}: sync: {inert(came) if came else 'nothing new from other machines'}")
    finally:
        store.close()
        show_warnings(store, shown)
