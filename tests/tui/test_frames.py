"""A key's update is drawn in one frame, repainting only what changed (issue 12).

These count what Textual does for a key (lines rendered, layouts run) rather than time it: the
counts are the same on a loaded machine, and each test failed on the code before its fix.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from rich.text import Text
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from reader.app import make_app
from reader.model import Digest, Paper
from reader.screens.main import MainScreen
from reader.screens.main import screen as main_screen
from reader.widgets.abstract import AbstractPane
from reader.widgets.line_list import LineList
from reader.widgets.paper_list import PaperList
from reader.widgets.sidebar import Sidebar
from tests.tui.conftest import screen_of, wait_for
from tests.tui.test_typeahead import burst

NEWEST = date(2023, 6, 25)
SHORT = "A short abstract that fits in the pane."
LONG = "A zebra opens it. " + " ".join(["A long abstract that needs a scrollbar."] * 80)


def _digest(weeks: int = 12, per_week: int = 6) -> Digest:
    """Weeks have one, two or three categories, so the sidebar's category section changes
    length from week to week; abstracts alternate between fitting and overflowing."""
    papers = []
    for w in range(weeks):
        week = NEWEST - timedelta(weeks=w)
        for i in range(per_week):
            category = f"Category {i % (1 + w % 3)}"
            papers.append(
                Paper(
                    week,
                    f"Paper {w}.{i} about segmentation",
                    f"https://arxiv.org/abs/2306.{w:02d}{i:03d}",
                    category=category,
                    abstract=LONG if i % 2 else SHORT,
                    arxiv_id=f"2306.{w:02d}{i:03d}",
                )
            )
    return Digest(papers, name="frames")


@contextmanager
def counting(
    monkeypatch: pytest.MonkeyPatch, owner: type, name: str
) -> Iterator[Callable[[], int]]:
    """Count calls of `owner.name` while the block runs; yields a reader of the count."""
    calls = [0]
    original = getattr(owner, name)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    try:
        yield lambda: calls[0]
    finally:
        monkeypatch.setattr(owner, name, original)


def _texts(strips: list[Strip]) -> list[str]:
    return [strip.text for strip in strips]


def assert_not_stale(widget: Widget) -> None:
    """What the widget has cached for its lines is what rendering them afresh gives (text and
    styles: a cursor row drawn without its cursor is stale too): afresh, without Textual's
    cache of the lines nor reader's (the rows rendered before, the pane's lines as drawn)."""
    region = widget.size.region
    cached = widget.render_lines(region)
    widget._styles_cache.clear()
    if isinstance(widget, LineList):
        rows_seen, widget._rows_seen = widget._rows_seen, {}
    if isinstance(widget, AbstractPane):
        drawn, widget._drawn = widget._drawn, {}
    fresh = widget.render_lines(region)
    if isinstance(widget, LineList):  # kept as they were: the test goes on with them
        widget._rows_seen = rows_seen
    if isinstance(widget, AbstractPane):
        widget._drawn = drawn
    assert _texts(cached) == _texts(fresh)
    assert cached == fresh


async def test_week_switch_repaints_the_sidebar_rows_that_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sidebar = screen_of(app).sidebar
        assert_not_stale(sidebar)
        for _ in range(3):
            rows_before = len(sidebar.entries)
            with counting(monkeypatch, Sidebar, "render_line") as rendered:
                await pilot.press("[")
                await pilot.pause()
            # The marker moves from one week to the next and the category rows change: a few
            # rows, not all 38 lines of the sidebar (as when its length changed, before).
            assert len(sidebar.entries) != rows_before
            assert rendered() <= 10, rendered()
            assert_not_stale(sidebar)


async def test_filter_keeps_every_sidebar_row_true(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"category 2")
        await pilot.pause()
        assert_not_stale(screen_of(app).sidebar)
        assert_not_stale(screen_of(app).paper_list)
        await pilot.press("escape")
        await pilot.pause()
        assert_not_stale(screen_of(app).sidebar)


async def test_abstract_scrollbar_coming_and_going_lays_nothing_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long abstract after a short one shows the pane's scrollbar's thumb: the bar is always
    there (blank, as the stable gutter it replaces, while the text fits), so neither the thumb
    coming nor going lays the screen out (Textual laid it out two or three times for that, over
    as many frames; then once, in the key's own frame)."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        pane = screen_of(app).query_one(AbstractPane)
        bar = pane.vertical_scrollbar
        thumbs, counts = [], []
        for _ in range(5):
            with counting(monkeypatch, Screen, "_refresh_layout") as layouts:
                await pilot.press("down")
                await pilot.pause(0.25)  # many frames: any later layout would have run
            assert pane.show_vertical_scrollbar
            column = {line.text + str(line) for line in bar.render_lines(bar.size.region)}
            thumbs.append(len(column) > 1)  # a thumb: the bar's lines differ
            counts.append(layouts())
        assert thumbs == [True, False, True, False, True]  # the thumb came and went
        assert counts == [0] * 5, counts
        assert_not_stale(pane)
        assert_not_stale(bar)


async def test_typing_a_filter_lays_nothing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every title matches, so the list keeps its length and scrollbar: a keystroke changes
    text, not geometry, and Textual's Input laid the screen out for each one all the same."""
    app = make_app(_digest(per_week=20))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await pilot.pause(0.2)
        with counting(monkeypatch, Screen, "_refresh_layout") as layouts:
            for key in "segmentation":
                await pilot.press(key)
                await pilot.pause(0.05)
        screen = screen_of(app)
        assert screen.browse.query_text == "segmentation"
        assert screen.paper_list.row_count == 20
        assert layouts() == 0, layouts()
        assert_not_stale(screen.paper_list)


