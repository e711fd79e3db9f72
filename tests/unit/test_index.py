"""Digest indexes (issue 22): the upstream README since April 2026 links its year files; reader
follows such an index, from a URL (a server on 127.0.0.1 laid out like the raw-file host) or
from a local checkout. Nothing here talks to anything but loopback."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import cli
from reader.model import Digest, Paper
from reader.sources import digest_cache, loader
from reader.sources.fetch import (
    LATEST_URL,
    CachedCopy,
    FetchError,
    FetchOptions,
    cached_urls,
    write_cached,
)
from reader.sources.formats import INDEX, LoadError, detect_format
from reader.sources.formats.index import (
    MAX_FILES,
    has_week_heading,
    index_targets,
    resolve_path,
    resolve_url,
)
from reader.sources.loader import expand_sources, load_digest, source_stamp
from reader.sources.source import DigestSource
from tests.webdigest import (
    RAW_PREFIX,
    Handler,
    Server,
    digest_route,
    index_readme,
    redirect_route,
    serve,
    serve_tree,
    stall_route,
    status_route,
    upstream_tree,
    year_file,
    year_weeks,
)

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT / "tests" / "fixtures" / "upstream-potw-README-2023-07-01.md"
OLD_PREFIX = "/dair-ai/ML-Papers-of-the-Week/main"


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def week_keys(digest: Digest) -> list[tuple[date, str]]:
    return [(paper.week, paper.link) for paper in digest.papers]


# --- what an index is --------------------------------------------------------------------------


def test_the_upstream_index_is_an_index_and_its_year_files_are_weeks() -> None:
    tree = upstream_tree()
    assert detect_format(tree["README.md"], "README.md") == INDEX
    assert detect_format(tree["years/2026.md"], "2026.md") == "potw"  # it links ../README.md
    assert detect_format(UPSTREAM.read_text(encoding="utf-8"), "README.md") == "potw"
    toc = "# Weeks\n\n- [Week 1](#top-ml-papers-of-the-week-june-19---june-25)\n"
    assert detect_format(toc, "README.md") != INDEX  # links within the file only
    assert detect_format("See [the notes](notes.txt) and [site](https://x.org/)\n") != INDEX


def test_index_targets_keep_the_order_each_once_without_fragments() -> None:
    text = (
        "# Index\n"
        "- [a](years/2026.md#week-3) and [b](years/2025.md#week-1)\n"
        "- [c](years/2026.md#week-2) [d](<years/with space.md> \"title\")\n"
        "- [mail](mailto:x@y.md) [page](https://example.org/) [toc](#top)\n"
        "[ref]: extra.csv\n"
    )
    assert index_targets(text) == ["years/2026.md", "years/2025.md", "years/with space.md"] + [
        "extra.csv"
    ]
    assert index_targets(text + "## Top AI Papers of the Week (June 21 - June 28)\n") == []
    assert has_week_heading("## Top AI Papers of the Week (June 21 - June 28) - 2026\n")
    assert not has_week_heading("## 2026\n- [x](years/2026.md)\n")


def test_urls_under_the_index_folder_only() -> None:
    index = "http://127.0.0.1:8/o/r/main/README.md"
    followed = resolve_url(
        index,
        [
            "years/2026.md",
            "./years/2025.md",
            "http://127.0.0.1:8/o/r/main/years/2024.md",
            "../other/README.md",
            "years/%2e%2e/%2e%2e/x.md",
            "https://127.0.0.1:8/o/r/main/years/2023.md",
            "http://127.0.0.2:8/o/r/main/years/2023.md",
            "README.md",
            "/o/r/main/years/2022.md",
        ],
    )
    base = "http://127.0.0.1:8/o/r/main/"
    assert followed.files == [
        base + "years/2026.md",
        base + "years/2025.md",
        base + "years/2024.md",
        base + "years/2022.md",
    ]
    assert [target for target, _ in followed.refused] == [
        "../other/README.md",
        "years/%2e%2e/%2e%2e/x.md",
        "https://127.0.0.1:8/o/r/main/years/2023.md",
        "http://127.0.0.2:8/o/r/main/years/2023.md",
    ]
    (line,) = followed.notices(index)
    assert line.startswith(f"{index}: 4 links not followed (")
    assert "outside the index's folder" in line and "not on the index's scheme and host" in line


def test_at_most_64_files_are_followed() -> None:
    followed = resolve_url("http://h/README.md", [f"f{n}.md" for n in range(70)])
    assert len(followed.files) == MAX_FILES and followed.more == 6
    assert followed.notices("I") == ["I: links to 70 digest files; only the first 64 are read"]


def test_paths_under_the_index_folder_only(tmp_path: Path) -> None:
    (tmp_path / "repo" / "years").mkdir(parents=True)
    (tmp_path / "secret.md").write_text("x")
    (tmp_path / "repo" / "years" / "escape.md").symlink_to(tmp_path / "secret.md")
    index = str(tmp_path / "repo" / "README.md")
    followed = resolve_path(
        index,
        [
            "years/2026.md",
            "years/../years/2025.md",
            "../secret.md",
            str(tmp_path / "secret.md"),
            "years/escape.md",
            "https://example.org/x.md",
            "README.md",
            "years/with%20space.md",
        ],
    )
    folder = tmp_path / "repo"
    assert followed.files == [
        str(folder / "years" / "2026.md"),
        str(folder / "years" / "2025.md"),
        str(folder / "years" / "with space.md"),
    ]
    assert [target for target, _ in followed.refused] == [
        "../secret.md",
        str(tmp_path / "secret.md"),
        "years/escape.md",
        "https://example.org/x.md",
    ]


# --- an index from the web ---------------------------------------------------------------------


def test_latest_points_at_the_renamed_repository() -> None:
    assert LATEST_URL == (
        "https://raw.githubusercontent.com/dair-ai/AI-Papers-of-the-Week/main/README.md"
    )


def test_an_index_url_reads_its_year_files_then_only_304s(server: Server) -> None:
    tree = upstream_tree()
    url = serve_tree(server, tree)
    digest = load_digest([url])
    assert len(digest) == 80 and len(digest.weeks) == 8
    assert digest.weeks[0] == date(2026, 1, 18)
    assert date(2026, 1, 4) in digest.weeks  # (December 28 - January 4) - 2026
    assert digest.notices == () and digest.title_note == ""
    first = [path for path, _ in server.requests]
    assert first[0] == f"{RAW_PREFIX}/README.md"  # then its files, fetched at once
    assert sorted(first[1:]) == [f"{RAW_PREFIX}/years/2025.md", f"{RAW_PREFIX}/years/2026.md"]
    assert len(cached_urls()) == 3  # each file its own cache entry
    assert [status for _, status in server.responses] == [200, 200, 200]
    server.requests.clear()
    server.responses.clear()
    again = load_digest([url])
    assert week_keys(again) == week_keys(digest)
    assert sorted(server.responses) == sorted((path, 304) for path in first)  # no body
    direct = load_digest([server.url(f"{RAW_PREFIX}/years/{y}.md") for y in (2026, 2025)])
    assert week_keys(direct) == week_keys(digest)


def test_a_new_week_in_the_newest_year_file_is_one_new_week(server: Server) -> None:
    url = serve_tree(server, upstream_tree())
    source = DigestSource([url])
    assert len(source.load()) == 80
    years = year_weeks(date(2026, 1, 25), 9)
    newer = {"README.md": index_readme(years), "years/2026.md": year_file(2026, years[2026])}
    serve_tree(server, newer)
    reloaded = source.reload()
    assert reloaded.change == "1 new week, 10 papers"
    assert reloaded.digest.weeks[0] == date(2026, 1, 25)


def test_the_old_address_redirects_to_the_index_and_its_folder(server: Server) -> None:
    url = serve_tree(server, upstream_tree())
    old = server.url(f"{OLD_PREFIX}/README.md")
    server.routes[f"{OLD_PREFIX}/README.md"] = redirect_route(url, 301)
    digest = load_digest([old])
    assert len(digest) == 80 and digest.notices == ()
    years = sorted(path for path, _ in server.requests if "/years/" in path)  # (at once)
    assert years == [f"{RAW_PREFIX}/years/2025.md", f"{RAW_PREFIX}/years/2026.md"]
    server.responses.clear()  # the second time: the cached copies, confirmed
    assert week_keys(load_digest([old])) == week_keys(digest)
    assert [status for _, status in server.responses] == [301, 304, 304, 304]
    offline = load_digest([old], fetching=FetchOptions(offline=True))
    assert week_keys(offline) == week_keys(digest)  # the folder is known from the cache


def test_an_unreachable_index_is_one_error_naming_its_url() -> None:
    with serve() as server:
        url = server.url(f"{RAW_PREFIX}/README.md")
    with pytest.raises(FetchError) as caught:
        load_digest([url])
    assert str(caught.value) == f"{url}: cannot fetch: connection refused (and no cached copy)"


@pytest.mark.parametrize("failure", ["404", "stall", "over the cap"])
def test_one_year_file_failing_leaves_the_others(server: Server, failure: str) -> None:
    tree = upstream_tree()
    url = serve_tree(server, tree)
    broken = f"{RAW_PREFIX}/years/2025.md"
    fetching = FetchOptions(timeout=0.3, max_bytes=1 << 20)
    if failure == "404":
        server.routes[broken] = status_route(404, b"404: Not Found")
        why = "HTTP 404 Not Found"
    elif failure == "stall":
        server.routes[broken] = stall_route(server, 5)
        why = "no complete answer within 0.3 s"
    else:
        fetching = FetchOptions(max_bytes=len(tree["years/2025.md"]) - 1)
        why = "the body is over the"
    digest = load_digest([url], fetching=fetching)
    assert len(digest) == 30 and digest.weeks[0] == date(2026, 1, 18)
    (notice,) = digest.notices
    assert notice.startswith(f"{server.url(broken)}: cannot fetch: {why}")
    assert notice.endswith("(and no cached copy); left out")
    assert digest.title_note == "2025.md not read"


@pytest.mark.parametrize("failure", ["404", "stall", "over the cap", "html", "not a digest"])
def test_one_year_file_failing_reads_its_cached_copy(server: Server, failure: str) -> None:
    tree = upstream_tree()
    url = serve_tree(server, tree)
    first = load_digest([url])
    broken = f"{RAW_PREFIX}/years/2025.md"
    fetching = FetchOptions(timeout=0.3)
    if failure == "404":
        server.routes[broken] = status_route(404)
    elif failure == "stall":
        server.routes[broken] = stall_route(server, 5)
    elif failure == "over the cap":
        server.routes[broken] = digest_route(b"x" * 4096 + tree["years/2025.md"].encode())
        fetching = FetchOptions(max_bytes=len(tree["years/2025.md"]) + 100)
    elif failure == "html":
        server.routes[broken] = status_route(200, b"<html>login</html>", "text/html")
    else:
        server.routes[broken] = digest_route(b"# Nothing here\n\nNo weeks.\n")
    digest = load_digest([url], fetching=fetching)
    assert week_keys(digest) == week_keys(first)
    (notice,) = digest.notices
    assert notice.startswith(server.url(broken) + ": ")
    assert re.search(r"the copy of \d{4}-\d{2}-\d{2} \d{2}:\d{2}", notice), notice
    assert digest.title_note == "offline copy"


def test_nothing_readable_is_one_error_naming_the_index(server: Server) -> None:
    url = serve_tree(server, upstream_tree())
    for year in (2026, 2025):
        server.routes[f"{RAW_PREFIX}/years/{year}.md"] = status_route(404)
    with pytest.raises(LoadError) as caught:
        load_digest([url])
    message = str(caught.value)
    assert message.startswith(f"{url}: cannot read any of the 2 files it links to: ")
    assert "\n" not in message and "HTTP 404" in message


def test_an_index_linking_outside_its_folder_or_to_an_index(server: Server) -> None:
    tree = upstream_tree()
    tree["README.md"] += (
        "\n- [elsewhere](../../other/main/years/2024.md)\n"
        "- [another host](http://localhost:1/x/years/2024.md)\n"
        "- [an index](archive/README.md)\n"
    )
    tree["archive/README.md"] = "# Archive\n\n- [2020](../years/2026.md)\n"
    url = serve_tree(server, tree)
    digest = load_digest([url])
    assert len(digest) == 80  # the year files, once each
    refused, nested = digest.notices
    assert refused.startswith(f"{url}: 2 links not followed (")
    assert "../../other/main/years/2024.md, http://localhost:1/x/years/2024.md" in refused
    assert nested == (
        f"{server.url(RAW_PREFIX + '/archive/README.md')}: is itself an index of digest files: "
        "not followed (an index is followed one level deep); left out"
    )
    assert not any("/other/" in path or "localhost" in path for path, _ in server.requests)
    only_outside = {"README.md": "# I\n\n- [x](../x.md)\n"}
    with pytest.raises(LoadError, match="an index with no digest file to read"):
        load_digest([serve_tree(server, only_outside, "/elsewhere")])


def test_the_files_are_fetched_at_once_and_read_in_the_index_order(
    server: Server, tmp_path: Path
) -> None:
    """Each year file is answered only once both are asked for (a barrier with a deadline:
    fetched one after the other, the first is a 503 after 5 s, and the test fails, not
    hangs); the papers come in the index's order whichever answer came first."""
    tree = upstream_tree()
    url = serve_tree(server, tree)
    both = threading.Barrier(2, timeout=5)
    answered: list[str] = []

    def together(year: int) -> Handler:
        data = tree[f"years/{year}.md"].encode()

        def handle(request: BaseHTTPRequestHandler) -> None:
            try:
                both.wait()
            except threading.BrokenBarrierError:
                status_route(503)(request)
                return
            if year == 2026:
                time.sleep(0.2)  # the newest file answers last
            answered.append(request.path)
            digest_route(data)(request)

        return handle

    for year in (2026, 2025):
        server.routes[f"{RAW_PREFIX}/years/{year}.md"] = together(year)
    digest = load_digest([url])
    assert digest.notices == () and len(digest) == 80
    assert answered == [f"{RAW_PREFIX}/years/2025.md", f"{RAW_PREFIX}/years/2026.md"]
    direct = load_digest([str(write_tree(tmp_path, tree) / "README.md")])
    assert week_keys(digest) == week_keys(direct)  # the order of the index, not of arrival
    assert digest.papers[0].week == date(2026, 1, 18)


