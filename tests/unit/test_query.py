"""The query engine against the bundled digest.

Expected result sets were derived by reading reader/data/ml-papers-2023.md (grep/awk over the
title, category and abstract columns), never by running the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.query import (
    QUERY_HELP,
    SORT_KEYS,
    Query,
    QueryError,
    ReadingState,
    category_counts,
    parse_query,
    select,
    sort_indices,
    toggle_category,
    week_counts,
)
from reader.sources.loader import load_digest
from tests.conftest import BUNDLED
from tests.fakes import FakeState

DIGEST = load_digest(BUNDLED)
ALL = frozenset(p.arxiv_id for p in DIGEST.papers if p.arxiv_id)


def ids(indices: Iterable[int]) -> set[str]:
    return {DIGEST.papers[i].arxiv_id or "" for i in indices}


def run(text: str, state: ReadingState | None = None) -> set[str]:
    return ids(select(DIGEST, None, parse_query(text), state))


def weeks(*days: str) -> set[str]:
    """Every paper of the given weeks (the table's Week column)."""
    wanted = {date.fromisoformat(day) for day in days}
    return {p.arxiv_id or "" for p in DIGEST.papers if p.week in wanted}


def s(text: str) -> set[str]:
    return set(text.split())


LLAMA = s(
    "2303.14070 2303.16199 2304.01196 2304.03277 2304.08467 2304.14454 2305.14314 2305.11206 "
    "2305.15334 2306.03078 2306.02707 2306.11695"
)
ALPACA = s("2303.16199 2305.15717")
SEGMENT = s(
    "2304.03284 2304.02643 2304.06718 2304.11968 2304.11062 2305.07185 2306.01693 2306.09310"
)
DIFFUSION = s("2304.08818 2304.14108 2305.02463 2306.08637")
ROBOT = s("2304.13653 2305.05658 2306.11706")
RL = s(
    "2303.17491 2304.01852 2304.05332 2304.04370 2304.09103 2304.13653 2305.11206 2306.00323 "
    "2305.18290 2306.01693"
)
VISION = s(  # category Computer Vision and Pattern Recognition (21 papers)
    "2303.16199 2304.03284 2304.02643 2304.06706 2304.06718 2304.07193 2304.08485 2304.08818 "
    "2304.14108 2304.11968 2305.02463 2305.04790 2305.06500 2305.05665 2305.10973 2306.00238 "
    "2306.05422 2306.00989 2306.09310 2306.08637 2306.10900"
)
LEARNING_CAT = s(  # category Machine Learning (21 papers)
    "2303.17078 2303.17564 2304.03279 2304.05187 2304.10031 2304.13013 2304.12210 2305.00833 "
    "2305.05176 2305.11169 2305.07185 2305.14314 2305.14342 2305.20050 2305.17333 2305.18290 "
    "2306.03819 2306.04634 2306.07303 2306.07179 2306.05426"
)
MEDICAL = s("2303.14070 2303.17071 2304.14454 2305.09617 2305.17100 2306.09968")
CLINICAL = s("2303.17071 2305.09617 2306.09968")
SURVEY = s(
    "2304.01852 2303.18223 2304.00612 2304.06488 2304.10031 2304.13712 2306.07899 2306.07303"
)
MUSIC = s("2304.08551 2304.12995 2306.00107 2306.05284")
GPT4 = s(
    "2303.17071 2304.01852 2304.03279 2304.03277 2304.06364 2304.06488 2304.05376 2304.08485 "
    "2304.09103 2304.09842 2304.14108 2305.05176 2305.07759 2305.16291 2305.14314 2305.11206 "
    "2305.15334 2306.02707"
)
TOKENS = s(
    "2303.17564 2303.16199 2304.08467 2304.11062 2304.14454 2305.06983 2305.06161 2305.15717 "
    "2306.05284 2306.04634 2306.07174 2306.10900 2306.11644"
)
TITLE_GPT_COLON = s(  # titles containing "GPT:"
    "2303.17564 2303.17580 2304.03284 2304.09103 2304.12995 2305.04790 2305.05176 2305.09645 "
    "2305.17100 2306.06031 2306.10900 2306.09968"
)
AVAILABLE_AT_LINK = s(  # "available atthis https URL.", "at \url{this https URL}.", "at~\url{..."
    "2304.01196 2304.09842 2304.11633 2304.12995 2305.01625 2305.06983 2305.11169 2305.09645 "
    "2306.03901 2306.03819 2306.00989 2306.11695 2306.12420 2306.09782"
)
QUANT_WATER_HALLU = s(  # quantiz, watermark, hallucinat
    "2304.13013 2305.06983 2305.10973 2305.14314 2305.15334 2306.03078 2306.04634 2306.10900"
)
MAY = weeks("2023-05-07", "2023-05-14", "2023-05-21", "2023-05-28")
APRIL = weeks("2023-04-02", "2023-04-09", "2023-04-16", "2023-04-23", "2023-04-30")

CASES: list[tuple[str, set[str]]] = [
    ("", set(ALL)),
    ("   ", set(ALL)),
    ("llama", LLAMA),
    ("LLaMA", LLAMA),
    ("alpaca", ALPACA),
    ("llama -alpaca", LLAMA - ALPACA),
    ("-alpaca llama", LLAMA - ALPACA),
    ("segment", SEGMENT),
    ("diffusion OR robot", DIFFUSION | ROBOT),
    ("diffusion or robot", set()),  # lowercase "or" is a word: diffusion AND or AND robot
    ('"reinforcement learning"', RL),
    ('"Reinforcement   Learning"', RL),  # case and inner spaces do not matter
    ('"reinforcement learning" robot', s("2304.13653")),
    ('-"reinforcement learning" robot', ROBOT - {"2304.13653"}),
    ("cat:vision", VISION),
    ('cat:"computer vision"', VISION),
    ('category:"Computer Vision and Pattern Recognition"', VISION),
    ("cat:vision -segment", VISION - SEGMENT),
    ("cat:robotics", s("2304.13653 2305.05658 2306.11706")),
    ("-cat:robotics", set(ALL) - s("2304.13653 2305.05658 2306.11706")),
    ("category:physics", s("2304.05332 2304.05376 2304.10061 2305.01582")),  # incl. Astrophysics
    ("cat:learning", LEARNING_CAT),  # "Computation and Language" has no "learning"
    ("survey cat:learning", SURVEY & LEARNING_CAT),
    ("title:llama", s("2303.14070 2303.16199 2304.14454")),
    ("abstract:llama", LLAMA),
    ('abstract:"pattern recognition"', set()),  # only ever in the category
    ("title:survey", s("2303.18223 2304.06488 2304.10031 2304.13712 2306.07303")),
    ("abstract:survey", s("2304.01852 2303.18223 2304.00612 2304.06488 2306.07899 2306.07303")),
    ("abstract:/^in this/", s("2304.06718 2305.09645")),  # abstracts opening "In this"
    ("llama -title:llama", LLAMA - s("2303.14070 2303.16199 2304.14454")),
    ('title:"segment anything"', s("2304.02643 2304.11968")),
    ('"segment anyth', s("2304.02643 2304.11968")),  # an unclosed quote runs to the end
    ("title:/^segment/", s("2304.02643 2304.06718")),
    ("title:/^Segment\\b/", s("2304.02643 2304.06718")),
    ("title:/gpt:/", TITLE_GPT_COLON),
    ("/gpt-?4/", GPT4),
    ("/GPT-?4/", GPT4),  # a capital letter: the case-insensitive regex path
    ("-/gpt-?4/ llama", LLAMA - GPT4),
    ("/token(s|izer)/", TOKENS),
    (
        "/(quantiz|watermark|hallucinat)/",
        QUANT_WATER_HALLU,
    ),
    (
        "quantiz OR watermark OR hallucinat",
        QUANT_WATER_HALLU,
    ),
    ("medical OR clinical", MEDICAL | CLINICAL),
    ("medical llama OR alpaca", MEDICAL & (LLAMA | ALPACA)),  # OR binds tighter than AND
    ("music -cat:sound", MUSIC - s("2306.00107 2306.05284")),
    (
        "week:2023-05-14",
        s("2305.06983 2305.04790 2305.06161 2305.05176 2305.06500 2305.05658 2305.05665")
        | {"2305.04388"},
    ),
    ("week:2023-05", MAY),
    ("week:2023-05-01..2023-05-31", MAY),
    ("week:2023-05-07..2023-05-14", weeks("2023-05-07", "2023-05-14")),
    ("week:2023-04..2023-05", APRIL | MAY),
    ("week:>=2023-06-18", weeks("2023-06-18", "2023-06-25")),
    ("week:>2023-06-18", weeks("2023-06-25")),
    ("week:<2023-04-09", weeks("2023-04-02")),
    ("week:<=2023-04-09", weeks("2023-04-02", "2023-04-09")),
    ("week:<2023-05", APRIL),
    ("week:2023-05-10", set()),  # not a week of the digest
    ("week:2022", set()),
    ("-week:2023-05 -week:2023-04", set(ALL) - MAY - APRIL),
    ("medical week:2023-04", MEDICAL & APRIL),
    ("id:2305.14314", s("2305.14314")),
    ("id:2305.14314v2", s("2305.14314")),
    ("id:2303.17564", s("2303.17564")),  # linked as .../abs/2303.17564v1
    ("id:https://arxiv.org/abs/2305.14314v1", s("2305.14314")),
    ("-id:2305.14314 qlora", set()),
    ("id:2305.14314 OR id:2303.17564", s("2305.14314 2303.17564")),
    ('"40% pass@1"', s("2305.06161")),  # the source says 40\% pass@1: search uses clean text
    ('"adapters (lora)"', s("2305.14314")),  # source: Adapters~(LoRA)
    ('"an invoking-linearization"', s("2305.09645")),  # source: an \emph{invoking-...}
    ('"available at this https url."', AVAILABLE_AT_LINK),
    ("emph{", set()),  # LaTeX wrappers are gone from the searched text
    ("foo:bar", set()),  # an unknown field: the plain word "foo:bar"
    ("page:this", s("2304.08818")),  # "Project page:this https URL": "page:" is no field
    ("is:read", set()),  # no reading state: nothing is read
    ("is:starred", set()),
    ("is:unread", set(ALL)),
    ("-is:read llama", LLAMA),
    ("title:", set(ALL)),  # a field with nothing after it yet is ignored
    ("llama OR", LLAMA),  # so is a dangling OR
    ("OR llama", LLAMA),
    ("- llama", LLAMA),
    ('"" llama', LLAMA),
    ("// llama", LLAMA),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    CASES,
    ids=[case[0].replace("\\", "%5c") or "<empty>" for case in CASES],  # see conftest.py
)
def test_query_results(text: str, expected: set[str]) -> None:
    assert run(text) == expected


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len(ALL) == 123


def test_word_counts_read_from_the_data() -> None:
    # Hand counts from the table, as a check on the sets above.
    assert (len(LLAMA), len(SEGMENT), len(VISION), len(LEARNING_CAT), len(MAY)) == (
        12,
        8,
        21,
        21,
        37,
    )


# --- reading state -----------------------------------------------------------------------------


def test_reading_state_terms() -> None:
    state = FakeState(read={"2305.14314", "2303.16199"}, starred={"2304.02643"})
    assert run("is:read", state) == {"2305.14314", "2303.16199"}
    assert run("is:unread llama", state) == LLAMA - {"2305.14314", "2303.16199"}
    assert run("-is:unread", state) == {"2305.14314", "2303.16199"}
    assert run("is:starred", state) == {"2304.02643"}
    assert run("is:starred OR is:read", state) == {"2304.02643", "2305.14314", "2303.16199"}
    assert run("IS:READ", state) == {"2305.14314", "2303.16199"}


def test_matches_one_paper() -> None:
    index = next(i for i, p in enumerate(DIGEST.papers) if p.arxiv_id == "2305.14314")
    assert parse_query("qlora").matches(DIGEST, index)
    assert not parse_query("-qlora").matches(DIGEST, index)
    assert parse_query("is:read").matches(DIGEST, index, FakeState({"2305.14314"}, set()))


def test_filter_keeps_the_given_order_and_subset() -> None:
    query = parse_query("llama")
    backwards = list(range(len(DIGEST)))[::-1]
    hits = query.filter(DIGEST, backwards)
    assert hits == sorted(hits, reverse=True)
    assert ids(hits) == LLAMA
    assert query.filter(DIGEST, []) == []
    assert ids(query.filter(DIGEST, DIGEST.indices(date(2023, 4, 2)))) == LLAMA & weeks(
        "2023-04-02"
    )
    every_other = range(0, len(DIGEST), 2)  # any iterable of indices: a stepped range too
    assert query.filter(DIGEST, every_other) == query.filter(DIGEST, list(every_other))
    assert query.filter(DIGEST, iter(every_other)) == query.filter(DIGEST, list(every_other))
    assert query.filter(DIGEST, every_other) == [i for i in sorted(hits) if i % 2 == 0]


# --- parser ------------------------------------------------------------------------------------


def shape(text: str) -> list[list[str]]:
    """The parsed clauses as strings: "-" for negation, "field=value" for text terms."""
    out = []
    for clause in parse_query(text).clauses:
        terms = []
        for term in clause:
            kind = term.kind
            value = getattr(kind, "value", None)
            if value is None and hasattr(kind, "pattern"):
                value = "/" + kind.pattern.pattern + "/"
            if value is None:
                value = repr(kind)
            where = getattr(kind, "field", type(kind).__name__)
            terms.append(("-" if term.negated else "") + f"{where}={value}")
        out.append(terms)
    return out


def test_precedence_or_binds_tighter_than_and() -> None:
    assert shape("x a OR b") == [["any=x"], ["any=a", "any=b"]]
    assert shape("a OR b c OR d e") == [["any=a", "any=b"], ["any=c", "any=d"], ["any=e"]]
    assert shape("a OR b OR c") == [["any=a", "any=b", "any=c"]]
    assert shape("a or b") == [["any=a"], ["any=or"], ["any=b"]]
    assert shape("a Or b") == [["any=a"], ["any=or"], ["any=b"]]
    assert shape("a -OR b") == [["any=a"], ["-any=or"], ["any=b"]]
    assert shape('a "OR" b') == [["any=a"], ["any=or"], ["any=b"]]
    assert shape("a OR OR b") == [["any=a", "any=b"]]


def test_negation_of_every_kind() -> None:
    assert shape('-word -"a phrase" -cat:robotics -title:"x y" -/re+/') == [
        ["-any=word"],
        ["-any=a phrase"],
        ["-category=robotics"],
        ["-title=x y"],
        ["-any=/re+/"],
    ]
    assert shape("-a OR b") == [["-any=a", "any=b"]]
    assert shape("state-of-the-art") == [["any=state-of-the-art"]]  # a hyphen inside a word
    assert shape("--x") == [["-any=-x"]]


def test_quoting_and_fields() -> None:
    assert shape('cat:"computer vision" title:GPT Abstract:Foo CATEGORY:sound') == [
        ["category=computer vision"],
        ["title=gpt"],
        ["abstract=foo"],
        ["category=sound"],
    ]
    assert shape('"a  b"c') == [["any=a b"], ["any=c"]]
    assert shape('say"hi"') == [['any=say"hi"']]  # a quote inside a word is a character
    assert shape("e.g.: https://x.org/a (b)") == [
        ["any=e.g.:"],
        ["any=https://x.org/a"],
        ["any=b"],  # a group
    ]
    assert shape("title:a:b") == [["title=a:b"]]
    assert shape("/a b/") == [["any=a b"]]  # a regex without metacharacters is a plain substring
    assert shape("/a\\/b+/") == [["any=/a\\/b+/"]]  # an escaped slash does not close the regex
    assert shape("/ab+") == [["any=/ab+/"]]  # an unclosed regex runs to the end


def test_empty_and_unfinished_terms_are_ignored() -> None:
    for text in [
        "",
        "  ",
        "-",
        "title:",
        'cat:""',
        "//",
        "week:",
        "week:>=",
        "week:..",
        "id:",
        "is:",
    ]:
        assert parse_query(text).is_empty, text
    assert not parse_query("x").is_empty
    assert not parse_query("is:read").is_empty


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("/(/", 1, "regex"),  # re reports the unclosed "(" itself
        ("llama /a[/", 8, "regex"),
        ("title:/x)/", 8, "regex"),
        ("/a{2,1}/", 3, "regex"),
        ("week:may", 5, "week"),
        ("a week:2023-13", 12, "month"),
        ("week:2023-02-30", 13, "day"),
        ("week:2023-02-3", 13, "day"),
        ("week:>=20x", 7, "week"),
        ("week:2023-05-01..june", 17, "week"),
        ("week:2023-05-1-2", 5, "week"),
        ("x is:sleeping", 5, "is:"),
        ("x /" + "(" * 900 + ")" * 900 + "/", 3, "invalid regex: "),  # too deep for re
        ("week:0000", 5, "week: no year starts with '0000'"),
    ],
    ids=lambda value: value[:20] if isinstance(value, str) else None,
)
def test_errors_carry_their_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert fragment in caught.value.message
    assert isinstance(caught.value, ValueError)
    assert f"column {position + 1}" in str(caught.value)


