"""Decisions to rows: a sentence's claims, one schema-v1 row per level or unpaired change.

:meth:`RowAssembly.claims` runs the decisions in order (roles, pairing, then
per claim metric, company, segment, period, direction, basis, modality) and
builds the rows; a change paired with a level is carried on its level's row,
prior figures come last so they can take their level's period, metric,
company and segment. The row-level adjustments of the metric (carried
metric, volume sales as shipments or deliveries, prices, shares offered)
are made here, where the company and the figure's unit are known.
"""
from __future__ import annotations

import math

import regex

from ..claim import Claim
from ..periods import set_against_actual
from .decisions.period import _contains, _later
from .items import Item
from .patterns import _PRODUCT_ANAPHOR, _is_ratio_metric, _re_match, _re_search

# Metrics of money raised or put in: a share count or a per-share price in their sentence is
# what the raise offers ("is offering 48 million shares", "at HK$30 apiece")
_RAISED_MONEY = (None, "unknown", "funding", "ipo proceeds", "valuation", "investment")


_OFFER_BEFORE = regex.compile(r"(?i)\b(?:offer(?:s|ing|ed)?|sell(?:s|ing)?|sold|issu(?:e|es|ing|ed)|float(?:s|ing|ed)?|list(?:s|ing|ed)?)\s+(?:[\w-]+\s+){0,2}$")
_EACH_AFTER = regex.compile(r"(?i)\s*(?:apiece|each|per\s+share|a\s+share)\b")
_FIGURE_ANAPHOR = regex.compile(r"(?i)\b(?:the|that|this)\s+(?:figure|number|tally|total)\b(?!\s+of\b)")


