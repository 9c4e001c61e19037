"""Figure roles: each figure of a sentence is a level, a change or a prior level.

A *level* is a value ("revenue was 59.5 billion yuan"), a *change* moves one
("down 18.9%", "added 1.3 million customers", "cut 11,000 jobs"), a *prior*
is the earlier value it moved from ("from 6.2 billion yuan"). Percentages,
percentage points and amounts are told apart by the words around them; a
change's direction is read as its role is set (:mod:`.direction`).
"""
from __future__ import annotations

import regex

from ...numbers import Figure
from ..items import Item, Mention
from ..patterns import _AGAINST_ESTIMATE_BY, _BY_BEFORE, _FEWER_AFTER, _NEGATIVE, _RUN_JOIN, _TO_LINK, _is_ratio_metric, _re_match, _re_search, _re_sub


# a share after a percentage: "8% of revenue", "12% market share", "a 16% share"
_SHARE_AFTER = regex.compile(r"(?i)\s*(?:of\b|(?:market\s+)?share\b|stake\b)")
# a rate of growth named before a percentage: the percentage is the change
_GROWTH_RATE_BEFORE = regex.compile(r"(?i)\bgrowth\s+rates?\b[^.;%\d]{0,60}$")
_CAGR = r"(?:compound(?:ed)?\s+annual\s+growth\s+rate|cagr|annuali[sz]ed\s+growth\s+rate)"
_CAGR_BEFORE = regex.compile(rf"(?i)\b{_CAGR}\s*(?:\([^()]*\)\s*)?(?:of\s+)?(?:about\s+|around\s+|nearly\s+|some\s+)?$")
_CAGR_AFTER = regex.compile(rf"(?i)^\s*{_CAGR}\b")
"""A compound annual growth rate is a level of its own metric ("a compound annual growth rate of 10%",
"an 85% annualized growth rate since 2021"), not the change of the figure before it."""
_ADDED_BEFORE = regex.compile(r"(?i)\b(?:added|adds|adding|gained|gains)\s+(?:a\s+net\s+|a\s+further\s+|another\s+|some\s+|about\s+|"
                               r"around\s+|nearly\s+|almost\s+|more\s+than\s+|over\s+)?$")
_FROM_BEFORE = regex.compile(r"\b(?:from(?:\s+(?:the|a|an))?|from\s+(?:last|the\s+(?:previous|prior))\s+(?:year|quarter)['\u2019]s"
                            r"|compared\s+(?:with|to)(?:\s+(?:(?:a|an)\s+)?(?:[\w-]+\s+){0,3}?of)?|against|versus"
                            r"|(?:higher|lower)\s+than)\s*$", regex.I)  # not "greater than": a bound
# "will range from $2.86 billion to $3.10 billion": the figure read a range from "from X to Y"
# (numbers.py keeps a "to" range after "from" only where it opens one: "range from"), so "from" is not a prior's
_OPENS_RANGE = regex.compile(r"(?i)\bfrom\s*$")
_TO_BEFORE = regex.compile(r"\b(?:to|at|reached|reach|hit|totalled|totaled|of)\s*$", regex.I)
_CHANGE_AFTER = regex.compile(
    r"^\s*(?:[-\w]+\s+){0,2}?(?:growth|increase|decrease|decline|drop|rise|gain|jump|improvement|fall|"
    r"slump|surge|plunge|slide|dip|reduction|higher|lower|more|less|fewer|up|down)\b", regex.I)
_CHANGE_NOUN_AFTER = regex.compile(r"(?i)\s*(?:(?:year-on-year|year-over-year|annual|sequential)\s+)?(?:decline|drop|fall|decrease|increase|rise|gain|growth|jump|slump)\b")
_OR_RESTATED = regex.compile(r"(?i),\s+or\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|some\s+)?$")
"""Between a change and the same change restated ("by 2,250, or 12.5%")."""
_CHANGE_NOUN_OF = regex.compile(r"(?i)\b(?:increase|decrease|rise|drop|decline|growth|jump|fall|reduction|surge|slump)s?"
                                 r"\s+of\s*$")
