"""`like:` terms: the papers a query is like (its seeds) and the order it asks for.

No Textual here. `like:` does not filter: a query with it finds what its other terms find, less
the seeds themselves (a paper is never its own neighbour, nor are its copies in other weeks),
and `views.select` orders the hits by their similarity to the seeds (`reader.similar`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from reader.model import Digest
from reader.query.syntax import Like
from reader.reading import KeyIndices, ReadingState

if TYPE_CHECKING:
    from reader.similar import Ranking


def describe(like: Like) -> str:
    """The term as it would be written: `like:starred`, `like:tag:to-read`, `like:2305.14314`."""
    if like.what == "paper":
        return f"like:{like.value}"
    if like.what == "tag":
        return f"like:tag:{like.value}"
    return f"like:{like.what}"


def paper_indices(keys: KeyIndices, like: Like) -> tuple[int, ...]:
    """The papers `like` names (`like:ID`): those whose key is its value (an arXiv id, any
    version; or a link), in any letter case for a link."""
    found = keys.get(like.value)
    if found is None and like.value.startswith(("http:", "https:")):
        lowered = like.value.lower()
        found = next((keys[key] for key in keys if key.lower() == lowered), None)
    return found or ()


def seeds(
    likes: Sequence[Like], digest: Digest, keys: KeyIndices, state: ReadingState | None
) -> frozenset[int]:
    """Every paper that the `like:` terms are like: the named papers, the starred ones, those
    with a note, those with the tag."""
    chosen: set[int] = set()
    for like in likes:
        if like.what == "paper":
            chosen.update(paper_indices(keys, like))
        else:
            for key in _keys_of(like, state, digest):
                found = keys.get(key)
                if found is not None:
                    chosen.update(found)
    return frozenset(chosen)


def missing(likes: Sequence[Like], keys: KeyIndices) -> list[str]:
    """The `like:ID` terms that name no paper of the digest, as written (`like:2305.99999`)."""
    return [
        describe(like) for like in likes if like.what == "paper" and not paper_indices(keys, like)
    ]


def _keys_of(like: Like, state: ReadingState | None, digest: Digest) -> Iterable[str]:
    """The keys of the papers a profile term (`like:starred`, `like:note`, `like:tag:NAME`)
    stands for, from the reading state (none without one)."""
    if state is None:
        return ()
    if like.what == "starred":
        listed: Callable[[], Iterable[str]] | None = getattr(state, "starred_keys", None)
        if callable(listed):
            return listed()
        return [paper.key for paper in digest.papers if state.is_starred(paper.key)]
    if like.what == "note":
        noted: Callable[[], Iterable[str]] | None = getattr(state, "noted_keys", None)
        if callable(noted):
            return noted()
        note = getattr(state, "note", None)
        if not callable(note):
            return ()
        return [paper.key for paper in digest.papers if note(paper.key)]
    tag_map = getattr(state, "tag_map", None)
    if callable(tag_map):
        return [key for key, tags in tag_map().items() if like.value in tags]
    tags = getattr(state, "tags", None)
    if not callable(tags):
        return ()
    return [paper.key for paper in digest.papers if like.value in tags(paper.key)]


def ranking(
    likes: Sequence[Like],
    digest: Digest,
    keys: KeyIndices,
    state: ReadingState | None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Ranking | None:
    """The order the `like:` terms ask for: by similarity to one paper (`like:ID`, its own
    vector), or to the sum of several papers' vectors (a profile). Builds the digest's
    similarity index when it has none yet (`reader.similar.ensure`; seconds at 100k papers, then
    kept in the digest cache). None when `cancelled()` came true while it was built."""
    from reader import similar  # only a like: query needs it

    index = similar.ensure(digest, cancelled)
    if index is None:
        return None
    chosen = seeds(likes, digest, keys, state)
    single = len(likes) == 1 and likes[0].what == "paper"
    return similar.rank(digest, index, chosen, ask=similar.ASK if single else similar.ASK_PROFILE)
