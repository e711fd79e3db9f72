"""The browse model: the main screen's state and everything that can be done to it, without
Textual. The screen holds one `Browse`, calls one of its operations for each key and then draws
what it says has changed (`take_changes`), shows the toasts it queued (`take_toasts`) and starts
the background work it asks for (`take_jobs`: a big filter, thousands of marks, the search
index), whose results come back through `answer` and `saved`.

State: the digest and the reading state (`store`), the view (week, starred, sort), the query (the
filter bar's text and the applied query with its hits), the rows listed and the cursor, the
selection, the undo stack. Derived, on demand: the sidebar's entries, the subtitle, what an
empty list says, what the abstract pane shows (`pane`), what a command acts on (`targets`).
"""

from __future__ import annotations

import contextlib
import enum
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reader.arxiv import with_cached_authors
from reader.browse import clips
from reader.browse.pane import Pane
from reader.browse.sidebar import (
    CategoryCounts,
    Entry,
    WeekRows,
    category_active,
    pick_category,
    search_entries,
    sidebar_entries,
    tag_entries,
    toggle_tag,
)
from reader.browse.undo import UNDO_LIMIT, Change, MarksChange, NoteChange, SearchChange, TagsChange
from reader.browse.view import (
    SIMILAR,
    SORT_CYCLE,
    View,
    elsewhere,
    empty_lines,
    next_unread,
    starred_within,
    step_week,
    subtitle,
    view_rows,
)
from reader.feeds import describe_origins, has_feeds, source_marks, upvotes_of
from reader.model import Digest, Paper, week_label
from reader.patterns import compiled
from reader.query import (
    REGEX_SECONDS,
    SEARCH_COUNT_SECONDS,
    Cancelled,
    Query,
    QueryError,
    Spans,
    parse_query,
)
from reader.query.likes import paper_indices
from reader.reading import ReadCounts, ReadingState, repeated_weeks
from reader.records import frozen
from reader.state import Session, StateStore, normal_tag
from reader.text import inert

if TYPE_CHECKING:
    from reader.citations import Lookup
    from reader.exports import Export
    from reader.exports import Notice as ExportNotice
    from reader.similar import Ranking
    from reader.zotero import Sent

SYNC_FILTER_LIMIT = 20_000
"""Up to this many candidates a query is filtered at once; above, in a thread (unless the token
index answers the whole query: `Query.indexed`)."""
BULK_IN_THREAD = 2_000
"""Mark-all and its undo save more marks than this in a thread."""
SYNC_RANK_LIMIT = 20_000
"""Up to this many papers a `like:` query is ranked at once once the similarity index is there
(~4 ms at 10,000 papers); above, or while the index is still to be built, in a thread."""
SYNC_BUILD_LIMIT = 1_000
"""Up to this many papers the similarity index is built at once when a `like:` first needs it
(~0.1 s); above, in a thread (~1 s at 10,000 papers, 10-45 s at 100,000)."""
BACK_LIMIT = 20
"""`More like` views that Esc can go back from, one after another."""
_LIKE_TERM = compiled(r'(?<!\S)like:(?:"[^"]*"?|\S*)', re.IGNORECASE)
"""A `like:` term as written in a query (the header names its paper instead)."""
OPENING_SECONDS = SEARCH_COUNT_SECONDS
"""The time the query a digest opens with (restored from where it was left, or `--query`) may
take before the first paint; past it the query goes on in a thread with its whole budget
(`REGEX_SECONDS`) while the list shows the papers unfiltered: a slow regex cannot hold the
first paint."""
WARM_INDEX_LIMIT = 500
"""Above this many papers the search text and the token index are built in the background as
soon as a digest is shown (~15 ms and ~45 ms a thousand papers), not by the first keystroke typed
into the filter (at 1,000 papers that keystroke took 20 ms more than the next ones)."""


class Changed(enum.Flag):
    """What the screen must draw again."""

    NONE = 0
    LIST = enum.auto()
    """The rows listed (and the cursor)."""
    CURSOR = enum.auto()
    """Only the cursor moved."""
    MARKS = enum.auto()
    """The marks shown in the rows (read, starred, selected)."""
    SIDEBAR = enum.auto()
    TITLE = enum.auto()
    PANE = enum.auto()
    """The paper shown may be another one."""
    DETAILS = enum.auto()
    """What is known of the paper shown changed (its marks, note, tags, metadata)."""
    BAR = enum.auto()
    """The filter bar's text was replaced (not typed)."""
    ERROR = enum.auto()
    """Why the bar's text is not a query, or what of it was not understood (`Browse.error`)."""


Severity = Literal["information", "warning", "error"]


@frozen
class Toast:
    """A message for the user, shown literally."""

    text: str
    severity: Severity = "information"
    timeout: float = 4


