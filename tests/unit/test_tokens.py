"""The token index (`reader.tokens`): a query answered from it finds exactly the papers a search
of the text finds, for any word, phrase, exclusion or field, whether the index answers, narrows
or declines; and what the cache keeps of it is read back only when it is whole."""

from __future__ import annotations

import marshal
import time
from array import array
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import environment, tokens
from reader.model import Digest, Paper
from reader.query import QueryError, engine, parse_query
from reader.sources import digest_cache

WEEK = date(2024, 1, 7)

LETTERS = st.sampled_from(list("abqz09 -_.,'é😀Σσ\ud800\n"))
TEXTS = st.text(LETTERS, max_size=14)
WORDS = st.text(st.sampled_from(list("abqz09 -é😀σ")), min_size=1, max_size=5)


def digest_of(rows: list[tuple[str, str, str]]) -> Digest:
    return Digest(
        Paper(WEEK, title or "t", f"https://example.org/{n}", category, abstract)
        for n, (title, category, abstract) in enumerate(rows)
    )


def indexed(digest: Digest) -> tokens.TokenIndex:
    built = tokens.build(digest.haystacks)
    assert built is not None
    digest.haystacks.tokens = built
    engine._CACHE.clear()
    return built


def scanned(digest: Digest, text: str, kept: list[int]) -> list[int]:
    """The query's hits without the index (the search the index stands in for)."""
    saved, digest.haystacks.tokens = digest.haystacks.tokens, None
    engine._CACHE.clear()
    try:
        return parse_query(text).filter(digest, kept)
    finally:
        digest.haystacks.tokens = saved
        engine._CACHE.clear()


def expected(digest: Digest, word: str, field: str) -> list[int]:
    """From the papers themselves: which hold `word` (lowercased) in `field`."""
    found = []
    for index, paper in enumerate(digest.papers):
        text = (
            paper.text if field == "abstract" else f"{paper.title}\n{paper.category}\n{paper.text}"
        )
        if word in text.lower():
            found.append(index)
    return found


QUERY_SHAPES = [
    '"{w}"',
    '-"{w}"',
    'abstract:"{w}"',
    '-abstract:"{w}"',
    '"{w}" OR zz',
    '"{w}" "{v}"',
]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), max_size=30),
    word=WORDS,
    other=WORDS,
    shape=st.sampled_from(QUERY_SHAPES),
)
def test_the_index_finds_what_a_search_finds(
    rows: list[tuple[str, str, str]], word: str, other: str, shape: str
) -> None:
    digest = digest_of(rows)
    text = shape.format(w=word, v=other)
    try:
        query = parse_query(text)
    except QueryError:  # a word the parser refuses is the parser's business
        return
    everything = list(range(len(digest)))
    want = scanned(digest, text, everything)
    indexed(digest)
    assert query.filter(digest, range(len(digest))) == want
    assert query.filter(digest, everything[::-1]) == want[::-1]
    assert query.filter(digest, everything[1::2]) == [i for i in want if i % 2]


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), max_size=30), word=WORDS)
def test_a_word_of_letters_and_digits_is_answered_exactly(
    rows: list[tuple[str, str, str]], word: str
) -> None:
    digest = digest_of(rows)
    index = indexed(digest)
    needle = word.lower().encode("utf-8", "surrogatepass")
    found = index.lookup(needle)
    token_bytes = [byte >= 128 or chr(byte).isalnum() for byte in needle]
    if not any(token_bytes):  # no piece to look up ("-", " "): searched for
        assert found is None
        return
    assert found is not None
    mask, exact = found
    assert exact == all(token_bytes)
    holding = [i for i, bit in enumerate(mask) if bit]
    truth = expected(digest, word.lower(), "any")
    if exact:
        assert holding == truth
    else:  # a superset: every paper that holds the needle holds its longest piece
        assert set(truth) <= set(holding)


