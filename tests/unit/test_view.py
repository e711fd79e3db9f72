"""The browse model's pure functions (reader.browse.view, reader.browse.sidebar) directly: no
Textual, no screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.browse.sidebar import (
    CategoryCounts,
    Entry,
    SidebarRows,
    WeekRows,
    _week_row,
    category_active,
    pick_category,
    search_entries,
    sidebar_cursor,
    sidebar_entries,
    toggle_tag,
)
from reader.browse.view import (
    View,
    count_label,
    elsewhere,
    empty_lines,
    fit_header,
    next_unread,
    starred_within,
    step_week,
    subtitle,
    view_rows,
    week_hits,
)
from reader.model import Digest, Paper
from reader.query import parse_query, toggle_category

W1, W2, W3 = date(2023, 6, 18), date(2023, 6, 11), date(2023, 6, 4)


def paper(week: date, title: str, category: str = "") -> Paper:
    return Paper(week, title, f"https://example.org/{title.replace(' ', '-')}", category)


# newest week first: indices 0-1 are W1, 2-4 W2, 5 W3
DIGEST = Digest(
    [
        paper(W1, "Zebra diffusion", "Vision"),
        paper(W1, "Apple agents", "Agents"),
        paper(W2, "Mango diffusion", "Vision"),
        paper(W2, "Banana robots", "Robotics"),
        paper(W2, "Cherry agents", "Agents"),
        paper(W3, "Date diffusion", "Vision"),
    ]
)
EVERYTHING = list(range(len(DIGEST)))


def no_stars() -> list[int]:
    return []


def test_rows_of_a_week_all_weeks_and_the_starred() -> None:
    assert view_rows(DIGEST, EVERYTHING, View(week=W2), no_stars) == [2, 3, 4]
    assert view_rows(DIGEST, EVERYTHING, View(), no_stars) == EVERYTHING
    starred = View(starred_only=True)
    assert view_rows(DIGEST, [0, 2, 5], starred, lambda: [1, 2, 5]) == [2, 5]
    assert view_rows(DIGEST, EVERYTHING, starred, lambda: [1, 4]) == [1, 4]


def test_rows_sorted_and_reversed() -> None:
    by_title = View(week=W2, sort="title")
    assert view_rows(DIGEST, EVERYTHING, by_title, no_stars) == [3, 4, 2]
    assert view_rows(DIGEST, EVERYTHING, replace(by_title, reverse=True), no_stars) == [2, 4, 3]
    by_category = View(sort="category")
    rows = view_rows(DIGEST, EVERYTHING, by_category, no_stars)
    assert [DIGEST.papers[i].category for i in rows] == [
        "Agents", "Agents", "Robotics", "Vision", "Vision", "Vision"
    ]  # fmt: skip


def test_week_hits_and_starred_within() -> None:
    assert list(week_hits(DIGEST, [0, 3, 5], W2)) == [3]
    assert list(week_hits(DIGEST, [0, 3, 5], None)) == [0, 3, 5]
    assert starred_within(6, [1, 3], EVERYTHING) == [1, 3]
    assert starred_within(6, [1, 3], [0, 3, 5]) == [3]
    assert starred_within(6, [1, 3], []) == []


def test_sort_cycle_and_week_column() -> None:
    view = View(week=W1)
    assert [view.next_sort().sort, view.next_sort().next_sort().sort] == ["title", "category"]
    assert view.next_sort().next_sort().next_sort().sort == "week"
    assert not view.show_week
    assert view.next_sort().show_week
    assert View().show_week


def test_subtitle() -> None:
    assert subtitle(View(week=W1), 2, None) == "2023-06-18 · 2 papers"
    assert subtitle(View(), 1, None) == "All weeks · 1 paper"
    filtered = View(week=W2, sort="title", reverse=True)
    assert subtitle(filtered, 1, 3, query="diffusion") == (
        "2023-06-11 · 1 of 3 papers · diffusion · by title (reversed)"
    )
    assert subtitle(View(starred_only=True, reverse=True), 0, None) == (
        "Starred · 0 papers · by week (reversed)"
    )
    assert "\x1b" not in subtitle(View(), 0, 5, query="a\x1b[31mb")


def test_compact_subtitle_puts_the_whole_count_first() -> None:
    """Tiny screens: the count is never the part the header cuts off."""
    assert subtitle(View(week=W1), 2, None, compact=True) == "2 · 2023-06-18"
    filtered = View(week=W2, sort="title")
    query = "a long query that the filter bar shows"
    assert subtitle(filtered, 0, 3, compact=True, query=query) == "0/3 · 2023-06-11"
    assert subtitle(View(starred_only=True), 4, None, compact=True) == "4 · Starred"


def test_thousands_are_separated_in_the_subtitle() -> None:
    assert subtitle(View(week=W1), 3_010, None) == "2023-06-18 · 3,010 papers"
    assert subtitle(View(week=W1), 12, 3_010, query="q") == "2023-06-18 · 12 of 3,010 papers · q"
    assert subtitle(View(week=W1), 1_200, 3_010, compact=True) == "1,200/3,010 · 2023-06-18"


INBOX = "README + HF daily 2026-W26 + arXiv cs.LG"


def test_the_header_keeps_the_sort_name_and_gives_up_the_title_first() -> None:
    sub = "2026-06-28 · 3,010 papers · by upvotes (reversed)"
    assert fit_header(INBOX, sub, 102) == (INBOX, sub)  # 120 columns: all of it
    title, kept = fit_header(INBOX, sub, 62)  # 80 columns
    assert (title, kept) == ("README +…", sub)
    assert len(title) + 3 + len(kept) <= 62
    assert fit_header(INBOX, sub, 32) == ("", "2026-06-28 · 3,010 papers · by…")  # no room


def test_the_header_cuts_the_query_before_the_count_and_the_order() -> None:
    sub = "2026-06-28 · 12 of 3,010 papers · transformer attention · by upvotes (reversed)"
    title, kept = fit_header(INBOX, sub, 102)  # 120 columns
    assert kept == sub and title == "README + HF daily 2…"
    title, kept = fit_header(INBOX, sub, 90)
    assert kept == "2026-06-28 · 12 of 3,010 papers · transformer atte… · by upvotes (reversed)"
    assert title == "README + HF…" and len(title) + 3 + len(kept) <= 90
    # too narrow for any of the query: the filter bar says it; the order stays
    narrow = "2026-06-28 · 12 of 3,010 papers · by upvotes (reversed)"
    assert fit_header(INBOX, sub, 62) == ("", narrow)
    selected = f"{sub} · 3 selected"
    assert fit_header(INBOX, selected, 80)[1].endswith("· by upvotes (reversed) · 3 selected")
    assert fit_header("", "", 10) == ("", "")


@given(st.text(max_size=60), st.text(max_size=90), st.integers(min_value=1, max_value=140))
def test_the_header_always_fits(title: str, sub: str, width: int) -> None:
    from rich.cells import cell_len

    fitted_title, fitted_sub = fit_header(title, sub, width)
    both = fitted_title and fitted_sub
    shown = f"{fitted_title} — {fitted_sub}" if both else fitted_title + fitted_sub
    assert cell_len(shown) <= width


def test_elsewhere_counts_the_matches_outside_the_week() -> None:
    hits = [0, 2, 5]  # the diffusion papers: one in each week
    assert elsewhere(DIGEST, hits, W2) == 2
    assert elsewhere(DIGEST, [0, 1], W2) == 2
    assert elsewhere(DIGEST, [2], W2) == 0
    assert elsewhere(DIGEST, hits, None) == 0  # all weeks: there is no elsewhere


def test_empty_lines_name_keys_that_work_in_the_filter_bar() -> None:
    assert empty_lines(View(week=W1), filtered=True, elsewhere=1, typing=True) == [
        f"No papers match in {W1.isoformat()}.",
        "1 in other weeks: Enter, then a shows all weeks.",
        "Esc clears the filter.",
    ]
    assert empty_lines(View(starred_only=True), filtered=True, elsewhere=0, typing=True) == [
        "No starred papers match.",
        "Enter, then s stars the highlighted paper.",
        "Esc clears the filter.",
    ]


def test_empty_lines_say_why_and_what_to_do() -> None:
    assert empty_lines(View(week=W3), filtered=False, elsewhere=0) == ["No papers in 2023-06-04."]
    assert empty_lines(View(week=W1), filtered=True, elsewhere=1) == [
        "No papers match in 2023-06-18.",
        "1 in other weeks: a shows all weeks.",
        "Esc clears the filter, / edits it.",
    ]
    assert empty_lines(View(), filtered=True, elsewhere=0) == [
        "No papers match.",
        "Esc clears the filter, / edits it.",
    ]
    assert empty_lines(View(starred_only=True), filtered=False, elsewhere=0) == [
        "No starred papers.",
        "s stars the highlighted paper.",
    ]
    starred = empty_lines(View(starred_only=True), filtered=True, elsewhere=3)
    assert starred == [
        "No starred papers match.",
        "s stars the highlighted paper.",
        "Esc clears the filter, / edits it.",
    ]


def test_count_label() -> None:
    assert count_label(12, 5, filtered=False) == "5/12"
    assert count_label(3, 5, filtered=True) == "3"


def test_step_week_skips_weeks_without_matches() -> None:
    assert step_week(DIGEST, EVERYTHING, W1, 1, filtered=False) == W2
    assert step_week(DIGEST, EVERYTHING, W1, -1, filtered=False) is None
    assert step_week(DIGEST, EVERYTHING, W3, 1, filtered=False) is None
    assert step_week(DIGEST, EVERYTHING, None, 1, filtered=False) == W1
    hits = [0, 5]  # nothing in W2
    assert step_week(DIGEST, hits, W1, 1, filtered=True) == W3
    assert step_week(DIGEST, [2], None, -1, filtered=True) == W2
    assert step_week(DIGEST, hits, W3, -1, filtered=True) == W1  # newer, over W2 too
    assert step_week(DIGEST, [5], W3, -1, filtered=True) is None
    assert step_week(Digest([]), [], None, 1, filtered=False) is None


def test_next_unread_in_the_view_then_across_weeks() -> None:
    read = {0, 2, 3}

    def unread(index: int) -> bool:
        return index not in read

    view = View(week=W1)
    rows = view_rows(DIGEST, EVERYTHING, view, no_stars)
    found = next_unread(DIGEST, EVERYTHING, view, rows, 0, 1, unread)
    assert found is not None and (found.week, found.rows[found.position]) == (W1, 1)
    found = next_unread(DIGEST, EVERYTHING, view, rows, 1, 1, unread)  # on to W2: 4 unread
    assert found is not None and (found.week, found.rows[found.position]) == (W2, 4)
    assert next_unread(DIGEST, EVERYTHING, view, rows, 0, -1, unread) is None
    # sorted by title, or all weeks: no crossing into other weeks
    by_title = View(week=W1, sort="title")
    rows = view_rows(DIGEST, EVERYTHING, by_title, no_stars)
    assert next_unread(DIGEST, EVERYTHING, by_title, rows, rows.index(1), 1, unread) is None


def test_category_facet_term_is_recognised_one_way() -> None:
    assert category_active('robots cat:"vision"', "Vision")
    assert category_active('category:"Vision" x', "vision")
    assert not category_active('cat:"vision-language"', "vision")
    assert not category_active('-cat:"vision"', "vision")
    assert not category_active('title:cat:"vision"', "vision")
    # picking replaces the category picked before; picking it again removes it
    assert pick_category("robots", "Vision") == 'robots cat:"Vision"'
    assert pick_category('robots cat:"Agents"', "Vision") == 'robots cat:"Vision"'
    assert pick_category('robots cat:"vision"', "Vision") == "robots"
    # the screen's test and query.toggle_category agree
    for text in ('cat:"vision"', '-cat:"vision"', 'xcat:"vision"', 'a  CATEGORY:"Vision"  b'):
        toggled = toggle_category(text, "Vision")
        assert category_active(text, "Vision") == (len(toggled) < len(text))


def test_sidebar_entries_counts_and_active_rows() -> None:
    rows = WeekRows()
    weeks = rows.rows(DIGEST, EVERYTHING, False, 0, lambda week: 1)
    assert [(e.label, e.count) for e in weeks] == [
        ("2023-06-18", "1/2"), ("2023-06-11", "1/3"), ("2023-06-04", "1/1")
    ]  # fmt: skip
    entries = sidebar_entries(
        DIGEST,
        View(week=W2),
        [0, 2, 5],
        query='cat:"Vision"',
        filtered=True,
        unread_all=4,
        starred_count=1,
        week_rows=rows.rows(DIGEST, [0, 2, 5], True, 0, lambda week: 1),
        categories={"Vision": 3, "Agents": 2, "": 1},
    )
    assert [(e.kind, e.label, e.count, e.active) for e in entries] == [
        ("all", "All weeks", "3", False),
        ("starred", "★ Starred", "1", False),
        ("heading", "Weeks", "", False),
        ("week", "2023-06-18", "1", False),
        ("week", "2023-06-11", "1", True),
        ("week", "2023-06-04", "1", False),
        ("heading", "", "", False),
        ("heading", "Categories", "", False),
        ("category", "Vision", "3", True),
        ("category", "Agents", "2", False),
    ]
    assert sidebar_cursor(entries, None) == 4  # the active week
    assert sidebar_cursor(entries, Entry("category", "Agents", category="Agents")) == 9
    assert sidebar_cursor([Entry("heading", "x")], None) == 0


def test_week_rows_are_made_when_asked_for_and_kept_while_hits_and_marks_stay() -> None:
    """No week's row or count is worked out until it is asked for (drawn); the rows of the same
    hits and marks are the same rows; new marks or new hits make them anew."""
    rows = WeekRows()
    calls: list[date] = []

    def unread(week: date) -> int:
        calls.append(week)
        return 0

    hits = list(EVERYTHING)
    weeks = rows.rows(DIGEST, hits, False, 0, unread)
    assert calls == []
    assert weeks[1].count == "0/3" and calls == [W2]
    assert rows.rows(DIGEST, hits, False, 0, unread) is weeks
    assert weeks[1] is weeks[1] and calls == [W2]
    again = rows.rows(DIGEST, hits, False, 1, unread)  # marks changed
    assert again is not weeks and again[1].count == "0/3" and calls == [W2, W2]
    assert rows.rows(DIGEST, list(hits), False, 1, unread) is not again  # new hits


def test_category_counts_leave_out_the_facet() -> None:
    counts = CategoryCounts()
    view, query = View(week=W2), 'cat:"Vision"'
    hits = parse_query(query).filter(DIGEST, range(len(DIGEST)), None)
    rows = view_rows(DIGEST, hits, view, no_stars)
    assert rows == [2]
    got = counts.counts(
        DIGEST, view, hits, rows, query=query, state=None, starred=no_stars, marks_version=0,
        refilter_limit=100,
    )  # fmt: skip
    assert got == {"Vision": 1, "Robotics": 1, "Agents": 1}
    # above the limit, the counts are those of the rows shown
    got = CategoryCounts().counts(
        DIGEST, view, hits, rows, query=query, state=None, starred=no_stars, marks_version=0,
        refilter_limit=3,
    )  # fmt: skip
    assert got == {"Vision": 1}
    # without a facet: the rows' own counts
    plain = View(week=W1)
    rows = view_rows(DIGEST, EVERYTHING, plain, no_stars)
    got = counts.counts(
        DIGEST, plain, EVERYTHING, rows, query="", state=None, starred=no_stars, marks_version=0,
        refilter_limit=100,
    )  # fmt: skip
    assert got == {"Vision": 1, "Agents": 1}


def test_category_counts_follow_the_week_with_a_category_picked() -> None:
    """The counts are remembered; a week switch (the same hits, the same marks) must count the
    new week's papers, and so must the starred view and a change of marks."""
    counts = CategoryCounts()
    hits = parse_query('cat:"Vision"').filter(DIGEST, range(len(DIGEST)), None)

    def shown(view: View, marks: int = 0, starred: list[int] | None = None) -> dict[str, int]:
        stars = (lambda: starred) if starred is not None else no_stars
        rows = view_rows(DIGEST, hits, view, stars)
        return counts.counts(
            DIGEST, view, hits, rows, query='cat:"Vision"', state=None, starred=stars,
            marks_version=marks, refilter_limit=100,
        )  # fmt: skip

    picked = View(week=W2)
    assert shown(picked) == {"Vision": 1, "Robotics": 1, "Agents": 1}
    assert shown(replace(picked, week=W1)) == {"Vision": 1, "Agents": 1}
    assert shown(replace(picked, week=W3)) == {"Vision": 1}
    assert shown(replace(picked, week=None, starred_only=True), starred=[1]) == {"Agents": 1}
    assert shown(replace(picked, week=None, starred_only=True), 1, [3, 4]) == {
        "Robotics": 1, "Agents": 1,
    }  # fmt: skip


