"""Where the reader opens a digest: the command line's week and query, or the last session."""

from __future__ import annotations

from datetime import date

from reader.model import Digest, Paper
from reader.session import Opening, opening
from reader.settings import Settings
from reader.state import Session

OLD, NEW = date(2023, 6, 18), date(2023, 6, 25)
DIGEST = Digest(
    [Paper(NEW, "New", "https://a.org/new"), Paper(OLD, "Old", "https://a.org/old")], name="d"
)


def test_without_a_session_the_options_decide() -> None:
    assert opening(DIGEST, Settings(), None) == Opening(NEW, "")
    assert opening(DIGEST, Settings(week=None, query="x"), None) == Opening(None, "x")
    assert opening(DIGEST, Settings(week="2023-06-18"), None) == Opening(OLD, "")


def test_a_week_the_digest_lacks_falls_back_to_the_newest() -> None:
    asked = Settings(week=date(2020, 1, 5), week_given=True)
    assert opening(DIGEST, asked, None) == Opening(NEW, "", missing=date(2020, 1, 5))


def test_the_session_wins_where_nothing_was_given() -> None:
    left = Session(OLD.isoformat(), "cat:ml", "key-1")
    assert opening(DIGEST, Settings(), left) == Opening(OLD, "cat:ml", "key-1")
    assert opening(DIGEST, Settings(), Session("all", "", "")) == Opening(None, "")
    given = Settings(week="latest", query="q", week_given=True, query_given=True)
    assert opening(DIGEST, given, left) == Opening(NEW, "q", "key-1")


def test_a_session_week_no_longer_in_the_digest_is_ignored() -> None:
    gone = Session("2019-01-06", "", "")
    assert opening(DIGEST, Settings(), gone) == Opening(NEW, "")
