"""The SQLite file of the reading state: where it lives, its schema and migrations, opening it
(and telling a damaged or foreign file from a usable one), salvaging the rows of a damaged file,
moving it aside, and the SQL of marks, notes, tags, searches and sessions. No Textual here.

`reader.state.store.StateStore` holds the marks in memory and decides when to call these; nothing
here keeps state between calls.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import platformdirs

from reader.text import inert

FILENAME = "state.sqlite3"
BUSY_TIMEOUT = 1.0
"""Seconds a write waits for another instance's transaction before it counts as failed."""

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
MISSING = '{"missing": true}'
"""The data of an id arXiv answered without an entry."""
METADATA_CHUNK = 500
"""Ids per `SELECT ... IN (...)`: well under SQLite's limit of bound parameters."""
SELECT = "SELECT key, read, starred, updated FROM marks"
_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"
_MAGIC = b"SQLite format 3\x00"
_LATER = "updated = max(marks.updated, excluded.updated)"
UPSERT_READ = (
    "INSERT INTO marks (key, read, updated) VALUES (?, ?, ?) "
    f"ON CONFLICT (key) DO UPDATE SET read = excluded.read, {_LATER}"
)
UPSERT_STARRED = (
    "INSERT INTO marks (key, starred, updated) VALUES (?, ?, ?) "
    f"ON CONFLICT (key) DO UPDATE SET starred = excluded.starred, {_LATER}"
)
UPSERT_UPDATED = (
    f"INSERT INTO marks (key, updated) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET {_LATER}"
)
INSERT_MISSING = (
    "INSERT INTO marks (key, read, starred, updated) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO NOTHING"
)
UPSERT_METADATA = (
    "INSERT INTO arxiv_metadata (id, data, fetched) VALUES (?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET data = excluded.data, fetched = excluded.fetched"
)

Row = tuple[Any, ...]
NOTE, TAG, SEARCH, SESSION = "note", "tag", "search", "session"
"""The kinds of a changed note, tag, saved search or session (`write_layer`)."""
_TAG_JUNK = re.compile(r"[\s,\"'`]+")


def normal_tag(text: str) -> str:
    """A tag as stored: lowercase, without spaces, commas or quotes ("To Read" -> "to-read");
    "" when nothing is left."""
    return _TAG_JUNK.sub("-", inert(text).strip().lower()).strip("-")


