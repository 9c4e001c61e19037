"""pipeline.evaluate.score gives exactly the numbers of the reference scorer ../shared/tools/score.py.

The reference is imported from ``../shared/tools/score.py`` beside the
project; without it these tests are skipped (with the reason). Hand-made
gold/pred rows exercise each scoring rule of ``claim_schema.md``, with the
expected numbers worked out by hand, and hypothesis compares both scorers
on random rows.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.evaluate import FIELDS, field_ok, score

SCORE_PY = Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "score.py"


@pytest.fixture(scope="module")
def reference():
    """The reference scorer module, imported from its file."""
    if not SCORE_PY.exists():
        pytest.skip(f"reference scorer {SCORE_PY} is not here (../shared beside the project)")
    spec = importlib.util.spec_from_file_location("reference_score", SCORE_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(doc: str, start: int, value: float | None, **fields) -> dict:
    """A claim row with a 10-character span at ``start`` and schema defaults for the rest."""
    base = {"doc_id": doc, "start": start, "end": start + 10, "value": value, "company": "Orvane",
            "metric": "revenue", "segment": None, "unit": "EUR", "period": "2023-Q4", "direction": None,
            "change": None, "qualifier": "exact", "modality": "actual"}
    base.update(fields)
    return base


def as_reference(result) -> tuple[dict, list, list]:
    """Our :class:`Score` in the shape the reference returns: (numbers, misses, wrong)."""
    numbers = {k: getattr(result, k) for k in ("gold", "pred", "matched", "recall", "precision", "f1",
                                                "full_f1", "fields")}
    wrong = [(w["doc_id"], sorted(w["fields"])) for w in result.wrong]
    return numbers, result.misses, wrong


def both(reference, gold: list[dict], pred: list[dict], prefix: str = ""):
    """Score with both implementations; assert they agree exactly; return ours."""
    ref_numbers, ref_misses, ref_wrong = reference.score(gold, pred, prefix)
    ours = score(gold, pred, prefix)
    numbers, misses, wrong = as_reference(ours)
    assert numbers == ref_numbers
    assert misses == ref_misses
    assert wrong == [(g["doc_id"], sorted(bad)) for g, _, bad in ref_wrong]
    return ours


GOLD = [
    # 0: matched by value within 0.5%; company "Samsung Electronics" vs "Samsung" (first word)
    row("a.txt", 0, 1.0e9, company="Samsung Electronics", unit="KRW"),
    # 1: optional, matched -> neither required nor held against precision
    row("a.txt", 20, 50.0, optional=True),
    # 2: optional, unmatched -> not a miss
    row("a.txt", 40, 70.0, optional=True),
    # 3: null period is not scored; 'units' matches any count noun
    row("a.txt", 60, 1.2e6, metric="shipments", unit="units", period=None),
    # 4: no value: matched on the change within 0.05; metric containment ("smartphone revenue")
    row("a.txt", 80, None, change=-18.9, direction="decrease", segment="smartphone"),
    # 5: missed (prediction off by more than 0.5%)
    row("b.txt", 0, 200.0),
    # 6: matched, but 'units' against a currency is wrong; synonym "net sales" == "revenue"
    row("b.txt", 20, 3000.0, unit="units", metric="net sales"),
    # 7: company mismatch ("Apple" vs "Applied Materials" share no first word)
    row("c/d.txt", 0, 42.0, company="Apple"),
]
PRED = [
    row("a.txt", 2, 1.004e9, company="Samsung", unit="KRW"),
    row("a.txt", 22, 50.0),
    row("a.txt", 61, 1.2e6, metric="shipments", unit="vehicles", period="2021"),
    row("a.txt", 85, None, change=-18.92, direction="decrease", metric="smartphone revenue",
        segment="smartphone business"),
    row("b.txt", 0, 201.5),
    row("b.txt", 25, 3000.0, unit="USD", metric="revenue"),
    row("runs/c/d.txt", 5, 42.0, company="Applied Materials"),  # folder prefix on the predicted doc_id
    row("a.txt", 200, 9.0),  # a spurious prediction
    row("zzz.txt", 0, 1.0),  # a document without gold: not counted
]


def test_same_numbers_as_reference_on_hand_made_rows(reference) -> None:
    s = both(reference, GOLD, PRED)
    # required gold: 6 (two optional); preds in gold docs: 8, one matched an optional -> 7 counted
    assert (s.gold, s.pred, s.matched) == (6, 8, 5)
    assert s.recall == pytest.approx(5 / 6)
    assert s.precision == pytest.approx(5 / 7)
    assert [m["start"] for m in s.misses] == [0] and s.misses[0]["doc_id"] == "b.txt"
    # full claims right: rows 0, 3, 4 (6: unit, 7: company are wrong)
    full_r, full_p = 3 / 6, 3 / 7
    assert s.full_f1 == pytest.approx(2 * full_r * full_p / (full_r + full_p))
    assert s.fields["company"] == pytest.approx(4 / 5)
    assert s.fields["unit"] == pytest.approx(4 / 5)
    assert s.fields["period"] == pytest.approx(1.0)
    assert s.fields["metric"] == pytest.approx(1.0)
    assert {w["doc_id"]: sorted(w["fields"]) for w in s.wrong} == {"b.txt": ["unit"], "c/d.txt": ["company"]}


def test_same_numbers_with_a_doc_prefix(reference) -> None:
    s = both(reference, GOLD, PRED, prefix="a.")
    assert (s.gold, s.matched) == (3, 3)


def test_same_numbers_with_no_prediction(reference) -> None:
    s = both(reference, GOLD, [])
    assert (s.recall, s.precision, s.f1, s.full_f1) == (0.0, 0.0, 0.0, 0.0)


def test_same_field_rules_as_reference(reference) -> None:
    cases = [
        ("unit", {"unit": "units"}, {"unit": "vehicles"}, True),
        ("unit", {"unit": "units"}, {"unit": "pp"}, False),
        ("unit", {"unit": "units"}, {"unit": "CNY"}, False),
        ("unit", {"unit": "people"}, {"unit": "vehicles"}, False),
        ("period", {"period": None}, {"period": "2020-Q1"}, True),
        ("period", {"period": "2020-Q1"}, {"period": None}, False),
        ("metric", {"metric": "revenue"}, {"metric": "iot revenue"}, True),
        ("metric", {"metric": "net income"}, {"metric": "net profit"}, True),
        ("metric", {"metric": "revenue"}, {"metric": "net profit"}, False),
        ("segment", {"segment": "The smartphone"}, {"segment": "smartphone"}, True),
        ("company", {"company": "Samsung Electronics"}, {"company": "samsung"}, True),
        ("company", {"company": "Xiaomi"}, {"company": None}, False),
        ("change", {"change": -18.9}, {"change": -18.94}, True),
        ("change", {"change": -18.9}, {"change": -19.0}, False),
        ("qualifier", {"qualifier": None}, {"qualifier": "exact"}, True),
        ("modality", {}, {"modality": "forecast"}, False),
    ]
    for name, g, p, expected in cases:
        assert field_ok(name, g, p) is expected, (name, g, p)
        assert reference.field_ok(name, g, p) is expected, (name, g, p)


# -- random rows: both scorers agree ---------------------------------------
_docs = st.sampled_from(["a.txt", "b.md", "f/c.txt", "briefs.jsonl#x"])
_maybe = lambda *xs: st.sampled_from([None, *xs])  # noqa: E731


@st.composite
def claim_rows(draw, gold: bool) -> dict:
    start = draw(st.integers(0, 60))
    value = draw(st.one_of(st.none(), st.sampled_from([5.0, 5.02, 100.0, 100.4, 1e9, 1.004e9, 2e9])))
    r = {
        "doc_id": draw(_docs) if gold else draw(st.sampled_from(["", "runs/"])) + draw(_docs),
        "start": start, "end": start + draw(st.integers(1, 15)), "value": value,
        "company": draw(_maybe("Samsung Electronics", "Samsung", "Apple", "Applied Materials")),
        "metric": draw(st.sampled_from(["revenue", "net sales", "smartphone revenue", "shipments", "net profit"])),
        "segment": draw(_maybe("smartphone", "the smartphone business", "overseas")),
        "unit": draw(_maybe("units", "vehicles", "CNY", "%", "pp")),
        "period": draw(_maybe("2023-Q1", "2023", "FY2024-Q1")),
        "direction": draw(_maybe("increase", "decrease")),
        "change": draw(st.one_of(st.none(), st.sampled_from([-18.9, -18.93, 4.0, 100.0]))),
        "qualifier": draw(_maybe("exact", "about")),
        "modality": draw(_maybe("actual", "forecast")),
    }
    if gold and draw(st.booleans()) and draw(st.booleans()):
        r["optional"] = True
    return r


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gold=st.lists(claim_rows(gold=True), max_size=8), pred=st.lists(claim_rows(gold=False), max_size=10))
def test_random_rows_score_the_same(reference, gold, pred) -> None:
    s = both(reference, gold, pred)
    assert 0.0 <= s.recall <= 1.0 and 0.0 <= s.full_f1 <= s.f1 <= 1.0
    assert set(s.fields) == set(FIELDS)
