"""Undo (u): each change the reader makes is kept as what it replaced, typed by kind, so the last
one of any kind can be put back. No Textual here."""

from __future__ import annotations

from reader.records import frozen
from reader.state import StateStore
from reader.text import inert

UNDO_LIMIT = 100
"""Changes kept for undo; older ones are forgotten."""


def papers_text(count: int) -> str:
    """"1 paper", "2 papers"."""
    return f"{count} paper{'s' if count != 1 else ''}"


@frozen
class MarksChange:
    """The read (or, `starred`, the starred) flag of each paper as it was before a change: m, s,
    M and their selection forms. Thousands may be put back in a thread (`Browse.undo`)."""

    before: dict[str, bool]
    starred: bool = False

    def restore(self, store: StateStore) -> None:
        if not self.starred:
            store.restore_read(self.before)
            return
        store.set_starred([key for key, on in self.before.items() if on], True)
        store.set_starred([key for key, on in self.before.items() if not on], False)

    def undone(self) -> str:
        values = set(self.before.values())
        papers = papers_text(len(self.before))
        if len(values) != 1:
            return f"Undone: the marks of {papers} are back."
        if self.starred:
            return f"Undone: {papers} {'starred' if True in values else 'unstarred'} again."
        return f"Undone: {papers} {'read' if True in values else 'unread'} again."


@frozen
class NoteChange:
    """A paper's note as it was before N changed it ("" when it had none)."""

    key: str
    title: str
    before: str

    def restore(self, store: StateStore) -> None:
        store.set_note(self.key, self.before)

    def undone(self) -> str:
        return f"Undone: the note on {inert(self.title)} is back."


@frozen
class TagsChange:
    """Each paper's tags as they were before t changed them."""

    before: dict[str, tuple[str, ...]]

    def restore(self, store: StateStore) -> None:
        for key, tags in self.before.items():
            store.set_tags(key, tags)

    def undone(self) -> str:
        return f"Undone: the tags of {papers_text(len(self.before))} are back."


@frozen
class SearchChange:
    """A saved search as it was before w saved or Del deleted it (None: there was none)."""

    name: str
    before: str | None

    def restore(self, store: StateStore) -> None:
        if self.before is None:
            store.delete_search(self.name)
        else:
            store.save_search(self.name, self.before)

    def undone(self) -> str:
        back = "back" if self.before is not None else "gone again"
        return f"Undone: the saved search {inert(self.name)} is {back}."


Change = MarksChange | NoteChange | TagsChange | SearchChange
"""What u can put back."""
