"""Small stand-ins shared by tests."""

from __future__ import annotations


class FakeState:
    """A reading state held in two sets (what is read, what is starred), with notes and tags."""

    def __init__(
        self,
        read: set[str],
        starred: set[str],
        notes: dict[str, str] | None = None,
        tags: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.read, self.starred = read, starred
        self.notes = notes or {}
        self.tag_map = tags or {}

    def is_read(self, key: str) -> bool:
        return key in self.read

    def is_starred(self, key: str) -> bool:
        return key in self.starred

    def note(self, key: str) -> str:
        return self.notes.get(key, "")

    def tags(self, key: str) -> tuple[str, ...]:
        return self.tag_map.get(key, ())
