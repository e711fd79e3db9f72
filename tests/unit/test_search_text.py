"""The search text (one UTF-8 block, `reader.model.SearchText`) and the engine's ways through it:
paper by paper, or one search through every paper's bytes mapped back by bisection. Whatever the
way, a word matches exactly the papers whose lowercased text holds it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model import Digest, Paper, SearchText
from reader.query import engine, parse_query

WEEK = date(2024, 1, 7)

LETTERS = st.sampled_from(list("abcqz ΣσςİéЖ😀\ud800\n|"))
TEXTS = st.text(LETTERS, max_size=12)


def digest_of(rows: list[tuple[str, str, str]]) -> Digest:
    return Digest(
        Paper(WEEK, title or "t", f"https://example.org/{n}", category, abstract)
        for n, (title, category, abstract) in enumerate(rows)
    )


def expected(digest: Digest, word: str, field: str = "any") -> list[int]:
    """What `word` must match, from the papers themselves (not the search text)."""
    found = []
    for index, paper in enumerate(digest.papers):
        if field == "abstract":
            text = paper.text.lower()
        else:
            text = f"{paper.title}\n{paper.category}\n{paper.text}".lower()
        if word in text:
            found.append(index)
    return found


def test_the_search_text_reads_back_each_paper() -> None:
    texts = ["a title\ncat\nsome text", "", "ünïcode σ 😀", "lone \ud800 surrogate"]
    search = SearchText.build(texts)
    assert len(search) == 4
    assert list(search) == texts
    assert search[-1] == texts[-1]
    assert search[1:3] == texts[1:3]
    assert search.paper_at(search.starts[2]) == 2
    with pytest.raises(IndexError):
        search[4]  # noqa: B018


def test_starts_must_cover_the_data() -> None:
    with pytest.raises(ValueError, match="starts"):
        SearchText(b"abc", [0, 2])


def test_a_match_across_two_papers_is_no_match() -> None:
    digest = digest_of([("t", "", "ends with quan"), ("tized begins", "", "x")])
    assert parse_query("quantized").filter(digest, range(2)) == []
    assert parse_query("quan").filter(digest, range(2)) == [0]


@pytest.fixture
def tiny_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe of two papers: the whole-text scan is taken on small digests too."""
    monkeypatch.setattr(engine, "_PROBE", 2)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), min_size=0, max_size=40),
    word=st.text(LETTERS, min_size=1, max_size=4),
    field=st.sampled_from(["any", "abstract"]),
    negated=st.booleans(),
)
def test_every_way_through_the_text_finds_the_same_papers(
    tiny_probe: None, rows: list[tuple[str, str, str]], word: str, field: str, negated: bool
) -> None:
    word = word.strip().lower()
    if not word or '"' in word or "|" in word:
        return
    digest = digest_of(rows)
    quoted = f'"{word}"'
    query = parse_query(
        ("-" if negated else "") + (f"abstract:{quoted}" if field == "abstract" else quoted)
    )
    if query.is_empty:
        return
    hits = expected(digest, query.clauses[0][0].kind.value, field)  # type: ignore[union-attr]
    everything = list(range(len(digest)))
    want = [i for i in everything if (i in hits) != negated]
    engine._CACHE.clear()
    assert query.filter(digest, range(len(digest))) == want  # every paper: probe, then a scan
    engine._CACHE.clear()
    assert query.filter(digest, everything[::-1]) == want[::-1]  # a list: paper by paper
    odd = everything[1::2]
    assert query.filter(digest, odd) == [i for i in want if i % 2]


def test_sparse_and_common_words_over_many_papers() -> None:
    """More papers than the probe: a rare word takes the scan, a common one paper by paper."""
    count = 5 * engine._PROBE
    rows = [
        ("paper", "cat", "common words rare" if n % 997 == 0 else "common words")
        for n in range(count)
    ]
    digest = digest_of(rows)
    assert parse_query("rare").filter(digest, range(count)) == list(range(0, count, 997))
    assert parse_query("common").filter(digest, range(count)) == list(range(count))
    assert parse_query("-rare").filter(digest, range(count)) == [n for n in range(count) if n % 997]
    assert parse_query("abstract:paper").filter(digest, range(count)) == []
    assert parse_query("abstract:rare").filter(digest, range(count)) == list(range(0, count, 997))


def test_regex_and_abstract_regex_read_the_decoded_text() -> None:
    digest = digest_of([("Über", "cat", "naïve σ quantized"), ("plain", "cat", "nothing")])
    assert parse_query("/na.ve/").filter(digest, range(2)) == [0]
    assert parse_query("abstract:/^naïve/").filter(digest, range(2)) == [0]
    assert parse_query("abstract:/über/").filter(digest, range(2)) == []
    assert parse_query("über").filter(digest, range(2)) == [0]
