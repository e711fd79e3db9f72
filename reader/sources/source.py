"""`DigestSource`: the TUI's digest and its sources, and everything the TUI does with them
(load, reload and what is new, the change stamp for `--watch`). It sits above the loader, the
parsed-digest cache and `--update`'s module, which it uses. No Textual here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reader.model import Digest
from reader.records import frozen
from reader.sources import digest_cache
from reader.sources.fetch import FetchOptions, is_url
from reader.sources.loader import (
    STDIN,
    URL_WATCH_SECONDS,
    LoadError,
    Progress,
    load_digest,
    source_list,
    source_stamp,
)

WATCH_SECONDS = 2.0
"""How often `--watch` looks at the files for changes (cheaply: `source_stamp`)."""


@frozen
class Reloaded:
    """A digest read again, and what it brings over the one read before it: `describe_change`'s
    words ("2 new weeks, 20 papers", "3 new papers", "changed: no new papers"), or None when
    nothing changed or nothing was read before; `held`, when nothing is new, what the digest
    holds (`describe_papers`: "123 papers in 20 weeks", in an inbox what each feed holds)."""

    digest: Digest
    change: str | None
    held: str | None = None


class DigestSource:
    """The TUI's digest and its sources, and everything the TUI does with them, without Textual:

    - `load(progress)`: the first reading (the loading screen shows `progress`, names
      `description`); files through the parsed-digest cache (`reader.sources.digest_cache`), URLs
      through the fetch cache as `fetching` says, each body's papers through the parsed-digest
      cache too (`BodyCache`: a 304 is not parsed again); with `defer_cache`, a new cache entry is
      written only when `write_cache()` is called (the TUI: after its first paint);
    - `reload()` (the `r` key): the same sources read afresh; a URL is revalidated with a
      conditional GET (a 304 re-reads the cached copy); says what is new (`Reloaded`);
    - for `--watch` (`watch`): `changed()`, a cheap look at the files (`source_stamp`) that the
      TUI polls every `watch_every` seconds; a URL's stamp changes every `url_every` seconds, so
      it is revalidated that often.

    `digest` is the digest last read through it. Standard input cannot be read twice: with `-`
    among the sources, `reloadable` is False and `watch` is off.
    """

    def __init__(
        self,
        sources: Sequence[str] | None = None,
        fetching: FetchOptions | None = None,
        *,
        watch: bool = False,
        watch_every: float = WATCH_SECONDS,
        url_every: float = URL_WATCH_SECONDS,
    ) -> None:
        self.sources = list(sources) if sources is not None else None
        self.fetching = fetching if fetching is not None else FetchOptions()
        self.watch = watch and self.reloadable
        self.watch_every = watch_every
        self.url_every = url_every
        self.digest: Digest | None = None
        self.defer_cache = False
        """Whether `load` leaves writing the parsed-digest cache to `write_cache` (the TUI calls
        it once its first paint is done: writing it would slow that paint down)."""
        self._deferred: list[Callable[[], None]] = []
        self._seen: object = None
        """The stamp of the sources when they were last read (or first looked at)."""

    @property
    def description(self) -> str:
        """The sources as the loading screen names them."""
        return ", ".join(self.sources or ["the bundled digest"])

    @property
    def reloadable(self) -> bool:
        return STDIN not in source_list(self.sources)

    @property
    def downloads(self) -> bool:
        """Whether loading may download (a URL, and not `--offline`)."""
        return not self.fetching.offline and any(is_url(s) for s in self.sources or ())

    def load(self, progress: Progress | None = None) -> Digest:
        """The digest, read now; raises LoadError."""
        if self.watch:
            self._seen = self.stamp()  # before reading: a change meanwhile is seen next time
        later = self._deferred.append if self.defer_cache else None
        if any(is_url(source) for source in self.sources or ()):
            bodies = digest_cache.BodyCache(later=later)  # a 304's body is not parsed again
            digest = load_digest(self.sources, progress, self.fetching, bodies)
        else:
            digest = digest_cache.open_digest(self.sources, progress, later=later)
        self.digest = digest
        return digest

    def write_cache(self) -> None:
        """Start writing what `load` left for later (with `defer_cache`), in a thread."""
        deferred, self._deferred = self._deferred, []
        for write in deferred:
            write()

    def reload(self) -> Reloaded:
        """The digest read again, and what is new in it. Raises LoadError (standard input
        cannot be reloaded)."""
        if not self.reloadable:
            raise LoadError(STDIN, None, "standard input cannot be reloaded")
        from reader.sources.updates import describe_change, describe_papers  # only on a reload

        before = self.digest
        digest = self.load()
        self.write_cache()
        change = describe_change(before, digest) if before is not None else None
        nothing_new = change is None or change.startswith("changed")
        return Reloaded(digest, change, describe_papers(digest) if nothing_new else None)

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        return source_stamp(self.sources, self.url_every)

    def changed(self) -> bool:
        """Whether the sources changed since they were last read (the first call, when they
        were not read through this object, only takes note of them)."""
        try:
            stamp = self.stamp()
        except Exception:  # a look that fails is no change; the next one may succeed
            return False
        if self._seen is None:
            self._seen = stamp
        return stamp != self._seen
