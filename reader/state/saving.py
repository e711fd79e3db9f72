"""The reading state kept in its SQLite file: opening it (recovering a damaged file, reading
one that cannot be written read-only), writing what is unsaved as one transaction, retrying after
a failed write, re-reading what other instances wrote, closing. `SavedState` is the part of
`StateStore` (`reader.state.store`) below what it keeps and answers; the arXiv metadata cache
(`reader.state.metadata`) borrows its connection. No Textual here."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from reader.state.database import (
    FAILURE,
    FILENAME,
    INSERT_MISSING,
    SELECT,
    UPSERT_READ,
    UPSERT_STARRED,
    UPSERT_UPDATED,
    LayerRows,
    Row,
    connect,
    identity,
    is_damage,
    move_aside,
    read_layer,
    reason,
    recovery_summary,
    salvage,
    salvage_copy,
    state_dir,
    transaction,
    wal_of,
    write_layer,
)
from reader.state.memory import Memory
from reader.state.metadata import MetadataCache
from reader.text import inert

RETRY_SECONDS = 10.0
"""After a failed write, unsaved changes are retried by the first write this much later."""


class SavedState:
    """The state in memory (`_memory`) and in SQLite at `path`. Never raises for I/O problems.

    `warnings` collects one-line, user-facing messages (new ones are appended; the UI shows each
    once). `saving` is False while changes are not being written. `arxiv` is the arXiv metadata
    cache kept in the same file. Every change to `_memory` is followed by `_flush()`, under
    `_lock`.
    """

    def __init__(self, directory: Path | str | None, busy_timeout: float) -> None:
        self.directory = Path(directory) if directory is not None else state_dir()
        self.path = self.directory / FILENAME
        self.busy_timeout = busy_timeout
        self.warnings: list[str] = []
        self.saving = False
        self.read_only = False
        """True when the file could be read but not written (changes are kept in memory)."""
        self.unreadable: str | None = None
        """Why the file could not be read whole (None when it was): an export would lose
        what it holds, so `export_json` refuses."""
        self._lock = threading.RLock()
        self._memory = Memory(on_unsavable=self._unsavable_key)
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._data_version: int | None = None
        self._failing = False
        self._retry_at = 0.0
        self._closed = False
        self.arxiv = MetadataCache(
            self._lock, self._readable, self._writable, self._metadata_not_saved
        )
        with self._lock:
            self._open()

    def refresh(self) -> None:
        """Write unsaved changes now, then re-read marks other instances may have written."""
        with self._lock:
            if self._closed:
                return
            self._flush(force=True)
            if self._failing or self._conn is None:
                return
            try:
                reopened = self._ensure_connection()
                if reopened:
                    self._write(reopened=True)
                conn = self._connection()
                version: int = conn.execute("PRAGMA data_version").fetchone()[0]
                if version == self._data_version and not reopened:
                    return
                rows = conn.execute(SELECT).fetchall()
            except FAILURE as error:
                self._fail(error)
                return
            self._data_version = version
            self._memory.load(rows)
            self._reload_layer()

    def close(self) -> None:
        """Write what is unsaved (one last try) and close the database. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._flush(force=True)
            self.arxiv.write()
            if self._memory.unsaved:
                count = self._memory.unsaved_papers()
                papers = "paper" if count == 1 else "papers"
                self._warn(f"Reading state: changes to {count} {papers} could not be saved.")
            self._disconnect()
            self._closed = True
            self.saving = False

    # --- internals -----------------------------------------------------------------------------

    def _reload_layer(self) -> None:
        """Re-read notes, tags, searches and sessions, keeping this session's unsaved changes."""
        conn = self._conn
        if conn is None:
            return
        try:
            rows = read_layer(conn)
        except sqlite3.Error:
            return
        self._memory.load_layer(rows)

    def _unsavable_key(self) -> None:
        self._warn("Reading state: a paper key is not valid text; its marks are not saved.")

    def _warn(self, message: str) -> None:
        self.warnings.append(inert(message))

    # --- the connection the metadata cache borrows -------------------------------------------

    def _readable(self) -> sqlite3.Connection | None:
        return None if self._closed else self._conn

    def _writable(self) -> sqlite3.Connection | None:
        if self._closed:
            return None
        if self._ensure_connection():  # a new file: it gets the marks too
            self._write(reopened=True)
        return self._connection()

    def _metadata_not_saved(self, message: str) -> None:
        if not self._failing:  # the store has said it is not saving
            self._warn(message)

    # --- internals: the database file (reader.state.database) --------------------------------

    def _open(self) -> None:
        try:
            rows, layer = self._connect()
        except FAILURE as error:
            self._disconnect()
            if is_damage(error):
                self._recover(error)
            else:
                self._open_read_only(error)
            return
        self._memory.load(rows)
        self._memory.load_layer(layer)
        self.saving = True

    def _open_read_only(self, error: BaseException) -> None:
        """The file cannot be opened for writing (a read-only folder or file system, no
        permission, a location under a file): read all it holds read-only (SQLite's `mode=ro`,
        else `immutable=1`, which needs no lock or WAL index in the folder), and say that
        changes will not be kept. Saving is retried now and then (`RETRY_SECONDS`). A WAL that
        `immutable=1` would not see (no WAL index beside it, none can be made) is read from a
        copy of the file and its WAL; when that fails too, the warning says what is missing."""
        salvaged = salvage(self.path, self.busy_timeout)
        unseen = 0
        if not salvaged.opened:
            copied = salvage_copy(self.path, self.busy_timeout)
            if copied is not None:
                salvaged = copied
            else:
                salvaged = salvage(self.path, self.busy_timeout, immutable=True)
                unseen = wal_of(self.path)
        self._memory.load(salvaged.marks)
        self._memory.load_layer(
            LayerRows(salvaged.notes, salvaged.tags, salvaged.searches, salvaged.sessions)
        )
        self.arxiv.restore(salvaged.metadata, save=False)
        if salvaged.opened:
            self.read_only = True
            missing = (
                f"; the changes written last ({unseen:,} bytes in {self.path.name}-wal) could "
                "not be read and are not shown"
                if unseen
                else ""
            )
            self._warn(
                f"Reading state is read-only and will not be saved: cannot write {self.path} "
                f"({reason(error)}); {recovery_summary(salvaged, 'read')}{missing}; "
                "changes are kept for this session only."
            )
            if not salvaged.whole:
                self.unreadable = "some of its rows could not be read"
            elif unseen:
                self.unreadable = f"its write-ahead log {self.path.name}-wal could not be read"
        else:
            if self.path.exists():
                self.unreadable = f"cannot open {self.path} ({reason(error)})"
            self._warn(
                f"Reading state will not be saved: cannot open {self.path} "
                f"({reason(error)}); marks are kept for this session."
            )
        self._failing = True
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def _recover(self, error: BaseException) -> None:
        """The file is damaged: keep it aside, start afresh with every row that could be read
        from each of its tables (`database.salvage`), and say what was kept and what lost."""
        salvaged = salvage(self.path, self.busy_timeout)
        moved: Path | None = None
        try:
            moved = move_aside(self.path)
            rows, layer = self._connect()
        except FAILURE as failure:
            self._disconnect()
            self._memory.merge_salvaged(salvaged)
            self.arxiv.restore(salvaged.metadata, save=False)
            if not salvaged.whole:
                self.unreadable = f"{self.path} is damaged ({reason(error)})"
            action = f"moved to {moved.name}" if moved else "it could not be moved aside"
            self._warn(
                f"Reading state file {self.path} is damaged ({reason(error)}; {action}) and "
                f"cannot be replaced ({reason(failure)}); {recovery_summary(salvaged)}, kept "
                "for this session."
            )
            self._failing = True
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        self._memory.load(rows)
        self._memory.load_layer(layer)
        self._memory.merge_salvaged(salvaged)
        self.arxiv.restore(salvaged.metadata, save=True)
        place = f"moved it to {moved.name}" if moved else "another instance moved it aside"
        self._warn(
            f"Reading state file was damaged ({reason(error)}): {place} and started a new one "
            f"({recovery_summary(salvaged)})."
        )
        self.saving = True
        self._flush()

    def _connect(self) -> tuple[list[Row], LayerRows]:
        """Open (creating if needed) the database at `self.path`; its marks and the rest.
        Raises on failure."""
        opened = connect(self.path, self.busy_timeout)
        self._conn, self._identity = opened.conn, opened.identity
        self._data_version = opened.version
        return opened.rows, opened.layer

    def _disconnect(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._identity = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("the reading state database is not open")
        return self._conn

    def _ensure_connection(self) -> bool:
        """Connect if needed; True when connected to a file this store has not written before.

        In WAL mode SQLite keeps writing into a database file that was deleted, so every write
        first checks that the file at `self.path` is still the one that is open.
        """
        if self._conn is not None:
            if identity(self.path) == self._identity:
                return False
            self._disconnect()
            self._warn(
                f"Reading state file {self.path} was removed or replaced; writing a new one "
                "with every mark of this session."
            )
        self._connect()
        return True

    def _flush(self, force: bool = False) -> None:
        """Write the unsaved changes; on failure warn once and keep them for a retry."""
        if self._closed or not (self._memory.unsaved or self._failing):
            return
        if self._failing and not force and time.monotonic() < self._retry_at:
            return
        try:
            reopened = self._ensure_connection()
            self._write(reopened)
            rows = self._connection().execute(SELECT).fetchall() if reopened else None
        except FAILURE as error:
            self._fail(error)
            return
        if rows is not None:
            self._memory.load(rows)
            self._reload_layer()
            self.read_only, self.unreadable = False, None  # the file was read whole
        if self._failing:
            self._failing = False
            self._warn("Reading state is being saved again.")
        self.saving = True

    def _write(self, reopened: bool) -> None:
        conn = self._connection()
        memory = self._memory
        read_rows, starred_rows, updated_rows = memory.mark_rows()
        with transaction(conn):
            if reopened:  # a new file: give it every mark this store knows, without overriding
                conn.executemany(INSERT_MISSING, memory.every_mark())
            conn.executemany(UPSERT_READ, read_rows)
            conn.executemany(UPSERT_STARRED, starred_rows)
            conn.executemany(UPSERT_UPDATED, updated_rows)
            write_layer(
                conn,
                memory.layer_dirty,
                memory.notes,
                memory.tags,
                memory.searches,
                memory.session_rows(),
                reopened,
            )
        memory.saved()

    def _fail(self, error: BaseException) -> None:
        self.saving = False
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if isinstance(error, sqlite3.ProgrammingError):  # the connection is unusable: reopen
            self._disconnect()
        if not self._failing:
            self._failing = True
            self._warn(
                f"Could not save reading state ({reason(error)}); marks are kept in memory "
                "and saving will be retried."
            )