def test_a_needle_too_many_tokens_hold_is_searched_for(monkeypatch: pytest.MonkeyPatch) -> None:
    digest = digest_of([("alpha", "beta", f"word{n} gamma") for n in range(50)])
    index = indexed(digest)
    assert index.lookup(b"word") is not None
    monkeypatch.setattr(tokens, "_MAX_TOKENS", 10)
    fresh = tokens.build(digest.haystacks)
    assert fresh is not None
    assert fresh.lookup(b"word") is None  # 50 tokens hold it
    assert fresh.lookup(b"word7") is not None  # word7 only
    digest.haystacks.tokens = fresh
    engine._CACHE.clear()
    assert parse_query("word").filter(digest, range(50)) == list(range(50))
    assert not parse_query("word").indexed(digest)
    assert parse_query("word7 gamma").indexed(digest)
    assert parse_query("word7").filter(digest, range(50)) == [7]


def test_a_short_needle_most_papers_hold_is_answered_in_the_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`indexed` (may the filter run while the key waits?) says no to a needle whose answer
    marks many postings: a one-letter needle marks about one a paper, ~150 ms at 1M papers on
    the UI thread. The filter (in its thread) still answers from the index, the same hits."""
    digest = digest_of([("t", "c", f"e{n} x{n % 7}") for n in range(300)])  # sparse tokens
    index = indexed(digest)
    monkeypatch.setattr(tokens, "_QUICK_IDS", 100)
    assert not index.quick(b"e")  # 300 postings
    assert not parse_query("e").indexed(digest)
    assert parse_query("x3").indexed(digest)  # 43 postings
    assert parse_query("e").filter(digest, range(300)) == list(range(300))
    assert index.quick(b"e")  # answered now, and kept: quick the next time
    assert parse_query("e").indexed(digest)
    assert parse_query("e12").filter(digest, range(300)) == [12, *range(120, 130)]


def test_in_a_very_big_index_no_needle_is_looked_up_while_the_key_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past `_QUICK_PAPERS` (1M papers: a pass over every paper for any answer, which a key's
    echo waited for) a needle not looked up yet goes to the filter's thread; one looked up
    already is answered at once."""
    digest = digest_of([("t", "c", f"e{n} x{n % 7}") for n in range(300)])
    index = indexed(digest)
    assert index.quick(b"x3")  # 43 postings
    monkeypatch.setattr(tokens, "_QUICK_PAPERS", 299)
    assert not index.quick(b"x3")
    assert not parse_query("x3").indexed(digest)
    assert parse_query("x3").filter(digest, range(300)) == list(range(3, 300, 7))
    assert index.quick(b"x3") and parse_query("x3").indexed(digest)  # kept: at once now


def test_a_needle_many_common_tokens_hold_is_answered_in_the_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nor one whose answer ORs more than `_QUICK_BITSETS` bitsets (tokens most papers hold).
    Found by `make mutate`: no test had a needle of several dense tokens."""
    digest = digest_of([("t", "c", "ea eb ec ed") for _ in range(64)])  # four dense tokens
    index = indexed(digest)
    monkeypatch.setattr(tokens, "_QUICK_BITSETS", 3)
    assert index.quick(b"ec")  # one bitset
    assert not index.quick(b"e")  # four
    assert parse_query("e").filter(digest, range(64)) == list(range(64))
    assert index.quick(b"e")  # kept


def test_a_needle_of_several_words_is_judged_by_its_longest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`zz-apple` is looked up by `apple` (3 papers), not by `zz` (a token in every paper):
    the longest piece marks the fewest postings. Found by `make mutate`."""
    rows = [("t", "c", f"zz{n}" + (" zz-apple" if n % 100 == 0 else "")) for n in range(300)]
    digest = digest_of(rows)
    index = indexed(digest)
    monkeypatch.setattr(tokens, "_QUICK_IDS", 100)
    assert not index.quick(b"zz")  # 300 postings
    assert index.quick(b"zz-apple")
    assert parse_query('"zz-apple"').filter(digest, range(300)) == [0, 100, 200]


