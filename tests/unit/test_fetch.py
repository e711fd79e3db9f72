"""Fetching digests over HTTP with a cache: only a server on 127.0.0.1 that the tests start."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import cli
from reader.model import Digest
from reader.sources.fetch import (
    CachedCopy,
    FetchError,
    FetchOptions,
    cache_dir,
    cached_urls,
    fetch,
    is_url,
    latest_url,
    read_cached,
    redirect_allowed,
    write_cached,
)
from reader.sources.formats import LoadError
from reader.sources.loader import load_digest, source_stamp
from reader.sources.updates import describe_change
from reader.state import StateStore
from tests.webdigest import (
    Server,
    digest_route,
    endless_route,
    readme,
    redirect_route,
    serve,
    slow_route,
    stall_route,
    status_route,
)

ROOT = Path(__file__).resolve().parents[2]
NOTICE = re.compile(r"offline: the copy of \d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "http"  # beside the parsed-digest cache's "parsed"


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def body(weeks: int) -> bytes:
    return readme(weeks).encode()


# --- conditional GET ---------------------------------------------------------------------------


def test_200_then_304_then_a_changed_body_with_etag(server: Server, cache: Path) -> None:
    server.routes["/README.md"] = digest_route(body(3), etag='"v1"')
    url = server.url("/README.md")

    first = fetch(url)
    assert (first.status, first.changed, first.body) == ("downloaded", True, body(3))
    assert read_cached(url) is None  # nothing cached before the body is known good
    first.commit()
    assert "If-None-Match" not in server.hits("/README.md")[0]

    second = fetch(url)
    assert (second.status, second.changed, second.body) == ("not-modified", False, body(3))
    assert server.hits("/README.md")[1]["If-None-Match"] == '"v1"'
    second.commit()

    server.routes["/README.md"] = digest_route(body(5), etag='"v2"')
    third = fetch(url)
    assert (third.status, third.changed, third.body) == ("downloaded", True, body(5))
    third.commit()
    cached = read_cached(url)
    assert cached is not None and cached.body == body(5) and cached.etag == '"v2"'
    assert list(cache.glob("*.entry")) and not list(cache.glob(".*.tmp"))


def test_last_modified_is_sent_back_as_if_modified_since(server: Server) -> None:
    server.routes["/d.md"] = digest_route(body(2), modified=1_700_000_000)
    url = server.url("/d.md")
    fetch(url).commit()
    again = fetch(url)
    assert again.status == "not-modified"
    sent = server.hits("/d.md")[1]
    assert sent["If-Modified-Since"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert "If-None-Match" not in sent


def test_a_304_downloads_nothing_and_the_loader_keeps_the_cached_papers(server: Server) -> None:
    server.routes["/d.md"] = digest_route(body(4), etag='"x"')
    url = server.url("/d.md")
    assert len(load_digest([url])) == 40
    server.routes["/d.md"] = digest_route(b"", etag='"x"')  # a 200 now would be empty
    again = load_digest([url])
    assert len(again) == 40 and again.notices == ()


def test_a_server_without_validators_is_fetched_whole_and_seen_unchanged(server: Server) -> None:
    server.routes["/d.md"] = status_route(200, body(2))
    url = server.url("/d.md")
    fetch(url).commit()
    again = fetch(url)
    assert (again.status, again.changed) == ("downloaded", False)


# --- offline and failures ----------------------------------------------------------------------


def test_server_gone_falls_back_to_the_cached_copy_with_a_notice(cache: Path) -> None:
    with serve() as server:
        server.routes["/d.md"] = digest_route(body(3), etag='"1"')
        url = server.url("/d.md")
        load_digest([url])
    digest = load_digest([url])  # the server has stopped
    assert len(digest) == 30
    (notice,) = digest.notices
    assert notice.startswith(f"{url}: ")
    assert NOTICE.search(notice) and "(connection refused)" in notice


def test_urls_that_differ_only_in_their_query_keep_two_entries_and_two_offline_copies(
    cache: Path,
) -> None:
    """Feeds name a week or a date in the query string (`?week=...`): each URL is its own
    cache entry, and offline each gives back its own copy, not the other's."""
    paths = {"/d.md?week=2026-11-22": body(2), "/d.md?week=2026-11-29": body(3)}
    with serve() as server:
        for path, served in paths.items():
            server.routes[path] = digest_route(served, etag=f'"{len(served)}"')
        urls = [server.url(path) for path in paths]
        assert [len(load_digest([url])) for url in urls] == [20, 30]
    assert cached_urls() == sorted(urls)
    assert len(list(cache.glob("*.entry"))) == 2
    for url, served in zip(urls, paths.values(), strict=True):
        copy = read_cached(url)
        assert copy is not None and copy.body == served
    offline = [load_digest([url]) for url in urls]  # the server has stopped
    assert [len(digest) for digest in offline] == [20, 30]
    assert all(NOTICE.search(digest.notices[0]) for digest in offline)


