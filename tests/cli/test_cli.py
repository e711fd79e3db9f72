"""The command line: in process through `main(argv)` (fast), and a few real `python -m reader` runs.

Expectations come from reading reader/data/ml-papers-2023.md: 123 papers in 13 weeks; the newest
week 2023-06-25 holds 10 papers, 2023-05-14 holds 8; three papers are in Robotics (2304.13653,
2305.05658, 2306.11706) and two in Sound (2306.00107, 2306.05284).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__
from reader.cli import main

REPO = Path(__file__).resolve().parents[2]
HEADER = "| Week | title | category | abstract | Paper-Link |\n|---|---|---|---|---|\n"
ESC, BEL, RLO = "\x1b", "\x07", "\u202e"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m reader ARGS` in a subprocess (the environment carries READER_STATE_DIR)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=60,
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """main(ARGS) in process: (exit status, stdout, stderr)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    code, out, err = cli(capsys, *args, "--print", "--format", "json")
    assert (code, err) == (0, ""), err
    records: list[dict[str, object]] = json.loads(out)
    return records


def assert_one_error_line(err: str, starts: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"reader: error: {starts}"), err
    assert "Traceback" not in err


# --- the real entry point ----------------------------------------------------------------------


def test_version_through_python_dash_m() -> None:
    result = run("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"reader {__version__}\n", "")


def test_a_bad_file_is_one_line_and_status_2_in_a_real_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(
        HEADER + "| 2023-06-25 | ok | cat | abs | https://x.org |\n| soon | t | c | a | l |\n"
    )
    result = run(str(bad), "--print")
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr, f"{bad}:4: ")


def test_print_imports_no_textual_and_the_tui_needs_a_terminal() -> None:
    code = (
        "import sys; from reader.cli import main; status = main(['--print', '--format', 'links']);"
        "assert status == 0; assert 'textual' not in sys.modules, 'textual imported'"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 123
    # Without --print and with stdout not a terminal, the reader refuses instead of hanging.
    result = run()
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "standard output is not a terminal")


def test_a_closed_pipe_ends_quietly() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with subprocess.Popen(
        [sys.executable, "-m", "reader", "--print", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(100).startswith(b"[\n  {")  # the output is longer than a pipe
        process.stdout.close()
        err = process.stderr.read()
        status = process.wait(timeout=60)
    assert err == b""
    assert status == 141


# --- errors, in process ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param(
            HEADER + "| 2023-06-25 | t | c | a | https://x.org |\n| 2023-13-01 | t |||l|\n",
            4,
            id="bad-week",
        ),
        pytest.param("| Week | title | abstract |\n|---|---|---|\n", 1, id="missing-columns"),
        pytest.param(HEADER.encode() + b"| 2023-06-25 | caf\xe9 | c | a | l |\n", 3, id="not-utf8"),
    ],
)
def test_bad_digests_report_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | bytes, line: int
) -> None:
    path = tmp_path / "digest.md"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, out, err = cli(capsys, str(path), "--print")
    assert (code, out) == (2, "")
    assert_one_error_line(err, f"{path}:{line}: ")


def test_missing_file_and_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"
    code, out, err = cli(capsys, str(missing), "--print")
    assert (code, out) == (2, "")
    assert_one_error_line(err, f"{missing}: ")
    code, out, err = cli(capsys, str(tmp_path), "--print")
    assert (code, out) == (2, "")
    assert_one_error_line(err, f"{tmp_path}: ")


