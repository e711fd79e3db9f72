"""The command line's jobs that do not open the reader: `--update`, `--export-state` and
`--import-state`, `--fetch-metadata`."""

from __future__ import annotations

import sys
from pathlib import Path

from reader.cli.digests import check_week
from reader.cli.parse import PROG, UsageError
from reader.cli.report import error, no_match, say, show_warnings, warn
from reader.exits import EXIT_NO_MATCH, EXIT_OK, EXIT_USAGE
from reader.query import Query, select
from reader.settings import Settings
from reader.sources.fetch import cached_urls
from reader.sources.loader import load_digest
from reader.state import StateStore
from reader.text import inert


def update(settings: Settings) -> int:
    """`--update`: revalidate every cached URL; one line each on stdout (failures on stderr);
    then merge the sync folder, when one is set (`merge_sync`)."""
    from reader.cli.handoff import merge_sync
    from reader.sources.updates import update_cached

    urls = cached_urls()
    if not urls:
        print(f"{PROG}: no cached URLs to update", flush=True)
    failed = 0
    for each in update_cached(urls, settings.fetching) if urls else ():
        if each.failed:
            failed += 1
            error(each.line)
        else:
            print(inert(each.line), flush=True)
    merge_sync(settings)
    return EXIT_USAGE if failed else EXIT_OK


def transfer_state(
    export_to: str | None, import_from: str | None, sync_dir: Path | None = None
) -> int:
    """`--import-state FILE` (merged first), then `--export-state FILE`; with `sync_dir`,
    what the import changed goes to this machine's journal there too, and the other machines'
    journals are merged before the export (which then holds what they wrote)."""
    store = StateStore(sync_dir=sync_dir)
    shown = show_warnings(store)
    try:
        if import_from is not None:
            count = store.import_json(import_from)
            saved = store.saving
            shown = show_warnings(store, shown)
            if not saved:
                raise UsageError(
                    f"{count} marks read from {import_from} could not be saved "
                    f"in {store.directory}"
                )
            what = _state_summary(import_from)
            print(f"{PROG}: imported {what} from {inert(import_from)}")
        if export_to is not None:
            from reader.files import is_standard_output

            to_stdout = is_standard_output(export_to)
            said = sys.stderr if to_stdout else sys.stdout
            if sync_dir is not None:  # what other machines wrote belongs in the export
                came = store.sync_now()
                shown = show_warnings(store, shown)
                got = inert(came) if came else "nothing new from other machines"
                print(f"{PROG}: sync: {got}", file=said)
            count = store.export_json(export_to)
            regular = not to_stdout and Path(export_to).is_file()
            what = _state_summary(export_to) if regular else f"{count} papers"
            print(f"{PROG}: exported {what} to {inert(export_to)}", file=said)
    finally:
        store.close()
        show_warnings(store, shown)
    return EXIT_OK


def _state_summary(path: str) -> str:
    """What a state export holds, in words: `17 papers (12 read, 3 starred), 2 notes, 5 tags
    and 1 saved search`."""
    from reader.state.transfer import read_export

    entries, searches, _refused = read_export(Path(path))

    def count(number: int, word: str, plural: str = "") -> str:
        return f"{number} {word if number == 1 else plural or word + 's'}"

    read = sum(entry.read for entry in entries)
    starred = sum(entry.starred for entry in entries)
    parts = [f"{count(len(entries), 'paper')} ({read} read, {starred} starred)"]
    notes = sum(entry.note is not None for entry in entries)
    tags = sum(len(entry.tags) for entry in entries)
    if notes:
        parts.append(count(notes, "note"))
    if tags:
        parts.append(count(tags, "tag"))
    if searches:
        parts.append(count(len(searches), "saved search", "saved searches"))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def fetch_metadata(settings: Settings, query: Query, *, then_more: bool = False) -> int:
    """--fetch-metadata: the arXiv metadata of the selected papers into the state store, with
    progress and a summary on standard error. Network failures are warnings (what is cached
    still serves); the exit status is 0, or EXIT_NO_MATCH when no paper is selected (said
    unless `then_more`: a job that follows, `--print`, says it)."""
    from reader.arxiv_fetch import fetch_metadata

    digest = load_digest(settings.sources, fetching=settings.fetching)
    week = check_week(digest, settings.asked_week, default="all")
    store = StateStore()
    shown = show_warnings(store)
    try:
        indices = select(digest, week, query, state=store)
        if not indices:
            return EXIT_NO_MATCH if then_more else no_match(query.text, week)
        ids = [digest.papers[i].arxiv_id for i in indices if digest.papers[i].arxiv_id]

        def progress(done: int, total: int) -> None:
            say(f"arXiv metadata: {done}/{total} papers asked")

        result = fetch_metadata(
            (i for i in ids if i),
            store.arxiv,
            progress=progress,
            offline=settings.arxiv.offline,
            timeout=settings.arxiv.timeout,
        )
        if result.report is not None:
            for failure in result.report.errors:
                warn(failure)
        say(result.summary())
    finally:
        store.close()
        show_warnings(store, shown)
    return EXIT_OK
