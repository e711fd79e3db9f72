"""The abstract pane: everything about the highlighted paper, scrollable."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Hashable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.arxiv import Metadata, pdf_url
from reader.browse.pane import Pane
from reader.latex import display_math
from reader.model import week_label
from reader.query import Spans
from reader.text import PLACEHOLDER, inert, inert_lines, is_web_link
from reader.widgets.line_list import (
    base_style,
    content_width,
    frame_style,
    refresh_runs,
    set_virtual_size,
)
from reader.widgets.plain_lines import PlainStylesCache
from reader.widgets.scrollbar import QuietScrollbars
from reader.widgets.wrapping import Wrapper

MATCH = Style(bgcolor="yellow", color="black", bold=True)


def _with_math(source: str, field: str, spans: Spans | None, dim: re.Pattern[str] | None) -> Text:
    """`source` (inert text as searched) shown with its formulas as Unicode (`reader.latex`,
    converted now, when the paper is shown): matches found in `source` are highlighted where
    they landed in the shown text; `dim` matches are dimmed."""
    shown = display_math(source)
    text = Text(shown.text)
    if dim is not None:
        for match in dim.finditer(shown.text):
            text.stylize(Style(dim=True, italic=True), match.start(), match.end())
    if spans is not None:
        for start, end in spans(source, field):
            shown_start, shown_end = shown.span(start, end)
            if shown_end > shown_start:
                text.stylize(MATCH, shown_start, shown_end)
    return text


def _highlight(text: Text, field: str, spans: Spans | None) -> Text:
    if spans is not None:
        for start, end in spans(text.plain, field):
            text.stylize(MATCH, start, end)
    return text


def render_paper(pane: Pane) -> Text:
    """The pane's content: the paper (and its arXiv metadata, when fetched), then your tags and
    note (Markdown, drawn: `reader.note_markdown`) under the abstract; without a paper, why."""
    paper, spans, meta = pane.paper, pane.spans, pane.meta
    if paper is None:
        return Text(pane.message, style="dim italic")
    title = _highlight(Text(inert_lines(paper.title), Style(bold=True)), "title", spans)
    authors = paper.authors or (meta.authors if meta is not None else ())
    facts = Text(style="dim")
    facts.append(week_label(paper.week))
    if paper.category:
        facts.append("  ·  ")
        facts.append_text(_highlight(Text(inert(paper.category)), "category", spans))
    if paper.arxiv_id:
        facts.append(f"  ·  arXiv:{paper.arxiv_id}")
    if pane.read is not None:
        facts.append("  ·  read" if pane.read else "  ·  unread")
    if pane.starred:
        facts.append("  ·  ★ starred")
    link = Text(inert(paper.link), Style(underline=True, color="bright_blue"))
    if is_web_link(paper.link):
        link.stylize(Style(link=paper.link.strip()))
    parts: list[Text] = [title]
    if authors:
        parts.append(_authors_line(authors, spans))
    parts.append(facts)
    if pane.sources:  # an inbox of feeds: where the paper was picked
        parts.append(Text(f"From: {inert(pane.sources)}", style="italic"))
    parts.append(link)
    if paper.arxiv_id:
        pdf = Text("PDF: ", style="dim")
        pdf_link = pdf_url(paper.arxiv_id)
        pdf.append(pdf_link, Style(underline=True, color="bright_blue", link=pdf_link))
        parts.append(pdf)
    for extra in paper.links:
        line = Text(f"{inert(extra.label)}: ", style="dim")
        url = Text(inert(extra.url), Style(underline=True))
        if is_web_link(extra.url):
            url.stylize(Style(link=extra.url.strip()))
        line.append_text(url)
        parts.append(line)
    if meta is not None:
        parts += _metadata_lines(meta)
    if pane.score is not None:
        parts.append(_similar_line(pane.similar, pane.score))
    if pane.other_weeks:
        weeks = ", ".join(week_label(week) for week in pane.other_weeks)
        parts.append(Text(f"⧉ Also in the week of {weeks}", style="italic"))
    if paper.summary:
        summary = Text("Summary: ", Style(bold=True, dim=True))
        summary.append_text(_with_math(inert_lines(paper.summary), "abstract", spans, None))
        parts += [Text(""), summary]
    abstract = _with_math(inert(paper.text), "abstract", spans, PLACEHOLDER)
    if abstract.plain:
        parts += [Text(""), abstract]
    elif not paper.summary:
        parts += [Text(""), Text("(no abstract)", style="dim italic")]
    if pane.tags:
        line = Text("Tags: ", Style(bold=True, dim=True))
        line.append(" ".join(f"#{inert(tag)}" for tag in pane.tags), Style(color="cyan"))
        parts += [Text(""), line]
    note = pane.note.strip()
    if note:
        heading = Text("Note", Style(bold=True, underline=True))
        from reader.note_markdown import note_text  # markdown-it: imported once a note shows

        parts += [Text(""), heading, _highlight(note_text(note), "note", spans)]
    elif pane.conflicts:
        heading = Text("Note", Style(bold=True, underline=True))
        parts += [Text(""), heading, Text("(removed)", style="dim italic")]
    for other in pane.conflicts:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(other.when))
        heading = Text(f"Also written on {inert(other.machine)}, {when}", Style(bold=True))
        hint = Text("  K keeps the note above · N edits both", style="dim")
        parts += [Text(""), heading + hint, Text(inert_lines(other.text.strip()), style="yellow")]
    return Text("\n").join(parts)


def _similar_line(words: Sequence[str], score: float) -> Text:
    """Under a `like:` query: the words the paper shares with what it is like, highlighted as
    in the text, and its score."""
    line = Text("Similar: ", Style(bold=True, dim=True))
    if words:
        for number, word in enumerate(words):
            if number:
                line.append(" · ", style="dim")
            line.append(inert(word), MATCH)
    else:
        line.append("nothing shared", style="dim italic")
    line.append(f"  ({score:.2f})", style="dim")
    return line


AUTHORS_SHOWN = 30
"""Authors named in the pane; a longer list ends with "and N more"."""


def _authors_line(authors: Sequence[str], spans: Spans | None) -> Text:
    shown = ", ".join(inert(name) for name in authors[:AUTHORS_SHOWN])
    line = _highlight(Text(shown, Style(italic=True)), "author", spans)
    if len(authors) > AUTHORS_SHOWN:
        line.append(f" and {len(authors) - AUTHORS_SHOWN} more", style="dim italic")
    return line


def _metadata_lines(meta: Metadata) -> list[Text]:
    """What arXiv's metadata adds: versions, primary category, comment, journal, DOI."""
    facts: list[str] = []
    if meta.published is not None:
        facts.append(f"first version {meta.published.isoformat()}")
    if meta.updated is not None and meta.updated != meta.published:
        version = f"v{meta.version} " if meta.version else "latest "
        facts.append(f"{version}{meta.updated.isoformat()}")
    if meta.primary_category:
        facts.append(f"primary {inert(meta.primary_category)}")
    lines = [Text("arXiv: " + " · ".join(facts), style="dim")] if facts else []
    for label, value in (
        ("Comment", meta.comment),
        ("Journal", meta.journal_ref),
        ("DOI", meta.doi),
    ):
        if value:
            line = Text(f"{label}: ", style="dim")
            line.append(inert(value))
            lines.append(line)
    return lines