def test_week_prefixes_and_open_ranges() -> None:
    assert run("week:2023-0") == set(ALL)  # months 01-09
    assert run("week:2023-1") == set()  # months 10-12
    assert run("week:2023-06-1") == weeks("2023-06-11", "2023-06-18")  # days 10-19
    assert run("week:2023-06-18..") == weeks("2023-06-18", "2023-06-25")
    assert run("week:..2023-04-02") == weeks("2023-04-02")
    assert run("week:>2023-06") == set()
    assert run("week:>=9999-12-31") == set()
    assert run("week:>9999-12-31") == set()
    assert run('week:"2023-05-14"') == run("week:2023-05-14")


# --- highlighting ------------------------------------------------------------------------------


def test_highlight_spans() -> None:
    title = "Large Language Models: a Survey of Large Language Models"
    query = parse_query('"large language" survey -models /a s[u]/ id:1 week:2023 cat:survey')
    # "large language" at 0 and 35; "survey" at 25; /a s[u]/ at 23 (overlaps "survey": merged)
    assert query.highlight_spans(title, "title") == [(0, 14), (23, 31), (35, 49)]
    assert query.highlight_spans(title, "category") == [(0, 14), (23, 31), (35, 49)]
    assert parse_query("title:survey").highlight_spans(title, "abstract") == []
    assert parse_query("title:survey").highlight_spans(title, "title") == [(25, 31)]
    assert parse_query("title:survey").highlight_spans(title) == [(25, 31)]  # "any" field
    assert parse_query("aa").highlight_spans("aaa") == [(0, 3)]  # overlapping occurrences
    assert parse_query("a OR b").highlight_spans("cab") == [(1, 3)]  # adjacent spans merge
    assert parse_query("-a").highlight_spans("aaa") == []
    assert parse_query("/x*/").highlight_spans("abc") == []  # empty matches are skipped
    assert parse_query("").highlight_spans("abc") == []


