"""Build the newsfigures spaCy pipeline from settings."""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .config import Settings
from .errors import LexiconError
from .factories import TOKENIZER  # importing factories registers the figures_* factories and the tokenizer


def make_nlp(settings: Settings | None = None) -> Language:
    """Return the default pipeline: a blank tokenizer plus the figures_* components.

    No statistical model is loaded and nothing is downloaded. Order:
    ``sentencizer -> figures_line_breaks -> figures_numbers -> figures_periods
    -> figures_metrics -> figures_companies -> figures_cues -> figures_claims``.
    """
    settings = settings or Settings()
    # the tokenizer is made once, with this project's rules (pipeline/tokenizer.py), not made
    # by spacy.blank and then made again
    nlp = spacy.blank(settings.lang, config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    # spaCy's own limit (1,000,000 characters) guards its parser's memory; this pipeline
    # has no parser, so the limit is the reading limit (max_chars)
    nlp.max_length = max(nlp.max_length, settings.max_chars + 1)
    models = str(settings.models_dir)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("figures_line_breaks", config={"max_sentence_chars": settings.max_sentence_chars})
    nlp.add_pipe("figures_numbers", config={"models_dir": models, **settings.numbers})
    nlp.add_pipe("figures_periods", config=settings.periods)
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
