"""What is new in a digest, and `reader --update`: revalidate every cached URL. No Textual here.

A cached digest index (the upstream README since 2026) is revalidated with the files it links
to, and reported as one digest: `URL: 1 new week, 10 papers` over all its files; the files it
links to get no line of their own. So are the pages of a Hugging Face feed, under the first
page's URL (a paper that moved from one page to another as its upvotes grew is not new, and a
page that has come since is read).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from reader.feeds import describe_by_feed, describe_new_by_feed, first_page, has_feeds, page_number
from reader.model import Digest, Paper
from reader.sources.fetch import CachedCopy, FetchOptions, copy_time, fetch, read_cached
from reader.sources.formats import INDEX, LoadError, detect_format
from reader.sources.loader import decode, load_digest, parse_text

__all__ = [
    "UPDATE_SECONDS",
    "Update",
    "describe_change",
    "describe_papers",
    "new_papers",
    "update_cached",
]

UPDATE_SECONDS = 300.0
"""`--update` in all: past this, the URLs it has not reached are reported as not checked (each
request is bounded by `--timeout` as well, from connecting to its last byte)."""


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
    papers`, `3 papers removed`, `1 new paper, 2 removed`, `changed: no paper added or removed`
    (edits), or None when nothing changed; with feeds, what each brought: `1 new week; 12 new
    papers: 2 from Papers of the Week, 10 from HF daily` (`reader.feeds.describe_new_by_feed`)."""
    weeks, papers = new_papers(old, new)
    if has_feeds(new.papers):  # an inbox of feeds: what each one brought (issue 29)
        told = describe_new_by_feed(old.papers, new.papers)
        if told is not None:
            return f"{_plural(weeks, 'new week')}; {told}" if weeks else told
    removed = new_papers(new, old)[1]
    if weeks:
        said = f"{_plural(weeks, 'new week')}, {_plural(papers, 'paper')}"
    elif papers:
        said = _plural(papers, "new paper")
    elif removed:
        return f"{_plural(removed, 'paper')} removed"
    elif old.papers == new.papers:
        return None
    else:
        return "changed: no paper added or removed"
    return f"{said}, {removed:,} removed" if removed else said


def describe_papers(digest: Digest) -> str:
    """What a digest holds, as `r` and `--update` say it when nothing is new: `123 papers in
    20 weeks`, or in an inbox of feeds what each holds: `2,360 papers from 3 feeds: 123 from
    Papers of the Week, 2,000 from HF daily, 237 from arXiv`."""
    by_feed = describe_by_feed(digest.papers) if has_feeds(digest.papers) else None
    if by_feed is not None:
        return by_feed
    return f"{_plural(len(digest), 'paper')} in {_plural(len(digest.weeks), 'week')}"


def _papers(body: bytes, url: str) -> list[Paper]:
    return parse_text(decode(body, url), url)


@dataclass(frozen=True)
class Update:
    """One URL revalidated by `update_cached`: `line` says what happened; `failed` if it could
    not be checked (its cached copy is kept)."""

    url: str
    line: str
    failed: bool = False


def _index_files(copy: CachedCopy) -> list[str] | None:
    """The URLs a cached digest index links to (None when the copy is no index)."""
    try:
        text = decode(copy.body, copy.url)
    except LoadError:
        return None
    if detect_format(text, copy.url) != INDEX:
        return None
    from reader.sources.formats.index import index_targets, resolve_url

    targets = index_targets(text)
    return resolve_url(copy.location or copy.url, targets).files if targets else None


