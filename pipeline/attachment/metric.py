"""Metric candidates: what a figure measures."""
from __future__ import annotations

import re
from functools import lru_cache

from ..claims.decisions.metric import BARE_RESULT, COUNTED_ONLY, money_reading
from ..per_share import PER_SHARE_METRIC, SHARES_MOVE, per_share_metric, shares_move
from .features import WordLists, position, words
from .phrases import subject_phrases
from .pool import Candidate, Pool, mention_feats, nearest

_CURRENCY = re.compile(r"[A-Z]{3}")
_RATIO_WORDS = ("margin", "rate", "ratio", "penetration", "proportion", "yield")
# between a company's name and its move: a ticker, "('s) shares", a verb "to be" (not "'s" alone:
# "Xiaomi's rose 88 per cent" leaves out the metric named before)
_NAME_TO_MOVE = re.compile(r"\s*(?:\([^()]{1,30}\)\s*)?(?:(?:['\u2019]s\s+)?(?:shares|stock)\s+)?(?:(?:is|are|was|were|has|have)\s+)?")
# between the move and its size: "by", "more than", "nearly" ...
_MOVE_TO_SIZE = re.compile(r"\s*(?:by\s+)?(?:(?:more|less)\s+than\s+|nearly\s+|about\s+|almost\s+|over\s+|some\s+|around\s+|roughly\s+|as\s+much\s+as\s+)?")


def metric_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Metrics the figure could measure: the sentence's metric mentions, carry-over, the rules' choice."""
    fa, fb = row["start"], row["end"]
    pool = Pool()
    ruled = row.get("metric") or ""
    for m in nearest(view, "metrics", fa, fb):
        f, dist = mention_feats(view, m, fa, fb, lists)
        word = BARE_RESULT.get(m.text.lower())
        # a bare "losses" is the result the rules read it as: named in full before it, or a unit's
        # operating result ("the hardware solutions division recorded losses of 3.75 trillion won")
        label = ruled if word and ruled.endswith(word) else m.label
        pool.add(label, "mention", m.text, f, dist)
    for phrase, a, b, src in subject_phrases(view, fa, fb, lists):
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        f[f"np_words={min(len(phrase.split()), 4)}"] = 1.0
        if any(m.start >= a and m.end <= b for m in view.metrics):
            f["np_has_lexicon_metric"] = 1.0
        pool.add(phrase, src, view.text[a:b], f, dist)
    level_at = row.get("_level_start") if role == "prior" else None
    if level_at is not None and level_at < fa:
        # the noun phrase that names the level ("the average basket size fell to €56.2 from
        # €57.4", "a total income of Rs 480 crore, up from Rs 49 crore"), read before it
        for phrase, a, b, src in subject_phrases(view, level_at, level_at, lists):
            if src in ("np_subject", "np_of"):
                f = position(view, a, b, fa, fb, lists)
                f[f"np_words={min(len(phrase.split()), 4)}"] = 1.0
                pool.add(phrase, "np_level_subject", view.text[a:b], f, fa - b)
    for name, src in _derived_metrics(view, fa, fb, row):
        pool.add(name, src)
    st = view.before
    for name, src in ((st.metric, "carried"), (st.amount_metric, "carried_amount"),
                      (st.money_metric, "carried_money"), (st.market_metric, "carried_market")):
        if name:
            pool.add(name, src)
    pool.add("unknown", "unknown")
    level = row.get("_level")
    if level and level["metric"]:
        pool.add(level["metric"], "level")  # "rose to 5.2 from 5.1": the comparison measures what its level does
    if row.get("metric"):
        pool.add(row["metric"], "rule", row.get("metric_text"))
    out = pool.done(row, "metric", role, kind)
    unit = row.get("unit") or ""
    mag = _magnitude(row)
    after = tuple(w for w in words(view.norm[fb:fb + 25])[:2] if w in lists.after_figure)
    cache = view.article.cache
    for c in out:
        key = ("metric_fits", c.value, kind, role, mag, after, unit == "%")
        fits = cache.get(key)
        if fits is None:
            fits = cache[key] = _fits(c.value, _type_in_article(c.value, view), kind, role, mag, after, unit == "%")
        c.feats.update(fits)
    if kind == "money":
        # a sum of money is no percentage: not a margin or a share ("27 billion yuan of revenue,
        # equal to 45.4% of the total": the share is the 45.4%); a sum per share is money
        shares = [c for c in out if _percent_only(c.value)]
        if shares and len(shares) < len(out):
            out = [c for c in out if c not in shares]
        # a sum of money measures no count: "Unit sales: Compute & Networking, $2.85B" is revenue
        # (the metrics with a unit in metrics.jsonl: shipments, deliveries, users ...)
        units = view.metric_units
        counted = [c for c in out if c.value and units.get(c.value) in COUNTED_ONLY]
        if counted and len(counted) < len(out):
            sales = [c for c in counted if money_reading(c.value, c.text, units)]
            out = [c for c in out if c not in counted]
            if sales and not any(c.value == "revenue" for c in out):
                # "unit sales of $2.85B", "sold $1.2 billion": sales counted in money are revenue
                out.append(Candidate("revenue", sales[0].text, sales[0].feats, sales[0].dist))
    # the conventions decide between two names of units sold, as the rules read them (claims/rows.py):
    # cars sold are deliveries ("monthly auto sales reached 264,400 units" in a story about cars),
    # devices delivered are shipments ("deliveries of 9.1 million devices")
    if kind in ("count", "number") and ruled == "deliveries" and unit in ("vehicles", "units", ""):
        out = _named_as(out, "shipments", "deliveries")
    elif kind in ("count", "number") and ruled == "shipments" and unit == "devices":
        out = _named_as(out, "deliveries", "shipments")
    moved = next((c for c in out if "src=shares_move" in c.feats), None)
    if moved is not None and shares_move(view.norm, view.s0, fa, [(m.start, m.end) for m in view.metrics]):
        out = [moved]  # the grammar decides: "Shares have lost about 13.9%", "the stock fell 3%"
    named = next((c for c in out if "src=name_moved" in c.feats), None)
    if named is not None:
        out = [named]  # "Why Is MercadoLibre (MELI) Down 13.9%": a company's name moving is its shares'
    respective = view.respective_metrics  # the rules' reading of "..., respectively"
    if fa in respective:
        # the grammar decides: "adjusted EBITDA and adjusted net profit were CNY2.6 billion and
        # CNY2.7 billion, respectively" gives the n-th figure the n-th metric
        label = next(m.label for m in view.metrics if m.start == respective[fa]).lower()
        out = [c for c in out if (c.value or "").lower() == label] or out
    elif any("src=per_share" in c.feats for c in out):
        # the grammar decides: a sum "per share" or "a share" is a per-share figure ("profit rose to
        # $720 million or $1.59 per share"), not the amount named before it
        out = [c for c in out if PER_SHARE_METRIC.search(c.value or "")] or out
    return out


def _percent_only(metric: str | None) -> bool:
    """A metric stated only in percent: a margin or a share ("gross margin", "market share"), not a
    sum per share ("earnings per share")."""
    return bool(metric) and (metric.endswith("margin") or (metric.endswith("share") and not metric.endswith("per share")))


def _named_as(cands: list[Candidate], old: str, new: str) -> list[Candidate]:
    """The candidates with metric ``old`` named ``new`` instead (dropped when ``new`` is one already)."""
    if any(c.value == new for c in cands):
        return [c for c in cands if c.value != old]
    for c in cands:
        if c.value == old:
            c.value = new
    return cands


def _fits(metric: str | None, mtype: str, kind: str, role: str, mag: str, after: tuple[str, ...],
          percent: bool) -> dict[str, float]:
    """How a metric fits the figure: its type (``mtype``, :func:`_metric_type`) crossed with the
    figure's kind and role, its magnitude and the words right after it; a share in percent."""
    return _fit_feats(mtype, kind, role, mag, after, bool(percent and metric and metric.endswith("share")))


