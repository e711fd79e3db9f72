"""Small modal editors: a paper's note, its tags, the name of a saved search.

One rule for all of them, said in each: Esc cancels, a key saves (Enter for a line, ctrl+s for
the note, where Enter is a new line); Esc on a changed note asks before throwing the changes
away. Each applies its result itself, synchronously, before it closes (a dismiss callback would
run a message later, after the keys typed behind Enter had been routed), and takes every key
while it is open: the App routes printable keys, Enter and Tab straight into the focused editor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from reader.screens.modal import BoxedModal
from reader.text import inert


def _markdown_area(text: str) -> TextArea:
    try:
        area = TextArea(text, language="markdown", soft_wrap=True, id="note-text")
    except Exception:  # no tree-sitter grammar here: plain text is fine
        area = TextArea(text, soft_wrap=True, id="note-text")
    area.cursor_blink = False
    area.show_line_numbers = False
    return area


NOTE_HELP = "Markdown · ctrl+s saves · Esc cancels · an emptied note is removed"
LINE_HELP = "Enter saves · Esc cancels"


class NoteEditor(BoxedModal):
    """A paper's note (Markdown). Ctrl+S saves it and closes (an emptied note is removed); Esc
    cancels, asking first when the text was changed (`DiscardNote`); every other key edits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", "Save the note", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    BOX = "note-box"
    DEFAULT_CSS = """
    NoteEditor > #note-box { width: 90%; max-width: 100; height: 80%; }
    NoteEditor #note-title { height: auto; margin-bottom: 1; }
    NoteEditor #note-text { height: 1fr; }
    NoteEditor #note-help { height: auto; color: $text-muted; }
    """

    def __init__(self, title: str, text: str, keep: Callable[[str], None]) -> None:
        super().__init__(id="note-editor")
        self.paper_title = title
        self.text = text
        self.keep = keep

    def box(self) -> ComposeResult:
        yield Static(
            Text.assemble(("Note · ", "bold"), inert(self.paper_title)), id="note-title"
        )
        yield _markdown_area(self.text)
        yield Static(NOTE_HELP, id="note-help")

    def focused_widget(self) -> Widget:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)
        return area

    def action_keep(self) -> None:
        self.keep(self.query_one(TextArea).text)
        self.dismiss()

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self.text:
            self.dismiss()
        else:
            self.app.push_screen(DiscardNote(self))


class DiscardNote(BoxedModal):
    """Esc on a changed note: y throws the changes away, n or Esc goes back to the note, ctrl+s
    saves it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "discard", "Throw away", priority=True),
        Binding("n,escape", "back", "Back to the note", priority=True),
        Binding("ctrl+s", "keep", "Save", priority=True),
    ]

    BOX = "discard-box"
    DEFAULT_CSS = """
    DiscardNote > #discard-box { width: 90%; max-width: 74; border: round $warning; }
    """

    def __init__(self, editor: NoteEditor) -> None:
        super().__init__(id="discard-note")
        self.editor = editor

    def box(self) -> ComposeResult:
        yield Static(Text("Throw away the changes to this note?", style="bold"))
        yield Static("y throws them away · n or Esc goes back to the note · ctrl+s saves")

    def action_discard(self) -> None:
        self.dismiss()
        self.editor.dismiss()

    def action_back(self) -> None:
        self.dismiss()

    def action_keep(self) -> None:
        self.dismiss()
        self.editor.action_keep()


class LastWordSuggester(Suggester):
    """Completes the last space-separated word of the value from `words` (after a `-` too)."""

    def __init__(self, words: Iterable[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.words = sorted(words)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(" ")
        sign = "-" if last.startswith("-") else ""
        stem = last[len(sign) :].lower()
        if not stem:
            return None
        for word in self.words:
            if word.startswith(stem) and word != stem:
                return f"{head} {sign}{word}".lstrip() if head else f"{sign}{word}"
        return None


class LineEditor(BoxedModal):
    """One line of text: Enter saves it, Esc cancels (both said under it). Right (or End)
    takes a suggestion."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "Apply", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    BOX = "line-box"
    DEFAULT_CSS = """
    LineEditor > #line-box { width: 80%; max-width: 90; }
    LineEditor #line-title { height: auto; }
    LineEditor #line-hint { height: auto; }
    LineEditor #line-keys { height: auto; }
    """

    def __init__(
        self,
        title: str,
        value: str,
        apply: Callable[[str], None],
        *,
        hint: str = "",
        words: Iterable[str] = (),
        placeholder: str = "",
        editor_id: str = "line-editor",
    ) -> None:
        super().__init__(id=editor_id)
        self.heading = title
        self.value = value
        self.apply = apply
        self.hint = hint
        self.words = tuple(words)
        self.placeholder = placeholder

    def box(self) -> ComposeResult:
        yield Static(Text(inert(self.heading), style="bold"), id="line-title")
        yield Input(
            self.value,
            placeholder=self.placeholder,
            suggester=LastWordSuggester(self.words) if self.words else None,
            select_on_focus=False,
            id="line-input",
        )
        if self.hint:
            yield Static(Text(inert(self.hint), style="dim"), id="line-hint")
        yield Static(Text(LINE_HELP, style="dim"), id="line-keys")

    def focused_widget(self) -> Widget:
        line = self.query_one(Input)
        line.cursor_blink = False
        line.cursor_position = len(line.value)
        return line

    def action_apply(self) -> None:
        self.apply(self.query_one(Input).value)
        self.dismiss()

    def action_cancel(self) -> None:
        self.dismiss()