def test_highlight_is_case_insensitive_with_unicode() -> None:
    text = "İstanbul KELVIN straße"
    assert len(text.lower()) != len(text)  # "İ" lowercases to two characters
    assert parse_query("kelvin").highlight_spans(text) == [(9, 15)]
    assert parse_query("STRASSE").highlight_spans(text) == []
    assert parse_query("straße").highlight_spans(text) == [(16, 22)]


def test_highlight_unknown_field() -> None:
    with pytest.raises(ValueError, match="field"):
        parse_query("x").highlight_spans("x", "summary")


# --- narrowing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "new"),
    [
        ("", "x"),
        ("lang", "langu"),
        ("lang", "language"),
        ("large lang", "large language model"),
        ('"large lang', '"large language'),
        ("x", "x -y"),
        ("-la", "-l"),
        ("x a OR b", "x a OR bc"),
        ("cat:vis", "cat:vision"),
        ("vis", "cat:vision"),
        ("week:2023", "week:2023-05"),
        ("week:2023-05", "week:2023-05-14"),
        ("week:>=2023-05-01", "week:2023-05-07..2023-05-14"),
        ("-week:2023-05-14", "-week:2023-05"),
        ("/a+b/", "/a+b/ c"),
        ("is:read", "is:read x"),
        ("title:/gpt/", "title:/gpt 4/"),  # regexes without metacharacters are substrings
    ],
)
def test_narrows(previous: str, new: str) -> None:
    assert parse_query(new).narrows(parse_query(previous))
    # and it is true on the data: every hit of new is a hit of previous
    assert run(new) <= run(previous)


