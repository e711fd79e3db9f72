"""`reader.settings.resolve`: the command line, the environment and the config, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reader.cli.parse import parse
from reader.config import Config
from reader.settings import ArxivOptions, Printing, Serving, Settings, resolve
from reader.sources.fetch import TIMEOUT


@pytest.fixture(autouse=True)
def _no_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("READER_DOWNLOAD_DIR", "READER_ARXIV_OFFLINE", "READER_ARXIV_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("READER_LATEST_URL", "http://127.0.0.1:9/latest.md")


def test_nothing_given_is_the_bundled_digest_on_its_newest_week() -> None:
    settings = resolve(parse([]))
    assert (settings.sources, settings.week, settings.week_given, settings.asked_week) == (
        None,
        "latest",
        False,
        None,
    )
    assert (settings.query, settings.query_given, settings.read_delay) == ("", False, 1.5)
    assert settings.session_key == "bundled"
    assert settings.fetching.offline is False and settings.fetching.timeout == TIMEOUT
    assert settings.arxiv == ArxivOptions(False, TIMEOUT)
    assert (settings.printing, settings.serving, settings.fetch_metadata) == (None, None, False)


def test_the_config_fills_in_what_the_flags_leave(tmp_path: Path) -> None:
    config = Config(tmp_path / "c.toml", read_delay=3.0, digest=("~/d.md",), download_dir=tmp_path)
    settings = resolve(parse([]), config)
    assert settings.sources == (str(Path("~/d.md").expanduser()),)
    assert (settings.read_delay, settings.download_dir, settings.config) == (3.0, tmp_path, config)
    flags = resolve(parse(["x.md", "--read-after", "0", "--download-dir", "~/pdf"]), config)
    assert flags.sources == ("x.md",) and flags.read_delay == 0.0
    assert flags.download_dir == Path("~/pdf").expanduser()
    latest = resolve(parse(["--latest"]), config)  # --latest instead of the config's digest
    assert latest.sources == ("http://127.0.0.1:9/latest.md",)


def test_offline_and_timeout_reach_digests_and_arxiv_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = resolve(parse(["--offline", "--timeout", "3"]))
    assert (settings.fetching.offline, settings.fetching.timeout) == (True, 3.0)
    assert settings.arxiv == ArxivOptions(True, 3.0)
    monkeypatch.setenv("READER_ARXIV_OFFLINE", "1")
    monkeypatch.setenv("READER_ARXIV_TIMEOUT", "7")
    assert resolve(parse([])).arxiv == ArxivOptions(True, 7.0)  # the flags win over these
    assert resolve(parse(["--timeout", "2"])).fetching.offline is False  # digests: flags only


def test_the_week_and_query_as_given() -> None:
    settings = resolve(parse(["--week", "all", "--query", "", "--print", "--sort", "title"]))
    assert (settings.week, settings.week_given, settings.asked_week) == (None, True, "all")
    assert settings.query_given and settings.query == ""
    assert settings.printing == Printing("table", "title", False)
    assert resolve(parse(["--print"])).printing == Printing("table", None, False)
    dated = resolve(parse(["--week", "2023-05-14", "--serve", "--port", "0"]))
    assert dated.asked_week == date(2023, 5, 14) == dated.week
    assert dated.serving == Serving(None, 0, False)
    assert resolve(parse(["-"])).session_key is None  # standard input: never the same twice


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().week = None  # type: ignore[misc]


def test_max_tabs_from_the_flag_else_the_config(tmp_path: Path) -> None:
    config = Config(tmp_path / "c.toml", max_tabs=3)
    assert resolve(parse(["--serve"]), config).serving == Serving(max_tabs=3)
    flag = resolve(parse(["--serve", "--max-tabs", "5"]), config)
    assert flag.serving is not None and flag.serving.max_tabs == 5
    assert resolve(parse(["--serve"]), Config(tmp_path / "none.toml")).serving == Serving()
