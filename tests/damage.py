"""Damaging a SQLite file page by page, and what a look-up by rowid still finds in it: the
drills of recovery (issue 23)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

PAGE = 4096


def pages_of(path: Path, table: str, kind: str = "leaf") -> list[int]:
    """The page numbers of `table`'s b-tree pages of `kind` (SQLite's dbstat table)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ?", (table, kind)
        ).fetchall()
    except sqlite3.OperationalError as error:  # pragma: no cover - SQLite built without it
        pytest.skip(f"SQLite has no dbstat table here ({error})")
    finally:
        conn.close()
    return sorted(number for (number,) in rows)


def damage(path: Path, page: int, fill: bytes = b"\xff") -> None:
    data = bytearray(path.read_bytes())
    data[(page - 1) * PAGE : page * PAGE] = (fill * PAGE)[:PAGE]
    path.write_bytes(bytes(data))


def readable(
    path: Path, table: str, columns: str, upto: int = 5000
) -> dict[int, tuple[object, ...]]:
    """Each row of `table` (rowids below `upto`) that a look-up by its rowid still finds
    (read-only, on a copy)."""
    copy = path.with_name("oracle.sqlite3")
    shutil.copyfile(path, copy)
    found: dict[int, tuple[object, ...]] = {}
    try:
        conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    except sqlite3.Error:
        return found
    try:
        rowids = range(1, upto)
        for rowid in rowids:
            try:
                row = conn.execute(
                    f"SELECT {columns} FROM {table} WHERE rowid = ?", (rowid,)
                ).fetchone()
            except sqlite3.Error:
                continue
            if row is not None:
                found[rowid] = tuple(row)
    finally:
        conn.close()
        copy.unlink()
    return found
