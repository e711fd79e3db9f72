"""The config file: TOML in the user config directory. No Textual here.

`config_path()` is `$READER_CONFIG` when set (tests, several setups), else `config.toml` in
platformdirs' user config directory (`reader --config-path` prints it). Every setting is
optional::

    theme = "gruvbox"            # a Textual theme; the palette's Theme choice is written here
    read_delay = 1.5             # seconds an abstract is shown before the paper counts as read
    digest = "~/papers/potw.md"  # read when no DIGEST is given (a file, directory or URL)
    # or several, opened as one inbox: digest = ["potw", "hf", "arxiv:cs.LG"]
    download_dir = "~/Downloads" # exports (e, E, the palette) and PDFs (D); --download-dir wins
    restore_session = true       # reopening a digest returns to its last week, query and paper
    sync_dir = "~/Sync/reader"   # a folder your own tool syncs: reading state on two machines
    zotero_url = "http://127.0.0.1:23119"   # Zotero desktop's connector (Z, --to-zotero)
    max_tabs = 8                 # --serve: browser tabs served at once (1-1000); --max-tabs wins

    [keys]                       # command = "key" (or "key1,key2"): see the help screen (?)
    toggle_star = "f"

Every problem is a warning with its line, and what it concerns is ignored (the reader starts
either way): a file that cannot be read, is over `MAX_BYTES` or is not valid TOML (the defaults
are used), a setting of the wrong type, unknown settings and commands (one warning a kind).
Reading a config never raises.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from reader.environment import config_file
from reader.files import write_through
from reader.patterns import compiled
from reader.records import frozen
from reader.text import inert

__all__ = ["Config", "config_path", "load_config", "save_theme"]

FILENAME = "config.toml"
MAX_TABS = 1000
"""The most `max_tabs` (and `--max-tabs`) may ask for."""
MAX_DIGESTS = 64
"""At most this many sources in `digest = [...]`."""
_SETTINGS: dict[str, str] = {
    "theme": "a theme name (text)",
    "read_delay": "a number of seconds",
    "digest": f"a file, directory, URL or feed (text), or a list of at most {MAX_DIGESTS}",
    "download_dir": "a directory (text)",
    "restore_session": "true or false",
    "sync_dir": "a directory (text)",
    "zotero_url": "an http URL (text)",
    "max_tabs": f"a whole number of tabs from 1 to {MAX_TABS:,}",
    "keys": 'a table of command = "key"',
}
_WHOLE = "the file is ignored"
"""What follows a problem that keeps the whole config from being read: the defaults are used."""
_AT_LINE = compiled(r"\(at line (\d+), column (\d+)\)$")
_KEY_TEXT = compiled(r"[A-Za-z0-9_+,$@#%^&*()\[\]{}<>?/\\|!~`'\";:.=-]+")


@frozen
class Config:
    """The settings read; None where the file does not set one."""

    path: Path
    theme: str | None = None
    read_delay: float | None = None
    digest: tuple[str, ...] = ()
    """What a bare `reader` opens: files, directories, URLs or feeds' shortcuts (`hf`,
    `arxiv:cs.LG`), as written (`~` not expanded); () when the config names none."""
    digest_line: int = 1
    """The line of `digest` (a file it names that is gone is an error at that line)."""
    download_dir: Path | None = None
    restore_session: bool = True
    sync_dir: Path | None = None
    """The folder of the reading state's journals (`reader.sync`); None: no syncing."""
    zotero_url: str | None = None
    max_tabs: int | None = None
    """`--serve`'s tabs at once (`--max-tabs` wins)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Command (action name) -> key string, as written."""
    warnings: list[str] = field(default_factory=list)
    """One line each, `PATH:LINE: what is wrong; ignored` (or `...; the file is ignored`): what
    the line sets is not used. No problem of a config stops the reader."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """The line of each command in `[keys]`."""

    def keymap(self, commands: frozenset[str]) -> tuple[dict[str, str], list[str]]:
        """The remapped keys of the known `commands`, and one warning for the unknown ones."""
        known = {name: key for name, key in self.keys.items() if name in commands}
        unknown = [
            (name, self.key_lines.get(name, 1)) for name in self.keys if name not in commands
        ]
        if not unknown:
            return known, []
        warning = _unknown(inert(str(self.path)), "command", unknown, " in [keys]")
        return known, [f"{warning} (? lists the commands)"]


    def shadowed(
        self,
        keymap: Mapping[str, str],
        own: Mapping[str, tuple[str, str]],
        priority: frozenset[str] = frozenset(),
    ) -> list[str]:
        """A warning, with its line, for each remapped key that a widget binds for itself
        (`own`: key -> the widget and what the key does there, ("the list", "Down")): the
        focused widget's binding wins,
        so the command would never run from it (`quit = "j"` moves the list's cursor). Commands
        in `priority` run before any widget: they are never shadowed."""
        warnings: list[str] = []
        shown = inert(str(self.path))
        for name, keys in keymap.items():
            if name in priority:
                continue
            taken = [key for key in keys.split(",") if key in own]
            for key in taken:
                widget, does = own[key]
                warnings.append(
                    f'{shown}:{self.key_lines.get(name, 1)}: [keys] {name} = "{keys}": {key} is '
                    f"already {does} in {widget}, which comes first while {widget} has the "
                    f"focus, so {key} does not run {name} there; pick another key"
                )
        return warnings


def config_path() -> Path:
    """Where the config file is read: `$READER_CONFIG`, else the user config directory."""
    return config_file(FILENAME)


_HEADER = compiled(r"\s*\[\s*([^\]]+?)\s*\]")
_SETTING = compiled(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")
MAX_BYTES = 1 << 20
"""The largest config read (a real one is well under a kilobyte): a bigger one is an error and
the defaults are used."""
_NAMED = 5
"""Names listed in one warning about unknown settings or commands (then "and N more")."""


def _setting_lines(text: str) -> dict[tuple[str | None, str], int]:
    """The 1-based line where each `name = ...` is first set, by (table or None, name): one pass
    over the text, so that a config of thousands of settings is read in linear time."""
    lines: dict[tuple[str | None, str], int] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header is not None:
            current = header.group(1).strip("\"'")
            continue
        setting = _SETTING.match(line)
        if setting is not None:
            lines.setdefault((current, setting.group(1).strip("\"'")), number)
    return lines


def _unknown(shown: str, what: str, named: list[tuple[str, int]], table: str = "") -> str:
    """One warning for every unknown setting (or command) of a kind: the first few with their
    lines, then how many more."""
    listed = ", ".join(f"{name!r} (line {line})" for name, line in named[:_NAMED])
    more = f" and {len(named) - _NAMED:,} more" if len(named) > _NAMED else ""
    line = named[0][1]
    if len(named) == 1:
        return f"{shown}:{line}: unknown {what} {named[0][0]!r}{table}; ignored"
    return f"{shown}:{line}: unknown {what}s {listed}{more}{table}; ignored"


def load_config(path: Path | None = None, *, actions: frozenset[str] | None = None) -> Config:
    """Read the config at `path` (default `config_path()`). A missing file is no error.

    `actions`: the command names `[keys]` may remap (unknown ones are warned about); None
    accepts any name. Reading a config never raises and takes time in proportion to its size:
    a file over `MAX_BYTES`, nested too deeply or not TOML is one error and the defaults; the
    unknown settings (and commands) of a kind are one warning."""
    where = path if path is not None else config_path()
    shown = inert(str(where))
    try:
        with open(where, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return Config(where)
    except OSError as error:
        reason = error.strerror or str(error)
        return Config(where, warnings=[f"{shown}: cannot read the config: {reason}; {_WHOLE}"])
    if len(data) > MAX_BYTES:
        return Config(
            where, warnings=[f"{shown}: the config is over {MAX_BYTES >> 20} MiB; {_WHOLE}"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return Config(where, warnings=[f"{shown}:{line}: the config is not UTF-8 text; {_WHOLE}"])
    if sys.version_info >= (3, 11):  # imported only when there is a config file to read
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _AT_LINE.search(message)
        line = int(found.group(1)) if found else getattr(error, "lineno", 1)
        message = _AT_LINE.sub("", message).strip() or "not valid TOML"
        return Config(where, warnings=[f"{shown}:{line}: not valid TOML: {message}; {_WHOLE}"])
    except RecursionError:  # arrays or tables nested thousands deep
        return Config(where, warnings=[f"{shown}:1: not valid TOML: nested too deeply; {_WHOLE}"])
    lines = _setting_lines(text)
    warnings: list[str] = []
    values: dict[str, Any] = {}
    unknown_settings: list[tuple[str, int]] = []
    unknown_commands: list[tuple[str, int]] = []
    bad_keys: list[tuple[str, int]] = []

    def wrong(name: str) -> None:
        line = lines.get((None, name), 1)
        warnings.append(f"{shown}:{line}: {name} must be {_SETTINGS[name]}; ignored")

    for name, value in document.items():
        if name not in _SETTINGS:
            unknown_settings.append((name, lines.get((None, name), 1)))
        elif name == "zotero_url":
            if isinstance(value, str) and re.match(r"https?://[^/\s]+", value.strip(), re.I):
                values[name] = value.strip()
            else:
                wrong(name)
        elif name == "digest":
            digests = _digests(value)
            if not digests:
                wrong(name)
            elif (nothing := _names_nothing(digests)) is not None:
                line = lines.get((None, name), 1)
                warnings.append(f"{shown}:{line}: digest: {inert(nothing)}; ignored")
            else:
                values[name] = digests
                values["digest_line"] = lines.get((None, name), 1)
        elif name in ("theme", "download_dir", "sync_dir"):
            if isinstance(value, str) and value.strip():
                values[name] = value.strip()
            else:
                wrong(name)
        elif name == "read_delay":
            if (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                values[name] = float(value)
            else:
                wrong(name)
        elif name == "restore_session":
            if isinstance(value, bool):
                values[name] = value
            else:
                wrong(name)
        elif name == "max_tabs":
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_TABS:
                values[name] = value
            else:
                wrong(name)
        elif not isinstance(value, dict):
            wrong(name)
        else:
            keys: dict[str, str] = {}
            key_lines: dict[str, int] = {}
            for action, key in value.items():
                line = key_lines[action] = lines.get(("keys", action), 1)
                if actions is not None and action not in actions:
                    unknown_commands.append((action, line))
                elif not isinstance(key, str) or not _KEY_TEXT.fullmatch(key.replace(" ", "")):
                    bad_keys.append((action, line))
                else:
                    keys[action] = key.replace(" ", "")
            values["keys"] = keys
            values["key_lines"] = key_lines
    if unknown_settings:
        warnings.append(_unknown(shown, "setting", unknown_settings))
    if unknown_commands:
        warnings.append(_unknown(shown, "command", unknown_commands, " in [keys]"))
    for action, line in bad_keys[:_NAMED]:
        warnings.append(
            f'{shown}:{line}: [keys] {action} must be a key such as "f" or "ctrl+t"; ignored'
        )
    if len(bad_keys) > _NAMED:
        warnings.append(
            f"{shown}: and {len(bad_keys) - _NAMED:,} more [keys] that are not keys; ignored"
        )
    directory = values.pop("download_dir", None)
    synced = values.pop("sync_dir", None)
    return Config(
        where,
        download_dir=Path(directory).expanduser() if directory is not None else None,
        sync_dir=Path(synced).expanduser() if synced is not None else None,
        warnings=warnings,
        **values,
    )


def _digests(value: object) -> tuple[str, ...]:
    """`digest` as the sources it names: one text, or a list of at most MAX_DIGESTS texts;
    () when it is neither (or names nothing)."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not 0 < len(values) <= MAX_DIGESTS:
        return ()
    if not all(isinstance(one, str) and one.strip() for one in values):
        return ()
    return tuple(one.strip() for one in values)


def _names_nothing(digests: tuple[str, ...]) -> str | None:
    """Why a feed's shortcut among `digests` names nothing (`hf:2026-W54: 2026 has no week
    54`), or None when none does (only the shortcuts are checked: nothing is read)."""
    from reader.feeds import FeedBases, ShortcutError, expand_sources

    try:
        expand_sources(digests, FeedBases())
    except ShortcutError as failure:
        return str(failure)
    return None


_THEME_LINE = compiled(r"""^[ \t]*(?:theme|"theme"|'theme')[ \t]*=.*$""", re.MULTILINE)
_TABLE = compiled(r"^[ \t]*\[", re.MULTILINE)


def save_theme(theme: str, path: Path | None = None) -> str | None:
    """Write `theme = "..."` into the config file (creating it), keeping everything else; the
    file is replaced whole, at its real path when it is a symlink (a dotfiles setup keeps its
    link), with its permissions. Returns a one-line error, or None when saved."""
    where = path if path is not None else config_path()
    try:
        text = where.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as error:
        return f"{inert(str(where))}: cannot read the config: {error}"
    line = f'theme = "{theme}"'
    top_end = _TABLE.search(text)
    top = text[: top_end.start()] if top_end else text
    if _THEME_LINE.search(top):
        text = _THEME_LINE.sub(line, top, count=1) + text[len(top) :]
    else:
        text = f"{line}\n{text}"
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        write_through(where, text.encode("utf-8"), durable=True)
    except OSError as error:
        return f"{inert(str(where))}: cannot write the config: {error.strerror or error}"
    return None
