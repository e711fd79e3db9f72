"""The sidebar after a query typed a letter at a time, and deleted: every row, those on screen
and those scrolled to, reads what an app opened on that query reads (its week rows are made
when drawn, from the hits of the moment: `reader.browse.sidebar.SidebarRows`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.pilot import Pilot
from textual.strip import Strip

from reader.app import ReaderApp, make_app
from reader.browse import Entry
from reader.model import Digest, Paper
from tests.tui.conftest import screen_of

NEWEST = date(2023, 6, 25)
WEEKS = 60
"""More weeks than the sidebar shows at 120x40: it scrolls."""
TOPICS = ("segmentation", "segments", "sequences", "agents")


def _digest() -> Digest:
    """Each week holds a paper about segmentation, and others whose topics (and categories)
    vary from week to week, so each prefix of "segm" counts differently week by week."""
    papers = []
    for w in range(WEEKS):
        week = NEWEST - timedelta(weeks=w)
        for i in range(1 + w % 4):
            topic = TOPICS[0] if i == 0 else TOPICS[(w * i) % len(TOPICS)]
            papers.append(
                Paper(
                    week,
                    f"Paper {w}.{i} about {topic}",
                    f"https://arxiv.org/abs/2306.{w:02d}{i:03d}",
                    category=f"Category {(w + i) % 3}",
                    abstract=f"An abstract on {topic}.",
                    arxiv_id=f"2306.{w:02d}{i:03d}",
                )
            )
    return Digest(papers, name="weeks")


def _sidebar(app: ReaderApp) -> tuple[list[Entry], list[Strip]]:
    """The sidebar's rows (every one) and its lines as the screen shows them."""
    sidebar = screen_of(app).sidebar
    region = sidebar.region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    lines = [strip.crop(region.x, region.right) for strip in strips]
    return list(sidebar.entries), lines


async def _scrolled(app: ReaderApp, pilot: Pilot[None], end: bool) -> None:
    sidebar = screen_of(app).sidebar
    if end:
        sidebar.scroll_end(animate=False, immediate=True)
    else:
        sidebar.scroll_home(animate=False, immediate=True)
    await pilot.pause()


@pytest.mark.parametrize("older", [0, 2])
async def test_typed_and_deleted_the_sidebar_reads_as_a_fresh_app_s(older: int) -> None:
    digest = _digest()
    week = digest.weeks[older]
    typed = make_app(digest, read_delay=-1)
    steps = ["s", "se", "seg", "segm", "seg", "se", "s", ""]
    got: list[tuple[list[Entry], list[Strip], list[Strip]]] = []
    async with typed.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*["left_square_bracket"] * older, "slash")
        await pilot.pause()
        text = ""
        for step in steps:
            await pilot.press(step[-1] if len(step) > len(text) else "backspace")
            text = step
            await pilot.pause()
            assert screen_of(typed).browse.text == step
            entries, top = _sidebar(typed)
            await _scrolled(typed, pilot, end=True)
            bottom = _sidebar(typed)[1]
            await _scrolled(typed, pilot, end=False)
            got.append((entries, top, bottom))
        assert len(got[0][0]) > screen_of(typed).sidebar.size.height + 20  # it scrolls
    for step, (entries, top, bottom) in zip(steps, got, strict=True):
        fresh = make_app(
            digest, read_delay=-1, query=step, query_given=bool(step), week=week, week_given=True
        )
        async with fresh.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            want_entries, want_top = _sidebar(fresh)
            await _scrolled(fresh, pilot, end=True)
            want_bottom = _sidebar(fresh)[1]
        assert entries == want_entries, step
        for entry in entries:  # and each count is the week's hits, counted one by one
            if entry.kind == "week" and step:
                papers = [p for p in digest.papers if p.week == entry.week]
                matches = sum(step in p.title or step in p.abstract for p in papers)
                assert entry.count == str(matches), (step, entry)
        assert [s.text for s in top] == [s.text for s in want_top], step
        assert top == want_top, step
        assert [s.text for s in bottom] == [s.text for s in want_bottom], step
        assert bottom == want_bottom, step


async def test_a_plain_row_made_the_short_way_is_the_row_rendering_gives() -> None:
    """`Sidebar._render_row_strip` makes a plain row as two segments; every row (active or
    not, a long label, a wide character, no count, the cursor's, a heading), at widths from too
    narrow to wide, focused or not, in two themes, is segment for segment what rendering it
    (`render_row`, as every list's rows are) gives."""
    from reader.browse import Entry
    from reader.widgets.line_list import LineList, base_style, frame_style

    labels = ["2023-06-25", "Computation and Language", "x", "Physik — Ωmega", "tab\tin", ""]
    entries = [Entry("heading", "Weeks")]
    for label in labels:
        for count in ("12", "3/140", ""):
            for active in (False, True):
                entries.append(Entry("week", label, count, active=active))
    app = make_app(_digest(), read_delay=-1)
    async with app.run_test(size=(120, 40)) as pilot:
        sidebar = screen_of(app).sidebar
        sidebar.entries = entries
        sidebar.row_count = len(entries)
        checked = 0
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            for focused in (False, True):
                screen_of(app).set_focus(sidebar if focused else None)
                await pilot.pause()
                with frame_style(sidebar):
                    base = base_style(sidebar)
                    for width in (3, 8, 14, 28, 40):
                        for row in range(len(entries)):
                            got = sidebar._render_row_strip(row, width, base)
                            want = LineList._render_row_strip(sidebar, row, width, base)
                            assert list(got) == list(want), (theme, focused, width, entries[row])
                            assert got.cell_length == want.cell_length == width
                            checked += 1
        assert checked == 2 * 2 * 5 * len(entries)