async def test_a_long_filter_still_scrolls_to_its_cursor() -> None:
    """The bar's text width is still known (its virtual size), so a query longer than the bar
    scrolls to keep the cursor in view."""
    app = make_app(_digest())
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("slash", *("segmentation " * 5), "z")
        await pilot.pause()
        bar = screen_of(app).query_one("#filter")
        assert bar.scroll_x > 0
        assert bar.render_lines(bar.size.region)[0].text.rstrip().endswith("segmentation z")


async def test_a_keystroke_repaints_only_the_lines_that_read_differently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`zebr` then `zebra`: the same papers (no title has the word) and the same paper shown,
    its one highlighted word a letter longer. The list was repainted whole on every keystroke
    and the abstract too; now the list repaints nothing and the abstract its first line."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"zebr")
        await pilot.pause()
        screen = screen_of(app)
        rows = list(screen.paper_list.indices)
        with (
            counting(monkeypatch, PaperList, "render_line") as list_lines,
            counting(monkeypatch, AbstractPane, "render_line") as pane_lines,
        ):
            await pilot.press("a")
            await pilot.pause()
        assert screen.browse.query_text == "zebra"
        assert list(screen.paper_list.indices) == rows
        assert list_lines() == 0, list_lines()
        assert pane_lines() == 1, pane_lines()
        for widget in (screen.paper_list, screen.query_one(AbstractPane), screen.sidebar):
            assert_not_stale(widget)
        pane = screen.query_one(AbstractPane)
        assert any("zebra opens it" in text for text in _texts(pane.render_lines(pane.size.region)))


async def test_no_line_goes_stale_in_a_random_walk() -> None:
    """Lines are worked out ahead and kept when unchanged: after every burst of a seeded walk
    through filter edits, cursor moves, week switches and focus changes (a burst's keys are
    all handled before a frame is drawn), what each pane has on screen is what drawing it
    afresh gives."""
    rng = random.Random(12)
    steps = ["down", "up", "[", "]", "pagedown", "tab", "slash", "escape", "a", "backspace", "s"]
    app = make_app(_digest())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = screen_of(app)
        for _ in range(70):
            keys = [rng.choice(steps) for _ in range(rng.randint(1, 4))]
            if "slash" in keys:
                keys += list(rng.choice(["zebra", "seg", "fits", "category", "paper 3"]))
                keys += rng.sample(["down", "enter", "up", "backspace"], 2)
            await burst(app, pilot, keys)
            if app.screen is not screen:  # e.g. a modal: leave it
                await pilot.press("escape")
                await pilot.pause()
                continue
            for widget in (screen.paper_list, screen.query_one(AbstractPane), screen.sidebar):
                assert_not_stale(widget)


