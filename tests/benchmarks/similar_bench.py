"""The cost of `like:` (issue 27), in process, against a floor measured in the same run.

Run: `.venv/bin/python tests/benchmarks/similar_bench.py [--sizes 1k,10k,100k] [--json]`
(`run.py` runs it once per size, in a fresh process; not collected by pytest). For each
generated digest (`generate.py`), with an empty parsed-digest cache:

- build: the similarity index built from the search text (`similar.build`, the first `like:`
  of a digest; then kept in the cache), and read back from the cache;
- memory: what the index takes once read back and asked (its arrays, the term table, the last
  scores: `tracemalloc`, the allocations the first `like:ID` query leaves), against the file;
- `like:ID`: `select(digest, None, parse_query("like:ID"))`, the whole query (parse, filter,
  rank, order: its last paper read, so that the papers a big ranking sorts only when read,
  `similar.Ordered`, are sorted too), for papers spread over the digest, the scores not
  remembered: median;
- `like:starred` with 50 starred papers (a profile of 50 vectors), the same way;
- the floor: sorting every paper's index by a key of random integers
  (`sorted(range(N), key=keys.__getitem__)`), the least any ordering of all the papers costs in
  Python: median of the same number of runs.

Goals at 100k: `like:ID` <= 3x the floor (~50 ms here, where the floor is ~15 ms),
`like:starred` (50) <= 12x (~200 ms), memory <= 0.3x the file.

The generated digests draw on a few hundred words, so their terms are few and their postings
long (the worst case for reading postings, the best for the term table). `--zipf` measures
digests of the same sizes whose titles (8 words) and abstracts (180 words) are drawn from a
Zipf distribution over 300,000 random words (as `token_index.py` does): many terms, short
postings.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):
    sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import generate  # noqa: E402

GOAL_LIKE = 3.0
"""`like:ID` against the floor (a sort of every paper by a precomputed key)."""
GOAL_PROFILE = 12.0
"""`like:starred` with 50 starred papers against the same floor."""
GOAL_MEMORY = 0.3
"""The similarity index in memory against the digest file."""
STARRED = 50
RUNS = 9


class Starred:
    """A reading state with `STARRED` papers starred, spread over the digest."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = frozenset(keys)

    def is_read(self, key: str) -> bool:
        return False

    def is_starred(self, key: str) -> bool:
        return key in self.keys

    def starred_keys(self) -> frozenset[str]:
        return self.keys


@dataclass
class Result:
    label: str
    papers: int
    file_bytes: int
    build_s: float = float("nan")
    read_ms: float = float("nan")
    terms: int = 0
    postings: int = 0
    memory_bytes: int = 0
    floor: list[float] = field(default_factory=list)
    like: list[float] = field(default_factory=list)
    like_with_terms: list[float] = field(default_factory=list)
    profile: list[float] = field(default_factory=list)

    def ratios(self) -> dict[str, float]:
        floor = statistics.median(self.floor)
        return {
            "like": statistics.median(self.like) / floor,
            "profile": statistics.median(self.profile) / floor,
            "memory": self.memory_bytes / self.file_bytes,
        }


def measure(label: str, runs: int = RUNS, zipf: bool = False) -> Result:
    with tempfile.TemporaryDirectory(prefix="reader-similar-bench-") as cache:
        os.environ["READER_CACHE_DIR"] = cache  # empty: the index is built, then read back
        path = zipf_digest(label) if zipf else generate.ensure(label)
        return _measure(label, path, runs)


