"""`--print`: the selected papers on standard output in the format asked, notices and what
matches in other weeks on standard error. Streams, so `| head` is cheap."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reader.ascii import fall_back
from reader.cli.digests import check_week, open_digest
from reader.cli.parse import PROG, UsageError
from reader.cli.progress import StderrBar
from reader.cli.report import no_match, say, show_warnings, warn
from reader.exits import EXIT_OK
from reader.model import Digest, join_note
from reader.query import Query, ReadingState, select
from reader.settings import Printing, Settings
from reader.state import FILENAME as STATE_FILENAME
from reader.state import StateStore, state_dir

if TYPE_CHECKING:
    from reader.arxiv import Metadata


class _NoMarks:
    """The reading state where none was ever saved: nothing read, nothing starred."""

    def is_read(self, key: str) -> bool:
        return False

    def is_starred(self, key: str) -> bool:
        return False


NO_MARKS = _NoMarks()


def print_papers(settings: Settings, printing: Printing, query: Query) -> int:
    """Print the papers `settings` select (all weeks unless `--week`) as `printing` says; the
    exit status: EXIT_OK, or EXIT_NO_MATCH (said on standard error) when none is selected."""
    digest = _read(settings)
    week = check_week(digest, settings.asked_week, default="all")
    state = existing_state(settings.sync_dir)
    try:
        known: dict[str, Metadata] = {}
        if state is not None:
            ids = (paper.arxiv_id for paper in digest.papers if paper.arxiv_id)
            known = state.arxiv.metadata(ids)
            from reader.arxiv import enrich  # only with cached metadata to add

            digest = enrich(digest, known)
        marks = state if state is not None else NO_MARKS
        for note in query.digest_notes(digest, "--fetch-metadata"):
            warn(f"--query: {note}")
        unknown = query.unknown_likes(digest)
        if unknown:
            raise UsageError(
                f"--query: {unknown[0]}: no paper of the digest has that arXiv id or link"
            )
        return _write(digest, week, query, printing, marks, known)
    finally:
        if state is not None:
            state.close()


def _read(settings: Settings) -> Digest:
    """The digest, with a progress bar on a terminal while a URL downloads; its notices."""
    bar = StderrBar() if sys.stderr is not None and sys.stderr.isatty() else None
    try:
        digest = open_digest(settings, replace(settings.fetching, progress=bar))
    finally:
        if bar is not None:
            bar.close()
    for notice in digest.notices:
        say(notice)
    if digest.joined is not None:
        sys.stderr.write(f"{PROG}: {join_note(digest.joined)}\n")
    return digest


def _write(
    digest: Digest,
    week: date | None,
    query: Query,
    printing: Printing,
    marks: ReadingState,
    known: dict[str, Metadata],
) -> int:
    ranking = query.ranking(digest, marks)
    indices = select(
        digest,
        week,
        query,
        state=marks,
        sort=printing.sort,
        reverse=printing.reverse,
        ranking=ranking,
    )
    out = sys.stdout
    prepare_output(out, printing.format)
    from reader.output import write_papers  # only --print needs it

    write_papers(
        digest,
        indices,
        printing.format,
        out,
        state=marks,
        metadata=known.get,
        scores=None if ranking is None else ranking.score,
    )
    out.flush()
    if indices:
        return EXIT_OK
    # as the reader says in its empty list: the week stays, the others are counted; the
    # output stays what its format is without papers (json `[]`, csv's header, ...)
    elsewhere = 0
    if week is not None and not query.is_empty:
        elsewhere = len(select(digest, None, query, state=marks))
    return no_match(query.text, week, elsewhere)


def existing_state(sync_dir: Path | None = None) -> StateStore | None:
    """The reading state for --print when a store exists already (printing creates none);
    with `sync_dir`, the store with the other machines' journals merged in."""
    if sync_dir is None and not (state_dir() / STATE_FILENAME).exists():
        return None
    store = StateStore(sync_dir=sync_dir)
    if sync_dir is not None:
        store.sync_now()
    show_warnings(store)
    return store


def prepare_output(out: TextIO, format_name: str) -> None:
    """Never fail on a character the output encoding lacks: the table (for people) writes an
    ASCII stand-in of the same width, so its columns stay aligned; the formats for programs
    write an escape (`\\u2605`) instead, which loses nothing."""
    if format_name == "table":
        fall_back(out)
        return
    reconfigure = getattr(out, "reconfigure", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("_", "-")
    if callable(reconfigure) and not encoding.startswith("utf"):
        reconfigure(errors="backslashreplace")
