"""Tests of pipeline/rows.py: rows read fast (orjson) are the rows and problems the standard library gives."""
from __future__ import annotations

import json
import math
from pathlib import Path

from pipeline.rows import InputProblem, number_problem, read_jsonl, read_jsonl_at, row_at

LINES = [
    b'\xef\xbb\xbf{"a": 1}\n', b'{"a": 1e400}\n', b'{"a": NaN}\n', b'{"a": Infinity}\n', b'{"a": -Infinity}\n',
    b'{"a": 123456789012345678901234567890}\n', b'{"a": [1, 18446744073709551616]}\n',
    b'{"a": {"b": -9223372036854775809}}\n', b'{"a": 1e19}\n', b'{"a": "\\ud800"}\n', b'   \n', b'\n',
    b'[1,2]\n', b'"x"\n', b'null\n', b'{"a": 1, "a": 2, "b": 3}\n', b'{"a": "\xff"}\n', b'{"a": 1} x\n',
    b'{"a": 1}\r\n', b'\t{"a": 1.5e-7}  \n', b'{"a": "tab\there"}\n', b'[' * 5000 + b']' * 5000 + b'\n',
    b'{"a": 1.0000000000000000000001}\n', b'{"a": -0.0, "b": -0}\n', b'{"a": 1E5, "b": 1e-400}\n',
    b'{"\\u00e9": "\\u2028"}\n', b'{"a": 10' + b'0' * 400 + b'}\n', b'{"a": true, "b": null, "c": [1, {"d": 2}]}\n',
    b'{"a": 9223372036854775807, "b": -9223372036854775808}\n', b'{}',
]


def json_reading(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    """The rows and problems of the standard library's reading, line by line (the reading before orjson)."""
    rows, problems = [], []
    for line_no, raw in enumerate(path.read_bytes().splitlines(keepends=True), 1):
        try:
            text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
        except UnicodeDecodeError as err:
            problems.append(f"{path}:{line_no}: [E212] not UTF-8 text (byte {err.start} of the line: "
                            f"{raw[err.start:err.start + 1]!r})")
            continue
        if not text.strip():
            continue

        def constant(name):
            raise ValueError(f"{name} is not a finite number")
        try:
            row = json.loads(text, parse_constant=constant)
        except json.JSONDecodeError as err:
            problems.append(f"{path}:{line_no}: [E210] not JSON: {err.msg}")
            continue
        except RecursionError:
            problems.append(f"{path}:{line_no}: [E210] not JSON: RecursionError")
            continue
        except ValueError as err:
            problems.append(f"{path}:{line_no}: [E210] not usable JSON: {err}")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path}:{line_no}: [E210] expected a JSON object, got {type(row).__name__}")
            continue
        bad = number_problem(row)
        if bad:
            problems.append(f"{path}:{line_no}: [E210] {bad}")
            continue
        rows.append((line_no, row))
    return rows, problems


def test_rows_and_problems_are_the_standard_librarys(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"".join(LINES))
    problems: list[InputProblem] = []
    rows = list(read_jsonl(path, problems))
    want_rows, want_problems = json_reading(path)
    assert repr(rows) == repr(want_rows)  # repr: 1 and 1.0, -0.0 and 0 told apart
    assert [str(p) for p in problems] == want_problems
    assert dict(rows)[6] == {"a": 123456789012345678901234567890}  # kept whole, not made a float
    assert math.isinf(json.loads("1e400")) and any("inf is not a finite number" in p for p in want_problems)


def test_row_at_reads_the_row_at_each_offset_again(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"".join(LINES))
    found = list(read_jsonl_at(path, []))
    assert [(n, row) for n, _, row in found] == list(read_jsonl(path, []))
    with path.open("rb") as handle:
        again = [row_at(handle, offset) for _, offset, _ in found]
    assert repr(again) == repr([row for _, _, row in found])
    assert found[0][1] == 0 and found[1][1] == len(LINES[0]) + len(LINES[1]) + len(LINES[2]) + len(LINES[3]) \
        + len(LINES[4])
