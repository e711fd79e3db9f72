"""What the screen shows is true: the abstract's line ends, the sidebar's cursor, the filter's
text cursor, an empty result at 50 columns, --week with --query, and the help key in the filter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.widgets import Input

from reader.app import ReaderApp, make_app
from reader.cli import main
from reader.model import Digest
from reader.screens.help import HelpScreen
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest
from reader.widgets.abstract import AbstractPane
from reader.widgets.key_line import KeyLine


@pytest.fixture(scope="module")
def digest() -> Digest:
    return load_digest()


def main_screen(app: ReaderApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def screen_text(app: ReaderApp) -> str:
    """The characters on the screen, row by row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("size", [(80, 24), (120, 24)])
async def test_first_abstract_is_wrapped_inside_its_scrollbar(
    digest: Digest, size: tuple[int, int]
) -> None:
    app = make_app(digest, week="2023-06-18", read_delay=60)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        pane = app.screen.query_one(AbstractPane)
        assert pane.max_scroll_y > 0  # long enough for a scrollbar
        room = pane.scrollable_content_region.width
        assert max(strip.cell_length for strip in pane._lines) <= room
        words = pane.content.plain.split()
        shown = " ".join(line.text.strip() for line in pane._lines).split()
        assert shown == words  # every word whole, none cut at a line end


async def test_first_abstract_at_50_columns_after_enter(digest: Digest) -> None:
    app = make_app(digest, week="2023-06-18", read_delay=60)
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        pane = app.screen.query_one(AbstractPane)
        assert pane.max_scroll_y > 0
        room = pane.scrollable_content_region.width
        assert max(strip.cell_length for strip in pane._lines) <= room


async def test_week_keys_move_the_focused_sidebars_cursor(digest: Digest) -> None:
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main_screen(app)
        await pilot.press("shift+tab")
        assert app.focused is screen.sidebar
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.browse.week == date(2023, 6, 11)
        current = screen.sidebar.current
        assert current is not None and current.active and current.week == date(2023, 6, 11)
        await pilot.press("enter")  # picks the week under the cursor: the one shown
        assert screen.browse.week == date(2023, 6, 11)
        await pilot.press("a")
        current = screen.sidebar.current
        assert current is not None and current.kind == "all" and current.active


async def test_category_pick_puts_the_text_cursor_at_the_end(digest: Digest) -> None:
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main_screen(app)
        await pilot.press("slash", *"llm", "enter", "c", "slash", "right", "x")  # → edits
        filter_input = screen.query_one("#filter", Input)
        assert filter_input.value.endswith("x")
        assert filter_input.value.startswith('llm cat:"')
        assert filter_input.cursor_position == len(filter_input.value)


async def test_empty_result_at_50x15_says_what_to_do(digest: Digest) -> None:
    app = make_app(digest, week="2023-05-14", read_delay=60)
    async with app.run_test(size=(50, 15)) as pilot:
        screen = main_screen(app)
        await pilot.press("slash", *"diffusion")
        await pilot.pause()
        assert screen.browse.rows == []
        text = screen_text(app)
        assert "No papers match in 2023-05-14." in text
        assert "in other weeks: Enter, then a shows" in text  # typed here, a is a letter
        assert "Esc clears the filter" in text
        header = text.splitlines()[0]
        assert "0/8 · 2023-05-14" in header  # the count is whole, not "· 0…"
        await pilot.press("enter")
        await pilot.pause()
        assert "in other weeks: a shows all weeks." in screen_text(app)  # the list has the keys
        await pilot.press("a")
        assert screen.browse.week is None and screen.browse.rows


async def test_week_and_query_select_what_print_prints(
    digest: Digest, capsys: pytest.CaptureFixture[str]
) -> None:
    """--week W --query Q: the reader stays on W (and says how many match elsewhere), as
    --print prints W's matches (none) and says the same on standard error."""
    for week, query in [("2023-05-14", "diffusion"), ("2023-06-18", "diffusion")]:
        app = make_app(digest, week=week, query=query, read_delay=60)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = main_screen(app)
            assert screen.browse.week == date.fromisoformat(week)
            shown = [digest.papers[i].link for i in screen.browse.rows]
            empty = list(screen.paper_list.empty_lines)
        status = main(["--week", week, "--query", query, "--print", "--format", "links"])
        assert status == (0 if shown else 1)  # 1: none matches, as grep
        out, err = capsys.readouterr()
        assert out.split() == shown
        if not shown:
            assert "in other weeks" in " ".join(empty)
            assert "in other weeks" in err


def key_line_items(app: ReaderApp) -> list[tuple[str, str]]:
    entries, _palette = app.screen.query_one(KeyLine)._entries()
    return [(display, label) for _key, display, label, _enabled in entries]


async def test_question_mark_types_in_the_filter_where_f1_is_help(digest: Digest) -> None:
    app = make_app(digest, read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main_screen(app)
        assert ("?", "Help") in key_line_items(app)
        await pilot.press("slash")
        await pilot.pause()
        items = key_line_items(app)
        assert ("F1", "Help") in items and ("?", "Help") not in items
        await pilot.press("question_mark")
        assert screen.query_one("#filter", Input).value == "?"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


def test_help_and_readme_say_f1_in_the_filter() -> None:
    from pathlib import Path

    from reader.screens.help import KEYS

    help_rows = dict(KEYS)
    assert any("F1" in key and "filter" in meaning for key, meaning in help_rows.items())
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `?`"))
    assert "F1" in row and "types" in row


async def test_snapshot_free_check_of_week_and_query_header(digest: Any) -> None:
    app = make_app(digest, week="2023-05-14", query="diffusion", read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert main_screen(app).sub_title == "2023-05-14 · 0 of 8 papers · diffusion"


def sidebar_categories(app: ReaderApp) -> dict[str, int]:
    """The sidebar's Categories section as shown: name (as far as it fits) -> count."""
    rows = [line[:29].rstrip() for line in screen_text(app).splitlines()]
    start = rows.index("Categories") + 1
    shown: dict[str, int] = {}
    for row in rows[start:]:
        if not row.strip():
            break
        name, _, count = row[2:].rpartition(" ")
        shown[name.strip()] = int(count)
    return shown


def categories_of_week(digest: Digest, week: str) -> dict[str, int]:
    """What the sidebar must show for `week`: each category's papers in it, the name cut as the
    sidebar cuts it."""
    counts: dict[str, int] = {}
    for paper in digest.papers:
        if paper.week is not None and paper.week.isoformat() == week:
            name = paper.category if len(paper.category) <= 25 else paper.category[:24] + "…"
            counts[name] = counts.get(name, 0) + 1
    return counts


async def test_category_counts_follow_a_week_switch_with_a_category_picked(
    digest: Digest,
) -> None:
    """With a category picked, every category stays listed with the count it would have; a
    week switch must show the new week's counts, not those of the week before."""
    app = make_app(digest, week="2023-06-25", query='cat:"Machine Learning"', read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert sidebar_categories(app) == categories_of_week(digest, "2023-06-25")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert main_screen(app).browse.view.week == date(2023, 6, 18)
        assert sidebar_categories(app) == categories_of_week(digest, "2023-06-18")
        assert sidebar_categories(app) != categories_of_week(digest, "2023-06-25")
        await pilot.press("left_square_bracket", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert sidebar_categories(app) == categories_of_week(digest, "2023-06-25")
