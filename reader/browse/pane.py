"""What the abstract pane shows: one object, built by the browse model, rendered by the pane."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from reader.arxiv import Metadata
from reader.model import Paper
from reader.query import Spans
from reader.records import frozen

if TYPE_CHECKING:
    from reader.sync.folder import Conflict


@frozen
class Pane:
    """A paper with what the reader knows of it (its marks, arXiv metadata, note and tags, the
    other weeks it is in, the query's matches), or without a paper, why the pane is empty."""

    paper: Paper | None = None
    message: str = ""
    """What the pane says without a paper ("No papers match.")."""
    spans: Spans | None = None
    """Where the applied query matches (None: no query)."""
    other_weeks: tuple[date, ...] = ()
    read: bool | None = None
    """None: no reading state is shown."""
    starred: bool = False
    meta: Metadata | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    sources: str = ""
    """In an inbox of feeds, where the paper was picked (`reader.feeds.describe_origins`:
    `Papers of the Week 2026-06-28 · HF daily 2026-06-24 ↑212`); else empty."""
    conflicts: tuple[Conflict, ...] = ()
    """The note's other texts, written on other machines without seeing this one (K keeps
    the note shown, N edits them together)."""
    similar: tuple[str, ...] = ()
    """Under a `like:` query: the words the paper shares with what it is like."""
    score: float | None = None
    """Under a `like:` query: its similarity (0 to 1); None without one."""