@pytest.mark.parametrize(
    ("previous", "new"),
    [
        ("x", ""),
        ("language", "lang"),
        ("x a", "x a OR b"),
        ("a O", "a OR"),
        ("-l", "-la"),
        ("title:vision", "vision"),
        ("cat:vision", "title:vision"),
        ("week:2023-05-14", "week:2023-05"),
        ("/a+b/", "/a+bc/"),
        ("x", "-x"),
        ("is:read", "is:unread"),
        ("-author:xy", "-xy"),  # plain words do not search authors: -xy keeps an author xy
        ("-note:xy", "-xy"),
        ("x", "week:2023-05"),  # a week and a word: neither holds the other
        ("week:2023-05", "x"),
    ],
)
def test_does_not_narrow(previous: str, new: str) -> None:
    assert not parse_query(new).narrows(parse_query(previous))


def test_filter_with_satisfied_skips_known_clauses() -> None:
    previous = parse_query("large lang")
    hits = previous.filter(DIGEST, range(len(DIGEST)))
    new = parse_query("large language model")
    assert new.narrows(previous)
    fresh = new.filter(DIGEST, range(len(DIGEST)))
    assert new.filter(DIGEST, hits, satisfied=previous) == fresh
    # The promise is the caller's: clauses of `satisfied` are not checked again.
    assert parse_query("llama").filter(DIGEST, [0, 1, 2], satisfied=parse_query("llama")) == [
        0,
        1,
        2,
    ]
    # ...except reading-state ones, which may have changed since.
    state = FakeState(set(), set())
    assert (
        parse_query("is:read").filter(DIGEST, [0, 1], state, satisfied=parse_query("is:read")) == []
    )


