"""A note's Markdown drawn for the abstract pane (reader.note_markdown): styles, lists, quotes,
code; safe: no control sequence, no link, nothing fetched (issue 24, item 18)."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style

from reader.note_markdown import note_text


def styles_of(text: str, markdown: str) -> list[Style]:
    drawn = note_text(markdown)
    start = drawn.plain.index(text)
    return [
        span.style
        for span in drawn.spans
        if isinstance(span.style, Style) and span.start <= start < span.end
    ]


def test_blocks_are_drawn_not_shown_as_written() -> None:
    drawn = note_text(
        "# Plan\n\nRead **twice**, *slowly*; run `make`.\nThen:\n\n- one\n- two\n  1. a\n\n"
        "> quoted\n\n```\nx = 1\n```\n\n---\nend"
    )
    assert drawn.plain == (
        "Plan\n\nRead twice, slowly; run make.\nThen:\n\n• one\n• two\n   1. a\n\n│ quoted\n\n"
        "  x = 1\n\n" + "─" * 24 + "\n\nend"
    )


def test_inline_styles() -> None:
    markdown = "# Top\n\n### Small\n\n**b** *i* `c`"
    assert any(s.bold and s.underline for s in styles_of("Top", markdown))
    assert any(s.bold for s in styles_of("Small", markdown))
    assert not any(s.underline for s in styles_of("Small", markdown))
    assert any(s.bold for s in styles_of("b", markdown))
    assert any(s.italic for s in styles_of("i", markdown))


def test_links_and_images_show_their_address_and_link_nothing() -> None:
    drawn = note_text("[the code](https://github.com/x/y) ![a chart](http://example.org/c.png)")
    assert drawn.plain == (
        "the code (https://github.com/x/y) [image: a chart] (http://example.org/c.png)"
    )
    assert not any(isinstance(s.style, Style) and s.style.link for s in drawn.spans)
    output = Console(width=200, force_terminal=True, color_system="truecolor")
    with output.capture() as captured:
        output.print(drawn)
    assert "\x1b]8;" not in captured.get()  # no OSC 8 hyperlink


def test_control_characters_stay_inert_also_from_entities() -> None:
    drawn = note_text("a \x1b[31m b &#27;[2J &#x9b; <script>x</script>\n\n\x07")
    assert not any(ord(c) < 32 and c != "\n" for c in drawn.plain)
    assert "\x9b" not in drawn.plain and "\x1b" not in drawn.plain
    assert "␛[31m" in drawn.plain
    assert "<script>x</script>" in drawn.plain  # HTML shown as written


def test_plain_lines_stay_lines() -> None:
    assert note_text("first\nsecond").plain == "first\nsecond"
    assert note_text("").plain == ""
