"""Fit the attachment model from gold claims (``newsfigures train``).

1. Every training article is run through the pipeline once with the rules
   alone, keeping each claim row's candidates and their features
   (:class:`Runner`, ``collect``).
2. Each row is paired with a gold claim by the reference scorer's rules
   (:func:`pipeline.evaluate.match`); a candidate is labelled right when
   its value passes the scorer's field test for that slot (company by first
   word, metric and segment by containment after the synonyms, period
   exactly). A slot whose gold value no candidate reaches is a
   candidate-generation miss: left out of the fit and counted.
3. One conditional logit per slot (a softmax over each figure's
   candidates, fitted with SciPy's L-BFGS: deterministic) scores
   candidates; at run time the most probable candidate is taken.
4. The confidence is calibrated on held-out folds: the articles are split
   into ``folds`` groups; each group is extracted with a model fitted on
   the others; isotonic regression maps the product of the chosen
   candidates' probabilities to the share of claims fully right.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import evaluate
from ..build import make_article_doc, make_nlp
from ..config import Settings
from ..errors import UsageError
from ..reading import Article, ArticleFailure, Skipped, iter_articles
from . import SLOTS
from .model import Attacher, AttachmentModel


@dataclass
class GoldSet:
    """Articles with their gold claims.

    Attributes:
        name: a label for messages and the training record.
        articles: the articles read (doc_id relative to their folder).
        gold: gold rows (``../shared/claim_schema.md`` "Gold files").
    """

    name: str
    articles: list[Article]
    gold: list[dict]

    path: Path | None = None

    @classmethod
    def read(cls, articles_dir: Path, gold_path: Path, settings: Settings, label: str | None = None) -> "GoldSet":
        """Read a folder of articles and its gold file.

        Args:
            label: the set's name in keys and records (default: the folder as given).

        Raises:
            UsageError: E402 when the folder or the gold file does not exist.
        """
        articles_dir, gold_path = Path(articles_dir), Path(gold_path)
        for p in (articles_dir, gold_path):
            if not p.exists():
                raise UsageError("E402", f"{p} does not exist")
        arts = []
        for item in iter_articles(articles_dir, settings.extensions, None, settings.max_chars,
                                  settings.dateline_chars, settings.html_min_words):
            if isinstance(item, ArticleFailure):
                print(f"training: skipped {item.path}: {item.code} {item.reason}", file=sys.stderr)
            elif not isinstance(item, Skipped):
                arts.append(item)
        gold = evaluate.load_rows(gold_path)
        if gold and arts and not {g["doc_id"] for g in gold} & {a.doc_id for a in arts}:
            raise UsageError("E411", f"no article of {articles_dir} has a gold claim in {gold_path} (gold names "
                                     f"{gold[0]['doc_id']!r}, the folder {arts[0].doc_id!r}): a gold file of other articles?")
        return cls(label or articles_dir.as_posix(), sorted(arts, key=lambda a: a.doc_id), gold,
                   path=articles_dir.resolve())

    def gold_of(self, doc_id: str) -> list[dict]:
        """The gold rows of one article."""
        return [g for g in self.gold if g["doc_id"] == doc_id]


class Runner:
    """The pipeline, built once, run with any attachment model (or none)."""

    def __init__(self, settings: Settings) -> None:
        claims = dict(settings.claims)
        claims["attachment_model"] = ""
        self.settings = Settings(**{**settings.__dict__, "claims": claims})
        self.nlp = make_nlp(self.settings)
        self.builder = self.nlp.get_pipe("figures_claims")

    def run(self, articles: list[Article], model: AttachmentModel | None, collect: bool = False,
            keep_raw: bool = False) -> dict[str, list[dict]]:
        """Extract ``articles``; returns doc_id -> claim rows (with ``_candidates`` when ``collect``)."""
        self.builder.attacher = Attacher(model, str(self.settings.models_dir), collect=collect, keep_raw=keep_raw,
                                         min_claim_probability=self.settings.claims.get("min_claim_probability", 0.5))
        docs = (make_article_doc(self.nlp, a.text, a.doc_id, a.doc_date) for a in articles)
        out = {}
        for art, doc in zip(articles, self.nlp.pipe(docs, batch_size=self.settings.batch_size)):
            out[art.doc_id] = doc.user_data.get("claims", [])
        self.builder.attacher = None
        return out


@dataclass
class Examples:
    """Labelled candidates of one article, per slot: a list of (features list, labels list) groups."""

    groups: dict[str, list[tuple[list[dict], list[int]]]] = field(default_factory=lambda: {s: [] for s in SLOTS})
    unreachable: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SLOTS})
    matched: int = 0
    claims: list[tuple[dict, int]] = field(default_factory=list)  # (row features, 1 if it matches gold)
    roles: list[tuple[dict, int]] = field(default_factory=list)  # (role features, 1 if the gold reads a change)


def label(rows: list[dict], gold: list[dict]) -> Examples:
    """Label the collected candidates of one article's rows against its gold rows."""
    ex = Examples()
    pairs, _ = evaluate.match(gold, rows)
    hit = {i for _, i in pairs}
    ex.claims = [(r["_claim_features"], int(i in hit)) for i, r in enumerate(rows)]
    for r in rows:
        if "_role_features" in r:
            y = _gold_role(r, gold)
            if y is not None:
                ex.roles.append((r["_role_features"], y))
    for g, i in pairs:
        if g is None:
            continue
        ex.matched += 1
        cands = rows[i]["_candidates"]
        for slot in SLOTS:
            if slot == "period" and g.get("period") is None:
                continue  # not scored: any period is right
            values = [v if not (slot == "metric" and v is None) else "unknown" for v, _ in cands[slot]]
            labels = [int(evaluate.field_ok(slot, g, {slot: v})) for v in values]
            if not any(labels):
                ex.unreachable[slot] += 1
                continue
            ex.groups[slot].append(([f for _, f in cands[slot]], labels))
    return ex


