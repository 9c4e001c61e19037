"""Property tests (hypothesis) for the number grammar and the period normalisers.

* a figure written with thousands separators, 0-3 decimals, a currency mark
  and a scale word (or abbreviation) parses back to exactly its Decimal value;
* ``$A to B billion`` and its variants are one range whose ends share the scale;
* ``shift`` round-trips quarters, halves, months and years, and agrees with itself
  across units (4 quarters = 12 months = 1 year);
* ``fiscal_quarter_of`` and ``quarter_end`` are inverse for every fiscal calendar.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.lexicons import NumberLexicon, load_fiscal_calendars
from pipeline.numbers import NumberGrammar, normalise
from pipeline.periods import fiscal_quarter_of, quarter_end, shift

# What the scale words mean (short scale; crore and lakh of the Indian numbering system).
SCALES = {"thousand": Decimal(10) ** 3, "million": Decimal(10) ** 6, "billion": Decimal(10) ** 9,
          "trillion": Decimal(10) ** 12, "crore": Decimal(10) ** 7, "lakh": Decimal(10) ** 5}
ABBREVIATIONS = {"k": Decimal(10) ** 3, "mn": Decimal(10) ** 6, "m": Decimal(10) ** 6, "bn": Decimal(10) ** 9,
                 "b": Decimal(10) ** 9, "tn": Decimal(10) ** 12}
# Currency marks and their ISO 4217 codes.
PREFIXES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "HK$": "HKD", "NT$": "TWD", "RMB ": "CNY",
            "Rs ": "INR", "₹": "INR", "USD ": "USD"}
SETTINGS = settings(max_examples=200, deadline=None)


@pytest.fixture(scope="module")
def grammar() -> NumberGrammar:
    """The number grammar of the shipped ``models/numbers.toml``."""
    return NumberGrammar(NumberLexicon.load())


def written(value: Decimal, decimals: int, separators: bool = True) -> str:
    """``value`` with exactly ``decimals`` digits after the point, thousands separated by commas."""
    whole, _, frac = f"{value:.{decimals}f}".partition(".")
    if separators:
        whole = f"{int(whole):,}"
    return f"{whole}.{frac}" if decimals else whole


@st.composite
def amounts(draw, max_whole: int = 999_999_999) -> tuple[Decimal, int]:
    """A non-negative Decimal with 0-3 decimals, and its number of decimals."""
    decimals = draw(st.integers(0, 3))
    units = draw(st.integers(0, max_whole * 10 ** decimals + (10 ** decimals - 1)))
    return Decimal(units).scaleb(-decimals), decimals


def only_figure(grammar: NumberGrammar, text: str):
    """The one figure the grammar finds in ``text`` (asserts there is exactly one)."""
    figures = grammar.figures(normalise(text))
    assert len(figures) == 1, (text, figures)
    return figures[0]


@SETTINGS
@given(amount=amounts(), scale=st.sampled_from(sorted(SCALES)), prefix=st.sampled_from(sorted(PREFIXES)))
def test_money_with_separators_and_scale_word_parses_exactly(grammar, amount, scale, prefix) -> None:
    value, decimals = amount
    figure_text = f"{prefix}{written(value, decimals)} {scale}"
    text = f"The company reported {figure_text} in the period."
    fig = only_figure(grammar, text)
    assert fig.value == value * SCALES[scale]
    assert fig.unit == PREFIXES[prefix]
    assert fig.decimals == decimals
    assert fig.qualifier == "exact" and not fig.is_range
    assert text[fig.start:fig.end] == figure_text


@SETTINGS
@given(amount=amounts(max_whole=999_999), abbr=st.sampled_from(sorted(ABBREVIATIONS)),
       prefix=st.sampled_from(["$", "€", "US$", "₹"]))
def test_money_with_glued_scale_abbreviation_parses_exactly(grammar, amount, abbr, prefix) -> None:
    value, decimals = amount
    figure_text = f"{prefix}{written(value, decimals)}{abbr}"
    fig = only_figure(grammar, f"Sales were {figure_text}, the filing said.")
    assert fig.value == value * ABBREVIATIONS[abbr]
    assert fig.unit == PREFIXES[prefix]


@SETTINGS
@given(amount=amounts(max_whole=999_999), scale=st.sampled_from(["million", "billion", "trillion"]),
       currency=st.sampled_from(sorted({"yuan": "CNY", "yen": "JPY", "won": "KRW", "euros": "EUR"}.items())))
def test_currency_word_after_the_scale_word_parses_exactly(grammar, amount, scale, currency) -> None:
    value, decimals = amount
    word, code = currency
    fig = only_figure(grammar, f"Revenue was {written(value, decimals)} {scale} {word} last year.")
    assert (fig.value, fig.unit) == (value * SCALES[scale], code)


@SETTINGS
@given(amount=amounts(max_whole=999_999), decimals_only=st.booleans())
def test_percent_keeps_its_exact_value(grammar, amount, decimals_only) -> None:
    value, decimals = amount
    sign = "%" if decimals_only else " percent"
    fig = only_figure(grammar, f"Margin reached {written(value, decimals)}{sign} in the quarter.")
    assert (fig.value, fig.unit, fig.kind) == (value, "%", "percent")


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def in_words(n: int) -> str:
    """1..99 in English words (``42`` -> ``forty-two``)."""
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


@SETTINGS
@given(whole=st.integers(1, 99), digits=st.lists(st.integers(0, 9), min_size=0, max_size=2),
       scale=st.sampled_from(["million", "billion"]))
def test_number_words_with_point_parse_exactly(grammar, whole, digits, scale) -> None:
    point = (" point " + " ".join(_ONES[d] for d in digits)) if digits else ""
    fig = only_figure(grammar, f"Sales reached {in_words(whole)}{point} {scale} units.")
    expected = Decimal(f"{whole}.{''.join(map(str, digits))}" if digits else whole) * SCALES[scale]
    assert fig.value == expected
    assert fig.words is True


# -- ranges ------------------------------------------------------------------
@st.composite
def range_ends(draw) -> tuple[Decimal, Decimal]:
    """Two ends A < B of one magnitude (B at most 100 A), with up to 2 decimals."""
    low = draw(st.integers(100, 99_900))  # in hundredths
    high = draw(st.integers(low + 1, min(100 * low, 999_999)))
    return Decimal(low).scaleb(-2), Decimal(high).scaleb(-2)


def plain(value: Decimal) -> str:
    """A Decimal as written in text: no exponent, no trailing zeros after the point."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@SETTINGS
