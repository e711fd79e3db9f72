"""What the command line says to a new user (issue 24): queries it did not understand, ..."""

from __future__ import annotations

import pytest

from reader.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_print_says_what_the_query_did_not_understand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "--print", "--format", "links", "--query", "model auther:smith")
    assert (code, out) == (0, "")
    assert err == (
        "reader: warning: --query: auther: is not a field, searched as a word (column 7); "
        "fields: title: abstract: cat: author: note: week: id: is: has: tag:\n"
    )


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
