"""What a digest file is called and how big an index may be: the loader (directories, indexes)
and `reader.sources.formats.index` both ask, so it sits below both."""

DIGEST_EXTENSIONS: tuple[str, ...] = (".md", ".markdown", ".csv", ".tsv", ".json")
"""The files a directory source reads (case-insensitively), and those an index leads to."""

MAX_INDEX_BYTES = 1 << 20
"""A larger file is never taken for a digest index (the upstream index is ~22 KB)."""
