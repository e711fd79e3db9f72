"""A tab's reader that `reader --serve` starts when the page is asked for, before the page's
websocket comes (issue 26): the imports, the digest and the reading state are ready by then,
and only the tab's size is missing. Such a reader (`READER_SERVE_SPARE` set) waits here, just
before the App starts, for the one packet the server sends when a tab takes it: textual-serve's
meta packet (`M`, the length in 4 bytes big-endian, JSON) `{"type": "size", "width": W,
"height": H}`; the size goes where Textual's web driver reads it (COLUMNS, ROWS). Anything else,
the end of its input or no packet within `WAIT_SECONDS`, and it ends without drawing.

Standard library only: this runs in every tab's reader before the App starts.
"""

from __future__ import annotations

import json
import os
import select
import time

WAIT_SECONDS = 60.0
"""The longest a spare waits for a tab (the server lets it go sooner: `serve.SPARE_SECONDS`)."""
MAX_PACKET = 4096
MAX_COLUMNS, MAX_ROWS = 500, 200
"""As `reader.serve` clamps a tab's size."""


def _read_exactly(fd: int, count: int, deadline: float) -> bytes | None:
    data = b""
    while len(data) < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, count - len(data))  # no more than the packet: the rest is Textual's
        if not chunk:
            return None
        data += chunk
    return data


def _whole(value: object, most: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return max(1, min(most, value))


def wait_for_size(fd: int = 0, timeout: float = WAIT_SECONDS) -> bool:
    """Wait for the tab's size on `fd` and set COLUMNS and ROWS to it: True; False when the
    server let this reader go (see the module)."""
    deadline = time.monotonic() + timeout
    header = _read_exactly(fd, 5, deadline)
    if header is None or header[:1] != b"M":
        return False
    length = int.from_bytes(header[1:], "big")
    payload = _read_exactly(fd, length, deadline) if length <= MAX_PACKET else None
    if payload is None:
        return False
    try:
        packet = json.loads(payload)
    except ValueError:
        return False
    if not isinstance(packet, dict) or packet.get("type") != "size":
        return False
    width, height = _whole(packet.get("width"), MAX_COLUMNS), _whole(packet.get("height"), MAX_ROWS)
    if width is None or height is None:
        return False
    os.environ["COLUMNS"], os.environ["ROWS"] = str(width), str(height)
    return True
