"""`frozen`: `@dataclass(frozen=True)` without the cost of creating it at import.

Python 3.11 builds a frozen dataclass's `__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__` and `__delattr__` from source text, one `exec` each: ~4M instructions a class, and
start-up imports dozens of them (issue 26). `frozen` lets `dataclasses.dataclass` collect the
fields (so `dataclasses.replace`, `fields` and `asdict` work as before) but generate nothing, and
gives the class those six methods as closures over its fields, which behave as the generated ones
do: the same constructor (positional or keyword, defaults, `default_factory`, `init=False`,
`__post_init__`), equality and hash over the `compare` fields of an instance of the very same
class, the repr over the `repr` fields, and `FrozenInstanceError` on assignment. Type checkers
see a frozen dataclass (`dataclass_transform`).

A constructor call costs a few microseconds more than a generated one, so a record built in bulk
(once per paper or per cached row) writes its own `__init__`, as `dataclass` would generate it,
and `frozen` keeps it. `frozen_slots` is `@dataclass(frozen=True, slots=True)` the same way, for
the records made once per paper (`reader.model.Paper`, its links and origins): their class writes
its `__init__` (setting each field with `object.__setattr__`), the rest is made here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field
from typing import Any, TypeVar

from typing_extensions import dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen(cls: type[T]) -> type[T]:
    """`cls` as `@dataclass(frozen=True)` would make it (see the module's docstring); an
    `__init__` the class writes itself is kept."""
    _document(cls)
    dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if "__init__" not in cls.__dict__:
        _init(cls, fields)
    _methods(cls, fields)
    return cls


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen_slots(cls: type[T]) -> type[T]:
    """`cls` as `@dataclass(frozen=True, slots=True)` would make it, with the `__init__` it
    writes itself (required: such records are built in bulk, and a generic constructor is
    slower than the one `dataclass` would generate). Like `dataclass`, returns a new class."""
    if "__init__" not in cls.__dict__:
        raise TypeError(f"frozen_slots: {cls.__qualname__} must write its own __init__")
    _document(cls)
    made = dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    _methods(made, fields)
    names = tuple(f.name for f in fields)

    def __getstate__(self: Any) -> list[Any]:  # a copy or a pickle: its fields, in order
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    for method in (__getstate__, __setstate__):
        method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
        setattr(made, method.__name__, method)
    return made


def _document(cls: type) -> None:
    if cls.__doc__ is None:  # else dataclass writes one from inspect.signature (~2M each)
        cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', ()))})"


def _methods(cls: type[Any], fields: tuple[Field[Any], ...]) -> None:
    """`cls`'s equality, hash, repr and frozen assignment, over `fields`."""
    compared = tuple(f.name for f in fields if f.compare)
    shown = tuple(f.name for f in fields if f.repr)
    names = frozenset(f.name for f in fields)

    def values(self: Any) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in compared])

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __repr__(self: Any) -> str:
        inner = ", ".join([f"{name}={getattr(self, name)!r}" for name in shown])
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    for method in (__eq__, __hash__, __repr__, __setattr__, __delattr__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)


def _init(cls: type, fields: tuple[Field[Any], ...]) -> None:
    """`cls.__init__`: the dataclass constructor of `fields`."""
    taken = [f for f in fields if f.init]
    names = tuple(f.name for f in taken)
    known = frozenset(names)
    defaults: list[tuple[str, Any, Callable[[], Any] | Any]] = [
        (f.name, f.default, f.default_factory) for f in taken
    ]
    later: list[tuple[str, Callable[[], Any]]] = [
        (f.name, f.default_factory)
        for f in fields
        if not f.init and f.default_factory is not MISSING
    ]
    """init=False fields: a default stays the class's attribute, a default_factory is called."""
    post_init = getattr(cls, "__post_init__", None) is not None
    setter = object.__setattr__
    qualname = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(
                f"{qualname}.__init__() takes {len(names) + 1} positional arguments but "
                f"{len(args) + 1} were given"
            )
        for name in kwargs:
            if name not in known:
                raise TypeError(
                    f"{qualname}.__init__() got an unexpected keyword argument {name!r}"
                )
        given = len(args)
        for at, (name, default, factory) in enumerate(defaults):
            if at < given:
                if name in kwargs:
                    raise TypeError(
                        f"{qualname}.__init__() got multiple values for argument {name!r}"
                    )
                value = args[at]
            elif name in kwargs:
                value = kwargs[name]
            elif default is not MISSING:
                value = default
            elif factory is not MISSING:
                value = factory()
            else:
                raise TypeError(f"{qualname}.__init__() missing 1 required argument: {name!r}")
            setter(self, name, value)
        for name, factory in later:
            setter(self, name, factory())
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{qualname}.__init__"
    cls.__init__ = __init__  # type: ignore[misc]
