"""`reader` alone or with one DIGEST is parsed without argparse (`reader.cli.parse._plain`, issue
26: start-up work): its answer is argparse's for every such command line."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from reader.cli.parse import Arguments, _plain, build_parser, glue_values, parse


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
