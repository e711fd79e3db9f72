"""The reading-state store: marks, notes, tags, saved searches, sessions and the arXiv metadata
cache, in memory and in SQLite (`reader.state.database`). No Textual here; see `reader.state`
for how it saves and how it survives faults."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader.arxiv import Metadata
from reader.state.database import (
    BUSY_TIMEOUT,
    FAILURE,
    FILENAME,
    INSERT_MISSING,
    METADATA_CHUNK,
    MISSING,
    NOTE,
    SEARCH,
    SELECT,
    SESSION,
    TAG,
    UPSERT_METADATA,
    UPSERT_READ,
    UPSERT_STARRED,
    UPSERT_UPDATED,
    Damaged,
    LayerRows,
    Row,
    Salvaged,
    connect,
    flag,
    identity,
    is_damage,
    move_aside,
    normal_tag,
    read_layer,
    reason,
    salvage,
    savable,
    seconds,
    state_dir,
    write_layer,
)
from reader.state.transfer import StateError, read_export, write_export
from reader.text import inert

RETRY_SECONDS = 10.0
"""After a failed write, unsaved changes are retried by the first write this much later."""

_READ, _STARRED, _UPDATED = "read", "starred", "updated"


@dataclass(frozen=True)
class Session:
    """Where a digest was left: its week (ISO date, "all" or "" for the newest), query, paper."""

    week: str = ""
    query: str = ""
    paper: str = ""


class StateStore:
    """Read and starred marks, in memory and in SQLite. Never raises for I/O problems.

    `warnings` collects one-line, user-facing messages (new ones are appended; the UI shows each
    once). `saving` is False while changes are not being written.
    """

    def __init__(
        self, directory: Path | str | None = None, *, busy_timeout: float = BUSY_TIMEOUT
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
        self._read: set[str] = set()
        self._starred: set[str] = set()
        self._updated: dict[str, float] = {}
        self._dirty: dict[tuple[str, str], None] = {}
        """(column, key) changed in memory and not yet saved, in order of change."""
        self._unsavable: set[str] = set()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._data_version: int | None = None
        self._failing = False
        self._retry_at = 0.0
        self._closed = False
        self._metadata: dict[str, Metadata] = {}
        """arXiv metadata read from the database or fetched in this session, by id."""
        self._metadata_asked: set[str] = set()
        self._metadata_unsaved: dict[str, tuple[str, float]] = {}
        """id -> (the JSON to write, when fetched), not yet in the database."""
        self._missing: dict[str, float] = {}
        """Ids arXiv answered without an entry, and when (seconds since the epoch)."""
        self._metadata_empty = False
        self._notes: dict[str, tuple[str, float]] = {}
        self._tags: dict[str, dict[str, float]] = {}
        """Per paper key, its tags and when each was added."""
        self._searches: dict[str, tuple[str, float]] = {}
        self._sessions: dict[str, Session] = {}
        self._layer_dirty: dict[tuple[str, str, str], None] = {}
        """(kind, key, tag) of notes, tags, searches and sessions changed and not yet saved."""
        with self._lock:
            self._open()

    def __repr__(self) -> str:
        return (
            f"StateStore({str(self.path)!r}, {len(self._read)} read, "
            f"{len(self._starred)} starred, saving={self.saving})"
        )

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- queries -------------------------------------------------------------------------------

    def is_read(self, key: str) -> bool:
        return key in self._read

    def is_starred(self, key: str) -> bool:
        return key in self._starred

    def starred_keys(self) -> frozenset[str]:
        """Every starred key (a copy)."""
        with self._lock:
            return frozenset(self._starred)

    def note(self, key: str) -> str:
        """The paper's note ("" when it has none)."""
        entry = self._notes.get(key)
        return entry[0] if entry is not None else ""

    def tags(self, key: str) -> tuple[str, ...]:
        """The paper's tags, sorted."""
        return tuple(sorted(self._tags.get(key, ())))

    def all_tags(self) -> dict[str, int]:
        """Every tag in use with its number of papers, by name."""
        with self._lock:
            counts: dict[str, int] = {}
            for tags in self._tags.values():
                for tag in tags:
                    counts[tag] = counts.get(tag, 0) + 1
            return dict(sorted(counts.items()))

    def tag_map(self) -> dict[str, tuple[str, ...]]:
        """Every tagged paper key with its tags (a copy)."""
        with self._lock:
            return {key: tuple(sorted(tags)) for key, tags in self._tags.items()}

    def noted_keys(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._notes)

    def searches(self) -> dict[str, str]:
        """The saved searches, name -> query, by name."""
        with self._lock:
            return {
                name: query
                for name, (query, _when) in sorted(
                    self._searches.items(), key=lambda item: item[0].casefold()
                )
            }

    def session(self, digest: str) -> Session | None:
        """Where `digest` (as named by the app) was left, if it was ever saved."""
        return self._sessions.get(digest)

    def snapshot_read(self, keys: Iterable[str]) -> dict[str, bool]:
        """The read flag of each key, for `restore_read` (undo of a bulk change)."""
        return {key: key in self._read for key in _keys(keys)}

    # --- changes -------------------------------------------------------------------------------

    def set_read(self, keys: Iterable[str], read: bool = True) -> None:
        with self._lock:
            self._change(_READ, _keys(keys), read)
            self._flush()

    def toggle_read(self, key: str) -> bool:
        with self._lock:
            value = key not in self._read
            self._change(_READ, (key,), value)
            self._flush()
            return value

    def toggle_star(self, key: str) -> bool:
        with self._lock:
            value = key not in self._starred
            self._change(_STARRED, (key,), value)
            self._flush()
            return value

    def set_starred(self, keys: Iterable[str], starred: bool = True) -> None:
        with self._lock:
            self._change(_STARRED, _keys(keys), starred)
            self._flush()

    def set_note(self, key: str, text: str) -> None:
        """Keep `text` as the paper's note; blank text removes the note."""
        with self._lock:
            if text.strip():
                self._notes[key] = (text, time.time())
            elif self._notes.pop(key, None) is None:
                return
            self._layer_change(NOTE, key)
            self._flush()

    def set_tags(self, key: str, tags: Iterable[str]) -> tuple[str, ...]:
        """Make the paper's tags exactly `tags` (normalised, see `normal_tag`); the tags kept."""
        wanted = {tag for tag in map(normal_tag, tags) if tag}
        with self._lock:
            have = self._tags.get(key, {})
            for tag in wanted - have.keys():
                self._tag(key, tag, True)
            for tag in have.keys() - wanted:
                self._tag(key, tag, False)
            self._flush()
        return self.tags(key)

    def tag(self, keys: Iterable[str], tag: str, on: bool = True) -> None:
        """Add (or with `on=False` remove) one tag on every paper of `keys`."""
        name = normal_tag(tag)
        if not name:
            return
        with self._lock:
            for key in _keys(keys):
                if (name in self._tags.get(key, ())) != on:
                    self._tag(key, name, on)
            self._flush()

    def save_search(self, name: str, query: str) -> None:
        """Keep `query` under `name` (replacing a search of that name)."""
        with self._lock:
            self._searches[name] = (query, time.time())
            self._layer_change(SEARCH, name)
            self._flush()

    def delete_search(self, name: str) -> None:
        with self._lock:
            if self._searches.pop(name, None) is not None:
                self._layer_change(SEARCH, name)
                self._flush()

    def save_session(self, digest: str, session: Session) -> None:
        """Remember where `digest` was left."""
        with self._lock:
            if self._sessions.get(digest) == session:
                return
            self._sessions[digest] = session
            self._layer_change(SESSION, digest)
            self._flush()

    def restore_read(self, before: dict[str, bool]) -> None:
        with self._lock:
            self._change(_READ, [key for key, read in before.items() if read], True)
            self._change(_READ, [key for key, read in before.items() if not read], False)
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
            self._load(rows)
            self._reload_layer()

    def close(self) -> None:
        """Write what is unsaved (one last try) and close the database. Safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._flush(force=True)
            self._write_metadata()
            if self._dirty or self._layer_dirty:
                count = max(
                    1,
                    len(
                        {key for _column, key in self._dirty}
                        | {key for kind, key, _tag in self._layer_dirty if kind in (NOTE, TAG)}
                    ),
                )
                papers = "paper" if count == 1 else "papers"
                self._warn(f"Reading state: changes to {count} {papers} could not be saved.")
            self._disconnect()
            self._closed = True
            self.saving = False

    # --- arXiv metadata cache ------------------------------------------------------------------

    def metadata(self, ids: Iterable[str]) -> dict[str, Metadata]:
        """The cached metadata of those of `ids` that have any (arXiv ids without version)."""
        with self._lock:
            if not self._metadata and self._nothing_stored():
                return {}  # the common case: no look-up per paper (100k at startup)
        wanted = [arxiv_id for arxiv_id in dict.fromkeys(_keys(ids)) if arxiv_id]
        with self._lock:
            unknown = [
                arxiv_id
                for arxiv_id in wanted
                if arxiv_id not in self._metadata and arxiv_id not in self._metadata_asked
            ]
            if unknown and self._conn is not None and not self._closed:
                self._read_metadata(unknown)
            return {
                arxiv_id: self._metadata[arxiv_id]
                for arxiv_id in wanted
                if arxiv_id in self._metadata
            }

    def cached_metadata(self, arxiv_id: str) -> Metadata | None:
        """One paper's cached metadata (from memory, or read from the database)."""
        return self.metadata((arxiv_id,)).get(arxiv_id)

    def save_metadata(self, items: Iterable[Metadata]) -> None:
        """Keep fetched metadata (in memory at once; in the database when it can be written)."""
        now = time.time()
        with self._lock:
            for item in items:
                self._metadata[item.arxiv_id] = item
                self._missing.pop(item.arxiv_id, None)
                data = json.dumps(item.to_json(), ensure_ascii=False)
                self._metadata_unsaved[item.arxiv_id] = (data, now)
            self._write_metadata()

    def save_missing(self, ids: Iterable[str]) -> None:
        """Remember that arXiv has no paper for these ids (so they are not asked again soon)."""
        now = time.time()
        with self._lock:
            for arxiv_id in _keys(ids):
                if arxiv_id not in self._metadata:
                    self._missing[arxiv_id] = now
                    self._metadata_unsaved[arxiv_id] = (MISSING, now)
            self._write_metadata()

    def missing_since(self, ids: Iterable[str]) -> dict[str, float]:
        """Of `ids`, those arXiv had no paper for when last asked, with when that was."""
        wanted = _keys(ids)
        self.metadata(wanted)  # reads the rows of ids not read yet
        with self._lock:
            return {
                arxiv_id: self._missing[arxiv_id]
                for arxiv_id in wanted
                if arxiv_id in self._missing
            }

    def _nothing_stored(self) -> bool:
        """True when the database holds no metadata (asked once: it only grows from here in
        memory, through `save_metadata`)."""
        conn = self._conn
        if conn is None or self._closed or self._metadata_empty:
            return True
        try:
            if conn.execute("SELECT 1 FROM arxiv_metadata LIMIT 1").fetchone() is None:
                self._metadata_empty = True  # the common case: nothing was ever fetched
        except sqlite3.Error:
            return True  # a cache: reading it may fail without losing anything
        return self._metadata_empty

    def _read_metadata(self, ids: list[str]) -> None:
        conn = self._conn
        if conn is None or self._nothing_stored():
            return
        try:
            for start in range(0, len(ids), METADATA_CHUNK):
                chunk = ids[start : start + METADATA_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id, data, fetched FROM arxiv_metadata WHERE id IN ({marks})", chunk
                ).fetchall()
                for arxiv_id, data, fetched in rows:
                    if data == MISSING:
                        if arxiv_id not in self._metadata:
                            self._missing.setdefault(arxiv_id, seconds(fetched))
                        continue
                    item = _metadata_from_row(arxiv_id, data)
                    if item is not None:
                        self._metadata.setdefault(arxiv_id, item)
                self._metadata_asked.update(chunk)
        except sqlite3.Error:
            return  # a cache: reading it may fail without losing anything

    def _write_metadata(self) -> None:
        if not self._metadata_unsaved or self._closed:
            return
        rows = [
            (arxiv_id, data, when)
            for arxiv_id, (data, when) in self._metadata_unsaved.items()
            if savable(arxiv_id)
        ]
        try:
            if self._ensure_connection():  # a new file: it gets the marks too
                self._write(reopened=True)
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(UPSERT_METADATA, rows)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError, ValueError, UnicodeEncodeError, Damaged) as error:
            if not self._failing:
                self._warn(
                    f"Could not save arXiv metadata ({reason(error)}); it is kept for this "
                    "session."
                )
            return
        self._metadata_unsaved.clear()

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
            keys = sorted(
                self._updated.keys() | self._read | self._starred | self._notes.keys()
                | self._tags.keys()
            )
            entries: list[dict[str, Any]] = []
            for key in keys:
                entry: dict[str, Any] = {
                    "key": key,
                    "read": key in self._read,
                    "starred": key in self._starred,
                    "updated": self._updated.get(key, 0.0),
                }
                if key in self._notes:
                    entry["note"], entry["note_updated"] = self._notes[key]
                if key in self._tags:
                    entry["tags"] = sorted(self._tags[key])
                entries.append(entry)
            searches = [
                (name, query, when) for name, (query, when) in sorted(self._searches.items())
            ]
        write_export(Path(path), entries, searches)
        return len(keys)

    def import_json(self, path: Path | str) -> int:
        """Merge an export into this store (read and starred are OR-ed); the number of entries.

        Raises StateError (with the line) if the file cannot be read or is not a valid export;
        nothing is merged then.
        """
        entries, searches = read_export(Path(path))
        with self._lock:
            for name, query, when in searches:
                mine = self._searches.get(name)
                if mine is None or (mine[0] != query and when > mine[1]):
                    self._searches[name] = (query, when)
                    self._layer_change(SEARCH, name)
            for entry in entries:
                key, read, starred, updated = entry.key, entry.read, entry.starred, entry.updated
                if entry.note is not None:
                    note = self._notes.get(key)
                    if note is None or (note[0] != entry.note[0] and entry.note[1] > note[1]):
                        self._notes[key] = entry.note
                        self._layer_change(NOTE, key)
                for tag in entry.tags:
                    if tag not in self._tags.get(key, ()):
                        self._tag(key, tag, True)
                self._updated[key] = max(self._updated.get(key, 0.0), updated)
                columns = [_UPDATED]
                if read:
                    self._read.add(key)
                    columns.append(_READ)
                if starred:
                    self._starred.add(key)
                    columns.append(_STARRED)
                if not savable(key):
                    self._memory_only(key)
                    continue
                for column in columns:
                    self._dirty[(column, key)] = None
            self._flush()
        return len(entries)

    # --- internals: memory ---------------------------------------------------------------------

    def _change(self, column: str, keys: Iterable[str], value: bool) -> None:
        marks = self._read if column == _READ else self._starred
        now = time.time()
        for key in keys:
            if value:
                marks.add(key)
            else:
                marks.discard(key)
            self._updated[key] = max(self._updated.get(key, 0.0), now)
            if savable(key):
                self._dirty[(column, key)] = None
            else:
                self._memory_only(key)

    def _layer_change(self, kind: str, key: str, tag: str = "") -> None:
        if savable(key) and savable(tag):
            self._layer_dirty[(kind, key, tag)] = None
        else:
            self._memory_only(key)

    def _tag(self, key: str, tag: str, on: bool) -> None:
        if on:
            self._tags.setdefault(key, {})[tag] = time.time()
        else:
            tags = self._tags.get(key, {})
            tags.pop(tag, None)
            if not tags:
                self._tags.pop(key, None)
        self._layer_change(TAG, key, tag)

    def _reload_layer(self) -> None:
        """Re-read notes, tags, searches and sessions, keeping this session's unsaved changes."""
        conn = self._conn
        if conn is None:
            return
        try:
            layer = read_layer(conn)
        except sqlite3.Error:
            return
        self._set_layer(layer)

    def _set_layer(self, layer: LayerRows) -> None:
        """Notes, tags, searches and sessions as read, with this session's unsaved changes."""
        notes, tag_rows, search_rows, session_rows = layer
        loaded_notes = {
            key: (text, seconds(when))
            for key, text, when in notes
            if isinstance(key, str) and isinstance(text, str)
        }
        loaded_tags: dict[str, dict[str, float]] = {}
        for key, tag, when in tag_rows:
            if isinstance(key, str) and isinstance(tag, str):
                loaded_tags.setdefault(key, {})[tag] = seconds(when)
        loaded_searches = {
            name: (query, seconds(when))
            for name, query, when in search_rows
            if isinstance(name, str) and isinstance(query, str)
        }
        loaded_sessions = {
            digest: Session(*(value if isinstance(value, str) else "" for value in rest))
            for digest, *rest in session_rows
            if isinstance(digest, str)
        }
        for kind, key, tag in self._layer_dirty:  # unsaved changes win
            if kind == NOTE:
                _overlay(loaded_notes, self._notes, key)
            elif kind == SEARCH:
                _overlay(loaded_searches, self._searches, key)
            elif kind == SESSION:
                _overlay(loaded_sessions, self._sessions, key)
            else:
                mine = self._tags.get(key, {})
                theirs = loaded_tags.setdefault(key, {})
                if tag in mine:
                    theirs[tag] = mine[tag]
                else:
                    theirs.pop(tag, None)
                if not theirs:
                    del loaded_tags[key]
        self._notes, self._tags = loaded_notes, loaded_tags
        self._searches, self._sessions = loaded_searches, loaded_sessions

    def _memory_only(self, key: str) -> None:
        if not self._unsavable:
            self._warn("Reading state: a paper key is not valid text; its marks are not saved.")
        self._unsavable.add(key)

    def _load(self, rows: Iterable[Row], merge: bool = False) -> None:
        """Replace the marks in memory by `rows`, keeping this session's unsaved changes.

        With `merge`, OR the rows into memory instead, as unsaved changes (salvaged rows).
        """
        if merge:
            for key, read, starred, when in rows:
                if isinstance(key, str):
                    self._updated[key] = max(self._updated.get(key, 0.0), seconds(when))
                    self._dirty[(_UPDATED, key)] = None
                    if flag(read):
                        self._read.add(key)
                        self._dirty[(_READ, key)] = None
                    if flag(starred):
                        self._starred.add(key)
                        self._dirty[(_STARRED, key)] = None
            return
        read_keys: set[str] = set()
        starred_keys: set[str] = set()
        updated: dict[str, float] = {}
        for key, read, starred, when in rows:
            if isinstance(key, str):
                if flag(read):
                    read_keys.add(key)
                if flag(starred):
                    starred_keys.add(key)
                updated[key] = seconds(when)
        pending = [(column, key) for column, key in self._dirty]
        pending += [(column, key) for key in self._unsavable for column in (_READ, _STARRED)]
        sets = {_READ: (self._read, read_keys), _STARRED: (self._starred, starred_keys)}
        for column, key in pending:
            if column in sets:
                mine, loaded = sets[column]
                if key in mine:
                    loaded.add(key)
                else:
                    loaded.discard(key)
            updated[key] = max(updated.get(key, 0.0), self._updated.get(key, 0.0))
        self._read, self._starred, self._updated = read_keys, starred_keys, updated

    def _warn(self, message: str) -> None:
        self.warnings.append(inert(message))

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
        self._load(rows)
        self._set_layer(layer)
        self.saving = True

    def _open_read_only(self, error: BaseException) -> None:
        """The file cannot be opened for writing (a read-only folder or file system, no
        permission, a location under a file): read all it holds read-only (SQLite's `mode=ro`,
        else `immutable=1`, which needs no lock or WAL index in the folder), and say that
        changes will not be kept. Saving is retried now and then (`RETRY_SECONDS`)."""
        salvaged = salvage(self.path, self.busy_timeout)
        if not salvaged.opened:
            salvaged = salvage(self.path, self.busy_timeout, immutable=True)
        self._load(salvaged.marks)
        self._set_layer(
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
            self._merge_salvaged(salvaged)
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
        self._load(rows)
        self._set_layer(layer)
        self._merge_salvaged(salvaged)
        place = f"moved it to {moved.name}" if moved else "another instance moved it aside"
        self._warn(
            f"Reading state file was damaged ({reason(error)}): {place} and started a new one "
            f"({recovery_summary(salvaged)})."
        )
        self.saving = True
        self._flush()

    def _merge_salvaged(self, salvaged: Salvaged) -> None:
        """Merge the rows read from a damaged file, as unsaved changes: marks are OR-ed, a note
        or a search is taken when newer, tags are added, a session when there is none."""
        self._load(salvaged.marks, merge=True)
        for key, text, when in salvaged.notes:
            mine = self._notes.get(key)
            if isinstance(text, str) and text.strip() and (mine is None or seconds(when) > mine[1]):
                self._notes[key] = (text, seconds(when))
                self._layer_change(NOTE, key)
        for key, tag, when in salvaged.tags:
            if tag not in self._tags.get(key, ()):
                self._tags.setdefault(key, {})[tag] = seconds(when)
                self._layer_change(TAG, key, tag)
        for name, query, when in salvaged.searches:
            mine = self._searches.get(name)
            if isinstance(query, str) and (mine is None or seconds(when) > mine[1]):
                self._searches[name] = (query, seconds(when))
                self._layer_change(SEARCH, name)
        for digest, *rest in salvaged.sessions:
            if digest not in self._sessions:
                self._sessions[digest] = Session(
                    *(value if isinstance(value, str) else "" for value in rest)
                )
                self._layer_change(SESSION, digest)

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
        if self._closed or not (self._dirty or self._layer_dirty or self._failing):
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
            self._load(rows)
            self._reload_layer()
            self.read_only, self.unreadable = False, None  # the file was read whole
        if self._failing:
            self._failing = False
            self._warn("Reading state is being saved again.")
        self.saving = True

    def _write(self, reopened: bool) -> None:
        conn = self._connection()
        read_rows: list[tuple[str, int, float]] = []
        starred_rows: list[tuple[str, int, float]] = []
        updated_rows: list[tuple[str, float]] = []
        for column, key in self._dirty:
            when = self._updated.get(key, 0.0)
            if column == _READ:
                read_rows.append((key, int(key in self._read), when))
            elif column == _STARRED:
                starred_rows.append((key, int(key in self._starred), when))
            else:
                updated_rows.append((key, when))
        conn.execute("BEGIN IMMEDIATE")
        try:
            if reopened:  # a new file: give it every mark this store knows, without overriding
                keys = (self._updated.keys() | self._read | self._starred) - self._unsavable
                conn.executemany(
                    INSERT_MISSING,
                    (
                        (key, key in self._read, key in self._starred, self._updated.get(key, 0.0))
                        for key in keys
                    ),
                )
            conn.executemany(UPSERT_READ, read_rows)
            conn.executemany(UPSERT_STARRED, starred_rows)
            conn.executemany(UPSERT_UPDATED, updated_rows)
            sessions = {
                key: (s.week, s.query, s.paper)
                for kind, key, _tag in self._layer_dirty
                if kind == SESSION
                for s in (self._sessions[key],)
            }
            write_layer(
                conn,
                self._layer_dirty,
                self._notes,
                self._tags,
                self._searches,
                sessions,
                reopened,
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            raise
        self._dirty.clear()
        self._layer_dirty.clear()

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


_KINDS = (  # (field of Salvaged, one, several)
    ("marks", "mark", "marks"),
    ("notes", "note", "notes"),
    ("tags", "tag", "tags"),
    ("searches", "search", "searches"),
    ("sessions", "place left off", "places left off"),
)
_NAMED_LOST = 5
"""Keys of lost rows named in the recovery warning (then "and N more")."""


def recovery_summary(salvaged: Salvaged, verb: str = "recovered") -> str:
    """What a recovery kept and lost, as the warning says it: `400 marks, 397 notes, 800 tags,
    1 search recovered; 3 notes lost: 2301.00001, 2301.00002, 2301.00003`."""
    counts = {
        "marks": sum(1 for row in salvaged.marks if flag(row[1]) or flag(row[2])),
        "notes": len(salvaged.notes),
        "tags": len(salvaged.tags),
        "searches": len(salvaged.searches),
        "sessions": len(salvaged.sessions),
    }
    kept = [
        f"{counts[kind]:,} {one if counts[kind] == 1 else several}"
        for kind, one, several in _KINDS
        if counts[kind]
    ]
    text = f"{', '.join(kept)} {verb}" if kept else f"nothing {verb}"
    for kind, one, several in _KINDS:
        keys = salvaged.lost.get(kind, [])
        if keys:
            named = ", ".join(keys[:_NAMED_LOST])
            if len(keys) > _NAMED_LOST:
                named += f" and {len(keys) - _NAMED_LOST:,} more"
            text += f"; {len(keys):,} {one if len(keys) == 1 else several} lost: {named}"
    return text


def _metadata_from_row(arxiv_id: object, data: object) -> Metadata | None:
    if not isinstance(arxiv_id, str) or not isinstance(data, str):
        return None
    try:
        return Metadata.from_json(arxiv_id, json.loads(data))
    except (ValueError, RecursionError):
        return None


def _overlay(loaded: dict[str, Any], mine: dict[str, Any], key: str) -> None:
    if key in mine:
        loaded[key] = mine[key]
    else:
        loaded.pop(key, None)


def _keys(keys: Iterable[str]) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)
