"""Candidates for each claim slot (company, metric, segment, period), with their features.

A candidate is a value the slot could take: a mention in the sentence, what
carry-over holds from earlier sentences, the headline's and lead's
mentions, the article's most-named company, a variant of a period (fiscal or
calendar naming, a year earlier), the value the rules of
:mod:`pipeline.claims` chose, and NONE. Candidates with the same value are
merged into one whose features are the union, so the softmax is over
distinct values.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..periods import PeriodContext, resolve, shift
from .features import WordLists, bucket, person_like, position, words

_CAP_PHRASE = re.compile(r"(?<![\w'’])(?:[A-Z][\w&.'’-]*|[a-z]+[A-Z][\w&.-]*)(?:\s+(?:[A-Z][\w&.-]*|&|of|de))*(?<![\s.,])")
_LEGAL = re.compile(r"(?:[\s,]+(?:Inc|Corp|Corporation|Ltd|Limited|plc|PLC|Co|LLC|AG|SA|SE|NV|Holdings|Group)\.?)+$")
_POSSESSIVE = re.compile(r"['’]s?$")
_UNIT_PHRASE = re.compile(r"\b(?:its|the|their)\s+((?:[a-z][\w&-]*\s+){0,3}?[a-z][\w&-]*)\s+"
                          r"(?:business|unit|division|segment|group|arm)\b")
_FROM_PHRASE = re.compile(r"\b(?:revenue|revenues|sales|income)\s+(?:from|in|of|at)\s+(?:its\s+|the\s+|their\s+)?"
                          r"((?:[a-z][\w&-]*\s+){0,2}?[a-z][\w&-]*)\b(?=\s*(?:business|unit|division|segment)?\s*"
                          r"(?:[,.;(]|rose|fell|grew|was|were|increased|decreased|jumped|climbed|declined|dropped|came|reached|totalled|totaled|stood|$))")
_COMPARISON = re.compile(r"(?i)\b(?:from|compared\s+(?:with|to)|than|versus|vs\.?|over|against|since)\s+(?:the\s+|a\s+)?$")
_Q_OR_H = re.compile(r"(FY)?(\d{4})-(Q|H)(\d)")
_YEAR = re.compile(r"(FY)?(\d{4})")
_CURRENCY = re.compile(r"[A-Z]{3}")
_RATIO_WORDS = ("margin", "rate", "ratio", "penetration", "proportion", "yield")


@dataclass
class Candidate:
    """One value a slot may take.

    Attributes:
        value: the slot's value (None = NONE).
        text: the words it came from, or None (carried, inferred).
        feats: feature name -> value.
        dist: character distance of its nearest mention to the figure (None: not in the sentence).
    """

    value: str | None
    text: str | None = None
    feats: dict[str, float] = field(default_factory=dict)
    dist: int | None = None


class _Pool:
    """Candidates keyed by value; adding one with a value already there merges them."""

    def __init__(self, fold=lambda v: v.lower() if isinstance(v, str) else v) -> None:
        self.by_key: dict = {}
        self.fold = fold

    def add(self, value: str | None, src: str, text: str | None = None, feats: dict | None = None,
            dist: int | None = None) -> None:
        if isinstance(value, str) and not value.strip():
            return
        key = self.fold(value)
        feats = dict(feats or {})
        feats[f"src={src}"] = 1.0
        old = self.by_key.get(key)
        if old is None:
            self.by_key[key] = Candidate(value, text, feats, dist)
            return
        if dist is not None and (old.dist is None or dist < old.dist):
            # the nearer mention's position features replace the farther one's
            kept = {k: v for k, v in old.feats.items() if k.startswith(("src=", "x:"))}
            feats.update(kept)
            old.feats, old.text, old.dist = feats, text, dist
        else:
            for k, v in feats.items():
                if k.startswith(("src=", "x:")) or dist is None:
                    old.feats[k] = max(old.feats.get(k, 0.0), v)

    def done(self, row: dict, slot: str, role: str, kind: str) -> list[Candidate]:
        out = list(self.by_key.values())
        rule = self.fold(row.get(slot))
        for c in out:
            srcs = [k[4:] for k in c.feats if k.startswith("src=")]
            c.feats[f"n_src={min(len(srcs), 4)}"] = 1.0
            c.feats["rule_choice"] = 1.0 if self.fold(c.value) == rule else 0.0
            for s in srcs:
                c.feats[f"src={s}|role={role}"] = 1.0
                c.feats[f"src={s}|kind={kind}"] = 1.0
            if c.value is None:
                c.feats["none"] = 1.0
        return out


def _mention_feats(view, m, fa: int, fb: int, lists: WordLists) -> tuple[dict, int]:
    f = position(view, m.start, m.end, fa, fb, lists)
    dist = fa - m.end if m.end <= fa else m.start - fb if m.start >= fb else 0
    return f, dist


# -- company -----------------------------------------------------------------
def company_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Companies the figure could be about. See the module docstring."""
    fa, fb = row["start"], row["end"]
    art = view.article
    pool = _Pool()
    taken = [(m.start, m.end) for m in view.companies + view.sources]
    places = [(s.start, s.end) for s in view.segments if s.id == "geography"]
    first = view.companies[0].start if view.companies else None
    for m in view.companies:
        f, dist = _mention_feats(view, m, fa, fb, lists)
        f.update(_company_facts(m.id, art))
        f["first_in_sentence"] = float(m.start == first)
        f["person_like"] = float(person_like(view, m.start, m.end, lists))
        f["place_like"] = float(any(a < m.end and m.start < b for a, b in places))
        pool.add(m.id, "mention", m.text, f, dist)
    for m in view.sources:
        f, dist = _mention_feats(view, m, fa, fb, lists)
        pool.add(m.id, "source", m.text, f, dist)
    for a, b, name in _cap_phrases(view, taken, lists):
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        n = len(name.split())
        f[f"cap_words={min(n, 3)}"] = 1.0
        f["cap_acronym"] = float(name.isupper() and len(name) > 1)
        f["cap_sentence_initial"] = float(not view.norm[view.s0:a].strip())
        f["person_like"] = float(person_like(view, a, b, lists))
        f["place_like"] = float(any(x < b and a < y for x, y in places))
        f["cap_legal_suffix"] = float(bool(_LEGAL.search(view.text[a:b + 6])))
        f.update(_company_facts(name, art))
        pool.add(name, "capitalised", view.text[a:b], f, dist)
    st = view.before
    if st.company:
        pool.add(st.company, "carried", feats=_company_facts(st.company, art))
    if st.named_company:
        pool.add(st.named_company, "named_before", feats=_company_facts(st.named_company, art))
    if art.top_company:
        pool.add(art.top_company, "top", feats=_company_facts(art.top_company, art))
    for i, name in enumerate(art.headline_companies[:2]):
        pool.add(name, f"headline{i}", feats=_company_facts(name, art))
    none = {"market_cue": float(any(c.label == "MARKET" for c in view.cues)),
            "source_in_sentence": float(bool(view.sources)), "market_story": float(bool(st.market_story)),
            "company_in_sentence": float(bool(view.companies)),
            f"metric_market={row.get('metric') in ('shipments', 'market share', 'deliveries')}": 1.0,
            "segment_market": float(str(row.get("segment") or "").endswith(" market"))}
    pool.add(None, "none", feats=none)
    if row.get("company"):
        pool.add(row["company"], "rule", row.get("company_text"))
    return pool.done(row, "company", role, kind)