def _gold_role(row: dict, gold: list[dict]) -> int | None:
    """1 when the gold claim on a lone percentage's figure is a change, 0 a level, None without one."""
    figure = abs(row["value"] if row.get("value") is not None else row["change"])
    for g in gold:
        if g.get("optional") or not (g["start"] < row["end"] and row["start"] < g["end"]):
            continue
        if g.get("value") is None and g.get("change") is not None and abs(abs(g["change"]) - figure) < 0.051:
            return 1
        if g.get("value") is not None and abs(g["value"] - figure) < 0.051:
            return 0
    return None


def fit(examples: list[Examples], regularization: float) -> AttachmentModel:
    """One conditional logit per slot over the candidates of ``examples`` (no calibration).

    Each figure's candidates form a group; the model maximises the
    log-probability, under a softmax over the group's linear scores, of the
    group's right candidates (several may be right: their probabilities are
    summed), with an L2 penalty ``1 / (2 * regularization) * |w|^2``. The
    optimiser is SciPy's L-BFGS-B from zero weights: deterministic.
    """
    from sklearn.feature_extraction import DictVectorizer

    weights, bias = {}, {}
    for slot in SLOTS:
        feats, ys, starts = [], [], []
        for ex in examples:
            for fs, ls in ex.groups[slot]:
                starts.append(len(feats))
                feats.extend(fs)
                ys.extend(ls)
        if not starts:
            weights[slot], bias[slot] = {"rule_choice": 1.0}, 0.0
            continue
        vec = DictVectorizer(sort=True)
        x = vec.fit_transform(feats).tocsr()
        w = _conditional_logit(x, np.asarray(ys, dtype=float), np.asarray(starts), regularization)
        weights[slot] = {name: float(v) for name, v in zip(vec.feature_names_, w)}
        bias[slot] = 0.0
    weights["claim"], bias["claim"] = _fit_binary([c for ex in examples for c in ex.claims], regularization)
    weights["role"], bias["role"] = _fit_binary([c for ex in examples for c in ex.roles], regularization)
    return AttachmentModel(weights, bias)


