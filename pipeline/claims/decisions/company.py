"""Company: whose figure it is, or the market's; and the research firm as source.

The company named last before the figure in its clause (else in the
sentence), the first of a pair ("Oppo and OnePlus together"), a company
named after the figure when none is in force; a market word, a research
firm's sentence or a category subject makes the figure market-wide
(company None); else the company in force from earlier sentences.
"""
from __future__ import annotations

import functools

import regex

from ...mentions import LONG_NAME_OPEN
from ...respectively import respective_owners
from ..items import Item, Mention
from ..patterns import _MARKET_METRICS, _SUBJECT, _re_fullmatch, _re_match, _re_search


_FIRM_SUBJECT = regex.compile(r"(?i)^\W*the\s+(?:research\s+|analyst\s+|market\s+)?(?:firm|researcher|research\s+house|tracker)\b")
_IT_FORECASTS = regex.compile(r"(?i)^\W*it\s+(?:now\s+|also\s+)?(?:forecasts?|expects?|estimates?|predicts?|projects?|sees|says|said)\b")
_PRONOUN_SUBJECT = regex.compile(r"(?i)^\W*(?:it|its|they|their|he|she|the\s+(?:company|group|firm|carmaker|maker|chipmaker|startup|vendor|brand|business|unit|segment|division))\b")
_IT_SUBJECT = regex.compile(r"(?i)^\W*(?:it|its|the\s+company(?:'s)?)\b")
_SEGMENT_SUBJECT = regex.compile(r"(?i)^\W*the\s+(?:[\w-]+\s+){1,2}(?:segment|category|price\s+band|tier)\b")


class CompanyRules:
    """The company of a figure, market-wide, and the source (mixed into ``_Sentence``)."""

    @functools.cached_property
    def respective_companies(self) -> dict[int, int]:
        """Figure start -> start of its company's mention in a run "..., respectively"."""
        return respective_owners(self.norm, self.s0, self.s1, [(x.fig.start, x.fig.end) for x in self.items],
                                 self.companies)

    def _company_for(self, it: Item, metric_m: Mention | None, metric: str | None) -> tuple[str | None, str | None, bool]:
        """(company, company_text, market_wide) for a figure."""
        f = it.fig
        owner = self.respective_companies.get(f.start)
        if owner is not None:  # "Xiaomi and OPPO shipped 146 million and 103 million units respectively"
            m = next(m for m in self.companies if m.start == owner)
            if m.label == "COMPANY":
                return m.id, m.text, False
        c = self.clause(f.start)
        asides = [(a, b) for a, b in self.asides() if not a <= f.start < b]
        named = [m for m in self.companies if not any(a <= m.start and m.end <= b for a, b in asides)
                 or LONG_NAME_OPEN.search(self.norm, max(self.s0, m.start - 40), m.start)]  # the name it goes by
        cand = [m for m in named if m.end <= f.start and self.clause(m.start) == c]
        if not cand:
            cand = [m for m in named if m.end <= f.start]
        company_m = cand[-1] if cand else None
        if company_m is not None:  # "Oppo and OnePlus together took 11 per cent": the first named
            pair = [m for m in named if m.end <= company_m.start
                    and _re_fullmatch(r"\s*(?:and|&)\s*", self.norm[m.end:company_m.start])]
            if pair:
                company_m = pair[-1]
        # market-wide: a market word after the last company mention, before the figure
        lo = company_m.end if company_m and self.clause(company_m.start) == c else self.clause_start(f.start)
        # (not in an aside: "MediaTek Inc, which supplies chips to Chinese brands, posted ...")
        market = [x for x in self.cues if x.label == "MARKET" and lo <= x.start < f.start
                  and not any(a <= x.start < b for a, b in asides)
                  and not _re_match(r"(?i)\s+(?:leader|leaders|leadership|debut|watchers)\b", self.norm[x.end:x.end + 14])
                  and not _re_search(r"(?i)(?:\bits|\btheir|'s|\b(?:led|leads|topped|tops|dominated|dominates|"
                                     r"entered|across|share\s+of)(?:\s+the)?)\s+$",
                                     self.norm[max(self.s0, x.start - 20):x.start])]
        if metric_m is not None and metric_m.start >= f.end:
            market += [x for x in self.cues if x.label == "MARKET" and f.end <= x.start <= metric_m.end]
        if metric not in _MARKET_METRICS:
            # "Global monthly active users of the MIUI operating system": a company's users worldwide
            market = [x for x in market if x.id not in ("global", "globally", "worldwide")]
        if metric_m is not None and metric == "shipments" and (company_m is None or self.clause(company_m.start) != c) \
                and any(sg.id == "geography" and sg.label not in ("overseas",) and sg.end <= metric_m.start
                        for sg in self._segments_of_metric(metric_m)):
            return None, None, True  # "India's smartphone shipments": the market's figure
        if market and metric != "market share" and (company_m is None or self.clause(company_m.start) != c or market[-1].start > company_m.end):
            return None, None, True
        if company_m is None and not self.state.company_set:
            after = [m for m in self.companies if m.start >= f.end and self.clause(m.start) == c]
            if after and not _re_search(r"\b(?:from|than|over)\s*$", self.norm[self.s0:after[0].start]):
                company_m = after[0]
        if company_m is not None:
            return company_m.id, company_m.text, False
        head = self.norm[self.s0:f.start]
        if _FIRM_SUBJECT.match(head) and (self.sources or self.state.source):
            return None, None, True  # "The firm forecast that shipments would decline": the research firm's market view
        # no company named from here on
        if self.state.market and metric in ("shipments", "market share") and metric_m is not None \
                and metric_m.end <= f.start and not _PRONOUN_SUBJECT.match(head) \
                and any(sg.id == "product" and _SUBJECT.match(self.norm[self.s0:sg.start])
                        for sg in self._segments_of_metric(metric_m)):
            return None, None, True  # "Feature phone shipments fell 37 per cent" in a market story: the category's market
        if self.state.market and _SEGMENT_SUBJECT.match(head):
            return None, None, True  # "The premium segment, phones priced above Rs 30,000, grew 37 per cent": the market's
        if self.sources and not _PRONOUN_SUBJECT.match(head):
            return None, None, True  # "Enterprise spending on AI software will reach $38 billion, according to Quorum": the market's
        if self.state.market_story and self.state.source and _IT_FORECASTS.match(head):
            return None, None, True  # in a research firm's market story, "It forecasts shipments of ..." is the firm's view
        if metric and metric.startswith("share of") and _re_match(r"(?i)\s+of\s+(?:all|total)\b", self.norm[f.end:f.end + 20]):
            return None, None, True  # "5G-capable handsets made up 53 per cent of all shipments"
        if self.o.settings.carry_company:
            if self.state.company is None and self.state.named_company and _IT_SUBJECT.match(head):
                return self.state.named_company, None, False  # "It will invest ..." after a market figure: the company named last
            return self.state.company, None, self.state.company is None and self.state.company_set
        return None, None, False

    def _source(self) -> str | None:
        return self.sources[0].id if self.sources else None
