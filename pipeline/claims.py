"""Claim assembly: turn the mentions of one article into schema-v1 claim rows.

Runs last in the pipeline. Per sentence it decides, for every figure, whether
it is a *level* (``revenue was 59.5 billion yuan``), a *change* (``down
18.9%``) or a *prior* level (``from 6.2 billion yuan``), pairs changes with
their levels, and fills company, metric, segment, period, direction, basis,
modality and source from the mentions around the figure and from what is in
force from earlier sentences (schema v1 carry-over rules).

Attachment rules (``../shared/claim_schema.md``):

* a level and its change in one sentence are ONE claim;
* a second change of the same level is its own claim without a value;
* ``from X to Y`` gives two claims: Y with the change (basis ``from_value``)
  and X with its own period and no change;
* a parenthesised currency conversion is not a claim (numbers stage).
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import copy
import math
from dataclasses import dataclass
from dataclasses import replace as _replace
from decimal import Decimal

import regex
from spacy.tokens import Doc

from typing import TYPE_CHECKING

from .attachment.context import ArticleContext, SentenceView
from .claim import Claim
from .numbers import Figure
from .periods import PeriodContext, PeriodMention, resolve, shift

if TYPE_CHECKING:
    from .attachment.model import Attacher

@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int) -> "regex.Pattern":
    return regex.compile(pattern, flags)


def _re_search(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).search(string)


def _re_match(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).match(string)


def _re_fullmatch(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).fullmatch(string)


def _re_sub(pattern, repl, string, flags=0):
    return _compiled(pattern, int(flags)).sub(repl, string)


def _re_finditer(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).finditer(string)


def _re_findall(pattern, string, flags=0):
    return _compiled(pattern, int(flags)).findall(string)


_CLAUSE_BREAK = regex.compile(r"[;|]|\b(?:while|whereas|but)\b|,\s+(?:and|with|as)\b|\s[-|]\s")
_COMMA_BREAK = regex.compile(r"[,;:]|\s-\s|\|")
_TO_LINK = regex.compile(r"^\s*(?:,\s*)?(?:to|at|to\s+a\s+(?:record|total)\s+(?:of\s+)?|to\s+a\s+record|"
                         r"to\s+(?:reach|touch|hit|total|come\s+(?:in\s+)?at|stand\s+at|end\s+at|close\s+at|settle\s+at))\s*$",
                         regex.I)  # "rose 14% to come in at $11.64B", "increased 26% to touch $3.60 billion"
_ADDED_BEFORE = regex.compile(r"(?i)\b(?:added|adds|adding|gained|gains)\s+(?:a\s+net\s+|a\s+further\s+|another\s+|some\s+|about\s+|"
                               r"around\s+|nearly\s+|almost\s+|more\s+than\s+|over\s+)?$")
_PAREN_CHANGE = regex.compile(r"\s*\(\s*([+\-−–]?)\s*")
_PAREN_CLOSE = regex.compile(r"\s*(?:(?:y/y|yoy|year-on-year|year-over-year|q/q|qoq)\s*)?\)", regex.I)
_FROM_BEFORE = regex.compile(r"\b(?:from(?:\s+(?:the|a|an))?|compared\s+(?:with|to)(?:\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?of)?|against|versus)\s*$", regex.I)
_TO_BEFORE = regex.compile(r"\b(?:to|at|reached|reach|hit|totalled|totaled|of)\s*$", regex.I)
_BY_BEFORE = regex.compile(r"\bby\s*$", regex.I)
_CHANGE_AFTER = regex.compile(
    r"^\s*(?:[-\w]+\s+){0,2}?(?:growth|increase|decrease|decline|drop|rise|gain|jump|improvement|fall|"
    r"slump|surge|plunge|slide|dip|reduction|higher|lower|more|less|fewer|up|down)\b", regex.I)
_FEWER_AFTER = regex.compile(r"^\s*(?:[-\w]+\s+){0,1}?(?P<w>fewer|less|more|lower|higher)\b", regex.I)
_IN_METRIC = regex.compile(r"^\s*(?:in|of|on|for)\s+(?:the\s+|its\s+|total\s+)?$", regex.I)
_COMPARISON_BEFORE = regex.compile(r"(?i)\b(?:than|from|compared\s+(?:with|to)|versus|over|since|below|above|short\s+of|ahead\s+of)\s+(?:in\s+|during\s+|at\s+)?$")
_STRONG_FORECAST = {"expect", "expects", "expected", "expecting", "forecast", "forecasts", "guided", "guides",
                    "guidance", "outlook", "estimate", "estimates", "projected", "projects", "plans", "plan",
                    "target", "targets", "aims", "aim", "anticipates", "anticipated", "predicts", "predicted"}
_RESULT_VERB = regex.compile(r"(?i)\b(?:reported|posted|recorded|was|were|rose|fell|grew|declined|increased|decreased|"
                             r"missed|beat|saw|had|delivered|shipped|sold|booked|generated|earned)\b")
# (...), " - ... - ", and an apposition after a name: "Adjusted EBITA, the profit measure the group prefers,"
# (the comma is matched before the look-behind that ends with it: the same matches, a third of the time)
_ASIDE = regex.compile(r"\([^()]*\)|\s-\s[^-]{3,120}?\s-\s|,(?<=[A-Z][\w&.-]{0,30},)\s+(?:the|a|an|which|who|home\s+to|including)\s[^,]{3,80}?,"
                       r"|,(?<=^(?:The|Its|Their)\s[^,]{2,40},)\s+[a-z][^,]{3,60}?,")
_NOUN_APPOSITION = regex.compile(r",(?<=\b(?:segment|market|business|unit|division|category|region),)\s+(?:a|an)\s[^,]{3,60}?,")
_MULTIPLIER_AFTER = regex.compile(r"(?i)^[\s-]*(?:times|fold|x)\b")
_COMPARISON_AFTER = regex.compile(r"(?i)^\s+(?:more|fewer|less)\b")
_NAMED_UNIT = regex.compile(r"^[\s,;]*(?:and\s+|while\s+)?(?:its\s+|the\s+)?(?:[a-z-]+\s+){0,2}(?:arm|unit|division|subsidiary|affiliate)\s+"
                            r"([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})\s+[a-z]")
_COMPARATIVE_AFTER = regex.compile(r"(?i)[\s,]*(?:\([^()]*\)[\s,]*)?(?:[\w,-]+\s+){0,8}?(narrower|smaller|lower|wider|larger|bigger|higher)\s+than\b")
_PLACE_OF = regex.compile(r"-(?:listed|based|headquartered|registered)\b|\s+(?:shares|stock|listing|exchange|bourse|"
                          r"initial\s+public\s+offering|ipo|flotation|debut)\b", regex.I)
_MARKET_METRICS = ("shipments", "deliveries", "market share", "share of shipments", "share of deliveries",
                   "revenue", "spending", "funding", "sales", "retail sales")
_MODEL_NAME = regex.compile(r"\b(?:its|the|their)\s+(?:new\s+|latest\s+|flagship\s+)?([A-Z][A-Za-z-]*\d[\w-]*|[A-Z]\d+[A-Za-z]*)\s+"
                         r"(?:sedan|suv|car|phone|smartphone|console|laptop|model|series|chip|headset|tablet|ev|hatchback|pickup)\b")
# every model name _MODEL_NAME reads holds this: a sentence without it names no model
_CAP_DIGIT = regex.compile(r"[A-Z][A-Za-z-]*\d")
_FURTHER_BEFORE = regex.compile(r"(?i)\b(?:a\s+further|another|an\s+additional)\s+(?:about\s+|some\s+|roughly\s+)?$")
_PLURAL_SUBJECT = regex.compile(r"[\s,;]*((?:[A-Z][\w-]*\s+)?(?:startups|vendors|brands|carmakers|automakers|chipmakers|companies|firms))\b")
_FIRM_SUBJECT = regex.compile(r"(?i)^\W*the\s+(?:research\s+|analyst\s+|market\s+)?(?:firm|researcher|research\s+house|tracker)\b")
_IT_FORECASTS = regex.compile(r"(?i)^\W*it\s+(?:now\s+|also\s+)?(?:forecasts?|expects?|estimates?|predicts?|projects?|sees|says|said)\b")
_PRONOUN_SUBJECT = regex.compile(r"(?i)^\W*(?:it|its|they|their|he|she|the\s+(?:company|group|firm|carmaker|maker|chipmaker|startup|vendor|brand|business|unit|segment|division))\b")
_IT_SUBJECT = regex.compile(r"(?i)^\W*(?:it|its|the\s+company(?:'s)?)\b")
_NOT_SPENT_ON = {"company", "companies", "startup", "startups", "firm", "firms", "business", "group", "round", "deal",
                 "stake", "cash", "total", "all", "shares", "bonds", "year", "quarter", "period", "months", "years"}
_CONTRIBUTES = regex.compile(r"(?i)\s*(?:\([^()]{1,20}\)\s*)?(?:[\w-]+\s+){0,2}?(?:accounting\s+for|accounted\s+for|making\s+up|made\s+up|"
                             r"contributing|contributed|representing|represented|generating|generated|bringing\s+in|brought\s+in)\s+")
_THAN_CLAUSE = regex.compile(r"(?i)\s+(?:more|fewer|less|higher|lower)\s+than\s+(?:it|they|we|he|she|the\s+company|the\s+group)\s+(?!did\b)\w+")
_SUBORDINATE = regex.compile(r"(?i)\b(?:as|because|while|after|before|when|which|that|where|since|amid|and|but|as\s+well\s+as)\b")
_CHANGE_NOUN_AFTER = regex.compile(r"(?i)\s*(?:(?:year-on-year|year-over-year|annual|sequential)\s+)?(?:decline|drop|fall|decrease|increase|rise|gain|growth|jump|slump)\b")
_UNIT_SUBJECT = regex.compile(r"(?i)\b(?:division|unit|segment|business|arm)(?:'s)?\s+(?:\w+\s+){0,2}?(?:recorded|posted|reported|made|booked|swung\s+to|had|turned\s+a|returned\s+to)\s+(?:an?\s+|its\s+)?$")
_OF_UNIT = regex.compile(r"(?i)\s+(?:for|of|at|in)\s+(?:the|its)\s+(?:[\w-]+\s+){0,3}?(?:division|unit|segment|business|arm)\b")
_STATED_BEFORE = regex.compile(r"(?i)\b(?:it|they|we|the\s+company|the\s+group)\s+(?:had\s+|has\s+)?(?:announced|projected|forecast|predicted|reported|disclosed|estimated|guided|unveiled|"
                            r"issued|published|gave|set\s+out|said|stated)\s+$")
_OFFER_BEFORE = regex.compile(r"(?i)\b(?:offer(?:s|ing|ed)?|sell(?:s|ing)?|sold|issu(?:e|es|ing|ed)|float(?:s|ing|ed)?|list(?:s|ing|ed)?)\s+(?:[\w-]+\s+){0,2}$")
_EACH_AFTER = regex.compile(r"(?i)\s*(?:apiece|each|per\s+share|a\s+share)\b")
_CURRENCY_CODE = regex.compile(r"[A-Z]{3}")
_DOT_SPACE, _NEWLINE, _AND = regex.compile(r"\. "), regex.compile(r"\n"), regex.compile(r"(?= and )")
_FOUNDED_BEFORE = regex.compile(r"(?i)\b(?:founded|established|incorporated|set\s+up|started|born|created)\s+(?:in\s+)?$")
_COMPARED_BEFORE = regex.compile(r"(?i)\b(?:from|compared\s+(?:with|to)|than|versus|vs\.?|against)\s+(?:in\s+)?(?:the\s+|a\s+)?$")
_DIGITS_AFTER = regex.compile(r"(?i)-|\s+digits?\b")
_VEHICLE_SEGMENTS = {"smart electric vehicles", "ev", "new energy vehicles", "others"}
_SEGMENT_SUBJECT = regex.compile(r"(?i)^\W*the\s+(?:[\w-]+\s+){1,2}(?:segment|category|price\s+band|tier)\b")
_BARE_RESULT = {"loss": "loss", "losses": "loss", "profit": "profit", "profits": "profit"}
_SPENDING_METRICS = ("investment", "spending", "capital expenditure", "r&d expenses")
_FIGURE_ANAPHOR = regex.compile(r"(?i)\b(?:the|that|this)\s+(?:figure|number|tally|total)\b(?!\s+of\b)")
_PRODUCT_ANAPHOR = regex.compile(r"(?i)\bthe\s+(?:[\w-]+\s+){0,3}?(?:handset|phone|console|car|vehicle|device|chip|sedan|suv|headset|laptop|tablet|version|variant|trim|model)s?\b"
                                  r"(?!\s+(?:project|business|unit|division|maker|makers|market|industry|segment|sector)\b)")
_LEVEL_VERB = regex.compile(r"(?i)\b(?:had|has|have|stood\s+at|employs|employed|total(?:led|ed)?|counts?|headcount\s+of|workforce\s+of|to)\s+(?:\S+\s+){0,2}$")
_IN_OF_AFTER = regex.compile(r"\s*(?:[-\w]+\s+){0,2}?(?:in|of)\s+(?:\S+\s+){0,2}?")  # "drop in [...] shipments"
_NEGATIVE = regex.compile(r"\bnegative\s*$", regex.I)
_RATIO_METRICS = ("margin", "rate", "ratio", "penetration", "proportion", "yield")


@functools.lru_cache(maxsize=1024)
def _is_ratio_metric(metric: str | None) -> bool:
    """Metrics whose level is a percentage: shares of a total, margins, rates."""
    if not metric:
        return False
    words = metric.split()
    if words[-1] == "share" and "per" not in words:
        return True  # market share, revenue share (not earnings per share)
    if metric.startswith("share of"):
        return True
    return any(w in words for w in _RATIO_METRICS)


@dataclass(slots=True)
class Mention:
    """A lexicon mention laid on the text: offsets, label, canonical id."""

    start: int
    end: int
    label: str
    id: str = ""
    extra: str = ""
    text: str = ""


@dataclass(slots=True, eq=False)
class Item:
    """A figure being assembled into a claim."""

    fig: Figure
    role: str = "level"  # level | change | prior
    change: "Item | None" = None
    level: "Item | None" = None
    prior: "Item | None" = None
    basis: str | None = None
    direction: str | None = None
    multiplier: float | None = None
    text: str = ""
    direction_src: str = ""
    further_of: "Item | None" = None  # the level this second change also moves ("down 5% ... but up 19% sequentially")


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
    forecast_period: str | None = None
    lower: str | None = None
    vehicles: bool = False
    segment: str | None = None
    month: str | None = None
    market_story: bool = False
    named_company: str | None = None  # the last company written out, for "It" after a market figure


@dataclass
class ClaimSettings:
    """Tunables of the claim stage (``config.toml`` ``[claims]``).

    Attributes:
        min_bare_number: a figure with no unit, scale or decimals is a claim
            only from this value up (list markers, model numbers, small counts).
        event_metrics: metrics whose period defaults to the publication date.
        carry_company, carry_metric, carry_period: carry-over switches.
        max_sentence_figures: a sentence with more figures is cut into
            pieces at clause boundaries, each read as a sentence.
    """

    min_bare_number: float = 100.0
    event_metrics: tuple[str, ...] = ("share price", "market value", "funding", "valuation", "esop grants")
    carry_company: bool = True
    carry_metric: bool = True
    carry_period: bool = True
    max_sentence_figures: int = 400


class ClaimBuilder:
    """spaCy component: assemble claims; writes ``doc.user_data["claims"]`` (list of dict rows).

    Requires ``doc.user_data["doc_id"]`` (str) and ``doc.user_data["doc_date"]``
    (ISO date str or None), set by the reader before the pipeline runs.
    """

    def __init__(self, fiscal_by_company: dict[str, int | None], multipliers: dict[str, float],
                 metric_units: dict[str, str | None], settings: ClaimSettings,
                 segment_heads: set[str] = frozenset(), attacher: "Attacher | None" = None) -> None:
        self.attacher = attacher
        self.segment_heads = {w.lower() for w in segment_heads}
        self.min_bare = Decimal(str(settings.min_bare_number))
        self.fiscal_by_company = fiscal_by_company
        self.multipliers = multipliers
        self.metric_units = metric_units
        self.settings = settings

    # -- entry -------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        from .numbers import doc_norm, doc_text

        text = doc_text(doc)
        norm = doc_norm(doc)
        doc_id = doc.user_data.get("doc_id", "")
        doc_date_s = doc.user_data.get("doc_date")
        doc_date = dt.date.fromisoformat(doc_date_s) if doc_date_s else None
        figures: list[Figure] = doc.user_data.get("figures", [])
        periods: list[PeriodMention] = doc.user_data.get("periods", [])
        strings = doc.vocab.strings
        # (label, id, kb_id) hashes -> their strings, this article only (label_ and co. decode on every read)
        decoded: dict[tuple[int, int, int], tuple[str, str, str]] = {}

        def mentions(group: str, extra: bool = False) -> list[Mention]:
            out = []
            for sp in doc.spans.get(group, []):
                a, b = sp.start_char, sp.end_char
                key = (sp.label, sp.id, sp.kb_id if extra else 0)
                names = decoded.get(key)
                if names is None:
                    names = decoded[key] = (strings[key[0]], strings[key[1]], strings[key[2]] if extra else "")
                out.append(Mention(a, b, *names, text=text[a:b]))
            return out

        companies, metrics = mentions("companies"), mentions("metrics")
        segments, cues = mentions("segments", extra=True), mentions("cues")
        ref_year = self._ref_year(norm, periods, cues, doc_date)
        state = ArticleState()
        state.lower = norm.lower()  # lowered once per article, read by every sentence
        state.vehicles = any(f.unit == "vehicles" for f in figures)  # a story about cars
        # before any company is named, the article's most-named company is in force,
        # unless the lead (headline and first sentence) credits a research firm
        # before naming any company: then the story is the market's
        sentence_spans = _sentence_offsets(doc, text)
        offsets = _split_long(sentence_spans, sorted(f.start for f in figures), text,
                              self.settings.max_sentence_figures)
        sentences = [(a, b) for a, b in offsets[:4] if not text[a:b].isspace()]
        lead_end = sentences[1][1] if len(sentences) > 1 else len(text)
        names = [c.id for c in companies if c.label == "COMPANY"]
        first_source = next((c.start for c in companies if c.label == "SOURCE"), lead_end)
        first_company = next((c.start for c in companies if c.label == "COMPANY"), lead_end)
        state.market_story = first_source < min(first_company, lead_end)
        if names and not state.market_story:
            state.company = max(dict.fromkeys(names), key=names.count)
        rows: list[dict] = []
        groups = [sorted(g, key=lambda x: x.start) for g in (figures, periods, companies, metrics, segments, cues)]
        starts = [[x.start for x in g] for g in groups]

        whole = {s0 for s0, _ in sentence_spans}
        article = ArticleContext.build(text, doc_date, ref_year, companies, periods, offsets,
                                       self.fiscal_by_company) if self.attacher is not None else None
        bisect_left = bisect.bisect_left
        for si, (s0, s1) in enumerate(offsets):
            if text[s0:s1].isspace():
                continue  # a blank line between paragraphs: nothing to read, nothing to carry
            # each group's mentions inside the sentence (figures, periods, companies, metrics, segments, cues)
            parts = [[x for x in g[bisect_left(st, s0):bisect_left(st, s1)] if x.end <= s1]
                     for g, st in zip(groups, starts)]
            sc = _Sentence(self, norm, text, si, s0, s1, doc_id, doc_date_s, doc_date, ref_year,
                           *parts, state, continued=s0 not in whole)
            before = copy.copy(state) if self.attacher is not None else None
            found = sc.claims()
            if self.attacher is not None and found:
                found = self.attacher.apply(found, SentenceView.of(sc, before, article))
            for row in found:
                row.pop("_role", None), row.pop("_kind", None)
            rows.extend(found)
        doc.user_data["claims"] = rows
        doc.user_data.pop("_text", None)  # caches of this run, not part of the Doc's data
        doc.user_data.pop("_norm", None)
        return doc

    def _ref_year(self, norm: str, periods: list[PeriodMention], cues: list[Mention],
                  doc_date: dt.date | None) -> int | None:
        """The latest year the article reports as past (schema: used when no date is known).

        The year an organisation was founded ("Founded in 2015") dates an
        event, not a period the story reports, and does not count.
        """
        if doc_date:
            return doc_date.year
        forecast_pos = sorted(c.start for c in cues if c.label == "FORECAST")
        # positions found once and bisected per period: scanning the text from each period
        # took time quadratic in the length of a line without ". " (reliability, issue 10)
        dots = [m.start() for m in _DOT_SPACE.finditer(norm)]
        newlines = [m.start() for m in _NEWLINE.finditer(norm)]
        ands = [m.start() for m in _AND.finditer(norm)]
        bl, br = bisect.bisect_left, bisect.bisect_right
        years = []
        for p in periods:
            if p.spec.year and p.spec.kind in ("Q", "H", "Y", "M", "SPAN", "MQ"):
                # a year that a sentence looks forward to is not "reported as past"
                # ("aims to sell 10,000 a month in 2024"; not "delivered 6,412 in 2023 and aims to ...")
                i, j = br(dots, p.start - 2) - 1, br(newlines, p.start - 1) - 1
                line_start = max(dots[i] if i >= 0 else -1, newlines[j] if j >= 0 else -1)
                i, j = bl(dots, p.end), bl(newlines, p.end)
                ends = [x for x in (dots[i] if i < len(dots) else -1, newlines[j] if j < len(newlines) else -1)
                        if x != -1]
                line_end = min(ends) if ends else len(norm)
                if _FOUNDED_BEFORE.search(norm, max(0, p.start - 30), p.start):
                    continue  # "Founded in 2015": the date of an event, not a period the story reports
                k = br(forecast_pos, line_start)
                if k < len(forecast_pos) and forecast_pos[k] < p.start:
                    continue  # a forecast cue before the period on its line
                # the first forecast cue after the period on its line, with no " and " between
                k, a = bl(forecast_pos, p.end), bl(ands, p.end)
                if k < len(forecast_pos) and forecast_pos[k] < line_end and not (
                        a < len(ands) and ands[a] + 5 <= forecast_pos[k]):
                    continue
                # a comparison base ("down 5 percent from the third quarter of 2011") is a year
                # before the one the story reports (gold conventions: a year-earlier comparison)
                base = _COMPARED_BEFORE.search(norm, max(0, p.start - 25), p.start) is not None
                years.append(p.spec.year + 1 if base else p.spec.year)
        return max(years) if years else None


class _Sentence:
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
        # a segment word inside a company name ("Kestrel Semiconductor") is the name's, and a
        # place a company is listed or based in ("Hong Kong-listed") is not a segment
        self.segments = [sg for sg in segments if not any(c.start <= sg.start and sg.end <= c.end for c in companies)
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

    # -- helpers -------------------------------------------------------------
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

    def _keep(self, figures: list[Figure]) -> list[Figure]:
        out = []
        for f in figures:
            if any(p.start <= f.num_start < p.end and p.spec.kind not in ("REL",) for p in self.periods):
                continue  # a number inside a period ("Q2 2016", "first half of 2016")
            if f.kind != "number":
                out.append(f)
                continue
            after = self.norm[f.end:f.end + 25]
            if _MULTIPLIER_AFTER.match(after):
                continue  # "grew 2.4 times": a multiplier, read by _multiplier_items
            comparison = _COMPARISON_AFTER.match(after) or _BY_BEFORE.search(self.norm, max(self.s0, f.start - 6), f.start)
            further = _FURTHER_BEFORE.search(self.norm, max(self.s0, f.start - 25), f.start)
            if f.scale == 1 and f.decimals == 0 and not comparison and f.value < self.o.min_bare:
                continue
            if further:  # "cut 11,000 jobs ..., and followed up with a further 10,000 in the spring"
                out.append(f)
                continue
            if f.kind == "number" and f.scale == 1 and not self._bare_number_ok(f):
                continue
            out.append(f)
        return out

    def _bare_number_ok(self, f: Figure) -> bool:
        """A bare number counts when a metric or a change word sits in its clause."""
        if self.continued and self.state.metric:
            return True  # "Revenue 1000 1001 ... 1149": a piece of a cut sentence, the metric named before
        c = self.clause(f.start)
        labels = ("INCREASE", "DECREASE", "FLAT", "CUT") + (("FORECAST",) if self.state.metric else ())
        # "Analysts had expected 250,700": an expectation of the metric in force
        return any(self.clause(m.start) == c for m in self.metrics) or any(
            self.clause(m.start) == c for m in self.cues if m.label in labels)

    def _multiplier_items(self) -> list[Item]:
        items = []
        for c in self.cues:
            if c.label != "MULTIPLIER":
                continue
            value = self.o.multipliers.get(c.id)
            if value is None or _DIGITS_AFTER.match(self.norm, c.end, c.end + 10):
                continue  # "double-digit", "low double digits" is no doubling
            qualifier = "more_than" if "more than" in c.id else "exact"
            fig = Figure(c.start, c.end, Decimal(str(value)), "%", "percent", qualifier=qualifier,
                         num_start=c.start, flags=frozenset({"multiplier"}))
            it = Item(fig, role="change", text=self.text[c.start:c.end], multiplier=value)
            it.direction = "increase" if value > 0 else "decrease"
            items.append(it)
        return items

    _TIMES = regex.compile(r"(?i)\b(?P<verb>grew|rose|increased|jumped|surged|climbed|soared|expanded)\s+(?:by\s+)?(?:about\s+|nearly\s+|almost\s+|more\s+than\s+)?"
                           r"(?P<n>\d+(?:\.\d+)?)(?:\s*|-)(?:times|fold|x)\b")

    _TIMES_OF = regex.compile(r"(?i)\b(?P<n>\d+(?:\.\d+)?|two|three|four|five|ten)\s+times\s+(?:its|the|their|what|that|last)\b")
    _TIMES_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}

    def _times_items(self) -> list[Item]:
        """ "revenue grew 2.4 times": a relative change of +140%; "three times its valuation a year ago": +200%."""
        items = []
        seg = self.lower[self.s0:self.s1]
        if "times" not in seg and "fold" not in seg and "x" not in seg:
            return items
        for m in self._TIMES_OF.finditer(self.norm, self.s0, self.s1):
            word = m["n"].lower()
            n = Decimal(self._TIMES_WORDS[word]) if word in self._TIMES_WORDS else Decimal(word)
            fig = Figure(m.start("n"), m.end("n") + 6, (n - 1) * 100, "%", "percent", num_start=m.start("n"),
                         flags=frozenset({"multiplier"}))
            it = Item(fig, role="change", text=self.text[m.start("n"):m.end("n") + 6], multiplier=float((n - 1) * 100))
            it.direction = "increase"
            items.append(it)
        for m in self._TIMES.finditer(self.norm, self.s0, self.s1):
            n = Decimal(m["n"])
            fig = Figure(m.start("n"), m.end(), (n - 1) * 100, "%", "percent", num_start=m.start("n"),
                         flags=frozenset({"multiplier"}))
            it = Item(fig, role="change", text=self.text[m.start("n"):m.end()], multiplier=float((n - 1) * 100))
            it.direction = "increase"
            items.append(it)
        return items

    def _flat_items(self) -> list[Item]:
        """"Revenue in Q1 2018 was flat": a zero change stated without a figure."""
        items = []
        for c in self.cues:
            if c.label != "FLAT" or any(self.clause(x.fig.start) == self.clause(c.start) for x in self.items):
                continue
            if not _re_search(r"(?i)\b(?:was|were|is|are|remained|stayed|held|came\s+in|broadly|roughly|largely)\s+$",
                                self.norm[max(self.s0, c.start - 20):c.start]):
                continue
            if not any(m.end <= c.start and self.clause(m.start) == self.clause(c.start) for m in self.metrics):
                continue
            fig = Figure(c.start, c.end, Decimal(0), "%", "percent", num_start=c.start, flags=frozenset({"flat"}))
            it = Item(fig, role="change", text=self.text[c.start:c.end], direction="flat")
            it.multiplier = 0.0
            items.append(it)
        return items

    def cues_between(self, a: int, b: int, labels: tuple[str, ...]) -> list[Mention]:
        return [c for c in self.cues if a <= c.start and c.end <= b and c.label in labels]

    # -- roles ---------------------------------------------------------------
    def assign_roles(self) -> None:
        items = self.items
        for i, it in enumerate(items):
            if it.multiplier is not None:
                continue
            f = it.fig
            cs = self.clause_start(f.start)
            prev_end = items[i - 1].fig.end if i else cs
            lead = self.norm[max(prev_end, cs):f.start]
            after = self.norm[f.end:min(self.s1, f.end + 40)]
            if _FROM_BEFORE.search(lead[-80:]):
                if f.kind == "percent" and _CHANGE_NOUN_AFTER.match(after):
                    it.role = "change"  # "an improvement from a 10.6% decline": the earlier change, its own claim
                    it.direction = self._direction(it, lead, after)
                    continue
                it.role = "prior"
                continue
            if f.kind == "pp":
                it.role = "change"
            elif f.kind == "percent":
                it.role = self._percent_role(it, lead, after)
            else:
                it.role = self._amount_role(it, i, lead, after)
            if it.role == "change":
                it.direction = self._direction(it, lead, after)

    def _percent_role(self, it: Item, lead: str, after: str) -> str:
        if "fraction" in it.fig.flags:
            return "level"
        if _re_match(r"(?i)^\s+of\s+(?:(?:its|their|the\s+company's|the)\s+)?(?:global\s+|total\s+)?(?:workforce|staff|employees|headcount|jobs|workers)\b", after) \
                and self.cues_between(self.s0, it.fig.start, ("CUT",)):
            it.direction_src = "cut"
            return "change"  # "cut 11,000 jobs, about 13% of its staff"
        if _TO_BEFORE.search(lead[-80:]) and not _re_search(r"\b(?:of|by)\s*$", lead[-80:], regex.I):
            return "level"
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

    def _direction(self, it: Item, lead: str, after: str) -> str | None:
        f = it.fig
        if it.direction_src in ("cut",):
            return "decrease"
        if it.direction_src == "addition":
            return "increase"
        if it.direction_src == "restated":
            prev = [x for x in self.items if x.fig.end <= f.start and x.role == "change"]
            return prev[-1].direction if prev else None
        if _NEGATIVE.search(lead[-80:]):
            return "decrease"
        fw = _FEWER_AFTER.match(after) or (f.noun_end and _FEWER_AFTER.match(self.norm[f.noun_end:f.noun_end + 20]))
        if fw:
            return "decrease" if fw.group("w").lower() in ("fewer", "less", "lower") else "increase"
        # a cue right after the figure ("a 25 per cent drop") is the closest
        after_cues = [c for c in self.cues if f.end <= c.start <= f.end + 30
                      and c.label in ("INCREASE", "DECREASE", "FLAT")
                      and _re_fullmatch(r"\s*(?:[\w/-]+\s+)?", self.norm[f.end:c.start])]
        before_cues = [c for c in self.cues if f.start - len(lead) <= c.start and c.end <= f.start
                       and c.label in ("INCREASE", "DECREASE", "FLAT", "CUT")]
        if after_cues and (not before_cues or after_cues[0].start - f.end < 12):
            return _dir_label(after_cues[0].label)
        if before_cues:
            return _dir_label(before_cues[-1].label)
        if after_cues:
            return _dir_label(after_cues[0].label)
        return None

    def _metric_guess(self, it: Item) -> str | None:
        m = self._metric_for(it)
        return m[0] if m else None

    # -- pairing -------------------------------------------------------------
    def pair(self) -> None:
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
        # 1. "<change> to <level>" and "from <prior> ... to <level>"
        for i, it in enumerate(items):
            if it.role != "change" or i + 1 >= len(items):
                continue
            nxt = items[i + 1]
            between = self.norm[it.fig.end:nxt.fig.start]
            between_clean = self._strip_basis(between)
            if nxt.role == "level" and nxt.change is None and _TO_LINK.match(between_clean) and self._compatible(it, nxt):
                self._attach(it, nxt)
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
        if self.lower.find("respectively", self.s0, self.s1) != -1:
            self._pair_respectively()
        # 2. prior without change: "from <prior> ... to <level>" (direction only)
        for i, it in enumerate(items):
            if it.role != "prior" or i + 1 >= len(items):
                continue
            lvl = items[i + 1]
            gap = self.norm[it.fig.end:lvl.fig.start]
            if lvl.role == "level" and lvl.prior is None and _re_search(r"\bto\s*$", gap) and ";" not in gap \
                    and _same_unit(it, lvl):
                lvl.prior = it
                if lvl.change is None and lvl.direction is None:
                    lvl.direction = self._from_to_direction(it, lvl)
        # 3. remaining changes attach to the nearest preceding level of their clause
        for i, it in enumerate(items):
            if it.role != "change" or it.level is not None:
                continue
            for j in range(i - 1, -1, -1):
                cand = items[j]
                if cand.role == "prior":
                    continue
                if cand.role == "change" and cand.level is not None:
                    it.further_of = cand.level  # "down 5% year-on-year but up 19% sequentially"
                    break
                if cand.role != "level":
                    break
                if self.clause(cand.fig.start) != self.clause(it.fig.start):
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
        # 4. "26,000 ..., up from about 21,500": the level moved the way the cue says
        for i, it in enumerate(items):
            if it.role != "prior" or i == 0:
                continue
            lvl = next((x for x in reversed(items[:i]) if x.role == "level"), None)
            gap = self.norm[items[i - 1].fig.end:it.fig.start]
            m = _re_search(r"(?i)\b(up|down|higher|lower|rising|falling)\s+from\s+(?:the\s+|a\s+|an\s+)?$", gap)
            if lvl is not None and m and lvl.direction is None and lvl.change is None:
                lvl.direction = "increase" if m.group(1).lower() in ("up", "higher", "rising") else "decrease"
                if lvl.prior is None:
                    lvl.prior = it
        # 5. a level reached "to" after a direction verb carries that direction
        for it in items:
            if it.role == "level" and it.change is None and it.direction is None:
                it.direction = self._level_direction(it)

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

    def _strip_basis(self, s: str) -> str:
        """Blank basis words, asides and period mentions between two figures."""
        for p in self.periods:
            s = s.replace(self.norm[p.start:p.end], " ")
        return _re_sub(r"(?i)\b(?:year[- ]on[- ]year|year[- ]over[- ]year|yoy|y/y|sequentially|quarter[- ]on[- ]quarter|"
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

    def _from_to_direction(self, prior: Item, level: Item) -> str | None:
        cue = self.cues_between(self.clause_start(prior.fig.start), prior.fig.start, ("INCREASE", "DECREASE", "FLAT"))
        if cue:
            return _dir_label(cue[-1].label)
        if level.fig.value > prior.fig.value:
            return "increase"
        if level.fig.value < prior.fig.value:
            return "decrease"
        return "flat"

    def _level_direction(self, it: Item) -> str | None:
        f = it.fig
        start = self.clause_start(f.start)
        prev_fig_end = max([x.fig.end for x in self.items if x.fig.end <= f.start] + [start])
        lead = self.norm[prev_fig_end:f.start]
        cues = [c for c in self.cues if prev_fig_end <= c.start and c.end <= f.start and c.label in ("INCREASE", "DECREASE", "FLAT")]
        comparative = _COMPARATIVE_AFTER.match(self.norm, f.end, min(self.s1, f.end + 80))
        if comparative:  # "a loss of 2.88 trillion won, narrower than the 3.4 trillion won loss"
            return "decrease" if comparative.group(1).lower() in ("narrower", "smaller", "lower") else "increase"
        if not cues:
            nxt = min([x.fig.start for x in self.items if x.fig.start > f.end] + [self.s1])
            after = [c for c in self.cues if f.end <= c.start < nxt and c.label == "FLAT"
                     and self.clause(c.start) == self.clause(f.start)]
            return "flat" if after else None
        last = cues[-1]
        if last.label == "FLAT":
            return "flat"
        if _re_search(r"\bto\s*$", lead, regex.I):
            return _dir_label(last.label)
        return None

    # -- fields --------------------------------------------------------------
    def _metric_for(self, it: Item) -> tuple[str, Mention | None] | None:
        """(canonical metric, mention) for a figure; None when nothing is near."""
        key = (id(it), it.role)
        if key not in self._metric_cache:
            found = self._find_metric(it)
            if found is not None and found[1] is not None and found[1].text.lower() in _BARE_RESULT:
                # "an operating loss of 2.88 trillion won, narrower than the 3.4 trillion won loss":
                # a bare "loss" names the result this sentence named in full before it
                word = _BARE_RESULT[found[1].text.lower()]
                full = [m for m in self.metrics if m.end <= found[1].start and m.label.endswith(word)
                        and m.text.lower() not in _BARE_RESULT]
                if full:
                    found = (full[-1].label, found[1])
                elif _UNIT_SUBJECT.search(self.norm, self.clause_start(found[1].start), found[1].start) \
                        or _OF_UNIT.match(self.norm, found[1].end, found[1].end + 50):
                    # "the hardware solutions division recorded losses of 3.75 trillion won":
                    # units report operating results
                    found = ("operating " + word, found[1])
            self._metric_cache[key] = found
        return self._metric_cache[key]

    def _find_metric(self, it: Item) -> tuple[str, Mention | None] | None:
        f = it.fig
        end = f.noun_end or f.end
        ms = self.metrics
        # share-of-total right after a percent: "58.8% of revenue"; "a 14.1 per cent market share"
        for m in ms:
            if m.id and f.unit == "%" and 0 <= m.start - f.end <= 3:
                return m.label, m
            if f.unit == "%" and it.role == "level" and 0 <= m.start - f.end <= 2 and _is_ratio_metric(m.label):
                return m.label, m
        if f.unit == "%" and it.role == "level":
            share = self._share_of(f)
            if share is not None:
                return share
        asides = self.asides()
        ms = [m for m in ms if not any(a0 <= m.start and m.end <= a1 for a0, a1 in asides)
              or any(a0 <= f.start < a1 for a0, a1 in asides)]
        if f.unit != "%":
            # "27 billion yuan of revenue" is revenue; "11.7 million units and an 18% share" is not a share
            ms = [Mention(m.start, m.end, m.id, "", text=m.text) if m.id and _is_ratio_metric(m.label)
                  and not _is_ratio_metric(m.id) else m for m in ms]
            ms = [m for m in ms if not _is_ratio_metric(m.label)]
        for m in ms:
            if 0 <= m.start - end <= 1 and f.unit != "%":
                return self._base(m), m  # "$1.42 per diluted share"
        # "$23.12 billion in revenue", "1,200 related personnel", "2.35 billion active devices"
        for m in ms:
            if m.start >= end - 1 and (m.start - end) <= 30 and _IN_METRIC.match(self.norm[end:m.start]):
                return self._base(m), m
            if f.noun_end and f.end <= m.start < f.noun_end + 1:
                return self._base(m), m
        c = self.clause(f.start)
        if f.unit == "people" and f.noun_end:
            return "headcount", None  # "eliminating some 18,000 roles ..., mostly in its stores"
        breaks = self.breaks
        before = next((m for m in reversed(ms) if m.end <= f.start and bisect.bisect_left(breaks, m.start) == c), None)
        # "a 25 per cent drop in shipments", "12 per cent growth in shipments"
        after_near = next((m for m in ms if m.start >= end and bisect.bisect_left(breaks, m.start) == c
                           and _IN_OF_AFTER.fullmatch(self.norm[end:m.start])), None)
        if after_near is not None and it.role == "change" and (before is None or self._cue_between_mention(before, f)):
            return self._base(after_near), after_near
        if before is not None:
            return self._base(before), before
        if after_near is not None:
            return self._base(after_near), after_near
        sent_before = next((m for m in reversed(ms) if m.end <= f.start), None)
        if sent_before is not None:
            return self._base(sent_before), sent_before
        after = next((m for m in ms if m.start >= end and bisect.bisect_left(breaks, m.start) == c), None)
        if after is not None:
            return self._base(after), after
        if f.unit == "units" and not self.state.metric:
            return "shipments", None
        unit_metric = {"people": "headcount", "users": "users", "subscriptions": "subscriptions",
                       "devices": "active devices", "vehicles": "deliveries", "downloads": "downloads"}
        if f.unit in unit_metric:
            return unit_metric[f.unit], None
        return None

    _SHARE_OF = regex.compile(r"(?i)^\s+of\s+(?:the\s+|its\s+|all\s+|their\s+|[\w.&-]+'s\s+)*"
                              r"(?:(?:total|overall|combined|group|global|worldwide|quarterly|annual)\s+)*(?:[a-z-]+\s+){0,2}?")

    def _share_of(self, f: Figure) -> tuple[str, Mention | None] | None:
        """ "58.8% of the group's total revenue" -> revenue share; "87% of total deliveries" -> share of deliveries."""
        m = self._SHARE_OF.match(self.norm[f.end:f.end + 80])
        if not m:
            return None
        at = f.end + m.end()
        hit = next((x for x in self.metrics if f.end < x.start <= at + 25
                    and _re_fullmatch(r"(?i)\s+of\s+[\w\s.&'-]*", self.norm[f.end:x.start])), None)
        if hit is None:
            if _re_match(r"(?i)the\s+total\b|total\b", self.norm[at - 10:at + 6].strip()) or _re_match(
                    r"(?i)^\s+of\s+the\s+total\b", self.norm[f.end:f.end + 20]):
                base = next((x for x in reversed(self.metrics) if x.end <= f.start and not _is_ratio_metric(x.label)), None)
                if base is not None:
                    return _share_name(self._base(base)), base
            return None
        if _is_ratio_metric(hit.label):
            return hit.label, hit
        return _share_name(self._base(hit)), hit

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

    def _cue_between_mention(self, m: Mention, f: Figure) -> bool:
        """A clause word like 'with' between an earlier metric and the figure."""
        return bool(_re_search(r"\b(?:with|and|while)\b", self.norm[m.end:f.start], regex.I))

    def _base(self, m: Mention) -> str:
        if m.id:  # share-of-total form not right after a percent: the base metric
            return m.id if "share" not in m.label else m.label
        return m.label

    def _company_for(self, it: Item, metric_m: Mention | None, metric: str | None) -> tuple[str | None, str | None, bool]:
        """(company, company_text, market_wide) for a figure."""
        f = it.fig
        c = self.clause(f.start)
        asides = [(a, b) for a, b in self.asides() if not a <= f.start < b]
        named = [m for m in self.companies if not any(a <= m.start and m.end <= b for a, b in asides)]
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
        market = [x for x in self.cues if x.label == "MARKET" and lo <= x.start < f.start
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
                and any(sg.id == "product" and self._SUBJECT.match(self.norm[self.s0:sg.start])
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

    _GAP_BEFORE = regex.compile(
        r"[\s\-'\"]*(?:'s\s*|s'\s*)?(?:(?:first|second|third|fourth)-quarter\s+|\([^()]*\)\s*|and\s+|,\s*|"
        r"(?:business|segment|division|unit|arm|market|model|models|series|brand|lineup|category|products?|"
        r"flagship|total|overall|combined)\s+)*", regex.I)
    _GAP_AFTER = regex.compile(
        r"[\s\"')]*(?:\([^()]*\)[\s\"')]*)?(?:of|from|in|for|across|including)\s+(?:the\s+|all\s+)?(?:[A-Z][\w.&-]*'s\s+|its\s+)?"
        r"(?:(?:traditional|new|smart|premium|global|total|consumer|personal|mobile)\s+)?", regex.I)
    _SUBJECT = regex.compile(r"^\W*(?:(?:the|its|their|[A-Z][\w.&-]*(?:'s|')|in|specific\s+to|and)\s+)*$", regex.I)

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

    _LIST_GAP = regex.compile(r"""^["']?\s*(?:(?:category|segment|division|unit|business|arm)\s*)?["']?\s*(?:,\s*)?$""", regex.I)
    _CAP_WORD = regex.compile(r"[A-Z][\w&.-]*")
    _NOT_UNIT = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December", "GAAP", "Non-GAAP", "Underlying", "Adjusted", "Statutory", "Reported", "Organic", "Total",
                 "Net", "Gross", "Operating", "Group", "Quarterly", "Annual", "Overall", "Combined",
                 "Corp", "Corp.", "Inc", "Inc.", "Ltd", "Ltd.", "Co", "Co.", "plc", "PLC", "Corporation", "Limited", "LLC", "AG", "SA", "SE"}
    _UNIT_NOUN = regex.compile(r"(?i)\b(?:its|the|their|the\s+company's)\s+[\"']?((?:[\w-]+\s+){0,4}?(?!(?:same|whole|entire)\b)[\w-]+)[\"']?\s+"
                               r"(?:segment|division|unit|business|arm|category)\b")
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
                                                                   self._LIST_GAP.match(self.norm[span[1]:pos])):
                return self.text[span[0]:span[1]].lower()
        # subject of the clause, followed by a verb or an apposition
        cs = self.clause_start(f.start)
        head = self.norm[cs:f.start]
        named = _NAMED_UNIT.search(head)
        if named:  # "logistics arm Cainiao took in RMB23,164 million"
            return named.group(1).lower()
        head_lower = head.lower()
        has_unit_noun = any(w in head_lower for w in ("segment", "division", "unit", "business", " arm", "category"))
        for m in (self._UNIT_NOUN.finditer(head) if has_unit_noun else ()):  # "its client computing unit brought in $3.1 billion"
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
                    and self._LIST_GAP.match(self.norm[sg.end:f.start].strip(" ")):
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
        if f.noun_end:
            found += [x for x in self.segments if f.end <= x.start < f.noun_end + 1]
        if not found:  # "shipped 1.6 million smartwatches"
            found += [x for x in self.segments if x.start > f.end and self.norm[f.end:x.start] == " "]
        more = _re_match(r"(?i)^\s+(?:fewer|more|less)\s+", self.norm[f.end:f.end + 15])
        if more:  # "8 million fewer handsets"
            found += [x for x in self.segments if x.start == f.end + more.end()]
        if not found and (metric_m is None or metric_m.start > f.start or _is_ratio_metric(metric)):
            # the sentence's subject names the segment: "Internet services grew 11.4 per cent",
            # "The mobile phone business ... accounted for 58.8% of revenue"
            lead = [x for x in self.segments if x.end <= f.start and not self._owns_company(x)]
            if lead and (self._SUBJECT.match(self.norm[self.s0:lead[0].start]) or _is_ratio_metric(metric)):
                found.append(lead[0])
        elif not found and metric_m is not None:
            lead = [x for x in self.segments if x.end <= metric_m.start and not self._owns_company(x)]
            if lead and self._SUBJECT.match(self.norm[self.s0:lead[0].start]):
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
            geo_after = self._geo_after(it, company) if not market else None
            if geo_after:
                return geo_after
            guessed = self._guessed_segment(it, metric_m) if not market else None
            # a guessed unit name the lexicon knows takes its canonical name ("data-centre" -> "data center")
            return next((x.label for x in self.segments if x.text.lower() == guessed), guessed)
        return " ".join(segs[:2])

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

    def _market_geo(self) -> str | None:
        """A geography the sentence names as the market: "the mainland China market", "In India, ..."."""
        for x in self.segments:
            if x.id != "geography":
                continue
            if _re_match(r"(?i)\s*(?:'s\s+)?(?:\w+\s+){0,2}?market\b", self.norm[x.end:x.end + 30]):
                return x.label
            if _re_fullmatch(r"(?i)\W*in\s+", self.norm[self.s0:x.start]) and self.norm[x.end:x.end + 1] == ",":
                return x.label
        return None

    @functools.cached_property
    def _geo_set(self) -> set[str]:
        return {s.label for s in self.segments if s.id == "geography"} | {
            "global", "mainland china", "greater china", "overseas", "india", "europe", "us"}

    def _geos(self) -> set[str]:
        return self._geo_set

    def own_period(self, it: Item) -> PeriodMention | None:
        """The period written right after a figure, before the next figure, in its clause."""
        f = it.fig
        c = self.clause(f.start)
        others = [x.fig.start for x in self.items if x is not it and x.fig.start > f.end]
        next_fig = min(others) if others else self.s1
        reach = (f.noun_end or f.end) + 45
        own = [p for p in self.periods if f.end <= p.start < min(next_fig, reach) and self.clause(p.start) == c
               and p.spec.kind != "D" and (it.role == "prior" or not p.is_prior)
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
        f = it.fig
        fiscal_end = self.o.fiscal_by_company.get(company) if company else None
        in_force = level_period or self.state.period
        ctx = PeriodContext(self.doc_date, self.ref_year, in_force, fiscal_end, forecast, self.state.month)
        c = self.clause(f.start)
        own = self.own_period(it)
        if it.role == "prior":
            if own is not None:
                return resolve(own.spec, ctx), self.text[own.start:own.end]
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
                  and (not p.is_prior or not _re_match(r"(?i)(?:from|compared|versus|vs|than|over|on)\b",
                                                          self.norm[p.start:p.end]))
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

    @functools.cached_property
    def _device_named(self) -> bool:
        """The sentence names a product that is not a vehicle ("smartphone shipments" in a carmaker's story)."""
        return any(sg.id == "product" and sg.label not in _VEHICLE_SEGMENTS for sg in self.segments)

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

    def _basis(self, it: Item, level: Item | None) -> str | None:
        if it.basis:
            return it.basis
        f = it.fig
        last = max(f.end, level.fig.end if level else f.end)
        others = [x.fig.start for x in self.items if x.fig.start >= last and x is not it and x is not level]
        hi = min(others + [self.s1])
        window_after = (last, hi)
        for c in self.cues:
            if window_after[0] <= c.start < window_after[1] and c.label in ("YOY", "QOQ", "MOM"):
                if not _re_search(r"\b(?:but|while|whereas)\b|;", self.norm[last:c.start]):
                    return c.label.lower()
        for p in self.periods:
            if window_after[0] <= p.start < window_after[1] and p.is_prior:
                return {"prior_year": "yoy", "prior_quarter": "qoq", "prior_month": "mom"}[p.spec.rel]
        first = min(f.start, level.fig.start if level else f.start)
        prev = [x.fig.end for x in self.items if x.fig.end <= first]
        lo = max(prev + [self.clause_start(first)])
        # before the claim's first figure, or between its level and its change
        found = [c for c in self.cues if lo <= c.start < last and c.label in ("YOY", "QOQ", "MOM")
                 and not (f.start <= c.start < f.end)]
        if found:
            return found[-1].label.lower()
        return None

    def _forecast(self, f: Figure) -> bool:
        """Forecast cue in the figure's comma clause before it, or right after it ("$2.35 estimated")."""
        return self._forecast_at(f.start, f.end)

    @functools.cached_property
    def _forecast_cues(self) -> tuple[list[Mention], list[Mention]]:
        """The sentence's FORECAST and FORECAST_AFTER cues."""
        # a cue inside an aside ("In the premium segment, a key growth target, shipments
        # exceeded 4 million") describes something else than the figure outside it
        if not any(c.label in ("FORECAST", "FORECAST_AFTER") for c in self.cues):
            return [], []
        asides = self.asides()
        return ([c for c in self.cues if c.label == "FORECAST" and not any(a <= c.start < b for a, b in asides)],
                [c for c in self.cues if c.label == "FORECAST_AFTER" and not any(a <= c.start < b for a, b in asides)])

    def _forecast_at(self, start: int, end: int | None = None, strong_only: bool = False) -> bool:
        end = start if end is None else end
        before, after = self._forecast_cues
        if not before and not after:
            return False
        strong = [c for c in before if c.end <= start and c.id in _STRONG_FORECAST]
        if strong and not _RESULT_VERB.search(self.norm, strong[-1].end, start):
            return True
        cc = self.comma_clause(start)
        for c in before:
            if c.end <= start and self.comma_clause(c.start) == cc and (not strong_only or c.id in _STRONG_FORECAST) \
                    and not _RESULT_VERB.search(self.norm, c.end, start):
                return True
        for c in after:
            if end <= c.start <= end + 12 and not any(end <= x.fig.start < c.start for x in self.items):
                return True
        return False

    def _source(self) -> str | None:
        return self.sources[0].id if self.sources else None

    # -- output --------------------------------------------------------------
    def claims(self) -> list[dict]:
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
                row["_role"], row["_kind"] = it.role, it.fig.kind  # read by the attachment model, then dropped
                self.rows_so_far.append(row)
                periods[id(it)] = row["period"]
                self.level_rows[id(it)] = row
                if row["company"] is None and row["segment"] and row["segment"].endswith(" market"):
                    self.state.market = row["segment"]
                    if row["metric"] in _MARKET_METRICS and not _is_ratio_metric(row["metric"]):
                        self.state.market_metric = row["metric"]
                rows.append(row)
                last_company, last_metric = row["company"], row["metric"]
                any_company = True
        rows.sort(key=lambda r: r["start"])
        for k, row in enumerate(rows):
            row["claim_id"] = f"{self.doc_id}:{self.index}:{k}"
        if any_company:
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
        if it.role != "prior":
            return None
        for x in self.items:
            if x.prior is it and id(x) in periods:
                return periods[id(x)]
        before = [x for x in self.items if x.fig.start < it.fig.start and id(x) in periods]
        if before:
            return periods[id(before[-1])]
        after = [x for x in self.items if id(x) in periods]
        return periods[id(after[0])] if after else None

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
        m = self._UNIT_NOUN.match(self.norm[self.s0:self.s1].lstrip())
        products = [sg.label for sg in self.segments if sg.id == "product"]
        if model:
            products.append(model.group(1).lower())
        if m:
            self.state.segment = m.group(1).lower()
        elif not rows and products:
            self.state.segment = products[-1]  # "Sony raised the price of the PS5 in Japan."
        elif rows or self.companies:
            self.state.segment = None

    def _update_period_state(self) -> None:
        fiscal_end = self.o.fiscal_by_company.get(self.state.company) if self.state.company else None
        p = self.main_mention()
        if p is not None and self._forecast_at(p.start):
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
            self.state.market = " ".join(x for x in (geo[:1] + prod[:1])) + " market"
        if any(c.label == "MARKET" for c in self.cues) and not self.companies and not self.items:
            self.state.company, self.state.company_set = None, True

    def _row(self, it: Item, k: int, level_period: str | None = None) -> dict | None:
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
        if f.unit == "shares" and metric in (None, "unknown", "funding", "valuation", "investment") and _OFFER_BEFORE.search(
                self.norm, self.clause_start(f.start), f.start):
            metric = "shares offered"  # "is offering 48 million shares"
        elif f.kind == "money" and metric in (None, "unknown", "funding", "valuation", "investment") \
                and _EACH_AFTER.match(self.norm, f.end, f.end + 20):
            metric = "price"  # "at between HK$30 and HK$33.50 apiece"
        if metric in ("price", "share price") and f.kind in ("count", "number"):
            metric = "unknown"  # "accelerates from 0 to 100 km/h" in a sentence about a price: no price
        if metric == "shipments" and (f.unit == "vehicles" or (self.state.vehicles and f.unit in ("units", None)
                                                               and not self._device_named)):
            metric = "deliveries"  # "BYD sold 824,000 new energy vehicles"
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
            period, period_text = self._period_for(it, company, forecast, basis, level_period)
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


def _split_long(offsets: list[tuple[int, int]], figure_starts: list[int], text: str,
                limit: int) -> list[tuple[int, int]]:
    """Cut every sentence holding more than ``limit`` figures into pieces of at most ``limit``.

    A cut falls at the last semicolon, line break or comma (in that order of
    preference) before the figure that would exceed the limit, else right
    before that figure. ``figure_starts`` must be sorted. Returns the new
    ``(start, end)`` offsets in text order; sentences within the limit are
    returned unchanged.
    """
    out: list[tuple[int, int]] = []
    for s0, s1 in offsets:
        lo, hi = bisect.bisect_left(figure_starts, s0), bisect.bisect_left(figure_starts, s1)
        if hi - lo <= limit:
            out.append((s0, s1))
            continue
        start, k = s0, lo
        while hi - k > limit:
            over = figure_starts[k + limit]  # the first figure that does not fit
            first = figure_starts[k]
            cut = max((text.rfind(mark, first, over) for mark in (";", "\n")), default=-1)
            if cut <= first:
                cut = text.rfind(",", first, over)
            cut = cut + 1 if cut > first else over
            while cut < over and text[cut].isspace():
                cut += 1
            end = cut
            while end > start and text[end - 1].isspace():
                end -= 1
            out.append((start, end))
            start = cut
            k = bisect.bisect_left(figure_starts, start)
        out.append((start, s1))
    return out


def _entry_for(segment: Mention, company: str | None) -> bool:
    """Whether a segment mention may name ``company``'s segment: entries limited to some
    companies (``extra``, ``|``-joined: "China" is "greater china" for Apple) only theirs."""
    return not segment.extra or (company or "") in segment.extra.split("|")


def _sentence_offsets(doc: Doc, text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the Doc's sentences, as ``doc.sents`` gives them.

    Read from the token arrays rather than by iterating ``doc.sents`` (the
    hot path of the claim stage); ``end`` excludes trailing whitespace.
    """
    if not len(doc):
        return []
    starts = doc.to_array("SENT_START")
    idx = doc.to_array("IDX")
    first = [i for i in (starts == 1).nonzero()[0].tolist() if i > 0]
    bounds = [0] + first
    out = []
    for k, tok_start in enumerate(bounds):
        s0 = int(idx[tok_start])
        if k + 1 < len(bounds):
            last = bounds[k + 1] - 1
        else:
            last = len(doc) - 1
        tok = doc[last]
        s1 = tok.idx + len(tok.text)
        out.append((s0, s1))
    return out


def _same_unit(a: "Item", b: "Item") -> bool:
    """Two figures can be the two ends of one "from X to Y" movement."""
    return a.fig.unit == b.fig.unit or a.fig.unit is None or b.fig.unit is None


def _share_name(metric: str) -> str:
    """The share-of-total metric for a base metric: revenue -> revenue share, shipments -> share of shipments."""
    if metric == "revenue":
        return "revenue share"
    if metric.endswith("share"):
        return metric
    return f"share of {metric}"


def _dir_label(label: str) -> str:
    return {"INCREASE": "increase", "DECREASE": "decrease", "FLAT": "flat", "CUT": "decrease"}[label]
