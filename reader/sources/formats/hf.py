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
character of it reaches a terminal raw). Unknown keys are ignored; a key of the wrong type is an
error with the item's line, as everywhere in reader. No Textual here.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from reader.feeds import week_ending
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


def _count(value: object, key: str, path: str, line: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise LoadError(path, line, f"{key!r} must be a whole number, not {json_kind(value)}")
    return max(0, value)


def _day(item: dict[str, object], paper: dict[str, object], path: str, line: int) -> date:
    places = ((item, "publishedAt"), (paper, "submittedOnDailyAt"), (paper, "publishedAt"))
    for source, key in places:
        text = json_string(source.get(key), key, path, line)
        if text.strip():
            day = parse_week(text.strip()[:10])
            if day is None:
                raise LoadError(path, line, f"{key!r} is not a date: {text[:40]!r}")
            return day
    raise LoadError(path, line, "the item has no date (publishedAt)")


def _authors(value: object, path: str, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise LoadError(path, line, f"'authors' must be a list, not {json_kind(value)}")
    names: list[str] = []
    for author in value:
        if isinstance(author, dict):
            name = _one_line(json_string(author.get("name"), "name", path, line))
        elif isinstance(author, str):
            name = _one_line(author)
        else:
            raise LoadError(path, line, f"'authors' holds {json_kind(author)}; expected objects")
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
    title = _one_line(
        json_string(paper.get("title"), "title", path, line)
        or json_string(value.get("title"), "title", path, line)
    )
    if not title:
        raise LoadError(path, line, "the paper has no title")
    abstract = _one_line(
        json_string(paper.get("summary"), "summary", path, line)
        or json_string(value.get("summary"), "summary", path, line)
    )
    arxiv = _ARXIV_ID.fullmatch(paper_id)
    if arxiv is not None:
        link = f"https://arxiv.org/abs/{paper_id}"
    else:
        link = HF_PAPER_PAGE + quote(paper_id, safe="")
    links = tuple(
        Link(label, url)
        for label, key in (("Code", "githubRepo"), ("Project", "projectPage"))
        if is_web_link(url := json_string(paper.get(key), key, path, line).strip())
        and not re.search(r"\s", url)
    )
    day = _day(value, paper, path, line)
    origin = Origin(
        "hf",
        day,
        upvotes=_count(paper.get("upvotes"), "upvotes", path, line),
        comments=_count(value.get("numComments"), "numComments", path, line),
    )
    return Paper(
        week=week_ending(day),
        title=title,
        link=link,
        abstract=abstract,
        arxiv_id=paper_id if arxiv is not None else None,
        links=links,
        line=line,
        authors=_authors(paper.get("authors"), path, line),
        origins=(origin,),
    )


def parse_hf(text: str, path: str = "<string>") -> list[Paper]:
    """The papers of a page of Hugging Face's daily papers, in the API's order. Raises
    LoadError with the item's line for anything that is not such a page."""
    return [_item(value, path, line) for value, line in json_items(text, path, _WHAT)]
