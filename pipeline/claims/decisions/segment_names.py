"""Segments the lexicon does not name: read from how the text is written.

A business unit written as a capitalised phrase ("Windows OEM revenue",
"Cloud Intelligence Group recorded ..."), "its client computing unit", a
named arm ("logistics arm Cainiao"); the noun phrase money is spent on
("spend $50 million on computing capacity"); a geography after the figure
("by as much as 20% in the US") or named as the market ("In India, ...").
"""
from __future__ import annotations

import functools

import regex

from ..items import Item, Mention
from ..patterns import _LIST_GAP, _UNIT_NOUN, _re_fullmatch, _re_match, _re_search
from .segment import _entry_for


_NAMED_UNIT = regex.compile(r"^[\s,;]*(?:and\s+|while\s+)?(?:its\s+|the\s+)?(?:[a-z-]+\s+){0,2}(?:arm|unit|division|subsidiary|affiliate)\s+"
                            r"([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})\s+[a-z]")
_NOT_SPENT_ON = {"company", "companies", "startup", "startups", "firm", "firms", "business", "group", "round", "deal",
                 "stake", "cash", "total", "all", "shares", "bonds", "year", "quarter", "period", "months", "years"}
_SUBORDINATE = regex.compile(r"(?i)\b(?:as|because|while|after|before|when|which|that|where|since|amid|and|but|as\s+well\s+as)\b")


