"""Period candidates: what period a figure is for."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import lru_cache

from ..periods import COMPARING, COMPARISON_WORDS, PeriodContext, as_comparison, resolve, set_against_actual, shift
from .features import WordLists, bucket
from .pool import Candidate, Pool, mention_feats, nearest

_COMPARISON = re.compile(r"(?i)\b(?:from|compared\s+(?:with|to)|than|versus|vs\.?|over|against|since)\s+(?:the\s+|a\s+)?$")
# from a figure to an earlier period that is its own: its noun, "per share", then "in", "during"
_OWN_AFTER = re.compile(r"(?i)(?:\s+[a-z-]+){0,3}?\s*,?\s*(?:(?:in|during|for)\s+)?")
_Q_OR_H = re.compile(r"(FY)?(\d{4})-(Q|H)(\d)")
_YEAR = re.compile(r"(FY)?(\d{4})")
_MONTH_VALUE = re.compile(r"\d{4}-\d\d")
_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d")
_YEAR_VALUE = re.compile(r"\d{4}")
# Metrics of a market's day: a share's move is the trading day's ("shares fell 4% in after-hours
# trading after ... the third quarter": not the quarter's), or a year's the text names for it
# ("the stock has fallen 8 per cent so far this year")
_DAY_METRICS = ("share price", "market value")


def _day_or_year(out: list[Candidate], row: dict, role: str, kind: str) -> list[Candidate]:
    """The candidates a share price may take: days, and years the sentence writes; else NONE."""
    kept = [c for c in out if c.value and (_DAY_VALUE.fullmatch(c.value)
                                           or (_YEAR_VALUE.fullmatch(c.value) and "src=mention" in c.feats))]
    if kept:
        return kept
    pool = Pool(fold=str)
    pool.add(None, "none")
    return pool.done(row, "period", role, kind)


def period_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Periods the figure could be for: the sentence's periods resolved, carry-over, the lead's,
    their fiscal or calendar namings and the periods a year or a quarter earlier."""
    fa, fb = row["start"], row["end"]
    art = view.article
    company = row.get("company")
    fiscal_end = art.fiscal_by_company.get(company) if company else None
    forecast = row.get("modality") == "forecast"
    # an estimate set against the reported figure ("$2.40 vs. $2.35 estimated", "beating forecasts
    # of $99.3 million") is for the reported period, not a later one: resolved as an actual
    consensus = forecast and _against_actual(view)
    forecast_label = "consensus" if consensus else forecast
    forecast = forecast and not consensus
    st = view.before
    # a comparison figure's period words are read against the period of the figure it is compared
    # with ("third-quarter revenue was $3.244 billion compared to $3.390 billion in the same quarter
    # last year"), not against the period in force before the sentence
    in_force = (row["_level"]["period"] if role == "prior" and row.get("_level") else None) or st.period
    ctx = PeriodContext(art.doc_date, art.ref_year, in_force, fiscal_end, forecast, st.month)
    pool = Pool(fold=str)
    bases: list[tuple[str, str, tuple[str, ...]]] = []  # (value, source, its base_ evidence)
    own_prior = None
    near = nearest(view, "periods", fa, fb)
    for p in near:
        if role != "prior" and p.is_prior and COMPARISON_WORDS.match(view.norm, p.start):
            continue  # the grammar decides: "climbing 12 percent from a year earlier" names the basis, not a period of the figure
        spec = as_comparison(p.spec, in_force) if role == "prior" else p.spec
        key = ("resolved", p.start, spec.rel, fiscal_end, forecast, in_force, st.month)
        r = art.cache.get(key, "")
        if r == "":
            r = art.cache[key] = resolve(spec, ctx)
        if not r:
            if p.spec.kind in ("Q", "H") and p.spec.number:
                _yearless(pool, p, art, view, fa, fb, lists)
            continue
        f, dist = mention_feats(view, p, fa, fb, lists)
        own = _mention_facts(view, p, role)
        f.update(own)
        if p.is_prior and p.start >= fb and _OWN_AFTER.fullmatch(view.norm, fb, p.start) \
                and not COMPARISON_WORDS.match(view.norm, p.start) and not COMPARING.search(view.norm, fb, p.start) \
                and not any(fb <= a < p.start for a, _ in view.figure_spans):
            own_prior = r
        pool.add(r, "mention", view.text[p.start:p.end], f, dist)
        bases.append((r, "mention", _base_names(p.spec.fiscal, p.spec.kind, "p_comparison_before" in own,
                                                view.clause(p.start) == view.clause(fa))))
    # a forecast period carries to forecasts only: "came in at $11.7 billion" after "will increase
    # by more than 70% in the 2026 fiscal year" is the reported quarter's
    for value, src in ((st.period, "carried"), (st.forecast_period if forecast else None, "carried_forecast"),
                       (row.get("period"), "rule")):
        if value:
            pool.add(value, src, row.get("period_text") if src == "rule" else None)
            bases.append((value, src, ()))
    for r, fiscal in _lead_resolved(art, ctx):
        pool.add(r, "lead")
        bases.append((r, "lead", _LEAD_BASE[fiscal]))
    for value, feats in _article_yearless_feats(art, fiscal_end, forecast_label):
        pool.add(value, "article_yearless", feats=feats)
    for r, src, feats in _article_entries(art, fiscal_end):
        pool.add(r, src, feats=feats)
        bases.append((r, src, ()))
    if art.doc_date is not None:
        last_q, day = _doc_periods(art)
        pool.add(last_q, "doc_last_quarter")
        bases.append((last_q, "doc_last_quarter", ()))
        pool.add(day, "doc_day")
    has_cal = fiscal_end not in (None, 12)
    fiscal_signal = bucket(art.fiscal_mentions, (0, 1, 3))
    written_fiscal, prior_cue = _sentence_facts(view)
    shifts = _shifts(role == "prior" or prior_cue, forecast)
    for fe, how in _fiscal_ends(art, fiscal_end, view):
        fctx = replace(ctx, fiscal_end_month=fe)
        for p in near + art.lead_periods[:2]:
            if p.spec.kind in ("Q", "H", "MQ") and (p.spec.number or p.spec.month):
                key = ("fiscal_resolution", p.start, fe, forecast)
                r = art.cache.get(key, "")
                if r == "":
                    r = art.cache[key] = resolve(replace(p.spec, fiscal=True), fctx) if p.spec.kind != "MQ" \
                        else resolve(p.spec, replace(fctx, in_force="FY"))
                if r and r.startswith("FY"):
                    in_sentence = view.s0 <= p.start < view.s1
                    pool.add(r, f"fiscal_{how}", feats={f"fiscal_{how}|in_sentence={in_sentence}": 1.0,
                                                        f"fiscal_{how}|kind={p.spec.kind}": 1.0})
    # one set of variants per distinct base value, with the evidence of every source it came from
    grouped: dict[str, dict[str, float]] = {}
    for value, src, base in bases:
        if src.startswith("article") and src != "article0":
            continue
        evidence = grouped.setdefault(value, {})
        evidence[src] = 1.0
        for name in base:
            evidence[name] = 1.0
    shared = (("article_fiscal", fiscal_signal), ("company_fiscal", has_cal), ("role", role),
              ("sentence_fiscal", written_fiscal), ("quarter_ended", bool(art.quarter_end_months)))
    shift_names = tuple(n for n, _ in shifts)  # (a closed set: at most five names)
    add = pool.add
    for value, evidence in grouped.items():
        for variant, src, feats in _variant_entries(art, value, shifts, shift_names, shared, tuple(evidence)):
            add(variant, src, None, feats)
    if not pool.entries:
        pool.add(None, "none")
    out = pool.done(row, "period", role, kind)
    if not forecast and art.doc_date is not None:
        # a reported quarter, half or month has ended: "the second quarter of 2011" in a January 2011
        # story is the company's fiscal quarter, not a calendar one still to come (gold conventions)
        last = art.doc_date.year * 12 + art.doc_date.month + 1
        out = [c for c in out if not _ends_after(c.value, fiscal_end, last)] or out
    if row.get("metric") in _DAY_METRICS:
        out = _day_or_year(out, row, role, kind)
    elif own_prior is not None:
        # "27 cents per share in the year-ago quarter", "1,404 vehicles in the prior quarter": the
        # grammar gives the figure its own earlier period; nothing is weighed
        out = [c for c in out if c.value == own_prior] or out
    cache = art.cache
    for c in out:
        if c.value is None:
            continue
        calendar = "src=fiscal_calendar" in c.feats
        key = ("value_feats", c.value, fiscal_end, forecast_label, role, prior_cue, calendar)
        feats = cache.get(key)
        if feats is None:
            feats = cache[key] = _value_feats(c.value, art, fiscal_end, forecast_label, role, prior_cue, calendar)
        c.feats.update(feats)
    return out


