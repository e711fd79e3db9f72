"""What the browse model hands the screen after an operation: what changed (`Changed`), the
toasts (`Toast`) and the background work it asks for (`Job`: a big filter, thousands of marks, the
search index, a handoff to Zotero, a merge of the sync folder); and the thresholds above which
work goes to a thread (tests lower them here: `reader.browse.jobs.SYNC_FILTER_LIMIT`, ...)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Literal

from reader import collector
from reader.model import Digest, Paper
from reader.query import REGEX_SECONDS, SEARCH_COUNT_SECONDS, Cancelled, Query, QueryError
from reader.reading import ReadingState
from reader.records import frozen
from reader.state import StateStore

if TYPE_CHECKING:
    from reader.citations import Lookup
    from reader.similar import Ranking

SYNC_FILTER_LIMIT = 20_000
"""Up to this many candidates a query is filtered at once; above, in a thread (unless the token
index answers the whole query: `Query.indexed`)."""
BULK_IN_THREAD = 2_000
"""Mark-all and its undo save more marks than this in a thread."""
SYNC_RANK_LIMIT = 200_000
"""Up to this many papers a `like:` query is ranked at once once the similarity index is there
(~6 ms at 10,000 papers, ~20 ms at 100,000: the first screen of it, `similar.Ordered`; in a
thread the same took longer, the UI thread drawing meanwhile); above, or while the index is
still to be built, in a thread."""
SYNC_BUILD_LIMIT = 1_000
"""Up to this many papers the similarity index is built at once when a `like:` first needs it
(~0.1 s); above, in a thread (~1 s at 10,000 papers, 10-45 s at 100,000)."""
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
        """The hits, or why there are none (a regex that ran out of its time budget). Of many
        candidates, the young generation is collected first (`reader.collector.making`): the
        hits, a ranking and the rows made of them are frozen before any collection walks them."""
        collector.making(len(self.candidates))
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
            hits = self.query.filter(
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
        if isinstance(hits, list):  # big: frozen at once (in a thread too: a like: query
            collector.made(len(hits))  # builds the index for seconds after its hits)
        return hits

    def rank(self) -> Ranking | None:
        """The order the query's `like:` terms ask for (None without any); the first one of a
        digest builds its similarity index (`reader.similar`). Its scores, one per paper, are
        frozen at once when many (`reader.collector.made`)."""
        ranking = self.query.ranking(self.digest, self.state)
        if ranking is not None:
            collector.made(len(ranking.totals))
        return ranking


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
