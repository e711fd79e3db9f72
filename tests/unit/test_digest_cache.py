"""The parsed-digest cache: a second open reads the entry; any change or damage means a parse."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model import Digest, Paper
from reader.sources import digest_cache, loader, source
from reader.sources.digest_cache import VERSION, cache_dir, open_digest
from reader.sources.loader import load_digest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _wait_for_writes() -> None:
    for thread in threading.enumerate():
        if thread.name == "reader-cache-write":
            thread.join()


def _same(a: Digest, b: Digest) -> None:
    assert a.papers == b.papers
    assert a.weeks == b.weeks
    assert a.week_ranges == b.week_ranges
    assert (a.name, a.source, a.joined) == (b.name, b.source, b.joined)


def _open(path: Path | list[Path]) -> Digest:
    digest = open_digest(path, min_bytes=0)
    _wait_for_writes()
    return digest


@pytest.fixture
def digest_file(tmp_path: Path, bundled_path: Path) -> Path:
    path = tmp_path / "digest.md"
    shutil.copy(bundled_path, path)
    return path


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Calls of the parser made through the cache (none when an entry is used)."""
    calls: list[object] = []
    real = loader.load_digest  # what the cache calls to parse

    def counting(*args: object, **kwargs: object) -> Digest:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(digest_cache, "load_digest", counting)
    return calls


def _entries() -> list[Path]:
    return sorted(cache_dir().glob("*.papers"))


def test_the_cache_is_under_the_override(tmp_path: Path) -> None:
    assert cache_dir() == tmp_path / "cache" / "parsed"


def test_a_second_open_reads_the_entry(digest_file: Path, no_parse: list[object]) -> None:
    first = _open(digest_file)
    assert len(no_parse) == 1
    assert len(_entries()) == 1
    second = _open(digest_file)
    assert len(no_parse) == 1  # not parsed again
    _same(second, first)
    _same(second, load_digest(digest_file))


def test_links_authors_and_odd_text_come_back_the_same(tmp_path: Path) -> None:
    papers = json.loads((FIXTURES / "hostile.json").read_text(encoding="utf-8"))
    papers[0]["authors"] = ["Tim Dettmers", "Ŝ Ĉ \u200b", ""]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(papers), encoding="utf-8")
    _open(path)
    again = _open(path)
    _same(again, load_digest(path))
    assert again.papers[0].links and again.papers[0].authors[0] == "Tim Dettmers"


def test_the_search_text_is_kept_and_read_back(digest_file: Path) -> None:
    fresh = load_digest(digest_file).haystacks
    _open(digest_file).haystacks  # noqa: B018 - built once, then saved
    _wait_for_writes()
    assert sorted(cache_dir().glob("*.search"))
    again = _open(digest_file)
    assert again.search_store is not None
    assert again.search_store.load(len(again)) == fresh
    assert again.haystacks == fresh


def test_a_changed_file_is_parsed_again(digest_file: Path, no_parse: list[object]) -> None:
    _open(digest_file)
    text = digest_file.read_text(encoding="utf-8")
    digest_file.write_text(text.replace("LLaMA", "Llama", 1), encoding="utf-8")  # same size
    stat = digest_file.stat()
    os.utime(digest_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    changed = _open(digest_file)
    assert len(no_parse) == 2
    _same(changed, load_digest(digest_file))
    assert len(_entries()) == 1  # rewritten in place


def test_a_touched_file_is_parsed_again(digest_file: Path, no_parse: list[object]) -> None:
    _open(digest_file)
    stat = digest_file.stat()
    os.utime(digest_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    _open(digest_file)
    assert len(no_parse) == 2


def test_an_older_format_version_is_parsed_again(
    digest_file: Path, no_parse: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_cache, "VERSION", VERSION - 1)
    _open(digest_file)
    monkeypatch.setattr(digest_cache, "VERSION", VERSION)
    _same(_open(digest_file), load_digest(digest_file))
    assert len(no_parse) == 2
    _open(digest_file)
    assert len(no_parse) == 2  # the entry rewritten in the current version serves


def test_each_list_of_sources_has_its_own_entry(tmp_path: Path, digest_file: Path) -> None:
    other = tmp_path / "other.json"
    shutil.copy(FIXTURES / "hostile.json", other)
    both = _open([digest_file, other])
    _open(digest_file)
    assert len(_entries()) == 2
    _same(_open([digest_file, other]), both)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: b"\x00" * len(data),
        lambda data: data + b"junk",
        lambda data: data[:8] + b"\xff" * 8 + data[16:],
        lambda data: data.replace(b"LLaMA", b"LL\xffA"),
    ],
    ids=["empty", "half", "last-byte", "zeros", "trailing", "length", "bad-utf8"],
)
def test_a_damaged_entry_is_rebuilt_not_a_crash(digest_file: Path, damage: object) -> None:
    _open(digest_file)
    (entry,) = _entries()
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    _same(_open(digest_file), load_digest(digest_file))
    _same(_open(digest_file), load_digest(digest_file))  # and the rebuilt entry serves


