"""arXiv over the network, against a local server only: metadata into the cache (and offline
from it), --fetch-metadata, PDF downloads (a PDF, an HTML page, an oversize body, a timeout)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest

from reader import environment
from reader.arxiv_fetch import (
    DownloadError,
    download_pdf,
    fetch_metadata,
    get,
    pdf_filename,
)
from reader.cli import main
from reader.sources.fetch import redirect_allowed
from reader.state import StateStore
from tests.arxiv_server import PDF_BODY, ArxivServer, Reply


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    running = ArxivServer()
    monkeypatch.setenv("READER_ARXIV_API", running.api_url)
    monkeypatch.setenv("READER_ARXIV_PDF", f"{running.url}/pdf/")
    yield running
    running.close()


def test_metadata_is_fetched_once_then_served_from_the_cache(
    server: ArxivServer, tmp_path: Path
) -> None:
    with StateStore(tmp_path) as store:
        result = fetch_metadata(["2305.14314", "2303.17564v3", "2399.99999"], store.arxiv)
        assert result.report is not None
        assert sorted(result.report.found) == ["2303.17564", "2305.14314"]
        assert result.report.missing == ["2399.99999"]
        assert result.summary() == ("arXiv metadata of 3 papers: fetched 2, 1 not found on arXiv.")
        assert len(server.api_requests()) == 1
        again = fetch_metadata(["2305.14314", "2303.17564"], store.arxiv)
        assert again.report is None and len(server.api_requests()) == 1
        assert again.summary() == "arXiv metadata of 2 papers: all cached already."
    with StateStore(tmp_path) as store:  # another run: still cached
        assert fetch_metadata(["2305.14314"], store.arxiv).report is None
    assert len(server.api_requests()) == 1


def test_offline_the_cache_serves_and_the_rest_is_a_warning(
    server: ArxivServer, tmp_path: Path
) -> None:
    with StateStore(tmp_path) as store:
        fetch_metadata(["2305.14314"], store.arxiv)
    server.close()  # the network is gone
    with StateStore(tmp_path) as store:
        assert fetch_metadata(["2305.14314"], store.arxiv).report is None
        result = fetch_metadata(["2305.14314", "2304.05376"], store.arxiv)
        assert result.report is not None
        assert result.report.found == {}
        assert len(result.report.errors) == 1 and "arXiv API" in result.report.errors[0]
        assert store.arxiv.cached_metadata("2305.14314") is not None


def test_an_api_that_does_not_answer_in_time(server: ArxivServer) -> None:
    server.api_reply = lambda ids: Reply(b"<feed/>", delay=2.0)
    with pytest.raises(DownloadError, match="no complete answer within 0.5 s"):
        get(server.api_url + "?id_list=2305.14314", timeout=0.5)


def test_fetch_metadata_on_the_command_line(
    server: ArxivServer, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--fetch-metadata", "--week", "2023-04-16"]) == 0
    err = capsys.readouterr().err
    assert "reader: arXiv metadata: 10/10 papers asked\n" in err  # the week holds 10
    assert "reader: arXiv metadata of 10 papers: fetched 1, 9 not found on arXiv.\n" in err
    code = main(["--fetch-metadata", "--print", "--format", "bibtex", "--query", "id:2304.05376"])
    assert code == 0
    captured = capsys.readouterr()
    assert "all cached already" in captured.err
    (entry,) = bibtexparser.parse_string(captured.out).entries
    assert entry.key == "bran2023chemcrow"
    assert entry.fields_dict["primaryClass"].value == "physics.chem-ph"
    assert len(server.api_requests()) == 1


def test_fetch_metadata_with_the_network_gone(
    server: ArxivServer, isolated_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.close()
    assert main(["--fetch-metadata", "--query", "id:2305.14314", "--print"]) == 0
    captured = capsys.readouterr()
    assert "reader: warning: arXiv API:" in captured.err
    assert "1 failed request." in captured.err
    assert "QLoRA" in captured.out


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--download-dir", "x", "--print"]) == 2
    assert "--download-dir applies only to the reader" in capsys.readouterr().err
    assert main(["--fetch-metadata", "--export-state", "x.json"]) == 2
    assert "without --fetch-metadata" in capsys.readouterr().err


# --- PDFs --------------------------------------------------------------------------------------

TITLE = "QLoRA: Efficient Finetuning of Quantized LLMs"
NAME = "2305.14314 QLoRA Efficient Finetuning of Quantized LLMs.pdf"


def test_pdf_file_names() -> None:
    assert pdf_filename("2305.14314", TITLE) == NAME
    long = pdf_filename("2301.00001", "word " * 40)
    assert long.startswith("2301.00001 word word") and len(long) <= 11 + 60 + 4
    assert pdf_filename("2301.00001", "\x1b[2J\u202e<>") == "2301.00001 [2J.pdf"
    assert pdf_filename("2301.00001", "...") == "2301.00001.pdf"


def test_download_dir_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("READER_DOWNLOAD_DIR", str(tmp_path / "env"))
    assert environment.download_dir() == tmp_path / "env"
    assert environment.download_dir(str(tmp_path / "flag")) == tmp_path / "flag"


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.startswith("."))


def test_a_pdf_downloads_and_never_overwrites(server: ArxivServer, tmp_path: Path) -> None:
    server.replies["/pdf/2305.14314"] = Reply(PDF_BODY, content_type="application/pdf")
    progress: list[tuple[int, int | None]] = []
    first = download_pdf("2305.14314", TITLE, tmp_path, progress=lambda *a: progress.append(a))
    assert first == tmp_path / NAME
    assert first.read_bytes() == PDF_BODY
    assert progress[0] == (0, len(PDF_BODY)) and progress[-1] == (len(PDF_BODY), len(PDF_BODY))
    (tmp_path / "2305.14314 QLoRA Efficient Finetuning of Quantized LLMs (2).pdf").write_text("x")
    second = download_pdf("2305.14314", TITLE, tmp_path)
    assert second.name == "2305.14314 QLoRA Efficient Finetuning of Quantized LLMs (3).pdf"
    assert first.read_bytes() == PDF_BODY == second.read_bytes()
    assert (tmp_path / second.name.replace("(3)", "(2)")).read_text() == "x"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(b"<html><body>Please verify</body></html>", content_type="text/html"), "HTML"),
        (Reply(b"<!DOCTYPE html><html></html>", content_type="application/pdf"), "not a PDF"),
        (Reply(b"", content_type="application/pdf"), "empty"),
        (Reply(PDF_BODY * 100, content_type="application/pdf"), "limit"),
        (Reply(PDF_BODY * 100, content_type="application/pdf", length=False), "limit"),
        (Reply(b"gone", status=404, content_type="text/plain"), "HTTP 404"),
        (Reply(PDF_BODY, content_type="application/pdf", delay=2.0), "no answer for 0.5 s"),
    ],
)
def test_what_is_not_a_good_pdf_is_refused_and_nothing_is_left(
    server: ArxivServer, tmp_path: Path, reply: Reply, message: str
) -> None:
    server.replies["/pdf/2305.14314"] = reply
    with pytest.raises(DownloadError, match=message):
        download_pdf("2305.14314", TITLE, tmp_path, max_bytes=1000, timeout=0.5)
    assert list(tmp_path.iterdir()) == []


def test_a_download_into_a_place_that_cannot_be_written(
    server: ArxivServer, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with pytest.raises(DownloadError, match="cannot write in"):
        download_pdf("2305.14314", TITLE, blocked / "sub")


def test_redirects_only_to_http_and_never_down_from_https() -> None:
    # arxiv_fetch goes through reader.sources.fetch's opener, so digests' redirect policy holds here
    assert redirect_allowed("https://arxiv.org/pdf/1", "https://export.arxiv.org/pdf/1")
    assert redirect_allowed("http://127.0.0.1/x", "https://127.0.0.1/y")
    assert not redirect_allowed("https://arxiv.org/pdf/1", "http://arxiv.org/pdf/1")
    assert not redirect_allowed("https://arxiv.org/pdf/1", "file:///etc/passwd")
    with pytest.raises(DownloadError, match="only http and https URLs can be read, not file:"):
        get("file:///etc/passwd")


def test_an_id_arxiv_lacks_is_asked_again_only_after_a_week(
    server: ArxivServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.arxiv_fetch

    with StateStore(tmp_path) as store:
        fetch_metadata(["2399.99999"], store.arxiv)
        again = fetch_metadata(["2399.99999", "2305.14314"], store.arxiv)
        assert again.report is not None and sorted(again.report.found) == ["2305.14314"]
        assert "2399.99999" not in server.api_requests()[-1][1]
        assert again.summary() == "arXiv metadata of 2 papers: fetched 1, 1 not found on arXiv."
    assert len(server.api_requests()) == 2
    with StateStore(tmp_path) as store:  # remembered across runs
        result = fetch_metadata(["2399.99999"], store.arxiv)
        assert result.summary() == "arXiv metadata of 1 paper: all cached already (1 not on arXiv)."
        assert store.arxiv.metadata(["2399.99999"]) == {}
        monkeypatch.setattr(reader.arxiv_fetch, "ASK_MISSING_AGAIN", -1.0)
        assert fetch_metadata(["2399.99999"], store.arxiv).report is not None
    assert len(server.api_requests()) == 3


def test_two_fetches_at_once_never_overlap(server: ArxivServer, tmp_path: Path) -> None:
    """Two threads (two F presses) ask the API one request at a time, 3 s apart."""
    import threading

    server.api_reply = lambda ids: Reply(server.feed(ids), delay=0.3)
    stores = [StateStore(tmp_path / "a"), StateStore(tmp_path / "b")]
    threads = [
        threading.Thread(target=fetch_metadata, args=([arxiv_id], store.arxiv))
        for arxiv_id, store in zip(["2305.14314", "2303.17564"], stores, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for store in stores:
        store.close()
    (first, _), (second, _) = server.api_requests()
    assert second - first >= 2.9  # the second began 3 s after the first began (not during it)


def test_offline_and_timeout_hold_for_metadata_and_pdfs(
    server: ArxivServer,
    isolated_state: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["--fetch-metadata", "--query", "id:2305.14314"]) == 0
    capsys.readouterr()
    code = main(["--fetch-metadata", "--offline", "--query", "id:2305.14314 OR id:2304.05376"])
    assert code == 0
    err = capsys.readouterr().err
    assert "1 cached, 1 not cached (--offline: nothing fetched)." in err
    assert len(server.api_requests()) == 1  # offline: not a request
    server.api_reply = lambda ids: Reply(b"<feed/>", delay=2.0)
    code = main(["--fetch-metadata", "--timeout", "0.5", "--query", "id:2304.05376"])
    assert code == 0
    assert "no complete answer within 0.5 s" in capsys.readouterr().err
    # the TUI's F and D keys call these without arguments: main() hands them --offline and
    # --timeout through the environment
    monkeypatch.setenv("READER_ARXIV_OFFLINE", "1")
    with StateStore(isolated_state) as store:
        result = fetch_metadata(["2304.05376"], store.arxiv)
        assert result.report is None and result.offline == 1
    with pytest.raises(DownloadError, match="^--offline: PDFs are not downloaded$"):
        download_pdf("2305.14314", TITLE, tmp_path / "pdfs")
    assert not (tmp_path / "pdfs").exists()
    assert not [path for _, path in server.requests if path.startswith("/pdf/")]
    monkeypatch.setenv("READER_ARXIV_OFFLINE", "")
    monkeypatch.setenv("READER_ARXIV_TIMEOUT", "0.5")
    server.replies["/pdf/2305.14314"] = Reply(PDF_BODY, content_type="application/pdf", delay=2.0)
    with pytest.raises(DownloadError, match="no answer for 0.5 s"):
        download_pdf("2305.14314", TITLE, tmp_path / "pdfs")