class SegmentNameRules:
    """Segment names read from the text (mixed into ``_Sentence``)."""

    _NOT_UNIT = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December", "GAAP", "Non-GAAP", "Underlying", "Adjusted", "Statutory", "Reported", "Organic", "Total",
                 "Net", "Gross", "Operating", "Group", "Quarterly", "Annual", "Overall", "Combined",
                 "Corp", "Corp.", "Inc", "Inc.", "Ltd", "Ltd.", "Co", "Co.", "plc", "PLC", "Corporation", "Limited", "LLC", "AG", "SA", "SE"}
    _CAP_STOP = {"About", "Around", "Nearly", "Roughly", "Almost", "After", "Before", "During", "Since", "Despite", "Although", "When", "If", "Once", "Until", "Under",
                 "The", "Its", "Their", "While", "Within", "And", "But", "In", "At", "For", "Of", "On", "By", "With",
                 "As", "This", "That", "Meanwhile", "Rival", "Chief", "According", "Analysts", "It", "A", "An"}

    def _cap_phrase_before(self, pos: int) -> tuple[int, int] | None:
        """The run of capitalised words ("Windows OEM", "Taobao and Tmall Group") ending right before ``pos``."""
        k = pos - 1
        while k >= self.s0 and self.norm[k] in " \t\n":
            k -= 1
        w = k
        while w >= self.s0 and (self.norm[w].isalnum() or self.norm[w] in "&.-"):
            w -= 1
        if k < self.s0 or not self.norm[w + 1:w + 2].isupper():
            return None  # no capitalised word right before: nothing to read
        base = max(self.s0, pos - 120)
        seg = self.norm[base:pos]
        m = _re_search(r"((?:[A-Z][\w&.-]*)(?:(?:\s+and\s+|\s*&\s*|,\s+|\s+)(?:[A-Z][\w&.-]*)){0,6})\s*$", seg)
        if not m:
            return None
        start = m.start(1) + base
        words = m.group(1).split()
        while words and words[0] in self._CAP_STOP:
            start += len(words[0]) + 1
            start = self.norm.find(words[1], start) if len(words) > 1 else start
            words = words[1:]
        if not words or any(_re_search(r"-(?:listed|based|headquartered|owned|backed)$", w) for w in words) \
                or words[0] in self._NOT_UNIT:
            return None
        end = m.end(1) + base
        for c in self.companies:  # "Alibaba International Digital Commerce Group": the unit after the name
            if c.start <= start < c.end and c.end < end:
                start = c.end + 1
        if self.norm[start:end].split()[0] in self._NOT_UNIT:
            return None  # "Acme Corp revenue": the rest of the company's name
        if any(c.start < end and start < c.end for c in self.companies + self.sources):
            return None
        if any(p.start < end and start < p.end for p in self.periods):
            return None
        if len(words) == 1 and _re_search(rf"(?<![\w-]){regex.escape(words[0].lower())}(?![\w-])", self.norm[:start] + " " + self.norm[end:]):
            return None  # a common word that happens to be capitalised here
        return start, end

    def _guessed_segment(self, it: Item, metric_m: Mention | None) -> str | None:
        """A business-unit name the lexicon does not know, written as a capitalised phrase
        right before the metric ("Windows OEM revenue") or the figure ("Components €2.9 billion"),
        or as the subject of the figure's clause ("Cloud Intelligence Group recorded ...")."""
        f = it.fig
        spots = []
        if metric_m is not None:
            spots.append(metric_m.start)
        spots.append(f.start)
        for pos in spots:
            gap_start = pos
            while gap_start > self.s0 and self.norm[gap_start - 1] in " \"'":
                gap_start -= 1
            span = self._cap_phrase_before(gap_start)
            if span and span[0] >= self.clause_start(f.start) and (pos != f.start or
                                                                   _LIST_GAP.match(self.norm[span[1]:pos])):
                return self.text[span[0]:span[1]].lower()
        # subject of the clause, followed by a verb or an apposition
        cs = self.clause_start(f.start)
        head = self.norm[cs:f.start]
        named = _NAMED_UNIT.search(head)
        if named:  # "logistics arm Cainiao took in RMB23,164 million"
            return named.group(1).lower()
        head_lower = head.lower()
        has_unit_noun = any(w in head_lower for w in ("segment", "division", "unit", "business", " arm", "category"))
        for m in (_UNIT_NOUN.finditer(head) if has_unit_noun else ()):  # "its client computing unit brought in $3.1 billion"
            words = [w for w in m.group(1).split() if w.lower() not in ("shrinking", "growing", "new", "core", "main", "largest", "biggest", "smaller")]
            if words:
                return " ".join(words).lower()
        m = None
        m = _re_match(r"^[\s,;]*(?:while\s+|and\s+)?(?:[A-Z][\w.&-]*(?:'s|')\s+)?((?:[A-Z][\w&.-]*)(?:(?:\s+and\s+|\s*&\s*|\s+)(?:[A-Z][\w&.-]*)){0,6})(?=,|\s+[a-z])", head)
        if m:
            words = m.group(1).split()
            if words[0] not in self._CAP_STOP and words[-1].lower() in self.o.segment_heads:
                a = cs + m.start(1)
                b = cs + m.end(1)
                for c in self.companies:
                    if c.start <= a < c.end and c.end < b:
                        a = c.end + 1
                if not any(c.start < b and a < c.end for c in self.companies + self.sources):
                    return self.text[a:b].lower()
        return None

    _SPENT_ON = regex.compile(
        r"(?:\s*\([^()]{1,40}\))?\s+(?:on|into|in|towards?|to\s+(?:build|expand|construct|set\s+up|add|develop|upgrade))\s+"
        r"(?:(?:the|its|their|a|an|new|more|additional)\s+)*"
        r"((?!(?:the|its|a|an)\b)(?:[A-Za-z]|\d+[A-Za-z])[\w&/-]*(?:\s+(?!(?:over|by|in|during|this|next|from|to|is|are|was|were|will|would|could|"
        r"that|which|as|with|for|at|after|before|through|expected|set|and|or|but|than|since|until|has|have|had|been|reached|hit|"
        r"totalled|totaled|stood|came|amounted|rose|fell|grew)\b)[A-Za-z0-9][\w&/-]*){0,4})")

    def _spent_on(self, pos: int) -> str | None:
        """The noun phrase money is spent on, right after ``pos`` ("on computing capacity"), lowercase, or None."""
        m = self._SPENT_ON.match(self.norm, pos, min(self.s1, pos + 80))
        if m is None:
            return None
        a, b = m.span(1)
        # the phrase ends before the next figure, period or cue word ("on new fabs rose 5%")
        stops = [x.fig.start for x in self.items] + [x.start for x in self.periods] + [x.start for x in self.cues]
        if any(a <= x < a + 1 for x in stops) or any(p.start <= a < p.end for p in self.periods):
            return None  # "R&D investment in the first three quarters": a period, not a target
        b = min([b] + [x for x in stops if a < x < b])
        phrase = self.norm[a:b].strip().lower()
        if not phrase or _re_match(r"(?i)(?:\s*\([^()]*\))?\s+in\s", self.norm[m.start():a]) and phrase.split()[-1] in _NOT_SPENT_ON:
            return None  # "invested $100 million in the startup": whom, not what for
        return phrase

    _IN_GEO = regex.compile(r"(?i)\s+in\s+(?:the\s+)?$")

    def _geo_after(self, it: Item, company: str | None) -> str | None:
        """A geography written after the figure in its comma clause, before any other figure:
        "cut prices by as much as 20% in the US", "a £41m charge for closing offices in the US"."""
        f = it.fig
        cc = self.comma_clause(f.start)
        later = [x.fig.start for x in self.items if x.fig.start > f.end]
        stop = min(later) if later else self.s1
        for sg in self.segments:
            if sg.id != "geography" or sg.start < f.end or sg.start >= stop or self.comma_clause(sg.start) != cc:
                continue
            if not _entry_for(sg, company):
                continue
            gap = self.norm[f.noun_end or f.end:sg.start]
            if self._IN_GEO.search(gap) and len(gap.split()) <= 7 and not _SUBORDINATE.search(gap):
                return sg.label
        return None

    def _market_geo(self, in_too: bool = False) -> str | None:
        """A geography the sentence names as the market: "the mainland China market", "In India, ...",
        and with ``in_too`` any place after "in" ("the leading provider in SEA")."""
        for x in self.segments:
            if x.id != "geography":
                continue
            if _re_match(r"(?i)\s*(?:'s\s+)?(?:\w+\s+){0,2}?market\b", self.norm[x.end:x.end + 30]):
                return x.label
            if _re_fullmatch(r"(?i)\W*in\s+", self.norm[self.s0:x.start]) and self.norm[x.end:x.end + 1] == ",":
                return x.label
            if in_too and _re_search(r"(?i)\bin\s+(?:the\s+)?$", self.norm[max(self.s0, x.start - 10):x.start]):
                return x.label
        return None

    def _place_with(self, f) -> str | None:
        """The place a market-wide figure is given for: "Thailand with 4 million", "With 4.4
        million exports, the Philippines comes in second" (a sentence-initial "With" phrase)."""
        for x in self.segments:
            if x.id != "geography":
                continue
            if x.end <= f.start and _re_fullmatch(r"(?i)\s+with\s+", self.norm[x.end:f.start]):
                return x.label
            if x.start >= f.end and _re_fullmatch(r"(?i)\W*with\s+[^,;]*", self.norm[self.s0:f.start]) \
                    and _re_fullmatch(r"[^,;]*,\s*(?:the\s+)?", self.norm[f.end:x.start]):
                return x.label
        return None

    @functools.cached_property
    def _geo_set(self) -> set[str]:
        return {s.label for s in self.segments if s.id == "geography"} | {
            "global", "mainland china", "greater china", "overseas", "india", "europe", "us"}

    def _geos(self) -> set[str]:
        return self._geo_set
