"""A query answered before the search text is built (`reader.query.early`, issue 26): a query of
plain words typed during a first open is answered from the digest file, whatever the abstracts
hold, with the hits of searching the search text; and it does not wait for the build."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reader.sources.formats
from reader import abstracts
from reader.model import Digest, SearchText, stored_abstract
from reader.query import early, engine, parse_query
from reader.sources.loader import load_digest
from tests.unit.conftest import HeldBuild
from tests.unit.test_fuzz import FUZZ

HEADER = "| Week | title | category | abstract | Paper-Link |\n|---|---|---|---|---|\n"
ABSTRACTS = [
    "Plain ASCII words about Quantized MODELS and rewards.",
    "Code atthis https URLand more, see this http URL.",  # a space goes in: "at this", "URL and"
    r"Pre\emph{fix}ed words, \textbf{Quant}ized and 50\% more.",  # LaTeX joins "prefixed"
    r"A dotted \.i here: ab\.icd, and Fr\'echet.",  # "abi" + U+0307: "abi" only once cleaned
    "Naïve Ünïcode — QUANTIZED, the \u212aelvin sign is a k: \u212aernel.",  # "kernel" once lowered
    "A tilde~here and a dash -- there, two  spaces.",
    "Math $O(N \\log N)$ inline and a $ alone.",
    "Quantized quantized QUANTIZED at the end quantized",
]
CATEGORIES = ["Machine Learning", "Computer Vision", "Quantized Things"]


def rows(count: int) -> str:
    return "".join(
        f"| 2023-06-{11 + n % 3 * 7:02d} | Paper {n} {'Kernel' if n % 5 == 0 else 'ÉTUDE'} "
        f"| {CATEGORIES[n % len(CATEGORIES)]} | {ABSTRACTS[n % len(ABSTRACTS)]} {n} "
        f"| https://arxiv.org/abs/2306.{n:05d} |\n"
        for n in range(count)
    )


@pytest.fixture
def digest(keep_all: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Digest:
    monkeypatch.setattr(abstracts, "_SCAN_BYTES", 700)  # many blocks
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(len(ABSTRACTS) * 9), "utf-8")
    found = load_digest(path)
    assert all(not isinstance(stored_abstract(paper), str) for paper in found.papers)
    return found


def searched(digest: Digest, words: list[str], indices: list[int]) -> list[int]:
    texts = list(SearchText.build(digest._search_texts()))
    return [i for i in indices if all(word in texts[i] for word in words)]


WORDS = [
    "quantized", "q", "at", "this", "url", "and", "prefixed", "fix", "quantiz", "abi", "icd",
    "kernel", "k", "echet", "here", "log", "machine", "vision", "things", "paper", "1", "12",
    "tude", "zzz", "urland", "atthis", "e", "n",
]  # fmt: skip


def test_each_word_has_the_hits_of_the_search_text(digest: Digest) -> None:
    everything = list(range(len(digest)))
    for word in WORDS:
        assert early.answer([word], digest, range(len(digest))) == searched(
            digest, [word], everything
        ), word
    assert searched(digest, ["prefixed"], everything)  # made by cleaning, found
    assert searched(digest, ["abi"], everything)
    assert searched(digest, ["kernel"], everything)
    assert not searched(digest, ["atthis"], everything)  # unmade by cleaning, not found
    assert early.planned()
    digest.haystacks  # noqa: B018 - built
    assert parse_query("quantized").filter(digest, everything, None) == searched(
        digest, ["quantized"], everything
    )
    assert not early.planned()  # dropped once the search text is there


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3), st.data())
@settings(FUZZ, max_examples=60)
def test_words_within_any_papers_have_the_hits_of_the_search_text(
    tmp_path_factory: pytest.TempPathFactory, words: list[str], data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("early") / "d.md"
    path.write_text(HEADER + rows(len(ABSTRACTS) * 3), "utf-8")
    with (
        mock.patch.object(abstracts, "MIN_FILE_BYTES", 0),
        mock.patch.object(abstracts, "MIN_DEFERRED", 1),
        mock.patch.object(reader.sources.formats.table, "MIN_DEFERRED", 1),
        mock.patch.object(abstracts, "_SCAN_BYTES", data.draw(st.sampled_from([1, 300, 1 << 20]))),
    ):
        found = load_digest(path)
        indices = data.draw(st.lists(st.integers(0, len(found) - 1), unique=True))
        assert early.answer(words, found, indices) == searched(found, words, indices)


def test_abstracts_kept_in_memory_are_searched_beside_those_in_the_file(
    keep_all: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quarter of the abstracts are too short to be kept in the file: they are searched in
    memory, the rest in the file's bytes, with the search text's hits (found by `make mutate`:
    no test had both kinds)."""
    monkeypatch.setattr(reader.sources.formats.table, "MIN_DEFERRED", 46)
    monkeypatch.setattr(abstracts, "_SCAN_BYTES", 700)
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(len(ABSTRACTS) * 9), "utf-8")
    found = load_digest(path)
    in_memory = [i for i, paper in enumerate(found.papers) if type(stored_abstract(paper)) is str]
    assert 0 < len(in_memory) * 4 <= len(found)
    everything = list(range(len(found)))
    for word in WORDS:
        hits = early.answer([word], found, range(len(found)))
        assert hits == searched(found, [word], everything), word
    assert set(in_memory) & set(searched(found, ["here"], everything))


def test_only_plain_words_are_answered_so() -> None:
    assert early.words_of(["quantized", "4bit"]) == ["quantized", "4bit"]
    for texts in ([], ["self-supervised"], ["two words"], ["naïve"], ["Upper"]):
        assert early.words_of(texts) is None


def test_a_changed_file_is_not_answered_from(digest: Digest, tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    with open(path, "r+b") as file:
        file.write(b"|")
    os.utime(path, ns=(1, 1))
    assert early.answer(["quantized"], digest, range(len(digest))) is None


def test_a_query_in_a_thread_does_not_wait_for_the_build(
    digest: Digest, held_build: HeldBuild
) -> None:
    """While another thread builds the search text (held up here), a query of words filtered in
    a thread gets its hits; a regex still waits for the build."""
    builder = threading.Thread(target=lambda: digest.haystacks)
    builder.start()
    try:
        assert held_build.building.wait(10)
        everything = range(len(digest))
        hits = parse_query("quantized models").filter(
            digest, everything, None, cancelled=lambda: False
        )
        assert not digest.has_haystacks  # answered while the build is held up
        waited: list[list[int]] = []
        pattern = parse_query("/quantiz[e]d/")
        regex = threading.Thread(
            target=lambda: waited.append(
                pattern.filter(digest, everything, None, cancelled=lambda: False)
            )
        )
        regex.start()
        regex.join(0.2)
        assert not waited  # it waits for the search text
    finally:
        held_build.release.set()
        builder.join(10)
    regex.join(10)
    assert hits == searched(digest, ["quantized", "models"], list(everything))
    assert hits == parse_query("quantized models").filter(digest, everything, None)
    assert waited == [[i for i, t in enumerate(digest.haystacks) if re.search("quantized", t)]]


def test_a_query_called_off_stops_its_scan(digest: Digest) -> None:
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] > 2

    with pytest.raises(engine.Cancelled):
        parse_query("quantized").filter(digest, range(len(digest)), None, cancelled=cancelled)
    assert not digest.has_haystacks
