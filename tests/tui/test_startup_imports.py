"""What the reader imports before its first frame (issue 26): what only a later key needs (the
note editor's TextArea, JSON for exports and arXiv metadata, TOML without a config file, the web
browser) is imported when first used. Checked in a fresh interpreter, where no other test has
imported them already; the first frame is the main screen's first compositor refresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DEFERRED = ("textual.widgets._text_area", "reader.screens.edit", "json", "tomllib", "webbrowser")

SCRIPT = """
import asyncio, sys
from textual.screen import Screen
from reader.app import make_app
from reader.sources.loader import BUNDLED, load_digest

seen = []
original = Screen._compositor_refresh

def drawn(self):
    original(self)
    if not seen and self.is_current and hasattr(self, "browse"):
        seen.append(sorted(sys.modules))

Screen._compositor_refresh = drawn

async def main():
    app = make_app(load_digest(BUNDLED))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

asyncio.run(main())
print("\\n".join(seen[0]))
"""


def test_the_first_frame_imports_only_what_it_shows(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "READER_STATE_DIR": str(tmp_path / "state"),
        "READER_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    assert "reader.screens.main.screen" in imported  # the frame was drawn
    assert not imported & set(DEFERRED), sorted(imported & set(DEFERRED))