def test_tags_and_saved_searches_in_the_sidebar() -> None:
    assert toggle_tag("x tag:ml", "ml") == "x"
    assert toggle_tag("x TAG:ML", "ml") == "x"
    assert toggle_tag("x", "ml") == "x tag:ml"
    searches = {"mine": "diffusion", "other": "robots"}
    counts = {"mine": "1/2"}
    over_all = View()
    assert search_entries(searches, counts, over_all, "diffusion") == [
        Entry("heading", ""),
        Entry("heading", "Searches"),
        Entry("search", "mine", "1/2", category="mine", active=True),
        Entry("search", "other", "", category="other", active=False),
    ]
    for other in (View(week=W1), View(starred_only=True)):
        rows = search_entries(searches, counts, other, "diffusion")
        assert [entry.active for entry in rows] == [False] * 4
    assert [e.active for e in search_entries(searches, counts, over_all, "robot")] == [False] * 4
    assert search_entries({}, counts, over_all, "diffusion") == []


@given(
    sizes=st.lists(st.integers(0, 6), min_size=1, max_size=8),
    picks=st.lists(st.lists(st.booleans(), max_size=48), min_size=1, max_size=4),
    filtered=st.booleans(),
    order=st.lists(st.integers(-9, 8), max_size=12),
)
def test_week_rows_count_each_weeks_hits_in_any_order_asked(
    sizes: list[int], picks: list[list[bool]], filtered: bool, order: list[int]
) -> None:
    """The rows count by bisecting at the week boundaries, when asked for: whatever the hits and
    whichever rows are asked for first (from the end too), each row says what counting the
    week's hits one by one says; a row asked for again is the same row, and so is a row whose
    count the hits before gave too."""
    newest = date(2024, 1, 7)
    papers = [
        paper(newest - timedelta(weeks=w), f"p{w}.{i}")
        for w, size in enumerate(sizes)
        for i in range(max(size, 1))
    ]
    digest = Digest(papers)
    rows = WeekRows()
    last: Sequence[Entry] = []
    for pick in picks:
        hits = [i for i in range(len(digest)) if i < len(pick) and pick[i]]
        got = rows.rows(digest, hits, filtered, 0, lambda week: 2)
        first: dict[int, Entry] = {}
        for at in order:
            if -len(got) <= at < len(got):
                first.setdefault(at % len(got), got[at])
        assert len(got) == len(digest.weeks)
        for row, (entry, week) in enumerate(zip(got, digest.weeks, strict=True)):
            n = sum(1 for i in hits if digest.papers[i].week == week)
            assert (entry.kind, entry.week, entry.count) == (
                "week",
                week,
                str(n) if filtered else f"2/{n}",
            )
            assert first.get(row, entry) is entry
        assert got[1:3] == list(got)[1:3]
        for before, now in zip(last, got, strict=False):  # a count that stays: the same row
            assert (before is now) == (before.count == now.count)
        last = got


