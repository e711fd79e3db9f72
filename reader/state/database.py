"""The SQLite file of the reading state: where it lives, its schema and migrations, opening it
(and telling a damaged or foreign file from a usable one), salvaging the rows of a damaged file,
moving it aside, and the SQL of marks, notes, tags, searches and sessions. No Textual here.

`reader.state.saving.SavedState` (the base of `StateStore`) holds the marks in memory and
decides when to call these; nothing here keeps state between calls.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reader.environment import user_dir
from reader.patterns import compiled
from reader.records import frozen
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
_TAG_JUNK = compiled(r"[\s,\"'`]+")


def normal_tag(text: str) -> str:
    """A tag as stored: lowercase, without spaces, commas or quotes ("To Read" -> "to-read");
    "" when nothing is left."""
    return _TAG_JUNK.sub("-", inert(text).strip().lower()).strip("-")


def state_dir() -> Path:
    """Where reading state is kept: `$READER_STATE_DIR` if set, else the user data directory."""
    return user_dir("state")


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


@frozen
class Opened:
    """An open store: its connection, its marks, its notes, tags, searches and sessions,
    `PRAGMA data_version` and the file's identity."""

    conn: sqlite3.Connection
    rows: list[Row]
    layer: LayerRows
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
        try:
            rows = conn.execute(SELECT).fetchall()
            layer = read_layer(conn)
        except sqlite3.OperationalError as error:  # a row that is not UTF-8: a damaged page
            if "decode" in str(error):
                raise Damaged(str(error)) from None
            raise
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        found = identity(path)
    except BaseException:
        conn.close()
        raise
    if found is None:
        conn.close()
        raise FileNotFoundError(2, "the state file vanished while opening", str(path))
    return Opened(conn, rows, layer, version, found)


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


