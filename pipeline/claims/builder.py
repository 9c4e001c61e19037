"""The claim component: an article's mentions to its claim rows, sentence by sentence.

:class:`ClaimBuilder` is the spaCy component (``figures_claims``). Per
article it reads the span groups into :class:`~pipeline.claims.items.Mention`
lists, finds the reference year of an undated article, sets up the
:class:`~pipeline.claims.state.ArticleState` (the most-named company in
force from the start, unless a research firm leads), cuts sentences with too
many figures into pieces, and runs a :class:`~pipeline.claims.sentence._Sentence`
on each sentence; with an attachment model, the model then re-decides each
row's company, metric, segment and period.
"""
from __future__ import annotations

import bisect
import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import regex
from spacy.tokens import Doc

from ..attachment.company import own_name
from ..attachment.context import ArticleContext, SentenceView
from ..numbers import Figure
from ..periods import FOUNDED_BEFORE, PeriodMention
from ..respectively import each_owners
from .flat_table import read_tables
from .items import Mention
from .sentence import _Sentence
from .state import ArticleState

if TYPE_CHECKING:
    from ..attachment.model import Attacher


_DOT_SPACE, _NEWLINE, _AND = regex.compile(r"\. "), regex.compile(r"\n"), regex.compile(r"(?= and )")
_COMPARED_BEFORE = regex.compile(r"(?i)\b(?:from|compared\s+(?:with|to)|than|versus|vs\.?|against)\s+(?:in\s+)?(?:the\s+|a\s+)?$")


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
        from ..numbers import doc_norm, doc_text

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
            if found:
                found = _shared_by_each(found, sc, article)
            for row in found:
                row.pop("_role", None), row.pop("_kind", None), row.pop("_level_start", None), row.pop("_level", None)
            rows.extend(found)
        if rows:
            read_tables(text, rows, metrics, periods, [c for c in companies if c.label == "COMPANY"], doc_date, ref_year)
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
                if FOUNDED_BEFORE.search(norm, max(0, p.start - 30), p.start):
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


def _shared_by_each(rows: list[dict], sc, article) -> list[dict]:
    """The rows with a copy for each further company a figure is shared out over by "each"
    ("Oppo and Vivo ..., each with 16% market share": one claim per company, the grammar decides;
    ``pipeline/respectively.py``); the claim ids numbered again when rows were added."""
    if sc.lower.find("each", sc.s0, sc.s1) == -1:
        return rows
    spans = [(it.fig.start, it.fig.end) for it in sc.items]
    out = []
    for row in rows:
        out.append(row)
        owners = each_owners(sc.norm, sc.s0, row["start"], spans, sc.companies)
        if not owners:
            continue
        named = [next(m for m in sc.companies if m.start == a) for a in owners]
        names = [own_name(m.id, article) if article is not None else m.id for m in named]
        row["company"], row["company_text"] = names[0], named[0].text
        out += [{**row, "company": name, "company_text": m.text} for name, m in zip(names[1:], named[1:])]
    if len(out) != len(rows):
        for k, row in enumerate(out):
            row["claim_id"] = row["claim_id"].rsplit(":", 1)[0] + f":{k}"
    return out
