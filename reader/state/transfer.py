"""Export and import of the reading state: the JSON file `reader --export-state` writes and
`--import-state` merges (one mark a line, then the saved searches). No Textual here.

Export format::

    {"version": 1, "marks": [
    {"key": "2303.17564", "read": true, "starred": false, "updated": 1700000000.5}
    ]}

An entry may also have `note` and `note_updated`, and `tags`; `searches` (name, query, updated)
may follow the marks. Reading checks everything before anything is merged: a bad file is a
`StateError` naming its line.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from reader.files import write_through
from reader.limits import (
    IMPORT_BYTES,
    KEY_CHARS,
    NOTE_CHARS,
    QUERY_CHARS,
    SEARCH_NAME_CHARS,
    TAG_CHARS,
    TAGS_PER_PAPER,
)
from reader.patterns import compiled
from reader.records import frozen
from reader.state.database import normal_tag, reason, seconds
from reader.text import json_problem

EXPORT_VERSION = 1


class StateError(Exception):
    """A state export that cannot be read or written; `str()` is `PATH:LINE: message`.

    `line` is 1-based, or 0 when no line applies (the file cannot be opened at all); then `str()`
    is `PATH: message`.
    """

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path = Path(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line > 0:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


def write_export(
    path: Path, entries: Iterable[dict[str, Any]], searches: Iterable[tuple[str, str, float]]
) -> None:
    """Write an export of `entries` (one mark a line) and `searches` to `path` (a regular file
    atomically; `-` is standard output)."""
    import json  # at an export or import, not at start-up

    body = ",\n".join(json.dumps(entry) for entry in entries)
    lines = [
        json.dumps({"name": name, "query": query, "updated": when})
        for name, query, when in searches
    ]
    text = f'{{"version": {EXPORT_VERSION}, "marks": [\n{body}\n]'
    if lines:
        text += ', "searches": [\n' + ",\n".join(lines) + "\n]"
    _write_atomically(path, text + "}\n")


def _write_atomically(path: Path, text: str) -> None:
    """Through `write_through`: a file is replaced whole (a symlink's target; its mode kept),
    `-`, `/dev/stdout`, a FIFO or a device are written to as they are."""
    try:
        write_through(path, text.encode("utf-8"), durable=True)
    except OSError as error:
        raise StateError(path, 0, f"cannot write: {reason(error)}") from error


@frozen
class Entry:
    """A mark of an export, checked: the key, its flags and time, its note and tags."""

    key: str
    read: bool
    starred: bool
    updated: float
    note: tuple[str, float] | None = None
    tags: tuple[str, ...] = ()


def read_export(path: Path) -> tuple[list[Entry], list[tuple[str, str, float]], str]:
    """The marks and saved searches (name, query, updated) of the export at `path`, and what was
    cut or refused to keep within `reader.limits` ("" when nothing: notes over `NOTE_CHARS` are
    cut, tags, marks and searches over their limits left out). Raises StateError (with the
    line) when it cannot be read, is over `IMPORT_BYTES` or is not a valid export."""
    import json

    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size  # a pipe says 0: its bytes are counted
            data = handle.read(IMPORT_BYTES + 1) if size <= IMPORT_BYTES else b""
    except OSError as error:
        raise StateError(path, 0, f"cannot read: {reason(error)}") from error
    if len(data) > IMPORT_BYTES or size > IMPORT_BYTES:
        raise StateError(path, 0, f"over {IMPORT_BYTES >> 20} MiB: not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise StateError(path, line, "not UTF-8 text") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise StateError(path, error.lineno, f"invalid JSON: {json_problem(error)}") from error
    except RecursionError as error:
        raise StateError(path, 1, "invalid JSON: nested too deeply") from error
    if not isinstance(document, dict) or not isinstance(document.get("marks"), list):
        raise StateError(
            path, 1, 'not a reader state export: expected {"version": 1, "marks": [...]}'
        )
    version = document.get("version")
    if type(version) is not int or version != EXPORT_VERSION:
        raise StateError(path, 1, f"unsupported export version (expected {EXPORT_VERSION})")
    entries: list[Entry] = []
    cut = {"notes": 0, "marks": 0, "tags": 0, "searches": 0}
    for index, item in enumerate(document["marks"]):
        entry = _entry(item)
        if isinstance(entry, str):
            lines = _entry_lines(text)
            line = lines[index] if index < len(lines) else 1
            raise StateError(path, line, f"mark {index + 1}: {entry}")
        if len(entry.key) > KEY_CHARS:
            cut["marks"] += 1
            continue
        if entry.note is not None and len(entry.note[0]) > NOTE_CHARS:
            cut["notes"] += 1
            entry = replace(entry, note=(entry.note[0][:NOTE_CHARS], entry.note[1]))
        tags = tuple(tag for tag in entry.tags if len(tag) <= TAG_CHARS)[:TAGS_PER_PAPER]
        if len(tags) < len(entry.tags):
            cut["tags"] += len(entry.tags) - len(tags)
            entry = replace(entry, tags=tags)
        entries.append(entry)
    searches: list[tuple[str, str, float]] = []
    found = document.get("searches", [])
    if not isinstance(found, list):
        raise StateError(path, 1, '"searches" must be a list')
    for index, item in enumerate(found):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("query"), str)
            or not item["name"].strip()
        ):
            line = _line_of(text, '"searches"')
            raise StateError(
                path, line, f'search {index + 1}: expected {{"name": "...", "query": "..."}}'
            )
        if len(item["query"]) > QUERY_CHARS:
            cut["searches"] += 1
            continue
        name = item["name"][:SEARCH_NAME_CHARS]
        searches.append((name, item["query"], seconds(item.get("updated", 0.0))))
    return entries, searches, _refusals(cut)


_KINDS = {"marks": ("mark", "marks"), "tags": ("tag", "tags"), "searches": ("search", "searches")}


def _refusals(cut: dict[str, int]) -> str:
    """What an import cut or refused, in words ("" for nothing)."""
    parts = []
    if cut["notes"]:
        notes = "note" if cut["notes"] == 1 else "notes"
        parts.append(f"{cut['notes']:,} {notes} cut to {NOTE_CHARS:,} characters")
    refused = [
        f"{cut[kind]:,} {one if cut[kind] == 1 else several}"
        for kind, (one, several) in _KINDS.items()
        if cut[kind]
    ]
    if refused:
        parts.append(" and ".join(refused) + " refused")
    return "; ".join(parts)


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _entry(item: object) -> Entry | str:
    """An export entry as (key, read, starred, updated), or what is wrong with it."""
    if not isinstance(item, dict):
        return 'expected an object like {"key": "...", "read": true}'
    key = item.get("key")
    if not isinstance(key, str):
        return '"key" must be a string'
    flags: list[bool] = []
    for name in ("read", "starred"):
        value = item.get(name, False)
        if not isinstance(value, bool):
            return f'"{name}" must be true or false'
        flags.append(value)
    updated = item.get("updated", 0.0)
    try:
        when = float(updated) if not isinstance(updated, bool) else math.nan
    except (TypeError, ValueError, OverflowError):
        when = math.nan
    if not isinstance(updated, (int, float)) or not math.isfinite(when):
        return '"updated" must be a number (seconds since 1970)'
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        return '"note" must be a string'
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return '"tags" must be a list of strings'
    names = tuple(name for name in map(normal_tag, tags) if name)
    noted = (note, seconds(item.get("note_updated", 0.0))) if note and note.strip() else None
    return Entry(key, flags[0], flags[1], when, noted, names)


_SPACE = compiled(r"[ \t\n\r]*")


def _entry_lines(text: str) -> list[int]:
    """The 1-based line where each entry of the top-level "marks" array starts (valid JSON).

    Best effort, for error messages: [] if the layout is not the expected one.
    """
    import json

    decoder = json.JSONDecoder()
    found: list[int] = []

    def skip(position: int) -> int:
        match = _SPACE.match(text, position)
        return match.end() if match else position

    try:
        position = skip(0)
        if text[position] != "{":
            return []
        position = skip(position + 1)
        while text[position] != "}":
            name, position = decoder.raw_decode(text, position)
            position = skip(skip(position) + 1)  # past the colon
            if name == "marks" and text[position] == "[":
                offsets: list[int] = []
                position = skip(position + 1)
                while text[position] != "]":
                    offsets.append(position)
                    _value, position = decoder.raw_decode(text, position)
                    position = skip(position)
                    if text[position] == ",":
                        position = skip(position + 1)
                position += 1
                found = [text.count("\n", 0, offset) + 1 for offset in offsets]
            else:
                _value, position = decoder.raw_decode(text, position)
            position = skip(position)
            if text[position] == ",":
                position = skip(position + 1)
    except (ValueError, IndexError):
        return found
    return found
