"""Fixtures in the shapes of the feeds reader reads (issue 29), written here from their public
descriptions: Hugging Face's daily papers API (a JSON list of items) and arXiv's listing feeds
(RSS 2.0 and Atom). Nothing here talks to anything but 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reader.feeds import HF_PAGE
from tests.webdigest import Server, digest_route

HOSTILE = "\x1b[31mred\x1b[0m \x1b]52;c;cHduZWQ=\x07 \u202eevil\u202c \x9b2J [bold]x[/] \x00\x08"
"""Control sequences (SGR, OSC 52 to the clipboard, a C1 CSI, bidi override, NUL, backspace)
and markup: none of it may reach a terminal raw."""

XML_HOSTILE = "".join(
    char
    for char in HOSTILE
    if char in "\t\n" or "\x20" <= char <= "\ud7ff" or "\ue000" <= char <= "\ufffd"
)
"""`HOSTILE` as far as XML 1.0 can carry it (no C0 controls but tab and line feed)."""
XML_HOSTILE_REFS = "&#x9b;2J &#x202e;evil&#x202c; &#x85; &#x7f;"
"""C1 controls and bidi overrides written as character references, which XML allows."""

WEDNESDAY = date(2026, 6, 24)
"""The day of the feeds' papers (Hugging Face's and the cs.LG listing's)."""
SUNDAY = date(2026, 6, 28)
"""The week they fall in ends on this day (the README's newest week in the inbox tests)."""


@dataclass
class HFPaper:
    """One item of Hugging Face's daily papers."""

    id: str
    title: str
    day: date
    summary: str = "We study a thing and find that it works well on several benchmarks."
    authors: Sequence[str] = ("Ada Lovelace", "Alan Turing")
    upvotes: int = 10
    comments: int = 0
    github: str | None = None
    project: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def item(self) -> dict[str, object]:
        stamp = f"{self.day.isoformat()}T09:12:00.000Z"
        paper: dict[str, object] = {
            "id": self.id,
            "authors": [
                {"_id": f"a{n}", "name": name, "hidden": False}
                for n, name in enumerate(self.authors)
            ],
            "mediaUrls": [],
            "publishedAt": (self.day - timedelta(days=3)).isoformat() + "T17:59:59.000Z",
            "submittedOnDailyAt": stamp,
            "title": self.title,
            "summary": self.summary,
            "upvotes": self.upvotes,
            "discussionId": "abc",
            "ai_summary": "An AI summary.",
            "ai_keywords": ["a", "b"],
        }
        if self.github is not None:
            paper["githubRepo"] = self.github
            paper["githubStars"] = 3
        if self.project is not None:
            paper["projectPage"] = self.project
        paper.update(self.extra)
        return {
            "paper": paper,
            "publishedAt": stamp,
            "title": self.title,
            "summary": self.summary,
            "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{self.id}.png",
            "numComments": self.comments,
            "submittedBy": {"_id": "u1", "name": "someone", "fullname": "Some One"},
            "isAuthorParticipating": False,
        }


def hf_page(papers: Sequence[HFPaper]) -> bytes:
    """A page of the API's answer, laid out as the API does (one line)."""
    return json.dumps([paper.item() for paper in papers], ensure_ascii=False).encode()


def hf_week(year: int, week: int, per_day: int = 4, start: int = 0) -> list[HFPaper]:
    """Papers featured Monday to Friday of ISO week `year`-W`week`, `per_day` a day, with
    distinct ids (2606.0xxxx) and upvotes falling with their position."""
    monday = date.fromisocalendar(year, week, 1)
    papers = []
    for day_number in range(5):
        day = monday + timedelta(days=day_number)
        for n in range(per_day):
            serial = start + day_number * per_day + n
            papers.append(
                HFPaper(
                    id=f"{day.year % 100:02d}{day.month:02d}.{10000 + serial:05d}",
                    title=f"HF paper {serial} of {day.isoformat()}",
                    day=day,
                    upvotes=200 - serial,
                    comments=serial % 3,
                    github=f"https://github.com/lab/repo{serial}" if serial % 2 == 0 else None,
                )
            )
    return papers


