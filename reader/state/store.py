"""The reading-state store: marks, notes, tags, saved searches and sessions in memory
(`reader.state.memory`) and in SQLite (`reader.state.database`), and when they are written; it
also holds the arXiv metadata cache (`reader.state.metadata`), which shares its file. No Textual
here; see `reader.state` for how it saves and how it survives faults."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.limits import NOTE_CHARS, QUERY_CHARS, SEARCH_NAME_CHARS, TAG_CHARS, TAGS_PER_PAPER
from reader.state.database import (
    BUSY_TIMEOUT,
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
    normal_tag,
    read_layer,
    reason,
    recovery_summary,
    salvage,
    state_dir,
    transaction,
    write_layer,
)
from reader.state.memory import READ, STARRED, Memory, Session
from reader.state.metadata import MetadataCache
from reader.state.transfer import StateError, read_export, write_export
from reader.text import inert

if TYPE_CHECKING:
    from reader.sync.folder import Conflict, Status, SyncFolder

RETRY_SECONDS = 10.0
"""After a failed write, unsaved changes are retried by the first write this much later."""


class StateStore:
    """Read and starred marks, in memory and in SQLite. Never raises for I/O problems.

    `warnings` collects one-line, user-facing messages (new ones are appended; the UI shows each
    once). `saving` is False while changes are not being written. `arxiv` is the arXiv metadata
    cache kept in the same file. With `sync_dir`, changes made here are also written to this
    machine's journal there, and other machines' changes are merged from it by `sync_now()` (the
    caller's to call: on opening, reloading, watching); `machine` names this machine there
    (default: its host name).
    """

    def __init__(
        self,
        directory: Path | str | None = None,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
        sync_dir: Path | str | None = None,
        machine: str | None = None,
    ) -> None:
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
        self.sync: SyncFolder | None = None
        """This machine's side of the sync folder (`sync_dir`), when one is set."""
        self.synced = ""
        """What the last merge from the sync folder brought ("3 changes from desktop")."""
        with self._lock:
            self._open()
            if sync_dir is not None:
                from reader.sync.folder import SyncFolder

                self.sync = SyncFolder(
                    self.directory, Path(sync_dir).expanduser(), hostname=machine
                )
                self._memory.observer = self.sync.record

    def __repr__(self) -> str:
        return (
            f"StateStore({str(self.path)!r}, {len(self._memory.read)} read, "
            f"{len(self._memory.starred)} starred, saving={self.saving})"
        )

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- queries -------------------------------------------------------------------------------

    def is_read(self, key: str) -> bool:
        return key in self._memory.read

    def is_starred(self, key: str) -> bool:
        return key in self._memory.starred

    def starred_keys(self) -> frozenset[str]:
        """Every starred key (a copy)."""
        with self._lock:
            return frozenset(self._memory.starred)

    def note(self, key: str) -> str:
        """The paper's note ("" when it has none)."""
        entry = self._memory.notes.get(key)
        return entry[0] if entry is not None else ""

    def note_conflicts(self, key: str) -> tuple[Conflict, ...]:
        """The other texts of the paper's note, when it was edited on two machines (writing
        the note again settles it)."""
        return self.sync.conflicts(key) if self.sync is not None else ()

    def conflicted_notes(self) -> frozenset[str]:
        """Every paper key whose note has other texts (`note_conflicts`)."""
        return self.sync.conflicted() if self.sync is not None else frozenset()

    def tags(self, key: str) -> tuple[str, ...]:
        """The paper's tags, sorted."""
        return tuple(sorted(self._memory.tags.get(key, ())))

    def all_tags(self) -> dict[str, int]:
        """Every tag in use with its number of papers, by name."""
        with self._lock:
            return self._memory.tag_counts()

    def tag_map(self) -> dict[str, tuple[str, ...]]:
        """Every tagged paper key with its tags (a copy)."""
        with self._lock:
            return {key: tuple(sorted(tags)) for key, tags in self._memory.tags.items()}

    def noted_keys(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._memory.notes)

    def searches(self) -> dict[str, str]:
        """The saved searches, name -> query, by name."""
        with self._lock:
            return self._memory.saved_searches()

    def session(self, digest: str) -> Session | None:
        """Where `digest` (as named by the app) was left, if it was ever saved."""
        return self._memory.sessions.get(digest)

    def snapshot_read(self, keys: Iterable[str]) -> dict[str, bool]:
        """The read flag of each key, for `restore_read` (undo of a bulk change)."""
        return {key: key in self._memory.read for key in _keys(keys)}

    # --- changes -------------------------------------------------------------------------------

    def set_read(self, keys: Iterable[str], read: bool = True) -> None:
        with self._lock:
            self._memory.change(READ, _keys(keys), read)
            self._flush()

    def toggle_read(self, key: str) -> bool:
        with self._lock:
            value = key not in self._memory.read
            self._memory.change(READ, (key,), value)
            self._flush()
            return value

    def toggle_star(self, key: str) -> bool:
        with self._lock:
            value = key not in self._memory.starred
            self._memory.change(STARRED, (key,), value)
            self._flush()
            return value

    def set_starred(self, keys: Iterable[str], starred: bool = True) -> None:
        with self._lock:
            self._memory.change(STARRED, _keys(keys), starred)
            self._flush()

    def set_note(self, key: str, text: str) -> None:
        """Keep `text` as the paper's note (cut to `NOTE_CHARS`, with a warning); blank text
        removes the note."""
        if len(text) > NOTE_CHARS:
            self._warn(f"The note was cut to {NOTE_CHARS:,} characters (it had {len(text):,}).")
            text = text[:NOTE_CHARS]
        with self._lock:
            if self._memory.set_note(key, text):
                self._flush()

    def keep_note(self, key: str, text: str) -> None:
        """Keep `text` as the paper's note over the other texts of it (`note_conflicts`): the
        same as `set_note`, and written to the sync folder even when it is the note shown."""
        with self._lock:
            if self._memory.set_note(key, text, settle=True):
                self._flush()

    def set_tags(self, key: str, tags: Iterable[str]) -> tuple[str, ...]:
        """Make the paper's tags exactly `tags` (normalised, see `normal_tag`); the tags kept.
        Tags over `TAG_CHARS`, and beyond `TAGS_PER_PAPER`, are refused with a warning."""
        wanted = self._allowed({tag for tag in map(normal_tag, tags) if tag})
        if len(wanted) > TAGS_PER_PAPER:
            self._warn(f"A paper keeps at most {TAGS_PER_PAPER} tags: the others were refused.")
            wanted = set(sorted(wanted)[:TAGS_PER_PAPER])
        with self._lock:
            self._memory.set_tags(key, wanted)
            self._flush()
        return self.tags(key)

    def tag(self, keys: Iterable[str], tag: str, on: bool = True) -> None:
        """Add (or with `on=False` remove) one tag on every paper of `keys` (not over
        `TAG_CHARS`, nor on a paper that has `TAGS_PER_PAPER`: a warning says so)."""
        name = normal_tag(tag)
        if not name or (on and not self._allowed({name})):
            return
        with self._lock:
            wanted = _keys(keys)
            if on:
                tags = self._memory.tags
                room = [
                    key
                    for key in wanted
                    if name in tags.get(key, ()) or len(tags.get(key, ())) < TAGS_PER_PAPER
                ]
                if len(room) < len(wanted):
                    full = len(wanted) - len(room)
                    self._warn(
                        f"{full:,} paper{'s' if full != 1 else ''} already had {TAGS_PER_PAPER} "
                        f"tags: {name!r} was not added there."
                    )
                wanted = room
            self._memory.tag_all(wanted, name, on)
            self._flush()

    def _allowed(self, tags: set[str]) -> set[str]:
        """`tags` without those over `TAG_CHARS` (a warning names them)."""
        long = sorted(tag for tag in tags if len(tag) > TAG_CHARS)
        if long:
            shown = ", ".join(repr(tag[:20] + "…") for tag in long[:3])
            self._warn(f"Tags are at most {TAG_CHARS} characters: {shown} refused.")
        return tags - set(long)

    def save_search(self, name: str, query: str) -> bool:
        """Keep `query` under `name` (replacing a search of that name). A name over
        `SEARCH_NAME_CHARS` is cut, a query over `QUERY_CHARS` refused (a warning; False)."""
        if len(query) > QUERY_CHARS:
            self._warn(f"Search not saved: its query is over {QUERY_CHARS:,} characters.")
            return False
        if len(name) > SEARCH_NAME_CHARS:
            self._warn(f"The search's name was cut to {SEARCH_NAME_CHARS} characters.")
            name = name[:SEARCH_NAME_CHARS]
        with self._lock:
            self._memory.save_search(name, query)
            self._flush()
        return True

    def delete_search(self, name: str) -> None:
        with self._lock:
            if self._memory.delete_search(name):
                self._flush()

    def save_session(self, digest: str, session: Session) -> None:
        """Remember where `digest` was left."""
        with self._lock:
            if self._memory.save_session(digest, session):
                self._flush()

    def restore_read(self, before: dict[str, bool]) -> None:
        with self._lock:
            self._memory.change(READ, [key for key, read in before.items() if read], True)
            self._memory.change(READ, [key for key, read in before.items() if not read], False)
            self._flush()

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

    def sync_now(self) -> str:
        """Merge the other machines' journals in the sync folder into this store and send what
        is pending; what came ("3 changes from desktop", "" when nothing did or no sync folder
        is set). Problems are warnings."""
        sync = self.sync
        if sync is None:
            return ""
        with self._lock:
            if self._closed:
                return ""
            self.refresh()
            merged = sync.exchange(self._memory.sync_fields())
            self._memory.apply_synced(merged.changes)
            self._flush(force=True)
            if not self._memory.unsaved and not self._failing:
                sync.settled()
            self._take_sync_warnings()
            self.synced = merged.message()
            return self.synced

    def sync_changed(self) -> bool:
        """Whether the sync folder may hold something new (cheap: for `--watch`)."""
        return self.sync is not None and self.sync.changed()

    def sync_status(self) -> Status | None:
        """What the sync folder holds and what is pending; changes nothing."""
        if self.sync is None:
            return None
        with self._lock:
            return self.sync.status(self._memory.sync_fields())

    def _take_sync_warnings(self) -> None:
        if self.sync is not None:
            for message in self.sync.take_warnings():
                self._warn(message)

    def close(self) -> None:
        """Write what is unsaved (one last try) and close the database. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            if self.sync is not None:
                self.sync.close()
                self._take_sync_warnings()
            self._flush(force=True)
            self.arxiv.write()
            if self._memory.unsaved:
                count = self._memory.unsaved_papers()
                papers = "paper" if count == 1 else "papers"
                self._warn(f"Reading state: changes to {count} {papers} could not be saved.")
            self._disconnect()
            self._closed = True
            self.saving = False

    # --- export and import ---------------------------------------------------------------------

    def export_json(self, path: Path | str) -> int:
        """Write every mark, note, tag and saved search to `path` (atomically); the number of
        papers written."""
        with self._lock:
            self.refresh()
            if self.unreadable is not None:
                raise StateError(
                    path,
                    0,
                    f"not exported: the reading state could not be read whole "
                    f"({self.unreadable}); an export now would leave out what it holds",
                )
            entries, searches = self._memory.export()
        write_export(Path(path), entries, searches)
        return len(entries)

    def import_json(self, path: Path | str) -> int:
        """Merge an export into this store (read and starred are OR-ed); the number of entries.

        Raises StateError (with the line) if the file cannot be read or is not a valid export;
        nothing is merged then.
        """
        entries, searches, refused = read_export(Path(path))
        if refused:
            self._warn(f"{path}: {refused} (over the limits: see the README's Limits).")
        with self._lock:
            self._memory.merge_export(entries, searches)
            self._flush()
        return len(entries)

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
        changes will not be kept. Saving is retried now and then (`RETRY_SECONDS`)."""
        salvaged = salvage(self.path, self.busy_timeout)
        if not salvaged.opened:
            salvaged = salvage(self.path, self.busy_timeout, immutable=True)
        self._memory.load(salvaged.marks)
        self._memory.load_layer(
            LayerRows(salvaged.notes, salvaged.tags, salvaged.searches, salvaged.sessions)
        )
        if salvaged.opened:
            self.read_only = True
            self._warn(
                f"Reading state is read-only and will not be saved: cannot write {self.path} "
                f"({reason(error)}); {recovery_summary(salvaged, 'read')}; "
                "changes are kept for this session only."
            )
            if salvaged.lost:
                self.unreadable = "some of its rows could not be read"
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
            if salvaged.lost or not salvaged.opened:
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
        """Write the unsaved changes; on failure warn once and keep them for a retry. Changes
        made here go to the sync folder's journal first."""
        if self.sync is not None and not self._closed:
            self.sync.send()
            self._take_sync_warnings()
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




def _keys(keys: Iterable[str]) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)
