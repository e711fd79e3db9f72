"""Abstracts kept in the digest file, read when asked (`reader.abstracts`, issue 26): a big pipe
table keeps where each plain row's abstract is in the file instead of its text. Whatever the
rows hold (non-ASCII, escaped pipes, continuation rows, CRLF, a BOM) and wherever the file is cut
into pieces, the papers read back are those of parsing the whole text; a file changed in place
says so instead of showing other bytes; the parsed-digest cache and the search text are made from
them without holding them all in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reader.sources.formats
import reader.sources.loader
from reader import abstracts, model, tokens
from reader.abstracts import CHANGED
from reader.model import Digest, SearchText, stored_abstract
from reader.query import engine, parse_query
from reader.sources import digest_cache
from reader.sources.digest_cache import open_digest
from reader.sources.fields import within_limits
from reader.sources.loader import decode, load_digest, parse_text
from tests.unit.test_fuzz import FUZZ
from tests.unit.test_table_pieces import table_texts

HEADER = "| Week | title | category | abstract | Paper-Link |\n|---|---|---|---|---|\n"


def rows(count: int, abstract: str = "Words about quantized models. ") -> str:
    return "".join(
        f"| 2023-06-{11 + n % 3 * 7:02d} | Paper {n} | cs.LG | {abstract * (4 + n % 5)}{n} "
        f"| https://arxiv.org/abs/2306.{n:05d} |\n"
        for n in range(count)
    )


def kept_count(digest: Digest) -> int:
    return sum(not isinstance(stored_abstract(paper), str) for paper in digest.papers)


@given(table_texts, st.integers(1, 96), st.sampled_from([16, 200, 65536]))
@settings(FUZZ, max_examples=300)
def test_abstracts_read_from_the_file_are_those_of_the_whole_text(
    tmp_path_factory: pytest.TempPathFactory, text: str, chunk: int, prefix: int
) -> None:
    path = str(tmp_path_factory.mktemp("kept") / "d.md")
    with open(path, "wb") as file:
        file.write(text.encode("utf-8"))
    with (
        mock.patch.object(abstracts, "MIN_FILE_BYTES", 0),
        mock.patch.object(reader.sources.formats.table, "MIN_DEFERRED", 1),
        mock.patch.object(reader.sources.loader, "READ_CHUNK", chunk),
        mock.patch.object(reader.sources.formats, "DETECT_PREFIX", prefix),
        mock.patch.object(reader.sources.loader, "DETECT_PREFIX", prefix),
    ):
        try:
            parsed = parse_text(decode(text.encode(), path), path)
            whole = list(Digest(within_limits(parsed, path)[0]).papers)  # as the loader cuts
        except reader.sources.formats.LoadError:
            return  # the errors are test_table_pieces' to compare
        read = list(load_digest(path).papers)
    assert read == whole
    assert [paper.abstract for paper in read] == [paper.abstract for paper in whole]


def test_a_big_table_keeps_its_abstracts_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text(
        "\ufeffNotes é\n\n" + HEADER + rows(5000, "Résumé — quantized models, long text. "), "utf-8"
    )
    assert path.stat().st_size > abstracts.MIN_FILE_BYTES
    digest = load_digest(path)
    assert kept_count(digest) == len(digest) == 5000
    whole = parse_text(path.read_text("utf-8").removeprefix("\ufeff"), str(path))
    assert sorted(p.abstract for p in digest.papers) == sorted(p.abstract for p in whole)
    small = tmp_path / "small.md"
    small.write_text(HEADER + rows(10), "utf-8")
    assert kept_count(load_digest(small)) == 0  # a small file: in memory


def test_a_file_changed_in_place_is_not_read_as_abstracts(keep_all: None, tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(20), "utf-8")
    digest = load_digest(path)
    first = digest.papers[0].abstract
    assert "quantized" in first
    replaced = tmp_path / "new.md"
    replaced.write_text(HEADER + rows(20, "Other words entirely, longer. "), "utf-8")
    os.replace(replaced, path)  # renamed over it (editors, git): the old file is still read
    assert digest.papers[0].abstract == first
    again = load_digest(path)
    with open(path, "r+b") as file:  # changed in place: its bytes are not these abstracts
        file.write(b"| 1999")
    assert again.papers[0].abstract == CHANGED


def test_a_file_replaced_while_it_was_read_is_read_again(
    keep_all: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(20), "utf-8")
    opened = abstracts.FileAbstracts.open

    def then_replaced(name: str) -> abstracts.FileAbstracts | None:
        kept = opened(name)
        other = tmp_path / "other.md"
        other.write_text(HEADER + rows(20, "Replaced text, the one read. "), "utf-8")
        os.replace(other, path)  # after the abstracts' file was opened, before it was read
        return kept

    monkeypatch.setattr(abstracts.FileAbstracts, "open", staticmethod(then_replaced))
    digest = load_digest(path)
    assert all("Replaced text" in paper.abstract for paper in digest.papers)
    assert kept_count(digest) == 0  # read again, into memory


def test_the_cache_entry_of_kept_abstracts_reads_back_the_same(
    keep_all: None, tmp_path: Path
) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(500, "Naïve — quantized text. "), "utf-8")
    fresh = open_digest(path, min_bytes=0, background=False)
    assert kept_count(fresh) == 500
    again = open_digest(path, min_bytes=0)
    assert [p.abstract for p in again.papers] == [p.abstract for p in fresh.papers]
    assert again.papers == fresh.papers


def test_the_search_text_is_written_as_built_and_mapped(keep_all: None, tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(400, "Naïve — Quantized text. "), "utf-8")
    digest = open_digest(path, min_bytes=0, background=False)
    in_memory = SearchText.build(digest._search_texts())
    built = digest.haystacks  # written to the cache as it is built, then mapped
    assert not isinstance(built.data, bytes)
    assert built == in_memory
    again = open_digest(path, min_bytes=0)
    assert again.haystacks == in_memory


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(model, "BLOCK_BYTES", 300)
    monkeypatch.setattr(engine, "_PROBE", 2)
    engine._CACHE.clear()
    yield
    engine._CACHE.clear()


@pytest.mark.parametrize(
    "query", ["quantized", "naïve", "7", "-1", "abstract:text", "q", '"text. 1"', "/paper 1\\d/"]
)
def test_a_mapped_search_text_is_scanned_in_blocks_as_one_in_memory(
    keep_all: None, small_blocks: None, tmp_path: Path, query: str
) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(300, "Naïve — Quantized text. "), "utf-8")
    mapped = open_digest(path, min_bytes=0, background=False)
    assert not isinstance(mapped.haystacks.data, bytes)
    blocks = list(mapped.haystacks.blocks(0, len(mapped)))
    assert len(blocks) > 10 and all(isinstance(block, bytearray) for _, _, block, _ in blocks)
    plain = load_digest(path)
    plain.search_store = None
    everything = range(len(plain))
    want = parse_query(query).filter(plain, everything)
    assert parse_query(query).filter(mapped, everything) == want
    assert want


def test_the_token_index_of_a_mapped_search_text_is_that_of_one_in_memory(
    keep_all: None, small_blocks: None, tmp_path: Path
) -> None:
    """Built a block at a time from the cached search text (each block's papers at offsets from
    the block's start, not 0), the token index is the one built from the text in memory (each
    paper's tokens its own; found by `make mutate`)."""
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(300, "Naïve — Quantized text. "), "utf-8")
    mapped = open_digest(path, min_bytes=0, background=False)
    blocks = list(mapped.haystacks.blocks(0, len(mapped)))
    assert len(blocks) > 10 and all(base for _, _, _, base in blocks[1:])
    from_blocks = tokens.build(mapped.haystacks)
    whole = tokens.build(SearchText.build(mapped._search_texts()))
    assert from_blocks is not None and whole is not None
    assert (from_blocks.joined, list(from_blocks.offsets), list(from_blocks.ids)) == (
        whole.joined,
        list(whole.offsets),
        list(whole.ids),
    )
    assert from_blocks.dense == whole.dense


