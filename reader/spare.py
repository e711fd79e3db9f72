"""A tab's reader that `reader --serve` starts before its tab (issue 26): when a page's websocket
comes, the imports, the digest and the App are ready, and only the tab's size is missing. Such a
reader (`READER_SERVE_SPARE` set) waits here, just before the App starts, for the one packet the
server sends when a tab takes it: textual-serve's meta packet (`M`, the length in 4 bytes
big-endian, JSON) `{"type": "size", "width": W, "height": H}`; the size goes where Textual's
web driver reads it (COLUMNS, ROWS). Anything else,
or the end of its input (the server let it go, or ended), and it ends without drawing. It may
wait minutes (one waits from the server's start): the reading state is read again once the
size has come (`store.refresh()` in `reader.cli.tui`), and the server does not use a spare whose
files changed meanwhile.

Standard library only: this runs in every tab's reader before the App starts.
"""

from __future__ import annotations

import json
import os
import select
import time

MAX_PACKET = 4096
PACKET_SECONDS = 10.0
"""The longest the size packet takes to arrive once its header has."""
MAX_COLUMNS, MAX_ROWS = 500, 200
"""As `reader.serve` clamps a tab's size."""


def _read_exactly(fd: int, count: int, deadline: float | None) -> bytes | None:
    data = b""
    while len(data) < count:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return None
        if not select.select([fd], [], [], left)[0]:
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


def wait_for_size(fd: int = 0, timeout: float | None = None) -> bool:
    """Wait for the tab's size on `fd` (at most `timeout` seconds; None: until it comes or the
    input ends) and set COLUMNS and ROWS to it: True; False when the server let this reader go
    (see the module)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    header = _read_exactly(fd, 5, deadline)
    if header is None or header[:1] != b"M":
        return False
    length = int.from_bytes(header[1:], "big")
    if length > MAX_PACKET:
        return False
    if deadline is None:  # the rest of the packet follows its header at once
        deadline = time.monotonic() + PACKET_SECONDS
    payload = _read_exactly(fd, length, deadline)
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
