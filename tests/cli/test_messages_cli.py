"""What the command line says to a new user (issue 24): queries it did not understand, ..."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.state import StateStore

REPO = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_print_says_what_the_query_did_not_understand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "--print", "--format", "links", "--query", "model auther:smith")
    assert (code, out) == (1, "")  # none matches
    assert err.startswith(
        "reader: warning: --query: auther: is not a field, searched as a word (column 7); "
        "fields: title: abstract: cat: author: note: week: id: is: has: tag:"
    )
    assert err.count("\n") == 2 and err.endswith("reader: no papers match 'model auther:smith'\n")


def test_print_says_no_authors_are_known_yet(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "--print", "--format", "links", "--query", "-author:smith")
    assert code == 0 and out.count("\n") == 123  # the bundled digest: nobody excluded
    assert err == (
        "reader: warning: --query: no authors known yet: --fetch-metadata fetches them "
        "(column 1)\n"
    )


def test_print_groups_and_not(capsys: pytest.CaptureFixture[str]) -> None:
    def links(query: str) -> set[str]:
        code, out, err = cli(capsys, "--print", "--format", "links", "--query", query)
        assert (code, err) == (0, "")
        return set(out.split())

    diffusion, video, everything = links("diffusion"), links("video"), links("")
    assert links("(diffusion OR video)") == diffusion | video
    assert links("NOT video") == everything - video
    assert links("-(diffusion OR video)") == everything - diffusion - video


def test_download_dir_help_names_exports_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "where exports (e, E, the palette) and PDFs (D) are saved" in flat


def test_a_missing_file_is_said_first_even_into_a_pipe() -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "reader", "nonexist.md"],
        capture_output=True,  # standard output a pipe, as in `reader nonexist.md | cat`
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "reader: error: nonexist.md: no such file\n"


def test_export_state_says_what_it_wrote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = StateStore()
    store.set_read(["2305.14314"], True)
    store.set_starred(["2306.11706"], True)
    store.set_note("2305.14314", "# read again")
    store.set_tags("2306.11706", ["robots", "to-read"])
    store.save_search("Llamas", "llama")
    store.close()
    exported = tmp_path / "state.json"
    code, out, err = cli(capsys, "--export-state", str(exported))
    assert (code, err) == (0, "")
    assert out == (
        "reader: exported 2 papers (1 read, 1 starred), 1 note, 2 tags and 1 saved search "
        f"to {exported}\n"
    )
    code, out, err = cli(capsys, "--import-state", str(exported))
    assert out.startswith("reader: imported 2 papers (1 read, 1 starred), 1 note, 2 tags")
