"""The paper list: one line per paper of the current view, over an index array."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol

from rich.text import Text
from textual.message import Message

from reader.arxiv import short_authors
from reader.model import Digest, Paper, week_label
from reader.query import Spans
from reader.text import inert
from reader.widgets.line_list import LineList
from reader.widgets.messages import PaperChosen, PaperHighlighted


class PaperStatus(Protocol):
    """What the list needs to know of reading state (read, starred, in several weeks, selected):
    `reader.browse.RowMarks`."""

    def is_read(self, paper: Paper) -> bool: ...

    def is_starred(self, paper: Paper) -> bool: ...

    def is_repeated(self, paper: Paper) -> bool: ...

    def has_selection(self) -> bool: ...

    def is_selected(self, paper: Paper) -> bool: ...

    def sources(self, paper: Paper) -> str: ...


class Unmarked:
    """No reading state: nothing read, starred, repeated or selected."""

    def is_read(self, paper: Paper) -> bool:
        return False

    def is_starred(self, paper: Paper) -> bool:
        return False

    def is_repeated(self, paper: Paper) -> bool:
        return False

    def has_selection(self) -> bool:
        return False

    def is_selected(self, paper: Paper) -> bool:
        return False

    def sources(self, paper: Paper) -> str:
        return ""


class PaperList(LineList):
    """Papers as lines: marks, (week), title with matches highlighted, dimmed category."""

    CURSOR_COMPONENT = "paper-list--cursor"
    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--match",
        "paper-list--category",
        "paper-list--authors",
        "paper-list--week",
        "paper-list--read",
        "paper-list--unread",
        "paper-list--star",
        "paper-list--selected",
    }

    DEFAULT_CSS = """
    PaperList > .paper-list--cursor { background: $block-cursor-blurred-background; }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    PaperList > .paper-list--match { background: $warning 40%; text-style: bold; }
    PaperList > .paper-list--category { color: $text-muted; }
    PaperList > .paper-list--authors { color: $text-muted; text-style: italic; }
    PaperList > .paper-list--week { color: $text-secondary; }
    PaperList > .paper-list--read { color: $text-muted; }
    PaperList > .paper-list--unread { text-style: bold; }
    PaperList > .paper-list--star { color: $warning; }
    PaperList > .paper-list--selected { color: $success; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.digest: Digest = Digest(())
        self.indices: Sequence[int] = ()
        self.show_week = False
        self.spans: Spans | None = None
        self.status: PaperStatus = Unmarked()

    def show(
        self,
        digest: Digest,
        indices: Sequence[int],
        *,
        show_week: bool,
        spans: Spans | None,
        cursor: int = 0,
        announce: bool = True,
    ) -> None:
        """Show `indices` of `digest`, the cursor on row `cursor` (announced unless told not)."""
        if digest is not self.digest:
            self.forget_rows()
        self.digest = digest
        self.indices = indices
        self.show_week = show_week
        self.spans = spans
        self.set_row_count(len(indices), cursor, announce=announce)

    def prepare(self, indices: Sequence[int], cursor: int = 0) -> None:
        """Render ahead the rows that showing `indices` from the top (the cursor on row
        `cursor`; the columns, marks and query as now) would put on screen, so that showing
        them renders none (`row_key`). What the list shows does not change."""
        height = self.size.height
        if not self.display or height <= 0 or not indices:
            return
        shown, count, at = self.indices, self.row_count, self.cursor
        self.indices, self.row_count = indices, len(indices)
        self.set_reactive(LineList.cursor, cursor)
        try:
            self.render_rows_ahead(range(min(len(indices), height)))
        finally:
            self.indices, self.row_count = shown, count
            self.set_reactive(LineList.cursor, at)

    @property
    def current(self) -> int | None:
        """The digest index of the paper under the cursor."""
        return self.indices[self.cursor] if self.indices else None

    def cursor_message(self, row: int) -> Message:
        return PaperHighlighted(self.current)

    def select_message(self, row: int) -> Message | None:
        index = self.current
        return None if index is None else PaperChosen(index)

    def row_key(self, row: int, width: int, selected: bool) -> Hashable:
        """The paper, its marks, the columns shown and where the query highlights its title
        and authors: what `render_row` draws."""
        index = self.indices[row]
        paper = self.digest.papers[index]
        status = self.status
        highlights: tuple[object, ...] = ()
        if self.spans is not None:
            highlights = (tuple(self.spans(inert(paper.title), "title")),)
            if paper.authors and width >= 60:
                authors = inert(short_authors(paper.authors))
                highlights += (tuple(self.spans(authors, "author")),)
        selection = status.has_selection()
        return (
            index,
            width,
            selected,
            self.show_week,
            status.is_read(paper),
            status.is_starred(paper),
            status.is_repeated(paper),
            selection,
            selection and status.is_selected(paper),
            status.sources(paper),
            highlights,
        )

    def render_row(self, row: int, width: int, selected: bool) -> Text:
        paper = self.digest.papers[self.indices[row]]
        style = self.component_style
        read = self.status.is_read(paper)
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.status.has_selection():  # a column only while something is selected
            mark = "✓" if self.status.is_selected(paper) else " "
            line.append(f"{mark} ", style("paper-list--selected"))
        line.append("★" if self.status.is_starred(paper) else " ", style("paper-list--star"))
        line.append(" " if read else "•", style("paper-list--unread"))
        line.append("⧉" if self.status.is_repeated(paper) else " ", style("paper-list--week"))
        line.append(" ")
        sources = self.status.sources(paper)  # in an inbox of feeds: P H A
        if sources:
            line.append(f"{sources} ", style("paper-list--week"))
        if self.show_week:
            line.append(week_label(paper.week).ljust(10), style("paper-list--week"))
            line.append("  ")
        title = Text(
            inert(paper.title), style("paper-list--read" if read else "paper-list--unread")
        )
        if self.spans is not None:
            match = style("paper-list--match", background=True)
            for start, end in self.spans(title.plain, "title"):
                title.stylize(match, start, end)
        category = Text(inert(paper.category), style("paper-list--category"))
        authors = self._short_authors(paper) if width >= 60 else None
        if authors is not None:  # the authors keep their place; the title gives way
            most = width - line.cell_len - authors.cell_len - 3
            if title.cell_len > most:
                title.truncate(max(most, 1), overflow="ellipsis")
        room = width - line.cell_len - title.cell_len
        line.append_text(title)
        right = category
        if authors is not None:
            right = authors
            if category.plain and room >= authors.cell_len + category.cell_len + 6:
                right = authors + Text(" · ", style("paper-list--category")) + category
        if right.plain and width >= 50 and room >= right.cell_len + 3:
            line.append(" " * (room - right.cell_len - 1))
            line.append_text(right)
        return line

    def _short_authors(self, paper: Paper) -> Text | None:
        """`Dettmers et al.`, matches of author: terms highlighted; None without authors."""
        if not paper.authors:
            return None
        text = Text(
            inert(short_authors(paper.authors)), self.component_style("paper-list--authors")
        )
        if self.spans is not None:
            match = self.component_style("paper-list--match", background=True)
            for start, end in self.spans(text.plain, "author"):
                text.stylize(match, start, end)
        return text
