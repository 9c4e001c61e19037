"""Build the newsfigures spaCy pipeline from settings."""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
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
    nlp.tokenizer = _tokenizer(nlp)
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


def _tokenizer(nlp: Language) -> Tokenizer:
    """The language's tokenizer with this project's changes, made in one go.

    Every change to a spaCy tokenizer's patterns reloads its ~1,350 special
    cases; setting them one by one cost about 0.2 s of each start (7 reloads),
    so the tokenizer is made once with all of them (the same rules, patterns
    and tokens).
    """
    old = nlp.tokenizer
    # a sentence-final period after mixed-case or slashed abbreviations ("YoY.", "Y/Y.")
    # is punctuation, so the cue matchers see "YoY"
    suffixes = list(nlp.Defaults.suffixes) + [r"(?<=[a-z][A-Z])\.", r"(?<=/[A-Za-z])\.",
                                              r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9][A-Za-z][A-Za-z])\."]  # "£50m."
    rules = dict(old.rules)
    # "£50m." ends a sentence: the scale letter is not an abbreviation with its period
    for abbr in ("m.", "k.", "b.", "bn.", "mn."):
        rules[abbr] = [{"ORTH": abbr[:-1]}, {"ORTH": "."}]
    # words the tokenizer has not cached (it keeps max_cache_size chunks) are split
    # again in every article; most are plain words, where no affix rule can match (SkipLetters)
    return Tokenizer(nlp.vocab, rules=rules,
                     prefix_search=SkipLetters(old.prefix_search.__self__).search,
                     suffix_search=SkipLetters(compile_suffix_regex(suffixes)).search,
                     infix_finditer=SkipLetters(old.infix_finditer.__self__).finditer,
                     token_match=old.token_match,
                     # URLs need not stay whole tokens here (figures are read from the text); the
                     # URL pattern costs about an eighth of the pipeline's time (bench/, measured)
                     url_match=None, faster_heuristics=old.faster_heuristics)


class SkipLetters:
    """A compiled prefix, suffix or infix pattern of the tokenizer that skips plain words.

    No affix rule of the English defaults, nor the suffix rules added here,
    matches anywhere in a string of ASCII letters only: each needs
    punctuation, a symbol, a quote, an apostrophe or a digit. For such a
    string ``search`` returns None and ``finditer`` nothing without running
    the pattern (a search of the suffix pattern costs thousands of
    instructions per word); any other string goes to the pattern. ``pattern``
    is the compiled pattern's, so the tokenizer serialises as before.

    Args:
        compiled: the compiled pattern (``re.Pattern``).
    """

    def __init__(self, compiled) -> None:
        self.compiled = compiled
        self.pattern = compiled.pattern

    def search(self, string: str):
        if string.isascii() and string.isalpha():
            return None
        return self.compiled.search(string)

    def finditer(self, string: str):
        if string.isascii() and string.isalpha():
            return iter(())
        return self.compiled.finditer(string)


def make_article_doc(nlp: Language, text: str, doc_id: str, doc_date: str | None) -> Doc:
    """A tokenised Doc ready for ``nlp.pipe``: ``user_data`` holds ``doc_id``, ``doc_date``
    (ISO date or None) and the text (so the components need not re-join it from tokens)."""
    doc = nlp.make_doc(text)
    doc.user_data["doc_id"] = doc_id
    doc.user_data["doc_date"] = doc_date
    doc.user_data["_text"] = text
    return doc
