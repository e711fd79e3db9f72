"""Journal files: each machine's changes, a line each, in a folder the user's own tool carries
between machines. No Textual here.

A journal is UTF-8 text, one record a line: eight hex digits of the CRC-32 of the JSON that
follows, a space, a JSON object, a line feed. The first line is the header,
`{"journal":"reader","format":1,"machine":ID,"name":NAME}`; then events
(`{"t":[ms,counter],"f":KIND,"k":KEY,"v":VALUE}`, with `"x":TAG` for a tag, `"c":CONTEXT` for a
note, `"m":MACHINE` where the file holds other machines' events) and "seen" records
(`{"seen":{MACHINE:[ms,counter]},"at":ms}`: the latest change of each machine merged here).

Reading never trusts a file: a line without its line feed (a sync tool caught mid-copy) waits
for the next read; a line whose CRC fails, that is too long, or that does not hold a valid
event is skipped and counted; a record of a kind this reader does not know (a newer reader's)
is counted and kept in the file; a journal whose header names a newer format is not read at
all. Every file is read at most `MAX_JOURNAL_BYTES`, every line at most `MAX_LINE_BYTES`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader import limits
from reader.sync.clock import MAX_COUNTER, MAX_MS, Stamp
from reader.sync.merge import KINDS, NOTE, SEARCH, TAG, Context, Dot, Event, Field, Value

FORMAT = 1
"""The journal format this reader writes; a journal of a later one is left unread."""
SUFFIX = ".jsonl"
MAX_LINE_BYTES = 256 << 10
"""The longest line read (a 20,000-character note, escaped, is under 128 KiB)."""
MAX_JOURNAL_BYTES = 64 << 20
"""The most of one journal read (about 900,000 changes): the rest is left with a warning."""
MAX_CONTEXT = 256
"""The most machines a note version's context names."""
MAX_KEY_CHARS = limits.KEY_CHARS
MAX_TAG_CHARS = limits.TAG_CHARS
MAX_NOTE_CHARS = limits.NOTE_CHARS
MAX_NAME_CHARS = limits.SEARCH_NAME_CHARS
MAX_QUERY_CHARS = limits.QUERY_CHARS
"""What the state store accepts from typing or an import (`reader.limits`); an event beyond
them is a damaged line."""
MACHINE_CHARS = 32


class BadLine(ValueError):
    """A line that is not a valid record (its CRC, its JSON or its fields)."""


class NotMine(ValueError):
    """A valid record of a kind this reader does not know (from a newer reader)."""


# --- lines ----------------------------------------------------------------------------------------


def encode(record: dict[str, Any]) -> bytes:
    """One line: CRC, space, compact JSON, line feed."""
    data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "strict")
    return b"%08x %s\n" % (zlib.crc32(data), data)


def decode(line: bytes) -> dict[str, Any]:
    """The record of a line (without its line feed); BadLine when it is not whole and valid."""
    if len(line) < 11 or line[8:9] != b" ":
        raise BadLine("not a journal line")
    try:
        crc = int(line[:8], 16)
    except ValueError:
        raise BadLine("not a journal line") from None
    data = line[9:]
    if zlib.crc32(data) != crc:
        raise BadLine("its check does not match (cut or changed)")
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadLine("not valid JSON") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    return record


def header_record(machine: str, name: str) -> dict[str, Any]:
    return {"journal": "reader", "format": FORMAT, "machine": machine, "name": name}


def _text(value: object, limit: int, what: str) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise BadLine(f"{what} is not text of at most {limit} characters")
    return value


def _dot(value: object) -> Dot:
    if type(value) is list and len(value) == 2:
        ms, counter = value
        if type(ms) is int and type(counter) is int and 0 <= ms < MAX_MS:  # noqa: SIM102
            if 0 <= counter < MAX_COUNTER:
                return (ms, counter)
    raise BadLine("not a valid stamp")


@functools.lru_cache(maxsize=256)
def _valid_machine(value: str) -> bool:
    return (
        0 < len(value) <= MACHINE_CHARS
        and value.isascii()
        and value.replace("-", "").replace("_", "").isalnum()
    )


