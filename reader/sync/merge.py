"""Merging the reading-state changes of several machines: pure, no I/O, no Textual.

Every change is an `Event`: a field (a paper's read or starred mark, its note, one of its tags,
a saved search), the value it was given, and the stamp of the machine's clock
(`reader.sync.clock`). A `Replica` folds events in any order, each any number of times, and
always ends in the same state (the property `tests/unit/test_sync_merge.py` checks):

- marks, tags and saved searches: the last writer wins, field by field (a tag is a field of
  its own: tags added and removed on two machines each keep their last word);
- a note keeps every version nobody had seen when they wrote theirs: a note edited on two
  machines keeps both texts, the later one shown and the other a conflict until the user writes
  the note again (which replaces every version they saw). A version carries its context, the
  latest stamp of each machine's versions its writer had seen; a version another version's
  context covers is replaced.

`reconcile` compares the store with the merged state and with the state at the last merge
(the base), to tell changes that came from other machines (applied to the store) from changes
made here while the folder was not in use (sent as new events).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from reader.sync.clock import Stamp
from reader.sync.fields import KIND_NAMES, KINDS, NOTE, READ, SEARCH, STAR, TAG

__all__ = ["KINDS", "KIND_NAMES", "NOTE", "READ", "SEARCH", "STAR", "TAG"]

Field = tuple[str, str, str]
"""(kind, key, tag): the key is a paper's key (a search's name for SEARCH); tag is "" unless
the kind is TAG."""
Value = int | str | None
"""READ, STAR, TAG: 1 or 0; NOTE: the text ("" when removed); SEARCH: the query (None when
deleted)."""
Dot = tuple[int, int]
"""A stamp without its machine: (milliseconds, counter)."""
Context = tuple[tuple[str, Dot], ...]
"""A note version's context: (machine, latest stamp of its versions seen), by machine."""

NONE: Dot = (-1, -1)


def default(kind: str) -> Value:
    """The value of a field no event has set."""
    if kind == NOTE:
        return ""
    if kind == SEARCH:
        return None
    return 0


@dataclass(frozen=True, slots=True)
class Event:
    """One change: `field` was given `value` at `stamp` (by the machine `stamp[2]`)."""

    field: Field
    stamp: Stamp
    value: Value
    context: Context = ()

    @property
    def machine(self) -> str:
        return self.stamp[2]

    @property
    def dot(self) -> Dot:
        return (self.stamp[0], self.stamp[1])


def _rank(value: Value) -> tuple[int, int, str]:
    if value is None:
        return (0, 0, "")
    if isinstance(value, int):
        return (1, value, "")
    return (2, 0, value)


def order(event: Event) -> tuple[Stamp, tuple[int, int, str]]:
    """The order of events on one field: by stamp, then (for a machine that made two changes
    with one stamp, which only a copied state folder can) by value."""
    return (event.stamp, _rank(event.value))


def _covers(context: Mapping[str, Dot], event: Event) -> bool:
    return context.get(event.machine, NONE) >= event.dot


class Replica:
    """The merged state of every event applied so far (see the module's docstring)."""

    def __init__(self) -> None:
        self.winners: dict[Field, Event] = {}
        """The last event of each mark, tag and search field."""
        self.versions: dict[str, tuple[Event, ...]] = {}
        """Each note's versions no other version replaces, latest first."""
        self.contexts: dict[str, dict[str, Dot]] = {}
        """Each note's context: the latest stamp of each machine's versions known here."""

    def copy(self) -> Replica:
        """Another replica in the same state (events are immutable: shared)."""
        twin = Replica()
        twin.winners = dict(self.winners)
        twin.versions = dict(self.versions)
        twin.contexts = {key: dict(context) for key, context in self.contexts.items()}
        return twin

    def __len__(self) -> int:
        return len(self.winners) + sum(len(found) for found in self.versions.values())

    def apply(self, event: Event) -> bool:
        """Fold `event` in; True when the field's value or its note versions changed."""
        if event.field[0] == NOTE:
            return self._apply_note(event)
        field = event.field
        current = self.winners.get(field)
        if current is not None and order(current) >= order(event):
            return False
        self.winners[field] = event
        before = default(field[0]) if current is None else current.value
        return before != event.value

    def _apply_note(self, event: Event) -> bool:
        key = event.field[1]
        context = self.contexts.setdefault(key, {})
        if _covers(context, event):
            return False  # known already, or replaced by a version that saw it
        seen = dict(event.context)
        kept = [version for version in self.versions.get(key, ()) if not _covers(seen, version)]
        kept.append(event)
        kept.sort(key=order, reverse=True)
        self.versions[key] = tuple(kept)
        for machine, dot in event.context:
            if dot > context.get(machine, NONE):
                context[machine] = dot
        if event.dot > context.get(event.machine, NONE):
            context[event.machine] = event.dot
        return True

    def apply_all(self, events: Iterable[Event]) -> list[Event]:
        """Apply each event; those that changed something."""
        return [event for event in events if self.apply(event)]

    # --- what the state says ----------------------------------------------------------------------

    def value(self, field: Field) -> Value:
        if field[0] == NOTE:
            found = self.versions.get(field[1])
            return found[0].value if found else ""
        event = self.winners.get(field)
        return default(field[0]) if event is None else event.value

    def winner(self, field: Field) -> Event | None:
        """The event whose value the field has (a note's latest version); None when none."""
        if field[0] == NOTE:
            found = self.versions.get(field[1])
            return found[0] if found else None
        return self.winners.get(field)

    def conflicts(self, key: str) -> tuple[Event, ...]:
        """The other texts of a note edited on two machines without seeing each other: versions
        besides the shown one that are not empty and not the same text."""
        found = self.versions.get(key, ())
        if len(found) < 2:
            return ()
        shown = found[0].value
        texts: set[Value] = {shown}
        others: list[Event] = []
        for version in found[1:]:
            if version.value and version.value not in texts:
                texts.add(version.value)
                others.append(version)
        return tuple(others)

    def context(self, key: str) -> Context:
        """The context of a new version of the note `key` written here: every version known."""
        return tuple(sorted(self.contexts.get(key, {}).items()))

    def covers(self, key: str, machine: str, dot: Dot) -> bool:
        """Whether a version of note `key` by `machine` at `dot` would be known already."""
        return self.contexts.get(key, {}).get(machine, NONE) >= dot

    def fields(self) -> Iterator[Field]:
        """Every field some event has set."""
        yield from self.winners
        for key in self.versions:
            yield (NOTE, key, "")

    def events(self) -> Iterator[Event]:
        """Every event the state holds (the last of each field, each note's versions): applied
        to an empty replica, they give this state again."""
        yield from self.winners.values()
        for found in self.versions.values():
            yield from found

    def values(self) -> dict[Field, Value]:
        """Every field's value, except those at their default."""
        result: dict[Field, Value] = {}
        for field in self.fields():
            value = self.value(field)
            if value != default(field[0]):
                result[field] = value
        return result


