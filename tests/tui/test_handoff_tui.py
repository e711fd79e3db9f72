"""Issue 28 in the TUI: Z sends papers to Zotero (a fake connector on 127.0.0.1); a note edited
on two machines shows the other text under it until K keeps one or N edits both; what another
machine wrote arrives when the app opens, on r and under --watch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rispy  # type: ignore[import-untyped,unused-ignore]

from reader.app import ReaderApp, make_app
from reader.model import Digest
from reader.screens.edit import NoteEditor
from reader.sources.loader import load_digest
from reader.state import StateStore
from reader.widgets.abstract import AbstractPane
from tests.tui.conftest import screen_of, wait_for
from tests.zotero_server import FakeZotero

WEEK = "2023-06-25"
FIRST, SECOND = "2306.12925", "2306.11695"  # the first two papers of that week


@pytest.fixture(scope="module")
def digest() -> Digest:
    return load_digest()


@pytest.fixture
def zotero() -> Iterator[FakeZotero]:
    fake = FakeZotero()
    yield fake
    fake.close()


def toasts(app: ReaderApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


def pane_text(app: ReaderApp) -> str:
    return str(app.screen.query_one(AbstractPane).content)


async def test_z_sends_the_paper_then_the_selection_to_zotero(
    digest: Digest, tmp_path: Path, zotero: FakeZotero
) -> None:
    app = make_app(
        digest, state=StateStore(tmp_path / "state"), week=WEEK, read_delay=60,
        zotero_url=zotero.url,
    )  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("Z")
        await wait_for(lambda: "Sent 1 paper to Zotero." in toasts(app), pilot)
        (first,) = zotero.imports()
        (record,) = rispy.loads(first.body.decode("utf-8"))
        assert record["urls"] == [f"https://arxiv.org/abs/{FIRST}"]
        await pilot.press("x", "x", "Z")  # select the first two, send them
        await wait_for(lambda: "Sent 2 papers to Zotero." in toasts(app), pilot)
        second = zotero.imports()[1]
        sent = [r["urls"][0] for r in rispy.loads(second.body.decode("utf-8"))]
        assert sent == [f"https://arxiv.org/abs/{FIRST}", f"https://arxiv.org/abs/{SECOND}"]
        assert any("Sending 2 papers to Zotero" in t for t in toasts(app))


async def test_z_says_when_zotero_is_not_running(digest: Digest, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(
        digest, state=StateStore(tmp_path / "state"), week=WEEK, read_delay=60,
        zotero_url=f"http://127.0.0.1:{port}",
    )  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("Z")
        await wait_for(lambda: any("Zotero is not running" in t for t in toasts(app)), pilot)
        note = next(n for n in app._notifications if "Zotero is not running" in str(n.message))
        assert note.severity == "error"


def two_machines(tmp_path: Path) -> tuple[StateStore, StateStore]:
    folder = tmp_path / "sync"
    laptop = StateStore(tmp_path / "laptop", sync_dir=folder, machine="laptop")
    desktop = StateStore(tmp_path / "desktop", sync_dir=folder, machine="desktop")
    laptop.sync_now()
    desktop.sync_now()
    return laptop, desktop


async def test_a_note_written_on_two_machines_shows_both_until_k_keeps_one(
    digest: Digest, tmp_path: Path
) -> None:
    laptop, desktop = two_machines(tmp_path)
    desktop.set_note(FIRST, "Desktop: read section 4.")
    desktop.close()
    laptop.set_note(FIRST, "Laptop: compare with LoRA.")  # before merging the desktop's
    app = make_app(digest, state=laptop, week=WEEK, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await wait_for(lambda: bool(laptop.note_conflicts(FIRST)), pilot)  # merged on opening
        await wait_for(lambda: "Also written on" in pane_text(app), pilot)
        text = pane_text(app)
        shown, other = laptop.note(FIRST), laptop.note_conflicts(FIRST)[0].text
        assert {shown, other} == {"Desktop: read section 4.", "Laptop: compare with LoRA."}
        assert text.index(shown) < text.index("Also written on") < text.index(other)
        assert "K keeps the note above · N edits both" in text
        assert "Synced: 1 note written on two machines." in toasts(app)
        await pilot.press("K")
        assert laptop.note_conflicts(FIRST) == ()
        assert "Also written on" not in pane_text(app)
        assert laptop.note(FIRST) == shown
        assert screen.browse.store is laptop
    with StateStore(tmp_path / "desktop", sync_dir=tmp_path / "sync", machine="desktop") as desk:
        desk.sync_now()
        assert desk.note(FIRST) == shown and desk.note_conflicts(FIRST) == ()


async def test_n_on_a_conflicted_note_edits_both_texts_and_settles_them(
    digest: Digest, tmp_path: Path
) -> None:
    laptop, desktop = two_machines(tmp_path)
    desktop.set_note(FIRST, "from the desktop")
    desktop.close()
    laptop.set_note(FIRST, "from the laptop")
    app = make_app(digest, state=laptop, week=WEEK, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: "Also written on" in pane_text(app), pilot)
        await pilot.press("N")
        assert isinstance(app.screen, NoteEditor)
        editing = app.screen.query_one("#note-text").text  # type: ignore[attr-defined]
        assert "from the desktop" in editing and "from the laptop" in editing
        assert "--- desktop, " in editing or "--- laptop, " in editing
        await pilot.press("ctrl+s")
        assert laptop.note_conflicts(FIRST) == ()
        assert "from the desktop" in laptop.note(FIRST) and "from the laptop" in laptop.note(FIRST)


async def test_r_brings_what_another_machine_wrote(digest: Digest, tmp_path: Path) -> None:
    laptop, desktop = two_machines(tmp_path)
    app = make_app(digest, state=laptop, week=WEEK, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        desktop.toggle_star(FIRST)
        desktop.set_tags(FIRST, ["from-desktop"])
        assert not screen.browse.store.is_starred(FIRST)
        await pilot.press("r")
        await wait_for(lambda: laptop.is_starred(FIRST), pilot)
        await wait_for(lambda: "#from-desktop" in pane_text(app), pilot)
        assert "★ starred" in pane_text(app)
        assert "Synced: 2 changes from desktop." in toasts(app)
    desktop.close()


async def test_watch_brings_what_another_machine_wrote_without_a_key(
    digest: Digest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--watch: a journal that changes in the sync folder is merged by itself (looked at every
    2 s; here every 50 ms)."""
    from reader.screens.main import tasks
    from reader.sources.fetch import FetchOptions
    from reader.sources.source import DigestSource

    monkeypatch.setattr(tasks, "SYNC_WATCH_SECONDS", 0.05)
    laptop, desktop = two_machines(tmp_path)
    bundled = Path(__file__).resolve().parents[2] / "reader" / "data" / "ml-papers-2023.md"
    source = DigestSource((str(bundled),), FetchOptions(offline=True), watch=True)
    app = make_app(digest, source=source, state=laptop, week=WEEK, read_delay=60, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        desktop.toggle_star(FIRST)
        await wait_for(lambda: laptop.is_starred(FIRST), pilot)
        await wait_for(lambda: "★ starred" in pane_text(app), pilot)
        await wait_for(lambda: "Synced: 1 change from desktop." in toasts(app), pilot)
    desktop.close()
