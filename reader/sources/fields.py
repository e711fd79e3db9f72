"""A digest's papers within `reader.limits.FIELD_CHARS`: a field longer than that (a title, an
abstract, a summary, a category, a link, an author's name, a link's label or address) is cut,
and a notice names the first one cut, at its line. No Textual here.

The check costs a few milliseconds at 100,000 papers: one pass over each field's lengths; papers
are made again only when one is over."""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import chain
from operator import attrgetter
from typing import Any

from reader.limits import FIELD_CHARS
from reader.model import Link, Paper, new_paper

_TEXTS = ("title", "abstract", "summary", "category", "link")
_GET = {name: attrgetter(name) for name in _TEXTS}
_HELD: dict[str, Callable[[Paper], Any]] = {
    **_GET,
    "abstract": Paper.__dict__["abstract"].slot.__get__,
}
"""What each paper holds, for the lengths: the abstract's slot is read as it is (the text of a
paper just parsed), not through `Paper.abstract`'s reading of a deferred one (~20x slower)."""
_AUTHORS = attrgetter("authors")
_LINKS = attrgetter("links")
_URL = attrgetter("url")
_LABEL = attrgetter("label")


def _longest(papers: list[Paper], held: bool = True) -> int:
    """The length of the longest field of any of `papers` (`held`: of an abstract held in
    memory; a deferred one, read from its file, is the pipe-table parser's, which says which
    papers to look at: those are looked at with `held` False)."""
    getters = _HELD if held else _GET
    lengths = [max(map(len, map(get, papers)), default=0) for get in getters.values()]
    names = chain.from_iterable(map(_AUTHORS, papers))
    lengths.append(max(map(len, names), default=0))
    links = list(chain.from_iterable(map(_LINKS, papers)))
    lengths.append(max(map(len, map(_URL, links)), default=0))
    lengths.append(max(map(len, map(_LABEL, links)), default=0))
    return max(lengths)


def _cut(text: str) -> str:
    return text if len(text) <= FIELD_CHARS else text[: FIELD_CHARS - 1] + "…"


def within_limits(
    papers: list[Paper], source: str, only: Collection[int] | None = None
) -> tuple[list[Paper], str | None]:
    """`papers` with every field cut to `FIELD_CHARS` characters (the last one `…`), and the
    notice that says so (None when nothing was cut): `FILE:LINE: the abstract is 52,428,805
    characters long: cut to its first 20,000 (and 2 more fields of this file)`. `only`: the
    positions of the only papers that can hold a longer field (the pipe-table parser knows them:
    `parse_table_pieces`' `long`), else every paper is looked at."""
    if only is not None:
        if not only or _longest([papers[at] for at in only], held=False) <= FIELD_CHARS:
            return papers, None
    elif _longest(papers) <= FIELD_CHARS:
        return papers, None
    kept: list[Paper] = []
    cuts: list[tuple[int, str, int]] = []  # (line, what, length) of each field cut
    for paper in papers:
        over = [
            (name, len(get(paper))) for name, get in _GET.items() if len(get(paper)) > FIELD_CHARS
        ]
        over += [
            ("an author's name", len(name)) for name in paper.authors if len(name) > FIELD_CHARS
        ]
        over += [
            (f"the {part} of a link", len(text))
            for link in paper.links
            for part, text in (("label", link.label), ("address", link.url))
            if len(text) > FIELD_CHARS
        ]
        if not over:
            kept.append(paper)
            continue
        cuts += [(paper.line, what, length) for what, length in over]
        kept.append(
            new_paper(
                paper.week,
                _cut(paper.title),
                _cut(paper.link),
                _cut(paper.category),
                _cut(paper.abstract),
                paper.arxiv_id,
                _cut(paper.summary),
                tuple(Link(_cut(link.label), _cut(link.url)) for link in paper.links),
                paper.line,
                tuple(map(_cut, paper.authors)),
                paper.origins,
            )
        )
    line, what, length = cuts[0]
    what = what if what.startswith(("an ", "the ")) else f"the {what}"
    notice = (
        f"{source}:{line}: " if line else f"{source}: "
    ) + f"{what} is {length:,} characters long: cut to its first {FIELD_CHARS:,}"
    if len(cuts) > 1:
        more = len(cuts) - 1
        notice += f" (and {more} more field{'s' if more > 1 else ''} of this file)"
    return kept, notice
