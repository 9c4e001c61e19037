"""Metric: what a figure measures.

The metric mention right after a figure ("$23.12 billion in revenue",
"58.8% of revenue": a share of it), else the nearest one in its clause, else
in the sentence, else what the figure's unit implies (people: headcount).
A bare "loss" takes the result named in full before it. What the row then
makes of the metric (carry-over, volume sales as shipments, prices) is in
:mod:`pipeline.claims.rows`.
"""
from __future__ import annotations

import bisect
import functools

import regex

from ...numbers import Figure
from ...per_share import PER_SHARE_METRIC, per_share_metric, shares_move
from ...respectively import respective_owners
from ..items import Item, Mention
from ..patterns import _is_ratio_metric, _re_fullmatch, _re_match, _re_search


_IN_METRIC = regex.compile(r"^\s*(?:in|of|on|for)\s+(?:the\s+|its\s+|total\s+)?$", regex.I)
_UNIT_SUBJECT = regex.compile(r"(?i)\b(?:division|unit|segment|business|arm)(?:'s)?\s+(?:\w+\s+){0,2}?(?:recorded|posted|reported|made|booked|swung\s+to|had|turned\s+a|returned\s+to)\s+(?:an?\s+|its\s+)?$")
_OF_UNIT = regex.compile(r"(?i)\s+(?:for|of|at|in)\s+(?:the|its)\s+(?:[\w-]+\s+){0,3}?(?:division|unit|segment|business|arm)\b")
COUNTED_ONLY = frozenset({"units", "vehicles", "people", "users", "customers", "subscriptions", "subscribers", "devices", "downloads",
                          "stores"})
"""Units of metrics that count things a sum of money cannot measure (``unit`` in metrics.jsonl; not
"orders", whose value is a sum: "orders of EUR 4.5bn")."""
_SALES = regex.compile(r"(?i)\bsal(?:e|es)\b|\bsold\b")


def money_reading(metric: str | None, mention_text: str | None, metric_units: dict) -> str | None:
    """The metric a sum of money takes when the metric named for it counts things: sales or
    sold things counted in money are revenue ("Unit sales: Compute & Networking, $2.85B"); None
    when the metric fits money or no reading is known.

    Args:
        metric: the canonical metric; mention_text: the words that named it; metric_units: metric ->
            unit (``models/metrics.jsonl``).
    """
    if not metric or metric_units.get(metric) not in COUNTED_ONLY:
        return None
    return "revenue" if mention_text and _SALES.search(mention_text) else None


BARE_RESULT = {"loss": "loss", "losses": "loss", "profit": "profit", "profits": "profit"}
"""A bare result word -> the word a full metric name ends with ("losses" -> "... loss")."""
_IN_OF_AFTER = regex.compile(r"\s*(?:[-\w]+\s+){0,2}?(?:in|of)\s+(?:\S+\s+){0,2}?")  # "drop in [...] shipments"