_EARLIER = (("year_earlier", {"years": -1}), ("quarter_earlier", {"quarters": -1}), ("month_earlier", {"months": -1}))
_LATER = (("year_later", {"years": 1}), ("quarter_later", {"quarters": 1}))
_SHIFTS = {(earlier, later): list((_EARLIER if earlier else ()) + (_LATER if later else ()))
           for earlier in (False, True) for later in (False, True)}


def _shifts(earlier: bool, later: bool) -> list[tuple[str, dict]]:
    """The shifts whose variants a base period gets: a year, quarter and month earlier (a prior
    figure, or a sentence with a comparison cue), a year and quarter later (a forecast); shared,
    read only."""
    return _SHIFTS[earlier, later]


@lru_cache(maxsize=64)
def _base_names(fiscal: bool, kind: str, comparison: bool, same_clause: bool) -> tuple[str, ...]:
    """The ``base_`` evidence a period mention gives the variants of its value: whether it is
    written fiscal, its kind, a comparison word before it, in the figure's clause."""
    return (f"base_fiscal_written={fiscal}", f"base_kind={kind}", f"base_comparison={comparison}",
            f"base_same_clause={same_clause}")


_LEAD_BASE = {fiscal: (f"base_fiscal_written={fiscal}",) for fiscal in (False, True)}
"""The ``base_`` evidence a lead period gives the variants of its value."""


