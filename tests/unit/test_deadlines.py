"""Every wait has an overall deadline (issue 23, item 3): `--timeout` bounds a whole request, from
connecting to its last byte, against local servers that drip one byte at a time (each read is
answered well within the timeout, so a per-read timeout never fires). `--update` and
`--fetch-metadata` have a bound in all as well.

The bounds asserted are far above the deadlines (seconds against a server that would go on for
minutes), so a loaded machine does not make them fail."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import cli
from reader.arxiv_fetch import fetch_metadata
from reader.sources.fetch import FetchOptions, TransferError, fetch, opened
from reader.sources.updates import update_cached
from reader.state import StateStore
from tests.arxiv_server import ArxivServer, Reply
from tests.webdigest import Server, digest_route, drip_route, readme, serve

BODY = readme(2).encode()
FOREVER = 60.0
"""Far more than any deadline here: what a test asserts it stopped well before."""


@pytest.fixture
def web() -> Iterator[Server]:
    with serve() as server:
        yield server


@pytest.mark.parametrize("head", [True, False], ids=["headers", "body"])
def test_print_gives_up_on_a_dripping_server_after_its_timeout(
    web: Server, head: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: before, `reader URL --print --timeout 3` ran on past 75 s."""
    web.routes["/drip.md"] = drip_route(web, BODY, head=head, pause=0.05)
    started = time.monotonic()
    assert cli.main([web.url("/drip.md"), "--print", "--timeout", "1"]) == 2
    assert time.monotonic() - started < FOREVER / 4
    err = capsys.readouterr().err
    assert "cannot fetch: no complete answer within 1 s (and no cached copy)" in err


def test_a_dripping_server_falls_back_on_the_cached_copy(
    web: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    web.routes["/potw.md"] = digest_route(BODY, etag='"one"')
    assert cli.main([web.url("/potw.md"), "--print", "--format", "links"]) == 0
    capsys.readouterr()
    web.routes["/potw.md"] = drip_route(web, BODY, pause=0.05)
    assert cli.main([web.url("/potw.md"), "--print", "--format", "links", "--timeout", "1"]) == 0
    out, err = capsys.readouterr()
    assert out.count("https://arxiv.org/abs/") == 20
    assert "offline: the copy of" in err and "(no complete answer within 1 s)" in err


def test_the_deadline_covers_the_whole_request_not_each_read(web: Server) -> None:
    web.routes["/drip.md"] = drip_route(web, BODY, pause=0.05)
    import urllib.request

    request = urllib.request.Request(web.url("/drip.md"))
    started = time.monotonic()
    with (
        pytest.raises(TransferError, match="no complete answer within 0.5 s"),
        opened(request, timeout=10.0, whole=0.5) as response,
    ):
        while response.read1(1024):  # each byte comes within 0.05 s: no read times out
            pass
    assert time.monotonic() - started < FOREVER / 4


def test_update_gives_up_on_a_dripping_server(
    web: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: before, `reader --update --timeout 3` (the cron use) ran on past 30 s."""
    web.routes["/potw.md"] = digest_route(BODY, etag='"one"')
    fetch(web.url("/potw.md")).commit()
    web.routes["/potw.md"] = drip_route(web, BODY, head=True, pause=0.05)
    started = time.monotonic()
    assert cli.main(["--update", "--timeout", "1"]) == 2
    assert time.monotonic() - started < FOREVER / 4
    err = capsys.readouterr().err
    assert "(no complete answer within 1 s); not updated" in err


def test_update_stops_in_all_after_its_bound(web: Server) -> None:
    for name in ("a", "b", "c"):
        web.routes[f"/{name}.md"] = digest_route(BODY)
        fetch(web.url(f"/{name}.md")).commit()
        web.routes[f"/{name}.md"] = drip_route(web, BODY, pause=0.05)
    urls = [web.url(f"/{name}.md") for name in ("a", "b", "c")]
    started = time.monotonic()
    updates = list(update_cached(urls, FetchOptions(timeout=30.0), seconds=0.5))
    assert time.monotonic() - started < FOREVER / 4
    assert all(update.failed for update in updates)
    assert "no complete answer within 0.5 s" in updates[0].line
    assert updates[-1].line.endswith("not checked (--update stops after 0.5 s)")


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    running = ArxivServer()
    monkeypatch.setenv("READER_ARXIV_API", running.api_url)
    yield running
    running.close()


def test_fetch_metadata_gives_up_on_a_dripping_api(
    arxiv: ArxivServer, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: before, `--fetch-metadata` against an API dripping its answer ran on past
    40 s."""
    arxiv.api_reply = lambda ids: Reply(arxiv.feed(ids), drip=0.05)
    started = time.monotonic()
    assert cli.main(["--fetch-metadata", "--week", "2023-04-16", "--timeout", "1"]) == 0
    assert time.monotonic() - started < FOREVER / 4
    err = capsys.readouterr().err
    assert "arXiv API: no complete answer within 1 s" in err
    assert "fetched 0" in err and "1 failed request." in err


def test_fetch_metadata_stops_in_all_after_its_bound(arxiv: ArxivServer, tmp_path: Path) -> None:
    arxiv.api_reply = lambda ids: Reply(arxiv.feed(ids), drip=0.05)
    ids = [f"2301.{n:05d}" for n in range(250)]  # three requests of 100
    started = time.monotonic()
    with StateStore(tmp_path) as store:
        result = fetch_metadata(ids, store.arxiv, timeout=30.0, seconds=0.5)
    assert time.monotonic() - started < FOREVER / 4
    assert result.report is not None
    assert result.report.requests == 1
    assert result.report.errors[-1] == (
        "arXiv API: stopped after 0.5 s in all; 150 papers not asked"
    )
