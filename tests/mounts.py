"""Read-only places for drills: a folder bound read-only onto itself (root only; otherwise the
test is skipped with the reason). Root ignores permission bits, so `chmod` cannot make one."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder` made read-only (a read-only bind mount of itself) for the block."""
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command: a read-only folder needs a read-only bind mount")
    bound = subprocess.run(
        [mount, "--bind", str(folder), str(folder)], capture_output=True, text=True, check=False
    )
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root): {bound.stderr.strip()}")
    try:
        locked = subprocess.run(
            [mount, "-o", "remount,bind,ro", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if locked.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {locked.stderr.strip()}")
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True, check=False)
