"""Every `READER_*` environment variable is read here, and the platform's user directories
(platformdirs) are found here: one resolver for the state, cache, config and downloads folders.
Nothing else in reader reads `READER_*`. No Textual here; this module imports nothing of reader.

- `READER_STATE_DIR`: the reading state (default: the user data directory);
- `READER_CACHE_DIR`: the caches, `http/` (fetched digests) and `parsed/` (parsed digests)
  (default: the user cache directory);
- `READER_CONFIG`: the config file (default: `config.toml` in the user config directory);
- `READER_DOWNLOAD_DIR`: exports and PDFs (`--download-dir` and the config's `download_dir` win;
  default: the user's downloads folder);
- `READER_LATEST_URL`: what `--latest` reads (`--latest-url` wins);
- `READER_ARXIV_API`, `READER_ARXIV_PDF`: where arXiv's API and PDFs are (tests: a local server);
- `READER_ARXIV_OFFLINE`, `READER_ARXIV_TIMEOUT`: the arXiv requests' `--offline` and `--timeout`
  when those are not given;
- `READER_HF_URL`, `READER_ARXIV_RSS_URL`: where the feeds' shortcuts (`hf`, `arxiv:cs.LG`) read
  Hugging Face's daily papers and arXiv's listings (tests: a local server);
- `READER_DEBUG`: an internal error shows its traceback;
- `READER_SERVE_SPARE`: set by `reader --serve` for a tab's reader it starts before the tab's
  websocket comes (`reader.spare`): it waits for the tab's size before drawing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

APP = "reader"
STATE_DIR = "READER_STATE_DIR"
CACHE_DIR = "READER_CACHE_DIR"
CONFIG = "READER_CONFIG"
DOWNLOAD_DIR = "READER_DOWNLOAD_DIR"
LATEST_URL = "READER_LATEST_URL"
ARXIV_API = "READER_ARXIV_API"
ARXIV_PDF = "READER_ARXIV_PDF"
ARXIV_OFFLINE = "READER_ARXIV_OFFLINE"
ARXIV_TIMEOUT = "READER_ARXIV_TIMEOUT"
HF_URL = "READER_HF_URL"
ARXIV_RSS_URL = "READER_ARXIV_RSS_URL"
DEBUG = "READER_DEBUG"
SERVE_SPARE = "READER_SERVE_SPARE"

Place = Literal["state", "cache", "config", "downloads"]
_OVERRIDES: dict[Place, str] = {
    "state": STATE_DIR,
    "cache": CACHE_DIR,
    "downloads": DOWNLOAD_DIR,
}


def _get(name: str) -> str | None:
    """The variable's value; None when it is unset or empty."""
    return os.environ.get(name) or None


def user_dir(place: Place) -> Path:
    """Where reader keeps `place`: its `READER_*` variable when set (`~` expanded), else the
    platform's user directory (`~/.local/share/reader`, `~/.cache/reader`, `~/.config/reader`,
    the downloads folder on Linux)."""
    override = _OVERRIDES.get(place)
    chosen = _get(override) if override is not None else None
    if chosen is not None:
        return Path(chosen).expanduser()
    import platformdirs  # only when no variable says where

    if place == "state":
        return Path(platformdirs.user_data_dir(APP, appauthor=False))
    if place == "cache":
        return Path(platformdirs.user_cache_dir(APP, appauthor=False))
    if place == "config":
        return Path(platformdirs.user_config_dir(APP, appauthor=False))
    return Path(platformdirs.user_downloads_dir())


def config_file(filename: str) -> Path:
    """The config file: `$READER_CONFIG`, else `filename` in the user config directory."""
    chosen = _get(CONFIG)
    return Path(chosen).expanduser() if chosen is not None else user_dir("config") / filename


def download_dir(*chosen: str | Path | None) -> Path:
    """Where exports and PDFs go: the first of `chosen` that is set (`--download-dir`, then the
    config's `download_dir`), else `$READER_DOWNLOAD_DIR`, else the user's downloads folder."""
    for each in chosen:
        if each:
            return Path(each).expanduser()
    return user_dir("downloads")


def latest_url(flag: str | None, default: str) -> str:
    """What `--latest` reads: `--latest-url`, else `$READER_LATEST_URL`, else `default`."""
    return flag or _get(LATEST_URL) or default


def arxiv_api(default: str) -> str:
    return _get(ARXIV_API) or default


def arxiv_pdf_prefix(default: str) -> str:
    return _get(ARXIV_PDF) or default


def hf_url(default: str) -> str:
    return _get(HF_URL) or default


def arxiv_rss_url(default: str) -> str:
    return _get(ARXIV_RSS_URL) or default


def arxiv_network(
    offline: bool | None, timeout: float | None, default: float
) -> tuple[bool, float]:
    """The arXiv requests' `offline` and `timeout`: as given, else as `$READER_ARXIV_OFFLINE`
    (anything but empty and `0` is offline) and `$READER_ARXIV_TIMEOUT` say, else online with
    `default`."""
    if offline is None:
        offline = os.environ.get(ARXIV_OFFLINE, "") not in ("", "0")
    if timeout is None:
        try:
            timeout = float(_get(ARXIV_TIMEOUT) or default)
        except ValueError:
            timeout = default
    return offline, timeout


def debug() -> bool:
    """`READER_DEBUG` is set: an internal error shows its traceback."""
    return bool(os.environ.get(DEBUG))


def serve_spare() -> bool:
    """`READER_SERVE_SPARE` is set: this reader was started by `reader --serve` before its tab
    connected, and waits for the tab's size (`reader.spare`)."""
    return bool(os.environ.get(SERVE_SPARE))
