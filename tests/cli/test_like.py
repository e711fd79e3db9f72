"""`--print --query 'like:…'`: similar papers from the command line (the bundled digest: QLoRA is
2305.14314, and SpQR, 2306.03078, is its obvious neighbour)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reader.cli import main

QLORA, SPQR = "2305.14314", "2306.03078"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_ranks_by_similarity_with_a_score(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "--print", "--query", f"like:{QLORA}", "--format", "json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert len(records) == 122  # every paper of the digest but QLoRA itself
    assert QLORA not in [record["arxiv_id"] for record in records]
    assert records[0]["arxiv_id"] == SPQR
    scores = [record["score"] for record in records]
    assert scores == sorted(scores, reverse=True)
    assert 0.1 < scores[0] <= 1 and scores[-1] == 0
    assert list(records[0])[-1] == "score"


def test_like_combines_with_other_terms_and_sort(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys, "--print", "--format", "json", "--query", f"like:{QLORA} week:2023-06 -cat:vision"
    )
    combined = json.loads(out)
    code, out, _ = cli(capsys, "--print", "--format", "json", "--query", "week:2023-06 -cat:vision")
    alone = json.loads(out)
    assert code == 0
    assert sorted(r["arxiv_id"] for r in combined) == sorted(r["arxiv_id"] for r in alone)
    assert combined[0]["arxiv_id"] == SPQR and combined != alone
    code, out, _ = cli(
        capsys, "--print", "--format", "json", "--sort", "week", "--query", f"like:{QLORA}"
    )
    by_week = json.loads(out)
    assert [r["week"] for r in by_week] == sorted((r["week"] for r in by_week), reverse=True)
    assert all("score" in r for r in by_week)  # still scored, in another order


def test_table_and_csv_show_the_score_markdown_not(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    env = ("--print", "--query", f"like:{QLORA} week:2023-06-11")
    code, out, _ = cli(capsys, *env, "--format", "table")
    header = out.splitlines()[0]
    assert code == 0 and "Score" in header and header.index("Week") < header.index("Score")
    assert "SpQR" in out.splitlines()[2] and " 0.2" in out.splitlines()[2]
    code, out, _ = cli(capsys, *env, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["arxiv_id"] == SPQR and float(rows[0]["score"]) > 0.1
    code, out, _ = cli(capsys, *env, "--format", "markdown")
    assert "score" not in out.lower().split("\n")[0] and "SpQR" in out.split("\n")[2]
    code, out, _ = cli(capsys, "--print", "--query", "week:2023-06-11", "--format", "csv")
    assert "score" not in out.split("\n")[0]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("like:2305.99999", "like:2305.99999: no paper of the digest has that arXiv id or link"),
        ("x -like:2305.14314", "like: orders the papers, it cannot be excluded (column 3)"),
        ("like:2305.14314 OR x", "like: orders the papers, it cannot be joined by OR (column 1)"),
    ],
)
def test_bad_like_terms_are_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], query: str, says: str
) -> None:
    code, out, err = cli(capsys, "--print", "--query", query)
    assert (code, out) == (2, "")
    assert err == f"reader: error: --query: {says}\n"


def test_for_you_with_the_stars_of_the_store(capsys: pytest.CaptureFixture[str]) -> None:
    from reader.state import StateStore

    with StateStore() as store:
        store.set_starred([QLORA])
    code, out, _ = cli(capsys, "--print", "--format", "json", "--query", "like:starred is:unread")
    records = json.loads(out)
    assert code == 0 and records[0]["arxiv_id"] == SPQR and len(records) == 122
    code, out, _ = cli(capsys, "--print", "--format", "json", "--query", "like:note")
    assert [r["score"] for r in json.loads(out)] == [0.0] * 123  # no note: nothing to be like
