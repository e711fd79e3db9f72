"""Similar papers (`reader.similar`, the `like:` term): the ranking on small hand-made digests,
profiles of starred, noted and tagged papers, and what the index keeps."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import environment, similar
from reader.model import Digest, Paper
from reader.query import QueryError, default_sort, parse_query, select
from reader.sources import digest_cache

OLD, NEW = date(2024, 1, 7), date(2024, 1, 14)


def paper(
    n: int, title: str, abstract: str, week: date = NEW, authors: tuple[str, ...] = ()
) -> Paper:
    key = f"2401.{n:05d}"
    return Paper(week, title, f"https://arxiv.org/abs/{key}", "", abstract, key, authors=authors)


PAPERS = [
    paper(
        1,
        "Mamba: selective state space models",
        "A selective state space model with linear time sequence modeling replaces attention.",
    ),
    paper(
        2,
        "Denoising diffusion for image synthesis",
        "Diffusion models generate images by denoising gaussian noise step by step.",
    ),
    paper(
        3,
        "Vision Mamba: state space models for images",
        "Bidirectional state space blocks with selective scans model image patches.",
    ),
    paper(
        4,
        "Chain of thought prompting elicits reasoning",
        "Prompting language models with a chain of thought improves arithmetic reasoning.",
    ),
    paper(
        5,
        "Latent diffusion models",
        "Diffusion in a latent space of an autoencoder makes image synthesis cheaper.",
    ),
    paper(
        6,
        "Self-consistency improves chain of thought reasoning",
        "Sampling several reasoning paths and voting improves chain of thought prompting.",
    ),
]


def digest_of(papers: list[Paper]) -> Digest:
    return Digest(papers, name="hand-made")


def titles(digest: Digest, indices: list[int]) -> list[str]:
    return [digest.papers[i].title for i in indices]


class State:
    """A reading state with stars, notes and tags (what the store answers)."""

    def __init__(
        self,
        starred: set[str] | None = None,
        notes: dict[str, str] | None = None,
        tags: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.starred, self.notes, self.tag_of = starred or set(), notes or {}, tags or {}

    def is_read(self, key: str) -> bool:
        return False

    def is_starred(self, key: str) -> bool:
        return key in self.starred

    def note(self, key: str) -> str:
        return self.notes.get(key, "")

    def tags(self, key: str) -> tuple[str, ...]:
        return self.tag_of.get(key, ())


def test_the_obviously_similar_paper_comes_first_and_the_paper_itself_never() -> None:
    digest = digest_of(PAPERS)
    for key, first in [
        ("2401.00001", "Vision Mamba: state space models for images"),
        ("2401.00002", "Latent diffusion models"),
        ("2401.00004", "Self-consistency improves chain of thought reasoning"),
        ("https://arxiv.org/abs/2401.00006v2", "Chain of thought prompting elicits reasoning"),
    ]:
        query = parse_query(f"like:{key}")
        found = select(digest, None, query)
        assert titles(digest, found)[0] == first, key
        assert len(found) == len(PAPERS) - 1
        assert similar.authors_stamp(digest) == 0
        own = next(i for i, p in enumerate(digest.papers) if p.arxiv_id and p.arxiv_id in key)
        assert own not in found


def test_an_order_asked_again_is_the_same_and_callers_cannot_spoil_it() -> None:
    """The thread that ranks a big digest orders its hits; the list asks again for the same
    order and gets it remembered: the same answer, and reversing one answer (R) changes no
    other."""
    digest = digest_of(PAPERS)
    ranking = parse_query("like:2401.00001").ranking(digest)
    assert ranking is not None
    hits = [1, 2, 3, 4, 5]
    first = ranking.order(hits)
    assert titles(digest, first)[0] == "Vision Mamba: state space models for images"
    first.reverse()
    again = ranking.order([1, 2, 3, 4, 5])
    assert again == first[::-1]
    assert ranking.order(range(1, 6)) == again
    hits[:] = [2, 3]  # the caller's list changes too: not the one asked before any more
    assert ranking.order(hits) == [x for x in again if x in (2, 3)]


def test_scores_fall_and_name_the_shared_words() -> None:
    digest = digest_of(PAPERS)
    query = parse_query("like:2401.00001")
    ranking = query.ranking(digest)
    assert ranking is not None
    found = select(digest, None, query, ranking=ranking)
    scores = [ranking.score(i) for i in found]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[0] <= 1 and scores[-1] == 0  # nothing shared with chain of thought
    words = ranking.words(digest, found[0])
    assert set(words) >= {"mamba", "selective"} and len(words) <= 4
    assert "models" in words or "state" in words  # as the paper writes them, not the stem


def test_a_paper_in_two_weeks_is_not_its_own_neighbour() -> None:
    again = paper(1, PAPERS[0].title, PAPERS[0].abstract, week=OLD)
    digest = digest_of([*PAPERS, again])
    found = select(digest, None, parse_query("like:2401.00001"))
    assert all(digest.papers[i].arxiv_id != "2401.00001" for i in found)
    assert len(found) == len(PAPERS) - 1


def test_ties_keep_the_digests_order() -> None:
    same = [paper(n, "Graph neural networks", "Message passing on graphs.") for n in range(10, 14)]
    other = [
        paper(n, f"Unrelated {word}", f"About {word} only.")
        for n, word in zip(range(20, 23), ["tulips", "volcanoes", "sonnets"], strict=True)
    ]
    digest = digest_of([same[0], *other, *same[1:]])
    found = select(digest, None, parse_query("like:2401.00010"))
    assert titles(digest, found)[:3] == ["Graph neural networks"] * 3
    assert [digest.papers[i].arxiv_id for i in found[:3]] == [
        "2401.00011",
        "2401.00012",
        "2401.00013",
    ]
    assert found[3:] == sorted(found[3:])  # nothing shared: the digest's order


def test_like_sorts_by_similarity_unless_told_and_filters_nothing_else() -> None:
    digest = digest_of(PAPERS)
    query = parse_query("like:2401.00002")
    assert default_sort(query) == "similarity" and default_sort(parse_query("x")) == "week"
    by_week = select(digest, None, query, sort="week")
    assert by_week == sorted(by_week) and len(by_week) == len(PAPERS) - 1
    assert select(digest, None, query, sort="similarity") == select(digest, None, query)
    reverse = select(digest, None, query, reverse=True)
    assert reverse == list(reversed(select(digest, None, query)))
    assert select(digest, None, parse_query("x"), sort="similarity") == select(
        digest, None, parse_query("x")
    )


def test_an_unknown_paper_orders_nothing_and_is_reported() -> None:
    digest = digest_of(PAPERS)
    query = parse_query("like:2401.99999")
    assert query.unknown_likes(digest) == ["like:2401.99999"]
    assert select(digest, None, query) == list(range(len(PAPERS)))
    assert parse_query("like:2401.00001v3").unknown_likes(digest) == []


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("x -like:2401.00001", 3, "cannot be excluded"),
        ("like:2401.00001 OR x", 1, "cannot be joined by OR"),
        ("x OR like:starred", 6, "cannot be joined by OR"),
    ],
)
def test_like_cannot_be_excluded_or_joined(text: str, column: int, message: str) -> None:
    with pytest.raises(QueryError, match=message) as raised:
        parse_query(text)
    assert raised.value.position == column - 1


def test_unfinished_like_terms_are_ignored_while_typing() -> None:
    for text in ("like:", "like:tag:", "like: x"):
        assert not parse_query(text).likes, text
    assert parse_query("like:tag:To-Read").likes[0].value == "to-read"
    assert [like.what for like in parse_query("like:starred like:notes like:x").likes] == [
        "starred",
        "note",
        "paper",
    ]


def test_profiles_rank_by_every_starred_noted_or_tagged_paper() -> None:
    digest = digest_of(PAPERS)
    state = State(
        starred={"2401.00001", "2401.00002"},
        notes={"2401.00004": "read again"},
        tags={"2401.00003": ("ssm",), "2401.00005": ("ssm",)},
    )
    starred = select(digest, None, parse_query("like:starred"), state)
    assert set(titles(digest, starred[:2])) == {
        "Vision Mamba: state space models for images",
        "Latent diffusion models",
    }
    assert len(starred) == len(PAPERS) - 2  # the starred papers themselves left out
    noted = select(digest, None, parse_query("like:note"), state)
    assert titles(digest, noted)[0] == "Self-consistency improves chain of thought reasoning"
    tagged = select(digest, None, parse_query("like:tag:ssm"), state)
    assert len(tagged) == len(PAPERS) - 2  # the tagged papers themselves left out
    assert set(titles(digest, tagged)[:2]) == {
        "Mamba: selective state space models",
        "Denoising diffusion for image synthesis",
    }
    nothing = select(digest, None, parse_query("like:tag:none"), state)
    assert nothing == list(range(len(PAPERS)))  # no seeds: every paper, the digest's order


def test_unread_this_week_for_me() -> None:
    fresh = [
        paper(
            30,
            "Jamba: a hybrid state space and attention model",
            "Mamba layers interleaved with attention blocks.",
            week=NEW,
        ),
        paper(31, "Prompt engineering survey", "Prompting patterns.", week=NEW),
    ]
    old = [paper(n, p.title, p.abstract, week=OLD) for n, p in enumerate(PAPERS, start=40)]
    digest = digest_of([*fresh, *old])
    state = State(starred={"2401.00040"})
    found = select(digest, NEW, parse_query("like:starred is:unread"), state)
    assert titles(digest, found) == [
        "Jamba: a hybrid state space and attention model",
        "Prompt engineering survey",
    ]


def test_authors_are_terms() -> None:
    papers = [
        paper(1, "Alpha", "Tulips grow.", authors=("Ada Lovelace", "Tim Dettmers")),
        paper(2, "Beta", "Volcanoes erupt.", authors=("Tim Dettmers",)),
        paper(3, "Gamma", "Sonnets rhyme.", authors=("Someone Else",)),
        paper(4, "Delta", "Rivers flow.", authors=("Someone Else",)),
    ]
    digest = digest_of(papers)
    query = parse_query("like:2401.00001")
    ranking = query.ranking(digest)
    assert ranking is not None
    found = select(digest, None, query, ranking=ranking)
    assert titles(digest, found)[0] == "Beta"
    assert ranking.words(digest, found[0]) == ["Tim Dettmers"]
    assert similar.authors_stamp(digest) != similar.authors_stamp(digest_of(papers[:3]))


def test_stop_words_numbers_and_plurals() -> None:
    terms = similar.paper_terms(b"the models of 2023\n\nwe propose 3d policies with 8x loss")
    assert terms == {b"model": similar.TITLE_WEIGHT, b"3d": 1, b"policy": 1, b"loss": 1}
    assert similar.stem(b"corpus") == b"corpus" and similar.stem(b"analysis") == b"analysis"


def test_records_read_back_and_damage_is_refused() -> None:
    digest = digest_of(PAPERS)
    built = similar.build(digest)
    assert built is not None
    again = similar.from_records(built.records(), len(PAPERS))
    assert again is not None
    assert again.records() == built.records()
    vector = built.paper_vector(digest, 0)
    assert again.scores(vector, 16) == built.scores(vector, 16)
    assert similar.from_records(built.records(), len(PAPERS) + 1) is None
    records = list(built.records())
    for at, value in [(1, similar.VERSION + 1), (3, b"x"), (7, b"\xff\xff\xff\xff"), (8, b"")]:
        damaged = list(records)
        damaged[at] = value
        assert similar.from_records(tuple(damaged), len(PAPERS)) is None, at
    assert similar.from_records(None, len(PAPERS)) is None


def test_a_terms_number_is_its_place_however_often_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """`number` remembers the words asked last (up to `_KNOWN_TERMS`, then starts again): every
    term reads as its place among the sorted terms, any other word as -1, asked once or again."""
    monkeypatch.setattr(similar, "_KNOWN_TERMS", 3)
    built = similar.build(digest_of(PAPERS))
    assert built is not None
    terms = [built.term(number) for number in range(len(built))]
    assert terms == sorted(terms) and len(terms) > 3
    for _ in range(2):
        for number, term in enumerate(terms):
            assert built.number(term) == number
            assert built.number(term + b"zz") == -1 and built.number(b"") == -1
    assert len(built._numbers) <= 3


def test_an_empty_or_wordless_digest_ranks_nothing() -> None:
    digest = digest_of([paper(1, "a", "the of"), paper(2, "b", "and or")])
    assert select(digest, None, parse_query("like:2401.00001")) == [1]
    assert select(Digest([]), None, parse_query("like:starred")) == []


WORDS = ["mamba", "state", "space", "diffusion", "image", "chain", "thought", "graph", "agent"]
TEXTS = st.lists(st.sampled_from(WORDS), min_size=0, max_size=8).map(" ".join)
TERMS = st.sampled_from(
    [
        "mamba",
        "-space",
        "image OR graph",
        "week:2024-01-07",
        "is:starred",
        "-is:starred",
        "title:a",
        '"state space"',
        "",
        "has:tag",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(TEXTS, TEXTS, st.booleans(), st.booleans()), min_size=1, max_size=12),
    seed=st.integers(0, 11),
    terms=st.lists(TERMS, max_size=3),
    profile=st.booleans(),
)
def test_like_with_other_terms_returns_their_papers_reordered(
    rows: list[tuple[str, str, bool, bool]], seed: int, terms: list[str], profile: bool
) -> None:
    papers = [
        paper(n, title or "x", abstract, week=OLD if old else NEW)
        for n, (title, abstract, old, _) in enumerate(rows)
    ]
    digest = digest_of(papers)
    starred = {p.key for p, row in zip(digest.papers, [r for r in rows], strict=True) if row[3]}
    state = State(starred=starred, tags={digest.papers[0].key: ("t",)})
    target = digest.papers[seed % len(papers)].key
    like = "like:starred" if profile else f"like:{target}"
    rest = " ".join(terms)
    expected = select(digest, None, parse_query(rest), state)
    seeds = starred if profile else {target}
    expected = [i for i in expected if digest.papers[i].key not in seeds]
    found = select(digest, None, parse_query(f"{rest} {like}"), state)
    assert sorted(found) == expected
    assert select(digest, None, parse_query(f"{like} {rest}"), state) == found
    ranking = parse_query(like).ranking(digest, state)
    assert ranking is not None
    scores = [ranking.score(i) for i in found]
    assert scores == sorted(scores, reverse=True)
    for a, b in zip(found, found[1:], strict=False):  # ties in the digest's order
        assert ranking.score(a) > ranking.score(b) or a < b


@settings(max_examples=60, deadline=None)
@given(junk=st.recursive(st.none() | st.integers() | st.binary(max_size=8), st.lists, max_leaves=8))
def test_any_record_reads_as_an_index_or_as_nothing(junk: object) -> None:
    found = similar.from_records(
        ("similar", similar.VERSION, 3, junk, junk, junk, junk, junk, junk), 3
    )
    assert found is None or isinstance(found, similar.SimilarityIndex)


def test_the_cache_keeps_the_index_while_the_authors_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(environment.CACHE_DIR, str(tmp_path / "cache"))
    source = _topic_digest(tmp_path / "big.md")
    first = digest_cache.open_digest([source], min_bytes=0, background=False)
    built = similar.ensure(first)
    assert built is not None
    written = tmp_path / "cache"
    deadline = time.monotonic() + 10
    while not list(written.rglob("*.similar")) and time.monotonic() < deadline:
        time.sleep(0.02)
    (path,) = written.rglob("*.similar")

    def read_back() -> similar.SimilarityIndex | None:
        digest = digest_cache.open_digest([source], min_bytes=0, background=False)
        store = digest.search_store
        assert store is not None
        return store.load_similar(len(digest), similar.authors_stamp(digest))  # type: ignore[attr-defined, no-any-return]

    again = read_back()
    assert again is not None and again.records() == built.records()
    second = digest_cache.open_digest([source], min_bytes=0, background=False)
    assert similar.ensure(second) is not None
    first_hit = select(second, None, parse_query("like:2401.00000"))[0]
    assert second.papers[first_hit].title == "Paper on topic0"
    authors = tuple(
        Paper(p.week, p.title, p.link, p.category, p.abstract, p.arxiv_id, authors=("A B",))
        for p in second.papers
    )
    store = second.search_store
    assert store is not None
    assert store.load_similar(len(second), similar.authors_stamp(Digest(authors))) is None  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01
    path.write_bytes(bytes(data))
    assert read_back() is None


def test_week_latest_is_the_newest_dated_week() -> None:
    undated = Paper(date.min, "Undated", "https://example.org/u", "", "")
    digest = digest_of([*PAPERS[:2], paper(9, "Old", "old", week=OLD), undated])
    assert titles(digest, select(digest, None, parse_query("week:latest"))) == [
        p.title for p in PAPERS[:2]
    ]
    assert select(digest, None, parse_query("-week:latest")) == [2, 3]
    assert parse_query("week:latest x").narrows(parse_query("week:latest"))
    assert not parse_query("week:2024").narrows(parse_query("week:latest"))
    assert not parse_query("week:latest").narrows(parse_query("week:2024"))
    assert select(digest_of([undated]), None, parse_query("week:latest")) == []
    with pytest.raises(QueryError, match="or latest"):
        parse_query("week:newest")


def test_the_shared_words_are_highlighted_where_a_hit_holds_them() -> None:
    papers = [
        paper(1, "Selective State Spaces", "Mamba scans.", authors=("Albert Gu", "Tri Dao")),
        paper(2, "Mamba for vision", "State space blocks; mamba again.", authors=("Tri Dao",)),
        paper(3, "Unrelated", "Tulips."),
        paper(4, "Other", "Volcanoes erupt."),
    ]
    digest = digest_of(papers)
    ranking = parse_query("like:2401.00001").ranking(digest)
    assert ranking is not None
    assert {b"mamba", b"state", b"space", b"~tri dao"} <= ranking.asked
    abstract = "State space blocks; mamba again."
    shown = [abstract[a:b] for a, b in ranking.spans(abstract, "abstract")]
    assert shown == ["State", "space", "mamba"]
    title = "Mamba for vision"
    assert [title[a:b] for a, b in ranking.spans(title, "title")] == ["Mamba"]
    assert ranking.spans(title, "category") == []
    names = "Tri Dao, Ada Lovelace"
    assert [names[a:b] for a, b in ranking.spans(names, "author")] == ["Tri Dao"]


def test_like_a_link_in_another_letter_case_is_like_that_paper() -> None:
    papers = [
        Paper(NEW, p.title, f"https://example.org/Paper{n}", "", p.abstract)
        for n, p in enumerate(PAPERS)
    ]
    digest = digest_of(papers)
    query = parse_query("like:https://EXAMPLE.org/paper2")
    assert query.unknown_likes(digest) == []
    found = select(digest, None, query)
    assert 2 not in found and 0 in found  # like Vision Mamba: the paper itself is left out
    assert titles(digest, found)[0] == "Mamba: selective state space models"


def test_like_one_paper_asks_its_16_heaviest_words_and_a_profile_48() -> None:
    """One paper is ranked by its `ASK` (16) heaviest words: papers that share only a lighter
    one (here the 21st: in five papers, where each of the 20 others is in two) score 0; a
    profile of several papers asks `ASK_PROFILE` (48), and finds them."""
    words = [f"q{chr(97 + n)}x{chr(97 + n)}vor" for n in range(20)]
    papers = [paper(1, "Seed", " ".join(words) + " zebra")]
    papers += [paper(2 + n, f"Filler {n}", f"{word} alone") for n, word in enumerate(words)]
    papers += [paper(30 + n, f"Zebra {n}", f"zebra number {n}") for n in range(4)]
    digest = digest_of(papers)
    zebras = range(21, 25)
    ranking = parse_query("like:2401.00001").ranking(digest)
    assert ranking is not None
    assert [ranking.score(i) for i in zebras] == [0, 0, 0, 0]
    assert sum(ranking.score(i) > 0 for i in range(1, 21)) == 16
    profile = parse_query("like:2401.00001 like:2401.00002").ranking(digest)
    assert profile is not None and all(profile.score(i) > 0 for i in zebras)


def test_a_build_reads_the_cached_search_text_by_blocks_never_through_its_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's search text is memory-mapped: a build that read every paper through the map
    kept the whole file in the process's memory (135 MB at 100k papers). It reads blocks
    (`SearchText.blocks`), and builds the very index the text in memory gives."""
    monkeypatch.setenv(environment.CACHE_DIR, str(tmp_path / "cache"))
    source = _topic_digest(tmp_path / "big.md", extra=", ünïcode {}", modulo=11)
    digest_cache.open_digest([source], min_bytes=0, background=False).haystacks  # noqa: B018
    cached = digest_cache.open_digest([source], min_bytes=0, background=False)
    search = cached.haystacks

    class Unmapped:
        """The map, which the build must not read."""

        def __len__(self) -> int:
            return len(search.starts) and search.starts[-1]

        def __getitem__(self, _: object) -> bytes:
            raise AssertionError("the build read the search text through its memory map")

    assert type(search.data).__name__ == "mmap"  # the cache's text, mapped
    search.data = Unmapped()  # type: ignore[assignment]
    built = similar.build(cached)
    assert built is not None
    in_memory = similar.build(Digest(list(cached.papers)))
    assert in_memory is not None and built.records() == in_memory.records()


