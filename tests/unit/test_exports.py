"""The export of a view (reader.exports): names, folders, never overwriting, errors in words."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from reader.exports import Export, ExportError, export_view, free_path, query_slug, save_export
from reader.output import export_filename
from reader.sources.loader import load_digest


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("", ""),
        ("diffusion", "diffusion"),
        ('cat:"Machine Learning" -video', "cat-machine-learning-not-video"),
        ("a OR b", "a-or-b"),
        ("/re.*gex/", "re-gex"),
        ("\x1b[31m ../../etc", "31m-etc"),
        ("word " * 20, "word-word-word-word-word-word-word-word"),
        ("x" * 60, "x" * 40),
    ],
)
def test_query_slug(query: str, slug: str) -> None:
    assert query_slug(query) == slug
    assert len(slug) <= 40


def test_the_name_carries_the_week_and_the_query() -> None:
    assert export_filename("potw", date(2023, 6, 25), "json", "diffusion") == (
        "potw-2023-06-25-diffusion.json"
    )
    assert export_filename("potw", None, "markdown", "") == "potw-all.md"
    assert export_filename("potw", None, "markdown", "../x/") == "potw-all-x.md"


def test_free_path_counts_up(tmp_path: Path) -> None:
    assert free_path(tmp_path, "a.md") == tmp_path / "a.md"
    (tmp_path / "a.md").write_text("", encoding="utf-8")
    (tmp_path / "a (2).md").symlink_to(tmp_path / "nowhere")  # a dangling link is taken too
    assert free_path(tmp_path, "a.md") == tmp_path / "a (3).md"


def _export(name: str = "x.md", text: str = "hello\r\n") -> Export:
    return Export("markdown", "Markdown", "text/markdown", name, text, 1)


def test_save_creates_the_folder_and_keeps_the_text_exactly(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    path = save_export(_export(), folder)
    assert path == folder / "x.md"
    assert path.read_bytes() == b"hello\r\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    again = save_export(_export(text="two"), folder)
    assert again == folder / "x (2).md"
    assert path.read_bytes() == b"hello\r\n"
    assert sorted(p.name for p in folder.iterdir()) == ["x (2).md", "x.md"]  # no temporary left


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_errors_are_words(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        save_export(_export(), blocker)
    assert str(caught.value) == f"{blocker} is a file, not a folder"
    with pytest.raises(ExportError) as caught:
        save_export(_export(), blocker / "sub")
    assert str(caught.value) == f"cannot create the folder {blocker / 'sub'}: not a directory"
    assert "Errno" not in str(caught.value)


def test_export_view_says_what_it_did(tmp_path: Path) -> None:
    digest = load_digest()
    indices = list(range(3))
    notice = export_view(digest, indices, "links", week=None, query="x", directory=tmp_path)
    assert notice.severity == "information"
    assert notice.path == tmp_path / "ml-papers-2023-all-x.txt"
    assert notice.message == f"Exported 3 papers as links to\n{notice.path}"
    assert notice.path.read_text(encoding="utf-8").count("\n") == 3
    empty = export_view(digest, [], "links", week=None, directory=tmp_path / "none")
    assert empty.message == "Nothing to export: no papers in this view."
    assert empty.severity == "warning"
    assert not (tmp_path / "none").exists()
    sent: list[Export] = []
    served = export_view(digest, indices, "json", week=None, browser=sent.append)
    assert [e.name for e in sent] == ["ml-papers-2023-all.json"]
    assert served.message == (
        "Exporting 3 papers as JSON (a download in the browser):\nml-papers-2023-all.json"
    )