def _company_facts(name: str, art) -> dict[str, float]:
    n = art.company_counts.get(name, 0)
    return {f"named={bucket(n, (0, 1, 3, 8))}": 1.0, "is_top": float(name == art.top_company),
            "in_headline": float(name in art.headline_companies), "in_lead": float(name in art.lead_companies)}


def _cap_phrases(view, taken: list[tuple[int, int]], lists: WordLists):
    """Capitalised phrases of the sentence that no lexicon named: ``(start, end, name)``."""
    seg = view.norm[view.s0:view.s1]
    for m in _CAP_PHRASE.finditer(seg):
        a, b = view.s0 + m.start(), view.s0 + m.end()
        name = m.group(0)
        parts = name.split()
        while parts and parts[0] in lists.not_names:
            a += len(parts[0]) + 1
            parts = parts[1:]
        while parts and parts[-1] in lists.not_names:
            parts = parts[:-1]
        if not parts:
            continue
        name = _LEGAL.sub("", _POSSESSIVE.sub("", " ".join(parts))).strip(" ,.&")
        b = a + len(" ".join(parts))
        if not name or name in lists.not_names or any(ch.isdigit() for ch in name[:1]) or len(name) < 2:
            continue
        if any(x < b and a < y for x, y in taken):
            continue
        if any(p.start <= a and b <= p.end for p in view.periods):
            continue
        yield a, b, name


