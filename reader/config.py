"""The config file: TOML in the user config directory. No Textual here.

`config_path()` is `$READER_CONFIG` when set (tests, several setups), else `config.toml` in
platformdirs' user config directory (`reader --config-path` prints it). Every setting is
optional::

    theme = "gruvbox"            # a Textual theme; the palette's Theme choice is written here
    read_delay = 1.5             # seconds an abstract is shown before the paper counts as read
    digest = "~/papers/potw.md"  # read when no DIGEST is given (a file, directory or URL)
    download_dir = "~/Downloads" # exports (e, E, the palette) and PDFs (D); --download-dir wins
    restore_session = true       # reopening a digest returns to its last week, query and paper

    [keys]                       # command = "key" (or "key1,key2"): see the help screen (?)
    toggle_star = "f"

A file that is not valid TOML gives one error with its line, and the defaults are used; a
setting of the wrong type gives one error with its line and is ignored; an unknown setting or
command gives a warning with its line. Reading a config never raises.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from reader.files import write_through
from reader.text import inert

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Config", "config_path", "load_config", "save_theme"]

FILENAME = "config.toml"
_SETTINGS: dict[str, str] = {
    "theme": "a theme name (text)",
    "read_delay": "a number of seconds",
    "digest": "a file, directory or URL (text)",
    "download_dir": "a directory (text)",
    "restore_session": "true or false",
    "keys": 'a table of command = "key"',
}
_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)$")
_KEY_TEXT = re.compile(r"[A-Za-z0-9_+,$@#%^&*()\[\]{}<>?/\\|!~`'\";:.=-]+")


@dataclass(frozen=True)
class Config:
    """The settings read; None where the file does not set one."""

    path: Path
    theme: str | None = None
    read_delay: float | None = None
    digest: str | None = None
    download_dir: Path | None = None
    restore_session: bool = True
    keys: dict[str, str] = field(default_factory=dict)
    """Command (action name) -> key string, as written."""
    errors: list[str] = field(default_factory=list)
    """One line each, `PATH:LINE: what is wrong` (the setting was not used)."""
    warnings: list[str] = field(default_factory=list)
    """One line each, `PATH:LINE: ...` (unknown names, ignored)."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """The line of each command in `[keys]`."""

    def keymap(self, commands: frozenset[str]) -> tuple[dict[str, str], list[str]]:
        """The remapped keys of the known `commands`, and a warning for each unknown one."""
        known = {name: key for name, key in self.keys.items() if name in commands}
        unknown = [
            f"{inert(str(self.path))}:{self.key_lines.get(name, 1)}: unknown command "
            f"{name!r} in [keys] (ignored; ? lists the commands)"
            for name in self.keys
            if name not in commands
        ]
        return known, unknown


def config_path() -> Path:
    """Where the config file is read: `$READER_CONFIG`, else the user config directory."""
    override = os.environ.get("READER_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("reader", appauthor=False)) / FILENAME


def _line_of(text: str, name: str, table: str | None = None) -> int:
    """The 1-based line where `name = ...` is set (inside `[table]` when given); 1 if unknown."""
    current: str | None = None
    pattern = re.compile(
        rf"""\s*(?:"{re.escape(name)}"|'{re.escape(name)}'|{re.escape(name)})\s*="""
    )
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header is not None:
            current = header.group(1).strip("\"'")
            continue
        if current == table and pattern.match(line):
            return number
    return 1


def load_config(path: Path | None = None, *, actions: frozenset[str] | None = None) -> Config:
    """Read the config at `path` (default `config_path()`). A missing file is no error.

    `actions`: the command names `[keys]` may remap (unknown ones are warned about); None
    accepts any name."""
    where = path if path is not None else config_path()
    shown = inert(str(where))
    try:
        data = where.read_bytes()
    except FileNotFoundError:
        return Config(where)
    except OSError as error:
        reason = error.strerror or str(error)
        return Config(where, errors=[f"{shown}: cannot read the config: {reason}"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return Config(where, errors=[f"{shown}:{line}: the config is not UTF-8 text"])
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _AT_LINE.search(message)
        line = int(found.group(1)) if found else getattr(error, "lineno", 1)
        message = _AT_LINE.sub("", message).strip() or "not valid TOML"
        return Config(
            where, errors=[f"{shown}:{line}: not valid TOML: {message} (using the defaults)"]
        )
    errors: list[str] = []
    warnings: list[str] = []
    values: dict[str, Any] = {}

    def wrong(name: str, table: str | None = None) -> None:
        errors.append(
            f"{shown}:{_line_of(text, name, table)}: {name} must be {_SETTINGS[name]}; ignored"
        )

    for name, value in document.items():
        if name not in _SETTINGS:
            warnings.append(f"{shown}:{_line_of(text, name)}: unknown setting {name!r} (ignored)")
        elif name in ("theme", "digest", "download_dir"):
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
        elif not isinstance(value, dict):
            wrong(name)
        else:
            keys: dict[str, str] = {}
            key_lines: dict[str, int] = {}
            for action, key in value.items():
                line = key_lines[action] = _line_of(text, action, "keys")
                if actions is not None and action not in actions:
                    warnings.append(
                        f"{shown}:{line}: unknown command {action!r} in [keys] (ignored)"
                    )
                elif not isinstance(key, str) or not _KEY_TEXT.fullmatch(key.replace(" ", "")):
                    errors.append(
                        f'{shown}:{line}: [keys] {action} must be a key such as "f" or '
                        '"ctrl+t"; ignored'
                    )
                else:
                    keys[action] = key.replace(" ", "")
            values["keys"] = keys
            values["key_lines"] = key_lines
    directory = values.pop("download_dir", None)
    return Config(
        where,
        download_dir=Path(directory).expanduser() if directory is not None else None,
        errors=errors,
        warnings=warnings,
        **values,
    )


_THEME_LINE = re.compile(r"""^[ \t]*(?:theme|"theme"|'theme')[ \t]*=.*$""", re.MULTILINE)
_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


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
