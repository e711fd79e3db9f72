"""The reading-state store: marks, notes, tags, saved searches and sessions in memory
(`reader.state.memory`) and in SQLite (`reader.state.database`), and when they are written; it
also holds the arXiv metadata cache (`reader.state.metadata`), which shares its file. No Textual
here; see `reader.state` for how it saves and how it survives faults."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.limits import NOTE_CHARS, QUERY_CHARS, SEARCH_NAME_CHARS, TAG_CHARS, TAGS_PER_PAPER
from reader.state.database import BUSY_TIMEOUT, normal_tag
from reader.state.memory import READ, STARRED, Session
from reader.state.saving import SavedState
from reader.state.transfer import StateError, read_export, write_export

if TYPE_CHECKING:
    from reader.sync.folder import Conflict, Status, SyncFolder


class StateStore(SavedState):
    """Read and starred marks, notes, tags, saved searches and sessions, in memory and in SQLite
    (kept there by `SavedState`, `reader.state.saving`). Never raises for I/O problems.

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
        self.sync: SyncFolder | None = None
        """This machine's side of the sync folder (`sync_dir`), when one is set."""
        self.synced = ""
        """What the last merge from the sync folder brought ("3 changes from desktop")."""
        super().__init__(directory, busy_timeout)
        with self._lock:
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
        """Write what is unsaved (one last try), close the sync folder and the database. Safe
        to call twice."""
        with self._lock:
            if self._closed:
                return
            if self.sync is not None:
                self.sync.close()
                self._take_sync_warnings()
            super().close()

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

    def _flush(self, force: bool = False) -> None:
        """Changes made here go to the sync folder's journal first, then to the file."""
        if self.sync is not None and not self._closed:
            self.sync.send()
            self._take_sync_warnings()
        super()._flush(force)


def _keys(keys: Iterable[str]) -> list[str]:
    return [keys] if isinstance(keys, str) else list(keys)
