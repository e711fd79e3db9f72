"""A screen that does not write its first frame again (issue 26).

Textual 8 writes a screen's first frame when the screen resumes (its first layout: every cell),
and then the same screen again, whole, two or three times within ~40 ms: the repaint the resume
asks for, the layout for the terminal's size that the driver posts once at start (the size the
screen was just laid out at), and the second layout of widgets whose size the first one set.
That is ~13 KB each in a terminal of 120x40 after reader's first frame, ~20 KB each through
`--serve`, where xterm.js parses and draws every one (the bare Textual app does the same).

Its first resume does not restyle every node (they were styled as they were mounted): see
`_on_screen_resume`.

`FirstFrameScreen` keeps what the terminal holds after its first frame, drawn whole, and drops a
later frame whose screen is the same, cell for cell (text and style); the first frame that
differs (or any frame a second later) is drawn and ends the watch, as does another screen drawn
over it or a suspension: from then on every frame is Textual's own. Textual's files are not
changed: `_compositor_refresh` is the one place its screens write a frame.
"""

from __future__ import annotations

import time

from textual import events
from textual.screen import Screen
from textual.strip import Strip

WATCH_SECONDS = 1.0
"""How long after the first frame a frame is compared with it (the repaints come within ~50 ms;
the watch costs a render of the screen's lines a frame)."""


class FirstFrameScreen(Screen[None]):
    """A full-screen screen (the main and loading screens) that writes its first frame once."""

    _frame_shown: list[Strip] | None = None
    """The screen as its first frame drew it, while frames are compared with it."""
    _frame_watch = True
    _frame_until = 0.0

    def _compositor_refresh(self) -> None:
        app = self.app
        compositor = self._compositor
        if not self._frame_watch or self is not app.screen or app.is_inline or app._batch_count:
            super()._compositor_refresh()
            return
        if self._frame_shown is None:
            # Only a frame that writes every cell can stand for what the terminal holds.
            whole = bool(compositor.widgets) and compositor.size.region in compositor._dirty_regions
            super()._compositor_refresh()
            if whole:
                self._frame_shown = compositor.render_strips()
                self._frame_until = time.monotonic() + WATCH_SECONDS
                # Suspended (Ctrl+Z, an editor), the terminal no longer holds this screen.
                app.app_suspend_signal.subscribe(self, self._end_watch)
            else:
                self._frame_watch = False
            return
        if time.monotonic() > self._frame_until or compositor.render_strips() != self._frame_shown:
            self._end_watch()
            super()._compositor_refresh()
            return
        compositor._dirty_regions.clear()  # drawn already: the terminal holds this screen
        self._dirty_widgets.clear()
        app._update_mouse_over(self)

    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual works every node's styles out again whenever a screen resumes. The first time,
        # each node was styled as it was mounted (again on a change of class or focus since), so
        # that pass finds what the nodes have: ~20M instructions of reader's start-up (issue
        # 26). A screen that comes back (help closed) is restyled as before.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        super()._on_screen_resume(event)

    def on_screen_suspend(self) -> None:
        # Another screen (help, the palette, a question) is drawn over this one: when this one
        # comes back, the terminal holds that screen, so its repaint must be written.
        self._end_watch()

    def _end_watch(self, _app: object = None) -> None:
        self._frame_watch, self._frame_shown = False, None
