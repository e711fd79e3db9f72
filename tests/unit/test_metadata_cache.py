"""The arXiv metadata cache in the state store: the migration of today's stores, saving, reading."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.arxiv import parse_feed
from reader.state import FILENAME, SCHEMA_VERSION, StateStore
from tests.arxiv_server import FIXTURES

SAMPLES = parse_feed((FIXTURES / "three.xml").read_bytes()).entries

# The store as reader created it before the metadata cache (schema of main at e6c713b).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS marks (
    key TEXT PRIMARY KEY NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL DEFAULT 0
)
"""


def _old_store(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILENAME
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(OLD_SCHEMA)
    conn.executemany(
        "INSERT INTO marks VALUES (?, ?, ?, ?)",
        [("2305.14314", 1, 1, 1700000000.5), ("https://x.org/a", 1, 0, 1700000001.0)],
    )
    conn.commit()
    conn.close()
    return path


def test_a_store_of_todays_schema_is_migrated_and_keeps_its_marks(tmp_path: Path) -> None:
    path = _old_store(tmp_path)
    with StateStore(tmp_path) as store:
        assert store.warnings == []
        assert store.is_read("2305.14314") and store.is_starred("2305.14314")
        assert store.is_read("https://x.org/a")
        assert store.arxiv.metadata(["2305.14314"]) == {}
        store.arxiv.save_metadata(SAMPLES.values())
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"marks", "arxiv_metadata"} <= tables
    assert conn.execute("SELECT count(*) FROM arxiv_metadata").fetchone()[0] == 3
    conn.close()
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_an_old_reader_still_reads_the_marks_of_a_migrated_store(tmp_path: Path) -> None:
    """What the previous reader does on opening: its checks and its SELECT of the marks."""
    path = _old_store(tmp_path)
    StateStore(tmp_path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    columns = {row[1] for row in conn.execute("PRAGMA table_info(marks)")}
    assert columns >= {"key", "read", "starred", "updated"}
    rows = conn.execute("SELECT key, read, starred, updated FROM marks ORDER BY key").fetchall()
    assert rows == [("2305.14314", 1, 1, 1700000000.5), ("https://x.org/a", 1, 0, 1700000001.0)]
    conn.close()


def test_metadata_is_kept_across_runs(tmp_path: Path) -> None:
    with StateStore(tmp_path) as store:
        store.arxiv.save_metadata([SAMPLES["2305.14314"]])
        assert store.arxiv.cached_metadata("2305.14314") == SAMPLES["2305.14314"]
    with StateStore(tmp_path) as store:
        found = store.arxiv.metadata(["2305.14314", "2303.17564", "2305.14314"])
        assert found == {"2305.14314": SAMPLES["2305.14314"]}
        assert store.arxiv.cached_metadata("2303.17564") is None


def test_a_second_instance_sees_metadata_saved_by_the_first(tmp_path: Path) -> None:
    first, second = StateStore(tmp_path), StateStore(tmp_path)
    try:
        first.arxiv.save_metadata([SAMPLES["2303.17564"]])
        assert second.arxiv.cached_metadata("2303.17564") == SAMPLES["2303.17564"]
    finally:
        first.close()
        second.close()


def test_metadata_saved_again_replaces_the_old(tmp_path: Path) -> None:
    from dataclasses import replace

    with StateStore(tmp_path) as store:
        store.arxiv.save_metadata([SAMPLES["2305.14314"]])
        store.arxiv.save_metadata([replace(SAMPLES["2305.14314"], comment="v2")])
    with StateStore(tmp_path) as store:
        cached = store.arxiv.cached_metadata("2305.14314")
        assert cached is not None and cached.comment == "v2"


def test_a_damaged_cache_row_is_ignored(tmp_path: Path) -> None:
    StateStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / FILENAME)
    conn.execute("INSERT INTO arxiv_metadata VALUES ('2305.14314', 'not json', 0)")
    conn.execute("INSERT INTO arxiv_metadata VALUES ('2303.17564', '[1, 2]', 0)")
    conn.commit()
    conn.close()
    with StateStore(tmp_path) as store:
        assert store.arxiv.metadata(["2305.14314", "2303.17564"]) == {}
        assert store.warnings == []


def test_metadata_is_kept_in_memory_when_the_store_cannot_be_written(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    store = StateStore(blocked / "state")
    try:
        store.arxiv.save_metadata([SAMPLES["2305.14314"]])
        assert store.arxiv.cached_metadata("2305.14314") == SAMPLES["2305.14314"]
        assert store.warnings  # the store said it cannot save
    finally:
        store.close()


def test_many_ids_are_read_in_chunks(tmp_path: Path) -> None:
    from dataclasses import replace

    items = [replace(SAMPLES["2305.14314"], arxiv_id=f"2301.{n:05d}") for n in range(1200)]
    with StateStore(tmp_path) as store:
        store.arxiv.save_metadata(items)
    with StateStore(tmp_path) as store:
        found = store.arxiv.metadata([f"2301.{n:05d}" for n in range(1300)])
        assert found == {item.arxiv_id: item for item in items}  # each one whole, none missing
        assert store.arxiv.metadata(["2301.01250", "2301.00042"]) == {
            "2301.00042": items[42]
        }
