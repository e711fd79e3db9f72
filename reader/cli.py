"""The command line: `reader [DIGEST ...] [--week WEEK] [--query QUERY] [--print ...]`.

Without `--print` it opens the TUI (Textual is imported only then, so `--print` starts fast).
Every failure is one line on standard error, `reader: error: FILE:LINE: what is wrong` or
`reader: error: what is wrong`, with exit status 2 and never a traceback. Exit statuses:
0 success, 1 an unexpected internal error, 2 bad input or usage, 130 interrupted (Ctrl+C),
141 standard output closed early (as `yes | head` would report).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, NoReturn, TextIO

from reader import __version__, environment
from reader.ascii import can_write, fall_back
from reader.config import Config, config_path, load_config
from reader.exits import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
)
from reader.fetch import FetchOptions, cached_urls, is_url, latest_url, size_text
from reader.formats import UNDATED_WORDS
from reader.loader import DigestSource, LoadError, digest_name, expand_sources, load_digest
from reader.model import UNDATED, Digest, join_note, resolve_week, week_label, week_text
from reader.query import SORT_KEYS, Query, QueryError, parse_query, select
from reader.state import FILENAME as STATE_FILENAME
from reader.state import StateError, StateStore, state_dir
from reader.text import inert

if TYPE_CHECKING:
    from reader.arxiv import Metadata

PROG = "reader"
FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown", "links", "bibtex", "ris")
"""The --print formats (reader.output writes them; a test checks the two agree)."""

LOAD_IN_APP_BYTES = 8 * 1024 * 1024
"""Digests bigger than this load inside the TUI, behind a progress bar; smaller ones before it."""



class UsageError(Exception):
    """A problem with the command line itself: reported as `reader: error: MESSAGE`."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _week_argument(text: str) -> date | str:
    lowered = text.strip().lower()
    if lowered in ("latest", "all"):
        return lowered
    if lowered in UNDATED_WORDS:
        return UNDATED
    if _DATE.fullmatch(lowered):
        try:
            return date.fromisoformat(lowered)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(
        f"expected latest, all or a date YYYY-MM-DD (or none: the undated papers), not {text!r}"
    )