def _lead_resolved(art, ctx: PeriodContext) -> list[tuple[str, bool]]:
    """The first two periods of the lead resolved in ``ctx`` (those that resolve), with whether
    each is written fiscal: ``(period, fiscal)``; once per article and context."""
    key = ("lead_resolved", ctx.in_force, ctx.fiscal_end_month, ctx.forecast, ctx.month)
    found = art.cache.get(key)
    if found is None:
        found = art.cache[key] = [(r, p.spec.fiscal) for p in art.lead_periods[:2]
                                  for r in (_resolved(art, p.spec, ctx),) if r]
    return found


def _article_entries(art, fiscal_end: int | None) -> list[tuple[str, str, dict[str, float]]]:
    """The pool entries of the article's three most named periods (:func:`_article_periods`):
    ``(period, source, features)``; once per article and fiscal year-end (the dicts are shared)."""
    key = ("article_entries", fiscal_end)
    found = art.cache.get(key)
    if found is None:
        found = art.cache[key] = [(r, f"article{i}", {f"article_count={bucket(n, (1, 2, 4))}": 1.0})
                                  for i, (r, n) in enumerate(_article_periods(art, fiscal_end)[:3])]
    return found


def _doc_periods(art) -> tuple[str, str]:
    """The last quarter ended before the publication date and the date itself (``YYYY-Qn``,
    ``YYYY-MM-DD``); the article must have a date."""
    found = art.cache.get("doc_periods")
    if found is None:
        d = art.doc_date
        last_q = f"{d.year}-Q{(d.month - 1) // 3}" if d.month > 3 else f"{d.year - 1}-Q4"
        found = art.cache["doc_periods"] = (last_q, d.isoformat())
    return found


def _against_actual(view) -> bool:
    """Whether the sentence sets estimates against reported figures
    (:func:`pipeline.periods.set_against_actual`); cached per sentence."""
    found = view.cache.get("against_actual")
    if found is None:
        found = view.cache["against_actual"] = set_against_actual(view.norm, view.s0, view.s1)
    return found


