"""Tests of pipeline/tables.py: the CSV cells written without pandas are the ones pandas writes."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.claim import FIELD_NAMES
from pipeline.tables import BATCH_ROWS, CheckTables, ClaimTables, csv_cells

FLOATS = [1e16, 1e-7, 123456789.123, -0.0, 5e-324, 1.7976931348623157e308, 0.1, 1 / 3, 2.5e15, 59500000000.0]


@pytest.mark.parametrize("column", [
    FLOATS, [*FLOATS, None], [1, 2, 3], [1, None, 3], [1, 2.5, None], [True, False], [True, None],
    ["a", None, 'comma, "quote"\nline'], [None, None], ["x", "y"], [2 ** 60, 1],
])
def test_plain_columns_are_written_as_pandas_writes_them(tmp_path: Path, column: list) -> None:
    frame_csv = pd.DataFrame({"c": column, "d": range(len(column))}).to_csv(index=False)
    cells = csv_cells(column)
    if cells is None:  # huge integers: left to pandas
        assert any(type(v) is int and abs(v) >= 2 ** 53 for v in column)
        return
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["c", "d"])
    writer.writerows(zip(cells, [str(i) for i in range(len(column))]))
    assert out.getvalue() == frame_csv


def test_mixed_columns_are_left_to_pandas() -> None:
    assert csv_cells(["a", 1.5]) is None and csv_cells([True, 1]) is None and csv_cells([[1], None]) is None


def claim_row(n: int, **changes) -> dict:
    row = {name: None for name in FIELD_NAMES}
    row.update(claim_id=f"a.txt:{n}:0", doc_id="a.txt", sentence_index=n, sentence=f"Sentence, \"{n}\".",
               start=0, end=3, metric="revenue", qualifier="exact", modality="actual", value=float(n))
    row.update(changes)
    return row


def test_claims_tables_match_pandas_for_plain_and_odd_batches(tmp_path: Path) -> None:
    plain = [claim_row(n, confidence=0.5 if n % 2 else None) for n in range(BATCH_ROWS + 5)]
    plain[3]["value"] = 3  # an integer among floats: written 3.0, as pandas makes the column float64
    odd = [claim_row(n, end=2 ** 60 + n) for n in range(7)]  # too large for a float: pandas writes the batch
    rows = plain + odd
    with ClaimTables(tmp_path) as tables:
        for row in rows:
            tables.add(row)
    want = "".join(pd.DataFrame(batch, columns=list(FIELD_NAMES)).to_csv(index=False, header=n == 0)
                   for n, batch in enumerate([rows[:BATCH_ROWS], rows[BATCH_ROWS:]]))
    assert (tmp_path / "claims.csv").read_text(encoding="utf-8") == want
    assert ",3.0," in want and f",{2 ** 60}," in want


def test_check_tables_match_pandas(tmp_path: Path) -> None:
    rows = [{"check": "conflict", "status": "consistent", "claim_ids": [f"a:{n}:0", "b:0:0"], "expected": 1.5,
             "observed": n, "tolerance": 0.25, "message": f"m, \"{n}\""} for n in range(5)]
    rows[2]["extra"] = "x"
    tables = CheckTables(tmp_path)
    for row in rows:
        tables.see(row)
    tables.write(rows)
    frame = pd.DataFrame(rows, columns=tables.columns)
    frame["claim_ids"] = [json.dumps(ids, ensure_ascii=False) for ids in frame["claim_ids"]]
    assert (tmp_path / "checks.csv").read_text(encoding="utf-8") == frame.to_csv(index=False)
    import pyarrow.parquet as pq
    assert pq.read_table(tmp_path / "checks.parquet").column("extra").to_pylist() == [None, None, "x", None, None]


def _check_row(**fields) -> dict:
    row = {"check": "conflict", "status": "consistent", "claim_ids": ["a:0:0", "b:1:2"], "expected": 1.5,
           "observed": 2.0, "tolerance": 0.25, "message": "m"}
    row.update(fields)
    return row


@pytest.mark.parametrize("rows", [
    [_check_row(), _check_row(check="share_of_total", claim_ids=["x"])],
    [_check_row(), _check_row(expected=None)],
    [_check_row(observed=3), _check_row()],
    [_check_row(claim_ids=[])],
    [_check_row(message=None), _check_row()],
    [_check_row(status=True)],
    [{k: v for k, v in _check_row().items() if k != "tolerance"}],
])
def test_a_check_batchs_schema_is_the_one_pandas_gives(rows):
    from pipeline.tables import CHECK_FIELDS, _check_batch_table, check_batch_schema

    columns = list(CHECK_FIELDS)
    assert check_batch_schema(rows, columns) == _check_batch_table(rows, columns).schema.remove_metadata()
