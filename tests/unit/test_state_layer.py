"""The reader's own layer in the state store: notes, tags, saved searches and sessions (schema 3).

Migrations from a store of schema 0 (marks only) and schema 2 (marks and the arXiv metadata
cache), two processes writing notes and tags at once, export and import carrying them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.state import FILENAME, SCHEMA_VERSION, Session, StateError, StateStore, normal_tag

ROOT = Path(__file__).resolve().parents[2]

MARKS = """CREATE TABLE marks (
    key TEXT PRIMARY KEY NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL DEFAULT 0
)"""
METADATA = """CREATE TABLE arxiv_metadata (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    fetched REAL NOT NULL DEFAULT 0
)"""


def _old_store(directory: Path, version: int) -> Path:
    """A store as the reader of schema `version` wrote it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILENAME
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(MARKS)
    conn.execute("INSERT INTO marks VALUES ('2305.14314', 1, 1, 1700000000.5)")
    if version >= 2:
        conn.execute(METADATA)
        conn.execute("INSERT INTO arxiv_metadata VALUES ('2305.14314', '{}', 1.0)")
        conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


@pytest.mark.parametrize("version", [0, 2])
def test_an_old_store_is_migrated_and_keeps_its_marks(tmp_path: Path, version: int) -> None:
    path = _old_store(tmp_path, version)
    with StateStore(tmp_path) as store:
        assert store.warnings == []
        assert store.is_read("2305.14314") and store.is_starred("2305.14314")
        assert store.note("2305.14314") == "" and store.tags("2305.14314") == ()
        store.set_note("2305.14314", "# QLoRA\nread section 3")
        store.set_tags("2305.14314", ["to-read", "Project X"])
        store.save_search("fine-tuning", "lora OR qlora")
        store.save_session("digest-a", Session("2023-05-28", "lora", "2305.14314"))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    if version == 2:  # the metadata cache is kept
        assert conn.execute("SELECT count(*) FROM arxiv_metadata").fetchone()[0] == 1
    conn.close()
    assert {"marks", "arxiv_metadata", "notes", "tags", "searches", "sessions"} <= _tables(path)
    with StateStore(tmp_path) as again:
        assert again.note("2305.14314") == "# QLoRA\nread section 3"
        assert again.tags("2305.14314") == ("project-x", "to-read")
        assert again.searches() == {"fine-tuning": "lora OR qlora"}
        assert again.session("digest-a") == Session("2023-05-28", "lora", "2305.14314")
        assert again.is_read("2305.14314")
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_an_older_reader_still_reads_the_marks_of_a_schema_3_store(tmp_path: Path) -> None:
    """What the reader of schema 2 does on opening: its checks and its SELECT of the marks."""
    path = _old_store(tmp_path, 2)
    with StateStore(tmp_path) as store:
        store.set_note("2305.14314", "note")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT key, read, starred FROM marks").fetchall() == [
        ("2305.14314", 1, 1)
    ]
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2  # no migration back to run
    conn.close()


def test_notes_and_tags_in_memory_and_on_disk(isolated_state: Path) -> None:
    with StateStore() as store:
        store.set_note("a", "first")
        store.set_note("a", "second")
        store.set_note("b", "   ")  # blank: no note
        store.tag(["a", "b"], "Todo")
        store.tag(["b"], "todo", on=False)
        assert store.note("a") == "second" and store.note("b") == ""
        assert store.tags("a") == ("todo",) and store.tags("b") == ()
        assert store.all_tags() == {"todo": 1}
        store.set_note("a", "")
        assert store.noted_keys() == frozenset()
        store.set_note("c", "kept")
    with StateStore() as again:
        assert again.note("a") == "" and again.note("c") == "kept"
        assert again.tags("a") == ("todo",)


def test_normal_tag() -> None:
    assert normal_tag("  To Read ") == "to-read"
    assert normal_tag('a,"b"') == "a-b"
    assert normal_tag(" , ") == ""
    assert normal_tag("x\x1b[31m") == "x␛[31m"


def test_searches_replace_and_delete(isolated_state: Path) -> None:
    with StateStore() as store:
        store.save_search("b", "x")
        store.save_search("A", "y")
        store.save_search("b", "z")
        assert store.searches() == {"A": "y", "b": "z"}
        store.delete_search("A")
    with StateStore() as again:
        assert again.searches() == {"b": "z"}


def test_refresh_sees_notes_tags_and_searches_of_another_instance(isolated_state: Path) -> None:
    with StateStore() as first, StateStore() as second:
        second.set_note("k", "from the second")
        second.tag(["k"], "shared")
        second.save_search("s", "q")
        first.tag(["k"], "mine")
        first.refresh()
        assert first.note("k") == "from the second"
        assert first.tags("k") == ("mine", "shared")
        assert first.searches() == {"s": "q"}


def test_a_note_tag_or_search_another_instance_removed_stays_removed(isolated_state: Path) -> None:
    """Saving a mark writes only what changed: what this instance still holds of a note, a tag
    or a search that another removed is not written back (only a new file gets everything).
    Found by `make mutate`: every flush as if to a new file brought them all back."""
    with StateStore() as first:
        first.set_note("k", "a note")
        first.set_tags("k", ["mine"])
        first.save_search("s", "q")
        with StateStore() as second:
            second.set_note("k", "")
            second.set_tags("k", [])
            second.delete_search("s")
        first.set_read(["other"])  # a flush of this instance, which still holds all three
    with StateStore() as again:
        assert again.is_read("other")
        assert (again.note("k"), again.tags("k"), again.searches()) == ("", (), {})


