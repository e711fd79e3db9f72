"""The sync folder: this machine's journal in it, the other machines' journals read from it, and
what is kept in the state folder meanwhile. No Textual here; `reader.state.StateStore` holds one
(`store.sync`) when a sync folder is set.

In the state folder: `sync.json` (this machine's id and name), `sync-pending.jsonl` (changes
made while the sync folder could not be written: sent when it can), `sync-base.jsonl` (the
merged state the store was last brought to; with this machine's own changes since, which its
journal holds, it tells a change made here while syncing was off from one that came from
elsewhere), `sync.lock` (two readers on one machine take turns).

Nothing here raises for a problem of the folder or of a journal: each is a warning (`warnings`,
each said once), and a change that cannot be written to the folder is kept in the state folder
(or, when neither can be written, in memory for this session) and sent later.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reader.files import replacing
from reader.sync.clock import Clock, Stamp, wall_ms
from reader.sync.journal import (
    MAX_JOURNAL_BYTES,
    MAX_LINE_BYTES,
    SUFFIX,
    BadLine,
    Journal,
    NotMine,
    append,
    decode,
    encode,
    event_from,
    event_record,
    header_record,
    machine_id,
    sync_directory,
)
from reader.sync.merge import (
    NOTE,
    Dot,
    Event,
    Field,
    Local,
    Replica,
    Value,
    default,
    order,
    reconcile,
)

IDENTITY = "sync.json"
PENDING = "sync-pending.jsonl"
BASE = "sync-base.jsonl"
LOCK = "sync.lock"
LOCK_SECONDS = 5.0
"""The longest wait for another reader on this machine to finish writing the journal."""
MAX_JOURNALS = 64
"""The most journal files read from the folder (machines and their copies)."""
COMPACT_AFTER = 1_000
"""This machine's journal is compacted when it holds more than this many changes and more than
twice as many as it needs (one per field)."""
_NAME_JUNK = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Conflict:
    """Another text of a note, written on `machine` (its name) at `when` (seconds)."""

    text: str
    machine: str
    when: float


@dataclass
class Merged:
    """What an exchange brought: the values the store takes, and how many from each machine."""

    changes: list[tuple[Field, Event]]
    machines: dict[str, int] = field(default_factory=dict)
    conflicted: frozenset[str] = frozenset()
    """Paper keys whose note now has another text (it was edited on two machines)."""

    def message(self) -> str:
        """"3 changes from desktop; 1 note written on two machines" ("" when nothing came)."""
        said: list[str] = []
        if self.changes:
            count = len(self.changes)
            names = " and ".join(sorted(self.machines)) or "another machine"
            said.append(f"{count} {'change' if count == 1 else 'changes'} from {names}")
        if self.conflicted:
            count = len(self.conflicted)
            said.append(f"{count} {'note' if count == 1 else 'notes'} written on two machines")
        return "; ".join(said)


@dataclass(frozen=True)
class MachineStatus:
    machine: str
    name: str
    files: tuple[str, ...]
    changes: int
    latest: float | None
    """When its latest change was made (seconds), None when it has made none."""
    merged_mine: float | None
    """Up to when it had merged this machine's changes (seconds), None when not known."""
    mine_not_merged: int
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    folder: Path
    reachable: bool
    writable: bool
    machine: str
    name: str
    journal: str
    changes: int
    journal_bytes: int
    pending: int
    incoming: int
    """Changes of other machines the store has not taken yet."""
    machines: tuple[MachineStatus, ...]
    warnings: tuple[str, ...]
    conflicted: int = 0
    """Notes with another text (edited on two machines), as the journals say."""


def _safe_name(text: str) -> str:
    name = _NAME_JUNK.sub("-", text).strip("-.")[:32]
    return name or "machine"


