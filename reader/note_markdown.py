"""A note's Markdown as styled text for the abstract pane: no Textual here.

Headings, emphasis, code, lists, quotes and rules are drawn; the note's text is made inert first
and again after parsing (an entity such as `&#27;` would otherwise become ESC), raw HTML is shown
as written, and nothing is fetched or linked: a link shows its text and then its address, an
image its description and its address (`[image: a chart] (https://…)`). Parsed with
markdown-it-py (CommonMark), which Rich and Textual already depend on, imported when a note is
first shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text

from reader.text import inert_lines

if TYPE_CHECKING:
    from markdown_it.token import Token

HEADING = Style(bold=True)
TOP_HEADING = Style(bold=True, underline=True)
CODE = Style(bold=True)
DIM = Style(dim=True)
_INLINE_STYLES = {
    "em_open": Style(italic=True),
    "strong_open": Style(bold=True),
    "s_open": Style(strike=True),
    "link_open": Style(underline=True),
}

_parser: Any = None


def _parse(source: str) -> list[Token]:
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("commonmark", {"html": False})  # HTML stays text
    tokens: list[Token] = _parser.parse(source)
    return tokens


def _safe(text: str) -> str:
    return inert_lines(text.replace("\t", "    "))


def _inline(children: list[Token]) -> Text:
    """An inline run (a paragraph's, a heading's) as one Text; breaks are line feeds."""
    out = Text()
    styles: list[Style] = []
    links: list[str] = []

    def style() -> Style:
        return Style.combine(styles) if styles else Style()

    for token in children:
        kind = token.type
        if kind == "text":
            out.append(_safe(token.content), style())
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "code_inline":
            out.append(_safe(token.content), style() + CODE)
        elif kind in _INLINE_STYLES:
            styles.append(_INLINE_STYLES[kind])
            if kind == "link_open":
                links.append(str(token.attrs.get("href", "")))
        elif kind in ("em_close", "strong_close", "s_close", "link_close"):
            if styles:
                styles.pop()
            if kind == "link_close" and links:
                href = links.pop()
                if href and not out.plain.endswith(href):
                    out.append(f" ({_safe(href)})", DIM)
        elif kind == "image":
            alt = _safe(token.content)
            src = _safe(str(token.attrs.get("src", "")))
            out.append(f"[image: {alt}]" if alt else "[image]", style() + DIM)
            if src:
                out.append(f" ({src})", DIM)
        else:  # html_inline and anything else: as written
            out.append(_safe(token.content), style())
    return out


def _line(quote: str, lead: str, text: Text) -> Text:
    line = Text()
    line.append(quote, DIM)
    line.append(lead)
    line.append_text(text)
    return line


def note_text(markdown: str) -> Text:
    """`markdown` (a note) drawn as Rich text: one block after another, a blank line between
    top-level blocks, list items marked `•` or `1.` and indented, quotes marked `│`."""
    lines: list[Text] = []
    lists: list[list[Any]] = []  # [ordered?, next number] per open list
    quotes = 0
    marker: str | None = None  # the current list item's marker, until its first line is out
    heading: Style | None = None
    for token in _parse(_safe(markdown)):
        kind = token.type
        top = not lists and not quotes
        if top and token.nesting == 1 and lines and kind != "list_item_open":
            lines.append(Text())
        if top and kind in ("fence", "code_block", "hr") and lines and lines[-1].plain:
            lines.append(Text())
        indent = "   " * max(len(lists) - 1, 0) + ("   " if lists and marker is None else "")
        quote = "│ " * quotes
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrs.get("start", 1)
            lists.append([kind == "ordered_list_open", int(start) if start else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            marker = f"{number}. " if ordered else "• "
            lists[-1][1] = number + 1
        elif kind == "list_item_close":
            marker = None
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            heading = TOP_HEADING if token.tag in ("h1", "h2") else HEADING
        elif kind == "heading_close":
            heading = None
        elif kind == "inline":
            text = _inline(token.children or [])
            if heading is not None:
                text.stylize(heading)
            for index, line in enumerate(text.split("\n", allow_blank=True)):
                lead = "   " * max(len(lists) - 1, 0)
                if lists:
                    lead += marker if marker is not None and index == 0 else "   "
                lines.append(_line(quote, lead, line))
            marker = None if lists else marker
        elif kind in ("fence", "code_block"):
            for code in _safe(token.content.rstrip("\n")).split("\n"):
                lines.append(_line(quote, indent, Text("  " + code, CODE + DIM)))
        elif kind == "hr":
            lines.append(Text(quote + "─" * 24, DIM))
    return Text("\n").join(lines)
