"""The period grammar: what a written period reads as, resolved against an article's date."""
import datetime as dt

import pytest

from pipeline.periods import PeriodContext, find_periods, resolve

CASES = [
    # (text, publication date, the period text found, its resolution)
    ("sold 4 million from July to September of this year", dt.date(2016, 10, 25), "from July to September of this year", "2016-Q3"),
    ("sold 4 million between July and September last year", dt.date(2016, 10, 25), "between July and September last year", "2015-Q3"),
    ("sold 9 million between January and June", dt.date(2016, 8, 2), "between January and June", "2016-H1"),
    ("had 3.7 billion users as of September 30, 2022", None, "as of September 30, 2022", "2022-09-30"),
    ("had 3.7 billion users as at 30 June 2021", None, "as at 30 June 2021", "2021-06-30"),
    ("had 3.7 billion users at the end of June 2021", None, "at the end of June 2021", "2021-06"),
    ("cash fell to Rs 166 crore on 31 March", dt.date(2013, 5, 10), "on 31 March", "2013-03-31"),
    ("for the quarter ending April 1, it earned", dt.date(2017, 4, 27), "quarter ending April 1", "2017-Q1"),
    ("revenue of KSh 98 billion in the 2021/2022 financial year", None, "2021/2022 financial year", "FY2022"),
    ("profit in the 2020/21 FY", None, "2020/21 FY", "FY2021"),
    ("revenue in 2022-23 rose", None, "2022-23", "FY2023"),
    ("through the rest of the 2023 fiscal year", None, "2023 fiscal year", "FY2023"),
    # a quarter's number that is not its end month's calendar one shows the fiscal calendar
    ("bookings for the third-quarter ended December 31, 2022", None, "third-quarter ended December 31, 2022", "FY2023-Q3"),
    ("for the second quarter ended July 30, 2023", None, "second quarter ended July 30, 2023", "FY2024-Q2"),
    ("for the fourth quarter ended December 31, 2022", None, "fourth quarter ended December 31, 2022", "2022-Q4"),
    ("For third quarter ended Dec. 31, net income rose", dt.date(2019, 1, 23), "third quarter ended Dec. 31", "FY2019-Q3"),
    ("profit in the first quarter of FY22 rose", dt.date(2021, 7, 9), "the first quarter of FY22", "FY2022-Q1"),
    ("bit growth of 20% in both CY17 and CY18", dt.date(2017, 9, 26), "CY18", "2018"),
    # a month span without a year: the one ended last before publication, the next for a forecast
    ("sales in the October-December period", dt.date(2026, 2, 26), "October-December", "2025-Q4"),
    ("sales in the January-March period", dt.date(2026, 5, 2), "January-March", "2026-Q1"),
]


@pytest.mark.parametrize("text,date,found,period", CASES, ids=[c[2] for c in CASES])
def test_period_reads_and_resolves(text, date, found, period):
    ctx = PeriodContext(date, date.year if date else None, None, None, False)
    mentions = [(text[p.start:p.end], resolve(p.spec, ctx)) for p in find_periods(text, ctx.ref_year)]
    assert (found, period) in mentions, mentions


@pytest.mark.parametrize("text", ["between 2019-2023 the market doubled", "the 2019/2023 plan", "in 2021-2024"])
def test_a_span_of_years_is_no_fiscal_year(text):
    assert not [p for p in find_periods(text, None) if p.spec.fiscal], text


@pytest.mark.parametrize("date,quarter,fiscal_end,forecast,period", [
    # a bare "Q4" in late September from a company whose year ends in August: its fiscal Q4
    (dt.date(2017, 9, 26), 4, 8, False, "FY2017-Q4"),
    (dt.date(2017, 9, 26), 1, 8, True, "FY2018-Q1"),
    # the calendar quarter just ended is the one meant, whatever the company's calendar
    (dt.date(2023, 7, 25), 2, 9, False, "2023-Q2"),
    (dt.date(2024, 1, 30), 4, 9, False, "2023-Q4"),
])
def test_a_stale_calendar_quarter_is_the_fiscal_one(date, quarter, fiscal_end, forecast, period):
    from pipeline.periods import PeriodSpec

    ctx = PeriodContext(date, date.year, None, fiscal_end, forecast)
    assert resolve(PeriodSpec("Q", number=quarter), ctx) == period


@pytest.mark.parametrize("month,date,ref_year,in_force,fiscal_end,period", [
    # "the three months ended Oct. 31": no calendar quarter ends in October, so it is fiscal
    (10, None, 2025, "FY2025", 1, "FY2025-Q3"),
    (1, dt.date(2026, 2, 12), 2026, None, 7, "FY2026-Q2"),
    # with no fiscal calendar known the quarter's number is unknown: not a month
    (10, None, 2025, None, None, None),
    # a calendar quarter's end month stays calendar without a fiscal article
    (9, dt.date(2022, 10, 20), 2022, None, 6, "2022-Q3"),
])
def test_quarter_ended_off_calendar_is_fiscal(month, date, ref_year, in_force, fiscal_end, period):
    from pipeline.periods import PeriodSpec

    ctx = PeriodContext(date, ref_year, in_force, fiscal_end, False)
    assert resolve(PeriodSpec("MQ", month=month, rel="ended"), ctx) == period


@pytest.mark.parametrize("level_period,period", [("2019-Q2", "2018-Q2"), ("FY2021-Q2", "FY2020-Q2"), ("2019", "2018")])
def test_last_year_of_a_comparison_figure_is_the_level_s_period_a_year_earlier(level_period, period):
    from pipeline.periods import as_comparison

    text = "from $271 million last year"
    (mention,) = find_periods(text, None)
    ctx = PeriodContext(dt.date(2019, 7, 17), 2019, level_period, None, False)
    assert resolve(as_comparison(mention.spec, level_period), ctx) == period


def test_prior_year_s_is_the_period_in_force_a_year_earlier():
    text = "net income of 1.8 billion, compared to prior year's net loss of 1.8 billion"
    (mention,) = find_periods(text, None)
    assert text[mention.start:mention.end] == "compared to prior year's"
    assert resolve(mention.spec, PeriodContext(dt.date(2019, 7, 17), 2019, "2019-Q2", None, False)) == "2018-Q2"


def test_this_quarter_in_a_forecast_is_the_quarter_running_at_publication():
    text = "it expects gross margin to remain stable this quarter"
    (mention,) = find_periods(text, None)
    date = dt.date(2018, 11, 1)
    assert resolve(mention.spec, PeriodContext(date, 2018, "2018-Q3", None, True)) == "2018-Q4"
    assert resolve(mention.spec, PeriodContext(date, 2018, "2018-Q3", None, False)) == "2018-Q3"


def test_for_the_quarter_is_the_quarter_in_force():
    text = "Analysts had a consensus revenue estimate of $6.08 billion for the quarter."
    (mention,) = find_periods(text, None)
    date = dt.date(2020, 7, 16)
    assert resolve(mention.spec, PeriodContext(date, 2020, "2020-Q2", None, True)) == "2020-Q2"
    assert resolve(mention.spec, PeriodContext(date, 2020, None, None, True)) is None
