"""`reader --serve` in a real Chromium (Debian's, driven by Playwright): paint, keys, clipboard,
a new tab on `o`, a download on `e`, the token, and no request leaving 127.0.0.1.

textual.js draws into a canvas; the test routes it and turns on xterm.js's screenReaderMode so
the rows appear as text in `.xterm-accessibility-tree`. Skips, saying why, without Chromium.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.sources.loader import load_digest
from tests.chromium import CHROMIUM_ARGS, chromium_path
from tests.served import Served, serving

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

TREE = ".xterm-accessibility-tree"
LOCAL = re.compile(r"^(?:https?|wss?)://127\.0\.0\.1:\d+/")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium here: apt-get install -y chromium (.ci/run does, as root)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def readable(route: Any) -> None:
    """textual.js with xterm's screenReaderMode on: the screen's rows become DOM text."""
    response = route.fetch()
    body = response.text().replace("screenReaderMode:!1", "screenReaderMode:!0")
    route.fulfill(response=response, body=body)


class Tab:
    """A browser context and page on the served reader, recording every request."""

    def __init__(self, browser: Any, served: Served) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.base)
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))

        def failed(response: Any) -> None:
            if response.status >= 400:
                self.failed.append(f"{response.status} {response.url}")

        self.context.on("response", failed)
        # Nothing may leave the machine: any other host gets a stub page, and is recorded.
        self.context.route(lambda url: not LOCAL.match(url), self._outside)
        self.context.route("**/static/js/textual.js", readable)
        self.page = self.context.new_page()

    def _outside(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>stub</title>outside")

    def text(self) -> str:
        return str(self.page.evaluate(f"document.querySelector('{TREE}')?.innerText ?? ''"))

    def wait_text(self, *texts: str, timeout: float = 30) -> float:
        """Seconds until every one of `texts` is on the screen."""
        start = time.monotonic()
        try:
            self.page.wait_for_function(
                f"(texts) => {{ const t = document.querySelector('{TREE}');"
                " return t !== null && texts.every((x) => t.textContent.includes(x)); }",
                arg=list(texts),
                timeout=timeout * 1000,
                polling=20,
            )
        except sync_api.TimeoutError:
            raise AssertionError(f"not on screen: {texts}\n{self.text()}") from None
        return time.monotonic() - start

    def press(self, key: str) -> None:
        self.page.focus(".xterm-helper-textarea")
        self.page.keyboard.press(key)

    def clipboard(self) -> str:
        return str(self.page.evaluate("navigator.clipboard.readText()"))

    def close(self) -> None:
        self.context.close()


def test_the_reader_in_chromium(browser: Any, tmp_path: Path, measured: list[str]) -> None:
    digest = load_digest()
    week = [digest.papers[i] for i in digest.indices(digest.weeks[0])]
    with serving() as served:
        tab = Tab(browser, served)
        try:
            start = time.monotonic()
            tab.page.goto(served.url)
            tab.page.wait_for_selector("body.-first-byte", state="attached", timeout=30_000)
            first_byte = time.monotonic() - start
            tab.wait_text("ml-papers-2023", week[0].title, "2023-06-25", "All weeks")
            first_paint = time.monotonic() - start
            measured.append(
                f"Chromium, reader --serve, bundled digest at 1400x900: first byte "
                f"{first_byte * 1000:.0f} ms, first paint {first_paint * 1000:.0f} ms "
                "(from navigation until the title and first paper are on screen)"
            )
            assert first_paint < 20
            assert tab.page.title() == "ml-papers-2023"
            assert tab.outside == [] and tab.failed == []
            assert all(LOCAL.match(url) for url in tab.requests)
            assert any(url.endswith("/favicon.svg") for url in tab.requests)
            assert any(url.endswith(".ttf") for url in tab.requests)  # fonts: served here

            tab.press("y")
            tab.wait_text("to the browser's clipboard")
            assert tab.clipboard() == week[0].link

            tab.press("j")
            tab.wait_text(f"▊ {week[1].title[:40]}")
            with tab.context.expect_page(timeout=15_000) as opened:
                tab.press("o")
            assert opened.value.url.rstrip("/") == week[1].link.rstrip("/")
            assert tab.outside == [week[1].link]  # the opened paper itself, stubbed
            opened.value.close()

            with tab.context.expect_event("download", timeout=15_000) as downloading:
                tab.press("e")
            download = downloading.value
            assert download.suggested_filename == "ml-papers-2023-2023-06-25.md"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            text = saved.read_text(encoding="utf-8")
            assert all(paper.title in text for paper in week)
            assert tab.failed == []
        finally:
            tab.close()


RENDERER = """() => {
  const canvases = [...document.querySelectorAll(".xterm-screen canvas")];
  return {
    layers: canvases.map((canvas) => canvas.className).filter((name) => name),
    webgl: canvases.filter((canvas) => !canvas.className && canvas.getContext("webgl2")).length,
    rows: document.querySelector(".xterm-rows")?.textContent ?? "",
  };
}"""


def test_webgl_draws_the_tab_and_the_dom_takes_over_when_it_is_lost(browser: Any) -> None:
    """reader's page keeps textual.js's WebGL renderer (its canvas renderer took over before,
    and drew the first screen ~10x slower); a lost WebGL context hands the tab to xterm.js's
    DOM renderer instead of leaving it undrawn."""
    with serving() as served:
        tab = Tab(browser, served)
        try:
            tab.page.goto(served.url)
            if not tab.page.evaluate("!!document.createElement('canvas').getContext('webgl2')"):
                pytest.skip("no WebGL2 in this Chromium")
            tab.wait_text("ml-papers-2023", "All weeks")
            drawn = tab.page.evaluate(RENDERER)
            assert drawn["webgl"] == 1, drawn
            assert "xterm-text-layer" not in drawn["layers"], drawn  # the canvas renderer's
            assert "ml-papers-2023" not in drawn["rows"]  # no DOM renderer either

            tab.page.evaluate(
                "[...document.querySelectorAll('.xterm-screen canvas')].find((c) => !c.className)"
                ".getContext('webgl2').getExtension('WEBGL_lose_context').loseContext()"
            )
            # xterm.js waits 3 s for the context to come back, then says it is lost
            tab.page.wait_for_function(
                f"() => ({RENDERER})().rows.includes('ml-papers-2023')", timeout=20_000
            )
            tab.press("j")  # and the DOM renderer keeps drawing
            digest = load_digest()
            second = digest.papers[digest.indices(digest.weeks[0])[1]]
            tab.page.wait_for_function(
                f"() => ({RENDERER})().rows.includes({second.title[:40]!r})", timeout=20_000
            )
            assert tab.outside == [] and tab.failed == []
        finally:
            tab.close()


def test_a_token_guards_the_page_in_chromium(browser: Any) -> None:
    with serving("--allow-remote") as served:
        stranger = Tab(browser, served)
        try:
            response = stranger.page.goto(served.base + "/")
            assert response is not None and response.status == 403
            assert "token" in stranger.page.inner_text("body")
        finally:
            stranger.close()
        tab = Tab(browser, served)
        try:
            tab.page.goto(served.url)
            tab.wait_text("ml-papers-2023", "All weeks")  # the websocket passed on the cookie
            tab.press("y")
            tab.wait_text("to the browser's clipboard")
            assert tab.failed == [] and tab.outside == []
        finally:
            tab.close()
