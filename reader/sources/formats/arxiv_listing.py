"""arXiv's listing feeds: `https://rss.arxiv.org/rss/cs.LG` (RSS 2.0) or `/atom/cs.LG` (Atom),
several categories joined by `+`, renewed each weekday (empty at weekends).

    <rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
         version="2.0"><channel><title>cs.LG updates on arXiv.org</title> …
      <item>
        <title>QLoRA: Efficient Finetuning of Quantized LLMs</title>
        <link>https://arxiv.org/abs/2305.14314</link>
        <description>arXiv:2305.14314v1 Announce Type: new
    Abstract: We present QLoRA, …</description>
        <category>cs.LG</category><category>cs.CL</category>
        <pubDate>Thu, 25 May 2023 00:00:00 -0400</pubDate>
        <arxiv:announce_type>new</arxiv:announce_type>
        <dc:creator>Tim Dettmers, Artidoro Pagnoni</dc:creator>
      </item> …

Each item (Atom: entry) is a paper: its title on one line; its link `https://arxiv.org/abs/ID`
rebuilt from the arXiv id (taken from the link, else the guid `oai:arXiv.org:ID`, else the
description); its abstract the description after `Abstract:`; its authors `dc:creator` split at
commas (Atom: its `author` names when it has them); its category the readable name of its first
category, the primary one (`cs.LG` Machine Learning, from arXiv's taxonomy in `reader.arxiv`;
a code the taxonomy lacks is kept as written); its week the one of its announcement day
(`pubDate`, else the channel's; `reader.feeds.week_ending`); and an `Origin("arxiv", day,
announce=new|cross|replace|replace-cross, listing="cs.LG")`. An item without an arXiv id keeps
the link it has. An empty channel (a weekend) is no papers, not an error.

The XML is parsed by `reader.xmlsafe`: a DOCTYPE is refused, so no entity is ever expanded and
nothing external is ever read. No Textual here.
"""

from __future__ import annotations

import email.utils
import re
from datetime import date, datetime
from xml.etree.ElementTree import Element

from reader.feeds import ANNOUNCE_TYPES, week_ending
from reader.model import Origin, Paper
from reader.sources.formats import LoadError
from reader.text import arxiv_id, inert
from reader.xmlsafe import XMLRefused, parse_xml