class SyncFolder:
    """One machine's side of a sync folder (see the module's docstring)."""

    def __init__(
        self,
        state_dir: Path,
        folder: Path,
        *,
        hostname: str | None = None,
        now: Callable[[], int] = wall_ms,
        lock_seconds: float = LOCK_SECONDS,
    ) -> None:
        self.state_dir = state_dir
        self.folder = folder
        self.warnings: list[str] = []
        self._said: set[str] = set()
        self._now = now
        self._lock_seconds = lock_seconds
        self._lock = threading.RLock()
        host = hostname if hostname is not None else socket.gethostname()
        self.machine, self.name = self._identity(host)
        self.clock = Clock(self.machine, now)
        self.replica = Replica()
        self.base: Replica | None = None
        self.path = folder / f"{self.name}-{self.machine}{SUFFIX}"
        self._journals: dict[Path, Journal] = {}
        self._pending = Journal(state_dir / PENDING)
        self._unsent: list[Event] = []
        """Events that could be written neither to the folder nor to the pending file."""
        self._queued: list[Event] = []
        """Events made here and not yet written (`send` writes them)."""
        self._own_last: dict[Field, Event] = {}
        """The last change this machine journaled of each field."""
        self._own_stamps: set[Dot] = set()
        self._seen_written: dict[str, Dot] = {}
        self._reachable = False
        self._writable = False
        self._changed_since_base = True
        self._journal_known = False
        """Whether this machine's journal was in the folder (read, written, or in the base)."""
        self._load_base()
        self._first = self.base is None and not self._pending.path.exists()
        """Never synced from this state folder: a missing sync folder is made (once its parent
        is there), not taken for one that is not mounted."""
        self._catch_up_own()

    def __repr__(self) -> str:
        return f"SyncFolder({str(self.folder)!r}, {self.name}-{self.machine})"

    # --- identity and files in the state folder ---------------------------------------------------

    def _identity(self, host: str) -> tuple[str, str]:
        path = self.state_dir / IDENTITY
        with contextlib.suppress(OSError, ValueError, BadLine, AttributeError):
            with open(path, encoding="utf-8") as file:
                data = json.loads(file.read(4096))
            machine = machine_id(data.get("machine"))
            if data.get("host") == host:
                return machine, _safe_name(str(data.get("name") or host))
            self._warn(
                f"Sync: this reading state was made on another machine ({data.get('host')!s:.40}); "
                "this machine gets a journal of its own."
            )
        machine = secrets.token_hex(6)
        name = _safe_name(host)
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            with replacing(path, durable=True) as file:
                record = {"machine": machine, "name": name, "host": host}
                file.write(json.dumps(record).encode("utf-8") + b"\n")
        except OSError:
            # The state folder is read-only: an id from the host and folder, the same each run.
            seed = f"{host}\0{self.state_dir}".encode("utf-8", "surrogateescape")
            machine = hashlib.sha256(seed).hexdigest()[:12]
        return machine, name

    def _load_base(self) -> None:
        """The base: a header line, then one line of every event (checked as one)."""
        path = self.state_dir / BASE
        try:
            with open(path, "rb") as file:
                data = file.read(MAX_JOURNAL_BYTES + 1)
        except OSError:
            return
        lines = data.split(b"\n")
        if len(data) > MAX_JOURNAL_BYTES or len(lines) != 3 or lines[2]:
            return  # not whole: better none than a wrong one (the next merge goes by time)
        try:
            records = decode(lines[1]).get("events")
            if not isinstance(records, list):
                return
            events = [event_from(record, self.machine) for record in records]
        except (BadLine, NotMine, AttributeError):
            return
        self.base = Replica()
        self.base.apply_all(events)
        self._journal_known = any(event.machine == self.machine for event in events)

    def _write_base(self) -> None:
        if not self._changed_since_base:
            return
        base = self.replica.copy()
        events = [event_record(event, with_machine=True) for event in base.events()]
        try:
            with replacing(self.state_dir / BASE, durable=True) as file:
                file.write(self._header())
                file.write(encode({"events": events}))
        except OSError:
            return  # a read-only state folder: the next start merges without it
        self.base = base
        self._changed_since_base = False

    # --- locking ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[bool]:
        """Hold the state folder's sync lock (True), or give up after `lock_seconds` (False);
        without locks (no fcntl, a read-only folder) go on alone (True)."""
        try:
            import fcntl
        except ImportError:  # Windows: appends of whole lines, one process at a time
            yield True
            return
        try:
            fd = os.open(self.state_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            yield True
            return
        deadline = time.monotonic() + self._lock_seconds
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.01)
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # --- warnings ---------------------------------------------------------------------------------

    def _warn(self, message: str, key: str | None = None) -> None:
        said = key or message
        if said not in self._said:
            self._said.add(said)
            self.warnings.append(message)

    def _clear(self, key: str) -> None:
        self._said.discard(key)

    def take_warnings(self) -> list[str]:
        taken, self.warnings = self.warnings, []
        return taken

    # --- changes made here ------------------------------------------------------------------------

    def record(self, changes: Iterable[tuple[Field, Value]]) -> None:
        """Stamp changes made here and write them to the journal at once. A new note replaces
        every version of it known here, conflicts included.

        The stamps are taken and written under the state folder's lock, after reading what
        another reader on this machine wrote since: two readers sharing a state folder never
        give two changes the same stamp (a note's causal context tells edits apart by it)."""
        with self._lock, self._locked():
            self._catch_up_own()
            events = []
            for change, value in changes:
                context = self.replica.context(change[1]) if change[0] == NOTE else ()
                event = Event(change, self.clock.tick(), value, context)
                self._take_own(event)
                events.append(event)
            if events:
                self._write(events)

    def _take_own(self, event: Event) -> None:
        self.replica.apply(event)
        if self.base is not None:  # the store holds it: a later merge must not take it back
            self.base.apply(event)
        self._changed_since_base = True
        self._own(event)
        self._own_stamps.add(event.dot)

    def _own(self, event: Event) -> None:
        last = self._own_last.get(event.field)
        if last is None or order(event) > order(last):
            self._own_last[event.field] = event

    def send(self) -> None:
        """Write the changes `record` stamped: to this machine's journal, else to the pending
        file in the state folder, else keep them for a later try."""
        with self._lock:
            if not self._queued:
                return
            events, self._queued = self._queued, []
            with self._locked():
                self._write(events)

    def _write(self, events: list[Event]) -> None:
        lines = [encode(event_record(event)) for event in events]
        if self._append_journal(lines):
            return
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            append(self._pending.path, lines, self._header())
            self._clear("unsent")
        except OSError as error:
            self._unsent.extend(events)
            self._warn(
                f"Sync: changes can be written neither to {self.folder} nor to "
                f"{self._pending.path} ({_reason(error)}); they are kept for this session.",
                "unsent",
            )

    def _header(self) -> bytes:
        return encode(header_record(self.machine, self.name))

    def _append_journal(self, lines: list[bytes]) -> bool:
        if not self._folder_usable():
            return False
        try:
            append(self.path, lines, self._header())
        except OSError as error:
            self._writable = False
            self._warn(
                f"Sync: cannot write {self.path} ({_reason(error)}); changes are kept in "
                f"{self.state_dir} and sent when it can be written.",
                "folder-write",
            )
            return False
        self._journal_known = True
        if not self._writable:
            self._writable = True
            self._clear("folder-write")
        return True

    def _folder_usable(self) -> bool:
        if self.folder.is_dir():
            self._clear("folder-missing")
            self._first = False
            return True
        if self._first and self.folder.parent.is_dir():
            with contextlib.suppress(OSError):
                self.folder.mkdir()
                self._first = False
                return True
        self._reachable = False
        self._warn(
            f"Sync folder {self.folder} is not there (not mounted, or moved?): changes are kept "
            f"in {self.state_dir} and sent when it is back.",
            "folder-missing",
        )
        return False

    # --- reading the folder -----------------------------------------------------------------------

    def _catch_up_own(self) -> None:
        """Read what another reader on this machine wrote since (its stamps come before ours)."""
        with contextlib.suppress(OSError):
            if self._pending.path.exists():
                for event in self._pending.read(machine=self.machine):
                    self._observe_own(event)
        own = self._journals.get(self.path) or Journal(self.path)
        if self.path.exists():
            self._journal_known = True
            self._journals[self.path] = own
            with contextlib.suppress(OSError):
                for event in own.read():
                    self._observe_own(event)

    def _observe_own(self, event: Event) -> None:
        self.clock.observe(event.stamp)
        if event.machine == self.machine:
            self._own(event)
            self._own_stamps.add(event.dot)
            if self.base is not None:  # made in this store: the store holds it
                self.base.apply(event)
        if self.replica.apply(event):
            self._changed_since_base = True

    def _scan(self) -> set[str]:
        """Read what is new in every journal of the folder; the machines something came from."""
        came: set[str] = set()
        if not self._folder_usable():
            return came
        self._reachable = True
        self._clear("folder-missing")
        try:
            names = sorted(
                entry.name
                for entry in os.scandir(self.folder)
                if entry.name.endswith(SUFFIX) and not entry.name.startswith(".")
            )
        except OSError as error:
            self._warn(f"Sync: cannot read {self.folder} ({_reason(error)}).", "folder-read")
            return came
        if len(names) > MAX_JOURNALS:
            self._warn(
                f"Sync: {self.folder} holds {len(names)} journals; the first {MAX_JOURNALS} "
                "are read.",
                "too-many",
            )
            names = names[:MAX_JOURNALS]
        present = {self.folder / name for name in names}
        for gone in set(self._journals) - present:
            del self._journals[gone]
        for path in sorted(present):
            journal = self._journals.setdefault(path, Journal(path))
            try:
                if not path.is_file():
                    continue
                events = journal.read()
            except OSError as error:
                self._warn(f"Sync: cannot read {path.name} ({_reason(error)}).", f"read {path}")
                continue
            self._say_problems(journal)
            for event in events:
                self.clock.observe(event.stamp)
                if event.machine == self.machine:
                    if path != self.path and event.dot not in self._own_stamps:
                        self._adopt(event)
                    self._own(event)
                    self._own_stamps.add(event.dot)
                elif path.name != self.path.name:
                    came.add(event.machine)
                if self.replica.apply(event):
                    self._changed_since_base = True
        self._say_copies()
        self._restore_own_journal()
        return came

    def _adopt(self, event: Event) -> None:
        """An event of this machine found only in a copy of its journal (a sync tool's conflict
        copy): written to the journal too, so that deleting the copy loses nothing."""
        self._queued.append(event)

    def _restore_own_journal(self) -> None:
        """This machine's journal was removed from the folder (or the folder replaced): write
        again every change of this machine the merged state holds."""
        if self.path.exists() or not self._journal_known:
            return
        own = [event for event in self.replica.events() if event.machine == self.machine]
        if not own:
            return
        own.sort(key=order)
        self._warn(
            f"Sync: this machine's journal {self.path.name} is not in {self.folder} any more; "
            f"it is written again with this machine's {len(own)} changes.",
            "restored",
        )
        self._queued[:0] = own

    def _say_problems(self, journal: Journal) -> None:
        name = journal.path.name
        if journal.problem:
            self._warn(f"Sync: {name} is {journal.problem}.", f"problem {name}")
            return
        if journal.partial:
            self._warn(
                f"Sync: the last line of {name} is not complete (a sync still copying it?); "
                "it is read once it is.",
                f"partial {name}",
            )
        else:
            self._clear(f"partial {name}")
        if journal.bad:
            self._warn(
                f"Sync: {journal.bad} {_lines(journal.bad)} of {name} could not be read (cut or "
                "damaged) and were skipped.",
                f"bad {name} {journal.bad}",
            )
        if journal.unknown:
            self._warn(
                f"Sync: {journal.unknown} {_changes(journal.unknown)} in {name} are of a newer "
                "reader and were left for it.",
                f"unknown {name} {journal.unknown}",
            )
        if journal.capped:
            self._warn(
                f"Sync: {name} is larger than {MAX_JOURNAL_BYTES >> 20} MiB; only its beginning "
                "was read.",
                f"capped {name}",
            )

    def _say_copies(self) -> None:
        by_machine: dict[str, list[Journal]] = {}
        for journal in self._journals.values():
            if journal.header is not None and not journal.problem:
                by_machine.setdefault(journal.header.machine, []).append(journal)
        for machine, journals in by_machine.items():
            if len(journals) < 2:
                continue
            main = _main_file(machine, journals)
            for copy in journals:
                if copy is not main:
                    self._warn(
                        f"Sync: {copy.path.name} is a copy of {main.path.name} (a sync "
                        "conflict?); its changes were merged, and it can be deleted.",
                        f"copy {copy.path.name}",
                    )

    # --- exchanging with the store ----------------------------------------------------------------

    def exchange(self, local: Mapping[Field, Local]) -> Merged:
        """Read what is new in the folder, send what is pending, and bring `local` (the store's
        fields not at their default) and the merged state together: the values the store must
        take. Call `settled` once the store has saved them."""
        with self._lock, self._locked():
            before = self._conflicted()
            self._catch_up_own()
            self._scan()
            self._send_pending()
            reconciled = reconcile(
                local,
                self.replica,
                self.base,
                self.clock.tick,
                self.machine,
                sent=self._own_last if self.base is None else None,
            )
            for event in reconciled.outgoing:
                self._take_own(event)
                self._queued.append(event)
            if self._queued:
                events, self._queued = self._queued, []
                self._write(events)
            self._write_seen()
            self._compact_if_due()
            if reconciled.incoming:
                self._changed_since_base = True
            conflicted = self._conflicted() - before
        merged = Merged(reconciled.incoming, conflicted=conflicted)
        for _field, event in reconciled.incoming:
            name = self.machine_name(event.machine)
            merged.machines[name] = merged.machines.get(name, 0) + 1
        return merged

    def settled(self) -> None:
        """The store holds the merged state: remember it as the base of the next exchange."""
        with self._lock:
            self._write_base()

    def changed(self) -> bool:
        """Whether a journal may hold something new (one stat per file; a listing)."""
        with self._lock:
            if self._queued or self._unsent:
                return True
            try:
                names = {e.name for e in os.scandir(self.folder) if e.name.endswith(SUFFIX)}
            except OSError:
                return False
            known = {path.name for path in self._journals}
            if names - known:
                return True
            return any(journal.stat_changed() for journal in self._journals.values())

    def _send_pending(self) -> None:
        """Move the pending file's changes (and those kept in memory) into the journal."""
        lines: list[bytes] = []
        path = self._pending.path
        if path.exists():
            try:
                with open(path, "rb") as file:
                    data = file.read(MAX_JOURNAL_BYTES)
            except OSError:
                data = b""
            for line in data.split(b"\n"):
                if not line or len(line) > MAX_LINE_BYTES:
                    continue
                try:
                    record = decode(line)
                except BadLine:
                    continue
                if "journal" not in record:
                    lines.append(line + b"\n")
        unsent, self._unsent = self._unsent, []
        lines += [encode(event_record(event)) for event in unsent]
        if not lines:
            return
        if not self._append_journal(lines):
            self._unsent = unsent
            return
        with contextlib.suppress(OSError):
            os.unlink(path)
        self._pending.reset()
        self._pending.identity = None
        self._clear("unsent")

    def _write_seen(self) -> None:
        seen: dict[str, Dot] = {}
        for journal in self._journals.values():
            header = journal.header
            if header is None or header.machine == self.machine or journal.latest is None:
                continue
            dot = (journal.latest[0], journal.latest[1])
            if dot > seen.get(header.machine, (-1, -1)):
                seen[header.machine] = dot
        if not seen or seen == self._seen_written:
            return
        record = {"seen": {m: [d[0], d[1]] for m, d in sorted(seen.items())}, "at": self._now()}
        if self._append_journal([encode(record)]):
            self._seen_written = seen

    def _compact_if_due(self) -> None:
        own = self._journals.get(self.path)
        if own is None or own.events <= COMPACT_AFTER or own.events <= 2 * len(self._own_last):
            return
        try:
            self._compact()
        except OSError as error:
            self._warn(f"Sync: could not compact {self.path.name} ({_reason(error)}).", "compact")

    def _compact(self) -> None:
        """Rewrite this machine's journal with the last change of each field (the ones before it
        are replaced by it everywhere), the last "seen" record and every line of a newer reader."""
        with open(self.path, "rb") as file:
            data = file.read(MAX_JOURNAL_BYTES + 1)
        if len(data) > MAX_JOURNAL_BYTES:
            return  # not read whole: nothing is dropped
        latest: dict[Field, tuple[Event, bytes]] = {}
        kept: list[bytes] = []
        seen_line: tuple[int, bytes] | None = None
        end = data.rfind(b"\n")
        for line in data[: end + 1].split(b"\n")[:-1]:
            if not line.strip() or len(line) > MAX_LINE_BYTES:
                continue
            try:
                record = decode(line)
            except BadLine:
                continue  # unreadable by anyone
            if "journal" in record:
                continue
            if "seen" in record:
                at = record.get("at")
                if type(at) is int and (seen_line is None or at >= seen_line[0]):
                    seen_line = (at, line + b"\n")
                continue
            try:
                event = event_from(record, self.machine)
            except NotMine:
                kept.append(line + b"\n")
                continue
            except BadLine:
                continue
            mine = latest.get(event.field)
            if mine is None or order(event) > order(mine[0]):
                latest[event.field] = (event, line + b"\n")
        lines = [line for _event, line in sorted(latest.values(), key=lambda pair: order(pair[0]))]
        with replacing(self.path, durable=True) as file:
            file.write(self._header())
            file.writelines(lines)
            file.writelines(kept)
            if seen_line is not None:
                file.write(seen_line[1])
        sync_directory(self.folder)
        self._own_last = {found: event for found, (event, _line) in latest.items()}

    # --- questions --------------------------------------------------------------------------------

    def machine_name(self, machine: str) -> str:
        if machine == self.machine:
            return self.name
        for journal in self._journals.values():
            if journal.header is not None and journal.header.machine == machine:
                return journal.header.name
        return machine

    def conflicts(self, key: str) -> tuple[Conflict, ...]:
        """The other texts of the note of `key`, when it was edited on two machines."""
        with self._lock:
            return tuple(
                Conflict(str(event.value), self.machine_name(event.machine), event.stamp[0] / 1000)
                for event in self.replica.conflicts(key)
            )

    def conflicted(self) -> frozenset[str]:
        """Every paper key whose note has another text."""
        with self._lock:
            return self._conflicted()

    def _conflicted(self) -> frozenset[str]:
        replica = self.replica
        found = replica.versions.items()
        return frozenset(key for key, mine in found if len(mine) > 1 and replica.conflicts(key))

    def status(self, local: Mapping[Field, Local]) -> Status:
        """What `reader --sync-status` says: reads the folder, changes nothing."""
        with self._lock:
            self._catch_up_own()
            replica = Replica()
            replica.apply_all(self.replica.events())
            journals: dict[Path, Journal] = {}
            problems: dict[str, list[str]] = {}
            reachable = self.folder.is_dir()
            if reachable:
                with contextlib.suppress(OSError):
                    for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
                        if not entry.name.endswith(SUFFIX) or entry.name.startswith("."):
                            continue
                        if len(journals) >= MAX_JOURNALS:
                            break
                        journal = Journal(Path(entry.path))
                        try:
                            events = journal.read()
                        except OSError as error:
                            problems.setdefault(entry.name, []).append(_reason(error))
                            continue
                        journals[journal.path] = journal
                        replica.apply_all(events)
            pending = 0
            with contextlib.suppress(OSError):
                if self._pending.path.exists():
                    pending = len(Journal(self._pending.path).read(machine=self.machine))
            pending += len(self._unsent) + len(self._queued)
            incoming = sum(
                1
                for found in set(replica.fields()) | set(local)
                if replica.value(found)
                != (local[found].value if found in local else default(found[0]))
            )
            own = journals.get(self.path)
            own_stamps = own.stamps if own is not None else []
            by_machine: dict[str, list[Journal]] = {}
            for journal in journals.values():
                if journal.header is not None:
                    by_machine.setdefault(journal.header.machine, []).append(journal)
                else:
                    problems.setdefault(journal.path.name, []).append(journal.problem)
            machines: list[MachineStatus] = []
            for machine, found in sorted(by_machine.items(), key=lambda item: item[1][0].path):
                if machine == self.machine:
                    continue
                main = _main_file(machine, found)
                seen = main.seen.get(self.machine) if main.seen else None
                for other in found:
                    if other.seen_at > main.seen_at and other.seen:
                        seen = other.seen.get(self.machine, seen)
                latest = max((j.latest for j in found if j.latest is not None), default=None)
                notes = [j.problem for j in found if j.problem]
                notes += [f"{j.bad} unreadable {_lines(j.bad)}" for j in found if j.bad]
                notes += [f"{j.path.name}: last line incomplete" for j in found if j.partial]
                notes += [f"{j.path.name} is a copy" for j in found if j is not main]
                machines.append(
                    MachineStatus(
                        machine,
                        main.header.name if main.header else "?",
                        tuple(j.path.name for j in found),
                        sum(j.events for j in found),
                        latest[0] / 1000 if latest is not None else None,
                        seen[0] / 1000 if seen is not None else None,
                        sum(1 for dot in own_stamps if seen is None or dot > seen),
                        tuple(notes),
                    )
                )
            for name, reasons in problems.items():
                machines.append(MachineStatus("?", name, (name,), 0, None, None, 0, tuple(reasons)))
            size = 0
            with contextlib.suppress(OSError):
                size = self.path.stat().st_size
            writable = reachable and os.access(self.folder, os.W_OK)
            return Status(
                self.folder,
                reachable,
                writable,
                self.machine,
                self.name,
                self.path.name,
                own.events if own is not None else 0,
                size,
                pending,
                incoming,
                tuple(machines),
                tuple(self.warnings),
                sum(
                    1
                    for key, versions in replica.versions.items()
                    if len(versions) > 1 and replica.conflicts(key)
                ),
            )

    def close(self) -> None:
        """Write what is queued (one last try)."""
        self.send()


def _main_file(machine: str, journals: list[Journal]) -> Journal:
    """Of the files holding one machine's journal, the one its name says; else the shortest."""
    for journal in journals:
        header = journal.header
        if header is not None and journal.path.name == f"{header.name}-{machine}{SUFFIX}":
            return journal
    return min(journals, key=lambda journal: (len(journal.path.name), journal.path.name))


def _lines(count: int) -> str:
    return "line" if count == 1 else "lines"


def _changes(count: int) -> str:
    return "change" if count == 1 else "changes"


def _reason(error: OSError) -> str:
    if error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return str(error) or type(error).__name__


__all__ = [
    "Conflict",
    "MachineStatus",
    "Merged",
    "Status",
    "Stamp",
    "SyncFolder",
]
