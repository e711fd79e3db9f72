"""Issue 28 from the command line: `--to-zotero` (a view sent to a fake connector on 127.0.0.1,
the bodies read back by rispy; a line for every answer), `--zotero-url` and the config's
`zotero_url`; `--sync-dir` and the config's `sync_dir` reaching the state store (two state
folders, each its own process, sharing one sync folder), the merge of `--update` and `--print`,
`--sync-status`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import rispy  # type: ignore[import-untyped,unused-ignore]

from reader.cli import main
from reader.cli.parse import parse
from reader.cli.web import child_arguments
from reader.config import load_config
from reader.settings import resolve
from tests.zotero_server import FakeZotero

REPO = Path(__file__).resolve().parents[2]
WEEK = "2023-05-28"
QLORA = "2305.14314"


@pytest.fixture
def zotero() -> Iterator[FakeZotero]:
    fake = FakeZotero()
    yield fake
    fake.close()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def titles(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    code, out, err = cli(capsys, *args, "--print", "--format", "json")
    assert (code, err) == (0, ""), err
    return [paper["title"] for paper in json.loads(out)]


def sent_titles(zotero: FakeZotero) -> list[str]:
    return [
        record["title"]
        for post in zotero.imports()
        for record in rispy.loads(post.body.decode("utf-8"))
    ]


# --- --to-zotero -------------------------------------------------------------------------------


def test_to_zotero_sends_the_week_and_the_query_asked(
    capsys: pytest.CaptureFixture[str], zotero: FakeZotero
) -> None:
    code, out, err = cli(capsys, "--to-zotero", "--week", WEEK, "--zotero-url", zotero.url)
    assert (code, out, err) == (0, "Sent 10 papers to Zotero.\n", "")
    assert sent_titles(zotero) == titles(capsys, "--week", WEEK)
    zotero.requests.clear()
    code, out, err = cli(capsys, "--to-zotero", "--query", "qlora", "--zotero-url", zotero.url)
    assert (code, out, err) == (0, "Sent 1 paper to Zotero.\n", "")
    assert sent_titles(zotero) == ["QLoRA: Efficient Finetuning of Quantized LLMs"]
    assert [r.path for r in zotero.requests] == ["/connector/ping", "/connector/import"]


def test_to_zotero_without_week_or_query_sends_the_latest_week(
    capsys: pytest.CaptureFixture[str], zotero: FakeZotero
) -> None:
    code, out, _ = cli(capsys, "--to-zotero", "--zotero-url", zotero.url)
    assert code == 0, out
    assert sent_titles(zotero) == titles(capsys, "--week", "latest")


def test_the_config_names_zotero_and_the_flag_wins(
    capsys: pytest.CaptureFixture[str],
    zotero: FakeZotero,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'zotero_url = "{zotero.url}"\n', encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    code, out, err = cli(capsys, "--to-zotero", "--query", "qlora")
    assert (code, out, err) == (0, "Sent 1 paper to Zotero.\n", "")
    closed = free_port()
    code, out, err = cli(capsys, "--to-zotero", "--query", "qlora", "--zotero-url", closed)
    assert code == 2 and out == ""
    assert err == (
        f"reader: error: Zotero is not running: nothing answers at {closed[7:]}. "
        "Start Zotero, then send again.\n"
    )
    assert len(zotero.imports()) == 1


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.parametrize(
    ("answers", "created", "said"),
    [
        ([500], None, "Nothing sent to Zotero: Zotero could not import into the library selected"),
        ([400], None, "Nothing sent to Zotero: Zotero found nothing it could import in them"),
        ([409, 409], None, "Nothing sent to Zotero: Zotero refused two new session ids (HTTP 409)"),
        ([], 7, "Zotero imported 7 of the 10 papers sent."),
        ([], 0, "Nothing sent to Zotero: Zotero's answer was not"),
    ],
)
def test_every_answer_of_zotero_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str],
    zotero: FakeZotero,
    answers: list[int | None],
    created: int | None,
    said: str,
) -> None:
    zotero.answers.extend(answers)
    zotero.created = created
    if created == 0:
        zotero.bodies[201] = b"{}"
        zotero.answers.append(201)
    code, out, err = cli(capsys, "--to-zotero", "--week", WEEK, "--zotero-url", zotero.url)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"reader: error: {said}"), err


def test_fetch_metadata_then_to_zotero_sends_the_authors(
    capsys: pytest.CaptureFixture[str], zotero: FakeZotero, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.arxiv_server import ArxivServer

    arxiv = ArxivServer()
    monkeypatch.setenv("READER_ARXIV_API", arxiv.api_url)
    try:
        code, out, err = cli(
            capsys, "--fetch-metadata", "--to-zotero", "--query", "qlora", "--zotero-url",
            zotero.url,
        )
    finally:
        arxiv.close()
    assert (code, out) == (0, "Sent 1 paper to Zotero.\n"), err
    (record,) = rispy.loads(zotero.imports()[0].body.decode("utf-8"))
    assert record["authors"][:2] == ["Tim Dettmers", "Artidoro Pagnoni"]


def test_a_409_is_retried_with_a_new_session(
    capsys: pytest.CaptureFixture[str], zotero: FakeZotero
) -> None:
    zotero.answers.append(409)
    code, out, _ = cli(capsys, "--to-zotero", "--week", WEEK, "--zotero-url", zotero.url)
    assert (code, out) == (0, "Sent 10 papers to Zotero.\n")
    first, second = (post.query["session"][0] for post in zotero.imports())
    assert first != second


@pytest.mark.parametrize(
    ("args", "starts"),
    [
        (["--to-zotero", "--print"], "--to-zotero and --print do not go together"),
        (["--to-zotero", "--serve"], "--to-zotero and --serve do not go together"),
        (["--zotero-url", "ftp://x", "--to-zotero"], "argument --zotero-url: not an http URL"),
        (["--print", "--zotero-url", "http://127.0.0.1:1"], "--zotero-url applies to Z"),
        (["--sync-status"], "--sync-status: no sync folder is set"),
        (["--sync-status", "--query", "x", "--sync-dir", "s"], "--sync-status runs on its own"),
        (["--update", "--to-zotero"], "--update runs on its own, without --to-zotero"),
        (["--sync-dir", "", "--print"], "argument --sync-dir: expected a folder"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], starts: str) -> None:
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"reader: error: {starts}"), err


# --- --sync-dir, sync_dir ----------------------------------------------------------------------


def machine(home: Path, *args: str, config: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m reader ARGS` as one machine: a process with its own state, cache and config
    (`config`'s text) under `home`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(config, encoding="utf-8")
    env.update(
        READER_STATE_DIR=str(home / "state"),
        READER_CACHE_DIR=str(home / "cache"),
        READER_CONFIG=str(home / "config.toml"),
    )
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def starred_and_read(done: subprocess.CompletedProcess[str]) -> list[tuple[str, bool, bool]]:
    assert done.returncode == (0 if done.stdout != "[]\n" else 1), done.stderr  # 1: none
    return [(p["arxiv_id"], p["read"], p["starred"]) for p in json.loads(done.stdout)]


def test_two_machines_share_marks_through_the_flag_and_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "Sync" / "reader"
    folder.mkdir(parents=True)
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    backup = tmp_path / "backup.json"
    backup.write_text(
        json.dumps(
            {
                "version": 1,
                "marks": [
                    {"key": QLORA, "read": True, "starred": True, "updated": 1700000000.0,
                     "note": "try on our data", "tags": ["to-read"]},
                ],
            }
        ),
        encoding="utf-8",
    )
    done = machine(laptop, "--import-state", str(backup), "--sync-dir", str(folder))
    assert done.returncode == 0, done.stderr
    assert len(list(folder.glob("*.jsonl"))) == 1  # the laptop's journal
    # The desktop names the folder in its config; --update merges it (and says what came).
    config = f'sync_dir = "{folder}"\n'
    done = machine(desktop, "--update", config=config)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("reader: sync: 4 changes from ")
    printed = machine(desktop, "--print", "--format", "json", "--query", "is:starred",
                      config=config)
    assert starred_and_read(printed) == [(QLORA, True, True)]
    noted = machine(desktop, "--print", "--format", "json", "--query", "tag:to-read note:data",
                    config=config)
    assert [p["arxiv_id"] for p in json.loads(noted.stdout)] == [QLORA]
    # A third machine without the folder has none of it.
    alone = machine(tmp_path / "other", "--print", "--format", "json", "--query", "is:starred")
    assert starred_and_read(alone) == []


def laptop_wrote(tmp_path: Path, mark: dict[str, object]) -> tuple[Path, Path]:
    """A sync folder in which the laptop (its state in `tmp_path/laptop`) wrote `mark`, QLoRA's
    (imported from a backup): (the folder, the laptop's home)."""
    folder = tmp_path / "sync"
    folder.mkdir()
    laptop = tmp_path / "laptop"
    backup = tmp_path / "backup.json"
    marks = [{"key": QLORA, "updated": 1700000000.0, **mark}]
    backup.write_text(json.dumps({"version": 1, "marks": marks}), encoding="utf-8")
    assert machine(laptop, "--import-state", str(backup), "--sync-dir", str(folder)).returncode == 0
    return folder, laptop


def test_print_merges_the_folder_and_sync_status_reports_both_machines(tmp_path: Path) -> None:
    folder, laptop = laptop_wrote(tmp_path, {"read": True, "starred": False})
    desktop = tmp_path / "desktop"
    printed = machine(desktop, "--print", "--format", "json", "--query", "is:read",
                      "--sync-dir", str(folder))
    assert starred_and_read(printed) == [(QLORA, True, False)]
    status = machine(laptop, "--sync-status", "--sync-dir", str(folder))
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0] == f"Sync folder: {folder} (readable and writable)"
    assert "1 change," in lines[1]
    assert lines[2] == "  pending here: nothing (every change is in the folder)"
    assert "has merged this machine's changes up to" in lines[3], lines