def machine_id(value: object) -> str:
    """A machine id as journals carry it (1-32 letters, digits, - or _); BadLine otherwise."""
    if isinstance(value, str) and _valid_machine(value):
        return value
    raise BadLine("not a valid machine id")


def event_record(event: Event, with_machine: bool = False) -> dict[str, Any]:
    kind, key, tag = event.field
    record: dict[str, Any] = {"t": [event.stamp[0], event.stamp[1]], "f": kind, "k": key}
    if with_machine:
        record["m"] = event.machine
    if kind == TAG:
        record["x"] = tag
    record["v"] = event.value
    if event.context:
        record["c"] = {machine: [dot[0], dot[1]] for machine, dot in event.context}
    return record


def event_from(record: dict[str, Any], machine: str) -> Event:
    """The event of a record (of `machine` unless the record names one). BadLine when it is
    not valid, NotMine when its kind is not one this reader knows."""
    kind = record.get("f")
    if not isinstance(kind, str):
        raise BadLine("no kind")
    if kind not in KINDS:
        raise NotMine(kind)
    ms, counter = _dot(record.get("t"))
    if "m" in record:
        machine = machine_id(record["m"])
    key = _text(record.get("k"), MAX_NAME_CHARS if kind == SEARCH else MAX_KEY_CHARS, "the key")
    if not key:
        raise BadLine("an empty key")
    tag = _text(record.get("x"), MAX_TAG_CHARS, "the tag") if kind == TAG else ""
    if kind == TAG and not tag:
        raise BadLine("an empty tag")
    raw = record.get("v")
    value: Value
    if kind == NOTE:
        value = _text(raw, MAX_NOTE_CHARS, "the note")
    elif kind == SEARCH:
        value = None if raw is None else _text(raw, MAX_QUERY_CHARS, "the query")
    elif raw in (0, 1) and type(raw) is int:
        value = raw
    else:
        raise BadLine("a mark that is not 0 or 1")
    context: Context = ()
    if kind == NOTE and "c" in record:
        raw_context = record["c"]
        if not isinstance(raw_context, dict) or len(raw_context) > MAX_CONTEXT:
            raise BadLine("not a valid context")
        context = tuple(sorted((machine_id(name), _dot(dot)) for name, dot in raw_context.items()))
    field: Field = (kind, key, tag)
    return Event(field, (ms, counter, machine), value, context)


def seen_from(record: dict[str, Any]) -> tuple[dict[str, Dot], int]:
    """The machines' latest merged stamps of a "seen" record, and when it was written."""
    raw = record.get("seen")
    at = record.get("at")
    if not isinstance(raw, dict) or len(raw) > MAX_CONTEXT or type(at) is not int:
        raise BadLine("not a valid seen record")
    return {machine_id(name): _dot(dot) for name, dot in raw.items()}, at


# --- files ----------------------------------------------------------------------------------------


@dataclass
class Header:
    machine: str
    name: str
    format: int


def header_from(record: dict[str, Any]) -> Header:
    """The header of a journal; BadLine when the record is not one."""
    if record.get("journal") != "reader":
        raise BadLine("not a reader journal")
    version = record.get("format")
    if type(version) is not int or version < 1:
        raise BadLine("no format")
    name = record.get("name")
    if not isinstance(name, str) or not name or len(name) > 64:
        name = "?"
    return Header(machine_id(record.get("machine")), name, version)


