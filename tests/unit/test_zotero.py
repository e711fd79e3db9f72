"""Sending papers to Zotero (reader.zotero) against a fake connector on 127.0.0.1: what is sent
(RIS read back by rispy), how every answer is said, and that nothing else is contacted."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest
import rispy  # type: ignore[import-untyped,unused-ignore]

from reader import __version__
from reader.arxiv import Metadata
from reader.model import Paper
from reader.sources.loader import load_digest
from reader.zotero import CONTENT_TYPE, send_to_zotero
from tests.zotero_server import FakeZotero

QLORA = "2305.14314"


@pytest.fixture
def zotero() -> Iterator[FakeZotero]:
    fake = FakeZotero()
    yield fake
    fake.close()


@pytest.fixture
def papers() -> list[Paper]:
    return list(load_digest().papers)


def test_papers_go_as_ris_with_authors_and_links_and_the_message_counts_them(
    zotero: FakeZotero, papers: list[Paper]
) -> None:
    qlora = next(p for p in papers if p.arxiv_id == QLORA)
    chosen = [qlora, *[p for p in papers if p.arxiv_id != QLORA][:2]]
    meta = Metadata(QLORA, authors=("Tim Dettmers", "Artidoro Pagnoni"))
    result = send_to_zotero(chosen, {QLORA: meta}.get, url=zotero.url, timeout=5)
    assert result.ok and (result.sent, result.total) == (3, 3)
    assert result.message == "Sent 3 papers to Zotero."
    ping, post = zotero.requests
    assert (ping.method, ping.path) == ("GET", "/connector/ping")
    assert (post.method, post.path) == ("POST", "/connector/import")
    assert re.fullmatch(r"[0-9a-f]{32}", post.query["session"][0])
    assert post.headers["content-type"] == CONTENT_TYPE
    for request in zotero.requests:
        assert request.headers["user-agent"] == f"reader/{__version__}"
        assert "origin" not in request.headers
    records = rispy.loads(post.body.decode("utf-8"))
    assert [r["title"] for r in records] == [p.title for p in chosen]
    assert records[0]["authors"] == ["Tim Dettmers", "Artidoro Pagnoni"]
    assert records[0]["urls"] == [f"https://arxiv.org/abs/{QLORA}"]
    assert records[0]["file_attachments1"] == f"https://arxiv.org/pdf/{QLORA}"


def test_a_big_view_goes_in_batches_each_with_its_own_session(
    zotero: FakeZotero, papers: list[Paper]
) -> None:
    result = send_to_zotero(papers, url=zotero.url, timeout=5, batch=50)
    assert result.ok and result.message == f"Sent {len(papers)} papers to Zotero."
    imports = zotero.imports()
    assert len(imports) == -(-len(papers) // 50)
    assert len({r.query["session"][0] for r in imports}) == len(imports)
    titles = [r["title"] for post in imports for r in rispy.loads(post.body.decode())]
    assert titles == [p.title for p in papers]


def test_a_reused_session_id_is_retried_once_with_a_new_one(
    zotero: FakeZotero, papers: list[Paper]
) -> None:
    zotero.answers = [409]
    assert send_to_zotero(papers[:2], url=zotero.url, timeout=5).ok
    first, second = zotero.imports()
    assert first.query["session"] != second.query["session"]
    zotero.answers = [409, 409]
    result = send_to_zotero(papers[:2], url=zotero.url, timeout=5)
    assert not result.ok and result.sent == 0
    assert "refused two new session ids" in result.message


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (400, "Nothing sent to Zotero: Zotero found nothing it could import in them (HTTP 400)."),
        (500, "it is read-only"),
        (503, "Zotero answered HTTP 503"),
    ],
)
def test_each_refusal_is_said(
    zotero: FakeZotero, papers: list[Paper], status: int, words: str
) -> None:
    zotero.answers = [status]
    result = send_to_zotero(papers[:3], url=zotero.url, timeout=5)
    assert (result.sent, result.total) == (0, 3)
    assert words in result.message


def test_a_read_only_library_after_a_first_batch_says_n_of_m(
    zotero: FakeZotero, papers: list[Paper]
) -> None:
    zotero.answers = [None, 500]
    result = send_to_zotero(papers[:5], url=zotero.url, timeout=5, batch=2)
    assert (result.sent, result.total) == (2, 5)
    assert result.message.startswith("Sent 2 of 5 papers to Zotero; then Zotero could not import")
    assert len(zotero.imports()) == 2  # not a third batch into a read-only library


def test_fewer_items_created_than_papers_sent_is_said(
    zotero: FakeZotero, papers: list[Paper]
) -> None:
    zotero.created = 2  # Zotero could not read one of three records
    result = send_to_zotero(papers[:3], url=zotero.url, timeout=5)
    assert (result.sent, result.total) == (2, 3)
    assert result.message == "Zotero imported 2 of the 3 papers sent."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_zotero_not_running_is_said_in_one_sentence(papers: list[Paper]) -> None:
    port = free_port()
    result = send_to_zotero(papers[:1], url=f"http://127.0.0.1:{port}", timeout=5)
    assert (result.sent, result.total) == (0, 1)
    assert result.message == (
        f"Zotero is not running: nothing answers at 127.0.0.1:{port}. "
        "Start Zotero, then send again."
    )


def test_a_connector_that_never_answers_is_given_up_on_at_the_timeout(
    papers: list[Paper],
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        result = send_to_zotero(papers[:1], url=f"http://127.0.0.1:{port}", timeout=0.5)
    finally:
        for sock in accepted:
            sock.close()
        listener.close()
    assert result.sent == 0
    assert result.message.startswith(f"Zotero does not answer at 127.0.0.1:{port} (")


def test_an_empty_view_sends_nothing(zotero: FakeZotero) -> None:
    result = send_to_zotero([], url=zotero.url)
    assert not result.ok and result.message == "Nothing to send to Zotero: no papers."
    assert zotero.requests == []


def test_a_url_that_is_not_http_is_refused_without_a_request(papers: list[Paper]) -> None:
    result = send_to_zotero(papers[:1], url="file:///etc/passwd")
    assert result.sent == 0 and "not an http URL" in result.message


def test_a_500_that_is_not_a_read_only_library_is_said_as_a_failure(
    zotero: FakeZotero, papers: list[Paper]
) -> None:
    zotero.answers = [500]
    zotero.bodies = {500: b"internal error"}
    result = send_to_zotero(papers[:1], url=zotero.url, timeout=5)
    assert "Zotero failed while importing (HTTP 500" in result.message
    assert "read-only" not in result.message


def test_no_proxy_is_asked_for_the_connector_on_this_machine(
    zotero: FakeZotero, papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{free_port()}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert send_to_zotero(papers[:2], url=zotero.url, timeout=5).ok


def test_a_connector_dripping_its_answer_is_given_up_on_at_the_timeout(
    papers: list[Paper],
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            while not stop.wait(0.1):
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    port = listener.getsockname()[1]
    try:
        result = send_to_zotero(papers[:1], url=f"http://127.0.0.1:{port}", timeout=0.6)
    finally:
        stop.set()
        listener.close()
    assert result.sent == 0
    assert "no complete answer within 0.6 s" in result.message
