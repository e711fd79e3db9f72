"""`reader.records.frozen` behaves as `@dataclass(frozen=True)`: the same constructor, equality,
hash, repr, `replace`, `fields` and frozen errors, for every way of calling it; `frozen_slots` as
`@dataclass(frozen=True, slots=True)`; the records that write their own `__init__` (built in
bulk) take the arguments `dataclass` would have made them take."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.arxiv import Metadata
from reader.browse.sidebar import Entry
from reader.model import Link, Origin, Paper, new_paper
from reader.records import frozen, frozen_slots


def _pair() -> tuple[type[Any], type[Any]]:
    """The same class twice: made by `frozen` and by `dataclass(frozen=True)`."""

    def body() -> dict[str, Any]:
        return {
            "__annotations__": {
                "a": "int",
                "b": "str",
                "c": "float",
                "d": "tuple[int, ...]",
                "e": "int",
                "hidden": "int",
            },
            "c": 0.5,
            "d": dataclasses.field(default_factory=tuple),
            "e": dataclasses.field(default=7, compare=False, repr=False),
            "hidden": dataclasses.field(init=False, default=3),
            "__module__": __name__,
            "__qualname__": "Record",
        }

    return frozen(type("Record", (), body())), dataclasses.dataclass(frozen=True)(
        type("Record", (), body())
    )


OURS, THEIRS = _pair()
VALUES = st.fixed_dictionaries(
    {"a": st.integers(-3, 3), "b": st.sampled_from(["", "x", "y"])},
    optional={"c": st.sampled_from([0.5, 1.0]), "e": st.integers(0, 2)},
)


def _made(cls: type[Any], values: dict[str, Any], positional: int) -> Any:
    names = [name for name in ("a", "b", "c") if name in values][:positional]
    if names != ["a", "b", "c"][: len(names)]:
        names = []
    return cls(
        *(values[name] for name in names), **{k: v for k, v in values.items() if k not in names}
    )


@given(VALUES, VALUES, st.integers(0, 3))
def test_frozen_behaves_as_a_frozen_dataclass(
    first: dict[str, Any], second: dict[str, Any], positional: int
) -> None:
    ours = [_made(OURS, values, positional) for values in (first, second)]
    theirs = [_made(THEIRS, values, positional) for values in (first, second)]
    assert [repr(x) for x in ours] == [repr(x) for x in theirs]
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert [hash(x) for x in ours] == [hash(x) for x in theirs]
    assert [vars(x) for x in ours] == [vars(x) for x in theirs]
    assert vars(dataclasses.replace(ours[0], **second)) == vars(
        dataclasses.replace(theirs[0], **second)
    )
    assert dataclasses.asdict(ours[0]) == dataclasses.asdict(theirs[0])


def test_frozen_keeps_what_a_frozen_dataclass_keeps() -> None:
    record: Any = OURS(1, "x")
    assert record.d == ()
    assert record.hidden == 3
    assert [f.name for f in dataclasses.fields(record)] == ["a", "b", "c", "d", "e", "hidden"]
    assert all(map(dataclasses.is_dataclass, (OURS, record)))
    assert OURS.__match_args__ == THEIRS.__match_args__
    assert record != THEIRS(1, "x")  # another class, even of the same fields
    equal: Any = record.__eq__
    assert equal(object()) is NotImplemented
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.a = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del record.b
    for wrong in ((), (1,), (1, "x", 0.5, (), 9, 3)):
        with pytest.raises(TypeError):
            THEIRS(*wrong)
        with pytest.raises(TypeError):
            OURS(*wrong)
    for keywords in ({"a": 1, "b": "x", "hidden": 1}, {"a": 1, "b": "x", "f": 1}):
        with pytest.raises(TypeError):
            THEIRS(**keywords)
        with pytest.raises(TypeError):
            OURS(**keywords)
    with pytest.raises(TypeError):
        OURS(1, "x", a=1)


def test_frozen_runs_post_init_after_the_fields() -> None:
    @frozen
    class Parsed:
        text: str
        words: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)
        seen: list[str] = dataclasses.field(default_factory=list, compare=False, repr=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "words", tuple(self.text.split()))

    assert Parsed("a b").words == ("a", "b")
    assert Parsed.__doc__ == "Parsed(text, words, seen)"  # without inspect.signature's cost
    assert Parsed("a").seen == [] and Parsed("a").seen is not Parsed("a").seen  # fresh each time
    assert Parsed("a b") == Parsed("a b") and repr(Parsed("a")).endswith(".Parsed(text='a')")


def test_a_field_out_of_the_constructor_gets_its_factory_s_value() -> None:
    """An `init=False` field with a `default_factory` is set by calling it, for each record
    (found by `make mutate`: no test had one)."""

    @frozen
    class Memo:
        key: str
        seen: dict[str, int] = dataclasses.field(
            init=False, default_factory=dict, compare=False, repr=False
        )

    first, second = Memo("a"), Memo("a")
    assert first.seen == {} and first.seen is not second.seen
    assert first == second and dataclasses.replace(first, key="b").seen == {}


def _twin(cls: type[Any], slots: bool) -> type[Any]:
    """A real `@dataclass(frozen=True, slots=slots)` of `cls`'s fields."""
    body: dict[str, Any] = {"__annotations__": {}, "__module__": cls.__module__}
    for f in dataclasses.fields(cls):
        body["__annotations__"][f.name] = f.type
        if f.default is not dataclasses.MISSING:
            body[f.name] = f.default
    body["__qualname__"] = cls.__qualname__
    return dataclasses.dataclass(frozen=True, slots=slots)(type(cls.__name__, (), body))