class RowAssembly:
    """The claim rows of a sentence (mixed into ``_Sentence``)."""

    def claims(self) -> list[dict]:
        """The sentence's claim rows in text order; updates the article state for the next sentence.

        Returns:
            Schema-v1 rows (``Claim.to_dict``) with ``_role``, ``_kind`` and ``_level_start`` added (the figure's role
            and kind, read by the attachment model and dropped by the builder).
        """
        if not self.items:
            self._update_state_without_claims()
            return []
        self.assign_roles()
        self.pair()
        self._frozen = True
        rows: list[dict] = []
        last_company, last_metric = None, None
        any_company = False
        periods: dict[int, str | None] = {}
        self.level_rows: dict[int, dict] = {}
        self.rows_so_far: list[dict] = []
        order = [it for it in self.items if it.role != "prior"] + [it for it in self.items if it.role == "prior"]
        for it in order:
            if it.role == "change" and it.level is not None:
                continue  # carried on its level's claim
            row = self._row(it, 0, self._level_period(it, periods))
            if row is not None:
                # read by the attachment model, then dropped
                row["_role"], row["_kind"] = it.role, it.fig.kind
                level = self._level_of(it, periods, after_too=False)
                row["_level_start"] = level.fig.start if level is not None else None
                self.rows_so_far.append(row)
                periods[id(it)] = row["period"]
                self.level_rows[id(it)] = row
                self._update_market_state(row)
                rows.append(row)
                last_company, last_metric = row["company"], row["metric"]
                any_company = True
        rows.sort(key=lambda r: r["start"])
        for k, row in enumerate(rows):
            row["claim_id"] = f"{self.doc_id}:{self.index}:{k}"
        self._update_state_with_claims(rows, last_company, last_metric, any_company)
        return rows

    def _level_row_of_prior(self, it: Item) -> dict | None:
        """The claim row of the level a prior figure is the comparison for (same unit)."""
        rows = getattr(self, "level_rows", {})
        for x in self.items:
            if x.prior is it and id(x) in rows:
                return rows[id(x)]
        before = [x for x in self.items if x.fig.start < it.fig.start and id(x) in rows
                  and x.fig.unit == it.fig.unit and x.role == "level"]
        if not before:
            return None
        # the comparison is of like with like: the closest in magnitude, then the nearest
        def gap(x: Item) -> float:
            a, b = float(x.fig.value or 0), float(it.fig.value or 0)
            return abs(math.log10(a / b)) if a > 0 and b > 0 else 99.0
        best = min(reversed(before), key=gap)
        return rows[id(best)]

    def _level_period(self, it: Item, periods: dict[int, str | None]) -> str | None:
        """For a prior figure: the period of the level it is the comparison for."""
        level = self._level_of(it, periods)
        return periods[id(level)] if level is not None else None

    def _level_of(self, it: Item, periods: dict[int, str | None], after_too: bool = True) -> Item | None:
        """For a prior figure: the level it is the comparison for, among the items with a row
        (``periods`` holds their ids): paired with it, else the last level before it, else, with
        ``after_too``, the first after it."""
        if it.role != "prior":
            return None
        for x in self.items:
            if x.prior is it and id(x) in periods:
                return x
        before = [x for x in self.items if x.fig.start < it.fig.start and id(x) in periods]
        if before:
            return before[-1]
        if not after_too:
            return None
        return next((x for x in self.items if id(x) in periods), None)

    def _row(self, it: Item, k: int, level_period: str | None = None) -> dict | None:
        """The claim row of a level (with its change), an unpaired change or a prior; None without value or change.

        ``k`` numbers the claim id (renumbered in text order by :meth:`claims`); ``level_period`` is,
        for a prior, the period of the level it is compared with.
        """
        f = it.fig
        change_item = it if it.role == "change" else it.change
        level_item = None if it.role == "change" else it
        mm = self._metric_for(it)
        if mm is None and change_item is not None and change_item is not it:
            mm = self._metric_for(change_item)
            if mm is not None and _is_ratio_metric(mm[0]) and f.unit != "%":
                mm = None  # "15.9 million units and a 23.7% share, ... down 28.5%": not the share's
        if mm is None and it.role == "change" and self.rows_so_far:
            last = self.rows_so_far[-1]  # "... and an increase of 3.2 percentage points quarter-on-quarter"
            mm = (last["metric"], None)
        metric, metric_m = (mm if mm else (None, None))
        further_row = self.level_rows.get(id(it.further_of)) if it.further_of is not None else None
        if further_row is not None and (metric_m is None or metric_m.end <= it.further_of.fig.start):
            metric, metric_m = further_row["metric"], None  # the second change moves the same figure
        level_row = self._level_row_of_prior(it) if it.role == "prior" else None
        prev_end = max([x.fig.end for x in self.items if x.fig.end <= f.start] + [self.s0])
        cmp_word = _re_search(r"(?i)\b(?:from|compared|against|versus)\b(?!.*\b(?:from|compared|against|versus)\b)",
                                self.norm[prev_end:f.start])
        cmp_at = prev_end + cmp_word.start() if cmp_word else prev_end
        own_metric = metric_m is not None and cmp_at <= metric_m.start and metric_m.end <= f.start
        if level_row is not None and not own_metric:
            metric = level_row["metric"]  # "from $1.37 billion a year earlier": the level's metric
        head = self.norm[self.clause_start(f.start):f.start]
        if (metric is None or (metric_m is not None and metric_m.start > f.end)) and _FIGURE_ANAPHOR.search(head):
            metric, metric_m = (self.state.metric if f.unit == "%" else self.state.amount_metric) or metric, None
        if metric is None and f.kind == "money" and _PRODUCT_ANAPHOR.search(head):
            metric = "price"  # "The standard console will go up to ¥66,980"
        if metric is None and self.o.settings.carry_metric:
            # a share carries to a percent; an amount takes the last amount metric
            metric = self.state.metric if f.unit == "%" else (
                (self.state.money_metric if f.kind == "money" else self.state.amount_metric) or None)
        if metric is None:
            metric = "unknown"
        if metric_m is not None and metric_m.text.lower() in ("costs", "cost") and 0 <= f.start - metric_m.end <= 2 \
                and f.kind == "money":
            metric = "price"  # "the top model costs ¥289,800"
        if metric == "revenue" and (f.kind in ("count", "number") or (
                change_item is not None and change_item.fig.kind in ("count", "number"))):
            # "sales ... 30.4 million units" is a sales volume (schema: shipments; of cars: deliveries)
            metric = "deliveries" if (f.unit == "vehicles" or (self.state.vehicles and not self._device_named)) else "shipments"
        if f.unit == "shares" and metric in _RAISED_MONEY and _OFFER_BEFORE.search(
                self.norm, self.clause_start(f.start), f.start):
            metric = "shares offered"  # "is offering 48 million shares"
        elif f.kind == "money" and metric in _RAISED_MONEY \
                and _EACH_AFTER.match(self.norm, f.end, f.end + 20):
            metric = "price"  # "at between HK$30 and HK$33.50 apiece"
        if metric in ("price", "share price") and f.kind in ("count", "number"):
            metric = "unknown"  # "accelerates from 0 to 100 km/h" in a sentence about a price: no price
        if metric == "shipments" and (f.unit == "vehicles" or (self.state.vehicles and f.unit in ("units", None)
                                                               and not self._device_named)):
            metric = "deliveries"  # "BYD sold 824,000 new energy vehicles"
        elif metric == "deliveries" and f.kind == "count" and f.unit not in (None, "vehicles") and not self.state.vehicles:
            metric = "shipments"  # "deliveries of 9.1 million devices": devices are shipped (schema: shipments)
        company, company_text, market = self._company_for(it, metric_m, metric)
        if market and metric_m is None and self.state.market_metric and f.kind != "money" \
                and level_row is None and not _FIGURE_ANAPHOR.search(head):
            metric = self.state.market_metric  # "Canalys expects the market to shrink by 3%": the market's measure
        if level_row is not None and company_text is None and level_row["company"] != company:
            # "made up 53 per cent of all shipments, up from 31 per cent": the prior is the level's
            company, market = level_row["company"], level_row["company"] is None
        if metric in ("share of shipments", "share of deliveries") and company and company_text and not market \
                and not _re_match(r"(?i)\s+of\s+(?:its|their|total|the\s+company's)\b", self.norm[f.end:f.end + 30]):
            metric = "market share"  # "Meta remained the dominant brand with nearly 80% of shipments"
        # a percent level with a share-of form: "accounted for 58.8% of revenue"
        if level_item is not None and f.unit == "%" and metric and not _is_ratio_metric(metric):
            if metric_m is not None and metric_m.id:
                metric = metric_m.label
            elif change_item is None and not _is_ratio_metric(metric):
                pass
        forecast = self._forecast(f)
        basis = self._basis(change_item, level_item) if change_item is not None else None
        day = self._day_mention() if metric in self.o.settings.event_metrics else None
        if day is not None:
            period, period_text = day  # "rose 2.5% to HK$246.0 in morning trading on October 31"
        elif self.doc_date_s and metric in self.o.settings.event_metrics:
            period, period_text = self.doc_date_s, None  # an event of the publication day
        else:
            # an estimate set against the reported figure is for the reported period
            period_forecast = forecast and not set_against_actual(self.norm, self.s0, self.s1)
            period, period_text = self._period_for(it, company, period_forecast, basis, level_period)
            if period_text is None and period and self.state.month and any(c.label == "MOM" for c in self.cues) \
                    and _contains(period, self.state.month):
                period = self.state.month  # "rose 15.2% month-on-month": the month in force, not its quarter
        if forecast and period and period_text and self.state.period and not _later(period, self.state.period) \
                and not self._forecast_at(f.start, f.end, strong_only=True):
            # "revenue will decrease by 24.2% ... in the first quarter of 2023" in a story on
            # that quarter's results: a translated future tense, not a forecast
            forecast = False
        segment = self._segment_for(it, metric_m, company, market, metric)
        if level_row is not None and segment != level_row["segment"] \
                and not any(cmp_at <= x.start < f.start for x in self.segments):
            segment = level_row["segment"]  # "53 per cent of all 5G shipments, up from 31 per cent": the same segment
        value = value_text = unit = value_high = None
        qualifier = "exact"
        if level_item is not None:
            unit = f.unit
            value = f.value
            if unit == "bp":
                unit, value = "pp", value / 100
            if unit is None or (f.kind == "count" and unit == "units"):
                unit = self.o.metric_units.get(metric) or ("units" if f.kind in ("count", "number") else unit)
            value = float(value)
            value_text = it.text
            qualifier = f.qualifier
            value_high = float(f.value_high) if f.value_high is not None else None
        change = change_unit = change_text = None
        direction = it.direction if it.role == "level" else None
        if change_item is not None:
            cf = change_item.fig
            direction = change_item.direction or direction
            mag = float(cf.value)
            change_unit = cf.unit
            if change_unit == "bp":
                change_unit, mag = "pp", mag / 100
            if change_unit is None or cf.kind in ("count", "number"):
                change_unit = unit or self.o.metric_units.get(metric) or cf.unit or "units"
            if cf.kind == "money":
                change_unit = cf.unit
            if direction == "decrease":
                mag = -abs(mag)
            elif direction == "flat":
                mag = 0.0
            change = mag
            change_text = change_item.text
            if level_item is None:
                qualifier = cf.qualifier if cf.qualifier != "range" else "exact"
                if cf.unit not in ("%", "pp", "bp") and cf.kind != "percent":
                    unit = change_unit
        elif level_item is not None and it.direction == "flat":
            direction = "flat"
        if metric == "net additions" and level_item is not None and change_item is None and value is not None \
                and f.kind in ("count", "number") and (metric_m is None or metric_m.end <= f.start or not any(
                    f.end <= x.fig.start < metric_m.start for x in self.items)):
            # (not when another figure stands between: "expanding our customer base to nearly 123
            # million with over 4.1 million net additions" is a level; the additions are the 4.1 million)
            # "subscriber additions were 2.75 million": the change of what is added (the gold never
            # names "net additions" a metric; "added 1.3 million customers" is a change)
            named = (metric_m.text if metric_m is not None else "").lower()
            metric = "customers" if "customer" in named else "users" if "user" in named else "subscriptions"
            change, change_unit, change_text = value, unit, value_text
            direction = "decrease" if value < 0 else "increase"
            value = value_text = value_high = None
            qualifier = "exact"
        if it.metric_prefix and metric and not metric.startswith(it.metric_prefix):
            metric = f"{it.metric_prefix} {metric}"  # "or 29% on a constant currency basis"
        if level_item is None and change_item is not None and change_item.fig.qualifier == "range" \
                and change_item.fig.unit == "%" and change_item.fig.value_high is not None:
            # gold conventions: "a range of change (grew 24% to 26%) is a claim of metric
            # <metric> growth with a range value in %" ("dropped 2% to 3%": -3 to -2)
            low, high = float(change_item.fig.value), float(change_item.fig.value_high)
            if direction == "decrease":
                low, high = -abs(high), -abs(low)
            metric = f"{metric} growth" if metric and metric != "unknown" else "growth"
            value, value_high, unit, qualifier, value_text = low, high, "%", "range", change_text
            change = change_unit = change_text = basis = None
        anchor = f
        start, end = anchor.start, anchor.end
        if value is None and change is None:
            return None
        claim = Claim(
            claim_id=f"{self.doc_id}:{self.index}:{k}", doc_id=self.doc_id, doc_date=self.doc_date_s,
            sentence_index=self.index, sentence=self.text[self.s0:self.s1], start=start, end=end,
            company=company, company_text=company_text, metric=metric,
            metric_text=metric_m.text if metric_m is not None else None, segment=segment,
            value=value, value_text=value_text, unit=unit, qualifier=qualifier, value_high=value_high,
            period=period, period_text=period_text, direction=direction, change=change,
            change_unit=change_unit, change_basis=basis, change_text=change_text,
            modality="forecast" if forecast else "actual",
            source=self._source() or (self.state.source if company is None else None),
        )
        return claim.to_dict()
