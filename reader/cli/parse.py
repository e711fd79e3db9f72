"""The command line's words: the parser (one table of options), values that start with `-`, and
which options go together. Nothing here reads a file or the environment.

`reader` alone or with one DIGEST (the words of every start of the reader but a few) is parsed
without argparse (`_plain`), which then is not even imported (issue 26: start-up work); its
answer is argparse's (a test compares the two). Every other command line goes through argparse.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from reader import __version__
from reader.config import MAX_TABS
from reader.model import UNDATED
from reader.patterns import compiled
from reader.query import SORT_KEYS
from reader.sources.formats import UNDATED_WORDS

if TYPE_CHECKING:
    import argparse

PROG = "reader"
FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown", "links", "bibtex", "ris")
"""The --print formats (reader.output writes them; a test checks the two agree)."""


class UsageError(Exception):
    """A problem with the command line itself: reported as `reader: error: MESSAGE`."""


Arguments = SimpleNamespace
"""The parsed command line: an attribute an option (`args.week`, `args.print_`)."""


def _wrong(message: str) -> NoReturn:
    """A value argparse reports as wrong (only argparse calls the converters below)."""
    from argparse import ArgumentTypeError

    raise ArgumentTypeError(message)


_DATE = compiled(r"\d{4}-\d{2}-\d{2}")


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
    _wrong(
        f"expected latest, all or a date YYYY-MM-DD (or none: the undated papers), not {text!r}"
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        _wrong(f"not a number of seconds: {text!r}")
    if value != value or value in (float("inf"), float("-inf")):
        _wrong(f"not a number of seconds: {text!r}")
    return value


def _port(text: str) -> int:
    if text.isdigit() and 0 <= int(text) <= 65535:
        return int(text)
    _wrong(f"not a port number (0-65535): {text!r}")


def _tab_count(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= MAX_TABS:
        return int(text)
    _wrong(f"not a number of tabs (1-{MAX_TABS}): {text!r}")


def _folder(text: str) -> str:
    if not text.strip():
        _wrong("expected a folder, not an empty name")
    return text


def _http_url(text: str) -> str:
    import urllib.parse

    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        _wrong(f"not an http URL (http://HOST:PORT): {text!r}")
    return text.strip().rstrip("/")


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        _wrong(f"not a positive number of seconds: {text!r}")
    return value


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

exit status (as grep's): 0 ok; 1 no paper matches (--print, --fetch-metadata, --to-zotero:
one line on stderr, reader: no papers match QUERY; --print still prints its format's empty
output, json []); 2 bad input, usage or an internal error (one line on stderr); 130 interrupted.
"""

FLAG: dict[str, Any] = {"action": "store_true"}

OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "digests",
        dict(
            nargs="*",
            metavar="DIGEST",
            help="digest files or directories to read ('-' reads standard input)",
        ),
    ),
    (
        "--week",
        dict(
            type=_week_argument,
            default=None,
            metavar="WEEK",
            help="latest (the default in the reader), all (the default with --print), "
            "a week of the digest as YYYY-MM-DD, or none (the undated papers)",
        ),
    ),
    ("--query", dict(default=None, metavar="QUERY", help="show only the papers matching QUERY")),
    (
        "--print",
        dict(FLAG, dest="print_", help="print the selected papers instead of opening the reader"),
    ),
    (
        "--format",
        dict(
            choices=FORMATS,
            default=None,
            help="output format of --print (default: table); bibtex and ris are citations",
        ),
    ),
    (
        "--sort",
        dict(
            choices=SORT_KEYS,
            default=None,
            help="order of --print (default: week; similarity with a like: query)",
        ),
    ),
    ("--reverse", dict(FLAG, help="reverse the order of --print")),
    (
        "--export-state",
        dict(
            metavar="FILE",
            help="write the reading state to FILE (JSON; - for standard output) and exit; "
            "with a sync folder, what other machines wrote there is merged first",
        ),
    ),
    (
        "--import-state",
        dict(
            metavar="FILE",
            help="merge the reading state from FILE (JSON, as --export-state writes) and exit",
        ),
    ),
    (
        "--watch",
        dict(
            FLAG,
            help="in the TUI, reload the digest when its files change on disk, and revalidate "
            "its URLs every 5 minutes",
        ),
    ),
    (
        "--read-after",
        dict(
            metavar="SECONDS",
            type=_seconds,
            default=None,
            help="in the TUI, mark a paper read once its abstract has been shown this long "
            "(default 1.5, or read_delay in the config; a negative value: never)",
        ),
    ),
    (
        "--config-path",
        dict(FLAG, help="print where the config file (TOML) is read from and exit"),
    ),
    (
        "--fetch-metadata",
        dict(
            FLAG,
            help="fetch the arXiv metadata (authors, dates, primary category) of the selected "
            "papers that is not cached yet (100 ids a request, 3 s apart), then --print or exit",
        ),
    ),
    (
        "--download-dir",
        dict(
            metavar="DIR",
            default=None,
            help="in the TUI, where exports (e, E, the palette) and PDFs (D) are saved, created "
            "when missing (default: $READER_DOWNLOAD_DIR, else the user's downloads folder)",
        ),
    ),
    (
        "--serve",
        dict(
            FLAG,
            help="serve the reader to a web browser instead (needs the web extra: "
            "pipx install '.[web]' in the reader's folder)",
        ),
    ),
    (
        "--host",
        dict(
            default=None,
            metavar="HOST",
            help="with --serve, the address to listen on (default 127.0.0.1, this machine only)",
        ),
    ),
    (
        "--port",
        dict(
            type=_port,
            default=None,
            metavar="PORT",
            help="with --serve, the port to listen on (default 8000; 0 picks a free one)",
        ),
    ),
    (
        "--max-tabs",
        dict(
            type=_tab_count,
            default=None,
            metavar="N",
            help="with --serve, the most browser tabs served at once (default 8, or the config's "
            "max_tabs; each runs a reader)",
        ),
    ),
    (
        "--allow-remote",
        dict(
            FLAG,
            help="with --serve, allow a --host beyond this machine; a secret token printed at "
            "start is then required in the URL",
        ),
    ),
    (
        "--latest",
        dict(
            FLAG,
            help="read the public AI Papers of the Week (its README and year files) from the web "
            "(cached; see --offline)",
        ),
    ),
    (
        "--latest-url",
        dict(
            metavar="URL",
            default=None,
            help="the address --latest reads (default: $READER_LATEST_URL, else the upstream "
            "README)",
        ),
    ),
    ("--offline", dict(FLAG, help="never use the network: URLs open from the cache")),
    (
        "--timeout",
        dict(
            metavar="SECONDS",
            type=_positive_seconds,
            default=None,
            help="give up on a request not answered whole within this long, from connecting to "
            "its last byte (default 15; a PDF download: this long without a byte)",
        ),
    ),
    (
        "--update",
        dict(
            FLAG,
            help="revalidate every cached URL, merge the sync folder, print what changed, and "
            "exit (for cron)",
        ),
    ),
    (
        "--sync-dir",
        dict(
            type=_folder,
            default=None,
            metavar="DIR",
            help="a folder your own sync tool carries between machines: the reading state is "
            "journaled there and merged from the other machines' journals (default: sync_dir "
            "in the config; none: no syncing)",
        ),
    ),
    (
        "--sync-status",
        dict(
            FLAG,
            help="say which machines the sync folder has journals from, when each last changed "
            "something, and what is pending, then exit (changes nothing)",
        ),
    ),
    (
        "--to-zotero",
        dict(
            FLAG,
            help="send the selected papers to Zotero desktop, running on this machine, and exit "
            "(--week and --query select them; without either, the latest week)",
        ),
    ),
    (
        "--zotero-url",
        dict(
            type=_http_url,
            default=None,
            metavar="URL",
            help="where Zotero's connector listens, for Z and --to-zotero (default: zotero_url "
            "in the config, else http://127.0.0.1:23119)",
        ),
    ),
    ("--version", dict(action="version", version=f"{PROG} {__version__}")),
)
"""Every option, in the order `--help` lists them: its name and `add_argument`'s keywords."""


