"""Reading state: which papers are read and starred, kept across runs. No Textual here.

Marks live in memory (two sets answer `is_read` / `is_starred` at once) and in SQLite at
`state_dir()/state.sqlite3` (WAL, `synchronous=NORMAL`, a busy timeout). Every change is written
at once, synchronously, as one small transaction that upserts only the changed column of the
changed keys, so two instances running at the same time never undo each other's marks. Writing 1
or 100 keys takes well under a millisecond (`python tests/state_bench.py`), so there is no writer
thread.

Faults never raise and never lose a mark that was saved:

- a damaged or foreign database file is moved aside to `state.sqlite3.corrupt-<timestamp>` (kept,
  never deleted), the rows that can still be read are copied into a fresh store, and a warning is
  added to `warnings`;
- a location that cannot be created or opened gives a warning and `saving = False`; the store works
  in memory (with the saved marks, when the file can at least be read);
- a failing write (disk full, database locked beyond the busy timeout, connection gone) warns once;
  the change stays in memory, remembered as unsaved, and is written by the first write after
  `RETRY_SECONDS`, by `refresh()` or by `close()`. A state file or directory removed while the app
  runs is created again and receives every mark this store knows.

Export format (one mark a line)::

    {"version": 1, "marks": [
    {"key": "2303.17564", "read": true, "starred": false, "updated": 1700000000.5}
    ]}

Import merges by OR: a paper read (or starred) in either place is read (or starred) afterwards, and
`updated` becomes the later of the two times. Import never clears a mark, so importing an old backup
cannot undo marks made since; unmarking is done in the app.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import platformdirs

from reader.arxiv import Metadata
from reader.files import replacing
from reader.text import inert

__all__ = ["FILENAME", "Session", "StateError", "StateStore", "normal_tag", "state_dir"]

FILENAME = "state.sqlite3"
EXPORT_VERSION = 1
BUSY_TIMEOUT = 1.0
"""Seconds a write waits for another instance's transaction before it counts as failed."""
RETRY_SECONDS = 10.0
"""After a failed write, unsaved changes are retried by the first write this much later."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS marks (
    key TEXT PRIMARY KEY NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL DEFAULT 0
)
"""
_METADATA_SCHEMA = """
CREATE TABLE IF NOT EXISTS arxiv_metadata (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    fetched REAL NOT NULL DEFAULT 0
)
"""
_LAYER_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notes (
    key TEXT PRIMARY KEY NOT NULL,
    text TEXT NOT NULL,
    updated REAL NOT NULL DEFAULT 0
)""",
    """CREATE TABLE IF NOT EXISTS tags (
    key TEXT NOT NULL,
    tag TEXT NOT NULL,
    updated REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (key, tag)
)""",
    """CREATE TABLE IF NOT EXISTS searches (
    name TEXT PRIMARY KEY NOT NULL,
    query TEXT NOT NULL,
    updated REAL NOT NULL DEFAULT 0
)""",
    """CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY NOT NULL,
    week TEXT NOT NULL DEFAULT '',
    query TEXT NOT NULL DEFAULT '',
    paper TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL DEFAULT 0
)""",
)
SCHEMA_VERSION = 3
"""`PRAGMA user_version` of a store. Migrations run on opening, each only adds tables, so an
older reader still reads the marks of a migrated store:

