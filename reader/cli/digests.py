"""The command line's digest: reading it (`--print`, `--fetch-metadata`, `--serve`'s check),
its size on disk (what the TUI loads behind a progress bar), and the `--week` it was asked for."""

from __future__ import annotations

import os
from datetime import date

from reader.cli.parse import UsageError
from reader.model import Digest, resolve_week, week_label
from reader.settings import Settings
from reader.sources.fetch import FetchOptions, is_url
from reader.sources.loader import LoadError, expand_sources
from reader.sources.source import DigestSource


def open_digest(settings: Settings, fetching: FetchOptions) -> Digest:
    """The digest of `settings` as `--print` reads it: through the parsed-digest cache for
    files, through the fetch cache (as `fetching` says) when a source is a URL."""
    return DigestSource(settings.sources, fetching).load()


def source_bytes(sources: tuple[str, ...] | None) -> int:
    """The size of the files a digest would be read from (0 when it cannot be told)."""
    try:
        return sum(
            os.path.getsize(path)
            for path in expand_sources(sources)
            if path != "-" and not is_url(path)
        )
    except (OSError, LoadError):
        return 0


def check_week(digest: Digest, week: date | str | None, default: str) -> date | None:
    """The week to show: None for all weeks; the newest for `latest` (None when empty). `week`
    is the `--week` given (None: `default`); a week the digest lacks is a UsageError that names
    its weeks (or the nearest ones)."""
    chosen = default if week is None else week
    if chosen in ("all", "latest"):
        return resolve_week(digest, chosen)
    assert isinstance(chosen, date)
    if chosen in digest.week_ranges:
        return chosen
    if not digest.weeks:
        raise UsageError(f"--week {week_label(chosen)}: the digest has no weeks (it is empty)")
    weeks = digest.weeks
    if len(weeks) <= 20:
        known = "its weeks are " + ", ".join(week_label(week) for week in weeks)
    else:
        before = [week for week in weeks if week < chosen][:1]
        after = [week for week in weeks if week > chosen][-1:]
        nearest = " and ".join(week_label(week) for week in after + before)
        known = (
            f"the nearest are {nearest}; its {len(weeks)} weeks run from "
            f"{week_label(weeks[-1])} to {week_label(weeks[0])}"
        )
    raise UsageError(
        f"--week {week_label(chosen)} is not a week of the digest ({known}; "
        "--week all shows every week)"
    )