def zipf_digest(label: str, vocabulary: int = 300_000) -> Path:
    """A pipe-table digest of `label` papers whose words follow a Zipf distribution (made once,
    beside the generated ones)."""
    count = generate.size_of(label)
    path = generate.OUT / f"digest-zipf-{label}.md"
    if path.is_file():
        return path
    rng = random.Random(27)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rng.choices(letters, k=rng.randint(2, 12))) for _ in range(vocabulary)})
    rng.shuffle(words)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    generate.OUT.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".tmp"), "w", encoding="utf-8") as out:
        out.write("| Week | title | category | abstract | Paper-Link |\n|---|---|---|---|---|\n")
        for n in range(count):
            week = generate.NEWEST - timedelta(weeks=n // 100)
            title, abstract = (
                " ".join(rng.choices(words, cum_weights=weights, k=k)) for k in (8, 180)
            )
            link = f"https://arxiv.org/abs/{week:%y%m}.{n % 100000:05d}"
            out.write(f"| {week} | {title} | Machine Learning | {abstract} | {link} |\n")
    path.with_suffix(".tmp").replace(path)
    return path


def _measure(label: str, path: Path, runs: int) -> Result:
    from reader import similar
    from reader.query import parse_query, select
    from reader.sources.digest_cache import open_digest

    digest = open_digest([path], background=False)
    count = len(digest)
    result = Result(label, count, path.stat().st_size)
    digest.haystacks  # noqa: B018 - read (or built) before the clock starts, as the TUI does
    started = time.perf_counter()
    index = similar.build(digest)
    result.build_s = time.perf_counter() - started
    assert index is not None
    store = digest.search_store
    assert store is not None
    stamp = similar.authors_stamp(digest)
    store.save_similar(index, stamp)  # type: ignore[attr-defined]
    del index
    similar._CACHE.clear()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the cache file is written in a thread
        if list(Path(os.environ["READER_CACHE_DIR"]).rglob("*.similar")):
            time.sleep(0.5)
            break
        time.sleep(0.05)

    rng = random.Random(27)
    papers = [digest.papers[i].key for i in rng.sample(range(count), runs)]
    started = time.perf_counter()
    read = store.load_similar(count, stamp)  # type: ignore[attr-defined]
    result.read_ms = (time.perf_counter() - started) * 1000
    del read
    tracemalloc.start()  # what the index takes once read back and asked, not its reading
    read = store.load_similar(count, stamp)  # type: ignore[attr-defined]
    assert read is not None
    similar._CACHE[id(digest)] = (digest, read)
    select(digest, None, parse_query(f"like:{papers[0]}"))
    result.memory_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    result.terms, result.postings = len(read), len(read.docs)

    keys = [rng.randrange(1 << 30) for _ in range(count)]
    state = Starred([digest.papers[i].key for i in rng.sample(range(count), STARRED)])
    for key in papers:
        started = time.perf_counter()
        sorted(range(count), key=keys.__getitem__)
        result.floor.append((time.perf_counter() - started) * 1000)
        for query, times in (
            (f"like:{key}", result.like),
            (f"like:{key} quantized", result.like_with_terms),
        ):
            read._memo.clear()
            started = time.perf_counter()
            select(digest, None, parse_query(query))[-1:]  # the whole order, its last paper too
            times.append((time.perf_counter() - started) * 1000)
        read._memo.clear()
        started = time.perf_counter()
        select(digest, None, parse_query("like:starred"), state)[-1:]
        result.profile.append((time.perf_counter() - started) * 1000)
    return result


def report(results: list[Result]) -> str:
    lines = [
        "| size | build | read back | memory | floor (sort) | like:ID | like:ID quantized |"
        " like:starred (50) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratios = r.ratios()
        floor = statistics.median(r.floor)

        def verdict(ok: bool, judged: bool = r.label == "100k") -> str:
            return (" PASS" if ok else " FAIL") if judged else ""

        lines.append(
            f"| {r.label} | {r.build_s:.1f} s | {r.read_ms:.0f} ms | "
            f"{r.memory_bytes / 1e6:.1f} MB, {ratios['memory']:.2f}x the file"
            f"{verdict(ratios['memory'] <= GOAL_MEMORY)} | {floor:.1f} ms | "
            f"{statistics.median(r.like):.1f} ms, {ratios['like']:.1f}x"
            f"{verdict(ratios['like'] <= GOAL_LIKE)} | "
            f"{statistics.median(r.like_with_terms):.1f} ms | "
            f"{statistics.median(r.profile):.1f} ms, {ratios['profile']:.1f}x"
            f"{verdict(ratios['profile'] <= GOAL_PROFILE)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1k,10k,100k")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", action="store_true", help="one json object per size")
    parser.add_argument("--zipf", action="store_true", help="Zipf-vocabulary digests instead")
    args = parser.parse_args(argv)
    results = []
    for label in (part.strip() for part in args.sizes.split(",") if part.strip()):
        result = measure(label, args.runs, args.zipf)
        if args.json:
            print(json.dumps(asdict(result)), flush=True)
        results.append(result)
    if not args.json:
        print(report(results))
    return 0


if __name__ == "__main__":
    from tests.processes import exit_on_sigterm

    exit_on_sigterm()  # `kill PID` unwinds: its temporary folders and servers go too
    sys.exit(main())
