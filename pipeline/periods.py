"""Period grammar: find period mentions and resolve them to normalised periods.

Normalised forms (schema v1): ``2023``, ``2023-Q1``, ``2023-H1``, ``2023-05``,
``2023-05-24``, fiscal ``FY2024``, ``FY2024-Q1``, ``FY2024-H1``, and ISO 8601
intervals for spans of months (``2021-01/2021-08``).

A mention is found once (:func:`find_periods`) as a :class:`PeriodMention`
with an unresolved :class:`PeriodSpec`; :func:`resolve` turns a spec into a
period string given a :class:`PeriodContext` (publication date, the year
inferred from the article, the period in force, the company's fiscal
calendar). Fiscal years are named by the calendar year they end in (Apple
FY2025 ends September 2025; Nvidia FY2024 ends January 2024), as in the
companies' own filings.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, replace

import regex
from functools import lru_cache


@lru_cache(maxsize=1024)
def _cached_re(pattern: str) -> "regex.Pattern":
    return regex.compile(pattern)

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], 1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
            "fourth": 4, "4th": 4, "final": 4}
_QUARTER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10, "eleven": 11}

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORD = r"(?:first|second|third|fourth|final|1st|2nd|3rd|4th)"
_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
REPORTING_LAG = dt.timedelta(days=60)
"""Results of a quarter are published within about two months of its end (SEC 10-Q: 40-45 days)."""

_YEAR_REF = r"(?:(?:19|20)\d\d|this year|last year|the (?:previous|prior|current) year|the year)"


@dataclass(frozen=True, slots=True)
class PeriodSpec:
    """An unresolved period.

    Attributes:
        kind: ``Q`` quarter, ``H`` half, ``Y`` year, ``M`` month, ``D`` day,
            ``MQ`` the quarter ending in ``month``, ``SPAN`` months
            ``month``..``month2``, ``REL`` relative (see ``rel``).
        year: calendar or fiscal year written, else None.
        year_rel: ``this``/``last`` when the year was written relatively.
        number: quarter or half number; for ``MQ`` the quarter's own number where the text gives one
            that is not its end month's calendar quarter ("the third quarter ended December 31").
        month, month2, day: calendar month(s) and day when written.
        fiscal: the text says "fiscal" or "FY".
        rel: for ``REL``: ``prior_year`` (a year ago, the same period last
            year), ``prior_quarter`` (the previous quarter, sequentially),
            ``prior_month``, ``this_year``, ``last_year``, ``this_quarter``,
            ``last_quarter``, ``recent_quarter``, ``the_quarter`` (the quarter in force), ``end_last_year``; for ``D``:
            ``weekday`` (``number`` 0 = Monday).
    """

    kind: str
    year: int | None = None
    year_rel: str | None = None
    number: int | None = None
    month: int | None = None
    month2: int | None = None
    day: int | None = None
    fiscal: bool = False
    rel: str | None = None


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period found in the text: ``[start, end)`` offsets and its spec."""

    start: int
    end: int
    spec: PeriodSpec

    @property
    def is_prior(self) -> bool:
        """True for mentions that name the comparison period (``a year ago``)."""
        return self.spec.kind == "REL" and self.spec.rel in ("prior_year", "prior_quarter", "prior_month")


def _is_date(year: int | None, month: int, day: int) -> bool:
    """Whether ``day`` exists in ``month`` of ``year`` (a leap year when None)."""
    try:
        dt.date(year or 2000, month, day)
    except ValueError:
        return False
    return True


