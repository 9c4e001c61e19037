"""Pairing: which level each change moves, and the two ends of "from X to Y".

Schema v1 attachment rules (``../shared/claim_schema.md``): a level and its
change in one sentence are ONE claim; a second change of the same level is
its own claim without a value; ``from X to Y`` gives two claims, Y with the
change (basis ``from_value``) and X with its own period and no change.
"""
from __future__ import annotations

from dataclasses import replace

import regex

from ...claim import ALT_BASES
from ..items import Item
from .direction import _dir_label
from ..patterns import _RUN_JOIN, _TO_LINK, _re_fullmatch, _re_search, _re_sub


_PAREN_CHANGE = regex.compile(r"\s*\(\s*([+\-−–]?)\s*")
_PAREN_CLOSE = regex.compile(r"\s*(?:(?:y/y|yoy|year-on-year|year-over-year|q/q|qoq)\s*)?\)", regex.I)
_THAN_CLAUSE = regex.compile(r"(?i)\s+(?:more|fewer|less|higher|lower)\s+than\s+(?:it|they|we|he|she|the\s+company|the\s+group)\s+(?!did\b)\w+")


# after a percentage: the basis that makes it a second measure of one change
_ALT_BASIS = regex.compile(r"(?i)\s*(?:on\s+an?\s+|in\s+|at\s+)?(constant[- ]currenc(?:y|ies)|fx[- ]neutral|currency[- ]neutral)"
                           r"(?:\s+(?:basis|terms|rates?))?\)?")
# "35% year over year, or 49% ..." and "35% year over year (49% ..."
_OR_OPEN = regex.compile(r"(?i)\s*(?:,?\s*or|\()\s*")
# "a 28.5 per cent increase in consolidated net profit at Rs 9,008 crore" (basis words, "in" and
# "per cent" already blanked): the change noun, the metric's words, then "to" or "at"
_CHANGE_NOUN = r"(?:increase|rise|growth|jump|gain|surge|decline|drop|fall|decrease|slump)"
_NOUN_TO = regex.compile(rf"(?i)^\s*(?:[\w&-]+\s+){{0,3}}?{_CHANGE_NOUN}(?:\s+of)?(?:\s+[\w&-]+){{0,4}}?\s+(?:to|at)\s*$|"
                         rf"^\s*{_CHANGE_NOUN}(?:\s+(?:in|of))?(?:\s+[\w&-]+){{0,3}}\s*,?\s*"
                         r"(?:reaching|touching|hitting)(?:\s+a\s+(?:total|record)(?:\s+of)?)?\s*$|"
                         rf"^\s*{_CHANGE_NOUN}\s*,\s*with\s*$")
"""Between a change and its level when the change is a noun: "a 21% YoY adjusted revenue growth to",
"a 129% YoY growth in adjusted revenues, touching", "a 12.4% year-on-year decline, with"."""
# "$720 million or $1.59 per share": two measures of one result
_OR = regex.compile(r"(?i)\s*,?\s*or\s*")
# "... per share from ...": the end of the new pair and the start of the old one
_FROM = regex.compile(r"(?i)\s*(?:(?:per|a)\s+(?:diluted\s+)?share\s*)?,?\s*(?:up\s+|down\s+)?from\s*")
_NOUN_FROM = regex.compile(r"(?i)\s*(?:[a-z-]+\s+){0,2}?,?\s*(?:up\s+|down\s+)?from\s*")
"""Between a level and the figure it moved from: its count noun or a word or two, then "from"
("812,000 units from 760,000", "520 million in the quarter from 410 million")."""
_OWN_METRIC_TO = regex.compile(r"(?i)\s*(?:its|their|the)\s+(?:[\w&-]+\s+){0,4}?to\s*")
"""Between a multiplying verb and its level: "nearly triple its quarterly net income to $637 million"."""
_AGAINST = ("beat", "missed")
"""How a change against an estimate was read (see ``patterns._AGAINST_ESTIMATE_BY``)."""
_AND = regex.compile(r"(?i)\s*(?:,\s*)?(?:and|,)\s*(?:by\s+)?")
"""Between two changes of one level ("23.7% year-on-year and 7.3% QoQ", after basis words are struck)."""
_BY_ONLY = regex.compile(r"(?i)\s*(?:by\s+)?")
# after the last percentage of a run: basis words, then "respectively" ("8% YoY, respectively")
_RESPECTIVELY_AFTER = regex.compile(r"[^.;0-9]{0,40}?\brespectively\b")

