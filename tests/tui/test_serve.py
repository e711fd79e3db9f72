"""`reader --serve` without a browser: a real server on 127.0.0.1, its websocket read as a
terminal (pyte), keys sent as the page sends them; the page, the guard and the token."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from reader import cli
from reader.output import export_filename
from reader.sources.loader import load_digest
from tests.served import Served, Terminal, aiohttp, serving

serve = pytest.importorskip("reader.serve")

WIDTH, HEIGHT = 120, 40


def newest_week_links() -> list[str]:
    digest = load_digest(None)
    return [digest.papers[i].link for i in digest.indices(digest.weeks[0])]


async def open_terminal(
    session: aiohttp.ClientSession, served: Served, **kwargs: object
) -> tuple[Terminal, float]:
    ws = await session.ws_connect(f"{served.base}/ws?width={WIDTH}&height={HEIGHT}", **kwargs)
    terminal = Terminal(ws, WIDTH, HEIGHT)
    first = newest_week_links()
    seconds = await terminal.until(
        lambda: "ml-papers-2023" in terminal.text and "AudioPaLM" in terminal.text
        and first[0] in terminal.text,
        "the first paint",
    )
    return terminal, seconds


async def test_first_paint_keys_copy_open_and_export(measured: list[str]) -> None:
    links = newest_week_links()
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            terminal, seconds = await open_terminal(session, served)
            assert seconds < 20
            measured.append(
                f"websocket (pyte), reader --serve, bundled digest at {WIDTH}x{HEIGHT}: "
                f"first paint {seconds * 1000:.0f} ms after connecting"
            )
            # The whole layout is there: the sidebar's weeks, the list, the abstract pane.
            assert "2023-06-25" in terminal.text and "All weeks" in terminal.text

            await terminal.key("y")
            await terminal.until(lambda: terminal.copied() != [], "OSC 52")
            assert terminal.copied() == [links[0]]
            await terminal.until(
                lambda: "to the browser's clipboard" in terminal.text, "the copy toast"
            )

            await terminal.key("j")
            await terminal.key("o")
            await terminal.until(
                lambda: any(m[0] == "open_url" for m in terminal.messages), "open_url"
            )
            opened = [m[1] for m in terminal.messages if m[0] == "open_url"]
            assert opened == [{"url": links[1], "new_tab": True}]

            await terminal.key("e")
            await terminal.until(
                lambda: any(m[0] == "deliver_file_start" for m in terminal.messages),
                "the export's download",
            )
            key = next(m[1] for m in terminal.messages if m[0] == "deliver_file_start")
            async with session.get(f"{served.base}/download/{key}") as response:
                assert response.status == 200
                assert "ml-papers-2023-2023-06-25.md" in response.headers["Content-Disposition"]
                body = await response.text()
            printed = subprocess.run(
                [sys.executable, "-m", "reader", "--print", "--week", "2023-06-25"]
                + ["--format", "markdown"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert body == printed
            await terminal.ws.close()


async def test_each_tab_gets_the_digest_arguments_even_those_starting_with_a_dash(
    tmp_path: Path, bundled_path: Path
) -> None:
    (tmp_path / "-odd name.md").write_bytes(bundled_path.read_bytes())
    argv = ["--query", "-language", "--week", "2023-06-18", "--read-after", "-1", "-odd name.md"]
    with serving(*argv[:-1], "--", argv[-1], cwd=str(tmp_path)) as served:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"{served.base}/ws?width={WIDTH}&height={HEIGHT}")
            terminal = Terminal(ws, WIDTH, HEIGHT)
            await terminal.until(
                lambda: "-odd name — 2023-06-18" in terminal.text and "-language" in terminal.text,
                "the digest, week and query of the command line",
            )
            async with session.get(served.url) as response:
                assert "<title>-odd name</title>" in await response.text()
            await ws.close()


async def test_the_page_has_the_digest_title_and_asks_nothing_of_the_internet() -> None:
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            await _page_checks(served, session)


async def _page_checks(served: Served, session: aiohttp.ClientSession) -> None:
        async with session.get(served.url) as response:
            assert response.status == 200
            page = await response.text()
        assert "<title>ml-papers-2023</title>" in page
        assert "googleapis" not in page and "https://" not in page
        references = re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', page)
        paths = {a or b for a, b in references}
        assert "/favicon.svg" in paths
        assert any(path.endswith(".ttf") for path in paths)
        for path in paths:
            assert path.startswith("/"), path  # the server itself, nothing else
            async with session.get(served.base + path) as fetched:
                assert fetched.status == 200, path
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page


async def test_loopback_answers_only_loopback_names_and_its_own_pages() -> None:
    with serving() as served:
        async with aiohttp.ClientSession() as session:
            await _guard_checks(served, session)


async def _guard_checks(served: Served, session: aiohttp.ClientSession) -> None:
        # DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host.
        async with session.get(served.base + "/", headers={"Host": "evil.example"}) as r:
            assert r.status == 403
        local = {"Host": f"localhost:{served.port}"}
        async with session.get(served.base + "/", headers=local) as r:
            assert r.status == 200
        # Another site's page opening the websocket (browsers send its Origin).
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                f"{served.base}/ws?width=80&height=24", origin="http://evil.example"
            )
        assert refused.value.status == 403
        ws = await session.ws_connect(f"{served.base}/ws?width=80&height=24", origin=served.base)
        await ws.close()


async def test_allow_remote_requires_the_token_for_everything() -> None:
    with serving("--allow-remote") as served:
        token = served.url.split("?token=")[1]
        assert len(token) >= 32
        stderr = served.process.stderr
        assert stderr is not None
        warning = stderr.readline()
        assert warning.startswith("reader: warning: --allow-remote:")
        async with aiohttp.ClientSession() as session:
            for path in ("/", "/static/js/textual.js", "/favicon.svg", "/download/x"):
                for query in ("", "?token=wrong", f"?token={token[:-1]}"):
                    async with session.get(served.base + path + query) as response:
                        assert response.status == 403, (path, query)
                        assert "token" in await response.text()
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"{served.base}/ws?width=80&height=24")
            assert refused.value.status == 403

        # A browser: the URL once, then its cookie (aiohttp keeps cookies of an IP when "unsafe").
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(served.url) as response:
                assert response.status == 200
                assert response.cookies["reader_token"]["httponly"]
                assert response.cookies["reader_token"]["samesite"] == "Strict"
            async with session.get(served.base + "/static/js/textual.js") as response:
                assert response.status == 200
            terminal, _ = await open_terminal(session, served)
            await terminal.ws.close()


def run_cli(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


def test_a_host_beyond_loopback_needs_the_explicit_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli("--serve", "--host", "0.0.0.0", capsys=capsys)
    assert code == 2
    assert err == (
        "reader: error: --host 0.0.0.0 listens beyond this machine: add --allow-remote "
        "(a secret token is then required in the URL)\n"
    )
    code, err = run_cli("--serve", "--host", "192.168.1.20", "--port", "1", capsys=capsys)
    assert code == 2 and "--allow-remote" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--host", "127.0.0.1"], "--host applies only with --serve"),
        (["--allow-remote"], "--allow-remote applies only with --serve"),
        (["--serve", "--print"], "--serve and --print do not go together"),
        (["--serve", "-"], "--serve cannot read the digest from standard input: give a file"),
        (["--serve", "--port", "70000"], "argument --port: not a port number (0-65535): '70000'"),
        (["--serve", "--export-state", "x.json"], "without --serve"),
    ],
)
def test_serve_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(*argv, capsys=capsys)
    assert code == 2
    assert err.count("\n") == 1 and message in err, err


def test_a_bad_digest_fails_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("| Week | Title | Link |\n|---|---|---|\n| 2023-13-45 | T | https://x.org |\n")
    code, err = run_cli("--serve", str(bad), capsys=capsys)
    assert code == 2 and err.startswith(f"reader: error: {bad}:3:"), err


def test_without_the_web_extra_one_line_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "reader.serve")
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    code, err = run_cli("--serve", "--port", "1", capsys=capsys)  # never serves, even if wrong
    assert code == 2
    assert err == (
        "reader: error: --serve needs the web extra (textual_serve is missing): in the reader's "
        f"folder, pipx install --force '.[web]' (or {shlex.quote(sys.executable)} -m pip install "
        "'textual-serve>=1.1,<2')\n"
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.2", False),
        ("example.org", False),
        ("localhost.example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "::1"), ("[::1]", "::1"), ("a.b", "a.b")],
)
def test_host_name(header: str, name: str) -> None:
    assert serve.host_name(header) == name


def test_page_url_brackets_ipv6_and_names_wildcards() -> None:
    assert serve.page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert serve.page_url("::1", 8000, "t0k") == "http://[::1]:8000/?token=t0k"
    assert "0.0.0.0" not in serve.page_url("0.0.0.0", 8000, "t")


def test_child_command_quotes_every_argument() -> None:
    command = serve.child_command(["my digest.md", "--query", "a 'b' $(x)"])
    assert shlex.split(command)[1:] == ["-m", "reader", "my digest.md", "--query", "a 'b' $(x)"]


@pytest.mark.parametrize(
    ("name", "week", "fmt", "expected"),
    [
        ("ml-papers-2023", date(2023, 6, 25), "markdown", "ml-papers-2023-2023-06-25.md"),
        ("a + b", None, "json", "a-b-all.json"),
        ("../../etc/passwd", None, "json", "etc-passwd-all.json"),
        ("\x1b[31m", None, "markdown", "31m-all.md"),
        ("///", None, "markdown", "digest-all.md"),
    ],
)
def test_export_filename(name: str, week: date | None, fmt: str, expected: str) -> None:
    assert export_filename(name, week, fmt) == expected
