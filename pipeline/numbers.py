"""Number grammar: find the figures of an article and parse them exactly.

A *figure* is one stated quantity: a number (digits or words) with its
sign, scale word, currency, percent sign, percentage-point or basis-point
mark, count noun and qualifier, or a range of two such numbers. Values are
parsed with :class:`decimal.Decimal` so ``59.5 billion`` is ``59500000000``
exactly; a value no float holds is rejected with a reason, never written as
``Infinity``. Currencies come from the CLDR data (ISO 4217 codes, symbols,
names; :class:`~pipeline.lexicons.CurrencyTable`) with our overrides in
``models/currencies.toml``; a mark several currencies share (``$``, ``¥``,
``kr``) is resolved by the countries the article names.

The grammar runs on a same-length normalised copy of the text (see
:func:`normalise`), so every offset it reports is an offset into the
original article text (end-exclusive).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Iterator

import regex
from functools import cached_property, lru_cache
from text_to_num import text2num


@lru_cache(maxsize=1024)
def _cached_re(pattern: str) -> "regex.Pattern":
    return regex.compile(pattern)

from .lexicons import CurrencyTable, NumberLexicon

# Same-length replacements: full-width digits and signs, no-break and
# thin spaces, curly quotes, dashes. Length is kept so offsets stay valid.
_SAME_LENGTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_SAME_LENGTH.update({
    0xFF0C: ",", 0xFF0E: ".", 0xFF05: "%", 0xFF04: "$", 0x00A0: " ", 0x202F: " ",
    0x2009: " ", 0x2007: " ", 0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"',
    0x2013: "-", 0x2014: "-", 0x2212: "-", 0x2011: "-", 0x2010: "-", 0xFFE5: "¥",
})
# the same characters as a class, to find the few places to fold (str.translate
# looks up every character of the text in the table)
_LOOK_ALIKES = regex.compile("[" + "".join(regex.escape(chr(c)) for c in sorted(_SAME_LENGTH)) + "]")
_FOLDED = {chr(c): chr(v) if isinstance(v, int) else v for c, v in _SAME_LENGTH.items()}


def doc_text(doc) -> str:
    """The Doc's text, built once per Doc (``Doc.text`` re-joins every token on each read)."""
    text = doc.user_data.get("_text")
    if text is None:
        text = doc.user_data["_text"] = doc.text
    return text


def doc_norm(doc) -> str:
    """:func:`normalise` of the Doc's text, computed once per Doc."""
    norm = doc.user_data.get("_norm")
    if norm is None:
        norm = doc.user_data["_norm"] = normalise(doc_text(doc))
    return norm


def lay_mentions(doc, group: str, mentions: list, label_of) -> None:
    """Lay text mentions (objects with ``start``/``end`` offsets) on the Doc.

    Writes the span group ``group`` (label ``label_of(mention)``) and, in the
    same order, the mentions that could be aligned to tokens to
    ``doc.user_data[group]``.
    """
    spans, kept = [], []
    for m in mentions:
        span = doc.char_span(m.start, m.end, label=label_of(m), alignment_mode="expand")
        if span is not None:
            spans.append(span)
            kept.append(m)
    doc.spans[group] = spans
    doc.user_data[group] = kept


def normalise(text: str) -> str:
    """Return ``text`` with look-alike characters folded, keeping its length.

    Full-width digits (``１２``), no-break spaces, curly quotes and dashes
    become their ASCII forms one character for one, so offsets found in the
    result are offsets in ``text``.
    """
    if text.isascii():
        return text  # every look-alike is outside ASCII
    return _LOOK_ALIKES.sub(lambda m: _FOLDED[m.group()], text)


_UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_FRACTIONS = {"half": Decimal("0.5"), "third": Decimal(1) / Decimal(3), "tenth": Decimal("0.1"),
              "fifth": Decimal("0.2"), "fourth": Decimal("0.25"),
              "quarter": Decimal("0.25"), "thirds": Decimal(2) / Decimal(3),
              "two-thirds": Decimal(2) / Decimal(3), "three-quarters": Decimal("0.75")}


def _fraction_value(words: str) -> Decimal | None:
    """The fraction a word form names ("a half", "one-third", "three quarters"), or None."""
    word = words.lower().replace(" ", "-")
    return _FRACTIONS.get(word.split("-", 1)[-1] if word.startswith(("a-", "one-")) else word)


@dataclass(frozen=True, slots=True)
class Figure:
    """One stated quantity found in the text.

    Attributes:
        start, end: end-exclusive character offsets of the figure's words
            (qualifier included, e.g. ``more than 1,200``).
        value: the number in base units (``Decimal``); for a range the low end.
        value_high: the high end of a range, else None.
        unit: ISO 4217 code, ``%``, ``pp``, ``bp`` (converted to pp by
            callers), a count noun, or None for a bare number.
        qualifier: schema qualifier (``exact``, ``about``, ...).
        kind: ``money``, ``percent``, ``pp``, ``count`` or ``number``.
        decimals: digits written after the decimal point (precision), and
            ``scale`` the multiplier of the scale word, so the stated
            rounding is ``0.5 * 10**-decimals * scale``.
        words: True when the number was written in words.
        noun_end: end offset of a count noun that follows the figure, if any.
    """

    start: int
    end: int
    value: Decimal
    unit: str | None
    kind: str
    qualifier: str = "exact"
    value_high: Decimal | None = None
    decimals: int = 0
    scale: Decimal = Decimal(1)
    words: bool = False
    num_start: int = 0
    noun_end: int | None = None
    flags: frozenset = field(default_factory=frozenset)

    @property
    def is_range(self) -> bool:
        return self.value_high is not None


_ONE = Decimal(1)
# the capture groups of NumberGrammar.atom, in pattern order
_ATOM_GROUPS = ("sign", "cur1", "sign2", "num", "abbr", "pence", "scale", "pct", "pp", "cur2")


