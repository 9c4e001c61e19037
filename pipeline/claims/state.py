"""Article state and carry-over: what earlier sentences leave in force for later ones.

:class:`ArticleState` holds the company, metrics, period, market, segment
and source in force; :class:`CarryOver` updates it after each sentence, from
the rows the sentence gave or, without rows, from what it names (schema v1
carry-over rules).
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from ..periods import PeriodContext, resolve
from .decisions.period import _contains, _earlier
from .decisions.direction import _STRONG_FORECAST
from .decisions.company import _PRONOUN_SUBJECT
from .patterns import _MARKET_METRICS, _MODEL_NAME, _UNIT_NOUN, _is_ratio_metric, _re_fullmatch, _re_match


_CURRENCY_CODE = regex.compile(r"[A-Z]{3}")
# the words that may stand before a sentence's fronted period: "Looking (forward) to", "For", "In", "As for"
_FRONTED = regex.compile(r"(?i)\s*[\"'“]?(?:(?:looking|turning)\s+(?:ahead\s+|forward\s+)?to|for|in|as\s+for)?\s*(?:the\s+|its\s+)?")


@dataclass
class ArticleState:
    """What is in force from earlier sentences of one article."""

    company: str | None = None
    company_set: bool = False
    metric: str | None = None
    amount_metric: str | None = None
    money_metric: str | None = None
    market_metric: str | None = None  # the metric of the last market-wide figure  # the last metric of a money figure: what a bare money amount carries
    metric_text: str | None = None
    period: str | None = None
    source: str | None = None
    fiscal: bool = False
    market: str | None = None
    market_product: str | None = None  # the product of the last market named with one ("smartphone")
    forecast_period: str | None = None
    lower: str | None = None
    vehicles: bool = False
    segment: str | None = None
    month: str | None = None
    market_story: bool = False
    named_company: str | None = None  # the last company written out, for "It" after a market figure


class CarryOver:
    """The article state updated after a sentence (mixed into ``_Sentence``)."""

    def _update_market_state(self, row: dict) -> None:
        """A market-wide row's market (and its measure) stays in force, for the sentence's next rows too."""
        if row["segment"] and row["segment"].endswith(" market") and (row["company"] is None or row["metric"] in _MARKET_METRICS):
            self.state.market = row["segment"]  # (a vendor's share of a market: that market too)
            if row["metric"] in _MARKET_METRICS and not _is_ratio_metric(row["metric"]):
                self.state.market_metric = row["metric"]

    def _update_state_with_claims(self, rows: list[dict], last_company: str | None, last_metric: str | None,
                                  any_company: bool) -> None:
        """The state after a sentence that was read for claims.

        Args:
            rows: the sentence's claim rows, in text order.
            last_company, last_metric: those of the last row built (levels before priors).
            any_company: whether any row was built.
        """
        if any_company:
            if last_company is not None or self.state.company is None \
                    or not _PRONOUN_SUBJECT.match(self.norm[self.s0:self.s0 + 40]):
                # ("The company expects DRAM industry supply bit growth of 20%": a market figure in
                # the company's words leaves the company in force)
                self.state.company, self.state.company_set = last_company, True
            if last_metric and last_metric != "unknown":
                self.state.metric = last_metric
            amounts = [r["metric"] for r in rows if r["unit"] != "%" and r["metric"] != "unknown"
                       and not _is_ratio_metric(r["metric"])]
            if amounts:
                self.state.amount_metric = amounts[-1]
            money = [r["metric"] for r in rows if _CURRENCY_CODE.fullmatch(r["unit"] or "") and r["metric"] != "unknown"]
            if money:
                self.state.money_metric = money[-1]
        elif self.companies:
            self.state.company, self.state.company_set = self.companies[-1].id, True
        self._update_period_state()
        self._update_segment_state(rows)
        if self._source():
            self.state.source = self._source()
        if self.companies:
            self.state.named_company = self.companies[-1].id

    def _update_state_without_claims(self) -> None:
        if self.companies:
            self.state.company, self.state.company_set = self.companies[-1].id, True
            self.state.named_company = self.companies[-1].id
        if self.metrics:
            self.state.metric = self.metrics[-1].label
            amounts = [m.label for m in self.metrics if not _is_ratio_metric(m.label)]
            if amounts:
                self.state.amount_metric = amounts[-1]
            money = [x for x in amounts if not self.o.metric_units.get(x)]  # not a count ("employees")
            if money:
                self.state.money_metric = money[-1]
        self._update_period_state()
        self._update_segment_state([])

    def _update_segment_state(self, rows: list[dict]) -> None:
        """The unit a sentence is about stays in force for "It ..." and "the segment's ..." next."""
        named = [r["segment"] for r in rows if r["segment"] and not r["segment"].endswith(" market")]
        if named:
            self.state.segment = named[-1]
            return
        model = _MODEL_NAME.search(self.norm, self.s0, self.s1) if self._cap_digit else None
        if rows and model:
            self.state.segment = model.group(1).lower()
            return
        m = _UNIT_NOUN.match(self.norm[self.s0:self.s1].lstrip())
        products = [sg.label for sg in self.segments if sg.id == "product"]
        if model:
            products.append(model.group(1).lower())
        if m:
            self.state.segment = m.group(1).lower()
        elif not rows and products:
            self.state.segment = products[-1]  # "Sony raised the price of the PS5 in Japan."
        elif rows or self.companies:
            self.state.segment = None

    def _fronted_forecast(self, p) -> bool:
        """Whether a period mention fronts a sentence whose main clause forecasts ("Looking to the
        third quarter, Cisco said it expects ...", "For the full year, Infineon raised its
        guidance ..."): the period is the one the forecasts that follow are for."""
        if not _FRONTED.fullmatch(self.norm, self.s0, p.start) or not _re_match(r"\s*,", self.norm[p.end:p.end + 3]):
            return False
        before, _ = self._forecast_cues
        return any(c.start > p.end and c.id in _STRONG_FORECAST for c in before)

    def _update_period_state(self) -> None:
        fiscal_end = self.o.fiscal_by_company.get(self.state.company) if self.state.company else None
        p = self.main_mention()
        if p is not None and (self._forecast_at(p.start) or self._fronted_forecast(p)):
            r = resolve(p.spec, PeriodContext(self.doc_date, self.ref_year, self.state.period, fiscal_end, True))
            if r:
                self.state.forecast_period = r
        elif p is not None and (self.items or self.state.period is None) and p.spec.rel != "as_of" \
                and not (getattr(self, "rows_so_far", None) and all(r["modality"] == "forecast" for r in self.rows_so_far)):
            r = resolve(p.spec, PeriodContext(self.doc_date, self.ref_year, self.state.period, fiscal_end, False))
            if r and _re_fullmatch(r"\d{4}-\d\d", r):
                self.state.month = r
            aside = ((p.spec.kind == "REL" and p.spec.rel == "full_year") or p.spec.kind == "Y") \
                and _contains(r or "", self.state.period)
            rows = getattr(self, "rows_so_far", None)
            unused = bool(rows) and all(row["period"] != r for row in rows)  # "after its Series B last year"
            if r and not _earlier(r, self.state.period) and not aside and not unused:
                self.state.period = r  # a "for the full year" aside leaves the quarter in force
        # the market named in this sentence ("the global smartphone market") stays in force
        # a market is named by the general entries, not those limited to one company's units
        # ("the wearables market", not Apple's "wearables and other products")
        geo = [s.label for s in self.segments if s.id == "geography" and not s.extra]
        prod = [s.label for s in self.segments if s.id == "product" and not s.extra]
        if any(c.label == "MARKET" for c in self.cues) and (geo or prod):
            # a market named by its place alone is of the product in force ("the final two markets
            # in Southeast Asia" in a story of smartphone shipments)
            prod = prod[:1] or ([self.state.market_product] if self.state.market_product and geo else [])
            self.state.market = " ".join(x for x in (geo[:1] + prod)) + " market"
            self.state.market_product = prod[0] if prod else self.state.market_product
        elif prod and any(r["company"] is None and (r["segment"] or "").endswith(" market")
                          for r in getattr(self, "rows_so_far", None) or ()):
            self.state.market_product = prod[0]  # "Southeast Asia's Q2 smartphone shipments fell by 7%"
        if any(c.label == "MARKET" for c in self.cues) and not self.companies and not self.items:
            self.state.company, self.state.company_set = None, True
