"""reader's own similarity index (`reader.similar`) against `bm25s`, the dependency issue 27
names: build time, memory, `like:ID` and a 50-paper profile at 100k papers, and quality on the
public digest.

Run in a scratch environment that has bm25s (it is not a dependency of reader):
`python -m venv /tmp/cmp && /tmp/cmp/bin/pip install bm25s platformdirs pylatexenc rich`, then
`/tmp/cmp/bin/python tests/benchmarks/similar_compare.py [--size 100k] [--upstream DIR]`
(not collected by pytest). bm25s gets the same text as reader (title three times, then the
abstract and summary), its own tokenizer and English stop words; a paper's `like:` is
`get_scores` of its tokens and a stable argsort of every paper (bm25s's `retrieve` gives a
top k, `like:` orders every paper); a profile is the tokens of all 50 papers.
"""

from __future__ import annotations

import argparse
import glob
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):
    sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import generate  # noqa: E402
import similar_quality  # noqa: E402

from reader import similar  # noqa: E402
from reader.model import Digest  # noqa: E402
from reader.sources.loader import load_digest  # noqa: E402


def texts(digest: Digest) -> list[str]:
    search = digest.haystacks
    out = []
    for i in range(len(digest)):
        text = search.text(i)
        title, _, rest = text.partition("\n")
        _, _, body = rest.partition("\n")
        out.append(f"{title} {title} {title} {body}")
    return out


class Bm25:
    def __init__(self, digest: Digest) -> None:
        import bm25s
        import numpy

        self.numpy = numpy
        started = time.perf_counter()
        self.tokens = bm25s.tokenize(texts(digest), stopwords="en", show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(self.tokens, show_progress=False)
        self.build_s = time.perf_counter() - started
        self.vocab = {number: word for word, number in self.tokens.vocab.items()}
        scores = self.retriever.scores
        self.nbytes = sum(scores[k].nbytes for k in ("data", "indices", "indptr"))

    def query(self, papers: list[int]) -> list[str]:
        words: list[str] = []
        for paper in papers:
            words.extend(self.vocab[t] for t in set(self.tokens.ids[paper]))
        return words

    def order(self, papers: list[int]) -> list[int]:
        scores = self.retriever.get_scores(self.query(papers))
        scores[papers] = -1
        return [int(i) for i in self.numpy.argsort(-scores, kind="stable")]


class Own:
    def __init__(self, digest: Digest) -> None:
        self.digest = digest
        started = time.perf_counter()
        index = similar.build(digest)
        assert index is not None
        self.index = index
        self.build_s = time.perf_counter() - started
        self.nbytes = index.nbytes()

    def order(self, papers: list[int]) -> list[int]:
        self.index._memo.clear()
        ranking = similar.rank(self.digest, self.index, papers)
        chosen = set(papers)
        return ranking.order(i for i in range(len(self.digest)) if i not in chosen)


def timed(order: Callable[[list[int]], list[int]], cases: list[list[int]]) -> float:
    times = []
    for papers in cases:
        started = time.perf_counter()
        order(papers)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def precision(digest: Digest, order: Callable[[list[int]], list[int]]) -> float:
    means = []
    for members in similar_quality.families(digest).values():
        group = set(members)
        means.append(
            statistics.mean(sum(1 for hit in order([m])[:10] if hit in group) / 10 for m in members)
        )
    return statistics.mean(means)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--upstream", type=Path, default=similar_quality.UPSTREAM)
    args = parser.parse_args(argv)
    try:
        import bm25s  # noqa: F401
    except ImportError:
        print("bm25s is not installed here: see the docstring", file=sys.stderr)
        return 2
    from reader.sources.digest_cache import open_digest

    path = generate.ensure(args.size)
    digest = open_digest([path], background=False)
    digest.haystacks  # noqa: B018
    count = len(digest)
    step = count // 9
    singles = [[i * step] for i in range(9)]
    profiles = [[(i * 7919 + j * 1999) % count for j in range(50)] for i in range(3)]
    print(f"{args.size}: {count} papers, {path.stat().st_size / 1e6:.0f} MB")
    print("| engine | build | memory | like:ID | like: 50 papers | precision@10 (public) |")
    print("|---|---|---|---|---|---|")
    public = load_digest(sorted(glob.glob(str(args.upstream / "years" / "*.md"))))
    for name, make in (("reader.similar", Own), ("bm25s", Bm25)):
        engine = make(digest)
        quality = make(public)
        print(
            f"| {name} | {engine.build_s:.1f} s | {engine.nbytes / 1e6:.1f} MB "
            f"({engine.nbytes / path.stat().st_size:.2f}x) | "
            f"{timed(engine.order, singles):.1f} ms | {timed(engine.order, profiles):.1f} ms | "
            f"{precision(public, quality.order):.2f} |",
            flush=True,
        )
        del engine, quality
    return 0


if __name__ == "__main__":
    sys.exit(main())
