"""Exporting the reader's view (`e`, `E`, the palette's exports) as a file: no Textual here.

`export_view` writes the view as `--print` would (citations with the cached arXiv metadata) and
then either hands it to the browser (under `--serve`) or saves it in the downloads folder, and
says what happened in a `Notice` the screen shows as a toast:

- the folder is created when it is missing (as `D` does for PDFs);
- a file is never overwritten: the next free name gets ` (2)`, ` (3)`, … (as PDFs do);
- the name says what is in it: the digest, the week (or `all`) and a short form of the query;
- an empty view writes nothing and says so;
- an error is said in words (`cannot create the folder /x: permission denied`), not an errno.

The file is written to a hidden temporary file in the same folder and linked to its name only
when complete, so a reader of the folder never sees half an export.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reader import environment
from reader.model import Digest
from reader.reading import ReadingState
from reader.text import inert

if TYPE_CHECKING:
    from reader.citations import Lookup

QUERY_IN_NAME = 40
"""Characters of the query's short form in an export's name, at most."""


class ExportError(Exception):
    """An export that could not be saved; the message is plain words."""


@dataclass(frozen=True)
class Export:
    """A view written in one format, ready to be saved or downloaded."""

    fmt: str
    label: str  # "Markdown", "JSON", …
    mime_type: str
    name: str  # the file name it asks for
    text: str
    count: int  # papers in it


@dataclass(frozen=True)
class Notice:
    """What the reader says about an export."""

    message: str
    severity: Literal["information", "warning", "error"] = "information"
    path: Path | None = None  # where it was saved, in a terminal


def query_slug(query: str, limit: int = QUERY_IN_NAME) -> str:
    """A short form of a query for a file name: lower-case letters, digits and dashes; an
    excluded term reads `not-…`; cut at a dash within `limit` characters.

    >>> query_slug('cat:"Machine Learning" -video OR /diff.*/')
    'cat-machine-learning-not-video-or-diff'
    """
    words = []
    for token in query.split():
        if token.startswith("-") and len(token) > 1:
            token = "not-" + token[1:]
        words.append(token)
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(words).lower()).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:limit]
    return slug.strip("-")


def build_export(
    digest: Digest,
    indices: Sequence[int],
    fmt: str,
    *,
    week: date | None,
    query: str = "",
    state: ReadingState | None = None,
    metadata: Lookup | None = None,
) -> Export:
    """The papers at `indices` written in `fmt` as `--print` writes them; `state` adds the
    reading marks, notes and tags, `metadata` the cached arXiv metadata (authors, citations)."""
    from reader.output import EXPORTS, export_filename, write_papers

    buffer = io.StringIO()
    count = write_papers(digest, indices, fmt, buffer, state=state, metadata=metadata)
    label, _, mime_type = EXPORTS[fmt]
    name = export_filename(digest.name, week, fmt, query_slug(query))
    return Export(fmt, label, mime_type, name, buffer.getvalue(), count)


def _papers(count: int) -> str:
    return f"{count} paper{'s' if count != 1 else ''}"


def _words(error: OSError) -> str:
    """An OSError in words: `permission denied`, not `[Errno 13] Permission denied: '/x'`."""
    text = error.strerror or type(error).__name__
    return text[:1].lower() + text[1:]


def free_path(directory: Path, name: str) -> Path:
    """`directory / name`, or the first of `stem (2).ext`, `stem (3).ext`, … not taken."""
    target = directory / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while target.exists() or target.is_symlink():
        target = directory / f"{stem} ({number}){suffix}"
        number += 1
    return target


def save_export(export: Export, directory: Path) -> Path:
    """Save `export` in `directory` (created when missing) under a name not taken yet; the path
    it was saved as. Raises ExportError (words); nothing is left behind then."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportError(f"{directory} is a file, not a folder") from None
    except OSError as error:
        raise ExportError(f"cannot create the folder {directory}: {_words(error)}") from None
    if not directory.is_dir():
        raise ExportError(f"{directory} is not a folder")
    try:
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".reader-", suffix=".part")
    except OSError as error:
        raise ExportError(f"cannot write in {directory}: {_words(error)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(export.text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(partial, 0o666 & ~_UMASK)  # mkstemp made it private
        while True:
            target = free_path(directory, export.name)
            try:
                os.link(partial, target)  # fails if the name was taken meanwhile: never overwrites
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: exclusive create, then copy
                try:
                    with open(target, "x", encoding="utf-8", newline="") as out:
                        out.write(export.text)
                except FileExistsError:
                    continue
            return target
    except OSError as error:
        raise ExportError(f"cannot save {export.name} in {directory}: {_words(error)}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(partial)


def export_view(
    digest: Digest,
    indices: Sequence[int],
    fmt: str,
    *,
    week: date | None,
    query: str = "",
    state: ReadingState | None = None,
    metadata: Lookup | None = None,
    directory: str | Path | None = None,
    browser: Callable[[Export], None] | None = None,
) -> Notice:
    """Export the view: to `browser` when given (served: a download in the browser), else into
    `directory` (None: `--download-dir`'s default, see `reader.environment.download_dir`)."""
    if not indices:
        return Notice("Nothing to export: no papers in this view.", "warning")
    export = build_export(
        digest, indices, fmt, week=week, query=query, state=state, metadata=metadata
    )
    if browser is not None:
        browser(export)
        return Notice(
            f"Exporting {_papers(export.count)} as {export.label} "
            f"(a download in the browser):\n{export.name}"
        )
    folder = environment.download_dir(directory)
    try:
        path = save_export(export, folder)
    except ExportError as error:
        return Notice(f"Export not saved: {inert(str(error))}", "error")
    shown = inert(str(path))
    return Notice(f"Exported {_papers(export.count)} as {export.label} to\n{shown}", path=path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()
"""Read once at import (the main thread): os.umask is process-wide, not for worker threads."""
