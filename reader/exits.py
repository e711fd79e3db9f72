"""The exit statuses of reader, for the command line and the App (which quits with 130 on
Ctrl+C). No Textual here; this module imports nothing of reader."""

EXIT_OK = 0
EXIT_INTERNAL = 1
"""An unexpected internal error (one line; `READER_DEBUG=1` shows the traceback)."""
EXIT_USAGE = 2
"""Bad input or usage: one line `reader: error: ...` on standard error."""
EXIT_INTERRUPTED = 130
"""Ctrl+C, in the command line or the reader (as an interrupted program reports)."""
EXIT_BROKEN_PIPE = 141
"""Standard output closed early (as `yes | head` would report)."""
