"""Patterns and word lists that more than one decision of claim assembly reads.

Each decision module keeps the patterns only it uses; the ones here are
shared (a "to" link between a change and its level is read when roles are
given and when figures are paired; a model name both names a segment and
stays in force). ``_re_search`` and its siblings compile an inline pattern
once (cached) and apply it, so rules may write their patterns where they
use them.
"""
from __future__ import annotations

import functools

import regex

from ..mentions import UNIT_HEAD_END


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int) -> "regex.Pattern":
    return regex.compile(pattern, flags)


def _re_search(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).search(string)


def _re_match(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).match(string)


def _re_fullmatch(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).fullmatch(string)


def _re_sub(pattern, repl, string, flags=0):
    return _compiled(pattern, int(flags)).sub(repl, string)


# between two percentages of a run: "14% and 8%", "5 percent and 4 percent", "3%, 11%"
_RUN_JOIN = regex.compile(r"\s*(?:,|and|,\s*and)\s*")
_TO_LINK = regex.compile(r"^\s*(?:,\s*)?(?:to|at|reaching|achieving|hitting|to\s+a\s+(?:record|total)\s+(?:of\s+)?|to\s+a\s+record|"
                         r"to\s+an?\s+(?:all-time|record|new)\s+high\s+(?:of\s+)?|"
                         r"resulting\s+(?:in\s+)?(?:a\s+total\s+of\s+)?|(?:bringing|taking)\s+(?:the|its|their)\s+total\s+to|for\s+a\s+total\s+of|"
                         r"to\s+(?:reach|touch|hit|total|come\s+(?:in\s+)?at|stand\s+at|end\s+at|close\s+at|settle\s+at)"
                         r"(?:\s+a\s+(?:record|new\s+high|record\s+high|total)(?:\s+of)?)?|"
                         r"to\s+end\s+(?:the\s+(?:quarter|year|period|month)\s+)?(?:with|at))\s*$",
                         regex.I)  # "rose 14% to come in at $11.64B", "increased 26% to touch $3.60 billion",
# "advanced 573.7 percent to reach a record 3.05 trillion won", "added 10 million to end the quarter with 193 million"
_BY_BEFORE = regex.compile(r"\bby\s*$", regex.I)
_AGAINST_ESTIMATE_BY = regex.compile(
    r"\b(?:(?P<beat>beat|beats|beating|surpassed|surpasses|surpassing|topped|tops|topping|exceeded|exceeds|exceeding|"
    r"outpaced|outperformed)|(?P<miss>missed|misses|missing|trailed|trailing|lagged|undershot))\b[^,;.]{0,60}?\bby\s*$", regex.I)
"""A figure by which a result beat or missed another ("missed the Zacks Consensus Estimate by 11.77%",
"beating our expectation by 3 percent"): a change, up for a beat, down for a miss."""
_FEWER_AFTER = regex.compile(r"^\s*(?:[-\w]+\s+){0,1}?(?P<w>fewer|less|more|lower|higher)\b", regex.I)
_NEGATIVE = regex.compile(r"\bnegative\s*$", regex.I)
_MARKET_METRICS = ("shipments", "deliveries", "market share", "share of shipments", "share of deliveries",
                   "revenue", "spending", "funding", "sales", "retail sales")
_MODEL_NAME = regex.compile(r"\b(?:its|the|their)\s+(?:new\s+|latest\s+|flagship\s+)?([A-Z][A-Za-z-]*\d[\w-]*|[A-Z]\d+[A-Za-z]*)\s+"
                         r"(?:sedan|suv|car|phone|smartphone|console|laptop|model|series|chip|headset|tablet|ev|hatchback|pickup)\b")
# every model name _MODEL_NAME reads holds this: a sentence without it names no model
_CAP_DIGIT = regex.compile(r"[A-Z][A-Za-z-]*\d")
_PRODUCT_ANAPHOR = regex.compile(r"(?i)\bthe\s+(?:[\w-]+\s+){0,3}?(?:handset|phone|console|car|vehicle|device|chip|sedan|suv|headset|laptop|tablet|version|variant|trim|model)s?\b"
                                  r"(?!\s+(?:project|business|unit|division|maker|makers|market|industry|segment|sector)\b)")
_SUBJECT = regex.compile(r"^\W*(?:(?:the|its|their|[A-Z][\w.&-]*(?:'s|')|in|specific\s+to|and)\s+)*$", regex.I)
_LIST_GAP = regex.compile(r"""^["']?\s*(?:(?:category|segment|division|unit|business|arm)\s*)?["']?\s*(?:,\s*)?$""", regex.I)
_UNIT_NOUN = regex.compile(r"(?i)\b(?:its|the|their|the\s+company's)\s+[\"']?((?:[\w-]+\s+){0,4}?(?!(?:same|whole|entire)\b)[\w-]+)[\"']?\s+"
                           r"(?:segment|division|unit|business|arm|category)\b" + UNIT_HEAD_END)
"""A business unit named by its head noun ("its client computing unit"); not a noun that the word
only modifies ("the business year", "unit sales", "unit price")."""
_RATIO_METRICS = ("margin", "rate", "ratio", "penetration", "proportion", "yield")


@functools.lru_cache(maxsize=1024)
def _is_ratio_metric(metric: str | None) -> bool:
    """Metrics whose level is a percentage: shares of a total, margins, rates."""
    if not metric:
        return False
    words = metric.split()
    if words[-1] == "share" and "per" not in words:
        return True  # market share, revenue share (not earnings per share)
    if metric.startswith("share of"):
        return True
    return any(w in words for w in _RATIO_METRICS)
