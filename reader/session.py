"""How the app opens (`AppOptions`, from the command line) and where it opens a digest: the week,
query and paper asked for, or where the digest was left last time (a `reader.state.Session`).
No Textual here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reader.arxiv_fetch import ArxivOptions
from reader.model import Digest, resolve_week
from reader.state import Session


@dataclass(frozen=True)
class AppOptions:
    """How the app opens, as the command line asked: the week (a date, "latest", or None for
    all weeks) and query, the read delay, the session's name ("where you left off"; None: not
    remembered), whether --week and --query were given (they win over the session), and the
    arXiv keys' network options."""

    week: date | str | None = "latest"
    query: str = ""
    read_delay: float = 1.5
    session_key: str | None = None
    week_given: bool = False
    query_given: bool = False
    arxiv: ArxivOptions = field(default_factory=ArxivOptions)
    zotero_url: str = ""
    """Where Z sends papers ("": Zotero's own port on this machine)."""


@dataclass(frozen=True)
class Opening:
    """The view a digest opens on. `missing` is a week asked for that the digest lacks (the
    newest is shown instead, and the app says so)."""

    week: date | None
    query: str
    paper: str | None = None
    missing: date | None = None


def opening(digest: Digest, options: AppOptions, session: Session | None) -> Opening:
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
