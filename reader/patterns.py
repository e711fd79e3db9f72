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


class _Lazy:
    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not in __dict__ yet
        if name.startswith("__"):
            raise AttributeError(name)
        done = re.compile(*self._source)
        for attribute in dir(done):
            if not attribute.startswith("_"):
                self.__dict__[attribute] = getattr(done, attribute)
        return getattr(done, name)

    def __repr__(self) -> str:
        return f"compiled({self._source[0]!r}, {self._source[1]!r})"


def compiled(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done on first use (see the module's docstring)."""
    return cast("re.Pattern[str]", _Lazy(pattern, int(flags)))