def _sentence_facts(view) -> tuple[bool, bool]:
    """What the sentence says of periods for every figure in it (cached per sentence): whether it
    writes a fiscal period, and holds a comparison cue (an earlier period, "last year", YOY, QOQ, MOM)."""
    found = view.cache.get("period_sentence_facts")
    if found is None:
        found = view.cache["period_sentence_facts"] = (
            any(p.spec.fiscal for p in view.periods),
            any(p.is_prior or p.spec.rel == "last_year" for p in view.periods)
            or any(c.label in ("YOY", "QOQ", "MOM") for c in view.cues))
    return found


def _value_feats(value: str, art, fiscal_end: int | None, forecast: bool | str, role: str, prior_cue: bool,
                 fiscal_calendar: bool) -> dict[str, float]:
    """The features of a period value itself (its shape, fiscal or calendar naming, where it ends
    from the publication date) crossed with the article's way of naming periods; the same for
    every figure of the article with these settings (cached by the caller). ``forecast`` is
    True, False or ``"consensus"`` (an estimate set against the reported figure)."""
    fy = value.startswith("FY")
    shape = "Q" if "-Q" in value else "H" if "-H" in value else "span" if "/" in value else \
        "D" if value.count("-") == 2 else "M" if "-" in value else "Y"
    article_fy = _YEAR.match(value).group(2) == str(art.fiscal_years[0]) if fy and art.fiscal_years else None
    key = ("date_rel", value, fiscal_end)
    rel = art.cache.get(key)
    if rel is None:
        rel = art.cache[key] = _date_relation(value, art.doc_date, fiscal_end)
    return _shape_feats(shape, fy, article_fy, rel, _naming(art, fiscal_end), forecast, role, prior_cue,
                        fiscal_calendar)


def _naming(art, fiscal_end: int | None) -> tuple[str, bool, bool, str, bool]:
    """How the article names periods, for a company with this fiscal year-end: ``(fiscal
    mentions bucket, company keeps a non-calendar fiscal year, "quarter ended" written, fiscal
    speaking, quarters named)``; cached per article."""
    key = ("naming", fiscal_end)
    found = art.cache.get(key)
    if found is None:
        has_cal = fiscal_end not in (None, 12)
        # the article names fiscal periods: it writes one ("fiscal 2024", "Q1 FY24") or a quarter's
        # end month, and the company keeps a fiscal year that is not the calendar one
        speaking = "yes" if (art.fiscal_mentions or art.quarter_end_months) and has_cal else \
            "text" if art.fiscal_mentions else "calendar" if has_cal else "no"
        found = art.cache[key] = (bucket(art.fiscal_mentions, (0, 1, 3)), has_cal, bool(art.quarter_end_months),
                                  speaking, any(p.spec.kind in ("Q", "MQ") for p in art.periods))
    return found


FEATURE_SETS = 4096
"""Distinct combinations of facts whose feature dicts are kept (the facts are a closed set of
words and flags, not an article's text: a run meets a few hundred)."""


@lru_cache(maxsize=FEATURE_SETS)
def _shape_feats(shape: str, fy: bool, article_fy: bool | None, rel: str, naming: tuple, forecast: bool | str,
                 role: str, prior_cue: bool, fiscal_calendar: bool) -> dict[str, float]:
    """The features of :func:`_value_feats` from the facts they are made of (shared: read only)."""
    fiscal_signal, has_cal, quarter_ended, speaking, quarters = naming
    feats = {f"shape={shape}|fy={fy}": 1.0,
             f"fy={fy}|article_fiscal={fiscal_signal}": 1.0,
             f"fy={fy}|company_fiscal={has_cal}": 1.0,
             f"fy={fy}|quarter_ended={quarter_ended}": 1.0,
             f"fy={fy}|fiscal_speaking={speaking}": 1.0}
    if fy and fiscal_calendar:
        feats[f"fiscal_calendar|fiscal_speaking={speaking}"] = 1.0
    if article_fy is not None:
        feats[f"fy_year_is_article_fy={article_fy}"] = 1.0
    feats[f"date_rel={rel}|forecast={forecast}"] = 1.0
    feats[f"date_rel={rel}|fy={fy}|company_fiscal={has_cal}|shape={shape}"] = 1.0
    feats[f"shape={shape}|role={role}"] = 1.0
    feats[f"shape={shape}|article_quarters={quarters}"] = 1.0
    feats[f"shape={shape}|prior_cue={prior_cue}|role={role}"] = 1.0
    return feats


