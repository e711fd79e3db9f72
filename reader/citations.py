"""Citations of papers: BibTeX and RIS. No Textual here.

BibTeX, one `@misc` entry a paper::

    @misc{dettmers2023qlora,
      title = {{QLoRA: Efficient Finetuning of Quantized LLMs}},
      author = {Tim Dettmers and Artidoro Pagnoni and Ari Holtzman and Luke Zettlemoyer},
      year = {2023},
      eprint = {2305.14314},
      archivePrefix = {arXiv},
      primaryClass = {cs.LG},
      url = {https://arxiv.org/abs/2305.14314}
    }

- The key is `<first author's last name><year><first word of the title>`, folded to ASCII
  (`anon` when the authors are not known); `CitationKeys` makes keys unique within one output by
  adding `b`, `c`, ... to the second, third, ... paper that would get the same key.
- The title is wrapped in a second pair of braces so that styles keep its capitalization.
- Text is encoded for LaTeX with pylatexenc's `latexencode`: the specials `& % $ # _ { } ~ ^ \\`
  are escaped and accented letters written as LaTeX accents (`{\\"u}`); characters LaTeX has no
  name for (CJK, Hebrew, Arabic) are kept as UTF-8. Control characters and bidi overrides are
  first made inert (`reader.text.inert`), as in every other output.
- Without arXiv metadata an entry still comes out: the year from the arXiv id, `primaryClass`
  from the digest's category name (arXiv's taxonomy), and a `%` comment line before it saying the
  authors are missing. Papers that are not on arXiv get title, url and the year of their week.

RIS (`TY  - GEN`), one record a paper: TI, AU (one a line), PY, DA, UR, L1 (the PDF), DO, AN
(the arXiv id), KW (the category), N1 (comment, journal reference, missing authors), AB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TextIO

from reader.arxiv import (
    Metadata,
    abs_url,
    ascii_word,
    category_code,
    last_name,
    pdf_url,
    year_of_id,
)
from reader.model import UNDATED, Paper
from reader.text import clean_abstract, inert

if TYPE_CHECKING:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

__all__ = ["CitationKeys", "bibtex_entry", "latex", "ris_record", "write_bibtex", "write_ris"]

Lookup = Callable[[str], "Metadata | None"]
"""arXiv id -> its cached metadata, if any."""

MISSING_AUTHORS = (
    "authors missing (arXiv metadata not fetched: F in the reader, or reader --fetch-metadata)"
)
NO_AUTHORS = "authors missing (the digest does not list them)"
FETCH_FAILED = "authors missing (fetching the arXiv metadata failed: F tries again)"
"""The note of a paper whose metadata could not be fetched the last time it was asked for."""

_STOP_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is"})
_encoder: UnicodeToLatexEncoder | None = None


def latex(text: str) -> str:
    """`text` as LaTeX: one line, inert, specials escaped, accents as LaTeX accents.

    >>> print(latex("50% & a_b {x} ~ Müller"))
    50{\\%} {\\&} a{\\_}b {\\{}x{\\}} {\\textasciitilde} M{\\"u}ller
    """
    global _encoder
    if _encoder is None:
        from pylatexenc.latexencode import UnicodeToLatexEncoder

        _encoder = UnicodeToLatexEncoder(
            non_ascii_only=False,
            replacement_latex_protection="braces-all",
            unknown_char_policy="keep",
            unknown_char_warning=False,
        )
    one_line = " ".join(inert(text, keep_newlines=True).split())
    return str(_encoder.unicode_to_latex(one_line))


def _url(link: str) -> str:
    """A URL for a BibTeX field: inert, and the characters that would unbalance it escaped."""
    cleaned = inert(link.strip())
    return cleaned.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _name(name: str) -> str:
    """An author for BibTeX's `author` list: braced whole when it holds a comma or the word
    `and`, which BibTeX would otherwise read as name syntax."""
    encoded = latex(name)
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + encoded + "}"
    return encoded


class CitationKeys:
    """Hands out keys unique within one output (one file, one clipboard copy)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def key(self, base: str) -> str:
        if base not in self._used:
            self._used.add(base)
            return base
        for suffix in "bcdefghijklmnopqrstuvwxyz":
            if base + suffix not in self._used:
                self._used.add(base + suffix)
                return base + suffix
        number = 2
        while f"{base}-{number}" in self._used:
            number += 1
        self._used.add(f"{base}-{number}")
        return f"{base}-{number}"


def _first_word(title: str) -> str:
    for word in title.split():
        folded = ascii_word(word)
        if folded and folded not in _STOP_WORDS:
            return folded
    return "paper"


def _year(paper: Paper, meta: Metadata | None) -> int | None:
    if meta is not None and meta.published is not None:
        return meta.published.year
    if paper.arxiv_id:
        year = year_of_id(paper.arxiv_id)
        if year is not None:
            return year
    return None if paper.week == UNDATED else paper.week.year


def _authors(paper: Paper, meta: Metadata | None) -> tuple[str, ...]:
    if meta is not None and meta.authors:
        return meta.authors
    return paper.authors


def _title(paper: Paper, meta: Metadata | None) -> str:
    return meta.title if meta is not None and meta.title else paper.title


def citation_key(paper: Paper, meta: Metadata | None) -> str:
    """The key before it is made unique: `dettmers2023qlora`."""
    authors = _authors(paper, meta)
    family = ascii_word(last_name(authors[0])) if authors else ""
    year = _year(paper, meta)
    return f"{family or 'anon'}{year or ''}{_first_word(_title(paper, meta))}"


def bibtex_entry(
    paper: Paper,
    meta: Metadata | None = None,
    keys: CitationKeys | None = None,
    missing: str = MISSING_AUTHORS,
) -> str:
    """The BibTeX of one paper (with a `%` line before it when its authors are missing, saying
    `missing` for an arXiv paper: why they are)."""
    key = (keys or CitationKeys()).key(citation_key(paper, meta))
    authors = _authors(paper, meta)
    fields: list[tuple[str, str]] = [("title", "{" + latex(_title(paper, meta)) + "}")]
    if authors:
        fields.append(("author", " and ".join(_name(name) for name in authors)))
    year = _year(paper, meta)
    if year is not None:  # an undated paper without arXiv metadata has none
        fields.append(("year", str(year)))
    if paper.arxiv_id:
        code = (meta.primary_category if meta is not None else "") or category_code(paper.category)
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if code:
            fields.append(("primaryClass", code))
        if meta is not None and meta.doi:
            fields.append(("doi", _url(meta.doi)))
        fields.append(("url", _url(abs_url(paper.arxiv_id))))
    else:
        fields.append(("url", _url(paper.link)))
    lines = [f"  {name} = {{{value}}}" for name, value in fields]
    head = ""
    if not authors:
        head = f"% {key}: {missing if paper.arxiv_id else NO_AUTHORS}\n"
    return head + f"@misc{{{key},\n" + ",\n".join(lines) + "\n}\n"


def write_bibtex(papers: Iterable[Paper], out: TextIO, lookup: Lookup | None = None) -> int:
    """BibTeX entries for `papers`, separated by blank lines, keys unique; the number written."""
    keys = CitationKeys()
    count = 0
    for paper in papers:
        meta = lookup(paper.arxiv_id) if lookup is not None and paper.arxiv_id else None
        out.write(("\n" if count else "") + bibtex_entry(paper, meta, keys))
        count += 1
    return count


# --- RIS ---------------------------------------------------------------------------------------


def _ris_text(text: str) -> str:
    return " ".join(inert(text, keep_newlines=True).split())


def ris_record(paper: Paper, meta: Metadata | None = None, missing: str = MISSING_AUTHORS) -> str:
    """The RIS record of one paper, ending with its `ER  - ` line (`missing`: as for
    `bibtex_entry`)."""
    lines: list[tuple[str, str]] = [("TY", "GEN"), ("TI", _ris_text(_title(paper, meta)))]
    authors = _authors(paper, meta)
    lines += [("AU", _ris_text(name)) for name in authors]
    year = _year(paper, meta)
    if year is not None:
        lines.append(("PY", str(year)))
    if meta is not None and meta.published is not None:
        lines.append(("DA", meta.published.strftime("%Y/%m/%d")))
    if paper.arxiv_id:
        lines.append(("UR", abs_url(paper.arxiv_id)))
        lines.append(("L1", pdf_url(paper.arxiv_id)))
        lines.append(("AN", f"arXiv:{paper.arxiv_id}"))
        lines.append(("DB", "arXiv"))
        if meta is not None and meta.doi:
            lines.append(("DO", _ris_text(meta.doi)))
    else:
        lines.append(("UR", _ris_text(paper.link)))
    if paper.category:
        lines.append(("KW", _ris_text(paper.category)))
    if meta is not None and meta.comment:
        lines.append(("N1", _ris_text(meta.comment)))
    if meta is not None and meta.journal_ref:
        lines.append(("N1", "Journal reference: " + _ris_text(meta.journal_ref)))
    if not authors:
        lines.append(("N1", missing if paper.arxiv_id else NO_AUTHORS))
    abstract = _ris_text(clean_abstract(paper.abstract))
    if abstract:
        lines.append(("AB", abstract))
    return "".join(f"{tag}  - {value}\n" for tag, value in lines if value) + "ER  - \n"


def write_ris(papers: Iterable[Paper], out: TextIO, lookup: Lookup | None = None) -> int:
    count = 0
    for paper in papers:
        meta = lookup(paper.arxiv_id) if lookup is not None and paper.arxiv_id else None
        out.write(("\n" if count else "") + ris_record(paper, meta))
        count += 1
    return count
