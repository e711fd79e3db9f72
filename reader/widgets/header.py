"""The main screen's header: its title and subtitle cut to fit the screen's width."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Header, Static

from reader.browse.view import fit_header

HEADER_SIDES = 8 + 10
"""The cells of the header beside its title: the icon left, the clock's space right (Textual's
`HeaderIcon` and `HeaderClockSpace`)."""


class FittedHeader(Header):
    """The header whose title and subtitle are cut to fit the screen's width (`fit_header`):
    the title gives way first, so the count and the sort name stay whole."""

    _title_widget: Static | None = None
    """The title's widget, once found (`show_title`)."""

    def format_title(self) -> Content:
        width = self.app.size.width - HEADER_SIDES
        title, sub_title = fit_header(self.screen_title, self.screen_sub_title, width)
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