def _resolved(art, spec, ctx: PeriodContext) -> str | None:
    """:func:`pipeline.periods.resolve`, computed once per article for each spec and context."""
    key = ("resolve", spec, ctx)
    r = art.cache.get(key, "")
    if r == "":
        r = art.cache[key] = resolve(spec, ctx)
    return r


def _mention_facts(view, p, role: str) -> dict[str, float]:
    """The features of a period mention that do not depend on the figure (cached per sentence)."""
    key = ("period_facts", p.start, p.spec, role)
    f = view.cache.get(key)
    if f is None:
        f = {f"p_kind={p.spec.kind}": 1.0, f"p_year_written={p.spec.year is not None}": 1.0,
             f"p_fiscal_written={p.spec.fiscal}": 1.0}
        if p.spec.rel:
            f[f"p_rel={p.spec.rel}|role={role}"] = 1.0
            f[f"p_rel={p.spec.rel}"] = 1.0
        if _COMPARISON.search(view.norm[max(view.s0, p.start - 25):p.start]):
            f["p_comparison_before"] = 1.0
        view.cache[key] = f
    return f


def _variant_entries(art, value: str, shifts: list[tuple[str, dict]], shift_names: tuple[str, ...],
                     shared: tuple[tuple[str, object], ...],
                     evidence: tuple[str, ...]) -> list[tuple[str, str, dict[str, float]]]:
    """The pool entries of the variants of a base period ``value``: ``(variant, source, features)``,
    the features being the shared facts (``(name, value)`` pairs) and the evidence of the base
    (its sources and ``base_`` facts), each crossed with the variant's name. ``shift_names`` are
    the names of ``shifts``. Cached per article; the feature dicts are shared by the candidates
    (read, never changed)."""
    key = ("variant_entries", value, shift_names, shared, evidence)
    found = art.cache.get(key)
    if found is None:
        vkey = ("variants", value, shift_names)
        variants = art.cache.get(vkey)
        if variants is None:
            variants = art.cache[vkey] = _variants(value, art, shifts)
        found = art.cache[key] = [(variant, f"variant_{name}", _variant_feats(name, shared, evidence))
                                  for variant, name in variants]
    return found


@lru_cache(maxsize=FEATURE_SETS)
def _variant_feats(name: str, shared: tuple[tuple[str, object], ...], evidence: tuple[str, ...]) -> dict[str, float]:
    """The features of a variant ``name`` of a base period (see :func:`_variant_entries`)."""
    feats = {f"variant={name}|{k}={v}": 1.0 for k, v in shared}
    for e in evidence:
        if e.startswith("base_"):
            feats[f"variant={name}|{e}"] = 1.0
        else:
            feats[f"variant={name}|of={e}"] = 1.0
            feats[f"variant_of={e}"] = 1.0
    return feats


def _article_yearless_feats(art, fiscal_end: int | None, forecast: bool | str) -> list[tuple[str, dict[str, float]]]:
    """The candidates of :func:`_article_yearless` with their features and whether guidance words
    stand near them for a forecast or not: ``(period, features)``, cached per article."""
    key = ("article_yearless_feats", fiscal_end, forecast)
    found = art.cache.get(key)
    if found is None:
        found = art.cache[key] = [(value, {**feats, f"yearless_article_ahead={ahead}|forecast={forecast}": 1.0})
                                  for value, feats, ahead in _article_yearless(art, fiscal_end)]
    return found


def _variants(value: str, art, shifts: list[tuple[str, dict]]) -> list[tuple[str, str]]:
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
    elif value.endswith(("-01/" + value[:4] + "-06", "-07/" + value[:4] + "-12")) and len(value) == 15:
        out.append((f"{value[:4]}-H{1 if value[5:7] == '01' else 2}", "half"))
    else:
        y = _YEAR.fullmatch(value)
        if y:
            out.append((value[2:], "calendar") if y.group(1) else (f"FY{value}", "fiscal"))
    for name, kw in shifts:
        if "months" in kw and not _MONTH_VALUE.fullmatch(value):
            continue
        s = shift(value, **kw)
        if s and s != value:
            out.append((s, name))
    return out