def test_a_rankings_numbers_are_not_walked_by_the_garbage_collector() -> None:
    """A ranking's per-paper totals and its last order are tuples of ints (and bytes), which the
    collector stops tracking once it has seen them: lists of 100,000 were walked by every full
    collection of the TUI (~1 ms each)."""
    import gc

    digest = digest_of(PAPERS)
    index = similar.build(digest)
    assert index is not None
    ranking = similar.rank(digest, index, [0])
    ordered = ranking.order(range(1, len(PAPERS)))
    assert ordered == ranking.order(range(1, len(PAPERS)))
    gc.collect()
    assert not gc.is_tracked(ranking.totals)
    ((asked, answer, rest),) = ranking._last
    assert not gc.is_tracked(asked) and not gc.is_tracked(answer) and rest is None


def _topic_digest(source: Path, extra: str = "", modulo: int = 1) -> Path:
    """300 papers in 3 weeks, 40 topics and 7 subjects (`extra` formatted with n % `modulo` is
    added to each abstract): enough for the cache to keep a similarity index."""
    lines = ["| Week | title | category | abstract | Paper-Link |", "|---|---|---|---|---|"]
    for n in range(300):
        lines.append(
            f"| 2024-01-{7 + n % 3 * 7:02d} | Paper on topic{n % 40} | cs | about topic{n % 40}"
            f" and subject{n % 7}{extra.format(n % modulo)} | https://arxiv.org/abs/2401.{n:05d} |"
        )
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def _full_order(asked: list[int], totals: list[int]) -> list[int]:
    """The order a ranking gives, the plain way: by score, highest first, ties (and the papers
    that share nothing, last) in the order asked."""
    return sorted(asked, key=lambda paper: -totals[paper])


