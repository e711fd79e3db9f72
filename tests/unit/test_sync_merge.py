"""The merge of reading-state changes across machines (reader.sync.merge, reader.sync.clock):
convergence in any order of delivery, nothing lost, notes edited on two machines keep both."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.sync.clock import Clock
from reader.sync.merge import (
    NOTE,
    READ,
    SEARCH,
    STAR,
    TAG,
    Event,
    Field,
    Local,
    Replica,
    Value,
    default,
    order,
    reconcile,
)

FIELDS: list[Field] = [
    (READ, "2305.14314", ""),
    (READ, "2301.00001", ""),
    (STAR, "2305.14314", ""),
    (TAG, "2305.14314", "llm"),
    (TAG, "2305.14314", "to-read"),
    (TAG, "2301.00001", "llm"),
    (NOTE, "2305.14314", ""),
    (NOTE, "2301.00001", ""),
    (SEARCH, "diffusion", ""),
]
TEXTS = ["", "first thoughts", "second thoughts", "a third"]
QUERIES: list[Value] = [None, "diffusion", "cat:vision diffusion"]


def value_for(kind: str, choice: int) -> Value:
    if kind == NOTE:
        return TEXTS[choice % len(TEXTS)]
    if kind == SEARCH:
        return QUERIES[choice % len(QUERIES)]
    return choice % 2


@dataclass
class Machine:
    """A machine as SyncFolder runs one: a replica, a clock, the events it has written."""

    name: str
    skew: int
    replica: Replica = field(default_factory=Replica)
    log: list[Event] = field(default_factory=list)
    time: int = 1_765_000_000_000

    def __post_init__(self) -> None:
        self.clock = Clock(self.name, lambda: self.time + self.skew)

    def change(self, target: Field, value: Value) -> Event:
        context = self.replica.context(target[1]) if target[0] == NOTE else ()
        event = Event(target, self.clock.tick(), value, context)
        self.replica.apply(event)
        self.log.append(event)
        return event

    def receive(self, events: list[Event]) -> None:
        for event in events:
            self.clock.observe(event.stamp)
            self.replica.apply(event)


def state(replica: Replica) -> tuple[object, ...]:
    versions = {key: tuple(found) for key, found in replica.versions.items() if found}
    return (replica.values(), versions, {k: replica.conflicts(k) for k in replica.versions})


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("change"),
            st.integers(0, 2),
            st.integers(0, len(FIELDS) - 1),
            st.integers(0, 11),
            st.integers(0, 3_000),
        ),
        st.tuples(
            st.just("deliver"),
            st.integers(0, 2),
            st.integers(0, 2),
            st.lists(st.integers(0, 60), max_size=12),
            st.integers(0, 0),
        ),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(steps, st.lists(st.integers(-3_600_000, 3_600_000), min_size=3, max_size=3), st.randoms())
def test_any_interleaving_delivered_in_any_order_converges_and_loses_nothing(
    plan: list[tuple[str, int, int, object, int]], skews: list[int], rng: random.Random
) -> None:
    machines = [Machine(f"m{index}", skew) for index, skew in enumerate(skews)]
    for kind, first, second, third, elapsed in plan:
        if kind == "change":
            machine = machines[first]
            machine.time += elapsed
            target = FIELDS[second]
            assert isinstance(third, int)
            machine.change(target, value_for(target[0], third))
        else:
            source, sink = machines[first], machines[second]
            assert isinstance(third, list)
            if source.log:
                sink.receive([source.log[i % len(source.log)] for i in third])
    everything = [event for machine in machines for event in machine.log]
    for machine in machines:  # the rest, in any order, any number of times
        delivery = everything + rng.sample(everything, len(everything) // 2)
        rng.shuffle(delivery)
        machine.receive(delivery)
    first_state = state(machines[0].replica)
    for machine in machines[1:]:
        assert state(machine.replica) == first_state

    # Nothing lost: a mark, tag or search has the value of its last change (by stamp); a note
    # version is either kept or replaced by a version whose writer had seen it.
    replica = machines[0].replica
    for target in FIELDS:
        changes = [event for event in everything if event.field == target]
        if not changes:
            assert replica.value(target) == default(target[0])
        elif target[0] != NOTE:
            assert replica.value(target) == max(changes, key=order).value
        else:
            kept = replica.versions[target[1]]
            for version in changes:
                assert version in kept or any(
                    dict(other.context).get(version.machine, (-1, -1)) >= version.dot
                    for other in kept
                )


def test_a_note_edited_on_two_machines_keeps_both_texts() -> None:
    laptop, desktop = Machine("laptop", 0), Machine("desktop", 0)
    note: Field = (NOTE, "2305.14314", "")
    laptop.change(note, "from the laptop")
    desktop.time += 5_000
    desktop.change(note, "from the desktop")
    laptop.receive(desktop.log)
    desktop.receive(laptop.log)
    for machine in (laptop, desktop):
        assert machine.replica.value(note) == "from the desktop"  # the later one is shown
        assert [e.value for e in machine.replica.conflicts(note[1])] == ["from the laptop"]
    # Writing the note again (here: keeping the desktop's text) settles it everywhere.
    laptop.change(note, "from the desktop")
    desktop.receive(laptop.log)
    assert laptop.replica.conflicts(note[1]) == desktop.replica.conflicts(note[1]) == ()


def test_a_note_edited_after_seeing_the_other_replaces_it() -> None:
    laptop, desktop = Machine("laptop", 0), Machine("desktop", 0)
    note: Field = (NOTE, "k", "")
    laptop.change(note, "one")
    desktop.receive(laptop.log)
    desktop.change(note, "one, and two")
    laptop.receive(desktop.log)
    assert laptop.replica.value(note) == "one, and two"
    assert laptop.replica.conflicts("k") == ()


def test_a_clock_running_ahead_does_not_win_over_a_later_change_that_saw_it() -> None:
    # The laptop's clock is an hour fast: the desktop, having merged its change, still wins.
    laptop, desktop = Machine("laptop", 3_600_000), Machine("desktop", 0)
    star: Field = (STAR, "k", "")
    laptop.change(star, 1)
    desktop.receive(laptop.log)
    desktop.time += 1_000
    desktop.change(star, 0)
    laptop.receive(desktop.log)
    assert laptop.replica.value(star) == desktop.replica.value(star) == 0


def test_tags_are_added_and_removed_one_by_one() -> None:
    laptop, desktop = Machine("laptop", 0), Machine("desktop", 0)
    laptop.change((TAG, "k", "llm"), 1)
    desktop.change((TAG, "k", "vision"), 1)
    laptop.receive(desktop.log)
    laptop.change((TAG, "k", "vision"), 0)
    desktop.receive(laptop.log)
    assert laptop.replica.values() == desktop.replica.values() == {(TAG, "k", "llm"): 1}


# --- reconcile: the store against the merged state ------------------------------------------------


def ticker(machine: str, start: int = 2_000_000_000_000) -> Clock:
    return Clock(machine, lambda: start)


def test_reconcile_takes_changes_from_elsewhere_and_sends_changes_made_here() -> None:
    base = Replica()
    old = Event((STAR, "a", ""), (1_000, 0, "desktop"), 1)
    base.apply(old)
    replica = Replica()
    replica.apply(old)
    # The desktop unstarred a; here (with syncing off) b was marked read.
    replica.apply(Event((STAR, "a", ""), (2_000, 0, "desktop"), 0))
    local = {(STAR, "a", ""): Local(1, 500), (READ, "b", ""): Local(1, 1_500)}
    clock = ticker("laptop")
    result = reconcile(local, replica, base, clock.tick, "laptop")
    assert [(f, e.value) for f, e in result.incoming] == [((STAR, "a", ""), 0)]
    assert [(e.field, e.value, e.machine) for e in result.outgoing] == [
        ((READ, "b", ""), 1, "laptop")
    ]
    assert replica.value((READ, "b", "")) == 1


def test_reconcile_without_a_base_lets_the_later_time_win_and_keeps_both_notes() -> None:
    replica = Replica()
    replica.apply(Event((STAR, "a", ""), (5_000, 0, "desktop"), 1))
    replica.apply(Event((STAR, "b", ""), (5_000, 0, "desktop"), 1))
    replica.apply(Event((NOTE, "c", ""), (5_000, 0, "desktop"), "theirs"))
    local = {
        (STAR, "a", ""): Local(0, 9_000),  # unstarred here after the desktop starred it
        (STAR, "b", ""): Local(0, 1_000),  # unstarred here long before
        (NOTE, "c", ""): Local("mine", 1_000),
    }
    result = reconcile(local, replica, None, ticker("laptop").tick, "laptop")
    assert replica.value((STAR, "a", "")) == 0
    assert replica.value((STAR, "b", "")) == 1
    assert replica.value((NOTE, "c", "")) == "theirs"
    assert [e.value for e in replica.conflicts("c")] == ["mine"]
    incoming = {f: e.value for f, e in result.incoming}
    assert incoming == {(STAR, "b", ""): 1, (NOTE, "c", ""): "theirs"}


def test_reconcile_of_a_note_changed_on_both_sides_since_the_base_keeps_both() -> None:
    first = Event((NOTE, "k", ""), (1_000, 0, "laptop"), "v1")
    base, replica = Replica(), Replica()
    base.apply(first)
    replica.apply(first)
    saw_first = (("laptop", (1_000, 0)),)
    replica.apply(Event((NOTE, "k", ""), (3_000, 0, "desktop"), "theirs", saw_first))
    local = {(NOTE, "k", ""): Local("mine", 2_000)}
    reconcile(local, replica, base, ticker("laptop").tick, "laptop")
    texts = {replica.value((NOTE, "k", ""))} | {e.value for e in replica.conflicts("k")}
    assert texts == {"mine", "theirs"}