# -- metric ------------------------------------------------------------------
def metric_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Metrics the figure could measure: the sentence's metric mentions, carry-over, the rules' choice."""
    fa, fb = row["start"], row["end"]
    pool = _Pool()
    for m in view.metrics:
        f, dist = _mention_feats(view, m, fa, fb, lists)
        pool.add(m.label, "mention", m.text, f, dist)
    st = view.before
    for name, src in ((st.metric, "carried"), (st.amount_metric, "carried_amount"),
                      (st.money_metric, "carried_money"), (st.market_metric, "carried_market")):
        if name:
            pool.add(name, src)
    pool.add("unknown", "unknown")
    if row.get("metric"):
        pool.add(row["metric"], "rule", row.get("metric_text"))
    out = pool.done(row, "metric", role, kind)
    unit = row.get("unit") or ""
    for c in out:
        c.feats[f"fits={_metric_type(c.value, view.metric_units)}|{kind}|{role}"] = 1.0
        if unit == "%" and c.value and c.value.endswith("share"):
            c.feats["share_percent"] = 1.0
    return out


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


# -- segment -----------------------------------------------------------------
def segment_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Segments the figure could cover: segment mentions, business-unit phrases, carry-over, NONE."""
    fa, fb = row["start"], row["end"]
    pool = _Pool()
    company = row.get("company")
    for m in view.segments:
        f, dist = _mention_feats(view, m, fa, fb, lists)
        f[f"seg_kind={m.id}"] = 1.0
        limited = [x for x in (m.extra or "").split("|") if x]
        if limited:
            f[f"seg_limited_match={company in limited}"] = 1.0
        pool.add(m.label, "mention", m.text, f, dist)
    seg = view.norm[view.s0:view.s1]
    lower = seg.lower()
    for pat, src in ((_UNIT_PHRASE, "unit_phrase"), (_FROM_PHRASE, "from_phrase")):
        for m in pat.finditer(lower):
            a, b = view.s0 + m.start(1), view.s0 + m.end(1)
            phrase = m.group(1).strip()
            if not phrase or phrase in ("same", "whole", "entire", "company", "overall", "total"):
                continue
            f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
            pool.add(phrase, src, view.text[a:b], f, dist)
    st = view.before
    if st.segment:
        pool.add(st.segment, "carried")
    if st.market:
        pool.add(st.market, "carried_market")
    pool.add(None, "none", feats={"market_cue": float(any(c.label == "MARKET" for c in view.cues)),
                                  "has_company": float(bool(company))})
    if row.get("segment"):
        pool.add(row["segment"], "rule")
    out = pool.done(row, "segment", role, kind)
    for c in out:
        if c.value:
            c.feats[f"market_form={c.value.endswith(' market')}|company={bool(company)}"] = 1.0
    return out


