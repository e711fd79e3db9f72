"""`reader` alone or with one DIGEST is parsed without argparse (`reader.cli.parse._plain`, issue
26: start-up work): its answer is argparse's for every such command line."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reader.cli.parse import Arguments, UsageError, _plain, build_parser, glue_values, parse


def _argparse(words: list[str]) -> Arguments:
    parser = build_parser()
    return parser.parse_args(glue_values(parser, words), namespace=Arguments())


@given(st.lists(st.text(max_size=12).filter(lambda w: not w.startswith("-")), max_size=1))
@example([])
@example([""])
@example(["digest.md"])
@example(["a b=c"])
def test_plain_command_lines_parse_as_argparse_parses_them(words: list[str]) -> None:
    plain = _plain(words)
    assert plain is not None
    assert vars(plain) == vars(_argparse(words))
    assert parse(words) == _argparse(words)


@given(st.lists(st.text(max_size=8), min_size=1, max_size=3))
@example(["-"])
@example(["--print"])
@example(["a", "b"])
def test_every_other_command_line_goes_through_argparse(words: list[str]) -> None:
    if len(words) > 1 or words[0].startswith("-"):
        assert _plain(words) is None


def test_what_argparse_checks_and_says() -> None:
    """The path through argparse (found by `make mutate`: no test read these): a URL option
    loses its trailing slash, a number of tabs is 1 to 1000, and an unknown option is named."""
    assert parse(["--zotero-url", " http://127.0.0.1:23119/ ", "--to-zotero"]).zotero_url == (
        "http://127.0.0.1:23119"
    )
    with pytest.raises(UsageError) as raised:
        parse(["--serve", "--max-tabs", "0"])
    assert str(raised.value) == "argument --max-tabs: not a number of tabs (1-1000): '0'"
    assert parse(["--serve", "--max-tabs", "1000"]).max_tabs == 1000
    with pytest.raises(UsageError) as raised:
        parse(["--bogus"])
    assert str(raised.value) == "unrecognized arguments: --bogus"
    assert parse(["--print", "--query", "-agents"]).query == "-agents"  # a value with a `-`
    with pytest.raises(UsageError) as raised:
        parse(["--print", "--query"])  # the last word: no value
    assert str(raised.value) == "argument --query: expected one argument"
