"""Deterministic synthetic digests for the benchmarks, in the pipe-table format the loader reads.

Run: `.venv/bin/python tests/benchmarks/generate.py [--sizes 1k,10k,100k] [--force]`
(`run.py` calls `ensure()` itself). Files go to `tests/benchmarks/out/digest-<size>.md`
(git-ignored) and are reused while their first line names the current generator version.

What a digest looks like, so that timings mean something:
- oldest week first, like the bundled digest; weeks of 70 to 130 papers (about 100), Sundays,
  counting back from 2023-06-25 (100,000 papers span about 19 years);
- titles of 30 to 120 characters from patterns seen on arXiv ("Name: Doing X for Y", "Towards ...",
  "... Is All You Need"), with invented model names;
- categories drawn with arXiv-like weights (Computation and Language the most common, a long tail
  such as "Physics > Chemical Physics");
- abstracts of about 1,200 characters (1,000 to 1,450), sentences built from a few hundred ML words;
  about a third carry arXiv's artifacts (`atthis https URL`, `\\url{this https URL}`), some have
  inline math (`$O(n \\log n)$`, `$5\\%$`), LaTeX wrappers (`\\emph{...}`), ` -- ` and `~`, and
  a few an escaped pipe (`$\\|x\\|$`, written as cmark-gfm wants: the loader reads `$|x|$`);
- links are arXiv abs links with a plausible id for the week (4-digit numbers before 2015), most
  with a version suffix.
Cells are not padded to a common width (pandas pads; at 100k papers that would double the size).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta
from pathlib import Path

VERSION = 1
SEED = 20230625
NEWEST = date(2023, 6, 25)
OUT = Path(__file__).resolve().parent / "out"
SIZES: dict[str, int] = {"1k": 1_000, "10k": 10_000, "100k": 100_000}

CATEGORIES: list[tuple[str, float]] = [
    ("Computation and Language", 30),
    ("Computer Vision and Pattern Recognition", 22),
    ("Machine Learning", 20),
    ("Artificial Intelligence", 7),
    ("Robotics", 4),
    ("Computers and Society", 3),
    ("Human-Computer Interaction", 2.5),
    ("Information Retrieval", 2.5),
    ("Sound", 2),
    ("Neural and Evolutionary Computing", 1.5),
    ("Software Engineering", 1.5),
    ("Cryptography and Security", 1.2),
    ("Statistics > Machine Learning", 1.2),
    ("Audio and Speech Processing", 1),
    ("Physics > Chemical Physics", 0.4),
    ("Physics > Computational Physics", 0.3),
    ("Quantitative Biology > Neurons and Cognition", 0.3),
    ("Quantitative Finance > Statistical Finance", 0.2),
    ("Astrophysics > Instrumentation and Methods for Astrophysics", 0.1),
]

_NOUNS = """model language-model transformer network agent policy representation embedding
dataset benchmark corpus encoder decoder tokenizer attention memory retriever reward planner
optimizer gradient loss objective prior posterior distribution kernel graph tree sequence image
video scene point-cloud mesh speech audio signal prompt instruction demonstration feedback
preference critic verifier simulator environment trajectory latent diffusion flow estimator
classifier detector segmenter tracker generator discriminator adapter layer head expert router
cache index query document passage answer question proof theorem program compiler library"""
_ADJECTIVES = """large small efficient scalable robust sparse dense multimodal multilingual
self-supervised unsupervised contrastive generative discriminative causal autoregressive
hierarchical modular adaptive interpretable faithful aligned safe private federated continual
zero-shot few-shot open-vocabulary long-context low-rank quantized distilled compositional
equivariant probabilistic differentiable neural symbolic implicit explicit unified lightweight"""
_GERUNDS = """Learning Scaling Aligning Training Evaluating Distilling Compressing Grounding
Retrieving Planning Reasoning Generating Editing Understanding Benchmarking Prompting Steering
Detecting Segmenting Tracking Reconstructing Synthesizing Translating Summarizing Verifying
Optimizing Pruning Quantizing Adapting Personalizing Calibrating Explaining Probing"""
_TASKS = """Question Answering|Machine Translation|Text-to-Image Generation|Image Segmentation
|Object Detection|Speech Recognition|Code Generation|Mathematical Reasoning|Robotic Manipulation
|Autonomous Driving|Protein Folding|Drug Discovery|Recommendation|Information Retrieval
|Dialogue Systems|Video Understanding|3D Reconstruction|Novel View Synthesis|Time Series
Forecasting|Molecule Generation|Theorem Proving|Instruction Following|Summarization|Visual
Question Answering|Open-Domain Retrieval|Weather Prediction|Medical Imaging|Legal Reasoning"""
_VERBS = """improves outperforms matches reduces enables achieves surpasses accelerates
stabilizes generalizes transfers scales preserves recovers exploits captures leverages"""
_METRICS = """accuracy perplexity latency throughput memory robustness calibration fidelity
sample-efficiency recall precision F1 BLEU win-rate pass@1 success-rate"""
_PREFIXES = """Llama Orca Falcon Vicuna Phoenix Atlas Gemini Nova Aurora Helix Quasar Zephyr
Koala Panda Otter Lynx Mamba Cobra Hydra Titan Sparrow Raven Condor Mistral Sirius Vega Lyra"""
_SUFFIXES = ["GPT", "-LM", "Former", "Diff", "Net", "-Bench", "-VL", "Coder", "-RL", "Agent"]

NOUNS = _NOUNS.split()
ADJECTIVES = _ADJECTIVES.split()
GERUNDS = _GERUNDS.split()
TASKS = [task.replace("\n", " ").strip() for task in _TASKS.split("|")]
VERBS = _VERBS.split()
METRICS = _METRICS.split()
PREFIXES = _PREFIXES.split()

SENTENCES = [
    "{Adj} {nouns} have shown remarkable progress on {task}, yet their {metric} remains limited",
    "We propose {name}, a {adj} {noun} that {verb} prior work on {task}",
    "Unlike existing approaches, our method {verb} the {adj} {noun} without additional {nouns2}",
    "Experiments on {n} benchmarks show that {name} {verb} strong baselines by {k} points",
    "We study how the {noun} of a {adj} {noun2} affects {metric} under distribution shift",
    "To this end, we introduce a {adj} {noun2} trained with a {adj2} objective",
    "Our analysis reveals that {adj} {nouns} learn {adj2} {nouns2} early in training",
    "We further show that scaling the {noun} {verb} {metric} on {task}",
    "Extensive ablations demonstrate the importance of the {noun} and the {noun2}",
    "The resulting {noun} is {adj}, {adj2}, and easy to deploy on commodity hardware",
    "We release a new {adj} {noun2} of {n}k examples for {task}",
    "Finally, we discuss limitations of {adj} {nouns} and directions for future work",
    "This simple recipe {verb} {metric} while using {k}x fewer parameters",
    "We evaluate {name} on {task} and {task2}, where it {verb} {metric} by a wide margin",
]
ARTIFACTS = [
    "Code is available atthis https URL",
    "Our code and models are released at \\url{this https URL}",
    "The project page is atthis https URL",
    "Data and code can be found here:this https URL",
    "We make our implementation publicly available inthis http URL",
    "A demo is available atthis https URLand the code will be released",
]
MATH = [
    "with $O(n \\log n)$ complexity",
    "improving accuracy by $5\\%$ (from $72.2\\%$ to $77.2\\%$)",
    "for any $\\epsilon > 0$",
    "a $k$-NN baseline",
    "the $\\chi^2$-divergence",
    "at most $\\mathcal{O}(\\sqrt{T})$ regret",
]
PIPE_MATH = "bounded by $|x|$ and $\\|w\\|_2$"
WRAPPERS = ["\\emph{{{w}}}", "\\textbf{{{w}}}", "\\textit{{{w}}}"]


def plural(word: str) -> str:
    if word.endswith(("s", "x")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def size_of(label: str) -> int:
    """The paper count of a size label: `1k` -> 1000, `10k`, `100k`, or a plain number."""
    text = label.strip().lower()
    if text in SIZES:
        return SIZES[text]
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


def path_for(label: str) -> Path:
    return OUT / f"digest-{label}.md"


def _stamp(count: int) -> str:
    return f"<!-- reader benchmark digest: generator v{VERSION}, seed {SEED}, {count} papers -->"


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        names, weights = zip(*CATEGORIES, strict=True)
        self.categories = list(names)
        self.category_weights = list(weights)

    def name(self) -> str:
        rng = self.rng
        base = rng.choice(PREFIXES) + rng.choice(_SUFFIXES)
        return base + (f"-{rng.randint(2, 70)}B" if rng.random() < 0.2 else "")

    def title(self) -> str:
        rng = self.rng
        kind = rng.randrange(7)
        adj = rng.choice(ADJECTIVES).capitalize()
        noun = rng.choice(NOUNS).capitalize()
        nouns = plural(noun)
        task = rng.choice(TASKS)
        if kind == 0:
            text = f"{self.name()}: {rng.choice(GERUNDS)} {adj} {nouns} for {task}"
        elif kind == 1:
            text = f"Towards {adj} {task} with {rng.choice(ADJECTIVES).capitalize()} {nouns}"
        elif kind == 2:
            text = f"{adj} {nouns} Is All You Need for {task}"
        elif kind == 3:
            text = f"On the {noun} of {adj} {plural(rng.choice(NOUNS)).capitalize()} in {task}"
        elif kind == 4:
            text = f"{rng.choice(GERUNDS)} {adj} {nouns} via {rng.choice(GERUNDS)} {task}"
        elif kind == 5:
            text = f"{self.name()}: A {adj} {noun} for {task} and Beyond"
        else:
            text = f"{adj} {noun} {rng.choice(GERUNDS)} for {task}: A Benchmark"
        return text

    def sentence(self, name: str) -> str:
        rng = self.rng
        template = rng.choice(SENTENCES)
        return template.format(
            Adj=rng.choice(ADJECTIVES).capitalize(),
            adj=rng.choice(ADJECTIVES),
            adj2=rng.choice(ADJECTIVES),
            noun=rng.choice(NOUNS),
            noun2=rng.choice(NOUNS),
            nouns=plural(rng.choice(NOUNS)),
            nouns2=plural(rng.choice(NOUNS)),
            task=rng.choice(TASKS),
            task2=rng.choice(TASKS),
            verb=rng.choice(VERBS),
            metric=rng.choice(METRICS),
            name=name,
            n=rng.randint(3, 40),
            k=rng.randint(2, 19),
        )

    def abstract(self) -> str:
        rng = self.rng
        name = self.name()
        target = rng.randint(1000, 1450)
        sentences: list[str] = []
        length = 0
        while length < target - 60:
            sentence = self.sentence(name)
            roll = rng.random()
            if roll < 0.004:
                sentence += ", " + rng.choice(MATH)
            elif roll < 0.008:
                word = rng.choice(NOUNS)
                sentence = sentence.replace(word, rng.choice(WRAPPERS).format(w=word), 1)
            elif roll < 0.0095:
                sentence = sentence.replace(", ", " -- ", 1).replace(" the ", "~the ", 1)
            elif roll < 0.0097:
                sentence += ", " + PIPE_MATH
            sentences.append(sentence + ".")
            length += len(sentence) + 2
        if rng.random() < 0.33:
            sentences.append(rng.choice(ARTIFACTS) + ".")
        return " ".join(sentences)

    def link(self, week: date, number: int) -> str:
        rng = self.rng
        digits = 5 if week.year >= 2015 else 4
        version = "" if rng.random() < 0.35 else f"v{1 if rng.random() < 0.9 else 2}"
        return f"https://arxiv.org/abs/{week:%y%m}.{number % 10**digits:0{digits}d}{version}"


def _weeks(count: int, rng: random.Random) -> list[tuple[date, int]]:
    """(week, papers) from the newest back, about 100 papers a week, `count` in all."""
    weeks: list[tuple[date, int]] = []
    left = count
    week = NEWEST
    while left > 0:
        size = min(left, rng.randint(70, 130))
        weeks.append((week, size))
        left -= size
        week -= timedelta(weeks=1)
    return weeks


def generate(count: int, path: Path) -> Path:
    """Write a digest of `count` papers to `path` (deterministic for a given count)."""
    rng = random.Random(f"{SEED}:{count}")
    writer = _Writer(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    per_month: dict[tuple[int, int], int] = {}
    with open(temporary, "w", encoding="utf-8", newline="\n") as out:
        out.write(_stamp(count) + "\n\n")
        out.write("| Week | title | category | abstract | Paper-Link |\n")
        out.write("|:-----------|:------|:---------|:---------|:-----------|\n")
        rows: list[str] = []
        for week, size in reversed(_weeks(count, rng)):
            stamp = week.isoformat()
            for _ in range(size):
                month = (week.year, week.month)
                number = per_month.get(month, rng.randint(1, 400)) + rng.randint(1, 9)
                per_month[month] = number
                category = rng.choices(writer.categories, writer.category_weights)[0]
                abstract = writer.abstract().replace("|", "\\|")
                cells = (stamp, writer.title(), category, abstract, writer.link(week, number))
                rows.append("| " + " | ".join(cells) + " |\n")
            if len(rows) >= 2000:
                out.write("".join(rows))
                rows.clear()
        out.write("".join(rows))
    temporary.replace(path)
    return path


def ensure(label: str, force: bool = False) -> Path:
    """The digest file for a size label, generated unless a current one is there already."""
    count = size_of(label)
    path = path_for(label)
    if not force and path.is_file():
        with open(path, encoding="utf-8") as file:
            if file.readline().rstrip("\n") == _stamp(count):
                return path
    return generate(count, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the benchmark digests.")
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k")
    parser.add_argument("--force", action="store_true", help="regenerate even when present")
    args = parser.parse_args(argv)
    for label in args.sizes.split(","):
        path = ensure(label.strip(), force=args.force)
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
