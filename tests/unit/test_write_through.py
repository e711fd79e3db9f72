"""Writing through, not replacing (issue 23, item 4): `--export-state` and the config's theme save
write a regular file atomically (a symlink's target, its mode kept) and anything else straight
through (`/dev/stdout`, `/dev/null`, a FIFO); `-` is standard output."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reader.cli import main
from reader.config import load_config, save_theme
from reader.files import write_through
from reader.state import StateStore


def some_marks() -> None:
    store = StateStore()
    store.set_read(["2301.00001", "2301.00002"])
    store.close()


def in_private_dev(tmp_path: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run `command` as root of a user and mount namespace whose /dev is a tmpfs holding only
    `stdout`, `fd` and a bind of the real `null`: whatever it does to them stays there (the
    drill ran as real root and turned the machine's /dev/stdout into a regular file)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: a private /dev needs a mount namespace")
    null = tmp_path / "null"
    null.touch()
    script = " && ".join(
        [
            f"mount --bind /dev/null {null}",
            "mount -t tmpfs none /dev",
            "touch /dev/null",
            f"mount --bind {null} /dev/null",
            "ln -s /proc/self/fd/1 /dev/stdout",
            "ln -s /proc/self/fd /dev/fd",
            "exec " + shlex.join(command) + " | cat",
        ]
    )
    result = subprocess.run(
        [unshare, "-rm", "sh", "-c", script + "; echo; echo LISTING >&2; ls -l /dev >&2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if "Operation not permitted" in result.stderr or "cannot" in result.stderr.split("\n")[0]:
        pytest.skip(f"no private mount namespace here: {result.stderr.strip()[:200]}")
    return result


def test_export_state_to_dev_stdout_writes_through_and_leaves_it_alone(
    tmp_path: Path,
) -> None:
    """The drill: as root `--export-state /dev/stdout` turned /dev/stdout into a regular file
    (and /dev/null would go the same way)."""
    some_marks()
    for target in ("/dev/stdout", "/dev/null"):
        command = [sys.executable, "-m", "reader", "--export-state", target]
        result = in_private_dev(tmp_path, command)
        assert result.returncode == 0, result.stderr
        listing = result.stderr.split("LISTING\n")[1].splitlines()
        assert any(line.startswith("l") and "stdout -> /proc/self/fd/1" in line for line in listing)
        assert any(line.startswith("c") and line.endswith(" null") for line in listing)
        if target == "/dev/stdout":
            exported = json.loads(result.stdout.strip())
            assert [mark["key"] for mark in exported["marks"]] == ["2301.00001", "2301.00002"]
            assert "reader: exported 2 papers to /dev/stdout" in result.stderr  # not on stdout
        else:
            assert result.stdout.strip() == "reader: exported 2 papers to /dev/null"


def test_export_state_dash_is_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    some_marks()
    assert main(["--export-state", "-"]) == 0
    out, err = capsysbinary.readouterr()
    assert json.loads(out)["version"] == 1
    assert b"exported 2 papers to -" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_export_state_into_a_fifo_reaches_its_reader(tmp_path: Path) -> None:
    """Before: the FIFO was replaced by a regular file and its reader got nothing."""
    some_marks()
    fifo = tmp_path / "backup.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert main(["--export-state", str(fifo)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received and json.loads(received[0])["marks"][0]["key"] == "2301.00001"


def test_a_symlinked_backup_is_written_at_its_target_keeping_the_link_and_mode(
    tmp_path: Path,
) -> None:
    """Before: the link was replaced by a regular file, and the real backup stayed stale."""
    some_marks()
    real = tmp_path / "backups" / "reader.json"
    real.parent.mkdir()
    real.write_text("stale\n")
    real.chmod(0o640)
    link = tmp_path / "reader-backup.json"
    link.symlink_to(real)
    assert main(["--export-state", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == real
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert len(json.loads(real.read_text())["marks"]) == 2


def test_a_stow_style_symlinked_config_keeps_its_link_and_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: picking a theme detached the link and made the config a 0600 file."""
    dotfiles = tmp_path / "dotfiles" / "reader"
    dotfiles.mkdir(parents=True)
    real = dotfiles / "config.toml"
    real.write_text('read_delay = 2.0\n\n[keys]\ntoggle_star = "f"\n')
    real.chmod(0o644)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert save_theme("gruvbox", link) is None
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o644
    config = load_config(link)
    assert (config.theme, config.read_delay, config.keys) == ("gruvbox", 2.0, {"toggle_star": "f"})


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    write_through(target, b"{}")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "keep.json"
    target.write_text("old\n")
    with pytest.raises(OSError):
        write_through(tmp_path / "missing-dir" / "x.json", b"new")
    assert target.read_text() == "old\n"
