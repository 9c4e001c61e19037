"""Mentions to candidate figures: which figures of a sentence may become claims.

The numbers stage finds every figure; here a sentence keeps those that can be
claims (not a number inside a period, not a bare small number with no metric
or change word near it) and adds the changes written without a figure:
multipliers ("doubled", "grew 2.4 times", "three times its valuation") and
"was flat". Each kept figure becomes an :class:`~pipeline.claims.items.Item`.
"""
from __future__ import annotations

from decimal import Decimal

import regex

from ..numbers import Figure
from .items import Item
from .patterns import _BY_BEFORE, _re_search


_MULTIPLIER_AFTER = regex.compile(r"(?i)^[\s-]*(?:times|fold|x)\b")
_COMPARISON_AFTER = regex.compile(r"(?i)^\s+(?:more|fewer|less)\b")
_FURTHER_BEFORE = regex.compile(r"(?i)\b(?:a\s+further|another|an\s+additional)\s+(?:about\s+|some\s+|roughly\s+)?$")
_DIGITS_AFTER = regex.compile(r"(?i)-|\s+digits?\b")

# a comparison word before a bare number, after a count ("versus 2,173", "and 2,282", "from 1,984")
_VERSUS_BEFORE = regex.compile(r"(?i)\b(?:versus|vs\.?|compared\s+(?:with|to)|against|from|and)\s+(?:about\s+|around\s+)?$")


# before and after a multiple that is a change or a comparison, not a level ("revenue grew 2.4
# times", "up by 3 times", "three times its valuation", "five times higher")
_GROWTH_VERBS = "grew|rose|increased|jumped|surged|climbed|soared|expanded"
_GROWTH_TIMES_BEFORE = regex.compile(rf"(?i)\b(?:{_GROWTH_VERBS}|grow|grows|rise|increase|shot\s+up|up|by)\s+"
                                     r"(?:about\s+|nearly\s+|almost\s+|more\s+than\s+|some\s+|over\s+)?$")
_TIMES_COMPARED_AFTER = regex.compile(r"(?i)\s*(?:its|the|their|what|that|last|higher|more|larger|bigger|greater|as|faster|"
                                      r"lower|less|smaller|over|from|year)\b")


