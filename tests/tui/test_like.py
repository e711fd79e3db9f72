"""Pilot tests of `like:` in the TUI: ~ shows the papers most like the highlighted one, Esc comes
back, S steps through by similarity, the shared words are highlighted, a saved "for you" search
counts its papers (the bundled digest: QLoRA, 2305.14314, in the week of 2023-05-28; SpQR,
2306.03078, is its obvious neighbour)."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input

from reader.app import ReaderApp, make_app
from reader.model import Digest
from reader.state import StateStore
from reader.widgets.abstract import MATCH, AbstractPane
from reader.widgets.sidebar import Sidebar
from tests.tui.conftest import screen_of as main
from tests.tui.conftest import wait_for

WEEK = date(2023, 5, 28)
QLORA, SPQR = "2305.14314", "2306.03078"


def current_key(app: ReaderApp) -> str:
    paper = main(app).browse.current_paper
    assert paper is not None
    return paper.key


def pane(app: ReaderApp) -> str:
    return app.screen.query_one(AbstractPane).content.plain


async def test_tilde_shows_more_like_and_esc_comes_back(digest: Digest) -> None:
    app = make_app(digest, state=StateStore(), read_delay=60, week=WEEK, query="", week_given=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = main(app)
        await pilot.press("j")  # QLoRA is the week's second paper
        assert current_key(app) == QLORA
        await pilot.press("tilde")
        browse = screen.browse
        assert browse.query_text == f"like:{QLORA}"
        assert app.screen.query_one("#filter", Input).value == f"like:{QLORA}"
        assert browse.week is None and browse.sort == "similarity"
        assert current_key(app) == SPQR and browse.cursor == 0  # the most similar, first
        assert QLORA not in [browse.digest.papers[i].key for i in browse.rows]
        assert len(browse.rows) == len(digest) - 1
        assert "More like “QLoRA: Efficient Finetuning of Quantized LLMs”" in str(screen.sub_title)
        assert "by similarity" in str(screen.sub_title)
        text = app.screen.query_one(AbstractPane).content
        assert "Similar: " in text.plain and "(0.2" in text.plain
        lit = {text.plain[s.start : s.end].lower() for s in text.spans if s.style == MATCH}
        assert {"quantized", "quantization"} & lit  # the shared words, highlighted
        await pilot.press("j", "j")
        await pilot.press("escape")
        assert browse.query_text == "" and browse.week == WEEK and browse.sort == "week"
        assert current_key(app) == QLORA  # where it was
        assert "More like" not in str(screen.sub_title) and "Similar: " not in pane(app)
        await pilot.press("escape")  # nothing more to go back to: nothing changes
        assert browse.week == WEEK and current_key(app) == QLORA


async def test_more_like_twice_and_back_twice(digest: Digest) -> None:
    app = make_app(digest, state=StateStore(), read_delay=60, week=WEEK, week_given=True)
    async with app.run_test(size=(120, 40)) as pilot:
        browse = main(app).browse
        await pilot.press("j", "tilde")
        assert current_key(app) == SPQR
        await pilot.press("tilde")  # more like SpQR
        assert browse.query_text == f"like:{SPQR}" and current_key(app) != SPQR
        await pilot.press("escape")
        assert browse.query_text == f"like:{QLORA}" and current_key(app) == SPQR
        await pilot.press("escape")
        assert browse.query_text == "" and current_key(app) == QLORA


async def test_like_typed_sorts_by_similarity_and_s_steps_through_it(digest: Digest) -> None:
    app = make_app(digest, state=StateStore(), read_delay=60, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        browse = main(app).browse
        await pilot.press("slash", *f"like:{QLORA} quantiz", "enter")
        assert browse.sort == "similarity" and current_key(app) == SPQR
        assert browse.rows == sorted(browse.rows, key=lambda i: -browse.ranking.score(i))  # type: ignore[union-attr]
        sorts = []
        for _ in range(4):
            await pilot.press("S")
            sorts.append(browse.sort)
        assert sorts == ["week", "title", "category", "similarity"]
        await pilot.press("slash", "ctrl+u", *"quantiz", "enter")  # like: gone: by week again
        assert browse.sort == "week" and browse.ranking is None
        await pilot.press("S", "S", "S")
        assert browse.sort == "week"  # no similarity in the cycle without like:


async def test_a_saved_for_you_search_counts_and_ranks(digest: Digest) -> None:
    store = StateStore()
    store.set_starred([QLORA])
    store.save_search("for you", "like:starred is:unread")
    app = make_app(digest, state=store, read_delay=60, week="all")
    async with app.run_test(size=(120, 40)) as pilot:
        sidebar = app.screen.query_one(Sidebar)
        entry = next(e for e in sidebar.entries if e.kind == "search")
        assert entry.count == f"{len(digest) - 1}/{len(digest) - 1}"
        main(app).act(main(app).browse.pick_search, "for you")
        await wait_for(lambda: main(app).browse.query_text == "like:starred is:unread", pilot)
        assert current_key(app) == SPQR
        assert "Similar: " in pane(app)
        await pilot.press("m")  # SpQR read: the search keeps its unread count, one fewer
        await pilot.pause()
        count = len(digest) - 1
        entry = next(e for e in sidebar.entries if e.kind == "search")
        assert entry.count == f"{count - 1}/{count - 1}"


async def test_more_like_in_the_browser() -> None:
    """`--serve`: the same TUI, keys as the page sends them (the first paper of the newest week is
    AudioPaLM; More like it, then back)."""
    pytest.importorskip("reader.serve")
    from tests.served import aiohttp, serving
    from tests.tui.test_serve import open_terminal

    with serving() as served:
        async with aiohttp.ClientSession() as session:
            terminal, _ = await open_terminal(session, served)
            await terminal.key("~")
            await terminal.until(
                lambda: (
                    "More like “AudioPaLM" in terminal.text
                    and "like:2306.12925" in terminal.text
                    and "Similar: " in terminal.text
                ),
                "More like",
            )
            await terminal.key("\x1b")
            await terminal.until(lambda: "More like" not in terminal.text, "back")
            assert "2023-06-25 · 10 papers" in terminal.text
