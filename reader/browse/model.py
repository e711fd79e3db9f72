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

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reader.arxiv import with_cached_authors
from reader.browse import clips, jobs
from reader.browse.core import inbox_of
from reader.browse.jobs import Changed, Merge, Severity, ToZotero, Warm
from reader.browse.marking import Marking
from reader.browse.pane import Pane
from reader.browse.sidebar import (
    CategoryCounts,
    Entry,
    SidebarRows,
    search_entries,
    sidebar_entries,
    tag_entries,
    without_facet,
)
from reader.browse.undo import papers_text
from reader.browse.view import View, elsewhere, empty_lines, starred_within, subtitle
from reader.feeds import describe_origins
from reader.model import Digest
from reader.patterns import compiled
from reader.query import SEARCH_COUNT_SECONDS, QueryError, category_counts, parse_query
from reader.query.likes import paper_indices
from reader.reading import ReadCounts, repeated_weeks
from reader.state import Session
from reader.text import inert

if TYPE_CHECKING:
    from reader.exports import Export
    from reader.exports import Notice as ExportNotice
    from reader.zotero import Sent

_LIKE_TERM = compiled(r'(?<!\S)like:(?:"[^"]*"?|\S*)', re.IGNORECASE)
"""A `like:` term as written in a query (the header names its paper instead)."""


class Browse(Marking):
    """The main screen's state and operations (see the module's docstring)."""

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
        return Warm(self.digest) if len(self.digest) > jobs.WARM_INDEX_LIMIT else None

    # --- what the screen draws --------------------------------------------------------------

    def title(self, compact: bool = False) -> str:
        """The header's subtitle (with the number of selected papers); `compact` (tiny screens):
        the count first (the query is in the bar)."""
        return self._title(self.view, len(self.rows), compact)

    def title_ahead(self, week: date, rows: Sequence[int], compact: bool = False) -> str:
        """The header's subtitle once `step_week` has shown `week`, whose rows are `rows`
        (`weeks_ahead`), for the screen to render ahead while idle."""
        return self._title(replace(self.view, week=week), len(rows), compact)

    def _title(self, view: View, count: int, compact: bool) -> str:
        total = None
        if not self.query.is_empty:
            starred_only = view.starred_only
            total = len(self._starred() if starred_only else self.digest.indices(view.week))
        text = subtitle(view, count, total, compact=compact, query=self._query_label())
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

    def sidebar(self) -> SidebarRows:
        """The sidebar's rows: All weeks, Starred, the weeks, categories, tags, searches (the
        week rows made when asked for: `SidebarRows`)."""
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
                refilter_limit=jobs.SYNC_FILTER_LIMIT,
            ),
            more=self._tag_entries() + self._search_entries(),
        )
        return entries

    def sidebar_ahead(self, week: date, rows: Sequence[int]) -> SidebarRows | None:
        """The sidebar's rows once `step_week` has shown `week`, whose rows are `rows`
        (`weeks_ahead`), for the screen to render ahead while idle (a week switch at 1k papers
        rendered its ~15 category rows); None when a category is picked (its counts are then
        those of the view without it)."""
        if without_facet(self.query_text) != self.query_text:
            return None
        digest, hits, filtered = self.digest, self.hits, not self.query.is_empty
        return sidebar_entries(
            digest,
            replace(self.view, week=week),
            hits,
            query=self.query_text,
            filtered=filtered,
            unread_all=self.counts.unread(None),
            starred_count=len(starred_within(len(digest), self._starred(), hits)),
            week_rows=self._week_rows.rows(
                digest, hits, filtered, self.marks_version, self.counts.unread
            ),
            categories=category_counts(digest, rows),
            more=self._tag_entries() + self._search_entries(),
        )

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

    # --- other machines and reference managers ----------------------------------------------

    def send_to_zotero(self) -> None:
        """Z: send the selected papers (or the highlighted one) to Zotero, in the background."""
        papers = self.targets()
        if not papers:
            return
        self._jobs.append(ToZotero(tuple(papers), self.store.arxiv.cached_metadata, self.handoff))
        self.say(f"Sending {papers_text(len(papers))} to Zotero…", timeout=2)

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
        self.inbox, self.upvoted = inbox_of(digest)
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
