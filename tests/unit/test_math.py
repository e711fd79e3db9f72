"""Math in abstracts shows as Unicode in the abstract pane (pylatexenc on `$…$` segments only,
converted when a paper is shown); prices stay prices; search still runs over the text as read
and its highlights land on the converted characters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.browse import Pane
from reader.latex import display_math, math_segments
from reader.model import Paper
from reader.query import parse_query, select
from reader.sources.loader import load_digest
from reader.text import clean_abstract
from reader.widgets.abstract import MATCH, render_paper

POTW = Path(__file__).resolve().parents[1] / "fixtures" / "potw"
JOINED = [POTW / "joined.md", POTW / "ml-potw-abstracts.csv"]


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        ("$O(n^2)$", "O(n²)"),
        (r"$\alpha$-divergence", "α-divergence"),
        (r"$\ell_2$", "ℓ₂"),
        (r"$\mathbb{R}^d$", "ℝ^d"),
        (r"$10^{-3}$", "10⁻³"),
        (r"$\leq$ and $\times$", "≤ and ×"),
        (r"$$\frac{a}{b}$$", "a/b"),
        (r"$a \\ b$", "a b"),  # a line break inside a formula is a space
        ("costs $0.003 per token", "costs $0.003 per token"),
        ("between $5 and $10 a month", "between $5 and $10 a month"),
        ("$ x $ is not math", "$ x $ is not math"),
        ("no math at all", "no math at all"),
    ],
)
def test_formulas_become_unicode_and_prices_stay(latex: str, shown: str) -> None:
    assert display_math(latex).text == shown


def test_accents_in_prose_are_letters_for_search_and_display() -> None:
    assert clean_abstract(r"the Fr\'echet distance of G\"{o}del and Erd\H{o}s") == (
        "the Fréchet distance of Gödel and Erdős"
    )
    assert clean_abstract(r"Mart\'{\i}nez, \c{c}a, {\'E}cole") == "Martínez, ça, École"
    assert clean_abstract(r"math $\"a$ kept") == r"math $\"a$ kept"


def test_a_formula_pylatexenc_cannot_read_is_shown_as_written_and_quietly() -> None:
    code = (
        "from reader.latex import convert_formula as c;"
        "print(repr(c('\\\\frac{1}')), repr(c('a^{b')), repr(c('}{')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "'\\\\frac{1}' 'a^b' '}{'"
    assert result.stderr == ""  # pylatexenc's warnings never reach the terminal


def test_a_hostile_formula_stays_inert() -> None:
    shown = display_math("x $\\text{\x1b[31m}$ y").text
    assert "\x1b" not in shown


def test_the_pane_shows_the_math_of_the_joined_abstract() -> None:
    digest = load_digest(JOINED)
    paper = next(p for p in digest.papers if p.title == "Divergence Bounds")
    shown = render_paper(Pane(paper)).plain
    assert (
        "We bound the α-divergence of a model in O(n²) time under the ℓ₂ norm on ℝ^d, using the"
        " Fréchet distance. Training costs $0.003 per sample." in shown
    )
    alone = load_digest(JOINED[1])  # the CSV row's own summary has math too
    row = next(p for p in alone.papers if p.title == "Divergence Bounds")
    assert "Summary: bounds for f-divergences." in render_paper(Pane(row)).plain


def highlighted(paper: Paper, query: str) -> list[str]:
    parsed = parse_query(query)
    text = render_paper(Pane(paper, spans=parsed.highlight_spans))
    return [text.plain[span.start : span.end] for span in text.spans if span.style == MATCH]


def test_search_finds_the_source_and_highlights_what_is_shown() -> None:
    digest = load_digest(JOINED)
    at = select(digest, None, parse_query("alpha"))
    assert [digest.papers[i].title for i in at] == ["Divergence Bounds"]
    paper = digest.papers[at[0]]
    assert highlighted(paper, "alpha") == ["α"]
    assert highlighted(paper, "divergence") == ["Divergence", "divergence"]
    assert highlighted(paper, "ell_2 norm") == ["ℓ₂", "norm"]
    assert highlighted(paper, '"per sample"') == ["per sample"]
    assert highlighted(paper, "fréchet") == ["Fréchet"]


@given(
    prose=st.lists(st.sampled_from(["a ", "costs $3 ", "x", " y ", "$", "é "]), max_size=6),
    formulas=st.lists(st.sampled_from(["$n^2$", r"$\alpha$", r"$\ell_2$", "$x$"]), max_size=4),
)
def test_spans_map_in_order_and_within_the_shown_text(
    prose: list[str], formulas: list[str]
) -> None:
    source = "".join(p + f for p, f in zip(prose, formulas + [""] * len(prose)))  # noqa: B905
    shown = display_math(source)
    last = 0
    for at in range(len(source) + 1):
        position = shown.position(at)
        assert 0 <= position <= len(shown.text)
        assert position >= last  # monotone
        last = position
    # prose outside formulas maps character for character
    inside = [range(start, end) for start, end, _ in math_segments(source)]
    for at, char in enumerate(source):
        if not any(at in segment for segment in inside):
            assert shown.text[shown.position(at)] == char


def test_pylatexenc_is_not_imported_at_load_or_for_print() -> None:
    code = (
        "import sys; from reader.sources.loader import load_digest;"
        "from reader.output import write_papers;"
        "import io; d = load_digest(sys.argv[1:]);"
        "write_papers(d, range(len(d)), 'json', io.StringIO());"
        "print('pylatexenc' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, JOINED)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
