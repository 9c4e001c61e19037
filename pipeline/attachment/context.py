"""What the attachment model may look at: one sentence's mentions and the article around it."""
from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..periods import FOUNDED_BEFORE

LEAD_SENTENCES = 3
"""Sentences that make an article's lead (the headline is the first)."""


@dataclass
class ArticleContext:
    """Article-wide facts, built once per article.

    Attributes:
        text: the article text (offsets index into it).
        doc_date: publication date, or None.
        ref_year: the latest year the article reports as past (used without a date).
        company_counts: how often each canonical company is named.
        top_company: the most-named company, or None.
        headline_companies, lead_companies: companies named in the first
            sentence and in the first ``LEAD_SENTENCES`` sentences, in order.
        fiscal_mentions: periods written as fiscal ("fiscal 2024", "FY24", "Q1 FY24").
        fiscal_years: fiscal years written, most frequent first.
        quarter_end_months: months named in "the quarter ended <month>".
        lead_periods: the period mentions of the lead, in order.
        fiscal_by_company: fiscal year-end month of companies with a known calendar.
    """

    text: str
    doc_date: dt.date | None
    ref_year: int | None
    company_counts: Counter
    top_company: str | None
    headline_companies: list[str]
    lead_companies: list[str]
    fiscal_mentions: int
    fiscal_years: list[int]
    quarter_end_months: set[int]
    lead_periods: list[Any]
    periods: list[Any]
    fiscal_by_company: dict[str, int | None] = field(default_factory=dict)
    written_names: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # derived facts, computed once when first asked for

    @classmethod
    def build(cls, text: str, doc_date: dt.date | None, ref_year: int | None, companies: list,
              periods: list, sentences: list[tuple[int, int]],
              fiscal_by_company: dict[str, int | None]) -> "ArticleContext":
        """Collect the article's facts.

        Args:
            text: the article text.
            doc_date: publication date or None; ref_year: the article's latest past year.
            companies: company and source mentions (``label`` COMPANY or SOURCE, ``id`` the name).
            periods: :class:`~pipeline.periods.PeriodMention` list, in text order.
            sentences: ``[start, end)`` offsets of the sentences.
            fiscal_by_company: canonical name -> fiscal year-end month.
        """
        spans = [(a, b) for a, b in sentences if not text[a:b].isspace()]
        head_end = spans[0][1] if spans else len(text)
        lead_end = spans[min(LEAD_SENTENCES, len(spans)) - 1][1] if spans else len(text)
        names = [c.id for c in companies if c.label == "COMPANY"]
        counts = Counter(names)
        top = max(dict.fromkeys(names), key=names.count) if names else None
        # the year an organisation was founded dates an event, not a period the story reports
        # ("Founded in 2015, Leapmotor ..."): it is no period of the article's
        reported = [p for p in periods if not FOUNDED_BEFORE.search(text, max(0, p.start - 30), p.start)]
        fiscal = [p for p in periods if p.spec.fiscal]
        years = Counter(p.spec.year for p in fiscal if p.spec.year)
        return cls(
            text=text, doc_date=doc_date, ref_year=ref_year, company_counts=counts, top_company=top,
            headline_companies=list(dict.fromkeys(c.id for c in companies if c.label == "COMPANY" and c.start < head_end)),
            lead_companies=list(dict.fromkeys(c.id for c in companies if c.label == "COMPANY" and c.start < lead_end)),
            fiscal_mentions=len(fiscal), fiscal_years=[y for y, _ in years.most_common()],
            quarter_end_months={p.spec.month for p in periods if p.spec.kind == "MQ" and p.spec.month},
            lead_periods=[p for p in reported if p.start < lead_end and p.spec.kind != "D"],
            periods=reported,
            fiscal_by_company=fiscal_by_company,
            written_names=_written_names(text, companies),
        )


@dataclass
class SentenceView:
    """One sentence as the attachment model sees it (read-only).

    Offsets are end-exclusive character offsets into the article text;
    ``norm`` is the text with look-alike characters folded one for one.
    """

    index: int
    s0: int
    s1: int
    text: str
    norm: str
    companies: list
    sources: list
    metrics: list
    segments: list
    periods: list
    cues: list
    figure_spans: list[tuple[int, int]]
    breaks: list[int]
    commas: list[int]
    before: Any  # the ArticleState in force before the sentence
    article: ArticleContext
    metric_units: dict[str, str | None]
    respective_metrics: dict[int, int] = field(default_factory=dict)  # figure start -> its metric's start ("respectively")
    respective_companies: dict[int, int] = field(default_factory=dict)  # figure start -> its company's start
    cache: dict = field(default_factory=dict)  # per-sentence facts shared by its claims

    @classmethod
    def of(cls, sc: Any, before: Any, article: ArticleContext) -> "SentenceView":
        """The view of a :class:`pipeline.claims._Sentence` after its claims were assembled."""
        return cls(index=sc.index, s0=sc.s0, s1=sc.s1, text=sc.text, norm=sc.norm,
                   companies=sc.companies, sources=sc.sources, metrics=sc.metrics, segments=sc.segments,
                   periods=sc.periods, cues=sc.cues,
                   figure_spans=[(it.fig.start, it.fig.end) for it in sc.items],
                   respective_metrics=sc.respective_metrics, respective_companies=sc.respective_companies,
                   breaks=sc.breaks, commas=sc.commas, before=before, article=article,
                   metric_units=sc.o.metric_units)

    @property
    def figure_starts(self) -> list[int]:
        """Start offsets of the sentence's figures, increasing."""
        starts = self.cache.get("figure_starts")
        if starts is None:
            starts = self.cache["figure_starts"] = sorted(a for a, _ in self.figure_spans)
        return starts

    def clause(self, pos: int) -> int:
        """Index of the clause (cut at ";", "but", "while", ", and" ...) holding ``pos``."""
        return bisect.bisect_left(self.breaks, pos)

    def comma_clause(self, pos: int) -> int:
        """Index of the comma-delimited part holding ``pos``."""
        return bisect.bisect_left(self.commas, pos)


def _written_names(text: str, companies: list) -> dict[str, str]:
    """Canonical company name -> the name the article writes, for a company the article never
    calls by its canonical name (a renamed company: "Etisalat" for e&; a brand for its parent).

    The written name is the first mention's first words up to a legal suffix.
    """
    lower = text.lower()
    out: dict[str, str] = {}
    seen: set[str] = set()  # each company's name is looked for in the text once
    for c in companies:
        if c.label != "COMPANY" or c.id in seen:
            continue
        seen.add(c.id)
        first = c.id.split()[0].lower()
        if first not in lower:
            written = c.text.split(" Inc")[0].split(" Corp")[0].split(" Ltd")[0].strip()
            if not c.id.lower().startswith(written.lower()):  # "JD" for JD.com is the same name, shortened
                out[c.id] = written
    return out