def test_in_a_very_big_index_a_burst_of_keys_looks_up_only_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past `SETTLE_PAPERS` a lookup in a filter's thread waits a moment first: a newer key
    within it calls the lookup off before any work (a burst of letters and backspaces 50 ms
    apart at 1M papers spent 3x the CPU of one letter); on the UI thread nothing waits."""
    digest = digest_of([("t", "c", f"e{n} x{n % 7}") for n in range(300)])
    index = indexed(digest)
    monkeypatch.setattr(engine, "SETTLE_PAPERS", 299)
    looked: list[bytes] = []
    lookup = tokens.TokenIndex.lookup_bits  # the filter's, a bit a paper

    def counted(self: tokens.TokenIndex, needle: bytes, step: object = None) -> object:
        looked.append(needle)
        return lookup(self, needle) if step is None else lookup(self, needle, step)  # type: ignore[arg-type]

    monkeypatch.setattr(tokens.TokenIndex, "lookup_bits", counted)
    started = time.monotonic()
    with pytest.raises(engine.Cancelled):  # a newer key 20 ms in
        parse_query("e").filter(
            digest, range(300), cancelled=lambda: time.monotonic() - started > 0.02
        )
    assert looked == []  # called off while it waited: no work
    assert parse_query("e").filter(digest, range(300), cancelled=lambda: False) == list(range(300))
    assert looked == [b"e"]
    assert parse_query("x3").filter(digest, range(300)) == list(range(3, 300, 7))  # UI thread
    assert looked == [b"e", b"x3"]
    assert index.known(b"e") and index.known(b"x3")


def test_a_lookup_called_off_stops_between_pieces_and_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A short needle's lookup in a filter's thread marks its postings a piece at a time and
    asks between pieces whether a newer query came: once one did it stops (at 1M papers a
    letter's lookup took ~150 ms of holding the interpreter, while keys waited to echo), keeps
    no answer, and the next lookup answers whole."""
    digest = digest_of([("t", "c", f"e{n} x{n % 7}") for n in range(300)])  # sparse tokens
    index = indexed(digest)
    monkeypatch.setattr(tokens, "_PIECE_IDS", 16)
    steps = [0]

    def newer_after_three() -> None:
        steps[0] += 1
        if steps[0] > 3:
            raise engine.Cancelled

    with pytest.raises(engine.Cancelled):
        index.lookup(b"e", newer_after_three)
    assert steps[0] == 4  # it stopped at its fourth look (300 postings: ~19 pieces)
    assert b"e" not in index._masks.answers  # nothing kept
    with pytest.raises(engine.Cancelled):  # a filtering in a thread, called off
        parse_query("e").filter(digest, range(300), cancelled=lambda: True)
    found = index.lookup(b"e")
    assert found is not None and found[1] and found[0] == b"\x01" * 300


def test_sparse_and_dense_postings_both_answer() -> None:
    rows = [("t", "c", "common" + (" rare" if n % 40 == 0 else "")) for n in range(200)]
    digest = digest_of(rows)
    index = indexed(digest)
    vocab = [index.token(n) for n in range(len(index))]
    assert vocab.index(b"common") in index.dense  # in every paper: a bitset
    assert vocab.index(b"rare") not in index.dense  # in 5 of 200: paper numbers
    assert index.papers(vocab.index(b"rare")) == list(range(0, 200, 40))
    assert index.papers(vocab.index(b"common")) == list(range(200))
    assert parse_query("rare").filter(digest, range(200)) == list(range(0, 200, 40))
    assert parse_query("-rare common").filter(digest, range(200)) == [
        n for n in range(200) if n % 40
    ]


def test_typing_a_word_narrows_within_the_last_letters_tokens() -> None:
    digest = digest_of([("quantized models", "cs", "quality and quantity")])
    index = indexed(digest)
    vocab = [index.token(n) for n in range(len(index))]
    assert vocab == sorted(vocab)
    assert index.tokens_holding(b"qua") == sorted(
        vocab.index(t) for t in (b"quality", b"quantity", b"quantized")
    )
    assert index.tokens_holding(b"quan") == sorted(
        vocab.index(t) for t in (b"quantity", b"quantized")
    )
    assert index.tokens_holding(b"quanti") == sorted(
        vocab.index(t) for t in (b"quantity", b"quantized")
    )
    assert index.tokens_holding(b"quantiz") == [vocab.index(b"quantized")]


