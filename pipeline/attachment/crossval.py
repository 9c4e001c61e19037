"""Cross-validation by article: the accuracy a user sees on articles the model did not learn from.

For each of ``folds`` folds of the evaluated articles, a model is fitted
(and its confidence calibrated, by inner folds) on the other folds plus the
extra training sets, and the held fold is extracted with it. The held
folds' claims are pooled and scored by the reference scorer's rules.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Settings
from .training import GoldSet, Trainer, fold_of, fully_right

RELIABILITY_BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
"""Edges of the confidence bins of the reliability table (the last bin includes 1.0)."""


@dataclass
class CrossValidation:
    """The pooled held-out predictions and the confidence reliability table.

    Attributes:
        predictions: claim rows of every evaluated article, each extracted by
            a model that did not see it.
        reliability: rows ``(low, high, claims, fully right, share right)``.
    """

    predictions: list[dict]
    reliability: list[tuple[float, float, int, int, float]]


def cross_validate(evaluated: GoldSet, extra: list[GoldSet], settings: Settings, folds: int = 5,
                   regularization: float = 1.0) -> CrossValidation:
    """Run ``folds``-fold cross-validation by article over ``evaluated``.

    Args:
        evaluated: the gold set to measure on.
        extra: gold sets in every training fold (e.g. the project's corpus).
        settings: the pipeline settings.
        folds: number of folds (articles dealt round-robin in sorted order).
        regularization: the logistic regressions' C.
    """
    trainer = Trainer([evaluated] + extra, settings, regularization)
    prefix = evaluated.name + "/"
    keys = [k for k in trainer.articles if k.startswith(prefix)]
    others = [k for k in trainer.articles if not k.startswith(prefix)]
    assign = fold_of(keys, folds)
    predictions, confidences, rights = [], [], []
    for k in range(folds):
        held = [x for x in keys if assign[x] == k]
        if not held:
            continue
        model = trainer.fit_calibrated(others + [x for x in keys if assign[x] != k], folds)
        for key, rows in trainer.extract(held, model).items():
            predictions.extend(rows)
            confidences.extend(r.get("confidence") or 0.0 for r in rows)
            rights.extend(fully_right(rows, trainer.gold[key]))
    return CrossValidation(predictions, reliability_table(confidences, rights))


def without_gold_companies(settings: Settings, gold: list[dict], dest: Path) -> tuple[Settings, int]:
    """Settings whose company lexicon leaves out every company ``gold`` names.

    The models folder is copied to ``dest`` and each ``models/companies.jsonl``
    entry whose name or one of its aliases (case-insensitive) is a gold row's
    ``company`` is dropped, with its fiscal calendar. Training and held-out
    folds alike then meet those companies as a user meets a company the
    lexicon does not know: found, or not, by the company rules alone.

    Returns:
        (the settings with ``models_dir`` = ``dest``, the number of entries dropped).
    """
    names = {str(g["company"]).casefold() for g in gold if g.get("company")}
    shutil.copytree(settings.models_dir, dest)
    kept, dropped = [], 0
    with open(settings.models_dir / "companies.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.lstrip().startswith("{"):
                entry = json.loads(line)
                if {entry["name"].casefold(), *(a.casefold() for a in entry.get("aliases", ()))} & names:
                    dropped += 1
                    continue
            kept.append(line)
    (dest / "companies.jsonl").write_text("".join(kept), encoding="utf-8")
    return replace(settings, models_dir=dest), dropped


def reliability_table(confidences: list[float], rights: list[bool]) -> list[tuple[float, float, int, int, float]]:
    """Claims per confidence bin and the share of them fully right."""
    out = []
    edges = RELIABILITY_BINS
    for i in range(len(edges) - 1):
        lo, hi = edges[i], edges[i + 1]
        last = i == len(edges) - 2
        sel = [r for c, r in zip(confidences, rights) if lo <= c < hi or (last and c == hi)]
        out.append((lo, hi, len(sel), sum(sel), sum(sel) / len(sel) if sel else 0.0))
    return out


def format_reliability(table: list[tuple[float, float, int, int, float]]) -> str:
    """The reliability table as text lines."""
    lines = ["confidence    claims  fully right  share"]
    for lo, hi, n, right, share in table:
        lines.append(f"{lo:.2f}-{hi:.2f}  {n:7d}  {right:11d}  {share:.3f}")
    return "\n".join(lines)