async def test_lines_worked_out_ahead_are_dropped_when_the_rows_change_again() -> None:
    """Rows replaced, then (before any frame) the cursor moved, the rows replaced again or the
    list repainted: the lines worked out for the first replacement must not be drawn."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        papers = screen_of(app).paper_list
        digest, indices = papers.digest, list(papers.indices)

        def show(rows: list[int], cursor: int) -> None:
            papers.show(digest, rows, show_week=True, spans=None, cursor=cursor, announce=False)

        show(indices[::-1], 0)
        papers.cursor = 2
        await pilot.pause()
        assert_not_stale(papers)
        show(indices, 1)
        show(indices[1:], 0)
        await pilot.pause()
        assert_not_stale(papers)
        show(indices[::-1], 0)
        papers.show_week = False
        papers.refresh()
        await pilot.pause()
        assert_not_stale(papers)


async def test_kept_component_styles_follow_focus_and_theme() -> None:
    """The cursor row's colours are kept between frames; focus and theme changes renew them."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)

        def fresh(widget: LineList, name: str) -> object:
            widget._rich_style_cache.clear()
            return widget.get_component_rich_style(name)

        pairs = [(screen.sidebar, "sidebar--cursor"), (screen.paper_list, "paper-list--cursor")]
        seen = set()
        for step in ("tab", "tab", "shift+tab", "theme"):
            if step == "theme":
                app.theme = "textual-light" if app.theme != "textual-light" else "nord"
            else:
                await pilot.press(step)
            await pilot.pause()
            for widget, name in pairs:
                kept = widget.component_style(name, background=True)
                assert kept == fresh(widget, name), (step, name)
                seen.add((name, str(kept)))
            assert_not_stale(screen.sidebar)
            assert_not_stale(screen.paper_list)
        assert len(seen) >= 4  # the colours did change along the way