def test_server_gone_and_nothing_cached_is_one_error_naming_the_url() -> None:
    with serve() as server:
        url = server.url("/d.md")
    with pytest.raises(FetchError) as raised:
        load_digest([url])
    assert str(raised.value) == f"{url}: cannot fetch: connection refused (and no cached copy)"


def test_503_falls_back_and_without_a_copy_is_an_error(server: Server) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    load_digest([url])
    server.routes["/d.md"] = status_route(503, b"<html>busy</html>", "text/html")
    digest = load_digest([url])
    assert len(digest) == 20
    assert "(HTTP 503 Service Unavailable)" in digest.notices[0]
    server.routes["/other.md"] = status_route(503)
    with pytest.raises(FetchError, match=r"/other\.md: cannot fetch: HTTP 503"):
        load_digest([server.url("/other.md")])


def test_a_stall_past_the_timeout_falls_back(server: Server) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    load_digest([url])
    server.routes["/d.md"] = stall_route(server)
    started = time.monotonic()
    digest = load_digest([url], fetching=FetchOptions(timeout=0.3))
    assert time.monotonic() - started < 10
    assert len(digest) == 20 and "(no complete answer within 0.3 s)" in digest.notices[0]


def test_a_stall_with_nothing_cached_is_an_error(server: Server) -> None:
    server.routes["/d.md"] = stall_route(server)
    with pytest.raises(FetchError, match=r"cannot fetch: no complete answer within 0\.2 s"):
        fetch(server.url("/d.md"), FetchOptions(timeout=0.2))


def test_offline_never_touches_the_network(server: Server) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    load_digest([url])
    seen = len(server.requests)
    digest = load_digest([url], fetching=FetchOptions(offline=True))
    assert len(digest) == 20 and NOTICE.search(digest.notices[0])
    with pytest.raises(FetchError) as refused:
        load_digest([server.url("/new.md")], fetching=FetchOptions(offline=True))
    assert str(refused.value) == (
        f"{server.url('/new.md')}: not in the cache, and --offline forbids fetching it"
    )
    assert len(server.requests) == seen


def test_a_damaged_cache_entry_is_ignored(server: Server, cache: Path) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    load_digest([url])
    (entry,) = cache.glob("*.entry")
    entry.write_bytes(entry.read_bytes()[:-100])  # cut short
    assert read_cached(url) is None
    assert fetch(url).status == "downloaded"  # no conditional GET for a copy it cannot use
    assert "If-None-Match" not in server.hits("/d.md")[-1]


# --- limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["ftp", "file", "gopher", "javascript"])
def test_only_http_and_https(scheme: str) -> None:
    url = f"{scheme}://127.0.0.1/README.md"
    assert is_url(url)
    with pytest.raises(FetchError, match=f"only http and https URLs can be read, not {scheme}:"):
        load_digest([url])


def test_a_body_announced_over_the_cap_is_not_read(server: Server) -> None:
    server.routes["/big.md"] = endless_route(announce=5000)
    with pytest.raises(FetchError, match=r"the body is over the 1 KB limit \(and no cached copy"):
        fetch(server.url("/big.md"), FetchOptions(max_bytes=1024))


def test_a_stream_over_the_cap_stops_while_streaming(server: Server) -> None:
    server.routes["/big.md"] = endless_route()
    with pytest.raises(FetchError, match="the body is over the 10 KB limit"):
        fetch(server.url("/big.md"), FetchOptions(max_bytes=10 * 1024))


