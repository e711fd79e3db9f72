"""BibTeX and RIS: read back by real parsers (bibtexparser, rispy) for every bundled paper and for
hostile titles; keys; what comes out without metadata."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text

from reader.arxiv import Metadata, parse_feed
from reader.citations import (
    CitationKeys,
    bibtex_entry,
    citation_key,
    ris_record,
    write_bibtex,
    write_ris,
)
from reader.model import Paper
from reader.sources.loader import load_digest
from reader.text import inert
from tests.arxiv_server import FIXTURES

DIGEST = load_digest(None)
SAMPLES = parse_feed((FIXTURES / "three.xml").read_bytes()).entries
_TEXT = LatexNodes2Text()


def _decode(value: str) -> str:
    # latex2text shows \textasciicircum as the modifier letter; LaTeX prints a caret
    return str(_TEXT.latex_to_text(value)).replace("\u02c6", "^").replace("\u02dc", "~")


def _one_line(text: str) -> str:
    return " ".join(inert(text, keep_newlines=True).split())


def _balanced(text: str) -> bool:
    depth = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == [], [block.error for block in library.failed_blocks]
    return library


def _bibtex(papers: list[Paper], lookup: object = None) -> str:
    out = io.StringIO()
    write_bibtex(papers, out, SAMPLES.get if lookup else None)
    return out.getvalue()


@pytest.mark.parametrize("with_metadata", [False, True])
def test_every_bundled_paper_reads_back(with_metadata: bool) -> None:
    papers = list(DIGEST.papers)
    text = _bibtex(papers, with_metadata)
    assert _balanced(text)
    library = _parse(text)
    assert len(library.entries) == len(papers)
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys)
    for paper, entry in zip(papers, library.entries, strict=True):
        fields = entry.fields_dict
        assert entry.entry_type == "misc"
        meta = SAMPLES.get(paper.arxiv_id or "") if with_metadata else None
        title = meta.title if meta else paper.title
        assert _decode(fields["title"].value) == _one_line(title)
        assert fields["title"].value.startswith("{")  # case protected
        assert fields["eprint"].value == paper.arxiv_id
        assert fields["archivePrefix"].value == "arXiv"
        assert fields["url"].value == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert fields["primaryClass"].value  # from the category name when there is no metadata
        if meta is not None:
            assert [_decode(name) for name in fields["author"].value] == list(meta.authors)
            assert fields["year"].value == str(meta.published.year if meta.published else "")
            assert fields["primaryClass"].value == meta.primary_category
        else:
            assert "author" not in fields
            assert fields["year"].value == "2023"


def test_missing_authors_are_said() -> None:
    paper = next(p for p in DIGEST.papers if p.arxiv_id == "2305.14314")
    text = bibtex_entry(paper)
    assert text.startswith("% anon2023qlora: authors missing")
    library = _parse(text)
    assert library.comments and "authors missing" in library.comments[0].comment


def test_three_bundled_papers_with_and_without_metadata() -> None:
    wanted = ["2305.14314", "2303.17564", "2304.05376"]
    papers = [next(p for p in DIGEST.papers if p.arxiv_id == arxiv_id) for arxiv_id in wanted]
    without = _bibtex(papers)
    assert "primaryClass = {physics.chem-ph}" in without  # "Physics > Chemical Physics"
    assert without.count("authors missing") == 3
    with_meta = _bibtex(papers, True)
    assert "@misc{dettmers2023qlora," in with_meta
    assert "@misc{wu2023bloomberggpt," in with_meta
    assert "@misc{bran2023chemcrow," in with_meta
    assert "author = {Shijie Wu and Ozan {\\.I}rsoy and" in with_meta
    assert "doi = {10.1038/s42256-024-00832-8}" in with_meta
    assert "authors missing" not in with_meta


HOSTILE = [
    "50% of R&D: $x_1$ costs #1 {braced} ~tilde^ and \\backslash",
    "Unbalanced { brace",
    "Unbalanced } brace",
    "\\end{document} \\input{/etc/passwd}",
    "שלום: מודל שפה גדול",  # RTL text
    "نموذج لغوي كبير",
    "\u202eevil\u202c override \x1b[31mred",
    "Müller, Gödel & Łukasiewicz — “quotes”",
    "中文标题 with 日本語",
    "Line\nbreak\ttab",
    "%",
    "}",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_read_back(title: str) -> None:
    paper = Paper(date(2023, 6, 25), title, "https://example.org/a%20b?x={y}#z", "Sound")
    text = bibtex_entry(paper)
    assert _balanced(text)
    assert "\x1b" not in text and "\u202e" not in text
    library = _parse(text)
    (entry,) = library.entries
    assert _decode(entry.fields_dict["title"].value) == _one_line(title)
    assert entry.fields_dict["year"].value == "2023"  # the week's year: not an arXiv paper
    assert "eprint" not in entry.fields_dict
    assert entry.fields_dict["url"].value == "https://example.org/a%20b?x=%7By%7D#z"


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(min_size=1, max_size=60).filter(lambda t: t.strip()),
    names=st.lists(st.text(min_size=1, max_size=20).filter(lambda t: t.strip()), max_size=3),
)
def test_any_title_and_names_make_balanced_parseable_bibtex(title: str, names: list[str]) -> None:
    paper = Paper(
        date(2023, 6, 25), title, "https://arxiv.org/abs/2306.00001", arxiv_id="2306.00001"
    )
    paper = replace(paper, authors=tuple(names))
    text = bibtex_entry(paper)
    assert _balanced(text)
    (entry,) = _parse(text).entries
    assert entry.key.isascii()


def test_keys_are_unique_within_a_file() -> None:
    keys = CitationKeys()
    assert [keys.key("smith2023deep") for _ in range(4)] == [
        "smith2023deep",
        "smith2023deepb",
        "smith2023deepc",
        "smith2023deepd",
    ]
    assert keys.key("smith2023deepb") == "smith2023deepbb"  # a base that is taken: still unique
    paper = next(p for p in DIGEST.papers if p.arxiv_id == "2305.14314")
    text = _bibtex([paper, paper, paper], True)
    assert [e.key for e in _parse(text).entries] == [
        "dettmers2023qlora",
        "dettmers2023qlorab",
        "dettmers2023qlorac",
    ]


def test_key_is_ascii_and_skips_stop_words() -> None:
    paper = Paper(date(2023, 1, 1), "The Über-Model of Everything", "https://x.org")
    meta = Metadata("x", authors=("José Ñúñez",))
    paper = replace(paper, authors=("José Ñúñez",))
    assert citation_key(paper, None) == "nunez2023ubermodel"
    assert citation_key(replace(paper, authors=()), meta) == "nunez2023ubermodel"
    assert citation_key(replace(paper, authors=()), None) == "anon2023ubermodel"
    assert citation_key(replace(paper, authors=("李雷",)), None) == "anon2023ubermodel"


def test_every_bundled_paper_reads_back_as_ris() -> None:
    out = io.StringIO()
    assert write_ris(DIGEST.papers, out, SAMPLES.get) == len(DIGEST)
    records = rispy.loads(out.getvalue())
    assert len(records) == len(DIGEST)
    for paper, record in zip(DIGEST.papers, records, strict=True):
        meta = SAMPLES.get(paper.arxiv_id or "")
        assert record["type_of_reference"] == "GEN"
        assert record["title"] == _one_line(meta.title if meta else paper.title)
        assert record["urls"] == [f"https://arxiv.org/abs/{paper.arxiv_id}"]
        assert record["file_attachments1"] == f"https://arxiv.org/pdf/{paper.arxiv_id}"
        assert record["year"] == (str(meta.published.year) if meta and meta.published else "2023")
        if meta is not None:
            assert record["authors"] == list(meta.authors)
        else:
            assert "authors" not in record
            assert any("authors missing" in note for note in record["notes"])


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_in_ris(title: str) -> None:
    paper = Paper(date(2023, 6, 25), title, "https://example.org/x", "Sound", abstract="a\nb")
    paper = replace(paper, authors=("Ozan İrsoy", "A\nB"))
    (record,) = rispy.loads(ris_record(paper))
    assert record["title"] == _one_line(title)
    assert record["authors"] == ["Ozan İrsoy", "A B"]
    assert record["abstract"] == "a b"


def test_ris_lines_are_tagged_as_ris_writes_them() -> None:
    """Tags in capitals, two spaces, a dash and a space (RIS readers are not all lenient)."""
    paper = next(p for p in DIGEST.papers if p.arxiv_id == "2304.05376")
    lines = ris_record(paper).splitlines()
    assert lines[0] == "TY  - GEN" and lines[-1] == "ER  - "
    assert f"UR  - {paper.link}" in lines
    assert "L1  - https://arxiv.org/pdf/2304.05376" in lines
    assert all(line[:2].isupper() and line[2:6] == "  - " for line in lines[:-1])


def test_ris_with_metadata_carries_dates_doi_and_notes() -> None:
    paper = next(p for p in DIGEST.papers if p.arxiv_id == "2304.05376")
    (record,) = rispy.loads(ris_record(paper, SAMPLES["2304.05376"]))
    assert record["date"] == "2023/04/11"
    assert record["doi"] == "10.1038/s42256-024-00832-8"
    assert record["notes"] == ["Journal reference: Nature Machine Intelligence (2024)"]
    assert record["accession_number"] == "arXiv:2304.05376"


def test_an_author_with_a_comma_or_the_word_and_stays_one_author_in_bibtex() -> None:
    paper = Paper(
        date(2023, 6, 25), "T", "https://arxiv.org/abs/2306.00001", arxiv_id="2306.00001"
    )
    names = ("Ada Lovelace", "Research and Development Team", "Google, Inc.")
    text = bibtex_entry(replace(paper, authors=names))
    assert "{Research and Development Team}" in text and "{Google, Inc.}" in text
    (entry,) = _parse(text).entries
    assert [_decode(name).strip("{}") for name in entry.fields_dict["author"].value] == list(names)


def test_a_paper_off_arxiv_has_its_link_as_the_ris_url() -> None:
    paper = Paper(date(2023, 6, 25), "T", "https://example.org/paper?id=1", "Sound")
    (record,) = rispy.loads(ris_record(paper))
    assert record["urls"] == ["https://example.org/paper?id=1"]
    assert "file_attachments1" not in record
