"""Reading state: which papers are read and starred (and their notes, tags, saved searches and
where each digest was left), kept across runs. No Textual here.

The package: `store` (`StateStore`: what the state keeps and answers, its limits, the sync
folder), `saving` (`SavedState`, the store's base: when the state is read and written, and how
faults are survived), `memory` (the state in memory, what of it is unsaved, and merging rows
read back or imported), `metadata` (`MetadataCache`, the arXiv metadata cache a store holds as
`arxiv`, in the same file), `database` (the SQLite file: schema, migrations, opening, salvage),
`transfer` (the export file). Import from `reader.state`; the names below are its interface.

Marks live in memory (two sets answer `is_read` / `is_starred` at once) and in SQLite at
`state_dir()/state.sqlite3` (WAL, `synchronous=NORMAL`, a busy timeout). Every change is written
at once, synchronously, as one small transaction that upserts only the changed column of the
changed keys, so two instances running at the same time never undo each other's marks. Writing 1
or 100 keys takes well under a millisecond (`python tests/state_bench.py`), so there is no writer
thread.

Faults never raise and never lose a mark that was saved:

- a damaged or foreign database file is moved aside to `state.sqlite3.corrupt-<timestamp>` (kept,
  never deleted), the rows of every table that can still be read (`database.salvage`: row by row,
  past damaged pages) are copied into a fresh store, and a warning counts what each kind kept and
  names what was lost;
- a location that cannot be created or written gives a warning and `saving = False`; the store
  works in memory with everything the file holds, read read-only (`read_only`); when the file
  cannot be read whole, `unreadable` says why and `export_json` refuses;
- a failing write (disk full, database locked beyond the busy timeout, connection gone) warns once;
  the change stays in memory, remembered as unsaved, and is written by the first write after
  `saving.RETRY_SECONDS`, by `refresh()` or by `close()`. A state file or directory removed while
  the app runs is created again and receives every mark this store knows.

With a sync folder (`StateStore(sync_dir=...)`, `reader.sync`), every change made here is also
appended to this machine's journal there (before it is written to SQLite), and the other
machines' journals are merged in by `sync_now()` (on opening, `r`, `--watch`, `--update`); a
note edited on two machines keeps both texts (`note_conflicts`, settled by `keep_note`).

Export and import (`reader.state.transfer`, one mark a line): import merges by OR: a paper
read (or starred) in either place is read (or starred) afterwards, and `updated` becomes the
later of the two times. Import never clears a mark, so importing an old backup
cannot undo marks made since; unmarking is done in the app.
"""

from __future__ import annotations

from reader.state.database import BUSY_TIMEOUT, FILENAME, SCHEMA_VERSION, normal_tag, state_dir
from reader.state.memory import Session
from reader.state.metadata import MetadataCache
from reader.state.store import StateStore
from reader.state.transfer import EXPORT_VERSION, StateError

__all__ = [
    "BUSY_TIMEOUT",
    "EXPORT_VERSION",
    "FILENAME",
    "MetadataCache",
    "SCHEMA_VERSION",
    "Session",
    "StateError",
    "StateStore",
    "normal_tag",
    "state_dir",
]