def _alt(words) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _first_chars(words, fold: bool = False) -> str:
    """A character class of the first characters of ``words`` (both cases when ``fold``).

    Put as a lookahead before a long alternation, it lets the engine reject
    a position with one class test instead of trying every branch.
    """
    chars = {w[0] for w in words if w}
    if fold:
        chars |= {c.upper() for c in chars} | {c.lower() for c in chars}
    return "[" + "".join(regex.escape(c) for c in sorted(chars)) + "]"


def _trie(words) -> str:
    """A regex of literal words as a character trie: the same matches as :func:`_alt`.

    Each branch point tries its characters once, so a list of hundreds of
    currency marks and names costs about what a short one does; at every
    point a longer word is tried before a shorter one (as :func:`_alt`'s
    longest-first order does).
    """
    trie: dict = {}
    for w in set(words):
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [regex.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(trie)


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")


# characters folded to "-" by normalise that are never a minus sign (em dash, horizontal bar)
_NOT_MINUS = frozenset("\u2014\u2015")
# a line of a table: cells apart by a tab, a bar, or runs of spaces
_TABLE_ROW = regex.compile(r"\t|\||\S {2,}\S.* {2,}\S")


@dataclass(slots=True)
class _ArticleForm:
    """How one article writes its numbers, and where its rejects go.

    Attributes:
        text: the normalised text; ``raw`` the text as written (or None).
        comma_decimal: the article writes a decimal comma (``31,2 Mrd``), so
            ``1,234`` is 1.234 and ``1.234`` is 1234.
        rejected: ``(start, end, reason)`` of numbers read but rejected.
    """

    text: str
    raw: str | None
    comma_decimal: bool
    rejected: list

    def table_row(self, pos: int) -> bool:
        """Whether the line around ``pos`` is a row of a table (where ``(12.5)`` is negative)."""
        lo = self.text.rfind("\n", 0, pos) + 1
        hi = self.text.find("\n", pos)
        line = self.text[lo:hi if hi != -1 else len(self.text)]
        return _TABLE_ROW.search(line) is not None


# decimal exponents that an IEEE 754 double holds with room to spare (its range is
# about 2.2e-308 to 1.8e308): a value whose adjusted exponent lies inside needs no
# conversion to tell
_SAFE_EXPONENTS = range(-300, 301)


def _finite(value: Decimal) -> bool:
    """Whether ``value`` is a finite float other than an underflow to zero (JSON holds it)."""
    if not value or value.adjusted() in _SAFE_EXPONENTS:
        return True
    try:
        f = float(value)
    except (OverflowError, InvalidOperation):
        return False
    return math.isfinite(f) and (f != 0 or value == 0)


_INDIAN = regex.compile(r"\d{1,2}(?:,\d\d)+,\d{3}(?:\.\d+)?")
_COMMA_THOUSANDS = regex.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS = regex.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _parse_digits(num: str, comma_decimal: bool) -> tuple[Decimal, int, bool, bool]:
    """Parse digits written with any supported separators, exactly.

    Args:
        num: the digits as written: ``2,35,481`` (Indian grouping),
            ``1,234,567.5``, ``1.234.567,5``, ``12 500``, ``1'250'000``,
            ``31,2`` (decimal comma), ``.5``.
        comma_decimal: the article writes decimal commas, so a lone group
            ``1,234`` is 1.234 and ``1.234`` is 1234.

    Returns:
        (value, digits after the decimal mark, whether the decimal mark was
        a comma, whether the digits were grouped in thousands).
    """
    if num.isdigit():
        return Decimal(num), 0, False, False
    plain = num.replace(" ", "").replace("'", "")
    grouped = plain != num
    if _INDIAN.fullmatch(num):
        digits, comma = num.replace(",", ""), False
        grouped = True
    elif "," in plain and "." in plain:
        comma = plain.rfind(",") > plain.rfind(".")
        digits = plain.replace(".", "").replace(",", ".") if comma else plain.replace(",", "")
        grouped = True
    elif "," in plain:
        lone_group = _COMMA_THOUSANDS.fullmatch(plain) is not None
        comma = not lone_group or (comma_decimal and plain.count(",") == 1)
        digits = plain.replace(",", ".") if comma else plain.replace(",", "")
        grouped = grouped or not comma
    elif "." in plain and (plain.count(".") > 1 or (comma_decimal and _DOT_THOUSANDS.fullmatch(plain))):
        digits, comma = plain.replace(".", ""), False
        grouped = True
    else:
        digits, comma = plain, False
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return Decimal(digits), decimals, comma, grouped


class NumberGrammar:
    """Compiled figure patterns for one :class:`NumberLexicon` and :class:`CurrencyTable`.

    Numbers are read in every grouping news copy uses: comma thousands with a
    decimal point (``1,234.5``), Indian lakh/crore grouping (``2,35,481``),
    dot thousands with a decimal comma (``1.234,5``), space, thin-space and
    apostrophe thousands (``12 500``, ``1'250'000``), a decimal comma of one
    or two digits next to a scale word, ``%`` or a currency (``€31,2
    billion``), and, in an article that writes decimal commas, ``1,234`` as
    1.234. A minus sign (``-``, ``−``, ``–``; not an em dash) before the
    figure or right after its currency mark makes it negative, and so do
    parentheses round a figure in a table row. Numbers in words are read by
    text2num, with our grammar for ``a hundred``, ``half a`` and ``point``.

    Args:
        lexicon: scale words, count nouns, qualifiers (``models/numbers.toml``).
        currencies: currency marks, names and shared marks; None loads the
            project's (``models/currencies.toml`` over the CLDR table).
        min_count_in_words: smallest count in words without a scale word
            that is a figure (``config.toml`` ``[numbers]``).
    """

    def __init__(self, lexicon: NumberLexicon, currencies: CurrencyTable | None = None,
                 min_count_in_words: float = 100) -> None:
        self.lex = lexicon
        self.cur = currencies if currencies is not None else CurrencyTable.load()
        self.min_count_in_words = Decimal(str(min_count_in_words))
        self.scale_values = {word.lower(): Decimal(value) for word, value in lexicon.scales.items()}
        word_num = _alt(list(_UNITS_WORDS) + ["hundred", "a", "an"])
        big = _alt(["thousand", "million", "billion", "trillion"])
        # Indian grouping (2,35,481), comma thousands (1,234,567.5), dot thousands with a
        # decimal comma (1.234.567,8), space or apostrophe thousands (12 500, 1'250'000),
        # a decimal comma of one or two digits (31,2), plain digits
        digit = (r"(?:\d{1,2}(?:,\d\d)+,\d{3}(?![\d])(?:\.\d+)?"
                 r"|\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?"
                 r"|\d{1,3}(?:\.\d{3}){2,}(?![\d])(?:,\d+)?|\d{1,3}\.\d{3},\d+"
                 r"|\d{1,3}(?:[ ']\d{3})+(?![\d'])(?:[.,]\d+)?"
                 r"|\d+,\d{1,2}(?![\d]|,\d)"
                 r"|\d+(?:\.\d+)?|\.\d+)")
        # a scale word inside a number in words only with more number words after it
        # ("two thousand three hundred"); a last one is the figure's scale word
        words = (rf"(?:half[ ]an?(?=[ ](?:{big})\b)|(?:{word_num})(?:[ -](?:and[ ])?(?:{word_num}|(?:{big})(?=[ -](?:and[ ])?(?:{word_num})\b)))*"
                 rf"(?:[ -]point[ -](?:\d+|(?:(?:{word_num})(?:[ -](?:{word_num}))*)))?)")
        scale_words = [s for s in lexicon.scales if len(s) > 1]
        prefixes = _trie(self.cur.prefixes)
        suffix_marks = _trie(self.cur.suffixes)
        names = _trie(list(self.cur.suffix_names) + [w for w in self.cur.minor_units if len(w) > 1])
        nouns = _trie(lexicon.count_nouns)
        # what a number in words must be followed by to be a figure
        words_end = rf"(?=[ -](?i:{_alt(scale_words)}|percent|per[ ]cent|{names}|{nouns})(?![\w]))"
        name_words = list(self.cur.suffix_names) + [w for w in self.cur.minor_units if len(w) > 1]
        first_prefix = _first_chars(self.cur.prefixes)
        first_suffix = _first_chars(list(self.cur.suffixes) + name_words, fold=True)
        first_word = _first_chars(list(_UNITS_WORDS) + ["hundred", "a", "an", "half"], fold=True)
        # between a number and its scale word, percent sign or currency: a space, or a line wrap of
        # hard-wrapped text ("9.55\nbillion euros"); a blank line starts a new paragraph
        wrap = r"\n(?!\n)"
        self.atom_pattern = (
            rf"""
            (?P<sign>(?<![\w.,%)'-])-(?=\S))?
            (?P<cur1>(?<![A-Za-z])(?={first_prefix})(?:{prefixes}))?[ ]?
            (?P<sign2>(?(cur1)-(?=[\d.])|(?!)))?
            (?P<num>(?(cur1)|(?<![\w.,]))(?:{digit}|(?={first_word})(?i:{words}){words_end}))
            (?:
                (?P<abbr>(?<=\d)(?:[kKmMbB](?:n|N|ln)?|bn|tn|Cr|cr)(?![\w]))
              | (?P<pence>(?<=\d)p(?![\w]))
              | (?:[ -]|{wrap})?(?P<scale>(?i:{_alt(scale_words)})(?![\w]))
            )?
            (?:
                (?:[ ]|{wrap})?(?P<pct>%|(?i:percent|per[ ]cent|pct)(?!\w))
              | (?:[ ]|{wrap})?(?P<pp>(?i:percentage[ ]points?|pp|ppts?|basis[ ]points?|bps|bp)(?!\w))
              | (?:[ ]|{wrap})?(?P<cur2>(?={first_suffix})(?:(?<=[ \n])(?:{suffix_marks}|(?i:{names}))(?![\w])|(?:{suffix_marks})(?![\w])))
            )?
            """
        )
        # the pattern for the standard library's engine, which runs it about 1.5 times as
        # fast; on ASCII text it agrees with the regex module's (they differ only in what
        # \w, \d and case folding cover beyond ASCII), which is compiled when first needed
        # (:attr:`atom`: about 0.1 s of a start, for an article that is not ASCII)
        self.atom_ascii = re.compile(self.atom_pattern, re.VERBOSE)
        if self.atom_ascii.groups != len(_ATOM_GROUPS) or any(
                self.atom_ascii.groupindex[name] != i for i, name in enumerate(_ATOM_GROUPS, 1)):
            raise AssertionError(f"the atom pattern's groups are not {_ATOM_GROUPS}")  # _atom reads them by position
        # per shared mark: one pattern of all its cue words, and the currencies each word names
        self.cues = {}
        for name, mark in self.cur.shared.items():
            codes_of: dict[str, list[str]] = {}
            for code, words in mark.cues.items():
                for word in words:
                    codes_of.setdefault(word, []).append(code)
            self.cues[name] = (regex.compile(rf"(?<!\w)(?:{_trie(codes_of)})(?!\w)"), codes_of)
        # an article that writes a decimal comma: "31,2 Mrd", "3,5 %", "1.234,56". The pattern
        # starts at the comma or the point (a literal, which the engine scans for fast);
        # _writes_decimal_comma checks the digits before it
        self._comma_article = re.compile(rf",\d{{1,2}}(?![\d,])[ ]?(?:%|€|(?i:{_alt(scale_words)})\b)")
        self._dot_thousands_comma = re.compile(r"\.\d{3},\d")
        self.fraction = regex.compile(
            r"(?i)(?<![\w-])(?P<num>(?:a|one)[ -](?:half|third|quarter|tenth|fifth|fourth)|two-thirds|two thirds|"
            r"three-quarters|three quarters|half)(?=\s+of\b)(?!\s+of\s+(?:the\s+|that\s+|its\s+|this\s+)?(?:[$€£¥₹]?\d|(?:decline|drop|fall|decrease|increase|rise|growth|gain|loss|difference|gap|change|shortfall)s?\b))")
        # "fell by more than half", "grew by a third": a relative change in words
        self.fraction_by = regex.compile(
            r"(?i)(?<=\bby\s+)(?P<q>(?:more|less)\s+than\s+|about\s+|around\s+|nearly\s+|almost\s+|roughly\s+|over\s+)?"
            r"(?P<num>(?:a|one)[ -](?:half|third|quarter|tenth|fifth)|two-thirds|two thirds|three-quarters|three quarters|half)"
            r"(?![\w-])(?!\s+of\b)")
        # last words of the qualifier phrases: a cheap test before the regex runs
        self.qualifier_ends = {q.split()[-1].lower() for q in lexicon.qualifiers}
        self.qualifier = regex.compile(
            rf"(?i)(?:^|(?<=[\s(\"'—-]))(?P<q>{_alt(lexicon.qualifiers)})[ ]+$")
        mods = _alt(lexicon.count_noun_modifiers)
        # between a figure and its noun: listed adjectives, a hyphenated one ("17 early-stage deals")
        # or a capitalised name or nationality ("1,550 Air sedans", "23 Indian startups")
        self.count_noun = regex.compile(
            rf"(?i)^[ ](?:(?:{mods}|[a-z]+-[a-z]+|(?-i:[A-Z][A-Za-z]+))[ ]){{0,2}}(?P<noun>{nouns})(?![\w])")
        self.date_before = regex.compile(rf"(?i)(?:\b(?:{_MONTHS})\.?|\bQ[1-4]|\bFY)[ ]?$")
        self.date_after = regex.compile(rf"(?i)^(?:st|nd|rd|th)?[ ]?(?:of[ ])?(?:{_MONTHS})\b")
        self.range_join = regex.compile(r"(?i)^\s*(?:\([^()]{1,30}\)\s*)?(?:-|–|to|and)\s*$")
        self.spec_unit = regex.compile(rf"(?i)[ ]?(?:{_alt(lexicon.spec_units)})(?![\w])")
        self.range_blocker = regex.compile(rf"(?i)\b(?:{_alt(lexicon.range_blockers)})\s+(?:\S+\s+)?$")
        self.paren_before = regex.compile(r"\(\s*(?:(?i:about|around|approximately|roughly|nearly|some|approx\.)\s+)?$")

    @cached_property
    def atom(self) -> "regex.Pattern":
        """The atom pattern for the regex module (any text; :attr:`atom_ascii` serves ASCII text)."""
        return regex.compile(self.atom_pattern, regex.VERBOSE)

    def figures(self, text: str, raw: str | None = None, rejected: list | None = None) -> list[Figure]:
        """Find every figure in ``text`` (already :func:`normalise`-d).

        Args:
            text: the normalised article text.
            raw: the text before normalising (same length), to tell an em
                dash from a minus sign; None when ``text`` is the raw text.
            rejected: a list to which ``(start, end, reason)`` is appended for
                every number read but rejected (a value outside the range of
                a float, which JSON cannot hold).

        Returns:
            Figures in text order, ranges merged, parenthesised currency
            conversions (``8.8 trillion won ($8.3 billion)``) dropped, and
            dates, years, ordinals and model names (``C11``) left out. A
            currency several countries share is ``?<name>`` (see
            :meth:`FigureRecognizer.resolve_shared`).
        """
        ctx = _ArticleForm(text, raw, self._writes_decimal_comma(text),
                           rejected if rejected is not None else [])
        atoms = [a for a in self._atoms(text, ctx) if a is not None]
        atoms = self._drop_conversions(text, atoms)
        figures = self._merge_ranges(text, atoms)
        if any(f.unit and f.unit[0] == "?" for f in figures):
            figures = self._resolve_figures(text, figures)
        return figures

    _DIGITS_BEFORE_COMMA = re.compile(r"(?<![\d,.])\d{1,3}$")

    def _writes_decimal_comma(self, text: str) -> bool:
        """Whether the article writes a decimal comma (``31,2 Mrd``, ``3,5 %``, ``1.234,56``)."""
        if "," not in text:
            return False
        for m in self._comma_article.finditer(text):
            if self._DIGITS_BEFORE_COMMA.search(text, max(0, m.start() - 4), m.start()):
                return True
        return any(text[m.start() - 1:m.start()].isdigit() for m in self._dot_thousands_comma.finditer(text))

    def resolve_shared(self, name: str, text: str) -> str | None:
        """The currency a shared mark (``$``, ``¥``, ``kr``, ``R``, ``pesos``) means in an article.

        The currency whose country the article names most (ties: the order
        of ``currencies`` in ``models/currencies.toml``) if it is named at
        least ``min_mentions`` times, else the mark's default (None: the
        mark is not read as money in this article).
        """
        mark = self.cur.shared[name]
        pattern, codes_of = self.cues[name]
        counts = dict.fromkeys(mark.cues, 0)
        for word in pattern.findall(text):
            for code in codes_of[word]:
                counts[code] += 1
        best = max(counts, key=lambda c: counts[c])
        if counts[best] == 0 or (best != mark.default and counts[best] < mark.min_mentions):
            return mark.default
        return best

    def _resolve_figures(self, text: str, figures: list[Figure]) -> list[Figure]:
        """Figures with each ``?<shared>`` unit resolved by :meth:`resolve_shared`; a mark
        the article gives no meaning ("R1", "5 billion pesos" with no country) is dropped."""
        resolved: dict[str, str | None] = {}
        out = []
        for f in figures:
            if f.unit and f.unit[0] == "?":
                if f.unit not in resolved:
                    resolved[f.unit] = self.resolve_shared(f.unit[1:], text)
                code = resolved[f.unit]
                if code is None:
                    continue
                # (the constructor, not dataclasses.replace: this runs for most "$" figures)
                f = Figure(f.start, f.end, f.value, code, "money", f.qualifier, f.value_high, f.decimals, f.scale,
                           f.words, f.num_start, f.noun_end, f.flags)
            out.append(f)
        return out

    # -- atoms ---------------------------------------------------------
    def _atoms(self, text: str, ctx: "_ArticleForm") -> Iterator[Figure | None]:
        lower = text.lower()
        has_fraction = any(w in lower for w in ("half", "third", "quarters of", "quarter of", "tenth", "fifth", "fourth of"))
        for m in (self._fraction_matches(text) if has_fraction else ()):
            frac = _fraction_value(m["num"])
            if frac is None:
                continue
            yield Figure(m.start(), m.end(), (frac * 100), "%", "percent", words=True,
                         num_start=m.start(), decimals=1, qualifier="about",
                         flags=frozenset({"fraction"}))
        for m in (self._fraction_by_matches(text) if has_fraction else ()):
            frac = _fraction_value(m["num"])
            if frac is None:
                continue
            qualifier = self.lex.qualifiers.get(regex.sub(r"\s+", " ", m["q"].strip().lower()), "about") if m["q"] else "exact"
            yield Figure(m.start(), m.end(), (frac * 100), "%", "percent", words=True,
                         num_start=m.start("num"), decimals=1, qualifier=qualifier)
        for m in self._atom_matches(text):
            yield self._atom(text, m, ctx)

    # the words of self.fraction, and how far before its word a fraction may start
    # ("half", "a half", "one-third", "three-quarters")
    _FRACTION_WORDS = tuple(regex.compile(rf"(?i){w}") for w in ("half", "third", "quarter", "tenth", "fifth", "fourth"))
    _FRACTION_LEADS = (6, 4, 2, 0)

    def _fraction_matches(self, text: str) -> Iterator[regex.Match]:
        """The same matches as ``self.fraction.finditer(text)``, found faster.

        The regex module finds one word far faster than an alternation: the
        pattern is tried only where a fraction word could start it.
        """
        starts = sorted({m.start() - lead for word in self._FRACTION_WORDS for m in word.finditer(text)
                         for lead in self._FRACTION_LEADS if m.start() >= lead})
        pos = 0
        for start in starts:
            if start < pos:
                continue
            m = self.fraction.match(text, start)
            if m is not None:
                yield m
                pos = m.end()

    _BY = regex.compile(r"(?i)\bby\s+")

    def _fraction_by_matches(self, text: str) -> Iterator[regex.Match]:
        """The same matches as ``self.fraction_by.finditer(text)``, found faster.

        A match starts right after ``by`` and its spaces (the pattern's
        lookbehind), so the pattern is tried only there.
        """
        for by in self._BY.finditer(text):
            m = self.fraction_by.match(text, by.end())
            if m is not None:
                yield m

    _DIGITS = regex.compile(r"(?<![\d,.])\.?\d")
    _SCALE_WORD = regex.compile(r"(?i)(?<![\w-])(?:thousand|million|billion|trillion|crore|lakh)(?![\w])")
    # the regex module finds one word far faster than an alternation of words: each
    # word is looked up alone and _SCALE_WORD checked where it stands (no word of the
    # set lies inside another, so these are exactly the matches of _SCALE_WORD.finditer)
    _SCALE_WORD_PARTS = tuple(regex.compile(rf"(?i){w}") for w in ("thousand", "million", "billion", "trillion",
                                                                    "crore", "lakh"))

    def _scale_word_starts(self, text: str) -> list[int]:
        """Start offsets of the ``_SCALE_WORD`` matches in ``text``, in text order."""
        found = sorted(m.start() for part in self._SCALE_WORD_PARTS for m in part.finditer(text))
        return [i for i in found if self._SCALE_WORD.match(text, i)]

    _POINT = regex.compile(r"(?i)point")
    # a number in words with no scale word ends at one of these ("twelve hundred
    # employees", "forty-nine dollars", "five per cent"): where to try the pattern
    _WORD_NUMBER_PARTS = ("hundred", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
                          "percent", "per cent")

    @classmethod
    def _word_number_starts(cls, lower: str) -> list[int]:
        """Offsets in ``lower`` (the lowercased text) where a word of ``_WORD_NUMBER_PARTS`` starts a word."""
        found = []
        for w in cls._WORD_NUMBER_PARTS:
            i = lower.find(w)
            while i != -1:
                if i == 0 or not lower[i - 1].isalpha():
                    found.append(i)
                i = lower.find(w, i + 1)
        return found

    def _atom_matches(self, text: str) -> Iterator["regex.Match | re.Match"]:
        """The same matches as ``self.atom.finditer(text)``, found faster.

        Every figure holds a digit or, for a number in words, a scale word;
        the full pattern is tried only in a window around those anchors. An
        ASCII text is searched with ``atom_ascii``.
        """
        atom = self.atom_ascii if text.isascii() else self.atom
        digits = self._DIGITS
        # a currency mark stands at most a few characters before the first digit;
        # a number in words ends at its scale word
        # (anchor, how far before it a match may start, how far after it the window reaches)
        if self._POINT.search(text) is None:
            anchors = [(m.start(), 8, 60) for m in digits.finditer(text)]
        else:
            anchors = [(m.start(), 60 if text[max(0, m.start() - 6):m.start()].lower().rstrip(" -").endswith("point")
                        else 8, 60) for m in digits.finditer(text)]
        scale_starts = self._scale_word_starts(text)
        lower = text.lower()
        if len(lower) == len(text):  # (lower() keeps offsets for all but a few characters)
            scale_starts += self._word_number_starts(lower)
        if scale_starts:
            # a number in words may run on ("one hundred and forty-one thousand six hundred
            # and three employees"): its window reaches further
            anchors = sorted(anchors + [(i, 60, 200) for i in scale_starts])
        pos = 0
        n = len(text)
        for a, reach, ahead in anchors:
            if a < pos:
                continue
            lo = max(pos, a - reach)
            hi = min(n, a + ahead)
            m = atom.search(text, lo, hi)
            while m is not None and m.end() <= a and m.end() > m.start():
                m = atom.search(text, m.end(), hi)
            if m is None or m.start() > a:
                continue
            # a match cut short by the window end is redone without a limit
            if m.end() >= hi - 1:
                m = atom.search(text, m.start(), n) or m
            yield m
            pos = m.end()

    def _atom(self, text: str, m: "regex.Match | re.Match", ctx: "_ArticleForm") -> Figure | None:
        # the groups by position (_ATOM_GROUPS): the regex module looks a group name up
        # slowly, about as slowly as it tries the pattern on a short window
        sign, cur1, sign2, num_text, abbr, pence, scale_text, pct, pp, cur2 = m.groups()
        num_start, num_end = m.span(4)
        start, end = m.span()
        if sign and ctx.raw is not None and ctx.raw[start] in _NOT_MINUS:
            sign, start = None, start + 1  # an em dash is punctuation, not a minus sign
        if cur1 is None and not sign:
            start = num_start
        elif cur1 is None:
            start = num_start - 1
        # numbers glued to letters are names (C11, 5G, Q3), not figures
        if abbr is None and end == num_end and text[num_end:num_end + 1].isalpha():
            return None
        if (len(num_text) == 4 and num_text[:2] in ("19", "20") and num_text.isdigit() and not cur1
                and not abbr and not scale_text and not pct and not pp and not cur2
                and not pence and not self.count_noun.match(text[end:end + 40])):
            return None  # a bare year is a period, not a figure (cheap early exit)
        is_words = not num_text[:1].isdigit() and not num_text.startswith(".")
        grouped = False
        if is_words:
            value, decimals = _parse_words(num_text)
            if value is None:
                return None
            comma_decimal = False
        else:
            value, decimals, comma_decimal, grouped = _parse_digits(num_text, ctx.comma_decimal)
        scale = _ONE
        scale_word = abbr or scale_text
        if scale_word:
            scale = self.scale_values.get(scale_word.lower())
            if scale is None:
                return None
            if is_words and _BIG_WORD.search(num_text):
                # "two million three hundred thousand": the last scale word is part of the
                # number, not a multiplier of all of it
                value, decimals = _parse_words(f"{num_text} {scale_word}")
                if value is None:
                    return None
                scale = _ONE
        unit, kind = None, "number"
        if pct:
            unit, kind = "%", "percent"
        elif pp:
            kind = "pp"
            unit = "bp" if pp.lower().startswith(("b",)) else "pp"
        cur, minor_digits = None, 0
        minor = cur2.lower() in self.cur.minor_units if cur2 else False
        if cur1:
            cur = self.cur.prefixes[cur1]
            if minor and cur[0] != "?":  # "HKD 21.8 cents": hundredths of the currency written before
                minor_digits = self.cur.digits.get(cur, 2)
            elif cur1 in self.cur.weak and not (scale_word or grouped):
                return None  # "PHP 8": a version, not pesos
        if cur2 and not minor_digits:
            got = self.cur.suffixes.get(cur2) or self.cur.suffix_names.get(cur2.lower())
            if got is None and minor:
                got, minor_digits = self.cur.minor_units[cur2.lower()]
            if got is not None and not (cur2 in self.cur.weak and not (scale_word or grouped)):
                cur = got
            else:  # a word the table does not read alone here: the figure ends before it
                end = m.start(10)
                while end > num_end and text[end - 1] == " ":
                    end -= 1
        if pence:
            cur, minor_digits = self.cur.minor_units["p"]  # "12.6p per share"
        if cur and kind == "number":
            kind, unit = "money", cur
            if minor_digits:
                scale = scale / (Decimal(10) ** minor_digits)
        elif cur and kind != "number":
            # "$5%" is not a thing; keep the percent reading
            start = num_start
        if comma_decimal and not (scale_word or kind in ("money", "percent", "pp") or ctx.comma_decimal):
            return None  # "1,5" with nothing European about it: a list, not one and a half
        if sign or sign2:
            value = -value
        value_scaled = value * scale
        if not _finite(value_scaled):
            ctx.rejected.append((start, end, f"{text[start:end][:40]!r}: outside the range of a float"))
            return None
        noun_end = None
        if kind == "number":
            if self.spec_unit.match(text, end, end + 8):
                return None  # "0 to 100 km/h": a specification, not a figure
            nm = self.count_noun.match(text[end:end + 40])
            if nm:
                unit, kind = self.lex.count_nouns[nm["noun"].lower()], "count"
                noun_end = end + nm.end()
        if kind == "number" and is_words and not scale_word:
            return None
        if is_words and kind == "count" and not scale_word and value < self.min_count_in_words:
            return None  # "the two companies", "three engineers": not figures of a metric
        if self._is_date_or_year(text, m, num_text, scale_word, kind):
            return None
        if self._EQUATION.match(text, end, end + 4) or self._EQUATION_BEFORE.search(text, max(0, start - 4), start):
            return None  # "($1 = 0.9623 euros)": a conversion note
        if text[start - 1:start] == "(" and text[end:end + 1] == ")" and value > 0 and ctx.table_row(start):
            value_scaled = -value_scaled  # (12.5) in a table of results is a loss

        qualifier = "exact"
        before = text[max(0, start - 25):start]
        last_word = before.rstrip().rsplit(None, 1)[-1].lower() if before.strip() else ""
        qm = self.qualifier.search(before) if last_word in self.qualifier_ends else None
        if qm and qm["q"].lower() == "over" and self._HANDED.search(text[max(0, start - 40):start - len(qm.group())]):
            qm = None  # "handed over 10,707 vehicles" is a verb, not a qualifier
        if qm and qm["q"].lower() == "up to" and self._MOVED_UP.search(text[max(0, start - 40):start - len(qm.group())]):
            qm = None  # "edged up to 3.4": a movement's particle and "to" its end, not a ceiling
        if qm:
            qualifier = self.lex.qualifiers[qm["q"].lower()]
            start = start - (len(before) - qm.start("q"))
        return Figure(start, end, value_scaled, unit, kind, qualifier=qualifier,
                      decimals=decimals, scale=scale, words=is_words,
                      num_start=num_start, noun_end=noun_end)

    _THEN_LEVEL = regex.compile(r"(?i)\s*(?:(?:year|month|quarter)[- ](?:on|over)[- ](?:year|month|quarter)\s*|yoy\s*)?,?\s*"
                                r"(?:to|at)\s+(?:between\s+|an?\s+(?:estimated\s+|record\s+)?)?(?:[$€£¥]|[A-Z]{2,3}\$?\s?\d|\d)")
    """After two percentages joined by "to": "to" a figure, the level they moved it to."""

    _MOVED_UP = regex.compile(r"(?i)\b(?:edg|tick|creep|crept|mov|went|go|goes|shot|shoot|inch|step|ramp|bump|ratchet|"
                              r"revis|mark|nudg|jump|climb|trend)[a-z]*\s+$")
    _HANDED = regex.compile(r"(?i)\b(?:hand(?:ed|s)?|took|take|carried|turned|handing)\s+$")
    _YEAR = regex.compile(r"(?:19|20)\d\d")
    _EQUATION = regex.compile(r"[ ]?=")
    _EQUATION_BEFORE = regex.compile(r"=[ ]?$")
    _ISO_DATE = regex.compile(r"(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)")
    # a capitalised word after a lowercase word (not in a title-case headline), then one space:
    # a small whole number right after it is part of a product or index name ("and Model 3
    # units", "the S&P 500", "its Quest 2"); not after a word in capitals ("the TOP 10 list"); months,
    # quarters and currencies are read before this
    _NAME_NUMBER = regex.compile(r"(?<=(?:^|[\s(\"“])[a-z][\w'’-]*,?[ ])(?!(?:Q|H|FY|CY|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
                                 r"January|February|March|April|June|July|August|September|October|November|December)[ ]$)"
                                 r"[A-Z](?:[a-z][A-Za-z]*|&[A-Z]+)[ ]$")
    _ORDINAL_AFTER = regex.compile(r"^(?:st|nd|rd|th)\b")
    _CLOCK_AFTER = regex.compile(r"^[:/]\d")
    _CLOCK_BEFORE = regex.compile(r"\d[:/]$")

    def _is_date_or_year(self, text: str, m: "regex.Match | re.Match", num: str,
                         scale_word: str | None, kind: str) -> bool:
        """Whether the atom ``m`` (number text ``num``) is a date, a year, an ordinal, a clock time or
        part of a name ("Model 3 units", "the S&P 500")."""
        if kind not in ("number", "count") or scale_word:
            return False
        if kind == "number" and self._YEAR.fullmatch(num):
            return True
        start, end = m.span()
        iso = self._ISO_DATE.search(text, max(0, start - 11), min(len(text), end + 6))
        if iso is not None and iso.start() < end and start < iso.end():
            return True  # "2023-06-01"
        at = m.start(4)  # the number itself (the atom may start with a space)
        if num.isdigit() and int(num) < 1000 and not m.group(1) \
                and self._NAME_NUMBER.search(text, max(0, at - 30), at):
            return True  # a small whole number right after a name's capitalised word
        before = text[max(0, start - 12):start]
        after = text[end:end + 14]
        if self.date_before.search(before) or self.date_after.match(after):
            return True
        if self._ORDINAL_AFTER.match(after):
            return True
        if self._CLOCK_AFTER.match(after) or self._CLOCK_BEFORE.search(before):
            return True
        return False

    # -- conversions and ranges -----------------------------------------
    def _drop_conversions(self, text: str, atoms: list[Figure]) -> list[Figure]:
        """Drop ``(...)`` currency conversions that follow a money figure."""
        kept: list[Figure] = []
        inside = -1  # the end of a conversion's parenthesis being read: "($8.65 billion, roughly Rs. 70,000 crore)"
        for a in sorted(atoms, key=lambda f: (f.start, -f.end)):
            if kept and a.start < kept[-1].end:
                continue  # overlapping match (fraction inside a number)
            if a.kind == "money" and a.end <= inside:
                continue  # a further currency of the same conversion
            if a.kind == "money" and kept and kept[-1].kind == "money":
                between = text[kept[-1].end:a.start]
                if self.paren_before.search(between) and between.strip().startswith("("):
                    close = text.find(")", a.end, a.end + 3)
                    if close == -1 and self._more_conversions.match(text, a.end):
                        close = text.find(")", a.end)  # "($8.65 billion, roughly Rs. 70,000 crore)"
                    if close != -1 and (not between.strip()[1:].strip("( ").strip() or _cached_re(
                            r"\s*\(\s*(?i:about|around|approximately|roughly|nearly|some|approx\.)?\s*").fullmatch(between)):
                        inside = close
                        continue
            kept.append(a)
        return kept

    _more_conversions = regex.compile(r"\s*[,;/]\s*(?:or\s+)?(?:(?i:about|around|approximately|roughly|nearly|some|approx\.)\s+)?"
                                      r"[^()]{1,40}\)")
    """After a conversion, another one before the parenthesis closes (", roughly Rs. 70,000 crore)")."""

    def _merge_ranges(self, text: str, atoms: list[Figure]) -> list[Figure]:
        out: list[Figure] = []
        i = 0
        while i < len(atoms):
            a = atoms[i]
            merged = None
            if i + 1 < len(atoms):
                merged = self._range(text, a, atoms[i + 1], atoms[i + 2] if i + 2 < len(atoms) else None)
            if merged is not None:
                fig, used = merged
                out.append(fig)
                i += used
                continue
            out.append(a)
            i += 1
        return out

    _ASIDE = regex.compile(r"\([^()]*\)")
    _FROM = regex.compile(r"\bfrom\s*$")
    _RANGING_FROM = regex.compile(r"(?i)\b(?:rang(?:e|es|ed|ing)|priced|prices)\s+(?:\w+\s+){0,2}from\s*$")
    _MODEL_NAME = regex.compile(r"[A-Z][\w-]*[ ]$")

    def _range(self, text: str, a: Figure, b: Figure, c: Figure | None):
        """Merge ``a`` and ``b`` (or ``a``, a conversion, ``b``) into a range."""
        between = text[a.end:b.start]
        lead = text[max(0, a.start - 9):a.start].lower()
        lead_words = text[max(0, a.start - 30):a.start]
        between_ok = self.range_join.match(between)
        if not between_ok:
            return None
        joiner = self._ASIDE.sub("", between).strip().lower()
        if joiner == "and" and not lead.rstrip().endswith("between"):
            return None
        if joiner == "to" and self._FROM.search(lead) and not self._RANGING_FROM.search(text[max(0, a.start - 40):a.start]):
            return None  # "from X to Y" is a movement, but "ranging from X to Y" is a range
        if joiner in ("-", "–") and (text[a.end - 1:a.end].isalpha() and a.kind == "number"):
            return None
        if "number" not in (a.kind, b.kind) and a.kind != b.kind:
            return None
        if a.kind in ("percent", "pp") and b.kind != a.kind:
            return None
        if b.qualifier != "exact":
            return None  # "Model 3 to about 200,000 yuan"
        if a.kind == "number" and self._MODEL_NAME.search(text[max(0, a.start - 20):a.start]):
            return None  # "cut the price of its Quest 2 to $299": a model number, then a level
        # the two ends of a range are of one magnitude once the shared scale is applied
        a_plain = a.value / a.scale
        b_plain = b.value / b.scale
        if a.scale == 1 and b.scale != 1 and (a_plain > b_plain or abs(a_plain) * 100 < abs(b_plain)):
            return None
        if a.scale == b.scale and abs(a.value) * 1000 < abs(b.value):
            return None
        if joiner == "to" and self.range_blocker.search(lead_words) and not self._RANGING_FROM.search(text[max(0, a.start - 40):a.start]) \
                and not (a.kind == "number" and b.kind == "percent") \
                and not (a.kind == b.kind == "percent" and self._THEN_LEVEL.match(text, b.end, b.end + 60)):
            # "decreased $1.2 million to $23.5 million" is a change and a level; but "up 38 to 39
            # percent" writes its unit once, for a range (a change with no unit to a level in percent
            # would need "points"), and in "up by 24% to 26% to $216 million" the level comes after
            return None
        # the scale and unit written once are shared by both ends
        a_scale = a.scale if a.scale != 1 or b.scale == 1 else b.scale
        low = (a.value / a.scale) * a_scale
        unit, kind = b.unit, b.kind
        if a.kind != "number" and b.kind == "number":
            unit, kind = a.unit, "money"
        if low > b.value:
            return None
        start = a.start
        qualifier = "range"
        if lead.rstrip().endswith("between"):
            start = a.start - (len(lead) - lead.rstrip().rfind("between"))
        fig = Figure(start, b.end, low, unit, kind, qualifier=qualifier, value_high=b.value,
                     decimals=max(a.decimals, b.decimals), scale=b.scale, words=a.words,
                     num_start=a.num_start, noun_end=b.noun_end)
        return fig, 2


_BIG_WORD = regex.compile(r"(?i)\b(?:thousand|million|billion|trillion)\b")
_BIG_WORDS = {"thousand": 10 ** 3, "million": 10 ** 6, "billion": 10 ** 9, "trillion": 10 ** 12}


def _whole_in_words(words: list[str]) -> Decimal | None:
    """The whole number some English number words name, or None.

    Integers go to text2num (the ``text_to_num`` package: "two thousand three
    hundred and five" -> 2305, "twelve hundred" -> 1200); what it refuses,
    such as a leading "a" ("a hundred"), is read by our own grammar.
    """
    words = ["one" if w in ("a", "an") else w for w in words]
    try:
        return Decimal(text2num(" ".join(words), "en"))
    except ValueError:
        pass
    total = current = Decimal(0)
    for w in words:
        if w == "and":
            continue
        if w == "hundred":
            current = (current or 1) * 100
        elif w in _BIG_WORDS:
            total += (current or 1) * _BIG_WORDS[w]
            current = Decimal(0)
        elif w in _UNITS_WORDS:
            current += _UNITS_WORDS[w]
        else:
            return None
    return total + current


def _parse_words(phrase: str) -> tuple[Decimal | None, int]:
    """Parse a number written in words: ``one point two`` -> (1.2, 1).

    Returns:
        (value, decimals written after "point"); (None, 0) when a word is
        not a number word.
    """
    phrase = phrase.lower().replace("-", " ")
    if phrase in ("half a", "half an"):
        return Decimal("0.5"), 1  # "half a million"
    whole, _, frac = phrase.partition(" point ")
    current = _whole_in_words(whole.split())
    if current is None:
        return None, 0
    total = Decimal(0)
    total += current
    decimals = 0
    if frac:
        frac = frac.strip()
        if frac.isdigit():
            digits = frac
        else:
            digits = ""
            for w in frac.split():
                if w not in _UNITS_WORDS or _UNITS_WORDS[w] > 9:
                    return None, 0
                digits += str(_UNITS_WORDS[w])
        decimals = len(digits)
        total += Decimal("0." + digits)
    return total, decimals


def with_unit(fig: Figure, unit: str | None, kind: str) -> Figure:
    """Return ``fig`` with another unit (e.g. ``¥`` resolved to JPY)."""
    return replace(fig, unit=unit, kind=kind)


class FigureRecognizer:
    """spaCy component: find the figures of a Doc.

    Writes the span group ``figures`` (label = figure kind) and the parsed
    :class:`Figure` objects, in the same order, to ``doc.user_data["figures"]``;
    numbers read but rejected (a value no float holds) go to
    ``doc.user_data["figures_rejected"]`` as ``(start, end, reason)``.

    Args:
        lexicon: scale words, count nouns, qualifiers (``models/numbers.toml``).
        currencies: the currency table (CLDR data plus ``models/currencies.toml``).
        min_count_in_words: smallest count written in words without a scale
            word that is a figure (``config.toml`` ``[numbers]``).
    """

    def __init__(self, lexicon: NumberLexicon, currencies: CurrencyTable | None = None,
                 min_count_in_words: float = 100) -> None:
        self.grammar = NumberGrammar(lexicon, currencies, min_count_in_words)

    def __call__(self, doc):
        text = doc_norm(doc)
        raw = doc_text(doc)
        rejected: list = []
        figures = self.grammar.figures(text, raw if raw is not text else None, rejected)
        lay_mentions(doc, "figures", figures, lambda f: f.kind)
        doc.user_data["figures_rejected"] = rejected
        return doc