def build_parser() -> argparse.ArgumentParser:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(message)

    parser = _Parser(
        prog=PROG,
        description="A terminal reader for a weekly digest of machine-learning papers.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for name, keywords in OPTIONS:
        parser.add_argument(name, **keywords)
    return parser


def parse(words: Sequence[str]) -> Arguments:
    """The parsed command line. Raises UsageError; SystemExit for --help and --version."""
    plain = _plain(words)
    if plain is not None:
        return plain
    parser = build_parser()
    return parser.parse_args(glue_values(parser, list(words)), namespace=Arguments())


def _plain(words: Sequence[str]) -> Arguments | None:
    """What argparse makes of no words or of one DIGEST that does not start with `-`: every
    option at its default; None for any other command line."""
    if len(words) > 1 or (words and words[0].startswith("-")):
        return None
    values: dict[str, Any] = {}
    for name, keywords in OPTIONS:
        action = keywords.get("action")
        if action == "version":
            continue
        if not name.startswith("-"):
            values[name] = list(words)
            continue
        dest = keywords.get("dest", name[2:].replace("-", "_"))
        values[dest] = False if action == "store_true" else keywords.get("default")
    return Arguments(**values)


def glue_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
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


# --- which options go together -----------------------------------------------------------------

_UPDATE_ALONE: tuple[str, ...] = ("DIGEST", "--latest", "--offline", "--week", "--query")
_UPDATE_ALONE += ("--print", "--format", "--export-state", "--import-state", "--watch")
_UPDATE_ALONE += ("--to-zotero", "--zotero-url", "--sync-status")
_STATE_ALONE: tuple[str, ...] = ("DIGEST", "--latest", "--week", "--query", "--print")
_STATE_ALONE += ("--format", "--sort", "--reverse", "--serve", "--fetch-metadata")
_STATE_ALONE += ("--to-zotero", "--zotero-url", "--sync-status")
_SYNC_STATUS_ALONE = (*_STATE_ALONE[:-1], "--export-state", "--import-state", "--watch", "--update")
_ONLY_WITH: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("--host", "--port", "--allow-remote", "--max-tabs"),
        "--serve",
        "{} applies only with --serve",
    ),
    (("--format", "--sort", "--reverse"), "--print", "{} applies only with --print"),
)
_APART = (
    ("--serve", "--print", "--serve and --print do not go together"),
    ("--fetch-metadata", "--serve", "--fetch-metadata and --serve do not go together"),
    ("--download-dir", "--print", "--download-dir applies only to the reader (its D key)"),
    ("--download-dir", "--fetch-metadata", "--download-dir applies only to the reader (its D key)"),
    ("--to-zotero", "--print", "--to-zotero and --print do not go together"),
    ("--to-zotero", "--serve", "--to-zotero and --serve do not go together"),
    ("--to-zotero", "--watch", "--watch applies only to the reader"),
    ("--to-zotero", "--download-dir", "--download-dir applies only to the reader (its D key)"),
    ("--zotero-url", "--print", "--zotero-url applies to Z in the reader and to --to-zotero"),
)


def given(args: Arguments, name: str) -> bool:
    """Whether the option `name` (`DIGEST` for the digests) was given."""
    dest = {"DIGEST": "digests", "--print": "print_"}.get(name, name[2:].replace("-", "_"))
    value = getattr(args, dest)
    return not (value is None or value is False or value == [])


def check_combinations(args: Arguments) -> None:
    """Raise UsageError for options that do not go together, naming the first one."""
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
    if args.sync_status:
        _alone(args, _SYNC_STATUS_ALONE, "--sync-status runs on its own")
    elif args.update:
        _alone(args, _UPDATE_ALONE, "--update runs on its own")
    elif given(args, "--export-state") or given(args, "--import-state"):
        _alone(args, _STATE_ALONE, "--export-state and --import-state run on their own")
    else:
        for first, second, message in _APART:
            if given(args, first) and given(args, second):
                raise UsageError(message)
        for names, needed, message in _ONLY_WITH:
            for name in names:
                if given(args, name) and not given(args, needed):
                    raise UsageError(message.format(name))


def _alone(args: Arguments, others: tuple[str, ...], message: str) -> None:
    for name in others:
        if given(args, name):
            raise UsageError(f"{message}, without {name}")
