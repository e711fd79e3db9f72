"""What the copy keys copy (links, Markdown links, citations): texts made from papers, no Textual.
The screen puts them on the clipboard."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from reader.arxiv import Metadata
from reader.model import Paper
from reader.records import frozen

MetadataOf = Callable[[str], "Metadata | None"]
"""The cached arXiv metadata of an arXiv id (`StateStore.cached_metadata`)."""


@frozen
class Clip:
    """A text to copy, `what` it is (for the toast) and what the toast shows of it (`shown`;
    None: the text itself)."""

    text: str
    what: str
    shown: str | None = None


def links(papers: Sequence[Paper]) -> Clip | None:
    """y: the link, or the links of the selected papers one a line."""
    if len(papers) > 1:
        return Clip("\n".join(paper.link for paper in papers), f"{len(papers)} links")
    return Clip(papers[0].link, "link") if papers else None


def markdown_links(papers: Sequence[Paper]) -> Clip | None:
    """Y: `[Title](link)`, or a Markdown list of them."""
    lines = []
    for paper in papers:
        title = paper.title.replace("[", "\\[").replace("]", "\\]")
        lines.append(f"[{title}]({paper.link})")
    if len(lines) > 1:
        return Clip("\n".join(f"- {line}" for line in lines), f"{len(lines)} Markdown links")
    return Clip(lines[0], "Markdown link") if lines else None


def citations(
    papers: Sequence[Paper],
    fmt: str,
    metadata: MetadataOf,
    failed: Collection[str] = (),
) -> Clip | None:
    """B / I: a BibTeX entry or RIS record of each paper (with its cached arXiv metadata; a
    paper whose last fetch failed, an id in `failed`, says so instead of "not fetched"); the
    toast shows one paper's first lines (and the line saying authors are missing), or how many."""
    from reader.citations import (  # startup: imported when used
        FETCH_FAILED,
        MISSING_AUTHORS,
        bibtex_entry,
        ris_record,
    )

    def cite(paper: Paper) -> str:
        meta = metadata(paper.arxiv_id) if paper.arxiv_id else None
        why = FETCH_FAILED if paper.arxiv_id in failed else MISSING_AUTHORS
        if fmt == "ris":
            return ris_record(paper, meta, missing=why)
        return bibtex_entry(paper, meta, missing=why)

    if len(papers) > 1:
        what = f"{len(papers)} {'RIS records' if fmt == 'ris' else 'BibTeX entries'}"
        return Clip("\n".join(cite(paper) for paper in papers), what, what)
    if not papers:
        return None
    text = cite(papers[0])
    lines = text.splitlines()
    said = [line for line in lines if line.startswith("%") or "@" in line]  # authors missing?
    shown = "\n".join(lines[:2] if fmt == "ris" else said)
    return Clip(text, "RIS" if fmt == "ris" else "BibTeX", f"{shown} … ({len(lines)} lines)")