EPILOG = """\
Without DIGEST, reads the bundled 2023 digest. Without --print, opens the reader (press ? there
for its keys). DIGEST may be a pipe table, the upstream "ML Papers of the Week" README, CSV, JSON,
a directory of them, - for standard input, or an http(s) URL (cached for reading offline).

query syntax (the same in the reader's filter bar):
  word  "a phrase"  -word  a OR b  title:x  abstract:x  cat:"computer vision"
  week:2023-05-14  week:2023-05  week:2023-05-01..2023-05-31  week:>=2023-06-01
  id:2305.14314  author:hinton  /regex/  title:/regex/  is:read  is:unread  is:starred
  note:word  has:note  has:tag  tag:to-read (your notes and tags)
  Matching ignores case; OR is the one keyword and is written in capitals (or is a word).
  A query may start with -: --query -cat:robotics.

formats of --print: table, json, csv, markdown, links, and the citations bibtex and ris
(authors, dates and arXiv's primary category come from arXiv metadata: --fetch-metadata).

exit status: 0 ok, 2 bad input or usage (one line on stderr), 130 interrupted.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A terminal reader for a weekly digest of machine-learning papers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "digests",
        nargs="*",
        metavar="DIGEST",
        help="digest files or directories to read ('-' reads standard input)",
    )
    parser.add_argument(
        "--week",
        type=_week_argument,
        default=None,
        metavar="WEEK",
        help="latest (the default in the reader), all (the default with --print), "
        "a week of the digest as YYYY-MM-DD, or none (the undated papers)",
    )
    parser.add_argument(
        "--query", default=None, metavar="QUERY", help="show only the papers matching QUERY"
    )
    parser.add_argument(
        "--print",
        dest="print_",
        action="store_true",
        help="print the selected papers instead of opening the reader",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format of --print (default: table); bibtex and ris are citations",
    )
    parser.add_argument(
        "--sort",
        choices=SORT_KEYS,
        default=None,
        help="order of --print (default: week; similarity with a like: query)",
    )
    parser.add_argument("--reverse", action="store_true", help="reverse the order of --print")
    parser.add_argument(
        "--export-state",
        metavar="FILE",
        help="write the reading state to FILE (JSON; - for standard output) and exit",
    )
    parser.add_argument(
        "--import-state",
        metavar="FILE",
        help="merge the reading state from FILE (JSON, as --export-state writes) and exit",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="in the TUI, reload the digest when its files change on disk, and revalidate "
        "its URLs every 5 minutes",
    )
    parser.add_argument(
        "--read-after",
        metavar="SECONDS",
        type=_seconds,
        default=None,
        help="in the TUI, mark a paper read once its abstract has been shown this long "
        "(default 1.5, or read_delay in the config; a negative value: never)",
    )
    parser.add_argument(
        "--config-path",
        action="store_true",
        help="print where the config file (TOML) is read from and exit",
    )
    parser.add_argument(
        "--fetch-metadata",
        action="store_true",
        help="fetch the arXiv metadata (authors, dates, primary category) of the selected "
        "papers that is not cached yet (100 ids a request, 3 s apart), then --print or exit",
    )
    parser.add_argument(
        "--download-dir",
        metavar="DIR",
        default=None,
        help="in the TUI, where D saves PDFs (default: $READER_DOWNLOAD_DIR, else the user's "
        "downloads folder)",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="serve the reader to a web browser instead (needs the web extra: "
        "pipx install '.[web]' in the reader's folder)",
    )
    parser.add_argument(
        "--host",
        default=None,
        metavar="HOST",
        help="with --serve, the address to listen on (default 127.0.0.1, this machine only)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=None,
        metavar="PORT",
        help="with --serve, the port to listen on (default 8000; 0 picks a free one)",
    )
    parser.add_argument(
        "--max-tabs",
        type=_tab_count,
        default=None,
        metavar="N",
        help="with --serve, the most browser tabs served at once (default 8; each runs a reader)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="with --serve, allow a --host beyond this machine; a secret token printed at "
        "start is then required in the URL",
    )
    parser.add_argument(
        "--latest",
        action="store_true",
        help="read the public AI Papers of the Week (its README and year files) from the web "
        "(cached; see --offline)",
    )
    parser.add_argument(
        "--latest-url",
        metavar="URL",
        default=None,
        help="the address --latest reads (default: $READER_LATEST_URL, else the upstream README)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="never use the network: URLs open from the cache",
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        default=None,
        help="give up on a request not answered whole within this long, from connecting to "
        "its last byte (default 15; a PDF download: this long without a byte)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="revalidate every cached URL, print what changed, and exit (for cron)",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _glue_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Write `--query -cat:x` as `--query=-cat:x`: argparse takes a value that starts with `-`
    for an option, yet a query (`-word`), a file name or a number may start so. An option that
    takes a value takes the next word, whatever it is (abbreviations such as `--que` too)."""
    takes_value = {
        option
        for action in parser._actions
        if action.nargs is None and action.option_strings
        for option in action.option_strings
        if option.startswith("--")
    }
    every = [option for action in parser._actions for option in action.option_strings]
    glued: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            glued.append(word)
            glued.extend(words)
            break
        long = word.startswith("--")
        matches = [option for option in every if long and option.startswith(word)]
        full = word if word in every else (matches[0] if len(matches) == 1 else None)
        if full in takes_value and "=" not in word:
            value = next(words, None)
            glued.append(word if value is None else f"{word}={value}")
        else:
            glued.append(word)
    return glued


def _error(message: str) -> None:
    """One line on standard error: `reader: error: MESSAGE`, made terminal-safe."""
    _say(f"error: {message}")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _port(text: str) -> int:
    if text.isdigit() and 0 <= int(text) <= 65535:
        return int(text)
    raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")


