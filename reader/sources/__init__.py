"""Where a digest comes from, bottom to top: `formats/` (the parsers and format detection),
`fetch` (HTTP and its cache), `join` (undated papers joined to dated ones), `loader` (files,
directories, indexes, standard input and URLs read into one `Digest`), `digest_cache` (the
parsed-digest cache), `updates` (what is new; `--update`), and `source` (`DigestSource`, which
the TUI holds: load, reload and what is new, the change stamp for `--watch`). Each module
imports only those before it. No Textual here.
"""
