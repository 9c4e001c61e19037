"""Golden extraction cases: tests/cases/extraction.jsonl (one input text -> expected claim fields).

Each case lists the claims it must produce, in text order; only the fields a
case names are compared (numbers within 1e-6 relative). ``n_claims`` pins the
exact number of claims where extra claims would be wrong.

Every case runs twice: through the rules alone (``attachment_model = ""``:
the first rows, whose values are the model's strongest features) and through
the default pipeline with the attachment model. A case whose ``model_misses``
says why the model gets it wrong is an expected failure of the model run
(strict: the day the model gets it right, the mark must go); its rules run
must still pass.
"""
import json
import math
from pathlib import Path

import pytest

from pipeline.build import make_nlp
from pipeline.config import load_settings

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "cases" / "extraction.jsonl").read_text(encoding="utf-8").splitlines()
         if line.strip()]


@pytest.fixture(scope="module")
def nlp():
    return make_nlp(load_settings())


@pytest.fixture(scope="module")
def nlp_rules():
    settings = load_settings()
    settings.claims["attachment_model"] = ""
    return make_nlp(settings)


def run(nlp, text, doc_date=None):
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"] = "case.txt"
    doc.user_data["doc_date"] = doc_date
    return nlp(doc).user_data["claims"]


def same(expected, got):
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return got is not None and math.isclose(float(got), float(expected), rel_tol=1e-6, abs_tol=1e-9)
    return expected == got


def _model_params():
    for c in CASES:
        marks = [pytest.mark.xfail(reason=c["model_misses"], strict=True)] if c.get("model_misses") else []
        yield pytest.param(c, id=c["id"], marks=marks)


@pytest.mark.parametrize("case", _model_params())
def test_case(nlp, case):
    check_case(nlp, case)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_rules(nlp_rules, case):
    check_case(nlp_rules, case)


def check_case(nlp, case):
    claims = run(nlp, case["text"], case.get("doc_date"))
    if "n_claims" in case:
        assert len(claims) == case["n_claims"], [c["value_text"] or c["change_text"] for c in claims]
    remaining = list(claims)
    for want in case["claims"]:
        match = next((c for c in remaining if all(same(v, c.get(k)) for k, v in want.items())), None)
        assert match is not None, (
            f"no claim with {want}; got "
            + json.dumps([{k: c.get(k) for k in want} | {"text": c["value_text"] or c["change_text"]} for c in claims]))
        remaining.remove(match)