def test_a_damaged_search_file_is_rebuilt(digest_file: Path) -> None:
    _open(digest_file).haystacks  # noqa: B018
    _wait_for_writes()
    (search,) = sorted(cache_dir().glob("*.search"))
    search.write_bytes(search.read_bytes()[:100])
    assert _open(digest_file).haystacks == load_digest(digest_file).haystacks


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damage_to_an_entry_gives_the_digest_or_a_parse(
    digest_file: Path, data: st.DataObject
) -> None:
    """Bytes overwritten anywhere: the open never raises, and what it gives is either the same
    digest (a damaged string is not worse than the file it came from: see below) or a parse."""
    _open(digest_file)
    (entry,) = _entries()
    original = entry.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1))
    patch = data.draw(st.binary(min_size=1, max_size=16))
    damaged = original[:at] + patch + original[at + len(patch) :]
    entry.write_bytes(damaged)
    digest = _open(digest_file)
    fresh = load_digest(digest_file)
    assert len(digest) == len(fresh)
    assert [type(paper) for paper in digest.papers] == [type(paper) for paper in fresh.papers]
    for paper in digest.papers:  # whatever came back has the right types throughout
        assert isinstance(paper.title, str) and isinstance(paper.abstract, str)
        assert all(isinstance(name, str) for name in paper.authors)
        assert all(isinstance(link.url, str) for link in paper.links)
    entry.write_bytes(original)


