"""The widgets speak the domain: the list posts the paper highlighted or chosen, the sidebar the
week, the starred papers or the category chosen (reader.widgets.messages)."""

from __future__ import annotations

from textual.message import Message

from reader.app import make_app
from reader.screens.main import MainScreen
from reader.sources.loader import load_digest
from reader.widgets.messages import (
    CategoryToggled,
    PaperChosen,
    PaperHighlighted,
    StarredChosen,
    WeekChosen,
)


async def test_the_widgets_post_domain_messages() -> None:
    messages: list[Message] = []
    app = make_app(load_digest(), read_delay=60)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j")
        await pilot.pause()
        highlighted = [m for m in messages if isinstance(m, PaperHighlighted)]
        assert highlighted and highlighted[-1].index == screen.paper_list.current
        sidebar = screen.sidebar

        def row_of(kind: str, nth: int = 0) -> int:
            rows = [row for row, entry in enumerate(sidebar.entries) if entry.kind == kind]
            return rows[nth]

        async def double_click(row: int) -> list[Message]:
            start = len(messages)
            sidebar.scroll_to(y=max(0, row - 5), animate=False)
            await pilot.pause()
            y = row - int(sidebar.scroll_offset.y)
            await pilot.click(sidebar, offset=(2, y), times=2)
            await pilot.pause()
            seen: dict[int, Message] = {id(m): m for m in messages[start:]}  # bubbled: once
            return [
                m
                for m in seen.values()
                if isinstance(m, (WeekChosen, StarredChosen, CategoryToggled))
            ]

        week_row = row_of("week", 1)
        week = sidebar.entries[week_row].week
        (chosen,) = await double_click(week_row)
        assert isinstance(chosen, WeekChosen) and chosen.picked and chosen.week == week
        assert screen.browse.week == week
        category_row = row_of("category")
        category = sidebar.entries[category_row].category
        (chosen,) = await double_click(category_row)
        assert isinstance(chosen, CategoryToggled) and chosen.category == category
        assert f'cat:"{category}"' in screen.browse.query_text
        (chosen,) = await double_click(row_of("starred"))
        assert isinstance(chosen, StarredChosen) and chosen.picked and screen.browse.starred_only
        (chosen,) = await double_click(row_of("all"))
        assert isinstance(chosen, WeekChosen) and chosen.week is None
        assert not screen.browse.starred_only
        await pilot.click(screen.paper_list, offset=(5, 0), times=2)
        await pilot.pause()
        assert any(isinstance(m, PaperChosen) for m in messages)
