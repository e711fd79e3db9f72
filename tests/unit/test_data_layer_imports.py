"""Every module outside `reader.app`, `reader.screens` and `reader.widgets` imports no Textual:
checked in a fresh interpreter, so no other test's imports can hide an import. (`reader.serve`
imports textual-serve, the web extra, but not Textual itself: it is checked too.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TUI = ("reader.app", "reader.screens", "reader.widgets")
"""The modules that may import Textual (and their submodules)."""

SCRIPT = """
import importlib, pkgutil, sys
import reader

TUI = ("reader.app", "reader.screens", "reader.widgets")

def walk(path, prefix):
    # not pkgutil.walk_packages: it imports every package to look inside, the TUI's too
    for info in pkgutil.iter_modules(path, prefix):
        if info.name in TUI or info.name == "reader.__main__":
            continue
        yield info.name
        if info.ispkg:
            yield from walk(importlib.import_module(info.name).__path__, info.name + ".")

names = sorted(walk(reader.__path__, "reader."))
for name in names:
    importlib.import_module(name)
print("\\n".join(names))
leaked = sorted(name for name in sys.modules if name == "textual" or name.startswith("textual."))
if leaked:
    sys.exit("textual imported: " + ", ".join(leaked[:5]))
"""


def test_data_layer_does_not_import_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    assert {
        "reader.model",
        "reader.text",
        "reader.sources.loader",
        "reader.sources.formats.table",
        "reader.query",
        "reader.state",
        "reader.state.store",
        "reader.state.database",
        "reader.state.transfer",
        "reader.session",
        "reader.reading",
        "reader.output",
        "reader.cli",
        "reader.browse",
        "reader.browse.model",
        "reader.browse.core",
        "reader.browse.jobs",
        "reader.browse.rows",
        "reader.browse.querying",
        "reader.browse.marking",
        "reader.browse.view",
        "reader.browse.sidebar",
        "reader.browse.pane",
        "reader.browse.clips",
        "reader.browse.undo",
        "reader.arxiv",
        "reader.citations",
        "reader.sources.join",
        "reader.latex",
        "reader.arxiv_fetch",
        "reader.serve",  # the test extras install textual-serve
    } <= imported
    assert not any(name.startswith(TUI) for name in imported)


def test_the_check_itself_detects_textual() -> None:
    # The same script with Textual imported first must fail: the check is not vacuous.
    result = subprocess.run(
        [sys.executable, "-c", "import textual\n" + SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "textual imported" in result.stderr
