"""Score predicted claims against gold claims, by the rules of ``claim_schema.md``.

Matching (schema "Gold files"): a prediction matches a gold claim when both
are in the same document, their character spans overlap, and the ``value``
agrees within 0.5% relative (or, for a gold claim without value, the
``change`` within 0.05). Gold rows marked ``optional`` are neither required
nor held against a prediction that matches them. Fields are compared on the
matched pairs: exact after lowercasing, ``metric``/``segment`` also when one
contains the other after folding the synonyms below; a gold ``period`` of
null is not scored. The full-claim score counts a pair as right when
company, metric, segment, unit, period, direction and change are all right.

This module follows the reference scorer ``shared/tools/score.py`` rule for
rule; ``tests/test_evaluate.py`` checks that both give the same numbers.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import SchemaError
from .rows import InputProblem, read_jsonl

FIELDS = ("company", "metric", "segment", "unit", "period", "direction", "change", "qualifier", "modality")
FULL = ("company", "metric", "segment", "unit", "period", "direction", "change")
SYNONYMS = {"eps": "earnings per share", "net income": "net profit", "net sales": "revenue",
            "sales": "revenue", "turnover": "revenue", "income": "net profit",
            "operating income": "operating profit", "staff": "headcount", "employees": "headcount",
            "jobs": "headcount", "research and development expenses": "r&d expenses",
            "unit shipments": "shipments", "share": "market share"}


def load_rows(path: Path, problems: list[InputProblem] | None = None) -> list[dict]:
    """Read a JSONL file of claim rows (gold or predicted).

    Each line is read alone (:func:`pipeline.rows.read_jsonl`): a line with
    bad bytes, bad JSON, a non-finite or out-of-range number, or a field of
    the wrong type (``doc_id`` not a string, ``start``/``end`` not integers,
    ``value``/``change`` not numbers) is skipped and listed in ``problems``
    with its true line number.

    Args:
        path: the file.
        problems: where skipped lines are listed; when None, the first one raises.

    Raises:
        SchemaError: E210 naming the file and line of the first bad row, when
            ``problems`` is None.
    """
    found: list[InputProblem] = []
    rows = []
    for n, row in read_jsonl(path, found, "E210", "E212"):
        bad = _row_problem(row)
        if bad:
            found.append(InputProblem(str(path), n, "E210", bad))
            continue
        rows.append(row)
    if problems is None:
        if found:
            first = found[0]
            raise SchemaError(first.code, f"line {first.line}: {first.reason}", str(path))
    else:
        problems.extend(found)
    return rows


def _row_problem(row: dict) -> str | None:
    """Why a claim row cannot be scored (a field of the wrong type), or None."""
    if not isinstance(row.get("doc_id"), str) or not row["doc_id"]:
        return "field 'doc_id' must be a non-empty string"
    for name in ("start", "end"):
        if isinstance(row.get(name), bool) or not isinstance(row.get(name), int):
            return f"field {name!r} must be an integer"
    for name in ("value", "value_high", "change"):
        item = row.get(name)
        if item is not None and (isinstance(item, bool) or not isinstance(item, (int, float))):
            return f"field {name!r} must be a number or null"
    return None


def _num_eq(a, b, rel: float = 0.005, abs_: float = 0.05) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError, OverflowError):
        return False
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_ if abs(b) < 1000 else 0)


def _norm(s):
    if s is None:
        return None
    s = str(s).lower().replace("\u2019", "'").strip()
    for w in ("the ", "'s"):
        s = s.replace(w, " ")
    return " ".join(s.split()) or None


def _canon(name: str, s):
    if s is None or name not in ("metric", "segment"):
        return s
    for k, v in SYNONYMS.items():
        s = re.sub(rf"\b{re.escape(k)}\b", v, s)
    return s


def _text_eq(name: str, g, p) -> bool:
    g, p = _canon(name, _norm(g)), _canon(name, _norm(p))
    if g is None or p is None:
        return g is None and p is None
    if name in ("metric", "segment"):
        return g == p or g in p or p in g
    if name == "company":
        return g == p or g.split()[0] == p.split()[0]
    return g == p


def _is_count_noun(u) -> bool:
    return isinstance(u, str) and u.isalpha() and u.islower() and u != "pp"


def field_ok(name: str, gold: dict, pred: dict) -> bool:
    """Whether ``pred`` has the right ``name`` field for ``gold`` (schema scoring rules)."""
    gv, pv = gold.get(name), pred.get(name)
    if name == "period" and gv is None:
        return True
    if name == "change":
        return _num_eq(pv, gv)
    if name in ("unit", "change_unit") and "units" in (gv, pv):
        return _is_count_noun(gv) and _is_count_noun(pv)
    if name == "qualifier":
        return (gv or "exact") == (pv or "exact")
    if name == "modality":
        return (gv or "actual") == (pv or "actual")
    return _text_eq(name, gv, pv)


def _overlaps(g: dict, p: dict) -> bool:
    try:
        return int(p["start"]) < g["end"] and g["start"] < int(p["end"])
    except (KeyError, TypeError, ValueError):
        return False


def _figure_ok(g: dict, p: dict) -> bool:
    if g.get("optional"):
        return True
    if g.get("value") is not None:
        return _num_eq(p.get("value"), g["value"], abs_=0.0)
    return _num_eq(p.get("change"), g.get("change"))


@dataclass
class Score:
    """Detection and field scores of one evaluation."""

    gold: int
    pred: int
    matched: int
    recall: float
    precision: float
    f1: float
    full_f1: float
    fields: dict[str, float]
    misses: list[dict] = field(default_factory=list)
    wrong: list[dict] = field(default_factory=list)

    def to_dict(self, details: bool = False) -> dict:
        d = asdict(self)
        if not details:
            d.pop("misses")
            d.pop("wrong")
        return d


def match(gold: list[dict], pred: list[dict]) -> tuple[list[tuple[dict | None, int]], list[dict]]:
    """Pair predictions with gold claims by the scorer's rules.

    Returns:
        ``(pairs, misses)``: ``pairs`` holds ``(gold row, prediction index)``
        with ``None`` for an optional gold row; ``misses`` the required gold
        rows that no prediction matched. Required gold rows are matched first,
        each to the first unused prediction of its article that overlaps it
        and agrees on the figure.
    """
    by_doc = _by_doc(pred)
    used: set[int] = set()
    pairs, misses = [], []
    for g in sorted(gold, key=lambda g: g.get("optional", False)):
        hit = None
        for i in _pred_docs(by_doc, g["doc_id"]):
            if i not in used and _overlaps(g, pred[i]) and _figure_ok(g, pred[i]):
                hit = i
                break
        if hit is None:
            if not g.get("optional"):
                misses.append(g)
            continue
        used.add(hit)
        pairs.append((None if g.get("optional") else g, hit))
    return pairs, misses


def _by_doc(pred: list[dict]) -> dict[str, list[int]]:
    """Prediction indices by their doc_id (``/`` separators)."""
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pred):
        by_doc[str(p.get("doc_id", "")).replace("\\", "/")].append(i)
    return by_doc


def _pred_docs(by_doc: dict[str, list[int]], doc: str) -> list[int]:
    """Indices of the predictions of one gold article (a predicted doc_id may carry a folder prefix)."""
    out = []
    for d, idx in by_doc.items():
        if d == doc or d.endswith("/" + doc) or d.endswith("#" + doc):
            out.extend(idx)
    return out


def score(gold: list[dict], pred: list[dict], doc_prefix: str = "") -> Score:
    """Score predictions against gold (see the module docstring for the rules)."""
    gold = [g for g in gold if g["doc_id"].startswith(doc_prefix)]
    by_doc = _by_doc(pred)
    matched, misses = match(gold, pred)
    pairs = [(g, pred[i]) for g, i in matched]
    docs = {g["doc_id"] for g in gold}
    n_pred = sum(len(_pred_docs(by_doc, d)) for d in docs)
    n_opt = sum(1 for g, _ in pairs if g is None)
    real = [(g, p) for g, p in pairs if g is not None]
    n_gold = sum(1 for g in gold if not g.get("optional"))
    denom_p = max(n_pred - n_opt, 1)
    rec, prec = len(real) / max(n_gold, 1), len(real) / denom_p
    f1 = 2 * rec * prec / (rec + prec) if rec + prec else 0.0
    fields = {f: sum(field_ok(f, g, p) for g, p in real) / max(len(real), 1) for f in FIELDS}
    full = sum(all(field_ok(f, g, p) for f in FULL) for g, p in real)
    frec, fprec = full / max(n_gold, 1), full / denom_p
    ff1 = 2 * frec * fprec / (frec + fprec) if frec + fprec else 0.0
    wrong = []
    for g, p in real:
        bad = [f for f in FULL if not field_ok(f, g, p)]
        if bad:
            wrong.append({"doc_id": g["doc_id"], "metric": g.get("metric"), "value": g.get("value"),
                          "change": g.get("change"), "fields": {f: [g.get(f), p.get(f)] for f in bad}})
    return Score(n_gold, n_pred, len(real), rec, prec, f1, ff1, fields, misses, wrong)


def format_score(s: Score, show_misses: bool = False) -> str:
    """The score as the reference scorer prints it (plus misses when asked)."""
    lines = []
    if show_misses:
        for g in s.misses:
            lines.append(f"MISS {g['doc_id']} {g.get('value')} {g.get('change')} {g.get('metric')}")
        for w in s.wrong:
            lines.append(f"WRONG {w['doc_id']} {w['metric']} {w['value']} {w['change']} | "
                         + str({k: tuple(v) for k, v in w["fields"].items()}))
    lines.append(f"gold {s.gold} pred {s.pred} matched {s.matched}")
    lines.append(f"recall {s.recall:.3f} precision {s.precision:.3f} f1 {s.f1:.3f} full_f1 {s.full_f1:.3f}")
    lines.append("fields " + " ".join(f"{k}={v:.2f}" for k, v in s.fields.items()))
    return "\n".join(lines)