@dataclass
class ArxivItem:
    """One item of an arXiv listing."""

    id: str
    title: str
    abstract: str = "We present a method and show that it improves on the state of the art."
    announce: str = "new"
    categories: Sequence[str] = ("cs.LG", "cs.AI")
    authors: Sequence[str] = ("Grace Hopper", "Edsger W. Dijkstra")
    version: int = 1


def _rfc822(day: date) -> str:
    moment = datetime(day.year, day.month, day.day, tzinfo=timezone(timedelta(hours=-4)))
    return format_datetime(moment)


def arxiv_rss(
    listing: str, day: date, items: Sequence[ArxivItem], *, raw_title: str | None = None
) -> bytes:
    """The RSS of `rss.arxiv.org/rss/{listing}` on `day` (no items: a weekend's feed)."""
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">',
        "  <channel>",
        f"    <title>{escape(listing)} updates on arXiv.org</title>",
        f"    <link>http://rss.arxiv.org/rss/{escape(listing)}</link>",
        f"    <description>{escape(listing)} updates on the arXiv.org e-print archive."
        "</description>",
        f'    <atom:link href="https://rss.arxiv.org/rss/{escape(listing)}" rel="self" '
        'type="application/rss+xml"/>',
        "    <docs>http://www.rssboard.org/rss-specification</docs>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{_rfc822(day)}</lastBuildDate>",
        "    <managingEditor>rss-help@arxiv.org</managingEditor>",
        f"    <pubDate>{_rfc822(day)}</pubDate>",
        "    <skipDays>",
        "      <day>Sunday</day>",
        "      <day>Saturday</day>",
        "    </skipDays>",
    ]
    for item in items:
        title = raw_title if raw_title is not None else escape(item.title)
        parts += [
            "    <item>",
            f"      <title>{title}</title>",
            f"      <link>https://arxiv.org/abs/{escape(item.id)}</link>",
            f"      <description>arXiv:{escape(item.id)}v{item.version} Announce Type: "
            f"{escape(item.announce)} \nAbstract: {escape(item.abstract)}</description>",
            '      <guid isPermaLink="false">'
            f"oai:arXiv.org:{escape(item.id)}v{item.version}</guid>",
            *(f"      <category>{escape(code)}</category>" for code in item.categories),
            f"      <pubDate>{_rfc822(day)}</pubDate>",
            f"      <arxiv:announce_type>{escape(item.announce)}</arxiv:announce_type>",
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
            f"      <dc:creator>{escape(', '.join(item.authors))}</dc:creator>",
            "    </item>",
        ]
    parts += ["  </channel>", "</rss>", ""]
    return "\n".join(parts).encode()


def arxiv_atom(listing: str, day: date, items: Sequence[ArxivItem]) -> bytes:
    """The Atom of `rss.arxiv.org/atom/{listing}` on `day`."""
    stamp = f"{day.isoformat()}T00:00:00-04:00"
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"  <id>http://rss.arxiv.org/atom/{escape(listing)}</id>",
        f"  <title>{escape(listing)} updates on arXiv.org</title>",
        f"  <updated>{stamp}</updated>",
        f'  <link href="https://rss.arxiv.org/atom/{escape(listing)}" rel="self" '
        'type="application/atom+xml"/>',
        f"  <subtitle>{escape(listing)} updates on the arXiv.org e-print archive.</subtitle>",
    ]
    for item in items:
        parts += [
            "  <entry>",
            f"    <id>oai:arXiv.org:{escape(item.id)}v{item.version}</id>",
            f"    <title>{escape(item.title)}</title>",
            f"    <updated>{stamp}</updated>",
            f'    <link href="https://arxiv.org/abs/{escape(item.id)}" rel="alternate" '
            'type="text/html"/>',
            f"    <summary>arXiv:{escape(item.id)}v{item.version} Announce Type: "
            f"{escape(item.announce)} \nAbstract: {escape(item.abstract)}</summary>",
            *(
                f'    <category term="{escape(code)}" scheme="http://arxiv.org/schemas/atom"/>'
                for code in item.categories
            ),
            f"    <published>{stamp}</published>",
            f"    <arxiv:announce_type>{escape(item.announce)}</arxiv:announce_type>",
            "    <rights>http://creativecommons.org/licenses/by/4.0/</rights>",
            *(f"    <author><name>{escape(name)}</name></author>" for name in item.authors),
            "  </entry>",
        ]
    parts += ["</feed>", ""]
    return "\n".join(parts).encode()


