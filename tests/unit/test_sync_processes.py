"""Two machines (two state folders, two processes) editing the same papers at the same time
through one sync folder end with the same reading state: the one their journals say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reader.state import StateStore
from reader.sync.journal import Journal
from reader.sync.merge import NOTE, READ, SEARCH, STAR, TAG, Replica
from tests.sync_worker import PAPERS, TAGS

ROOT = Path(__file__).resolve().parents[2]


def everything(store: StateStore) -> tuple[object, ...]:
    return (
        {key for key in PAPERS if store.is_read(key)},
        store.starred_keys(),
        {key: store.note(key) for key in PAPERS},
        store.tag_map(),
        store.searches(),
        {key: store.note_conflicts(key) for key in PAPERS},
    )


def test_two_processes_editing_the_same_papers_at_once_converge(tmp_path: Path) -> None:
    folder, go = tmp_path / "sync", tmp_path / "go"
    folder.mkdir()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.sync_worker", str(tmp_path / name), str(folder), name,
             str(seed), "300", str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed, name in enumerate(("laptop", "desktop"))
    ]
    go.touch()
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert out.splitlines()[0] == "0", out  # no warnings
    stores = [
        StateStore(tmp_path / name, sync_dir=folder, machine=name) for name in ("laptop", "desktop")
    ]
    for store in stores + stores:
        store.sync_now()
    try:
        first, second = (everything(store) for store in stores)
        assert first == second
        # And it is what the journals say: every change kept, the last of each field winning.
        merged = Replica()
        for path in folder.glob("*.jsonl"):
            merged.apply_all(Journal(path).read())
        store = stores[0]
        for key in PAPERS:
            assert store.is_read(key) == (merged.value((READ, key, "")) == 1)
            assert store.is_starred(key) == (merged.value((STAR, key, "")) == 1)
            assert store.note(key) == merged.value((NOTE, key, ""))
            tags = {tag for tag in TAGS if merged.value((TAG, key, tag)) == 1}
            assert set(store.tags(key)) == tags
        searches = {
            name: merged.value((SEARCH, name, ""))
            for name in TAGS
            if merged.value((SEARCH, name, "")) is not None
        }
        assert store.searches() == searches
    finally:
        for store in stores:
            store.close()