def test_regex_prefilter_literals() -> None:
    from reader.query.syntax import _literals

    assert _literals("token(izer|s)? budget") == (" budget", "token")
    assert _literals(r"\btoken\w*") == ("token",)
    assert _literals("x{2,3}yz") == ("yz",)
    assert _literals("[abc]|d") == ()
    # the literals narrow, the regex decides
    assert run("/token(izer|s)? (budget|of)/") == run("/tokens? of/") | run("/tokenizers? of/") | (
        run("/tokens? budget/") | run("/tokenizers? budget/")
    )


SCOPES = st.sampled_from(["all", "week", "odd", "hits"])
MEMO_QUERIES = st.sampled_from(
    [
        "l", "ll", "lla", "llama", "-l", "-lla", "-llama", "llama -alpaca", "llama -alp",
        "/gpt-?4/", "abstract:llama", "abstract:lla", "model OR lora", "model OR lor", "model",
        "mod", "-model", "-mo", "title:gpt llama", "/l+ama/", "lla OR zzz", "llama OR zzz",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(MEMO_QUERIES, SCOPES), min_size=1, max_size=10))
def test_remembered_clauses_give_the_same_results(steps: list[tuple[str, str]]) -> None:
    digest = load_digest(BUNDLED)  # a digest of its own: its own caches
    previous: list[int] = list(range(len(digest)))
    for text, scope_name in steps:
        scope: Iterable[int] = {
            "all": range(len(digest)),
            "week": digest.indices(date(2023, 5, 28)),
            "odd": range(1, len(digest), 2),
            "hits": previous,
        }[scope_name]
        query = parse_query(text)
        got = query.filter(digest, scope)
        fresh = load_digest(BUNDLED)  # nothing remembered
        assert got == query.filter(fresh, list(scope))
        previous = got or previous


