"""Unit and property tests of the pure text helpers: arXiv ids, abstract cleaning, inert text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.text import arxiv_id, clean_abstract, has_unsafe, inert, inert_chars, is_web_link


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://arxiv.org/abs/2303.17564v1", "2303.17564"),
        ("https://arxiv.org/abs/2303.17564", "2303.17564"),
        ("http://arxiv.org/pdf/2305.14314v2.pdf", "2305.14314"),
        ("https://www.arxiv.org/abs/2106.09685/", "2106.09685"),
        ("https://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("https://export.arxiv.org/abs/1706.03762", "1706.03762"),
        ("https://github.com/x/y", None),
        ("https://arxiv.org/list/cs.CL/recent", None),
        ("arxiv.org/abs/2303.17564", None),
        ("", None),
    ],
)
def test_arxiv_id(link: str, expected: str | None) -> None:
    assert arxiv_id(link) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Code is available atthis https URL.", "Code is available at this https URL."),
        ("See fromthis http URL and", "See from this http URL and"),
        ("already at this https URL ok", "already at this https URL ok"),
        ("code atthis https URLand data", "code at this https URL and data"),
        ("see this http URLto run", "see this http URL to run"),
        (r"at \url{https://x.org/a} now", "at https://x.org/a now"),
        (
            r"an \emph{important} and \textit{italic} \textbf{bold} word",
            "an important and italic bold word",
        ),
        (r"nested \emph{\textbf{deep}} wrappers", "nested deep wrappers"),
        ("Fig.~3 and Table~2", "Fig. 3 and Table 2"),
        (r"improves by 50\% over", "improves by 50% over"),
        ("fast -- and --- strong", "fast – and — strong"),
        (r"math $O(n~\log n)$ stays, 5\% too", r"math $O(n~\log n)$ stays, 5% too"),
        (r"$$\sum_i x_i$$ display", r"$$\sum_i x_i$$ display"),
        ("padded   cell  \n  with lines\t", "padded cell with lines"),
        ("", ""),
    ],
)
def test_clean_abstract(raw: str, expected: str) -> None:
    assert clean_abstract(raw) == expected


@given(st.text())
def test_clean_abstract_is_idempotent_and_total(raw: str) -> None:
    once = clean_abstract(raw)
    assert clean_abstract(once) == once


def test_inert_makes_controls_visible() -> None:
    hostile = "a\x1b]52;c;ZXZpbA==\x07b\x1b[2Jc\x00d\x08e\u202ef\x9bg\x7f"
    shown = inert(hostile)
    assert not has_unsafe(shown)
    assert shown == "a␛]52;c;ZXZpbA==␇b␛[2Jc␀d␈e<U+202E>f\\x9bg␡"
    assert inert("plain text, unchanged") == "plain text, unchanged"
    assert inert("two\nlines\tand tab", keep_newlines=True) == "two\nlines\tand tab"
    assert inert("two\nlines") == "two␊lines"


@given(st.text())
def test_inert_never_leaves_a_control_character(text: str) -> None:
    shown = inert(text)
    assert not has_unsafe(shown)
    assert all(ch.isprintable() or ch == " " for ch in shown if ord(ch) < 0xA0)


@pytest.mark.parametrize(
    ("link", "web"),
    [
        ("https://arxiv.org/abs/1", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("data:text/html,hi", False),
        ("https://x.org/\x1b]8;;evil", False),
        ("", False),
    ],
)
def test_is_web_link(link: str, web: bool) -> None:
    assert is_web_link(link) is web


@given(st.text())
def test_inert_chars_keeps_positions(text: str) -> None:
    shown = inert_chars(text)
    assert len(shown) == len(text)
    assert not has_unsafe(shown)


def test_invisible_characters_are_shown() -> None:
    assert inert("a\u200bb\u2028c\u2060d\ufeffe") == "a<U+200B>b<U+2028>c<U+2060>d<U+FEFF>e"
    assert inert_chars("a\u2028b") == "a\ufffdb"