def update_cached(
    urls: list[str], options: FetchOptions, seconds: float = UPDATE_SECONDS
) -> Iterator[Update]:
    """Revalidate each URL (conditional GET), keep a good new body, and say what changed; an
    index with the files it links to, as one digest. In `seconds` at most: no request outlives
    them, and the URLs not reached by then fail, not checked."""
    end = time.monotonic() + seconds
    indexes: dict[str, list[str]] = {}
    for url in urls:
        copy = read_cached(url, options.directory)
        files = _index_files(copy) if copy is not None else None
        if files is not None:
            indexes[url] = files
    linked = {file for files in indexes.values() for file in files} - set(indexes)
    pages: dict[str, list[str]] = {}  # a Hugging Face feed's first page: its later pages
    for url in urls:
        first = first_page(url)
        if first is not None:
            pages.setdefault(first, []).extend([url] if url != first else [])
    pages = {first: later for first, later in pages.items() if first in urls}
    linked.update(page for later in pages.values() for page in later)
    for url in urls:
        left = end - time.monotonic()
        if left <= 0:
            yield Update(url, f"{url}: not checked (--update stops after {seconds:g} s)", True)
            continue
        bounded = replace(options, timeout=min(options.timeout, left))
        if url in indexes:
            yield from _update_index(url, indexes[url], bounded)
            continue
        if url in pages:
            later = sorted(pages[url], key=lambda page: page_number(page) or 0)
            yield from _update_index(url, later, bounded)
            continue
        if url in linked:
            continue
        before = read_cached(url, options.directory)
        try:
            fetched = fetch(url, bounded)
            if fetched.status == "offline":
                yield Update(url, f"{url}: {fetched.notice}; not updated", failed=True)
                continue
            if not fetched.changed:
                fetched.commit()
                yield Update(url, f"{url}: {_unchanged(fetched.body, url)}")
                continue
            served = CachedCopy(url, fetched.body, location=fetched.served_from)
            files = _index_files(served)
            if files is not None:  # the address now serves an index (the old repository's
                # README redirected to the new one): read with its files, said as one digest
                yield from _update_index(url, files, bounded, _old_digest(before))
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
        change = describe_change(old, new) or f"nothing new, {describe_papers(new)}"
        yield Update(url, f"{url}: {change}")


def _unchanged(body: bytes, url: str) -> str:
    """What `--update` says of a URL answered 304: nothing new, and what its copy holds (as
    `r` says it: `nothing new, 123 papers in 13 weeks`); just `not modified` when the copy does
    not read."""
    try:
        return f"nothing new, {describe_papers(Digest(_papers(body, url)))}"
    except LoadError:
        return "not modified"


def _old_digest(copy: CachedCopy | None) -> Digest:
    """The digest of a cached copy that was no index (empty when it does not read)."""
    try:
        return Digest(_papers(copy.body, copy.url)) if copy is not None else Digest([])
    except LoadError:
        return Digest([])


def _bodies(urls: list[str], options: FetchOptions) -> list[bytes | None]:
    copies = [read_cached(url, options.directory) for url in urls]
    return [copy.body if copy is not None else None for copy in copies]


def _update_index(
    url: str, files: list[str], options: FetchOptions, old: Digest | None = None
) -> Iterator[Update]:
    """An index and the files it links to (or a feed's first page and its later pages)
    revalidated, said as one digest (over `old`, else what the cache held); each file that
    could not be checked gets a failed line of its own (its cached copy is kept)."""
    if old is None:
        try:
            old = load_digest([url], fetching=replace(options, offline=True))
        except LoadError:
            old = Digest([])
    was = _bodies([url, *files], options)
    try:
        new = load_digest([url], fetching=options)
    except LoadError as error:
        kept = read_cached(url, options.directory)
        copy = f"; kept the copy of {copy_time(kept.checked)}" if kept is not None else ""
        yield Update(url, f"{error}{copy}", failed=True)
        return
    now = read_cached(url, options.directory)
    after = _index_files(now) if now is not None else None
    same = _bodies([url, *(after or files)], options) == was and after in (None, files)
    change = None if same else describe_change(old, new)
    if not (new.title_note and same):  # else nothing could be checked
        yield Update(url, f"{url}: {change or f'nothing new, {describe_papers(new)}'}")
    if new.title_note:  # a file left out or an offline copy: its cached copy is kept
        for notice in new.notices:
            yield Update(url, notice, failed=True)
