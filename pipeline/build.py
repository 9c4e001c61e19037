"""Build the newsfigures spaCy pipeline from settings."""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex

from . import factories  # noqa: F401  (registers the figures_* factories)
from .config import Settings
from .errors import LexiconError


def make_nlp(settings: Settings | None = None) -> Language:
    """Return the default pipeline: a blank tokenizer plus the figures_* components.

    No statistical model is loaded and nothing is downloaded. Order:
    ``sentencizer -> figures_line_breaks -> figures_numbers -> figures_periods
    -> figures_metrics -> figures_companies -> figures_cues -> figures_claims``.
    """
    settings = settings or Settings()
    nlp = spacy.blank(settings.lang)
    # spaCy's own limit (1,000,000 characters) guards its parser's memory; this pipeline
    # has no parser, so the limit is the reading limit (max_chars)
    nlp.max_length = max(nlp.max_length, settings.max_chars + 1)
    # a sentence-final period after mixed-case or slashed abbreviations ("YoY.", "Y/Y.")
    # is punctuation, so the cue matchers see "YoY"
    suffixes = list(nlp.Defaults.suffixes) + [r"(?<=[a-z][A-Z])\.", r"(?<=/[A-Za-z])\.",
                                              r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9][A-Za-z][A-Za-z])\."]  # "£50m."
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    # URLs need not stay whole tokens here (figures are read from the text); the
    # URL pattern costs about an eighth of the pipeline's time (bench/, measured)
    nlp.tokenizer.url_match = None
    # "£50m." ends a sentence: the scale letter is not an abbreviation with its period
    for abbr in ("m.", "k.", "b.", "bn.", "mn."):
        nlp.tokenizer.add_special_case(abbr, [{"ORTH": abbr[:-1]}, {"ORTH": "."}])
    models = str(settings.models_dir)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("figures_line_breaks")
    nlp.add_pipe("figures_numbers", config={"models_dir": models})
    nlp.add_pipe("figures_periods")
    nlp.add_pipe("figures_metrics", config={"models_dir": models})
    nlp.add_pipe("figures_companies", config={"models_dir": models})
    if settings.ner_model:
        try:
            nlp.add_pipe("figures_ner_companies", config={"model_name": settings.ner_model})
        except LexiconError as exc:  # name the config file the model was asked for in
            raise LexiconError(exc.code, exc.reason, str(settings.config_path or exc.path)) from None
    nlp.add_pipe("figures_cues", config={"models_dir": models})
    nlp.add_pipe("figures_claims", config={"models_dir": models, **settings.claims})
    return nlp


def make_article_doc(nlp: Language, text: str, doc_id: str, doc_date: str | None) -> Doc:
    """A tokenised Doc ready for ``nlp.pipe``: ``user_data`` holds ``doc_id``, ``doc_date``
    (ISO date or None) and the text (so the components need not re-join it from tokens)."""
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"] = doc_id
    doc.user_data["doc_date"] = doc_date
    doc.user_data["_text"] = text
    return doc
