"""The main screen's header: its title and subtitle cut to fit the screen's width."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Header

from reader.browse.view import fit_header

HEADER_SIDES = 8 + 10
"""The cells of the header beside its title: the icon left, the clock's space right (Textual's
`HeaderIcon` and `HeaderClockSpace`)."""


class FittedHeader(Header):
    """The header whose title and subtitle are cut to fit the screen's width (`fit_header`):
    the title gives way first, so the count and the sort name stay whole."""

    def format_title(self) -> Content:
        width = self.app.size.width - HEADER_SIDES
        title, sub_title = fit_header(self.screen_title, self.screen_sub_title, width)
        if not title:
            return Content(sub_title).stylize("dim")
        return self.app.format_title(title, sub_title)
