"""The domain messages the widgets post to the main screen: what the user chose, not which row
moved. The screen decides what they mean for the view ("attributes down, messages up")."""

from __future__ import annotations

from datetime import date

from textual.message import Message


class WeekChosen(Message):
    """The sidebar's All weeks (`week` None) or a week row: `picked` by Enter or a double
    click, else only browsed to with the cursor."""

    def __init__(self, week: date | None, picked: bool) -> None:
        super().__init__()
        self.week = week
        self.picked = picked


class StarredChosen(Message):
    """The sidebar's Starred row, picked or browsed to."""

    def __init__(self, picked: bool) -> None:
        super().__init__()
        self.picked = picked


class CategoryToggled(Message):
    """A category row of the sidebar picked: add it to the facet, or take it away."""

    def __init__(self, category: str) -> None:
        super().__init__()
        self.category = category


class TagToggled(Message):
    """A tag row of the sidebar picked: add tag:NAME to the query, or take it away."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self.tag = tag


class SearchChosen(Message):
    """A saved search of the sidebar, picked or browsed to (it shows like a week)."""

    def __init__(self, name: str, picked: bool) -> None:
        super().__init__()
        self.name = name
        self.picked = picked


class PaperHighlighted(Message):
    """The list's cursor is on the paper at digest index `index` (None: the list is empty)."""

    def __init__(self, index: int | None) -> None:
        super().__init__()
        self.index = index


class PaperChosen(Message):
    """Enter or a double click on the list's paper at digest index `index`."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


SidebarChoice = WeekChosen | StarredChosen | CategoryToggled | TagToggled | SearchChosen
"""What a sidebar row stands for."""
