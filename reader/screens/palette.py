"""The command palette's entries for the main screen, made from `reader.commands.COMMANDS`.
Imported when the palette first opens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from reader.commands import COMMANDS
from reader.output import EXPORTS
from reader.screens.main import MainScreen

TEXTUAL_COMMANDS = frozenset({"Theme", "Quit", "Screenshot"})
"""Textual's own palette commands that the palette keeps."""


def system_commands(
    screen: Screen[Any], keymap: Mapping[str, str], textual: Iterable[SystemCommand]
) -> list[SystemCommand]:
    """The palette: the main screen's commands, then of Textual's (`textual`) its Theme and
    Screenshot, and its Quit where no key quits. Textual's Keys panel and Maximize are left
    out: the help (?) lists every key, and the panes have their layout."""
    own = palette_commands(screen, keymap) if isinstance(screen, MainScreen) else []
    titles = {command.title for command in own}
    return own + [c for c in textual if c.title in TEXTUAL_COMMANDS and c.title not in titles]


def palette_commands(screen: MainScreen, keymap: Mapping[str, str]) -> list[SystemCommand]:
    """Each command that applies now (no paper: no copy; nothing to undo: no undo), once per
    action with all of its keys (a key remapped in the config's `[keys]` as `keymap` says),
    then an export for each format without a key."""
    own: list[SystemCommand] = []
    at: dict[str, int] = {}  # one command per action, with all of its keys
    for entry in COMMANDS:
        if not entry.palette or not screen.offers(entry):
            continue
        if entry.action in at:
            first = own[at[entry.action]]
            own[at[entry.action]] = first._replace(help=f"{first.help} or {entry.key_display}")
            continue
        at[entry.action] = len(own)
        own.append(
            SystemCommand(
                entry.palette_title,
                f"Key: {keymap.get(entry.name) or entry.key_display}",
                partial(screen.run_action, entry.action),
            )
        )
    for fmt, (label, extension, _) in EXPORTS.items():
        if fmt not in ("markdown", "json"):  # those two have keys (e, E)
            own.append(
                SystemCommand(
                    f"Export the view as {label}",
                    f"A {extension} file: a download in a browser, else in the downloads folder",
                    partial(screen.action_export, fmt),
                )
            )
    return own
