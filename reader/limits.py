"""The limits on what a reader keeps of your own text, one place for all (the README's "Limits"
section says them). No Textual here.

Each is checked where text comes in, by typing or by `--import-state`: what is longer is cut
(notes, names) or refused (tags, queries, imports) with a message saying so, so that nothing
kept can make the reader slow (a 100 MB note froze the TUI for 9 s each time it was shown).
"""

from __future__ import annotations

NOTE_CHARS = 20_000
"""A note (about ten pages): a longer one is cut, with a message."""
TAG_CHARS = 50
"""A tag: a longer one is refused."""
TAGS_PER_PAPER = 50
"""Tags on one paper: more are refused."""
SEARCH_NAME_CHARS = 100
"""A saved search's name: a longer one is cut."""
QUERY_CHARS = 2_000
"""A query (the filter bar, `--query`, a saved search): a longer one is refused."""
KEY_CHARS = 2_000
"""A paper's key in an export (an arXiv id or a link): an entry with a longer one is refused."""
IMPORT_BYTES = 256 << 20
"""An export file `--import-state` reads (a million marks are ~100 MB): a bigger one is refused."""
LINE_CHARS = 1 << 20
"""A line of a Markdown digest (a table's row, a line of a README of weeks): a longer one is an
error at its line (a 200 MB line of a README of weeks took 28 s and 5 GB to parse)."""
FIELD_CHARS = 20_000
"""A paper's title, abstract, summary, category, link, author or link label, as read from a
digest of any format: a longer one is cut, with a notice naming its line (a 50 MB abstract froze
the TUI for a minute, at 1.9 GB, when it was shown)."""