@given(ends=range_ends(), scale=st.sampled_from(["million", "billion", "trillion"]),
       form=st.sampled_from(["${a} to {b} {s}", "${a}-{b} {s}", "between ${a} and {b} {s}",
                             "${a} to ${b} {s}"]))
def test_range_shares_the_scale_written_once(grammar, ends, scale, form) -> None:
    low, high = ends
    figure_text = form.format(a=plain(low), b=plain(high), s=scale)
    text = f"Analysts expect the deal to be worth {figure_text} next year."
    fig = only_figure(grammar, text)
    assert fig.qualifier == "range"
    assert fig.value == low * SCALES[scale]
    assert fig.value_high == high * SCALES[scale]
    assert fig.unit == "USD"
    assert text[fig.start:fig.end] == figure_text


# -- periods -----------------------------------------------------------------
years = st.integers(1990, 2090)
quarters = st.builds(lambda fy, y, q: f"{fy}{y}-Q{q}", st.sampled_from(["", "FY"]), years, st.integers(1, 4))
halves = st.builds(lambda fy, y, h: f"{fy}{y}-H{h}", st.sampled_from(["", "FY"]), years, st.integers(1, 2))
months = st.builds(lambda y, m: f"{y}-{m:02d}", years, st.integers(1, 12))
whole_years = st.builds(lambda fy, y: f"{fy}{y}", st.sampled_from(["", "FY"]), years)


@SETTINGS
@given(period=st.one_of(quarters, halves, months, whole_years), k=st.integers(-5, 5))
def test_shift_by_years_round_trips(period, k) -> None:
    moved = shift(period, years=k)
    assert moved is not None
    assert shift(moved, years=-k) == period
    # only the year changes, by k
    year = int(re.search(r"\d{4}", period).group())
    assert re.sub(r"\d{4}", "", moved, count=1) == re.sub(r"\d{4}", "", period, count=1)
    assert int(re.search(r"\d{4}", moved).group()) == year + k