# --- counts, sorting, select -------------------------------------------------------------------


def test_week_counts() -> None:
    counts = week_counts(DIGEST, range(len(DIGEST)))
    assert list(counts) == list(DIGEST.weeks)
    assert counts[date(2023, 5, 14)] == 8
    assert counts[date(2023, 6, 25)] == 10
    assert sum(counts.values()) == 123
    llama = week_counts(DIGEST, parse_query("llama").filter(DIGEST, range(len(DIGEST))))
    # LLAMA by week (ids 2303.* are in 2023-04-02; see the table)
    assert llama[date(2023, 4, 2)] == 2
    assert llama[date(2023, 4, 9)] == 2
    assert llama[date(2023, 5, 28)] == 3
    assert llama[date(2023, 4, 30)] == 0
    assert sum(llama.values()) == 12
    assert week_counts(DIGEST, []) == dict.fromkeys(DIGEST.weeks, 0)


def test_category_counts() -> None:
    counts = category_counts(DIGEST, range(len(DIGEST)))
    assert counts["Computation and Language"] == 56
    assert counts["Computer Vision and Pattern Recognition"] == 21
    assert counts["Machine Learning"] == 21
    assert counts["Robotics"] == 3
    assert sum(counts.values()) == 123
    assert next(iter(counts)) == "Computation and Language"  # most first
    music = category_counts(DIGEST, parse_query("music").filter(DIGEST, range(len(DIGEST))))
    assert music == {"Sound": 2, "Computation and Language": 1, "Human-Computer Interaction": 1}


