"""One machine editing its reading state while another does the same, for
tests/unit/test_sync_processes.py: `python -m tests.sync_worker STATE FOLDER NAME SEED COUNT GO`.
It waits for the file GO (at most 30 s), then makes COUNT random changes to a few papers,
merging the sync folder every few changes, and prints how many changes it made."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from reader.state import StateStore

PAPERS = ["2305.14314", "2302.13971", "2303.08774", "2306.05685"]
TAGS = ["llm", "vision", "to-read"]


def main(argv: list[str]) -> int:
    state, folder, name, seed, count, go = argv
    rng = random.Random(int(seed))
    deadline = time.monotonic() + 30
    while not Path(go).exists():
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.005)
    store = StateStore(Path(state), sync_dir=Path(folder), machine=name)
    store.sync_now()
    for step in range(int(count)):
        paper = rng.choice(PAPERS)
        action = rng.randrange(7)
        if action == 0:
            store.set_read([paper], rng.random() < 0.6)
        elif action == 1:
            store.toggle_star(paper)
        elif action == 2:
            store.set_note(paper, f"{name} {step}" if rng.random() < 0.8 else "")
        elif action == 3:
            store.tag([paper], rng.choice(TAGS), on=rng.random() < 0.6)
        elif action == 4:
            store.save_search(rng.choice(TAGS), f"{name} {step}")
        elif action == 5:
            store.delete_search(rng.choice(TAGS))
        else:
            store.sync_now()
    store.sync_now()
    store.close()
    print(len(store.warnings), *store.warnings, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
