"""How a new user installs and runs reader: the distribution's name, every install line in the
README and in messages pasteable as it stands, what `make run` and `make test` install, and the
README's lines about the terminal (issue 24, items 2 and 16)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
DISTRIBUTION = "ml-papers-reader"
"""Free on PyPI when chosen (`pip index versions ml-papers-reader`: none); `reader` is taken."""

INSTALL = re.compile(r"\b(?:pipx|pip|uv tool) install\s+((?:--?[a-z-]+\s+)*)(\S+)")
PASTEABLE = {
    ".", "'.[web]'", "'.[web,test]'", "'.[web,test,mutate]'", "'textual-serve>=1.1,<2'", "pip",
}  # fmt: skip
"""What an install line may install: this folder (with its web extra), the web extra's package,
pip itself (the Makefile upgrades it); or the distribution by its name (checked apart)."""


def _project() -> dict[str, object]:
    with open(REPO / "pyproject.toml", "rb") as file:
        project: dict[str, object] = tomllib.load(file)["project"]
    return project


def test_the_distribution_has_a_free_name_and_keeps_the_command() -> None:
    project = _project()
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"reader": "reader.cli:main"}


def _install_lines() -> list[tuple[str, str]]:
    places = [REPO / "README.md", REPO / "Makefile", *sorted((REPO / "reader").rglob("*.py"))]
    found = []
    for path in places:
        text = path.read_text(encoding="utf-8")
        found += [(path.name, match.group(2).rstrip("`,)\"")) for match in INSTALL.finditer(text)]
    return found


def test_every_install_line_is_pasteable() -> None:
    lines = _install_lines()
    assert ("README.md", "'.[web]'") in lines
    assert ("web.py", "'.[web]'") in lines  # --serve without the extra says how to get it (cli/)
    for place, target in lines:
        if target.startswith(("-", "$")):  # make's own: pip install -q -e, $(...)
            continue
        if target.strip("'\"").startswith(DISTRIBUTION):
            continue
        assert target in PASTEABLE, (place, target)
        assert "reader[" not in target, (place, target)  # PyPI's `reader` is another project


def _make_dry_run(target: str, venv: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target, f"VENV={venv}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_the_runtime_extras_only(tmp_path: Path) -> None:
    run = _make_dry_run("run", tmp_path / "venv")
    assert "pip install -q -e '.[web]'" in run
    assert "test]" not in run and ".installed-test" not in run
    for target in ("test", "lint", "unit", "bench", "snapshot-update"):
        assert "pip install -q -e '.[web,test]'" in _make_dry_run(target, tmp_path / "venv"), target


def test_the_readmes_ascii_environment_gives_ascii() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = readme.splitlines()
    row = next(line for line in rows if "an output encoding that is not UTF-8" in line)
    assignments = re.search(r"`((?:[A-Z_0-9]+=\S+ ?)+)`", row)
    assert assignments is not None, row
    env = dict(os.environ)
    env.pop("PYTHONIOENCODING", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    for pair in assignments.group(1).split():
        name, _, value = pair.partition("=")
        env[name] = value
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--print", "--week", "all", "--query", "diffusion"],
        env=env,
        capture_output=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii()
    assert b"+-" in result.stdout or b"|" in result.stdout  # the table, in ASCII lines
