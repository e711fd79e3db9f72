"""`reader.records.frozen` behaves as `@dataclass(frozen=True)`: the same constructor, equality,
hash, repr, `replace`, `fields` and frozen errors, for every way of calling it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.records import frozen


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
