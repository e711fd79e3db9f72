"""The offline drill in a real terminal (tmux): `reader --latest` pointed at a server on
127.0.0.1, the server stops, `r` shows the offline notice and the reader keeps working."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.tui.test_drills_tui import Tmux, needs_tmux, reader_command
from tests.tui.test_drills_tui import tmux as tmux  # the fixture  # noqa: F401
from tests.webdigest import digest_route, readme, serve


@needs_tmux
def test_latest_then_the_server_stops_and_r_shows_the_offline_notice(
    tmp_path: Path, tmux: Tmux, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = serve()
    server = running.__enter__()
    try:
        server.routes["/README.md"] = digest_route(readme(6).encode(), etag='"1"')
        url = server.url("/README.md")
        tmux.start(
            [
                "env",
                f"READER_CACHE_DIR={tmp_path / 'cache'}",
                f"READER_LATEST_URL={url}",
                *reader_command(),
                "--latest",
                "--read-after",
                "-1",
            ],
            width=120,
            height=30,
        )
        screen = tmux.wait_for(lambda text: "Paper 1 of the week of 2026-11-29" in text)
        assert "README — 2026-11-29 · 10 papers" in screen  # fetched, opened on its newest week
        assert len(server.hits("/README.md")) == 1
    finally:
        running.__exit__(None, None, None)  # the server stops
    tmux("send-keys", "-t", "r", "r")
    screen = tmux.wait_for(lambda text: "(connection refused)" in text)
    toast = " ".join(line.rpartition("▌")[2].strip() for line in screen.splitlines() if "▌" in line)
    assert "README · offline copy" in screen
    assert re.search(
        rf"{re.escape(url)}: ?offline: the copy of \d{{4}}-\d\d-\d\d \d\d:\d\d \(connection", toast
    ), screen
    tmux("send-keys", "-t", "r", "j")  # the reader keeps working on the cached copy
    tmux.wait_for(lambda text: "▊ Paper 2 of the week of 2026-11-29" in text)
    tmux("send-keys", "-t", "r", "[")
    tmux.wait_for(lambda text: "2026-11-22 · 10 papers" in text)
    tmux("send-keys", "-t", "r", "q")