def arxiv_day(day: date, count: int = 6, start: int = 0) -> list[ArxivItem]:
    """A weekday's listing: new papers, then a cross-list, then replacements."""
    kinds = ("new", "new", "new", "cross", "replace", "replace-cross")
    return [
        ArxivItem(
            id=f"{day.year % 100:02d}{day.month:02d}.{20000 + start + n:05d}",
            title=f"arXiv paper {start + n} of {day.isoformat()}",
            announce=kinds[n % len(kinds)],
            categories=("cs.CV", "cs.LG") if kinds[n % len(kinds)] == "cross" else ("cs.LG",),
        )
        for n in range(count)
    ]


WITHDRAWN = ArxivItem(
    id="2606.00042",
    title="A Paper Its Authors Withdrew",
    abstract="This paper has been withdrawn by the authors due to an error in Lemma 2.",
    announce="replace",
    authors=(),
)


def hf_routes(server: Server, papers: Sequence[HFPaper], page: int = HF_PAGE) -> None:
    """Serve `papers` as Hugging Face's API does, for every ISO week, day and month they fall
    in, `page` a page (`limit`, `p`; a page past the end is an empty list)."""
    spans: dict[str, list[HFPaper]] = {}
    for paper in papers:
        year, week, _ = paper.day.isocalendar()
        for query in (
            f"week={year:04d}-W{week:02d}",
            f"date={paper.day.isoformat()}",
            f"month={paper.day.isoformat()[:7]}",
        ):
            spans.setdefault(query, []).append(paper)
    for query, chosen in spans.items():
        for number in range(len(chosen) // page + 1):
            body = hf_page(chosen[number * page : (number + 1) * page])
            path = f"/api/daily_papers?{query}&limit={page}&p={number}"
            digest = hashlib.sha256(body).hexdigest()[:16]  # a new body, a new tag
            server.routes[path] = digest_route(body, etag=f'"{query}-{number}-{digest}"')


def feeds_environment(server: Server) -> dict[str, str]:
    """The environment that points `hf` and `arxiv:` at `server` (and `--latest` too)."""
    return {
        "READER_HF_URL": server.url(""),
        "READER_ARXIV_RSS_URL": server.url(""),
        "READER_LATEST_URL": server.url("/README.md"),
    }


def hostile_feeds(folder: Path, listing_name: str = "listing.xml") -> tuple[Path, Path]:
    """A Hugging Face page and a cs.LG listing in `folder`, `HOSTILE` in every field they carry
    (a github link to it, a `javascript:` project page, an item whose id is no arXiv id), the
    listing's as far as XML can carry it with `XML_HOSTILE_REFS` besides: (page, listing)."""
    hf = folder / "hf.json"
    hf.write_bytes(
        hf_page(
            [
                HFPaper(
                    id="2606.00001",
                    title=HOSTILE,
                    day=WEDNESDAY,
                    summary=HOSTILE,
                    authors=(HOSTILE,),
                    github=f"https://github.com/{HOSTILE}",
                    project="javascript:alert(1)",
                ),
                HFPaper(id=HOSTILE, title="Not on arXiv", day=WEDNESDAY),
            ]
        )
    )
    listing = folder / listing_name
    listing.write_text(hostile_listing(), encoding="utf-8")
    return hf, listing


def hostile_listing(item_id: str = "2606.00002") -> str:
    """A cs.LG listing of one item with `XML_HOSTILE` in every field and `XML_HOSTILE_REFS`."""
    item = ArxivItem(
        id=item_id,
        title=XML_HOSTILE,
        abstract=XML_HOSTILE,
        categories=(XML_HOSTILE,),
        authors=(XML_HOSTILE,),
    )
    return arxiv_rss("cs.LG", WEDNESDAY, [item]).decode().replace("[bold]", XML_HOSTILE_REFS)