PANES_KEPT = 8
"""Papers' wrapped lines the pane keeps (`AbstractPane.show`): the one shown, those ahead."""

MEASURE = 100

LINES_KEPT = 600
"""Wrapped lines the pane keeps drawn (`AbstractPane._drawn`): more than the papers kept have."""
"""The pane's lines are wrapped at most this wide, a readable measure on a wide screen."""


VI_SCROLL_KEYS: list[BindingType] = [
    Binding("j", "scroll_down", "Down", show=False),
    Binding("k", "scroll_up", "Up", show=False),
    Binding("g", "scroll_home", "Top", show=False),
    Binding("G", "scroll_end", "Bottom", show=False),
    Binding("space", "page_down", "Page down", show=False),
]


class InstantScroll(ScrollableContainer):
    """Scrolling by key jumps at once (no animation), so a key's effect is there when it is seen;
    vi keys and Space work as in the lists."""

    BINDINGS: ClassVar[list[BindingType]] = VI_SCROLL_KEYS

    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)


class AbstractPane(QuietScrollbars, InstantScroll, ScrollView, can_focus=True):
    """Scrollable details of one paper, drawn with the Line API.

    The text is wrapped once per paper (and per width); showing another paper changes no
    layout, so a cursor move repaints only this pane's lines.
    """

    DEFAULT_CSS = """
    AbstractPane {
        padding: 0 1; overflow-x: hidden; overflow-y: scroll; scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._styles_cache: PlainStylesCache = PlainStylesCache()
        self._wrapper = Wrapper()
        self.content = Text()
        self._lines: list[Strip] = []
        self._wrapped_width = -1
        self._drawn: dict[int, tuple[Strip, Strip]] = {}
        """Wrapped lines (by `id`) as drawn: padded to the width, in the widget's style, for
        `_drawn_as`. Scrolling back, a paper shown again (its wrapped lines are kept) or drawn
        after its lines were styled ahead (`prepare`) draws the same strips again, which the
        styles cache then finds finished (`PlainStylesCache`)."""
        self._drawn_as: tuple[int, Style] | None = None
        self._kept: dict[tuple[Hashable, int], tuple[Text, list[Strip]]] = {}
        """Contents shown or prepared, wrapped, by what they show and the width (`show`)."""

    def show_paper(self, content: Text) -> None:
        """Show `content` from its top.

        Only the lines that differ from what is shown are repainted: the same paper under a
        longer query (a filter keystroke) often changes a highlight on a line or two, or none."""
        shown = self._lines if self.scroll_offset.y == 0 else None
        self.content = content
        self._wrap(force=True, shown=shown)
        self.scroll_to(y=0, animate=False, immediate=True)

    def show(self, key: Hashable, render: Callable[[], Text]) -> None:
        """`show_paper(render())`, where `key` says all that `render()` shows: lines wrapped
        for that key before (`prepare`, or shown) are not rendered nor wrapped again."""
        width = self._width()
        try:
            kept = self._kept.get((key, width))
        except TypeError:  # a key that cannot be hashed: shown, not kept
            self.show_paper(render())
            return
        if kept is None:
            self.show_paper(render())
            self._keep(key, width, self.content, self._lines)
            return
        shown = self._lines if self.scroll_offset.y == 0 else None
        self.content = kept[0]
        self._show_lines(kept[1], width, shown)
        self.scroll_to(y=0, animate=False, immediate=True)

    def prepare(self, key: Hashable, render: Callable[[], Text]) -> None:
        """Render and wrap what `show(key, render)` will show, ahead, at the pane's width."""
        width = self._width()
        try:
            if width <= 0 or (key, width) in self._kept:
                return
        except TypeError:  # a key that cannot be hashed: nothing ahead
            return
        content = render()
        lines = self._wrapped(content, width)
        self._keep(key, width, content, lines)
        with frame_style(self):  # styled and finished ahead too: the frame then finds them
            width = content_width(self)
            style = base_style(self)
            drawn = [self._drawn_line(line, width, style) for line in lines[: self.size.height]]
        self._styles_cache.prepare(self, drawn)

    def _keep(self, key: Hashable, width: int, content: Text, lines: list[Strip]) -> None:
        if len(self._kept) >= PANES_KEPT:
            del self._kept[next(iter(self._kept))]
        self._kept[key, width] = (content, lines)

    def _width(self) -> int:
        return min(self.scrollable_content_region.width, MEASURE)

    def _wrapped(self, content: Text, width: int) -> list[Strip]:
        """`content` wrapped `width` wide (`Text.wrap`), a strip a line: what it has in common
        with what was wrapped before (the same paper under a longer query) is not worked out
        again (`Wrapper`)."""
        return self._wrapper.strips(content, self.app.console, width)

    def _wrap(self, force: bool = False, shown: list[Strip] | None = None) -> None:
        width = self._width()
        if width == self._wrapped_width and not force:
            return
        self._show_lines(self._wrapped(self.content, width), width, shown)

    def _show_lines(self, lines: list[Strip], width: int, shown: list[Strip] | None) -> None:
        """Show `lines` (wrapped `width` wide) where `shown` (None: unknown) were: only those
        that differ are repainted."""
        same_width = width == self._wrapped_width
        self._wrapped_width = width
        self._lines = lines
        if shown is None or not same_width:
            set_virtual_size(self, Size(width, len(lines)))
            self.refresh()
            return
        if len(shown) != len(lines) and set_virtual_size(
            self, Size(width, len(lines)), repaint=False
        ):
            return  # laid out: all of it repainted
        changed = []
        for y in range(self.size.height):
            old = shown[y] if y < len(shown) else None
            new = lines[y] if y < len(lines) else None
            if old != new:  # (blank below both: no repaint)
                changed.append(y)
        refresh_runs(self, changed)  # at the top (y 0): the virtual lines are the pane's

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Wrapped in the layout that gives the pane its width, before that layout's frame is
        drawn: the first frame shows the abstract (`on_resize` comes a frame later)."""
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        self._wrap()
        return resized

    def on_resize(self, event: events.Resize) -> None:
        self._wrap()

    def render_lines(self, crop: Region) -> list[Strip]:
        with frame_style(self):
            return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = content_width(self)
        row = y + self.scroll_offset.y
        style = base_style(self)
        if not 0 <= row < len(self._lines):
            return Strip.blank(width, style)
        return self._drawn_line(self._lines[row], width, style)

    def _drawn_line(self, line: Strip, width: int, style: Style) -> Strip:
        """`line` padded to `width` in the widget's `style`, as drawn before when it was."""
        if self._drawn_as != (width, style):
            self._drawn.clear()
            self._drawn_as = (width, style)
        drawn = self._drawn.get(id(line))
        if drawn is not None and drawn[0] is line:
            return drawn[1]
        pad = width - line.cell_length
        cropped = line.crop_extend(0, width, None) if pad < 0 else line
        segments = [*cropped, Segment(" " * pad)] if pad > 0 else cropped
        strip = Strip(Segment.apply_style(segments, style), width)
        if len(self._drawn) >= LINES_KEPT:
            self._drawn.clear()
        self._drawn[id(line)] = (line, strip)
        return strip
