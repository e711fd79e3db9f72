"""Failure drills on the command line (issue 7), in real processes: hostile text in every input
format printed in every output format, error messages about hostile file names and lines,
devices, FIFOs, endless streams, and files that grow while they are read.

Subprocesses are started together and waited for together (`run_all`): each costs ~0.3 s, most
of it Python starting up, so running them side by side keeps this file fast.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import reader.sources.loader
from reader.model import Digest, Paper
from reader.output import write_papers
from reader.sources.loader import LoadError, load_digest, read_source
from reader.text import inert, is_web_link

REPO = Path(__file__).resolve().parents[2]

# Everything that must never be written raw: C0 controls but newline and tab, DEL, C1, bidi.
RAW_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# OSC 52 clipboard write, OSC 0 and 2 window titles (BEL and ST ended), screen clear, cursor
# position query, BEL, backspace, NUL, DEL, C1 CSI, bidi override and isolate.
PAYLOAD = (
    "\x1b]52;c;RVZJTA==\x07\x1b]0;PWNED\x07\x1b]2;PWNED\x1b\\\x1b[2J\x1b[6n"
    "\x07\x08\x00\x7f\x9b6n\u202eRTL\u2066"
)
SHOWN = "␛]52;c;RVZJTA==␇␛]0;PWNED␇␛]2;PWNED␛\\␛[2J␛[6n␇␈␀␡\\x9b6n<U+202E>RTL<U+2066>"
# Markdown link labels cannot hold brackets (ESC c: a full terminal reset); names cannot hold NUL.
LABEL_PAYLOAD = "\x1bc\x07\x08\x7f\x9b6n\u202e"
NAME_PAYLOAD = PAYLOAD.replace("\x00", "")
TITLE = f"Evil {PAYLOAD} title"
JS = "javascript:alert(document.cookie)"
SNEAKY = "https://ok.example/\x1b]8;;https://evil.example\x07x"
FORMATS = ("table", "json", "csv", "markdown", "links")


def env(**extra: str) -> dict[str, str]:
    """The environment of a child: this checkout importable, its own state dir (from
    conftest), a wide terminal for the table, no colour unless asked."""
    child = dict(os.environ)
    child["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), child.get("PYTHONPATH")]))
    child.pop("FORCE_COLOR", None)
    child["COLUMNS"] = "400"
    child.update(extra)
    return child


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str
    seconds: float


def run_all(
    commands: list[list[str]], stdin: list[bytes | None] | None = None, **extra: str
) -> list[Run]:
    """`python -m reader ARGS` for each ARGS, all at once; their results in the same order."""
    started = time.monotonic()
    inputs = stdin or [None] * len(commands)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "reader", *args],
            stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env(**extra),
            cwd=REPO,
        )
        for args, data in zip(commands, inputs, strict=True)
    ]
    runs = []
    for args, data, process in zip(commands, inputs, processes, strict=True):
        out, err = process.communicate(data, timeout=60)
        runs.append(
            Run(
                args,
                process.returncode,
                out.decode("utf-8"),
                err.decode("utf-8", "backslashreplace"),
                time.monotonic() - started,
            )
        )
    return runs


# --- one hostile digest per input format ---------------------------------------------------------

TABLE = (
    "| Week | title | category | abstract | Paper-Link |\n"
    "|:--|:--|:--|:--|:--|\n"
    f"| 2023-06-25 | {TITLE} | Cat{PAYLOAD} | Abstract {PAYLOAD} end "
    "| https://arxiv.org/abs/2306.00001 |\n"
    f"| 2023-06-25 | Script | ML | a | {JS} |\n"
    f"| 2023-06-18 | Sneaky | ML | b | {SNEAKY} |\n"
)
README = (
    "# ML Papers of The Week\n\n"
    "## Top ML Papers of the Week (June 19 - June 25) - 2023\n"
    "| **Paper**  | **Links** |\n"
    "| ------------- | ------------- |\n"
    f"| 1) **{TITLE}** - Summary {PAYLOAD} | [Paper](https://arxiv.org/abs/2306.00001), "
    f"[Tw{LABEL_PAYLOAD}](https://x.com/1), [Code](javascript:alert(1)) |\n"
    f"| 2) **Script** - s | [Paper]({JS}) |\n\n"
    "## Top ML Papers of the Week (June 12 - June 18) - 2023\n"
    "| **Paper**  | **Links** |\n"
    "| ------------- | ------------- |\n"
    f"| 1) **Sneaky** - s | [Paper]({SNEAKY}) |\n"
)
RECORDS: list[dict[str, Any]] = [
    {
        "week": "2023-06-25",
        "title": TITLE,
        "category": f"Cat{PAYLOAD}",
        "abstract": f"Abstract {PAYLOAD}\nsecond line",
        "link": "https://arxiv.org/abs/2306.00001",
        "summary": f"Summary {PAYLOAD}",
        "links": [
            {"label": f"Tw{LABEL_PAYLOAD}", "url": "https://x.com/1"},
            {"label": "Code", "url": "javascript:alert(1)"},
        ],
    },
    {"week": "2023-06-25", "title": "Script", "category": "ML", "abstract": "a", "link": JS},
    {"week": "2023-06-18", "title": "Sneaky", "category": "ML", "abstract": "b", "link": SNEAKY},
]


def csv_text() -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["week", "title", "category", "abstract", "link", "summary", "links"])
    for record in RECORDS:
        links = "\n".join(f"{link['label']}\t{link['url']}" for link in record.get("links", []))
        writer.writerow(
            [record[field] for field in ("week", "title", "category", "abstract", "link")]
            + [record.get("summary", ""), links]
        )
    return out.getvalue()


SOURCES = {
    "table.md": TABLE,
    "README.md": README,
    "digest.csv": csv_text(),
    "digest.json": json.dumps(RECORDS, indent=1),
}
LINKS = ["https://arxiv.org/abs/2306.00001", JS, SNEAKY]  # every source, newest week first


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, text in SOURCES.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def printed(hostile_files: dict[str, Path]) -> dict[tuple[str, str], Run]:
    """Every source printed in every format, by real processes."""
    pairs = [(name, fmt) for name in hostile_files for fmt in FORMATS]
    runs = run_all([[str(hostile_files[name]), "--print", "--format", fmt] for name, fmt in pairs])
    return dict(zip(pairs, runs, strict=True))


@pytest.mark.parametrize("source", list(SOURCES))
def test_the_hostile_sources_load_with_their_text_intact(
    hostile_files: dict[str, Path], source: str
) -> None:
    digest = load_digest(hostile_files[source])
    assert [paper.title for paper in digest.papers] == [TITLE, "Script", "Sneaky"]
    assert [paper.link for paper in digest.papers] == LINKS
    if source != "table.md":
        assert digest.papers[0].summary == f"Summary {PAYLOAD}"
        assert digest.papers[0].links[0].label == f"Tw{LABEL_PAYLOAD}"


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
@pytest.mark.parametrize("source", list(SOURCES))
def test_print_shows_hostile_text_inert(
    printed: dict[tuple[str, str], Run], source: str, fmt: str
) -> None:
    run = printed[(source, fmt)]
    assert (run.code, run.err) == (0, ""), run.err
    leak = RAW_UNSAFE.search(run.out)
    assert leak is None, run.out[max(0, leak.start() - 40) : leak.end() + 40]
    if fmt == "links":
        assert run.out.splitlines() == [inert(link) for link in LINKS]
        return
    assert f"Evil {SHOWN} title" in run.out  # shown, not dropped
    assert inert(JS) in run.out or JS[:20] in run.out
    if fmt == "csv" and source != "table.md":
        assert "Tw␛c␇␈␡\\x9b6n<U+202E>\thttps://x.com/1" in run.out  # links: one a line


@pytest.mark.parametrize("source", list(SOURCES))
def test_print_json_escapes_every_control_and_keeps_the_text(
    printed: dict[tuple[str, str], Run], source: str
) -> None:
    run = printed[(source, "json")]
    assert (run.code, run.err) == (0, ""), run.err
    assert RAW_UNSAFE.search(run.out) is None
    assert "\\u001b]52;c;RVZJTA==\\u0007" in run.out
    for escaped in ("\\u0000", "\\b", "\\u007f", "\\u009b", "\\u202e", "\\u2066"):
        assert escaped in run.out
    records = json.loads(run.out)
    assert [record["title"] for record in records] == [TITLE, "Script", "Sneaky"]
    assert [record["link"] for record in records] == LINKS  # exact, escapes and all
    if source != "table.md":
        assert records[0]["summary"] == f"Summary {PAYLOAD}"
        assert records[0]["links"][0] == {"label": f"Tw{LABEL_PAYLOAD}", "url": "https://x.com/1"}


def test_a_coloured_table_hyperlinks_only_web_links(hostile_files: dict[str, Path]) -> None:
    runs = run_all(
        [[str(path), "--print", "--format", "table"] for path in hostile_files.values()],
        FORCE_COLOR="1",
    )
    for run in runs:
        assert run.code == 0, run.err
        targets = re.findall(r"\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)\x1b\\", run.out)
        assert "https://arxiv.org/abs/2306.00001" in targets  # colour on: links are live
        assert all(target == "" or is_web_link(target) for target in targets), targets
        own = re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x07\x1b]*\x1b\\", "", run.out)
        assert RAW_UNSAFE.search(own) is None


def test_a_table_hyperlink_points_at_the_link_without_its_padding() -> None:
    papers = [
        Paper(date(2023, 6, 25), "T", "  https://a.org/x  "),
        Paper(date(2023, 6, 25), "J", JS),
    ]
    out = io.StringIO()
    write_papers(Digest(papers), range(2), "table", out, color=True)
    targets = re.findall(r"\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)\x1b\\", out.getvalue())
    assert set(targets) == {"https://a.org/x", ""}  # opened and closed; none for javascript:


# --- error messages ------------------------------------------------------------------------------


def assert_one_inert_error_line(run: Run, starts: str) -> None:
    assert run.code == 2, (run.args, run.out, run.err)
    assert run.err.count("\n") == 1 and run.err.endswith("\n"), run.err
    assert run.err.startswith(f"reader: error: {starts}"), run.err
    assert "Traceback" not in run.err and run.out == ""
    assert RAW_UNSAFE.search(run.err) is None, run.err
    assert "␛" in run.err or "\\x1b" in run.err, run.err  # the escape is shown, not dropped


def test_errors_about_hostile_names_and_lines_are_one_inert_line(tmp_path: Path) -> None:
    missing = tmp_path / f"missing{NAME_PAYLOAD}.md"
    named = tmp_path / f"bad{NAME_PAYLOAD}.md"
    named.write_text("| Week | title | Paper-Link |\n|---|---|---|\n| 2023-06-25 | t | x |\n")
    named.write_text(named.read_text() + f"| 2023-13-45{PAYLOAD} | t | https://x |\n")
    csv_bad = tmp_path / "bad.csv"
    csv_bad.write_text(f"week,title,link\n2023-06-25,t,https://x\nsoon{PAYLOAD},t,https://y\n")
    readme = tmp_path / "README.md"
    readme.write_text(f"## Top ML Papers of the Week (Junly{NAME_PAYLOAD} 1 - 2)\n")
    undecodable = tmp_path / f"bytes{NAME_PAYLOAD}.md"
    undecodable.write_bytes(b"| Week | title |\n\xff\n")
    empty_dir = tmp_path / f"folder{NAME_PAYLOAD}"
    empty_dir.mkdir()
    no_table = tmp_path / "prose.md"
    no_table.write_text(f"just prose {PAYLOAD}\n")
    cases = [
        ([str(missing), "--print"], f"{inert(str(missing))}: no such file"),
        ([str(named), "--print"], f"{inert(str(named))}:4: unparseable week '2023-13-45\\x1b"),
        ([str(csv_bad), "--print"], f"{csv_bad}:3: unparseable week 'soon\\x1b]52;c;"),
        ([str(readme), "--print"], f"{readme}:1: unparseable week range (Junly␛]52;c;"),
        ([str(undecodable), "--print"], f"{inert(str(undecodable))}:2: not UTF-8 text"),
        ([str(empty_dir), "--print"], f"{inert(str(empty_dir))}: is a directory with no"),
        ([str(no_table), "--print", "--query", f"is:{NAME_PAYLOAD}"], "--query: is: takes read"),
        (["--print", "--week", f"2023{NAME_PAYLOAD}"], "argument --week: expected latest"),
        (["--print", "--format", f"js{NAME_PAYLOAD}"], "argument --format: invalid choice"),
        (["--import-state", str(missing)], f"{inert(str(missing))}: cannot read"),
    ]
    runs = run_all([args for args, _ in cases])
    for (_, starts), run in zip(cases, runs, strict=True):
        assert_one_inert_error_line(run, starts)


# --- devices, FIFOs, endless streams -------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_at_once(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    with pytest.raises(LoadError) as caught:
        read_source(device)
    assert (caught.value.path, caught.value.line) == (device, None)
    assert caught.value.message == "is a device, not a digest file"


def test_a_disk_is_refused_unread() -> None:
    disks = [path for path in ("/dev/loop0", "/dev/vda", "/dev/sda") if os.path.exists(path)]
    readable = [path for path in disks if os.access(path, os.R_OK)]
    if not readable:
        pytest.skip("no readable block device here")
    with pytest.raises(LoadError) as caught:
        read_source(readable[0])
    assert caught.value.message == "is a device, not a digest file"


def test_devices_on_the_command_line_end_at_once() -> None:
    devices = [device for device in ("/dev/zero", "/dev/urandom") if os.path.exists(device)]
    for run in run_all([[device, "--print"] for device in devices]):
        assert run.code == 2 and run.err.endswith(": is a device, not a digest file\n"), run.err
        assert run.seconds < 10


class Endless(io.RawIOBase):
    """A stream that never ends: `head` bytes, then `unit` again and again."""

    def __init__(self, unit: bytes, head: bytes = b"") -> None:
        self.head = head
        self.unit = unit
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.head or self.unit * (len(buffer) // len(self.unit) + 1)
        self.head = b""
        count = min(len(buffer), len(data))
        buffer[:count] = data[:count]
        self.given += count
        return count


def fake_stdin(monkeypatch: pytest.MonkeyPatch, raw: io.RawIOBase) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8"))


def test_an_endless_stream_of_text_ends_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader.sources.loader, "MAX_STREAM_BYTES", 4 << 20)
    monkeypatch.setattr(reader.sources.loader, "READ_CHUNK", 1 << 20)
    endless = Endless(b"y\n")  # what `yes | reader -` gives
    fake_stdin(monkeypatch, endless)
    with pytest.raises(LoadError) as caught:
        load_digest("-")
    assert (caught.value.path, caught.value.line) == ("-", None)
    assert caught.value.message.startswith("more than 4 MB and no end in sight")
    assert endless.given <= (5 << 20) + io.DEFAULT_BUFFER_SIZE  # stopped soon after the limit


def test_an_endless_binary_stream_fails_at_its_first_bad_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader.sources.loader, "READ_CHUNK", 64 << 10)
    endless = Endless(b"\xff\xfe\x00", head=b"| Week | title |\n|---|---|\nok\r\n\xc3\xa9 x\xc3")
    fake_stdin(monkeypatch, endless)
    with pytest.raises(LoadError) as caught:
        load_digest("-")
    # the lone \xc3 at the end of the head, then \xff: line 4, the column of the \xc3
    assert (caught.value.path, caught.value.line) == ("-", 4)
    assert caught.value.message == "not UTF-8 text: byte 0xc3 at column 5"
    assert endless.given < 1 << 20  # read one chunk or two, not forever


def test_a_real_endless_binary_stream_on_stdin_ends_fast() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "-", "--print"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
        cwd=REPO,
    )
    assert process.stdin is not None

    def feed() -> None:  # like `cat /dev/urandom | reader - --print`
        try:
            process.stdin.write(b"| Week | title | Paper-Link |\n")  # type: ignore[union-attr]
            while True:
                process.stdin.write(b"\x80\xff" * 65536)  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        code = process.wait(timeout=20)
    finally:
        process.kill()
    assert process.stderr is not None
    err = process.stderr.read().decode()
    assert code == 2
    assert err == "reader: error: -:2: not UTF-8 text: byte 0x80 at column 1\n"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "digest.fifo"
    os.mkfifo(path)
    return path


def test_a_fifo_is_read_like_a_pipe(fifo: Path) -> None:
    def write() -> None:
        with open(fifo, "wb") as file:
            file.write(TABLE.encode())

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    (run,) = run_all([[str(fifo), "--print", "--format", "links"]])
    writer.join(5)
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines() == [inert(link) for link in LINKS]


def test_a_fifo_that_never_ends_ends_in_an_error(
    fifo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.sources.loader, "MAX_STREAM_BYTES", 2 << 20)
    stop = threading.Event()

    def write() -> None:
        try:
            with open(fifo, "wb") as file:
                while not stop.is_set():
                    file.write(b"| 2023-06-25 | t | https://x |\n" * 1000)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        with pytest.raises(LoadError) as caught:
            read_source(fifo)
    finally:
        stop.set()
    writer.join(5)
    assert caught.value.message.startswith("more than 2 MB and no end in sight")


def wait_until_opening_the_fifo(process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Until the process waits in open() for the FIFO's writer (Linux: its wchan). A fixed sleep
    was not enough on a loaded machine: a Ctrl+C during Python's startup is printed and ignored
    by `site`, and the reader then waited for a writer forever."""
    wchan = Path(f"/proc/{process.pid}/wchan")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if wchan.read_text() == "wait_for_partner":
                return
        except OSError:
            break  # no /proc here: fall back to a generous wait
        time.sleep(0.02)
    time.sleep(0.6)


