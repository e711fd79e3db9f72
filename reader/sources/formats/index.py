"""A digest index: a Markdown file with no week tables whose links point at digest files.

Since April 2026 the upstream README (github.com/dair-ai/AI-Papers-of-the-Week) is such an
index: a heading per year and a link per week into the year files, where the tables are:

    ## 2026
    - [Top AI Papers of the Week (June 21 - June 28)](years/2026.md#top-ai-papers-of-the-week-...)

Rules (no Textual here; `reader.sources.loader` reads the files an index names):

- A text is an index when it has no week heading (`## Top AI Papers of the Week (June 21 -
  June 28)`), no pipe-table header naming Week and Title, and at least one Markdown link
  (`[text](target)`, `[text]: target`) whose target's path ends in a digest extension (`.md`,
  `.markdown`, `.csv`, `.tsv`, `.json`). Links to a fragment only (`#week`) do not count.
- `index_targets` gives the link targets in the index's order, each once, the `#fragment`
  dropped; `resolve_url` and `resolve_path` turn them into what is read. Only targets under the
  index's own folder are followed: for a URL, the same scheme and host and a path under the
  index's folder; for a file, a relative path that stays under the index's folder (symbolic
  links included). A link back to the index itself is skipped; at most `MAX_FILES` are read.
- An index is followed one level deep: a linked file that is itself an index is not followed.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field

from reader.sources.formats.extensions import DIGEST_EXTENSIONS, MAX_INDEX_BYTES

__all__ = [
    "DIGEST_EXTENSIONS",
    "MAX_FILES",
    "MAX_INDEX_BYTES",
    "Followed",
    "has_digest_link",
    "has_week_heading",
    "index_targets",
    "resolve_path",
    "resolve_url",
]

MAX_FILES = 64
"""The most files one index is followed to: the first ones, in the index's order."""

# [text](target "title"), the target maybe in <angle brackets>; text may hold one level of [..].
_LINK = re.compile(
    r"\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*(<[^<>\n]*>|[^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
# [label]: target (a reference definition, at the start of a line)
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^<>\n]*>|\S+)", re.MULTILINE)
# A heading with a parenthesis holding a digit: a week heading's date range, (June 21 - June 28).
_WEEK_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t][^\n]*\([^()\n]*\d[^()\n]*\)", re.MULTILINE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _targets(text: str) -> list[str]:
    """Every link target of `text` in order (inline links and reference definitions)."""
    found: list[tuple[int, str]] = [(m.start(), m.group(1)) for m in _LINK.finditer(text)]
    if "]:" in text:
        found += [(m.start(), m.group(1)) for m in _REFERENCE.finditer(text)]
        found.sort()
    return [target[1:-1].strip() if target.startswith("<") else target for _, target in found]


def _path_part(target: str) -> str:
    """The target without its `#fragment` and `?query`."""
    return target.split("#", 1)[0].split("?", 1)[0]


def _is_digest_target(target: str) -> bool:
    path = _path_part(target)
    if not path:
        return False  # a fragment only: a table of contents within the file
    scheme = _SCHEME.match(target)
    if scheme is not None and scheme.group().lower() not in ("http:", "https:", "file:"):
        return False  # mailto:, javascript:, ...
    return path.lower().endswith(DIGEST_EXTENSIONS)


def has_week_heading(text: str) -> bool:
    """Whether `text` has a heading with a date range in parentheses (a week of the upstream
    README: `## Top AI Papers of the Week (June 21 - June 28) - 2026`)."""
    return "#" in text and _WEEK_HEADING.search(text) is not None


def has_digest_link(text: str) -> bool:
    """Whether `text` links to a digest file (see the module rules)."""
    return ("](" in text or "]:" in text) and any(map(_is_digest_target, _targets(text)))


def index_targets(text: str) -> list[str]:
    """The targets of an index's links to digest files, in order, each once, without their
    `#fragment`; [] when `text` has a week heading (a README of weeks, not an index)."""
    if has_week_heading(text):
        return []
    seen: set[str] = set()
    targets: list[str] = []
    for target in _targets(text):
        if not _is_digest_target(target):
            continue
        target = target.split("#", 1)[0]
        if target not in seen:
            seen.add(target)
            targets.append(target)
    return targets


@dataclass
class Followed:
    """What an index leads to: `files` to read (paths or URLs, in the index's order, each once,
    at most `MAX_FILES`), and `refused`, the links not followed with why."""

    files: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    more: int = 0
    """How many files beyond `MAX_FILES` were left out."""

    def add(self, file: str) -> None:
        if file in self.files:
            return
        if len(self.files) >= MAX_FILES:
            self.more += 1
        else:
            self.files.append(file)

    def notices(self, index: str) -> list[str]:
        """One line for the links not followed, one for the files left out (none if all is
        well)."""
        lines: list[str] = []
        if self.refused:
            reasons = sorted({why for _, why in self.refused})
            shown = ", ".join(target for target, _ in self.refused[:3])
            rest = f" and {len(self.refused) - 3} more" if len(self.refused) > 3 else ""
            links = "link" if len(self.refused) == 1 else f"{len(self.refused)} links"
            lines.append(f"{index}: {links} not followed ({'; '.join(reasons)}): {shown}{rest}")
        if self.more:
            lines.append(
                f"{index}: links to {len(self.files) + self.more} digest files; only the first "
                f"{MAX_FILES} are read"
            )
        return lines


OUTSIDE = "outside the index's folder"
ELSEWHERE = "not on the index's scheme and host"


def resolve_url(index: str, targets: list[str]) -> Followed:
    """The URLs an index served from `index` (its address after redirects) leads to."""
    import urllib.parse

    base = urllib.parse.urlsplit(index)
    folder = base.path[: base.path.rfind("/") + 1] or "/"
    own = urllib.parse.urldefrag(index)[0]
    followed = Followed()
    for target in targets:
        url = urllib.parse.urldefrag(urllib.parse.urljoin(index, target))[0]
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme.lower(), parts.netloc.lower()) != (
            base.scheme.lower(),
            base.netloc.lower(),
        ):
            followed.refused.append((target, ELSEWHERE))
            continue
        path = urllib.parse.unquote(parts.path)
        if (
            not path.startswith(folder)
            or posixpath.normpath(path) + ("/" if path.endswith("/") else "") != path
            or "\\" in path
        ):
            followed.refused.append((target, OUTSIDE))  # ../, an encoded ../, a backslash
            continue
        if url != own:
            followed.add(url)
    return followed


def resolve_path(index: str, targets: list[str]) -> Followed:
    """The files a local index at `index` leads to (paths as `index` is written: relative when
    it is)."""
    import urllib.parse

    folder = os.path.dirname(index)
    real_folder = os.path.realpath(folder or ".")
    real_index = os.path.realpath(index)
    followed = Followed()
    for target in targets:
        if _SCHEME.match(target) or target.startswith(("/", "\\")) or "\\" in target:
            followed.refused.append((target, OUTSIDE if "://" not in target else ELSEWHERE))
            continue
        relative = urllib.parse.unquote(_path_part(target))
        path = os.path.normpath(os.path.join(folder, relative))
        real = os.path.realpath(path)
        if os.path.commonpath([real_folder, real]) != real_folder:
            followed.refused.append((target, OUTSIDE))
            continue
        if real != real_index:
            followed.add(path)
    return followed
