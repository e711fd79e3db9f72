"""Contrast of text on its background, as WCAG 2 measures it; no Textual here.

The paper list's and the sidebar's cursor row draws every text style of a row (a read paper's
muted title, the week, a star, a match) on the cursor's background, which the themes chose for
their own cursor text only: `legible` moves such a colour towards white or black, keeping its
hue, until it reads at WCAG AA's 4.5:1 in true colour (a terminal with true colour, the browser),
and as well as the background allows in 256 colours (tmux without true colour): a mid-tone
background such as (48, 115, 141) reads at 4.5:1 with white in true colour, but its 256-colour
stand-in reaches at most 4.4:1 with white.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color, ColorSystem, ColorType

RGB = tuple[int, int, int]

AA = 4.5
"""WCAG 2 level AA for normal text."""

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


_LINEAR: list[float] = []
"""Each sRGB channel value (0-255), linearised (WCAG 2): looked up, not worked out each time
(the first cursor row of the first paint asks for ~1,000)."""


def luminance(rgb: RGB) -> float:
    """The relative luminance of an sRGB colour (WCAG 2)."""
    if not _LINEAR:
        _LINEAR.extend(map(_channel, range(256)))
    red, green, blue = rgb
    return 0.2126 * _LINEAR[red] + 0.7152 * _LINEAR[green] + 0.0722 * _LINEAR[blue]


def contrast(a: RGB, b: RGB) -> float:
    """The contrast ratio of two colours, 1 to 21.

    >>> round(contrast((0, 0, 0), (255, 255, 255)), 1)
    21.0
    """
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=1024)
def as_256(rgb: RGB) -> RGB:
    """The colour a 256-colour terminal shows for `rgb` (Rich's down-conversion)."""
    triplet = Color.from_rgb(*rgb).downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def extreme(bg: RGB) -> RGB:
    """White or black, whichever reads better on `bg` (in true colour)."""
    return WHITE if contrast(WHITE, bg) >= contrast(BLACK, bg) else BLACK


@lru_cache(maxsize=256)
def goal_256(bg: RGB, minimum: float = AA) -> float:
    """The contrast text on `bg` must reach in 256 colours: `minimum`, or what `extreme(bg)`
    reaches there when that is less."""
    return min(minimum, contrast(as_256(extreme(bg)), as_256(bg)))


def reads(fg: RGB, bg: RGB, minimum: float = AA) -> bool:
    """`fg` reads on `bg`: `minimum` in true colour, `goal_256` in 256 colours."""
    return contrast(fg, bg) >= minimum and contrast(as_256(fg), as_256(bg)) >= goal_256(
        bg, minimum
    )


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@lru_cache(maxsize=1024)
def legible(fg: RGB, bg: RGB, minimum: float = AA) -> RGB:
    """`fg`, or the least change of it that `reads` on `bg`: lighter when it is lighter than
    `bg` (grey on blue stays light), darker when darker, and the other way when that way cannot
    read."""
    if reads(fg, bg, minimum):
        return fg
    lighter = luminance(fg) >= luminance(bg)
    target = WHITE if lighter else BLACK
    if not reads(target, bg, minimum):
        target = extreme(bg)
    low, high = 0.0, 1.0
    for _ in range(10):
        middle = (low + high) / 2
        if reads(_mix(fg, target, middle), bg, minimum):
            high = middle
        else:
            low = middle
    return _mix(fg, target, high)


def truecolor(color: Color | None) -> RGB | None:
    """`color` as RGB, or None where the terminal decides it (the default, the 16 ANSI colours)."""
    if color is None or color.type in (ColorType.DEFAULT, ColorType.STANDARD, ColorType.WINDOWS):
        return None
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)
