"""`--serve`: check everything here (errors print at once), then serve the reader to browser tabs
until Ctrl+C (`reader.serve`, the web extra); each tab runs `reader` with the same settings."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from reader.cli.digests import check_week, source_bytes
from reader.cli.parse import PROG, UsageError
from reader.cli.report import warn
from reader.cli.tui import LOAD_IN_APP_BYTES
from reader.exits import EXIT_OK
from reader.model import week_text
from reader.query import parse_query
from reader.settings import Serving, Settings
from reader.sources.fetch import TIMEOUT
from reader.sources.loader import digest_name, load_digest
from reader.text import inert


def serve(settings: Settings, serving: Serving) -> int:
    """Serve until Ctrl+C (exit status 130) or SIGTERM (143); what cannot work (no extra,
    standard input, a host beyond this machine without --allow-remote, a bad query or week) is
    a UsageError first."""
    module = _serve_module()
    if settings.sources is not None and "-" in settings.sources:
        raise UsageError("--serve cannot read the digest from standard input: give a file")
    host: str = serving.host if serving.host is not None else module.DEFAULT_HOST
    port: int = serving.port if serving.port is not None else module.DEFAULT_PORT
    if not module.is_loopback(host) and not serving.allow_remote:
        raise UsageError(
            f"--host {host} listens beyond this machine: add --allow-remote "
            "(a secret token is then required in the URL)"
        )
    parse_query(settings.query)
    if source_bytes(settings.sources) <= LOAD_IN_APP_BYTES:  # a big one is checked by each tab
        digest = load_digest(settings.sources, fetching=settings.fetching)
        check_week(digest, settings.asked_week, default="latest")
    token = module.new_token() if serving.allow_remote else None
    config = module.ServeConfig(
        command=module.child_command(child_arguments(settings)),
        title=inert(digest_name(settings.sources)),
        host=host,
        port=port,
        token=token,
        max_tabs=serving.max_tabs if serving.max_tabs is not None else module.MAX_TABS,
        sources=tuple(settings.sources) if settings.sources is not None else None,
    )

    def ready(url: str) -> None:
        if token is not None:
            warn(
                f"--allow-remote: listening on {host}: whoever has the URL with its token can "
                "read and change your reading state, and http is not encrypted"
            )
        print(f"{PROG}: serving {config.title} at {url} (Ctrl+C stops)", flush=True)

    stopped: int | None = module.serve(config, ready)
    return EXIT_OK if stopped is None else 128 + stopped  # 130 on Ctrl+C, 143 on SIGTERM


def _serve_module() -> ModuleType:
    try:
        return importlib.import_module("reader.serve")
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


def child_arguments(settings: Settings) -> list[str]:
    """The command line of each tab's reader: these settings as option=value (a value may start
    with -), then the digests."""
    arguments: list[str] = []
    week = settings.asked_week
    if week is not None:
        arguments.append(f"--week={week if isinstance(week, str) else (week_text(week) or 'none')}")
    if settings.query:
        arguments.append(f"--query={settings.query}")
    arguments.append(f"--read-after={settings.read_delay!r}")
    if settings.watch:
        arguments.append("--watch")
    # D saves PDFs on this machine, not in the browser
    arguments.append(f"--download-dir={settings.download_dir}")
    if settings.fetching.offline:
        arguments.append("--offline")
    if settings.sync_dir is not None:  # each tab merges and journals as the reader does
        arguments.append(f"--sync-dir={settings.sync_dir}")
    if settings.zotero_url:
        arguments.append(f"--zotero-url={settings.zotero_url}")
    if settings.fetching.timeout != TIMEOUT:
        arguments.append(f"--timeout={settings.fetching.timeout!r}")
    return [*arguments, "--", *(settings.sources or [])]
