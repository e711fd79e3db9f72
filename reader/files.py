"""Writing files: whole or not at all (`replacing`, for the caches' own files), and through to
what the user named, never replacing it with something it was not (`write_through`, for the
state export and the config)."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from reader.patterns import compiled

STALE_SECONDS = 3600.0
"""A temporary file of ours untouched this long was left by a process that died (kill -9, a
crash, a power cut): a live writer touches its file as it writes."""
_SWEPT: set[str] = set()


def sweep_stale(directory: Path, pattern: str = ".*.tmp") -> int:
    """Remove the temporary files matching `pattern` in `directory` (not below it) that were
    left behind: untouched for `STALE_SECONDS`. Once per directory and process; never raises.
    The number removed."""
    import time

    key = f"{os.fspath(directory)}\0{pattern}"
    if key in _SWEPT:
        return 0
    _SWEPT.add(key)
    removed = 0
    before = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError):
        for path in directory.glob(pattern):
            with contextlib.suppress(OSError):
                status = path.lstat()
                if stat.S_ISREG(status.st_mode) and status.st_mtime < before:
                    path.unlink()
                    removed += 1
    return removed


@contextlib.contextmanager
def replacing(
    path: Path, *, durable: bool = False, mode: int | None = None, sweep: bool = False
) -> Iterator[BinaryIO]:
    """A binary file that takes `path`'s place when the block ends without an error.

    It is written as a temporary file in the same directory and renamed over
    `path`, so a reader sees the old file or the new one, never a half-written one; `durable`
    syncs it to disk first, `mode` sets its permissions (a temporary file is private). On an
    error the temporary file is removed, `path` is left as it was, and the error goes on.
    `sweep` (for a cache's own folder) first removes the temporary files a dead process left
    there (`sweep_stale`).
    """
    if sweep:
        sweep_stale(path.parent)
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


STDOUT = "-"
"""The target that means standard output."""
_OPEN_FD = compiled(r"/dev/std(?:out|err)|/dev/fd/\d+|/proc/self/fd/\d+")


def write_through(target: Path | str, data: bytes, *, durable: bool = False) -> None:
    """Write `data` to `target` without ever turning it into something it was not:

    - `-` is standard output;
    - a regular file, or a symlink (chain) to one, is replaced atomically at its real path (the
      link stays a link, now pointing at the new content), keeping the file's permissions (and,
      as root, its owner); a new file gets 0666 less the umask, like any program's output;
    - anything else that exists is written straight through: a descriptor that is already open
      (`/dev/stdout`, `/dev/fd/3`) at its current position, a FIFO, a device (`/dev/null`) or a
      socket as opened for writing. Nothing is created or renamed in their place.

    `durable` syncs a replaced file to disk before it takes the old one's place. Raises OSError.
    """
    text = os.fspath(target)
    if text == STDOUT:
        stream = sys.stdout
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:  # a text-only stream (a test's capture)
            stream.write(data.decode("utf-8", "surrogateescape"))
            stream.flush()
        return
    descriptor = _OPEN_FD.fullmatch(text)
    if descriptor is not None:
        number = int(text.rsplit("/", 1)[1]) if "/fd/" in text else _STD[text.rsplit("/", 1)[1]]
        _write_fd(number, data, flush=number in (1, 2))
        return
    path = Path(text)
    try:
        status = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        return
    real = Path(os.path.realpath(path))  # a symlink: its target is replaced, the link kept
    mode = stat.S_IMODE(status.st_mode) if status is not None else 0o666 & ~_UMASK
    with replacing(real, durable=durable, mode=mode) as handle:
        handle.write(data)
        if status is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.fchown(handle.fileno(), status.st_uid, status.st_gid)


_STD = {"stdout": 1, "stderr": 2}


def _write_fd(fd: int, data: bytes, *, flush: bool) -> None:
    if flush:  # what Python buffered for that stream goes first
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                if stream.fileno() == fd:
                    stream.flush()
    _write_all(fd, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def is_standard_output(target: Path | str) -> bool:
    """Whether `write_through(target, ...)` writes to standard output (`-`, `/dev/stdout`)."""
    text = os.fspath(target)
    return text in (STDOUT, "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()
"""Read once at import (the main thread): os.umask is process-wide, not for worker threads."""
