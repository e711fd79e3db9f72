"""A hostile config (issue 23, item 5): deep nesting, thousands of unknown settings, a huge file.
Each is one message and the defaults, never an internal error, in time linear in its size."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import config as config_module
from reader.cli import main
from reader.config import MAX_BYTES, load_config


def test_a_config_nested_100k_deep_is_one_error_and_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: `x = [[[…]]]` 100,000 deep made every command die with `internal error:
    RecursionError`, exit 1."""
    path = tmp_path / "config.toml"
    path.write_text("theme = 'gruvbox'\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    monkeypatch.setenv("READER_CONFIG", str(path))
    assert main(["--print", "--format", "links", "--query", "id:2305.14314"]) == 0
    out, err = capsys.readouterr()
    assert out == "https://arxiv.org/abs/2305.14314\n"
    assert err == (
        f"reader: warning: {path}:1: not valid TOML: nested too deeply; the file is ignored\n"
    )


def test_thousands_of_unknown_settings_are_one_warning(tmp_path: Path) -> None:
    """The drill: 5,000 unknown settings took 8.2 s and 20,000 took 126 s (each one's line was
    looked for from the top of the file); each was a warning of its own."""
    path = tmp_path / "config.toml"
    lines = [f"unknown_{n} = {n}" for n in range(20_000)]
    path.write_text("read_delay = 3\n" + "\n".join(lines) + "\n[keys]\nquit = 'Q'\n")
    config = load_config(path, actions=frozenset({"quit"}))
    assert config.read_delay == 3.0 and config.keys == {"quit": "Q"}
    assert config.key_lines == {"quit": 20_003}
    assert config.warnings == [
        f"{path}:2: unknown settings 'unknown_0' (line 2), 'unknown_1' (line 3), 'unknown_2' "
        "(line 4), 'unknown_3' (line 5), 'unknown_4' (line 6) and 19,995 more; ignored"
    ]


def test_lines_are_found_in_one_pass_whatever_the_number_of_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linear time, without timing: the text is scanned for lines once, not once a setting."""
    scans: list[int] = []
    original = config_module._setting_lines

    def counted(text: str) -> dict[tuple[str | None, str], int]:
        scans.append(len(text))
        return original(text)

    monkeypatch.setattr(config_module, "_setting_lines", counted)
    path = tmp_path / "config.toml"
    body = "\n".join(f"bad_{n} = 1" for n in range(3000))
    body += "\n[keys]\n" + "\n".join(f"command_{n} = 'x'" for n in range(3000))
    path.write_text(body + "\n")
    config = load_config(path, actions=frozenset())
    assert len(scans) == 1
    assert len(config.warnings) == 2  # the settings, the commands
    _known, unknown = load_config(path).keymap(frozenset())  # as the app warns
    assert len(unknown) == 1 and "and 2,995 more" in unknown[0]
    assert len(scans) == 2


def test_a_config_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with open(path, "wb") as handle:
        handle.write(b"theme = 'gruvbox'\n")
        handle.write(b"# padding\n" * (MAX_BYTES // 10 + 1))
    config = load_config(path)
    assert config.theme is None
    assert config.warnings == [f"{path}: the config is over 1 MiB; the file is ignored"]


_TOMLISH = st.text(alphabet=st.sampled_from(list("[]{}=\"'.,# \n\tabkeysqut0123")), max_size=400)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TOMLISH)
def test_any_config_reads_without_raising(text: str) -> None:
    """Whatever the file holds, reading it gives a Config (errors and warnings, no exception)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text, encoding="utf-8")
        config = load_config(path, actions=frozenset({"quit"}))
    assert all(message.startswith(str(path)) for message in config.warnings)