def _tab_count(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 1000:
        return int(text)
    raise argparse.ArgumentTypeError(f"not a number of tabs (1-1000): {text!r}")


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _warn(message: str) -> None:
    _say(f"warning: {message}")


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"{PROG}: {inert(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _describe_os_error(error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.filename is not None:
        return f"{os.fsdecode(error.filename)}: {reason}"
    return reason


def _check_combinations(args: argparse.Namespace) -> None:
    if args.config_path:
        for action in build_parser()._actions:
            dest = action.dest
            if dest not in ("config_path", "help", "version") and getattr(args, dest) not in (
                None,
                False,
                [],
                action.default,
            ):
                raise UsageError(f"--config-path runs on its own, without {action.metavar or dest}")
        return
    if args.latest_url is not None and not args.latest:
        raise UsageError("--latest-url applies only with --latest")
    if args.update:
        others = [
            name
            for name, given in (
                ("DIGEST", bool(args.digests)),
                ("--latest", args.latest),
                ("--offline", args.offline),
                ("--week", args.week is not None),
                ("--query", args.query is not None),
                ("--print", args.print_),
                ("--format", args.format is not None),
                ("--export-state", args.export_state is not None),
                ("--import-state", args.import_state is not None),
                ("--watch", args.watch),
            )
            if given
        ]
        if others:
            raise UsageError(f"--update runs on its own, without {others[0]}")
        return
    state_action = args.export_state is not None or args.import_state is not None
    if state_action:
        others = [
            name
            for name, given in (
                ("DIGEST", bool(args.digests)),
                ("--latest", args.latest),
                ("--week", args.week is not None),
                ("--query", args.query is not None),
                ("--print", args.print_),
                ("--format", args.format is not None),
                ("--sort", args.sort is not None),
                ("--reverse", args.reverse),
                ("--serve", args.serve),
                ("--fetch-metadata", args.fetch_metadata),
            )
            if given
        ]
        if others:
            raise UsageError(
                f"--export-state and --import-state run on their own, without {others[0]}"
            )
        return
    if args.serve and args.print_:
        raise UsageError("--serve and --print do not go together")
    if args.fetch_metadata and args.serve:
        raise UsageError("--fetch-metadata and --serve do not go together")
    if args.download_dir is not None and (args.print_ or args.fetch_metadata):
        raise UsageError("--download-dir applies only to the reader (its D key)")
    if not args.serve:
        for name, given in (
            ("--host", args.host is not None),
            ("--port", args.port is not None),
            ("--allow-remote", args.allow_remote),
            ("--max-tabs", args.max_tabs is not None),
        ):
            if given:
                raise UsageError(f"{name} applies only with --serve")
    if not args.print_:
        for name, given in (
            ("--format", args.format is not None),
            ("--sort", args.sort is not None),
            ("--reverse", args.reverse),
        ):
            if given:
                raise UsageError(f"{name} applies only with --print")


def _resolve_week(digest: Digest, week: date | str | None, default: str) -> date | None:
    """The week to show: None for all weeks; the newest for `latest` (None when empty)."""
    chosen = default if week is None else week
    if chosen in ("all", "latest"):
        return resolve_week(digest, chosen)
    assert isinstance(chosen, date)
    if chosen in digest.week_ranges:
        return chosen
    if not digest.weeks:
        raise UsageError(f"--week {week_label(chosen)}: the digest has no weeks (it is empty)")
    weeks = digest.weeks
    if len(weeks) <= 20:
        known = "its weeks are " + ", ".join(week_label(week) for week in weeks)
    else:
        before = [week for week in weeks if week < chosen][:1]
        after = [week for week in weeks if week > chosen][-1:]
        nearest = " and ".join(week_label(week) for week in after + before)
        known = (
            f"the nearest are {nearest}; its {len(weeks)} weeks run from "
            f"{week_label(weeks[-1])} to {week_label(weeks[0])}"
        )
    raise UsageError(
        f"--week {week_label(chosen)} is not a week of the digest ({known}; "
        "--week all shows every week)"
    )


class _NoMarks:
    """The reading state where none was ever saved: nothing read, nothing starred."""

    def is_read(self, key: str) -> bool:
        return False

    def is_starred(self, key: str) -> bool:
        return False


NO_MARKS = _NoMarks()


def _existing_state() -> StateStore | None:
    """The reading state for --print when a store exists already (printing creates none)."""
    if not (state_dir() / STATE_FILENAME).exists():
        return None
    store = StateStore()
    _show_warnings(store)
    return store


def _show_warnings(store: StateStore, shown: int = 0) -> int:
    """Print the store's warnings from number `shown` on; the number shown in all."""
    for warning in store.warnings[shown:]:
        _warn(warning)
    return len(store.warnings)


def _state_actions(args: argparse.Namespace) -> int:
    store = StateStore()
    shown = _show_warnings(store)
    try:
        if args.import_state is not None:
            count = store.import_json(args.import_state)
            saved = store.saving
            shown = _show_warnings(store, shown)
            if not saved:
                raise UsageError(
                    f"{count} marks read from {args.import_state} could not be saved "
                    f"in {store.directory}"
                )
            print(f"{PROG}: imported {count} marks from {inert(args.import_state)}")
        if args.export_state is not None:
            count = store.export_json(args.export_state)
            from reader.files import is_standard_output

            said = sys.stderr if is_standard_output(args.export_state) else sys.stdout
            print(f"{PROG}: exported {count} marks to {inert(args.export_state)}", file=said)
    finally:
        store.close()
        _show_warnings(store, shown)
    return EXIT_OK


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        return False


def _reattach_terminal() -> None:
    """After a digest was read from a pipe, give the TUI the terminal as standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        return
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError as error:
        raise UsageError(
            "the digest came from standard input and there is no terminal for the reader; "
            "use --print"
        ) from error
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the process


def _fetch_options(args: argparse.Namespace) -> FetchOptions:
    if args.timeout is None:
        return FetchOptions(offline=args.offline)
    return FetchOptions(offline=args.offline, timeout=args.timeout)


def _update(args: argparse.Namespace) -> int:
    """`--update`: revalidate every cached URL; one line each on stdout (failures on stderr)."""
    from reader.updates import update_cached

    urls = cached_urls()
    if not urls:
        print(f"{PROG}: no cached URLs to update")
        return EXIT_OK
    failed = 0
    for update in update_cached(urls, _fetch_options(args)):
        if update.failed:
            failed += 1
            _error(update.line)
        else:
            print(inert(update.line), flush=True)
    return EXIT_USAGE if failed else EXIT_OK


class _StderrBar:
    """A download's progress on standard error (a terminal): one line redrawn, wiped at the end."""

    WIDTH = 24

    def __init__(self) -> None:
        self._drawn = 0.0
        self._shown = False
        # Without UTF-8 (LC_ALL=C): ASCII of the same width.
        self._glyphs = "█░…" if can_write(sys.stderr, "█░…") else "#-."

    def __call__(self, url: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._drawn < 0.1 and done != total:
            return
        self._drawn = now
        size = f"{size_text(done)} of {size_text(total)}" if total else size_text(done)
        bar = ""
        if total:
            filled = min(self.WIDTH, self.WIDTH * done // total)
            bar = self._glyphs[0] * filled + self._glyphs[1] * (self.WIDTH - filled) + " "
        head, address = f"{PROG}: fetching ", inert(url)
        width = shutil.get_terminal_size((80, 24)).columns - 1
        # One line, or the next redraw cannot wipe it: drop the bar, then shorten the URL.
        if len(head) + len(address) + 1 + len(bar) + len(size) > width:
            bar = ""
        room = width - len(head) - 1 - len(size)
        if len(address) > room:
            address = address[: max(0, room - 1)] + self._glyphs[2]
        line = f"{head}{address} {bar}{size}"[:width]
        try:
            sys.stderr.write(f"\r\x1b[K{line}")
            sys.stderr.flush()
        except (OSError, ValueError):
            return
        self._shown = True

    def close(self) -> None:
        if self._shown:
            try:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            self._shown = False


def _sources(args: argparse.Namespace) -> list[str] | None:
    sources: list[str] = list(args.digests)
    if args.latest:
        sources.insert(0, latest_url(args.latest_url))
    from reader.feeds import FeedBases, ShortcutError, expand_sources, is_shortcut

    if any(map(is_shortcut, sources)):  # hf, hf:2026-W26, arxiv:cs.LG, potw (issue 29)
        bases = FeedBases.from_environment(latest_url(args.latest_url))
        try:
            sources = expand_sources(sources, bases)
        except ShortcutError as error:
            raise UsageError(str(error)) from None
    return sources or None


def _load_config() -> Config:
    """The config file; its errors and warnings go to standard error (the app shows them too)."""
    config = load_config()
    for message in config.errors:
        _error(message)
    for message in config.warnings:
        _warn(message)
    return config


def _run(args: argparse.Namespace) -> int:
    _check_combinations(args)
    if args.update:
        return _update(args)
    if args.config_path:
        print(inert(str(config_path())))
        return EXIT_OK
    if args.export_state is not None or args.import_state is not None:
        return _state_actions(args)
    config = _load_config()
    if not args.digests and not args.latest and config.digest is not None:
        args.digests = [
            config.digest if "://" in config.digest else os.path.expanduser(config.digest)
        ]
    if args.read_after is None:
        args.read_after = config.read_delay if config.read_delay is not None else 1.5
    if (
        args.download_dir is None
        and config.download_dir is not None
        and not (args.print_ or args.fetch_metadata)
    ):
        args.download_dir = str(config.download_dir)

    if args.serve:
        return _serve(args, _sources(args), args.query or "")
    if not (args.print_ or args.fetch_metadata) and not sys.stdout.isatty() and not _served():
        raise UsageError("standard output is not a terminal: use --print to print the papers")
    query_text: str = args.query or ""
    query = parse_query(query_text)  # validated before loading: a typo fails fast
    sources = _sources(args)
    if sources is not None and "-" in sources and _stdin_is_terminal():
        raise UsageError(
            "-: standard input is a terminal, not a digest: pipe one in "
            "(cat digest.csv | reader -) or name the file"
        )
    fetching = _fetch_options(args)

    if args.fetch_metadata:
        fetched = _fetch_metadata(args, sources, query)
        if not args.print_:
            return fetched
    if args.print_:
        bar = _StderrBar() if sys.stderr is not None and sys.stderr.isatty() else None
        try:
            digest = _open(sources, replace(fetching, progress=bar))
        finally:
            if bar is not None:
                bar.close()
        for notice in digest.notices:
            _say(notice)
        if digest.joined is not None:
            sys.stderr.write(f"{PROG}: {join_note(digest.joined)}\n")
        week = _resolve_week(digest, args.week, default="all")
        state = _existing_state()
        marks = state if state is not None else NO_MARKS
        try:
            known: dict[str, Metadata] = {}
            if state is not None:
                ids = (paper.arxiv_id for paper in digest.papers if paper.arxiv_id)
                known = state.arxiv.metadata(ids)
                from reader.arxiv import enrich  # only with cached metadata to add

                digest = enrich(digest, known)
            unknown = query.unknown_likes(digest)
            if unknown:
                raise UsageError(
                    f"--query: {unknown[0]}: no paper of the digest has that arXiv id or link"
                )
            ranking = query.ranking(digest, marks)
            indices = select(
                digest,
                week,
                query,
                state=marks,
                sort=args.sort,
                reverse=args.reverse,
                ranking=ranking,
            )
            out = sys.stdout
            _prepare_output(out, args.format or "table")
            from reader.output import write_papers  # only --print needs it

            write_papers(
                digest,
                indices,
                args.format or "table",
                out,
                state=marks,
                metadata=known.get,
                scores=None if ranking is None else ranking.score,
            )
            out.flush()
            if not indices and week is not None and not query.is_empty:
                # as the reader says in its empty list: the week stays, the others are counted
                elsewhere = len(select(digest, None, query, state=marks))
                if elsewhere:
                    print(
                        f"{PROG}: no paper of {week_label(week)} matches; {elsewhere} in other "
                        "weeks (--week all)",
                        file=sys.stderr,
                    )
        finally:
            if state is not None:
                state.close()
        return EXIT_OK
    return _run_tui(args, sources, query_text, fetching, config)


def _fetch_metadata(args: argparse.Namespace, sources: list[str] | None, query: Query) -> int:
    """--fetch-metadata: the arXiv metadata of the selected papers into the state store, with
    progress and a summary on standard error. Network failures are warnings (what is cached
    still serves); the exit status is 0."""
    from reader.arxiv_fetch import fetch_metadata

    fetching = _fetch_options(args)
    digest = load_digest(sources, fetching=fetching)
    week = _resolve_week(digest, args.week, default="all")
    store = StateStore()
    shown = _show_warnings(store)
    try:
        indices = select(digest, week, query, state=store)
        ids = [digest.papers[i].arxiv_id for i in indices if digest.papers[i].arxiv_id]

        def progress(done: int, total: int) -> None:
            _say(f"arXiv metadata: {done}/{total} papers asked")

        result = fetch_metadata(
            (i for i in ids if i),
            store.arxiv,
            progress=progress,
            offline=fetching.offline,
            timeout=fetching.timeout,
        )
        if result.report is not None:
            for error in result.report.errors:
                _warn(error)
        _say(result.summary())
    finally:
        store.close()
        _show_warnings(store, shown)
    return EXIT_OK


def _open(
    sources: list[str] | None,
    fetching: FetchOptions,
    progress: Callable[[float, str], None] | None = None,
) -> Digest:
    """The digest: through the parsed-digest cache for files, through the fetch cache (with
    `fetching`'s options) when a source is a URL."""
    return DigestSource(sources, fetching).load(progress)


def _source_bytes(sources: list[str] | None) -> int:
    """The size of the files a digest would be read from (0 when it cannot be told)."""
    try:
        return sum(
            os.path.getsize(path)
            for path in expand_sources(sources)
            if path != "-" and not is_url(path)
        )
    except (OSError, LoadError):
        return 0


def _run_tui(
    args: argparse.Namespace,
    sources: list[str] | None,
    query_text: str,
    fetching: FetchOptions,
    config: Config,
) -> int:
    """The TUI: a small digest is loaded first (errors print at once); a big one loads inside
    the app behind a progress bar, and its error, if any, is printed when the app has closed."""
    from reader.app import ReaderApp
    from reader.arxiv_fetch import ArxivOptions
    from reader.session import AppOptions

    source = DigestSource(sources, fetching, watch=args.watch)
    digest: Digest | None = None
    if not source.reloadable:  # standard input: read before the app takes the terminal
        digest = source.load()
        _reattach_terminal()
    elif not source.downloads and _source_bytes(sources) <= LOAD_IN_APP_BYTES:
        digest = source.load()
    # else big files, or a download: behind the loading screen's progress bar
    if digest is not None:
        _resolve_week(digest, args.week, default="latest")  # reject a week the digest lacks
    options = AppOptions(
        week=None if args.week == "all" else (args.week or "latest"),
        query=query_text,
        read_delay=args.read_after,
        session_key=session_key(sources),
        week_given=args.week is not None,
        query_given=args.query is not None,
        arxiv=ArxivOptions(args.offline or None, args.timeout, args.download_dir),
    )
    store = StateStore()  # its warnings are the app's to show
    try:
        app = ReaderApp(digest, source=source, state=store, config=config, options=options)
        for stream in (sys.__stderr__, sys.stdout):  # Textual draws on the first
            fall_back(stream)
        app.run()
    finally:
        store.close()
        for warning in store.warnings:  # what closing could not save
            _warn(warning)
    if app.load_error is not None:
        raise app.load_error
    return_code = app.return_code
    return return_code if isinstance(return_code, int) else EXIT_OK


def session_key(sources: list[str] | None) -> str | None:
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


def _served() -> bool:
    """True inside textual-serve: its web driver talks through the pipes it gave the app."""
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")


def _serve(args: argparse.Namespace, sources: list[str] | None, query_text: str) -> int:
    """`--serve`: check everything here (errors print at once), then serve until Ctrl+C."""
    try:
        serve = importlib.import_module("reader.serve")
    except ImportError as error:
        missing = (error.name or "").split(".")[0]
        if missing in ("textual_serve", "aiohttp", "jinja2"):
            import shlex  # the Python that runs reader: a `make run` venv, a pipx venv

            pip = f"{shlex.quote(sys.executable)} -m pip install 'textual-serve>=1.1,<2'"
            raise UsageError(
                f"--serve needs the web extra ({missing} is missing): in the reader's folder, "
                f"pipx install --force '.[web]' (or {pip})"
            ) from None
        raise
    if sources is not None and "-" in sources:
        raise UsageError("--serve cannot read the digest from standard input: give a file")
    host: str = args.host if args.host is not None else serve.DEFAULT_HOST
    port: int = args.port if args.port is not None else serve.DEFAULT_PORT
    if not serve.is_loopback(host) and not args.allow_remote:
        raise UsageError(
            f"--host {host} listens beyond this machine: add --allow-remote "
            "(a secret token is then required in the URL)"
        )
    parse_query(query_text)
    if _source_bytes(sources) <= LOAD_IN_APP_BYTES:  # a big one is checked by each tab
        _resolve_week(
            load_digest(sources, fetching=_fetch_options(args)), args.week, default="latest"
        )
    arguments: list[str] = []  # option=value: a value may start with -
    if args.week is not None:
        week = args.week if isinstance(args.week, str) else (week_text(args.week) or "none")
        arguments.append(f"--week={week}")
    if query_text:
        arguments.append(f"--query={query_text}")
    arguments.append(f"--read-after={args.read_after!r}")
    if args.watch:
        arguments.append("--watch")
    if args.download_dir is not None:  # D saves PDFs on this machine, not in the browser
        arguments.append(f"--download-dir={args.download_dir}")
    if args.offline:
        arguments.append("--offline")
    if args.timeout is not None:
        arguments.append(f"--timeout={args.timeout!r}")
    arguments += ["--", *(sources or [])]
    token = serve.new_token() if args.allow_remote else None
    config = serve.ServeConfig(
        command=serve.child_command(arguments),
        title=inert(digest_name(sources)),
        host=host,
        port=port,
        token=token,
        max_tabs=args.max_tabs if args.max_tabs is not None else serve.MAX_TABS,
    )

    def ready(url: str) -> None:
        if token is not None:
            _warn(
                f"--allow-remote: listening on {host}: whoever has the URL with its token can "
                "read and change your reading state, and http is not encrypted"
            )
        print(f"{PROG}: serving {config.title} at {url} (Ctrl+C stops)", flush=True)

    serve.serve(config, ready)
    return EXIT_OK


def _prepare_output(out: TextIO, format_name: str) -> None:
    """Never fail on a character the output encoding lacks: the table (for people) writes an
    ASCII stand-in of the same width, so its columns stay aligned; the formats for programs
    write an escape (`\\u2605`) instead, which loses nothing."""
    if format_name == "table":
        fall_back(out)
        return
    reconfigure = getattr(out, "reconfigure", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("_", "-")
    if callable(reconfigure) and not encoding.startswith("utf"):
        reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the final flush does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit status.

    The garbage collector is off while reader starts and loads (a digest's objects are all kept,
    so collecting them finds nothing and costs tens of ms at every size); the TUI turns it back
    on after its first paint, with everything alive by then frozen out of it (`gc.freeze`).
    Run as the command (`argv` None), it leaves what is still alive frozen for the exit: the
    interpreter's last collection would walk a digest that a cache still holds (~100 ms at
    100k papers after `--print`)."""
    collecting = gc.isenabled()
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if argv is None:  # the process ends next
            gc.freeze()
        elif collecting:  # in-process callers (tests) get their collector back
            gc.unfreeze()
            gc.set_threshold(*thresholds)
            gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        try:
            words = list(argv) if argv is not None else sys.argv[1:]
            args = parser.parse_args(_glue_values(parser, words))
        except SystemExit as done:  # --help and --version
            return done.code if isinstance(done.code, int) else EXIT_OK
        return _run(args)
    except UsageError as error:
        _error(str(error))
    except LoadError as error:
        _error(str(error))
    except QueryError as error:
        _error(f"--query: {error}")
    except StateError as error:
        _error(str(error))
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as error:
        _error(_describe_os_error(error))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # never a traceback; READER_DEBUG=1 shows one
        if environment.debug():
            raise
        _error(f"internal error: {type(error).__name__}: {error} (READER_DEBUG=1 shows details)")
        return EXIT_INTERNAL
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
