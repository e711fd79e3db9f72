"""Where the app opens a digest: the week, query and paper its settings ask for
(`reader.settings.Settings`), or where the digest was left last time (a `reader.state.Session`).
No Textual here."""

from __future__ import annotations

from datetime import date

from reader.model import Digest, resolve_week
from reader.records import frozen
from reader.settings import Settings
from reader.state import Session


@frozen
class Opening:
    """The view a digest opens on. `missing` is a week asked for that the digest lacks (the
    newest is shown instead, and the app says so)."""

    week: date | None
    query: str
    paper: str | None = None
    missing: date | None = None


def opening(digest: Digest, options: Settings, session: Session | None) -> Opening:
    """The week and query `options` ask for, except where the last `session` differs and they
    were not given (--week, --query): then its week, if the digest still has it ("all" for all
    weeks), and its query; and its highlighted paper."""
    week, query = options.week, options.query
    if session is not None:
        if not options.week_given and session.week:
            known = session.week == "all" or any(
                each.isoformat() == session.week for each in digest.weeks
            )
            week = session.week if known else week
        if not options.query_given:
            query = session.query
    chosen = resolve_week(digest, week)
    missing = None
    if chosen is not None and chosen not in digest.week_ranges:
        missing, chosen = chosen, digest.weeks[0] if digest.weeks else None
    paper = session.paper if session is not None and session.paper else None
    return Opening(chosen, query, paper, missing)
