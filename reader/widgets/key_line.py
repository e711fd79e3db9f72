"""A one-line footer of keys: whole `key label` items that fit, the palette key at the right.

Textual's Footer lays its keys out as widgets that overflow at some widths (a label cut
mid-word, stray characters behind the docked palette key). This draws the line as one Text:
an item is shown whole or not at all, and nothing else is on the line.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from reader.widgets.plain_lines import PlainStylesCache

GAP = "  "
"""Between two items."""
FIRST_KEYS = 5
"""The first keys (q, ?, /, [, ]) are shown before the palette's label: on a narrow line the
palette keeps only its key (`^p`) when its label would push one of them off."""
DIM = Style(dim=True)
"""A binding that is shown but disabled."""


def fit_items(items: list[str], right: str, width: int) -> tuple[list[str], bool]:
    """The leading `items` that fit in `width` cells beside `right`, and whether `right` fits
    (only beside the first item: that one matters more).

    Items keep their order; the first that does not fit ends the line (a later, shorter one is
    not pulled forward, so the keys never jump about as the width changes)."""
    first = cell_len(items[0]) + len(GAP) if items else 0
    show_right = bool(right) and cell_len(right) + first <= width  # Quit before the palette
    room = width - (cell_len(right) + len(GAP) if show_right else 0)
    kept: list[str] = []
    used = 0
    for item in items:
        need = cell_len(item) + (len(GAP) if kept else 0)
        if used + need > room:
            break
        kept.append(item)
        used += need
    return kept, show_right


class KeyLine(Widget):
    """The keys of the screen's shown bindings, one line, redrawn when the bindings change."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-line--key", "key-line--label"}

    DEFAULT_CSS = """
    KeyLine {
        height: 1;
        dock: bottom;
        background: $footer-background;
        .key-line--key { color: $footer-key-foreground; text-style: bold; }
        .key-line--label { color: $footer-description-foreground; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._styles_cache = PlainStylesCache()  # its line styled the short way
        self._keys: list[tuple[int, int, str]] = []
        """(first cell, end cell, key) of each drawn item, for clicks."""
        self._drawn: object = None
        """What `_entries` gave when the line was last drawn."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        """Repainted only when what it shows changed (the signal comes after most keys); before
        it is first drawn there is nothing to compare (`_entries` walks every binding)."""
        if self._drawn is None or self._entries() != self._drawn:
            self.refresh()

    def _entries(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str] | None]:
        """(key, key display, label, enabled) of each shown binding, one per action; the
        palette's (key, key display, label) when it has a binding."""
        app = self.app
        seen: set[str] = set()
        entries: list[tuple[str, str, str, bool]] = []
        palette: tuple[str, str, str] | None = None
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (key, app.get_key_display(binding), binding.description or "palette")
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append((key, app.get_key_display(binding), binding.description, enabled))
        return entries, palette

    def render(self) -> Text:
        width = self.size.width
        self._drawn = entries, palette = self._entries()
        items = [f"{display} {label}" for _key, display, label, _enabled in entries]
        right = f"{palette[1]} {palette[2]}" if palette is not None else ""
        kept, show_right = fit_items(items, right, width)
        if palette is not None and show_right and len(kept) < min(len(items), FIRST_KEYS):
            short = fit_items(items, palette[1], width)  # the palette's key without its label
            if len(short[0]) > len(kept):
                (kept, show_right), palette = short, (palette[0], palette[1], "")
                right = palette[1]
        key_style = self.get_component_rich_style("key-line--key", partial=True)
        label_style = self.get_component_rich_style("key-line--label", partial=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        self._keys = []

        def add(key: str, display: str, label: str, dim: bool = False) -> None:
            start = line.cell_len
            extra = DIM if dim else Style()
            line.append(display, key_style + extra)
            if label:
                line.append(" " + label, label_style + extra)
            self._keys.append((start, line.cell_len, key))

        for index, (key, display, label, enabled) in enumerate(entries[: len(kept)]):
            if index:
                line.append(GAP)
            add(key, display, label, dim=not enabled)
        if show_right and palette is not None:
            line.append(" " * (width - line.cell_len - cell_len(right)))
            add(*palette)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._keys:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
