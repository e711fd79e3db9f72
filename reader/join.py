"""Joining undated papers (the upstream CSV of abstracts) to the dated papers they describe.

No Textual here. The upstream repository publishes its weeks in a README and its abstracts in a
CSV without a week column (`Title,Description,PaperURL,TweetURL,Abstract`); read together
(`reader README.md ml-potw.csv`), each undated paper joins the dated paper it describes and
fills what that paper lacks (its abstract, summary, category and authors). Matching, in order:

1. the arXiv id (without version);
2. the link, compared without scheme and `www.`, the host in any case, no trailing slash;
3. the title, normalised: case-folded, only letters and digits kept (`Self-RAG` = `self rag`).

An undated paper matches every dated paper with that key (a paper listed in two weeks gets its
abstract in both). Undated papers that match nothing stay, under the Undated week. Dated papers
are never dropped or reordered; undated papers within the same source as dated ones are joined
too (a source is not special).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from reader.model import UNDATED, Paper

__all__ = ["join_undated", "link_key", "title_key"]

_NOT_ALNUM = re.compile(r"[\W_]+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(?:www\.)?", re.IGNORECASE)


def title_key(title: str) -> str:
    """A title as compared: case-folded, letters and digits only.

    >>> title_key("Self-RAG: Learning to Retrieve"), title_key(" self rag learning TO retrieve ")
    ('selfraglearningtoretrieve', 'selfraglearningtoretrieve')
    """
    return _NOT_ALNUM.sub("", title.casefold())


def link_key(link: str) -> str:
    """A link as compared: no scheme, no `www.`, the host lowercased, no trailing slash.

    >>> link_key("https://www.Example.org/a/"), link_key("http://example.org/a")
    ('example.org/a', 'example.org/a')
    """
    text = _SCHEME.sub("", link.strip())
    host, slash, rest = text.partition("/")
    return (host.lower() + slash + rest).rstrip("/")


def _fill(paper: Paper, row: Paper) -> Paper:
    """`paper` with what it lacks taken from `row`."""
    abstract = paper.abstract if paper.abstract.strip() else row.abstract
    summary = paper.summary if paper.summary.strip() else row.summary
    category = paper.category if paper.category.strip() else row.category
    authors = paper.authors or row.authors
    if (abstract, summary, category, authors) == (
        paper.abstract,
        paper.summary,
        paper.category,
        paper.authors,
    ):
        return paper
    return replace(paper, abstract=abstract, summary=summary, category=category, authors=authors)


def join_undated(papers: Sequence[Paper]) -> tuple[list[Paper], int, int]:
    """(papers, joined, undated): every dated paper, in order, filled from the undated papers that
    describe it; then the undated papers that matched none. `joined` counts undated papers that
    found their dated paper, `undated` those that did not. Without dated papers, or without
    undated ones, the papers come back as they are."""
    dated = [paper for paper in papers if paper.week != UNDATED]
    rows = [paper for paper in papers if paper.week == UNDATED]
    if not dated or not rows:
        return list(papers), 0, len(rows)
    by_id: dict[str, list[int]] = {}
    by_link: dict[str, list[int]] = {}
    by_title: dict[str, list[int]] = {}
    for at, paper in enumerate(dated):
        if paper.arxiv_id:
            by_id.setdefault(paper.arxiv_id, []).append(at)
        by_link.setdefault(link_key(paper.link), []).append(at)
        by_title.setdefault(title_key(paper.title), []).append(at)
    filled = list(dated)
    left: list[Paper] = []
    joined = 0
    for row in rows:
        targets = (row.arxiv_id and by_id.get(row.arxiv_id)) or by_link.get(link_key(row.link))
        if not targets:
            key = title_key(row.title)
            targets = by_title.get(key) if key else None
        if not targets:
            left.append(row)
            continue
        joined += 1
        for at in targets:
            filled[at] = _fill(filled[at], row)
    return filled + left, joined, len(left)
