"""The reading-state store: marks, persistence, two processes, faults, export and import."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import state
from reader.state import FILENAME, StateError, StateStore, state_dir
from reader.text import has_unsafe

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(isolated_state: Path) -> Iterator[StateStore]:
    opened = StateStore()
    yield opened
    opened.close()


def saved(directory: Path) -> dict[str, tuple[bool, bool]]:
    """What is on disk, read with sqlite3 directly: key -> (read, starred)."""
    conn = sqlite3.connect(directory / FILENAME)
    try:
        rows = conn.execute("SELECT key, read, starred FROM marks").fetchall()
    finally:
        conn.close()
    return {key: (bool(read), bool(starred)) for key, read, starred in rows}


# --- location ----------------------------------------------------------------------------------


def test_state_dir_follows_the_environment(isolated_state: Path) -> None:
    assert state_dir() == isolated_state


def test_state_dir_defaults_to_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READER_STATE_DIR")
    if sys.platform.startswith("linux"):  # XDG: $XDG_DATA_HOME/<app>, set by conftest
        assert state_dir() == tmp_path / "xdg-data" / "reader"
    else:
        assert state_dir().name == "reader"


def test_a_new_store_creates_its_database(isolated_state: Path, store: StateStore) -> None:
    assert store.saving
    assert store.warnings == []
    assert (isolated_state / FILENAME).is_file()
    assert not store.is_read("2303.17564")
    assert not store.is_starred("2303.17564")


# --- marks -------------------------------------------------------------------------------------


def test_toggles(store: StateStore) -> None:
    assert store.toggle_read("a") is True
    assert store.is_read("a")
    assert not store.is_starred("a")
    assert store.toggle_star("a") is True
    assert store.is_starred("a")
    assert store.toggle_read("a") is False
    assert not store.is_read("a")
    assert store.is_starred("a"), "unreading must not touch the star"
    assert store.toggle_star("a") is False
    assert not store.is_starred("a")


def test_set_read_many_and_back(store: StateStore) -> None:
    keys = [f"2301.{n:05d}" for n in range(100)]
    store.set_read(keys)
    assert all(store.is_read(key) for key in keys)
    store.set_read(keys[:40], read=False)
    assert [store.is_read(key) for key in keys] == [False] * 40 + [True] * 60


def test_a_single_string_is_one_key(store: StateStore) -> None:
    store.set_read("2303.17564")
    assert store.is_read("2303.17564")
    assert not store.is_read("2")


def test_marks_survive_a_restart(isolated_state: Path) -> None:
    first = StateStore()
    first.set_read(["r1", "r2"])
    first.toggle_star("s1")
    first.toggle_read("r2")  # read, then unread again
    first.close()
    second = StateStore()
    assert second.is_read("r1")
    assert not second.is_read("r2")
    assert second.is_starred("s1")
    assert not second.is_read("s1")
    assert second.warnings == []
    second.close()


def test_each_change_is_on_disk_before_close(isolated_state: Path, store: StateStore) -> None:
    # a crash (no close) must not lose a mark: every change is committed at once
    store.toggle_read("k1")
    assert saved(isolated_state) == {"k1": (True, False)}
    store.toggle_star("k1")
    store.set_read(["k2", "k3"])
    assert saved(isolated_state) == {"k1": (True, True), "k2": (True, False), "k3": (True, False)}


def test_snapshot_and_restore_undo_a_bulk_change(isolated_state: Path, store: StateStore) -> None:
    view = ["a", "b", "c", "d"]
    store.set_read(["b", "d"])
    before = store.snapshot_read(view)
    assert before == {"a": False, "b": True, "c": False, "d": True}
    store.set_read(view)
    assert all(store.is_read(key) for key in view)
    store.restore_read(before)
    assert {key: store.is_read(key) for key in view} == before
    assert {key: read for key, (read, _starred) in saved(isolated_state).items()} == before


def test_refresh_sees_another_instance(isolated_state: Path) -> None:
    mine, theirs = StateStore(), StateStore()
    theirs.set_read(["x"])
    theirs.toggle_star("y")
    assert not mine.is_read("x")
    mine.refresh()
    assert mine.is_read("x")
    assert mine.is_starred("y")
    mine.close()
    theirs.close()


def test_two_instances_change_different_columns_of_one_key(isolated_state: Path) -> None:
    first, second = StateStore(), StateStore()
    first.set_read(["shared"])
    second.toggle_star("shared")  # second still believes "shared" unread: it must not write that
    first.close()
    second.close()
    assert saved(isolated_state) == {"shared": (True, True)}


WORKER = """
import sys
from reader.state import StateStore

