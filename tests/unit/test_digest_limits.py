"""Issue 23's "every input a size limit", for a digest: a line over `reader.limits.LINE_CHARS`
in a Markdown digest is an error at its line (a 200 MB line of a README of weeks took 28 s and
5 GB to parse), and a field over `reader.limits.FIELD_CHARS` in any format is cut, with a
notice naming its line (a 50 MB abstract froze the TUI for a minute when it was shown).

The inputs are generated, just over the limits (a few MB at most)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.limits import FIELD_CHARS, LINE_CHARS
from reader.sources.digest_cache import open_digest
from reader.sources.loader import LoadError, load_digest, parse_text

HEADER = "| Week | Title | Category | Abstract | Link |\n|---|---|---|---|---|\n"


def row(number: int, abstract: str = "short", title: str = "A paper") -> str:
    link = f"https://arxiv.org/abs/2401.{number:05d}"
    return f"| 2024-01-07 | {title} {number} | LLM | {abstract} | {link} |\n"


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_table_row_over_the_line_limit_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = write(tmp_path / "d.md", HEADER + row(1) + row(2, "x" * (LINE_CHARS + 1)) + row(3))
    with pytest.raises(LoadError) as raised:
        load_digest([digest])
    assert (raised.value.path, raised.value.line) == (digest, 4)
    assert f"at most {LINE_CHARS:,}" in raised.value.message
    assert main([digest, "--print"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"reader: error: {digest}:4: {raised.value.message}"]


def test_a_row_just_within_the_line_limit_is_read() -> None:
    cell = "x" * (LINE_CHARS - len(row(2, "")) + 1)  # the row's line is LINE_CHARS long
    assert len(row(2, cell)) - 1 == LINE_CHARS
    papers = parse_text(HEADER + row(1) + row(2, cell), "d.md", "table")
    assert [paper.title for paper in papers] == ["A paper 1", "A paper 2"]


def test_a_line_of_a_readme_of_weeks_over_the_line_limit_is_an_error_at_its_line() -> None:
    long = f"| 2) **A long one** - {'x' * LINE_CHARS} | [Paper](https://arxiv.org/abs/2401.00002) |"
    text = (
        "# ML Papers of the Week\n\n## Top ML Papers of the Week (January 1 - January 7, 2024)\n\n"
        "| **Paper** | **Links** |\n| --- | --- |\n"
        "| 1) **A paper** - about things | [Paper](https://arxiv.org/abs/2401.00001) |\n"
        f"{long}\n"
    )
    with pytest.raises(LoadError) as raised:
        parse_text(text, "potw.md", "potw")
    assert raised.value.line == 8
    assert raised.value.message.startswith(f"a line of {len(long):,} characters")
    within = long.replace("x" * (len(long) - LINE_CHARS), "", 1)  # LINE_CHARS long
    assert len(parse_text(text.replace(long, within), "potw.md", "potw")) == 2


def test_a_cell_over_the_field_limit_is_cut_and_said_at_its_line(tmp_path: Path) -> None:
    long = "word " * 30_000  # 150,000 characters, within the line limit
    digest = write(tmp_path / "d.md", HEADER + row(1) + row(2, long, "Long") + row(3))
    loaded = load_digest([digest])
    abstracts = [paper.abstract for paper in loaded.papers]
    assert abstracts[0] == abstracts[2] == "short"
    assert len(abstracts[1]) == FIELD_CHARS
    assert abstracts[1] == long[: FIELD_CHARS - 1] + "…"
    assert loaded.papers[1].link == "https://arxiv.org/abs/2401.00002"  # the rest of the row
    assert loaded.notices == (
        f"{digest}:4: the abstract is {len(long.strip()):,} characters long: "
        f"cut to its first {FIELD_CHARS:,}",
    )


def test_continuation_rows_that_add_up_over_the_field_limit_are_cut(tmp_path: Path) -> None:
    piece = "y" * 9_000
    more = "|  |  |  | " + piece + " |  |\n"
    digest = write(tmp_path / "d.md", HEADER + row(1) + row(2, piece) + more + more + row(3))
    loaded = load_digest([digest])
    assert [len(paper.abstract) for paper in loaded.papers] == [5, FIELD_CHARS, 5]
    assert loaded.notices[0].startswith(f"{digest}:4: the abstract is 27,002 characters long")


def test_every_field_of_a_json_paper_is_held_to_the_limit(tmp_path: Path) -> None:
    over = FIELD_CHARS + 1
    paper = {
        "week": "2024-01-07",
        "title": "T" * over,
        "link": "https://arxiv.org/abs/2401.00001",
        "abstract": "a" * 3 * over,
        "authors": ["Ada " * over],
        "links": [{"label": "L" * over, "url": "https://example.org/" + "u" * over}],
    }
    fine = {"week": "2024-01-07", "title": "Fine", "link": "https://arxiv.org/abs/2401.00002"}
    digest = write(tmp_path / "d.json", json.dumps([fine, paper], indent=1))
    loaded = load_digest([digest])
    cut = loaded.papers[1]
    assert loaded.papers[0].title == "Fine"
    texts = [cut.title, cut.abstract, *cut.authors, cut.links[0].label, cut.links[0].url]
    assert [len(text) for text in texts] == [FIELD_CHARS] * 5
    assert all(text.endswith("…") for text in texts)
    assert cut.link == "https://arxiv.org/abs/2401.00001"
    line = 1 + json.dumps([fine, paper], indent=1).splitlines().index(" {", 2)
    assert loaded.notices == (
        f"{digest}:{line}: the title is {over:,} characters long: cut to its first "
        f"{FIELD_CHARS:,} (and 4 more fields of this file)",
    )


def test_a_digest_with_a_field_cut_says_so_each_time_it_is_opened(tmp_path: Path) -> None:
    """Its papers are not kept in the parsed-digest cache, whose entries keep no notice."""
    rows = [row(n, "word " * 5_000 if n == 7 else "short") for n in range(1, 400)]
    digest = write(tmp_path / "d.md", HEADER + "".join(rows))
    cache = tmp_path / "parsed"
    for _ in range(2):
        opened = open_digest([digest], min_bytes=0, directory=cache, background=False)
        assert opened.notices == (
            f"{digest}:9: the abstract is 24,999 characters long: cut to its first 20,000",
        )
        assert len(opened.papers) == 399
    assert not cache.exists() or not any(cache.iterdir())
    clean = write(tmp_path / "e.md", HEADER + row(1))
    open_digest([clean], min_bytes=0, directory=cache, background=False)
    assert any(cache.iterdir())  # (a digest with nothing cut is cached)


def test_print_says_the_cut_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = write(tmp_path / "d.md", HEADER + row(1, "z" * (FIELD_CHARS + 5)))
    assert main([digest, "--print", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert [len(paper["abstract"]) for paper in json.loads(out)] == [FIELD_CHARS]
    assert err == (
        f"reader: {digest}:3: the abstract is {FIELD_CHARS + 5:,} characters long: "
        f"cut to its first {FIELD_CHARS:,}\n"
    )
