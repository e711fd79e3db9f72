"""The config file: where it is, what it sets, and what a bad one does (one line, defaults)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.app import make_app
from reader.cli import main
from reader.config import MAX_DIGESTS, Config, config_path, load_config, save_theme
from reader.sources.loader import load_digest
from tests.conftest import BUNDLED

GOOD = """\
# my reader
theme = "gruvbox"
read_delay = 0.5
digest = "~/papers/potw.md"
download_dir = "~/exports"
restore_session = false

[keys]
toggle_star = "f"
copy_link = "ctrl+y, Y"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_where_the_config_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("READER_CONFIG", raising=False)
    assert config_path() == tmp_path / "xdg-config" / "reader" / "config.toml"
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert config_path() == tmp_path / "elsewhere.toml"


def test_reader_config_path_prints_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "c.toml"))
    assert main(["--config-path"]) == 0
    assert capsys.readouterr() == (f"{tmp_path / 'c.toml'}\n", "")
    assert main(["--config-path", "--print"]) == 2
    assert "--config-path runs on its own" in capsys.readouterr().err


def test_a_missing_file_is_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert config == Config(tmp_path / "none.toml")
    assert config.restore_session and config.keys == {} and config.warnings == []


def test_every_setting(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), actions=frozenset({"toggle_star", "copy_link"}))
    assert config.warnings == []
    assert config.theme == "gruvbox" and config.read_delay == 0.5
    assert config.digest == ("~/papers/potw.md",)
    assert config.download_dir == Path("~/exports").expanduser()
    assert config.restore_session is False
    assert config.keys == {"toggle_star": "f", "copy_link": "ctrl+y,Y"}


def test_invalid_toml_is_one_warning_with_its_line_and_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nread_delay = = 2\n')
    config = load_config(path)
    assert config.theme is None and config.read_delay is None
    assert config.warnings == [f"{path}:2: not valid TOML: Invalid value; the file is ignored"]


def test_wrong_types_are_warnings_with_lines_and_the_rest_is_used(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "nord"\nread_delay = "soon"\nrestore_session = 1\n[keys]\nquit = 5\n',
    )
    config = load_config(path)
    assert config.theme == "nord"
    assert config.warnings == [
        f"{path}:2: read_delay must be a number of seconds; ignored",
        f"{path}:3: restore_session must be true or false; ignored",
        f'{path}:5: [keys] quit must be a key such as "f" or "ctrl+t"; ignored',
    ]


def test_max_tabs_is_a_whole_number_of_tabs(tmp_path: Path) -> None:
    """`max_tabs` (issue 23, item 9: the tabs `--serve` serves at once, a setting too)."""
    assert load_config(write(tmp_path, "max_tabs = 3\n")).max_tabs == 3
    for line, bad in enumerate(("0", "1001", "2.5", '"4"', "true"), 1):
        path = write(tmp_path, f'theme = "nord"\nmax_tabs = {bad}\n')
        config = load_config(path)
        assert (config.max_tabs, config.theme) == (None, "nord"), bad
        assert config.warnings == [
            f"{path}:2: max_tabs must be a whole number of tabs from 1 to 1,000; ignored"
        ], line


def test_unknown_settings_and_commands_are_warned_about(tmp_path: Path) -> None:
    path = write(tmp_path, 'colour = "red"\n\n[keys]\nfly = "f"\ntoggle_star = "x"\n')
    config = load_config(path)
    assert config.warnings == [f"{path}:1: unknown setting 'colour'; ignored"]
    keys, unknown = config.keymap(frozenset({"toggle_star"}))
    assert keys == {"toggle_star": "x"}
    assert unknown == [f"{path}:4: unknown command 'fly' in [keys]; ignored (? lists the commands)"]


def test_save_theme_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert save_theme("nord", path) is None
    text = path.read_text()
    assert text == GOOD.replace('theme = "gruvbox"', 'theme = "nord"')
    fresh = tmp_path / "new" / "config.toml"
    assert save_theme("dracula", fresh) is None
    assert load_config(fresh).theme == "dracula"
    keys_only = write(tmp_path, '[keys]\ntheme = "t"\n')
    assert save_theme("nord", keys_only) is None
    assert keys_only.read_text() == 'theme = "nord"\n[keys]\ntheme = "t"\n'