"""A noun of change and "of" right before an amount: the amount is a change ("an increase of 30 million")."""
_LEVEL_VERB = regex.compile(r"(?i)\b(?:had|has|have|stood\s+at|employs|employed|total(?:led|ed)?|counts?|headcount\s+of|workforce\s+of|to)\s+(?:\S+\s+){0,2}$")


class RoleRules:
    """Level, change or prior for every figure (mixed into ``_Sentence``)."""

    def assign_roles(self) -> None:
        """Give every figure its role (level, change or prior) and every change its direction.

        Changes made without a figure (multipliers, "was flat") keep the role they were made with.
        """
        items = self.items
        for i, it in enumerate(items):
            if it.multiplier is not None:
                continue
            f = it.fig
            cs = self.clause_start(f.start)
            prev_end = items[i - 1].fig.end if i else cs
            lead = self.norm[max(prev_end, cs):f.start]
            after = self.norm[f.end:min(self.s1, f.end + 40)]
            if _FROM_BEFORE.search(lead[-80:]) and not (f.value_high is not None and _OPENS_RANGE.search(lead[-20:])):
                if f.kind == "percent" and _CHANGE_NOUN_AFTER.match(after):
                    it.role = "change"  # "an improvement from a 10.6% decline": the earlier change, its own claim
                    it.direction = self._direction(it, lead, after)
                    continue
                it.role = "prior"
                continue
            if f.kind == "pp":
                it.role = "change"
            elif f.kind == "percent" and i and items[i - 1].role == "change" and _OR_RESTATED.search(lead[-20:]):
                it.role, it.direction_src = "change", "restated"  # "rose by 2,250, or 12.5%, to 11,250"
            elif f.kind == "percent":
                it.role = self._percent_role(it, lead, after)
            else:
                it.role = self._amount_role(it, i, lead, after)
            if it.role == "change":
                it.direction = self._direction(it, lead, after)
        self._runs_of_changes()

    def _runs_of_changes(self) -> None:
        """A percentage joined to a change before it by "and" or a comma alone is a change too
        ("growth rates came in at 5 percent and 4 percent"; "advanced 3 percent and 11 percent,
        respectively"), with that change's direction, unless a share follows it ("5% and 8% of")."""
        items = self.items
        for prev, it in zip(items, items[1:]):
            if prev.role != "change" or prev.fig.kind != "percent" or it.fig.kind != "percent" \
                    or it.role != "level" or it.multiplier is not None or "fraction" in it.fig.flags:
                continue
            if _RUN_JOIN.fullmatch(self.norm, prev.fig.end, it.fig.start) \
                    and not _SHARE_AFTER.match(self.norm, it.fig.end, min(self.s1, it.fig.end + 30)):
                it.role, it.direction = "change", prev.direction

    def _percent_role(self, it: Item, lead: str, after: str) -> str:
        if "fraction" in it.fig.flags:
            return "level"
        if _re_match(r"(?i)^\s+of\s+(?:(?:its|their|the\s+company's|the)\s+)?(?:global\s+|total\s+)?(?:workforce|staff|employees|headcount|jobs|workers)\b", after) \
                and self.cues_between(self.s0, it.fig.start, ("CUT",)):
            it.direction_src = "cut"
            return "change"  # "cut 11,000 jobs, about 13% of its staff"
        if _CAGR_BEFORE.search(lead[-90:]) or _CAGR_AFTER.match(after):
            return "level"
        if _GROWTH_RATE_BEFORE.search(lead[-90:]):
            it.direction = it.direction or "increase"
            return "change"  # "revenue and earnings growth rates came in at 5 percent and 4 percent"
        if _TO_BEFORE.search(lead[-80:]) and not _re_search(r"\b(?:of|by)\s*$", lead[-80:], regex.I):
            return "level"
        against = _AGAINST_ESTIMATE_BY.search(lead[-100:])
        if against:
            it.direction_src = "beat" if against["beat"] else "missed"
            return "change"
        cue_before = self._last_cue(lead, it.fig.start)
        if _re_search(r"\b(?:by|of)\s*$", lead, regex.I) and cue_before:
            return "change"
        if cue_before and self._cue_adjacent(lead):
            return "change"
        if _CHANGE_AFTER.match(after) or self._basis_right_after(after):
            return "change"
        if _NEGATIVE.search(lead[-80:]):
            return "change"
        if cue_before and not _is_ratio_metric(self._metric_guess(it)):
            return "change"
        return "level"

    def _amount_role(self, it: Item, i: int, lead: str, after: str) -> str:
        f = it.fig
        tail = self.norm[(f.noun_end or f.end):(f.noun_end or f.end) + 30]
        if _re_match(r"(?i)^\s+(?:job\s+cuts|layoffs|redundancies|job\s+losses|jobs\s+cut)\b", tail):
            it.direction_src, it.direction = "cut", "decrease"
            return "change"
        if f.noun_end and _re_search(r"(?i)\bnew\b", self.norm[f.end:f.noun_end]) and _re_search(
                r"(?i)\b(?:opened|added|adds|opens|hired|hires|created|launched|built)\s+(?:a\s+net\s+|another\s+|some\s+|about\s+|more\s+than\s+)?$",
                lead[-60:]):
            it.direction_src = "addition"  # "opened 310 new stores": an addition, not a level
            return "change"
        if f.kind == "count" and _ADDED_BEFORE.search(lead[-60:]):
            it.direction_src = "addition"  # "T-Mobile added 1.3 million customers": net additions, a change
            return "change"
        prev = self.items[i - 1] if i else None
        if prev is not None and prev.role == "change" and _re_search(r"(?i),\s+or\s+$", lead[-80:]):
            it.direction_src = "restated"
            return "change"  # "by around 17%, or roughly 1,500 people"
        cut = self.cues_between(self.clause_start(f.start), f.start, ("CUT",))
        if not cut and f.kind in ("count", "number") and not _LEVEL_VERB.search(lead[-80:]):
            cut = self.cues_between(self.s0, f.start, ("CUT",))
        if cut and not self._amount_is_level_after_cut(cut[-1], f):
            it.direction_src = "cut"
            return "change"
        if _CHANGE_NOUN_OF.search(lead[-40:]):
            return "change"  # "reached 417 million, with an increase of 30 million": the level's move
        if _TO_BEFORE.search(lead[-80:]):
            return "level"
        if _BY_BEFORE.search(lead[-80:]) and self._last_cue(lead, f.start):
            return "change"
        if _FEWER_AFTER.match(after) and not f.noun_end:
            return "change"
        if f.noun_end and _FEWER_AFTER.match(self.norm[f.noun_end:f.noun_end + 20]):
            return "change"
        nxt = self.items[i + 1] if i + 1 < len(self.items) else None
        if nxt is not None and self._cue_adjacent(lead) and self._last_cue(lead, f.start) \
                and _TO_LINK.match(self.norm[f.end:nxt.fig.start]) and nxt.fig.unit == f.unit:
            return "change"
        return "level"

    def _amount_is_level_after_cut(self, cut: Mention, f: Figure) -> bool:
        prev = max([x.fig.end for x in self.items if x.fig.end <= f.start] + [cut.end])
        between = self.norm[prev:f.start].rsplit(",", 1)[-1]  # the figure's own phrase
        return bool(_re_search(r"\b(?:to|from|of|at)\s", between, regex.I)) and "by" not in between

    def _cue_adjacent(self, lead: str) -> bool:
        """A direction cue ends within two words before the figure."""
        tail = _re_sub(r"\b(?:by|of|a|an|the|about|around|some|nearly|almost|roughly|approximately|"
                         r"just|only|more than|over|slightly|sharply|another|further|an additional)\s*$", "", lead.strip(), flags=regex.I)
        words = tail.split()[-3:]
        if not words:
            return False
        last_words = " ".join(words).lower()
        return any(c.label in ("INCREASE", "DECREASE", "CUT", "YOY", "QOQ", "MOM")
                   for c in self.cues if self.norm[c.start:c.end].lower() in last_words)

    def _last_cue(self, lead: str, pos: int) -> Mention | None:
        lo = pos - len(lead)
        found = [c for c in self.cues if lo <= c.start and c.end <= pos and c.label in ("INCREASE", "DECREASE", "FLAT", "CUT")]
        return found[-1] if found else None

    def _basis_right_after(self, after: str) -> bool:
        return bool(_re_match(r"^\s*(?:year-on-year|year-over-year|yoy|y/y|sequential|sequentially|"
                                r"quarter-on-quarter|qoq|q/q|on-year|annual)\b", after, regex.I))