def test_a_second_latest_reads_each_year_file_from_its_entry(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year file a 304 confirmed is read back from the parsed-digest cache, not parsed again
    (was: every file parsed on every open); a changed one alone is parsed again."""
    monkeypatch.setattr(digest_cache, "BODY_MIN_BYTES", 0)  # the test's files are small
    url = serve_tree(server, upstream_tree())
    parsed: list[str] = []
    real = loader.parse_text

    def counting(text: str, path: str, fmt: str | None = None) -> list[Paper]:
        parsed.append(path.rsplit("/", 1)[-1])
        return real(text, path, fmt)

    monkeypatch.setattr(loader, "parse_text", counting)

    def opened() -> Digest:
        digest = DigestSource([url]).load()
        for thread in threading.enumerate():  # the entries are written in a thread
            if thread.name == "reader-cache-write":
                thread.join()
        return digest

    first = opened()
    assert sorted(parsed) == ["2025.md", "2026.md"]
    parsed.clear()
    server.responses.clear()
    second = opened()
    assert parsed == []  # both confirmed by a 304: read back
    assert {status for _, status in server.responses} == {304}
    assert second.papers == first.papers and second.weeks == first.weeks
    years = year_weeks(date(2026, 1, 25), 9)
    newer = {"README.md": index_readme(years), "years/2026.md": year_file(2026, years[2026])}
    serve_tree(server, newer)
    third = opened()
    assert parsed == ["2026.md"]  # the changed file alone
    assert len(third) == 90 and third.weeks[0] == date(2026, 1, 25)
    assert third.papers == load_digest([url], fetching=FetchOptions(offline=True)).papers


def test_progress_counts_files_and_bytes(server: Server) -> None:
    url = serve_tree(server, upstream_tree())
    heard: list[tuple[float, str]] = []
    load_digest([url], progress=lambda done, what: heard.append((done, what)))
    said = [what for _, what in heard]
    assert any(re.fullmatch(r"Fetching years/2026\.md: 1 of 3 files · \d+ KB", w) for w in said)
    assert any(re.fullmatch(r"Fetching years/2025\.md: 2 of 3 files · \d+ KB", w) for w in said)
    assert any(re.fullmatch(r"Read: 3 of 3 files · \d+ KB", w) for w in said), said
    fractions = [done for done, what in heard if " of 3 files" in what]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


# --- a local checkout --------------------------------------------------------------------------


def test_a_checkout_its_readme_and_its_year_files_read_the_same(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "checkout", upstream_tree())
    (root / "SUMMARY.md").write_text("# Contents\n\n* [Papers](README.md)\n")
    direct = load_digest([str(root / "years" / "2026.md"), str(root / "years" / "2025.md")])
    by_readme = load_digest([str(root / "README.md")])
    by_folder = load_digest([str(root)])
    assert week_keys(by_readme) == week_keys(direct) == week_keys(by_folder)
    assert len(by_folder) == 80 and by_folder.notices == ()
    assert by_folder.name == "checkout"
    assert expand_sources([str(root)]) == [
        str(root / "README.md"),
        str(root / "years" / "2026.md"),
        str(root / "years" / "2025.md"),
    ]
    with pytest.raises(LoadError, match="is itself an index of digest files"):
        load_digest([str(root / "SUMMARY.md")])


def test_a_local_index_with_a_missing_file_and_one_outside(tmp_path: Path) -> None:
    tree = upstream_tree()
    tree["README.md"] += "\n- [gone](years/2019.md)\n- [out](../x.md)\n"
    root = write_tree(tmp_path / "checkout", tree)
    (tmp_path / "x.md").write_text(year_file(2019, [date(2019, 6, 2)]))
    digest = load_digest([str(root / "README.md")])
    assert len(digest) == 80
    refused, missing = digest.notices
    outside = "link not followed (outside the index's folder): ../x.md"
    assert refused == f"{root / 'README.md'}: {outside}"
    assert missing == f"{root / 'years' / '2019.md'}: no such file; left out"
    assert digest.title_note == "2019.md not read"


def test_a_changed_year_file_changes_the_stamp_and_the_parsed_cache(tmp_path: Path) -> None:
    from reader.sources.digest_cache import open_digest

    root = write_tree(tmp_path / "checkout", upstream_tree())
    stamp = source_stamp([str(root)])
    assert [Path(path).name for path, _, _ in stamp] == [
        "checkout",
        "README.md",
        "2026.md",
        "2025.md",
    ]
    cache = tmp_path / "parsed"
    first = open_digest([str(root)], min_bytes=0, directory=cache, background=False)
    assert len(first) == 80 and any(cache.iterdir())
    year = root / "years" / "2026.md"
    years = year_weeks(date(2026, 1, 25), 9)
    year.write_text(year_file(2026, years[2026]), encoding="utf-8")
    os.utime(year, ns=(1, 1))
    assert source_stamp([str(root)]) != stamp
    again = open_digest([str(root)], min_bytes=0, directory=cache, background=False)
    assert len(again) == 90 and again.weeks[0] == date(2026, 1, 25)


# --- the property ------------------------------------------------------------------------------

_END = date(2026, 6, 28)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.lists(
        st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=4, unique=True),
        min_size=1,
        max_size=5,
    ),
    order=st.randoms(use_true_random=False),
    repeats=st.booleans(),
)
def test_an_index_reads_exactly_what_its_files_read_directly(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[list[int]],
    order: object,
    repeats: bool,
) -> None:
    import random

    assert isinstance(order, random.Random)
    root = tmp_path_factory.mktemp("index")
    names: list[str] = []
    for number, weeks in enumerate(files):
        ends = [date.fromordinal(_END.toordinal() - 7 * week) for week in weeks]
        name = f"part{number}.md"
        (root / name).write_text(year_file(2026, ends, per_week=2), encoding="utf-8")
        names.append(name)
    linked = names[:]
    order.shuffle(linked)
    if repeats:  # links repeated (with other fragments) read each file once
        linked += [f"{name}#again" for name in linked]
    index = "# Index\n\n" + "".join(f"- [{name}]({name}#week)\n" for name in linked)
    (root / "README.md").write_text(index, encoding="utf-8")
    in_order = list(dict.fromkeys(linked_name.split("#")[0] for linked_name in linked))
    direct = load_digest([str(root / name) for name in in_order])
    through = load_digest([str(root / "README.md")])
    assert week_keys(through) == week_keys(direct)
    assert [p.title for p in through.papers] == [p.title for p in direct.papers]
    with serve() as server:
        served = {name: (root / name).read_text() for name in [*names, "README.md"]}
        url = serve_tree(server, served)
        fetched = load_digest([url], fetching=FetchOptions(directory=root / "http"))
    assert week_keys(fetched) == week_keys(direct)


# --- the command line --------------------------------------------------------------------------


def test_cli_latest_prints_every_file_and_names_the_one_that_failed(
    server: Server,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url = serve_tree(server, upstream_tree())
    broken = server.url(f"{RAW_PREFIX}/years/2025.md")
    server.routes[f"{RAW_PREFIX}/years/2025.md"] = status_route(404)
    args = ["--latest", "--latest-url", url, "--print", "--format", "links"]
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 30
    assert err == (
        f"reader: {broken}: cannot fetch: HTTP 404 Not Found (and no cached copy); left out\n"
    )
    server.routes[f"{RAW_PREFIX}/years/2026.md"] = status_route(404)
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "empty"))  # nothing cached
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"reader: error: {url}: cannot read any of the 2 files it links to: ")


def test_cli_unreachable_latest_names_the_url_it_tried(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve() as server:
        url = server.url(f"{RAW_PREFIX}/README.md")
    monkeypatch.setenv("READER_LATEST_URL", url)
    assert cli.main(["--latest", "--print"]) == 2
    assert capsys.readouterr().err == (
        f"reader: error: {url}: cannot fetch: connection refused (and no cached copy)\n"
    )


def test_cli_reads_a_checkout_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "checkout", upstream_tree())
    assert cli.main([str(root), "--print", "--format", "links", "--week", "2026-01-04"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 10 and err == ""


def test_update_says_what_is_new_across_an_index_files(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve_tree(server, upstream_tree())
    load_digest([url])
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{url}: nothing new, 80 papers in 8 weeks\n"
    years = year_weeks(date(2026, 1, 25), 9)
    newer = {"README.md": index_readme(years), "years/2026.md": year_file(2026, years[2026])}
    serve_tree(server, newer)
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{url}: 1 new week, 10 papers\n"
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{url}: nothing new, 90 papers in 9 weeks\n"
    server.routes[f"{RAW_PREFIX}/years/2025.md"] = status_route(500)
    assert cli.main(["--update"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    broken = server.url(f"{RAW_PREFIX}/years/2025.md")
    assert re.fullmatch(
        rf"reader: error: {re.escape(broken)}: offline: the copy of [\d-]+ [\d:]+ "
        r"\(HTTP 500 Internal Server Error\)\n",
        err,
    )


def test_an_old_address_cached_before_the_rename_keeps_working(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.webdigest import readme

    old = server.url(f"{OLD_PREFIX}/README.md")
    before = readme(3, newest=date(2025, 12, 28)).encode()  # the README of weeks, as it was
    write_cached(CachedCopy(old, before, etag='"old"', fetched=1.0, checked=1.0))
    url = serve_tree(server, upstream_tree())
    server.routes[f"{OLD_PREFIX}/README.md"] = redirect_route(url, 301)
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{old}: 5 new weeks, 50 papers\n"
    assert cli.main(["--update"]) == 0
    assert capsys.readouterr().out == f"{old}: nothing new, 80 papers in 8 weeks\n"
    digest = load_digest([old])
    assert len(digest) == 80 and digest.notices == ()
    server.responses.clear()
    assert week_keys(load_digest([old], fetching=FetchOptions(offline=True))) == week_keys(digest)
    assert server.responses == []
