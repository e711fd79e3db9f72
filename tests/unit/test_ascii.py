"""ASCII stand-ins for an output encoding that lacks a character: same width, always ASCII."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.ascii import HANDLER, can_write, fall_back, install, stand_in


def test_the_apps_glyphs_have_readable_stand_ins() -> None:
    pairs = {"★": "*", "⧉": "=", "▸": ">", "•": "o", "␛": "?", "⭘": "o", "·": ".", "…": "."}
    assert {char: stand_in(char) for char in pairs} == pairs
    assert [stand_in(char) for char in "─│┌╭▁▔▏é日\u0301"] == list("-|++_-|e") + ["??", ""]


@given(st.text())
def test_a_stand_in_is_ascii_and_as_wide_as_the_text(text: str) -> None:
    install()
    written = text.encode("ascii", HANDLER).decode("ascii")
    assert cell_len(written) == cell_len(text) or any(ord(char) < 0x20 for char in text)
    assert all(ord(char) < 0x80 for char in written)


def test_fall_back_only_where_the_encoding_lacks_the_glyphs() -> None:
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert can_write(utf8) and not fall_back(utf8)
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert not can_write(ascii_out) and fall_back(ascii_out)
    ascii_out.write("★ café")
    ascii_out.flush()
    assert ascii_out.buffer.getvalue() == b"* cafe"
    latin1 = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert fall_back(latin1)
    latin1.write("★ café")
    latin1.flush()
    assert latin1.buffer.getvalue() == "* café".encode("latin-1")