@given(
    weeks=st.integers(0, 6),
    active=st.one_of(st.none(), st.integers(0, 5)),
    actives=st.lists(st.booleans(), min_size=3, max_size=8),
    keep=st.one_of(st.none(), st.integers(0, 20)),
    at=st.integers(-25, 25),
    stop=st.integers(-25, 25),
)
def test_sidebar_rows_are_the_list_they_stand_for(
    weeks: int, active: int | None, actives: list[bool], keep: int | None, at: int, stop: int
) -> None:
    """`SidebarRows` (week rows made when asked for) reads as the list of its rows would: its
    length, each row from either end, slices, and the cursor `sidebar_cursor` puts on it, on a
    row to keep or the first active one."""
    newest = date(2024, 1, 7)
    digest = Digest([paper(newest - timedelta(weeks=w), f"p{w}") for w in range(weeks)])
    week_rows = WeekRows().rows(digest, list(range(weeks)), True, 0, lambda week: 0)
    if active is not None and active >= weeks:
        active = None
    head = [
        Entry("all", "All weeks", "3", active=actives[0]),
        Entry("starred", "★ Starred", "1", active=actives[1]),
        Entry("heading", "Weeks"),
    ]
    tail = [
        Entry("category", f"c{i}", "1", category=f"c{i}", active=on)
        for i, on in enumerate(actives[2:])
    ]
    rows = SidebarRows(head, week_rows, active, tail)
    listed = (
        head
        + [replace(row, active=True) if i == active else row for i, row in enumerate(week_rows)]
        + tail
    )
    assert len(rows) == len(listed) and list(rows) == listed
    if -len(listed) <= at < len(listed):
        assert rows[at] == listed[at]
    else:
        with pytest.raises(IndexError):
            rows[at]
    assert rows[at:] == listed[at:] and rows[::2] == listed[::2]
    assert rows[at:stop] == listed[at:stop] and rows[:stop] == listed[:stop]
    assert rows[::-1] == listed[::-1] and rows[stop:at:-2] == listed[stop:at:-2]
    made = list(week_rows)
    assert week_rows[at:stop] == made[at:stop] and week_rows[::-3] == made[::-3]
    kept = listed[keep] if keep is not None and keep < len(listed) else None
    assert sidebar_cursor(rows, kept) == sidebar_cursor(listed, kept)


def test_a_week_row_is_the_entry_its_fields_make() -> None:
    """Week rows are made without Entry's `__init__` (in half the time): the same value, every
    field, the same hash."""
    made = _week_row(W2, "Jun 11, 2023", "12")
    entry = Entry("week", "Jun 11, 2023", "12", W2)
    assert made == entry
    assert vars(made) == vars(entry)
    assert hash(made) == hash(entry)
    assert replace(made, active=True) == replace(entry, active=True)
