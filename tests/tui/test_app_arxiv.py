"""Pilot tests of issue 15 in the TUI: the PDF link, authors in the list and the pane from
cached arXiv metadata, `author:` highlighting."""

from __future__ import annotations

from pathlib import Path

from reader.app import ReaderApp, make_app
from reader.arxiv import parse_feed
from reader.sources.loader import load_digest
from reader.state import StateStore
from reader.widgets.abstract import AbstractPane
from reader.widgets.paper_list import PaperList
from tests.arxiv_server import FIXTURES
from tests.tui.conftest import screen_of, wait_for

SAMPLES = parse_feed((FIXTURES / "three.xml").read_bytes()).entries


def pane_text(app: ReaderApp) -> str:
    return app.screen.query_one(AbstractPane).content.plain


def row_text(app: ReaderApp, row: int, width: int = 100) -> str:
    papers = app.screen.query_one(PaperList)
    return papers.render_row(row, width, False).plain


def cached_store(directory: Path) -> StateStore:
    store = StateStore(directory)
    store.arxiv.save_metadata(SAMPLES.values())
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
        papers = screen.browse.digest.papers
        assert [papers[i].arxiv_id for i in screen.browse.rows] == ["2303.17564"]
        pane = app.screen.query_one(AbstractPane).content
        authors_line = pane.plain.splitlines()[1]
        assert authors_line.startswith("Shijie Wu, Ozan İrsoy")
        start = pane.plain.index("Wu")
        highlighted = [
            (span.start, span.end) for span in pane.spans if getattr(span.style, "bgcolor", None)
        ]
        assert (start, start + 2) in highlighted
        assert row_text(app, 0).rstrip().endswith("Wu et al. · Machine Learning")


# --- keys: citations, PDF, metadata ------------------------------------------------------------

import asyncio  # noqa: E402
import webbrowser  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import bibtexparser  # noqa: E402
import pytest  # noqa: E402
import rispy  # noqa: E402

from tests.arxiv_server import PDF_BODY, ArxivServer, Reply  # noqa: E402


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ArxivServer]:
    running = ArxivServer()
    monkeypatch.setenv("READER_ARXIV_API", running.api_url)
    monkeypatch.setenv("READER_ARXIV_PDF", f"{running.url}/pdf/")
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    yield running
    running.close()


def toasts(app: ReaderApp) -> list[str]:
    return [note.message for note in app._notifications]


