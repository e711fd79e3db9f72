"""The sidebar: All weeks, Starred, every week newest first with counts, then the categories."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message

from reader.browse.sidebar import Entry
from reader.text import inert
from reader.widgets.line_list import LineList
from reader.widgets.messages import (
    CategoryToggled,
    SearchChosen,
    SidebarChoice,
    StarredChosen,
    TagToggled,
    WeekChosen,
)


def _entry(entries: Sequence[Entry], row: int) -> Entry | None:
    return entries[row] if 0 <= row < len(entries) else None


def _differ(before: Entry | None, now: Entry | None) -> bool:
    """Whether a row reads otherwise now: the same row (most, as the model keeps them) at once."""
    return before is not now and before != now


class Sidebar(LineList):
    """Views to pick: the weeks with their counts, and the categories as a facet."""

    CURSOR_COMPONENT = "sidebar--cursor"
    COMPONENT_CLASSES = {"sidebar--cursor", "sidebar--heading", "sidebar--count", "sidebar--active"}

    DEFAULT_CSS = """
    Sidebar > .sidebar--cursor { background: $block-cursor-blurred-background; }
    Sidebar:focus > .sidebar--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    Sidebar > .sidebar--heading { color: $text-secondary; text-style: bold; }
    Sidebar > .sidebar--count { color: $text-muted; }
    Sidebar > .sidebar--active { color: $accent; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries: Sequence[Entry] = ()

    def set_entries(self, entries: Sequence[Entry], cursor: int | None = None) -> None:
        """Replace the rows; the cursor stays on the same row unless told otherwise.

        Only the rows on screen that differ are repainted (a week switch moves the marker and
        changes the category counts; the rows between and the blank lines below stay).
        """
        old, self.entries = self.entries, entries
        self._prepared.clear()  # lines worked out for the rows before are stale
        cursor = self.cursor if cursor is None else cursor
        if not self.display or not self.size.height:
            self.set_row_count(len(entries), cursor, announce=False)
            return
        top = int(self.scroll_offset.y)
        shown = range(top, top + self.size.height)
        changed = [row for row in shown if _differ(_entry(old, row), _entry(entries, row))]
        if len(old) != len(entries):  # categories come and go below: no full repaint for that
            self.row_count = len(entries)
            self._set_virtual_size(Size(self.size.width, len(entries)), repaint=False)
        if cursor != self.cursor or self.cursor >= len(entries):
            changed += [self.cursor, cursor]
            self.set_reactive(LineList.cursor, self._clamp(cursor))
            self._scroll_cursor_into_view(center=True)
        if int(self.scroll_offset.y) != top:
            self.refresh()
        else:
            self.refresh_rows(sorted(set(changed)))

    @property
    def current(self) -> Entry | None:
        return self.entries[self.cursor] if self.entries else None

    def choice(self, picked: bool) -> SidebarChoice | None:
        """What the row under the cursor stands for: a week, the starred papers, a saved search,
        or (only when `picked`: browsing past it does nothing) a category or tag to toggle."""
        entry = self.current
        if entry is None:
            return None
        if entry.kind in ("all", "week"):
            return WeekChosen(entry.week, picked)
        if entry.kind == "starred":
            return StarredChosen(picked)
        if entry.kind == "category" and picked:
            return CategoryToggled(entry.category)
        if entry.kind == "tag" and picked:
            return TagToggled(entry.category)
        if entry.kind == "search":
            return SearchChosen(entry.category, picked)
        return None

    def select_message(self, row: int) -> Message | None:
        return self.choice(picked=True)

    async def on_click(self, event: events.Click) -> None:
        """One click picks a category or a tag, as it picks a week (browsing past a category
        with the cursor does not: only Enter or a click); the second click of a double click
        does nothing more."""
        row = event.y + int(self.scroll_offset.y)
        entry = _entry(self.entries, row)
        if entry is None or entry.kind not in ("category", "tag"):
            return  # LineList's click: the cursor moves there, a double click picks
        event.prevent_default()
        self.cursor = row
        if event.chain == 1:
            self.action_select()

    def row_key(self, row: int, width: int, selected: bool) -> Hashable:
        return (self.entries[row], width, selected)

    def render_row(self, row: int, width: int, selected: bool) -> Text:
        entry = self.entries[row]
        style = self.component_style
        if entry.kind == "heading":
            return Text(entry.label, style("sidebar--heading"))
        marker = "▸ " if entry.active else "  "
        label = Text(marker + inert(entry.label), style("sidebar--active") if entry.active else "")
        count = Text(entry.count, style("sidebar--count"))
        room = width - count.cell_len - 1
        label.truncate(max(1, room), overflow="ellipsis", pad=True)
        label.append(" ")
        label.append_text(count)
        return label

    def _step(self, delta: int) -> None:
        row = self.cursor + delta
        while 0 <= row < self.row_count and self.entries[row].kind == "heading":
            row += delta
        if 0 <= row < self.row_count:
            self.cursor = row

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)
