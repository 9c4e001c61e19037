"""The attachment model: a linear scorer per slot, read from a JSON file, and its use on claim rows.

File format (``models/attachment.json``), written by
:func:`pipeline.attachment.training.train`::

    {"version": 1,
     "slots": {"company": {"bias": 0.0, "weights": {"src=mention": 1.2, ...}}, ...},
     "calibration": {"x": [...], "y": [...]},
     "training": {"articles": 120, "claims": 1500, "digest": "sha256 of the training rows"}}

A candidate's score is the dot product of its features with the slot's
weights; the slot's candidates are normalised by a softmax and the most
probable is taken. ``confidence`` is the product of the chosen candidates'
probabilities mapped through the calibration table (isotonic regression fitted
on held-out folds; linear interpolation between its points).
"""
from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..claim import ALT_BASES
from ..errors import LexiconError
from . import DECISIONS, SLOTS
from .candidates import GENERATORS, Candidate
from .features import claim_features, role_features, word_lists

MODEL_VERSION = 1


@dataclass
class AttachmentModel:
    """Weights per slot and the calibration table.

    Attributes:
        weights: slot -> feature name -> weight.
        bias: slot -> intercept (it cancels in the softmax; kept for the record).
        calibration_x, calibration_y: increasing raw confidences and the share
            of claims fully right at each (held-out folds).
        training: what the model was fitted on (counts and a digest).
    """

    weights: dict[str, dict[str, float]]
    bias: dict[str, float] = field(default_factory=dict)
    calibration_x: list[float] = field(default_factory=list)
    calibration_y: list[float] = field(default_factory=list)
    training: dict = field(default_factory=dict)
    _lookups: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> "AttachmentModel":
        """Read a model file.

        Raises:
            LexiconError: E320 when the file is missing, not JSON or not of this version.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LexiconError("E320", "attachment model not found (run `newsfigures train`)", str(path)) from None
        except (OSError, ValueError) as exc:
            raise LexiconError("E320", f"attachment model is not readable JSON: {exc}", str(path)) from None
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            raise LexiconError("E320", f"attachment model version must be {MODEL_VERSION}", str(path))
        slots = data.get("slots", {})
        cal = data.get("calibration", {})
        return cls(weights={s: dict(slots.get(s, {}).get("weights", {})) for s in DECISIONS},
                   bias={s: float(slots.get(s, {}).get("bias", 0.0)) for s in DECISIONS},
                   calibration_x=list(cal.get("x", [])), calibration_y=list(cal.get("y", [])),
                   training=dict(data.get("training", {})))

    def to_json(self) -> str:
        """The model file's text: sorted keys, weights rounded to 6 decimals (diffable, deterministic)."""
        data = {"version": MODEL_VERSION,
                "slots": {s: {"bias": round(self.bias.get(s, 0.0), 6),
                              "weights": {k: round(v, 6) for k, v in sorted(self.weights.get(s, {}).items())
                                          if round(v, 6) != 0.0}}
                          for s in DECISIONS},
                "calibration": {"x": [round(v, 6) for v in self.calibration_x],
                                "y": [round(v, 6) for v in self.calibration_y]},
                "training": self.training}
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    def weight_of(self, decision: str):
        """The weight lookup of a decision: feature name -> weight, 0.0 for a name without one.

        Made once per decision from ``weights[decision]`` (a dict that is replaced, not changed
        in place, when a model is refitted: a new dict gets a new lookup).
        """
        source = self.weights.get(decision, {})
        found = self._lookups.get(decision)
        if found is None or found[0] is not source:
            found = self._lookups[decision] = (source, _Weights(source).__getitem__)
        return found[1]

    def probabilities(self, slot: str, candidates: list[Candidate]) -> list[float]:
        """Softmax over the candidates' linear scores; the list is in the candidates' order."""
        weight = self.weight_of(slot)
        # features are indicators (value 1.0): a score is the sum of their weights, in the
        # order of the features (the float sum, and so a tie, depends on it)
        scores = [sum(map(weight, c.feats)) for c in candidates]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def binary_probability(self, decision: str, feats: dict[str, float]) -> float:
        """The probability of a yes/no decision (``claim``: the row is a claim at all; ``role``:
        a lone percentage is a change, not a level), logistic over the row's features."""
        z = self.bias.get(decision, 0.0) + sum(map(self.weight_of(decision), feats))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def calibrate(self, raw: float) -> float:
        """Map a raw confidence (product of probabilities) to the calibrated one, 0 to 1."""
        xs, ys = self.calibration_x, self.calibration_y
        if not xs:
            return raw
        if raw <= xs[0]:
            return ys[0]
        if raw >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, raw)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