@SETTINGS
@given(period=quarters, k=st.integers(-12, 12))
def test_shift_by_quarters_round_trips_and_four_quarters_make_a_year(period, k) -> None:
    moved = shift(period, quarters=k)
    assert shift(moved, quarters=-k) == period
    assert shift(period, quarters=4 * k) == shift(period, years=k)
    m = re.fullmatch(r"(FY)?(\d{4})-Q(\d)", moved)
    assert m and m.group(1) == re.match(r"(FY)?", period).group(1)
    p = re.fullmatch(r"(?:FY)?(\d{4})-Q(\d)", period)
    assert int(m.group(2)) * 4 + int(m.group(3)) - (int(p.group(1)) * 4 + int(p.group(2))) == k


@SETTINGS
@given(period=months, k=st.integers(-30, 30))
def test_shift_by_months_round_trips_and_twelve_months_make_a_year(period, k) -> None:
    moved = shift(period, months=k)
    assert shift(moved, months=-k) == period
    assert shift(period, months=12 * k) == shift(period, years=k)
    y, m = map(int, moved.split("-"))
    y0, m0 = map(int, period.split("-"))
    assert (y * 12 + m) - (y0 * 12 + m0) == k and 1 <= m <= 12


@given(period=st.one_of(halves, months, whole_years), k=st.integers(1, 4))
def test_shift_by_quarters_is_none_where_it_has_no_meaning(period, k) -> None:
    assert shift(period, quarters=k) is None


END_MONTHS = sorted({c["year_end_month"] for c in load_fiscal_calendars().values()} | set(range(1, 13)))


@SETTINGS
@given(fy=st.integers(1990, 2090), q=st.integers(1, 4), end_month=st.sampled_from(END_MONTHS))
def test_quarter_end_then_fiscal_quarter_of_is_identity(fy, q, end_month) -> None:
    year, month = quarter_end(fy, q, end_month)
    assert 1 <= month <= 12
    assert fiscal_quarter_of(month, year, end_month) == (fy, q)
    # the quarters of one fiscal year end three months apart
    if q < 4:
        y2, m2 = quarter_end(fy, q + 1, end_month)
        assert (y2 * 12 + m2) - (year * 12 + month) == 3


@SETTINGS
@given(year=st.integers(1990, 2090), month=st.integers(1, 12), end_month=st.sampled_from(END_MONTHS))
def test_fiscal_quarter_of_then_quarter_end_is_the_end_of_that_quarter(year, month, end_month) -> None:
    fy, q = fiscal_quarter_of(month, year, end_month)
    y2, m2 = quarter_end(fy, q, end_month)
    assert 0 <= (y2 * 12 + m2) - (year * 12 + month) <= 2
    assert (m2 - end_month) % 3 == 0  # quarters end 3, 6, 9 or 12 months after the fiscal year's end


@pytest.mark.parametrize("end_month", END_MONTHS)
def test_fiscal_year_is_named_by_the_calendar_year_it_ends_in(end_month) -> None:
    for fy in (1999, 2024, 2031):
        assert quarter_end(fy, 4, end_month) == (fy, end_month)


@pytest.mark.parametrize("month, year, calendar, expected", [
    (12, 2024, "september", (2025, 1)),  # Apple: October-December 2024 is fiscal 2025 Q1
    (4, 2023, "january", (2024, 1)),     # Nvidia: February-April 2023 is fiscal 2024 Q1
    (9, 2023, "june", (2024, 1)),        # Microsoft: July-September 2023 is fiscal 2024 Q1
    (6, 2023, "march", (2024, 1)),       # Alibaba: the June quarter 2023 is fiscal 2024 Q1
    (3, 2023, "march", (2023, 4)),       # Alibaba: the March quarter 2023 closes fiscal 2023
    (5, 2023, "december", (2023, 2)),    # calendar year
])
def test_company_fiscal_calendars(month, year, calendar, expected) -> None:
    end_month = load_fiscal_calendars()[calendar]["year_end_month"]
    assert fiscal_quarter_of(month, year, end_month) == expected


def test_quarter_end_without_a_fiscal_calendar_is_the_calendar_quarter() -> None:
    assert [quarter_end(2023, q, None) for q in (1, 2, 3, 4)] == [(2023, 3), (2023, 6), (2023, 9), (2023, 12)]