def test_gzip_is_decompressed_and_capped_after_decompression(server: Server) -> None:
    packed = gzip.compress(body(3))

    def gzipped(request: BaseHTTPRequestHandler) -> None:
        assert "gzip" in (request.headers.get("Accept-Encoding") or "")
        request.send_response(200)
        request.send_header("Content-Encoding", "gzip")
        request.send_header("Content-Length", str(len(packed)))
        request.end_headers()
        request.wfile.write(packed)

    server.routes["/z.md"] = gzipped
    assert fetch(server.url("/z.md")).body == body(3)
    assert len(packed) < 4096 < len(body(3))
    with pytest.raises(FetchError, match="over the 4 KB limit"):
        fetch(server.url("/z.md"), FetchOptions(max_bytes=4096))


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("https://a.example/x", "https://b.example/y", True),
        ("http://a.example/x", "https://a.example/x", True),
        ("http://a.example/x", "http://b.example/y", True),
        ("https://a.example/x", "http://a.example/x", False),
        ("HTTPS://a.example/x", "Http://a.example/x", False),
        ("http://a.example/x", "file:///etc/passwd", False),
        ("https://a.example/x", "ftp://a.example/x", False),
    ],
)
def test_redirect_policy(source: str, target: str, allowed: bool) -> None:
    assert redirect_allowed(source, target) is allowed


