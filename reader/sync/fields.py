"""The kinds of field the sync folder carries (see `reader.sync.merge`): a name each, one letter
in a journal line. Kept apart so that the state store can name them without importing the rest
of `reader.sync` (startup)."""

from __future__ import annotations

READ, STAR, NOTE, TAG, SEARCH = "r", "s", "n", "t", "q"
"""A paper's read mark, its star, its note, one of its tags; a saved search (by name)."""
KINDS = (READ, STAR, NOTE, TAG, SEARCH)
KIND_NAMES = {READ: "read", STAR: "star", NOTE: "note", TAG: "tag", SEARCH: "saved search"}
