"""Coded errors of newsfigures: one place for every message a user can see.

Codes: ``E1xx`` reading articles, ``E2xx`` claim and check rows,
``E3xx`` models/ lexicons and config, ``E4xx`` command-line use.
"""
from __future__ import annotations


class FiguresError(Exception):
    """Base error: carries a stable ``code`` and a readable ``reason``."""

    def __init__(self, code: str, reason: str, path: str | None = None) -> None:
        self.code = code
        self.reason = reason
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"[{code}] {where}{reason}")


class ArticleError(FiguresError):
    """An article could not be read or processed (file, reason)."""


class SchemaError(FiguresError):
    """A claim or check row does not follow ``claim_schema.md``."""


class LexiconError(FiguresError):
    """A file under ``models/`` or the config is malformed."""


class UsageError(FiguresError):
    """The command line asks for something that cannot be done."""