class _Weights(dict):
    """Feature name -> weight; a name without a weight weighs 0.0 (as ``dict.get(name, 0.0)``,
    with a faster lookup: most features have a weight)."""

    __slots__ = ()

    def __missing__(self, name: str) -> float:
        return 0.0


_TEXT_FIELD = {"company": "company_text", "metric": "metric_text", "period": "period_text"}


class Attacher:
    """Decides each claim row's company, metric, segment and period with a model.

    Args:
        model: the fitted model, or None (rows keep the rules' values).
        models_dir: folder of ``attachment_features.toml``.
        collect: keep every row's candidates and features in ``row["_candidates"]``
            (for training; never set in a normal run).
        keep_raw: keep the uncalibrated confidence in ``row["_raw_confidence"]`` (for calibration).
        min_claim_probability: rows less likely than this to be claims are dropped.
    """

    def __init__(self, model: AttachmentModel | None, models_dir: str, collect: bool = False,
                 keep_raw: bool = False, min_claim_probability: float = 0.5) -> None:
        self.model = model
        self.min_claim_probability = min_claim_probability
        self.lists = word_lists(str(models_dir))
        self.collect = collect
        self.keep_raw = keep_raw

    def apply(self, rows: list[dict], view) -> list[dict]:
        """Decide the slots of a sentence's rows in place, set ``confidence``, drop non-claims.

        Returns:
            the rows kept (a row whose claim probability is below
            ``min_claim_probability`` is dropped; the others keep their order
            and their ``claim_id`` is numbered again).
        """
        kept = []
        decided: dict[int, dict] = {}  # figure start -> its row, decided
        # a comparison figure is decided after the level it is compared with, wherever it stands
        # ("grew from 5.1 to 5.2": the level's metric and period are the comparison's candidates)
        for row in sorted(rows, key=_is_prior):
            role, kind = row.get("_role", "level"), row.get("_kind", "")
            if role == "prior":
                level = decided.get(row.get("_level_start"))
                row["_level"] = level and {slot: level.get(slot) for slot in SLOTS}
            raw = 1.0
            collected = {}
            for slot in SLOTS:
                cands = GENERATORS[slot](row, view, self.lists, role, kind)
                if self.collect:
                    collected[slot] = [(c.value, c.feats) for c in cands]
                if self.model is None:
                    continue
                if len(cands) == 1:  # a softmax over one candidate is 1.0 whatever its score
                    _set(row, slot, cands[0])
                    continue
                probs = self.model.probabilities(slot, cands)
                best = max(range(len(cands)), key=probs.__getitem__)
                raw *= probs[best]
                _set(row, slot, cands[best])
            _unit_of_metric(row, view.metric_units, view.norm)
            decided[row["start"]] = row
            if _lone_percentage(row):
                feats = role_features(row, view, self.lists)
                if self.collect:
                    row["_role_features"] = feats
                if self.model is not None and self.model.weights.get("role"):
                    _set_role(row, self.model.binary_probability("role", feats) >= 0.5, view)
            claim_feats = claim_features(row, view, self.lists, role, kind)
            if self.collect:
                row["_candidates"] = collected
                row["_claim_features"] = claim_feats
            if self.model is not None:
                p_claim = self.model.binary_probability("claim", claim_feats)
                if p_claim < self.min_claim_probability:
                    continue
                raw *= p_claim
                row["confidence"] = round(self.model.calibrate(raw), 4)
                if self.keep_raw:
                    row["_raw_confidence"] = raw
            kept.append(row)
        kept.sort(key=_start)
        if len(kept) < len(rows):
            for k, row in enumerate(kept):
                row["claim_id"] = row["claim_id"].rsplit(":", 1)[0] + f":{k}"
        return kept


