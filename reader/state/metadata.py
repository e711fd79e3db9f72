"""The arXiv metadata cache: each paper's metadata as fetched (`reader.arxiv_fetch`), and the ids
arXiv had no paper for, in the `arxiv_metadata` table of the reading state's file. A
`StateStore` holds one (`store.arxiv`) and lends it its connection; the cache keeps what it read
or was given in memory. A cache: reading it may fail without losing anything, and what cannot be
written is kept for the session with a warning. No Textual here."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable

from reader.arxiv import Metadata
from reader.state.database import (
    FAILURE,
    METADATA_CHUNK,
    MISSING,
    UPSERT_METADATA,
    Row,
    reason,
    savable,
    seconds,
    transaction,
)


class MetadataCache:
    """arXiv metadata by id (without version), read from the store's file as it is asked for.

    `readable()` gives the store's open connection (None when there is none), `writable()` a
    connection to write with (None once the store is closed; raises one of `database.FAILURE`),
    `warn(message)` reports a failed write; every call happens under the store's `lock`.
    """

    def __init__(
        self,
        lock: threading.RLock,
        readable: Callable[[], sqlite3.Connection | None],
        writable: Callable[[], sqlite3.Connection | None],
        warn: Callable[[str], None],
    ) -> None:
        self._lock = lock
        self._readable = readable
        self._writable = writable
        self._warn = warn
        self._known: dict[str, Metadata] = {}
        """Metadata read from the database or fetched in this session, by id."""
        self._asked: set[str] = set()
        self._unsaved: dict[str, tuple[str, float]] = {}
        """id -> (the JSON to write, when fetched), not yet in the database."""
        self._missing: dict[str, float] = {}
        """Ids arXiv answered without an entry, and when (seconds since the epoch)."""
        self._empty = False

    def restore(self, rows: Iterable[Row], save: bool) -> None:
        """Rows (id, data, fetched) salvaged from a damaged or read-only file
        (`database.salvage`): kept as not saved yet, and read from there as they are asked
        for; written into the store's (new) file now when `save`."""
        with self._lock:
            unsaved = self._unsaved
            for arxiv_id, data, fetched in rows:
                if isinstance(arxiv_id, str) and isinstance(data, str):
                    unsaved.setdefault(arxiv_id, (data, seconds(fetched)))
            if save:
                self.write()

    def metadata(self, ids: Iterable[str]) -> dict[str, Metadata]:
        """The cached metadata of those of `ids` that have any (arXiv ids without version)."""
        with self._lock:
            if not self._known and not self._unsaved and self._nothing_stored():
                return {}  # the common case: no look-up per paper (100k at startup)
        wanted = [arxiv_id for arxiv_id in dict.fromkeys(_ids(ids)) if arxiv_id]
        with self._lock:
            unknown = [
                arxiv_id
                for arxiv_id in wanted
                if arxiv_id not in self._known and arxiv_id not in self._asked
            ]
            if unknown:
                self._read(unknown)
            known = self._known
            return {arxiv_id: known[arxiv_id] for arxiv_id in wanted if arxiv_id in known}

    def cached_metadata(self, arxiv_id: str) -> Metadata | None:
        """One paper's cached metadata (from memory, or read from the database)."""
        return self.metadata((arxiv_id,)).get(arxiv_id)

    def save_metadata(self, items: Iterable[Metadata]) -> None:
        """Keep fetched metadata (in memory at once; in the database when it can be written)."""
        import json  # when metadata is kept or read, not at start-up

        now = time.time()
        with self._lock:
            for item in items:
                self._known[item.arxiv_id] = item
                self._missing.pop(item.arxiv_id, None)
                data = json.dumps(item.to_json(), ensure_ascii=False)
                self._unsaved[item.arxiv_id] = (data, now)
            self.write()

    def save_missing(self, ids: Iterable[str]) -> None:
        """Remember that arXiv has no paper for these ids (so they are not asked again soon)."""
        now = time.time()
        with self._lock:
            for arxiv_id in _ids(ids):
                if arxiv_id not in self._known:
                    self._missing[arxiv_id] = now
                    self._unsaved[arxiv_id] = (MISSING, now)
            self.write()

    def missing_since(self, ids: Iterable[str]) -> dict[str, float]:
        """Of `ids`, those arXiv had no paper for when last asked, with when that was."""
        wanted = _ids(ids)
        self.metadata(wanted)  # reads the rows of ids not read yet
        with self._lock:
            missing = self._missing
            return {arxiv_id: missing[arxiv_id] for arxiv_id in wanted if arxiv_id in missing}

    def write(self) -> None:
        """Write what is not saved yet; on failure keep it for the session and warn."""
        with self._lock:
            if not self._unsaved:
                return
            rows = [
                (arxiv_id, data, when)
                for arxiv_id, (data, when) in self._unsaved.items()
                if savable(arxiv_id)
            ]
            try:
                conn = self._writable()
                if conn is None:
                    return
                with transaction(conn):
                    conn.executemany(UPSERT_METADATA, rows)
            except (*FAILURE, UnicodeEncodeError) as error:
                self._warn(
                    f"Could not save arXiv metadata ({reason(error)}); it is kept for this "
                    "session."
                )
                return
            self._unsaved.clear()

    def _nothing_stored(self) -> bool:
        """True when the database holds no metadata (asked once: it only grows from here in
        memory, through `save_metadata`)."""
        conn = self._readable()
        if conn is None or self._empty:
            return True
        try:
            if conn.execute("SELECT 1 FROM arxiv_metadata LIMIT 1").fetchone() is None:
                self._empty = True  # the common case: nothing was ever fetched
        except sqlite3.Error:
            return True
        return self._empty

    def _read(self, ids: list[str]) -> None:
        unsaved = self._unsaved
        if unsaved:  # rows salvaged from a damaged or read-only file (`restore`)
            self._take((arxiv_id, *unsaved[arxiv_id]) for arxiv_id in ids if arxiv_id in unsaved)
        conn = self._readable()
        if conn is None or self._nothing_stored():
            return
        try:
            for start in range(0, len(ids), METADATA_CHUNK):
                chunk = ids[start : start + METADATA_CHUNK]
                marks = ",".join("?" * len(chunk))
                self._take(
                    conn.execute(
                        f"SELECT id, data, fetched FROM arxiv_metadata WHERE id IN ({marks})",
                        chunk,
                    ).fetchall()
                )
                self._asked.update(chunk)
        except sqlite3.Error:
            return

    def _take(self, rows: Iterable[Row]) -> None:
        """Keep the metadata (or that arXiv had none) of rows (id, data, fetched) read."""
        for arxiv_id, data, fetched in rows:
            if data == MISSING:
                if arxiv_id not in self._known:
                    self._missing.setdefault(arxiv_id, seconds(fetched))
                continue
            item = _from_row(arxiv_id, data)
            if item is not None:
                self._known.setdefault(arxiv_id, item)


def _from_row(arxiv_id: object, data: object) -> Metadata | None:
    import json

    if not isinstance(arxiv_id, str) or not isinstance(data, str):
        return None
    try:
        return Metadata.from_json(arxiv_id, json.loads(data))
    except (ValueError, RecursionError):
        return None


def _ids(ids: Iterable[str]) -> list[str]:
    return [ids] if isinstance(ids, str) else list(ids)
