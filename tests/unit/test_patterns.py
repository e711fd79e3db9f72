"""`reader.patterns.compiled` stands for `re.compile`, compiled at its first use."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader import text
from reader.patterns import compiled


@given(st.text("ab -\n", max_size=12))
def test_compiled_answers_as_re_compile(subject: str) -> None:
    source, flags = r"(?P<word>a+)(b)?|^-", re.IGNORECASE | re.MULTILINE
    lazy, eager = compiled(source, flags), re.compile(source, flags)
    assert [m.span() for m in lazy.finditer(subject)] == [m.span() for m in eager.finditer(subject)]
    assert lazy.sub("<\\g<word>>", subject) == eager.sub("<\\g<word>>", subject)
    assert lazy.split(subject) == eager.split(subject)
    found, expected = lazy.search(subject), eager.search(subject)
    assert (found and found.groupdict()) == (expected and expected.groupdict())
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (
        eager.pattern,
        eager.flags,
        eager.groups,
        eager.groupindex,
    )


def test_compiled_compiles_once_at_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = re.compile

    def counted(source: str, flags: int = 0) -> re.Pattern[str]:
        calls.append(source)
        return real(source, flags)

    monkeypatch.setattr(re, "compile", counted)
    lazy = compiled("x+y")
    assert calls == []  # nothing at definition
    assert lazy.fullmatch("xxy") and lazy.search("ay") is None and lazy.sub("-", "xy") == "-"
    assert calls == ["x+y"]  # once, then the compiled pattern's own methods
    with pytest.raises(AttributeError):
        getattr(lazy, "no_such_method")  # noqa: B009


def test_a_module_level_pattern_works_as_before() -> None:
    assert text.PLACEHOLDER.search("see this https URL here") is not None
    assert text.PLACEHOLDER.pattern == r"\bthis https? URL\b"
