"""Every theme's cursor rows read at WCAG AA (4.5:1) for each text style on them, computed from
the colours the app draws, in true colour and as a 256-colour terminal shows them (issue 24)."""

from __future__ import annotations

from rich.segment import Segment

from reader.app import make_app
from reader.contrast import AA, as_256, contrast, goal_256, truecolor
from reader.model import Digest
from reader.widgets.line_list import LineList
from reader.widgets.paper_list import PaperList
from reader.widgets.sidebar import Sidebar
from tests.tui.conftest import screen_of


def unreadable(line_list: LineList) -> list[str]:
    """The pieces of text on the cursor row under AA in true colour, or under what the
    background allows in 256 colours (`goal_256`), with their contrast."""
    row = line_list.cursor - int(line_list.scroll_offset.y)
    found = []
    segment: Segment
    for segment in line_list.render_line(row):
        if not segment.text.strip() or segment.style is None:
            continue
        fg, bg = truecolor(segment.style.color), truecolor(segment.style.bgcolor)
        assert fg is not None and bg is not None, segment
        true, eight_bit = contrast(fg, bg), contrast(as_256(fg), as_256(bg))
        if true < AA or eight_bit < goal_256(bg):
            found.append(f"{segment.text.strip()[:20]!r} {true:.2f} ({eight_bit:.2f} in 256)")
    return found


async def test_every_themes_cursor_rows_read_at_aa(digest: Digest) -> None:
    app = make_app(digest, week="all", query="language", read_delay=60)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        papers, sidebar = screen.query_one(PaperList), screen.query_one(Sidebar)
        await pilot.press("m", "s")  # the cursor's paper read and starred: the muted title
        assert screen.browse.current_paper is not None
        assert screen.browse.store.is_read(screen.browse.current_paper.key)
        sidebar.cursor = 3  # a week with its counts
        themes = sorted(name for name in app.available_themes if not name.startswith("ansi"))
        assert len(themes) >= 15
        failures = []
        for theme in themes:
            app.theme = theme
            for focused in (papers, sidebar, screen.query_one("#filter")):
                focused.focus()
                await pilot.pause()
                for line_list in (papers, sidebar):
                    failures += [
                        f"{theme} {type(line_list).__name__} focus={focused.id}: {text}"
                        for text in unreadable(line_list)
                    ]
        assert failures == []