@pytest.mark.parametrize(
    ("cls", "slots"),
    [(Link, True), (Origin, True), (Paper, True), (Metadata, False), (Entry, False)],
)
def test_a_written_init_takes_what_dataclass_would(cls: type[Any], slots: bool) -> None:
    """Their `__init__` is written out (see `reader.records`): it must take the fields, in
    order, with their defaults, as the generated one would; with slots, and nothing else."""
    twin = _twin(cls, slots)
    ours, theirs = (inspect.signature(c).replace(return_annotation=None) for c in (cls, twin))
    assert ours == theirs
    assert cls.__match_args__ == twin.__match_args__
    assert getattr(cls, "__slots__", None) == getattr(twin, "__slots__", None)
    assert ("__dict__" in dir(cls)) == ("__dict__" in dir(twin))


PAPERS = st.builds(
    Paper,
    week=st.dates(),
    title=st.text(max_size=5),
    link=st.sampled_from(["https://a", "https://b"]),
    category=st.sampled_from(["", "cs.LG"]),
    abstract=st.text(max_size=5),
    arxiv_id=st.none() | st.sampled_from(["2401.00001"]),
    links=st.lists(
        st.builds(Link, st.sampled_from(["Code", "Tweet"]), st.just("u")), max_size=2
    ).map(tuple),
    line=st.integers(0, 3),
    authors=st.lists(st.sampled_from(["A B", "C"]), max_size=2).map(tuple),
    origins=st.lists(
        st.builds(
            Origin, st.sampled_from(["hf", "potw"]), st.dates(), st.none() | st.integers(0, 3)
        ),
        max_size=1,
    ).map(tuple),
)


def _as_twin(paper: Paper, twins: dict[type[Any], type[Any]]) -> Any:
    """The same record made of the real dataclasses."""
    values = {}
    for f in dataclasses.fields(paper):
        value = getattr(paper, f.name)
        if isinstance(value, tuple):
            value = tuple(_as_twin(v, twins) if type(v) in twins else v for v in value)
        values[f.name] = value
    return twins[type(paper)](**values)


@given(PAPERS, PAPERS)
def test_model_records_behave_as_slotted_frozen_dataclasses(first: Paper, second: Paper) -> None:
    twins = {cls: _twin(cls, True) for cls in (Paper, Link, Origin)}
    ours, theirs = [first, second], [_as_twin(p, twins) for p in (first, second)]
    assert [repr(p) for p in ours] == [repr(p) for p in theirs]
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert [hash(p) for p in ours] == [hash(p) for p in theirs]
    assert dataclasses.astuple(ours[0]) == dataclasses.astuple(theirs[0])
    changed = dataclasses.replace(ours[0], title=second.title, links=second.links)
    assert repr(changed) == repr(
        dataclasses.replace(theirs[0], title=second.title, links=theirs[1].links)
    )
    for again in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert again == first and type(again) is Paper and repr(again) == repr(first)
    fields = [getattr(first, f.name) for f in dataclasses.fields(first)]
    assert new_paper(*fields) == first  # the bulk builder's twin class gives the same paper
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del first.links
    with pytest.raises(AttributeError):
        first.other = 1  # type: ignore[attr-defined]


def test_frozen_slots_asks_for_a_written_init() -> None:
    with pytest.raises(TypeError, match="must write its own __init__"):

        @frozen_slots
        class Loose:
            a: int

    @frozen_slots
    class Kept:
        a: int
        b: str = "x"

        def __init__(self, a: int, b: str = "x") -> None:
            object.__setattr__(self, "a", a)
            object.__setattr__(self, "b", b)

    made = Kept(1)
    assert (made.a, made.b, vars(Kept)["__slots__"]) == (1, "x", ("a", "b"))
    assert made == Kept(1, "x") and made != Kept(2) and hash(made) == hash(Kept(1))
    assert repr(made).endswith("Kept(a=1, b='x')")
    assert copy.copy(made) == made and copy.deepcopy(made) == made
