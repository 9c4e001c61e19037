"""Reading JSONL rows (claims, checks, gold) that never crashes on its input.

Lines are read with orjson (about twice the standard library's speed on
claim rows); a line orjson does not read, or may read differently (an
integer too long for 64 bits, which orjson makes a float), is read with
:func:`json.loads`, so every row and every problem is the standard library's.

Every line stands alone: a line that is not UTF-8, not JSON, not an object,
or holds a number that is not finite or does not fit a float (``1e400``,
``10**400`` written out, ``NaN``) is skipped and recorded as an
:class:`InputProblem` with its true line number (lines are counted in the
file's bytes, so a bad byte on line 7 is reported on line 7 and the lines
after it are still read).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import orjson


@dataclass(frozen=True)
class InputProblem:
    """An input row that could not be used: where it is and why."""

    path: str
    line: int | None
    code: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: [{self.code}] {self.reason}"


class _Constant(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Constant(f"{name} is not a finite number")


def number_problem(row: dict[str, Any]) -> str | None:
    """Why a row's numbers cannot be used (not finite, too large for a float), or None.

    Looks at the top-level values and the numbers in top-level lists.
    """
    for key, value in row.items():
        kind = type(value)
        # the common cells, by exact type, without the general loop below (same answers)
        if value is None or kind is str or kind is bool:
            continue
        if kind is float:
            if math.isfinite(value):
                continue
        elif kind is int and value.bit_length() < 1000:  # far inside a float's range
            continue
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                continue
            if isinstance(item, int):
                try:
                    float(item)
                except OverflowError:
                    return f"field {key!r}: a {len(str(abs(item)))}-digit integer is out of range for a number"
            elif not math.isfinite(item):
                return f"field {key!r}: {item!r} is not a finite number"
    return None


def read_jsonl(path: Path | str, problems: list[InputProblem], code: str = "E210",
               bytes_code: str = "E212") -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, row)`` for every usable line of a JSONL file.

    Args:
        path: the file.
        problems: skipped lines are appended here (file, line, code, reason).
        code: the code for a line that is not a JSON object with usable numbers.
        bytes_code: the code for a line that is not UTF-8 and for a file that
            cannot be read.
    """
    for line_no, _, row in read_jsonl_at(path, problems, code, bytes_code):
        yield line_no, row


def read_jsonl_at(path: Path | str, problems: list[InputProblem], code: str = "E210",
                  bytes_code: str = "E212") -> Iterator[tuple[int, int, dict[str, Any]]]:
    """As :func:`read_jsonl`, with each line's byte offset: ``(line number, offset, row)``.

    :func:`row_at` reads the row at an offset again.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as err:
        problems.append(InputProblem(str(path), None, bytes_code, f"cannot read: {err.strerror or err}"))
        return
    with handle:
        line_no = offset = 0
        try:
            for line_no, raw in enumerate(handle, 1):
                offset, at = offset + len(raw), offset
                row = _fast_row(raw)
                if row is None:  # the standard library's reading decides, and says what is wrong
                    row = _parse_line(str(path), line_no, raw, problems, code, bytes_code)
                    if row is _SKIPPED:
                        continue
                    if not isinstance(row, dict):
                        problems.append(InputProblem(str(path), line_no, code,
                                                     f"expected a JSON object, got {type(row).__name__}"))
                        continue
                    bad = number_problem(row)
                    if bad:
                        problems.append(InputProblem(str(path), line_no, code, bad))
                        continue
                yield line_no, at, row
        except OSError as err:
            problems.append(InputProblem(str(path), line_no + 1, bytes_code,
                                         f"cannot read: {err.strerror or err}"))


_SKIPPED = object()

_WIDE = 2.0 ** 63
"""orjson reads an integer written with more digits than a 64-bit one as a float of at least this size."""


def _wide_float(value: dict[str, Any] | list[Any]) -> bool:
    """True when a value orjson read holds a float of magnitude :data:`_WIDE` or more (or not finite):
    perhaps an integer the standard library keeps whole, or an out-of-range number to report."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is str or item is None:  # most fields: passed over first
            continue
        if kind is float:
            if not -_WIDE < item < _WIDE:
                return True
        elif kind is list:  # a list of ids, mostly: its texts passed over here, not in a call each
            for element in item:
                kind = type(element)
                if kind is str:
                    continue
                if kind is float:
                    if not -_WIDE < element < _WIDE:
                        return True
                elif (kind is list or kind is dict) and _wide_float(element):
                    return True
        elif kind is dict and _wide_float(item):
            return True
    return False



def _parse_line(path: str, line_no: int, raw: bytes, problems: list[InputProblem], code: str,
                bytes_code: str) -> Any:
    """The value of a line that is not plain strict JSON (a blank line, a byte-order mark, a
    lone surrogate, a huge integer), or :data:`_SKIPPED` after recording why it cannot be used.

    The standard library's reading decides, so every line reads as :func:`json.loads` reads it.
    """
    try:
        text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
    except UnicodeDecodeError as err:
        problems.append(InputProblem(path, line_no, bytes_code, f"not UTF-8 text (byte {err.start} of the line: "
                                                                f"{raw[err.start:err.start + 1]!r})"))
        return _SKIPPED
    if not text.strip():
        return _SKIPPED
    try:
        return json.loads(text, parse_constant=_no_constant)
    except _Constant as err:
        problems.append(InputProblem(path, line_no, code, f"not usable JSON: {err}"))
    except (json.JSONDecodeError, RecursionError, ValueError) as err:
        reason = err.msg if isinstance(err, json.JSONDecodeError) else type(err).__name__
        problems.append(InputProblem(path, line_no, code, f"not JSON: {reason}"))
    return _SKIPPED


def row_at(handle: BinaryIO, offset: int) -> dict[str, Any]:
    """The row of the line at byte ``offset`` of an open JSONL file, a line :func:`read_jsonl_at` yielded."""
    handle.seek(offset)
    return loads_line(handle.readline(), offset == 0)


def loads_line(raw: bytes, first: bool = False) -> Any:
    """The JSON value of one line that :func:`read_jsonl_at` read as usable (``first``: the file's first line)."""
    row = _fast_row(raw)
    return row if row is not None else json.loads(raw.decode("utf-8-sig" if first else "utf-8"))


def _fast_row(raw: bytes) -> dict[str, Any] | None:
    """The object on a line of strict JSON in UTF-8, read by orjson; None when the standard library
    must read the line (not strict JSON, not an object, or a number orjson may read differently)."""
    try:
        row = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return row if type(row) is dict and not _wide_float(row) else None
