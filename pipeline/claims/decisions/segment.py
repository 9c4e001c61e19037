"""Segment: the part of a company or market a figure is about.

From the lexicon's segment mentions: those in the metric's noun phrase
("smartphone revenue", "MAU of QQ"), right after the figure ("1.6 million
smartwatches"), a list read in order ("..., internet services 7 billion
yuan"; "... respectively"), the sentence's subject; a model name; markets
("the India smartphone market") for market figures; and what "it" or "the
handset" refers back to. Names the lexicon does not know are read by
:mod:`.segment_names`.
"""
from __future__ import annotations

import regex

from ..items import Item, Mention
from ..patterns import (_LIST_GAP, _MODEL_NAME, _PRODUCT_ANAPHOR, _SUBJECT, _is_ratio_metric, _re_fullmatch,
                        _re_match)


_CONTRIBUTES = regex.compile(r"(?i)\s*(?:\([^()]{1,20}\)\s*)?(?:[\w-]+\s+){0,2}?(?:accounting\s+for|accounted\s+for|making\s+up|made\s+up|"
                             r"contributing|contributed|representing|represented|generating|generated|bringing\s+in|brought\s+in)\s+")
_PLURAL_SUBJECT = regex.compile(r"[\s,;]*((?:[A-Z][\w-]*\s+)?(?:startups|vendors|brands|carmakers|automakers|chipmakers|companies|firms))\b")
_SPENDING_METRICS = ("investment", "spending", "capital expenditure", "r&d expenses")


