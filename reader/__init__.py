"""reader: a terminal reader for a weekly digest of machine-learning papers."""

__version__ = "0.1.0"
