"""The reading state the keys change: read and starred marks (many saved in a thread), the
selection, undo, and the reader's own layer (notes, tags, saved searches)."""

from __future__ import annotations

from collections.abc import Sequence

from reader.browse import jobs
from reader.browse.jobs import Bulk, Changed
from reader.browse.querying import Querying
from reader.browse.undo import (
    UNDO_LIMIT,
    Change,
    MarksChange,
    NoteChange,
    SearchChange,
    TagsChange,
    papers_text,
)
from reader.reading import ReadCounts
from reader.state import normal_tag
from reader.text import inert


def _when(seconds: float) -> str:
    """A time another machine wrote something, as the pane shows it (local time)."""
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


class Marking(Querying):
    """Marks, the selection, undo, notes, tags and searches (see the module's docstring)."""

    def _push(self, change: Change) -> None:
        self._undo.append(change)
        del self._undo[:-UNDO_LIMIT]

    def _marks_changed(self, keys: Sequence[str]) -> None:
        self.counts.update(keys)
        self.marks_version += 1
        self._changed |= Changed.MARKS | Changed.SIDEBAR | Changed.DETAILS

    def mark_read(self, index: int) -> None:
        """The paper at `index` was read (dwelt on, copied, opened): not undone by u."""
        key = self.digest.papers[index].key
        if not self.store.is_read(key):
            self.store.set_read([key], True)
            self._marks_changed([key])

    def mark_current_read(self) -> None:
        """The highlighted paper was used (its link copied or opened): read."""
        if self.current is not None:
            self.mark_read(self.current)

    def toggle_read(self) -> None:
        """m: the highlighted paper read or unread; with a selection, all of it."""
        store = self.store
        keys = list(self.selected) or [p.key for p in self.targets()]
        if not keys:
            return
        self._push(MarksChange(store.snapshot_read(keys)))
        if self.selected:
            value = not all(store.is_read(key) for key in keys)
            store.set_read(keys, value)
            self.say(f"{len(keys)} papers marked {'read' if value else 'unread'}.", timeout=2)
        else:
            store.toggle_read(keys[0])
        self._marks_changed(keys)

    def toggle_star(self) -> None:
        """s: star or unstar the highlighted paper; with a selection, all of it."""
        store = self.store
        keys = list(self.selected) or [p.key for p in self.targets()]
        if not keys:
            return
        self._push(MarksChange({key: store.is_starred(key) for key in keys}, starred=True))
        if self.selected:
            value = not all(store.is_starred(key) for key in keys)
            store.set_starred(keys, value)
            self.say(f"{len(keys)} papers {'starred ★' if value else 'unstarred'}.", timeout=2)
        else:
            value = store.toggle_star(keys[0])
            self.say("Starred ★" if value else "Star removed", timeout=1.5)
        self._marks_changed(keys)
        self._stars_changed(value)

    def _stars_changed(self, starred: bool) -> None:
        """The starred view lists other papers now: the cursor stays where it was."""
        if self.starred_only:
            cursor = self.cursor
            self._relist()
            if not starred and self.rows and not self.selected:
                self.cursor = min(cursor, len(self.rows) - 1)
                self._moved()

    def mark_view_read(self) -> None:
        """M: every paper listed read (u undoes it)."""
        keys = [self.digest.papers[i].key for i in self.rows]
        unread = [key for key, read in self.store.snapshot_read(keys).items() if not read]
        if not unread:
            self.say("Every paper here is read already.", timeout=2)
            return
        self._push(MarksChange(dict.fromkeys(unread, False)))  # only what changed
        done = f"Marked {papers_text(len(unread))} read (u undoes)."
        self._save(Bulk(unread, lambda: self.store.set_read(unread, True), done))

    def undo(self) -> None:
        """u: put back the last change of any kind (marks, stars, a note, tags, a search)."""
        if not self._undo:
            self.say("Nothing to undo.", timeout=2)
            return
        change = self._undo.pop()
        if isinstance(change, MarksChange):
            save, done = change.restore, change.undone()
            self._save(Bulk(list(change.before), lambda: save(self.store), done, change.starred))
            return
        change.restore(self.store)
        self.say(change.undone(), timeout=2)
        if isinstance(change, SearchChange):
            self._changed |= Changed.SIDEBAR
        else:
            self._annotations_changed()

    def _save(self, bulk: Bulk) -> None:
        """Save many marks: thousands in a thread, so the keyboard stays live."""
        if len(bulk.keys) <= jobs.BULK_IN_THREAD:
            bulk.save()
            self.saved(bulk)
        else:
            self.say(f"Saving {len(bulk.keys)} marks…", timeout=2)
            self._jobs.append(bulk)

    def saved(self, bulk: Bulk) -> None:
        """The marks of `bulk` are saved."""
        self._marks_changed(bulk.keys)
        if bulk.stars:
            self._stars_changed(False)
        self.say(bulk.done)

    def toggle_selection(self) -> None:
        """x: select or unselect the highlighted paper, then move on to the next."""
        paper = self.current_paper
        if paper is None:
            return
        if paper.key in self.selected:
            del self.selected[paper.key]
        else:
            self.selected[paper.key] = None
        self._changed |= Changed.MARKS | Changed.TITLE
        if self.cursor < len(self.rows) - 1:
            self._move(self.cursor + 1)

    def clear_selection(self) -> None:
        count = len(self.selected)
        self.selected.clear()
        self._changed |= Changed.MARKS | Changed.TITLE
        self.say(f"Selection cleared ({count}).", timeout=1.5)

    def refresh_marks(self) -> None:
        """Pick up marks that another running instance saved meanwhile."""
        self.store.refresh()
        self.counts = ReadCounts(self.digest, self.store.is_read, self.counts.indices)
        self.marks_version += 1
        self._changed |= Changed.MARKS | Changed.SIDEBAR | Changed.DETAILS

    # --- the reader's own layer: notes, tags, saved searches --------------------------------

    def _annotations_changed(self) -> None:
        """Notes or tags changed: queries about them, the sidebar and the pane may differ."""
        self.marks_version += 1
        if self.query_text:
            self.ask(self.query_text)
        else:
            self._changed |= Changed.SIDEBAR
        self._changed |= Changed.DETAILS

    def set_note(self, key: str, text: str) -> None:
        """N: the paper's note is `text` (blank: none)."""
        before = self.store.note(key)
        self.store.set_note(key, text)
        if self.store.note(key) != before:
            papers = self.digest.papers
            title = next((papers[i].title for i in self.counts.indices.get(key, ())), key)
            self._push(NoteChange(key, title, before))
        if text != before:
            self.say("Note kept." if text.strip() else "Note removed.", timeout=1.5)
        self._annotations_changed()

    def set_tags(self, key: str, text: str) -> None:
        """t: the paper's tags are the words of `text`."""
        before = self.store.tags(key)
        tags = self.store.set_tags(key, text.split())
        if tags != before:
            self._push(TagsChange({key: before}))
        self.say(f"Tags: {' '.join(tags) or 'none'}", timeout=1.5)
        self._annotations_changed()

    def tag_selection(self, keys: Sequence[str], text: str) -> None:
        """t with a selection: `tag` adds a tag to every paper of `keys`, `-tag` removes it."""
        before = {key: self.store.tags(key) for key in keys}
        added: list[str] = []
        removed: list[str] = []
        for word in text.split():
            name = normal_tag(word.removeprefix("-"))
            if name:
                self.store.tag(keys, name, on=not word.startswith("-"))
                (removed if word.startswith("-") else added).append(name)
        if any(self.store.tags(key) != tags for key, tags in before.items()):
            self._push(TagsChange(before))
        done = [f"+{tag}" for tag in added] + [f"-{tag}" for tag in removed]
        self.say(f"{len(keys)} papers: {' '.join(done) or 'no change'}", timeout=2)
        self._annotations_changed()

    def save_search(self, name: str, text: str) -> None:
        """w: keep the query `text` under `name` (an existing search of that name is replaced)."""
        name = " ".join(name.split())
        if not name:
            return
        before = self.store.searches().get(name)
        if not self.store.save_search(name, text):  # over the limits: the store's warning says why
            return
        self._push(SearchChange(name, before))
        replaced = "replaced" if before is not None else "saved"
        self.say(f"Search {replaced}: {inert(name)}", timeout=2)
        self._changed |= Changed.SIDEBAR

    def delete_search(self, name: str) -> None:
        """Del: forget the saved search `name` (u brings it back)."""
        before = self.store.searches().get(name)
        self.store.delete_search(name)
        if before is not None:
            self._push(SearchChange(name, before))
        self.say(f"Search deleted: {inert(name)}", timeout=2)
        self._changed |= Changed.SIDEBAR

    def note_to_edit(self, key: str) -> str:
        """What N puts in the editor: the note, then each of its other texts (written on another
        machine) under a line naming it, so that keeping the edit settles them."""
        text = self.store.note(key)
        for other in self.store.note_conflicts(key):
            heading = f"--- {other.machine}, {_when(other.when)} ---"
            text = f"{text.rstrip()}\n\n{heading}\n{other.text}".lstrip("\n")
        return text

    def keep_note(self) -> None:
        """K: keep the note shown over its other texts (from other machines)."""
        paper = self.current_paper
        if paper is None:
            return
        key = paper.key
        others = self.store.note_conflicts(key)
        if not others:
            self.say("This note has no other text to settle.", timeout=2)
            return
        self.store.keep_note(key, self.store.note(key))
        count = len(others)
        dropped = "other text goes" if count == 1 else f"{count} other texts go"
        self.say(f"Kept this note; its {dropped} as each machine syncs.", timeout=3)
        self._annotations_changed()
