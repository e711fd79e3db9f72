"""Loading reports progress, can be stopped by it, and ends on a file that keeps growing."""

from __future__ import annotations

from pathlib import Path

import pytest

import reader.sources.loader
from reader.sources.loader import load_digest

HEADER = "| Week | title | category | abstract | Paper-Link |\n|:--|:--|:--|:--|:--|\n"


def rows(count: int, start: int = 0) -> str:
    return "".join(
        f"| 2023-06-25 | Paper {n} | ML | Abstract {n}. | https://arxiv.org/abs/2306.{n:05d} |\n"
        for n in range(start, start + count)
    )


def test_progress_goes_to_one_then_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader.sources.loader, "READ_CHUNK", 1024)
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(200))
    heard: list[tuple[float, str]] = []
    digest = load_digest(path, progress=lambda done, what: heard.append((done, what)))
    assert len(digest) == 200
    fractions = [done for done, _ in heard if done >= 0]
    assert len(fractions) > 5
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(what.startswith("Parsing") for _, what in heard)
    assert heard[-1] == (-1, "Indexing 200 papers")  # no fraction: a bar that waits


def test_a_file_growing_while_read_is_read_to_its_first_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.sources.loader, "READ_CHUNK", 512)
    path = tmp_path / "growing.md"
    path.write_text(HEADER + rows(50))
    grown = [0]

    def grow(done: float, what: str) -> None:  # another process appending as we read
        with path.open("a") as file:
            file.write(rows(10, start=1000 + grown[0]))
        grown[0] += 10

    digest = load_digest(path, progress=grow)
    assert grown[0] > 0
    assert len(digest) == 50


def test_progress_can_stop_loading(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(10))

    class Stop(Exception):
        pass

    def stop(done: float, what: str) -> None:
        raise Stop

    with pytest.raises(Stop):
        load_digest(path, progress=stop)


def test_a_file_of_another_format_says_it_is_parsed_and_how_big(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    line = "2023-06-25,A paper with a title long enough,https://example.org/{n}\n"
    path.write_text("week,title,link\n" + "".join(line.format(n=n) for n in range(20_000)))
    assert 1 << 20 < path.stat().st_size < 2 << 20
    heard: list[tuple[float, str]] = []
    load_digest(path, progress=lambda done, what: heard.append((done, what)))
    assert (-1, f"Parsing {path} (1 MB)") in heard


def test_a_table_says_it_is_read_then_parsed_as_it_is_read_in_megabytes(tmp_path: Path) -> None:
    """A pipe table over a megabyte is parsed while it is read: first `Reading FILE: 0 of 2 MB`,
    then `Parsing FILE: 1 of 2 MB`..., with the fraction of the file read."""
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(20_000))  # ~1.8 MB
    size = path.stat().st_size
    assert size >> 20 >= 1
    heard: list[tuple[float, str]] = []
    assert len(load_digest(path, progress=lambda done, what: heard.append((done, what)))) == 20_000
    said = [what for _, what in heard]
    assert said[0] == f"Reading {path}: 1 of {size >> 20} MB"
    parsing = [(done, what) for done, what in heard if what.startswith("Parsing")]
    assert parsing[0] == (heard[0][0], f"Parsing {path}")
    assert parsing[-1] == (1.0, f"Parsing {path}: {size >> 20} of {size >> 20} MB")


def test_a_device_is_no_digest(tmp_path: Path) -> None:
    with pytest.raises(reader.sources.loader.LoadError) as raised:
        load_digest(["/dev/zero"])
    assert str(raised.value) == "/dev/zero: is a device, not a digest file"


def test_text_of_links_and_no_weeks_is_read_as_a_readme_of_weeks() -> None:
    """Text that looks like an index (links, no weeks), given as text: read as a README of
    weeks, which says what a week heading looks like."""
    text = (
        "# Digests\n\n- [2025](https://example.org/2025.md)\n- [2024](https://example.org/x.md)\n"
    )
    with pytest.raises(reader.sources.loader.LoadError) as raised:
        reader.sources.loader.parse_text(text, "links.md")
    assert str(raised.value).startswith("links.md: no week headings: expected '## Top AI Papers")
