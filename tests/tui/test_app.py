"""Pilot tests: press keys, check what is on screen, in the clipboard and in the view."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from reader.app import ReaderApp, make_app
from reader.model import Digest, Paper
from reader.screens.help import HelpScreen
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest
from reader.widgets.abstract import AbstractPane
from reader.widgets.paper_list import PaperList
from reader.widgets.sidebar import Sidebar
from tests.tui.conftest import screen_of

NEWEST = date(2023, 6, 25)
OLDEST = date(2023, 4, 2)


def titles(app: ReaderApp) -> list[str]:
    screen = screen_of(app)
    return [screen.browse.digest.papers[i].title for i in screen.browse.rows]


def abstract_text(app: ReaderApp) -> str:
    return app.screen.query_one(AbstractPane).content.plain


async def test_opens_on_newest_week_with_list_focused(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.browse.week == NEWEST
        assert isinstance(app.focused, PaperList)
        assert len(screen.browse.rows) == 10
        assert screen.paper_list.cursor == 0
        first = digest.papers[screen.browse.rows[0]]
        assert first.week == NEWEST
        assert first.title in abstract_text(app)
        assert screen.sub_title == "2023-06-25 · 10 papers"
        assert app.title == "ml-papers-2023"


async def test_week_keys_move_older_newer_and_all(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("left_square_bracket")
        assert screen.browse.week == date(2023, 6, 18)
        assert screen.sub_title == "2023-06-18 · 9 papers"
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.browse.week == NEWEST  # no newer week: stays
        await pilot.press("a")
        assert screen.browse.week is None
        assert len(screen.browse.rows) == 123
        assert screen.sub_title == "All weeks · 123 papers"
        weeks = [digest.papers[i].week for i in screen.browse.rows]
        assert weeks == sorted(weeks, reverse=True)
        assert screen.paper_list.show_week


async def test_cursor_keys_move_and_abstract_follows(digest: Digest) -> None:
    app = make_app(digest, week="2023-05-14")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("j", "j", "down")
        assert screen.paper_list.cursor == 3
        paper = digest.papers[screen.browse.rows[3]]
        assert paper.title in abstract_text(app)
        await pilot.press("k")
        assert screen.paper_list.cursor == 2
        await pilot.press("G")
        assert screen.paper_list.cursor == 7  # 8 papers that week
        await pilot.press("g")
        assert screen.paper_list.cursor == 0
        await pilot.press("end")
        assert screen.paper_list.cursor == 7
        await pilot.press("home", "pagedown")
        assert screen.paper_list.cursor == 7


async def test_filter_live_enter_keeps_escape_clears(digest: Digest) -> None:
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"robot")
        # typed keys went into the filter, not to the app's bindings
        assert screen.browse.query_text == "robot"
        expected = [
            p.title for p in digest.papers if "robot" in f"{p.title} {p.category} {p.text}".lower()
        ]
        assert sorted(titles(app)) == sorted(expected)
        assert 0 < len(expected) < 123
        assert "robot" in (screen.sub_title or "")
        await pilot.press("enter")
        assert isinstance(app.focused, PaperList)
        assert screen.browse.query_text == "robot"
        await pilot.press("slash", "escape")
        assert screen.browse.query_text == ""
        assert len(screen.browse.rows) == 123
        assert isinstance(app.focused, PaperList)


async def test_filter_applies_to_week_and_sidebar_counts_matches(digest: Digest) -> None:
    app = make_app(digest, query="diffusion")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        hits = [
            p for p in digest.papers if "diffusion" in f"{p.title}\n{p.category}\n{p.text}".lower()
        ]
        in_week = [p for p in hits if p.week == NEWEST]
        assert not in_week  # nothing in the newest week: it opens on All weeks and says so
        assert screen.browse.week is None
        assert len(screen.browse.rows) == len(hits)
        assert any("showing all weeks" in n.message for n in app._notifications)
        sidebar = app.screen.query_one(Sidebar)
        counts = {e.week: int(e.count) for e in sidebar.entries if e.kind == "week"}
        for week in digest.weeks:
            assert counts[week] == sum(1 for p in hits if p.week == week)
        assert sidebar.entries[0].count == str(len(hits))


async def test_bad_query_shows_error_and_keeps_results(digest: Digest) -> None:
    app = make_app(digest, week="all", query="robot")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        before = list(screen.browse.rows)
        await pilot.press("slash", "end", "space", "slash", "left_parenthesis", "slash")
        error = app.screen.query_one("#filter-error")
        assert error.display
        assert screen.browse.rows == before


async def test_copy_link_and_markdown(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        paper = digest.papers[screen.browse.rows[0]]
        await pilot.press("y")
        assert app.clipboard == paper.link
        await pilot.press("Y")
        assert app.clipboard == f"[{paper.title}]({paper.link})"
        await pilot.pause()
        assert any("Copied" in n.message for n in app._notifications)


async def test_open_link_only_http(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    papers = [
        Paper(NEWEST, "Web paper", "https://arxiv.org/abs/2306.00001"),
        Paper(NEWEST, "Script paper", "javascript:alert(1)"),
    ]
    app = make_app(Digest(papers, name="t"))
    import reader.screens.main.outward as main_module

    monkeypatch.setenv("BROWSER", "true")
    monkeypatch.setattr(main_module, "open_in_browser", opened.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        assert opened == ["https://arxiv.org/abs/2306.00001"]
        await pilot.press("j", "o")
        assert opened == ["https://arxiv.org/abs/2306.00001"]
        await pilot.pause()
        assert any("only http and https" in n.message for n in app._notifications)


async def test_help_screen_opens_and_closes(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen)


async def test_tab_cycles_sidebar_list_abstract(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.focused, PaperList)
        await pilot.press("tab")
        assert isinstance(app.focused, AbstractPane)
        await pilot.press("tab")
        assert isinstance(app.focused, Sidebar)
        await pilot.press("tab")
        assert isinstance(app.focused, PaperList)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Sidebar)


async def test_sidebar_moves_switch_week_and_enter_returns(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("shift+tab")
        await pilot.press("down", "down")
        assert screen.browse.week == date(2023, 6, 11)
        await pilot.press("up", "up", "up")
        assert screen.browse.week is None
        await pilot.press("down", "enter")
        assert screen.browse.week == NEWEST
        assert isinstance(app.focused, PaperList)


async def test_category_key_and_facet_toggle(digest: Digest) -> None:
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        category = digest.papers[screen.browse.rows[0]].category
        await pilot.press("c")
        assert screen.browse.query_text.lower() == f'cat:"{category.lower()}"'
        assert {digest.papers[i].category for i in screen.browse.rows} == {category}
        assert len(screen.browse.rows) == sum(1 for p in digest.papers if p.category == category)
        screen.act(screen.browse.toggle_category, category)
        await pilot.pause()
        assert screen.browse.query_text == ""


async def test_sort_cycles_and_reverses(digest: Digest) -> None:
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("S")
        shown = titles(app)
        assert shown == sorted(shown, key=str.casefold)
        await pilot.press("R")
        shown = titles(app)
        assert shown == sorted(shown, key=str.casefold, reverse=True)


@pytest.mark.parametrize("size", [(80, 24), (99, 30)])
async def test_narrow_collapses_sidebar_and_b_toggles(digest: Digest, size: Any) -> None:
    app = make_app(digest)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one(Sidebar)
        assert not sidebar.display
        await pilot.press("b")
        assert sidebar.display
        await pilot.press("b")
        assert not sidebar.display


async def test_tiny_list_then_abstract_then_back(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(50, 20)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one(AbstractPane)
        papers = app.screen.query_one(PaperList)
        assert papers.display and not pane.display
        await pilot.press("j", "enter")
        assert pane.display and not papers.display
        assert isinstance(app.focused, AbstractPane)
        await pilot.press("escape")
        assert papers.display and not pane.display
        assert papers.cursor == 1


@pytest.mark.parametrize("size", [(40, 12), (20, 8), (250, 70)])
async def test_small_and_large_sizes_do_not_break(digest: Digest, size: Any) -> None:
    app = make_app(digest)
    async with app.run_test(size=size) as pilot:
        await pilot.press("j", "enter", "escape", "question_mark")
        await pilot.press("escape", "a", "left_square_bracket")
        await pilot.pause()
        assert screen_of(app).browse.week == NEWEST


async def test_resize_between_sizes(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        for size in [(40, 12), (250, 70), (20, 8), (80, 24), (120, 40)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert app.screen.query_one(Sidebar).display


async def test_quit(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_empty_digest_shows_no_papers() -> None:
    app = make_app(Digest((), name="empty"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "y", "o", "left_square_bracket", "a")
        assert screen_of(app).browse.rows == []
        assert "No papers" in abstract_text(app)


async def test_f1_in_filter_bar_shows_query_syntax_first(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert help_screen.syntax_first
        await pilot.press("escape")
        assert isinstance(app.focused, Input)


async def test_command_palette_offers_every_main_action(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        titles_offered = {command.title for command in app.get_system_commands(screen)}
        for wanted in (
            "Older week",
            "Newer week",
            "All weeks",
            "Copy the link",
            "Open the link in the browser",
            "Mark read / unread",
            "Star / unstar",
            "Next unread paper",
            "Reload: re-read the files, revalidate the URLs",
            "Help",
        ):
            assert wanted in titles_offered
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"older week")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert screen_of(app).browse.week == date(2023, 6, 18)


async def test_sidebar_category_enter_toggles_the_facet(digest: Digest) -> None:
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 50)) as pilot:
        screen = screen_of(app)
        sidebar = app.screen.query_one(Sidebar)
        row = next(i for i, e in enumerate(sidebar.entries) if e.kind == "category")
        category = sidebar.entries[row].category
        await pilot.press("shift+tab")
        sidebar.cursor = row
        await pilot.press("enter")
        assert screen.browse.query_text == f'cat:"{category}"'
        assert {digest.papers[i].category for i in screen.browse.rows} == {category}
        entry = next(e for e in sidebar.entries if e.category == category)
        assert entry.active and entry.count == str(len(screen.browse.rows))
        row = next(i for i, e in enumerate(sidebar.entries) if e.category == category)
        sidebar.cursor = row
        await pilot.press("enter")
        assert screen.browse.query_text == ""
        assert len(screen.browse.rows) == 123


async def test_readme_digest_summary_is_searched_shown_and_highlighted() -> None:
    readme = Path(__file__).resolve().parents[1] / "fixtures"
    source = next(readme.rglob("upstream*README*2023*.md"), None)
    assert source is not None
    digest = load_digest(source)
    paper = next(p for p in digest.papers if p.summary and not p.abstract)
    word = max(paper.summary.split(), key=len).strip(".,;:()").lower()
    app = make_app(digest, week="all", query=word)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert paper in [digest.papers[i] for i in screen.browse.rows]
        while screen.browse.current_paper != paper:
            await pilot.press("j")
        text = app.screen.query_one(AbstractPane).content
        assert "Summary: " in text.plain
        assert any(
            span.style for span in text.spans if text.plain[span.start : span.end].lower() == word
        )
        for link in paper.links:
            assert link.url in text.plain


async def test_slow_filter_result_never_overrides_a_newer_query(
    digest: Digest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module

    import reader.browse.jobs as jobs_module
    from reader.query import Query

    monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", 0)  # every filter in the worker
    real_filter = Query.filter

    def slow_filter(self: Query, *args: Any, **kwargs: Any) -> list[int]:
        if self.text == "robot":
            time_module.sleep(0.4)
        return real_filter(self, *args, **kwargs)

    monkeypatch.setattr(Query, "filter", slow_filter)
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        screen.set_filter("robot")
        await pilot.pause(0.05)
        screen.set_filter("")  # cleared before the slow result arrives
        await pilot.pause(0.8)  # the slow result has come and gone by now
        assert screen.browse.query_text == ""
        assert len(screen.browse.rows) == 123
        screen.set_filter("robot")
        for _ in range(100):
            await pilot.pause(0.02)
            if len(screen.browse.rows) < 123:
                break
        assert 0 < len(screen.browse.rows) < 123  # the worker path does deliver


async def test_escape_on_the_list_clears_the_filter(digest: Digest) -> None:
    app = make_app(digest, week="all", query="robot")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        assert len(screen.browse.rows) < 123
        await pilot.press("escape")
        assert screen.browse.query_text == ""
        assert app.screen.query_one("#filter", Input).value == ""
        assert len(screen.browse.rows) == 123


async def test_week_keys_skip_weeks_without_matches(digest: Digest) -> None:
    weeks_with = sorted(
        {
            p.week
            for p in digest.papers
            if "diffusion" in f"{p.title}\n{p.category}\n{p.text}".lower()
        },
        reverse=True,
    )
    assert len(weeks_with) >= 2
    app = make_app(digest, week="all", query="diffusion")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await pilot.press("left_square_bracket")
        assert screen.browse.week == weeks_with[0]
        await pilot.press("left_square_bracket")
        assert screen.browse.week == weeks_with[1]
        await pilot.press("right_square_bracket")
        assert screen.browse.week == weeks_with[0]


async def test_tiny_sidebar_is_a_focused_drawer(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(50, 20)) as pilot:
        screen = screen_of(app)
        sidebar = app.screen.query_one(Sidebar)
        await pilot.press("b")
        assert sidebar.display and isinstance(app.focused, Sidebar)
        assert sidebar.scroll_offset.y == 0  # its first rows are not scrolled away
        await pilot.press("down", "down")  # from the current week, 06-25: 06-18, 06-11
        await pilot.press("enter")
        assert screen.browse.week == date(2023, 6, 11)
        assert not sidebar.display and isinstance(app.focused, PaperList)
        await pilot.press("b", "tab")
        assert isinstance(app.focused, PaperList) and not sidebar.display


async def test_two_quick_tabs_move_two_panes(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Sidebar)
        await pilot.press("tab", "tab")
        assert isinstance(app.focused, AbstractPane)


async def test_vi_keys_and_space_scroll_the_abstract(digest: Digest) -> None:
    app = make_app(digest)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.screen.query_one(AbstractPane)

        async def press(*keys: str) -> None:
            await pilot.press(*keys)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()

        await press("tab")
        assert isinstance(app.focused, AbstractPane)
        await press("j", "j")
        assert pane.scroll_y == 2
        await press("k")
        assert pane.scroll_y == 1
        await press("G")
        assert pane.scroll_y == pane.max_scroll_y > 2
        await press("g", "space")
        assert pane.scroll_y > 2


async def test_no_browser_copies_the_link_instead(
    digest: Digest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.screens.main.outward as main_module

    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    opened: list[str] = []
    monkeypatch.setattr(main_module, "open_in_browser", opened.append)
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert opened == []
        assert app.clipboard == digest.papers[screen_of(app).browse.rows[0]].link
        assert any("No browser here" in n.message for n in app._notifications)


async def test_category_facet_keeps_every_category_on_offer_and_switches(digest: Digest) -> None:
    app = make_app(digest, week="all", query="language")
    async with app.run_test(size=(120, 50)) as pilot:
        screen = screen_of(app)
        sidebar = app.screen.query_one(Sidebar)

        def offered() -> dict[str, str]:
            return {e.category: e.count for e in sidebar.entries if e.kind == "category"}

        before = offered()
        assert len(before) >= 3
        first, second = list(before)[:2]
        screen.act(screen.browse.toggle_category, first)
        await pilot.pause()
        assert screen.browse.query_text == f'language cat:"{first}"'
        assert offered() == before  # counts as without the facet: every category still there
        assert {digest.papers[i].category for i in screen.browse.rows} == {first}
        screen.act(screen.browse.toggle_category, second)  # a second pick replaces the first
        await pilot.pause()
        assert screen.browse.query_text == f'language cat:"{second}"'
        assert len(screen.browse.rows) == int(before[second])
        screen.act(screen.browse.toggle_category, second)
        await pilot.pause()
        assert screen.browse.query_text == "language"
