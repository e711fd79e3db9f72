"""Pilot tests of issue 15 in the TUI: the PDF link, authors in the list and the pane from
cached arXiv metadata, `author:` highlighting."""

from __future__ import annotations

from pathlib import Path

from reader.app import ReaderApp, make_app
from reader.arxiv import parse_feed
from reader.loader import load_digest
from reader.screens.main import MainScreen
from reader.state import StateStore
from reader.widgets.abstract import AbstractPane
from reader.widgets.paper_list import PaperList
from tests.arxiv_server import FIXTURES

SAMPLES = parse_feed((FIXTURES / "three.xml").read_bytes()).entries


def screen_of(app: ReaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def pane_text(app: ReaderApp) -> str:
    return app.screen.query_one(AbstractPane).content.plain


def row_text(app: ReaderApp, row: int, width: int = 100) -> str:
    papers = app.screen.query_one(PaperList)
    return papers.render_row(row, width, False).plain


def cached_store(directory: Path) -> StateStore:
    store = StateStore(directory)
    store.save_metadata(SAMPLES.values())
    return store


async def test_the_pane_shows_the_pdf_link_without_metadata(isolated_state: Path) -> None:
    app = make_app(load_digest(None), week="2023-05-28", query="id:2305.14314")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = pane_text(app)
        assert "PDF: https://arxiv.org/pdf/2305.14314" in text.splitlines()
        assert "Dettmers" not in text
        pane = app.screen.query_one(AbstractPane)
        links = {span.style.link for span in pane.content.spans if hasattr(span.style, "link")}
        assert "https://arxiv.org/pdf/2305.14314" in links


async def test_authors_and_metadata_from_the_cache(isolated_state: Path) -> None:
    store = cached_store(isolated_state)
    app = make_app(load_digest(None), week="2023-05-28", query="qlora", state=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lines = pane_text(app).splitlines()
        assert lines[0] == "QLoRA: Efficient Finetuning of Quantized LLMs"
        assert lines[1] == "Tim Dettmers, Artidoro Pagnoni, Ari Holtzman, Luke Zettlemoyer"
        assert "arXiv: first version 2023-05-23 · primary cs.LG" in lines
        assert "Comment: Extended NeurIPS submission" in lines
        assert row_text(app, 0).rstrip().endswith("Dettmers et al. · Machine Learning")
        # a narrow list keeps the authors and cuts the title
        narrow = row_text(app, 0, 64)
        assert narrow.rstrip().endswith("Dettmers et al.") and "…" in narrow
        assert len(narrow) <= 64


async def test_author_query_highlights_in_list_and_pane(isolated_state: Path) -> None:
    store = cached_store(isolated_state)
    app = make_app(load_digest(None), week="all", query="author:irsoy OR author:wu", state=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert [screen.digest.papers[i].arxiv_id for i in screen.indices] == ["2303.17564"]
        pane = app.screen.query_one(AbstractPane).content
        authors_line = pane.plain.splitlines()[1]
        assert authors_line.startswith("Shijie Wu, Ozan İrsoy")
        start = pane.plain.index("Wu")
        highlighted = [
            (span.start, span.end) for span in pane.spans if getattr(span.style, "bgcolor", None)
        ]
        assert (start, start + 2) in highlighted
        assert row_text(app, 0).rstrip().endswith("Wu et al. · Machine Learning")