class _Years:
    """Reads a written year: four digits as written, two digits in the century the article fixes.

    Args:
        ref_year: the article's year (its date, else the latest year it
            writes in full), or None.
        ahead: a two-digit year is read in the century that puts it at most
            this many years after ``ref_year`` (``config.toml``
            ``[periods] two_digit_year_ahead``); with no ``ref_year`` it is
            read in the 2000s.
    """

    __slots__ = ("ref_year", "ahead")

    def __init__(self, ref_year: int | None = None, ahead: int = 20) -> None:
        self.ref_year = ref_year
        self.ahead = ahead

    def year(self, text: str | None) -> tuple[int | None, str | None]:
        """(calendar year, None) for a written year, (None, ``this``/``last``) for a relative one."""
        if not text:
            return None, None
        t = text.lower().strip("' ")
        if t.isdigit():
            y = int(t)
            if y >= 100:
                return y, None
            if self.ref_year is None:
                return 2000 + y, None
            full = (self.ref_year // 100) * 100 + y
            if full > self.ref_year + self.ahead:
                full -= 100
            elif full + 100 <= self.ref_year + self.ahead:
                full += 100
            return full, None
        if t == "this year" or t.endswith("current year") or t == "the year":
            return None, "this"
        if t in ("last year", "the previous year", "the prior year"):
            return None, "last"
        return None, None


# (name, pattern) of every period pattern, case ignored; compiled twice: lowercased for
# ASCII text, at import (_PATTERNS_LOWER), and as written for other text, when first
# needed (_any_case_patterns; about 0.03 s of every start otherwise)
_PATTERN_SOURCES: list[tuple[str, str]] = [
    ("q_fy_first", r"\b(?:FY|fiscal\s+(?:year\s+)?)'?(?P<year>\d{4}|\d{2})\s*(?:-\s*)?Q(?P<q>[1-4])\b"),
    ("q_code", r"\b(?:Q(?P<q>[1-4])|(?P<q2>[1-4])Q)[\s-]*(?:of\s+)?(?P<fy>FY|fiscal(?:\s+year)?)?\s*'?(?P<year>(?:19|20)\d\d|\d\d)\b"),
    ("q_words", rf"\b(?:the\s+)?(?:(?P<fy1>fiscal)[\s-]+)?(?P<ord>{_ORD})[\s-]+(?:(?P<fy2>fiscal)[\s-]+)?quarter"
                rf"(?:\s+(?:of\s+|in\s+)?(?:(?:its|the|the\s+company's)\s+)?(?:(?:(?P<fy3>fiscal(?:\s+year)?|financial\s+year)\s+)?(?P<year>{_YEAR_REF})"
                rf"|FY\s*'?(?P<fyyear>\d{{4}}|\d{{2}})\b))?"),
    ("q_num", r"\bquarter\s+(?P<q>[1-4]|one|two|three|four)(?![\w-]),?\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b"),
    ("q_bare", r"(?<![\w-])Q(?P<q>[1-4])(?![\w-])"),
    ("first_quarters", rf"\b(?:the\s+)?first\s+(?P<n>two|three|2|3)\s+quarters(?:\s+of\s+(?P<year>{_YEAR_REF}))?"),
    ("month_metric", r"\b(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)\s+(?=(?:sales|revenue|revenues|deliveries|shipments|output|production|figures)\b)"),
    ("half_words", rf"\b(?:the\s+)?(?P<ord>first|second|1st|2nd)[\s-]+half(?:\s+of\s+(?:(?P<fy>fiscal)\s+)?(?P<year>{_YEAR_REF}))?"),
    ("half_code", r"(?<![\w-])(?:H(?P<h>[12])(?!\d)(?:\s+(?P<fy>FY)?\s*'?(?P<year>(?:19|20)\d\d|\d\d))?|(?P<h2>[12])H\s*(?P<fy2>FY)?'?(?P<year2>(?:19|20)\d\d|\d\d)?)(?![\w-])"),
    ("month_quarter", rf"\b(?:the\s+)?(?P<month>March|June|September|December)(?:-ending)?\s+quarter\b"
                      rf"(?:,\s+(?:the\s+)?(?P<ord>{_ORD})\s+(?:quarter\s+)?(?:of|in)\s+(?:its\s+)?(?:fiscal(?:\s+year)?|FY)\s*'?(?P<year>(?:19|20)\d\d|\d\d)\b)?"),
    ("year_to", rf"\b(?:(?:financial|fiscal)\s+)?year\s+(?:to|ended|ending|through|that\s+ended(?:\s+in)?|which\s+ended(?:\s+in)?)\s+"
                rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>(?:19|20)\d\d))?\b"),
    ("as_of", rf"\b(?:as\s+of|as\s+at|at\s+the\s+end\s+of|by\s+the\s+end\s+of)\s+(?:(?P<month>{_MONTH})(?:\s+(?P<day>\d{{1,2}})(?!\d))?(?:,?\s+(?P<year>(?:19|20)\d\d))?|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})(?:\s+(?P<year2>(?:19|20)\d\d))?|(?P<year3>(?:19|20)\d\d))\b"),
    ("weekday", r"\bon\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    ("date_noyear", rf"\bon\s+(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?!\d|,?\s+(?:19|20)\d\d)\b"),
    ("date_noyear_dmy", rf"\bon\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})(?!\s+(?:19|20)\d\d)\b"),
    ("by_year_end", r"\bby\s+the\s+end\s+of\s+(?:the|this)\s+year\b"),
    # not "the full fiscal year 2020": that names its year (read by fiscal_year)
    ("full_year", r"\b(?:(?:for|in)\s+the\s+)?(?:full[\s-](?:fiscal[\s-])?year|whole\s+year|the\s+end\s+of\s+the\s+year|full[\s-]year)\b(?!\s+(?:FY)?(?:19|20)\d\d)"
                  # "For fiscal year, Infineon raised its guidance": the fiscal year in force
                  r"|(?i:\b(?:for|in)\s+(?:the\s+|its\s+)?(?:current\s+)?fiscal\s+year)\b(?!\s+(?:FY|to|ended|ending|that|which|(?:19|20)\d\d|'?\d\d\b))"),
    ("quarter_ended", rf"\b(?:(?P<qord>{_ORD})[\s-]+(?:fiscal[\s-]+)?)?(?:quarter|period|three\s+months)\s+(?:that\s+)?(?:end(?:ed|ing)|to)\s+(?:on\s+)?(?P<month>{_MONTH})(?:\s+(?P<day>\d{{1,2}})(?!\d))?(?:,?\s+(?P<year>(?:19|20)\d\d))?"),
    ("month_span", rf"\b(?:from\s+|(?P<between>between\s+))?(?P<month>{_MONTH})\s*(?(between)and|(?:to|through|-))\s*(?P<month2>{_MONTH})"
                   rf"(?:\s+(?:period\s+|quarter\s+)?(?:of\s+|in\s+)?(?P<year>{_YEAR_REF}))?"),
    ("first_months", rf"\b(?:the\s+)?first\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|eleven|\d{{1,2}})\s+months(?:\s+of\s+(?P<year>{_YEAR_REF}))?"),
    # "the 2021/2022 financial year", "FY 2020/21", "2020-21": a fiscal year across two calendar years
    ("fiscal_split", r"\b(?:(?P<pre>FY|fiscal(?:\s+year)?|financial\s+year)\s*)?(?P<y1>(?:19|20)\d\d)\s*(?:/|-|–)\s*(?P<y2>(?:19|20)?\d\d)(?![\d/-])"
                     r"(?:\s+(?P<post>FY|fiscal(?:\s+year)?|financial\s+year)\b)?"),
    ("fiscal_year", r"\b(?:(?:fiscal(?:\s+year)?|FY)\s*'?(?P<year>(?:19|20)\d\d|\d\d)\b|(?P<year2>(?:19|20)\d\d)\s+(?:fiscal|financial)\s+year\b)"),
    ("end_last_year", r"\b(?:at\s+)?the\s+end\s+of\s+(?:last\s+year|the\s+previous\s+year)"),
    ("date", rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b"),
    ("date_dmy", rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b"),
    ("month_year", rf"\b(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b"),
    ("month", r"\b(?P<prep>in|for|during|of|since|through|until|by)\s+(?P<last>last\s+)?(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.)(?!\s+quarter)\b"),
    ("last_month_name", r"\blast\s+(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)\b"),
    ("same_month", r"\b(?:in\s+)?the\s+same\s+month\b"),
    ("same_period_year", r"\b(?:in\s+)?the\s+(?:same|corresponding)\s+(?:period|quarter|month|half)\s+(?:of|in)\s+(?P<year>(?:19|20)\d\d)\b"),
    ("prior_year", r"\b(?:(?:from|compared\s+(?:to|with)|versus|vs\.?|than|over|on)\s+)?(?:(?:a|one)\s+year\s+(?:ago|earlier|before)|the\s+(?:same|corresponding|year-ago)\s+(?:period|quarter|month|time)\s+(?:of\s+|in\s+)?(?:last|a|the\s+previous|the\s+prior)\s+year|the\s+(?:same|corresponding)\s+(?:period|quarter)\s+a\s+year\s+(?:ago|earlier)|the\s+year-ago\s+(?:period|quarter)|the\s+previous\s+year|the\s+prior\s+year|last\s+year's|(?:the\s+)?(?:prior|previous)\s+year's)"),
    ("prior_quarter", r"\b(?:(?:from|compared\s+(?:to|with)|versus|over|than)\s+)?(?:the\s+(?:previous|prior|preceding)\s+quarter|(?:a|one)\s+quarter\s+(?:ago|earlier)|the\s+(?:first|second|third|fourth)\s+quarter(?=\.|,|;|\s+and\b))"),
    ("prior_month", r"\b(?:from|compared\s+(?:to|with)|than)\s+(?:the\s+previous|the\s+prior|a|last)\s+month\b"),
    ("recent_quarter", r"\b(?:the\s+)?(?:recently|just)[\s-]+(?:ended|concluded|completed)\s+quarter\b"),
    ("last_quarter", r"\b(?:in\s+)?(?:the\s+)?(?:last|past|latest|most\s+recent)\s+quarter\b"),
    ("this_quarter", r"\b(?:this|the\s+current)\s+quarter\b"),
    ("the_quarter", r"\b(?:for|in|during)\s+the\s+(?:quarter|three-month\s+period|three\s+months)\b(?!\s+(?:ended|ending|to|through|that|which|of|in)\b)"),
    ("this_year", r"\b(?:this|the\s+current)\s+year\b"),
    ("next_year", r"\bnext\s+year\b"),
    ("last_year", r"\blast\s+year\b"),
    ("last_month", r"\blast\s+month\b"),
    ("year", r"\b(?P<prep>in|for|of|during|full[\s-]year|calendar|through|by)\s+(?P<year>(?:19|20)\d\d)\b(?![-/]\d)"),
    ("calendar_year_code", r"\bCY\s*'?(?P<year>(?:19|20)\d\d|\d\d)\b"),
    # "expects 2025 revenue of 3 billion crowns": a year written before the results it dates
    ("year_attr", r"\b(?P<year>(?:19|20)\d\d)(?=\s+(?:revenues?|sales|(?:net\s+|operating\s+|pre-tax\s+)?(?:profit|income|loss)|"
                  r"earnings|ebitda|eps|guidance|outlook|forecast|shipments|deliveries|production|capex|"
                  r"capital\s+expenditure|spending|bookings|results)\b)"),
]


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _spec(name: str, m: regex.Match, years: "_Years") -> PeriodSpec | None:
    g = dict(zip(_GROUP_NAMES[name], m.groups()))  # == m.groupdict()
    if name in ("q_fy_first",):
        y, _ = years.year(g["year"])
        return PeriodSpec("Q", year=y, number=int(g["q"]), fiscal=True)
    if name == "q_code":
        y, _ = years.year(g["year"])
        return PeriodSpec("Q", year=y, number=int(g["q"] or g["q2"]), fiscal=bool(g["fy"]))
    if name == "q_words":
        y, rel = years.year(g.get("year") or g.get("fyyear"))
        fiscal = bool(g["fy1"] or g["fy2"] or g["fy3"] or g["fyyear"])
        return PeriodSpec("Q", year=y, year_rel=rel, number=ORDINALS[g["ord"].lower()], fiscal=fiscal)
    if name == "q_num":  # "Quarter 3, 2021", "quarter three of 2021"
        y, _ = years.year(g["year"])
        q = g["q"].lower()
        return PeriodSpec("Q", year=y, number=int(q) if q.isdigit() else _QUARTER_WORDS[q])
    if name == "q_bare":
        return PeriodSpec("Q", number=int(g["q"]))
    if name == "half_words":
        y, rel = years.year(g.get("year"))
        return PeriodSpec("H", year=y, year_rel=rel, number=1 if g["ord"].lower() in ("first", "1st") else 2,
                          fiscal=bool(g["fy"]))
    if name == "half_code":
        y, _ = years.year(g["year"] or g["year2"])
        return PeriodSpec("H", year=y, number=int(g["h"] or g["h2"]), fiscal=bool(g["fy"] or g["fy2"]))
    if name == "year_to":
        y, _ = years.year(g["year"]) if g["year"] else (None, None)
        month = _month(g["month"])
        # "the year to March 31": a fiscal year named by the calendar year it ends in; without a
        # year written, the one ending last before publication (resolve)
        return PeriodSpec("Y", year=y, month=month, fiscal=month != 12)
    if name == "weekday":  # "rose 4.6% on Friday": a day of the publication week
        return PeriodSpec("D", number=_WEEKDAYS.index(g["wd"].lower()), rel="weekday")
    if name in ("date_noyear", "date_noyear_dmy"):
        if not _is_date(2000, _month(g["month"]), int(g["day"])):  # 2000: a leap year, so February 29 stands
            return None
        return PeriodSpec("D", month=_month(g["month"]), day=int(g["day"]))
    if name == "as_of":
        y, _ = years.year(g.get("year") or g.get("year2") or g.get("year3"))
        if g.get("year3") and m.group(0).lower().startswith("by"):
            return PeriodSpec("Y", year=y)  # "double its workforce by the end of 2025": a target year
        month = g.get("month") or g.get("month2")
        day = g.get("day") or g.get("day2")
        if day and not _is_date(y or 2000, _month(month), int(day)):
            return None  # "as of February 30"
        # "as of September 30, 2022": a figure of that day (gold conventions: the period it is FOR)
        return PeriodSpec("M", year=y, month=_month(month) if month else 12, day=int(day) if day else None, rel="as_of")
    if name == "full_year":
        return PeriodSpec("REL", rel="full_year")
    if name == "month_quarter":
        if g.get("ord"):  # "the September quarter, the first of fiscal 2024": the fiscal quarter it names
            y, _ = years.year(g["year"])
            return PeriodSpec("Q", year=y, number=ORDINALS[g["ord"].lower()], fiscal=True)
        return PeriodSpec("MQ", month=_month(g["month"]))
    if name == "quarter_ended":
        y, _ = years.year(g.get("year"))
        month = _month(g["month"])
        if g.get("day") and int(g["day"]) <= 7:
            # "the quarter ending April 1": a 52/53-week calendar's quarter ends on the weekday
            # nearest a month's end, so one ending in a month's first week is the previous month's
            month, y = (month - 1, y) if month > 1 else (12, y - 1 if y else None)
        q = ORDINALS[g["qord"].lower()] if g.get("qord") else None
        if q is not None and q * 3 == month and y is not None:
            return PeriodSpec("Q", year=y, number=q)
        # number: "the third quarter ended December 31" (fiscal, see resolve)
        return PeriodSpec("MQ", month=month, year=y, number=q if q is not None and q * 3 != month else None,
                          rel="ended")
    if name == "month_span":
        y, rel = years.year(g.get("year"))
        return PeriodSpec("SPAN", month=_month(g["month"]), month2=_month(g["month2"]), year=y, year_rel=rel)
    if name == "first_quarters":
        n = g["n"].lower()
        quarters = {"two": 2, "2": 2, "three": 3, "3": 3}[n]
        y, rel = years.year(g.get("year"))
        return PeriodSpec("SPAN", month=1, month2=quarters * 3, year=y, year_rel=rel)
    if name == "month_metric":
        return PeriodSpec("M", month=_month(g["month"]))
    if name == "first_months":
        n = g["n"].lower()
        months = int(n) if n.isdigit() else COUNT_WORDS[n]
        if not 1 <= months <= 12:
            return None  # "the first 13 months of 2023" is no span of one year
        y, rel = years.year(g.get("year"))
        return PeriodSpec("SPAN", month=1, month2=months, year=y, year_rel=rel)
    if name == "fiscal_split":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if y2 < 100:
            y2 += y1 // 100 * 100
        short = len(g["y2"]) == 2
        if y2 != y1 + 1 or not (g.get("pre") or g.get("post") or (short and "/" not in m.group(0))):
            return None  # "2019-2023" is a span of years, not one fiscal year
        return PeriodSpec("Y", year=y2, fiscal=True)  # named by the year it ends in (gold conventions)
    if name == "fiscal_year":
        y, _ = years.year(g.get("year") or g.get("year2"))
        return PeriodSpec("Y", year=y, fiscal=True)
    if name == "end_last_year":
        return PeriodSpec("REL", rel="end_last_year")
    if name in ("date", "date_dmy"):
        y, _ = years.year(g["year"])
        if not _is_date(y, _month(g["month"]), int(g["day"])):
            return None  # "February 30, 2023"
        return PeriodSpec("D", year=y, month=_month(g["month"]), day=int(g["day"]))
    if name == "month_year":
        y, _ = years.year(g["year"])
        return PeriodSpec("M", year=y, month=_month(g["month"]))
    if name == "month":
        return PeriodSpec("M", month=_month(g["month"]), year_rel="last" if g.get("last") else None)
    if name == "last_month_name":
        return PeriodSpec("M", month=_month(g["month"]), year_rel="last")
    if name == "same_month":
        return PeriodSpec("REL", rel="same_month")
    if name == "same_period_year":
        y, _ = years.year(g["year"])
        return PeriodSpec("REL", rel="same_period_year", year=y)
    if name in ("prior_year", "prior_quarter", "prior_month"):
        return PeriodSpec("REL", rel=name)
    if name == "by_year_end":  # a target date ahead: the publication year
        return PeriodSpec("REL", rel="this_year")
    if name in ("recent_quarter", "last_quarter", "this_quarter", "this_year", "next_year", "last_year", "the_quarter",
                "last_month"):
        return PeriodSpec("REL", rel=name)
    if name in ("year", "calendar_year_code", "year_attr"):  # "CY17": calendar 2017, whatever the company's fiscal year
        y, _ = years.year(g["year"])
        return PeriodSpec("Y", year=y)
    return None


# Words one of which a pattern's match must contain (a cheap test before the regex runs).
_NEEDS = {
    "q_fy_first": ("fy", "fiscal"), "q_code": ("q1", "q2", "q3", "q4", "1q", "2q", "3q", "4q"), "q_words": ("quarter",), "q_num": ("quarter",), "q_bare": ("q1", "q2", "q3", "q4"),
    "first_quarters": ("quarters",), "month_metric": _MONTH_WORDS, "half_words": ("half",),
    "half_code": ("h1", "h2", "1h", "2h"), "month_quarter": ("quarter",), "year_to": ("year",), "as_of": ("as of", "as at", "end of"),
    "by_year_end": ("end of",), "full_year": ("year",), "quarter_ended": ("end", " to "), "month_span": _MONTH_WORDS,
    "first_months": ("months",), "fiscal_year": ("fy", "fiscal", "financial"), "fiscal_split": ("/", "-", "–"), "end_last_year": ("end of",),
    "date": _MONTH_WORDS, "date_dmy": _MONTH_WORDS, "weekday": ("day",), "date_noyear": _MONTH_WORDS, "date_noyear_dmy": _MONTH_WORDS, "month_year": _MONTH_WORDS, "month": _MONTH_WORDS,
    "last_month_name": ("last",), "same_period_year": ("same", "corresponding"), "same_month": ("same month",),
    "prior_year": ("year",), "prior_quarter": ("quarter",), "prior_month": ("month",),
    "recent_quarter": ("quarter",), "last_quarter": ("quarter",), "this_quarter": ("quarter",),
    "the_quarter": ("quarter", "three"),
    "this_year": ("year",), "next_year": ("next year",), "last_year": ("year",), "last_month": ("month",), "year": ("19", "20"),
    "calendar_year_code": ("cy",), "year_attr": ("19", "20"),
}


_WINDOW = 90

# A window found by a month's first letters ("mar" of "smartphones") is searched by the
# month patterns only when it holds a month name followed by what every one of them
# needs next: a space, a dash, "to"/"through" or the end of the word.
_WINDOW_CHECK_SOURCES = {_MONTH_WORDS: rf"{_MONTH}(?:to|through|(?!\w))"}


# Words one of which every match of a pattern starts with (lowercase; None: its key
# words of _NEEDS). Such a pattern is tried with pattern.match where one of them starts
# instead of being scanned through the window (the regex module spends about as much
# on each position it tries as on a whole match): the same matches as finditer over
# the window, see _matches_at_spots. A pattern whose match may start elsewhere must
# not be listed; patterns that may start with a common word ("the", "in") are not,
# as trying them at every such word costs about as much as the scan.
_STARTS: dict[str, tuple[str, ...] | None] = {
    "q_fy_first": None, "q_code": None, "q_bare": None, "half_code": None, "month_metric": None,
    "date": None, "month_year": None, "last_month_name": None,
    "month_span": ("from", "between") + _MONTH_WORDS,
    "quarter_ended": ("quarter", "period", "three", "first", "second", "third", "fourth", "final", "1st", "2nd", "3rd", "4th"),
    "year_to": ("financial", "fiscal", "year"),
    "last_year": ("last",),
    "last_month": ("last",),
}

# Characters that match an ASCII letter when case is ignored but lower() keeps apart
# (dotted and dotless i, long s, Kelvin sign): in a text with one of them, or whose
# lower() changed its length, key word offsets found in text.lower() may miss a match.
_ODD_CASE = regex.compile("[\u0130\u0131\u017f\u212a]")


def _lowered(pattern: str) -> regex.Pattern:
    """``pattern`` (case ignored) compiled case-sensitively with its letters lowercased, for a lowercased ASCII text.

    On an ASCII text ``t``, ``_lowered(p)`` on ``t.lower()`` matches exactly
    where ``p`` compiled with IGNORECASE matches on ``t`` (the patterns hold
    no upper-case escape such as ``\\S``, and every group name is lower
    case); the groups are the same text in lower case, which :func:`_spec`
    reads without regard to case. The regex module spends much of a
    case-ignoring scan on the case variants of every character.
    """
    if regex.search(r"\\[A-Z]", pattern.replace("(?P", "")):
        raise AssertionError(f"{pattern!r}: an upper-case escape cannot be lowercased")
    if any(name != name.lower() for name in regex.findall(r"\(\?P<(\w+)>", pattern)):
        raise AssertionError(f"{pattern!r}: a group name in upper case would be lowercased")
    return regex.compile(pattern.lower().replace("(?p", "(?P"))


_PATTERNS_LOWER = [(name, _lowered(source)) for name, source in _PATTERN_SOURCES]
_WINDOW_CHECK_LOWER = {needs: _lowered(source) for needs, source in _WINDOW_CHECK_SOURCES.items()}

# each pattern's group names in group order: _spec builds the groupdict from m.groups(),
# as the regex module looks every group name up slowly
_GROUP_NAMES = {name: tuple(pat.groupindex) for name, pat in _PATTERNS_LOWER}
for _name, _pat in _PATTERNS_LOWER:
    if _pat.groups != len(_pat.groupindex) or list(_pat.groupindex.values()) != list(range(1, _pat.groups + 1)):
        raise AssertionError(f"period pattern {_name}: every group must be named, in order")


@lru_cache(maxsize=1)
def _any_case_patterns() -> tuple[list[tuple[str, regex.Pattern]], dict[tuple[str, ...], regex.Pattern]]:
    """The period patterns and window checks as written, case ignored, for a text that is not ASCII.

    Compiled when first needed (an ASCII text is matched with
    ``_PATTERNS_LOWER``); the same group names as ``_GROUP_NAMES``.
    """
    return ([(name, regex.compile(source, regex.IGNORECASE)) for name, source in _PATTERN_SOURCES],
            {needs: regex.compile(source, regex.IGNORECASE) for needs, source in _WINDOW_CHECK_SOURCES.items()})


def _spots(lower: str, needs: tuple[str, ...]) -> list[int]:
    """Sorted offsets in ``lower`` where one of the key words ``needs`` starts."""
    spots = []
    for w in needs:
        i = lower.find(w)
        while i != -1:
            spots.append(i)
            i = lower.find(w, i + 1)
    spots.sort()
    return spots


def _windows(spots: list[int], n: int) -> list[tuple[int, int]]:
    """Merged text windows of ``_WINDOW`` characters either side of each key word offset."""
    out: list[tuple[int, int]] = []
    for i in spots:
        lo, hi = max(0, i - _WINDOW), min(n, i + _WINDOW)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _matches_at_spots(pat: regex.Pattern, text: str, spots: list[int], lo: int, hi: int):
    """The matches of ``pat.finditer(text, lo, hi)`` for a pattern whose every match starts at a spot.

    finditer tries each position from ``lo`` and, after a match, goes on from
    its end; trying only the spots in ``[lo, hi)`` finds the same matches
    because no other position can start one.
    """
    pos = lo
    for i in spots[bisect_left(spots, lo):bisect_left(spots, hi)]:
        if i < pos:
            continue
        m = pat.match(text, i, hi)
        if m is not None:
            yield m
            pos = m.end()


_FULL_YEAR = regex.compile(r"(?<![\w.,])((?:19|20)\d\d)(?![\w.,])")


def find_periods(text: str, ref_year: int | None = None, two_digit_year_ahead: int = 20) -> list[PeriodMention]:
    """Find period mentions in ``text`` (normalised article text).

    Args:
        text: the normalised article text.
        ref_year: the article's year, which fixes the century of a two-digit
            year (``1Q99``, ``FY30``); None: the latest year the text writes
            in full, else the 2000s.
        two_digit_year_ahead: how many years after ``ref_year`` a two-digit
            year may lie (see :class:`_Years`).

    Returns:
        Non-overlapping mentions in text order; where two patterns overlap
        the longer match wins (``the first quarter of 2023`` over ``2023``).
    """
    found: list[PeriodMention] = []
    if ref_year is None:
        written = [int(y) for y in _FULL_YEAR.findall(text)]
        ref_year = max(written) if written else None
    years = _Years(ref_year, two_digit_year_ahead)
    lower = text.lower()
    n = len(text)
    at_spots = len(lower) == n and _ODD_CASE.search(text) is None
    if text.isascii():  # match the lowercased text, case-sensitively (see _lowered)
        subject, patterns, checks = lower, _PATTERNS_LOWER, _WINDOW_CHECK_LOWER
    else:
        subject, (patterns, checks) = text, _any_case_patterns()
    seen: set[tuple[int, int, str]] = set()
    spots: dict[tuple[str, ...] | None, list[int]] = {}
    windows: dict[tuple[str, ...] | None, list[tuple[int, int]]] = {}
    for name, pat in patterns:
        needs = _NEEDS.get(name)
        if needs not in windows:
            spots[needs] = _spots(lower, needs) if needs else []
            windows[needs] = _windows(spots[needs], n) if needs else [(0, n)]
            check = checks.get(needs)
            if check is not None:
                if at_spots:  # the check's matches also start with a key word
                    windows[needs] = [(lo, hi) for lo, hi in windows[needs]
                                      if next(_matches_at_spots(check, subject, spots[needs], lo, hi), None)]
                else:
                    windows[needs] = [(lo, hi) for lo, hi in windows[needs] if check.search(subject, lo, hi)]
        starts = None
        if at_spots and name in _STARTS:
            words = _STARTS[name] or needs
            if words not in spots:
                spots[words] = _spots(lower, words)
            starts = spots[words]
        for lo, hi in windows[needs]:
            for m in (pat.finditer(subject, lo, hi) if starts is None
                      else _matches_at_spots(pat, subject, starts, lo, hi)):
                key = (m.start(), m.end(), name)
                if key in seen:
                    continue
                seen.add(key)
                spec = _spec(name, m, years)
                if spec is not None:
                    found.append(PeriodMention(m.start(), m.end(), spec))
    # the longest of overlapping matches wins ("October 2023" over "for October")
    found.sort(key=lambda p: (-(p.end - p.start), p.start))
    taken = bytearray(len(text) + 1)
    out: list[PeriodMention] = []
    for p in found:
        if not any(taken[p.start:p.end]):
            taken[p.start:p.end] = b"\x01" * (p.end - p.start)
            out.append(p)
    return sorted(out, key=lambda p: p.start)


# -- resolution ------------------------------------------------------------

@dataclass(frozen=True)
class PeriodContext:
    """What a relative or partial period is resolved against.

    Attributes:
        doc_date: publication date, or None.
        ref_year: the latest year the article reports as past (used when
            ``doc_date`` is None), or None.
        in_force: the normalised period in force from earlier text, or None.
        fiscal_end_month: the company's fiscal year-end month (1-12), or None
            for a calendar-year company.
        forecast: the figure is a forecast (an unnamed-year quarter is then
            the next one, not the last one).
        month: the month named last in the text (``YYYY-MM``), or None;
            "the same month" is that month, not the period in force.
    """

    doc_date: dt.date | None = None
    ref_year: int | None = None
    in_force: str | None = None
    fiscal_end_month: int | None = None
    forecast: bool = False
    month: str | None = None

    @property
    def this_year(self) -> int | None:
        """The year "this year" means: the publication year, else the article's latest past year."""
        if self.doc_date:
            return self.doc_date.year
        if self.ref_year:
            return self.ref_year
        return _year_of(self.in_force) if self.in_force else None


def _year_of(period: str) -> int | None:
    m = _cached_re(r"(?:FY)?(\d{4})").match(period)
    return int(m.group(1)) if m else None


def fiscal_quarter_of(month: int, year: int, end_month: int) -> tuple[int, int]:
    """Map a calendar month to (fiscal year, fiscal quarter) for a fiscal year ending in ``end_month``.

    Example: Apple (``end_month=9``): December 2024 -> (2025, 1);
    Nvidia (``end_month=1``): April 2023 -> (2024, 1).
    """
    start_month = end_month % 12 + 1
    offset = (month - start_month) % 12
    fy = year + (1 if month > end_month else 0) if end_month != 12 else year
    return fy, offset // 3 + 1


def quarter_end(fy: int, q: int, end_month: int | None) -> tuple[int, int]:
    """(calendar year, month) in which quarter ``q`` of year ``fy`` ends."""
    if not end_month or end_month == 12:
        return fy, q * 3
    start_month = end_month % 12 + 1
    start_year = fy - 1
    month0 = start_month - 1 + q * 3  # 0-based months from start_year's January, end of quarter
    month_index = month0 - 1
    return start_year + month_index // 12, month_index % 12 + 1


def _fmt_q(year: int, q: int, fiscal: bool) -> str:
    return f"FY{year}-Q{q}" if fiscal else f"{year}-Q{q}"


STALE_MONTHS = 4
"""A calendar quarter reported more than this many months after it ended (or forecast more than
this many months before it starts, less one) is not the one a news story means."""


def _stale_calendar_quarter(date: dt.date, q: int, end_month: int, forecast: bool) -> bool:
    """Whether a bare quarter ``q`` in a story of ``date`` is the company's fiscal one (its fiscal
    year ends in ``end_month``) because the calendar reading is stale and the fiscal one is not.

    Gold conventions: "A quarter that cannot be a calendar one given the article's date (a
    'second quarter' reported in early June) is the company's fiscal quarter" ("Micron: Q4
    results" in late September: fiscal Q4, not the calendar Q4 of nine months before).
    """
    def months_away(fiscal_end: int | None) -> int:
        y, m = quarter_end(_last_before(date, q, fiscal_end, forecast), q, fiscal_end)
        end = y * 12 + m
        now = date.year * 12 + date.month
        return (end - 2 - now) if forecast else (now - end)  # forecasts: months until it starts

    limit = STALE_MONTHS - 1 if forecast else STALE_MONTHS
    return months_away(None) > limit and months_away(end_month) <= limit


_AGAINST_ACTUAL = regex.compile(r"(?i)\b(?:vs\.?|versus|beat|beats|beating|missed|miss|misses|missing|topped|tops|topping|"
                                r"exceeded|exceeding|exceeds|surpassed|surpassing|overshot|short\s+of|ahead\s+of)(?!\w)")


def set_against_actual(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether a sentence (``text[start:end]``) sets estimates against reported figures
    ("$2.40 vs. $2.35 estimated", "beating forecasts of $99.3 million"): its estimates are then
    for the reported period, and resolve as actual figures do, not as forecasts of a later one."""
    return _AGAINST_ACTUAL.search(text, start, len(text) if end is None else end) is not None


_COMPARING = "from|compared|versus|vs|than|over|against"
COMPARISON_WORDS = regex.compile(rf"(?i)(?:{_COMPARING}|on)\b")
"""Words an earlier-period mention starts with when it sets up a comparison ("compared to prior
year's", "from a year earlier") rather than naming a figure's own period ("in the year-ago quarter")."""
COMPARING = regex.compile(rf"(?i)\b(?:{_COMPARING})\b")
"""The same words anywhere in a stretch of text ("8 million fewer handsets than in ...")."""

_SUB_YEAR = regex.compile(r"-(?:Q|H)\d$|^\d{4}-\d\d$")


FOUNDED_BEFORE = regex.compile(r"(?i)\b(?:founded|established|incorporated|set\s+up|started|born|created)\s+(?:in\s+)?$")
"""Words before a year that date an event ("Founded in 2015"), not a period a story reports."""


def as_comparison(spec: PeriodSpec, level_period: str | None) -> PeriodSpec:
    """The spec of a comparison figure's own period words: "from $4.92 billion last year" set against
    a quarter's figure is that quarter a year earlier, not the whole last year (gold conventions:
    a year-earlier comparison figure gets the earlier period). Other specs are returned unchanged.

    Args:
        spec: the period words' spec; level_period: the period of the figure compared with, or None.
    """
    if spec.kind == "REL" and spec.rel == "last_year" and level_period and _SUB_YEAR.search(level_period):
        return replace(spec, rel="prior_year")
    return spec


def _year_ended(date: dt.date, month: int) -> int:
    """The calendar year whose ``month`` ended last before ``date`` (a month counts as ended from its 28th)."""
    return date.year if dt.date(date.year, month, 28) <= date else date.year - 1


def _last_before(date: dt.date, q: int, end_month: int | None, forecast: bool) -> int:
    """The (fiscal) year whose quarter ``q`` ends closest before ``date`` (after, for forecasts)."""
    best = None
    for fy in range(date.year - 1, date.year + 3):
        y, m = quarter_end(fy, q, end_month)
        end = dt.date(y, m, 28)
        if forecast:
            if end >= date - REPORTING_LAG and (best is None or fy < best):
                best = fy
        elif end < date and (best is None or fy > best):
            best = fy
    return best if best is not None else date.year


def shift(period: str, years: int = 0, quarters: int = 0, months: int = 0) -> str | None:
    """Shift a normalised period: ``shift("2023-Q1", years=-1)`` -> ``"2022-Q1"``.

    Returns None for a period form that cannot be shifted that way.
    """
    m = _cached_re(r"(FY)?(\d{4})(?:-(Q|H)(\d)|-(\d\d))?(?:-(\d\d))?").fullmatch(period)
    if not m:
        return None
    fy, year, kind, num, month, day = m.groups()
    year = int(year) + years
    prefix = fy or ""
    if kind == "Q":
        idx = year * 4 + int(num) - 1 + quarters
        return f"{prefix}{idx // 4}-Q{idx % 4 + 1}"
    if quarters:
        return None
    if kind == "H":
        return f"{prefix}{year}-H{num}"
    if month and not day:
        idx = year * 12 + int(month) - 1 + months
        return f"{idx // 12}-{idx % 12 + 1:02d}"
    if day:
        return f"{year}-{int(month):02d}-{day}"
    return f"{prefix}{year}"


def resolve(spec: PeriodSpec, ctx: PeriodContext) -> str | None:
    """Resolve a period spec to its normalised string, or None if it cannot be.

    Rules (schema v1): relative periods resolve against ``doc_date``; without
    it, against the period in force and then the article's own latest past
    year. A quarter or a half with no year is the last such one before the
    publication date (the next one for a forecast).
    """
    fiscal = spec.fiscal and ctx.fiscal_end_month != 12
    if (spec.kind == "Q" and spec.year is None and spec.year_rel is None and ctx.in_force
            and ctx.in_force.startswith("FY") and ctx.fiscal_end_month not in (None, 12)):
        fiscal = True  # "the first quarter" in an article that reports fiscal quarters
    this_year = ctx.this_year
    year = spec.year
    if year is None and spec.year_rel:
        if this_year is None:
            return None
        year = this_year - (1 if spec.year_rel == "last" else 0)
    k = spec.kind
    if k == "Q":
        if year is None:
            if ctx.doc_date:
                if not fiscal and ctx.fiscal_end_month not in (None, 12) and not spec.fiscal:
                    fiscal = _stale_calendar_quarter(ctx.doc_date, spec.number, ctx.fiscal_end_month, ctx.forecast)
                year = _last_before(ctx.doc_date, spec.number, ctx.fiscal_end_month if fiscal else None, ctx.forecast)
            elif ctx.in_force and _year_of(ctx.in_force):
                year = _year_of(ctx.in_force)
                if ctx.in_force.startswith("FY"):
                    fiscal = True
            elif this_year:
                year = this_year
            else:
                return None
        return _fmt_q(year, spec.number, fiscal)
    if k == "H":
        if year is None and ctx.doc_date:
            # the last such half before publication (its last quarter is 2 or 4); the next for a forecast
            year = _last_before(ctx.doc_date, 2 * spec.number, ctx.fiscal_end_month if fiscal else None, ctx.forecast)
        if year is None:
            year = this_year
            if year is None:
                return None
        return f"FY{year}-H{spec.number}" if fiscal else f"{year}-H{spec.number}"
    if k == "Y":
        if year is None and spec.month and (ctx.doc_date or this_year):
            # "the year ending March": the year ending in that month last before publication,
            # or the next one for a forecast
            if ctx.doc_date:
                ended = spec.month < ctx.doc_date.month
                year = ctx.doc_date.year if ended else ctx.doc_date.year - 1
                if ctx.forecast:
                    year += 1
            else:
                year = this_year
        if year is None:
            return None
        return f"FY{year}" if spec.fiscal else str(year)
    if k == "MQ" and spec.number:
        # "the third quarter ended December 31, 2022": a quarter whose number is not the calendar
        # one of its end month is fiscal whatever calendar is known, and its fiscal year ends
        # 3 x (4 - number) months later (gold conventions: named by the calendar year it ends in)
        if year is None:
            year = _year_ended(ctx.doc_date, spec.month) if ctx.doc_date else this_year
            if year is None:
                return None
        return _fmt_q(year + (spec.month + 3 * (4 - spec.number) - 1) // 12, spec.number, True)
    if k == "MQ":
        end_month = ctx.fiscal_end_month
        fiscal_article = bool(ctx.in_force and ctx.in_force.startswith("FY"))
        # a quarter ending in a month that ends no calendar quarter ("the quarter ended Oct. 31")
        # shows the fiscal calendar (gold conventions); with no calendar known its number is unknown
        off_calendar = spec.month % 3 != 0
        if off_calendar and end_month in (None, 12):
            return None
        if year is None and ctx.doc_date is None and end_month not in (None, 12) and (fiscal_article or off_calendar) \
                and _year_of(ctx.in_force or ""):
            # undated: the fiscal year in force names it ("fiscal 2025 ... the three months ended Oct. 31")
            fy = _year_of(ctx.in_force)
            _, q = fiscal_quarter_of(spec.month, fy, end_month)
            return _fmt_q(fy, q, True)
        if year is None:
            ref = ctx.doc_date
            if ref is None:
                y = this_year
                if y is None:
                    return None
                year = y
            else:
                # the quarter ending in that month closest to publication:
                # the next one for a forecast, else the last one ended
                candidates = [ref.year - 1, ref.year, ref.year + 1]
                ends = [dt.date(y, spec.month, 28) for y in candidates]
                if ctx.forecast and spec.rel != "ended":
                    # a forecast is about a quarter not yet reported: one ending after
                    # the reporting lag before publication
                    year = next(y for y, e in zip(candidates, ends) if e >= ref - REPORTING_LAG)
                else:
                    year = max(y for y, e in zip(candidates, ends) if e <= ref)
        if end_month and end_month != 12 and (fiscal_article or off_calendar):
            fy, q = fiscal_quarter_of(spec.month, year, end_month)
            return _fmt_q(fy, q, True)
        if spec.month % 3 == 0:
            return f"{year}-Q{spec.month // 3}"
        return f"{year}-{spec.month:02d}"
    if k == "SPAN":
        if year is None and ctx.doc_date is not None:
            # "in the October-December period" with no year: the span ended last before
            # publication (the next one for a forecast), as for a bare quarter
            ends = {y: dt.date(y, spec.month2, 28) for y in (ctx.doc_date.year - 1, ctx.doc_date.year, ctx.doc_date.year + 1)}
            if ctx.forecast:
                year = min(y for y, e in ends.items() if e >= ctx.doc_date - REPORTING_LAG)
            else:
                year = max(y for y, e in ends.items() if e <= ctx.doc_date)
        if year is None:
            year = this_year
            if year is None:
                return None
        if spec.month % 3 == 1 and spec.month2 == spec.month + 2:
            return f"{year}-Q{spec.month2 // 3}"
        if (spec.month, spec.month2) in ((1, 6), (7, 12)):
            return f"{year}-H{spec.month2 // 6}"  # "the first six months": a half (gold conventions)
        return f"{year}-{spec.month:02d}/{year}-{spec.month2:02d}"
    if k == "M":
        if year is None:
            if ctx.doc_date:
                year = ctx.doc_date.year
                if spec.month > ctx.doc_date.month and not ctx.forecast:
                    year -= 1
                if spec.year_rel == "last" and spec.month <= ctx.doc_date.month:
                    year -= 1
            elif this_year:
                year = this_year
            else:
                return None
        if spec.day and spec.rel == "as_of":
            return f"{year}-{spec.month:02d}-{spec.day:02d}"
        return f"{year}-{spec.month:02d}"
    if k == "D" and spec.rel == "weekday":
        if ctx.doc_date is None:
            return None
        back = (ctx.doc_date.weekday() - spec.number) % 7  # news tells the past: the latest such day
        if ctx.forecast and back:
            back -= 7  # "will list on Friday": the next one
        return (ctx.doc_date - dt.timedelta(days=back)).isoformat()
    if k == "D":
        if year is None:
            year = ctx.doc_date.year if ctx.doc_date else this_year
        return f"{year}-{spec.month:02d}-{spec.day:02d}" if year else None
    if k == "REL":
        return _resolve_rel(spec.rel, ctx, this_year, spec.year)
    return None


def _resolve_rel(rel: str, ctx: PeriodContext, this_year: int | None, spec_year: int | None = None) -> str | None:
    if rel == "full_year":
        if ctx.in_force and _year_of(ctx.in_force):
            y = _year_of(ctx.in_force)
            return f"FY{y}" if ctx.in_force.startswith("FY") else str(y)
        return str(this_year) if this_year else None
    if rel == "this_year":
        return str(this_year) if this_year else None
    if rel == "last_year":
        return str(this_year - 1) if this_year else None
    if rel == "next_year":
        return str(this_year + 1) if this_year else None
    if rel == "last_month":  # "Last month, Deutsche Telekom bought ...": the month before publication
        if not ctx.doc_date:
            return None
        d = ctx.doc_date
        return f"{d.year}-{d.month - 1:02d}" if d.month > 1 else f"{d.year - 1}-12"
    if rel == "end_last_year":
        return f"{this_year - 1}-12" if this_year else None
    if rel == "the_quarter":  # "estimates of $6.08 billion for the quarter": the quarter the story is about
        return ctx.in_force if ctx.in_force and "-Q" in ctx.in_force else None
    if rel == "this_quarter" and ctx.forecast and ctx.doc_date:
        # "expects gross margin to remain stable this quarter": the quarter running at publication
        d = ctx.doc_date
        if ctx.fiscal_end_month not in (None, 12):
            fy, q = fiscal_quarter_of(d.month, d.year, ctx.fiscal_end_month)
            return _fmt_q(fy, q, True)
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    if rel in ("recent_quarter", "last_quarter", "this_quarter"):
        if ctx.doc_date and rel != "this_quarter" and not (rel == "last_quarter" and ctx.in_force and "Q" in ctx.in_force):
            d = ctx.doc_date
            q = (d.month - 1) // 3  # the last completed calendar quarter
            year = d.year if q else d.year - 1
            return f"{year}-Q{q or 4}"
        if ctx.in_force and "Q" in ctx.in_force:
            return ctx.in_force
        return None
    base = ctx.in_force
    if rel == "same_month" and ctx.month:
        return ctx.month
    if not base and ctx.doc_date and rel in ("prior_year", "prior_month"):
        base = f"{ctx.doc_date.year}-{ctx.doc_date.month:02d}"  # "up from 600 a year ago", with nothing in force: before publication
    if not base:
        return None
    if rel == "same_month":
        return base if _cached_re(r"\d{4}-\d\d").fullmatch(base) else None
    if rel == "same_period_year":
        y = _year_of(base)
        if y is None or spec_year is None:
            return None
        return shift(base, years=spec_year - y)
    if rel == "prior_year":
        return shift(base, years=-1)
    if rel == "prior_quarter":
        return shift(base, quarters=-1)
    if rel == "prior_month":
        return shift(base, months=-1)
    return None


class PeriodRecognizer:
    """spaCy component: find period mentions.

    Writes the span group ``periods`` (label = spec kind) and the
    :class:`PeriodMention` objects, in the same order, to
    ``doc.user_data["periods"]``. Resolution happens in the claims stage,
    where the company (fiscal calendar) and the period in force are known;
    only the century of a two-digit year is fixed here, from the article's
    date (``doc.user_data["doc_date"]``).

    Args:
        two_digit_year_ahead: ``config.toml`` ``[periods]``; see :class:`_Years`.
    """

    def __init__(self, two_digit_year_ahead: int = 20) -> None:
        self.two_digit_year_ahead = two_digit_year_ahead

    def __call__(self, doc):
        from .numbers import doc_norm, lay_mentions

        date = doc.user_data.get("doc_date")
        ref_year = None
        if date:
            ref_year = date.year if isinstance(date, dt.date) else int(str(date)[:4])
        lay_mentions(doc, "periods", find_periods(doc_norm(doc), ref_year, self.two_digit_year_ahead),
                     lambda p: p.spec.kind)
        return doc
