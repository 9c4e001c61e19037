"""Property tests (hypothesis) for the number grammar's separators, signs, scale words and bounds.

* any amount written in any supported convention (comma thousands and a
  decimal point; dot thousands and a decimal comma; space or apostrophe
  thousands; Indian lakh/crore grouping), with any minus sign (``-``,
  ``−``, ``–``) and any scale word, reads back exactly (``Decimal`` equality);
* no input crashes the grammar, and every figure it yields is a finite float
  (``value`` and ``value_high``): JSON cannot hold ``Infinity`` or ``NaN``.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.lexicons import NumberLexicon
from pipeline.numbers import NumberGrammar, normalise

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# scale words and what they multiply by (short scale; lakh 10^5 and crore 10^7 of the Indian system)
SCALES = {"": Decimal(1), " thousand": Decimal(10) ** 3, " million": Decimal(10) ** 6,
          " billion": Decimal(10) ** 9, " trillion": Decimal(10) ** 12, " crore": Decimal(10) ** 7,
          " lakh": Decimal(10) ** 5, " lakh crore": Decimal(10) ** 12, "bn": Decimal(10) ** 9,
          "m": Decimal(10) ** 6, " Mrd": Decimal(10) ** 9, " Mio": Decimal(10) ** 6}
# currency marks before the number and their ISO 4217 codes
PREFIXES = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "Rs ": "INR", "HK$": "HKD", "HK $": "HKD",
            "NT$": "TWD", "CHF ": "CHF", "AUD ": "AUD", "IDR ": "IDR", "₩": "KRW", "R$": "BRL", "¥": "CNY"}
MINUS = ["-", "\u2212", "\u2013"]
# an article sentence that shows the decimal-comma convention
COMMA_ARTICLE = "Die Marge lag bei 3,5 %. "


@pytest.fixture(scope="module")
def grammar() -> NumberGrammar:
    return NumberGrammar(NumberLexicon.load())


def group(whole: str, sep: str, indian: bool = False) -> str:
    """``whole`` (digits) grouped in thousands with ``sep``; Indian: 3 digits then pairs."""
    if indian and len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        pairs = []
        while len(head) > 2:
            pairs.insert(0, head[-2:])
            head = head[:-2]
        return sep.join([head, *pairs, tail])
    out = []
    while len(whole) > 3:
        out.insert(0, whole[-3:])
        whole = whole[:-3]
    return sep.join([whole, *out])


# convention -> (thousands separator, decimal mark, Indian grouping, needs the comma article)
CONVENTIONS = {"english": (",", ".", False, False), "european": (".", ",", False, True),
               "space": (" ", ".", False, False), "thin-space": ("\u2009", ".", False, False),
               "no-break-space": ("\u00a0", ".", False, False), "swiss": ("'", ".", False, False),
               "indian": (",", ".", True, False), "plain": ("", ".", False, False)}


@st.composite
def amounts(draw) -> tuple[Decimal, str, int]:
    """(value, digits as written in plain form, decimals): a non-negative Decimal with 0-3 decimals."""
    decimals = draw(st.integers(0, 3))
    units = draw(st.integers(0, 10 ** 12))
    value = Decimal(units).scaleb(-decimals)
    return value, f"{value:.{decimals}f}", decimals


def written(plain: str, convention: str) -> str:
    sep, mark, indian, _ = CONVENTIONS[convention]
    whole, _, frac = plain.partition(".")
    whole = group(whole, sep, indian) if sep else whole
    return f"{whole}{mark}{frac}" if frac else whole


def _the_figure(grammar, text: str, figure_text: str):
    """The one figure the grammar reads where ``figure_text`` starts in ``text`` (asserts there is one)."""
    start = text.index(figure_text)
    figures = [f for f in grammar.figures(normalise(text), text) if f.start == start]
    assert len(figures) == 1, (text, grammar.figures(normalise(text), text))
    return figures[0]


@SETTINGS
@given(amount=amounts(), convention=st.sampled_from(sorted(CONVENTIONS)), scale=st.sampled_from(sorted(SCALES)),
       prefix=st.sampled_from(sorted(PREFIXES)), minus=st.sampled_from(["", *MINUS]))
def test_any_convention_sign_and_scale_reads_back_exactly(grammar, amount, convention, scale, prefix, minus) -> None:
    value, plain, decimals = amount
    number = written(plain, convention)
    figure_text = f"{minus}{prefix}{number}{scale}"
    lead = COMMA_ARTICLE if CONVENTIONS[convention][3] else ""
    text = f"{lead}The group reported {figure_text} for the period."
    fig = _the_figure(grammar, text, figure_text)
    sign = -1 if minus else 1
    assert fig.value == sign * value * SCALES[scale], (text, fig)
    assert fig.unit == PREFIXES[prefix]
    assert fig.decimals == decimals
    assert text[fig.start:fig.end] == figure_text


@SETTINGS
@given(amount=amounts(), convention=st.sampled_from(sorted(CONVENTIONS)), minus=st.sampled_from(["", *MINUS]),
       sign=st.sampled_from(["%", " percent", " per cent"]))
def test_percentages_in_any_convention_and_sign_read_back_exactly(grammar, amount, convention, minus, sign) -> None:
    value, plain, _ = amount
    figure_text = f"{minus}{written(plain, convention)}{sign}"
    lead = COMMA_ARTICLE if CONVENTIONS[convention][3] else ""
    text = f"{lead}Growth was {figure_text} on the year."
    fig = _the_figure(grammar, text, figure_text)
    assert (fig.value, fig.unit) == ((-1 if minus else 1) * value, "%")


# pieces figures are made of, to build any string that looks like figures
PIECES = st.sampled_from(["0", "1", "9", "12", "999", "1,000", ",", ".", " ", "'", "-", "\u2212", "\u2013", "\u2014",
                          "(", ")", "%", "$", "€", "₹", "¥", "kr", "R", "Rs", "USD", "IDR", "HK $", "crore", "lakh",
                          "lakh crore", "million", "billion", "bn", "m", "k", "Mrd", "e", "E", "9" * 40, "9" * 400,
                          "0." + "0" * 400 + "1", "twelve", "hundred", "thousand", "and", "point", "two",
                          "dollars", "cents", "pence", "p", "per cent", "percent", "bp", "\n", "|", "\t", "to",
                          "between", "a", "one", "employees", "yen", "crowns", "pesos", "Q1", "FY"])


@SETTINGS
@given(pieces=st.lists(PIECES, max_size=30))
def test_no_figure_like_input_crashes_or_yields_a_non_finite_value(grammar, pieces) -> None:
    text = "".join(pieces)
    for fig in grammar.figures(normalise(text), text):
        assert math.isfinite(float(fig.value)) and (float(fig.value) != 0 or fig.value == 0), (text, fig)
        if fig.value_high is not None:
            assert math.isfinite(float(fig.value_high)), (text, fig)
        assert 0 <= fig.start < fig.end <= len(text)


@SETTINGS
@given(text=st.text(max_size=200))
def test_no_text_crashes_the_grammar(grammar, text) -> None:
    for fig in grammar.figures(normalise(text), text):
        assert math.isfinite(float(fig.value))


def test_a_value_outside_float_range_is_rejected_with_a_reason(grammar) -> None:
    text = "The total was " + "9" * 400 + " dollars."
    rejected: list = []
    assert grammar.figures(normalise(text), text, rejected) == []
    assert len(rejected) == 1 and "outside the range of a float" in rejected[0][2]


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_BIG = [(10 ** 9, "billion"), (10 ** 6, "million"), (10 ** 3, "thousand")]


def below_thousand(n: int, british: bool) -> list[str]:
    """1..999 in English words; ``british`` puts "and" after the hundreds ("one hundred and five")."""
    words = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES[hundreds], "hundred"]
        if rest and british:
            words.append("and")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest:
        words.append(_ONES[rest])
    return words


def in_words(n: int, british: bool) -> str:
    """1..999,999,999,999 in English words ("two thousand three hundred and five")."""
    words = []
    for size, name in _BIG:
        part, n = divmod(n, size)
        if part:
            words += below_thousand(part, british) + [name]
    if n:
        if words and n < 100 and british:
            words.append("and")
        words += below_thousand(n, british)
    return " ".join(words)


# a number made of groups of thousands, each group often zero ("two million three hundred thousand")
GROUPS = st.one_of(st.just(0), st.integers(1, 999))
WORD_NUMBERS = st.one_of(
    st.integers(100, 999_999_999_999),
    st.builds(lambda a, b, c, d: a * 10 ** 9 + b * 10 ** 6 + c * 10 ** 3 + d, GROUPS, GROUPS, GROUPS, GROUPS)
    .filter(lambda n: n >= 100))


@SETTINGS
@given(n=WORD_NUMBERS, british=st.booleans(),
       unit=st.sampled_from([("employees", "people"), ("dollars", "USD"), ("users", "users"), ("euros", "EUR")]))
def test_numbers_in_words_read_back_exactly(grammar, n, british, unit) -> None:
    noun, expected_unit = unit
    text = f"The group counted {in_words(n, british)} {noun} last year."
    figures = grammar.figures(normalise(text), text)
    assert len(figures) == 1, (text, figures)
    assert (figures[0].value, figures[0].unit) == (Decimal(n), expected_unit), text


# -- periods that cannot be impossible -------------------------------------------
import datetime as dt  # noqa: E402

from pipeline.periods import PeriodContext, find_periods, resolve  # noqa: E402

_PERIOD = re.compile(r"(?:FY)?(\d{4})(?:-(?:Q([1-4])|H([12])|(\d\d)(?:-(\d\d))?))?(?:/(\d{4})-(\d\d))?")


def possible(period: str) -> bool:
    """Whether a normalised period names a real quarter, half, month, day or span of one year."""
    m = _PERIOD.fullmatch(period)
    if m is None:
        return False
    year, _q, _h, month, day, year2, month2 = m.groups()
    if month and not 1 <= int(month) <= 12:
        return False
    if day:
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            return False
    if month2 and (not 1 <= int(month2) <= 12 or year2 != year or int(month2) < int(month)):
        return False
    return True


@SETTINGS
@given(form=st.sampled_from(["Q{q} {y2}", "{q}Q{y2}", "FY{y2}", "H{h} {y2}", "the first {n} months of {y4}",
                             "{mon} {d}, {y4}", "Quarter {q}, {y4}", "the {n}th quarter of {y4}",
                             "quarter {n}, {y4}"]),
       q=st.integers(0, 9), h=st.integers(0, 3), n=st.integers(0, 30), d=st.integers(0, 40),
       y2=st.integers(0, 99), y4=st.integers(1990, 2060),
       mon=st.sampled_from(["January", "February", "April", "June", "September", "December"]),
       published=st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), ahead=st.integers(0, 40))
def test_periods_are_never_impossible_and_two_digit_years_follow_the_date(form, q, h, n, d, y2, y4, mon,
                                                                          published, ahead) -> None:
    text = "Sales rose in " + form.format(q=q, h=h, n=n, d=d, y2=f"{y2:02d}", y4=y4, mon=mon) + "."
    for mention in find_periods(normalise(text), published.year, ahead):
        if mention.spec.year is not None and "{y2}" in form:
            assert published.year - (100 - ahead) < mention.spec.year <= published.year + ahead, (text, mention)
        period = resolve(mention.spec, PeriodContext(doc_date=published))
        assert period is None or possible(period), (text, period)
