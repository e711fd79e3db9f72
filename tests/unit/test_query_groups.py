"""Grouping, NOT and what a query did not understand (issue 24, items 6 and 7)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model import Digest, Paper
from reader.query import Query, QueryError, QueryNote, parse_query, toggle_category
from reader.sources.loader import load_digest
from tests.unit.test_query import shape


@pytest.fixture(scope="module")
def digest() -> Digest:
    return load_digest()


def hits(digest: Digest, text: str) -> set[int]:
    return set(parse_query(text).filter(digest, range(len(digest))))


def test_groups_and_not_parse_to_clauses() -> None:
    assert shape("(diffusion OR video) robot") == [["any=diffusion", "any=video"], ["any=robot"]]
    assert shape("NOT video") == [["-any=video"]]
    assert shape("not video") == [["any=not"], ["any=video"]]  # `not` is a word, as `or`
    assert shape("NOT (a OR b)") == [["-any=a"], ["-any=b"]]
    assert shape("-(a b)") == [["-any=a", "-any=b"]]
    assert shape("NOT -a") == [["any=a"]]
    assert shape("(a b) OR c") == [["any=a", "any=c"], ["any=b", "any=c"]]
    assert shape("x (a OR (b c))") == [["any=x"], ["any=a", "any=b"], ["any=a", "any=c"]]
    assert shape('(title:"a b" OR /c+d/) -cat:x') == [
        ["title=a b", "any=/c+d/"],
        ["-category=x"],
    ]


def test_unfinished_groups_and_stray_parentheses() -> None:
    assert shape("(a OR") == [["any=a"]]  # not closed yet: runs to the end
    assert shape("(a OR b") == [["any=a", "any=b"]]
    for empty in ("(", "()", "( )", "NOT", "-(", "NOT ()", "(OR)"):
        assert shape(empty) == [], empty
    assert shape("a NOT") == [["any=a"]]
    assert shape("smile :)") == [["any=smile"], ["any=:)"]]  # closes no group: a character
    assert shape("(f(x))") == [["any=f(x)"]]  # a word's own parentheses stay
    assert shape("(a) b)") == [["any=a"], ["any=b)"]]


def test_groups_find_what_the_logic_says(digest: Digest) -> None:
    diffusion, video, robot = (hits(digest, w) for w in ("diffusion", "video", "model"))
    assert diffusion and video and robot
    assert hits(digest, "(diffusion OR video) model") == (diffusion | video) & robot
    assert hits(digest, "NOT video") == set(range(len(digest))) - video
    assert hits(digest, "NOT (diffusion OR video)") == set(range(len(digest))) - diffusion - video
    assert hits(digest, "-(diffusion model)") == set(range(len(digest))) - (diffusion & robot)
    assert hits(digest, "(diffusion model) OR video") == (diffusion & robot) | video


def test_too_many_combinations_is_an_error_with_its_column() -> None:
    group = "(" + " ".join(f"w{i}" for i in range(7)) + ")"
    parse_query(f"{group} OR {group}")  # 49 clauses
    with pytest.raises(QueryError) as caught:
        parse_query(f"x {group} OR {group} OR {group}")  # 343
    assert caught.value.position == 3
    assert "too many combinations" in str(caught.value)


def test_unknown_fields_are_noted_with_their_column() -> None:
    query = parse_query("robot auther:smith")
    assert shape("robot auther:smith") == [["any=robot"], ["any=auther:smith"]]
    (note,) = query.notes
    assert str(note).startswith(
        "auther: is not a field, searched as a word (column 7); fields: title: abstract: cat: "
        "author: note: week: id: is: has: tag:"  # and those added since (like:, from:, ...)
    )
    for fine in ("https://arxiv.org/abs/1", "title:x author:y", "e.g.: x", "x -cat:y"):
        assert parse_query(fine).notes == (), fine


def test_author_terms_without_authors_say_so() -> None:
    bare = Digest((Paper(date(2023, 1, 1), "T", "https://x.org/1"),))
    query = parse_query("x -author:smith")
    assert query.digest_notes(bare) == [QueryNote("no authors known yet: F fetches them", 2)]
    assert str(query.digest_notes(bare, "--fetch-metadata")[0]) == (
        "no authors known yet: --fetch-metadata fetches them (column 3)"
    )
    known = Digest((Paper(date(2023, 1, 1), "T", "https://x.org/1", authors=("Ann",)),))
    assert query.digest_notes(known) == []
    assert parse_query("smith").digest_notes(bare) == []


def test_a_category_picked_beside_a_group() -> None:
    text = toggle_category("(diffusion OR video)", "Robotics")
    assert text == '(diffusion OR video) cat:"Robotics"'
    assert toggle_category(text, "Robotics") == "(diffusion OR video)"
    assert Query(text).notes == ()


WORDS = ("diffusion", "video", "model", "language", "robot")


def _expressions() -> st.SearchStrategy[tuple[str, str]]:
    """(query text, Python expression over the words' hit sets)."""
    leaf = st.sampled_from([(word, f"H[{word!r}]") for word in WORDS])

    def extend(
        inner: st.SearchStrategy[tuple[str, str]],
    ) -> st.SearchStrategy[tuple[str, str]]:
        pair = st.tuples(inner, inner)
        return st.one_of(
            st.builds(lambda a: (f"NOT {a[0]}", f"(ALL - {a[1]})"), inner),
            st.builds(lambda a: (f"-({a[0]})", f"(ALL - {a[1]})"), inner),
            st.builds(lambda a: (f"({a[0]})", a[1]), inner),
            st.builds(lambda p: (f"({p[0][0]} {p[1][0]})", f"({p[0][1]} & {p[1][1]})"), pair),
            st.builds(lambda p: (f"({p[0][0]} OR {p[1][0]})", f"({p[0][1]} | {p[1][1]})"), pair),
        )

    return st.recursive(leaf, extend, max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(_expressions())
def test_any_nesting_finds_what_set_logic_finds(
    digest: Digest, expression: tuple[str, str]
) -> None:
    text, logic = expression
    sets = {word: hits(digest, word) for word in WORDS}
    expected = eval(logic, {"H": sets, "ALL": set(range(len(digest)))})
    assert hits(digest, text) == expected, text