def test_redirects_are_followed_and_a_downgrade_is_refused(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/d.md"] = digest_route(body(2))
    server.routes["/moved"] = redirect_route("/d.md", 301)
    server.routes["/moved-too"] = redirect_route("/d.md", 302)
    assert len(load_digest([server.url("/moved")])) == 20
    # No local TLS server: the real policy is asked as if the request had been made over https.
    policy = redirect_allowed
    monkeypatch.setattr(
        "reader.sources.fetch.redirect_allowed",
        lambda source, target: policy(source.replace("http:", "https:", 1), target),
    )
    with pytest.raises(FetchError, match=r"redirected to http://127\.0\.0\.1:\d+/d\.md: refused"):
        fetch(server.url("/moved-too"))
    fallen_back = load_digest([server.url("/moved")])  # a cached copy stands in
    assert len(fallen_back) == 20 and "refused" in fallen_back.notices[0]
    assert len(server.hits("/d.md")) == 1


def test_an_html_page_is_the_loaders_one_line_error(server: Server) -> None:
    page = b"<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>"
    server.routes["/portal"] = status_route(200, page, "text/html; charset=utf-8")
    server.routes["/sniffed"] = status_route(200, b"  <html><body>x</body></html>", "text/plain")
    packed = gzip.compress(b"\n<!doctype html><title>Error</title>" + b" " * 100_000)

    def gzipped_page(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Encoding", "gzip")
        request.send_header("Content-Length", str(len(packed)))
        request.end_headers()
        request.wfile.write(packed)

    server.routes["/gzipped"] = gzipped_page
    for path in ("/portal", "/sniffed", "/gzipped"):
        with pytest.raises(LoadError) as raised:
            load_digest([server.url(path)])
        assert str(raised.value).startswith(f"{server.url(path)}: an HTML page, not a digest")


def test_a_body_that_is_no_digest_is_never_cached(server: Server) -> None:
    url = server.url("/d.md")
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    load_digest([url])
    server.routes["/d.md"] = status_route(200, b"just some words\n")
    digest = load_digest([url])  # the cached copy, with a notice (issue 23)
    assert len(digest) == 20
    assert "offline: the copy of" in digest.notices[0]
    assert "(the answer is not a digest: no table" in digest.notices[0]
    cached = read_cached(url)
    assert cached is not None and cached.body == body(2)


def test_two_processes_fetching_at_once_leave_a_whole_entry(server: Server, cache: Path) -> None:
    bodies = [body(30), body(31)]
    served = [0]

    def alternate(request: BaseHTTPRequestHandler) -> None:
        served[0] += 1
        slow_route(bodies[served[0] % 2], pieces=20, pause=0.02)(request)

    server.routes["/d.md"] = alternate
    url = server.url("/d.md")
    script = (
        "import sys; from reader.sources.loader import load_digest; "
        "print(len(load_digest([sys.argv[1]])))"
    )
    env = {**os.environ, "READER_CACHE_DIR": str(cache.parent)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, url], cwd=ROOT, env=env, stdout=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = sorted(run.communicate(timeout=60)[0].decode().strip() for run in runs)
    assert all(run.returncode == 0 for run in runs)
    assert outputs == ["300", "310"]  # each got its own whole body, at the same time
    cached = read_cached(url)
    assert cached is not None and cached.body in bodies
    assert len(list(cache.glob("*.entry"))) == 1 and not list(cache.glob(".*.tmp"))


# --- settings, progress, what changed ----------------------------------------------------------


def test_latest_url_flag_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READER_LATEST_URL", raising=False)
    assert latest_url().startswith("https://raw.githubusercontent.com/dair-ai/")
    monkeypatch.setenv("READER_LATEST_URL", "http://127.0.0.1:9/env.md")
    assert latest_url() == "http://127.0.0.1:9/env.md"
    assert latest_url("http://127.0.0.1:9/flag.md") == "http://127.0.0.1:9/flag.md"


def test_cache_dir_is_under_the_user_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    if sys.platform.startswith("linux"):
        assert cache_dir() == Path("/somewhere/cache/reader/http")


def test_the_loader_hears_the_bytes_fetched(server: Server) -> None:
    server.routes["/d.md"] = slow_route(body(40), pieces=4, pause=0.06)
    heard: list[tuple[float, str]] = []
    load_digest([server.url("/d.md")], progress=lambda done, what: heard.append((done, what)))
    fetching = [(done, what) for done, what in heard if what.startswith("Fetching")]
    assert len(fetching) >= 2
    assert fetching[-1][0] == 1.0
    size = f"{len(body(40)) / 1024:.0f} KB"
    assert fetching[-1][1] == f"Fetching {server.url('/d.md')}: {size} of {size}"


def test_describe_change() -> None:
    from reader.sources.loader import parse_text

    def digest(weeks: int) -> Digest:
        return Digest(parse_text(readme(weeks), "README.md"))

    assert describe_change(digest(3), digest(5)) == "2 new weeks, 20 papers"
    assert describe_change(digest(3), digest(4)) == "1 new week, 10 papers"
    assert describe_change(digest(3), digest(3)) is None
    assert describe_change(digest(3), digest(2)) == "10 papers removed"  # issue 24: it said
    assert describe_change(digest(2), digest(3)) == "1 new week, 10 papers"
    swapped = Digest(list(digest(3).papers)[:-1] + list(digest(4).papers)[-1:])
    assert describe_change(digest(3), swapped) == "1 new week, 1 paper, 1 removed"
    edited = Digest([replace(p, title=p.title + "!") for p in digest(3).papers])
    assert describe_change(digest(3), edited) == "changed: no paper added or removed"
    more = Digest(list(digest(3).papers) + [p for p in digest(4).papers[:0]])
    assert describe_change(digest(3), more) is None


def test_watch_stamp_changes_every_period_for_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://127.0.0.1:9/d.md"
    monkeypatch.setattr("reader.sources.loader.time.time", lambda: 1000.0)
    first = source_stamp([url], url_every=300)
    monkeypatch.setattr("reader.sources.loader.time.time", lambda: 1100.0)
    assert source_stamp([url], url_every=300) == first
    monkeypatch.setattr("reader.sources.loader.time.time", lambda: 1200.0)
    assert source_stamp([url], url_every=300) != first


# --- the command line --------------------------------------------------------------------------


def test_cli_mixes_urls_files_and_standard_input(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], bundled_path: Path
) -> None:
    server.routes["/d.md"] = digest_route(body(2))
    code = cli.main([server.url("/d.md"), str(bundled_path), "--print", "--format", "links"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert len(out.splitlines()) == 20 + 123


def test_cli_latest_reads_the_configured_url(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/latest.md"] = digest_route(body(3))
    monkeypatch.setenv("READER_LATEST_URL", server.url("/latest.md"))
    assert cli.main(["--latest", "--print", "--week", "latest", "--format", "links"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "https://arxiv.org/abs/2611.36001"
    server.routes["/flag.md"] = digest_route(body(1))
    args = ["--latest", "--latest-url", server.url("/flag.md"), "--print", "--format", "links"]
    assert cli.main(args) == 0
    assert len(capsys.readouterr().out.splitlines()) == 10
    assert cli.main(["--latest-url", server.url("/flag.md"), "--print"]) == 2
    assert "--latest-url applies only with --latest" in capsys.readouterr().err


def test_cli_failure_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with serve() as server:
        url = server.url("/gone.md")
    assert cli.main([url, "--print"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"reader: error: {url}: cannot fetch: connection refused (and no cached copy)\n"


def test_cli_offline_copy_prints_the_notice_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with serve() as server:
        server.routes["/d.md"] = digest_route(body(2), etag='"1"')
        url = server.url("/d.md")
        assert cli.main([url, "--print", "--format", "links"]) == 0
    capsys.readouterr()
    assert cli.main([url, "--print", "--format", "links"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 20
    assert re.fullmatch(
        rf"reader: {re.escape(url)}: offline: the copy of [\d-]+ [\d:]+ \(connection refused\)\n",
        err,
    )


class _Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


class _AsciiTerminal(_Terminal):
    encoding = "ascii"


def test_print_shows_a_bar_on_stderr_only_when_it_is_a_terminal(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/d.md"] = slow_route(body(20), pieces=3, pause=0.15)
    assert cli.main([server.url("/d.md"), "--print", "--format", "links"]) == 0
    assert capsys.readouterr().err == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("COLUMNS", "200")
    assert cli.main([server.url("/d.md"), "--print", "--format", "links", "--timeout", "5"]) == 0
    shown = terminal.getvalue()
    assert f"\r\x1b[Kreader: fetching {server.url('/d.md')} " in shown
    assert "█" in shown and "░" in shown and " KB of 56 KB" in shown
    assert shown.endswith("\r\x1b[K")  # wiped: the papers on stdout are all that stays
    monkeypatch.setenv("COLUMNS", "50")  # a narrow terminal: one line each time, URL cut short
    terminal.truncate(0)
    terminal.seek(0)
    assert cli.main([server.url("/d.md"), "--print", "--format", "links"]) == 0
    drawn = [line for line in terminal.getvalue().split("\r\x1b[K") if line]
    assert drawn and all(len(line) <= 49 and "…" in line for line in drawn)
    assert all(line.startswith("reader: fetching http://") for line in drawn), drawn
    ascii_terminal = _AsciiTerminal()  # LC_ALL=C: the same bar in ASCII
    monkeypatch.setattr(sys, "stderr", ascii_terminal)
    monkeypatch.setenv("COLUMNS", "200")
    assert cli.main([server.url("/d.md"), "--print", "--format", "links"]) == 0
    assert "#" * 24 + " 56 KB of 56 KB" in ascii_terminal.getvalue()
    assert ascii_terminal.getvalue().isascii()


def test_update_revalidates_every_cached_url_and_says_what_changed(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/a.md"] = digest_route(body(3), etag='"a1"')
    server.routes["/b.md"] = digest_route(body(2), etag='"b1"')
    load_digest([server.url("/a.md"), server.url("/b.md")])
    assert cached_urls() == sorted([server.url("/a.md"), server.url("/b.md")])
    server.routes["/a.md"] = digest_route(body(5), etag='"a2"')
    assert cli.main(["--update"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == [
        f"{server.url('/a.md')}: 2 new weeks, 20 papers",
        f"{server.url('/b.md')}: nothing new, 20 papers in 2 weeks",
    ]
    server.routes["/b.md"] = status_route(500)
    assert cli.main(["--update"]) == 2
    out, err = capsys.readouterr()
    assert out == f"{server.url('/a.md')}: nothing new, 50 papers in 5 weeks\n"
    assert err.startswith(f"reader: error: {server.url('/b.md')}: offline: the copy of ")
    assert err.endswith("(HTTP 500 Internal Server Error); not updated\n")
    assert cli.main(["--update", "--offline"]) == 2
    assert "--update runs on its own, without --offline" in capsys.readouterr().err
    assert cli.main(["--update", "--query", "x"]) == 2
    assert "--update runs on its own, without --query" in capsys.readouterr().err


def test_update_of_a_url_answered_304_says_what_its_digest_holds(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 304 is no news, but the line says what the digest holds, as `r` does ("Nothing new,
    123 papers in 13 weeks"): it used to say only "not modified"."""
    server.routes["/d.md"] = digest_route(body(3), modified=1_700_000_000)
    url = server.url("/d.md")
    load_digest([url])
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{url}: nothing new, 30 papers in 3 weeks\n"
    assert server.responses[-1] == ("/d.md", 304)
    (cached,) = (read_cached(url),)
    assert cached is not None
    write_cached(replace(cached, body=b"\xff\xfe not a digest"))  # a copy that does not read
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{url}: not modified\n"
    assert server.responses[-1] == ("/d.md", 304)


def test_update_with_an_empty_cache(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == "reader: no cached URLs to update\n"


def test_marks_follow_papers_by_arxiv_id_onto_the_fetched_digest(
    server: Server, bundled_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled = load_digest([bundled_path])
    paper = next(p for p in bundled.papers if p.arxiv_id)
    store = StateStore()
    store.set_read([paper.key])
    store.close()
    row = (
        f"| 1) **The same paper, titled differently** - a summary | "
        f"[Paper](https://arxiv.org/abs/{paper.arxiv_id}v2) |"
    )
    page = readme(1).replace("| 1) **Paper 1", row + "\n| 11) **Paper 1", 1)
    server.routes["/d.md"] = digest_route(page.encode())
    assert cli.main([server.url("/d.md"), "--print", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    same = [p for p in printed if p["arxiv_id"] == paper.arxiv_id]
    assert len(same) == 1 and same[0]["read"] is True
    assert sum(p["read"] for p in printed) == 1


def test_cli_url_with_standard_input_and_a_short_timeout(server: Server, tmp_path: Path) -> None:
    server.routes["/d.md"] = digest_route(body(2))
    server.routes["/stall.md"] = stall_route(server)
    env = {**os.environ, "READER_CACHE_DIR": str(tmp_path / "c")}
    argv = [
        sys.executable,
        "-m",
        "reader",
        server.url("/d.md"),
        "-",
        "--print",
        "--format",
        "links",
    ]
    mixed = subprocess.run(
        argv,
        input=readme(1, newest=date(2026, 6, 7)),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (mixed.returncode, mixed.stderr) == (0, "")
    assert len(mixed.stdout.splitlines()) == 30
    started = time.monotonic()
    stalled = subprocess.run(
        [sys.executable, "-m", "reader", server.url("/stall.md"), "--print", "--timeout", "0.5"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 20
    assert stalled.returncode == 2
    assert stalled.stderr == (
        f"reader: error: {server.url('/stall.md')}: cannot fetch: no complete answer within 0.5 s "
        "(and no cached copy)\n"
    )


def test_files_and_the_cache_never_load_the_network_modules(server: Server, cache: Path) -> None:
    server.routes["/d.md"] = digest_route(body(2))
    load_digest([server.url("/d.md")])
    script = (
        "import sys\n"
        "from reader.sources.fetch import FetchOptions\n"
        "from reader.sources.loader import load_digest\n"
        "load_digest()\n"
        f"load_digest([{server.url('/d.md')!r}], fetching=FetchOptions(offline=True))\n"
        "loaded = {'urllib.request', 'http.client', 'ssl'} & set(sys.modules)\n"
        "print(sorted(loaded))\n"
    )
    env = {**os.environ, "READER_CACHE_DIR": str(cache.parent)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")
    seen = len(server.requests)
    assert seen == 1  # the offline load asked nothing


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.from_regex(r"https?://[a-z0-9.]{1,20}(:[0-9]{1,5})?/[ -~]{0,40}", fullmatch=True),
    content=st.binary(max_size=2000),
    etag=st.one_of(st.none(), st.text(max_size=30)),
    cut=st.integers(min_value=0, max_value=4000),
)
def test_a_cache_entry_reads_back_whole_or_not_at_all(
    cache: Path, url: str, content: bytes, etag: str | None, cut: int
) -> None:
    write_cached(CachedCopy(url, content, etag=etag, fetched=1.5, checked=2.5), cache)
    back = read_cached(url, cache)
    assert back is not None and (back.url, back.body, back.etag, back.fetched) == (
        url,
        content,
        etag,
        1.5,
    )
    assert back.checked >= 2.5  # the header's time, or the file's when a 304 touched it
    assert cached_urls(cache) == [url]
    (entry,) = cache.glob("*.entry")
    whole = entry.read_bytes()
    if cut < len(whole):
        entry.write_bytes(whole[:cut])  # a torn or damaged file: never a wrong body
        assert read_cached(url, cache) is None
    for path in cache.glob("*.entry"):
        path.unlink()


def test_a_304_rewrites_nothing_and_moves_the_copys_time(server: Server, cache: Path) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    long_ago = 1_700_000_000.0
    write_cached(CachedCopy(url, body(2), etag='"1"', fetched=long_ago, checked=long_ago))
    (entry,) = cache.glob("*.entry")
    os.utime(entry, (long_ago, long_ago))
    before = read_cached(url)
    assert before is not None and before.checked == long_ago
    inode, size = entry.stat().st_ino, entry.stat().st_size
    again = fetch(url)
    assert again.status == "not-modified" and again.pending is None
    again.commit()
    assert (entry.stat().st_ino, entry.stat().st_size) == (inode, size)  # not rewritten
    after = read_cached(url)
    assert after is not None and abs(after.checked - time.time()) < 60
    assert (after.body, after.etag, after.fetched) == (body(2), '"1"', long_ago)


def test_serve_gives_each_tab_the_latest_url_offline_and_timeout(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served = pytest.importorskip("reader.serve")
    server.routes["/latest.md"] = digest_route(body(2))
    monkeypatch.setenv("READER_LATEST_URL", server.url("/latest.md"))
    configs: list[object] = []
    monkeypatch.setattr(served, "serve", lambda config, ready: configs.append(config))
    assert cli.main(["--serve", "--latest", "--timeout", "3", "--port", "0"]) == 0
    assert cli.main(["--serve", "--latest", "--offline", "--port", "0"]) == 0
    online, offline = (shlex.split(config.command) for config in configs)  # type: ignore[attr-defined]
    assert online[-3:] == ["--timeout=3.0", "--", server.url("/latest.md")]
    assert offline[-3:] == ["--offline", "--", server.url("/latest.md")]
    assert len(server.hits("/latest.md")) == 1  # checked once before serving; --offline: never


def test_a_cache_entry_whose_body_changed_but_not_its_length_is_ignored(
    server: Server, cache: Path
) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    load_digest([url])
    (entry,) = cache.glob("*.entry")
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0x20  # one letter's case: the same length, another SHA-256
    entry.write_bytes(bytes(data))
    assert read_cached(url) is None


def test_the_copy_is_as_of_the_servers_last_word(cache: Path) -> None:
    """`checked` (the last time the server confirmed the copy) comes from the entry, or from
    the entry's file time when a 304 touched it later."""
    later = time.time() + 3600
    url = "http://127.0.0.1:9/d.md"
    write_cached(CachedCopy(url=url, body=b"x", fetched=1.0, checked=later))
    copy = read_cached(url)
    assert copy is not None and copy.checked == later and copy.fetched == 1.0


def test_what_a_failure_and_a_size_read_as() -> None:
    from reader.sources.fetch import describe, size_text

    assert describe(OSError(), 15) == "OSError"
    assert describe(ValueError("bad header"), 15) == "bad header"
    assert describe(ConnectionRefusedError(111, "Connection refused"), 15) == "connection refused"
    assert [size_text(n) for n in (0, 2048, (1 << 20) - 1, 3 << 20, 5 * (1 << 20) // 2)] == [
        "0 KB", "2 KB", "1024 KB", "3.0 MB", "2.5 MB",
    ]  # fmt: skip


def test_a_fallback_to_the_copy_names_its_url_and_is_no_change(cache: Path) -> None:
    with serve() as server:
        server.routes["/d.md"] = digest_route(body(2), etag='"1"')
        url = server.url("/d.md")
        fetch(url).commit()
    fallback = fetch(url)
    assert (fallback.url, fallback.status, fallback.changed) == (url, "offline", False)
    assert fallback.body == body(2) and fallback.reason == "connection refused"


def test_a_download_is_as_of_now_and_an_offline_copy_is_no_change(server: Server) -> None:
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    url = server.url("/d.md")
    before = time.time()
    first = fetch(url)
    assert before <= first.as_of <= time.time()
    first.commit()
    offline = fetch(url, FetchOptions(offline=True))
    assert (offline.status, offline.changed, offline.body) == ("cached", False, body(2))
    assert first.as_of <= offline.as_of <= time.time()  # the entry written just after


def test_a_body_that_is_no_digest_falls_back_on_the_copy_in_the_cache_asked_for(
    server: Server, tmp_path: Path
) -> None:
    """With a cache folder of its own (FetchOptions.directory), the copy read instead of an
    answer that is no digest is the one in that folder, not in the default cache."""
    url = server.url("/d.md")
    own = FetchOptions(directory=tmp_path / "own-cache")
    server.routes["/d.md"] = digest_route(body(2), etag='"1"')
    load_digest([url], fetching=own)
    assert read_cached(url) is None  # nothing in the default cache
    server.routes["/d.md"] = status_route(200, b"just some words\n")
    digest = load_digest([url], fetching=own)
    assert len(digest) == 20
    assert "(the answer is not a digest: no table" in digest.notices[0]


def test_a_304_with_new_validators_keeps_them_for_the_next_request(server: Server) -> None:
    """A server may answer 304 with a new ETag and Last-Modified (the same body, validators
    rotated): the cached copy takes them, and the next request sends them back."""
    answers = [
        (200, '"v1"', "Tue, 14 Nov 2023 22:13:20 GMT"),
        (304, '"v2"', "Wed, 15 Nov 2023 08:00:00 GMT"),
        (304, '"v2"', "Wed, 15 Nov 2023 08:00:00 GMT"),
    ]

    def rotating(request: BaseHTTPRequestHandler) -> None:
        code, etag, modified = answers.pop(0)
        request.send_response(code)
        request.send_header("ETag", etag)
        request.send_header("Last-Modified", modified)
        if code == 200:
            request.send_header("Content-Length", str(len(body(2))))
            request.end_headers()
            request.wfile.write(body(2))
        else:
            request.end_headers()

    server.routes["/d.md"] = rotating
    url = server.url("/d.md")
    for _ in range(3):
        assert len(load_digest([url])) == 20
    third = server.hits("/d.md")[2]
    assert third["If-None-Match"] == '"v2"'
    assert third["If-Modified-Since"] == "Wed, 15 Nov 2023 08:00:00 GMT"
    cached = read_cached(url)
    assert cached is not None and (cached.etag, cached.body) == ('"v2"', body(2))


def test_the_loader_hears_a_fast_download_to_its_end_and_one_of_unknown_size(
    server: Server,
) -> None:
    """Progress is told at most every 50 ms, but the last bytes always; without a length from
    the server, the bytes so far (no "of ..." and no fraction), then at its end its size (was:
    the last bytes of a body of unknown size were never told)."""
    server.routes["/fast.md"] = digest_route(body(200))

    def unsized(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.end_headers()  # no Content-Length: the body ends when the connection does
        text = body(200)
        for start in range(0, len(text), 4096):  # pieces closer than 50 ms: some not told
            request.wfile.write(text[start : start + 4096])
            request.wfile.flush()
            time.sleep(0.005)

    server.routes["/unsized.md"] = unsized
    for path in ("/fast.md", "/unsized.md"):
        fetching = [(done, what) for done, what in heard_loading(server.url(path))]
        fetching = [(done, what) for done, what in fetching if what.startswith("Fetching")]
        size = f"{len(body(200)) / 1024:.0f} KB"
        assert fetching[-1] == (1.0, f"Fetching {server.url(path)}: {size} of {size}")
        if path == "/unsized.md":  # before its end: the bytes so far, no fraction
            assert re.fullmatch(rf"Fetching {server.url(path)}: \d+ KB", fetching[-2][1])
            assert fetching[-2][0] == -1


def heard_loading(url: str) -> list[tuple[float, str]]:
    heard: list[tuple[float, str]] = []
    load_digest([url], progress=lambda done, what: heard.append((done, what)))
    return heard


def test_a_body_of_exactly_the_size_limit_is_read_and_one_byte_more_refused(
    server: Server,
) -> None:
    server.routes["/d.md"] = digest_route(body(2))
    url = server.url("/d.md")
    size = len(body(2))
    assert fetch(url, FetchOptions(max_bytes=size)).body == body(2)
    with pytest.raises(FetchError):
        fetch(url, FetchOptions(max_bytes=size - 1))
