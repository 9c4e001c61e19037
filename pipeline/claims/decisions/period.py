"""Period: the figure's own period, the sentence's, or the one in force.

The period written right after a figure in its clause; for a prior figure
its own comparison period or the level's period shifted back (a year, a
quarter, a month); else the best period written before it ("For the
September quarter, the first of fiscal 2024": the quarter, in that year);
else the sentence's main period; else the forecast period or the period in
force. Also the comparisons of normalised period labels ("2023-Q2",
"FY2024") that carry-over uses.
"""
from __future__ import annotations

from dataclasses import replace as _replace

import regex

from ...periods import COMPARISON_WORDS as _COMPARISON_WORDS, PeriodContext, PeriodMention, as_comparison, resolve, shift
from ..items import Item
from ..patterns import _re_fullmatch


_COMPARISON_BEFORE = regex.compile(r"(?i)\b(?:than|from|compared\s+(?:with|to)|versus|over|since|below|above|short\s+of|ahead\s+of)\s+(?:in\s+|during\s+|at\s+)?$")


class PeriodRules:
    """The period of a figure and of the sentence (mixed into ``_Sentence``)."""

    def own_period(self, it: Item) -> PeriodMention | None:
        """The period written right after a figure, before the next figure, in its clause."""
        f = it.fig
        c = self.clause(f.start)
        others = [x.fig.start for x in self.items if x is not it and x.fig.start > f.end]
        next_fig = min(others) if others else self.s1
        reach = (f.noun_end or f.end) + 45
        own = [p for p in self.periods if f.end <= p.start < min(next_fig, reach) and self.clause(p.start) == c
               and p.spec.kind != "D"
               # an earlier period is a level's own only when written as its own ("27 cents a share in
               # the year-ago quarter"), not as a comparison ("up 5% from a year earlier")
               and (it.role == "prior" or not p.is_prior or not _COMPARISON_WORDS.match(self.norm, p.start))
               and (it.role == "prior" or not _COMPARISON_BEFORE.search(self.norm[max(self.s0, p.start - 25):p.start]))]
        return own[0] if own else None

    def bound_to_prior(self) -> set[int]:
        """Start offsets of periods that belong to a prior ("from X in Q1 2022") figure."""
        if self._frozen and self._bound is not None:
            return self._bound
        out = set()
        for x in self.items:
            if x.role == "prior":
                p = self.own_period(x)
                if p is not None:
                    out.add(p.start)
        if self._frozen:
            self._bound = out
        return out

    def _period_for(self, it: Item, company: str | None, forecast: bool, basis: str | None,
                    level_period: str | None = None) -> tuple[str | None, str | None]:
        """(period, the words that name it) of a figure; the words are None for a period derived or carried.

        ``level_period`` is, for a prior figure, the period of the level it is compared with.
        """
        f = it.fig
        fiscal_end = self.o.fiscal_by_company.get(company) if company else None
        in_force = level_period or self.state.period
        ctx = PeriodContext(self.doc_date, self.ref_year, in_force, fiscal_end, forecast, self.state.month)
        c = self.clause(f.start)
        own = self.own_period(it)
        if it.role == "prior":
            if own is not None:
                return resolve(as_comparison(own.spec, in_force), ctx), self.text[own.start:own.end]
            # a comparison period written for another prior of this sentence
            for x in self.items:
                if x is not it and x.role == "prior":
                    p = self.own_period(x)
                    if p is not None and not p.is_prior:
                        return resolve(p.spec, ctx), None
            if not in_force:
                return None, None
            if basis is None:
                labels = {c.label for c in self.cues}
                rels = {p.spec.rel for p in self.periods if p.is_prior}
                basis = "qoq" if ("QOQ" in labels or "prior_quarter" in rels) else \
                    "mom" if ("MOM" in labels or "prior_month" in rels) else None
            if basis == "qoq":
                return shift(in_force, quarters=-1), None
            if basis == "mom":
                return shift(in_force, months=-1), None
            return shift(in_force, years=-1), None
        if own is not None and own.spec.kind == "Y" and own.spec.year:
            finer = [p for p in self.periods if p.end <= f.start and self.clause(p.start) == c
                     and p.spec.kind in ("Q", "H", "MQ") and p.spec.year is None and p.spec.year_rel is None]
            if finer:  # "first-half revenue rose 21% to HK$3.46 billion in 2024"
                best = self._best_period(finer + [own])
                return resolve(best.spec, ctx), self.text[finer[-1].start:finer[-1].end]
        if own is not None:
            return resolve(own.spec, ctx), self.text[own.start:own.end]
        bound = self.bound_to_prior()
        usable = [p for p in self.periods if p.spec.kind != "D" and p.start not in bound
                  and (not p.is_prior or not _COMPARISON_WORDS.match(self.norm, p.start))
                  and not self._since(p)]
        prev_figs = [x.fig.end for x in self.items if x is not it and x.fig.end <= f.start]
        lo = max(prev_figs) if prev_figs else self.s0
        before = [p for p in usable if lo <= p.start and p.end <= f.start]
        if not before:
            before = [p for p in usable if p.end <= f.start and self.clause(p.start) == c]
        if before:
            pick = self._best_period(before)
            return resolve(pick.spec, ctx), self.text[pick.start:pick.end]
        main_mention = self.main_mention()
        if main_mention is not None and (main_mention.start < f.start or self.comma_clause(main_mention.start)
                                         == self.comma_clause(f.start) or (not forecast and self.clause(main_mention.start) == c)):
            return resolve(main_mention.spec, ctx), self.text[main_mention.start:main_mention.end]
        if forecast and self.state.forecast_period:
            return self.state.forecast_period, None
        if self.o.settings.carry_period and self.state.period:
            return self.state.period, None
        return None, None

    _KIND_RANK = {"Q": 5, "H": 4, "MQ": 4, "M": 3, "SPAN": 2, "REL": 2, "Y": 1, "D": 0}

    def _best_period(self, before: list[PeriodMention]) -> PeriodMention:
        """Of the periods written before a figure in its clause, the one that names it.

        "For the September quarter, the first of fiscal 2024" and "the fourth
        quarter of its fiscal year 2023, the three months to June 30" name one
        period twice: the most specific mention with a year wins, then the last.
        """
        last = before[-1]
        group = [p for p in before if self.clause(p.start) == self.clause(last.start)]
        if len(group) == 1:
            return last

        def key(p: PeriodMention):
            has_year = p.spec.year is not None or p.spec.year_rel is not None
            return (p.spec.kind != "Y", has_year, self._KIND_RANK.get(p.spec.kind, 0), p.start)

        best = max(group, key=key)
        year_m = next((p for p in group if p.spec.kind == "Y" and p.spec.year), None)
        if best.spec.kind in ("Q", "MQ", "H") and best.spec.year is None and year_m is not None:
            # "the September quarter, the first of fiscal 2024": the quarter, in that year
            spec = best.spec
            if spec.kind in ("Q", "H"):
                spec = _replace(spec, year=year_m.spec.year, fiscal=spec.fiscal or year_m.spec.fiscal)
            else:
                end = self.o.fiscal_by_company.get(self.state.company) if year_m.spec.fiscal else None
                cal_year = year_m.spec.year if not end or spec.month <= end else year_m.spec.year - 1
                spec = _replace(spec, year=cal_year)
            return PeriodMention(best.start, best.end, spec)
        return best

    def _day_mention(self) -> tuple[str, str] | None:
        """A calendar day written in the sentence, resolved: ("2023-10-31", "on October 31")."""
        for p in self.periods:
            if p.spec.kind == "D":
                ctx = PeriodContext(self.doc_date, self.ref_year, self.state.period, None, False)
                r = resolve(p.spec, ctx)
                if r:
                    return r, self.text[p.start:p.end]
        return None

    def _since(self, p: PeriodMention) -> bool:
        """ "has doubled since January": the start of a change, not the figure's period."""
        return self.lower[p.start:p.start + 6] == "since "

    def main_mention(self) -> PeriodMention | None:
        """The sentence's own reporting period: its first period that is not a comparison."""
        if self._frozen and self._main is not None:
            return self._main[0]
        found = self._main_mention()
        if self._frozen:
            self._main = (found,)
        return found

    def _main_mention(self) -> PeriodMention | None:
        bound = self.bound_to_prior()
        usable = [p for p in self.periods if not p.is_prior and p.spec.kind != "D" and p.start not in bound
                  and p.spec.rel != "as_of"  # "at the end of June" dates its own figure only
                  and not self._since(p)
                  and not _COMPARISON_BEFORE.search(self.norm[max(self.s0, p.start - 25):p.start])]
        if not usable:
            return None
        first_clause = self.clause(usable[0].start)
        return self._best_period([p for p in usable if self.clause(p.start) == first_clause])


