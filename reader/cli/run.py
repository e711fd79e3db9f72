"""`main`: parse, resolve the settings once, run the job asked for, and map every failure to one
line and an exit status (`reader.exits`); the garbage collector is held off meanwhile."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from reader import environment
from reader.cli.parse import Arguments, UsageError, check_combinations, parse
from reader.cli.report import describe_os_error, error, warn
from reader.cli.tui import run_tui, served, stdin_is_terminal
from reader.config import Config, config_path, load_config
from reader.exits import EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from reader.feeds import ShortcutError
from reader.query import QueryError, parse_query
from reader.settings import Settings, resolve
from reader.sources.fetch import is_url
from reader.sources.loader import LoadError
from reader.state import StateError
from reader.text import inert


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
    try:
        try:
            args = parse(list(argv) if argv is not None else sys.argv[1:])
        except SystemExit as done:  # --help and --version
            return done.code if isinstance(done.code, int) else EXIT_OK
        return run(args)
    except (UsageError, LoadError, StateError) as failure:
        error(str(failure))
    except QueryError as failure:
        error(f"--query: {failure}")
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as failure:
        error(describe_os_error(failure))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as failure:  # never a traceback; READER_DEBUG=1 shows one
        if environment.debug():
            raise
        error(f"internal error: {type(failure).__name__}: {failure} (READER_DEBUG=1 shows details)")
        return EXIT_INTERNAL
    return EXIT_USAGE


def run(args: Arguments) -> int:
    """The job the parsed command line asks for, with the settings resolved once."""
    check_combinations(args)
    if args.config_path:
        print(inert(str(config_path())))
        return EXIT_OK
    config = _load_config()
    try:
        settings = resolve(args, config)
    except ShortcutError as failure:  # hf:, arxiv:, potw that name nothing
        raise UsageError(str(failure)) from None
    # the jobs but the reader's are imported when asked (start-up work, issue 26)
    if args.update:
        from reader.cli.jobs import update

        return update(settings)
    if args.sync_status:
        from reader.cli.handoff import sync_status

        return sync_status(settings)
    if args.export_state is not None or args.import_state is not None:
        from reader.cli.jobs import transfer_state

        return transfer_state(args.export_state, args.import_state, settings.sync_dir)
    if not args.digests and not args.latest:
        _check_configured(settings)
    if settings.serving is not None:
        from reader.cli.web import serve

        return serve(settings, settings.serving)
    printing = settings.printing
    batch = settings.fetch_metadata or args.to_zotero
    if printing is None and not batch and not _terminal_out():
        for source in settings.sources or ():  # a missing file is the first thing to say
            if source != "-" and not is_url(source) and not os.path.lexists(source):
                raise LoadError(source, None, "no such file")
        raise UsageError("standard output is not a terminal: use --print to print the papers")
    query = parse_query(settings.query)  # validated before loading: a typo fails fast
    for note in query.notes:  # what was not understood, said as the filter bar says it
        warn(f"--query: {note}")
    if settings.sources is not None and "-" in settings.sources and stdin_is_terminal():
        raise UsageError(
            "-: standard input is a terminal, not a digest: pipe one in "
            "(cat digest.csv | reader -) or name the file"
        )
    if settings.fetch_metadata:
        from reader.cli.jobs import fetch_metadata

        fetched = fetch_metadata(settings, query, then_more=printing is not None or args.to_zotero)
        if printing is None and not args.to_zotero:
            return fetched
    if args.to_zotero:
        from reader.cli.handoff import to_zotero

        return to_zotero(settings, query)
    if printing is not None:
        from reader.cli.printing import print_papers

        return print_papers(settings, printing, query)
    return run_tui(settings)


def _check_configured(settings: Settings) -> None:
    """A file the config's `digest` names that is gone is an error at the config's line (as
    on the command line, refused: the reader does not open another digest instead)."""
    config = settings.config
    if not config.digest:
        return
    for source in settings.sources or ():
        if source != "-" and not is_url(source) and not os.path.lexists(source):
            raise LoadError(str(config.path), config.digest_line, f"digest: {source}: no such file")


def _terminal_out() -> bool:
    """Standard output is a terminal the reader can draw on (or textual-serve's pipe)."""
    return sys.stdout.isatty() or served()


def _load_config() -> Config:
    """The config file; its warnings go to standard error (the app shows them too). No problem
    of a config stops the reader: what it concerns is ignored."""
    config = load_config()
    for message in config.warnings:
        warn(message)
    return config


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the final flush does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