# --- reconciling with the store -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Local:
    """A field's value in the store, and when it was set there (ms; None when not known)."""

    value: Value
    ms: int | None = None


@dataclass
class Reconciled:
    """What `reconcile` found: values to give the store, and events to send (already applied
    to the replica)."""

    incoming: list[tuple[Field, Event]]
    """(field, the event whose value the store takes)."""
    outgoing: list[Event]


def reconcile(
    local: Mapping[Field, Local],
    replica: Replica,
    base: Replica | None,
    tick: Callable[[], Stamp],
    machine: str,
    sent: Mapping[Field, Event] | None = None,
) -> Reconciled:
    """Bring the store and `replica` together, field by field. `local` holds the store's fields
    that are not at their default; `base` is the merged state the store was last brought to
    (None when there is none: the first merge here).

    A field where the store and the merged state agree is left. With a base, one where the
    store still has the base's value changed elsewhere: the store takes the merged value; one
    the store changed since is a change made here (while the folder was not in use) and is sent:
    stamped now when nothing else changed the field, by its own time when another machine did
    too (the later wins; two notes are both kept). Without a base, the store's value is sent
    when it is newer than the merged one (and a note always, so that neither text is lost),
    unless it is the value of this machine's last change of the field in `sent` (journaled
    already, before any merge here: the merged state has it, and says what replaced it).
    """
    incoming: list[tuple[Field, Event]] = []
    outgoing: list[Event] = []
    seen: set[Field] = set()

    def send(field: Field, value: Value, ms: int | None, concurrent: bool) -> None:
        stamp = tick()
        context: Context = ()
        if field[0] == NOTE:
            if concurrent:
                context = base.context(field[1]) if base is not None else ()
                if ms is not None and not replica.covers(field[1], machine, (ms, 0)):
                    stamp = (ms, 0, machine)
            else:
                context = replica.context(field[1])
        elif concurrent and ms is not None:
            stamp = (ms, 0, machine)
        event = Event(field, stamp, value, context)
        replica.apply(event)
        outgoing.append(event)
        if replica.value(field) != value:  # an older change here lost to a later one there
            winner = replica.winner(field)
            if winner is not None:
                incoming.append((field, winner))

    def visit(field: Field) -> None:
        if field in seen:
            return
        seen.add(field)
        kind = field[0]
        mine = local.get(field)
        value = default(kind) if mine is None else mine.value
        merged = replica.value(field)
        if value == merged:
            return
        ms = None if mine is None else mine.ms
        winner = replica.winner(field)
        if base is not None:
            before = base.value(field)
            if value == before:
                if winner is not None:
                    incoming.append((field, winner))
                return
            send(field, value, ms, concurrent=merged != before)
            return
        own = sent.get(field) if sent is not None else None
        if own is not None and own.value == value:
            if winner is not None:
                incoming.append((field, winner))
            return
        if winner is None:
            send(field, value, ms, concurrent=False)
        elif (kind == NOTE and value) or (ms is not None and ms > winner.stamp[0]):
            send(field, value, ms, concurrent=True)  # a note: both texts kept
        else:
            incoming.append((field, winner))

    for field in local:
        visit(field)
    for field in list(replica.fields()):
        visit(field)
    if base is not None:
        for field in list(base.fields()):
            visit(field)
    return Reconciled(incoming, outgoing)
