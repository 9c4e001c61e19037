"""The sentence core: one sentence's mentions, clauses and asides, and the decisions combined.

:class:`_Sentence` is built per sentence by :class:`~pipeline.claims.builder.ClaimBuilder`
with the mentions inside it; it filters them (a period that dates a
statement, a segment word inside a company name, a market word inside a
metric), makes the candidate figures (:mod:`.figures`), and offers the
offsets every decision reads: clause and comma-clause boundaries, asides.
The decisions are mixins (:mod:`.decisions`), the rows :mod:`.rows`, the
carry-over :mod:`.state`. :class:`pipeline.attachment.context.SentenceView`
reads ``index``, ``s0``, ``s1``, ``text``, ``norm``, the mention lists,
``items``, ``breaks``, ``commas`` and ``o.metric_units``.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
from typing import TYPE_CHECKING

import regex

from ..numbers import Figure
from ..periods import PeriodMention
from .decisions import (CompanyRules, DirectionRules, MetricRules, PairingRules, PeriodRules, RoleRules,
                        SegmentNameRules, SegmentRules)
from .figures import FigureCandidates
from .items import Item, Mention
from .patterns import _CAP_DIGIT
from .rows import RowAssembly
from .state import ArticleState, CarryOver

if TYPE_CHECKING:
    from .builder import ClaimBuilder


_CLAUSE_BREAK = regex.compile(r"[;|]|\b(?:while|whereas|but)\b|,\s+(?:and|with|as)\b|\s[-|]\s")
_COMMA_BREAK = regex.compile(r"[,;:]|\s-\s|\|")
# (...), " - ... - ", and an apposition after a name: "Adjusted EBITA, the profit measure the group prefers,"
# (the comma is matched before the look-behind that ends with it: the same matches, a third of the time)
# (an apposition holds no "was"/"is": "Europe, the Middle East and Africa was $7.2 billion, down 9%" is a list)
_ASIDE = regex.compile(r"\([^()]*\)|\s-\s[^-]{3,120}?\s-\s|,(?<=[A-Z][\w&.-]{0,30}(?:\s*\([^()]{1,40}\))?,)\s+"
                       r"(?:(?:which|who)\s[^,]{3,80}?|(?:the|a|an|home\s+to|including)\s(?:(?!\b(?:was|were|is|are)\s)[^,]){3,80}?),"
                       r"|,(?<=^(?:The|Its|Their)\s[^,]{2,40},)\s+[a-z][^,]{3,60}?,")
_NOUN_APPOSITION = regex.compile(r",(?<=\b(?:segment|market|business|unit|division|category|region),)\s+(?:a|an)\s[^,]{3,60}?,")
_PLACE_OF = regex.compile(r"-(?:listed|based|headquartered|registered)\b|\s+(?:shares|stock|listing|exchange|bourse|"
                          r"initial\s+public\s+offering|ipo|flotation|debut)\b", regex.I)
_STATED_BEFORE = regex.compile(r"(?i)\b(?:it|they|we|the\s+company|the\s+group)\s+(?:had\s+|has\s+)?(?:announced|projected|forecast|predicted|reported|disclosed|estimated|guided|unveiled|"
                            r"issued|published|gave|set\s+out|said|stated)\s+$")
_VEHICLE_SEGMENTS = {"smart electric vehicles", "ev", "new energy vehicles", "others"}


def _unit_alias(norm: str, company, segment) -> bool:
    """Whether a segment mention is all of a company mention written as another name than the
    company's own ("AWS" for Amazon, "Facebook" for Meta): a unit of the company named by its
    alias, which the gold conventions make the company with that unit as segment."""
    return (segment.start, segment.end) == (company.start, company.end) \
        and norm[company.start:company.end].lower() != company.id.lower()


class _Sentence(FigureCandidates, RoleRules, PairingRules, DirectionRules, MetricRules, CompanyRules,
                SegmentRules, SegmentNameRules, PeriodRules, RowAssembly, CarryOver):
    """Claim assembly for one sentence (internal)."""

    def __init__(self, owner: ClaimBuilder, norm: str, text: str, index: int, s0: int, s1: int,
                 doc_id: str, doc_date_s: str | None, doc_date: dt.date | None, ref_year: int | None,
                 figures: list[Figure], periods: list[PeriodMention], companies: list[Mention],
                 metrics: list[Mention], segments: list[Mention], cues: list[Mention],
                 state: ArticleState, continued: bool = False) -> None:
        self.continued = continued  # a later piece of a sentence cut by max_sentence_figures
        self.o = owner
        self.norm, self.text = norm, text
        self.index, self.s0, self.s1 = index, s0, s1
        self.doc_id, self.doc_date_s, self.doc_date, self.ref_year = doc_id, doc_date_s, doc_date, ref_year
        # "the pre-sale prices it announced in April", "the 25% it projected in April":
        # when a statement was made, not the period of a figure
        self.periods = [p for p in periods if p.spec.kind == "D" or norm[p.start:p.start + 3].lower() not in ("in ", "on ")
                        or not _STATED_BEFORE.search(norm, max(s0, p.start - 40), p.start)]
        self.companies = [c for c in companies if c.label == "COMPANY"]
        self.sources = [c for c in companies if c.label == "SOURCE"]
        self.metrics = metrics
        # a segment word inside a company name ("Kestrel Semiconductor") is the name's, unless the
        # segment is all of a name that is not the company's own ("AWS", "Facebook" for Meta: a
        # unit named by the company's other name); a place a company is listed or based in
        # ("Hong Kong-listed") is not a segment
        self.segments = [sg for sg in segments if not any(c.start <= sg.start and sg.end <= c.end
                                                          and not _unit_alias(norm, c, sg) for c in companies)
                         and not _PLACE_OF.match(norm, sg.end, sg.end + 40)]
        # "market value", "market share": the word names a metric, not a market-wide figure
        self.cues = [c for c in cues if not (c.label == "MARKET" and any(m.start <= c.start and c.end <= m.end for m in metrics))]
        self.state = state
        self.lower = state.lower if state.lower is not None else norm.lower()
        self.items = [Item(f, text=text[f.start:f.end]) for f in self._keep(figures)]
        self.items += self._multiplier_items()
        self.items += self._flat_items()
        self.items += self._times_items()
        self.items.sort(key=lambda it: it.fig.start)
        self._frozen = False  # roles settled: per-sentence results may be cached
        self._bound: set[int] | None = None
        self._main: tuple[PeriodMention | None] | None = None
        self._metric_cache: dict[int, tuple[str, Mention | None] | None] = {}

    @functools.cached_property
    def breaks(self) -> list[int]:
        """Offsets of clause boundaries (";", "while", "but", ", and", ...) in the sentence."""
        return [m.start() for m in _CLAUSE_BREAK.finditer(self.norm, self.s0, self.s1)]

    @functools.cached_property
    def commas(self) -> list[int]:
        """Offsets of comma-level boundaries in the sentence."""
        return [m.start() for m in _COMMA_BREAK.finditer(self.norm, self.s0, self.s1)]

    @functools.cached_property
    def _cap_digit(self) -> bool:
        """The sentence has a capitalised word with a digit ("S7", "Mate60"): it may name a model."""
        return _CAP_DIGIT.search(self.norm, self.s0, self.s1) is not None

    def clause(self, pos: int) -> int:
        return bisect.bisect_left(self.breaks, pos)

    def comma_clause(self, pos: int) -> int:
        return bisect.bisect_left(self.commas, pos)

    def clause_start(self, pos: int) -> int:
        k = bisect.bisect_left(self.breaks, pos)
        return self.breaks[k - 1] if k else self.s0

    def cues_between(self, a: int, b: int, labels: tuple[str, ...]) -> list[Mention]:
        return [c for c in self.cues if a <= c.start and c.end <= b and c.label in labels]

    def _in_aside(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.asides())

    def asides(self) -> list[tuple[int, int]]:
        """Parenthesised and dash-delimited asides of the sentence: (start, end) offsets."""
        return self._asides

    @functools.cached_property
    def _asides(self) -> list[tuple[int, int]]:
        seg = self.norm[self.s0:self.s1]
        if "(" not in seg and "," not in seg and " - " not in seg:
            return []
        found = [(m.start() + self.s0, m.end() + self.s0) for m in _ASIDE.finditer(seg)]
        if "," in seg:  # "In the premium segment, a key growth target, shipments exceeded ..."
            found += [(m.start() + self.s0, m.end() + self.s0) for m in _NOUN_APPOSITION.finditer(seg)]
        return found

    @functools.cached_property
    def _device_named(self) -> bool:
        """The sentence names a product that is not a vehicle ("smartphone shipments" in a carmaker's story)."""
        return any(sg.id == "product" and sg.label not in _VEHICLE_SEGMENTS for sg in self.segments)