directory, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = StateStore(directory)
print("ready", flush=True)
sys.stdin.readline()
for n in range(count):
    store.set_read([f"{name}-{n}"])
    if name == "a":
        store.set_read([f"shared-{n}"])
    else:
        store.toggle_star(f"shared-{n}")
saving = store.saving
store.close()
print("done", saving, store.warnings, flush=True)
"""


def test_two_processes_lose_no_marks(isolated_state: Path) -> None:
    count = 200
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(isolated_state), name, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=ROOT,
        )
        for name in ("a", "b")
    ]
    for worker in workers:  # both are open before either writes, so their writes interleave
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    outputs = []
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert err == ""
        outputs.append(out.strip())
    assert outputs == ["done True []", "done True []"]
    check = StateStore()
    for n in range(count):
        assert check.is_read(f"a-{n}")
        assert check.is_read(f"b-{n}")
        assert check.is_read(f"shared-{n}"), "b's star must not clear a's read"
        assert check.is_starred(f"shared-{n}"), "a's read must not clear b's star"
    check.close()
    assert len(saved(isolated_state)) == 3 * count


OPENER = """
import sys, time
from reader.state import StateStore

base, name, start, rounds = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
for n in range(rounds):  # every worker opens store n in the same time slot
    while time.time() < start + n * 0.015:
        pass
    store = StateStore(f"{base}/{n}")
    store.set_read([name])
    if not store.saving or store.warnings:
        print(n, store.warnings, flush=True)
    store.close()
