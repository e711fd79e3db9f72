"""`BoxedModal`: a modal screen that is one box in the middle of the screen (a heading, what it
edits or lists, a line of help), as the note and line editors and the links list are."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget


class BoxedModal(ModalScreen[None]):
    """A box in the middle of the screen (`BOX`, its id: each subclass sizes it in its own CSS)
    holding what `box` yields; the widget `focused` names takes the focus when it opens."""

    BOX: ClassVar[str]

    DEFAULT_CSS = """
    BoxedModal { align: center middle; }
    BoxedModal > .modal-box {
        height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX, classes="modal-box"):
            yield from self.box()

    def box(self) -> ComposeResult:
        """The box's widgets, top to bottom."""
        raise NotImplementedError

    def focused_widget(self) -> Widget | None:
        """The widget that takes the focus when the box opens (None: none does)."""
        return None

    def on_mount(self) -> None:
        widget = self.focused_widget()
        if widget is not None:
            self.set_focus(widget)
