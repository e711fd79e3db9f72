"""Math in abstracts shown as Unicode: `$O(n^2)$` reads O(n²), `$\\alpha$-divergence` α-divergence.

No Textual here. For display only, and lazily: `display_math` runs when a paper is shown (the
abstract pane), never at load, and json/csv/markdown keep the text as read. Search runs over
the text as read (`Paper.text`); `MathText.span` maps a match found there onto the shown text,
so the highlight lands on the converted characters (a match inside a formula lights the whole
formula).

Rules:

- Only `$…$` and `$$…$$` segments are math. An opening `$` must be followed by a non-space, a
  closing `$` preceded by a non-space and not followed by a digit; so prices stay prices:
  `costs $0.003 per token`, `between $5 and $10`.
- A segment is converted by pylatexenc's `latex2text` (`\\alpha` α, `\\ell` ℓ, `\\mathbb{R}` ℝ,
  `\\leq` ≤, `\\frac{a}{b}` a/b), after super- and subscripts made only of digits and signs
  became Unicode ones (`n^2` n², `\\ell_2` ℓ₂, `10^{-3}` 10⁻³); other scripts stay written
  (`\\mathbb{R}^d` ℝ^d). Its line breaks become spaces; what it gives is made inert.
- pylatexenc is imported the first time a formula is shown; conversions are cached.

Accents in prose (`Fr\\'echet`) are not handled here: `reader.text.clean_abstract` turns them
into letters for search and display alike.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from reader.patterns import compiled
from reader.records import frozen
from reader.text import inert

__all__ = ["MathText", "display_math", "math_segments"]

# `$…$` or `$$…$$`: no space just inside the dollars, no digit right after the closing one.
_MATH = compiled(r"(\$\$?)(?=[^\s$])((?:\\.|[^\\$])*?)(?<=[^\s\\])\1(?!\d)", re.DOTALL)
_SUPER = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SCRIPT = compiled(r"([\^_])(?:\{\s*([0-9+\-=()\s]+?)\s*\}|([0-9]))")
_SPACES = compiled(r"\s+")

_converter: Any = None


def _latex2text(latex: str) -> str:
    global _converter
    if _converter is None:
        # pylatexenc logs its complaints (a malformed \\frac): never onto the TUI's terminal.
        logger = logging.getLogger("pylatexenc")
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        from pylatexenc.latex2text import LatexNodes2Text  # ~70 ms: only once math is shown

        _converter = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
    text: str = _converter.latex_to_text(latex)
    return text


def _script(match: re.Match[str]) -> str:
    body = (match.group(2) or match.group(3)).replace(" ", "")
    return body.translate(_SUPER if match.group(1) == "^" else _SUB)


@lru_cache(maxsize=4096)
def convert_formula(formula: str) -> str:
    """One formula, without its dollars, as Unicode text on one line.

    >>> convert_formula("O(n^2)"), convert_formula("\\\\ell_2"), convert_formula("\\\\mathbb{R}^d")
    ('O(n²)', 'ℓ₂', 'ℝ^d')
    """
    scripted = _SCRIPT.sub(_script, formula)
    try:
        text = _latex2text(scripted)
    except Exception:  # a formula pylatexenc cannot read is shown as written
        return formula
    if "%s" in text and "%s" not in formula:  # a macro missing its arguments (`\\frac{1}`)
        return formula
    return inert(_SPACES.sub(" ", text).strip()) or formula


def math_segments(text: str) -> list[tuple[int, int, str]]:
    """The formulas of `text` as (start, end, formula without its dollars).

    >>> math_segments("a $x^2$ costs $0.003 and $5")
    [(2, 7, 'x^2')]
    """
    if "$" not in text:
        return []
    return [(m.start(), m.end(), m.group(2)) for m in _MATH.finditer(text)]


@frozen
class MathText:
    """The shown text, and where each converted formula sits in the source and in it."""

    text: str
    source: tuple[tuple[int, int], ...] = ()
    shown: tuple[tuple[int, int], ...] = ()

    def position(self, at: int, end: bool = False) -> int:
        """Where position `at` of the source is in the shown text: inside a formula, its start
        (or, for the `end` of a span, its end)."""
        index = bisect_right(self.source, (at, len(self.text) + at + 1)) - 1
        if index < 0:
            return at
        start, stop = self.source[index]
        shown_start, shown_stop = self.shown[index]
        if at >= stop:
            return shown_stop + (at - stop)
        if at == start:
            return shown_start
        return shown_stop if end else shown_start

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the source as a span of the shown text."""
        return self.position(start), self.position(end, end=True)


@lru_cache(maxsize=256)
def display_math(text: str) -> MathText:
    """`text` with each formula as Unicode (see the module rules), and the map between them.

    >>> shown = display_math("an $\\\\alpha$-divergence in $O(n^2)$ for $0.003")
    >>> shown.text
    'an α-divergence in O(n²) for $0.003'
    >>> shown.span(0, 2), shown.span(4, 9), shown.span(13, 23)
    ((0, 2), (3, 4), (6, 16))
    """
    segments = math_segments(text)
    if not segments:
        return MathText(text)
    parts: list[str] = []
    source: list[tuple[int, int]] = []
    shown: list[tuple[int, int]] = []
    position = length = 0
    for start, end, formula in segments:
        prose = text[position:start]
        parts.append(prose)
        length += len(prose)
        converted = convert_formula(formula)
        parts.append(converted)
        source.append((start, end))
        shown.append((length, length + len(converted)))
        length += len(converted)
        position = end
    parts.append(text[position:])
    return MathText("".join(parts), tuple(source), tuple(shown))