def test_a_fifo_without_a_writer_waits_like_cat_and_ctrl_c_ends_it(fifo: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", str(fifo), "--print"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
        cwd=REPO,
        # Ctrl+C as in a shell: a test run that left SIGINT ignored must not pass that on
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_until_opening_the_fifo(process)
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert (process.returncode, out, err) == (130, b"", b"")


# --- files that grow while they are read ---------------------------------------------------------

HEADER = "| Week | title | category | abstract | Paper-Link |\n|:--|:--|:--|:--|:--|\n"
ROW = re.compile(r"https://arxiv\.org/abs/2306\.\d{5}")


def rows(start: int, count: int) -> str:
    return "".join(
        f"| 2023-06-25 | Paper {n} | ML | Abstract {n}. | https://arxiv.org/abs/2306.{n:05d} |\n"
        for n in range(start, start + count)
    )


def test_printing_a_file_that_keeps_growing_ends(tmp_path: Path) -> None:
    path = tmp_path / "growing.md"
    path.write_text(HEADER + rows(0, 20_000))
    stop = threading.Event()
    appended = [0]

    def grow() -> None:  # another program appending in pieces that cut rows (and é) in two
        with path.open("ab", buffering=0) as file:
            while not stop.is_set():
                data = rows(20_000 + appended[0] % 50_000, 100).replace("ML", "Méta").encode()
                for start in range(0, len(data), 777):
                    file.write(data[start : start + 777])
                    time.sleep(0.0005)  # mostly, the file ends inside a row
                appended[0] += 100

    writer = threading.Thread(target=grow, daemon=True)
    writer.start()
    try:
        runs = run_all([[str(path), "--print", "--format", "links"] for _ in range(2)])
    finally:
        stop.set()
        writer.join(5)
    assert appended[0] > 0
    for run in runs:
        assert (run.code, run.err) == (0, ""), run.err
        links = run.out.splitlines()
        assert len(links) >= 20_000
        assert all(ROW.fullmatch(link) for link in links)  # no row read half-written
        assert run.seconds < 30


def test_a_half_written_last_row_of_a_growing_file_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.sources.loader, "READ_CHUNK", 64)
    path = tmp_path / "growing.md"
    complete = HEADER + rows(0, 5)
    half = rows(5, 1)[:30]
    path.write_text(complete + half)

    def finish_the_row(done: float, what: str) -> None:
        if done == 1.0:
            with path.open("a") as file:
                file.write(rows(5, 1)[30:] + rows(6, 3))

    digest = load_digest(path, progress=finish_the_row)
    assert [paper.title for paper in digest.papers] == [f"Paper {n}" for n in range(5)]