async def test_a_scrollbar_whose_thumb_stays_is_not_repainted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 weeks in a short sidebar: a week switch changes its length by a category row, which
    leaves the thumb where it was; Textual repainted the whole bar all the same."""
    app = make_app(_digest(weeks=300, per_week=3))
    async with app.run_test(size=(120, 16)) as pilot:
        await pilot.pause()
        sidebar = screen_of(app).sidebar
        bar = sidebar.vertical_scrollbar
        assert sidebar.show_vertical_scrollbar
        painted: list[object] = []
        original = ScrollBar.render

        def render(self: ScrollBar) -> Any:
            if self is bar:
                painted.append(self.window_virtual_size)
            return original(self)

        monkeypatch.setattr(ScrollBar, "render", render)
        lengths = set()
        for _ in range(3):
            await pilot.press("[")
            await pilot.pause()
            lengths.add(sidebar.virtual_size.height)
            assert_not_stale(bar)
        assert len(lengths) > 1 and painted == []  # the length changed; the bar was not redrawn
        app.set_focus(sidebar)
        await pilot.press("end")  # the sidebar's last row: the thumb goes to the bottom
        await pilot.pause()
        assert sidebar.scroll_offset.y > 0, (app.focused, sidebar.cursor)
        assert painted and bar.position > 0
        assert_not_stale(bar)


def test_changed_rows_are_repainted_a_run_at_a_time() -> None:
    calls: list[tuple[int, int]] = []

    class Recorder:
        def refresh_lines(self, start: int, count: int = 1) -> None:
            calls.append((start, count))

    LineList.refresh_rows(Recorder(), [1, 2, 3, 7, 9, 10])  # type: ignore[arg-type]
    assert calls == [(1, 3), (7, 1), (9, 2)]
    calls.clear()
    LineList.refresh_rows(Recorder(), [])  # type: ignore[arg-type]
    assert calls == []


async def test_the_search_index_is_ready_before_the_first_keystroke() -> None:
    """600 papers: the index is built in the background once the digest is shown (the first
    keystroke at 10k papers built it, ~150 ms; at 1k ~20 ms); a small digest builds it only when
    searched."""
    app = make_app(_digest(weeks=100, per_week=6))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await wait_for(lambda: screen.browse.digest._haystacks is not None, pilot)
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        assert screen_of(app).browse.digest._haystacks is None
        await pilot.press("slash", "z")
        await pilot.pause()
        assert screen_of(app).browse.digest._haystacks is not None


async def test_a_word_the_token_index_answers_filters_in_the_keys_own_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above `SYNC_FILTER_LIMIT` candidates a keystroke filters in a thread, and its result comes
    a frame or more after the letter. Once the token index is built (in the background, after
    the search text) a word it answers is filtered at once, in the key's own handling. A query
    it cannot answer exactly (a phrase) still goes to the thread."""
    import reader.browse.jobs as jobs_module
    from reader.browse import Search
    from reader.screens.main import tasks

    monkeypatch.setattr(jobs_module, "SYNC_FILTER_LIMIT", 100)
    threaded: list[str] = []
    in_thread = tasks._filter

    def recorded(screen: Any, search: Search) -> None:
        threaded.append(search.query.text)
        in_thread(screen, search)

    monkeypatch.setattr(tasks, "_filter", recorded)
    digest = _digest(weeks=300, per_week=8)
    app = make_app(digest, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        await wait_for(lambda: screen.browse.digest.token_index is not None, pilot)
        await pilot.press("slash")
        typed = ""
        for letter in "abstract":
            typed += letter
            await pilot.press(letter)
            want = [
                i
                for i, paper in enumerate(digest.papers)
                if typed in f"{paper.title}\n{paper.category}\n{paper.text}".lower()
            ]
            assert screen.browse.query_text == typed and list(screen.browse.hits) == want
        assert threaded == []
        screen.set_filter('"a zebra"')  # a phrase: the index narrows, the text is searched
        await wait_for(lambda: screen.browse.query_text == '"a zebra"', pilot)
        assert threaded == ['"a zebra"']
        assert len(screen.browse.hits) == len(digest) // 2  # the long abstracts


async def test_the_first_frame_is_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first frame of the main screen already holds the highlighted paper's abstract
    (issue 26): the pane wrapped its text in `on_resize`, a frame later, and the lists took
    their width there too, laying the whole screen out again (two more full frames)."""
    digest = _digest()
    frames: list[list[str]] = []
    original = Screen._compositor_refresh

    def drawn(self: Screen[Any]) -> None:
        original(self)
        if self.is_current and hasattr(self, "browse"):  # the main screen
            frames.append(_texts(self._compositor.render_strips()))

    monkeypatch.setattr(Screen, "_compositor_refresh", drawn)
    app = make_app(digest)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        paper = screen_of(app).browse.current_paper
        assert paper is not None
        first = "\n".join(frames[0])
        assert first.count(paper.title) == 2, first  # its row in the list, the pane's heading
        assert paper.abstract in first, first


def _row_text(papers: PaperList, row: int) -> str:
    return papers.render_lines(papers.size.region)[row - int(papers.scroll_offset.y)].text


async def test_a_row_seen_before_shows_its_marks_as_they_are_now() -> None:
    """Rows are rendered once for what they show: a row rendered before (its week shown, left
    and shown again) shows the marks it has now: starred, read, selected, and none again."""
    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("[", "]")
        await pilot.pause()
        papers = screen_of(app).paper_list
        row = _row_text(papers, 0)
        assert "★" not in row and "•" in row
        await pilot.press("s", "[", "]")
        await pilot.pause()
        row = _row_text(papers, 0)
        assert "★" in row and "•" in row
        await pilot.press("m", "[", "]")
        await pilot.pause()
        row = _row_text(papers, 0)
        assert "★" in row and "•" not in row
        assert_not_stale(papers)
        await pilot.press("s", "m", "[", "]")
        await pilot.pause()
        row = _row_text(papers, 0)
        assert "★" not in row and "•" in row
        await pilot.press("x", "[", "]")  # a selection adds its column to every row
        await pilot.pause()
        assert _row_text(papers, 0).startswith("✓ ")
        assert _row_text(papers, 1).startswith("  ")
        assert_not_stale(papers)


def _highlighted(papers: PaperList, row: int) -> list[str]:
    match = papers.component_style("paper-list--match", background=True).bgcolor
    strip = papers.render_lines(papers.size.region)[row - int(papers.scroll_offset.y)]
    return [segment.text for segment in strip if segment.style and segment.style.bgcolor == match]


async def test_rows_that_stay_show_the_new_query_s_highlights() -> None:
    """Typing on within one word keeps the same rows: each is drawn again with the longer
    highlight (the rows rendered for the shorter query are not those of this one)."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "s")
        await pilot.pause()
        papers = screen_of(app).paper_list
        rows = list(papers.indices)
        for typed in ("se", "seg", "segm"):
            await pilot.press(typed[-1])
            await pilot.pause()
            assert list(papers.indices) == rows
            assert _highlighted(papers, 1) == [typed], typed
            assert_not_stale(papers)
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert _highlighted(papers, 1) == ["se"]


async def test_another_digest_s_rows_are_drawn_anew() -> None:
    """The same rows (digest indices) of a reloaded digest show its papers, not the rows
    rendered for the digest before."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        papers = screen_of(app).paper_list
        indices = list(papers.indices)
        renamed = Digest(
            [
                replace(paper, title=paper.title.replace("Paper", "Study"))
                for paper in papers.digest.papers
            ],
            name="renamed",
        )
        papers.show(renamed, indices, show_week=False, spans=None, announce=False)
        await pilot.pause()
        assert "Study 0.0 about segmentation" in _row_text(papers, 0)
        assert_not_stale(papers)


async def test_a_filtered_week_switch_shows_each_sidebar_count() -> None:
    """Filter, switch weeks there and back: every sidebar row on screen reads its count now."""
    app = make_app(_digest())
    async with app.run_test(size=(120, 40)) as pilot:
        sidebar = screen_of(app).sidebar
        await pilot.press("slash", *"paper 1", "enter", "[", "[", "]")
        await pilot.pause()
        lines = sidebar.render_lines(sidebar.size.region)
        counted = [e for e in sidebar.entries if e.count]
        assert len(counted) > 3
        for row, entry in enumerate(sidebar.entries[: sidebar.size.height]):
            if entry.count:
                assert lines[row].text.rstrip().endswith(f" {entry.count}"), entry
        assert_not_stale(sidebar)


async def test_the_next_week_and_papers_are_rendered_ahead_while_the_keys_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once the keys pause, the rows of the weeks `[` and `]` go to and the abstracts the next
    key shows (the papers above and below the cursor, each week's first) are rendered ahead:
    those keys render no row and no abstract, and draw what drawing afresh gives; rendering
    ahead changes nothing on screen."""
    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        papers, pane = screen.paper_list, screen.query_one(AbstractPane)
        monkeypatch.setattr(main_screen, "AHEAD_DELAY", 0.3)  # well after each key's frame
        await pilot.press("down")  # rendering ahead starts with the keys, not the first paint
        checked = 0
        for key in ("[", "down", "[", "up", "]", "down"):
            shown = (list(papers.indices), papers.cursor, [s.text for s in pane._lines])
            await pilot.pause(0.6)  # the pause: rendered ahead
            assert (list(papers.indices), papers.cursor, [s.text for s in pane._lines]) == shown
            with (
                counting(monkeypatch, PaperList, "render_row") as rows,
                counting(monkeypatch, Text, "wrap") as wraps,
                counting(monkeypatch, MainScreen, "_render_ahead") as aheads,
            ):
                await pilot.press(key)
                await pilot.pause()
                if aheads():  # the pause after this key came already: the counts are its too
                    continue
            assert (rows(), wraps()) == (0, 0), key
            checked += 1
            assert_not_stale(papers)
            assert_not_stale(pane)
        assert checked >= 4


async def test_what_was_rendered_ahead_shows_the_marks_of_now() -> None:
    """The abstract rendered ahead for the next paper says `unread`; marked read meanwhile (M,
    every paper listed), the next paper's abstract says `read`."""
    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        pane = screen_of(app).query_one(AbstractPane)
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        text = " ".join(strip.text for strip in pane._lines)
        assert "·  read" in text and "unread" not in text
        assert_not_stale(pane)


async def test_a_shorter_abstract_repaints_only_the_lines_that_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two short abstracts one after the other, of different lengths: the lines below both stay
    blank and are not repainted (the pane was repainted whole whenever the number of lines
    changed); what is on screen is what drawing afresh gives."""
    papers = [
        Paper(NEWEST, f"Paper {i}", f"https://arxiv.org/abs/2306.0000{i}", abstract=abstract)
        for i, abstract in enumerate(["One line.", "Three lines of words, wrapped. " * 8] * 3)
    ]
    app = make_app(Digest(papers, name="short"), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = screen_of(app).query_one(AbstractPane)
        for key in ("down", "down", "up"):
            longest = len(pane._lines)
            with counting(monkeypatch, AbstractPane, "render_line") as lines:
                await pilot.press(key)
                await pilot.pause()
            longest = max(longest, len(pane._lines))
            assert 0 < lines() <= longest < pane.size.height - 5, (lines(), longest)
            assert_not_stale(pane)


async def test_lines_styled_ahead_are_not_styled_again_in_the_key_s_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the keys pause, the rows the next cursor move draws and the next paper's abstract
    are styled ahead as Textual would style them (`PlainStylesCache.prepare`): the move's frame
    styles none of the list's and the abstract's lines again, and draws what drawing afresh
    gives."""
    from reader.widgets.plain_lines import PlainStylesCache

    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        pane = screen.query_one(AbstractPane)
        watched = {id(screen.paper_list._styles_cache), id(pane._styles_cache)}
        styled: list[int] = []
        finish = PlainStylesCache._finish

        def counted(self: PlainStylesCache, known: Any, line: Strip) -> Strip:
            done = self._finished.get(id(line))
            if id(self) in watched and (done is None or done[0] is not line):
                styled.append(1)
            return finish(self, known, line)

        monkeypatch.setattr(PlainStylesCache, "_finish", counted)
        monkeypatch.setattr(main_screen, "AHEAD_DELAY", 0.3)
        await pilot.press("down")
        for key in ("down", "down", "up"):
            await pilot.pause(0.6)  # rendered and styled ahead
            styled.clear()
            await pilot.press(key)
            await pilot.pause()
            assert not styled, (key, len(styled))
            for widget in (screen.paper_list, pane, screen.sidebar):
                assert_not_stale(widget)


@pytest.mark.parametrize("word", ["agents", "zzz", "model", "reasoning"])
async def test_after_typing_a_query_the_screen_is_a_fresh_app_s_screen(
    digest: Digest, word: str
) -> None:
    """Lines repainted in part, rows and lines kept, styled ahead and reused: after a query
    typed a letter at a time (and Enter), every cell of the screen, text and style, is what an
    app opened on that query draws."""
    typed = make_app(digest, read_delay=-1)
    fresh = make_app(digest, read_delay=-1, query=word, query_given=True)
    async with typed.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        for letter in word:
            await pilot.press(letter)
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.3)
        got = typed.screen._compositor.render_strips()
    async with fresh.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        want = fresh.screen._compositor.render_strips()
    assert [strip.text for strip in got] == [strip.text for strip in want]
    assert got == want