def _fiscal_ends(art, fiscal_end: int | None, view) -> list[tuple[int, str]]:
    """Fiscal year-end months that may apply: the company's calendar, and those implied by
    "the quarter ended <month>" with a quarter number written in the article ("Q4 ... three
    months ending January": a year ending in January)."""
    out = []
    if fiscal_end not in (None, 12):
        out.append((fiscal_end, "calendar"))
    numbers = {p.spec.number for p in art.lead_periods + list(view.periods)
               if p.spec.kind == "Q" and p.spec.number}
    for m in sorted(art.quarter_end_months):
        for n in sorted(numbers):
            fe = (m - 1 + 3 * (4 - n)) % 12 + 1
            if fe != 12 and all(fe != x for x, _ in out):
                out.append((fe, "quarter_ended"))
    return out[:3]


def _yearless(pool: Pool, p, art, view, fa: int, fb: int, lists: WordLists) -> None:
    """A quarter or half written without a year that nothing resolves ("the fiscal fourth quarter"
    in an undated article): the article's fiscal and reference years, and the year before each."""
    years = list(dict.fromkeys(art.fiscal_years[:1] + ([art.ref_year] if art.ref_year else [])))
    f, dist = mention_feats(view, p, fa, fb, lists)
    for i, y in enumerate(years):
        for back in (0, 1):
            for fy in (True, False):
                value = f"{'FY' if fy else ''}{y - back}-{p.spec.kind}{p.spec.number}"
                feats = {**f, f"yearless_from={'fiscal' if i == 0 and art.fiscal_years else 'ref'}|back={back}": 1.0,
                         f"yearless_fy={fy}|written_fiscal={p.spec.fiscal}": 1.0}
                pool.add(value, "yearless", view.text[p.start:p.end], feats, dist)


_AHEAD = re.compile(r"(?i)\b(?:guidance|guided|outlook|forecasts?|expects?|expected|sees|projects?|next|coming|upcoming)\b")


