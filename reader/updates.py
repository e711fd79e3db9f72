"""What is new in a digest, and `reader --update`: revalidate every cached URL. No Textual here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from reader.fetch import FetchOptions, copy_time, fetch, read_cached
from reader.formats import LoadError
from reader.loader import decode, parse_text
from reader.model import Digest, Paper

__all__ = ["Update", "describe_change", "new_papers", "update_cached"]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def new_papers(old: Digest, new: Digest) -> tuple[int, int]:
    """(weeks of `new` that `old` lacks, papers of `new` that `old` lacks in the same week)."""
    weeks = len(set(new.weeks) - set(old.weeks))
    had: set[tuple[date, str]] = {(paper.week, paper.key) for paper in old.papers}
    papers = sum(1 for paper in new.papers if (paper.week, paper.key) not in had)
    return weeks, papers


def describe_change(old: Digest, new: Digest) -> str | None:
    """What `new` brings over `old`, as a toast says it: `2 new weeks, 20 papers`, `3 new
    papers`, `changed: no new papers` (edits or removals), or None when nothing changed."""
    weeks, papers = new_papers(old, new)
    if weeks:
        return f"{_plural(weeks, 'new week')}, {_plural(papers, 'paper')}"
    if papers:
        return _plural(papers, "new paper")
    if old.papers == new.papers:
        return None
    return "changed: no new papers"


def _papers(body: bytes, url: str) -> list[Paper]:
    return parse_text(decode(body, url), url)


@dataclass(frozen=True)
class Update:
    """One URL revalidated by `update_cached`: `line` says what happened; `failed` if it could
    not be checked (its cached copy is kept)."""

    url: str
    line: str
    failed: bool = False


def update_cached(urls: list[str], options: FetchOptions) -> Iterator[Update]:
    """Revalidate each URL (conditional GET), keep a good new body, and say what changed."""
    for url in urls:
        before = read_cached(url, options.directory)
        try:
            fetched = fetch(url, options)
            if fetched.status == "offline":
                yield Update(url, f"{url}: {fetched.notice}; not updated", failed=True)
                continue
            if not fetched.changed:
                fetched.commit()
                yield Update(url, f"{url}: not modified")
                continue
            new = Digest(_papers(fetched.body, url))
            fetched.commit()
        except LoadError as error:
            kept = f"; kept the copy of {copy_time(before.checked)}" if before is not None else ""
            yield Update(url, f"{error}{kept}", failed=True)
            continue
        if before is None:
            yield Update(url, f"{url}: fetched, {_plural(len(new), 'paper')}")
            continue
        try:
            old = Digest(_papers(before.body, url))
        except LoadError:
            old = Digest([])
        change = describe_change(old, new) or "no change in its papers"
        yield Update(url, f"{url}: {change}")
