"""Coded errors of newsfigures: one place for every message a user can see.

Codes: ``E1xx`` reading articles, ``E2xx`` claim and check rows,
``E3xx`` models/ lexicons and config, ``E4xx`` command-line use and output
folders; ``W1xx`` notes that are not failures (W120 a partial date kept unknown,
W121 a figure too large for a number, W122 control characters read as spaces).

Exit statuses (the same for every command; the README's table is checked
against these by ``tests/test_reliability.py``):

* ``EXIT_OK`` 0: done; every input row or file is accounted for (articles
  that failed are listed in ``errors.jsonl``, they do not change the status);
* ``EXIT_USAGE`` 2: a usage, configuration or input-file error (a bad
  command line, a bad ``config.toml``, a missing file, an output folder in
  use by another run, checks that name claims not in the claims file):
  nothing is written;
* ``EXIT_INCOMPLETE`` 3: done, but part of the input could not be looked at
  or was skipped (a folder that cannot be listed, a file that cannot be
  opened, bad input rows): the outputs and the summary say
  ``"complete": false``;
* ``EXIT_WRITE`` 4: an output file could not be written (a full disk, E412):
  what was written is left under ``*.partial`` names with no summary, so
  nothing passes for complete, and ``extract --resume`` goes on.
"""
from __future__ import annotations

import errno

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_WRITE = 4

# article failures that mean a part of the input was never looked at: the run is not complete
#   E112 a folder cannot be listed; E113 a file cannot be looked at or opened (an OS error)
UNREAD_CODES = frozenset({"E112", "E113"})


class FiguresError(Exception):
    """Base error: carries a stable ``code`` and a readable ``reason``; a command ends with ``exit_status``."""

    exit_status = EXIT_USAGE

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


class OutputError(FiguresError):
    """An output file could not be written (E412: a full disk, a read-only or vanished folder)."""

    exit_status = EXIT_WRITE


def os_reason(exc: OSError) -> str:
    """An OS error in words with its errno name: ``No space left on device (ENOSPC)``."""
    name = errno.errorcode.get(exc.errno or 0, "")
    return f"{exc.strerror or exc}" + (f" ({name})" if name else "")