def readonly_uri(path: Path, immutable: bool = False) -> str:
    """A URI that opens `path` read-only; `immutable` also tells SQLite that nobody writes it
    (no lock, no WAL index: it opens even in a folder that cannot be written)."""
    flags = "mode=ro&immutable=1" if immutable else "mode=ro"
    return f"file:{quote(os.fsencode(path.absolute()))}?{flags}"


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`; None when there is none."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_dev, status.st_ino)


# --- a damaged file ----------------------------------------------------------------------------


@frozen
class Salvaged:
    """What could be read of a damaged store, table by table, and the keys of rows that are
    known (from a table's primary-key index) but could not be read."""

    marks: list[Row]
    """(key, read, starred, updated)"""
    notes: list[Row]
    """(key, text, updated)"""
    tags: list[Row]
    """(key, tag, updated); a tag whose row is lost but whose index entry reads is kept, at 0."""
    searches: list[Row]
    """(name, query, updated)"""
    sessions: list[Row]
    """(digest, week, query, paper)"""
    lost: dict[str, list[str]]
    """Kind ("marks", "notes", "searches", "sessions", "metadata") -> keys of the rows that are
    lost."""
    opened: bool = True
    """False when the file could not be read at all (nothing was salvaged)."""
    metadata: Sequence[Row] = ()
    """The arXiv metadata cache's rows: (id, data, fetched)."""

    @property
    def whole(self) -> bool:
        """Whether every row an export holds was read (the arXiv metadata cache, fetched
        again when asked for, is not exported)."""
        return self.opened and not self.lost.keys() - {"metadata"}


SALVAGE_PROBES = 2_000
"""Seeks into a table that may fail (damaged pages) before the rest of it counts as lost."""
_MIN_ROWID, _MAX_ROWID = -(1 << 63), (1 << 63) - 1
_SALVAGED_TABLES = {  # kind: (table, columns, primary key columns)
    "marks": ("marks", "key, read, starred, updated", "key"),
    "notes": ("notes", "key, text, updated", "key"),
    "tags": ("tags", "key, tag, updated", "key, tag"),
    "searches": ("searches", "name, query, updated", "name"),
    "sessions": ("sessions", "digest, week, query, paper", "digest"),
    "metadata": ("arxiv_metadata", "id, data, fetched", "id"),
}


def salvage(path: Path, busy_timeout: float, immutable: bool = False) -> Salvaged:
    """Every row of every table of the store at `path` that can still be read, read-only (with
    `immutable`, as SQLite's `immutable=1`: for a file nobody can be writing, in a folder that
    cannot be written). A damaged page loses only its own rows: each table is read in rowid
    order, and past a page that fails the reading starts again beyond it (`table_rows`)."""
    empty = Salvaged([], [], [], [], [], {}, opened=False)
    if not path.is_file():
        return empty
    try:
        conn = sqlite3.connect(readonly_uri(path, immutable), uri=True, timeout=busy_timeout)
    except (sqlite3.Error, ValueError, OSError):
        return empty
    conn.text_factory = _loose_text
    try:
        try:
            tables = {row[0] for row in conn.execute(_TABLES)}
        except sqlite3.Error:
            return empty
        found: dict[str, list[Row]] = {}
        lost: dict[str, list[str]] = {}
        for kind, (table, columns, primary) in _SALVAGED_TABLES.items():
            if table not in tables:
                found[kind] = []
                continue
            width = primary.count(",") + 1
            indexed = _index_entries(conn, table, primary)
            rows = [
                _mend(row, width)
                for row in table_rows(conn, table, columns, indexed.values())
                if _whole(row, width)
            ]
            have = {tuple(row[:width]) for row in rows}
            missing = sorted(key for key in indexed if key not in have)
            if kind == "tags":  # the index holds the whole of a tag: keep it
                rows += [(key, tag, 0.0) for key, tag in missing]
            elif missing:
                lost[kind] = [key[0] for key in missing]
            found[kind] = rows
        marks, notes, tags = found["marks"], found["notes"], found["tags"]
        searches, sessions = found["searches"], found["sessions"]
        return Salvaged(marks, notes, tags, searches, sessions, lost, metadata=found["metadata"])
    finally:
        conn.close()


def wal_of(path: Path) -> int:
    """The size of the store's write-ahead log (`state.sqlite3-wal`): changes written but not
    yet copied into the file itself (a reader killed, or one still running). 0: none."""
    try:
        return os.stat(f"{path}-wal").st_size
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return 0


def salvage_copy(path: Path, busy_timeout: float) -> Salvaged | None:
    """`salvage` of a copy of the store and its write-ahead log in a private temporary folder:
    for a store in a folder that cannot be written and that holds a WAL but no WAL index
    (`-shm`), which SQLite can then open only as `immutable=1`, blind to the WAL. None when
    there is no WAL or the copy could not be made."""
    if not wal_of(path):
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="reader-state-") as folder:
            copy = Path(folder) / FILENAME
            shutil.copyfile(path, copy)
            shutil.copyfile(f"{path}-wal", f"{copy}-wal")
            salvaged = salvage(copy, busy_timeout)
    except (OSError, ValueError):
        return None
    return salvaged if salvaged.opened else None


_KINDS = (  # (field of Salvaged, one, several)
    ("marks", "mark", "marks"),
    ("notes", "note", "notes"),
    ("tags", "tag", "tags"),
    ("searches", "search", "searches"),
    ("sessions", "place left off", "places left off"),
    ("metadata", "paper's arXiv metadata", "papers' arXiv metadata"),
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
        "metadata": sum(1 for row in salvaged.metadata if row[1] != MISSING),
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


def table_rows(
    conn: sqlite3.Connection, table: str, columns: str, rowids: Iterable[int] = ()
) -> list[Row]:
    """The rows of `table` that can be read, in rowid order, past damaged pages.

    A range of rowids is read upwards until a page fails, then downwards from its end until a
    page fails; what lies between is split in two and each half read the same way, until the
    unreadable ranges are single rowids (or `SALVAGE_PROBES` seeks have failed), and the
    `rowids` an index still names are looked up one by one. So every row that a look-up by its
    rowid would find is read. A table without rowids is read in one pass,
    up to its first damaged page."""
    select = f"SELECT rowid, {columns} FROM {table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid"
    found: dict[int, Row] = {}

    def scan(low: int, high: int, down: bool) -> tuple[int | None, bool]:
        """Read the rows of [low, high] into `found`, upwards (or `down`): (the rowid read
        last, whether the range was read to its end)."""
        last: int | None = None
        sql = select + (" DESC" if down else "")
        try:
            for rowid, *row in conn.execute(sql, (low, high)):
                found[rowid] = tuple(row)
                last = rowid
            return last, True
        except sqlite3.Error:
            pass
        # sqlite3 steps one row ahead of the row it returns: the row after `last` may still
        # be readable. One row a query (LIMIT 1 never steps past it) up to the damaged page.
        while True:
            if last is not None:
                low, high = (low, last - 1) if down else (last + 1, high)
            if low > high:
                return last, True
            try:
                one = conn.execute(sql + " LIMIT 1", (low, high)).fetchone()
            except sqlite3.Error:
                return last, False
            if one is None:
                return last, True
            found[one[0]] = tuple(one[1:])
            last = one[0]

    try:
        conn.execute(f"SELECT rowid FROM {table} LIMIT 0")
    except sqlite3.Error:  # WITHOUT ROWID (not a table reader made) or unreadable schema
        rows: list[Row] = []
        with contextlib.suppress(sqlite3.Error):
            for row in conn.execute(f"SELECT {columns} FROM {table}"):
                rows.append(tuple(row))
        return rows
    failures = 0
    dense = _rowid_bound(conn)
    ranges = [  # (beyond the dense rowids, -width, low, high)
        (False, 1 - dense, 1, dense),
        (True, _MIN_ROWID, _MIN_ROWID, 0),
        (True, dense - _MAX_ROWID, dense + 1, _MAX_ROWID),
    ]
    while ranges and failures < SALVAGE_PROBES:  # the dense rowids first, the widest range first
        beyond, _width, low, high = heapq.heappop(ranges)
        if low > high:
            continue
        last, whole = scan(low, high, down=False)
        if whole:
            continue
        low = last + 1 if last is not None else low
        first, whole = scan(low, high, down=True)
        if whole:
            continue
        high = first - 1 if first is not None else high
        failures += 1
        if high - low >= 2:  # both ends fail: read each half from its own ends
            middle = low + (high - low) // 2
            heapq.heappush(ranges, (beyond, low - middle, low + 1, middle))
            heapq.heappush(ranges, (beyond, middle - high, middle + 1, high - 1))
    for rowid in set(rowids) - found.keys():  # rows that an index still points to
        with contextlib.suppress(sqlite3.Error):
            one = conn.execute(f"{select} LIMIT 1", (rowid, rowid)).fetchone()
            if one is not None:
                found[rowid] = tuple(one[1:])
    return [found[rowid] for rowid in sorted(found)]


def _rowid_bound(conn: sqlite3.Connection) -> int:
    """A bound on the rowids SQLite gave a table of this file (from 1, each the largest so far
    + 1, as reader never chooses one): as many as its pages can hold rows. The rowids below it
    are read first: when a table's first and last pages are both damaged, every seek into the
    whole 64-bit range fails, and halving that range reached the rows in between only after
    more failed seeks than `SALVAGE_PROBES` allows."""
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.Error:
        return 1 << 20
    return max(int(pages) * int(size) // 4, 1)  # a row takes 4 bytes of a page at least


def _index_entries(
    conn: sqlite3.Connection, table: str, columns: str
) -> dict[tuple[Any, ...], int]:
    """The keys (and rowids) in `table`'s primary-key index that can be read, from both of its
    ends; keys that are not text are left out."""
    entries: dict[tuple[Any, ...], int] = {}
    index = f"sqlite_autoindex_{table}_1"
    for order in ("", " DESC"):
        ordering = ", ".join(f"{column}{order}" for column in columns.split(", "))
        with contextlib.suppress(sqlite3.Error):
            for *key, rowid in conn.execute(
                f"SELECT {columns}, rowid FROM {table} INDEXED BY {index} ORDER BY {ordering}"
            ):
                if all(isinstance(part, str) and savable(part) for part in key):
                    entries[tuple(key)] = rowid
    return entries


def _loose_text(data: bytes) -> str:
    """Text as SQLite holds it; bytes that are not UTF-8 (a damaged row) stay as surrogates,
    so that the row is still read (`_whole` then drops it if its key is not text)."""
    return data.decode("utf-8", "surrogateescape")


def _whole(row: Row, width: int) -> bool:
    """Whether a salvaged row's key (its first `width` columns) is text that can be stored."""
    return all(isinstance(part, str) and part and savable(part) for part in row[:width])


def _mend(row: Row, width: int) -> Row:
    """The row with bytes of its other text that were not UTF-8 shown as U+FFFD."""
    return row[:width] + tuple(
        value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if isinstance(value, str) and not savable(value)
        else value
        for value in row[width:]
    )


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


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (`BEGIN IMMEDIATE`): committed at the end, rolled back on error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        raise


# --- notes, tags, searches, sessions -----------------------------------------------------------


@frozen
class LayerRows:
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