FIT_SETS = 4096
"""Distinct combinations of a metric's type and a figure's facts whose features are kept (closed
sets of words and buckets: a run meets a few hundred)."""


@lru_cache(maxsize=FIT_SETS)
def _fit_feats(mtype: str, kind: str, role: str, mag: str, after: tuple[str, ...],
               share_percent: bool) -> dict[str, float]:
    """The features of :func:`_fits` from the facts they are made of (shared: read only)."""
    feats = {f"fits={mtype}|{kind}|{role}": 1.0, f"fits={mtype}|mag={mag}": 1.0}
    for w in after:
        feats[f"fits={mtype}|after={w}"] = 1.0
    if share_percent:
        feats["share_percent"] = 1.0
    return feats


def _type_in_article(metric: str | None, view) -> str:
    """:func:`_metric_type` of a metric with the sentence's metric units, once per article."""
    cache = view.article.cache
    key = ("metric_type", metric)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _metric_type(metric, view.metric_units)
    return found


def _derived_metrics(view, fa: int, fb: int, row: dict) -> list[tuple[str, str]]:
    """Metrics the words around a figure imply though no lexicon entry names them:
    a per-share figure ("$1.19 per share", "70 cents a share", "$0.74 EPS") and a move of
    the shares ("shares rose 5%", "the stock fell 3%")."""
    out = []
    head = view.norm[max(view.s0, fa - 80):fa].lower()
    per_share = per_share_metric(view.norm, view.s0, fa, fb, row.get("unit"))
    if per_share:
        out.append((per_share, "per_share"))
    percent = row.get("unit") == "%" or row.get("change_unit") == "%"
    if SHARES_MOVE.search(head) and percent:
        out.append(("share price", "shares_move"))
    elif percent and _name_moved(view, fa):
        out.append(("share price", "name_moved"))
    return out


def _name_moved(view, fa: int) -> bool:
    """Whether the figure is the size of a move whose subject is a company's name itself
    ("Baidu rose more than 10%", "Atlassian plummets 20% on weak earnings", "RBLX is down 4.72%"):
    in market news such a move is the share price's."""
    for cue in view.cues:
        if cue.label not in ("INCREASE", "DECREASE") or cue.end > fa:
            continue
        if _MOVE_TO_SIZE.fullmatch(view.norm, cue.end, fa) is None:
            continue
        return any(c.end <= cue.start and _NAME_TO_MOVE.fullmatch(view.norm, c.end, cue.start)
                   for c in view.companies)
    return False


def _magnitude(row: dict) -> str:
    """The figure's size class: the unit kind and a power-of-ten bucket of the value."""
    v = row.get("value")
    if v is None:
        return "change"
    unit = row.get("unit") or ""
    cls = "pct" if unit in ("%", "pp") else "money" if _CURRENCY.fullmatch(unit) else "count"
    v = abs(v)
    b = "<1" if v < 1 else "<10" if v < 10 else "<100" if v < 100 else "<1e4" if v < 1e4 else \
        "<1e6" if v < 1e6 else "<1e9" if v < 1e9 else ">=1e9"
    return f"{cls}{b}"


def _metric_type(metric: str | None, units: dict) -> str:
    if not metric or metric == "unknown":
        return "unknown"
    if any(w in metric for w in _RATIO_WORDS) or metric.endswith("share"):
        return "ratio"
    if units.get(metric):
        return "count"
    if "price" in metric or "per share" in metric:
        return "price"
    return "amount"
