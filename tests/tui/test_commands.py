"""The command table (reader.commands): one definition per command gives the binding, the key
line, the help screen and the palette; the README's key table lists every command."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding

from reader.app import make_app
from reader.commands import COMMANDS, HELP, PAPER_ACTIONS
from reader.screens.help import KEYS
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest

README = Path(__file__).resolve().parents[2] / "README.md"
WRITTEN = {"tab": "Tab", "shift+tab": "Shift+Tab", "escape": "Esc", "enter": "Enter"}
"""Textual key names as the README writes them."""


def readme_keys() -> set[str]:
    """Every `key` in the first column of the README's key table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("\n## Keys\n", 1)[1].strip().split("\n\n", 1)[0]
    keys: set[str] = set()
    for line in table.splitlines()[2:]:
        first = line.split(" | ", 1)[0]
        keys.update(re.findall(r"`([^`]+)`", first))
    return keys


def test_the_readme_key_table_lists_every_command() -> None:
    listed = readme_keys()
    assert "[" in listed and "Esc" in listed  # the table was found
    missing = [
        command.action
        for command in COMMANDS
        if WRITTEN.get(command.keys, command.key_display) not in listed
    ]
    assert missing == []


def test_every_command_has_one_line_in_the_help() -> None:
    """Each command carries its help line (commands a line documents share it: y and Y), and
    the help screen shows every line a command carries, once."""
    lines = [command.help for command in COMMANDS]
    assert None not in lines
    assert set(lines) <= set(HELP) and len(set(HELP)) == len(HELP)
    assert [(line.keys, line.meaning) for line in HELP] == KEYS
    assert {"copy_link", "toggle_star", "copy_citation"} <= PAPER_ACTIONS
    assert not PAPER_ACTIONS & {"older_week", "mark_view_read", "undo", "export"}


def test_the_screen_bindings_are_the_table() -> None:
    bindings = MainScreen.BINDINGS
    assert len(bindings) == len(COMMANDS)
    for binding, command in zip(bindings, COMMANDS, strict=True):
        assert isinstance(binding, Binding)
        assert (binding.key, binding.action, binding.description, binding.show) == (
            command.keys,
            command.action,
            command.label,
            command.show,
        )


async def test_the_palette_offers_what_applies() -> None:
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Copy the link", "Star / unstar", "Older week", "Export the view as CSV"} <= titles
        assert "Undo the last change" not in titles  # nothing to undo yet
        assert "Next pane" not in titles
        assert "Pick / show the abstract" not in titles  # Enter acts on the focused pane
        helps = [c for c in app.get_system_commands(screen) if c.title == "Help"]
        assert [c.help for c in helps] == ["Key: ? or F1"]  # one command, both keys
        await pilot.press("M")  # mark the view read: now there is something to undo
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(screen)}
        assert "Undo the last change" in titles
        screen.set_filter("zzzz-no-such-paper")
        await pilot.pause()
        assert screen.browse.rows == []
        titles = {command.title for command in app.get_system_commands(screen)}
        assert "Copy the link" not in titles and "Star / unstar" not in titles
        assert "Older week" in titles
        line = str(screen.query_one("KeyLine").render())
        assert "Copy" not in line and "Star" not in line and "Filter" in line


ACTS_ON_A_PAPER = {
    "copy_link", "copy_markdown", "copy_citation", "open_link", "open_pdf", "download_pdf",
    "toggle_read", "toggle_star", "narrow_category", "edit_note", "edit_tags", "toggle_selection",
    "send_to_zotero", "keep_note", "more_like", "links",
}  # fmt: skip
"""What acts on the highlighted paper (written out here: the test states which they are)."""
PAPER_COMMANDS = [c for c in COMMANDS if c.action.partition("(")[0] in ACTS_ON_A_PAPER]


async def test_with_an_empty_list_no_paper_command_is_offered_and_its_key_says_why() -> None:
    """No paper in the view: the palette offers none of the commands that act on one (BibTeX
    and RIS among them), and each of their keys says why it does nothing, and does nothing."""
    app = make_app(load_digest(), week="2023-06-25", query="zzzz-no-such-paper", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.pause()
        assert screen.browse.rows == []
        titles = {command.title for command in app.get_system_commands(screen)}
        offered = [c.palette_title for c in PAPER_COMMANDS if c.palette_title in titles]
        assert offered == []
        assert ACTS_ON_A_PAPER == PAPER_ACTIONS
        await pilot.press("ctrl+p", *"bibtex")
        await pilot.pause(0.3)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "Export the view as BibTeX" in shown and "Copy the BibTeX" not in shown
        await pilot.press("escape")
        await pilot.pause()
        for command in PAPER_COMMANDS:
            key = command.keys.split(",")[0]
            app._notifications.clear()
            await pilot.press(key)
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert said == [f"{command.palette_title}: no paper in the view."], key
            assert app.screen is screen and app.clipboard == ""