def _period_key(period: str) -> tuple[int, int] | None:
    """(year, month at the period's end) for comparing normalised periods; None if not comparable."""
    m = _re_fullmatch(r"(FY)?(\d{4})(?:-(Q|H)(\d)|-(\d\d))?", period)
    if not m:
        return None
    fy, year, kind, num, month = m.groups()
    year = int(year)
    if kind == "Q":
        return year, int(num) * 3
    if kind == "H":
        return year, int(num) * 6
    if month:
        return year, int(month)
    return year, 12


def _earlier(new: str, current: str | None) -> bool:
    """Whether ``new`` should not replace the period in force ``current``.

    True when ``new`` is earlier, or is a coarser period containing ``current``
    (a full-year aside in a quarterly story), of the same kind (FY or calendar).
    """
    if not current or new.startswith("FY") != current.startswith("FY"):
        return False
    a, b = _period_key(new), _period_key(current)
    if a is None or b is None:
        return False
    if a < b:
        return True
    return False


def _later(new: str, current: str) -> bool:
    """Whether period ``new`` ends after period ``current`` (same kind: FY or calendar)."""
    if new.startswith("FY") != current.startswith("FY"):
        return False
    a, b = _month_range(new), _month_range(current)
    return a is not None and b is not None and a[1] > b[1]


def _contains(new: str, current: str | None) -> bool:
    """Whether period ``new`` strictly contains ``current`` (2023 contains 2023-Q2)."""
    if not current:
        return False
    ra, rb = _month_range(new), _month_range(current)
    return ra is not None and rb is not None and ra != rb and ra[0] <= rb[0] and rb[1] <= ra[1]


def _month_range(period: str) -> tuple[int, int] | None:
    """(first, last) month index (year*12+month) a calendar or fiscal period label covers, approximately."""
    m = _re_fullmatch(r"(FY)?(\d{4})(?:-(Q|H)(\d)|-(\d\d))?", period)
    if not m:
        return None
    _, year, kind, num, month = m.groups()
    base = int(year) * 12
    if kind == "Q":
        return base + (int(num) - 1) * 3 + 1, base + int(num) * 3
    if kind == "H":
        return base + (int(num) - 1) * 6 + 1, base + int(num) * 6
    if month:
        return base + int(month), base + int(month)
    return base + 1, base + 12
