"""The query: the filter bar's text applied (at once, or as a `Search` job whose hits come back
through `answer`), the digest's opening query, `like:` and its ranking, ~ and Esc back, and the
keys that change the query (categories, tags, saved searches)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from reader.browse import jobs
from reader.browse.core import Back
from reader.browse.jobs import Changed, Search
from reader.browse.rows import Rows
from reader.browse.sidebar import category_active, pick_category, toggle_tag
from reader.browse.view import View
from reader.model import week_label
from reader.query import REGEX_SECONDS, Query, QueryError, parse_query
from reader.text import inert

if TYPE_CHECKING:
    from reader.similar import Ranking

BACK_LIMIT = 20
"""`More like` views that Esc can go back from, one after another."""


class Querying(Rows):
    """The query and its hits (see the module's docstring)."""

    def open(self) -> None:
        """List the digest as it opens: its query applied, the cursor on the paper it was left
        on; when nothing matches in the week it opened on (not one asked for), all weeks. The
        query filters here within `jobs.OPENING_SECONDS`; past them in a thread, the papers listed
        unfiltered meanwhile."""
        self.ask(self.text, budget=jobs.OPENING_SECONDS)
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
        elif len(candidates) <= jobs.SYNC_FILTER_LIMIT or query.indexed(self.digest):
            self._at_once(search, budget)
        else:
            self._jobs.append(search)

    def _newest(self) -> int:
        return self.generation

    def _every_paper(self) -> list[int]:
        """Every paper's index (an empty query's hits), copied from a tuple made once per digest:
        making a million int objects took ~80 ms of a backspace's echo at 1M papers (a tuple of
        ints, which the garbage collector stops walking once it has seen it)."""
        known = self._all
        if known is None or known[0] is not self.digest:
            known = self._all = (self.digest, tuple(range(len(self.digest))))
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
        if count <= jobs.SYNC_BUILD_LIMIT or (built and count <= jobs.SYNC_RANK_LIMIT):
            self._at_once(search, budget, ranked=True)
            return
        if not built:
            self.say("Finding similar papers (the first time builds an index, kept for next time)…")
        self._jobs.append(search)

    def answer(self, search: Search, hits: list[int] | str, ranking: Ranking | None = None) -> None:
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