@frozen
class Search:
    """A query to filter in a thread; its hits come back through `Browse.answer`, which drops
    them if a newer query or another digest came meanwhile."""

    query: Query
    candidates: Sequence[int]
    satisfied: Query | None
    generation: int
    digest: Digest
    state: ReadingState
    budget: float = REGEX_SECONDS
    """The seconds its regexes may take (`Query.filter`)."""
    newest: Callable[[], int] | None = field(default=None, compare=False, repr=False)
    """The generation of the newest query asked (`Browse.generation`): a run in a thread stops
    once a newer query was asked, even one answered at once, which starts no worker to call
    this one off (at 1M papers a letter's lookup went on ~100 ms for nothing)."""

    def run(self) -> list[int] | str:
        """The hits, or why there are none (a regex that ran out of its time budget)."""
        hits = self.run_unless(None)
        assert hits is not None  # only a run called off has none
        return hits

    def run_unless(self, cancelled: Callable[[], bool] | None) -> list[int] | str | None:
        """`run`, in a thread: None when `cancelled()` turned true meanwhile (a newer query came,
        and this one's work stops at its next step)."""
        newest, generation = self.newest, self.generation
        if cancelled is not None and newest is not None:
            asked = cancelled
            cancelled = lambda: newest() != generation or asked()  # noqa: E731
        try:
            return self.query.filter(
                self.digest,
                self.candidates,
                self.state,
                satisfied=self.satisfied,
                budget=self.budget,
                cancelled=cancelled,
            )
        except QueryError as exc:
            return exc.message
        except Cancelled:
            return None

    def rank(self) -> Ranking | None:
        """The order the query's `like:` terms ask for (None without any); the first one of a
        digest builds its similarity index (`reader.similar`)."""
        return self.query.ranking(self.digest, self.state)


@frozen
class Bulk:
    """Marks of many papers to save in a thread (`save`), then `Browse.saved`."""

    keys: list[str]
    save: Callable[[], None]
    done: str
    stars: bool = False
    """Stars change (the starred view may list other papers), not read marks."""


@frozen
class Warm:
    """Build the digest's search text and token index in the background."""

    digest: Digest


@frozen
class Handoff:
    """Where Z sends papers: Zotero's connector (the config's `zotero_url`, `--zotero-url`)
    and how long a request may take (`--timeout`)."""

    zotero_url: str = ""
    """"": `reader.zotero.ZOTERO_URL`, on this machine."""
    timeout: float = 15.0


@frozen
class ToZotero:
    """Papers to send to Zotero in a thread (`reader.zotero.send_to_zotero`), then
    `Browse.sent_to_zotero`."""

    papers: tuple[Paper, ...]
    lookup: Lookup
    handoff: Handoff


@frozen
class Merge:
    """Merge the sync folder into the store in a thread (`StateStore.sync_now`), then
    `Browse.synced`."""

    store: StateStore


Job = Search | Bulk | Warm | ToZotero | Merge
"""Work the screen runs in the background for the model."""


@frozen
class Back:
    """Where `Browse.more_like` left from, for Esc to come back: the view, the filter's text,
    the highlighted paper."""

    view: View
    text: str
    key: str


class RowMarks:
    """What the paper list shows beside each title, read from the model as it is now."""

    def __init__(self, browse: Browse) -> None:
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


def _inbox(digest: Digest) -> tuple[bool, bool]:
    """(whether feeds picked any paper of the digest, whether any has upvotes): the list then
    marks each paper's feeds and the pane names them; S then sorts by upvotes too."""
    if not has_feeds(digest.papers):
        return False, False
    return True, any(upvotes_of(paper) is not None for paper in digest.papers)


def _papers(count: int) -> str:
    return f"{count} paper{'s' if count != 1 else ''}"


def _when(seconds: float) -> str:
    """A time another machine wrote something, as the pane shows it (local time)."""
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


