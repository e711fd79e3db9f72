"""The abstract pane: everything about the highlighted paper, scrollable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from reader.model import Paper
from reader.text import PLACEHOLDER, inert, is_web_link

Spans = Callable[[str, str], list[tuple[int, int]]]

MATCH = Style(bgcolor="yellow", color="black", bold=True)


def _highlight(text: Text, field: str, spans: Spans | None) -> Text:
    if spans is not None:
        for start, end in spans(text.plain, field):
            text.stylize(MATCH, start, end)
    return text


def render_paper(
    paper: Paper,
    *,
    spans: Spans | None = None,
    other_weeks: Sequence[date] = (),
    read: bool | None = None,
    starred: bool = False,
) -> Text:
    """The pane's content for `paper`."""
    title = _highlight(Text(inert(paper.title), Style(bold=True)), "title", spans)
    meta = Text(style="dim")
    meta.append(paper.week.isoformat())
    if paper.category:
        meta.append("  ·  ")
        meta.append_text(_highlight(Text(inert(paper.category)), "category", spans))
    if paper.arxiv_id:
        meta.append(f"  ·  arXiv:{paper.arxiv_id}")
    if read is not None:
        meta.append("  ·  read" if read else "  ·  unread")
    if starred:
        meta.append("  ·  ★ starred")
    link = Text(inert(paper.link), Style(underline=True, color="bright_blue"))
    if is_web_link(paper.link):
        link.stylize(Style(link=paper.link.strip()))
    parts: list[Text] = [title, meta, link]
    for extra in paper.links:
        line = Text(f"{inert(extra.label)}: ", style="dim")
        url = Text(inert(extra.url), Style(underline=True))
        if is_web_link(extra.url):
            url.stylize(Style(link=extra.url.strip()))
        line.append_text(url)
        parts.append(line)
    if other_weeks:
        weeks = ", ".join(week.isoformat() for week in other_weeks)
        parts.append(Text(f"⧉ Also in the week of {weeks}", style="italic"))
    if paper.summary:
        summary = Text("Summary: ", Style(bold=True, dim=True))
        summary.append_text(_highlight(Text(inert(paper.summary)), "abstract", spans))
        parts += [Text(""), summary]
    abstract = Text(inert(paper.text))
    for match in PLACEHOLDER.finditer(abstract.plain):
        abstract.stylize(Style(dim=True, italic=True), match.start(), match.end())
    _highlight(abstract, "abstract", spans)
    if abstract.plain:
        parts += [Text(""), abstract]
    elif not paper.summary:
        parts += [Text(""), Text("(no abstract)", style="dim italic")]
    return Text("\n").join(parts)


class KeyScroll(VerticalScroll):
    """A vertical scroll that also answers vi keys and Space, like the lists."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("space", "page_down", "Page down", show=False),
    ]


class AbstractPane(KeyScroll, can_focus=True):
    """Scrollable details of one paper."""

    DEFAULT_CSS = """
    AbstractPane { padding: 0 1; }
    AbstractPane > Static { width: 1fr; height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.content = Text()

    def compose(self) -> ComposeResult:
        yield Static(id="abstract-body")

    def show_paper(self, content: Text) -> None:
        """Show `content` from its top."""
        self.content = content
        self.query_one("#abstract-body", Static).update(content)
        self.scroll_home(animate=False)
