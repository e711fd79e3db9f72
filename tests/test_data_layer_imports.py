"""The data layer (model, text, loader, formats, and query/state/output once they exist) imports
no Textual: checked in a fresh interpreter, so no other test's imports can hide an import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import importlib, importlib.util, pkgutil, sys
import reader.formats

names = ["reader.model", "reader.text", "reader.loader"]
names += [name for name in ("reader.query", "reader.state", "reader.output", "reader.arxiv",
                            "reader.citations", "reader.ascii", "reader.join",
                            "reader.latex")
          if importlib.util.find_spec(name) is not None]
if importlib.util.find_spec("textual_serve") is not None:
    names.append("reader.serve")
names += [info.name for info in pkgutil.iter_modules(reader.formats.__path__, "reader.formats.")]
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
    imported = result.stdout.split()
    assert {"reader.model", "reader.text", "reader.loader", "reader.formats.table"} <= set(imported)
    assert {"reader.arxiv", "reader.citations"} <= set(imported)
    assert "reader.serve" in imported  # the test extras install textual-serve


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
