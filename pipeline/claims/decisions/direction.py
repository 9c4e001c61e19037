"""Direction, basis and modality of a claim.

Direction: increase, decrease or flat, from the cue words before or after
the figure ("down", "a 25 per cent drop", "8 million fewer"), from "from X
to Y", or from a comparative ("narrower than"). Basis: yoy, qoq or mom from
the cues and comparison periods around the claim's figures. Modality: a
forecast when a forecast cue governs the figure ("expects", "$2.35
estimated") and no result verb stands between.
"""
from __future__ import annotations

import functools

import regex

from ...numbers import Figure
from ..items import Item, Mention
from ..patterns import _FEWER_AFTER, _NEGATIVE, _re_search


_BASIS_OF = {"prior_year": "yoy", "prior_quarter": "qoq", "prior_month": "mom"}
"""The change basis an earlier-period phrase names ("a year earlier": yoy)."""
_AFTER_CUE_GAP = regex.compile(r"\s*(?:[\w/-]+\s+)?(?:\([^()]{1,12}\)\s*)?")
_AFTER_CUE_WIDE_GAP = regex.compile(r"\s*(?:[\w/-]+\s+){0,3}(?:\([^()]{1,12}\)\s*)?")
"""Between a change and a direction word after it: a word and a bracketed abbreviation ("a 17%
year-over-year (YoY) increase"); the wide gap, up to three words, counts only when no cue is nearer."""
_PERIOD_LEAD = regex.compile(r"(?i)\s*(?:[a-z]+\s+)??(?:(?:in|during|for)\s+)?(?:the\s+)?")
"""Words between a figure and the period words that are its own: a count noun, "in the" ("760,000 units a
year earlier", "410 million in the year-ago quarter")."""
_COMPARATIVE_AFTER = regex.compile(r"(?i)[\s,]*(?:\([^()]*\)[\s,]*)?(?:[\w,-]+\s+){0,8}?(narrower|smaller|lower|wider|larger|bigger|higher)\s+than\b")
_STRONG_FORECAST = {"expect", "expects", "expected", "expecting", "forecast", "forecasts", "guided", "guides",
                    "guidance", "outlook", "estimate", "estimates", "projected", "projects", "plans", "plan",
                    "target", "targets", "aims", "aim", "anticipates", "anticipated", "predicts", "predicted"}
_RESULT_VERB = regex.compile(r"(?i)\b(?:reported|posted|recorded|was|were|rose|fell|grew|declined|increased|decreased|"
                             r"missed|beat|saw|had|delivered|shipped|sold|booked|generated|earned)\b")