def test_export_state_merges_the_folder_first(tmp_path: Path) -> None:
    """An export holds what other machines wrote (was: only what this machine had merged)."""
    mark = {"read": True, "starred": True, "note": "from the laptop"}
    folder, _ = laptop_wrote(tmp_path, mark)
    desktop = tmp_path / "desktop"
    config = f'sync_dir = "{folder}"\n'
    exported = tmp_path / "desktop.json"
    done = machine(desktop, "--export-state", str(exported), config=config)
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    assert said[0].startswith("reader: sync: 3 changes from "), said
    assert said[1] == f"reader: exported 1 paper (1 read, 1 starred) and 1 note to {exported}"
    (mark,) = json.loads(exported.read_text(encoding="utf-8"))["marks"]
    assert (mark["key"], mark["read"], mark["starred"]) == (QLORA, True, True)
    assert mark["note"] == "from the laptop"
    # to standard output: the JSON alone there, what came on standard error
    done = machine(desktop, "--export-state", "-", config=config)
    assert done.returncode == 0 and json.loads(done.stdout)["marks"][0]["key"] == QLORA
    assert done.stderr.startswith("reader: sync: nothing new from other machines\n")
    # without the folder, nothing is merged and nothing is said of it
    done = machine(tmp_path / "other", "--export-state", str(tmp_path / "other.json"))
    assert done.returncode == 0 and "sync" not in done.stdout + done.stderr
    assert json.loads((tmp_path / "other.json").read_text(encoding="utf-8"))["marks"] == []


