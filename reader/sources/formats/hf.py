"""Hugging Face's daily papers: the JSON of `https://huggingface.co/api/daily_papers`.

The API answers a JSON list of items (`?date=YYYY-MM-DD`, `?week=YYYY-Www`, `?month=YYYY-MM`;
`limit` and `p` page through them):

    [{"paper": {"id": "2406.12345", "title": "…", "summary": "…",
                "authors": [{"name": "Ada Lovelace", …}, …], "upvotes": 212,
                "githubRepo": "https://github.com/…", "projectPage": "https://…", …},
      "publishedAt": "2026-06-24T09:12:00.000Z", "title": "…", "numComments": 5, …}, …]

Each item is a paper: its link `https://arxiv.org/abs/{paper.id}`, its abstract `paper.summary`,
its authors `paper.authors[].name`, its week the one of the day it was featured (the item's
`publishedAt`, else the paper's `submittedOnDailyAt` or `publishedAt`: see
`reader.feeds.week_ending`), its GitHub repository and project page as `Code` and `Project`
links (http and https only), and an `Origin("hf", day, upvotes, comments)`. A `paper.id` that
is not an arXiv id gets the paper's page on Hugging Face as its link (the id quoted, so no
character of it reaches a terminal raw). Unknown keys are ignored.

The API is not reader's to fix, and its answers change shape: an optional field that is null,
missing or of another type (`upvotes: 12.0`, `"12"`, `githubRepo: 5`, an author that is no
object) is read as absent, and an item without what a paper needs (an object `paper`, a text
`id`, a title, a day) is left out, with its number and why (`FeedPage.skipped`: the loader says
so once a page); only a page none of whose items reads is an error, with the first item's line.
No Textual here.
"""

from __future__ import annotations

import math
import re
from datetime import date
from urllib.parse import quote

from reader.feeds import FeedPage, week_ending
from reader.model import Link, Origin, Paper
from reader.sources.formats import LoadError, parse_week
from reader.sources.formats.csv_json import json_items, json_kind, json_string
from reader.text import is_web_link

__all__ = ["HF_PAPER_PAGE", "parse_hf"]

HF_PAPER_PAGE = "https://huggingface.co/papers/"
"""A paper's page on Hugging Face: this and its id (its link when the id is not an arXiv one)."""

_ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}")

_WHAT = 'a JSON list of Hugging Face daily papers ([{"paper": {...}, ...}, ...])'


def _one_line(text: str) -> str:
    """Titles and abstracts come wrapped as arXiv wraps them: one line, single spaces."""
    return " ".join(text.split())  # str.split: the whitespace `\s` is, in C


def _count(value: object) -> int | None:
    """A count (upvotes, comments) as a whole number; None for a null, a missing field or one
    of another type (the paper stays, without the count)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return max(0, value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return max(0, int(value))
    return None


def _text(value: object) -> str:
    """An optional text field: the text, or "" for a null or any other type."""
    return json_string(value, "", "", 0) if isinstance(value, str) else ""


def _day(item: dict[str, object], paper: dict[str, object], path: str, line: int) -> date:
    """The day the paper was featured: the first of the item's `publishedAt`, the paper's
    `submittedOnDailyAt` and `publishedAt` that is a date."""
    places = ((item, "publishedAt"), (paper, "submittedOnDailyAt"), (paper, "publishedAt"))
    wrong: str | None = None
    for source, key in places:
        text = _text(source.get(key)).strip()
        if text:
            day = parse_week(text[:10])
            if day is not None:
                return day
            wrong = wrong or f"{key!r} is not a date: {text[:40]!r}"
    raise LoadError(path, line, wrong or "the item has no date (publishedAt)")


def _authors(value: object) -> tuple[str, ...]:
    """The names of `paper.authors` (objects with a text `name`, or texts); an entry of any
    other shape is passed over, and anything but a list is no authors."""
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for author in value:
        name = _one_line(_text(author.get("name") if isinstance(author, dict) else author))
        if name:
            names.append(name)
    return tuple(names)


def _item(value: object, path: str, line: int) -> Paper:
    if not isinstance(value, dict):
        raise LoadError(path, line, f"expected a daily paper object, found {json_kind(value)}")
    paper = value.get("paper")
    if not isinstance(paper, dict):
        raise LoadError(path, line, "the item has no 'paper' object")
    paper_id = json_string(paper.get("id"), "id", path, line).strip()
    if not paper_id:
        raise LoadError(path, line, "the paper has no 'id'")
    title = _one_line(_text(paper.get("title")) or _text(value.get("title")))
    if not title:
        raise LoadError(path, line, "the paper has no title")
    abstract = _one_line(_text(paper.get("summary")) or _text(value.get("summary")))
    arxiv = _ARXIV_ID.fullmatch(paper_id)
    if arxiv is not None:
        link = f"https://arxiv.org/abs/{paper_id}"
    else:
        link = HF_PAPER_PAGE + quote(paper_id, safe="")
    links = tuple(
        Link(label, url)
        for label, key in (("Code", "githubRepo"), ("Project", "projectPage"))
        if is_web_link(url := _text(paper.get(key)).strip()) and not re.search(r"\s", url)
    )
    day = _day(value, paper, path, line)
    origin = Origin(
        "hf",
        day,
        upvotes=_count(paper.get("upvotes")),
        comments=_count(value.get("numComments")),
    )
    return Paper(
        week=week_ending(day),
        title=title,
        link=link,
        abstract=abstract,
        arxiv_id=paper_id if arxiv is not None else None,
        links=links,
        line=line,
        authors=_authors(paper.get("authors")),
        origins=(origin,),
    )


def parse_hf(text: str, path: str = "<string>") -> FeedPage:
    """The papers of a page of Hugging Face's daily papers, in the API's order; an item that is
    no paper is left out and said (`FeedPage.skipped`: `item 4: the paper has no title`).
    Raises LoadError for anything that is not such a page (not a JSON list; items of which
    none reads: the first one's error, with its line)."""
    papers: list[Paper] = []
    skipped: list[str] = []
    first: LoadError | None = None
    items = 0
    for value, line in json_items(text, path, _WHAT):
        items += 1
        try:
            papers.append(_item(value, path, line))
        except LoadError as error:
            first = first or error
            skipped.append(f"item {items}: {error.message}")
    if first is not None and not papers:
        raise first
    return FeedPage(papers, path, items, skipped)