class DirectionRules:
    """Direction, change basis and forecast modality (mixed into ``_Sentence``)."""

    def _direction(self, it: Item, lead: str, after: str) -> str | None:
        """Direction of a change: from how it was read (a cut, an addition, a restatement) or its cue words."""
        f = it.fig
        if it.direction_src in ("cut",):
            return "decrease"
        if it.direction_src in ("addition", "beat"):
            return "increase"
        if it.direction_src == "missed":
            return "decrease"
        if it.direction_src == "restated":
            prev = [x for x in self.items if x.fig.end <= f.start and x.role == "change"]
            return prev[-1].direction if prev else None
        if _NEGATIVE.search(lead[-80:]):
            return "decrease"
        fw = _FEWER_AFTER.match(after) or (f.noun_end and _FEWER_AFTER.match(self.norm[f.noun_end:f.noun_end + 20]))
        if fw:
            return "decrease" if fw.group("w").lower() in ("fewer", "less", "lower") else "increase"
        # a cue right after the figure ("a 25 per cent drop", "a 17% year-over-year (YoY) increase", "a 21%
        # YoY adjusted revenue growth") is the closest
        after_cues = self._cues_after(f.end, 30, _AFTER_CUE_GAP)
        before_cues = [c for c in self.cues if f.start - len(lead) <= c.start and c.end <= f.start
                       and c.label in ("INCREASE", "DECREASE", "FLAT", "CUT")]
        if not after_cues and not before_cues:  # further words only when nothing nearer says it
            after_cues = self._cues_after(f.end, 40, _AFTER_CUE_WIDE_GAP)
        if after_cues and (not before_cues or after_cues[0].start - f.end < 12):
            return _dir_label(after_cues[0].label)
        if before_cues:
            return _dir_label(before_cues[-1].label)
        if after_cues:
            return _dir_label(after_cues[0].label)
        return None

    def _cues_after(self, end: int, reach: int, gap: "regex.Pattern") -> list[Mention]:
        """Direction cues starting within ``reach`` characters after ``end`` with only ``gap`` between."""
        return [c for c in self.cues if end <= c.start <= end + reach and c.label in ("INCREASE", "DECREASE", "FLAT")
                and gap.fullmatch(self.norm, end, c.start)]

    def _from_to_direction(self, prior: Item, level: Item) -> str | None:
        cue = self.cues_between(self.clause_start(prior.fig.start), prior.fig.start, ("INCREASE", "DECREASE", "FLAT"))
        if cue:
            return _dir_label(cue[-1].label)
        if level.fig.value > prior.fig.value:
            return "increase"
        if level.fig.value < prior.fig.value:
            return "decrease"
        return "flat"

    def _level_direction(self, it: Item) -> str | None:
        f = it.fig
        start = self.clause_start(f.start)
        prev_fig_end = max([x.fig.end for x in self.items if x.fig.end <= f.start] + [start])
        lead = self.norm[prev_fig_end:f.start]
        cues = [c for c in self.cues if prev_fig_end <= c.start and c.end <= f.start and c.label in ("INCREASE", "DECREASE", "FLAT")]
        comparative = _COMPARATIVE_AFTER.match(self.norm, f.end, min(self.s1, f.end + 80))
        if comparative:  # "a loss of 2.88 trillion won, narrower than the 3.4 trillion won loss"
            return "decrease" if comparative.group(1).lower() in ("narrower", "smaller", "lower") else "increase"
        if not cues:
            nxt = min([x.fig.start for x in self.items if x.fig.start > f.end] + [self.s1])
            after = [c for c in self.cues if f.end <= c.start < nxt and c.label == "FLAT"
                     and self.clause(c.start) == self.clause(f.start)]
            return "flat" if after else None
        last = cues[-1]
        if last.label == "FLAT":
            return "flat"
        if _re_search(r"\bto\s*$", lead, regex.I):
            return _dir_label(last.label)
        return None

    def _basis(self, it: Item, level: Item | None) -> str | None:
        """Basis of a change: its own (``from_value``), else yoy, qoq or mom from a cue or comparison
        period after the claim's figures, else from a cue before them in the clause, else
        ``from_value`` when its level has a prior in the sentence; None if none."""
        if it.basis:
            return it.basis
        f = it.fig
        # a basis word right after the change itself, before any other figure ("23.7 per cent
        # year-on-year and 7.3 per cent QoQ to ...")
        own_end = min([x.fig.start for x in self.items if x.fig.start >= f.end and x is not it] + [self.s1])
        own = [c for c in self.cues if f.end <= c.start < own_end and c.label in ("YOY", "QOQ", "MOM")]
        if own and not _re_search(r"\b(?:but|while|whereas)\b|;", self.norm[f.end:own[0].start]):
            return own[0].label.lower()
        last = max(f.end, level.fig.end if level else f.end)
        others = [x.fig.start for x in self.items if x.fig.start >= last and x is not it and x is not level]
        hi = min(others + [self.s1])
        window_after = (last, hi)
        for c in self.cues:
            if window_after[0] <= c.start < window_after[1] and c.label in ("YOY", "QOQ", "MOM"):
                if not _re_search(r"\b(?:but|while|whereas)\b|;", self.norm[last:c.start]):
                    return c.label.lower()
        for p in self.periods:
            if window_after[0] <= p.start < window_after[1] and p.is_prior:
                return _BASIS_OF[p.spec.rel]
        first = min(f.start, level.fig.start if level else f.start)
        prev = [x.fig.end for x in self.items if x.fig.end <= first]
        lo = max(prev + [self.clause_start(first)])
        # before the claim's first figure, or between its level and its change
        found = [c for c in self.cues if lo <= c.start < last and c.label in ("YOY", "QOQ", "MOM")
                 and not (f.start <= c.start < f.end)]
        if found:
            return found[-1].label.lower()
        if level is not None and level.prior is not None:
            # "fell from 6.2 billion to 4.7 billion, down 24.2%", "rose 35% to 520 from 410": measured
            # against the figure the text gives (gold conventions: from_value), unless the period
            # words right after that figure say a year or quarter earlier ("from 410 a year earlier")
            end = level.prior.fig.end
            for p in self.periods:
                if end <= p.start <= end + 16 and p.is_prior and _PERIOD_LEAD.fullmatch(self.norm, end, p.start):
                    return _BASIS_OF[p.spec.rel]
            return "from_value"
        return None

    def _forecast(self, f: Figure) -> bool:
        """Forecast cue in the figure's comma clause before it, or right after it ("$2.35 estimated")."""
        return self._forecast_at(f.start, f.end)

    @functools.cached_property
    def _forecast_cues(self) -> tuple[list[Mention], list[Mention]]:
        """The sentence's FORECAST and FORECAST_AFTER cues."""
        # a cue inside an aside ("In the premium segment, a key growth target, shipments
        # exceeded 4 million") describes something else than the figure outside it
        if not any(c.label in ("FORECAST", "FORECAST_AFTER") for c in self.cues):
            return [], []
        asides = self.asides()
        # "advanced 573.7 percent to reach a record 3.05 trillion won": "to reach" right after a
        # change links it to the level it reached; it is no forecast
        linked = {c.start for c in self.cues if c.label == "FORECAST" and self.norm[c.start:c.start + 3].lower() == "to "
                  and any(x.fig.end <= c.start and not self.norm[x.fig.end:c.start].strip() for x in self.items)}
        return ([c for c in self.cues if c.label == "FORECAST" and not any(a <= c.start < b for a, b in asides)
                 and c.start not in linked],
                [c for c in self.cues if c.label == "FORECAST_AFTER" and not any(a <= c.start < b for a, b in asides)])

    def _forecast_at(self, start: int, end: int | None = None, strong_only: bool = False) -> bool:
        end = start if end is None else end
        before, after = self._forecast_cues
        if not before and not after:
            return False
        strong = [c for c in before if c.end <= start and c.id in _STRONG_FORECAST]
        if strong and not _RESULT_VERB.search(self.norm, strong[-1].end, start):
            return True
        cc = self.comma_clause(start)
        for c in before:
            if c.end <= start and self.comma_clause(c.start) == cc and (not strong_only or c.id in _STRONG_FORECAST) \
                    and not _RESULT_VERB.search(self.norm, c.end, start):
                return True
        for c in after:
            if end <= c.start <= end + 12 and not any(end <= x.fig.start < c.start for x in self.items):
                return True
        return False


def _dir_label(label: str) -> str:
    return {"INCREASE": "increase", "DECREASE": "decrease", "FLAT": "flat", "CUT": "decrease"}[label]
