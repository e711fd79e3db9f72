"""A query answered before the digest's search text is built (issue 26).

No Textual here. A first open of a big digest builds the search text in the background after the
first paint (at 1M papers ~10 s of CPU); a query typed meanwhile waited for that build, then
searched it. A query of plain words (lowercase ASCII letters and digits, the words a user types
first) is answered from the digest file instead when its abstracts are kept there
(`reader.abstracts`): each word is found in the file's bytes lowercased a block at a time
(`reader.abstracts.scan`), the titles and categories are searched as text, and only the papers
the scan cannot be sure of (LaTeX, arXiv's placeholder in a match, non-ASCII bytes, a summary)
get their search text made. The hits are those of searching the search text. Meanwhile the build
waits (`reader.model.BUILD_PAUSE`): the two would share the interpreter.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, islice
from operator import le
from typing import cast

from reader.abstracts import FileAbstracts, scan
from reader.model import (
    SEARCH_ENCODING,
    Deferred,
    Digest,
    abstracts_of,
    search_text,
    stored_abstract,
)

__all__ = ["answer", "words_of"]

_WORD = "abcdefghijklmnopqrstuvwxyz0123456789"
"""What a word `answer` takes is made of."""
_CHUNK = 4096
"""Titles lowercased at once; papers whose search text is made at once."""
_MOST_OTHERS = 4
"""Not when more than 1/_MOST_OTHERS of the papers keep their abstract elsewhere."""


class _Plan:
    """What `answer` needs of one digest, made once: the file its abstracts are kept in, and
    per abstract there the paper it is (-1: one with a summary, looked at as text)."""

    __slots__ = ("categories", "others", "papers_of", "store", "titles")

    def __init__(
        self, store: FileAbstracts, papers_of: array[int], others: list[int], digest: Digest
    ) -> None:
        self.store = store
        self.papers_of = papers_of
        self.others = others
        """The papers always looked at as text (abstract in memory or elsewhere, a summary)."""
        self.titles = [paper.title for paper in digest.papers]
        self.categories = [paper.category for paper in digest.papers]


_PLANS: dict[int, tuple[Digest, _Plan | None]] = {}
_LOCK = threading.Lock()


def _plan(digest: Digest) -> _Plan | None:
    with _LOCK:
        known = _PLANS.get(id(digest))
        if known is not None and known[0] is digest:
            return known[1]
    papers = digest.papers
    if not any(  # the abstracts are not kept in a file: not worth a look at every paper
        type(kept) is not str and isinstance(cast(Deferred, kept)[0], FileAbstracts)
        for kept in map(stored_abstract, papers[:64])
    ):
        return None
    store: FileAbstracts | None = None
    papers_of: array[int] = array("q")
    others: list[int] = []
    for position, kept in enumerate(map(stored_abstract, papers)):
        if type(kept) is str or papers[position].summary:
            others.append(position)
            continue
        held, index = cast(Deferred, kept)
        if store is None and isinstance(held, FileAbstracts):
            store = held
            papers_of = array("q", [-1]) * len(held)
        if held is store:
            papers_of[index] = position
        else:
            others.append(position)
    offsets = store.offsets if store is not None else array("q")
    plan = (
        _Plan(store, papers_of, others, digest)
        if store is not None
        and len(others) * _MOST_OTHERS <= len(papers)
        and all(map(le, offsets, islice(offsets, 1, None)))  # in the file's order
        else None
    )
    with _LOCK:
        _PLANS.clear()  # one digest at a time: the shown one
        _PLANS[id(digest)] = (digest, plan)
    return plan


def planned() -> bool:
    """Whether a digest's plan is kept (`forget` drops it)."""
    return bool(_PLANS)


def forget() -> None:
    """Drop what `answer` kept of a digest (its papers' titles, categories and numbers: ~24 MB
    at 1M papers), once its search text is built."""
    with _LOCK:
        _PLANS.clear()


def words_of(texts: Sequence[str]) -> list[str] | None:
    """The words when each of `texts` is one `answer` can take, else None."""
    if not texts or not all(text and text.isascii() and not text.strip(_WORD) for text in texts):
        return None
    return list(texts)


def answer(
    words: Sequence[str],
    digest: Digest,
    indices: Iterable[int],
    step: Callable[[], None] = lambda: None,
) -> list[int] | None:
    """The papers of `indices` (in their order) whose search text holds every one of `words`
    (see `words_of`), without the search text; None when the digest's abstracts are not kept in
    its file (or it changed since). `step()` is called between steps (it may raise to stop)."""
    plan = _plan(digest)
    if plan is None:
        return None
    hits: int | None = None
    for word in sorted(words, key=len, reverse=True):
        mask = _holding(word, plan, digest, step)
        if mask is None:
            return None
        bits = int.from_bytes(mask, "little")
        hits = bits if hits is None else hits & bits
        if not hits:
            break
    count = len(digest.papers)
    found = (hits or 0).to_bytes(count, "little")
    if isinstance(indices, range) and indices == range(count):
        return list(compress(range(count), found))
    return [i for i in indices if 0 <= i < count and found[i]]


def _holding(word: str, plan: _Plan, digest: Digest, step: Callable[[], None]) -> bytearray | None:
    """A byte a paper: 1 where the paper's search text holds `word`."""
    count = len(digest.papers)
    mask = bytearray(count)
    papers = digest.papers
    papers_of = plan.papers_of
    if not plan.store.unchanged():
        return None
    try:
        for sure, unsure in scan(plan.store, word.encode("ascii")):
            step()
            for index in sure:
                paper = papers_of[index]
                if paper >= 0:
                    mask[paper] = 1
            for index, raw in unsure:  # the text as `FileAbstracts.text` reads it
                paper = papers_of[index]
                if paper >= 0 and word in search_text(
                    papers[paper], raw.decode(SEARCH_ENCODING, "replace")
                ):
                    mask[paper] = 1
    except OSError:
        return None
    titles = plan.titles
    for start in range(0, count, _CHUNK):
        chunk = titles[start : start + _CHUNK]
        if word in "\n".join(chunk).lower():
            for offset, title in enumerate(chunk):
                if word in title.lower():
                    mask[start + offset] = 1
    kinds = {category for category in set(plan.categories) if word in category.lower()}
    if kinds:
        for paper, category in enumerate(plan.categories):
            if category in kinds:
                mask[paper] = 1
    step()
    others = plan.others
    for start in range(0, len(others), _CHUNK):
        step()
        batch = [paper for paper in others[start : start + _CHUNK] if not mask[paper]]
        shown = [papers[paper] for paper in batch]
        for position, item, text in zip(batch, shown, abstracts_of(shown), strict=True):
            if word in search_text(item, text):
                mask[position] = 1
    return mask


class _Running(threading.Condition):
    count = 0


RUNNING = _Running()
"""How many `answer`s run (the search text's build waits for them: `wait`)."""


def wait(timeout: float) -> None:
    """Wait while an `answer` runs, at most `timeout` seconds."""
    with RUNNING:
        RUNNING.wait_for(lambda: not RUNNING.count, timeout)
