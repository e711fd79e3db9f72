"""reader.files.replacing: a file is replaced whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.files import replacing


def test_the_new_content_takes_the_place_of_the_old(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(b"old")
    with replacing(path, durable=True, mode=0o640) as file:
        file.write(b"new")
        assert path.read_bytes() == b"old"  # nothing seen before the block ends
    assert path.read_bytes() == b"new"
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_an_error_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path) as file:
        file.write(b"half")
        raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
