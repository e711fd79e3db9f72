"""A paper's links, each once, in the order a reader wants them: no Textual here (the `L` list)."""

from __future__ import annotations

from reader.arxiv import pdf_url
from reader.model import Paper


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) of every link of `paper`: its own link first (`Paper`, or `Link` when it is
    not an arXiv paper), the PDF of an arXiv paper, then the digest's other links (Tweet, Code,
    Project, ...) in their order; a URL listed twice is kept the first time."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(label: str, url: str) -> None:
        url = url.strip()
        if url and url not in seen:
            seen.add(url)
            found.append((label.strip() or "Link", url))

    add("Paper" if paper.arxiv_id else "Link", paper.link)
    if paper.arxiv_id:
        add("PDF", pdf_url(paper.arxiv_id))
    for link in paper.links:
        add(link.label, link.url)
    return found