class PairingRules:
    """Changes paired with their levels and priors (mixed into ``_Sentence``)."""

    def pair(self) -> None:
        """Pair changes with the levels they move and levels with their priors.

        Sets ``Item.level``/``change``, ``prior``, ``further_of`` and ``basis``, and the
        direction of a level reached "from X to Y" or "to Y" after a direction word.
        """
        items = self.items
        # 0. "Mobile, $1.18B (+76% Y/Y)": a percentage in parentheses right after a level is its change
        for lvl, pct in zip(items, items[1:]):
            if lvl.role != "level" or lvl.change is not None or lvl.fig.unit == "%" or pct.fig.unit != "%":
                continue
            m = _PAREN_CHANGE.fullmatch(self.norm, lvl.fig.end, pct.fig.start)
            if m is None or not _PAREN_CLOSE.match(self.norm, pct.fig.end, min(self.s1, pct.fig.end + 12)):
                continue
            sign = m.group(1) or self.norm[pct.fig.start:pct.fig.start + 1]
            pct.role = "change"
            if sign in ("-", "−", "–") or pct.fig.value < 0:
                pct.direction = "decrease"
            elif sign == "+":
                pct.direction = "increase"
            self._attach(pct, lvl)
        # 0b. "grew 24% year-over-year, or 29% on a constant currency basis, to $653 million": the
        # second percentage is the change of the constant-currency metric; the first moves the level
        for k in range(len(items) - 1):
            it, alt = items[k], items[k + 1]
            if it.role != "change" or alt.fig.unit != "%" or it.fig.unit != "%" \
                    or not _OR_OPEN.fullmatch(self._strip_basis(self.norm[it.fig.end:alt.fig.start])):
                continue
            m = _ALT_BASIS.match(self.norm, alt.fig.end, min(self.s1, alt.fig.end + 42))
            if m is None:
                continue
            alt.role, alt.direction = "change", alt.direction or it.direction
            alt.metric_prefix = ALT_BASES[1] if "neutral" in m.group(1).lower() else ALT_BASES[0]
            if k + 2 < len(items) and items[k + 2].role == "level" and items[k + 2].change is None \
                    and _TO_LINK.match(self._strip_basis(self.norm[m.end():items[k + 2].fig.start])) \
                    and self._compatible(it, items[k + 2]):
                self._attach(it, items[k + 2])
        # 1. "<change> to <level>" and "from <prior> ... to <level>"
        respectively = self.lower.find("respectively", self.s0, self.s1) != -1
        for i, it in enumerate(items):
            if it.role != "change" or i + 1 >= len(items):
                continue
            if respectively and i and items[i - 1].role == "change" and self._run_joined(items[i - 1].fig.end, it.fig.start):
                continue  # "grew 33% and 49% to $4.17 billion and $3.24 billion, respectively": see 1b
            nxt = items[i + 1]
            # (after the change's count noun: "added 6,550 customers, resulting in a total of 249,173")
            between = self.norm[it.fig.noun_end or it.fig.end:nxt.fig.start]
            between_clean = self._strip_basis(between)
            if nxt.role == "level" and nxt.change is None and (
                    _TO_LINK.match(between_clean) or _NOUN_TO.match(between_clean)
                    or (it.multiplier is not None and _OWN_METRIC_TO.fullmatch(between_clean))) \
                    and self._compatible(it, nxt):
                if it.fig.qualifier == "range" and it.fig.unit == "%":
                    # "up by 24% to 26% to between $216 million and $219 million": a range of change is
                    # a claim of its own (<metric> growth, gold conventions); the level takes its direction
                    nxt.direction = nxt.direction or it.direction
                    continue
                self._attach(it, nxt)
            elif nxt.role == "change" and it.level is None and i + 2 < len(items) and not respectively \
                    and _AND.fullmatch(between_clean):
                # "surged 23.7% year-on-year and 7.3% QoQ to Rs 1,858.93 crore": the first change is the
                # level's, the second a further change of it (claim schema)
                lvl = items[i + 2]
                gap = self._strip_basis(self.norm[nxt.fig.end:lvl.fig.start])
                if lvl.role == "level" and lvl.change is None and _TO_LINK.match(gap) \
                        and self._compatible(it, lvl) and self._compatible(nxt, lvl):
                    self._attach(it, lvl)
                    nxt.further_of = lvl
                    nxt.direction = nxt.direction or it.direction
            elif nxt.role == "prior" and _re_fullmatch(r"\s*(?:\S+\s+){0,3}?from\s*", between_clean, regex.I):
                it.basis = "from_value"
                # from <prior> [period words] to <level>
                if i + 2 < len(items):
                    lvl = items[i + 2]
                    gap = self.norm[nxt.fig.end:lvl.fig.start]
                    if lvl.role == "level" and lvl.change is None and _re_search(r"\bto\s*$", gap) \
                            and not _re_search(r"[;]", gap) and _same_unit(nxt, lvl):
                        self._attach(it, lvl)
                        lvl.prior = nxt
        # 1b. "grew 33% and 49% to $4.17 billion and $3.24 billion, respectively": the n-th change
        # moves the n-th level
        if respectively:
            self._pair_respectively()
            self._pair_levels_then_changes()
        # 2. prior without change: "from <prior> ... to <level>" (direction only)
        for i, it in enumerate(items):
            if it.role != "prior" or i + 1 >= len(items):
                continue
            lvl = items[i + 1]
            gap = self.norm[it.fig.end:lvl.fig.start]
            if lvl.role == "level" and lvl.prior is None and _re_search(r"\bto\s*$", gap) \
                    and not _re_search(_NEW_CLAUSE, gap) and _same_unit(it, lvl):
                lvl.prior = it
                if lvl.change is None and lvl.direction is None:
                    lvl.direction = self._from_to_direction(it, lvl)
        # 2b. "rose to $720 million or $1.59 per share from $271 million or $0.60 per share": the
        # figure after each "or" pairs with the one after the other "or"
        for k in range(len(items) - 3):
            l1, l2, p1, p2 = items[k:k + 4]
            if _OR.fullmatch(self.norm, l1.fig.end, l2.fig.start) and _OR.fullmatch(self.norm, p1.fig.end, p2.fig.start) \
                    and _FROM.fullmatch(self.norm, l2.fig.end, p1.fig.start) and _same_unit(l1, p1) and _same_unit(l2, p2) \
                    and l1.role == l2.role == "level" and l1.change is None and l2.change is None:
                for lvl, pr in ((l1, p1), (l2, p2)):
                    pr.role, lvl.prior = "prior", pr
                    if lvl.direction is None:
                        lvl.direction = self._from_to_direction(pr, lvl)
        # 3. remaining changes attach to the nearest preceding level of their clause; a beat or miss
        # against an estimate ("missed the consensus by 11.77%") is no move of a level and stands alone
        for i, it in enumerate(items):
            if it.role != "change" or it.level is not None or it.direction_src in _AGAINST:
                continue
            for j in range(i - 1, -1, -1):
                cand = items[j]
                if cand.role == "prior" or cand.direction_src in _AGAINST:
                    continue
                if cand.role == "change" and cand.level is not None:
                    it.further_of = cand.level  # "down 5% year-on-year but up 19% sequentially"
                    break
                if cand.role != "level":
                    break
                if self.clause(cand.fig.start) != self.clause(it.fig.start) \
                        and not _WITH_CHANGE.fullmatch(self.norm, cand.fig.end, it.fig.start):
                    break
                if self._in_aside(cand.fig.start) and not self._in_aside(it.fig.start):
                    continue  # "The premium segment, phones priced above Rs 30,000, grew 37 per cent"
                if cand.change is None and self._compatible(it, cand) and "cut" not in it.direction_src:
                    self._attach(it, cand)
                    break
                if self._compatible(it, cand):
                    it.further_of = cand
                    break  # the nearest compatible level already has its change
            nxt_prior = items[i + 1] if i + 1 < len(items) else None
            if nxt_prior is not None and nxt_prior.role == "prior" and \
                    _re_fullmatch(r"\s*(?:\S+\s+){0,3}?from\s*", self._strip_basis(self.norm[it.fig.end:nxt_prior.fig.start]), regex.I):
                it.basis = "from_value"
                if it.level is not None and it.level.prior is None:
                    it.level.prior = nxt_prior
        # a rate compared with an earlier rate: "growth of close to 30%, up from the 25% it projected"
        for i, it in enumerate(items):
            if it.role == "prior" and i and items[i - 1].role == "change" and items[i - 1].level is None \
                    and it.fig.unit == "%" and items[i - 1].fig.unit == "%":
                it.role = "change"
        # 4. "26,000 ..., up from about 21,500", "a net loss of 2.01 billion yuan, narrowing from
        # CNY2.39 billion", "36.6 billion euros, up from the previous guidance of 36.5 billion euros":
        # the level moved the way the direction word before "from" says
        for i, it in enumerate(items):
            if it.role != "prior" or i == 0:
                continue
            lvl = next((x for x in reversed(items[:i]) if x.role == "level"), None)
            at = items[i - 1].fig.end
            m = _FROM_PRIOR.search(self.norm[at:it.fig.start])
            if lvl is None or m is None or lvl.direction is not None or lvl.change is not None:
                continue
            word_end = at + m.end(1)
            cue = next((c for c in self.cues if c.end == word_end and c.label in ("INCREASE", "DECREASE")), None)
            if cue is not None or m.group(1).lower() in ("up", "down", "higher", "lower"):
                lvl.direction = _dir_label(cue.label) if cue is not None else \
                    "increase" if m.group(1).lower() in ("up", "higher") else "decrease"
                if lvl.prior is None:
                    lvl.prior = it
        # 4b. "rose 35% to 520 million euros from 410 million": the figure right after its level and
        # "from" is the level it moved from, whatever else the level carries
        for i, it in enumerate(items):
            if it.role != "prior" or i == 0:
                continue
            lvl = items[i - 1]
            if lvl.role == "level" and lvl.prior is None and _NOUN_FROM.fullmatch(self.norm, lvl.fig.end, it.fig.start) \
                    and _same_unit(it, lvl):
                lvl.prior = it
        # 5. a level reached "to" after a direction verb carries that direction
        for it in items:
            if it.role == "level" and it.change is None and it.direction is None:
                it.direction = self._level_direction(it)
        # 6. "297 million smartphones ..., up from 172.3 in 2009", "to $5.2 billion from 4.8": a bare
        # number the level moved from is in the level's scale and unit, written once
        for it in items:
            if it.role == "level" and it.prior is not None:
                _share_scale(it.prior, it)

    def _pair_respectively(self) -> None:
        """Pair a run of changes with the run of levels after "to" in the same order."""
        items = self.items
        i = 0
        while i < len(items):
            if items[i].role != "change" or items[i].level is not None:
                i += 1
                continue
            j = i
            while j + 1 < len(items) and items[j + 1].level is None and items[j + 1].change is None and (
                    items[j + 1].role == "change" or (items[j + 1].fig.unit == items[i].fig.unit == "%" and _re_fullmatch(
                        r"\s*(?:,|and|,\s*and)\s*", self.norm[items[j].fig.end:items[j + 1].fig.start]))):
                j += 1
            changes = items[i:j + 1]
            levels = items[j + 1:j + 1 + len(changes)]
            gap = self._strip_basis(self.norm[changes[-1].fig.end:levels[0].fig.start]) if levels else ""
            if len(changes) > 1 and len(levels) == len(changes) and all(x.role == "level" and x.change is None
                                                                        for x in levels) \
                    and _TO_LINK.match(gap) and all(self._compatible(c, lv) for c, lv in zip(changes, levels)):
                for c, lv in zip(changes, levels):
                    if c.role != "change":  # "grew 33% and 49%": the second percentage moves too
                        c.role, c.direction = "change", changes[0].direction
                    self._attach(c, lv)
            i = j + 1

    def _pair_levels_then_changes(self) -> None:
        """Pair a run of levels with the run of percentages after them that ends in "respectively":
        "operating income was $920 million and non-GAAP operating income was $1.5 billion, down 14%
        and 8% YoY, respectively" (the n-th change moves the n-th level; a percentage with no
        direction word of its own moves the way the first one does)."""
        items = self.items
        i = 0
        while i < len(items):
            first = items[i]
            if first.role != "change" or first.level is not None or first.fig.unit != "%":
                i += 1
                continue
            j = i
            while j + 1 < len(items) and items[j + 1].fig.unit == "%" and items[j + 1].level is None \
                    and items[j + 1].change is None and self._run_joined(items[j].fig.end, items[j + 1].fig.start):
                j += 1
            n = j - i + 1
            levels = items[i - n:i] if n > 1 and i >= n else []
            tail = self.lower[items[j].fig.end:self.s1]
            if levels and all(x.role == "level" and x.change is None and x.fig.unit != "%" for x in levels) \
                    and _RESPECTIVELY_AFTER.match(tail):
                lead = self._direction_cue_before(first.fig.start)
                shared = _dir_label(lead.label) if lead else first.direction
                for c, lv in zip(items[i:j + 1], levels):
                    own = self._direction_cue_before(c.fig.start)
                    c.role, c.direction = "change", _dir_label(own.label) if own else shared
                    self._attach(c, lv)
            i = j + 1

    def _direction_cue_before(self, pos: int):
        """The increase or decrease cue right before ``pos`` ("up 67%", "down by 3%"), or None."""
        cues = self.cues_between(max(self.s0, pos - 16), pos, ("INCREASE", "DECREASE"))
        if cues and _BY_ONLY.fullmatch(self.norm, cues[-1].end, pos):
            return cues[-1]
        return None

    def _run_joined(self, a: int, b: int) -> bool:
        """Whether two percentages at ``a`` (end of one) and ``b`` (start of the next) stand in one run."""
        own = self._direction_cue_before(b)
        return _RUN_JOIN.fullmatch(self.norm, a, own.start if own is not None and own.start >= a else b) is not None

    def _strip_basis(self, s: str) -> str:
        """Blank basis words, asides and period mentions between two figures."""
        for p in self.periods:
            s = s.replace(self.norm[p.start:p.end], " ")
        return _re_sub(r"(?i)\b(?:year[- ]on[- ]year|year[- ]over[- ]year|yoy|y/y|sequentially|quarter[- ]on[- ]quarter|"
                         r"quarter[- ]over[- ]quarter|qoq|q/q|on-quarter|month[- ]on[- ]month|month[- ]over[- ]month|mom|"
                         r"on an? [\w-]+ basis|on-year|annually|compared (?:to|with) a year (?:ago|earlier)|"
                         r"from a year (?:ago|earlier)|percent|per cent|during|in|over|for|higher|lower|up|down|closing|closed|ended|"
                         r"the\s+(?:quarter|period|year|month|half))\b|\([^()]*\)", " ", s)

    def _compatible(self, change: Item, level: Item) -> bool:
        end = change.fig.noun_end or change.fig.end
        if _THAN_CLAUSE.match(self.norm, end, min(self.s1, end + 40)):
            return False  # "production was 479,700, about 13,560 more than it delivered": a gap to another figure
        cu, lu = change.fig.unit, level.fig.unit
        if change.fig.kind == "pp":
            return lu == "%"
        if cu == "%":
            return lu != "%" or change.multiplier is not None and False
        return cu == lu or lu is None or cu is None or (level.fig.kind == "count" and change.fig.kind in ("count", "number"))

    def _attach(self, change: Item, level: Item) -> None:
        change.level = level
        level.change = change


