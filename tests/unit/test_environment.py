"""`reader.environment`: the one module that reads `READER_*`, and its one resolver of the user
directories."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import reader
from reader import environment

NAME = re.compile(r"READER_[A-Z_]+")


def test_no_other_module_names_a_reader_variable() -> None:
    """A `READER_*` name as a value (not in a docstring) is in reader.environment only."""
    root = Path(reader.__file__).parent
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "environment.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Constant):
                continue
            if isinstance(node.value, str) and NAME.fullmatch(node.value):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value}")
    assert found == []


def test_each_place_has_its_variable_else_the_platforms_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("READER_STATE_DIR", "READER_CACHE_DIR", "READER_CONFIG", "READER_DOWNLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    platform = {place: environment.user_dir(place) for place in ("state", "cache", "downloads")}
    assert platform["state"] != platform["cache"]
    assert environment.config_file("config.toml").name == "config.toml"
    monkeypatch.setenv("READER_STATE_DIR", str(tmp_path / "s"))
    monkeypatch.setenv("READER_CACHE_DIR", "~/c")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "my.toml"))
    assert environment.user_dir("state") == tmp_path / "s"
    assert environment.user_dir("cache") == Path("~/c").expanduser()
    assert environment.config_file("config.toml") == tmp_path / "my.toml"
    monkeypatch.setenv("READER_STATE_DIR", "")  # empty: as if unset
    assert environment.user_dir("state") == platform["state"]


def test_the_download_folder_flag_then_config_then_variable_then_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READER_DOWNLOAD_DIR", raising=False)
    platform = environment.download_dir()
    assert platform == environment.user_dir("downloads")
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path / "env"))
    assert environment.download_dir(None, None) == tmp_path / "env"
    assert environment.download_dir(None, tmp_path / "config") == tmp_path / "config"
    assert environment.download_dir("~/flag", tmp_path / "config") == Path("~/flag").expanduser()


def test_arxiv_network_given_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READER_ARXIV_OFFLINE", raising=False)
    monkeypatch.delenv("READER_ARXIV_TIMEOUT", raising=False)
    assert environment.arxiv_network(None, None, 15.0) == (False, 15.0)
    monkeypatch.setenv("READER_ARXIV_OFFLINE", "1")
    monkeypatch.setenv("READER_ARXIV_TIMEOUT", "2.5")
    assert environment.arxiv_network(None, None, 15.0) == (True, 2.5)
    assert environment.arxiv_network(False, 4.0, 15.0) == (False, 4.0)
    monkeypatch.setenv("READER_ARXIV_OFFLINE", "0")
    monkeypatch.setenv("READER_ARXIV_TIMEOUT", "soon")
    assert environment.arxiv_network(None, None, 15.0) == (False, 15.0)
