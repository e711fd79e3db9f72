"""The token index on a realistic vocabulary: build time, size, load time and lookups.

Run: `.venv/bin/python tests/benchmarks/token_index.py [--papers 100000] [--vocabulary 300000]`
(not collected by pytest). The generated digests of `generate.py` draw their words from a few
hundred, so their index is small (825 tokens at 100k); real abstracts hold hundreds of thousands
of distinct words. This draws each paper's 180 words from a Zipf distribution over a vocabulary
of random letter strings (with "quantized", "quantization", "quality", "question" and "the" the
most common), builds the index as the TUI does, writes and reads its records as the cache does,
and times lookups of the bench's filter word typed a letter at a time and of a few others.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import marshal
import random
import sys
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(ROOT))

from reader import tokens  # noqa: E402
from reader.model import SearchText  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--vocabulary", type=int, default=300_000)
    args = parser.parse_args()
    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted(
        {"".join(rng.choices(letters, k=rng.randint(2, 12))) for _ in range(args.vocabulary)}
    )
    rng.shuffle(words)
    words[:5] = ["quantized", "quantization", "quality", "question", "the"]
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    search = SearchText.build(
        " ".join(rng.choices(words, cum_weights=weights, k=180)) for _ in range(args.papers)
    )
    print(f"{args.papers:,} papers, {len(search.data) / 1e6:.0f} MB of search text")
    gc.disable()
    started = time.perf_counter()
    index = tokens.build(search)
    assert index is not None
    print(f"build: {time.perf_counter() - started:.1f} s")
    print(
        f"tokens: {len(index):,}, dense {len(index.dense):,},"
        f" sparse paper numbers {len(index.ids):,}"
    )
    meta, ids = index.records()
    raw = marshal.dumps(meta)
    print(f"records: {len(raw) / 1e6:.1f} MB read, {len(ids) / 1e6:.1f} MB of paper numbers")
    started = time.perf_counter()
    numbers = array("I")
    numbers.frombytes(ids)
    again = tokens.from_records(marshal.loads(raw), args.papers, numbers)
    assert again is not None
    print(f"read back: {(time.perf_counter() - started) * 1000:.0f} ms")
    for word in [*("quantized"[:n] for n in range(1, 10)), "e", "th", "ing", "zzqx"]:
        started = time.perf_counter()
        found = again.lookup(word.encode())
        ms = (time.perf_counter() - started) * 1000
        told = "not looked up (searched for)" if found is None else f"{sum(found[0]):,} papers"
        print(f"  {word!r}: {told}, {ms:.1f} ms")


if __name__ == "__main__":
    main()