def _article_yearless(art, fiscal_end: int | None) -> list[tuple[str, dict[str, float], bool]]:
    """The article's own quarter when it is written without a year: a quarter or half of the
    lead ("the fiscal fourth quarter"), or "the quarter ended <month>" anywhere (its quarter
    number by the company's fiscal calendar, else the calendar's), joined with the article's
    fiscal year, reference year or date year and the year before: ``(period, features, ahead)``,
    ``ahead`` when words of guidance stand near the quarter ("guidance for fiscal Q1").

    Gold conventions: the year of a bare quarter comes from the article (its date, or another
    place where it states the year or fiscal year).
    """
    key = ("article_yearless", fiscal_end)
    cached = art.cache.get(key)
    if cached is not None:
        return cached
    ctx = PeriodContext(art.doc_date, art.ref_year, None, fiscal_end, False)
    years = list(dict.fromkeys(art.fiscal_years[:1] + [y for y in (art.ref_year, art.doc_date and art.doc_date.year) if y]))
    quarters: list[tuple[str, int, bool, str, bool]] = []  # (kind, number, fiscal written, where, ahead)
    for p in art.lead_periods[:3]:
        if p.spec.kind in ("Q", "H") and p.spec.number and p.spec.year is None and not resolve(p.spec, ctx):
            ahead = _AHEAD.search(art.text, max(0, p.start - 40), min(len(art.text), p.end + 20)) is not None
            quarters.append((p.spec.kind, p.spec.number, p.spec.fiscal, "lead", ahead))
    ended = [p for p in art.periods if p.spec.kind == "MQ" and p.spec.year is None and p.spec.month]
    for p in ended[:2]:
        if fiscal_end not in (None, 12):
            quarters.append(("Q", (p.spec.month - fiscal_end - 1) % 12 // 3 + 1, True, "ended_fiscal", False))
        elif p.spec.month % 3 == 0:
            quarters.append(("Q", p.spec.month // 3, False, "ended_calendar", False))
    out: list[tuple[str, dict[str, float], bool]] = []
    for kind, number, fiscal, where, ahead in dict.fromkeys(quarters):
        for i, y in enumerate(years):
            base = "fiscal" if i == 0 and art.fiscal_years else "ref"
            for back in (0, 1):
                for fy in (True, False):
                    value = f"{'FY' if fy else ''}{y - back}-{kind}{number}"
                    out.append((value, {f"yearless_article={where}|from={base}|back={back}": 1.0,
                                        f"yearless_article_fy={fy}|written_fiscal={fiscal}": 1.0,
                                        f"yearless_article_fy={fy}|where={where}": 1.0}, ahead))
    art.cache[key] = out
    return out


_COMPARED = re.compile(r"(?i)(?:\(\s*[^()]{0,30}\d[^()]{0,30}|\b(?:compared\s+(?:with|to)|from|than|versus|vs\.?|"
                      r"over|against)\s+(?:the\s+)?(?:same\s+\w+\s+(?:of|in)\s+|\w+\s+)?)$")
"""Before a period named as the comparison of another: "(EUR 3.1 billion in Q3 2014)", "compared with
the same quarter of 2014", "from 2023"."""


def _article_periods(art, fiscal_end: int | None) -> list[tuple[str, int]]:
    """The article's periods resolved without context, most often named first (of two named as
    often, the later one: news reports the latest), not counting those named as a comparison:
    ``(period, count)``."""
    key = ("periods", fiscal_end)
    cached = art.cache.get(key)
    if cached is None:
        ctx = PeriodContext(art.doc_date, art.ref_year, None, fiscal_end, False)
        counts: dict[str, int] = {}
        for p in art.periods:
            if p.spec.kind in ("Q", "H", "Y", "MQ", "SPAN") and (p.spec.year or p.spec.kind == "MQ") \
                    and not p.is_prior and not _COMPARED.search(art.text, max(0, p.start - 40), p.start):
                r = resolve(p.spec, ctx)
                if r:
                    counts[r] = counts.get(r, 0) + 1
        cached = art.cache[key] = sorted(counts.items(), key=lambda kv: (-kv[1], -(_end_month(kv[0], fiscal_end) or 0)))
    return cached


def _date_relation(period: str, doc_date: dt.date | None, fiscal_end: int | None) -> str:
    """Where a period ends relative to the publication date: future, recent, older, unknown."""
    if doc_date is None:
        return "no_date"
    end = _end_month(period, fiscal_end)
    if end is None:
        return "other"
    gap = (doc_date.year * 12 + doc_date.month) - end
    if gap < 0:
        return "future"
    if gap <= 3:
        return "recent"
    if gap <= 13:
        return "year"
    return "older"


def _ends_after(period: str | None, fiscal_end: int | None, month: int) -> bool:
    """Whether a quarter, half or month ends after ``month`` (``year * 12 + month``); a year or a
    day never does here (a year to date is named by its year, an event by its day), nor a fiscal
    period of a company whose fiscal year-end is unknown."""
    if not period or not ("-Q" in period or "-H" in period or re.fullmatch(r"(?:FY)?\d{4}-\d\d", period)):
        return False
    if period.startswith("FY") and fiscal_end is None:
        return False  # a fiscal period of a company whose year-end is unknown ends when it ends ("Q3 FY25")
    end = _end_month(period, fiscal_end)
    return end is not None and end > month


def _end_month(period: str, fiscal_end: int | None) -> int | None:
    """The month a period ends in, as ``year * 12 + month``; None for a form without one (a span).
    A fiscal period ends by the company's fiscal year-end (December when unknown)."""
    m = re.fullmatch(r"(FY)?(\d{4})(?:-(Q|H)(\d)|-(\d\d))?(?:-(\d\d))?", period)
    if not m:
        return None
    fy, year, qh, n, month = m.group(1), int(m.group(2)), m.group(3), m.group(4), m.group(5)
    if month and not qh:
        return year * 12 + int(month)
    end_month = 12 if not fy else (fiscal_end or 12)
    months_from_end = (4 - int(n)) * 3 if qh == "Q" else (2 - int(n)) * 6 if qh == "H" else 0
    return year * 12 + end_month - months_from_end
