"""The query engine: parse a search query and filter, count and sort a digest's papers.

Pure Python, no Textual. Both the TUI's filter bar and `reader --print --query` use it.

Syntax (matching ignores case everywhere; the keyword `OR` is upper case; see `QUERY_HELP`):

- `word` occurs (as a substring) in the title, the cleaned abstract or the category;
  terms side by side must all match (AND); `"a phrase"` matches the phrase;
- `-term` excludes any term (words, phrases, fields, regexes);
- `a OR b` matches either; `OR` is the uppercase keyword only (a lowercase `or` is a word) and binds
  tighter than AND: `x a OR b` is `x AND (a OR b)`;
- `( … )` groups terms: `(diffusion OR video) robot`, `(a b) OR c`; `NOT x` (the uppercase keyword;
  `not` is a word) and `-( … )` exclude a term or a group (`NOT (a OR b)` is `-a -b`); a group
  not closed yet runs to the end of the query, an empty one is nothing, and a `)` that closes no
  group is a character of a word;
- `title:`, `abstract:`, `cat:`/`category:`, `author:` restrict a word, a `"quoted phrase"` or a
  `/regex/` to one field (categories are matched by their readable name: `cat:vision`; authors
  are known once arXiv metadata was fetched, or from a json/csv digest that lists them; plain
  words do not search authors);
- `week:` takes a date or any prefix of one (`2023-05-14`, `2023-05`, `2023`), a range `A..B`
  (inclusive; either end may be left open) or a comparison `>=D`, `>D`, `<=D`, `<D`; a partial date
  in a range or comparison stands for its whole period (`week:<=2023-05` includes May);
  `week:none` (or `week:undated`) finds the undated papers, which no date or range does;
  `week:latest` the digest's newest week;
- `id:2305.14314` is the arXiv id, any version (`v2` is ignored; a full arXiv link works too);
- `/regex/` is a Python regex (IGNORECASE, MULTILINE: `^` and `$` anchor at each field's ends);
- `is:read`, `is:unread`, `is:starred` ask the reading state (without one, nothing is read or
  starred);
- `note:word` (also a `"phrase"` or a `/regex/`) searches the paper's own note, `has:note` and
  `has:tag` ask whether it has one, `tag:name` whether it has that tag (exactly; tags are
  lowercase); plain words do not search notes;
- `like:2305.14314` (an arXiv id, any version, or a paper's link) orders the papers by their
  similarity to that paper and leaves it out; `like:starred`, `like:note` and `like:tag:NAME`
  order them by their similarity to all those papers (`reader.similar`). It filters nothing
  else, cannot be excluded or joined by OR, and a query with it sorts by similarity unless
  another order is asked for (`default_sort`);
- `from:potw`, `from:hf`, `from:arxiv` ask which feeds picked the paper (`reader.feeds`; a paper
  of a digest file is `potw`), `announce:new` (`cross`, `replace`, `replace-cross`) how an arXiv
  listing announced it, `upvotes:` its upvotes on Hugging Face as a number, a comparison
  (`>50`, `>=`, `<`, `<=`) or a range `A..B` (either end may be open).

Leniency, so that typing a query character by character never shows an error for what is merely
unfinished: an unclosed quote or regex runs to the end of the query; a term with nothing in it yet
(`-`, `""`, `//`, `title:`, `week:>=`, `week:..`) is ignored, and so is a dangling `OR`; `foo:bar`
with an unknown field name is the plain word `foo:bar` (URLs, `e.g.:`), and `Query.notes` says
so (`auther: is not a field …`, with its offset), which the filter bar and `--print` show (with
`Query.digest_notes`: `author:` while no paper has authors). Only an invalid regex, a bad
`week:` or `upvotes:` value, an unknown `is:`, `has:`, `from:` or `announce:` value and a query
whose groups multiply into too many clauses raise `QueryError`, with the 0-based offset of the
fault in the query.
"""

from reader.query.engine import (  # noqa: F401 - _CACHE: the benchmark clears it
    _CACHE,
    REGEX_SECONDS,
    SEARCH_COUNT_SECONDS,
    Cancelled,
    Query,
    filters_done,
    parse_query,
)
from reader.query.syntax import (
    FIELDS,
    QUERY_HELP,
    Field,
    QueryError,
    QueryNote,
    Spans,
    _literals,  # noqa: F401 - tested directly
    fold,
)
from reader.query.views import (
    FACET_TERM,
    SORT_KEYS,
    by_count,
    category_counts,
    default_sort,
    facet_term,
    select,
    sort_indices,
    toggle_category,
    week_counts,
)
from reader.reading import ReadingState

__all__ = [
    "Cancelled",
    "FACET_TERM",
    "FIELDS",
    "Field",
    "Spans",
    "facet_term",
    "fold",
    "QUERY_HELP",
    "REGEX_SECONDS",
    "SEARCH_COUNT_SECONDS",
    "SORT_KEYS",
    "Query",
    "QueryError",
    "QueryNote",
    "ReadingState",
    "by_count",
    "category_counts",
    "default_sort",
    "filters_done",
    "parse_query",
    "select",
    "sort_indices",
    "toggle_category",
    "week_counts",
]
