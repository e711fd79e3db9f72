"""The exit statuses of reader, for the command line and the App (which quits with 130 on
Ctrl+C). No Textual here; this module imports nothing of reader. As grep's: 0 papers selected,
1 none, 2 an error."""

EXIT_OK = 0
EXIT_NO_MATCH = 1
"""A command that selects papers (`--print`, `--fetch-metadata`, `--to-zotero`) found none:
one line `reader: no papers match ...` on standard error."""
EXIT_USAGE = 2
"""Bad input or usage: one line `reader: error: ...` on standard error."""
EXIT_INTERNAL = 2
"""An unexpected internal error, an error as any other (one line `reader: error: internal
error: ...`; `READER_DEBUG=1` shows the traceback). Not 1, which says that nothing matched."""
EXIT_INTERRUPTED = 130
"""Ctrl+C, in the command line or the reader (as an interrupted program reports)."""
EXIT_BROKEN_PIPE = 141
"""Standard output closed early (as `yes | head` would report)."""