@pytest.mark.parametrize(
    ("args", "starts"),
    [
        (["--print", "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["--print", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
        (["--print", "--sort", "author"], "argument --sort: invalid choice: 'author'"),
        (["--print", "--week", "yesterday"], "argument --week: expected latest, all or a date"),
        (["--print", "--week", "2023-02-30"], "argument --week: expected latest, all or a date"),
        (["--format", "json"], "--format applies only with --print"),
        (["--reverse"], "--reverse applies only with --print"),
        (["--print", "--query", "title:/(unclosed/"], "--query: "),
        (["--export-state", "x.json", "--print"], "--export-state and --import-state run on"),
        (["--print", "--week"], "argument --week: expected one argument"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], starts: str) -> None:
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, "")
    assert_one_error_line(err, starts)


def test_a_week_the_digest_lacks_lists_its_weeks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "--print", "--week", "2023-06-20")
    assert (code, out) == (2, "")
    assert_one_error_line(err, "--week 2023-06-20 is not a week of the digest")
    assert "2023-06-25" in err and "2023-04-02" in err and "--week all" in err


def test_an_error_message_is_made_inert(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / f"evil{ESC}[2J{RLO}\nname.md"
    code, _, err = cli(capsys, str(missing), "--print")
    assert code == 2
    assert ESC not in err and RLO not in err
    assert_one_error_line(err, str(tmp_path))


def test_interrupt_exits_130_quietly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("reader.sources.digest_cache.open_digest", interrupted)
    assert cli(capsys, "--print") == (130, "", "")


def test_an_unexpected_exception_is_one_line_status_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("reader.sources.digest_cache.open_digest", broken)
    monkeypatch.delenv("READER_DEBUG", raising=False)
    code, out, err = cli(capsys, "--print")
    assert (code, out) == (2, "")  # an error, not 1: nothing matched
    assert_one_error_line(err, "internal error: RuntimeError: boom")


# --- selection ---------------------------------------------------------------------------------


def test_print_selects_all_weeks_unless_told(capsys: pytest.CaptureFixture[str]) -> None:
    everything = printed(capsys)
    assert len(everything) == 123
    weeks = [str(record["week"]) for record in everything]
    assert weeks == sorted(weeks, reverse=True) and len(set(weeks)) == 13
    assert printed(capsys, "--week", "all") == everything
    latest = printed(capsys, "--week", "latest")
    assert len(latest) == 10 and {r["week"] for r in latest} == {"2023-06-25"}
    assert latest == everything[:10]
    may14 = printed(capsys, "--week", "2023-05-14")
    assert len(may14) == 8 and {r["week"] for r in may14} == {"2023-05-14"}


def test_print_applies_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    ids = [r["arxiv_id"] for r in printed(capsys, "--query", "cat:robotics")]
    assert ids == ["2306.11706", "2305.05658", "2304.13653"]
    ids = [
        r["arxiv_id"] for r in printed(capsys, "--query", "cat:robotics", "--week", "2023-05-14")
    ]
    assert ids == ["2305.05658"]
    assert printed(capsys, "--query", "cat:robotics", "--week", "latest")[0]["title"] == (
        "RoboCat: A Self-Improving Generalist Agent for Robotic Manipulation"
    )


@pytest.mark.parametrize(
    ("fmt", "out"),
    [
        ("json", "[]\n"),
        ("csv", "week,title,category,abstract,link,arxiv_id\n"),
        ("markdown", HEADER.replace("---", ":---")),
        ("links", ""),
        ("bibtex", ""),
        ("ris", ""),
    ],
)
def test_a_query_that_matches_nothing_says_so_and_exits_1(
    capsys: pytest.CaptureFixture[str], fmt: str, out: str
) -> None:
    """As grep: 0 when papers are printed, 1 when none is (with one line on stderr, for the
    user and the script), 2 on an error. What is printed is still its format's (json `[]`)."""
    code, printed_out, err = cli(capsys, "--print", "--format", fmt, "--query", "zzzyyyxxx")
    assert (code, printed_out, err) == (1, out, "reader: no papers match 'zzzyyyxxx'\n")
    assert main(["--help"]) == 0
    assert "1 no paper matches" in capsys.readouterr().out


def test_no_match_in_the_week_counts_the_other_weeks_and_every_job_says_it_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "--print", "--week", "2023-05-14", "--query", "cat:sound")
    assert (code, out.count("2023-05-14")) == (1, 0)
    assert err == (
        "reader: no papers match 'cat:sound' in week 2023-05-14; 2 in other weeks (--week all)\n"
    )
    code, _, err = cli(capsys, "--query", f"{ESC}]2;x{BEL} it's", "--print", "--format", "links")
    assert (code, err) == (1, "reader: no papers match '\u241b]2;x\u2407 it's'\n")  # inert
    code, _, err = cli(capsys, "--query", "is:starred", "--print", "--format", "links")
    assert (code, err) == (1, "reader: no papers match 'is:starred'\n")  # nothing starred yet
    code, out, err = cli(capsys, "--fetch-metadata", "--offline", "--query", "zzzyyyxxx")
    assert (code, out, err) == (1, "", "reader: no papers match 'zzzyyyxxx'\n")
    both = ("--fetch-metadata", "--offline", "--print", "--format", "json", "--query", "zzz")
    assert cli(capsys, *both) == (1, "[]\n", "reader: no papers match 'zzz'\n")
    unused = "http://127.0.0.1:9"  # never asked: nothing to send
    code, out, err = cli(capsys, "--to-zotero", "--zotero-url", unused, "--query", "zzz")
    assert (code, out, err) == (1, "", "reader: no papers match 'zzz': nothing sent to Zotero\n")


def test_print_sorts_and_reverses(capsys: pytest.CaptureFixture[str]) -> None:
    query = ("--query", "cat:sound OR cat:robotics")
    titles = [str(r["title"]) for r in printed(capsys, *query, "--sort", "title")]
    assert [t.split()[0] for t in titles] == ["Learning", "MERT:", "RoboCat:", "Simple", "TidyBot:"]
    reverse = [str(r["title"]) for r in printed(capsys, *query, "--sort", "title", "--reverse")]
    assert reverse == titles[::-1]
    by_week = [r["arxiv_id"] for r in printed(capsys, *query, "--reverse")]
    assert by_week == ["2304.13653", "2305.05658", "2306.00107", "2306.05284", "2306.11706"]


# --- formats and round trips -------------------------------------------------------------------


def test_every_format_prints_the_selection(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--print", "--week", "2023-05-14")
    code, links, _ = cli(capsys, *args, "--format", "links")
    assert code == 0
    assert links.splitlines()[1] == "https://arxiv.org/abs/2305.04790"
    assert len(links.splitlines()) == 8
    code, text, _ = cli(capsys, *args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["link"] for row in rows] == links.splitlines()
    assert rows[5]["title"] == "TidyBot: Personalized Robot Assistance with Large Language Models"
    code, table, _ = cli(capsys, *args)  # table is the default format
    assert code == 0 and "\x1b" not in table
    assert table.count("2023-05-14") == 8 and "2305.05658" in table and "TidyBot" in table
    code, markdown, _ = cli(capsys, *args, "--format", "markdown")
    assert markdown.startswith("| Week | title | category | abstract | Paper-Link |\n")
    assert len(markdown.splitlines()) == 2 + 8


def test_json_and_markdown_round_trip_the_bundled_digest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, original, _ = cli(capsys, "--print", "--format", "json")
    code, markdown, _ = cli(capsys, "--print", "--format", "markdown")
    assert code == 0
    path = tmp_path / "printed.md"
    path.write_text(markdown, encoding="utf-8")
    code, again, _ = cli(capsys, str(path), "--print", "--format", "json")
    assert code == 0
    assert again == original
    code, markdown_again, _ = cli(capsys, str(path), "--print", "--format", "markdown")
    assert markdown_again == markdown


def test_control_characters_never_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.md"
    hostile.write_text(
        HEADER
        + f"| 2023-06-25 | Evil {ESC}]52;c;aGk={BEL} title {RLO}desrever | cat{ESC}[31m "
        + f"| Abstract {ESC}[2J{BEL}{RLO} here | https://arxiv.org/abs/2305.14314 |\n",
        encoding="utf-8",
    )
    for fmt in ("table", "json", "csv", "markdown", "links"):
        code, out, err = cli(capsys, str(hostile), "--print", "--format", fmt)
        assert (code, err) == (0, "")
        assert ESC not in out and BEL not in out and RLO not in out, fmt
    (record,) = printed(capsys, str(hostile))
    assert record["title"] == f"Evil {ESC}]52;c;aGk={BEL} title {RLO}desrever"  # json keeps it all


# --- reading state -----------------------------------------------------------------------------


def test_print_without_a_store_says_nothing_is_read(
    capsys: pytest.CaptureFixture[str], isolated_state: Path
) -> None:
    records = printed(capsys, "--week", "latest")
    assert all(r["read"] is False and r["starred"] is False for r in records)
    assert len(printed(capsys, "--week", "latest", "--query", "is:unread")) == len(records)
    assert not isolated_state.exists()  # printing creates no store


def test_import_print_and_export_state(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text(
        '{"version": 1, "marks": [\n'
        '{"key": "2305.14314", "read": true, "starred": false, "updated": 1700000000.0},\n'
        '{"key": "2306.11706", "read": false, "starred": true, "updated": 1700000001.0}\n'
        "]}\n",
        encoding="utf-8",
    )
    code, out, err = cli(capsys, "--import-state", str(backup))
    assert (code, out, err) == (
        0,
        f"reader: imported 2 papers (1 read, 1 starred) from {backup}\n",
        "",
    )

    records = printed(capsys)
    assert all(list(r)[-2:] == ["read", "starred"] for r in records)
    assert [r["arxiv_id"] for r in records if r["read"]] == ["2305.14314"]
    assert [r["arxiv_id"] for r in records if r["starred"]] == ["2306.11706"]
    assert [r["title"] for r in printed(capsys, "--query", "is:read")] == [
        "QLoRA: Efficient Finetuning of Quantized LLMs"
    ]
    assert [r["arxiv_id"] for r in printed(capsys, "--query", "is:starred cat:robotics")] == [
        "2306.11706"
    ]
    assert len(printed(capsys, "--query", "is:unread")) == 122

    exported = tmp_path / "exported.json"
    code, out, err = cli(capsys, "--export-state", str(exported))
    assert (code, out, err) == (
        0,
        f"reader: exported 2 papers (1 read, 1 starred) to {exported}\n",
        "",
    )
    marks = json.loads(exported.read_text(encoding="utf-8"))["marks"]
    assert {(m["key"], m["read"], m["starred"]) for m in marks} == {
        ("2305.14314", True, False),
        ("2306.11706", False, True),
    }


def test_state_file_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "marks": [\n{"key": 3}\n', encoding="utf-8")
    code, out, err = cli(capsys, "--import-state", str(broken))
    assert (code, out) == (2, "")
    assert_one_error_line(err, f"{broken}:")
    missing = tmp_path / "nowhere" / "out.json"
    code, out, err = cli(capsys, "--export-state", str(missing))
    assert (code, out) == (2, "")
    assert_one_error_line(err, str(missing))


# --- more formats, directories, standard input (the formats issue) -------------------------------

FIXTURES = REPO / "tests" / "fixtures"
UPSTREAM = FIXTURES / "upstream-potw-README-2023-07-01.md"


def test_print_reads_the_upstream_readme(capsys: pytest.CaptureFixture[str]) -> None:
    records = printed(capsys, str(UPSTREAM))
    assert len(records) == 249  # 249 numbered rows under 25 week headings (grep)
    assert len({record["week"] for record in records}) == 25
    assert records[0]["title"] == "Textbooks Are All You Need"
    assert records[0]["links"] == [
        {
            "label": "Tweet",
            "url": "https://twitter.com/SebastienBubeck/status/1671326369626853376?s=20",
        }
    ]
    # Lines 344-345, under "## Top ML Papers of the Week (Feb 6 - 12)" at line 340.
    titles = [str(r["title"]) for r in printed(capsys, str(UPSTREAM), "--week", "2023-02-12")]
    assert titles[0] == "Toolformer: Language Models Can Teach Themselves to Use Tools"
    assert titles[1].startswith("Describe, Explain, Plan and Select: Interactive Planning")
    assert len(titles) == 10


def test_print_reads_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "2023.md").write_text(
        HEADER + "| 2023-06-25 | From the table | c | a | https://x.org/1 |\n", encoding="utf-8"
    )
    (tmp_path / "more.json").write_text(
        '[{"week": "2023-07-02", "title": "From JSON", "link": "https://x.org/2"}]',
        encoding="utf-8",
    )
    assert [r["title"] for r in printed(capsys, str(tmp_path))] == ["From JSON", "From the table"]


def test_stdin_in_a_real_run() -> None:
    result = run("-", "--print", "--format", "links", stdin=UPSTREAM.read_text(encoding="utf-8"))
    assert (result.returncode, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == 249
    assert result.stdout.startswith("https://arxiv.org/abs/2306.11644\n")
    result = run("-", "--print", stdin="week,title,link\n2023-06-25,T,https://x\n2023-13-01,U,y\n")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "-:3: unparseable week '2023-13-01'")


def test_cli_formats_are_the_writers_formats() -> None:
    import reader.cli
    import reader.output

    assert tuple(reader.output.FORMATS) == reader.cli.FORMATS


def test_help_shows_the_query_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert 'cat:"computer vision"' in out and "week:2023-05-01..2023-05-31" in out


# --- option values that start with -, OR, reversed ranges, a terminal on standard input ------


@pytest.mark.parametrize(
    "args",
    [
        ["--query", "-cat:robotics"],
        ["--query=-cat:robotics"],
        ["--que", "-cat:robotics"],
        ["--week", "all", "--query", "-cat:robotics"],
    ],
)
def test_a_query_may_start_with_a_dash(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    records = printed(capsys, *args)
    assert len(records) == 120
    assert all(record["category"] != "Robotics" for record in records)


def test_other_option_values_may_start_with_a_dash(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "--week", "-2023-05-14", "--print")
    assert code == 2
    assert_one_error_line(err, "argument --week: expected latest, all or a date")
    code, _out, err = cli(capsys, "--print", "--query")
    assert code == 2
    assert_one_error_line(err, "argument --query: expected one argument")


def test_or_is_upper_case_and_the_docs_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    either = printed(capsys, "--query", "cat:robotics OR cat:sound")
    assert len(either) == 5
    lower = cli(capsys, "--query", "cat:robotics or cat:sound", "--print", "--format", "json")
    assert lower[:2] == (1, "[]\n")  # `or` is a word: no paper is in both and holds "or"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Case-insensitive everywhere." not in readme
    assert "`OR`, is written in capitals" in readme
    assert main(["--help"]) == 0
    assert "OR is the one keyword and is written in capitals" in capsys.readouterr().out


def test_a_reversed_week_range_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "--print", "--query", "week:2023-05-31..2023-05-01")
    assert (code, out) == (2, "")
    assert_one_error_line(err, "--query: week: the range 2023-05-31..2023-05-01 runs backwards")
    assert "2023-05-01..2023-05-31" in err
    assert len(printed(capsys, "--query", "week:2023-05-01..2023-05-31")) == 37
    assert len(printed(capsys, "--query", "week:2023-05-14..2023-05")) == 28


def run_on_a_terminal(*args: str, stdout_too: bool) -> tuple[int, str]:
    """`python -m reader ARGS` with a pseudo-terminal as standard input (and output): the exit
    status and what it wrote on standard error."""
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "reader", *args],
            stdin=slave,
            stdout=slave if stdout_too else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )
        try:
            _out, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"reader {' '.join(args)} waited on the terminal")
    finally:
        os.close(slave)
        os.close(master)
    return process.returncode, err.decode()


@pytest.mark.parametrize("args", [("-", "--print"), ("-",)])
def test_dash_with_a_terminal_on_standard_input_is_refused(args: tuple[str, ...]) -> None:
    code, err = run_on_a_terminal(*args, stdout_too=True)
    assert code == 2
    assert_one_error_line(err, "-: standard input is a terminal, not a digest: pipe one in")


def test_the_readme_says_how_to_run_reader_and_make_run_passes_args() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    usage = readme[readme.index("## Usage") : readme.index("## Keys")]
    before_commands = usage[: usage.index("```sh")]  # said before the first `reader …` line
    for way in ("make run ARGS='--week all'", ".venv/bin/reader", "pipx install .", "uv tool"):
        assert way in before_commands, way
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "ARGS=--week all --query '-cat:robotics'"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == ".venv/bin/reader --week all --query '-cat:robotics'"


def test_the_collector_is_off_while_loading_and_back_after(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from reader.sources import digest_cache

    seen: list[bool] = []
    real = digest_cache.open_digest

    def watching(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("reader.sources.digest_cache.open_digest", watching)
    assert cli(capsys, "--print", "--format", "json")[0] == 0
    assert seen == [False]
    assert gc.isenabled()
