"""The browse model: what the main screen shows and what its keys do, without Textual.

`model.Browse` holds the state (the digest, the view, the query and its hits, the rows and the
cursor, the selection, undo) and its operations, in layers, each a module: `core.Core` the state
and what is read of it; `rows.Rows` the rows listed and the cursor; `querying.Querying` the query
and its hits; `marking.Marking` marks, the selection, undo, notes, tags and searches;
`model.Browse` what the screen draws (sidebar, title, pane), what commands act on, other machines
and another digest. `jobs` is what the model hands the screen (`Changed`, `Toast`, the `Job`s)
and the thresholds above which work goes to a thread. `view` and `sidebar` are the pure functions
it lists and counts with; `pane.Pane` is what the abstract pane shows; `clips` the texts the copy
keys and exports make; `undo` the typed changes u puts back. The screen (`reader.screens.main`)
calls an operation per key and draws what the model says changed.
"""

from reader.browse.core import RowMarks
from reader.browse.jobs import (
    BULK_IN_THREAD,
    SYNC_FILTER_LIMIT,
    WARM_INDEX_LIMIT,
    Bulk,
    Changed,
    Handoff,
    Job,
    Merge,
    Search,
    Toast,
    ToZotero,
    Warm,
)
from reader.browse.model import Browse
from reader.browse.pane import Pane
from reader.browse.sidebar import Entry, sidebar_cursor
from reader.browse.view import View

__all__ = [
    "BULK_IN_THREAD",
    "SYNC_FILTER_LIMIT",
    "WARM_INDEX_LIMIT",
    "Browse",
    "Bulk",
    "Changed",
    "Entry",
    "Handoff",
    "Job",
    "Merge",
    "Pane",
    "RowMarks",
    "Search",
    "Toast",
    "ToZotero",
    "View",
    "Warm",
    "sidebar_cursor",
]