def test_sort_indices() -> None:
    week = DIGEST.indices(date(2023, 5, 14))
    assert sort_indices(DIGEST, reversed(week)) == list(week)  # source order within a week
    titles = [DIGEST.papers[i].title for i in sort_indices(DIGEST, week, "title")]
    assert titles[:3] == [
        "Active Retrieval Augmented Generation",
        "FrugalGPT: How to Use Large Language Models While Reducing Cost and Improving Performance",
        "ImageBind: One Embedding Space To Bind Them All",
    ]
    assert titles[-1] == "TidyBot: Personalized Robot Assistance with Large Language Models"
    reverse = [DIGEST.papers[i].title for i in sort_indices(DIGEST, week, "title", reverse=True)]
    assert reverse == titles[::-1]
    categories = [DIGEST.papers[i].category for i in sort_indices(DIGEST, week, "category")]
    assert categories == ["Computation and Language"] * 3 + [
        "Computer Vision and Pattern Recognition"
    ] * 3 + ["Machine Learning", "Robotics"]
    everything = sort_indices(DIGEST, range(len(DIGEST)), "week")
    assert [DIGEST.papers[i].week for i in everything] == sorted(
        (p.week for p in DIGEST.papers), reverse=True
    )
    assert sort_indices(DIGEST, [5, 3, 4], "week", reverse=True) == [5, 4, 3]
    assert SORT_KEYS == ("week", "title", "category", "similarity", "upvotes")
    with pytest.raises(ValueError, match="sort"):
        sort_indices(DIGEST, week, "date")


def test_sort_by_category_keeps_week_order_within() -> None:
    vision = sort_indices(DIGEST, range(len(DIGEST)), "category")
    cv = [i for i in vision if DIGEST.papers[i].category.startswith("Computer Vision")]
    assert cv == sorted(cv)


def test_select() -> None:
    week = date(2023, 4, 2)
    assert ids(select(DIGEST, week, parse_query("llama"))) == {"2303.14070", "2303.16199"}
    assert select(DIGEST, None, parse_query("")) == list(range(123))
    assert select(DIGEST, date(2020, 1, 5), parse_query("")) == []
    titles = [
        DIGEST.papers[i].title for i in select(DIGEST, week, parse_query("llm"), sort="title")
    ]
    # abstracts of 2023-04-02 mentioning "llm" (grep -i): HuggingGPT, DERA, LLaMA-Adapter, ...
    assert titles == sorted(titles, key=str.casefold)
    with pytest.raises(ValueError):
        select(DIGEST, week, parse_query(""), sort="nope")


def test_toggle_category() -> None:
    name = "Computer Vision and Pattern Recognition"
    added = toggle_category("llama", name)
    assert added == 'llama cat:"Computer Vision and Pattern Recognition"'
    assert run(added) == LLAMA & VISION
    assert toggle_category(added, name) == "llama"
    assert toggle_category("", "Robotics") == 'cat:"Robotics"'
    assert toggle_category('-cat:"Robotics"', "Robotics") == '-cat:"Robotics" cat:"Robotics"'


