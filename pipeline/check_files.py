"""The files of a ``newsfigures check`` run, so that a large run holds no claim row and no check row.

- :class:`SeenIds`: the claims read so far, by the hash of their id;
- :class:`ClaimFiles`: a claim's row read again from its file by byte offset;
- :class:`RowsByKind`: check rows written as they are made, one file per kind, joined at the end;
- :class:`FlaggedChecks`: the inconsistent checks, each read again from ``checks.jsonl`` when shown.

The claims are :class:`pipeline.checks._Fig` records: ``id``, ``doc_id``,
``sentence_index``, and ``file``/``line`` (the claims file's index and the
line's byte offset) are what is read here.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator

import orjson

from .outdir import atomic_path
from .rows import row_at

if TYPE_CHECKING:
    from .checks import _Fig


@dataclass(frozen=True)
class FlaggedCheck:
    """An inconsistent check row with the claims it relates (for display).

    ``claims`` holds, per claim id in the row's order, a dict with
    ``claim_id``, ``doc_id``, ``sentence_index`` and ``sentence``.
    """

    row: dict[str, Any]
    claims: tuple[dict[str, Any], ...]


class SeenIds:
    """The claims read so far, by claim_id, without holding the ids (a large run's ids take more memory
    than the rest of a claim's record): keyed by the id's hash, and on a hit the claim's id (made
    again, :attr:`pipeline.checks._Fig.id`) compared; the rare id whose hash another id has is kept whole."""

    def __init__(self, hash_of: Callable[[str], int] = hash) -> None:
        self._hash = hash_of
        self._by_hash: dict[int, _Fig] = {}
        self._by_id: dict[str, _Fig] = {}

    def __len__(self) -> int:
        return len(self._by_hash) + len(self._by_id)

    def get(self, claim_id: str) -> _Fig | None:
        """The claim read with ``claim_id``, or None."""
        fig = self._by_hash.get(self._hash(claim_id))
        if fig is None or fig.id == claim_id:
            return fig
        return self._by_id.get(claim_id)

    def add(self, claim_id: str, fig: _Fig) -> None:
        """Remember ``fig`` as the claim of ``claim_id`` (not read before)."""
        key = self._hash(claim_id)
        if key in self._by_hash:
            self._by_id[claim_id] = fig
        else:
            self._by_hash[key] = fig


class ClaimFiles:
    """The claims files of a run, open to read a claim's row again (:func:`pipeline.rows.row_at`).

    Only the few rows needed twice are read again: a repeated claim_id's
    first row, and the sentences of the claims the inconsistent checks show
    (:class:`FlaggedChecks`).
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = paths
        self._stack = contextlib.ExitStack()
        self._handles: dict[int, BinaryIO] = {}

    def __enter__(self) -> "ClaimFiles":
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def row(self, fig: _Fig) -> dict[str, Any]:
        """The claim row ``fig`` was made from (as read: fields may be left out)."""
        if fig.file not in self._handles:
            self._handles[fig.file] = self._stack.enter_context(self.paths[fig.file].open("rb"))
        return row_at(self._handles[fig.file], fig.line)


class FlaggedChecks(Sequence[FlaggedCheck]):
    """The inconsistent checks of a run, each made when it is asked for: its row read again from
    ``checks.jsonl``, its claims' sentences from the claims files.

    A large run has tens of thousands (conflicts across articles); held whole with their sentences
    they would be the largest part of the memory of ``check``.

    Args:
        checks_path: the ``checks.jsonl`` written.
        claim_paths: the claims files read (as the claims' ``file`` numbers them).
        entries: per inconsistent row, in row order, its byte offset in ``checks_path`` and its claims.
    """

    def __init__(self, checks_path: Path, claim_paths: Sequence[Path],
                 entries: list[tuple[int, tuple[_Fig, ...]]]) -> None:
        self.checks_path, self.claim_paths, self._entries = checks_path, claim_paths, entries

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index):  # an int gives a FlaggedCheck, a slice a list of them
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        with ClaimFiles(self.claim_paths) as files, self.checks_path.open("rb") as checks:
            return self._make(*self._entries[index], checks, files)

    def __iter__(self) -> Iterator[FlaggedCheck]:
        with ClaimFiles(self.claim_paths) as files, self.checks_path.open("rb") as checks:
            for at, figs in self._entries:
                yield self._make(at, figs, checks, files)

    @staticmethod
    def _make(at: int, figs: tuple[_Fig, ...], checks: BinaryIO, files: ClaimFiles) -> FlaggedCheck:
        return FlaggedCheck(row_at(checks, at), tuple(
            {"claim_id": f.id, "doc_id": f.doc_id, "sentence_index": f.sentence_index,
             "sentence": files.row(f).get("sentence", "")} for f in figs))