@dataclass
class Journal:
    """One journal file as read so far: where reading stopped, what it held, what was wrong."""

    path: Path
    identity: tuple[int, int] | None = None
    offset: int = 0
    header: Header | None = None
    problem: str = ""
    """Why the file is not read (not a journal, a newer format); "" when it is."""
    events: int = 0
    bad: int = 0
    unknown: int = 0
    partial: bool = False
    """Its last line has no line feed yet (a sync tool may still be writing it)."""
    capped: bool = False
    """It is larger than `MAX_JOURNAL_BYTES`: the rest was not read."""
    latest: Stamp | None = None
    """Its latest event's stamp."""
    seen: dict[str, Dot] = field(default_factory=dict)
    seen_at: int = 0
    stamps: list[Dot] = field(default_factory=list)
    """The stamps of its events, in file order (for counting what another machine has not
    merged yet)."""
    size: int = 0
    mtime: int = 0

    def reset(self) -> None:
        self.offset, self.header, self.problem = 0, None, ""
        self.events = self.bad = self.unknown = 0
        self.partial = self.capped = False
        self.latest, self.seen, self.seen_at = None, {}, 0
        self.stamps = []

    def stat_changed(self) -> bool:
        """Whether the file looks different from when it was last read (cheap: one stat)."""
        try:
            info = os.stat(self.path)
        except OSError:
            return self.identity is not None
        return (
            (info.st_dev, info.st_ino) != self.identity
            or info.st_size != self.size
            or info.st_mtime_ns != self.mtime
        )

    def read(self, machine: str | None = None) -> list[Event]:
        """The events added since the last read (all of them when the file was replaced, as
        compacting does, or shrank). `machine`: the machine the events belong to when the
        file has no header of its own to say (the pending file). Raises OSError."""
        with open(self.path, "rb") as file:
            info = os.fstat(file.fileno())
            identity = (info.st_dev, info.st_ino)
            if identity != self.identity or info.st_size < self.offset:
                self.reset()
                self.identity = identity
            self.size, self.mtime = info.st_size, info.st_mtime_ns
            if self.problem:
                return []
            limit = min(info.st_size, MAX_JOURNAL_BYTES)
            self.capped = info.st_size > MAX_JOURNAL_BYTES
            if limit <= self.offset:
                self.partial = info.st_size > self.offset and not self.capped
                return []
            file.seek(self.offset)
            data = file.read(limit - self.offset)
        end = data.rfind(b"\n")
        self.partial = end + 1 < len(data) and not self.capped
        if end < 0:
            return []
        events: list[Event] = []
        start = 0
        while start <= end:
            stop = data.index(b"\n", start)
            line = data[start:stop]
            start = stop + 1
            self._take(line, events, machine)
            if self.problem:
                break
        self.offset += end + 1
        return events

    def _take(self, line: bytes, events: list[Event], machine: str | None) -> None:
        if not line.strip():
            return
        if len(line) > MAX_LINE_BYTES:
            self.bad += 1
            return
        if self.header is None and machine is None:
            try:
                self.header = header_from(decode(line))
            except BadLine as error:
                self.problem = f"not a reader journal ({error})"
                return
            if self.header.format > FORMAT:
                self.problem = (
                    f"written by a newer reader (journal format {self.header.format}): "
                    "not read until this reader is updated"
                )
            return
        owner = machine if machine is not None else self.header.machine if self.header else ""
        try:
            record = decode(line)
            if "journal" in record:  # a header (the pending file starts with one too)
                return
            if "seen" in record:
                seen, at = seen_from(record)
                if at >= self.seen_at:
                    self.seen, self.seen_at = seen, at
                return
            event = event_from(record, owner)
        except NotMine:
            self.unknown += 1
            return
        except BadLine:
            self.bad += 1
            return
        events.append(event)
        self.events += 1
        self.stamps.append(event.dot)
        if self.latest is None or event.stamp > self.latest:
            self.latest = event.stamp


def append(path: Path, lines: list[bytes], header: bytes) -> None:
    """Add `lines` to the end of `path` and sync them to disk; a new (or empty) file gets
    `header` first, and a file whose last line was cut gets a line feed first, so that the cut
    line stays apart (and is skipped by its check). Raises OSError."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        prefix = b""
        if size == 0:
            prefix = header
        else:
            with open(path, "rb") as file:
                file.seek(size - 1)
                if file.read(1) != b"\n":
                    prefix = b"\n"
        data = prefix + b"".join(lines)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Make a new or renamed file's entry durable (where the system allows it)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