def test_the_build_stops_when_cancelled() -> None:
    digest = digest_of([("t", "c", "a b c")] * 10)
    assert tokens.build(digest.haystacks, lambda: True) is None


def test_the_build_asks_whether_to_stop_every_few_papers() -> None:
    """Not only every block (~3,000 papers): the TUI waits in `cancelled` while a query is
    filtered, and a query that came mid-block shared the interpreter with the rest of it."""
    digest = digest_of([("t", "c", f"a{n} b c") for n in range(10 * tokens._YIELD)])
    asked = iter(range(10**6))
    built = tokens.build(digest.haystacks, lambda: next(asked) < 0)
    assert built is not None and next(asked) > 10
    late = iter(range(10**6))
    assert tokens.build(digest.haystacks, lambda: next(late) == 5) is None  # stops mid-block


def test_records_read_back_and_damage_is_refused() -> None:
    digest = digest_of([("t", "c", f"w{n % 50} v{n % 7} common") for n in range(100)])
    index = indexed(digest)
    meta, ids = index.records()
    assert ids  # the w tokens are sparse
    again = tokens.from_records(marshal.loads(marshal.dumps(meta)), 100, _ids(ids))
    assert again is not None
    assert [again.token(n) for n in range(len(again))] == [
        index.token(n) for n in range(len(index))
    ]
    assert again.lookup(b"w3") == index.lookup(b"w3")
    assert again.lookup(b"v3") == index.lookup(b"v3")
    count, joined, starts, offsets, dense_tokens, bits = meta
    assert tokens.from_records(meta, 99, _ids(ids)) is None
    assert tokens.from_records(meta, count, None) is None
    assert tokens.from_records(meta, count, _ids(ids)[:-1]) is None
    assert tokens.from_records((count, joined + b"x", *meta[2:]), count, _ids(ids)) is None
    dashed = joined.replace(b"w", b"-")
    assert tokens.from_records((count, dashed, *meta[2:]), count, _ids(ids)) is None
    assert tokens.from_records((*meta[:2], starts[8:], *meta[3:]), count, _ids(ids)) is None
    backwards = array("q")
    backwards.frombytes(offsets)
    backwards.reverse()
    wrong_offsets = backwards.tobytes()
    assert tokens.from_records((*meta[:3], wrong_offsets, *meta[4:]), count, _ids(ids)) is None
    assert tokens.from_records((*meta[:4], [10**6], [1]), count, _ids(ids)) is None
    assert tokens.from_records((*meta[:5], [1 << 200] * len(bits)), count, _ids(ids)) is None
    assert tokens.from_records((*meta[:5], ["x"] * len(bits)), count, _ids(ids)) is None
    assert tokens.from_records((*meta[:5], tuple(bits)), count, _ids(ids)) is None
    assert tokens.from_records((*meta[:5], bits[:-1]), count, _ids(ids)) is None
    assert tokens.from_records("junk", count, _ids(ids)) is None


def test_a_paper_number_past_the_end_is_caught_when_looked_up() -> None:
    digest = digest_of([("t", "c", f"w{n % 50}") for n in range(100)])
    meta, ids = indexed(digest).records()
    wrong = _ids(ids)
    wrong[-1] = 10**6
    index = tokens.from_records(meta, 100, wrong)
    assert index is not None
    assert index.token(len(index) - 1) == b"w9"  # the last sparse token: its last number
    assert index.lookup(b"w9") is None  # searched for instead
    assert index.lookup(b"w0") is not None


def _ids(raw: bytes) -> array[int]:
    found = array("I")
    found.frombytes(raw)
    return found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.recursive(st.none() | st.integers() | st.binary(max_size=8), st.lists, max_leaves=8))