def test_a_growing_file_cut_inside_a_character_is_no_decoding_error(tmp_path: Path) -> None:
    path = tmp_path / "growing.md"
    row = "| 2023-06-25 | Café | ML | x | https://arxiv.org/abs/2306.00009 |\n"
    cut = row.encode().index("é".encode()) + 1  # between the two bytes of é
    path.write_bytes((HEADER + rows(0, 2)).encode() + row.encode()[:cut])

    def finish(done: float, what: str) -> None:
        if done == 1.0:
            with path.open("ab") as file:
                file.write(row.encode()[cut:])

    digest = load_digest(path, progress=finish)
    assert [paper.title for paper in digest.papers] == ["Paper 0", "Paper 1"]


def test_a_file_that_does_not_grow_keeps_its_last_line_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(HEADER + rows(0, 2).rstrip("\n"))  # no newline at the end
    assert len(load_digest(path)) == 2
    path.write_bytes((HEADER + rows(0, 2)).encode() + b"| 2023-06-25 | Caf\xc3")
    with pytest.raises(LoadError) as caught:
        load_digest(path)
    assert (caught.value.line, caught.value.message) == (
        5,
        "not UTF-8 text: byte 0xc3 at column 19",
    )


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 4096])
def test_reading_in_chunks_decodes_like_reading_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(reader.sources.loader, "READ_CHUNK", chunk)
    text = (
        "\ufeff" + HEADER.replace("\n", "\r\n") + "| 2023-06-25 | Ünï ☃ 🙂 | é | ab | https://a |\r"
    )
    path = tmp_path / "d.md"
    path.write_bytes(text.encode())
    assert read_source(path) == text[1:]  # the BOM dropped, line endings kept
    bad = text.encode() + "\n| 2023-06-25 | ok ☃ ".encode() + b"\xe2\x98 |\n"
    path.write_bytes(bad)
    with pytest.raises(LoadError) as caught:
        read_source(path)
    line, message = _decode_error(bad)  # what decoding the whole at once reports
    assert (caught.value.line, caught.value.message) == (line, message)
    assert line == 4 and message.startswith("not UTF-8 text: byte 0xe2 at column ")


def _decode_error(data: bytes) -> tuple[int | None, str]:
    try:
        reader.sources.loader.decode(data, "x")
    except LoadError as error:
        return error.line, error.message
    raise AssertionError("decodes")