def test_a_damaged_record_is_refused_before_it_is_unmarshalled(
    digest_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each record's checksum is checked first: marshal makes a tuple as long as its count says
    before it reads the items, so a damaged count made one open claim 1.2 GB (in a run of the
    test above)."""
    _open(digest_file)
    (entry,) = _entries()
    original = entry.read_bytes()
    header = 12 + int.from_bytes(original[4:12], "little")  # the header record, whole
    length = int.from_bytes(original[header + 4 : header + 12], "little")
    start = header + 12  # the first chunk of papers: its bytes
    damaged = bytearray(original)
    damaged[start + length // 2] ^= 0xFF
    entry.write_bytes(bytes(damaged))
    record = bytes(damaged[start : start + length])
    given: list[bytes] = []
    real = marshal.loads

    def loads(data: bytes) -> object:
        given.append(bytes(data))
        return real(data)

    monkeypatch.setattr(marshal, "loads", loads)
    _same(_open(digest_file), load_digest(digest_file))  # parsed again
    assert given, "the header was read"
    assert record not in given


def test_an_unwritable_cache_is_skipped(
    tmp_path: Path, digest_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("READER_CACHE_DIR", str(blocker))
    _same(_open(digest_file), load_digest(digest_file))


def test_small_digests_and_missing_files_are_not_cached(tmp_path: Path, digest_file: Path) -> None:
    open_digest(digest_file)  # the bundled digest is under MIN_BYTES
    _wait_for_writes()
    assert not cache_dir().exists()
    from reader.sources.loader import LoadError

    with pytest.raises(LoadError, match="no such file"):
        open_digest(tmp_path / "missing.md", min_bytes=0)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damage_to_the_search_file_gives_a_search_text_or_a_rebuild(
    digest_file: Path, data: st.DataObject
) -> None:
    """The search text's entry (lengths, then one block) damaged anywhere: reading it never
    raises, and what comes back has one text per paper."""
    _open(digest_file).haystacks  # noqa: B018 - built once, then saved
    _wait_for_writes()
    (search,) = sorted(cache_dir().glob("*.search"))
    original = search.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1))
    patch = data.draw(st.binary(min_size=1, max_size=16))
    cut = data.draw(st.booleans())
    damaged = original[:at] + patch + (b"" if cut else original[at + len(patch) :])
    search.write_bytes(damaged)
    digest = _open(digest_file)
    texts = digest.haystacks
    assert len(texts) == len(digest)
    assert all(isinstance(text, str) for text in texts)
    _wait_for_writes()
    search.write_bytes(original)


def test_abstracts_are_read_from_the_entry_when_asked(digest_file: Path) -> None:
    """A paper read back from the cache keeps its abstract on disk: it reads the entry it was
    opened with, even once a newer entry has taken its place."""
    fresh = load_digest(digest_file)
    _open(digest_file)
    cached = _open(digest_file)
    slot = Paper.__dict__["abstract"].slot  # under the field: what the paper holds
    assert not isinstance(slot.__get__(cached.papers[0]), str)  # a reference, not the text
    assert isinstance(slot.__get__(fresh.papers[0]), str)
    (entry,) = _entries()
    replacement = entry.with_name(entry.name + ".new")
    replacement.write_bytes(b"not an entry")
    os.replace(replacement, entry)  # as a writer would: renamed over it
    assert [paper.abstract for paper in cached.papers] == [p.abstract for p in fresh.papers]
    assert cached.papers[3].text == fresh.papers[3].text


def test_an_entry_cut_short_while_open_gives_strings(digest_file: Path) -> None:
    _open(digest_file)
    cached = _open(digest_file)
    (entry,) = _entries()
    with open(entry, "r+b") as file:  # damaged in place, under the open entry
        file.truncate(entry.stat().st_size // 2)
    assert all(isinstance(paper.abstract, str) for paper in cached.papers)


def _big_digest(path: Path) -> Path:
    """A digest over `MIN_BYTES`, so that a `DigestSource` caches it."""
    rows = "".join(
        f"| 2023-06-{1 + n % 28:02d} | Paper {n} | cs.LG | {'An abstract. ' * 60} "
        f"| https://arxiv.org/abs/2306.{n:05d} |\n"
        for n in range(1500)
    )
    path.write_text("| Week | Title | Category | Abstract | Link |\n|---|---|---|---|---|\n" + rows)
    assert path.stat().st_size > digest_cache.MIN_BYTES
    return path


def _writers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "reader-cache-write"]


def test_a_deferred_entry_is_written_only_when_asked(
    tmp_path: Path, no_parse: list[object]
) -> None:
    path = _big_digest(tmp_path / "big.md")
    digests = source.DigestSource([str(path)])
    digests.defer_cache = True
    first = digests.load()
    assert not _writers() and not _entries()  # the TUI's first paint is not slowed down
    digests.write_cache()
    _wait_for_writes()
    assert len(_entries()) == 1
    digests.write_cache()  # once only
    assert not _writers()
    second = source.DigestSource([str(path)]).load()
    assert len(no_parse) == 1  # read from the entry
    _same(second, first)


def test_a_reload_writes_its_entry_at_once(tmp_path: Path) -> None:
    path = _big_digest(tmp_path / "big.md")
    digests = source.DigestSource([str(path)])
    digests.defer_cache = True
    digests.load()
    with path.open("a") as file:
        file.write("| 2023-07-02 | Newer | cs.LG | x | https://arxiv.org/abs/2307.00001 |\n")
    digests.reload()
    _wait_for_writes()
    assert len(_entries()) == 1  # the new file's entry (the first one was never written)
    assert not digests._deferred
