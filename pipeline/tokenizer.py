"""The pipeline's tokenizer: spaCy's English rules plus this project's, made once."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex


# Abbreviated legal forms of companies (India, Singapore, Malaysia, Australia, UK)
_LEGAL_FORMS = ("Pvt.", "Pte.", "Bhd.", "Sdn.", "Pty.", "Plc.", "PLC.", "Ltda.")


def make_tokenizer(nlp: Language) -> Tokenizer:
    """The language's default tokenizer with this project's changes, made in one go.

    Every change to a spaCy tokenizer's patterns reloads its ~1,350 special
    cases; setting them one by one cost about 0.2 s of each start (7 reloads),
    so the tokenizer is made once with all of them, from the language's
    defaults (the patterns and rules ``spacy.Tokenizer.v1`` uses), and is the
    pipeline's tokenizer from the start (``figures.Tokenizer.v1``).

    Args:
        nlp: the pipeline whose vocab and language defaults are used.

    Returns:
        The tokenizer.
    """
    defaults = nlp.Defaults
    # a sentence-final period after mixed-case or slashed abbreviations ("YoY.", "Y/Y.")
    # is punctuation, so the cue matchers see "YoY"
    suffixes = list(defaults.suffixes) + [r"(?<=[a-z][A-Z])\.", r"(?<=/[A-Za-z])\.",
                                          r"(?<=[0-9][A-Za-z])\.", r"(?<=[0-9][A-Za-z][A-Za-z])\."]  # "£50m."
    rules = dict(defaults.tokenizer_exceptions)
    # "£50m." ends a sentence: the scale letter is not an abbreviation with its period
    for abbr in ("m.", "k.", "b.", "bn.", "mn."):
        rules[abbr] = [{"ORTH": abbr[:-1]}, {"ORTH": "."}]
    # legal forms spaCy's English exceptions lack ("Inc.", "Ltd.", "Co." are there): their
    # period ends no sentence ("Flipkart India Pvt. Ltd reported ...")
    for abbr in _LEGAL_FORMS:
        rules.setdefault(abbr, [{"ORTH": abbr}])
    # words the tokenizer has not cached (it keeps max_cache_size chunks) are split
    # again in every article; most are plain words, where no affix rule can match (SkipLetters)
    return Tokenizer(nlp.vocab, rules=rules,
                     prefix_search=SkipLetters(compile_prefix_regex(defaults.prefixes)).search,
                     suffix_search=SkipLetters(compile_suffix_regex(suffixes)).search,
                     infix_finditer=SkipLetters(compile_infix_regex(defaults.infixes)).finditer,
                     token_match=defaults.token_match,
                     # URLs need not stay whole tokens here (figures are read from the text); the
                     # URL pattern costs about an eighth of the pipeline's time (bench/, measured)
                     url_match=None)


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