# -- period ------------------------------------------------------------------
def period_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Periods the figure could be for: the sentence's periods resolved, carry-over, the lead's,
    their fiscal or calendar namings and the periods a year or a quarter earlier."""
    fa, fb = row["start"], row["end"]
    art = view.article
    company = row.get("company")
    fiscal_end = art.fiscal_by_company.get(company) if company else None
    forecast = row.get("modality") == "forecast"
    st = view.before
    ctx = PeriodContext(art.doc_date, art.ref_year, st.period, fiscal_end, forecast, st.month)
    pool = _Pool(fold=lambda v: v)
    bases: list[tuple[str, str]] = []
    for p in view.periods:
        r = resolve(p.spec, ctx)
        if not r:
            continue
        f, dist = _mention_feats(view, p, fa, fb, lists)
        f[f"p_kind={p.spec.kind}"] = 1.0
        f[f"p_year_written={p.spec.year is not None}"] = 1.0
        f[f"p_fiscal_written={p.spec.fiscal}"] = 1.0
        if p.spec.rel:
            f[f"p_rel={p.spec.rel}"] = 1.0
        if _COMPARISON.search(view.norm[max(view.s0, p.start - 25):p.start]):
            f["p_comparison_before"] = 1.0
        pool.add(r, "mention", view.text[p.start:p.end], f, dist)
        bases.append((r, "mention"))
    for value, src in ((st.period, "carried"), (st.forecast_period, "carried_forecast"), (row.get("period"), "rule")):
        if value:
            pool.add(value, src, row.get("period_text") if src == "rule" else None)
            bases.append((value, src))
    for p in art.lead_periods[:2]:
        r = resolve(p.spec, ctx)
        if r:
            pool.add(r, "lead")
            bases.append((r, "lead"))
    for value, src in bases:
        for variant, name in _variants(value, art):
            pool.add(variant, f"variant_{name}", feats={f"variant_of={src}": 1.0})
    if not pool.by_key:
        pool.add(None, "none")
    out = pool.done(row, "period", role, kind)
    has_cal = fiscal_end not in (None, 12)
    fiscal_signal = bucket(art.fiscal_mentions, (0, 1, 3))
    for c in out:
        if c.value is None:
            continue
        fy = c.value.startswith("FY")
        shape = "Q" if "-Q" in c.value else "H" if "-H" in c.value else "span" if "/" in c.value else \
            "D" if c.value.count("-") == 2 else "M" if "-" in c.value else "Y"
        c.feats[f"shape={shape}|fy={fy}"] = 1.0
        c.feats[f"fy={fy}|article_fiscal={fiscal_signal}"] = 1.0
        c.feats[f"fy={fy}|company_fiscal={has_cal}"] = 1.0
        c.feats[f"fy={fy}|quarter_ended={bool(art.quarter_end_months)}"] = 1.0
        if fy and art.fiscal_years:
            c.feats[f"fy_year_is_article_fy={_YEAR.match(c.value).group(2) == str(art.fiscal_years[0])}"] = 1.0
        c.feats[f"date_rel={_date_relation(c.value, art.doc_date, fiscal_end)}|forecast={forecast}"] = 1.0
        c.feats[f"shape={shape}|role={role}"] = 1.0
    return out


def _variants(value: str, art) -> list[tuple[str, str]]:
    """Other namings of a period: fiscal/calendar, the article's fiscal year, a year or quarter earlier."""
    out = []
    m = _Q_OR_H.fullmatch(value)
    if m:
        fy, year, q, n = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        if fy:
            out += [(f"{year}-{q}{n}", "calendar"), (f"{year - 1}-{q}{n}", "calendar_prev")]
        else:
            out += [(f"FY{year}-{q}{n}", "fiscal"), (f"FY{year + 1}-{q}{n}", "fiscal_next")]
        for y in art.fiscal_years[:1]:
            out.append((f"FY{y}-{q}{n}", "article_fy"))
    else:
        y = _YEAR.fullmatch(value)
        if y:
            out.append((value[2:], "calendar") if y.group(1) else (f"FY{value}", "fiscal"))
    for name, kw in (("year_earlier", {"years": -1}), ("quarter_earlier", {"quarters": -1})):
        s = shift(value, **kw)
        if s:
            out.append((s, name))
    return out


def _date_relation(period: str, doc_date: dt.date | None, fiscal_end: int | None) -> str:
    """Where a period ends relative to the publication date: future, recent, older, unknown."""
    if doc_date is None:
        return "no_date"
    m = re.fullmatch(r"(FY)?(\d{4})(?:-(Q|H)(\d)|-(\d\d))?(?:-(\d\d))?", period)
    if not m:
        return "other"
    fy, year, qh, n, month = m.group(1), int(m.group(2)), m.group(3), m.group(4), m.group(5)
    end_month = 12 if not fy else (fiscal_end or 12)
    if qh == "Q":
        months_from_end = (4 - int(n)) * 3
    elif qh == "H":
        months_from_end = (2 - int(n)) * 6
    elif month:
        months_from_end = None
    else:
        months_from_end = 0
    if months_from_end is None:
        ey, em = year, int(month)
    else:
        idx = year * 12 + end_month - 1 - months_from_end
        ey, em = idx // 12, idx % 12 + 1
    gap = (doc_date.year * 12 + doc_date.month) - (ey * 12 + em)
    if gap < 0:
        return "future"
    if gap <= 3:
        return "recent"
    if gap <= 13:
        return "year"
    return "older"


GENERATORS = {"company": company_candidates, "metric": metric_candidates,
              "segment": segment_candidates, "period": period_candidates}
"""Slot -> candidate generator ``(row, view, lists, role, kind) -> list[Candidate]``."""