def test_the_flag_wins_over_the_config_and_reaches_every_tab_of_serve(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('sync_dir = "~/Sync"\nzotero_url = "http://127.0.0.1:1"\n', "utf-8")
    loaded = load_config(config)
    settings = resolve(parse([]), loaded)
    assert settings.sync_dir == Path("~/Sync").expanduser()
    assert settings.zotero_url == "http://127.0.0.1:1"
    settings = resolve(
        parse(["--sync-dir", str(tmp_path), "--zotero-url", "http://127.0.0.1:2/"]), loaded
    )
    assert (settings.sync_dir, settings.zotero_url) == (tmp_path, "http://127.0.0.1:2")
    arguments = child_arguments(settings)
    assert f"--sync-dir={tmp_path}" in arguments
    assert "--zotero-url=http://127.0.0.1:2" in arguments
    assert resolve(parse([]), load_config(tmp_path / "none.toml")).sync_dir is None


def test_the_reader_opens_its_store_on_the_sync_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader --sync-dir DIR` gives the TUI a store journaling to DIR (the screen merges it
    when painted: tests/tui/test_handoff_tui.py)."""
    from reader.app import ReaderApp

    seen: list[object] = []

    def run(app: ReaderApp) -> None:
        sync = app.state.sync
        seen.append(sync.folder if sync is not None else None)

    monkeypatch.setattr(ReaderApp, "run", run)
    monkeypatch.setattr("reader.cli.run._terminal_out", lambda: True)
    assert main(["--sync-dir", str(tmp_path / "sync")]) == 0
    assert main([]) == 0
    assert seen == [tmp_path / "sync", None]