class Browse:
    """The main screen's state and operations (see the module's docstring)."""

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
        self.inbox, self.upvoted = _inbox(self.digest)
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
        self._all: tuple[Digest, list[int]] | None = None
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

    def links(self) -> list[tuple[str, str]]:
        """L: the highlighted paper's links (`reader.links.paper_links`), none without one."""
        from reader.links import paper_links

        paper = self.current_paper
        return paper_links(paper) if paper is not None else []

    def clip(self, kind: str) -> clips.Clip | None:
        """What y (`link`), Y (`markdown`), B (`bibtex`) and I (`ris`) copy of the targets."""
        papers = self.targets()
        if kind == "link":
            return clips.links(papers)
        if kind == "markdown":
            return clips.markdown_links(papers)
        metadata = self.store.arxiv.cached_metadata
        return clips.citations(papers, kind, metadata, self.metadata_failed)

    def export(
        self, fmt: str, directory: Path | None, browser: Callable[[Export], None] | None
    ) -> ExportNotice:
        """e / E: the papers listed as `--print --format fmt` writes them, saved in `directory`
        (None: the downloads folder), or handed to `browser` (served)."""
        from reader.exports import export_view  # startup: imported when used

        return export_view(
            self.digest,
            self.rows,
            fmt,
            week=self.week,
            query=self.query_text,
            state=self.store,
            metadata=self.store.arxiv.cached_metadata,
            directory=directory,
            browser=browser,
        )

    def arxiv_ids(self) -> list[str]:
        """The arXiv ids of the papers listed, once each."""
        papers = self.digest.papers
        return list(dict.fromkeys(i for i in (papers[n].arxiv_id for n in self.rows) if i))

    def session(self) -> Session:
        """Where this digest is left: the week, the query, the paper."""
        week = "all" if self.week is None else self.week.isoformat()
        return Session(week, self.query_text, self.shown_key)

    def warm(self) -> Warm | None:
        """The background build of the search index, for a digest big enough to want one."""
        return Warm(self.digest) if len(self.digest) > WARM_INDEX_LIMIT else None

    def _starred(self) -> list[int]:
        return self.counts.indices_of(self.store.starred_keys())

    # --- what the screen draws --------------------------------------------------------------

    def title(self, compact: bool = False) -> str:
        """The header's subtitle (with the number of selected papers); `compact` (tiny screens):
        the count first (the query is in the bar)."""
        total = None
        if not self.query.is_empty:
            starred_only = self.view.starred_only
            total = len(self._starred() if starred_only else self.digest.indices(self.week))
        text = subtitle(
            self.view, len(self.rows), total, compact=compact, query=self._query_label()
        )
        chosen = len(self.selected)
        return f"{text} · {chosen} selected" if chosen else text

    def _query_label(self) -> str:
        """The applied query as the header says it: a `like:ID` term as `More like “Title”`."""
        text, likes = self.query_text, self.query.likes
        if len(likes) != 1 or likes[0].what != "paper":
            return text
        found = paper_indices(self.counts.indices, likes[0])
        if not found:
            return text
        title = " ".join(self.digest.papers[found[0]].title.split())
        label = f"More like “{title if len(title) <= 48 else title[:47] + '…'}”"
        rest = " ".join(_LIKE_TERM.sub(" ", text).split())
        return f"{label} · {rest}" if rest else label

    def empty_lines(self, typing: bool = False) -> list[str]:
        """What the list says while it is empty (nothing while it is not); `typing`: the filter
        bar has the focus, so the keys it names are those that work there."""
        if self.rows:
            return []
        filtered = not self.query.is_empty
        found = elsewhere(self.digest, self.hits, self.week)
        return empty_lines(self.view, filtered, found, typing)

    def pane(self, index: int | None = None) -> Pane:
        """What the abstract pane shows: the highlighted paper (or the paper at `index`, as it
        would show when highlighted), or why there is none."""
        if index is None:
            index = self.current
        if index is None:
            return Pane(message="No papers match." if not self.query.is_empty else "No papers.")
        paper = self.digest.papers[index]
        key, store = paper.key, self.store
        return Pane(
            paper,
            spans=self.spans,
            other_weeks=tuple(w for w in self.repeated.get(key, ()) if w != paper.week),
            read=store.is_read(key),
            starred=store.is_starred(key),
            meta=store.arxiv.cached_metadata(paper.arxiv_id) if paper.arxiv_id else None,
            note=store.note(key),
            tags=store.tags(key),
            sources=describe_origins(paper) if self.inbox else "",
            conflicts=store.note_conflicts(key),
            similar=self._shared(index),
            score=None if self.ranking is None else self.ranking.score(index),
        )

    def _shared(self, index: int) -> tuple[str, ...]:
        """Under a `like:` query: the words the paper at `index` shares with what it is like."""
        ranking = self.ranking
        if ranking is None:
            return ()
        return tuple(ranking.words(self.digest, index))

    def sidebar(self) -> list[Entry]:
        """The sidebar's rows: All weeks, Starred, the weeks, categories, tags, searches."""
        digest, hits, filtered = self.digest, self.hits, not self.query.is_empty
        starred = starred_within(len(digest), self._starred(), hits)
        entries = sidebar_entries(
            digest,
            self.view,
            hits,
            query=self.query_text,
            filtered=filtered,
            unread_all=self.counts.unread(None),
            starred_count=len(starred),
            week_rows=self._week_rows.rows(
                digest, hits, filtered, self.marks_version, self.counts.unread
            ),
            categories=self._categories.counts(
                digest,
                self.view,
                hits,
                self.rows,
                query=self.query_text,
                state=self.store,
                starred=self._starred,
                marks_version=self.marks_version,
                refilter_limit=SYNC_FILTER_LIMIT,
            ),
        )
        return entries + self._tag_entries() + self._search_entries()

    def _tag_entries(self) -> list[Entry]:
        """The "Tags" section: each tag in use on this digest's papers, with its count."""
        counts: dict[str, int] = {}
        known = self.counts.indices
        for key, tags in self.store.tag_map().items():
            if key in known:
                for tag in tags:
                    counts[tag] = counts.get(tag, 0) + 1
        return tag_entries(counts, self.query_text) if counts else []

    def _search_entries(self) -> list[Entry]:
        """The "Searches" section: each saved search with its unread/total count."""
        searches = self.store.searches()
        if not searches:
            return []
        key = (tuple(searches.items()), self.marks_version, id(self.digest))
        cached = self._search_counts
        if cached is None or cached[0] != key:
            counts: dict[str, str] = {}
            everything = range(len(self.digest))
            for name, text in searches.items():
                try:  # within a small budget: a slow regex cannot hold the first paint
                    hits = parse_query(text).filter(
                        self.digest, everything, self.store, budget=SEARCH_COUNT_SECONDS
                    )
                except QueryError:
                    counts[name] = "!"
                    continue
                papers = self.digest.papers
                unread = sum(1 for i in hits if not self.store.is_read(papers[i].key))
                counts[name] = f"{unread}/{len(hits)}"
            self._search_counts = cached = (key, counts)
        return search_entries(searches, cached[1], self.view, self.query_text)

    # --- the rows and the cursor ------------------------------------------------------------

    def _relist(self, keep: int | None = None) -> None:
        """List the rows of the view and its hits again, the cursor on the paper `keep`
        (default: the highlighted one) if it is still listed, else on the first row."""
        if keep is None:
            keep = self.current
        self.rows = view_rows(self.digest, self.hits, self.view, self._starred, self.ranking)
        self.cursor = 0
        if keep is not None and keep >= 0:  # -1: the first row (no search of 100k rows)
            with contextlib.suppress(ValueError):  # not listed: the first row
                self.cursor = self.rows.index(keep)
        self._moved()
        self._changed |= Changed.LIST | Changed.SIDEBAR | Changed.TITLE | Changed.PANE

    def _moved(self) -> None:
        paper = self.current_paper
        if paper is not None:
            self.shown_key = paper.key

    def point(self, row: int) -> bool:
        """The list's cursor moved to `row` (by the list's own keys or the mouse); False when
        it was there already."""
        if row == self.cursor or not 0 <= row < len(self.rows):
            return False
        self.cursor = row
        self._moved()
        self._changed |= Changed.PANE
        return True

    def _move(self, row: int) -> None:
        """Move the cursor (the list is told)."""
        self.cursor = row
        self._moved()
        self._changed |= Changed.CURSOR | Changed.PANE

    def _show(self, view: View, keep: int | None = None) -> None:
        self.view = view
        self._relist(keep)

    def show_week(self, week: date | None, starred_only: bool = False) -> None:
        """Show `week` (None: All weeks), keeping the highlighted paper when it is there."""
        if week != self.week or starred_only != self.starred_only:
            self._show(replace(self.view, week=week, starred_only=starred_only))

    def step_week(self, delta: int) -> None:
        """One week older (1) or newer (-1) that has matches; from All weeks (or Starred) the
        highlighted paper's week, the cursor staying on it, else the newest."""
        if not self.digest.weeks:
            return
        paper = self.current_paper
        if self.week is None and paper is not None and paper.week in self.digest.weeks:
            self.show_week(paper.week)
            return
        filtered = not self.query.is_empty
        target = step_week(self.digest, self.hits, self.week, delta, filtered)
        if target is None:
            where = "older" if delta > 0 else "newer"
            matching = " with matches" if self.query_text else ""
            self.say(f"No {where} week{matching}.", timeout=2)
            return
        self.show_week(target)

    def rows_ahead(self) -> list[list[int]]:
        """The rows `step_week` would list next, one week older and one newer (each with
        matches), for the screen to render ahead while idle; none outside one week's view."""
        view, digest = self.view, self.digest
        if view.week is None or view.starred_only:
            return []
        filtered = not self.query.is_empty
        ahead = []
        for delta in (1, -1):
            week = step_week(digest, self.hits, view.week, delta, filtered)
            if week is not None:
                other = replace(view, week=week)
                rows = view_rows(digest, self.hits, other, self._starred, self.ranking)
                if rows:
                    ahead.append(rows)
        return ahead

    def papers_ahead(self, weeks: Sequence[Sequence[int]]) -> list[int]:
        """The papers whose abstract the next key most likely shows, for the screen to render
        ahead while idle: those above and below the cursor, and the first of each of `weeks`
        (`rows_ahead`: where `[` and `]` go)."""
        rows, cursor = self.rows, self.cursor
        papers = [rows[row] for row in (cursor + 1, cursor - 1) if 0 <= row < len(rows)]
        papers.extend(week[0] for week in weeks)
        return papers

    def cycle_sort(self) -> None:
        cycle: tuple[str, ...] = (*SORT_CYCLE, "upvotes") if self.upvoted else SORT_CYCLE
        if self.ranking is not None:  # a like: query: by similarity first
            cycle = (SIMILAR, *cycle)
        self._show(self.view.next_sort(cycle))
        self.say(f"Sorted by {self.sort}", timeout=1.5)

    def reverse_sort(self) -> None:
        self._show(replace(self.view, reverse=not self.view.reverse))

    def jump_unread(self, step: int) -> None:
        """To the next (step 1) or previous (-1) unread paper, into older or newer weeks."""
        papers, is_read = self.digest.papers, self.store.is_read
        found = next_unread(
            self.digest,
            self.hits,
            self.view,
            self.rows,
            self.cursor,
            step,
            lambda index: not is_read(papers[index].key),
        )
        if found is None:
            self.say("No more unread papers this way.", timeout=2)
        elif found.week == self.week:
            self._move(found.position)
        else:
            self._show(replace(self.view, week=found.week), keep=found.rows[found.position])

    def _cursor_to_key(self, key: str) -> None:
        for index in self.counts.indices.get(key, ()):
            if index in self.rows:
                self._move(self.rows.index(index))
                return

    # --- the query --------------------------------------------------------------------------

    def open(self) -> None:
        """List the digest as it opens: its query applied, the cursor on the paper it was left
        on; when nothing matches in the week it opened on (not one asked for), all weeks. The
        query filters here within `OPENING_SECONDS`; past them in a thread, the papers listed
        unfiltered meanwhile."""
        self.ask(self.text, budget=OPENING_SECONDS)
        if self._opening is not None and not self._jobs:  # a bad query: listed without it
            self._relist()
            self._opened()

    def _opened(self) -> None:
        paper, self._opening = self._opening, None
        if paper:
            self._cursor_to_key(paper)
        week = self.week
        if week is not None and self.hits and not self.rows and not self.week_given:
            self.say(f"Nothing matches in {week_label(week)}: showing all weeks.")
            self.show_week(None)

    def ask(self, text: str, budget: float = REGEX_SECONDS) -> None:
        """Filter by `text` (typed into the bar): at once, or in a thread (a `Search` job); a
        bad query keeps the previous results and says why (`error`). `budget`: the time its
        regexes may take at once; past it (when less than their whole budget) they go on in
        a thread."""
        self.text = text
        try:
            query = parse_query(text)
        except QueryError as exc:
            self.error = f"⚠ {inert(exc.message)}"
            self._changed |= Changed.ERROR
            return
        notes = [*query.notes, *query.digest_notes(self.digest)]  # said, with the results
        said = "⚠ " + inert("; ".join(str(note) for note in notes)) if notes else None
        if self.error != said:
            self.error = said
            self._changed |= Changed.ERROR
        self.generation += 1
        candidates: Sequence[int] = range(len(self.digest))
        satisfied: Query | None = None
        if not query.is_empty and self.query_text and query.narrows(self.query):
            candidates, satisfied = self.hits, self.query
        search = Search(
            query,
            candidates,
            satisfied,
            self.generation,
            self.digest,
            self.store,
            newest=self._newest,
        )
        if query.is_empty:
            self.answer(search, self._every_paper())
        elif query.likes:
            self._rank(search, budget)
        elif len(candidates) <= SYNC_FILTER_LIMIT or query.indexed(self.digest):
            self._at_once(search, budget)
        else:
            self._jobs.append(search)

    def _newest(self) -> int:
        return self.generation

    def _every_paper(self) -> list[int]:
        """Every paper's index (an empty query's hits), copied from a list made once per digest:
        making a million int objects took ~80 ms of a backspace's echo at 1M papers."""
        known = self._all
        if known is None or known[0] is not self.digest:
            known = self._all = (self.digest, list(range(len(self.digest))))
        return list(known[1])

    def _at_once(self, search: Search, budget: float, ranked: bool = False) -> None:
        """Filter `search` now (and rank it when `ranked`), its regexes within `budget`; past
        it, when that is less than their whole budget (the query a digest opens with), on in
        a thread, the papers listed unfiltered meanwhile."""
        hits = replace(search, budget=budget).run()
        if isinstance(hits, str) and budget < search.budget:
            self._jobs.append(search)
            if self._opening is not None:
                self._relist()
                self._opened()
            return
        self.answer(search, hits, search.rank() if ranked and isinstance(hits, list) else None)

    def _rank(self, search: Search, budget: float) -> None:
        """A `like:` query: ranked at once when that is quick (a small digest, or the index is
        there and the digest not big), else in a thread."""
        count = len(self.digest)
        from reader import similar  # a like: query's; not imported before the first paint

        built = similar.cached(self.digest) is not None
        if count <= SYNC_BUILD_LIMIT or (built and count <= SYNC_RANK_LIMIT):
            self._at_once(search, budget, ranked=True)
            return
        if not built:
            self.say("Finding similar papers (the first time builds an index, kept for next time)…")
        self._jobs.append(search)

    def answer(
        self, search: Search, hits: list[int] | str, ranking: Ranking | None = None
    ) -> None:
        """The hits of `search` (and its `like:` order), unless a newer query (or digest) has
        come meanwhile; a message instead of hits (a regex out of time) is said, and the
        previous results stay. A query with `like:` sorts by similarity unless S chose another
        order than by week; without it, by similarity is by week again."""
        if search.generation != self.generation or search.digest is not self.digest:
            return
        after, self._after = self._after, None
        if isinstance(hits, str):
            self.error = f"⚠ {inert(hits)}"
            self._changed |= Changed.ERROR
            if self._opening is not None:  # the digest opened with it: listed without it
                self._relist()
                self._opened()
            return
        if after is not None and after[0] == search.generation:  # ~'s view, with its answer
            self.view = after[1]
        liked = self.query.likes
        self.query, self.hits, self.ranking = search.query, hits, ranking
        if ranking is not None and self.view.sort == "week":
            self.view = replace(self.view, sort="similarity")
        elif ranking is None and self.view.sort == "similarity":
            self.view = replace(self.view, sort="week")
        # like: papers another than before: the most similar first, under the cursor
        self._relist(-1 if ranking is not None and search.query.likes != liked else None)
        if self._opening is not None:
            self._opened()

    def more_like(self) -> None:
        """~: the papers most like the highlighted one, of every week (`like:KEY`, which the
        filter bar shows); Esc comes back (`go_back`)."""
        paper = self.current_paper
        if paper is None:
            return
        self._back.append(Back(self.view, self.text, paper.key))
        del self._back[:-BACK_LIMIT]
        key = paper.key
        term = f'like:"{key}"' if any(c.isspace() or c == '"' for c in key) else f"like:{key}"
        view = View(sort="similarity")
        generation = self.generation
        self._after = (generation + 1, view)
        self.set_query(term)
        from reader import similar

        if self.generation == generation or (
            self.query_text != term and similar.cached(self.digest) is None
        ):
            # not asked, or ranked in a thread that builds the index first (seconds): every
            # week meanwhile; with the index there the answer comes within a frame or two, and
            # the view changes with it (no frame of every week unranked in between)
            self._after = None
            self.view = view
            self._relist()

    def go_back(self) -> None:
        """Esc after ~: the view, the query and the paper from before the `More like` view."""
        if not self._back:
            return
        back = self._back.pop()
        self.view = back.view
        self._opening = back.key  # the cursor goes back to it once the query is answered
        self.set_query(back.text)
        if self._opening is not None:  # not answered yet (a thread), or the same query
            self._relist()
            if self.text == self.query_text:
                self._opened()

    def set_query(self, text: str) -> None:
        """Replace the query text (the bar shows it) and apply it."""
        self._changed |= Changed.BAR
        if text != self.text:
            self.ask(text)

    def toggle_category(self, category: str) -> None:
        """The category facet is single-choice: picking a category replaces the one picked
        before; picking it again removes it."""
        self.set_query(pick_category(self.query_text, category))

    def narrow_category(self) -> None:
        """Only the highlighted paper's category (c)."""
        paper = self.current_paper
        if paper is None or not paper.category:
            return
        if not category_active(self.query_text, paper.category):
            self.toggle_category(paper.category)

    def toggle_tag(self, tag: str) -> None:
        """Add the term tag:NAME to the query, or remove it where it is."""
        self.set_query(toggle_tag(self.query_text, tag))

    def pick_search(self, name: str) -> None:
        """Show a saved search: its query over all weeks."""
        text = self.store.searches().get(name)
        if text is None:
            return
        self._show(replace(self.view, week=None, starred_only=False))
        if text != self.query_text:
            self.set_query(text)

    # --- reading state: marks, the selection, undo ------------------------------------------

    def _push(self, change: Change) -> None:
        self._undo.append(change)
        del self._undo[:-UNDO_LIMIT]

    def _marks_changed(self, keys: Sequence[str]) -> None:
        self.counts.update(keys)
        self.marks_version += 1
        self._changed |= Changed.MARKS | Changed.SIDEBAR | Changed.DETAILS

    def mark_read(self, index: int) -> None:
        """The paper at `index` was read (dwelt on, copied, opened): not undone by u."""
        key = self.digest.papers[index].key
        if not self.store.is_read(key):
            self.store.set_read([key], True)
            self._marks_changed([key])

    def mark_current_read(self) -> None:
        """The highlighted paper was used (its link copied or opened): read."""
        if self.current is not None:
            self.mark_read(self.current)

    def toggle_read(self) -> None:
        """m: the highlighted paper read or unread; with a selection, all of it."""
        store = self.store
        keys = list(self.selected) or [p.key for p in self.targets()]
        if not keys:
            return
        self._push(MarksChange(store.snapshot_read(keys)))
        if self.selected:
            value = not all(store.is_read(key) for key in keys)
            store.set_read(keys, value)
            self.say(f"{len(keys)} papers marked {'read' if value else 'unread'}.", timeout=2)
        else:
            store.toggle_read(keys[0])
        self._marks_changed(keys)

    def toggle_star(self) -> None:
        """s: star or unstar the highlighted paper; with a selection, all of it."""
        store = self.store
        keys = list(self.selected) or [p.key for p in self.targets()]
        if not keys:
            return
        self._push(MarksChange({key: store.is_starred(key) for key in keys}, starred=True))
        if self.selected:
            value = not all(store.is_starred(key) for key in keys)
            store.set_starred(keys, value)
            self.say(f"{len(keys)} papers {'starred ★' if value else 'unstarred'}.", timeout=2)
        else:
            value = store.toggle_star(keys[0])
            self.say("Starred ★" if value else "Star removed", timeout=1.5)
        self._marks_changed(keys)
        self._stars_changed(value)

    def _stars_changed(self, starred: bool) -> None:
        """The starred view lists other papers now: the cursor stays where it was."""
        if self.starred_only:
            cursor = self.cursor
            self._relist()
            if not starred and self.rows and not self.selected:
                self.cursor = min(cursor, len(self.rows) - 1)
                self._moved()

    def mark_view_read(self) -> None:
        """M: every paper listed read (u undoes it)."""
        keys = [self.digest.papers[i].key for i in self.rows]
        unread = [key for key, read in self.store.snapshot_read(keys).items() if not read]
        if not unread:
            self.say("Every paper here is read already.", timeout=2)
            return
        self._push(MarksChange(dict.fromkeys(unread, False)))  # only what changed
        done = f"Marked {_papers(len(unread))} read (u undoes)."
        self._save(Bulk(unread, lambda: self.store.set_read(unread, True), done))

    def undo(self) -> None:
        """u: put back the last change of any kind (marks, stars, a note, tags, a search)."""
        if not self._undo:
            self.say("Nothing to undo.", timeout=2)
            return
        change = self._undo.pop()
        if isinstance(change, MarksChange):
            save, done = change.restore, change.undone()
            self._save(Bulk(list(change.before), lambda: save(self.store), done, change.starred))
            return
        change.restore(self.store)
        self.say(change.undone(), timeout=2)
        if isinstance(change, SearchChange):
            self._changed |= Changed.SIDEBAR
        else:
            self._annotations_changed()

    def _save(self, bulk: Bulk) -> None:
        """Save many marks: thousands in a thread, so the keyboard stays live."""
        if len(bulk.keys) <= BULK_IN_THREAD:
            bulk.save()
            self.saved(bulk)
        else:
            self.say(f"Saving {len(bulk.keys)} marks…", timeout=2)
            self._jobs.append(bulk)

    def saved(self, bulk: Bulk) -> None:
        """The marks of `bulk` are saved."""
        self._marks_changed(bulk.keys)
        if bulk.stars:
            self._stars_changed(False)
        self.say(bulk.done)

    def toggle_selection(self) -> None:
        """x: select or unselect the highlighted paper, then move on to the next."""
        paper = self.current_paper
        if paper is None:
            return
        if paper.key in self.selected:
            del self.selected[paper.key]
        else:
            self.selected[paper.key] = None
        self._changed |= Changed.MARKS | Changed.TITLE
        if self.cursor < len(self.rows) - 1:
            self._move(self.cursor + 1)

    def clear_selection(self) -> None:
        count = len(self.selected)
        self.selected.clear()
        self._changed |= Changed.MARKS | Changed.TITLE
        self.say(f"Selection cleared ({count}).", timeout=1.5)

    def refresh_marks(self) -> None:
        """Pick up marks that another running instance saved meanwhile."""
        self.store.refresh()
        self.counts = ReadCounts(self.digest, self.store.is_read, self.counts.indices)
        self.marks_version += 1
        self._changed |= Changed.MARKS | Changed.SIDEBAR | Changed.DETAILS

    # --- the reader's own layer: notes, tags, saved searches --------------------------------

    def _annotations_changed(self) -> None:
        """Notes or tags changed: queries about them, the sidebar and the pane may differ."""
        self.marks_version += 1
        if self.query_text:
            self.ask(self.query_text)
        else:
            self._changed |= Changed.SIDEBAR
        self._changed |= Changed.DETAILS

    def set_note(self, key: str, text: str) -> None:
        """N: the paper's note is `text` (blank: none)."""
        before = self.store.note(key)
        self.store.set_note(key, text)
        if self.store.note(key) != before:
            papers = self.digest.papers
            title = next((papers[i].title for i in self.counts.indices.get(key, ())), key)
            self._push(NoteChange(key, title, before))
        if text != before:
            self.say("Note kept." if text.strip() else "Note removed.", timeout=1.5)
        self._annotations_changed()

    def set_tags(self, key: str, text: str) -> None:
        """t: the paper's tags are the words of `text`."""
        before = self.store.tags(key)
        tags = self.store.set_tags(key, text.split())
        if tags != before:
            self._push(TagsChange({key: before}))
        self.say(f"Tags: {' '.join(tags) or 'none'}", timeout=1.5)
        self._annotations_changed()

    def tag_selection(self, keys: Sequence[str], text: str) -> None:
        """t with a selection: `tag` adds a tag to every paper of `keys`, `-tag` removes it."""
        before = {key: self.store.tags(key) for key in keys}
        added: list[str] = []
        removed: list[str] = []
        for word in text.split():
            name = normal_tag(word.removeprefix("-"))
            if name:
                self.store.tag(keys, name, on=not word.startswith("-"))
                (removed if word.startswith("-") else added).append(name)
        if any(self.store.tags(key) != tags for key, tags in before.items()):
            self._push(TagsChange(before))
        done = [f"+{tag}" for tag in added] + [f"-{tag}" for tag in removed]
        self.say(f"{len(keys)} papers: {' '.join(done) or 'no change'}", timeout=2)
        self._annotations_changed()

    def save_search(self, name: str, text: str) -> None:
        """w: keep the query `text` under `name` (an existing search of that name is replaced)."""
        name = " ".join(name.split())
        if not name:
            return
        before = self.store.searches().get(name)
        if not self.store.save_search(name, text):  # over the limits: the store's warning says why
            return
        self._push(SearchChange(name, before))
        replaced = "replaced" if before is not None else "saved"
        self.say(f"Search {replaced}: {inert(name)}", timeout=2)
        self._changed |= Changed.SIDEBAR

    def delete_search(self, name: str) -> None:
        """Del: forget the saved search `name` (u brings it back)."""
        before = self.store.searches().get(name)
        self.store.delete_search(name)
        if before is not None:
            self._push(SearchChange(name, before))
        self.say(f"Search deleted: {inert(name)}", timeout=2)
        self._changed |= Changed.SIDEBAR

    def note_to_edit(self, key: str) -> str:
        """What N puts in the editor: the note, then each of its other texts (written on another
        machine) under a line naming it, so that keeping the edit settles them."""
        text = self.store.note(key)
        for other in self.store.note_conflicts(key):
            heading = f"--- {other.machine}, {_when(other.when)} ---"
            text = f"{text.rstrip()}\n\n{heading}\n{other.text}".lstrip("\n")
        return text

    def keep_note(self) -> None:
        """K: keep the note shown over its other texts (from other machines)."""
        paper = self.current_paper
        if paper is None:
            return
        key = paper.key
        others = self.store.note_conflicts(key)
        if not others:
            self.say("This note has no other text to settle.", timeout=2)
            return
        self.store.keep_note(key, self.store.note(key))
        count = len(others)
        dropped = "other text goes" if count == 1 else f"{count} other texts go"
        self.say(f"Kept this note; its {dropped} as each machine syncs.", timeout=3)
        self._annotations_changed()

    # --- other machines and reference managers ----------------------------------------------

    def send_to_zotero(self) -> None:
        """Z: send the selected papers (or the highlighted one) to Zotero, in the background."""
        papers = self.targets()
        if not papers:
            return
        self._jobs.append(ToZotero(tuple(papers), self.store.arxiv.cached_metadata, self.handoff))
        self.say(f"Sending {_papers(len(papers))} to Zotero…", timeout=2)

    def sent_to_zotero(self, sent: Sent) -> None:
        severity: Severity = "information" if sent.ok else "warning" if sent.sent else "error"
        self.say(inert(sent.message), severity, timeout=4 if sent.ok else 8)

    def merge(self) -> None:
        """Merge what other machines wrote in the sync folder (opening, r, --watch), in the
        background; nothing without a sync folder."""
        if self.store.sync is not None:
            self._jobs.append(Merge(self.store))

    def synced(self, message: str) -> None:
        """The sync folder was merged: show what came (`message`, "" when nothing did)."""
        if not message:
            return
        self.refresh_marks()
        self._annotations_changed()
        self.say(f"Synced: {inert(message)}.", timeout=4)

    # --- another digest ---------------------------------------------------------------------

    def replace_digest(self, digest: Digest) -> None:
        """A reloaded digest (or the same with fetched authors): the week, query and highlighted
        paper stay where they still exist."""
        digest = with_cached_authors(digest, self.store.arxiv.metadata)
        current = self.current_paper
        self.generation += 1
        self.store.refresh()  # marks another instance wrote meanwhile
        self.digest = digest
        self.counts = ReadCounts(digest, self.store.is_read)
        self.marks_version += 1
        self.repeated = repeated_weeks(digest, self.counts.indices)
        self.inbox, self.upvoted = _inbox(digest)
        self._categories = CategoryCounts()
        view = self.view
        if view.week is not None and view.week not in digest.week_ranges:
            view = replace(view, week=digest.weeks[0] if digest.weeks else None)
        everything = range(len(digest))
        query = self.query
        self.hits = (
            list(everything) if query.is_empty else query.filter(digest, everything, self.store)
        )
        keep = None
        if current is not None:
            same = self.counts.indices.get(current.key, ())
            keep = next((i for i in same if digest.papers[i].week == current.week), None)
        self.ranking = None  # of the digest before: ranked again below
        self._show(view, keep=keep)
        if query.likes:
            self._opening = None if current is None else current.key
            self.ask(self.text)
        warm = self.warm()
        if warm is not None:
            self._jobs.append(warm)

    def authors_fetched(self) -> None:
        """arXiv metadata was fetched: the authors join the list, the pane and author:."""
        self.replace_digest(self.digest)
        self._changed |= Changed.DETAILS

    def metadata_report(self, failed: Collection[str], found: Collection[str]) -> None:
        """A fetch of arXiv metadata ended: the ids it `failed` to get (until one brings them)."""
        self.metadata_failed = (self.metadata_failed | set(failed)) - set(found)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans, those that overlap or touch made one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
