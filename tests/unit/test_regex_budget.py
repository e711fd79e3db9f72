"""A regex cannot stall the reader (issue 23, item 7): every query's regexes have a time budget
(the `regex` module's timeout), and a saved search is counted within a small one, so it cannot
hold the first paint."""

from __future__ import annotations

from datetime import date

import pytest

from reader.model import Digest, Paper
from reader.query import Query, QueryError, parse_query

SLOW = "/(a|aa)+$/"
"""Backtracks without end on a run of a's that does not end the text."""


def digest_of(abstracts: list[str]) -> Digest:
    return Digest(
        [
            Paper(date(2023, 1, 1), f"Paper {n}", "Cat", abstract, f"https://arxiv.org/abs/2301.{n:05d}")
            for n, abstract in enumerate(abstracts)
        ]
    )


def test_a_regex_that_backtracks_without_end_is_stopped_at_its_budget() -> None:
    """The drill: an imported search /(a+)+$/ against an abstract of 26 a's took the first paint
    from 0.3 s to 5.2 s, doubling per a."""
    digest = digest_of(["a" * 60 + "!", "nothing here"])
    query = parse_query(SLOW)
    with pytest.raises(QueryError, match=r"a regex took over 0.2 s and was stopped"):
        query.filter(digest, range(len(digest)), budget=0.2)
    assert parse_query("/(a+)+$/").filter(digest, range(2)) == []  # this one is quick now


def test_an_ordinary_regex_is_unchanged() -> None:
    digest = digest_of(["diffusion models of text", "a transformer", "Diffusers"])
    assert parse_query("/diffus\\w+/").filter(digest, range(3)) == [0, 2]
    assert parse_query("/^a t/").filter(digest, range(3)) == [1]
    spans = parse_query("/diff\\w+/").highlight_spans("Diffusion and diffusers")
    assert spans == [(0, 9), (14, 23)]


def test_highlighting_a_slow_regex_gives_up_quietly() -> None:
    query = parse_query(SLOW)
    assert query.highlight_spans("a" * 60 + "!") == []


def test_a_query_that_ran_out_of_time_fails_at_once_the_next_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sidebar counts saved searches after every mark: a slow one must not cost each key
    its whole budget again."""
    digest = digest_of(["a" * 60 + "!"])
    query = parse_query(SLOW)
    with pytest.raises(QueryError) as first:
        query.filter(digest, range(1), budget=0.3)
    said = (
        "a regex took over 0.3 s and was stopped (it may backtrack without end, as (a|aa)+$ "
        "does): make it simpler (column 1)"
    )
    assert str(first.value) == said

    def never(*_args: object) -> list[int]:
        raise AssertionError("evaluated again")

    monkeypatch.setattr(Query, "_liked", never)
    with pytest.raises(QueryError) as again:
        query.filter(digest, range(1), budget=0.3)
    assert str(again.value) == said
    with pytest.raises(AssertionError):  # a longer budget tries again
        query.filter(digest, range(1), budget=1.0)