def _plain_float(x: float) -> bool:
    """True for a float that orjson writes as the standard library does: 0, or a magnitude in
    [1e-4, 1e16), where both write the shortest repr without an exponent (outside it the
    standard library writes ``1e-05``, orjson ``0.00001``)."""
    return x == 0.0 or 1e-4 <= abs(x) < 1e16


def encode_row(row: Mapping[str, Any], encode: Callable[[Any], str]) -> bytes:
    """``encode(row)`` as UTF-8 bytes, made by orjson when that gives the same bytes.

    ``encode`` is the standard library's compact encoder (``ensure_ascii=False``,
    separators ``,`` and ``:``); orjson writes the same text for strings, ints, None and
    lists of them, and for floats checked by :func:`_plain_float`; any other row (a float
    outside that range, a string orjson refuses such as a lone surrogate, a value of another
    type) is written by ``encode``. Only the top level's floats and lists of strings are
    looked at: a row with a nested list or dict goes to ``encode``.
    """
    for value in row.values():
        kind = type(value)
        if kind is float:
            if not _plain_float(value):
                return encode(row).encode("utf-8")
        elif kind is list:
            if not all(type(item) is str for item in value):
                return encode(row).encode("utf-8")
        elif not (value is None or kind is str or kind is int):
            return encode(row).encode("utf-8")
    try:
        return orjson.dumps(row)
    except (TypeError, orjson.JSONEncodeError):
        return encode(row).encode("utf-8")


class RowsByKind:
    """Check rows written as they are made: one temporary file per check kind, joined in the kinds'
    order by :meth:`save`, so the rows are never all held.

    Args:
        folder: where the temporary files are made (the output folder: same disk).
        kinds: the check kinds in the order their rows are written (``checks.CHECK_KINDS``).
        fields: the row's fields in the order they are written (``checks.CHECK_FIELDS``).
    """

    def __init__(self, folder: Path, kinds: Sequence[str], fields: Sequence[str]) -> None:
        self.folder, self.kinds, self.fields = folder, tuple(kinds), tuple(fields)
        self._stack = contextlib.ExitStack()
        self._files: dict[str, BinaryIO] = {}
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as jsonlines' compact

    def __enter__(self) -> "RowsByKind":
        for kind in self.kinds:
            self._files[kind] = self._stack.enter_context(tempfile.TemporaryFile(dir=self.folder))
        self._sizes = dict.fromkeys(self.kinds, 0)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def write(self, row: Mapping[str, Any]) -> int:
        """Add one check row (its ``fields``, in order) after the earlier rows of its kind.

        Returns:
            Where the row is in its kind's file (for :meth:`row`).
        """
        if tuple(row) != self.fields:  # a row made by the checks has the fields in order already
            row = {name: row[name] for name in self.fields}
        line = encode_row(row, self._encode) + b"\n"
        kind = row["check"]
        at = self._sizes[kind]
        self._files[kind].write(line)
        self._sizes[kind] = at + len(line)
        return at

    def starts(self) -> dict[str, int]:
        """Where the rows of each kind start in the file :meth:`save` writes."""
        starts, at = {}, 0
        for kind in self.kinds:
            starts[kind], at = at, at + self._sizes[kind]
        return starts

    def save(self, path: Path) -> None:
        """Write every row, kind by kind, to ``path`` (atomically: a temporary file renamed over it)."""
        with atomic_path(path) as tmp, tmp.open("wb") as out:
            for kind in self.kinds:
                self._files[kind].seek(0)
                shutil.copyfileobj(self._files[kind], out)
