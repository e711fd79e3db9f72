"""Round trips: `reader X --print --format F | reader - --print --format F` prints the first output
again, byte for byte, for F in json, csv, markdown and X the bundled digest, the upstream README
fixture and a hostile fixture (pipes, backslashes, quotes, newlines, unicode, control characters).
In process through `main()` with a fake standard input, and once per format through real
processes joined by a real pipe. Also: the json and csv layout of `summary` and `links`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.model import Digest
from reader.output import FIELDS, paper_record, write_papers
from reader.sources.formats.csv_json import parse_csv, parse_json
from reader.sources.loader import BUNDLED, load_digest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
README = FIXTURES / "upstream-potw-README-2023-07-01.md"
HOSTILE = FIXTURES / "hostile.json"
SOURCES = {"bundled": (BUNDLED, 123), "readme": (README, 249), "hostile": (HOSTILE, 5)}
FORMATS = ("json", "csv", "markdown")
# What must never reach a terminal raw: C0 controls but newline and tab, DEL, C1, bidi controls.
RAW_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: bytes | None = None,
) -> str:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(args)
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return out


def count_papers(text: str, fmt: str) -> int:
    if fmt == "json":
        return len(json.loads(text))
    if fmt == "csv":
        return len(list(csv.DictReader(io.StringIO(text))))
    return sum(1 for line in text.splitlines()[2:] if re.match(r"\| \d{4}-\d{2}-\d{2} \|", line))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_print_then_read_from_stdin_prints_the_same_bytes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, source: str, fmt: str
) -> None:
    path, papers = SOURCES[source]
    first = printed(capsys, monkeypatch, [str(path), "--print", "--format", fmt])
    assert count_papers(first, fmt) == papers
    again = printed(capsys, monkeypatch, ["-", "--print", "--format", fmt], first.encode())
    assert again == first


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_hostile_output_is_inert_and_json_keeps_everything(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    text = printed(capsys, monkeypatch, [str(HOSTILE), "--print", "--format", fmt])
    assert RAW_UNSAFE.search(text) is None
    assert "␛]52;c;aGk=␇" in text and "<U+202E>desrever" in text and "NUL␀" in text


def test_json_keeps_the_hostile_text_exactly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = printed(capsys, monkeypatch, [str(HOSTILE), "--print", "--format", "json"])
    assert RAW_UNSAFE.search(text) is None  # escaped as \uXXXX
    records = json.loads(text)
    source = json.loads(HOSTILE.read_text(encoding="utf-8"))
    for record, original in zip(records, source, strict=True):
        for key, value in original.items():
            if key == "summary" and not value:
                assert key not in record  # an empty summary is left out
            else:
                assert record[key] == value, key
    assert [record["arxiv_id"] for record in records] == [
        "2305.14314",
        None,
        None,
        "2306.00001",
        None,
    ]


def test_selection_round_trips_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A selection without summaries prints no summary column, so the round trip still holds.
    assert main([str(README), "--print", "--format", "csv", "--query", "zzzyyyxxx"]) == 1
    assert capsys.readouterr().out == ",".join(FIELDS) + "\n"
    week = ["--print", "--format", "csv", "--week", "2023-06-25"]
    first = printed(capsys, monkeypatch, [str(README), *week])
    assert first.startswith(",".join(FIELDS) + ",summary,links\n")
    assert printed(capsys, monkeypatch, ["-", *week], first.encode()) == first


def run_pipeline(source: Path, fmt: str) -> bytes:
    """`python -m reader SOURCE --print --format F | python -m reader - --print --format F`."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("FORCE_COLOR", None)
    command = [sys.executable, "-m", "reader"]
    with subprocess.Popen(
        [*command, str(source), "--print", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    ) as writer:
        assert writer.stdout is not None
        reader = subprocess.run(
            [*command, "-", "--print", "--format", fmt],
            stdin=writer.stdout,
            capture_output=True,
            env=env,
            cwd=REPO,
            timeout=60,
        )
        _, writer_err = writer.communicate(timeout=60)
    assert (writer.returncode, writer_err) == (0, b"")
    assert (reader.returncode, reader.stderr) == (0, b"")
    return reader.stdout


@pytest.mark.parametrize(
    ("source", "fmt"), [(HOSTILE, "json"), (README, "csv"), (BUNDLED, "markdown")]
)
def test_a_real_pipe_between_two_processes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, source: Path, fmt: str
) -> None:
    first = printed(capsys, monkeypatch, [str(source), "--print", "--format", fmt])
    assert run_pipeline(source, fmt) == first.encode()


def test_stdin_errors_name_the_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = b'[\n  {"week": "2023-06-25", "title": "T", "link": "x"},\n  {"week": "soon"}\n]\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(bad), encoding="utf-8"))
    code = main(["-", "--print"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == "reader: error: -:3: the paper has no 'Title' key\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok\n\xff\n"), encoding="utf-8"))
    assert main(["-", "--print"]) == 2
    assert capsys.readouterr().err.startswith("reader: error: -:2: not UTF-8 text: byte 0xff")


# --- the layout of summary and links -------------------------------------------------------------


def test_json_with_links_is_laid_out_as_json_dumps() -> None:
    digest = load_digest(README)
    for ascii_only in (False, True):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="ascii" if ascii_only else "utf-8", newline="")
        write_papers(digest, range(len(digest)), "json", out)
        out.flush()
        expected = [paper_record(paper) for paper in digest.papers]
        assert raw.getvalue().decode() == (
            json.dumps(expected, indent=2, ensure_ascii=ascii_only) + "\n"
        )


def test_json_has_summary_and_links_only_for_papers_that_have_them() -> None:
    digest = Digest(list(load_digest(README).papers[:1]) + list(load_digest(BUNDLED).papers[:1]))
    out = io.StringIO()
    write_papers(digest, range(2), "json", out)
    first, second = json.loads(out.getvalue())
    assert list(first) == [*FIELDS, "summary", "links"]
    assert first["links"] == [
        {
            "label": "Tweet",
            "url": "https://twitter.com/SebastienBubeck/status/1671326369626853376?s=20",
        }
    ]
    assert list(second) == list(FIELDS)


def test_csv_carries_summary_and_links_inert_one_link_a_line() -> None:
    digest = load_digest(HOSTILE)
    out = io.StringIO()
    write_papers(digest, range(len(digest)), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["links"] == (
        'Tweet\thttps://x.com/a/status/1?s=20&t=x|y\nCode "repo"\thttps://github.com/a/b'
    )
    assert rows[1]["links"] == "Tw␛eet␉Tab\thttps://example.org/␛[2Jx"
    assert rows[1]["summary"] == "summary ␛[1m bold"
    again = parse_csv(out.getvalue(), "-")
    assert [link.label for link in again[1].links] == ["Tw␛eet␉Tab"]


def test_readme_read_back_from_json_and_csv_is_the_same_digest() -> None:
    digest = load_digest(README)
    expected = [paper_record(paper) for paper in digest.papers]
    for fmt, parse in (("json", parse_json), ("csv", parse_csv)):
        out = io.StringIO()
        write_papers(digest, range(len(digest)), fmt, out)
        again = Digest(parse(out.getvalue(), "-"))
        assert [paper_record(paper) for paper in again.papers] == expected, fmt
