"""The base of the reader's App: every key routed at once, against the focus of the moment it
is typed, so a burst typed fast does what it would typed slowly (issue 10; see `on_event`)."""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import TYPE_CHECKING, Any, TypeGuard
from weakref import WeakSet

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.widgets import TextArea

HOLD_LIMIT = 2.0
"""Keys wait at most this many seconds for a screen being pushed to be ready for them."""


class TypeaheadApp(App[None]):
    """An App whose keys are each handled before the next is routed, as if typed slowly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: deque[events.Key] = deque()
        self._held_since = 0.0
        self._focused_screens: WeakSet[Screen[object]] = WeakSet()
        """Screens that have focused a widget once: a later loss of focus holds no keys."""

    async def on_event(self, event: events.Event) -> None:
        """Route a key from the terminal now, in the App's own task.

        Textual posts a key to the focused widget's queue and resolves its bindings when it has
        bubbled back, so focus changes and effects of one key came after the following keys of a
        burst had been routed. Here every key is resolved at once against the focus of that
        moment: priority bindings, then typing into a focused Input, then the focused chain's
        bindings. A screen that is being pushed (help, the palette, the main screen after
        loading) holds the keys behind it until it is mounted and focused.
        """
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._held_keys or not self._ready_for_keys():
            if not self._held_keys:
                self._held_since = time.monotonic()
                self.set_timer(0.005, self._release_held_keys)
            self._held_keys.append(event)
            return
        await self._route_key(event)

    def _ready_for_keys(self) -> bool:
        """False while the current screen has not mounted, or not yet focused its first widget."""
        screen = self.screen
        if not screen.is_mounted:
            return False
        if screen.focused is not None or screen in self._focused_screens:
            self._focused_screens.add(screen)
            return True
        return screen.AUTO_FOCUS == "" or not any(w.focusable for w in screen.query("*"))

    async def _release_held_keys(self) -> None:
        while self._held_keys:
            waited = time.monotonic() - self._held_since
            if not self._ready_for_keys() and waited < HOLD_LIMIT:
                self.set_timer(0.005, self._release_held_keys)
                return
            await self._route_key(self._held_keys.popleft())

    async def _route_key(self, event: events.Key) -> None:
        if not self.app_focus:
            self.app_focus = True
        if await self._check_bindings(event.key, priority=True):
            return
        if event.key in ("pagedown", "pageup") and _palette_list_unpaged(self.screen):
            return  # Textual's palette raises KeyError paging a list it has not laid out
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable:
            await focused._on_key(event)  # typed now, so the next key sees the new text
            return
        if _is_text_area(focused) and (event.is_printable or event.key in ("enter", "tab")):
            await focused._on_key(event)  # the note editor: text, new lines and indents
            return
        if await self._check_bindings(event.key):
            return
        explain = getattr(self.screen, "explain_idle_key", None)
        if explain is not None and explain(event.key):
            return  # a command that does not apply now said why
        event._reader_routed = True  # type: ignore[attr-defined]
        (focused or self.screen)._forward_event(event)

    async def _on_key(self, event: events.Key) -> None:
        if getattr(event, "_reader_routed", False):
            event.prevent_default()  # its bindings were looked up when it was routed


def _is_text_area(widget: Widget | None) -> TypeGuard[TextArea]:
    """`widget` is a TextArea (the note editor). Its module is imported when the first editor
    opens, not at start-up (~7 ms with the document classes): no TextArea before that."""
    module = sys.modules.get("textual.widgets._text_area")
    return module is not None and isinstance(widget, module.TextArea)


def _palette_list_unpaged(screen: Screen[object]) -> bool:
    """The palette's list is empty or has no room yet (paging it would raise, textual 8.2.8)."""
    from textual.command import CommandList, CommandPalette

    if not isinstance(screen, CommandPalette):
        return False
    commands = screen.query_one(CommandList)
    return not commands.option_count or not commands.scrollable_content_region
