"""Lexicon components: companies and sources, metrics and segments, cue words.

Each component lays :class:`spacy.matcher.PhraseMatcher` matches of a
``models/`` lexicon onto the Doc as a span group; overlapping matches keep
the longest (``net sales`` over ``sales``). Span groups written:

* ``companies``: label ``COMPANY`` or ``SOURCE``, ``id_`` the canonical name.
* ``metrics``: label the canonical metric, ``id_`` the base metric of a
  share-of-total form (``of revenue`` -> ``revenue``), else ``""``.
* ``segments``: label the canonical segment, ``id_`` ``product`` or
  ``geography``; ``kb_id_`` holds the companies it is limited to (``|``-joined).
* ``cues``: label one of ``INCREASE``, ``DECREASE``, ``FLAT``, ``CUT``,
  ``YOY``, ``QOQ``, ``MOM``, ``FORECAST``, ``FORECAST_AFTER``, ``MARKET``,
  ``MULTIPLIER``; ``id_`` the lowercase cue text.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .lexicons import Cues, Entity, MetricEntry, SegmentEntry


def _longest(spans: list[Span]) -> list[Span]:
    return sorted(filter_spans(spans), key=lambda s: s.start)


class CompanyRecognizer:
    """Find company and source names from ``models/companies.jsonl`` / ``sources.jsonl``."""

    def __init__(self, nlp: Language, entities: list[Entity]) -> None:
        self.case = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.nocase = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.fiscal: dict[str, str | None] = {}
        for ent in entities:
            label = f"{ent.kind.upper()}|{ent.name}"
            matcher = self.case if ent.case_sensitive else self.nocase
            matcher.add(label, [nlp.make_doc(a) for a in ent.aliases])
            self.fiscal[ent.name] = ent.fiscal_calendar

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for matcher in (self.case, self.nocase):
            for match_id, start, end in matcher(doc):
                kind, name = doc.vocab.strings[match_id].split("|", 1)
                spans.append(Span(doc, start, end, label=kind, span_id=name))
        doc.spans["companies"] = _longest(spans)
        return doc


class MetricRecognizer:
    """Find metric and segment surface forms (``models/metrics.jsonl``, ``segments.jsonl``)."""

    def __init__(self, nlp: Language, metrics: list[MetricEntry], segments: list[SegmentEntry]) -> None:
        self.metrics = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.segments = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.units: dict[str, str | None] = {}
        for i, m in enumerate(metrics):
            self.metrics.add(f"{m.metric}|{m.share_of or ''}", [nlp.make_doc(p) for p in m.patterns])
            self.units.setdefault(m.metric, m.unit)
        for s in segments:
            key = f"{s.segment}|{s.kind}|{'|'.join(s.companies)}"
            self.segments.add(key, [nlp.make_doc(p) for p in s.patterns])

    def __call__(self, doc: Doc) -> Doc:
        metrics = []
        for match_id, start, end in self.metrics(doc):
            metric, share_of = doc.vocab.strings[match_id].split("|", 1)
            metrics.append(Span(doc, start, end, label=metric, span_id=share_of))
        doc.spans["metrics"] = _longest(metrics)
        segments = []
        for match_id, start, end in self.segments(doc):
            segment, kind, companies = doc.vocab.strings[match_id].split("|", 2)
            segments.append(Span(doc, start, end, label=segment, span_id=kind, kb_id=companies))
        doc.spans["segments"] = _longest(segments)
        return doc


class CueRecognizer:
    """Find direction, basis, forecast, market and multiplier cues (``models/cues.toml``)."""

    GROUPS = {"INCREASE": "increase", "DECREASE": "decrease", "FLAT": "flat", "CUT": "cut_verbs",
              "YOY": "yoy", "QOQ": "qoq", "MOM": "mom", "FORECAST": "forecast",
              "FORECAST_AFTER": "forecast_after", "MARKET": "market_words"}

    def __init__(self, nlp: Language, cues: Cues) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, attr in self.GROUPS.items():
            self.matcher.add(label, [nlp.make_doc(w) for w in getattr(cues, attr)])
        self.matcher.add("MULTIPLIER", [nlp.make_doc(w) for w in cues.multipliers])
        self.multipliers = {k.lower(): v for k, v in cues.multipliers.items()}

    def __call__(self, doc: Doc) -> Doc:
        by_label: dict[str, list[Span]] = {}
        for match_id, start, end in self.matcher(doc):
            label = doc.vocab.strings[match_id]
            by_label.setdefault(label, []).append(
                Span(doc, start, end, label=label, span_id=doc[start:end].text.lower()))
        # one cue may carry two labels ("cut" is DECREASE and CUT): keep both,
        # longest within each label
        spans = [s for group in by_label.values() for s in _longest(group)]
        doc.spans["cues"] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc
