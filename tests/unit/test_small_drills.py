"""The smaller drills of issue 23 (items 8 and 10): PDF names within the file system's byte
limit, the Atom parser's DOCTYPE refusal anywhere and in any encoding, stale temporary files in
the caches, and a cached copy in place of a fresh answer that is not a digest."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.arxiv import FeedError, parse_feed
from reader.arxiv_fetch import download_pdf, pdf_filename
from reader.cli import main
from reader.files import STALE_SECONDS
from reader.sources.fetch import fetch
from tests.arxiv_server import PDF_BODY, ArxivServer, Reply
from tests.webdigest import Server, digest_route, readme, serve, status_route

# --- PDF names ---------------------------------------------------------------------------------

EMOJI_TITLE = "😀" * 60


@pytest.mark.parametrize("arxiv_id", ["2305.14314", "cond-mat/0601001", "math.GT/0309136"])
def test_pdf_names_fit_the_file_systems_byte_limit(arxiv_id: str) -> None:
    name = pdf_filename(arxiv_id, EMOJI_TITLE)
    assert len(name.encode()) + len(" (9999)") <= 255
    assert name.startswith(arxiv_id.replace("/", "_") + " 😀") and name.endswith(".pdf")
    assert "\ufffd" not in name


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    running = ArxivServer()
    monkeypatch.setenv("READER_ARXIV_PDF", f"{running.url}/pdf/")
    yield running
    running.close()


def test_an_emoji_title_with_an_old_style_id_downloads(arxiv: ArxivServer, tmp_path: Path) -> None:
    """The drill: 60 emoji in a title, or an old-style id, gave "file name too long"."""
    arxiv.replies["/pdf/cond-mat/0601001"] = Reply(PDF_BODY, content_type="application/pdf")
    first = download_pdf("cond-mat/0601001", EMOJI_TITLE, tmp_path)
    second = download_pdf("cond-mat/0601001", EMOJI_TITLE, tmp_path)
    assert first.read_bytes() == second.read_bytes() == PDF_BODY
    assert second.name == first.name.removesuffix(".pdf") + " (2).pdf"


# --- the Atom parser ---------------------------------------------------------------------------

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
)
FEED = '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>\n'


@pytest.mark.parametrize(
    "body",
    [
        (BOMB + FEED).encode(),
        ("<!-- " + "x" * 5000 + " -->\n" + BOMB[22:] + FEED).encode(),
        ('<?xml version="1.0" encoding="UTF-16"?>' + BOMB[21:] + FEED).encode("utf-16"),
    ],
    ids=["at the top", "after a 5 KB comment", "in UTF-16"],
)
def test_a_doctype_is_refused_anywhere_in_any_encoding(body: bytes) -> None:
    """The drill: the guard read only the first 2 KB as UTF-8, so a DOCTYPE after a 4 KB
    comment or in UTF-16 passed it (expat then stopped the bomb; now it is refused as said)."""
    with pytest.raises(FeedError, match="DOCTYPE"):
        parse_feed(body)


# --- stale temporary files ---------------------------------------------------------------------


def test_stale_temporary_files_in_the_cache_are_removed(tmp_path: Path) -> None:
    """The drill: a kill -9 while writing left `.tmp` files (up to 137 MB) that nothing removed."""
    cache = tmp_path / "cache" / "http"
    cache.mkdir(parents=True)
    stale = cache / ".0123abcd.entry.k2j4h5.tmp"
    stale.write_bytes(b"x" * 1000)
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    live = cache / ".fedc.entry.a8s7d6.tmp"  # another instance writing right now
    live.write_bytes(b"y")
    mine = cache / "notes.txt"  # not ours
    mine.write_text("keep")
    os.utime(mine, (old, old))
    with serve() as server:
        server.routes["/d.md"] = digest_route(readme(1).encode())
        fetch(server.url("/d.md")).commit()
    assert not stale.exists()
    assert live.exists() and mine.exists()


# --- a cached copy in place of an answer that is not a digest -------------------------------------


@pytest.fixture
def web() -> Iterator[Server]:
    with serve() as server:
        yield server


@pytest.mark.parametrize(
    ("route", "why"),
    [
        (status_route(200, b"<!doctype html><p>Sign in to the Wi-Fi</p>", "text/html"), "HTML"),
        (status_route(200, b"| a | b |\n|---|---|\n| \xff\xfe |\n"), "not UTF-8"),
    ],
    ids=["html", "invalid utf-8"],
)
def test_print_uses_the_cached_copy_when_the_answer_is_not_a_digest(
    web: Server, route: object, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The drill: with a good cached copy, an HTML or invalid-UTF-8 answer made `--print` exit
    2 instead of using the copy with a notice."""
    web.routes["/potw.md"] = digest_route(readme(2).encode(), etag='"1"')
    assert main([web.url("/potw.md"), "--print", "--format", "links"]) == 0
    capsys.readouterr()
    web.routes["/potw.md"] = route  # type: ignore[assignment]
    assert main([web.url("/potw.md"), "--print", "--format", "links"]) == 0
    out, err = capsys.readouterr()
    assert out.count("https://arxiv.org/abs/") == 20
    assert "offline: the copy of" in err and why in err
    web.routes["/potw.md"] = digest_route(readme(2).encode(), etag='"1"')
    assert main([web.url("/potw.md"), "--print", "--format", "links"]) == 0  # the copy is whole
