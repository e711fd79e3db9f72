"""`reader.widgets.scrollbar.thumb`: two scrollbars with the same thumb are drawn the same, so the
quiet scrollbar may skip a repaint when its thumb is unchanged."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from rich.color import Color
from textual.scrollbar import ScrollBarRender

from reader.widgets.scrollbar import bar_lines, thumb


def drawn(size: int, virtual: int, window: int, position: float) -> list[tuple[str, object]]:
    segments = ScrollBarRender.render_bar(
        size=size,
        virtual_size=virtual,
        window_size=window,
        position=position,
        thickness=2,
        vertical=True,
        back_color=Color.parse("#222222"),
        bar_color=Color.parse("#888888"),
    )
    return [(segment.text, segment.style) for segment in segments.segments]


@st.composite
def neighbours(draw: st.DrawFn) -> tuple[tuple[int, int, int, float], tuple[int, int, int, float]]:
    """A scrollbar's inputs and a nearby set (a few rows more or less, a little scrolled)."""
    size = draw(st.integers(1, 60))
    window = draw(st.integers(0, 60))
    virtual = draw(st.integers(0, 5000))
    position = draw(st.integers(0, max(0, virtual - window)))
    other_virtual = max(0, virtual + draw(st.integers(-3, 3)))
    other_position = max(0, position + draw(st.integers(-2, 2)))
    return (size, virtual, window, float(position)), (
        size,
        other_virtual,
        window,
        float(other_position),
    )


@given(neighbours())
def test_the_same_thumb_is_drawn_the_same(pair: tuple[tuple[int, int, int, float], ...]) -> None:
    a, b = pair
    assume(a[1] > a[2] and b[1] > b[2])  # a bar is shown only with something to scroll
    if thumb(*a) == thumb(*b):
        assert drawn(*a) == drawn(*b)


def test_a_thumb_that_moves_is_told_apart() -> None:
    assert thumb(38, 1000, 38, 0.0) == thumb(38, 1001, 38, 0.0)  # a row more: the same cells
    assert thumb(38, 1000, 38, 0.0) != thumb(38, 1000, 38, 200.0)
    assert thumb(38, 40, 38, 0.0) != thumb(38, 80, 38, 0.0)
    assert thumb(38, 38, 38, 0.0) != thumb(38, 30, 38, 0.0)  # no bar drawn: told apart too


def shown(size: int, virtual: int, window: int, position: float) -> tuple[int, int, int, float]:
    """The inputs `ScrollBar` draws with: no window when all of it is shown."""
    return size, virtual, window if window < virtual else 0, position


@st.composite
def any_two(draw: st.DrawFn) -> tuple[tuple[int, int, int, float], tuple[int, int, int, float]]:
    """Two sets of inputs for a bar of the same size, anywhere (the thumb may jump)."""
    size = draw(st.integers(1, 60))

    def one() -> tuple[int, int, int, float]:
        window = draw(st.integers(0, 80))
        virtual = draw(st.integers(0, 500))
        position = draw(st.integers(0, max(0, virtual - window))) / draw(st.sampled_from([1, 3]))
        return size, virtual, window, position

    return one(), one()


@given(st.one_of(neighbours(), any_two()))
def test_a_line_drawn_differently_is_told_apart(
    pair: tuple[tuple[int, int, int, float], ...],
) -> None:
    """`bar_lines` tells apart every line that `render_bar` draws differently for two inputs:
    the quiet scrollbar repaints those lines only."""
    a, b = pair
    size = a[0]
    was, now = drawn(*shown(*a))[:size], drawn(*shown(*b))[:size]
    lines_a, lines_b = bar_lines(*a), bar_lines(*b)
    assert len(lines_a) == len(lines_b) == size
    for y in range(size):
        if was[y] != now[y]:
            assert lines_a[y] != lines_b[y], (y, was[y], now[y])