def state_dir() -> Path:
    """Where reading state is kept: `$READER_STATE_DIR` if set, else the user data directory."""
    override = os.environ.get("READER_STATE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("reader", appauthor=False))


class Damaged(Exception):
    """The database file opens but is not a usable reader store (failed check, foreign schema)."""


FAILURE = (sqlite3.Error, OSError, ValueError, Damaged)
"""What opening or writing the store may raise (ValueError: a NUL in the path)."""


def is_damage(error: BaseException) -> bool:
    # SQLITE_CORRUPT and SQLITE_NOTADB surface as the base DatabaseError; locked, read-only,
    # cannot-open, disk-full and I/O errors are OperationalError and do not mean damage.
    return isinstance(error, Damaged) or type(error) is sqlite3.DatabaseError


def reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def flag(value: object) -> bool:
    return isinstance(value, (int, float)) and bool(value)


def seconds(value: object) -> float:
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return 0.0


def savable(key: str) -> bool:
    """False for keys SQLite cannot store as text (lone surrogates from a mis-decoded source)."""
    if key.isascii():
        return True
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- opening -----------------------------------------------------------------------------------


class Opened(NamedTuple):
    """An open store: its connection, its marks, `PRAGMA data_version` and the file's identity."""

    conn: sqlite3.Connection
    rows: list[Row]
    version: int
    identity: tuple[int, int]


def connect(path: Path, busy_timeout: float) -> Opened:
    """Open (creating if needed, migrating to `SCHEMA_VERSION`) the database at `path`. Raises
    one of `FAILURE` when it cannot be opened or is not a usable store.

    Some steps of opening (turning a new file into WAL mode while another instance does the
    same) report "database is locked" at once, without waiting for the busy timeout: they
    are retried until the timeout has passed.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            return _connect_once(path, busy_timeout)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        time.sleep(0.005)


def _connect_once(path: Path, busy_timeout: float) -> Opened:
    path.parent.mkdir(parents=True, exist_ok=True)
    validate(path, busy_timeout)
    conn = sqlite3.connect(
        path,  # a path object: a name that is not UTF-8 still works
        timeout=busy_timeout,
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
            raise Damaged("not a reader state database")
        rows = conn.execute(SELECT).fetchall()
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        found = identity(path)
    except BaseException:
        conn.close()
        raise
    if found is None:
        conn.close()
        raise FileNotFoundError(2, "the state file vanished while opening", str(path))
    return Opened(conn, rows, version, found)


def validate(path: Path, busy_timeout: float) -> None:
    """Raise if an existing file is not a usable store. Read-only: a damaged file (and its
    WAL) must reach its `.corrupt-` copy unchanged, so no read-write connection touches it
    before this check."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_MAGIC))
    except FileNotFoundError:
        return
    if not head:  # an empty file is an empty database to SQLite
        return
    if head != _MAGIC:
        raise Damaged("file is not a database")
    conn = sqlite3.connect(readonly_uri(path), uri=True, timeout=busy_timeout)
    try:
        if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise Damaged("failed its integrity check")
        tables = {row[0] for row in conn.execute(_TABLES)}
        if "marks" in tables:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(marks)")}
            if not columns >= _COLUMNS:
                raise Damaged("not a reader state database")
        elif tables - _OWN_TABLES:
            raise Damaged("not a reader state database")
    finally:
        conn.close()


def readonly_uri(path: Path) -> str:
    return f"file:{quote(os.fsencode(path.absolute()))}?mode=ro"


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`; None when there is none."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_dev, status.st_ino)


# --- a damaged file ----------------------------------------------------------------------------


def salvage(path: Path, busy_timeout: float) -> list[Row]:
    """The rows of `path` that can be read (read-only); [] when none can."""
    rows: list[Row] = []
    if not path.is_file():
        return rows
    with contextlib.suppress(sqlite3.Error, ValueError, OSError):
        conn = sqlite3.connect(readonly_uri(path), uri=True, timeout=busy_timeout)
        try:
            cursor = conn.execute(SELECT)
            while (row := cursor.fetchone()) is not None:
                rows.append(tuple(row))
        finally:
            conn.close()
    return rows


def move_aside(path: Path) -> Path | None:
    """Rename the damaged file (and its WAL) to `state.sqlite3.corrupt-<timestamp>`."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{FILENAME}.corrupt-{stamp}")
    number = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        target = path.with_name(f"{FILENAME}.corrupt-{stamp}-{number}")
        number += 1
    try:
        os.rename(path, target)
    except FileNotFoundError:  # another instance moved it first
        return None
    wal = Path(f"{path}-wal")
    if wal.exists():
        try:
            os.rename(wal, f"{target}-wal")
        except OSError:
            wal.unlink()  # never let an old WAL be replayed into the new file
    with contextlib.suppress(FileNotFoundError):
        Path(f"{path}-shm").unlink()  # only an index of the WAL, rebuilt when needed
    return target


# --- notes, tags, searches, sessions -----------------------------------------------------------


class LayerRows(NamedTuple):
    """The rows of the tables beside the marks, as read (not yet checked)."""

    notes: list[Row]
    tags: list[Row]
    searches: list[Row]
    sessions: list[Row]


def read_layer(conn: sqlite3.Connection) -> LayerRows:
    """Every note, tag, saved search and session. Raises sqlite3.Error."""
    return LayerRows(
        conn.execute("SELECT key, text, updated FROM notes").fetchall(),
        conn.execute("SELECT key, tag, updated FROM tags").fetchall(),
        conn.execute("SELECT name, query, updated FROM searches").fetchall(),
        conn.execute("SELECT digest, week, query, paper FROM sessions").fetchall(),
    )


def write_layer(
    conn: sqlite3.Connection,
    changed: Mapping[tuple[str, str, str], None],
    notes: Mapping[str, tuple[str, float]],
    tags: Mapping[str, Mapping[str, float]],
    searches: Mapping[str, tuple[str, float]],
    sessions: Mapping[str, tuple[str, str, str]],
    reopened: bool,
) -> None:
    """Write the `changed` (kind, key, tag) notes, tags, searches and sessions, as they are in
    the mappings (absent: deleted), inside the caller's transaction. A new file (`reopened`)
    first gets every note, tag and search, without overriding."""
    if reopened:
        conn.executemany(
            "INSERT OR IGNORE INTO notes (key, text, updated) VALUES (?, ?, ?)",
            ((key, text, when) for key, (text, when) in notes.items() if savable(key)),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO tags (key, tag, updated) VALUES (?, ?, ?)",
            (
                (key, tag, when)
                for key, paper_tags in tags.items()
                for tag, when in paper_tags.items()
                if savable(key)
            ),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO searches (name, query, updated) VALUES (?, ?, ?)",
            ((name, query, when) for name, (query, when) in searches.items()),
        )
    for kind, key, tag in changed:
        if kind == NOTE:
            note = notes.get(key)
            if note is None:
                conn.execute("DELETE FROM notes WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO notes (key, text, updated) VALUES (?, ?, ?) ON CONFLICT "
                    "(key) DO UPDATE SET text = excluded.text, updated = excluded.updated",
                    (key, *note),
                )
        elif kind == TAG:
            when = tags.get(key, {}).get(tag)
            if when is None:
                conn.execute("DELETE FROM tags WHERE key = ? AND tag = ?", (key, tag))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO tags (key, tag, updated) VALUES (?, ?, ?)",
                    (key, tag, when),
                )
        elif kind == SEARCH:
            search = searches.get(key)
            if search is None:
                conn.execute("DELETE FROM searches WHERE name = ?", (key,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO searches (name, query, updated) VALUES (?, ?, ?)",
                    (key, *search),
                )
        else:
            conn.execute(
                "INSERT OR REPLACE INTO sessions (digest, week, query, paper, updated) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, *sessions[key], time.time()),
            )
