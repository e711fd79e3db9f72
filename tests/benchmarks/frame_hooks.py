"""Run `reader` (or the bare app) with each key's frames logged: `frame_trace.py` reads the log.

`python frame_hooks.py LOG reader ARGS...` runs `reader ARGS...`; `python frame_hooks.py LOG bare
[LINES]` runs the bare app of `bare_app.py` (its x key changing LINES lines). Textual is
instrumented, not changed: each line of LOG is JSON with `t`, milliseconds on the monotonic
clock, and `ev`, one of

- `key`: a key event was made from the terminal's input (`key`);
- `routed`: reader finished handling that key (its whole update, before any frame);
- `layout`: the screen was laid out (`ms`);
- `widget`: a widget's lines were rendered for a frame (`widget`, `lines`, `ms`);
- `write`: the frame's bytes went to the terminal (`bytes`).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

LOG = open(sys.argv[1], "w", buffering=1, encoding="utf-8")  # noqa: SIM115


def _now() -> float:
    return time.monotonic() * 1000


def _log(event: str, **fields: Any) -> None:
    LOG.write(json.dumps({"ev": event, "t": round(_now(), 3), **fields}) + "\n")


def _wrap(owner: type, name: str, after: Callable[[Any, float, Any], None]) -> None:
    original = getattr(owner, name)

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = _now()
        result = original(self, *args, **kwargs)
        after(self, start, result)
        return result

    setattr(owner, name, wrapped)


def install() -> None:
    from textual import events
    from textual._styles_cache import StylesCache
    from textual.drivers.linux_driver import LinuxDriver
    from textual.screen import Screen

    key_init = events.Key.__init__

    def key_made(self: events.Key, *args: Any, **kwargs: Any) -> None:
        key_init(self, *args, **kwargs)
        _log("key", key=self.key)

    events.Key.__init__ = key_made  # type: ignore[method-assign]

    driver_write = LinuxDriver.write

    def write(self: LinuxDriver, data: str) -> None:
        _log("write", bytes=len(data.encode("utf-8", "replace")))
        driver_write(self, data)

    LinuxDriver.write = write  # type: ignore[method-assign]
    _wrap(Screen, "_refresh_layout", lambda _s, start, _r: _log("layout", ms=_now() - start))

    def rendered(widget: Any, start: float, strips: Any) -> None:
        name = type(widget).__name__ + (f"#{widget.id}" if widget.id else "")
        if type(widget).__name__ == "ScrollBar" and widget.parent is not None:
            parent = widget.parent
            name = f"ScrollBar of {type(parent).__name__}" + (f"#{parent.id}" if parent.id else "")
        _log("widget", widget=name, lines=len(strips), ms=round(_now() - start, 3))

    original = StylesCache.render_widget

    def render_widget(self: StylesCache, widget: Any, crop: Any) -> Any:
        before = len(self._cache)
        dirty = len(self._dirty_lines)
        start = _now()
        strips = original(self, widget, crop)
        if dirty or len(self._cache) != before or _now() - start > 0.3:
            rendered(widget, start, strips)
        return strips

    StylesCache.render_widget = render_widget  # type: ignore[method-assign]


def main() -> int:
    install()
    program = sys.argv[2]
    if program == "bare":
        from bare_app import BareApp

        BareApp(int(sys.argv[3]) if len(sys.argv) > 3 else 1).run()
        return 0
    from reader.app import ReaderApp

    route = ReaderApp._route_key

    async def routed(self: ReaderApp, event: Any) -> None:
        await route(self, event)
        _log("routed", key=event.key)

    ReaderApp._route_key = routed  # type: ignore[method-assign]
    from reader.cli import main as reader_main

    return reader_main(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