def test_any_record_reads_as_an_index_or_as_nothing(junk: object) -> None:
    found = tokens.from_records((5, junk, junk, junk, junk, junk), 5, array("I"))
    assert found is None or isinstance(found, tokens.TokenIndex)


def big_digest(path: Path, count: int = 1500) -> Path:
    lines = ["| Week | title | category | abstract | Paper-Link |", "|---|---|---|---|---|"]
    for n in range(count):
        lines.append(
            f"| 2024-01-{7 + n % 3 * 7:02d} | Paper {n} | cs | an abstract about topic{n % 50}"
            f" and quantized model{n} {'x' * 600} | https://arxiv.org/abs/2401.{n:05d} |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def written_file(folder: Path, pattern: str) -> Path:
    """The file the cache writes in a thread, once it is there (polled, 10 s at most)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = next(folder.rglob(pattern), None)
        if found is not None:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no {pattern} written in {folder}")


def test_the_cache_keeps_the_index_and_refuses_a_damaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(environment.CACHE_DIR, str(tmp_path / "cache"))
    source = big_digest(tmp_path / "big.md")
    first = digest_cache.open_digest([source], min_bytes=0, background=False)
    assert first.search_store is not None
    assert tokens.stored(first) is None  # nothing kept yet: --print does not build it
    built = tokens.ensure(first)
    assert built is not None
    written = written_file(tmp_path / "cache", "*.tokens")

    second = digest_cache.open_digest([source], min_bytes=0, background=False)
    read = tokens.stored(second)
    assert read is not None and read.joined == built.joined
    assert isinstance(read.ids, memoryview)  # mapped, not read
    assert parse_query("topic7 quantized").filter(second, range(len(second))) == [
        i for i, p in enumerate(second.papers) if "topic7 " in p.text
    ]

    data = bytearray(written.read_bytes())
    data[-10] ^= 0x01  # a flipped bit in a posting still unmarshals: the checksum catches it
    written.write_bytes(bytes(data))
    third = digest_cache.open_digest([source], min_bytes=0, background=False)
    assert tokens.stored(third) is None
    again = tokens.ensure(third)  # rebuilt, not trusted
    assert again is not None and again.joined == built.joined


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), max_size=30),
    words=st.lists(st.text(st.sampled_from(list("abqz09é")), min_size=1, max_size=3), min_size=3),
    negate=st.booleans(),
)
def test_typing_on_narrows_within_the_last_result_and_finds_what_a_search_finds(
    rows: list[tuple[str, str, str]], words: list[str], negate: bool
) -> None:
    """As the filter bar does: each query filters the hits of the one before (`satisfied`),
    which the engine intersects as masks when both were answered from the index."""
    digest = digest_of(rows)
    last = f"{'-' if negate else ''}{words[2]}"
    texts = [words[0], f"{words[0]} {words[1]}", f"{words[0]} {words[1]} {last}"]
    everything = list(range(len(digest)))
    want = [scanned(digest, text, everything) for text in texts]
    indexed(digest)
    hits: list[int] | range = range(len(digest))
    previous = None
    made = []
    for text in texts:
        query = parse_query(text)
        hits = query.filter(digest, hits, satisfied=previous)
        made.append(hits)
        previous = query
    assert made == want
    assert engine._index(digest).last is not None  # the masks' way was taken
    # within the last result, a query that does not imply the one before: only its papers
    first = parse_query(texts[0]).filter(digest, range(len(digest)))
    within = parse_query(words[1]).filter(digest, first)
    assert within == [i for i in scanned(digest, words[1], everything) if i in first]
    indexed(digest)
    # a list that is not the last result made from masks is filtered the usual way
    again = list(made[1])
    assert parse_query(texts[2]).filter(digest, again, satisfied=parse_query(texts[1])) == want[2]


def bits_of(flags: list[bool]) -> int:
    """A bit a paper, bit `i` set when `flags[i]`."""
    return sum(1 << i for i, flag in enumerate(flags) if flag)


@given(
    before=st.lists(st.booleans(), max_size=80),
    keep=st.lists(st.booleans(), max_size=80),
    share=st.sampled_from([1, 3, 256, 10**9]),
)
def test_narrowed_hits_are_those_the_bits_read_off(
    before: list[bool], keep: list[bool], share: int
) -> None:
    """Within the last result (its hits and bits), a letter's bits give the hits that reading
    them off every paper gives, whichever way they are made: the very hits when none went,
    the few that went taken out, or read off anew (`NARROW_SHARE`)."""
    count = len(before)
    last_hits = [i for i, hit in enumerate(before) if hit]
    now = [hit and i < len(keep) and keep[i] for i, hit in enumerate(before)]
    saved, engine.NARROW_SHARE = engine.NARROW_SHARE, share
    try:
        hits = engine._narrowed(
            (last_hits, bits_of(before)), bits_of(now), count, list(range(count))
        )
    finally:
        engine.NARROW_SHARE = saved
    assert hits == [i for i, hit in enumerate(now) if hit]
    if len(hits) == len(last_hits):
        assert hits is last_hits  # the same hits: the sidebar's counts see them unchanged


@given(
    flags=st.lists(st.booleans(), max_size=300),
    share=st.sampled_from([0, 1, 20, 10**9]),
)
def test_bits_read_off_and_their_set_bits_are_the_papers_they_mark(
    flags: list[bool], share: int
) -> None:
    """Read off a pass over every paper or by finding the set bits (`SPARSE_SHARE`)."""
    want = [i for i, flag in enumerate(flags) if flag]
    saved, engine.SPARSE_SHARE = engine.SPARSE_SHARE, share
    try:
        assert engine._read_off(bits_of(flags), len(flags), list(range(len(flags)))) == want
    finally:
        engine.SPARSE_SHARE = saved
    assert engine._set_bits(bits_of(flags)) == want


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), max_size=40), word=WORDS)
def test_a_lookups_bits_are_its_mask(rows: list[tuple[str, str, str]], word: str) -> None:
    """`lookup_bits` answers as `lookup` does, a bit a paper for a byte a paper, with postings
    sparse, dense or both (a fresh index each way, so neither answer is the other's kept)."""
    digest = digest_of(rows * 3 + [("t", "c", "rare")])  # some tokens in under 1/32 of them
    needle = word.lower().encode("utf-8", "surrogatepass")
    masked = indexed(digest).lookup(needle)
    fresh = tokens.build(digest.haystacks)
    assert fresh is not None
    bits = fresh.lookup_bits(needle)
    if masked is None:
        assert bits is None
        return
    assert bits is not None and bits[1] == masked[1]
    assert bits[0] == bits_of([bool(byte) for byte in masked[0]])
    assert fresh.known(needle) and fresh.quick(needle)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), max_size=30),
    word=st.text(st.sampled_from(list("abqz09")), min_size=1, max_size=5),
    share=st.sampled_from([1, 64, 256]),
    sparse=st.sampled_from([0, 20, 10**9]),
)
def test_a_word_typed_a_letter_at_a_time_finds_what_a_search_finds(
    rows: list[tuple[str, str, str]], word: str, share: int, sparse: int
) -> None:
    """As the filter bar does while a word is typed: each letter filters the hits of the one
    before, within them; at each letter the hits are what a search of every paper finds,
    papers taken out of the last hits one by one or not."""
    digest = digest_of(rows)
    everything = list(range(len(digest)))
    indexed(digest)
    hits: list[int] | range = range(len(digest))
    previous = None
    saved = engine.NARROW_SHARE, engine.SPARSE_SHARE
    engine.NARROW_SHARE, engine.SPARSE_SHARE = share, sparse
    try:
        for end in range(1, len(word) + 1):
            query = parse_query(word[:end])
            hits = query.filter(digest, hits, satisfied=previous)
            assert hits == scanned(digest, word[:end], everything), word[:end]
            previous = query
    finally:
        engine.NARROW_SHARE, engine.SPARSE_SHARE = saved


