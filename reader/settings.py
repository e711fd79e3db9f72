"""The command line's flags, the environment and the config file, resolved once into one frozen
`Settings`, which the rest receives: the loader its `fetching`, the App and its screens where to
open, the read delay, the arXiv keys' `arxiv` and `download_dir`, the `config`; `--print` its
`printing`, `--serve` its `serving`; the state store its `sync_dir`. `reader.cli` builds it
(`resolve`); tests build one by name (`reader.app.make_app`). The `READER_*` variables are
read in `reader.environment`. No Textual."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from reader import environment
from reader.config import Config, config_path
from reader.records import frozen
from reader.sources.fetch import LATEST_URL, TIMEOUT, FetchOptions


@frozen
class ArxivOptions:
    """The arXiv keys' and `--fetch-metadata`'s network: `--offline`, else
    `$READER_ARXIV_OFFLINE`; `--timeout`, else `$READER_ARXIV_TIMEOUT`, else 15 s."""

    offline: bool = False
    timeout: float = TIMEOUT

    @classmethod
    def resolve(cls, offline: bool | None = None, timeout: float | None = None) -> ArxivOptions:
        """As given, the environment filling in what is None."""
        return cls(*environment.arxiv_network(offline, timeout, TIMEOUT))


@frozen
class Printing:
    """`--print`: the format and the order."""

    format: str = "table"
    sort: str | None = None
    """None: the query's own order (by week; by similarity with `like:`)."""
    reverse: bool = False


@frozen
class Serving:
    """`--serve`: where to listen (None: `reader.serve`'s defaults) and whether beyond this
    machine."""

    host: str | None = None
    port: int | None = None
    allow_remote: bool = False
    max_tabs: int | None = None
    """`--max-tabs`, else the config's `max_tabs`; None: `reader.serve`'s default."""


@frozen
class Settings:
    """Everything a run of reader was told. `week` is where the reader opens: a date, "latest"
    or None for all weeks; `week_given` and `query_given` say whether `--week` and `--query`
    were given (they win over where the digest was left). `session_key` names the digest for
    "where you left off" (None: not remembered)."""

    sources: tuple[str, ...] | None = None
    """Files, directories, URLs and `-` to read; None: the bundled digest."""
    watch: bool = False
    fetching: FetchOptions = FetchOptions()
    """How digests are fetched: `--offline`, `--timeout`."""
    week: date | str | None = "latest"
    week_given: bool = False
    query: str = ""
    query_given: bool = False
    read_delay: float = 1.5
    session_key: str | None = None
    arxiv: ArxivOptions = field(default_factory=ArxivOptions.resolve)
    download_dir: Path = field(default_factory=environment.download_dir)
    """Where exports and PDFs are saved (`--download-dir`, the config's, `$READER_DOWNLOAD_DIR`,
    the downloads folder)."""
    config: Config = field(default_factory=lambda: Config(config_path()))
    printing: Printing | None = None
    """None: not `--print`."""
    serving: Serving | None = None
    """None: not `--serve`."""
    fetch_metadata: bool = False
    zotero_url: str = ""
    """Where Z and `--to-zotero` send papers (`--zotero-url`, the config's `zotero_url`; "":
    Zotero's own port on this machine)."""
    sync_dir: Path | None = None
    """The folder of the reading state's journals (`--sync-dir`, the config's `sync_dir`;
    None: no syncing), `reader.sync`."""

    @property
    def asked_week(self) -> date | str | None:
        """The `--week` given (`all`, `latest` or a date), None when it was not given."""
        if not self.week_given:
            return None
        return "all" if self.week is None else self.week


def resolve(args: SimpleNamespace, config: Config | None = None) -> Settings:
    """The parsed command line, the environment and `config` (None: none read) as one Settings:
    the config's `digest` when no DIGEST (nor `--latest`) is given, its `read_delay` unless
    `--read-after`, its `download_dir`, `sync_dir` and `zotero_url` unless the flag of that
    name; the feeds' shortcuts among the
    digests expanded (`reader.feeds.ShortcutError` for one that names nothing)."""
    config = config if config is not None else Config(config_path())
    sources = _sources(args, config)
    fetching = FetchOptions(offline=args.offline, timeout=args.timeout or TIMEOUT)
    if args.read_after is not None:
        read_delay: float = args.read_after
    else:
        read_delay = config.read_delay if config.read_delay is not None else 1.5
    return Settings(
        sources=sources,
        watch=args.watch,
        fetching=fetching,
        week=None if args.week == "all" else (args.week or "latest"),
        week_given=args.week is not None,
        query=args.query or "",
        query_given=args.query is not None,
        read_delay=read_delay,
        session_key=session_key(sources),
        arxiv=ArxivOptions.resolve(args.offline or None, args.timeout),
        download_dir=environment.download_dir(args.download_dir, config.download_dir),
        config=config,
        printing=_printing(args),
        serving=_serving(args, config),
        fetch_metadata=args.fetch_metadata,
        zotero_url=args.zotero_url or config.zotero_url or "",
        sync_dir=_sync_dir(args.sync_dir or config.sync_dir),
    )


def _sources(args: SimpleNamespace, config: Config) -> tuple[str, ...] | None:
    sources = list(args.digests)
    if not sources and not args.latest:  # the config's, e.g. ["potw", "hf", "arxiv:cs.LG"]
        sources = [one if "://" in one else os.path.expanduser(one) for one in config.digest]
    latest = environment.latest_url(args.latest_url, LATEST_URL)
    if args.latest:
        sources.insert(0, latest)
    from reader.feeds import FeedBases, expand_sources, is_shortcut

    if any(map(is_shortcut, sources)):  # hf, hf:2026-W26, arxiv:cs.LG, potw (issue 29)
        sources = expand_sources(sources, FeedBases.from_environment(latest))
    return tuple(sources) or None


def _sync_dir(chosen: str | Path | None) -> Path | None:
    """The sync folder, absolute (`~` expanded): the state store keeps it for the session."""
    return Path(chosen).expanduser().absolute() if chosen else None


def _serving(args: SimpleNamespace, config: Config) -> Serving | None:
    if not args.serve:
        return None
    max_tabs = args.max_tabs if args.max_tabs is not None else config.max_tabs
    return Serving(args.host, args.port, args.allow_remote, max_tabs)


def _printing(args: SimpleNamespace) -> Printing | None:
    if not args.print_:
        return None
    return Printing(args.format or "table", args.sort, args.reverse)


def session_key(sources: Sequence[str] | None) -> str | None:
    """What names a digest for "where you left off": its files' absolute paths (or URLs), one a
    line; "bundled" for the bundled digest; None for standard input (never the same twice)."""
    if sources is None:
        return "bundled"
    if "-" in sources:
        return None
    return "\n".join(
        source if "://" in source else os.path.abspath(os.path.expanduser(source))
        for source in sources
    )