def test_the_cache_writes_kept_abstracts_a_chunk_at_a_time(
    keep_all: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry is written from the file's bytes, a chunk at a time: never every abstract
    read as text (that was a second copy of them all at a first open)."""
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(200), "utf-8")
    digest = load_digest(path)
    read: list[int] = []
    raws = abstracts.FileAbstracts.raws

    def counting(self: abstracts.FileAbstracts, indices: list[int]) -> list[bytes]:
        read.append(len(indices))
        return raws(self, indices)

    monkeypatch.setattr(abstracts.FileAbstracts, "raws", counting)
    monkeypatch.setattr(abstracts.FileAbstracts, "text", None)  # not read as text at all
    monkeypatch.setattr(digest_cache, "CHUNK", 64)
    base = tmp_path / "entry"
    digest_cache._write(base, ("h",), digest, background=False)
    assert read == [64, 64, 64, 8]


def test_the_cache_entry_is_written_with_a_pause_for_queries_between_chunks(
    keep_all: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry is written a chunk at a time, and between chunks it waits while a query is
    filtered in a thread (`model.QUERY_PAUSE`, set by `reader.query`): the user's query goes
    first; and with a query running it waits only so long."""
    assert model.QUERY_PAUSE[0] is not None
    pauses: list[int] = []
    monkeypatch.setattr(model, "QUERY_PAUSE", [lambda: pauses.append(1)])
    monkeypatch.setattr(digest_cache, "CHUNK", 16)
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(100), "utf-8")
    fresh = open_digest(path, min_bytes=0, background=False)
    assert len(pauses) >= 2 * (100 // 16)
    assert open_digest(path, min_bytes=0).papers == fresh.papers


def test_the_pause_waits_for_a_query_in_a_thread_only_so_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from reader.query import engine as query_engine

    monkeypatch.setattr(query_engine, "ENTRY_WAIT", 0.05)
    started = time.monotonic()
    model.QUERY_PAUSE[0]()  # no query: at once
    assert time.monotonic() - started < 0.05
    with query_engine._RUNNING:
        query_engine._RUNNING.count += 1
    try:
        started = time.monotonic()
        model.QUERY_PAUSE[0]()  # a query runs: waits, at most ENTRY_WAIT
        assert 0.04 < time.monotonic() - started < 5
    finally:
        with query_engine._RUNNING:
            query_engine._RUNNING.count -= 1
