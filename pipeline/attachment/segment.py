"""Segment candidates: what part of a company or market a figure covers."""
from __future__ import annotations

import re

from ..claims.decisions.segment import VENUE_METRICS
from ..claims.patterns import _PRODUCT_ANAPHOR
from ..respectively import respective_owners
from .features import WordLists, position
from .phrases import _LEGAL_WORDS, modifier_before, unit_phrases
from .pool import Candidate, Pool, mention_feats, nearest

_UNIT_AFTER_NAME = re.compile(r"[ ]+((?:[A-Z][a-z][\w&-]*)(?:[ ][A-Z][a-z][\w&-]*)?|brand)\b(?!['’])")
"""After a company's name: the words that name one of its units ("Fashion" in "Nykaa Fashion")."""
_OWNED_BY = re.compile(r"(?i)['’]s\s+(?:(?:q[1-4]|h[12]|fy\s?\d+|\d{4}|first-quarter|second-quarter|third-quarter|"
                         r"fourth-quarter|quarterly|annual)\s+)*")
"""Between a place and the modifier of the metric it owns: "'s", and a period ("Southeast Asia's Q2 smartphone")."""
_PERIOD_WORD = re.compile(r"q[1-4]|h[12]|fy\d*|\d+")
_MARKET_METRICS = ("shipments", "market share", "deliveries", "sales volume", "share of shipments")


def _no_segment(phrase: str, lists: WordLists) -> bool:
    """Whether a phrase read as a segment starts with, or is made of, words that name no segment
    ("segment", "monthly average", "shares tank", "down"; ``not_segment_words``), as the
    modifier phrases are trimmed of them, or holds a piece of a word ("s", "earnings-per-")."""
    words = phrase.lower().split()
    return not words or words[0] in lists.not_segment_words or all(w in lists.not_segment_words for w in words) \
        or any(len(w) < 2 or w.endswith("-") for w in words)  # "s", "b", "earnings-per-": pieces of words


def _market_form(view, a: int, b: int, phrase: str) -> str | None:
    """The gold conventions' ``<geography> <product> market`` form of a metric's modifier that
    names a geography, or is owned by one ("Worldwide PC shipments" -> "global pc market", "the
    Indian smartphone shipments" -> "india smartphone market", "Southeast Asia's Q2 smartphone
    shipments" -> "southeast asia smartphone market"), or None when it names none.

    Args:
        a, b: the modifier's offsets; phrase: its words, lowercase.
    """
    geos = [m for m in view.segments if m.id == "geography" and a <= m.start and m.end <= b]
    owner = [m for m in view.segments if m.id == "geography" and m.end < a and _OWNED_BY.fullmatch(view.norm, m.end, a)]
    if not geos and not owner:
        return None
    rest = view.norm[a:b].lower()
    for m in sorted(geos, key=lambda m: -m.start):
        rest = rest[:m.start - a] + rest[m.end - a:]
    words = [w for w in rest.split() if w not in ("overall", "total", "the", "market") and not _PERIOD_WORD.fullmatch(w)]
    geos = owner + geos  # "Southeast Asia's Q2 smartphone shipments": the market of the place that owns them
    return " ".join([geos[0].label, *words, "market"])


