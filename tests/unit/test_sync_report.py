"""What `reader --sync-status` prints (reader.sync.report)."""

from __future__ import annotations

from pathlib import Path

from reader.state import StateStore
from reader.sync.report import status_lines


def test_the_report_names_the_machines_and_what_is_pending(tmp_path: Path) -> None:
    folder = tmp_path / "sync"
    laptop = StateStore(tmp_path / "laptop", sync_dir=folder, machine="laptop")
    desktop = StateStore(tmp_path / "desktop", sync_dir=folder, machine="desktop")
    try:
        laptop.sync_now()
        desktop.sync_now()
        laptop.set_note("2305.14314", "laptop")
        desktop.set_note("2305.14314", "desktop")
        laptop.sync_now()
        desktop.sync_now()
        desktop.toggle_star("2302.13971")
        status = laptop.sync_status()
        assert status is not None
        lines = status_lines(status)
        assert lines[0] == f"Sync folder: {folder} (readable and writable)"
        assert lines[1].startswith("This machine: laptop (") and "1 change," in lines[1]
        assert lines[2] == "  pending here: nothing (every change is in the folder)"
        assert lines[3].startswith("  to merge here: 1 field")
        assert lines[4].startswith("  1 note written on two machines")
        assert lines[5].startswith("desktop (") and ": 2 changes, the last " in lines[5]
        assert "has merged this machine's changes up to" in lines[5]
        # A store just opened has merged nothing yet: the report goes by the journals.
        with StateStore(tmp_path / "desktop2", sync_dir=folder, machine="desktop") as fresh:
            fresh_status = fresh.sync_status()
            assert fresh_status is not None and fresh_status.conflicted == 1
        laptop.keep_note("2305.14314", "laptop")  # K: the conflict is settled everywhere
        laptop.sync_now()
        settled = desktop.sync_status()
        assert settled is not None and settled.conflicted == 0
        assert not any("written on two machines" in line for line in status_lines(settled))
    finally:
        laptop.close()
        desktop.close()


def test_a_missing_folder_and_pending_changes_are_said(tmp_path: Path) -> None:
    folder = tmp_path / "sync"
    store = StateStore(tmp_path / "laptop", sync_dir=folder, machine="laptop")
    try:
        store.sync_now()
        folder.rename(tmp_path / "elsewhere")
        store.toggle_star("2305.14314")
        status = store.sync_status()
        assert status is not None
        lines = status_lines(status)
        assert lines[0].endswith("(not there (not mounted, or moved?))")
        assert lines[2].startswith("  pending here: 1 change not yet in the folder")
    finally:
        store.close()
