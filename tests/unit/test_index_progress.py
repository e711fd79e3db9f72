"""What the loading screen is told while an index's files are read: each file by its name under
the index's folder, `i of n files`, and the bytes read so far, up to the total the last line
says; from a local checkout and from a server on 127.0.0.1. (Found by `make mutate`: a local
index was never read with progress, and the bytes of a file being fetched were never checked.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.sources.fetch import FetchOptions, size_text
from reader.sources.loader import _FilesTold, load_digest
from tests.feeds import hf_page, hf_week
from tests.unit.test_index import write_tree
from tests.webdigest import Server, digest_route, readme, serve, serve_tree, upstream_tree

LINE = re.compile(r"(\w+):? (?:(\S+): )?(\d) of 3 files · (.+)")


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def told(source: str) -> list[tuple[float, str]]:
    heard: list[tuple[float, str]] = []
    load_digest([source], progress=lambda done, what: heard.append((done, what)))
    return heard


def check(heard: list[tuple[float, str]], doing: str, total: int) -> None:
    said = [(done, LINE.fullmatch(what)) for done, what in heard]
    lines = [(done, match.groups()) for done, match in said if match is not None]
    files = [name for _, (verb, name, _, _) in lines if verb == doing]
    assert files[0] == "years/2026.md" and files[-1] == "years/2025.md"  # under the folder
    assert [n for _, (verb, name, n, _) in lines if name == "years/2025.md"][-1] == "2"
    fractions = [done for done, _ in lines]
    assert fractions == sorted(fractions) and fractions[0] > 0 and fractions[-1] == 1.0
    assert lines[-1][1] == ("Read", None, "3", size_text(total))
    last_of_2025 = [size for _, (verb, name, _, size) in lines if name == "years/2025.md"][-1]
    assert last_of_2025 == size_text(total)  # the file's bytes counted as it is read


def test_a_local_index_tells_each_file_as_it_is_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "checkout", upstream_tree())
    total = sum(len(path.read_bytes()) for path in [root / "README.md", *root.glob("years/*")])
    check(told(str(root / "README.md")), "Reading", total)


def test_an_index_url_tells_each_file_as_it_is_fetched(server: Server) -> None:
    tree = upstream_tree()
    total = sum(len(text.encode()) for text in tree.values())
    check(told(serve_tree(server, tree)), "Fetching", total)


def test_each_download_of_an_index_is_told_by_its_url(server: Server) -> None:
    """The index's files are fetched several at once; the download progress (`--print`'s bar on
    a terminal) hears each by its own URL, to its last byte. Found by `make mutate`: nothing
    checked the URL the bar is given for the files fetched side by side."""
    tree = upstream_tree()
    url = serve_tree(server, tree)
    heard: dict[str, list[tuple[int, int | None]]] = {}

    def progress(address: str, done: int, total: int | None) -> None:
        heard.setdefault(address, []).append((done, total))

    load_digest([url], fetching=FetchOptions(progress=progress))
    folder = url.rsplit("/", 1)[0]
    assert sorted(heard) == sorted(f"{folder}/{path}" for path in tree)
    for path, text in tree.items():
        size = len(text.encode())
        assert heard[f"{folder}/{path}"][-1] == (size, size)


@pytest.mark.parametrize(
    "gone",
    [
        "/gone.md?v=1?w=2",
        "/gone.md?from=https://example.org/other.md",
        "/gone.md/#top",
        "/gone.md#a#b",
    ],
)
def test_a_url_left_out_is_named_by_its_file_in_the_title(server: Server, gone: str) -> None:
    server.routes["/2026.md"] = digest_route(readme(2).encode())
    digest = load_digest([server.url("/2026.md"), server.url(gone)])
    assert len(digest) == 20
    assert digest.title_note == "gone.md not read"


def test_hf_pages_are_read_one_after_another_and_a_failed_page_is_left_out(
    server: Server,
) -> None:
    """A full page of Hugging Face's daily papers (`limit` papers) is followed by the next
    (`p` + 1); a page that cannot be read keeps those read before, with a notice naming it."""
    path = "/api/daily_papers?week=2026-W26&limit=20&p={}"
    server.routes[path.format(0)] = digest_route(hf_page(hf_week(2026, 26)))
    server.routes[path.format(1)] = digest_route(hf_page(hf_week(2026, 26, start=20)))
    digest = load_digest([server.url(path.format(0))])  # p=2: 404
    assert len(digest) == 40 and len({paper.arxiv_id for paper in digest.papers}) == 40
    assert [hit for hit, _ in server.requests] == [path.format(n) for n in range(3)]
    (notice,) = digest.notices
    assert notice.startswith(server.url(path.format(2))) and notice.endswith("; left out")
    assert digest.title_note == "HF daily 2026-W26 not read"


def test_the_last_bytes_of_a_file_are_told_however_soon_they_follow() -> None:
    """Lines come at most every 50 ms while bytes arrive, but a file's last bytes are told at
    once: the loading screen never stays on a count short of a finished file. Found by `make
    mutate` (a small file arrives whole within the 50 ms)."""
    heard: list[tuple[float, str]] = []
    index = "https://h.org/README.md"
    told = _FilesTold(lambda done, what: heard.append((done, what)), index, 3, 1000)
    url = "https://h.org/years/2026.md"
    hear = told.hear_bytes(url)
    assert hear is not None
    told.start(url)
    hear(url, 10, 500_000)  # within 50 ms of the line before: not told
    hear(url, 500_000, 500_000)  # the file's end: told
    assert heard[-1] == (2 / 3, f"Fetching years/2026.md: 1 of 3 files · {size_text(501_000)}")
