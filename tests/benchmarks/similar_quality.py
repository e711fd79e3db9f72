"""How good `like:` is on a real digest: families of papers picked by title, and examples.

Run: `.venv/bin/python tests/benchmarks/similar_quality.py [DIGEST ...]` (not collected by
pytest; default: the public digest 2023-2026, `years/*.md` of a checkout of
github.com/dair-ai/AI-Papers-of-the-Week that `--upstream` or $READER_UPSTREAM_CHECKOUT names, else
./AI-Papers-of-the-Week). For each family (papers whose title matches a pattern: Mamba,
world models, chain-of-thought, ...) and each member, the member's top 10 by `like:` over all
weeks; it prints how many of those are other members (precision at 10, averaged over the
members; the table gives it as members of 10) against chance (the share of other members among
all the other papers, (size - 1) / (N - 1), times 10), and the lift.
A family is judged on titles, which weigh in the similarity too: the lift says that the words a
family shares rank its members first, not that a reader would agree; the examples (`--examples`)
are for a person to judge.

`--keep`, `--ask`, `--title-weight` and `--no-stem` try other settings of `reader.similar`.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reader import similar  # noqa: E402
from reader.model import Digest  # noqa: E402
from reader.sources.loader import load_digest  # noqa: E402

UPSTREAM = Path(os.environ.get("READER_UPSTREAM_CHECKOUT", "AI-Papers-of-the-Week"))

FAMILIES: dict[str, str] = {
    "Mamba / state space": r"\bmamba|state[- ]space",
    "world models": r"world models?\b",
    "chain-of-thought": r"chain[- ]of[- ]thought|\bcot\b",
    "mixture of experts": r"mixture[- ]of[- ]experts|\bmoe\b",
    "retrieval-augmented": r"retrieval[- ]augmented|\brag\b",
    "diffusion": r"diffusion",
    "speculative decoding": r"speculative",
    "scaling laws": r"scaling laws?",
    "robots": r"\brobot",
    "hallucination": r"hallucinat",
    "quantization": r"quantiz|\bbit\b|1-bit|low-bit",
    "long context": r"long[- ]context",
    "reasoning": r"\breason",
    "agents": r"\bagent",
}

EXAMPLES = [
    r"^Mamba-2$",
    r"^Graph of Thoughts",
    r"^QLoRA$",
    r"^Genie 2$",
    r"^Voyager$",
]
"""Papers whose neighbours the report lists (the first title matching each pattern)."""


def families(digest: Digest) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for name, pattern in FAMILIES.items():
        compiled = re.compile(pattern, re.IGNORECASE)
        members = [i for i, paper in enumerate(digest.papers) if compiled.search(paper.title)]
        if len(members) >= 3:
            found[name] = members
    return found


def top(digest: Digest, index: similar.SimilarityIndex, paper: int, k: int = 10) -> list[int]:
    ranking = similar.rank(digest, index, [paper])
    others = [i for i in range(len(digest)) if i != paper]
    return ranking.order(others)[:k]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("digests", nargs="*", help="digest files (default: the public 2023-2026)")
    parser.add_argument("--upstream", type=Path, default=UPSTREAM)
    parser.add_argument("--keep", type=int, default=similar.KEEP)
    parser.add_argument("--ask", type=int, default=similar.ASK)
    parser.add_argument("--title-weight", type=int, default=similar.TITLE_WEIGHT)
    parser.add_argument("--no-stem", action="store_true")
    parser.add_argument("--examples", type=int, default=5, help="neighbours listed per example")
    args = parser.parse_args(argv)
    similar.KEEP, similar.ASK, similar.TITLE_WEIGHT = args.keep, args.ask, args.title_weight
    if args.no_stem:
        similar.stem = lambda word: word
    paths = args.digests or sorted(glob.glob(str(args.upstream / "years" / "*.md")))
    if not paths:
        print(f"no digest: give files or --upstream (looked in {args.upstream})", file=sys.stderr)
        return 2
    digest = load_digest(paths)
    started = time.perf_counter()
    index = similar.build(digest)
    assert index is not None
    built = time.perf_counter() - started
    print(
        f"{len(digest)} papers, {len(index)} terms, {len(index.docs)} postings, built in "
        f"{built * 1000:.0f} ms; keep {args.keep}, ask {args.ask}, title x{args.title_weight}, "
        f"stemming {'off' if args.no_stem else 'on'}\n"
    )
    print("| family | members | members in a member's top 10 | chance | lift |")
    print("|---|---|---|---|---|")
    lifts: list[float] = []
    means: list[float] = []
    total = len(digest)
    for name, members in families(digest).items():
        group = set(members)
        precisions = [
            sum(1 for hit in top(digest, index, member) if hit in group) / 10 for member in members
        ]
        precision = statistics.mean(precisions)
        chance = (len(members) - 1) / (total - 1)
        lifts.append(precision / chance)
        means.append(precision)
        print(
            f"| {name} | {len(members)} | {precision * 10:.1f} | {chance * 10:.2f} | "
            f"{precision / chance:.0f}x |"
        )
    print(
        f"\nover {len(lifts)} families: mean precision {statistics.mean(means):.2f}, "
        f"median lift {statistics.median(lifts):.0f}x\n"
    )
    for pattern in EXAMPLES:
        compiled = re.compile(pattern, re.IGNORECASE)
        paper = next((i for i, p in enumerate(digest.papers) if compiled.search(p.title)), None)
        if paper is None:
            continue
        ranking = similar.rank(digest, index, [paper])
        print(f"like:{digest.papers[paper].key}  {digest.papers[paper].title}")
        for hit in top(digest, index, paper, args.examples):
            words = ", ".join(ranking.words(digest, hit))
            print(f"  {ranking.score(hit):.2f}  {digest.papers[hit].title[:70]}  [{words}]")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
