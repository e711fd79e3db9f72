"""The test-hygiene plugin (`tests/hygiene.py`) bites: a test that leaves a tmux server, a tmux
socket file or a process running fails, and what it left is gone after the run; a module's
fixture may keep a process until the module's last test. Each case runs in a pytest of its own
with only the plugin."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

HEADER = """
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.processes import end_tmux, tmux_socket

RECORD = Path(os.environ["HYGIENE_RECORD"])


def note(line):
    with RECORD.open("a") as file:
        file.write(line + "\\n")


def tmux(name, *args):
    subprocess.run(["tmux", "-L", name, "-f", os.devnull, *args], check=True, timeout=20)
    note(f"socket {tmux_socket(name)}")


def sleeper():
    process = subprocess.Popen(["sleep", "300"])
    note(f"pid {process.pid}")
    return process
"""


def outcomes(tmp_path: Path, source: str) -> tuple[dict[str, str], list[str]]:
    """Run `source` (after `HEADER`) as a test module under the plugin alone: each test's
    failure text ("" when it passed) and what its tests recorded having started."""
    module = tmp_path / "test_inner.py"
    module.write_text(HEADER + textwrap.dedent(source), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    record = tmp_path / "record.txt"
    record.touch()
    report = tmp_path / "report.xml"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HYGIENE_RECORD": str(record)}
    env["READER_TEST_GRACE"] = "0.5"  # seconds a leftover gets to end: quick fails here
    for name in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.hygiene", "-p", "no:randomly",
         "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
         "--rootdir", str(tmp_path), f"--junitxml={report}", str(module)],
        cwd=tmp_path, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    found: dict[str, str] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        failures = [*case.iter("failure"), *case.iter("error")]
        found[case.get("name", "")] = " ".join(f.get("message", "") for f in failures)
    return found, record.read_text().splitlines()


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def answers(socket: Path) -> bool:
    done = subprocess.run(["tmux", "-S", str(socket), "list-sessions"], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def leftovers() -> Iterator[list[str]]:
    """What the inner tests started, ended here whatever the outcome (if the plugin did not)."""
    started: list[str] = []
    yield started
    for line in started:
        kind, _, what = line.partition(" ")
        if kind == "pid" and running(int(what)):
            os.kill(int(what), signal.SIGKILL)
        elif kind == "socket":
            subprocess.run(["tmux", "-S", what, "kill-server"], capture_output=True)
            Path(what).unlink(missing_ok=True)


@needs_tmux
def test_a_tmux_server_or_its_socket_left_behind_fails_the_test(
    tmp_path: Path, leftovers: list[str]
) -> None:
    found, started = outcomes(
        tmp_path,
        """
        def test_leaves_a_server():
            tmux("hygiene-running", "new-session", "-d", "sleep 300")

        def test_kills_it_but_leaves_the_socket():
            tmux("hygiene-killed", "new-session", "-d", "sleep 300")
            tmux("hygiene-killed", "kill-server")

        def test_ends_it_properly():
            tmux("hygiene-ended", "new-session", "-d", "sleep 300")
            end_tmux("hygiene-ended")
        """,
    )
    leftovers += started
    assert "left a tmux server running (-L hygiene-running)" in found["test_leaves_a_server"]
    assert "left the socket file of an ended tmux server (-L hygiene-killed)" in (
        found["test_kills_it_but_leaves_the_socket"]
    )
    assert found["test_ends_it_properly"] == ""
    sockets = [Path(line.split(" ", 1)[1]) for line in started if line.startswith("socket")]
    assert len(sockets) == 4 and not any(path.exists() for path in sockets)
    assert not sockets[0].parent.parent.exists()  # the run's TMUX_TMPDIR is removed


def test_a_process_left_running_fails_the_test_and_is_killed(
    tmp_path: Path, leftovers: list[str]
) -> None:
    found, started = outcomes(
        tmp_path,
        """
        def test_leaves_a_process():
            sleeper()

        def test_stops_its_process():
            process = sleeper()
            process.kill()
            process.wait()
        """,
    )
    leftovers += started
    pid = int(started[0].split()[1])
    assert f"left a process running (pid {pid}: sleep 300)" in found["test_leaves_a_process"]
    assert found["test_stops_its_process"] == ""
    assert not running(pid)


def test_a_module_fixture_keeps_its_process_until_the_modules_last_test(
    tmp_path: Path, leftovers: list[str]
) -> None:
    found, started = outcomes(
        tmp_path,
        """
        @pytest.fixture(scope="module")
        def kept():
            process = sleeper()
            yield process
            process.kill()
            process.wait()

        @pytest.fixture(scope="module")
        def forgotten():
            yield sleeper()

        def test_first(kept):
            pass

        def test_second(kept):
            pass

        def test_third_with_a_forgotten_one(kept, forgotten):
            pass

        def test_last():
            pass
        """,
    )
    leftovers += started
    forgotten = int(started[1].split()[1])
    assert [found[name] for name in ("test_first", "test_second")] == ["", ""]
    assert found["test_third_with_a_forgotten_one"] == ""  # its module may still need it
    assert f"left a process running (pid {forgotten}: sleep 300)" in found["test_last"]
    assert not running(forgotten)
