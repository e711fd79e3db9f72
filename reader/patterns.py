"""`compiled`: a module-level regex compiled when first used, not when its module is imported.

`re.compile` costs ~0.5-1M instructions a pattern, and start-up imports ~40 of reader's, most of
which the first paint never uses (issue 26). `compiled(pattern, flags)` stands for
`re.compile(pattern, flags)`: the first attribute asked (`.search`, `.sub`, `.pattern`...)
compiles it and keeps the compiled pattern's methods and attributes as its own, so later calls
cost what calls on the compiled pattern cost. It is not a `re.Pattern`: use its methods (not
`re.sub(it, ...)`, nor `isinstance`).
"""

from __future__ import annotations

import re
from typing import Any, cast

_NAMES: tuple[str, ...] = ("search", "match", "fullmatch", "split", "findall", "finditer", "sub")
_NAMES += ("subn", "scanner", "pattern", "flags", "groups", "groupindex")
"""What a `re.Pattern` answers to."""


class _Compiling:
    """One of `_NAMES` on `_Lazy`: its first use compiles the pattern and puts every name's
    compiled value (the bound methods, the attributes) in the instance's `__dict__`, which is
    read before a descriptor without `__set__`: later uses never come here (and no
    `__getattr__` hook slows every lookup)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, lazy: _Lazy | None, owner: type | None = None) -> Any:
        if lazy is None:
            return self
        done = re.compile(*lazy._source)
        for name in _NAMES:
            lazy.__dict__[name] = getattr(done, name)
        return lazy.__dict__[self.name]


class _Lazy:
    search, match, fullmatch = _Compiling(), _Compiling(), _Compiling()
    split, findall, finditer = _Compiling(), _Compiling(), _Compiling()
    sub, subn, scanner = _Compiling(), _Compiling(), _Compiling()
    pattern, flags, groups, groupindex = _Compiling(), _Compiling(), _Compiling(), _Compiling()

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __repr__(self) -> str:
        return f"compiled({self._source[0]!r}, {self._source[1]!r})"


def compiled(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done on first use (see the module's docstring)."""
    return cast("re.Pattern[str]", _Lazy(pattern, int(flags)))

