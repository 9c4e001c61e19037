"""Tests of pipeline/check_files.py: check rows written as the standard library writes them."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.check_files import RowsByKind, encode_row

ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@pytest.mark.parametrize("value", [0.0, -0.0, 1e-5, 0.0001, 9.5e-5, 123.0, 1e15, 9.999999999999999e15, 1e16,
                                   -1e16, 1e300, 5e-324, 12345678901234.5, float("inf"), float("nan")])
def test_encode_row_writes_floats_as_the_standard_library(value):
    row = {"check": "conflict", "expected": value, "claim_ids": ["a:1:0", "b:2:1"], "message": "x"}
    assert encode_row(row, ENCODE) == ENCODE(row).encode("utf-8")


@pytest.mark.parametrize("text", ["a\x00b\x1f\x7f\u2028\u2029", "é\"\\/\b\f\n\r\t"])
def test_encode_row_writes_texts_as_the_standard_library(text):
    row = {"message": text, "claim_ids": [text], "n": 10**30, "flag": True, "nested": None}
    assert encode_row(row, ENCODE) == ENCODE(row).encode("utf-8")


def test_encode_row_refuses_a_lone_surrogate_as_before():
    with pytest.raises(UnicodeEncodeError):
        encode_row({"message": "lone \ud800"}, ENCODE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["check", "expected", "observed", "claim_ids", "message"]),
                       st.one_of(st.none(), st.integers(), st.floats(), st.text(),
                                 st.lists(st.text(), max_size=3), st.lists(st.floats(), max_size=2))))
def test_encode_row_is_the_standard_librarys_bytes(row):
    try:
        expected = ENCODE(row).encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate: the standard library's bytes cannot be made either
    assert encode_row(row, ENCODE) == expected


def test_rows_by_kind_joins_the_kinds_in_order(tmp_path):
    fields = ("check", "status", "expected")
    with RowsByKind(tmp_path, ["b", "a"], fields) as rows:
        assert rows.write({"status": "ok", "check": "a", "expected": 1e-5}) == 0
        rows.write({"check": "b", "status": "x", "expected": 2.0})
        rows.save(tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines() == [
        '{"check":"b","status":"x","expected":2.0}', '{"check":"a","status":"ok","expected":1e-05}']