class SegmentRules:
    """The segment of a figure (mixed into ``_Sentence``)."""

    _GAP_BEFORE = regex.compile(
        r"[\s\-'\"]*(?:'s\s*|s'\s*)?(?:(?:first|second|third|fourth)-quarter\s+|\([^()]*\)\s*|and\s+|,\s*|"
        r"(?:business|segment|division|unit|arm|market|model|models|series|brand|lineup|category|products?|"
        r"flagship|total|overall|combined)\s+)*", regex.I)
    _GAP_AFTER = regex.compile(
        r"[\s\"')]*(?:\([^()]*\)[\s\"')]*)?(?:of|from|in|for|across|including)\s+(?:the\s+|all\s+)?(?:[A-Z][\w.&-]*'s\s+|its\s+)?"
        r"(?:(?:traditional|new|smart|premium|global|total|consumer|personal|mobile)\s+)?", regex.I)

    def _owns_company(self, seg: Mention) -> bool:
        return any(0 <= c.start - seg.end <= 4 for c in self.companies)

    def _segments_of_metric(self, metric_m: Mention) -> list[Mention]:
        """Segment words in the metric's noun phrase: "smartphone revenue", "MAU of QQ"."""
        before: list[Mention] = []
        left = metric_m.start
        for sg in reversed([x for x in self.segments if x.end <= metric_m.start]):
            if self._GAP_BEFORE.fullmatch(self.norm[sg.end:left]):
                before.insert(0, sg)
                left = sg.start
            else:
                break
        after: list[Mention] = []
        right = metric_m.end
        for sg in [x for x in self.segments if x.start >= metric_m.end]:
            if self._GAP_AFTER.fullmatch(self.norm[right:sg.start]):
                after.append(sg)
                right = sg.end
            else:
                break
        return after + before  # "smart device MAU of QQ" -> "qq smart devices"

    def _list_segment(self, it: Item, company: str | None) -> str | None:
        """ "..., internet services 7 billion yuan, and the "others" category 600 million yuan";
        "5nm and 7nm made up 37% and 16% respectively" """
        f = it.fig
        c = self.clause(f.start)
        # an entry limited to other companies is not this figure's ("China" is "greater china" for Apple only)
        usable = [sg for sg in self.segments if _entry_for(sg, company)]
        resp = self.lower.find("respectively", f.end, self.s1)
        if resp != -1 and self.clause(resp) == c:
            figs = [x for x in self.items if self.clause(x.fig.start) == c and x.fig.end <= resp
                    and x.role != "change"]
            first = figs[0].fig.start if figs else f.start
            segs = [sg for sg in usable if self.clause(sg.start) == c and sg.end <= first]
            if len(figs) > 1 and len(segs) >= len(figs) and it in figs:  # a change is not one of the list
                return segs[len(segs) - len(figs) + figs.index(it)].label
        for sg in usable:
            if sg.end <= f.start and f.start - sg.end <= 20 and self.clause(sg.start) == self.clause(f.start) \
                    and _LIST_GAP.match(self.norm[sg.end:f.start].strip(" ")):
                return sg.label
            if f.kind == "money" and sg.end <= f.start and _re_fullmatch(r"\s+(?:at|for)\s+", self.norm[sg.end:f.start]):
                return sg.label  # "launch the Quest 3 at $499"
            if sg.end <= f.start and f.start - sg.end <= 60 and _CONTRIBUTES.fullmatch(self.norm, sg.end, f.start):
                return sg.label  # "with extreme ultraviolet (EUV) systems accounting for €1.6 billion"
        return None

    _ANAPHOR = regex.compile(r"(?i)^\W*(?:it|its|the\s+(?:unit|segment|division|business|arm)(?:'s)?|"
                             r"(?:[\w&]+\s+){0,8}the\s+(?:unit|segment|division|business)'s)\b")

    def _segment_for(self, it: Item, metric_m: Mention | None, company: str | None,
                     market: bool, metric: str | None) -> str | None:
        """The segment of a figure: what "the handset" or "it" refers back to, else the one written here."""
        head = self.norm[self.clause_start(it.fig.start):it.fig.start]
        if self.state.segment and not market and _PRODUCT_ANAPHOR.search(head):
            return self.state.segment  # "Sales of the handset rose 1.5%": the product named just before
        seg = self._segment_here(it, metric_m, company, market, metric)
        if seg is None and not market and metric_m is not None and _re_match(
                r"(?i)^\s+(?:in|at|of|for|from)\s+the\s+(?:segment|unit|division|business)\b", self.norm[metric_m.end:metric_m.end + 30]):
            # "operating income in the segment fell 2%": the segment named before in this sentence
            earlier = [r["segment"] for r in self.rows_so_far if r["segment"]] if hasattr(self, "rows_so_far") else []
            return earlier[-1] if earlier else self.state.segment
        if seg is None and self.state.segment and not market and self._ANAPHOR.match(head):
            return self.state.segment  # "It brought in £20 million", "Sales of the handset rose": named just before
        return seg

    def _segment_here(self, it: Item, metric_m: Mention | None, company: str | None,
                      market: bool, metric: str | None) -> str | None:
        f = it.fig
        listed = self._list_segment(it, company)
        if listed:
            return listed
        model = _MODEL_NAME.search(self.norm, self.clause_start(f.start), f.start) if self._cap_digit else None
        if model and not market:  # "launched its S7 sedan ... with prices ranging from ..."
            return model.group(1).lower()
        found: list[Mention] = self._segments_of_metric(metric_m) if metric_m is not None else []
        if metric in VENUE_METRICS:  # "a Hong Kong IPO": where the shares list, not a part of the company
            found = [x for x in found if x.id != "geography"]
        if f.noun_end:
            found += [x for x in self.segments if f.end <= x.start < f.noun_end + 1]
        if not found:  # "shipped 1.6 million smartwatches"
            found += [x for x in self.segments if x.start > f.end and self.norm[f.end:x.start] == " "]
        if not found:  # "Malaysia (2.4 million) and Vietnam (3.1 million)": the figure in brackets is the name's
            found += [x for x in self.segments if x.end < f.start and _re_fullmatch(r"\s*\(\s*", self.norm[x.end:f.start])]
        more = _re_match(r"(?i)^\s+(?:fewer|more|less)\s+", self.norm[f.end:f.end + 15])
        if more:  # "8 million fewer handsets"
            found += [x for x in self.segments if x.start == f.end + more.end()]
        if not found and (metric_m is None or metric_m.start > f.start or _is_ratio_metric(metric)):
            # the sentence's subject names the segment: "Internet services grew 11.4 per cent",
            # "The mobile phone business ... accounted for 58.8% of revenue"
            lead = [x for x in self.segments if x.end <= f.start and not self._owns_company(x)]
            if lead and (_SUBJECT.match(self.norm[self.s0:lead[0].start]) or _is_ratio_metric(metric)):
                found.append(lead[0])
        elif not found and metric_m is not None:
            lead = [x for x in self.segments if x.end <= metric_m.start and not self._owns_company(x)]
            if lead and _SUBJECT.match(self.norm[self.s0:lead[0].start]):
                found.append(lead[0])
        market_metric = metric in ("market share", "shipments") or market
        found = [x for x in found if not x.extra or (_entry_for(x, company) and not market_metric)]
        segs: list[str] = []
        for x in found:
            if x.label == "mainland china" and company and not market_metric and any(
                    y.label == "greater china" and y.start == x.start and (company in y.extra.split("|"))
                    for y in self.segments):
                continue
            if x.label not in segs:
                segs.append(x.label)
        # "China" for a company limited entry (Apple: greater china)
        for x in self.segments:
            if x.extra and company in x.extra.split("|") and not market_metric and any(x.start == y.start for y in found) \
                    and x.label not in segs:
                segs = [x.label if (y.start == x.start) else lbl for y, lbl in zip(found, segs)] or [x.label]
        geos = self._geos()
        geo = [g for g in segs if g in geos]
        prod = [g for g in segs if g not in geos]
        if not segs and metric in _SPENDING_METRICS:
            # what the money goes to: "spend $50 million on computing capacity",
            # "spending on generative AI software is expected to reach $38 billion"
            for pos in ([metric_m.end] if metric_m is not None else []) + [f.noun_end or f.end]:
                spent_on = self._spent_on(pos)
                if spent_on:
                    return spent_on
        if market and metric not in ("market share", "shipments"):
            subject = _PLURAL_SUBJECT.match(self.norm, self.clause_start(f.start), f.start)
            if subject:  # "Indian startups raised $5.5 billion"
                return subject.group(1).lower()
        if metric in ("market share", "shipments") or market:
            if not segs:
                g = self._market_geo(in_too=True) if company else self._place_with(f)
                if g and not (self.state.market or "").startswith(g):
                    # "the leading provider in SEA ..., with 5.7 million devices": the market of the place named
                    return " ".join(x for x in (g, self.state.market_product) if x) + " market"
                return self.state.market if (metric in ("market share", "shipments") or market) else None
            market_named = market or metric == "market share" or bool(geo) or self._market_geo() is not None
            if not market_named and company:
                return " ".join(segs[:2])  # "Xiaomi's 8 million fewer smartphone sales": the company's product
            if market or metric == "market share" or "market" in self.lower[self.s0:self.s1]:
                g = geo[0] if geo else self._market_geo()
                p = prod[0] if prod else None
                if g and not p and self.state.market and self.state.market.startswith(g):
                    return self.state.market
                if p and not g and self.state.market and p in self.state.market:
                    return self.state.market
                p = p or (self.state.market_product if g else None)  # "Malaysia (2.4 million)": of the product in force
                return " ".join(x for x in (g, p) if x) + " market"
        if not segs and metric in self.o.settings.event_metrics:
            return None  # a share price or a market value has no business segment
        if not segs:
            tail = _re_match(r"(?i)^\s+(?:in|into|on|towards|to)\s+(?:the\s+|its\s+|new\s+)?", self.norm[(f.noun_end or f.end):(f.noun_end or f.end) + 20])
            if tail and metric in ("investment", "funding", "capital expenditure", "r&d expenses", "spending"):
                at = (f.noun_end or f.end) + tail.end()
                hit = next((x for x in self.segments if x.start == at), None)
                if hit is not None:
                    return hit.label  # "investing 1.1 billion yuan in smart electric vehicles"
            geo_after = self._geo_after(it, company) if not market and metric not in VENUE_METRICS else None
            if geo_after:
                return geo_after
            guessed = self._guessed_segment(it, metric_m) if not market and metric not in VENUE_METRICS else None
            # a guessed unit name the lexicon knows takes its canonical name ("data-centre" -> "data center")
            return next((x.label for x in self.segments if x.text.lower() == guessed), guessed)
        return " ".join(segs[:2])


# Metrics whose geography words name a venue (the exchange of a listing), not a segment
VENUE_METRICS = ("ipo proceeds", "ipo price", "ipo price range", "share price")
"""Metrics whose place words name where the shares list ("a Hong Kong IPO", "BYD's Hong Kong shares"), not a segment."""


def _entry_for(segment: Mention, company: str | None) -> bool:
    """Whether a segment mention may name ``company``'s segment: entries limited to some
    companies (``extra``, ``|``-joined: "China" is "greater china" for Apple) only theirs."""
    return not segment.extra or (company or "") in segment.extra.split("|")