- 0 (marks only, stores before the metadata cache) and 2 (marks and `arxiv_metadata`) become 3;
- 2 adds `arxiv_metadata`; 3 adds `notes` (a paper's note), `tags` (a row per paper and tag),
  `searches` (saved queries by name) and `sessions` (where you left off, per digest).
"""
_OWN_TABLES = frozenset({"marks", "arxiv_metadata", "notes", "tags", "searches", "sessions"})
_COLUMNS = frozenset({"key", "read", "starred", "updated"})
_MISSING = '{"missing": true}'
"""The data of an id arXiv answered without an entry."""
_METADATA_CHUNK = 500
"""Ids per `SELECT ... IN (...)`: well under SQLite's limit of bound parameters."""
_SELECT = "SELECT key, read, starred, updated FROM marks"
_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
_MAGIC = b"SQLite format 3\x00"
_LATER = "updated = max(marks.updated, excluded.updated)"
_UPSERT_READ = (
    "INSERT INTO marks (key, read, updated) VALUES (?, ?, ?) "
    f"ON CONFLICT (key) DO UPDATE SET read = excluded.read, {_LATER}"
)
_UPSERT_STARRED = (
    "INSERT INTO marks (key, starred, updated) VALUES (?, ?, ?) "
    f"ON CONFLICT (key) DO UPDATE SET starred = excluded.starred, {_LATER}"
)
_UPSERT_UPDATED = (
    f"INSERT INTO marks (key, updated) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET {_LATER}"
)
_INSERT_MISSING = (
    "INSERT INTO marks (key, read, starred, updated) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO NOTHING"
)

_Row = tuple[Any, ...]
_NOTE, _TAG, _SEARCH, _SESSION = "note", "tag", "search", "session"
_TAG_JUNK = re.compile(r"[\s,\"'`]+")


@dataclass(frozen=True)
class Session:
    """Where a digest was left: its week (ISO date, "all" or "" for the newest), query, paper."""

    week: str = ""
    query: str = ""
    paper: str = ""


def normal_tag(text: str) -> str:
    """A tag as stored: lowercase, without spaces, commas or quotes ("To Read" -> "to-read");
    "" when nothing is left."""
    return _TAG_JUNK.sub("-", inert(text).strip().lower()).strip("-")
_READ, _STARRED, _UPDATED = "read", "starred", "updated"


def state_dir() -> Path:
    """Where reading state is kept: `$READER_STATE_DIR` if set, else the user data directory."""
    override = os.environ.get("READER_STATE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("reader", appauthor=False))


class StateError(Exception):
    """A state export that cannot be read or written; `str()` is `PATH:LINE: message`.

    `line` is 1-based, or 0 when no line applies (the file cannot be opened at all); then `str()`
    is `PATH: message`.
    """

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path = Path(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line > 0:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class _Damaged(Exception):
    """The database file opens but is not a usable reader store (failed check, foreign schema)."""


_Failure = (sqlite3.Error, OSError, ValueError, _Damaged)
"""What opening or writing the store may raise (ValueError: a NUL in the path)."""


def _is_damage(error: BaseException) -> bool:
    # SQLITE_CORRUPT and SQLITE_NOTADB surface as the base DatabaseError; locked, read-only,
    # cannot-open, disk-full and I/O errors are OperationalError and do not mean damage.
    return isinstance(error, _Damaged) or type(error) is sqlite3.DatabaseError


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _flag(value: object) -> bool:
    return isinstance(value, (int, float)) and bool(value)


def _seconds(value: object) -> float:
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return 0.0


def _savable(key: str) -> bool:
    """False for keys SQLite cannot store as text (lone surrogates from a mis-decoded source)."""
    if key.isascii():
        return True
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
            self._layer_change(_NOTE, key)
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
            self._layer_change(_SEARCH, name)
            self._flush()

    def delete_search(self, name: str) -> None:
        with self._lock:
            if self._searches.pop(name, None) is not None:
                self._layer_change(_SEARCH, name)
                self._flush()

    def save_session(self, digest: str, session: Session) -> None:
        """Remember where `digest` was left."""
        with self._lock:
            if self._sessions.get(digest) == session:
                return
            self._sessions[digest] = session
            self._layer_change(_SESSION, digest)
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
                rows = conn.execute(_SELECT).fetchall()
            except _Failure as error:
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
                        | {key for kind, key, _tag in self._layer_dirty if kind in (_NOTE, _TAG)}
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
                    self._metadata_unsaved[arxiv_id] = (_MISSING, now)
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

    def _read_metadata(self, ids: list[str]) -> None:
        conn = self._conn
        if conn is None or self._metadata_empty:
            return
        try:
            if conn.execute("SELECT 1 FROM arxiv_metadata LIMIT 1").fetchone() is None:
                self._metadata_empty = True  # the common case: nothing was ever fetched
                return
            for start in range(0, len(ids), _METADATA_CHUNK):
                chunk = ids[start : start + _METADATA_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id, data, fetched FROM arxiv_metadata WHERE id IN ({marks})", chunk
                ).fetchall()
                for arxiv_id, data, fetched in rows:
                    if data == _MISSING:
                        if arxiv_id not in self._metadata:
                            self._missing.setdefault(arxiv_id, _seconds(fetched))
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
            if _savable(arxiv_id)
        ]
        try:
            if self._ensure_connection():  # a new file: it gets the marks too
                self._write(reopened=True)
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT INTO arxiv_metadata (id, data, fetched) VALUES (?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                    "fetched = excluded.fetched",
                    rows,
                )
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError, ValueError, UnicodeEncodeError, _Damaged) as error:
            if not self._failing:
                self._warn(
                    f"Could not save arXiv metadata ({_reason(error)}); it is kept for this "
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
            keys = sorted(
                self._updated.keys() | self._read | self._starred | self._notes.keys()
                | self._tags.keys()
            )
            lines = []
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
                lines.append(json.dumps(entry))
            searches = [
                json.dumps({"name": name, "query": query, "updated": when})
                for name, (query, when) in sorted(self._searches.items())
            ]
        body = ",\n".join(lines)
        text = f'{{"version": {EXPORT_VERSION}, "marks": [\n{body}\n]'
        if searches:
            text += ', "searches": [\n' + ",\n".join(searches) + "\n]"
        _write_atomically(Path(path), text + "}\n")
        return len(keys)

    def import_json(self, path: Path | str) -> int:
        """Merge an export into this store (read and starred are OR-ed); the number of entries.

        Raises StateError (with the line) if the file cannot be read or is not a valid export;
        nothing is merged then.
        """
        entries, searches = _read_export(Path(path))
        with self._lock:
            for name, query, when in searches:
                mine = self._searches.get(name)
                if mine is None or (mine[0] != query and when > mine[1]):
                    self._searches[name] = (query, when)
                    self._layer_change(_SEARCH, name)
            for entry in entries:
                key, read, starred, updated = entry.key, entry.read, entry.starred, entry.updated
                if entry.note is not None:
                    note = self._notes.get(key)
                    if note is None or (note[0] != entry.note[0] and entry.note[1] > note[1]):
                        self._notes[key] = entry.note
                        self._layer_change(_NOTE, key)
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
                if not _savable(key):
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
            if _savable(key):
                self._dirty[(column, key)] = None
            else:
                self._memory_only(key)

    def _layer_change(self, kind: str, key: str, tag: str = "") -> None:
        if _savable(key) and _savable(tag):
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
        self._layer_change(_TAG, key, tag)

    def _reload_layer(self) -> None:
        """Re-read notes, tags, searches and sessions, keeping this session's unsaved changes."""
        conn = self._conn
        if conn is None:
            return
        try:
            notes = conn.execute("SELECT key, text, updated FROM notes").fetchall()
            tag_rows = conn.execute("SELECT key, tag, updated FROM tags").fetchall()
            search_rows = conn.execute("SELECT name, query, updated FROM searches").fetchall()
            session_rows = conn.execute(
                "SELECT digest, week, query, paper FROM sessions"
            ).fetchall()
        except sqlite3.Error:
            return
        loaded_notes = {
            key: (text, _seconds(when))
            for key, text, when in notes
            if isinstance(key, str) and isinstance(text, str)
        }
        loaded_tags: dict[str, dict[str, float]] = {}
        for key, tag, when in tag_rows:
            if isinstance(key, str) and isinstance(tag, str):
                loaded_tags.setdefault(key, {})[tag] = _seconds(when)
        loaded_searches = {
            name: (query, _seconds(when))
            for name, query, when in search_rows
            if isinstance(name, str) and isinstance(query, str)
        }
        loaded_sessions = {
            digest: Session(*(value if isinstance(value, str) else "" for value in rest))
            for digest, *rest in session_rows
            if isinstance(digest, str)
        }
        for kind, key, tag in self._layer_dirty:  # unsaved changes win
            if kind == _NOTE:
                _overlay(loaded_notes, self._notes, key)
            elif kind == _SEARCH:
                _overlay(loaded_searches, self._searches, key)
            elif kind == _SESSION:
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

    def _write_layer(self, conn: sqlite3.Connection, reopened: bool) -> None:
        """Write the changed notes, tags, searches and sessions (inside `_write`'s transaction).

        A new file first gets everything this store knows, without overriding."""
        if reopened:
            conn.executemany(
                "INSERT OR IGNORE INTO notes (key, text, updated) VALUES (?, ?, ?)",
                ((key, text, when) for key, (text, when) in self._notes.items() if _savable(key)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO tags (key, tag, updated) VALUES (?, ?, ?)",
                (
                    (key, tag, when)
                    for key, tags in self._tags.items()
                    for tag, when in tags.items()
                    if _savable(key)
                ),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO searches (name, query, updated) VALUES (?, ?, ?)",
                ((name, query, when) for name, (query, when) in self._searches.items()),
            )
        for kind, key, tag in self._layer_dirty:
            if kind == _NOTE:
                note = self._notes.get(key)
                if note is None:
                    conn.execute("DELETE FROM notes WHERE key = ?", (key,))
                else:
                    conn.execute(
                        "INSERT INTO notes (key, text, updated) VALUES (?, ?, ?) ON CONFLICT "
                        "(key) DO UPDATE SET text = excluded.text, updated = excluded.updated",
                        (key, *note),
                    )
            elif kind == _TAG:
                when = self._tags.get(key, {}).get(tag)
                if when is None:
                    conn.execute("DELETE FROM tags WHERE key = ? AND tag = ?", (key, tag))
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO tags (key, tag, updated) VALUES (?, ?, ?)",
                        (key, tag, when),
                    )
            elif kind == _SEARCH:
                search = self._searches.get(key)
                if search is None:
                    conn.execute("DELETE FROM searches WHERE name = ?", (key,))
                else:
                    conn.execute(
                        "INSERT OR REPLACE INTO searches (name, query, updated) VALUES (?, ?, ?)",
                        (key, *search),
                    )
            else:
                session = self._sessions[key]
                conn.execute(
                    "INSERT OR REPLACE INTO sessions (digest, week, query, paper, updated) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (key, session.week, session.query, session.paper, time.time()),
                )

    def _memory_only(self, key: str) -> None:
        if not self._unsavable:
            self._warn("Reading state: a paper key is not valid text; its marks are not saved.")
        self._unsavable.add(key)

    def _load(self, rows: Iterable[_Row], merge: bool = False) -> None:
        """Replace the marks in memory by `rows`, keeping this session's unsaved changes.

        With `merge`, OR the rows into memory instead, as unsaved changes (salvaged rows).
        """
        if merge:
            for key, read, starred, when in rows:
                if isinstance(key, str):
                    self._updated[key] = max(self._updated.get(key, 0.0), _seconds(when))
                    self._dirty[(_UPDATED, key)] = None
                    if _flag(read):
                        self._read.add(key)
                        self._dirty[(_READ, key)] = None
                    if _flag(starred):
                        self._starred.add(key)
                        self._dirty[(_STARRED, key)] = None
            return
        read_keys: set[str] = set()
        starred_keys: set[str] = set()
        updated: dict[str, float] = {}
        for key, read, starred, when in rows:
            if isinstance(key, str):
                if _flag(read):
                    read_keys.add(key)
                if _flag(starred):
                    starred_keys.add(key)
                updated[key] = _seconds(when)
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

    # --- internals: database -------------------------------------------------------------------

    def _open(self) -> None:
        try:
            rows = self._connect()
        except _Failure as error:
            self._disconnect()
            if _is_damage(error):
                self._recover(error)
            else:
                self._load(self._salvage())
                self._warn(
                    f"Reading state will not be saved: cannot open {self.path} "
                    f"({_reason(error)}); "
                    "marks are kept for this session."
                )
                self._failing = True
                self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        self._load(rows)
        self._reload_layer()
        self.saving = True

    def _recover(self, error: BaseException) -> None:
        """The file is damaged: keep it aside, start afresh with whatever rows could be read."""
        salvaged = self._salvage()
        moved: Path | None = None
        try:
            moved = self._move_aside()
            rows = self._connect()
        except _Failure as failure:
            self._disconnect()
            self._load(salvaged)
            action = f"moved to {moved.name}" if moved else "it could not be moved aside"
            self._warn(
                f"Reading state file {self.path} is damaged ({_reason(error)}; {action}) and "
                f"cannot be replaced ({_reason(failure)}); marks are kept for this session."
            )
            self._failing = True
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        self._load(rows)
        self._load(salvaged, merge=True)
        recovered = sum(1 for row in salvaged if _flag(row[1]) or _flag(row[2]))
        place = f"moved it to {moved.name}" if moved else "another instance moved it aside"
        self._warn(
            f"Reading state file was damaged ({_reason(error)}): {place} and started a new one "
            f"({recovered} marked papers recovered)."
        )
        self.saving = True
        self._flush()

    def _connect(self) -> list[_Row]:
        """Open (creating if needed) the database at `self.path`; its rows. Raises on failure.

        Some steps of opening (turning a new file into WAL mode while another instance does the
        same) report "database is locked" at once, without waiting for the busy timeout: they
        are retried until the timeout has passed.
        """
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return self._connect_once()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(0.005)

    def _connect_once(self) -> list[_Row]:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._validate()
        conn = sqlite3.connect(
            self.path,  # a path object: a name that is not UTF-8 still works
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(_SCHEMA)
            if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                conn.execute("BEGIN IMMEDIATE")  # two instances may migrate at once
                try:
                    conn.execute(_METADATA_SCHEMA)  # from version 0
                    for statement in _LAYER_SCHEMA:  # from versions 0 and 2
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    conn.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    raise
            columns = {row[1] for row in conn.execute("PRAGMA table_info(marks)")}
            if not columns >= _COLUMNS:
                raise _Damaged("not a reader state database")
            rows = conn.execute(_SELECT).fetchall()
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            identity = self._stat()
        except BaseException:
            conn.close()
            raise
        if identity is None:
            conn.close()
            raise FileNotFoundError(2, "the state file vanished while opening", str(self.path))
        self._conn, self._identity, self._data_version = conn, identity, version
        return rows

    def _validate(self) -> None:
        """Raise if an existing file is not a usable store. Read-only: a damaged file (and its
        WAL) must reach its `.corrupt-` copy unchanged, so no read-write connection touches it
        before this check."""
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(len(_MAGIC))
        except FileNotFoundError:
            return
        if not head:  # an empty file is an empty database to SQLite
            return
        if head != _MAGIC:
            raise _Damaged("file is not a database")
        conn = sqlite3.connect(self._readonly_uri(), uri=True, timeout=self.busy_timeout)
        try:
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise _Damaged("failed its integrity check")
            tables = {row[0] for row in conn.execute(_TABLES)}
            if "marks" in tables:
                columns = {row[1] for row in conn.execute("PRAGMA table_info(marks)")}
                if not columns >= _COLUMNS:
                    raise _Damaged("not a reader state database")
            elif tables - _OWN_TABLES:
                raise _Damaged("not a reader state database")
        finally:
            conn.close()

    def _readonly_uri(self) -> str:
        return f"file:{quote(os.fsencode(self.path.absolute()))}?mode=ro"

    def _disconnect(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._identity = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (status.st_dev, status.st_ino)

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
            if self._stat() == self._identity:
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
            rows = self._connection().execute(_SELECT).fetchall() if reopened else None
        except _Failure as error:
            self._fail(error)
            return
        if rows is not None:
            self._load(rows)
            self._reload_layer()
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
                    _INSERT_MISSING,
                    (
                        (key, key in self._read, key in self._starred, self._updated.get(key, 0.0))
                        for key in keys
                    ),
                )
            conn.executemany(_UPSERT_READ, read_rows)
            conn.executemany(_UPSERT_STARRED, starred_rows)
            conn.executemany(_UPSERT_UPDATED, updated_rows)
            self._write_layer(conn, reopened)
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
                f"Could not save reading state ({_reason(error)}); marks are kept in memory "
                "and saving will be retried."
            )

    def _salvage(self) -> list[_Row]:
        """The rows of `self.path` that can be read (read-only); [] when none can."""
        rows: list[_Row] = []
        if not self.path.is_file():
            return rows
        with contextlib.suppress(sqlite3.Error, ValueError, OSError):
            conn = sqlite3.connect(self._readonly_uri(), uri=True, timeout=self.busy_timeout)
            try:
                cursor = conn.execute(_SELECT)
                while (row := cursor.fetchone()) is not None:
                    rows.append(tuple(row))
            finally:
                conn.close()
        return rows

    def _move_aside(self) -> Path | None:
        """Rename the damaged file (and its WAL) to `state.sqlite3.corrupt-<timestamp>`."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILENAME}.corrupt-{stamp}")
        number = 1
        while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
            target = self.path.with_name(f"{FILENAME}.corrupt-{stamp}-{number}")
            number += 1
        try:
            os.rename(self.path, target)
        except FileNotFoundError:  # another instance moved it first
            return None
        wal = Path(f"{self.path}-wal")
        if wal.exists():
            try:
                os.rename(wal, f"{target}-wal")
            except OSError:
                wal.unlink()  # never let an old WAL be replayed into the new file
        with contextlib.suppress(FileNotFoundError):
            Path(f"{self.path}-shm").unlink()  # only an index of the WAL, rebuilt when needed
        return target


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


# --- export files ------------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
        with replacing(path, durable=True, mode=mode) as handle:
            handle.write(text.encode("utf-8"))
    except OSError as error:
        raise StateError(path, 0, f"cannot write: {_reason(error)}") from error


@dataclass(frozen=True)
class _Entry:
    key: str
    read: bool
    starred: bool
    updated: float
    note: tuple[str, float] | None = None
    tags: tuple[str, ...] = ()


def _read_export(path: Path) -> tuple[list[_Entry], list[tuple[str, str, float]]]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StateError(path, 0, f"cannot read: {_reason(error)}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StateError(path, line, "not UTF-8 text") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise StateError(
            path, error.lineno, f"invalid JSON: {error.msg} (column {error.colno})"
        ) from error
    except RecursionError as error:
        raise StateError(path, 1, "invalid JSON: nested too deeply") from error
    if not isinstance(document, dict) or not isinstance(document.get("marks"), list):
        raise StateError(
            path, 1, 'not a reader state export: expected {"version": 1, "marks": [...]}'
        )
    version = document.get("version")
    if type(version) is not int or version != EXPORT_VERSION:
        raise StateError(path, 1, f"unsupported export version (expected {EXPORT_VERSION})")
    entries: list[_Entry] = []
    for index, item in enumerate(document["marks"]):
        entry = _entry(item)
        if isinstance(entry, str):
            lines = _entry_lines(text)
            line = lines[index] if index < len(lines) else 1
            raise StateError(path, line, f"mark {index + 1}: {entry}")
        entries.append(entry)
    searches: list[tuple[str, str, float]] = []
    found = document.get("searches", [])
    if not isinstance(found, list):
        raise StateError(path, 1, '"searches" must be a list')
    for index, item in enumerate(found):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("query"), str)
            or not item["name"].strip()
        ):
            line = _line_of(text, '"searches"')
            raise StateError(
                path, line, f'search {index + 1}: expected {{"name": "...", "query": "..."}}'
            )
        searches.append((item["name"], item["query"], _seconds(item.get("updated", 0.0))))
    return entries, searches


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _entry(item: object) -> _Entry | str:
    """An export entry as (key, read, starred, updated), or what is wrong with it."""
    if not isinstance(item, dict):
        return 'expected an object like {"key": "...", "read": true}'
    key = item.get("key")
    if not isinstance(key, str):
        return '"key" must be a string'
    flags: list[bool] = []
    for name in ("read", "starred"):
        value = item.get(name, False)
        if not isinstance(value, bool):
            return f'"{name}" must be true or false'
        flags.append(value)
    updated = item.get("updated", 0.0)
    try:
        seconds = float(updated) if not isinstance(updated, bool) else math.nan
    except (TypeError, ValueError, OverflowError):
        seconds = math.nan
    if not isinstance(updated, (int, float)) or not math.isfinite(seconds):
        return '"updated" must be a number (seconds since 1970)'
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        return '"note" must be a string'
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return '"tags" must be a list of strings'
    names = tuple(name for name in map(normal_tag, tags) if name)
    noted = (note, _seconds(item.get("note_updated", 0.0))) if note and note.strip() else None
    return _Entry(key, flags[0], flags[1], seconds, noted, names)


_SPACE = re.compile(r"[ \t\n\r]*")


def _entry_lines(text: str) -> list[int]:
    """The 1-based line where each entry of the top-level "marks" array starts (valid JSON).

    Best effort, for error messages: [] if the layout is not the expected one.
    """
    decoder = json.JSONDecoder()
    found: list[int] = []

    def skip(position: int) -> int:
        match = _SPACE.match(text, position)
        return match.end() if match else position

    try:
        position = skip(0)
        if text[position] != "{":
            return []
        position = skip(position + 1)
        while text[position] != "}":
            name, position = decoder.raw_decode(text, position)
            position = skip(skip(position) + 1)  # past the colon
            if name == "marks" and text[position] == "[":
                offsets: list[int] = []
                position = skip(position + 1)
                while text[position] != "]":
                    offsets.append(position)
                    _value, position = decoder.raw_decode(text, position)
                    position = skip(position)
                    if text[position] == ",":
                        position = skip(position + 1)
                position += 1
                found = [text.count("\n", 0, offset) + 1 for offset in offsets]
            else:
                _value, position = decoder.raw_decode(text, position)
            position = skip(position)
            if text[position] == ",":
                position = skip(position + 1)
    except (ValueError, IndexError):
        return found
    return found
