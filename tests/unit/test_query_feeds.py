"""The query terms of the feeds (issue 29): `from:`, `announce:`, `upvotes:`."""

from __future__ import annotations

from datetime import date

import pytest

from reader.model import Digest, Origin, Paper
from reader.query import QueryError, parse_query

WEDNESDAY = date(2026, 6, 24)


def _paper(name: str, *origins: Origin) -> Paper:
    return Paper(
        week=date(2026, 6, 28),
        title=name,
        link=f"https://example.org/{name}",
        origins=origins,
    )


DIGEST = Digest(
    [
        _paper("digest"),
        _paper("hf-popular", Origin("hf", WEDNESDAY, upvotes=212)),
        _paper("hf-quiet", Origin("hf", WEDNESDAY, upvotes=3)),
        _paper("hf-unknown", Origin("hf", WEDNESDAY)),
        _paper("arxiv-new", Origin("arxiv", WEDNESDAY, announce="new")),
        _paper("arxiv-cross", Origin("arxiv", WEDNESDAY, announce="cross")),
        _paper(
            "everywhere",
            Origin("potw", date(2026, 6, 28)),
            Origin("hf", WEDNESDAY, upvotes=50),
            Origin("hf", date(2026, 6, 25), upvotes=51),
            Origin("arxiv", WEDNESDAY, announce="replace-cross"),
        ),
    ]
)


def _titles(text: str) -> list[str]:
    hits = parse_query(text).filter(DIGEST, range(len(DIGEST)))
    return [DIGEST.papers[i].title for i in hits]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("from:potw", ["digest", "everywhere"]),
        ("from:HF", ["hf-popular", "hf-quiet", "hf-unknown", "everywhere"]),
        ("from:arxiv", ["arxiv-new", "arxiv-cross", "everywhere"]),
        ("-from:hf", ["digest", "arxiv-new", "arxiv-cross"]),
        ("from:hf from:arxiv", ["everywhere"]),
        ("from:potw OR from:arxiv", ["digest", "arxiv-new", "arxiv-cross", "everywhere"]),
        ("announce:new", ["arxiv-new"]),
        ("announce:replace-cross", ["everywhere"]),
        ("announce:replace", []),  # the whole type: replace-cross is not replace
        ("upvotes:>50", ["hf-popular", "everywhere"]),  # the most a paper was seen with
        ("upvotes:>=51", ["hf-popular", "everywhere"]),
        ("upvotes:<50", ["hf-quiet"]),  # a paper without upvotes has none to compare
        ("upvotes:<=3", ["hf-quiet"]),
        ("upvotes:3", ["hf-quiet"]),
        ("upvotes:4..51", ["everywhere"]),
        ("upvotes:100..", ["hf-popular"]),
        ("upvotes:..3", ["hf-quiet"]),
        ("-upvotes:>10", ["digest", "hf-quiet", "hf-unknown", "arxiv-new", "arxiv-cross"]),
        ("upvotes:>", _titles("")),  # unfinished: filters nothing yet
    ],
)
def test_feed_terms(query: str, titles: list[str]) -> None:
    assert _titles(query) == titles


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from:reddit", "from: takes potw, hf or arxiv, not 'reddit'"),
        ("announce:old", "announce: takes new, cross, replace or replace-cross, not 'old'"),
        ("upvotes:lots", "upvotes: expects a number such as 50, >50 or 10..100, not 'lots'"),
        ("upvotes:>-3", "upvotes: expects a number"),
        ("upvotes:9..3", "upvotes: the range 9..3 runs backwards"),
    ],
)
def test_bad_feed_terms_say_what_they_take(query: str, message: str) -> None:
    with pytest.raises(QueryError) as error:
        parse_query(query)
    assert error.value.message.startswith(message)