def test_help_table() -> None:
    forms = " ".join(form for form, _ in QUERY_HELP)
    for needle in ["OR", "title:", "cat:", "week:", "id:", "/regex/", "is:read", '"a phrase"', "-"]:
        assert needle in forms
    assert all(meaning for _, meaning in QUERY_HELP)


def test_query_equality_and_hash() -> None:
    assert Query("a b") == parse_query("a b")
    assert hash(Query("a b")) == hash(parse_query("a b"))
    assert Query("a") != Query("b")


# --- properties --------------------------------------------------------------------------------

QUERY_CHARS = st.sampled_from(list('abcélmo -"/:.()[]*+?\\|{}^$<>=ORisweektlcd0123456789vİ\n\t'))
QUERY_TEXT = st.one_of(st.text(max_size=40), st.text(QUERY_CHARS, max_size=40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUERY_TEXT)
def test_any_text_parses_or_raises_query_error_and_never_changes_the_digest(text: str) -> None:
    before = DIGEST.papers
    snapshot = tuple(before)
    try:
        query = parse_query(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        assert error.message
        return
    hits = query.filter(DIGEST, range(len(DIGEST)), FakeState({"2305.14314"}, set()))
    assert hits == sorted(set(hits))
    assert set(hits) <= set(range(len(DIGEST)))
    for index in hits[:3]:
        paper = DIGEST.papers[index]
        for field, value in (("title", paper.title), ("abstract", paper.text)):
            for start, end in query.highlight_spans(value, field):
                assert 0 <= start < end <= len(value)
    assert DIGEST.papers is before
    assert DIGEST.papers == snapshot
    try:
        longer = parse_query(text + "x")
    except QueryError:
        return
    if longer.narrows(query):
        assert set(longer.filter(DIGEST, range(len(DIGEST)))) <= set(hits)


def test_a_range_of_papers_finds_only_its_own_among_thousands() -> None:
    """A filter within a range of a big digest (a week of 100k papers) searches that range:
    the quick path for long ranges (a probe of the first papers, then one scan) must neither
    look before its start nor past its end."""
    from datetime import date

    from reader.model import Digest, Paper

    holding = {10, 2000, 4500, 5990}
    digest = Digest(
        Paper(date(2024, 1, 7), f"zzword {n}" if n in holding else f"paper {n}", f"https://e/{n}")
        for n in range(6000)
    )
    query = parse_query("zzword")
    assert query.filter(digest, range(6000)) == sorted(holding)
    assert query.filter(digest, range(1000, 6000)) == [2000, 4500, 5990]
    assert query.filter(digest, range(1000, 5000)) == [2000, 4500]
    assert query.filter(digest, range(4000, 4100)) == []
    assert query.filter(digest, range(2001, 4499)) == []


def test_a_brace_re_reads_as_itself_is_not_a_fuzzy_match() -> None:
    # The `regex` module reads "{e}" as "with any number of errors": /a{e}/ matched every paper.
    assert run("/gpt{e}/") == set()
    assert run("title:/llama{e}/") == set()
    # "{s" is refused by `regex` ("expected }") but is two plain characters to `re`.
    assert run("/{s/") == set()
    assert run("/x{s") == set()
    assert run("/gpt-?4{1}/") == GPT4  # a real repeat is still a repeat


BRACE_CHARS = st.sampled_from(list("ae{},01[]^\\sN"))


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # re on "[[": as asked
@settings(max_examples=400, deadline=None)
@given(pattern=st.text(BRACE_CHARS, max_size=12), text=st.text("ae{},01s", max_size=12))
def test_a_regex_query_matches_what_re_matches(pattern: str, text: str) -> None:
    import re

    from reader.query.syntax import _timed

    try:
        expected = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except (re.error, OverflowError, RecursionError, ValueError):
        return
    timed = _timed(pattern, re.IGNORECASE | re.MULTILINE)
    assert bool(timed.search(text)) == bool(expected.search(text)), (pattern, text)
