"""Writing a file whole or not at all: one way for the state export, the config, and the caches."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def replacing(path: Path, *, durable: bool = False, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary file that takes `path`'s place when the block ends without an error.

    It is written as a temporary file in the same directory and renamed over
    `path`, so a reader sees the old file or the new one, never a half-written one; `durable`
    syncs it to disk first, `mode` sets its permissions (a temporary file is private). On an
    error the temporary file is removed, `path` is left as it was, and the error goes on.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            if durable:
                file.flush()
                os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
