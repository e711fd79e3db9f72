"""Small stand-ins shared by tests."""

from __future__ import annotations


class FakeState:
    """A reading state held in two sets: what is read, what is starred."""

    def __init__(self, read: set[str], starred: set[str]) -> None:
        self.read, self.starred = read, starred

    def is_read(self, key: str) -> bool:
        return key in self.read

    def is_starred(self, key: str) -> bool:
        return key in self.starred