_READS = st.sampled_from(
    ["item", "negative", "slice", "list", "index", "in", "equal", "reverse", "copy", "sort"]
)


@settings(max_examples=300, deadline=None)
@given(
    totals=st.lists(st.integers(0, 12), min_size=1, max_size=120),
    dropped=st.sets(st.integers(0, 119), max_size=8),
    reads=st.lists(st.tuples(_READS, st.integers(0, 1000)), max_size=4),
    ascending=st.booleans(),
)
def test_an_order_read_in_any_way_is_the_full_sort(
    totals: list[int], dropped: set[int], reads: list[tuple[str, int]], ascending: bool
) -> None:
    """`Ordered` (a big ranking's order, its first papers sorted at once and the rest when
    first read) reads as the full sort whatever is read first and however (here with a
    threshold of a few papers, so that small lists take the lazy way)."""
    from unittest import mock

    asked = [paper for paper in range(len(totals)) if paper not in dropped]
    expected = _full_order(asked, totals)
    with mock.patch.object(similar, "AT_ONCE", 4), mock.patch.object(similar, "_LAZY_FROM", 8):
        ordered = similar.Ordered.of(tuple(asked), tuple(totals), ascending)
    assert len(ordered) == len(expected)
    assert list.__getitem__(ordered, slice(ordered.ready)) == expected[: ordered.ready]
    for read, number in reads:
        at = number % len(expected) if expected else 0
        if read == "item" and expected:
            assert ordered[at] == expected[at]
        elif read == "negative" and expected:
            assert ordered[-1 - at] == expected[-1 - at]
        elif read == "slice":
            assert ordered[at : at + 5] == expected[at : at + 5]
        elif read == "list":
            assert list(ordered) == expected
        elif read == "index" and expected:
            assert ordered.index(expected[at]) == at
        elif read == "in":
            assert (number % len(totals) in ordered) == (number % len(totals) in expected)
        elif read == "equal":
            assert ordered == expected
            assert not ordered.__ne__(expected)
            assert ordered != [*expected, 0]
        elif read == "reverse":
            ordered.reverse()
            expected.reverse()
        elif read == "copy":
            ordered = ordered.copy()
        elif read == "sort":
            ordered.sort()
            expected.sort()
    assert list(ordered) == expected and ordered == expected


