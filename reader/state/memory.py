"""The reading state in memory: marks, notes, tags, saved searches and sessions, and which of
them are not saved yet. `StateStore` (`reader.state.store`) holds one, guards it with its lock
and writes it (`reader.state.saving`); this module only keeps and merges (rows read from the
file with this session's unsaved changes, an import with what is here). No I/O, no Textual."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from reader.records import frozen
from reader.state.database import (
    NOTE,
    SEARCH,
    SESSION,
    TAG,
    LayerRows,
    Row,
    Salvaged,
    flag,
    normal_tag,
    savable,
    seconds,
)
from reader.state.transfer import Entry
from reader.sync import fields as sync

if TYPE_CHECKING:
    from reader.sync.merge import Event, Field, Local, Value

READ, STARRED, UPDATED = "read", "starred", "updated"
"""The columns of a changed mark (`Memory.dirty`)."""

Changes = list[tuple["Field", "Value"]]
"""Changes made here, as the sync folder records them (`Memory.observer`)."""


@frozen
class Session:
    """Where a digest was left: its week (ISO date, "all" or "" for the newest), query, paper."""

    week: str = ""
    query: str = ""
    paper: str = ""


class Memory:
    """Everything a store knows, and what of it is not saved yet.

    `dirty` holds the (column, key) of changed marks and `layer_dirty` the (kind, key, tag) of
    changed notes, tags, searches and sessions, in order of change; `unsavable` the keys that
    cannot be written (not valid text): the first one calls `on_unsavable`.
    """

    def __init__(self, on_unsavable: Callable[[], None]) -> None:
        self.read: set[str] = set()
        self.starred: set[str] = set()
        self.updated: dict[str, float] = {}
        self.dirty: dict[tuple[str, str], None] = {}
        self.unsavable: set[str] = set()
        self.notes: dict[str, tuple[str, float]] = {}
        self.tags: dict[str, dict[str, float]] = {}
        """Per paper key, its tags and when each was added."""
        self.searches: dict[str, tuple[str, float]] = {}
        self.sessions: dict[str, Session] = {}
        self.layer_dirty: dict[tuple[str, str, str], None] = {}
        self._on_unsavable = on_unsavable
        self.observer: Callable[[Changes], None] | None = None
        """Told of every change made here (not of rows read back or merged from a sync)."""

    def _tell(self, changes: Changes) -> None:
        if self.observer is not None and changes:
            self.observer(changes)

    @property
    def unsaved(self) -> bool:
        return bool(self.dirty or self.layer_dirty)

    def unsaved_papers(self) -> int:
        """How many papers have changes not saved (at least 1 when anything is unsaved)."""
        keys = {key for _column, key in self.dirty}
        keys |= {key for kind, key, _tag in self.layer_dirty if kind in (NOTE, TAG)}
        return max(1, len(keys))

    def saved(self) -> None:
        """Everything unsaved has been written."""
        self.dirty.clear()
        self.layer_dirty.clear()

    # --- changes ---------------------------------------------------------------------------------

    def change(self, column: str, keys: Iterable[str], value: bool) -> None:
        """Set the READ or STARRED mark of `keys` to `value`."""
        marks = self.read if column == READ else self.starred
        now = time.time()
        kind = sync.READ if column == READ else sync.STAR
        told: Changes = []
        for key in keys:
            changed = (key in marks) != value
            if value:
                marks.add(key)
            else:
                marks.discard(key)
            self.updated[key] = max(self.updated.get(key, 0.0), now)
            if savable(key):
                self.dirty[(column, key)] = None
                if changed:
                    told.append(((kind, key, ""), int(value)))
            else:
                self.memory_only(key)
        self._tell(told)

    def layer_change(self, kind: str, key: str, tag: str = "") -> None:
        if savable(key) and savable(tag):
            self.layer_dirty[(kind, key, tag)] = None
        else:
            self.memory_only(key)

    def set_note(self, key: str, text: str, settle: bool = False) -> bool:
        """Keep `text` as the paper's note (blank: remove it); False when nothing changed.
        `settle`: tell the observer even when the text is the same (the user chose it over
        another machine's)."""
        before = self.notes.get(key, ("", 0.0))[0]
        if text.strip():
            self.notes[key] = (text, time.time())
        elif self.notes.pop(key, None) is None and not settle:
            return False
        self.layer_change(NOTE, key)
        kept = text if text.strip() else ""
        if savable(key) and (settle or kept != before):
            self._tell([((sync.NOTE, key, ""), kept)])
        return True

    def set_tags(self, key: str, wanted: set[str]) -> None:
        """Make the paper's tags exactly `wanted`."""
        have = self.tags.get(key, {})
        for tag in wanted - have.keys():
            self.tag(key, tag, True)
        for tag in have.keys() - wanted:
            self.tag(key, tag, False)

    def tag_all(self, keys: Iterable[str], tag: str, on: bool) -> None:
        """Add (`on`) or remove `tag` on every paper of `keys`."""
        for key in keys:
            if (tag in self.tags.get(key, ())) != on:
                self.tag(key, tag, on)

    def tag_counts(self) -> dict[str, int]:
        """Every tag in use with its number of papers, by name."""
        counts: dict[str, int] = {}
        for tags in self.tags.values():
            for tag in tags:
                counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items()))

    def saved_searches(self) -> dict[str, str]:
        """The saved searches, name -> query, by name (ignoring case)."""
        ordered = sorted(self.searches.items(), key=lambda item: item[0].casefold())
        return {name: query for name, (query, _when) in ordered}

    def save_search(self, name: str, query: str) -> None:
        self.searches[name] = (query, time.time())
        self.layer_change(SEARCH, name)
        if savable(name) and savable(query):
            self._tell([((sync.SEARCH, name, ""), query)])

    def delete_search(self, name: str) -> bool:
        """Forget the search `name`; False when there was none."""
        if self.searches.pop(name, None) is None:
            return False
        self.layer_change(SEARCH, name)
        if savable(name):
            self._tell([((sync.SEARCH, name, ""), None)])
        return True

    def save_session(self, digest: str, session: Session) -> bool:
        """Remember where `digest` was left; False when that is what was remembered."""
        if self.sessions.get(digest) == session:
            return False
        self.sessions[digest] = session
        self.layer_change(SESSION, digest)
        return True

    def tag(self, key: str, tag: str, on: bool) -> None:
        if on:
            self.tags.setdefault(key, {})[tag] = time.time()
        else:
            tags = self.tags.get(key, {})
            tags.pop(tag, None)
            if not tags:
                self.tags.pop(key, None)
        self.layer_change(TAG, key, tag)
        if savable(key) and savable(tag):
            self._tell([((sync.TAG, key, tag), int(on))])

    def memory_only(self, key: str) -> None:
        if not self.unsavable:
            self._on_unsavable()
        self.unsavable.add(key)

    # --- rows to write ---------------------------------------------------------------------------

    def mark_rows(
        self,
    ) -> tuple[list[tuple[str, int, float]], list[tuple[str, int, float]], list[tuple[str, float]]]:
        """The changed marks as rows of `UPSERT_READ`, `UPSERT_STARRED` and `UPSERT_UPDATED`."""
        read_rows: list[tuple[str, int, float]] = []
        starred_rows: list[tuple[str, int, float]] = []
        updated_rows: list[tuple[str, float]] = []
        for column, key in self.dirty:
            when = self.updated.get(key, 0.0)
            if column == READ:
                read_rows.append((key, int(key in self.read), when))
            elif column == STARRED:
                starred_rows.append((key, int(key in self.starred), when))
            else:
                updated_rows.append((key, when))
        return read_rows, starred_rows, updated_rows

    def every_mark(self) -> Iterator[tuple[str, bool, bool, float]]:
        """Every savable key's marks (for a new file, `INSERT_MISSING`)."""
        keys = (self.updated.keys() | self.read | self.starred) - self.unsavable
        return (
            (key, key in self.read, key in self.starred, self.updated.get(key, 0.0)) for key in keys
        )

    def session_rows(self) -> dict[str, tuple[str, str, str]]:
        """The changed sessions as (week, query, paper), by digest."""
        return {
            key: (s.week, s.query, s.paper)
            for kind, key, _tag in self.layer_dirty
            if kind == SESSION
            for s in (self.sessions[key],)
        }

    # --- rows read from the file -------------------------------------------------------------

    def load(self, rows: Iterable[Row]) -> None:
        """Replace the marks by `rows`, keeping this session's unsaved changes."""
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
        pending = [(column, key) for column, key in self.dirty]
        pending += [(column, key) for key in self.unsavable for column in (READ, STARRED)]
        sets = {READ: (self.read, read_keys), STARRED: (self.starred, starred_keys)}
        for column, key in pending:
            if column in sets:
                mine, loaded = sets[column]
                if key in mine:
                    loaded.add(key)
                else:
                    loaded.discard(key)
            updated[key] = max(updated.get(key, 0.0), self.updated.get(key, 0.0))
        self.read, self.starred, self.updated = read_keys, starred_keys, updated

    def merge(self, rows: Iterable[Row]) -> None:
        """OR `rows` (salvaged from a damaged file) into the marks, as unsaved changes."""
        for key, read, starred, when in rows:
            if isinstance(key, str):
                self.updated[key] = max(self.updated.get(key, 0.0), seconds(when))
                self.dirty[(UPDATED, key)] = None
                if flag(read):
                    self.read.add(key)
                    self.dirty[(READ, key)] = None
                if flag(starred):
                    self.starred.add(key)
                    self.dirty[(STARRED, key)] = None

    def merge_salvaged(self, salvaged: Salvaged) -> None:
        """Merge the rows read from a damaged file, as unsaved changes: marks are OR-ed, a note
        or a search is taken when newer, tags are added, a session when there is none."""
        self.merge(salvaged.marks)
        for key, text, when in salvaged.notes:
            mine = self.notes.get(key)
            if isinstance(text, str) and text.strip() and (mine is None or seconds(when) > mine[1]):
                self.notes[key] = (text, seconds(when))
                self.layer_change(NOTE, key)
        for key, tag, when in salvaged.tags:
            if tag not in self.tags.get(key, ()):
                self.tags.setdefault(key, {})[tag] = seconds(when)
                self.layer_change(TAG, key, tag)
        for name, query, when in salvaged.searches:
            mine = self.searches.get(name)
            if isinstance(query, str) and (mine is None or seconds(when) > mine[1]):
                self.searches[name] = (query, seconds(when))
                self.layer_change(SEARCH, name)
        for digest, *rest in salvaged.sessions:
            if digest not in self.sessions:
                self.sessions[digest] = Session(
                    *(value if isinstance(value, str) else "" for value in rest)
                )
                self.layer_change(SESSION, digest)

    def load_layer(self, rows: LayerRows) -> None:
        """Replace notes, tags, searches and sessions by `rows`, keeping unsaved changes."""
        notes = {
            key: (text, seconds(when))
            for key, text, when in rows.notes
            if isinstance(key, str) and isinstance(text, str)
        }
        tags: dict[str, dict[str, float]] = {}
        for key, tag, when in rows.tags:
            if isinstance(key, str) and isinstance(tag, str):
                tags.setdefault(key, {})[tag] = seconds(when)
        searches = {
            name: (query, seconds(when))
            for name, query, when in rows.searches
            if isinstance(name, str) and isinstance(query, str)
        }
        sessions = {
            digest: Session(*(value if isinstance(value, str) else "" for value in rest))
            for digest, *rest in rows.sessions
            if isinstance(digest, str)
        }
        for kind, key, tag in self.layer_dirty:  # unsaved changes win
            if kind == NOTE:
                _overlay(notes, self.notes, key)
            elif kind == SEARCH:
                _overlay(searches, self.searches, key)
            elif kind == SESSION:
                _overlay(sessions, self.sessions, key)
            else:
                mine = self.tags.get(key, {})
                theirs = tags.setdefault(key, {})
                if tag in mine:
                    theirs[tag] = mine[tag]
                else:
                    theirs.pop(tag, None)
                if not theirs:
                    del tags[key]
        self.notes, self.tags, self.searches, self.sessions = notes, tags, searches, sessions

    # --- export and import -------------------------------------------------------------------

    def export(self) -> tuple[list[dict[str, Any]], list[tuple[str, str, float]]]:
        """Every paper's entry of an export (`reader.state.transfer`), and the saved searches."""
        keys = sorted(
            self.updated.keys() | self.read | self.starred | self.notes.keys() | self.tags.keys()
        )
        entries: list[dict[str, Any]] = []
        for key in keys:
            entry: dict[str, Any] = {
                "key": key,
                "read": key in self.read,
                "starred": key in self.starred,
                "updated": self.updated.get(key, 0.0),
            }
            if key in self.notes:
                entry["note"], entry["note_updated"] = self.notes[key]
            if key in self.tags:
                entry["tags"] = sorted(self.tags[key])
            entries.append(entry)
        searches = [(name, query, when) for name, (query, when) in sorted(self.searches.items())]
        return entries, searches

    def merge_export(self, entries: list[Entry], searches: list[tuple[str, str, float]]) -> None:
        """Merge an export: marks are OR-ed, tags added, a newer note or search replaces."""
        told: Changes = []
        for name, query, when in searches:
            mine = self.searches.get(name)
            if mine is None or (mine[0] != query and when > mine[1]):
                self.searches[name] = (query, when)
                self.layer_change(SEARCH, name)
                if savable(name) and savable(query):
                    told.append(((sync.SEARCH, name, ""), query))
        for entry in entries:
            key = entry.key
            if entry.note is not None:
                note = self.notes.get(key)
                if note is None or (note[0] != entry.note[0] and entry.note[1] > note[1]):
                    self.notes[key] = entry.note
                    self.layer_change(NOTE, key)
                    told.append(((sync.NOTE, key, ""), entry.note[0]))
            for tag in entry.tags:
                if tag not in self.tags.get(key, ()):
                    self.tag(key, tag, True)
            self.updated[key] = max(self.updated.get(key, 0.0), entry.updated)
            columns = [UPDATED]
            if entry.read:
                if key not in self.read:
                    told.append(((sync.READ, key, ""), 1))
                self.read.add(key)
                columns.append(READ)
            if entry.starred:
                if key not in self.starred:
                    told.append(((sync.STAR, key, ""), 1))
                self.starred.add(key)
                columns.append(STARRED)
            if not savable(key):
                self.memory_only(key)
                continue
            for column in columns:
                self.dirty[(column, key)] = None
        self._tell([change for change in told if savable(change[0][1])])

    # --- syncing with other machines (reader.sync) -------------------------------------------

    def sync_fields(self) -> dict[Field, Local]:
        """Every field the sync folder knows that is not at its default, with when it was set
        (ms); a mark's unset flags too when its time is known."""
        from reader.sync.merge import Local

        fields: dict[Field, Local] = {}
        for key, when in self.updated.items():
            if key not in self.unsavable:
                ms = _ms(when)
                fields[(sync.READ, key, "")] = Local(int(key in self.read), ms)
                fields[(sync.STAR, key, "")] = Local(int(key in self.starred), ms)
        for column, kind in ((self.read, sync.READ), (self.starred, sync.STAR)):
            for key in column:
                if (kind, key, "") not in fields and key not in self.unsavable:
                    fields[(kind, key, "")] = Local(1)
        for key, (text, when) in self.notes.items():
            fields[(sync.NOTE, key, "")] = Local(text, _ms(when))
        for key, tags in self.tags.items():
            for tag, when in tags.items():
                fields[(sync.TAG, key, tag)] = Local(1, _ms(when))
        for name, (query, when) in self.searches.items():
            fields[(sync.SEARCH, name, "")] = Local(query, _ms(when))
        return fields

    def apply_synced(self, changes: Iterable[tuple[Field, Event]]) -> None:
        """Take values merged from other machines, as unsaved changes (not told to `observer`:
        they are not changes made here). A tag that is not in its normal form is left out."""
        for (kind, key, tag), event in changes:
            value, when = event.value, event.stamp[0] / 1000
            if not savable(key) or not savable(tag):
                continue
            if kind in (sync.READ, sync.STAR):
                column = READ if kind == sync.READ else STARRED
                marks = self.read if kind == sync.READ else self.starred
                if value:
                    marks.add(key)
                else:
                    marks.discard(key)
                self.updated[key] = max(self.updated.get(key, 0.0), when)
                self.dirty[(column, key)] = None
                self.dirty[(UPDATED, key)] = None
            elif kind == sync.NOTE and isinstance(value, str):
                if value.strip():
                    self.notes[key] = (value, when)
                else:
                    self.notes.pop(key, None)
                self.layer_change(NOTE, key)
            elif kind == sync.TAG and normal_tag(tag) == tag:
                if value:
                    self.tags.setdefault(key, {})[tag] = when
                else:
                    tags = self.tags.get(key, {})
                    tags.pop(tag, None)
                    if not tags:
                        self.tags.pop(key, None)
                self.layer_change(TAG, key, tag)
            elif kind == sync.SEARCH and (value is None or isinstance(value, str)):
                if value is None:
                    self.searches.pop(key, None)
                elif savable(value):
                    self.searches[key] = (value, when)
                else:
                    continue
                self.layer_change(SEARCH, key)


def _ms(when: float) -> int | None:
    return int(when * 1000) if when > 0 else None


def _overlay(loaded: dict[str, Any], mine: dict[str, Any], key: str) -> None:
    if key in mine:
        loaded[key] = mine[key]
    else:
        loaded.pop(key, None)
