"""The browse model's state (`Core`, which `Browse` builds on: `rows.Rows`, `querying.Querying`,
`marking.Marking`, `model.Browse`): the digest and the reading state, the view, the query and its
hits, the rows and the cursor, the selection, undo; what the screen takes after each operation
(changes, toasts, jobs) and what it reads of the state (the highlighted paper, the spans to
highlight, what a command acts on)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from reader.arxiv import with_cached_authors
from reader.browse.jobs import Changed, Handoff, Job, Severity, Toast
from reader.browse.sidebar import CategoryCounts, WeekRows
from reader.browse.undo import Change
from reader.browse.view import View
from reader.feeds import has_feeds, source_marks, upvotes_of
from reader.model import Digest, Paper
from reader.query import Query, Spans, parse_query
from reader.reading import ReadCounts, repeated_weeks
from reader.records import frozen
from reader.state import StateStore

if TYPE_CHECKING:
    from reader.similar import Ranking


@frozen
class Back:
    """Where `Browse.more_like` left from, for Esc to come back: the view, the filter's text,
    the highlighted paper."""

    view: View
    text: str
    key: str


class RowMarks:
    """What the paper list shows beside each title, read from the model as it is now."""

    def __init__(self, browse: Core) -> None:
        self._browse = browse

    def has_selection(self) -> bool:
        return bool(self._browse.selected)

    def is_selected(self, paper: Paper) -> bool:
        return paper.key in self._browse.selected

    def is_read(self, paper: Paper) -> bool:
        return self._browse.store.is_read(paper.key)

    def is_starred(self, paper: Paper) -> bool:
        return self._browse.store.is_starred(paper.key)

    def is_repeated(self, paper: Paper) -> bool:
        return paper.key in self._browse.repeated

    def sources(self, paper: Paper) -> str:
        """In an inbox of feeds, the letters of the feeds that picked the paper (`P H A`:
        `reader.feeds.source_marks`); else empty (the list has no such column)."""
        return source_marks(paper) if self._browse.inbox else ""


def inbox_of(digest: Digest) -> tuple[bool, bool]:
    """(whether feeds picked any paper of the digest, whether any has upvotes): the list then
    marks each paper's feeds and the pane names them; S then sorts by upvotes too."""
    if not has_feeds(digest.papers):
        return False, False
    return True, any(upvotes_of(paper) is not None for paper in digest.papers)


class Core:
    """The main screen's state: what `Browse`'s operations (in `rows`, `querying`, `marking`,
    `model`) read and change."""

    def __init__(
        self,
        digest: Digest,
        store: StateStore,
        *,
        week: date | None = None,
        text: str = "",
        counts: ReadCounts | None = None,
        week_given: bool = False,
        paper: str | None = None,
        handoff: Handoff | None = None,
    ) -> None:
        self.store = store
        self.handoff = handoff if handoff is not None else Handoff()
        self.digest = with_cached_authors(digest, store.arxiv.metadata)
        self.counts = counts if counts is not None else ReadCounts(self.digest, store.is_read)
        self.repeated = repeated_weeks(self.digest, self.counts.indices)
        self.inbox, self.upvoted = inbox_of(self.digest)
        self.view = View(week=week)
        self.week_given = week_given
        """The week was asked for (--week): it stays even when nothing there matches."""
        self.text = text
        """The filter bar's text as last asked for (typed or set); `query` once applied."""
        self.query: Query = parse_query("")
        """The applied query: `hits` are its matches."""
        self.hits: list[int] = list(range(len(self.digest)))
        self.ranking: Ranking | None = None
        """The applied query's `like:` order (None without `like:`)."""
        self.error: str | None = None
        """Why `text` is not a query (shown under the bar); None when it is one."""
        self.metadata_failed: set[str] = set()
        """arXiv ids whose metadata the last fetch of them (F) could not get: B and I say so."""
        self.rows: list[int] = []
        """The digest indices listed, in order."""
        self.cursor = 0
        self.selected: dict[str, None] = {}
        """Keys of the selected papers, in the order they were selected."""
        self.shown_key = ""
        """The key of the paper last under the cursor (where the digest was left)."""
        self.marks = RowMarks(self)
        self.generation = 0
        self._all: tuple[Digest, tuple[int, ...]] | None = None
        """The digest and its papers' indices (`_every_paper`)."""
        """Counts queries and digests: a thread's hits for an older one are dropped."""
        self.marks_version = 0
        """Counts changes of reading state, for the sidebar's caches."""
        self._opening: str | None = paper or ""
        """Until the first hits are in: the paper to open on ("": none); then None."""
        self._undo: list[Change] = []
        self._back: list[Back] = []
        self._after: tuple[int, View] | None = None
        """~'s view (every week, by similarity), applied with the answer of its query (of that
        generation) when that is ranked in a thread."""
        self._changed = Changed.NONE
        self._toasts: list[Toast] = []
        self._jobs: list[Job] = []
        self._week_rows = WeekRows()
        self._categories = CategoryCounts()
        self._search_counts: tuple[object, dict[str, str]] | None = None

    # --- what the screen takes after each operation ----------------------------------------

    def take_changes(self) -> Changed:
        changed, self._changed = self._changed, Changed.NONE
        return changed

    def take_toasts(self) -> list[Toast]:
        toasts, self._toasts = self._toasts, []
        return toasts

    def take_jobs(self) -> list[Job]:
        jobs, self._jobs = self._jobs, []
        return jobs

    def say(self, text: str, severity: Severity = "information", timeout: float = 4) -> None:
        self._toasts.append(Toast(text, severity, timeout))

    # --- reading the state -----------------------------------------------------------------

    @property
    def week(self) -> date | None:
        return self.view.week

    @property
    def starred_only(self) -> bool:
        return self.view.starred_only

    @property
    def sort(self) -> str:
        return self.view.sort

    @property
    def query_text(self) -> str:
        """The applied query's text."""
        return self.query.text

    @property
    def spans(self) -> Spans | None:
        """Where the applied query matches; with `like:`, also the words a paper shares with
        what it is like (`Ranking.spans`)."""
        ranking = self.ranking
        if ranking is None:
            return None if self.query.is_empty else self.query.highlight_spans
        matches = self.query.highlight_spans

        def spans(text: str, field: str = "any") -> list[tuple[int, int]]:
            return _merged(matches(text, field) + ranking.spans(text, field))

        return spans

    @property
    def current(self) -> int | None:
        """The digest index of the paper under the cursor."""
        return self.rows[self.cursor] if self.rows else None

    @property
    def current_paper(self) -> Paper | None:
        index = self.current
        return None if index is None else self.digest.papers[index]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_go_back(self) -> bool:
        """Esc has a `More like` view to leave (`go_back`)."""
        return bool(self._back)

    def targets(self) -> list[Paper]:
        """What a command acts on: the selected papers (in the digest's order), else the
        highlighted one."""
        if not self.selected:
            paper = self.current_paper
            return [] if paper is None else [paper]
        indices = self.counts.indices
        firsts = sorted(indices[key][0] for key in self.selected if indices.get(key))
        return [self.digest.papers[index] for index in firsts]

    def _starred(self) -> list[int]:
        return self.counts.indices_of(self.store.starred_keys())


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans, those that overlap or touch made one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