def _is_prior(row: dict) -> bool:
    return row.get("_role") == "prior"


def _start(row: dict) -> int:
    return row["start"]


def _set(row: dict, slot: str, cand: Candidate) -> None:
    value = cand.value
    if slot == "metric" and value is None:
        value = "unknown"
    if slot == "metric":
        value = _rule_form(row, value)
    old = row.get(slot)
    same = old == value if slot == "period" else (old or "").lower() == (value or "").lower()
    if same:
        return  # the rules' value, with its own text
    row[slot] = value
    if slot in _TEXT_FIELD:
        row[_TEXT_FIELD[slot]] = cand.text




def _unit_of_metric(row: dict, units: dict[str, str | None], text: str) -> None:
    """Give a count with no noun of its own the unit of the metric decided (``models/metrics.jsonl``):
    "EMEA subscriber additions were 2.75 million" counts subscribers, not the users of the metric
    the rules read. A noun written right after the figure ("9.1 million devices", "3.9 seconds")
    stays (gold conventions)."""
    new = units.get(row.get("metric") or "")
    if not new:
        return
    after = text[row["end"]:row["end"] + 40]
    for unit_key in ("unit", "change_unit"):
        unit = row.get(unit_key)
        if unit and unit != new and unit != "pp" and unit.isalpha() and unit.islower() \
                and not re.match(rf"\s+(?:[\w-]+\s+){{0,2}}?{re.escape(unit)}", after, re.I):
            row[unit_key] = new


def _rule_form(row: dict, metric: str) -> str:
    """The form the rules gave the chosen metric: "<metric> growth" for a range of change in %
    (gold conventions), "constant currency <metric>" for a change on an alternative basis
    (see ``pipeline/claims/decisions/pairing.py``), and what is added for net additions."""
    ruled = row.get("metric") or ""
    if row.get("qualifier") == "range" and row.get("unit") == "%" and ruled.endswith("growth") \
            and not metric.endswith("growth"):
        return "growth" if metric == "unknown" else f"{metric} growth"
    if metric == "net additions" and row.get("value") is None and row.get("change") is not None:
        return ruled or metric  # additions are the change of what is added (see claims/rows.py)
    for prefix in (f"{b} " for b in ALT_BASES):
        if ruled.startswith(prefix) and not metric.startswith(prefix) and metric != "unknown":
            return prefix + metric
    return metric


def _lone_percentage(row: dict) -> bool:
    """A row whose only figure is a percentage: a level with no change, or a change with no level."""
    if row.get("value") is not None:
        return row.get("change") is None and row.get("unit") == "%" and row.get("value_high") is None
    return row.get("change") is not None and row.get("change_unit") == "%"


def _set_role(row: dict, change: bool, view) -> None:
    """Make a lone percentage a change (``change``) or a level, moving its figure between the fields."""
    if change and row.get("value") is not None:
        direction = row.get("direction") or _clause_direction(row, view)
        mag = abs(row["value"])
        row.update(change=-mag if direction == "decrease" else 0.0 if direction == "flat" else mag,
                   change_unit="%", change_text=row.get("value_text"), direction=direction,
                   value=None, value_text=None, unit=None)
    elif not change and row.get("value") is None:
        row.update(value=abs(row["change"]), value_text=row.get("change_text"), unit="%",
                   change=None, change_unit=None, change_text=None, change_basis=None, direction=None)


def _clause_direction(row: dict, view) -> str | None:
    """The direction cue nearest the figure in its clause ("growth", "fell" ...), or None."""
    fa = row["start"]
    clause = view.clause(fa)
    cues = [c for c in view.cues if c.label in ("INCREASE", "DECREASE", "FLAT") and view.clause(c.start) == clause]
    if not cues:
        return "increase" if "growth" in view.norm[row["end"]:row["end"] + 30].lower() else None
    nearest = min(cues, key=lambda c: abs(c.start - fa))
    return {"INCREASE": "increase", "DECREASE": "decrease", "FLAT": "flat"}[nearest.label]