def test_a_big_rankings_first_papers_are_ordered_at_once_and_the_rest_when_read() -> None:
    """At 100,000 papers sorting them all took ~15 ms of the ~ key, for a screen of them: the
    papers that score at least a threshold found from a sample (about `AT_ONCE`) are sorted
    at once, the others once one of them is read; the answer asked again (the list asks for
    the order the ranking thread made) shares what is sorted."""
    import random

    rng = random.Random(27)
    count = 3 * similar._LAZY_FROM
    totals = tuple(rng.randrange(60) if rng.random() < 0.7 else 0 for _ in range(count))
    digest = digest_of(PAPERS)
    index = similar.build(digest)
    assert index is not None
    ranking = similar.Ranking(index, frozenset(), [], totals)
    asked = range(1, count)
    expected = _full_order(list(asked), list(totals))
    ordered = ranking.order(asked)
    ready = ordered.ready
    assert similar.AT_ONCE // 4 <= ready < similar.AT_ONCE * 8 and ordered.rest is not None
    assert ordered[: ready] != ordered  # a slice reads on: the rest is sorted
    ordered = ranking.order(asked)  # the one remembered: what it sorted is not sorted again
    assert ordered.rest is not None and ordered.ready == ready
    assert [ordered[row] for row in range(ready)] == expected[:ready]
    assert ordered.rest is not None  # the first papers read: nothing else sorted
    assert ordered.index(expected[5]) == 5 and ordered.rest is not None
    assert ordered[ready] == expected[ready] and ordered.rest is None
    assert ordered == expected
    assert ranking.order(asked) == expected