async def test_b_and_i_copy_the_citations(isolated_state: Path) -> None:
    store = cached_store(isolated_state)
    app = make_app(load_digest(None), week="2023-05-28", query="qlora", state=store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("B")
        (entry,) = bibtexparser.parse_string(app.clipboard).entries
        assert entry.key == "dettmers2023qlora"
        assert entry.fields_dict["author"].value.startswith("Tim Dettmers and")
        assert any(
            message.startswith("Copied BibTeX")
            and message.endswith("@misc{dettmers2023qlora, … (9 lines)")
            for message in toasts(app)
        ), toasts(app)
        await pilot.press("I")
        (record,) = rispy.loads(app.clipboard)
        assert record["authors"][0] == "Tim Dettmers"
        assert record["file_attachments1"] == "https://arxiv.org/pdf/2305.14314"


async def test_b_without_metadata_says_authors_are_missing(isolated_state: Path) -> None:
    app = make_app(load_digest(None), week="2023-04-16", query="chemcrow")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("B")
        assert app.clipboard.startswith("% anon2023chemcrow: authors missing")
        assert "primaryClass = {physics.chem-ph}" in app.clipboard


async def test_p_opens_the_pdf(isolated_state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    def open_url(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
    monkeypatch.setenv("BROWSER", "reader-test-browser")
    app = make_app(load_digest(None), week="2023-05-28", query="qlora")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("P")
        await wait_for(lambda: opened == ["https://arxiv.org/pdf/2305.14314"], pilot)


async def test_f_fetches_the_views_metadata_from_the_api(
    isolated_state: Path, server: ArxivServer
) -> None:
    app = make_app(load_digest(None), week="2023-05-28")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = screen_of(app)
        assert not any(p.authors for p in screen.browse.digest.papers)
        await pilot.press("F")
        await wait_for(lambda: any("papers: fetched 1" in t for t in toasts(app)), pilot)
        (request,) = server.api_requests()
        assert "max_results=" in request[1]
        qlora = next(p for p in screen.browse.digest.papers if p.arxiv_id == "2305.14314")
        assert qlora.authors[0] == "Tim Dettmers"
        row = screen.browse.rows.index(screen.browse.digest.papers.index(qlora))
        assert "Dettmers et al." in row_text(app, row)
        await pilot.press("F")  # everything is cached now: no second request
        await wait_for(lambda: any("all cached already" in t for t in toasts(app)), pilot)
        assert len(server.api_requests()) == 1


async def test_d_downloads_the_pdf(
    isolated_state: Path, server: ArxivServer, tmp_path: Path
) -> None:
    server.replies["/pdf/2305.14314"] = Reply(PDF_BODY, content_type="application/pdf")
    target = tmp_path / "downloads" / "2305.14314 QLoRA Efficient Finetuning of Quantized LLMs.pdf"
    app = make_app(load_digest(None), week="2023-05-28", query="qlora")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("D")
        await wait_for(lambda: any(t.startswith("Saved ") for t in toasts(app)), pilot)
        assert target.read_bytes() == PDF_BODY


async def test_d_refuses_an_html_page(
    isolated_state: Path, server: ArxivServer, tmp_path: Path
) -> None:
    server.replies["/pdf/2305.14314"] = Reply(b"<html>captcha</html>", content_type="text/html")
    app = make_app(load_digest(None), week="2023-05-28", query="qlora")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("D")
        await wait_for(lambda: any("not downloaded" in t for t in toasts(app)), pilot)
        assert any("HTML page, not a PDF" in t for t in toasts(app))
        downloads = tmp_path / "downloads"
        assert not downloads.exists() or list(downloads.iterdir()) == []
        await asyncio.sleep(0)


async def test_arxiv_keys_on_a_paper_that_is_not_on_arxiv(isolated_state: Path) -> None:
    from datetime import date

    from reader.model import Digest, Paper

    digest = Digest([Paper(date(2023, 6, 25), "A blog post & more", "https://example.org/post")])
    app = make_app(digest)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("P")
        assert "Not an arXiv paper: no PDF link." in toasts(app)
        await pilot.press("D")
        assert "Not an arXiv paper: no PDF to download." in toasts(app)
        await pilot.press("F")
        assert "No arXiv papers in this view." in toasts(app)
        await pilot.press("B")
        (entry,) = bibtexparser.parse_string(app.clipboard).entries
        assert entry.fields_dict["title"].value == "{A blog post {\\&} more}"
        assert entry.fields_dict["url"].value == "https://example.org/post"
        assert "PDF" not in pane_text(app)


async def test_the_apps_arxiv_options_reach_d_and_f(
    isolated_state: Path, server: ArxivServer, tmp_path: Path
) -> None:
    """--offline and --download-dir reach the keys as the app's options, over the environment."""
    from reader.settings import ArxivOptions

    server.replies["/pdf/2305.14314"] = Reply(PDF_BODY, content_type="application/pdf")
    mine = tmp_path / "mine"
    options = ArxivOptions(offline=True)
    app = make_app(
        load_digest(None), week="2023-05-28", query="qlora", arxiv=options, download_dir=mine
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("D")
        await wait_for(lambda: any("not downloaded" in t for t in toasts(app)), pilot)
        assert f"Downloading the PDF of arXiv:2305.14314 into {mine}…" in toasts(app)
        refused = "not downloaded: --offline: PDFs are not downloaded"
        assert any(t.endswith(refused) for t in toasts(app))
        await pilot.press("F")
        await wait_for(lambda: any("--offline: nothing fetched" in t for t in toasts(app)), pilot)
    assert server.api_requests() == [] and not mine.exists()
    assert not (tmp_path / "downloads").exists()


async def test_the_environment_still_sets_offline_for_d(
    isolated_state: Path, server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READER_ARXIV_OFFLINE", "1")
    app = make_app(load_digest(None), week="2023-05-28", query="qlora")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("D")
        await wait_for(lambda: any("not downloaded" in t for t in toasts(app)), pilot)
        assert any(t.endswith("--offline: PDFs are not downloaded") for t in toasts(app))



async def test_an_export_carries_the_cached_metadata(
    isolated_state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The palette's RIS export has what only the metadata cache (`store.arxiv`) knows: the
    date of the first version and the comment, as --print writes them."""
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path / "out"))
    store = cached_store(isolated_state)
    app = make_app(load_digest(None), week="2023-05-28", query="qlora", state=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"as ris")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(lambda: (tmp_path / "out").is_dir(), pilot)
        (saved,) = (tmp_path / "out").iterdir()
        lines = saved.read_text(encoding="utf-8").splitlines()
        assert "DA  - 2023/05/23" in lines
        assert "N1  - Extended NeurIPS submission" in lines