class FigureCandidates:
    """The figures of a sentence that may be claims (mixed into ``_Sentence``)."""

    def _keep(self, figures: list[Figure]) -> list[Figure]:
        out = []
        for f in figures:
            if any(p.start <= f.num_start < p.end and p.spec.kind not in ("REL",) for p in self.periods):
                continue  # a number inside a period ("Q2 2016", "first half of 2016")
            if f.unit == "times" and (_GROWTH_TIMES_BEFORE.search(self.norm, max(self.s0, f.start - 40), f.start)
                                      or _TIMES_COMPARED_AFTER.match(self.norm, f.noun_end or f.end, (f.noun_end or f.end) + 25)):
                continue  # "grew 2.4 times", "three times its valuation": a multiplier (_times_items)
            if f.kind != "number":
                out.append(f)
                continue
            after = self.norm[f.end:f.end + 25]
            if _MULTIPLIER_AFTER.match(after):
                continue  # "grew 2.4 times": a multiplier, read by _multiplier_items
            comparison = _COMPARISON_AFTER.match(after) or _BY_BEFORE.search(self.norm, max(self.s0, f.start - 6), f.start)
            further = _FURTHER_BEFORE.search(self.norm, max(self.s0, f.start - 25), f.start)
            if f.scale == 1 and f.decimals == 0 and not comparison and f.value < self.o.min_bare:
                continue
            if further:  # "cut 11,000 jobs ..., and followed up with a further 10,000 in the spring"
                out.append(f)
                continue
            if f.kind == "number" and f.scale == 1 and not self._bare_number_ok(f) and not self._compared_count(f, out):
                continue
            out.append(f)
        return out

    def _compared_count(self, f: Figure, kept: list[Figure]) -> bool:
        """A bare number set against a count just before it in the sentence: "produced 1,550 Air
        sedans in the third quarter versus 2,173 a quarter ago and 2,282 a year earlier"."""
        if not any(k.kind == "count" for k in kept):
            return False
        return _VERSUS_BEFORE.search(self.norm, max(kept[-1].end, f.start - 60), f.start) is not None

    def _bare_number_ok(self, f: Figure) -> bool:
        """A bare number counts when a metric or a change word sits in its clause."""
        if self.continued and self.state.metric:
            return True  # "Revenue 1000 1001 ... 1149": a piece of a cut sentence, the metric named before
        c = self.clause(f.start)
        labels = ("INCREASE", "DECREASE", "FLAT", "CUT") + (("FORECAST",) if self.state.metric else ())
        # "Analysts had expected 250,700": an expectation of the metric in force
        return any(self.clause(m.start) == c for m in self.metrics) or any(
            self.clause(m.start) == c for m in self.cues if m.label in labels)

    def _multiplier_items(self) -> list[Item]:
        items = []
        for c in self.cues:
            if c.label != "MULTIPLIER":
                continue
            value = self.o.multipliers.get(c.id)
            if value is None or _DIGITS_AFTER.match(self.norm, c.end, c.end + 10):
                continue  # "double-digit", "low double digits" is no doubling
            qualifier = "more_than" if "more than" in c.id else "exact"
            fig = Figure(c.start, c.end, Decimal(str(value)), "%", "percent", qualifier=qualifier,
                         num_start=c.start, flags=frozenset({"multiplier"}))
            it = Item(fig, role="change", text=self.text[c.start:c.end], multiplier=value)
            it.direction = "increase" if value > 0 else "decrease"
            items.append(it)
        return items

    _TIMES = regex.compile(rf"(?i)\b(?P<verb>{_GROWTH_VERBS})\s+(?:by\s+)?(?:about\s+|nearly\s+|almost\s+|more\s+than\s+)?"
                           r"(?P<n>\d+(?:\.\d+)?)(?:\s*|-)(?:times|fold|x)\b")
    _TIMES_OF = regex.compile(r"(?i)\b(?P<n>\d+(?:\.\d+)?|two|three|four|five|ten)\s+times\s+(?:its|the|their|what|that|last)\b")
    _TIMES_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}

    def _times_items(self) -> list[Item]:
        """ "revenue grew 2.4 times": a relative change of +140%; "three times its valuation a year ago": +200%."""
        items = []
        seg = self.lower[self.s0:self.s1]
        if "times" not in seg and "fold" not in seg and "x" not in seg:
            return items
        for m in self._TIMES_OF.finditer(self.norm, self.s0, self.s1):
            word = m["n"].lower()
            n = Decimal(self._TIMES_WORDS[word]) if word in self._TIMES_WORDS else Decimal(word)
            fig = Figure(m.start("n"), m.end("n") + 6, (n - 1) * 100, "%", "percent", num_start=m.start("n"),
                         flags=frozenset({"multiplier"}))
            it = Item(fig, role="change", text=self.text[m.start("n"):m.end("n") + 6], multiplier=float((n - 1) * 100))
            it.direction = "increase"
            items.append(it)
        for m in self._TIMES.finditer(self.norm, self.s0, self.s1):
            n = Decimal(m["n"])
            fig = Figure(m.start("n"), m.end(), (n - 1) * 100, "%", "percent", num_start=m.start("n"),
                         flags=frozenset({"multiplier"}))
            it = Item(fig, role="change", text=self.text[m.start("n"):m.end()], multiplier=float((n - 1) * 100))
            it.direction = "increase"
            items.append(it)
        return items

    def _flat_items(self) -> list[Item]:
        """"Revenue in Q1 2018 was flat": a zero change stated without a figure."""
        items = []
        for c in self.cues:
            if c.label != "FLAT" or any(self.clause(x.fig.start) == self.clause(c.start) for x in self.items):
                continue
            if not _re_search(r"(?i)\b(?:was|were|is|are|remained|stayed|held|came\s+in|broadly|roughly|largely)\s+$",
                                self.norm[max(self.s0, c.start - 20):c.start]):
                continue
            if not any(m.end <= c.start and self.clause(m.start) == self.clause(c.start) for m in self.metrics):
                continue
            fig = Figure(c.start, c.end, Decimal(0), "%", "percent", num_start=c.start, flags=frozenset({"flat"}))
            it = Item(fig, role="change", text=self.text[c.start:c.end], direction="flat")
            it.multiplier = 0.0
            items.append(it)
        return items