class MetricRules:
    """The metric of a figure (mixed into ``_Sentence``)."""

    def _metric_guess(self, it: Item) -> str | None:
        m = self._metric_for(it)
        return m[0] if m else None

    def _metric_for(self, it: Item) -> tuple[str, Mention | None] | None:
        """(canonical metric, mention) for a figure; None when nothing is near."""
        key = (id(it), it.role)
        if key not in self._metric_cache:
            found = self._find_metric(it)
            if found is not None and found[1] is not None and found[1].text.lower() in BARE_RESULT:
                # "an operating loss of 2.88 trillion won, narrower than the 3.4 trillion won loss":
                # a bare "loss" names the result this sentence named in full before it
                word = BARE_RESULT[found[1].text.lower()]
                full = [m for m in self.metrics if m.end <= found[1].start and m.label.endswith(word)
                        and m.text.lower() not in BARE_RESULT]
                if full:
                    found = (full[-1].label, found[1])
                elif _UNIT_SUBJECT.search(self.norm, self.clause_start(found[1].start), found[1].start) \
                        or _OF_UNIT.match(self.norm, found[1].end, found[1].end + 50):
                    # "the hardware solutions division recorded losses of 3.75 trillion won":
                    # units report operating results
                    found = ("operating " + word, found[1])
            if found is not None and it.fig.kind == "money" and found[1] is not None:
                money = money_reading(found[0], found[1].text, self.o.metric_units)
                if money:
                    found = (money, found[1])
            self._metric_cache[key] = found
        return self._metric_cache[key]

    @functools.cached_property
    def respective_metrics(self) -> dict[int, int]:
        """Figure start -> start of its metric's mention in a run "..., respectively"."""
        return respective_owners(self.norm, self.s0, self.s1, [(x.fig.start, x.fig.end) for x in self.items],
                                 self.metrics)

    def _find_metric(self, it: Item) -> tuple[str, Mention | None] | None:
        f = it.fig
        if f.start in self.respective_metrics:  # "adjusted EBITDA and adjusted net profit were X and Y, respectively"
            m = next(m for m in self.metrics if m.start == self.respective_metrics[f.start])
            return m.label, m
        end = f.noun_end or f.end
        ms = self.metrics
        if "%" in (f.unit,) and shares_move(self.norm, self.s0, f.start, [(m.start, m.end) for m in ms]):
            return "share price", None  # "Shares have lost about 13.9%": the shares' own move
        # share-of-total right after a percent: "58.8% of revenue"; "a 14.1 per cent market share"
        for m in ms:
            if m.id and f.unit == "%" and 0 <= m.start - f.end <= 3:
                return m.label, m
            if f.unit == "%" and it.role == "level" and 0 <= m.start - f.end <= 2 and _is_ratio_metric(m.label):
                return m.label, m
        if f.unit == "%" and it.role == "level":
            share = self._share_of(f)
            if share is not None:
                return share
        asides = self.asides()
        ms = [m for m in ms if not any(a0 <= m.start and m.end <= a1 for a0, a1 in asides)
              or any(a0 <= f.start < a1 for a0, a1 in asides)]
        if f.unit != "%":
            # "27 billion yuan of revenue" is revenue; "11.7 million units and an 18% share" is not a share
            ms = [Mention(m.start, m.end, m.id, "", text=m.text) if m.id and _is_ratio_metric(m.label)
                  and not _is_ratio_metric(m.id) else m for m in ms]
            ms = [m for m in ms if not _is_ratio_metric(m.label)]
        for m in ms:
            if 0 <= m.start - end <= 1 and f.unit != "%":
                return self._base(m), m  # "$1.42 per diluted share"
        per_share = per_share_metric(self.norm, self.s0, f.start, f.end, f.unit)
        if per_share:
            # "profit rose to $720 million or $1.59 per share": not the amount named before it,
            # but a per-share metric named in the clause ("a dividend of KSh 0.75 per share") or EPS
            c = self.clause(f.start)
            named = [m for m in ms if m.end <= f.start and self.clause(m.start) == c and PER_SHARE_METRIC.search(m.label)]
            return (self._base(named[-1]), named[-1]) if named else (per_share, None)
        # "$23.12 billion in revenue", "1,200 related personnel", "2.35 billion active devices"
        for m in ms:
            if m.start >= end - 1 and (m.start - end) <= 30 and _IN_METRIC.match(self.norm[end:m.start]):
                return self._base(m), m
            if f.noun_end and f.end <= m.start < f.noun_end + 1:
                return self._base(m), m
        c = self.clause(f.start)
        if f.unit == "people" and f.noun_end:
            return "headcount", None  # "eliminating some 18,000 roles ..., mostly in its stores"
        breaks = self.breaks
        before = next((m for m in reversed(ms) if m.end <= f.start and bisect.bisect_left(breaks, m.start) == c), None)
        # "a 25 per cent drop in shipments", "12 per cent growth in shipments"
        after_near = next((m for m in ms if m.start >= end and bisect.bisect_left(breaks, m.start) == c
                           and _IN_OF_AFTER.fullmatch(self.norm[end:m.start])), None)
        if after_near is not None and it.role == "change" and (before is None or self._cue_between_mention(before, f)):
            return self._base(after_near), after_near
        if before is not None:
            return self._base(before), before
        if after_near is not None:
            return self._base(after_near), after_near
        sent_before = next((m for m in reversed(ms) if m.end <= f.start), None)
        if sent_before is not None:
            return self._base(sent_before), sent_before
        after = next((m for m in ms if m.start >= end and bisect.bisect_left(breaks, m.start) == c), None)
        if after is not None:
            return self._base(after), after
        if f.unit == "units" and not self.state.metric:
            return "shipments", None
        unit_metric = {"people": "headcount", "users": "users", "subscriptions": "subscriptions", "subscribers": "subscriptions",
                       "devices": "active devices", "vehicles": "deliveries", "downloads": "downloads"}
        if f.unit in unit_metric:
            return unit_metric[f.unit], None
        return None

    _SHARE_OF = regex.compile(r"(?i)^\s+of\s+(?:the\s+|its\s+|all\s+|their\s+|[\w.&-]+'s\s+)*"
                              r"(?:(?:total|overall|combined|group|global|worldwide|quarterly|annual)\s+)*(?:[a-z-]+\s+){0,2}?")

    def _share_of(self, f: Figure) -> tuple[str, Mention | None] | None:
        """ "58.8% of the group's total revenue" -> revenue share; "87% of total deliveries" -> share of deliveries."""
        m = self._SHARE_OF.match(self.norm[f.end:f.end + 80])
        if not m:
            return None
        at = f.end + m.end()
        hit = next((x for x in self.metrics if f.end < x.start <= at + 25
                    and _re_fullmatch(r"(?i)\s+of\s+[\w\s.&'-]*", self.norm[f.end:x.start])), None)
        if hit is None:
            if _re_match(r"(?i)the\s+total\b|total\b", self.norm[at - 10:at + 6].strip()) or _re_match(
                    r"(?i)^\s+of\s+the\s+total\b", self.norm[f.end:f.end + 20]):
                base = next((x for x in reversed(self.metrics) if x.end <= f.start and not _is_ratio_metric(x.label)), None)
                if base is not None:
                    return _share_name(self._base(base)), base
            return None
        if _is_ratio_metric(hit.label):
            return hit.label, hit
        return _share_name(self._base(hit)), hit

    def _cue_between_mention(self, m: Mention, f: Figure) -> bool:
        """A clause word like 'with' between an earlier metric and the figure."""
        return bool(_re_search(r"\b(?:with|and|while)\b", self.norm[m.end:f.start], regex.I))

    def _base(self, m: Mention) -> str:
        if m.id:  # share-of-total form not right after a percent: the base metric
            return m.id if "share" not in m.label else m.label
        return m.label


def _share_name(metric: str) -> str:
    """The share-of-total metric for a base metric: revenue -> revenue share, shipments -> share of shipments."""
    if metric == "revenue":
        return "revenue share"
    if metric.endswith("share"):
        return metric
    return f"share of {metric}"
