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
from datetime import date

from reader.feeds import FEEDS, upvotes_of, week_ending
from reader.model import UNDATED, Origin, Paper

__all__ = ["join_undated", "link_key", "merge_feeds", "title_key"]

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


# --- one inbox: papers of several feeds merged by arXiv id -------------------------------------

_RANK = {"potw": 0, "arxiv": 1, "hf": 2}
"""Whose fields win when rows of one paper merge: the digest's (its title, category, summary are
an editor's), then arXiv's listing (categories, the abstract as submitted), then Hugging Face."""


def _origin_key(origin: Origin) -> tuple[int, date, int, int, str, str]:
    return (
        FEEDS.index(origin.feed) if origin.feed in FEEDS else len(FEEDS),
        origin.day,
        -1 if origin.upvotes is None else origin.upvotes,
        -1 if origin.comments is None else origin.comments,
        origin.announce,
        origin.listing,
    )


def _row_key(paper: Paper) -> tuple[object, ...]:
    """A total order of a paper's rows, richest first, that depends on the rows alone (never on
    the order they came in): the feed's rank, the latest day, then every field."""
    origins = sorted(map(_origin_key, paper.origins))
    latest = max((origin.day for origin in paper.origins), default=paper.week)
    return (
        min((_RANK.get(origin.feed, len(_RANK)) for origin in paper.origins), default=0),
        -latest.toordinal(),
        paper.title,
        paper.abstract,
        paper.link,
        paper.category,
        paper.summary,
        paper.authors,
        tuple((link.label, link.url) for link in paper.links),
        origins,
        paper.line,
    )


def _in_order(origins: tuple[Origin, ...]) -> bool:
    """Whether `origins` are as a merged row keeps them: sorted, each once."""
    return len(origins) < 2 or list(origins) == sorted(set(origins), key=_origin_key)


def _merge_rows(base: Paper, rows: Sequence[Paper], week: date) -> Paper:
    """`base` with what it lacks from `rows` (richest first), the links and origins of all."""
    title, abstract, category, summary, authors = (
        base.title,
        base.abstract,
        base.category,
        base.summary,
        base.authors,
    )
    links = list(base.links)
    seen = {link.url for link in links}
    origins = set(base.origins or (Origin("potw", base.week),))
    for row in rows:
        title = title if title.strip() else row.title
        abstract = abstract if abstract.strip() else row.abstract
        category = category if category.strip() else row.category
        summary = summary if summary.strip() else row.summary
        authors = authors or row.authors
        for link in row.links:
            if link.url not in seen:
                seen.add(link.url)
                links.append(link)
        origins.update(row.origins)
    return replace(
        base,
        week=week,
        title=title,
        abstract=abstract,
        category=category,
        summary=summary,
        authors=authors,
        links=tuple(links),
        origins=tuple(sorted(origins, key=_origin_key)),
    )


def _of_digest(paper: Paper) -> bool:
    """A row of the digest: read from a digest file (no origins), or a digest's row that took in
    feeds before (its origins hold the digest's week: an inbox printed as json and read back)."""
    return not paper.origins or any(origin.feed == "potw" for origin in paper.origins)


def merge_feeds(papers: Sequence[Paper]) -> list[Paper]:
    """Papers of the digest and of feeds (`Paper.origins`) as one inbox: every paper that a feed
    brought is one row per arXiv id (a paper without one: per link), whose fields are the richest
    its rows have (the digest's, then arXiv's, then Hugging Face's; an abstract over none,
    authors from any) and whose origins are all of theirs; its week is that of the latest day it
    was picked. A digest's paper (no origins) stays a row of its own, in its week and order, and
    takes in the feeds' rows of its arXiv id (a paper the digest lists in two weeks takes them
    in both, as `join_undated` fills both; so does a row whose origins include the digest's).
    The digest's rows come first, in their order, then
    one row per paper only the feeds have, newest week first, then those Hugging Face picked
    before arXiv's listings alone, the latest pick first, the most upvotes first, then by id: the
    order the feeds were read in changes nothing."""
    digest_ids: dict[str, list[int]] = {}
    groups: dict[str, list[Paper]] = {}
    for at, paper in enumerate(papers):
        if _of_digest(paper):
            if paper.arxiv_id:
                digest_ids.setdefault(paper.arxiv_id, []).append(at)
        else:
            groups.setdefault(paper.arxiv_id or f"link:{link_key(paper.link)}", []).append(paper)
    if not groups:
        return list(papers)
    out = list(papers)
    alone: list[tuple[tuple[object, ...], Paper]] = []
    for key, rows in groups.items():
        if len(rows) > 1:
            rows.sort(key=_row_key)
        targets = digest_ids.get(key)
        if targets:
            for at in targets:
                out[at] = _merge_rows(out[at], rows, out[at].week)
            continue
        latest = max(origin.day for row in rows for origin in row.origins)
        week = week_ending(latest)
        first = rows[0]
        if len(rows) == 1 and first.week == week and _in_order(first.origins):
            merged = first  # a paper one feed picked once, as its parser made it
        else:
            merged = _merge_rows(first, rows[1:], week)
        upvotes = upvotes_of(merged)
        order = (
            -merged.week.toordinal(),
            min(FEEDS.index(origin.feed) for origin in merged.origins if origin.feed in FEEDS),
            -latest.toordinal(),
            -(upvotes if upvotes is not None else -1),
            key,
        )
        alone.append((order, merged))
    alone.sort(key=lambda pair: pair[0])
    return [out[at] for at, paper in enumerate(papers) if _of_digest(paper)] + [
        paper for _, paper in alone
    ]