async def test_a_cursor_move_repaints_the_abstract_a_run_of_lines_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another paper's abstract changes most of the pane's lines: they are repainted as one
    region a run of neighbouring lines (a refresh costs Textual ~40 us: it was one a line)."""
    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = screen_of(app).query_one(AbstractPane)
        calls: list[tuple[Any, ...]] = []
        refresh = AbstractPane.refresh

        def recorded(self: AbstractPane, *regions: Any, **kwargs: Any) -> Any:
            if self is pane:
                calls.append(regions)
            return refresh(self, *regions, **kwargs)

        monkeypatch.setattr(AbstractPane, "refresh", recorded)
        for key in ("down", "down"):  # long to short, short to long
            calls.clear()
            await pilot.press(key)
            await pilot.pause()
            lines = sum(region.height for regions in calls for region in regions)
            assert lines > 10, calls
            assert len(calls) <= 2, calls
            assert_not_stale(pane)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "gruvbox"])
async def test_a_scrollbar_s_lines_are_textual_s_lines(theme: str) -> None:
    """The quiet scrollbar draws its lines without rich's console (`BarLines`): for thumbs of
    every size and place, hovered and grabbed, each line is the strip Textual's ScrollBar
    makes of its ScrollBarRender."""
    from textual.geometry import Offset
    from textual.visual import Visual, visualize

    from reader.widgets.scrollbar import BarLines, QuietScrollBar

    rng = random.Random(theme)
    app = make_app(_digest(weeks=60, per_week=3))
    app.theme = theme
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        bar = screen_of(app).sidebar.vertical_scrollbar
        assert isinstance(bar, QuietScrollBar)
        width, height = bar.size
        drawn = 0
        for step in range(300):
            virtual = rng.randint(1, 400)
            bar.set_reactive(ScrollBar.window_virtual_size, virtual)
            bar.set_reactive(ScrollBar.window_size, rng.randint(0, 60))
            bar.set_reactive(ScrollBar.position, rng.randint(0, virtual) / rng.choice([1, 3, 8]))
            bar.set_reactive(ScrollBar.mouse_over, step % 5 == 1)
            bar.set_reactive(ScrollBar.grabbed, Offset(0, 1) if step % 7 == 2 else None)
            ours = bar.render()
            theirs = ScrollBar.render(bar)
            if not isinstance(ours, BarLines):
                continue
            style = bar.visual_style
            got = Visual.to_strips(bar, ours, width, height, style)
            want = Visual.to_strips(bar, visualize(bar, theirs), width, height, style)
            assert got == want, step
            assert [list(strip) for strip in got] == [list(strip) for strip in want], step
            drawn += 1
        assert drawn > 200


async def test_the_sidebar_rows_a_week_switch_changes_are_rendered_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the keys pause, the sidebar rows that `[` or `]` changes (the week marked, the
    categories of the week and their counts) are rendered ahead: the switch renders none of
    them, and the sidebar shows what drawing it afresh gives."""
    app = make_app(_digest(), read_delay=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = screen_of(app)
        rendered: list[int] = []
        render = Sidebar._render_row_strip

        def counted(self: Sidebar, row: int, width: int, base: Any) -> Strip:
            rendered.append(row)
            return render(self, row, width, base)

        monkeypatch.setattr(Sidebar, "_render_row_strip", counted)
        monkeypatch.setattr(main_screen, "AHEAD_DELAY", 0.3)  # not within the key's pause
        await pilot.press("down")
        for key in ("[", "[", "]", "["):
            await pilot.pause(0.6)  # rendered ahead
            rendered.clear()
            await pilot.press(key)
            await pilot.pause()
            assert rendered == [], (key, rendered)
            assert_not_stale(screen.sidebar)
        categories = [entry for entry in screen.sidebar.entries if entry.kind == "category"]
        assert categories  # (the rows ahead included categories that came and went)


async def test_the_header_s_next_titles_are_rendered_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the keys pause, the header titles `[` and `]` show are rendered ahead: the switch
    renders no title, and the header reads as drawing it afresh gives (at a tiny size too)."""
    from reader.widgets.header import KeptTitle

    for size in ((120, 40), (50, 15)):
        app = make_app(_digest(), read_delay=60)
        async with app.run_test(size=size) as pilot:
            screen = screen_of(app)
            title = screen.query_one(KeptTitle)
            rendered: list[str] = []
            render = Widget._render_content

            def counted(
                self: Widget,
                title: KeptTitle = title,
                rendered: list[str] = rendered,
                render: Callable[[Widget], None] = render,
            ) -> None:
                if self is title:
                    rendered.append(str(title.visual))
                render(self)

            monkeypatch.setattr(Widget, "_render_content", counted)
            monkeypatch.setattr(main_screen, "AHEAD_DELAY", 0.3)
            await pilot.press("down")
            for key in ("[", "[", "]", "["):
                await pilot.pause(0.6)  # rendered ahead
                rendered.clear()
                await pilot.press(key)
                await pilot.pause()
                assert rendered == [], (key, rendered)
                shown = title.render_lines(title.size.region)
                title._kept.clear()
                title.refresh()
                assert shown == title.render_lines(title.size.region)
                assert screen.browse.title(compact=size[0] < 60).split(" · ")[0] in str(
                    title.visual
                )
            monkeypatch.undo()