WORKER = """
import sys
import time
from reader.state import StateStore

directory, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = StateStore(directory)
print("ready", flush=True)
sys.stdin.readline()
for n in range(count):
    store.set_note(f"{name}-{n}", f"note {n} by {name}")
    store.tag([f"shared-{n}"], name)
    store.set_tags(f"{name}-{n}", ["own", name])
saving = store.saving
store.close()
print("done", saving, store.warnings, flush=True)
"""


def test_two_processes_lose_no_notes_or_tags(isolated_state: Path) -> None:
    count = 100
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
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert (worker.returncode, err) == (0, "")
        outputs.append(out.strip())
    assert outputs == ["done True []", "done True []"]
    with StateStore() as check:
        for n in range(count):
            for name in ("a", "b"):
                assert check.note(f"{name}-{n}") == f"note {n} by {name}"
                assert check.tags(f"{name}-{n}") == tuple(sorted(["own", name]))
            assert check.tags(f"shared-{n}") == ("a", "b"), "one's tag must not drop the other's"


def test_export_and_import_carry_notes_tags_and_searches(tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    with StateStore(tmp_path / "one") as one:
        one.toggle_read("a")
        one.set_note("a", "line one\nline two")
        one.set_tags("b", ["x", "y"])
        one.save_search("mine", "tag:x")
        assert one.export_json(backup) == 2
    document = json.loads(backup.read_text())
    assert document["version"] == 1
    entries = {entry["key"]: entry for entry in document["marks"]}
    assert entries["a"]["note"] == "line one\nline two" and entries["a"]["read"] is True
    assert entries["b"]["tags"] == ["x", "y"]
    assert document["searches"][0]["name"] == "mine"
    with StateStore(tmp_path / "two") as two:
        two.set_tags("b", ["z"])
        two.set_note("c", "kept")
        two.save_search("theirs", "is:unread")
        assert two.import_json(backup) == 2
        assert two.note("a") == "line one\nline two" and two.is_read("a")
        assert two.tags("b") == ("x", "y", "z")  # merged, nothing cleared
        assert two.note("c") == "kept"
        assert two.searches() == {"mine": "tag:x", "theirs": "is:unread"}
    with StateStore(tmp_path / "two") as reopened:
        assert reopened.tags("b") == ("x", "y", "z")


def test_import_keeps_the_newer_note(tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text(
        '{"version": 1, "marks": [\n'
        '{"key": "a", "note": "old", "note_updated": 1.0},\n'
        '{"key": "b", "note": "new", "note_updated": 9e12}\n]}\n'
    )
    with StateStore(tmp_path / "s") as store:
        store.set_note("a", "mine")
        store.set_note("b", "mine")
        store.import_json(backup)
        assert (store.note("a"), store.note("b")) == ("mine", "new")


def test_import_keeps_the_newer_saved_search(tmp_path: Path) -> None:
    """A backup older than a search changed since never overwrites it; a newer one wins (as for
    notes). Both are kept after reopening."""
    backup = tmp_path / "backup.json"
    with StateStore(tmp_path / "s") as store:
        store.save_search("old", "mine")
        store.save_search("new", "mine")
        store.save_search("same", "kept")
        saved = time.time()
    backup.write_text(
        '{"version": 1, "marks": [],\n"searches": [\n'
        f'{{"name": "old", "query": "from the backup", "updated": {saved - 3600}}},\n'
        f'{{"name": "new", "query": "from the backup", "updated": {saved + 3600}}},\n'
        f'{{"name": "same", "query": "kept", "updated": {saved + 3600}}},\n'
        '{"name": "added", "query": "theirs", "updated": 1.0}\n]}\n'
    )
    with StateStore(tmp_path / "s") as store:
        store.import_json(backup)
        expected = {"old": "mine", "new": "from the backup", "same": "kept", "added": "theirs"}
        assert store.searches() == expected
    with StateStore(tmp_path / "s") as reopened:
        assert reopened.searches() == expected


def test_an_old_export_without_notes_still_imports(tmp_path: Path) -> None:
    backup = tmp_path / "old.json"
    backup.write_text('{"version": 1, "marks": [\n{"key": "a", "read": true}\n]}\n')
    with StateStore(tmp_path / "s") as store:
        assert store.import_json(backup) == 1
        assert store.is_read("a") and store.note("a") == "" and store.searches() == {}


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"version": 1, "marks": [\n{"key": "a"},\n{"key": "b", "tags": "x"}\n]}', 3, "tags"),
        ('{"version": 1, "marks": [\n{"key": "a", "note": 3}\n]}', 2, "note"),
        ('{"version": 1, "marks": [],\n"searches": [{"name": "x"}]}', 2, "search 1"),
    ],
)
def test_bad_notes_tags_or_searches_name_their_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    backup = tmp_path / "bad.json"
    backup.write_text(text)
    with StateStore(tmp_path / "s") as store, pytest.raises(StateError) as raised:
        store.import_json(backup)
    assert raised.value.line == line and message in raised.value.message
