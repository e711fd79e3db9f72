"""The sidebar: All weeks, Starred, every week newest first with counts, then the categories."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

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
    """Whether a row reads otherwise now: the same row (most, as the model keeps them) at once,
    a row whose count changed (most others) at the first field looked at."""
    if before is now:
        return False
    if before is None or now is None:
        return True
    return (
        before.count != now.count
        or before.active != now.active
        or before.label != now.label
        or before.kind != now.kind
        or before.week != now.week
        or before.category != now.category
    )


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
        self._plain_styles: dict[tuple[Style, bool], tuple[Style, Style]] = {}
        """A plain row's two styles (label, count) by the widget's style and whether the row is
        active (`_render_row_strip`)."""

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
        bottom = top + self.size.height
        before, now = old[top:bottom], entries[top:bottom]  # the rows shown, made at once
        changed = [
            top + at
            for at in range(self.size.height)
            if _differ(_entry(before, at), _entry(now, at))
        ]
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

    def prepare(self, entries: Sequence[Entry], cursor: int) -> None:
        """Render ahead the rows on screen that showing `entries` (the cursor on `cursor`)
        would change (`render_rows_ahead`): a week switch then renders none of them. What the
        sidebar shows does not change."""
        height = self.size.height
        if not self.display or height <= 0:
            return
        shown, count, at = self.entries, self.row_count, self.cursor
        top = int(self.scroll_offset.y)
        rows = [
            row
            for row in range(top, min(top + height, len(entries)))
            if row in (at, cursor) or _differ(_entry(shown, row), entries[row])
        ]
        self.entries, self.row_count = entries, len(entries)
        self.set_reactive(LineList.cursor, cursor)
        try:
            self.render_rows_ahead(rows)
        finally:
            self.entries, self.row_count = shown, count
            self.set_reactive(LineList.cursor, at)

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

    def _render_row_strip(self, row: int, width: int, base: Style) -> Strip:
        """A plain row (not the cursor's, not a heading; its label printable ASCII that fits)
        made as its two segments, the label padded and the count, in the styles rendering it
        gives them (`render_row`, checked against it): a filter keystroke changes the count of
        most rows on screen (~30 at 1k papers), and rich's rendering of each took ~40 us."""
        entry = self.entries[row]
        label, count = entry.label, entry.count
        room = width - len(count) - 1
        if (
            entry.kind == "heading"
            or (row == self.cursor and bool(self.CURSOR_COMPONENT))
            or len(label) + 2 > room
            or not (label.isascii() and label.isprintable())
            or not (count.isascii() and count.isprintable())
        ):
            return super()._render_row_strip(row, width, base)
        styles = self._plain_styles.get((base, entry.active))
        if styles is None:
            own = self.component_style("sidebar--active") if entry.active else Style.null()
            styles = self._plain_styles[base, entry.active] = (
                base + own,
                base + (own + self.component_style("sidebar--count")),
            )
        marker = "▸ " if entry.active else "  "
        text = marker + label + " " * (room - len(label) - 1)  # the 1: the space before the count
        if not count:
            return Strip([Segment(text, styles[0])], width)
        return Strip([Segment(text, styles[0]), Segment(count, styles[1])], width)

    def notify_style_update(self) -> None:
        self._plain_styles.clear()
        super().notify_style_update()

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
