"""The command line: `reader [DIGEST ...] [--week WEEK] [--query QUERY] [--print ...]`.

Without `--print` it opens the TUI (Textual is imported only then, so `--print` starts fast).
Every failure is one line on standard error, `reader: error: FILE:LINE: what is wrong` or
`reader: error: what is wrong`, with exit status 2 and never a traceback. Exit statuses
(`reader.exits`, as grep's): 0 success, 1 no paper matches (`reader: no papers match ...`), 2
bad input, usage or an unexpected internal error, 130 interrupted (Ctrl+C), 141 standard output
closed early (as `yes | head` would report).

The package: `parse` (the options, values that start with `-`, which options go together),
`run` (`main`: the settings resolved once, `reader.settings.resolve`; the job; failures to exit
statuses), `printing` (`--print`), `tui` (opening the reader), `web` (`--serve`), `jobs`
(`--update`, `--export-state`/`--import-state`, `--fetch-metadata`), `handoff` (`--to-zotero`,
`--sync-status`, the sync folder's merge on `--update`), `digests` (reading the
digest, checking `--week`), `progress` (a download's bar on stderr), `report` (messages).
"""

from reader.cli.parse import FORMATS
from reader.cli.run import main

__all__ = ["FORMATS", "main"]