__all__ = ["parse_arxiv_listing"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"

_ID = re.compile(r"(?:arXiv:|oai:arXiv\.org:)(\d{4}\.\d{4,5})(?:v\d+)?\b", re.IGNORECASE)
_DESCRIPTION = re.compile(
    r"\s*arXiv:\S+\s+Announce\s+Type:\s*(?P<type>[\w-]*)\s*(?:Abstract:\s*)?(?P<abstract>.*)",
    re.DOTALL | re.IGNORECASE,
)
_OLD_TITLE = re.compile(r"\s*\(arXiv:[^()]*\)\s*$")
"""Titles in arXiv's older feeds end with `(arXiv:2305.14314v1 [cs.LG])`."""
_LISTING = re.compile(r"[A-Za-z][A-Za-z.+\-]{0,200}")
_ANNOUNCE = frozenset(ANNOUNCE_TYPES)


def _one_line(text: str | None) -> str:
    return " ".join(text.split()) if text else ""  # str.split: the whitespace `\s` is


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _day(text: str | None) -> date | None:
    """A date as RSS writes it (`Thu, 25 May 2023 00:00:00 -0400`) or as Atom does (ISO), in
    the time zone written (the announcement day as arXiv's own clock says it)."""
    value = (text or "").strip()
    if not value:
        return None
    if value[:4].isdigit():
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    try:
        moment: datetime | None = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment.date() if moment is not None else None


def _listing(candidates: list[str]) -> str:
    """The listing's categories (`cs.LG`, `cs.LG+cs.CL`): the last part of the feed's own
    address, else the first word of its title (`cs.LG updates on arXiv.org`)."""
    for text in candidates:
        match = _LISTING.fullmatch(text.strip())
        if match is not None:
            return match.group()
    return ""


def _category(code: str) -> str:
    from reader.arxiv import TAXONOMY

    return TAXONOMY.get(code, code)


def _paper(
    item: Element,
    atom: bool,
    line: int,
    fallback_day: date | None,
    listing: str,
    path: str,
) -> Paper:
    title = _OLD_TITLE.sub("", _one_line(item.findtext(f"{_ATOM}title" if atom else "title")))
    if atom:
        links = [
            element.get("href") or ""
            for element in item.findall(f"{_ATOM}link")
            if element.get("rel") in (None, "alternate")
        ]
        link = links[0].strip() if links else ""
        guid = item.findtext(f"{_ATOM}id") or ""
        description = item.findtext(f"{_ATOM}summary") or ""
        categories = [element.get("term") or "" for element in item.findall(f"{_ATOM}category")]
        day = _day(item.findtext(f"{_ATOM}published") or item.findtext(f"{_ATOM}updated"))
        authors = [
            name
            for author in item.findall(f"{_ATOM}author")
            if (name := _one_line(author.findtext(f"{_ATOM}name")))
        ]
    else:
        link = (item.findtext("link") or "").strip()
        guid = item.findtext("guid") or ""
        description = item.findtext("description") or ""
        categories = [element.text or "" for element in item.findall("category")]
        day = _day(item.findtext("pubDate"))
        authors = []
    if not authors:
        authors = [
            name
            for creator in item.findall(f"{_DC}creator")
            for name in (_one_line(part) for part in (creator.text or "").split(","))
            if name
        ]
    paper_id = arxiv_id(link)
    if paper_id is None:
        for text in (guid, description):
            match = _ID.search(text)
            if match is not None:
                paper_id = match.group(1)
                break
    if paper_id is not None:
        link = f"https://arxiv.org/abs/{paper_id}"
    if not title:
        raise LoadError(path, line, "an item without a title")
    if not link:
        raise LoadError(path, line, "an item without a link or an arXiv id")
    day = day or fallback_day
    if day is None:
        raise LoadError(path, line, "an item without a date (pubDate), in a feed without one")
    announce = _one_line(item.findtext(f"{_ARXIV}announce_type")).lower()
    parsed = _DESCRIPTION.match(description)
    if parsed is not None:
        announce = announce or parsed.group("type").lower()
        abstract = parsed.group("abstract")
    else:
        abstract = description
    primary = next((code.strip() for code in categories if code.strip()), "")
    return Paper(
        week=week_ending(day),
        title=title,
        link=link,
        category=_one_line(_category(primary)),
        abstract=_one_line(abstract),
        arxiv_id=paper_id,
        line=line,
        authors=tuple(authors),
        origins=(
            Origin(
                "arxiv",
                day,
                announce=announce if announce in _ANNOUNCE else "",
                listing=listing,
            ),
        ),
    )


def parse_arxiv_listing(text: str, path: str = "<string>") -> list[Paper]:
    """The papers of an arXiv listing feed (RSS or Atom), in the feed's order. Raises LoadError
    (with a line where one applies) for anything else, a DOCTYPE included."""
    lines: dict[Element, int] = {}
    try:
        root = parse_xml(text, lines)
    except XMLRefused as error:
        raise LoadError(path, error.line, error.message) from None
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise LoadError(path, lines.get(root), "an RSS feed without a channel")
        self_links = [
            element.get("href") or ""
            for element in channel.findall(f"{_ATOM}link")
            if element.get("rel") == "self"
        ]
        listing = _listing(
            [href.rstrip("/").rsplit("/", 1)[-1] for href in self_links]
            + [(channel.findtext("title") or "").split(" ", 1)[0]]
        )
        fallback = _day(channel.findtext("pubDate")) or _day(channel.findtext("lastBuildDate"))
        items = channel.findall("item")
        atom = False
    elif root.tag == f"{_ATOM}feed":
        self_links = [
            element.get("href") or ""
            for element in root.findall(f"{_ATOM}link")
            if element.get("rel") == "self"
        ]
        listing = _listing(
            [href.rstrip("/").rsplit("/", 1)[-1] for href in self_links]
            + [(root.findtext(f"{_ATOM}title") or "").split(" ", 1)[0]]
        )
        fallback = _day(root.findtext(f"{_ATOM}updated"))
        items = root.findall(f"{_ATOM}entry")
        atom = True
    else:
        raise LoadError(
            path,
            lines.get(root),
            "not an arXiv listing: an RSS or Atom feed was expected, "
            f"not <{inert(_local(root.tag)[:40])}>",
        )
    return [_paper(item, atom, lines.get(item, 0), fallback, listing, path) for item in items]