def test_a_letter_that_leaves_the_tokens_as_they_were_gets_the_same_mask() -> None:
    """`quan` -> `quant`: the same tokens hold both, and the mask made for the one is the
    other's (not made again); `quantu` is held by fewer, and gets its own."""
    digest = digest_of([("quantized", "c", "x"), ("quantum", "c", "y"), ("none", "c", "z")])
    index = indexed(digest)
    quan = index.lookup(b"quan")
    quant = index.lookup(b"quant")
    assert quan is not None and quant is not None
    assert quant[0] is quan[0] and quant[0] == b"\x01\x01\x00"
    quantu = index.lookup(b"quantu")
    assert quantu is not None and quantu[0] == b"\x00\x01\x00"
    quan_bits = index.lookup_bits(b"quan")
    quant_bits = index.lookup_bits(b"quant")
    assert quan_bits is not None and quant_bits is not None
    assert quant_bits[0] is quan_bits[0] and quant_bits[0] == 0b011
    assert index.lookup_bits(b"quantu") == (0b010, True)


def test_a_lookup_hands_the_interpreter_on_only_in_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between pieces of its work a lookup pauses (`time.sleep(0)`: the UI's keys go on) when
    it runs in a thread, not on the main thread, the UI's own, where a filter is answered while
    its key waits."""
    import threading

    digest = digest_of([("quantized", "c", "x"), ("quantum", "c", "y"), ("quality", "c", "z")])
    index = indexed(digest)
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    assert index.lookup(b"quan") is not None and slept == []
    worker = threading.Thread(target=index.lookup, args=(b"qua",))
    worker.start()
    worker.join()
    assert slept


def test_a_word_asked_after_a_longer_word_that_holds_it_finds_all_its_papers() -> None:
    """The index remembers which tokens held the words it was asked for and answers a longer
    word from a shorter one's tokens. The other way round is a loss: after `diffusion`, the
    papers of `fusion` are more than those of `diffusion` ("Sensor fusion"); after `attention`,
    `tent` is also in "Latent content". Each word is asked over every paper, as the filter
    does after the query was cleared."""
    digest = digest_of(
        [
            ("Diffusion models", "cs", "image diffusion"),
            ("Sensor fusion", "robotics", "fusing lidar and radar"),
            ("Attention is all you need", "cs", "attention heads"),
            ("Latent content", "vision", "latent codes"),
        ]
    )
    indexed(digest)

    def titles(text: str) -> list[str]:
        query = parse_query(text)
        assert query.indexed(digest)  # answered by the index, not by a scan
        return [digest.papers[i].title for i in query.filter(digest, range(len(digest)))]

    assert titles("diffusion") == ["Diffusion models"]
    assert titles("fusion") == ["Diffusion models", "Sensor fusion"]
    assert titles("attention") == ["Attention is all you need"]
    assert titles("tent") == ["Attention is all you need", "Latent content"]
    assert titles("content") == ["Latent content"]


def test_excluding_a_word_of_the_abstract_keeps_papers_with_it_elsewhere_only() -> None:
    digest = digest_of(
        [
            ("State space models", "c", "A recurrent model."),
            ("Transformers", "c", "The state of the art."),
            ("Diffusion", "state", "Images from noise."),
        ]
    )
    want = scanned(digest, "-abstract:state", [0, 1, 2])
    assert want == [0, 2]
    indexed(digest)
    for kept in (range(3), [0, 1, 2]):
        assert parse_query("-abstract:state").filter(digest, kept) == want
    assert parse_query("-state").filter(digest, range(3)) == []
    for text in ("-state OR transformers", "-abstract:state OR noise"):
        want = scanned(digest, text, [0, 1, 2])
        indexed(digest)
        assert parse_query(text).filter(digest, range(3)) == want, text
        assert parse_query(text).filter(digest, [0, 1, 2]) == want, text
    assert scanned(digest, "-state OR transformers", [0, 1, 2]) == [1]