def test_print_with_a_bad_config_says_so_once_and_still_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write(tmp_path, "[keys\n")
    monkeypatch.setenv("READER_CONFIG", str(path))
    assert main([str(BUNDLED), "--print", "--format", "json", "--query", "id:2305.14314"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 1
    assert err.count("\n") == 1
    assert err.startswith(f"reader: warning: {path}:1: not valid TOML")


def test_the_configured_digest_is_read_without_a_digest_argument(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    digest = tmp_path / "mine.csv"
    digest.write_text("week,title,link\n2024-01-07,My paper,https://x.org/1\n")
    monkeypatch.setenv("READER_CONFIG", str(write(tmp_path, f'digest = "{digest}"\n')))
    assert main(["--print", "--format", "links"]) == 0
    assert capsys.readouterr() == ("https://x.org/1\n", "")
    missing = write(tmp_path, f'theme = "nord"\ndigest = "{tmp_path / "gone.md"}"\n')
    monkeypatch.setenv("READER_CONFIG", str(missing))
    assert main(["--print"]) == 2  # refused, said at the config's line (it named no config)
    gone = f"reader: error: {missing}:2: digest: {tmp_path / 'gone.md'}: no such file\n"
    assert capsys.readouterr().err == gone
    assert main(["--export-state", str(tmp_path / "marks.json")]) == 0  # reads no digest
    assert main([str(digest), "--print", "--format", "links"]) == 0  # a digest given wins


async def test_the_app_takes_its_theme_and_saves_a_new_one(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nread_delay = 3\n')
    app = make_app(load_digest(BUNDLED), config=load_config(path))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "nord"
        app.theme = "dracula"
        await pilot.pause()
    assert path.read_text() == 'theme = "dracula"\nread_delay = 3\n'


async def test_a_bad_config_still_starts_the_app_and_says_why(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "no-such-theme"\nread_delay = []\n')
    app = make_app(load_digest(BUNDLED), config=load_config(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        messages = [notice.message for notice in app._notifications]
        assert f"{path}:2: read_delay must be a number of seconds; ignored" in messages
        assert any(message.startswith(f"{path}: no theme 'no-such-theme'") for message in messages)
        assert {notice.severity for notice in app._notifications} == {"warning"}  # both ignored
        assert app.theme == "textual-dark"


def test_sync_dir_and_zotero_url(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, 'sync_dir = "~/Sync/reader"\nzotero_url = "http://127.0.0.1:23120"\n')
    )
    assert config.warnings == []
    assert config.sync_dir == Path("~/Sync/reader").expanduser()
    assert config.zotero_url == "http://127.0.0.1:23120"
    wrong = load_config(write(tmp_path, 'sync_dir = 3\nzotero_url = "file:///etc"\n'))
    assert wrong.sync_dir is None and wrong.zotero_url is None
    assert [e.split(": ", 1)[1] for e in wrong.warnings] == [
        "sync_dir must be a directory (text); ignored",
        "zotero_url must be an http URL (text); ignored",
    ]


def test_digest_may_list_several_sources_and_feeds(tmp_path: Path) -> None:
    """`digest = ["potw", "hf", "arxiv:cs.LG"]`: what a bare `reader` opens as one inbox; a
    list that is not of texts, too long, or with a shortcut that names nothing is one error
    with its line, and the setting is ignored (nothing is fetched to check it)."""
    mine = load_config(write(tmp_path, 'theme = "nord"\ndigest = ["potw", " hf ", "~/a.md"]\n'))
    assert (mine.warnings, mine.digest) == ([], ("potw", "hf", "~/a.md"))
    too_many = "[" + ", ".join(['"a.md"'] * (MAX_DIGESTS + 1)) + "]"
    for value, why in [
        (
            "[]",
            f"digest must be a file, directory, URL or feed (text), or a list of at most "
            f"{MAX_DIGESTS}; ignored",
        ),
        ('["hf", 3]', "digest must be"),
        ('["hf", " "]', "digest must be"),
        (too_many, "digest must be"),
        ('["potw", "arxiv:cs.XX"]', "digest: arxiv:cs.XX: 'cs.XX' is not an arXiv category"),
        ('"hf:2026-W54"', "digest: hf:2026-W54: 2026 has no week 54; ignored"),
        ('"arxiv:\\u001b[2Jcs.LG"', "digest: arxiv:\u241b[2Jcs.LG: '\u241b[2Jcs.LG' is not"),
    ]:
        path = write(tmp_path, f"theme = 'nord'\ndigest = {value}\n")
        config = load_config(path)
        assert config.digest == () and config.theme == "nord" and "\x1b" not in config.warnings[0]
        assert len(config.warnings) == 1 and config.warnings[0].startswith(f"{path}:2: {why}")
