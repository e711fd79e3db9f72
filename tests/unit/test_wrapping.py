"""`reader.widgets.wrapping.Wrapper` wraps as rich's `Text.wrap` does, line for line, whether
it has wrapped the text (or another in other styles) before or not."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text

from reader.widgets.wrapping import Wrapper

CONSOLE = Console(width=120, color_system="truecolor", force_terminal=True)
STYLES = [Style(bold=True), Style(color="yellow", bgcolor="black"), Style(italic=True, dim=True)]
WORDS = st.sampled_from(
    ["quantized", "a", "model", "of", "LLMs", "—", "中文字", "emoji😀", "x" * 30, "\t", "\n"]
    + [" " * 9]
)


@st.composite
def texts(draw: st.DrawFn) -> Text:
    plain = " ".join(draw(st.lists(WORDS, max_size=60)))
    bases: list[str | Style] = ["", "dim", Style(bold=True)]
    base = draw(st.sampled_from(bases))
    text = Text(plain, style=base)
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, max(0, len(plain))))
        end = draw(st.integers(start, max(start, len(plain))))
        text.stylize(draw(st.sampled_from(STYLES)), start, end)
    return text


def rendered(lines: list[Text]) -> list[tuple[str, list[object]]]:
    return [(line.plain, list(line.render(CONSOLE, end=""))) for line in lines]


@settings(max_examples=150, deadline=None)
@given(text=texts(), width=st.integers(1, 100), again=texts())
@example(text=Text("aaaa          bbbb\tc"), width=6, again=Text("x"))  # spaces past the width
def test_the_same_lines_as_rich_s_wrap(text: Text, width: int, again: Text) -> None:
    wrapper = Wrapper()
    for shown in (again, text, text.copy(), again):  # breaks and strips kept in between
        expected = shown.wrap(CONSOLE, width)
        assert rendered(list(wrapper.wrap(shown, CONSOLE, width))) == rendered(list(expected))
        strips = wrapper.strips(shown, CONSOLE, width)
        assert [list(strip) for strip in strips] == [
            list(line.render(CONSOLE, end="")) for line in expected
        ]
        assert [strip.cell_length for strip in strips] == [line.cell_len for line in expected]


def test_a_longer_highlight_makes_only_its_lines_again() -> None:
    """The same text with a highlight a letter longer: the lines without it are the strips
    made before (the same objects)."""
    plain = " ".join(f"word{i}" for i in range(200)) + " quantized at the end"
    wrapper = Wrapper()
    before = Text(plain)
    before.stylize(Style(bold=True), len(plain) - 20, len(plain) - 13)
    after = Text(plain)
    after.stylize(Style(bold=True), len(plain) - 20, len(plain) - 12)
    first = wrapper.strips(before, CONSOLE, 60)
    second = wrapper.strips(after, CONSOLE, 60)
    assert len(first) == len(second) > 10
    assert all(a is b for a, b in zip(first[:-1], second[:-1], strict=True))
    assert first[-1] is not second[-1]