def _fit_binary(rows: list[tuple[dict, int]], regularization: float) -> tuple[dict[str, float], float]:
    """Logistic regression (scikit-learn, lbfgs) of a yes/no decision on row features."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    ys = [y for _, y in rows]
    if len(set(ys)) < 2:
        return {}, 10.0  # every row kept
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([f for f, _ in rows])
    lr = LogisticRegression(C=regularization, max_iter=2000)
    lr.fit(x, ys)
    return {name: float(w) for name, w in zip(vec.feature_names_, lr.coef_[0])}, float(lr.intercept_[0])


def _conditional_logit(x, y, starts, regularization: float):
    """Weights maximising sum over groups of log P(right | group) - |w|^2 / (2 C).

    Args:
        x: CSR matrix, one row per candidate, groups contiguous.
        y: 1.0 for a right candidate, else 0.0.
        starts: index of each group's first row (increasing).
        regularization: C.
    """
    from scipy.optimize import minimize

    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, x.shape[0])))
    xt = x.T.tocsr()

    def loss(w):
        s = x @ w
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[group])
        z = np.add.reduceat(e, starts)
        zpos = np.add.reduceat(e * y, starts)
        p = e / z[group]
        q = e * y / zpos[group]
        value = -np.sum(np.log(zpos) - np.log(z)) + w @ w / (2 * regularization)
        grad = xt @ (p - q) + w / regularization
        return value, grad

    res = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return res.x


def _pooled_top(xs: list[float], ys: list[float], raws: list[float], rights: list[bool],
                min_claims: int) -> tuple[list[float], list[float]]:
    """An isotonic calibration ``(xs, ys)`` whose top steps are pooled until the highest one holds
    at least ``min_claims`` held-out claims (its value their share fully right).

    Isotonic regression lets a handful of held-out claims set the top of the scale (a step of 5
    claims, all right, reads as 1.0); pooling them with the steps below keeps the confidence a
    user filters on (0.9 and up) an average over enough claims. ``min_claims`` 0 leaves it as is.

    Args:
        xs, ys: the fitted thresholds (raw confidence increasing) and their calibrated values.
        raws, rights: the held-out claims' raw confidences and whether each was fully right.
    """
    if min_claims <= 0 or len(xs) < 2:
        return xs, ys
    top = len(xs) - 1
    while top > 0:
        # the claims at or above the step's raw confidence: its share fully right and its count
        held = [r for x, r in zip(raws, rights) if x >= xs[top]]
        if len(held) >= min_claims and sum(held) / len(held) >= ys[top - 1]:
            break
        top -= 1
    held = [r for x, r in zip(raws, rights) if x >= xs[top]]
    value = _lower_bound(sum(held), len(held)) if held else ys[top]
    return xs[:top + 1] + [xs[-1]], ys[:top] + [value, value]


def _lower_bound(right: int, claims: int) -> float:
    """The lower end of the one-sided 90% Wilson interval of a share fully right (scipy's
    ``binomtest``): the top step was chosen for its share on these very claims, so its mean
    overstates what new claims will show (held out, a step read as 0.92 on 50 claims scored 0.70)."""
    from scipy.stats import binomtest

    return float(binomtest(right, claims).proportion_ci(confidence_level=0.8, method="wilson").low)


def fold_of(keys: list[str], folds: int) -> dict[str, int]:
    """Assign articles to folds: sorted keys dealt round-robin (deterministic)."""
    return {k: i % folds for i, k in enumerate(sorted(keys))}


def fully_right(rows: list[dict], gold: list[dict]) -> list[bool]:
    """For each row: it matches a required gold claim and every full-claim field is right."""
    right = [False] * len(rows)
    pairs, _ = evaluate.match(gold, rows)
    for g, i in pairs:
        if g is not None and all(evaluate.field_ok(f, g, rows[i]) for f in evaluate.FULL):
            right[i] = True
    return right


class Trainer:
    """Collects candidates once, then fits models on any subset of the articles."""

    def __init__(self, sets: list[GoldSet], settings: Settings, regularization: float = 1.0) -> None:
        self.runner = Runner(settings)
        self.regularization = regularization
        self.calibration_min_claims = settings.training.get("calibration_min_claims", 0)
        self.calibration_exclude = tuple(settings.training.get("calibration_exclude", ()))
        self.articles: dict[str, Article] = {}
        self.gold: dict[str, list[dict]] = {}
        self.examples: dict[str, Examples] = {}
        for s in sets:
            rows = self.runner.run(s.articles, None, collect=True)
            for art in s.articles:
                key = f"{s.name}/{art.doc_id}"
                self.articles[key] = art
                self.gold[key] = s.gold_of(art.doc_id)
                self.examples[key] = label(rows[art.doc_id], self.gold[key])

    def fit(self, keys: list[str]) -> AttachmentModel:
        """A model fitted on the articles ``keys`` (uncalibrated)."""
        return fit([self.examples[k] for k in sorted(keys)], self.regularization)

    def extract(self, keys: list[str], model: AttachmentModel, keep_raw: bool = False) -> dict[str, list[dict]]:
        """Rows of the articles ``keys`` extracted with ``model``: key -> rows."""
        keys = sorted(keys)
        rows = self.runner.run([self.articles[k] for k in keys], model, keep_raw=keep_raw)
        return {k: rows[self.articles[k].doc_id] for k in keys}

    def fit_calibrated(self, keys: list[str], folds: int) -> AttachmentModel:
        """A model fitted on ``keys`` with its confidence calibrated on ``folds`` held-out folds."""
        from sklearn.isotonic import IsotonicRegression

        assign = fold_of(keys, folds)
        raws, rights = [], []
        for k in range(folds):
            held = [x for x in keys if assign[x] == k]
            if not held:
                continue
            model = self.fit([x for x in keys if assign[x] != k])
            for key, rows in self.extract(held, model, keep_raw=True).items():
                if any(key.startswith(label + "/") for label in self.calibration_exclude):
                    continue  # articles we wrote ourselves read easier than real ones: they do not calibrate
                raws.extend(r["_raw_confidence"] for r in rows)
                rights.extend(fully_right(rows, self.gold[key]))
        final = self.fit(keys)
        if raws:
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            iso.fit(raws, [float(r) for r in rights])
            final.calibration_x, final.calibration_y = _pooled_top(
                [float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_], raws, rights,
                self.calibration_min_claims)
        final.training = self.record(keys, folds)
        return final

    def record(self, keys: list[str], folds: int) -> dict:
        """What a model was fitted on: counts, the candidate-generation misses and a digest."""
        h = hashlib.sha256()
        for k in sorted(keys):
            h.update(k.encode())
            h.update(self.articles[k].text.encode())
            h.update(json.dumps(self.gold[k], sort_keys=True).encode())
        ex = [self.examples[k] for k in keys]
        return {"articles": len(keys), "matched_claims": sum(e.matched for e in ex), "folds": folds,
                "regularization": self.regularization,
                "unreachable": {s: sum(e.unreachable[s] for e in ex) for s in SLOTS},
                "digest": h.hexdigest()}


def train(sets: list[GoldSet], settings: Settings, out_path: Path, folds: int = 5,
          regularization: float = 1.0) -> AttachmentModel:
    """Fit on every article of ``sets``, calibrate on ``folds`` folds, write ``out_path``.

    The file is written to a temporary name and renamed, so a failed run
    leaves the old model in place. The same data gives the same file, byte
    for byte.
    """
    trainer = Trainer(sets, settings, regularization)
    model = trainer.fit_calibrated(list(trainer.articles), folds)
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".partial")
    tmp.write_text(model.to_json(), encoding="utf-8")
    tmp.replace(out_path)
    return model


def training_sets(settings: Settings) -> list[GoldSet]:
    """The gold sets of ``[training] sets`` in the settings; a missing one is skipped with a warning."""
    out = []
    for articles_dir, gold_path, *label in settings.training.get("sets", []):
        if not Path(articles_dir).exists() or not Path(gold_path).exists():
            print(f"training: skipped the set {articles_dir} (not found)", file=sys.stderr)
            continue
        out.append(GoldSet.read(Path(articles_dir), Path(gold_path), settings, label[0] if label else None))
    return out
