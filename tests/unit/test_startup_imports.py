"""What `reader` imports before its first paint (issue 26: start-up work): `reader` run as the
command, on the bundled digest, headless, in a fresh interpreter, its modules listed once the
first frame is drawn. What only a key, a query term or another job needs waits until then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NOT_BEFORE_THE_FIRST_PAINT = (
    "calendar",  # week: terms
    "argparse",  # any command line but `reader` and `reader DIGEST`
    "reader.cli.printing",  # the jobs of other command lines
    "reader.cli.jobs",
    "reader.cli.handoff",
    "reader.cli.web",
    "reader.similar",  # like: and ~
    "reader.citations",  # exports, Zotero
    "reader.exports",
    "reader.zotero",
    "reader.output",  # --print
    "reader.serve",  # --serve
    "reader.arxiv_fetch",  # F, --fetch-metadata
    "reader.screens.edit",  # the note editor
    "reader.screens.links",
    "reader.screens.loading",  # big digests only
    "reader.screens.help",
    "pylatexenc",
    "hashlib",  # the parsed-digest cache's key: a digest of 1 MiB or more
    "mmap",  # the cache's search text and token index
)

SCRIPT = """
import sys
import textual.app
import reader.cli.run

listed = sys.argv[1]


async def first_paint(pilot):
    await pilot.pause()
    with open(listed, "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
    pilot.app.exit()


run = textual.app.App.run
textual.app.App.run = lambda app: run(app, headless=True, size=(120, 40), auto_pilot=first_paint)
reader.cli.run._terminal_out = lambda: True
sys.exit(reader.cli.run.main([]))
"""


def _imported(tmp_path: Path, before: str = "") -> set[str]:
    listed = tmp_path / "modules.txt"
    env = os.environ | {
        "READER_STATE_DIR": str(tmp_path / "state"),
        "READER_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-c", before + SCRIPT, str(listed)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(listed.read_text(encoding="utf-8").split())


def test_the_first_paint_imports_only_what_it_needs(tmp_path: Path) -> None:
    imported = _imported(tmp_path)
    assert {"reader.app", "reader.screens.main", "reader.widgets.abstract"} <= imported
    early = [name for name in NOT_BEFORE_THE_FIRST_PAINT if name in imported]
    assert early == [], f"imported before the first paint: {early}"


def test_the_check_itself_sees_an_early_import(tmp_path: Path) -> None:
    imported = _imported(tmp_path, before="import reader.similar, calendar\n")
    assert {"reader.similar", "calendar"} <= imported


GENERATED = """
import atexit, sys

generated = []


def _heard(event, args):
    # code compiled from text at run time (a dataclass's methods, a namedtuple's __new__) and
    # run while one of reader's modules is being imported: ~1M instructions each
    if event != "exec" or getattr(args[0], "co_filename", "") != "<string>":
        return
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "<module>" and not code.co_filename.startswith("<"):
            if "/reader/" in code.co_filename:
                generated.append(f"{code.co_filename.split('/reader/')[-1]}:{frame.f_lineno}")
            return
        frame = frame.f_back


sys.addaudithook(_heard)
atexit.register(lambda: open(sys.argv[1] + ".generated", "w").write("\\n".join(generated)))
"""


def test_no_code_is_generated_at_import_before_the_first_paint(tmp_path: Path) -> None:
    """A dataclass's methods (or a NamedTuple's `__new__`) are compiled from text when its
    module is imported: records on the way to the first paint are `reader.records.frozen`
    or write their `__init__` (issue 26: ~1M instructions a method)."""
    _imported(tmp_path, before=GENERATED)
    generated = (tmp_path / "modules.txt.generated").read_text(encoding="utf-8").split()
    assert generated == [], f"code generated at import: {generated}"


def test_the_check_itself_sees_generated_code(tmp_path: Path) -> None:
    _imported(tmp_path, before=GENERATED + "import reader.zotero\n")
    generated = (tmp_path / "modules.txt.generated").read_text(encoding="utf-8").split()
    assert any(place.startswith("zotero.py:") for place in generated), generated
