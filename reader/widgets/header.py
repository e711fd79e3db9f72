"""The main screen's header: its title and subtitle cut to fit the screen's width."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING

from textual.content import Content
from textual.visual import Visual, visualize
from textual.widget import _RenderCache
from textual.widgets import Header, Static
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle

from reader.browse.view import fit_header

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.strip import Strip

HEADER_SIDES = 8 + 10
"""The cells of the header beside its title: the icon left, the clock's space right (Textual's
`HeaderIcon` and `HeaderClockSpace`)."""

TITLES_KEPT = 8
"""Rendered titles the header keeps (`KeptTitle`): the one shown and those ahead."""


class KeptTitle(HeaderTitle):
    """Textual's header title, whose rendered lines are kept by what they show: a title
    rendered ahead (`prepare`: the week `[` or `]` goes to) is drawn without rendering it in
    the key's frame (~0.2 ms of a week switch)."""

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[Hashable, list[Strip]] = {}

    def _key(self, visual: Visual) -> Hashable:
        return (visual, self.size, self.visual_style)

    def _render_content(self) -> None:
        visual = self._render()
        if not isinstance(visual, Content):
            super()._render_content()
            return
        key = self._key(visual)
        strips = self._kept.get(key)
        if strips is None:
            super()._render_content()
            self._keep(key, self._render_cache.lines)
            return
        self._render_cache = _RenderCache(self.size, strips)
        self._dirty_regions.clear()

    def prepare(self, content: Content) -> None:
        """Render `content` ahead, as `_render_content` would when it is shown."""
        width, height = self.size
        if not width or not height:
            return
        visual = visualize(self, content, markup=self._render_markup)
        key = self._key(visual)
        if key not in self._kept:
            self._keep(key, Visual.to_strips(self, visual, width, height, self.visual_style))

    def _keep(self, key: Hashable, strips: list[Strip]) -> None:
        if len(self._kept) >= TITLES_KEPT:
            del self._kept[next(iter(self._kept))]
        self._kept[key] = strips


class FittedHeader(Header):
    """The header whose title and subtitle are cut to fit the screen's width (`fit_header`):
    the title gives way first, so the count and the sort name stay whole."""

    _title_widget: Static | None = None
    """The title's widget, once found (`show_title`)."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield KeptTitle()  # Textual's HeaderTitle, its renders kept
        yield (
            HeaderClock().data_bind(Header.time_format)
            if self._show_clock
            else HeaderClockSpace()
        )

    def format_title(self, sub_title: str | None = None) -> Content:
        width = self.app.size.width - HEADER_SIDES
        shown = self.screen_sub_title if sub_title is None else sub_title
        title, sub_title = fit_header(self.screen_title, shown, width)
        if not title:
            return Content(sub_title).stylize("dim")
        return self.app.format_title(title, sub_title)

    def show_title(self) -> None:
        """The title and subtitle as they fit now, repainting the title alone (no layout). Its
        widget is found once (by its type's name: Textual does not export `HeaderTitle`): a
        query on every week switch and filter keystroke took ~0.1 ms."""
        title = self._title_widget
        if title is None or not title.is_attached:
            title = self._title_widget = next(iter(self.query("HeaderTitle").results(Static)), None)
        if title is not None:  # (none while unmounted)
            title.update(self.format_title(), layout=False)

    def prepare(self, sub_title: str) -> None:
        """Render ahead the title `show_title` shows once the screen's subtitle is `sub_title`."""
        title = self._title_widget
        if isinstance(title, KeptTitle) and title.is_attached:
            title.prepare(self.format_title(sub_title))