_FROM_PRIOR = regex.compile(r"(?i)\b([a-z]+)\s+from\s+(?:(?:the|a|an|its|their|previous|prior|earlier|last|year's|"
                            r"quarter's|guidance|forecast|outlook|estimate|level|of)\s+){0,5}$")
"""A direction word, "from" and a few words ("the previous guidance of") before a prior figure."""
_WITH_CHANGE = regex.compile(r"(?i)\s*,\s*(?:with|representing|marking)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?"
                             r"(?:increase|decrease|rise|drop|decline|growth|jump|fall|reduction)\s+of\s+")
"""Between a level and the change that qualifies it: "417 million, with an increase of 30 million"."""
_NEW_CLAUSE = r";|\b(?:but|while|whereas)\b"
"""Between a prior and a level: a new clause starts ("increased to 5.2 from 5.1, but the average
basket size fell to €56.2": 5.1 is not where €56.2 came from)."""


def _share_scale(prior: "Item", level: "Item") -> None:
    """Give a bare-number prior (no unit, no scale word) its level's scale and unit when the two
    are then of one magnitude (within 20 times); otherwise leave it as written."""
    p, lv = prior.fig, level.fig
    if p.kind != "number" or p.unit is not None or p.scale != 1 or lv.kind == "number":
        return
    value = p.value * lv.scale
    if lv.value and abs(lv.value) / 20 <= abs(value) <= abs(lv.value) * 20:
        prior.fig = replace(p, value=value, scale=lv.scale, unit=lv.unit, kind=lv.kind)


def _same_unit(a: "Item", b: "Item") -> bool:
    """Two figures can be the two ends of one "from X to Y" movement."""
    return a.fig.unit == b.fig.unit or a.fig.unit is None or b.fig.unit is None
