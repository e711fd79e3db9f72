"""WCAG contrast (reader.contrast): the measure, and colours moved until they read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.contrast import AA, as_256, contrast, goal_256, legible, reads


def test_the_wcag_measure() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast((10, 20, 30), (10, 20, 30)) == pytest.approx(1.0)


def test_the_reported_row_reads_now() -> None:
    # issue 24: a read paper's date (38;5;67) and title (38;5;247) on the cursor (48;5;32)
    blue, date, title = (0, 135, 215), (95, 135, 175), (158, 158, 158)
    assert contrast(date, blue) < 1.5 and contrast(title, blue) < 2
    for colour in (date, title):
        better = legible(colour, blue)
        assert reads(better, blue)
        assert contrast(better, blue) >= AA and contrast(as_256(better), as_256(blue)) >= AA
        assert better[2] >= better[0]  # still bluish / grey, only lighter or darker


def test_a_colour_that_reads_is_kept() -> None:
    assert legible((255, 255, 255), (0, 0, 80)) == (255, 255, 255)


channel = st.integers(0, 255)
colour = st.tuples(channel, channel, channel)


@given(colour, colour)
def test_legible_always_reads(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> None:
    better = legible(fg, bg)
    assert contrast(better, bg) >= AA  # true colour: always
    assert contrast(as_256(better), as_256(bg)) >= goal_256(bg)  # 256: as the background allows


def test_a_mid_tone_background_reaches_what_256_colours_allow() -> None:
    bg = (48, 115, 141)
    assert goal_256(bg) < AA  # white's stand-in is what 256 colours have at best
    assert contrast(legible((0, 0, 0), bg), bg) >= AA
