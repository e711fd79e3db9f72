"""Per-keystroke cost of the query engine, typing queries character by character.

Run: `.venv/bin/python tests/benchmarks/bench_query.py [--papers N] [--repeat R]`
(not collected by pytest). For the bundled digest and a deterministic synthetic digest
(default 100,000 papers, ~1,200-character abstracts, ~100 papers a week), it prints, per query, the
median / 90th percentile / worst time of one keystroke (parse + filter) from scratch and with
narrowing (filtering the previous hits when `Query.narrows` allows), in ms and as a ratio to a
floor measured in the same run: one bare pass `[i for i, h in enumerate(hay) if "x" in h]`.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reader.model import Digest, Paper  # noqa: E402
from reader.query import (  # noqa: E402
    Query,
    QueryError,
    category_counts,
    parse_query,
    select,
    sort_indices,
    week_counts,
)
from reader.text import arxiv_id  # noqa: E402

query_module = sys.modules["reader.query"]

BUNDLED = Path(__file__).resolve().parents[2] / "reader" / "data" / "ml-papers-2023.md"

QUERIES = [
    "large language model",
    "diffusion -vision cat:learn",
    '"reinforcement learning" OR robot',
    "title:transformer week:>=2015-01-01",
    "/token(izer|s)? budget/",
    "zzzqx",
]

CATEGORIES = [
    "Computation and Language",
    "Computer Vision and Pattern Recognition",
    "Machine Learning",
    "Artificial Intelligence",
    "Robotics",
    "Sound",
    "Human-Computer Interaction",
    "Computers and Society",
    "Information Retrieval",
    "Neural and Evolutionary Computing",
]

_ML_TEXT = (
    "model models language large learning neural network networks training data dataset "
    "transformer attention diffusion image images video text generation generative agent agents "
    "reinforcement policy reward robot robotic vision visual benchmark evaluation performance "
    "tasks task fine-tuning instruction tuning alignment human feedback reasoning chain thought "
    "retrieval augmented memory token tokens tokenizer context length efficient inference "
    "quantization sparse pruning parameter parameters scaling laws compute budget gradient "
    "optimization loss function representation embedding embeddings encoder decoder latent "
    "speech audio music 3d scene point cloud segmentation detection tracking graph knowledge "
    "code program synthesis mathematical math theorem proof planning tool use open-source "
    "state-of-the-art approach method methods propose proposed results show demonstrate novel "
    "framework system systems experiments analysis study improve improves improved significantly"
)
_FILLER_TEXT = (
    "the of and to in a we that for is on with by this as are our from be an can which it at or "
    "these their has have such both while than more when not also only each between into"
)
ML_WORDS = _ML_TEXT.split()
FILLER = _FILLER_TEXT.split()


def synthetic_digest(count: int, seed: int = 20230625) -> Digest:
    """A deterministic digest of `count` papers, ~100 a week, abstracts of ~1,200 characters."""
    rng = random.Random(seed)
    vocabulary = ML_WORDS + FILLER
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(ML_WORDS))] + [3.0] * len(FILLER)
    cumulative = list(itertools.accumulate(weights))
    start = date(2023, 6, 25)
    papers: list[Paper] = []
    for number in range(count):
        week = start - timedelta(weeks=number // 100)
        title = " ".join(rng.choices(ML_WORDS, k=rng.randint(5, 11))).capitalize()
        text = " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=260))
        cut = text.rfind(" ", 0, rng.randint(1000, 1400))
        link = f"https://arxiv.org/abs/{week:%y%m}.{number % 100000:05d}v1"
        papers.append(
            Paper(
                week=week,
                title=title,
                link=link,
                category=CATEGORIES[rng.randrange(len(CATEGORIES))],
                abstract=text[:cut].capitalize() + ".",
                arxiv_id=arxiv_id(link),
            )
        )
    return Digest(papers, name=f"synthetic-{count}")


def bundled_digest() -> Digest:
    try:
        from reader.sources.loader import load_digest  # type: ignore[import-not-found,unused-ignore]

        digest: Digest = load_digest(BUNDLED)
        return digest
    except ImportError:
        pass
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    papers = []
    for line in lines[2:]:
        week, title, category, abstract, link = (
            cell.strip() for cell in line.strip().strip("|").split("|")
        )
        papers.append(
            Paper(date.fromisoformat(week), title, link, category, abstract, arxiv_id(link))
        )
    return Digest(papers, name="bundled")


def best_ms(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def forget(digest: Digest) -> None:
    """Drop the engine's caches (per-clause memo included), then rebuild its index of `digest`,
    so that a run starts as a fresh app would, with the digest already loaded."""
    query_module._CACHE.clear()
    parse_query("title:x").filter(digest, [0])


def type_query(digest: Digest, text: str, narrowing: bool, repeat: int) -> list[float]:
    """Milliseconds per keystroke while typing `text` one character at a time, each keystroke
    filtered once as the UI would; `repeat` runs from forgotten caches, best run per keystroke."""
    everything = range(len(digest))
    runs: list[list[float]] = []
    for _ in range(repeat):
        forget(digest)
        times: list[float] = []
        previous = Query("")
        hits: list[int] = list(everything)
        for length in range(1, len(text) + 1):
            started = time.perf_counter()
            try:
                query = parse_query(text[:length])
            except QueryError:  # the UI keeps the previous results on screen
                times.append((time.perf_counter() - started) * 1000)
                continue
            if narrowing and query.narrows(previous):
                hits = query.filter(digest, hits, satisfied=previous)
            else:
                hits = query.filter(digest, everything)
            times.append((time.perf_counter() - started) * 1000)
            previous = query
        runs.append(times)
    return [min(column) for column in zip(*runs, strict=True)]


def cold_ms(digest: Digest, text: str, repeat: int) -> float:
    """One whole query over every paper with nothing remembered (a pasted query, `--print`)."""
    best = float("inf")
    for _ in range(repeat):
        forget(digest)
        best = min(best, best_ms(lambda: select(digest, None, parse_query(text)), 1))
    return best


def report(digest: Digest, repeat: int) -> None:
    haystacks = best_ms(lambda: digest.haystacks, 1)
    caches = best_ms(lambda: select(digest, None, parse_query("x")), 1)
    hay = digest.haystacks
    floor = best_ms(lambda: [i for i, h in enumerate(hay) if "x" in h], max(repeat, 5))
    scan = best_ms(lambda: [i for i, h in enumerate(hay) if "zzzqx" in h], max(repeat, 5))
    print(f"\n## {digest.name}: {len(digest):,} papers, {len(digest.weeks):,} weeks")
    print(f"Digest.haystacks built in {haystacks:.1f} ms; query caches in {caches:.1f} ms.")
    print(
        f'Floor: a bare `[i for i, h in enumerate(hay) if "x" in h]` pass takes {floor:.2f} ms '
        f'(one-character needles use memchr); with the needle "zzzqx" (no hit) {scan:.2f} ms.'
    )
    print(
        "Per keystroke (parse + filter), ms, typing each query from forgotten caches; from scratch"
        " = the caller filters every paper each time (the engine's per-clause memo still works),"
        " narrowing = the caller filters the previous hits when `narrows` allows; cold = the"
        " whole query once with nothing remembered:"
    )
    print(
        "| query | hits | cold | from scratch med / p90 / max | narrowing med / p90 / max |", end=""
    )
    print(" narrowing med / floor | med / zzzqx scan |")
    print("|---|---:|---:|---|---|---:|---:|")
    for text in QUERIES:
        hits = len(select(digest, None, parse_query(text)))
        cold = cold_ms(digest, text, repeat)
        scratch = type_query(digest, text, narrowing=False, repeat=repeat)
        narrow = type_query(digest, text, narrowing=True, repeat=repeat)
        middle = statistics.median(narrow)
        print(
            f"| `{text}` | {hits:,} | {cold:.1f} | {_cell(scratch)} | {_cell(narrow)} "
            f"| {middle / floor:.2f}x | {middle / scan:.2f}x |"
        )
    everything = range(len(digest))
    half = list(range(0, len(digest), 2))
    others = [
        ("week_counts(all)", lambda: week_counts(digest, everything)),
        ("category_counts(all)", lambda: category_counts(digest, everything)),
        ("sort_indices(half, title)", lambda: sort_indices(digest, half, "title")),
        ("sort_indices(half, category)", lambda: sort_indices(digest, half, "category")),
        ("highlight_spans(abstract) x100", lambda: _highlight(digest)),
    ]
    print("Other operations, ms: " + "; ".join(f"{n} {best_ms(f, repeat):.2f}" for n, f in others))


def _highlight(digest: Digest) -> None:
    query = parse_query('"large language" model /token(s|izer)/ title:gpt')
    for paper in digest.papers[:100]:
        query.highlight_spans(paper.text, "abstract")


def _cell(times: list[float]) -> str:
    p90 = statistics.quantiles(times, n=10, method="inclusive")[-1] if len(times) > 1 else times[0]
    return f"{statistics.median(times):.2f} / {p90:.2f} / {max(times):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of R per keystroke")
    args = parser.parse_args()
    report(bundled_digest(), max(args.repeat, 5))
    started = time.perf_counter()
    digest = synthetic_digest(args.papers)
    print(f"\n(generated {len(digest):,} papers in {time.perf_counter() - started:.1f} s)")
    report(digest, args.repeat)


if __name__ == "__main__":
    main()
