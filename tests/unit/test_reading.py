"""Paper keys, repeated papers and read counts (`reader.reading`), on a digest where one paper
comes back in later weeks and another is repeated within a week."""

from __future__ import annotations

from datetime import date

from reader.model import Digest, Paper
from reader.reading import ReadCounts, key_indices, repeated_weeks

JUNE, JULY, AUGUST = date(2023, 6, 4), date(2023, 7, 2), date(2023, 8, 6)


def paper(week: date, name: str) -> Paper:
    return Paper(week, name, f"https://example.org/{name}")


DIGEST = Digest(
    [
        paper(JUNE, "a"),
        paper(JUNE, "b"),
        paper(JULY, "a"),
        paper(JULY, "c"),
        paper(JULY, "c"),
        paper(AUGUST, "a"),
        Paper(AUGUST, "d", "https://arxiv.org/abs/2301.00001", arxiv_id="2301.00001"),
    ]
)


def key(name: str) -> str:
    return f"https://example.org/{name}"


def test_every_key_has_all_its_papers_in_order() -> None:
    found = key_indices(DIGEST)
    titles = {k: [DIGEST.papers[i].title for i in v] for k, v in found.items()}
    assert titles == {key("a"): ["a", "a", "a"], key("b"): ["b"], key("c"): ["c", "c"],
                      "2301.00001": ["d"]}  # fmt: skip
    assert all(list(v) == sorted(v) for v in found.values())
    assert len(found) == 4 and key("b") in found and "missing" not in found
    assert [DIGEST.papers[i].week for i in found[key("a")]] == [AUGUST, JULY, JUNE]


def test_repeated_weeks_name_papers_of_several_weeks_only() -> None:
    assert repeated_weeks(DIGEST) == {key("a"): (AUGUST, JULY, JUNE)}  # not c: one week
    unique = Digest([paper(JUNE, "x"), paper(JULY, "y")])
    assert repeated_weeks(unique) == {}


def test_read_counts_per_week_and_after_a_change() -> None:
    read = {key("a"), key("c")}
    counts = ReadCounts(DIGEST, read.__contains__)
    assert counts.per_week == {AUGUST: 1, JULY: 3, JUNE: 1}
    assert counts.unread(None) == 2 and counts.unread(JUNE) == 1 and counts.unread(AUGUST) == 1
    read.discard(key("c"))
    read.add("2301.00001")
    counts.update([key("c"), "2301.00001", "unknown"])
    assert counts.per_week == {AUGUST: 2, JULY: 1, JUNE: 1}
    counts.update([key("b")])  # unchanged: nothing moves
    assert counts.per_week == {AUGUST: 2, JULY: 1, JUNE: 1}
    assert counts.indices_of([key("c"), "2301.00001"]) == sorted(
        key_indices(DIGEST)[key("c")] + key_indices(DIGEST)["2301.00001"]
    )