def segment_candidates(row: dict, view, lists: WordLists, role: str, kind: str) -> list[Candidate]:
    """Segments the figure could cover: segment mentions, business-unit phrases, carry-over, NONE."""
    fa, fb = row["start"], row["end"]
    pool = Pool()
    company = row.get("company")
    for m in nearest(view, "segments", fa, fb):
        f, dist = mention_feats(view, m, fa, fb, lists)
        f[f"seg_kind={m.id}"] = 1.0
        limited = [x for x in (m.extra or "").split("|") if x]
        if limited:
            f[f"seg_limited_match={company in limited}"] = 1.0
        pool.add(m.label, "mention", m.text, f, dist)
    for a, b, phrase, src in unit_phrases(view, fa):
        if _no_segment(phrase, lists):
            continue
        f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
        pool.add(phrase, src, view.text[a:b], f, dist)
    for m in nearest(view, "metrics", fa, fb):  # "cloud services revenue": the words that name what the metric covers
        if m.label in VENUE_METRICS:
            continue  # "BYD's Hong Kong shares rose 2.5%": where the shares list
        a, b, phrase = modifier_before(view, m.start, lists)
        if phrase and not _no_segment(phrase, lists):
            f, dist = position(view, a, b, fa, fb, lists), (fa - b if b <= fa else a - fb if a >= fb else 0)
            f[f"np_words={min(len(phrase.split()), 4)}"] = 1.0
            known = all(w in lists.segment_words for w in phrase.split())
            f[f"modifier_known={known}|of_chosen_metric={m.label == row.get('metric')}"] = 1.0
            pool.add(phrase, "metric_modifier", view.text[a:b], f, dist)
            market = _market_form(view, a, b, phrase) if row.get("metric") in _MARKET_METRICS else None
            if market:
                pool.add(market, "modifier_market", view.text[a:b], dict(f), dist)
    for m in nearest(view, "companies", fa, fb):  # a unit or product line named like a company ("Facebook" for Meta)
        if m.id != company:
            f, dist = mention_feats(view, m, fa, fb, lists)
            pool.add(m.id.lower(), "other_company", m.text, f, dist)
            continue
        after = _UNIT_AFTER_NAME.match(view.norm, m.end, view.s1)
        if after and not any(w in lists.not_names or w in _LEGAL_WORDS for w in after.group(1).split()):
            # "Nykaa Fashion", "MTN Sudan", "the Geely brand": a unit named by the company's name
            f, dist = mention_feats(view, m, fa, fb, lists)
            pool.add(f"{m.text} {after.group(1)}".lower(), "company_unit", view.norm[m.start:after.end()], f, dist)
    st = view.before
    if st.segment:
        pool.add(st.segment, "carried")
    if st.market:
        pool.add(st.market, "carried_market")
    none = {"market_cue": float(any(c.label == "MARKET" for c in view.cues)), "has_company": float(bool(company))}
    pool.add(None, "none", feats={k: v for k, v in none.items() if v})
    level = row.get("_level")
    if level:
        pool.add(level["segment"], "level")  # the comparison covers what its level covers
    if row.get("segment") and not _no_segment(row["segment"], lists):
        pool.add(row["segment"], "rule")
    out = pool.done(row, "segment", role, kind)
    metric_words = set((row.get("metric") or "").split())
    # "the IPO price band": a modifier the metric's own name holds says nothing more
    out = [c for c in out if not c.value or not set(c.value.split()) <= metric_words] or out
    market_metric = row.get("metric") in _MARKET_METRICS
    respective = view.cache.get("respective_segments")
    if respective is None:
        respective = view.cache["respective_segments"] = respective_owners(
            view.norm, view.s0, view.s1, view.figure_spans, view.segments)
    if fa in respective:
        # the grammar decides: "TSMC's 5nm and 7nm technologies made up 37% and 16% of wafer
        # revenue respectively" gives the n-th figure the n-th segment
        label = next(m.label for m in view.segments if m.start == respective[fa])
        out = [c for c in out if c.value == label] or out
    elif st.segment and not market_metric:
        c = view.clause(fa)
        lo = view.breaks[c - 1] if c else view.s0
        ana = _PRODUCT_ANAPHOR.search(view.norm, lo, fa)
        head_at = ana.start() + ana.group(0).rstrip().rfind(" ") + 1 if ana else 0
        if ana and not any(ana.start() <= m.start and m.end <= head_at and m.id == "product" for m in view.segments):
            # (not when the phrase names its own product: "the average price of DRAM chips")
            # the grammar decides: "The standard console will go up to ¥66,980" after "the price of
            # the PS5": the product named before (the rules' reading, claims/decisions/segment.py)
            out = [c for c in out if c.value == st.segment] or out
    if market_metric and not company:
        # the conventions decide: a market-wide figure's segment is "<geography> <product> market"
        # ("PC shipments fell 24% to 8.9 million units" in the mainland China market)
        out = [c for c in out if c.value and c.value.endswith(" market")] or out
    cache = view.article.cache
    for c in out:
        key = ("segment_value", c.value, market_metric, bool(company))
        feats = cache.get(key)
        if feats is None:
            feats = cache[key] = _value_feats(c.value, market_metric, bool(company), lists)
        c.feats.update(feats)
    return out


def _value_feats(value: str | None, market_metric: bool, company: bool, lists: WordLists) -> dict[str, float]:
    """The features of a segment value: how many of its words the segment lexicon knows and
    whether it names a market, crossed with the figure's metric and company; for NONE, those."""
    if not value:
        return {f"none|market_metric={market_metric}|company={company}": 1.0}
    words = value.split()
    known = sum(w in lists.segment_words for w in words)
    form = value.endswith(" market")
    return {f"seg_known_words={'all' if known == len(words) else 'some' if known else 'none'}": 1.0,
            f"market_form={form}|company={company}": 1.0,
            f"market_form={form}|market_metric={market_metric}": 1.0}
