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
