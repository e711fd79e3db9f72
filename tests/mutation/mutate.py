"""`make mutate`: mutation testing of the Textual-free core with mutmut, sampled and incremental.

mutmut writes every mutant of the modules `[tool.mutmut] only_mutate` names (globs, so modules
that move keep being mutated) into `mutants/`, and records which tests call each function. This
script runs a stable sample of those mutants (a mutant is in the sample when a hash of its name
falls in it: one in `--every`), each against the unit tests that call its function, within a
time budget; then writes `tests/mutation/report.md`: the score and each surviving mutant, with
its diff, unless `tests/mutation/equivalent.toml` explains it as equivalent.

Incremental: mutmut keeps each verdict in `mutants/` until the mutant's function changes, so a
second run checks only new or changed mutants, and those that survived last time (a new test
may kill them now). A run cut short by the budget goes on where it stopped the next time.

    python tests/mutation/mutate.py [--every 20] [--budget 1200] [--report-only]
        [--only MODULE ...]
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EQUIVALENT = HERE / "equivalent.toml"
REPORT = HERE / "report.md"
MUTANTS = ROOT / "mutants"

KILLED = {1, 3, 36, -24, 24, 152, 255}  # failed tests, pytest's internal error, timeouts
SURVIVED = {0}
NO_TESTS = {5, 33}  # no test calls the function: a survivor too


def in_sample(name: str, every: int) -> bool:
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:4], "big") % every == 0


def in_modules(name: str, modules: list[str]) -> bool:
    """Whether the mutant `name` (`reader.tokens.x_build__mutmut_25`) is of one of `modules` or
    of a module under one of them (`reader.query` holds `reader.query.early`)."""
    module = name.rpartition(".")[0]
    return any(module == wanted or module.startswith(wanted + ".") for wanted in modules)


def generate() -> None:
    """Write the mutants of every module the config names (mutmut's own first step; each
    function's mutants lose their verdicts when the function changed)."""
    shutil.rmtree(MUTANTS / "tests", ignore_errors=True)  # tests deleted since stay out
    main: Any = importlib.import_module("mutmut.__main__")
    MUTANTS.mkdir(exist_ok=True)
    main.copy_src_dir()
    main.copy_also_copy_files()
    main.setup_source_paths()
    main.create_mutants(1)


def mutated(path: str) -> bool:
    """Whether `[tool.mutmut]` in pyproject.toml has `path` mutated (its globs, as mutmut's)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    wanted = any(fnmatch.fnmatch(path, glob) for glob in config.get("only_mutate", ["*"]))
    return wanted and not any(fnmatch.fnmatch(path, g) for g in config.get("do_not_mutate", []))


def verdicts() -> dict[str, int | None]:
    """Every mutant's exit code (None: not checked), from mutmut's meta files."""
    found: dict[str, int | None] = {}
    for meta in sorted(MUTANTS.glob("reader/**/*.py.meta")):
        source = meta.relative_to(MUTANTS).with_suffix("")
        if (ROOT / source).exists() and mutated(source.as_posix()):  # not moved, gone, left out
            found.update(json.loads(meta.read_text())["exit_code_by_key"])
    return found


STATS = MUTANTS / "mutmut-stats.json"
UNTESTED = MUTANTS / "untested-functions.json"
"""The sampled functions that no unit test called when the tests were last traced."""


def untraced(names: list[str]) -> set[str]:
    """Functions of `names` that mutmut has no tests for (its keys: a mutant's name up to
    `__mutmut_`)."""
    if not STATS.exists():
        return set()
    known: dict[str, Any] = json.loads(STATS.read_text()).get("tests_by_mangled_function_name", {})
    return {name.rpartition("__mutmut_")[0] for name in names} - known.keys()


def retrace_if_moved(names: list[str]) -> None:
    """mutmut traces again only tests it sees as new (a test added to a killed function's file was
    not seen, and its survivors ran against the old list), and a function that moved or was
    split off (the state store's split) would have no tests: then every test is traced again."""
    if not STATS.exists():
        return
    known_untested = set(json.loads(UNTESTED.read_text())) if UNTESTED.exists() else set()
    traced = STATS.stat().st_mtime
    changed = any(path.stat().st_mtime > traced for path in (ROOT / "tests").rglob("*.py"))
    if changed or untraced(names) - known_untested:  # mutmut missed changed tests: a survivor
        print("mutate: tests changed or functions moved since they were traced: tracing again")
        STATS.unlink()


def run(names: list[str], budget: float) -> bool:
    """mutmut run on `names`, stopped (as by Ctrl+C: verdicts so far are kept) after `budget`
    seconds. True when it finished."""
    if not names:
        return True
    command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", "1", *names]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    try:
        process.wait(timeout=budget)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return False


def diff_of(name: str) -> str:
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "show", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = shown.stdout.splitlines()
    return "\n".join(line for line in lines if line.startswith(("-", "+", "@")))


def changed_lines(diff: str) -> list[str]:
    return [
        line[1:].strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def function_of(name: str) -> str:
    """`reader.join.x_link_key__mutmut_6` -> `reader.join.link_key` (a method keeps its class:
    `reader.tokens.xǁTokenIndexǁlookup__mutmut_3` -> `reader.tokens.TokenIndex.lookup`)."""
    module, _, rest = name.rpartition(".")
    function = rest.rpartition("__mutmut_")[0]
    if function.startswith("xǁ"):
        function = function[2:].replace("ǁ", ".")
    elif function.startswith("x_"):
        function = function[2:]
    return f"{module}.{function}"


def load_equivalents() -> list[dict[str, Any]]:
    if not EQUIVALENT.exists():
        return []
    entries = tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])
    return [entry for entry in entries if isinstance(entry, dict)]


def explained(name: str, diff: str, equivalents: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The entry that explains this survivor: same function, same changed lines (so an entry
    whose code changed since no longer explains anything)."""
    lines = changed_lines(diff)
    for entry in equivalents:
        if entry.get("function") == function_of(name) and entry.get("lines") == lines:
            return entry
    return None


def report(sample: list[str], every: int, seconds: float, finished: bool) -> tuple[int, int]:
    codes = verdicts()
    equivalents = load_equivalents()
    killed = [n for n in sample if codes.get(n) in KILLED]
    unchecked = [n for n in sample if codes.get(n) is None]
    survivors = [n for n in sample if n not in killed and n not in unchecked]
    explained_ones: list[tuple[str, dict[str, Any]]] = []
    alive: list[tuple[str, str]] = []
    for name in survivors:
        diff = diff_of(name)
        entry = explained(name, diff, equivalents)
        if entry is not None:
            explained_ones.append((name, entry))
        else:
            alive.append((name, diff))
    counted = len(killed) + len(alive)
    score = 100.0 * len(killed) / counted if counted else 100.0
    modules: dict[str, list[int]] = {}
    for name in sample:
        module = name.rpartition(".")[0]
        row = modules.setdefault(module, [0, 0, 0, 0])
        row[0] += 1
        row[1] += name in killed
        row[2] += any(name == a for a, _ in alive)
        row[3] += any(name == e for e, _ in explained_ones)
    lines = [
        "# Mutation testing of the core (`make mutate`)",
        "",
        "Written by `tests/mutation/mutate.py` (mutmut; see the README's Development section).",
        "",
        f"- Sample: one mutant in {every} of {len(codes)} ({len(sample)} mutants)",
        f"- Checked: {len(sample) - len(unchecked)}; not yet checked: {len(unchecked)}"
        + ("" if finished else " (the budget ran out: the next run goes on)"),
        f"- Killed: {len(killed)}; survived: {len(alive)}; equivalent: {len(explained_ones)}",
        f"- Score (killed / (killed + survived)): {score:.1f}%",
        f"- This run took {seconds / 60:.1f} min",
        "",
        "| module | sampled | killed | survived | equivalent |",
        "|---|---:|---:|---:|---:|",
    ]
    for module, (count, dead, living, same) in sorted(modules.items()):
        lines.append(f"| `{module}` | {count} | {dead} | {living} | {same} |")
    lines += ["", "## Surviving mutants", ""]
    if not alive:
        lines.append("None.")
    for name, diff in alive:
        lines += [f"### `{name}`", "", "```diff", diff, "```", ""]
    lines += ["", "## Equivalent (explained in `tests/mutation/equivalent.toml`)", ""]
    for name, entry in explained_ones:
        lines.append(f"- `{name}`: {entry.get('why', '')}")
    REPORT.write_text("\n".join(lines).rstrip() + "\n")
    print("\n".join(lines[:10]))
    return len(killed), len(alive)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=20, help="sample one mutant in N")
    parser.add_argument("--budget", type=float, default=1200, help="seconds of mutation runs")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report only")
    parser.add_argument("--no-report", action="store_true", help="run only")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="MODULE",
        help="run only the sampled mutants of these modules (reader.tokens, reader.query, ...);"
        " the report still lists every module, each with its last verdicts",
    )
    options = parser.parse_args()
    os.chdir(ROOT)
    started = time.monotonic()
    generate()
    codes = verdicts()
    sample = sorted(name for name in codes if in_sample(name, options.every))
    finished = True
    if not options.report_only:
        todo = [n for n in sample if codes[n] is None or codes[n] in SURVIVED | NO_TESTS]
        if options.only:
            todo = [n for n in todo if in_modules(n, options.only)]
        print(f"mutate: {len(sample)} sampled of {len(codes)}; {len(todo)} to run", flush=True)
        retrace_if_moved(sample)
        finished = run(todo, options.budget)
        UNTESTED.write_text(json.dumps(sorted(untraced(sample))))
    if not options.no_report:
        report(sample, options.every, time.monotonic() - started, finished)
    return 0


if __name__ == "__main__":
    sys.exit(main())
