"""The reader's own layer in the TUI: notes (N), tags (t), selection (x), saved searches (w, Del,
the sidebar's Tags and Searches), remapped keys, where you left off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reader.app import ReaderApp, command_names, make_app
from reader.browse import Changed
from reader.config import load_config
from reader.model import Digest
from reader.screens.edit import LineEditor, NoteEditor
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest
from reader.state import Session, StateStore
from reader.widgets.abstract import AbstractPane
from tests.tui.test_typeahead import burst, typed

WEEK = "2023-06-25"
FIRST, SECOND = "2306.12925", "2306.11695"  # the first two papers of that week


@pytest.fixture(scope="module")
def digest() -> Digest:
    return load_digest()


def screen_of(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def pane_text(app: ReaderApp) -> str:
    return str(app.screen.query_one(AbstractPane).content)


def new_app(digest: Digest, tmp_path: Path, **options: Any) -> ReaderApp:
    options.setdefault("week", WEEK)
    return make_app(digest, state=StateStore(tmp_path / "state"), read_delay=60, **options)


async def test_n_writes_a_note_shown_under_the_abstract(digest: Digest, tmp_path: Path) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("N")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*typed("# Plan"), "enter", *typed("quit? no: s and q are text"))
        assert isinstance(app.screen, NoteEditor) and app.is_running
        await pilot.press("ctrl+s")
        assert app.screen is screen  # type: ignore[comparison-overlap]
        assert screen.browse.store.note(FIRST) == "# Plan\nquit? no: s and q are text"
        assert not screen.browse.store.is_starred(FIRST)
        text = pane_text(app)
        assert text.index("Note\nPlan\n\nquit? no") > text.index("AudioPaLM")  # drawn, no #
        await pilot.press("N")
        assert app.screen.query_one("#note-text").text == screen.browse.store.note(FIRST)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.press("slash", *typed("note:plan"), "enter")
        assert [screen.browse.digest.papers[i].key for i in screen.browse.rows] == [FIRST]


async def test_an_emptied_note_is_removed(digest: Digest, tmp_path: Path) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        screen.browse.store.set_note(FIRST, "x")
        await pilot.press("N", "backspace", "ctrl+s")
        assert screen.browse.store.note(FIRST) == "" and "Note\n" not in pane_text(app)


async def test_the_note_editor_takes_the_keys_typed_behind_it(
    digest: Digest, tmp_path: Path
) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        await burst(app, pilot, ["N", "a", "q", "enter", "b", "ctrl+s", "j", "N", "c", "ctrl+s"])
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert screen.browse.store.note(FIRST) == "aq\nb"
        assert screen.browse.store.note(SECOND) == "c"
        assert screen.paper_list.cursor == 1


async def test_t_edits_tags_with_completion_from_tags_in_use(
    digest: Digest, tmp_path: Path
) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        screen.browse.store.set_tags("elsewhere", ["project-x"])
        await pilot.press("t")
        assert isinstance(app.screen, LineEditor)
        await pilot.press(*typed("To-Read proj"))
        await pilot.pause()
        await pilot.press("right", "enter")  # → takes the suggestion
        assert app.screen is screen  # type: ignore[comparison-overlap]
        assert screen.browse.store.tags(FIRST) == ("project-x", "to-read")
        assert "Tags: #project-x #to-read" in pane_text(app)
        await pilot.press("t", "backspace", *typed("d b"), "enter")  # the line is the set
        assert screen.browse.store.tags(FIRST) == ("b", "project-x", "to-read")
        await pilot.press("t", "ctrl+u", "enter")
        assert screen.browse.store.tags(FIRST) == ()
        await pilot.press("t", *typed("x"), "escape")  # Esc cancels
        assert screen.browse.store.tags(FIRST) == ()


async def test_x_selects_and_commands_act_on_the_selection(
    digest: Digest, tmp_path: Path
) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        papers = [screen.browse.digest.papers[i] for i in screen.browse.rows]
        await pilot.press("x", "x")  # x moves down: the first two papers
        assert list(screen.browse.selected) == [FIRST, SECOND]
        assert screen.paper_list.cursor == 2
        assert "2 selected" in (screen.sub_title or "")
        assert screen.paper_list.render_row(0, 110, False).plain.startswith("✓ ")
        assert screen.paper_list.render_row(2, 110, False).plain.startswith("  ")
        await pilot.press("y")
        assert app.clipboard == f"{papers[0].link}\n{papers[1].link}"
        await pilot.press("Y")
        assert app.clipboard.splitlines()[1].startswith(f"- [{papers[1].title}](")
        await pilot.press("B")
        assert app.clipboard.count("@") == 2
        await pilot.press("s")
        assert screen.browse.store.starred_keys() == {FIRST, SECOND}
        await pilot.press("m")
        assert screen.browse.store.is_read(FIRST) and screen.browse.store.is_read(SECOND)
        await pilot.press("t", *typed("later"), "enter")
        assert screen.browse.store.tags(FIRST) == screen.browse.store.tags(SECOND) == ("later",)
        assert screen.browse.store.tags(papers[2].key) == ()
        await pilot.press("t", *typed("-later cite"), "enter")
        assert screen.browse.store.tags(FIRST) == ("cite",)
        await pilot.press("escape")
        assert screen.browse.selected == {} and "selected" not in (screen.sub_title or "")
        assert not screen.paper_list.render_row(0, 110, False).plain.startswith("✓")
        await pilot.press("s")  # no selection: the highlighted paper only
        assert screen.browse.store.starred_keys() == {FIRST, SECOND, papers[2].key}


async def test_m_and_s_on_a_mixed_selection_mark_all_unless_all_already_are(
    digest: Digest, tmp_path: Path
) -> None:
    """A selection of read and unread (starred and unstarred) papers: `m` marks them all read,
    `s` stars them all; only when all already are does the key undo it for all."""
    store = StateStore(tmp_path / "state")
    store.toggle_read(SECOND)
    store.toggle_star(FIRST)
    store.close()
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        keys = [screen.browse.digest.papers[i].key for i in screen.browse.rows[:3]]
        assert keys[:2] == [FIRST, SECOND]
        await pilot.press("x", "x", "x")
        assert list(screen.browse.selected) == keys

        def said() -> str:
            return [n.message for n in app._notifications][-1]

        read, starred = screen.browse.store.is_read, screen.browse.store.is_starred
        assert [read(k) for k in keys] == [False, True, False]
        await pilot.press("m")
        assert [read(k) for k in keys] == [True, True, True]
        assert said() == "3 papers marked read."
        await pilot.press("m")
        assert [read(k) for k in keys] == [False, False, False]
        assert said() == "3 papers marked unread."
        assert [starred(k) for k in keys] == [True, False, False]
        await pilot.press("s")
        assert [starred(k) for k in keys] == [True, True, True]
        assert said() == "3 papers starred ★."
        await pilot.press("s")
        assert [starred(k) for k in keys] == [False, False, False]
        assert said() == "3 papers unstarred."


async def test_w_saves_the_query_and_the_sidebar_picks_it(digest: Digest, tmp_path: Path) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("w")
        assert app.screen is screen  # nothing to save without a query
        await pilot.press("slash", *typed("llama"), "enter", "w", *typed("Llamas"), "enter")
        assert screen.browse.store.searches() == {"Llamas": "llama"}
        rows = [(e.kind, e.label, e.count) for e in screen.sidebar.entries]
        assert rows[-2:] == [("heading", "Searches", ""), ("search", "Llamas", "12/12")]
        await pilot.press("escape")  # clears the filter
        assert screen.browse.query_text == ""
        screen.set_focus(screen.sidebar)
        screen.sidebar.cursor = len(screen.sidebar.entries) - 1  # moving onto it picks it
        await pilot.pause()
        assert (screen.browse.query_text, screen.browse.week) == ("llama", None)
        assert screen.sidebar.entries[-1].active
        await pilot.press("enter")
        assert screen.paper_list.has_focus
        screen.set_focus(screen.sidebar)
        screen.sidebar.cursor = len(screen.sidebar.entries) - 1
        await pilot.press("delete")
        assert screen.browse.store.searches() == {}
        assert all(entry.kind != "search" for entry in screen.sidebar.entries)


async def test_the_tags_section_counts_and_picks_like_a_category(
    digest: Digest, tmp_path: Path
) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("x", "x", "t", *typed("to-read"), "enter", "escape")
        rows = [(e.kind, e.label, e.count) for e in screen.sidebar.entries]
        assert ("tag", "#to-read", "2") in rows
        row = next(i for i, e in enumerate(screen.sidebar.entries) if e.kind == "tag")
        screen.set_focus(screen.sidebar)
        screen.sidebar.cursor = row
        await pilot.press("enter")
        assert screen.browse.query_text == "tag:to-read"
        tag = next(e for e in screen.sidebar.entries if e.kind == "tag")
        assert len(screen.browse.rows) == 2 and tag.active
        assert screen.sidebar.current == tag  # the cursor stays on it
        await pilot.press("enter")  # picked again: removed
        assert screen.browse.query_text == ""


async def test_remapped_keys_from_the_config(digest: Digest, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[keys]\ntoggle_star = "f"\nedit_note = "ctrl+n"\nfly = "z"\n')
    app = new_app(digest, tmp_path, config=load_config(config_file))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("s")
        assert not screen.browse.store.is_starred(FIRST)  # s is no longer the star key
        await pilot.press("f")
        assert screen.browse.store.is_starred(FIRST)
        await pilot.press("ctrl+n", *typed("remapped"), "ctrl+s")
        assert screen.browse.store.note(FIRST) == "remapped"
        messages = [notice.message for notice in app._notifications]
        unknown = (
            f"{config_file}:4: unknown command 'fly' in [keys]; ignored (? lists the commands)"
        )
        assert unknown in messages
        assert "f Star" in str(screen.query_one("KeyLine").render())


def test_every_command_can_be_remapped_and_the_readme_lists_them() -> None:
    names = command_names()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    listed = readme.split("The commands: ", 1)[1].split(" (a test keeps", 1)[0]
    assert sorted(listed.replace("`", "").replace("\n", " ").split(", ")) == sorted(names)
    assert {"toggle_star", "edit_note", "edit_tags", "toggle_selection", "save_search"} <= names
    assert {"copy_bibtex", "export_markdown", "quit", "help", "interrupt"} <= names


async def test_reopening_returns_to_where_you_left_off(digest: Digest, tmp_path: Path) -> None:
    first = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60, session_key="d")
    async with first.run_test(size=(120, 40)) as pilot:
        await pilot.press("left_square_bracket", "slash", *typed("model"), "enter", "j", "j")
        screen = screen_of(first)
        left = (screen.browse.week, screen.browse.query_text, screen.browse.current_paper)
        assert left[0] is not None and left[0].isoformat() == "2023-06-18"
    first.state.close()
    again = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60, session_key="d")
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(again)
        assert (screen.browse.week, screen.browse.query_text, screen.browse.current_paper) == left
        assert screen.query_one("#filter").value == "model"  # type: ignore[attr-defined]
    other = make_app(digest, state=StateStore(tmp_path / "s"), read_delay=60, session_key="e")
    async with other.run_test(size=(120, 40)) as pilot:
        assert screen_of(other).browse.week == digest.weeks[0]  # another digest: its own place


async def test_week_and_query_options_override_the_last_session(
    digest: Digest, tmp_path: Path
) -> None:
    store = StateStore(tmp_path / "s")
    store.save_session("d", Session("2023-06-18", "model", SECOND))
    app = make_app(
        digest,
        state=store,
        read_delay=60,
        session_key="d",
        week="2023-05-14",
        query="robot",
        week_given=True,
        query_given=True,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.browse.week is not None and screen.browse.week.isoformat() == "2023-05-14"
        assert screen.browse.query_text == "robot"


async def test_restore_session_false_turns_it_off(digest: Digest, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text("restore_session = false\n")
    store = StateStore(tmp_path / "s")
    store.save_session("d", Session("2023-06-18", "model", SECOND))
    app = make_app(
        digest, state=store, read_delay=60, session_key="d", config=load_config(config_file)
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.browse.week == digest.weeks[0] and screen.browse.query_text == ""
    assert store.session("d") == Session("2023-06-18", "model", SECOND)  # not overwritten


async def test_hostile_names_notes_and_tags_stay_inert(digest: Digest, tmp_path: Path) -> None:
    app = new_app(digest, tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = screen_of(app)
        screen.browse.store.set_note(FIRST, "evil \x1b]52;c;aGk=\x07 note\u202e")
        screen.browse.store.set_tags(FIRST, ["x\x1b[31m"])
        await pilot.press("slash", *typed("has:note"), "enter")
        await pilot.press("w", "E", "v", "escape")  # cancelled: nothing saved
        assert screen.browse.store.searches() == {}
        screen.browse.store.save_search("bad\x1b]0;PWNED\x07", "has:note")
        screen.draw(Changed.SIDEBAR | Changed.DETAILS)
        await pilot.pause()
        pane = pane_text(app)
        assert "evil ␛]52;c;aGk=␇ note<U+202E>" in pane and "#x␛[31m" in pane
        sidebar = screen.sidebar
        rows = [sidebar.render_row(i, 30, False).plain for i in range(sidebar.row_count)]
        assert any("bad␛]0;PWNED␇" in row for row in rows)
        assert not any("\x1b" in row or "\x07" in row for row in rows)
