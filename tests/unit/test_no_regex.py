"""What start-up no longer compiles a regex for (issue 26: ~1M instructions a pattern) gives the
answer the regex gave, for any text: URLs, header names, a table's delimiter row, week cells,
text made inert line by line, the query without its category facet."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st

from reader.browse.sidebar import without_facet
from reader.query.views import FACET_TERM, facet_term
from reader.sources.fetch import is_url
from reader.sources.formats import normalize_header, parse_week
from reader.sources.formats.table import _is_delimiter_row
from reader.text import _BIDI, _INERT_LINES_TABLE, inert_lines

URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
SEPARATORS = re.compile(r"[\s_\-]+")
DELIMITER_CELL = re.compile(r"[ \t]*:?-+:?[ \t]*")
WEEK = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,
)
UNSAFE_BUT_LF = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + _BIDI + "]")


@given(st.text(alphabet="aZ09+.-:/ é\t_", max_size=12))
@example("http://x")
@example("é://x")
@example("a-b+c.d://")
@example("://x")
@example("ab:/c://d")
def test_is_url_answers_as_the_regex(text: str) -> None:
    assert is_url(text) == (URL.match(text) is not None)


@given(st.text(alphabet="aB_- \t\n\x1c\u00a0\u2028\u3000Éİ", max_size=12))
def test_header_names_are_normalized_as_by_the_regex(name: str) -> None:
    assert normalize_header(name) == SEPARATORS.sub("-", name.strip().lower()).strip("-")


def _delimiter_row_by_regex(line: str) -> bool:
    if "-" not in line:
        return False
    cells = line.split("|")
    if len(cells) > 1 and not cells[0].strip():
        del cells[0]
    if len(cells) > 1 and not cells[-1].strip():
        del cells[-1]
    return all(DELIMITER_CELL.fullmatch(cell) for cell in cells)


@given(st.text(alphabet=" \t:-|a\u00a0", max_size=14))
@example("| --- | :-- | --: | :-: |")
@example("|-\t-|")
@example("| : |-|")
def test_a_delimiter_row_is_found_as_by_the_regex(line: str) -> None:
    assert _is_delimiter_row(line) == _delimiter_row_by_regex(line)


def _week_by_regex(text: str) -> date | None:
    match = WEEK.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


@given(
    st.text(alphabet="0123456789-T :Z+.", max_size=22)
    | st.dates().map(date.isoformat)
    | st.builds(
        lambda d, s: d.isoformat()[:4] + s + d.isoformat()[5:],
        st.dates(),
        st.sampled_from(["-", "/", "٣", "²"]),
    )
)
@example("2023-02-30")
@example("２０２３-06-25")
@example("2023-06-2٣")
@example(" 2023-06-25 ")
@example("2023-06-25T00:00")
def test_weeks_parse_as_by_the_regex(text: str) -> None:
    assert parse_week(text) == _week_by_regex(text)


@given(st.text(alphabet="ab\n\t\r\x1b\x85\u202e\u2028 ", max_size=12))
def test_inert_lines_is_what_it_was(text: str) -> None:
    unsafe = UNSAFE_BUT_LF.search(text) is not None
    assert inert_lines(text) == (text.translate(_INERT_LINES_TABLE) if unsafe else text)


@given(st.text(alphabet='cat:egory" ab\tC', max_size=24))
@example('cat:"cs.LG" x')
@example('x category:"a b"')
def test_the_query_without_its_facet_is_what_the_regex_leaves(query: str) -> None:
    assert without_facet(query) == facet_term().sub(" ", query)
    assert (FACET_TERM.pattern, FACET_TERM.flags) == (facet_term().pattern, facet_term().flags)