"""


def test_processes_starting_together_on_a_new_store(tmp_path: Path) -> None:
    # Turning a new file into WAL mode reports "locked" at once when another process is doing
    # the same; that must not leave an instance without saving.
    rounds, names = 60, ("a", "b")
    start = time.time() + 0.5  # after every worker has started
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(tmp_path), name, str(start), str(rounds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            cwd=ROOT,
        )
        for name in names
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert (worker.returncode, out, err) == (0, "", "")
    for n in range(rounds):
        assert saved(tmp_path / str(n)) == {name: (True, False) for name in names}


class LockedAtFirst(sqlite3.Connection):
    """A connection whose first switches to WAL report "locked" without waiting, as SQLite does
    when another process is turning the same new file into WAL mode."""

    failures = 0

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if "journal_mode" in sql and LockedAtFirst.failures > 0:
            LockedAtFirst.failures -= 1
            raise sqlite3.OperationalError("database is locked")
        return super().execute(sql, *args)


@pytest.fixture
def locked_at_first(monkeypatch: pytest.MonkeyPatch) -> type[LockedAtFirst]:
    real_connect = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(
            database, *args, factory=LockedAtFirst, **kwargs
        )
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    return LockedAtFirst


def test_opening_retries_an_immediate_locked(
    isolated_state: Path, locked_at_first: type[LockedAtFirst]
) -> None:
    locked_at_first.failures = 3
    store = StateStore()
    assert locked_at_first.failures == 0
    assert store.saving
    assert store.warnings == []
    store.toggle_read("k")
    store.close()
    assert saved(isolated_state) == {"k": (True, False)}


def test_opening_gives_up_after_the_busy_timeout(
    isolated_state: Path, locked_at_first: type[LockedAtFirst]
) -> None:
    locked_at_first.failures = 1_000_000
    started = time.perf_counter()
    store = StateStore(busy_timeout=0.2)
    assert 0.2 <= time.perf_counter() - started < 2
    assert not store.saving
    assert "locked" in store.warnings[0]
    assert store.toggle_read("k")
    store.close()


# --- damaged files -----------------------------------------------------------------------------

GARBAGE = b"this is not a database\n" * 200 + bytes(range(256))


def corrupt_copies(directory: Path) -> list[Path]:
    """The moved-aside database files (without their WAL files)."""
    copies = directory.glob(f"{FILENAME}.corrupt-*")
    return sorted(path for path in copies if not path.name.endswith("-wal"))


def test_a_corrupt_file_is_moved_aside_and_kept(isolated_state: Path) -> None:
    isolated_state.mkdir()
    (isolated_state / FILENAME).write_bytes(GARBAGE)
    (isolated_state / f"{FILENAME}-wal").write_bytes(b"old wal")
    fresh = StateStore()
    assert fresh.saving
    assert len(fresh.warnings) == 1
    assert "damaged" in fresh.warnings[0]
    [moved] = corrupt_copies(isolated_state)
    assert moved.read_bytes() == GARBAGE
    assert moved.name in fresh.warnings[0]
    assert Path(f"{moved}-wal").read_bytes() == b"old wal", "its WAL moves with it"
    fresh.toggle_read("after")
    fresh.close()
    again = StateStore()
    assert again.warnings == []
    assert again.is_read("after")
    again.close()
    assert moved.read_bytes() == GARBAGE, "the damaged copy is never deleted or rewritten"


def test_a_second_corruption_does_not_overwrite_the_first_copy(isolated_state: Path) -> None:
    for round_ in range(2):
        isolated_state.mkdir(exist_ok=True)
        (isolated_state / FILENAME).write_bytes(GARBAGE + bytes([round_]))
        StateStore().close()
    copies = corrupt_copies(isolated_state)
    assert sorted(path.read_bytes() for path in copies) == [GARBAGE + b"\x00", GARBAGE + b"\x01"]


def test_a_damaged_page_keeps_what_can_be_read(isolated_state: Path) -> None:
    keys = [f"2301.{n:05d}" for n in range(3000)]
    first = StateStore()
    first.set_read(keys)
    first.close()
    path = isolated_state / FILENAME
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 12 * page
    data[10 * page : 11 * page] = b"\xff" * page
    path.write_bytes(bytes(data))
    fresh = StateStore()
    assert fresh.saving
    assert len(fresh.warnings) == 1
    assert "damaged" in fresh.warnings[0]
    [moved] = corrupt_copies(isolated_state)
    assert moved.read_bytes() == bytes(data)
    recovered = saved(isolated_state)
    assert set(recovered) <= set(keys)
    assert all(read for read, _starred in recovered.values())
    assert all(fresh.is_read(key) for key in recovered)
    fresh.close()


def test_a_foreign_database_is_moved_aside(isolated_state: Path) -> None:
    isolated_state.mkdir()
    conn = sqlite3.connect(isolated_state / FILENAME)
    conn.execute("CREATE TABLE marks (name TEXT, colour TEXT)")
    conn.execute("INSERT INTO marks VALUES ('x', 'red')")
    conn.commit()
    conn.close()
    fresh = StateStore()
    assert fresh.saving
    assert len(fresh.warnings) == 1
    [moved] = corrupt_copies(isolated_state)
    conn = sqlite3.connect(moved)
    assert conn.execute("SELECT * FROM marks").fetchall() == [("x", "red")]
    conn.close()
    fresh.close()


# --- locations that cannot be written ----------------------------------------------------------


def test_a_location_under_a_regular_file_works_without_saving(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory")
    store = StateStore(blocker / "state")
    assert not store.saving
    assert len(store.warnings) == 1
    assert "will not be saved" in store.warnings[0]
    assert store.toggle_read("a") is True
    assert store.toggle_star("a") is True
    store.set_read(["b", "c"])
    assert store.is_read("a") and store.is_starred("a") and store.is_read("c")
    assert len(store.warnings) == 1, "warned once, not once per change"
    assert store.export_json(tmp_path / "out.json") == 3
    store.close()
    assert blocker.read_text() == "a file, not a directory"


@pytest.mark.skipif(sys.platform != "linux", reason="Linux allows any bytes in a file name")
def test_a_directory_name_that_is_not_utf8(tmp_path: Path) -> None:
    directory = Path(os.fsdecode(os.fsencode(tmp_path) + b"/state-\xff"))
    store = StateStore(directory)
    store.toggle_read("k")
    store.close()
    assert store.warnings == []
    again = StateStore(directory)
    assert again.is_read("k")
    assert again.saving
    again.close()


def test_a_directory_name_with_a_nul(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "st\x00ate")
    assert not store.saving
    assert len(store.warnings) == 1
    assert store.toggle_read("k")
    store.close()


def test_warnings_are_terminal_safe(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    store = StateStore(blocker / "evil\x1b]52;c;AAAA\x07\x1b[2J")
    assert store.warnings
    assert not any(has_unsafe(warning) for warning in store.warnings)
    store.close()


def test_a_database_that_cannot_be_opened_for_writing(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = StateStore()
    first.set_read(["saved-before"])
    first.toggle_star("starred-before")
    first.close()
    real_connect = sqlite3.connect

    def read_only_connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if kwargs.get("uri") and "mode=ro" in str(database):
            connection: sqlite3.Connection = real_connect(database, *args, **kwargs)
            return connection
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sqlite3, "connect", read_only_connect)
    store = StateStore()
    assert not store.saving
    assert len(store.warnings) == 1
    assert "readonly" in store.warnings[0]
    assert store.is_read("saved-before"), "saved marks are still shown"
    assert store.is_starred("starred-before")
    store.toggle_read("new")
    assert store.is_read("new")
    store.close()
    monkeypatch.undo()
    assert saved(isolated_state) == {
        "saved-before": (True, False),
        "starred-before": (False, True),
    }


# --- writes that fail mid-session --------------------------------------------------------------


def test_a_connection_closed_underneath_warns_once_and_recovers(
    isolated_state: Path, store: StateStore
) -> None:
    store.set_read(["before"])
    assert store._conn is not None
    store._conn.close()
    started = len(store.warnings)
    store.toggle_read("during-1")
    store.toggle_star("during-2")
    assert not store.saving
    assert len(store.warnings) == started + 1
    assert "Could not save" in store.warnings[-1]
    assert store.is_read("during-1") and store.is_starred("during-2")
    assert saved(isolated_state) == {"before": (True, False)}, "saved marks are kept"
    store.refresh()  # retries now
    assert store.saving
    assert "saved again" in store.warnings[-1]
    assert saved(isolated_state) == {
        "before": (True, False),
        "during-1": (True, False),
        "during-2": (False, True),
    }


def test_a_full_disk(isolated_state: Path, store: StateStore) -> None:
    store.set_read(["before"])
    assert store._conn is not None
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL
    many = [f"{'long key ' * 20}{n}" for n in range(300)]
    store.set_read(many)
    assert not store.saving
    assert len(store.warnings) == 1
    assert "full" in store.warnings[0]
    assert all(store.is_read(key) for key in many)
    assert saved(isolated_state) == {"before": (True, False)}
    store.toggle_star("more")  # no second warning while failing
    assert len(store.warnings) == 1
    store._conn.execute("PRAGMA max_page_count = 1000000")
    store.close()
    after = saved(isolated_state)
    assert len(after) == 302
    assert after["more"] == (False, True)


def test_a_locked_database_does_not_freeze_every_keystroke(isolated_state: Path) -> None:
    timeout = 0.2
    store = StateStore(busy_timeout=timeout)
    store.set_read(["before"])
    locker = sqlite3.connect(isolated_state / FILENAME, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another instance holding the write lock
    started = time.perf_counter()
    store.toggle_read("during")
    first = time.perf_counter() - started
    assert first >= timeout * 0.9, "it waits for the busy timeout first"
    assert not store.saving
    assert "locked" in store.warnings[-1]
    started = time.perf_counter()
    for n in range(5):
        store.toggle_read(f"more-{n}")
    assert time.perf_counter() - started < timeout, "no retry on every keystroke"
    assert len(store.warnings) == 1
    locker.execute("ROLLBACK")
    locker.close()
    store.close()
    assert set(saved(isolated_state)) == {"before", "during"} | {f"more-{n}" for n in range(5)}


def test_a_retry_happens_on_the_next_write_after_the_interval(
    isolated_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(busy_timeout=0.05)
    locker = sqlite3.connect(isolated_state / FILENAME, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    store.toggle_read("during")
    assert not store.saving
    locker.execute("ROLLBACK")
    locker.close()
    monkeypatch.setattr(state.saving, "RETRY_SECONDS", 0.0)
    store._retry_at = 0.0
    store.toggle_read("after")
    assert store.saving
    assert saved(isolated_state) == {"during": (True, False), "after": (True, False)}
    store.close()


def test_a_removed_directory_is_created_again(isolated_state: Path, store: StateStore) -> None:
    store.set_read(["before"])
    store.toggle_star("starred")
    shutil.rmtree(isolated_state)
    store.toggle_read("after")
    assert store.saving
    assert "removed" in store.warnings[-1]
    assert saved(isolated_state) == {
        "before": (True, False),
        "starred": (False, True),
        "after": (True, False),
    }


def test_a_removed_directory_that_cannot_come_back(isolated_state: Path) -> None:
    store = StateStore()
    store.set_read(["before"])
    shutil.rmtree(isolated_state)
    isolated_state.write_text("now a file")
    store.toggle_read("after")
    assert not store.saving
    assert store.is_read("before") and store.is_read("after")
    store.close()
    assert isolated_state.read_text() == "now a file"
    # "before" was saved before the folder went (found by `make mutate`: no test had one paper)
    assert store.warnings[-1] == "Reading state: changes to 1 paper could not be saved."


def test_a_key_sqlite_cannot_store_stays_in_memory(isolated_state: Path) -> None:
    store = StateStore()
    lone = "bad\ud800key"
    store.set_read([lone, "good"])
    assert store.is_read(lone)
    assert store.saving, "one odd key does not stop saving"
    assert len(store.warnings) == 1
    store.refresh()
    assert store.is_read(lone), "a refresh keeps it"
    store.close()
    assert saved(isolated_state) == {"good": (True, False)}


# --- export and import -------------------------------------------------------------------------


def test_export_then_import_into_a_fresh_store(tmp_path: Path, store: StateStore) -> None:
    store.set_read(["r", "rs", "unread-later"])
    store.toggle_star("rs")
    store.toggle_star("s")
    store.toggle_read("unread-later")
    exported = tmp_path / "backup.json"
    assert store.export_json(exported) == 4
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["version"] == 1
    marks = {mark["key"]: (mark["read"], mark["starred"]) for mark in document["marks"]}
    assert marks == {
        "r": (True, False),
        "rs": (True, True),
        "s": (False, True),
        "unread-later": (False, False),
    }
    assert all(isinstance(mark["updated"], float) for mark in document["marks"])
    other = StateStore(tmp_path / "other")
    assert other.import_json(exported) == 4
    assert {key: (other.is_read(key), other.is_starred(key)) for key in marks} == marks
    other.close()
    reopened = StateStore(tmp_path / "other")
    assert {key: (reopened.is_read(key), reopened.is_starred(key)) for key in marks} == marks
    reopened.close()


def test_import_where_nothing_can_be_saved(tmp_path: Path) -> None:
    # the CLI reports an import as failed when `saving` is False afterwards
    source = StateStore(tmp_path / "source")
    source.set_read(["a", "b"])
    source.export_json(tmp_path / "backup.json")
    source.close()
    (tmp_path / "blocker").write_text("")
    store = StateStore(tmp_path / "blocker" / "state")
    assert store.import_json(tmp_path / "backup.json") == 2
    assert store.is_read("a") and store.is_read("b")
    assert not store.saving
    store.close()


def test_export_replaces_an_existing_file(tmp_path: Path, store: StateStore) -> None:
    target = tmp_path / "backup.json"
    target.write_text("old")
    store.toggle_read("k")
    assert store.export_json(target) == 1
    assert json.loads(target.read_text())["marks"][0]["key"] == "k"


def test_export_to_a_missing_directory_raises_state_error(
    tmp_path: Path, store: StateStore
) -> None:
    target = tmp_path / "missing" / "backup.json"
    with pytest.raises(StateError) as caught:
        store.export_json(target)
    assert caught.value.path == target
    assert str(caught.value).startswith(f"{target}: cannot write")


def test_import_merges_by_or(tmp_path: Path, store: StateStore) -> None:
    store.set_read(["local-read", "both"])
    store.toggle_star("local-star")
    backup = tmp_path / "in.json"
    backup.write_text(
        json.dumps(
            {
                "version": 1,
                "marks": [
                    {"key": "local-read", "read": False, "starred": True, "updated": 1.0},
                    {"key": "local-star", "read": True, "starred": False, "updated": 1.0},
                    {"key": "both", "read": True, "starred": True, "updated": 1.0},
                    {"key": "new", "read": True},
                ],
            }
        )
    )
    assert store.import_json(backup) == 4
    expected = {
        "local-read": (True, True),
        "local-star": (True, True),
        "both": (True, True),
        "new": (True, False),
    }
    assert {key: (store.is_read(key), store.is_starred(key)) for key in expected} == expected
    store.close()
    assert saved(state_dir()) == expected


def test_import_keeps_the_later_updated_time(tmp_path: Path, store: StateStore) -> None:
    backup = tmp_path / "in.json"
    future = time.time() + 10_000
    backup.write_text(json.dumps({"version": 1, "marks": [{"key": "k", "updated": future}]}))
    store.toggle_read("k")
    store.import_json(backup)
    store.export_json(tmp_path / "out.json")
    [mark] = json.loads((tmp_path / "out.json").read_text())["marks"]
    assert mark == {"key": "k", "read": True, "starred": False, "updated": future}


def bad_import(tmp_path: Path, store: StateStore, content: str | bytes) -> StateError:
    path = tmp_path / "bad.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    store.toggle_read("untouched")
    with pytest.raises(StateError) as caught:
        store.import_json(path)
    error = caught.value
    assert error.path == path
    assert str(error) == f"{path}:{error.line}: {error.message}"
    return error


def test_import_of_broken_json_gives_the_line(tmp_path: Path, store: StateStore) -> None:
    content = (
        '{"version": 1, "marks": [\n{"key": "a", "read": true},\n{"key": "b", "read": tru}\n]}'
    )
    error = bad_import(tmp_path, store, content)
    assert error.line == 3
    assert error.message.startswith("invalid JSON")
    assert not store.is_read("a"), "nothing is merged from a bad file"


def test_import_of_a_bad_entry_gives_its_line(tmp_path: Path, store: StateStore) -> None:
    content = (
        '{"version": 1,\n "marks": [\n  {"key": "a", "read": true},\n\n'
        '  {"key": "b",\n   "read": "yes"}\n ]\n}\n'
    )
    error = bad_import(tmp_path, store, content)
    assert error.line == 5
    assert error.message == 'mark 2: "read" must be true or false'
    assert not store.is_read("a")


KEY = 'mark 1: "key" must be a string'
OBJECT = 'mark 1: expected an object like {"key": "...", "read": true}'
EXPORT = 'not a reader state export: expected {"version": 1, "marks": [...]}'
VERSION = "unsupported export version (expected 1)"
UPDATED = 'mark 1: "updated" must be a number (seconds since 1970)'


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("", 1, "invalid JSON: Expecting value at column 1 (is the file cut short?)"),
        ('{"version": 1, "marks": [\n{"key": "2305.0', 2, "invalid JSON: Unterminated string "
         "starting at column 9 (is the file cut short?)"),  # an export cut off (head -c)
        ('{"version": 1, "marks": [\n{"key" "x"}]}', 2, "invalid JSON: Expecting ':' delimiter "
         "at column 8"),
        ("[1, 2]", 1, EXPORT),
        ('{"version": 2, "marks": []}', 1, VERSION),
        ('{"version": true, "marks": []}', 1, VERSION),
        ('{"version": 1, "marks": {}}', 1, EXPORT),
        ('{"version": 1, "marks": [\n7]}', 2, OBJECT),
        ('{"version": 1, "marks": [\n{"read": true}]}', 2, KEY),
        ('{"version": 1, "marks": [{"key": 5}]}', 1, KEY),
        ('{"version": 1, "marks": [\n{},\n{"key": "x", "updated": NaN}]}', 2, KEY),
        ('{"version": 1, "marks": [{"key": "x", "updated": NaN}]}', 1, UPDATED),
        ('{"version": 1, "marks": [{"key": "x", "updated": 1e999}]}', 1, UPDATED),
        ('{"version": 1, "marks": [{"key": "x", "updated": "now"}]}', 1, UPDATED),
        ("[" * 100_000, 1, "invalid JSON: nested too deeply"),
        ('{"version": 1, "marks": [], "searches": {}}', 1, '"searches" must be a list'),
    ],
)  # fmt: skip
def test_import_rejects(
    tmp_path: Path, store: StateStore, content: str, line: int, message: str
) -> None:
    """What --import-state says, word for word: `FILE:LINE: what is wrong`."""
    error = bad_import(tmp_path, store, content)
    assert str(error) == f"{tmp_path / 'bad.json'}:{line}: {message}"


def test_import_rejects_non_utf8_with_the_line(tmp_path: Path, store: StateStore) -> None:
    error = bad_import(tmp_path, store, b'{"version": 1,\n"marks": [\n{"key": "\xff"}]}')
    assert (error.line, error.message) == (3, "not UTF-8 text")


def test_import_accepts_a_bom(tmp_path: Path, store: StateStore) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"version": 1, "marks": [{"key": "k", "starred": true}]}')
    assert store.import_json(path) == 1
    assert store.is_starred("k")


def test_import_of_a_missing_file(tmp_path: Path, store: StateStore) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(StateError) as caught:
        store.import_json(path)
    assert caught.value.line == 0
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"


def test_state_error_formats_like_a_compiler() -> None:
    assert str(StateError(Path("s.json"), 12, "bad")) == "s.json:12: bad"
    assert str(StateError("s.json", 0, "bad")) == "s.json: bad"


# --- any key -----------------------------------------------------------------------------------

ODD_KEYS = ["", "\x00", "a\x00b", "'", '"', "'); DROP TABLE marks; --", "\u202e", "\x1b[2J", "é"]
KEYS = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(ODD_KEYS)
"""Any text SQLite can store (UTF-8 excludes lone surrogates, tested on their own above)."""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marks=st.dictionaries(KEYS, st.tuples(st.booleans(), st.booleans()), max_size=8))
def test_any_key_round_trips(marks: dict[str, tuple[bool, bool]]) -> None:
    def check(store: StateStore) -> None:
        assert {key: (store.is_read(key), store.is_starred(key)) for key in marks} == marks
        assert store.warnings == []

    with tempfile.TemporaryDirectory() as temporary:
        base = Path(temporary)
        first = StateStore(base / "first")
        for key, (read, starred) in marks.items():
            first.set_read([key], read)
            if starred:
                first.toggle_star(key)
        first.close()
        second = StateStore(base / "first")
        check(second)
        assert second.export_json(base / "export.json") == len(marks)
        second.close()
        third = StateStore(base / "third")
        assert third.import_json(base / "export.json") == len(marks)
        check(third)
        third.close()
        fourth = StateStore(base / "third")
        check(fourth)
        fourth.close()
