"""Checks: the figures of claim rows against each other, with rounding-aware tolerance.

Input is claim rows (schema v1, ``../shared/claim_schema.md``) from one or
many articles; output is check rows (``check``, ``status``, ``claim_ids``,
``expected``, ``observed``, ``tolerance``, ``message``) in a deterministic
order. The six checks:

- ``share_of_total``: a share (``revenue share``, ``market share``,
  ``share of X``, unit ``%``) against the part and the whole it relates.
- ``segment_sum``: the segments of a metric listed together in one article
  against the stated total.
- ``change_vs_prior``: a level and its change (``%``, ``pp`` or absolute)
  against the stated prior level (the "from" figure, the period a year, a
  quarter or a month earlier).
- ``change_abs_vs_pct``: an absolute change ("8 million fewer") against a
  level and its percentage change.
- ``direction_sign``: the direction words against the sign of the change,
  and against the order of the two values of a "from X to Y" pair.
- ``conflict``: one company, metric, segment, period and unit stated with
  values that no rounding reconciles.

Tolerance is interval arithmetic over the stated precision (see
``docs/checks.md``): every stated number stands for the interval of values
that round to it (``"35 billion"`` is [34.5, 35.5] billion), the relation is
evaluated at the corners of those intervals (each relation is monotone in
each argument, so the corners bound it), and a check is ``inconsistent`` only
when the implied interval and the stated interval do not meet.
"""
from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import itertools
import json
import math
import operator
import re
import unicodedata
from collections import defaultdict
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from .claim import CHANGE_BASES, DIRECTIONS, FIELD_NAMES, MODALITIES, QUALIFIERS, Claim
from .errors import LexiconError, SchemaError, UsageError
from .check_files import ClaimFiles, FlaggedCheck, FlaggedChecks, RowsByKind, SeenIds
from .outdir import OutputLock, atomic_path
from .rows import InputProblem, read_jsonl_at

CHECK_KINDS: tuple[str, ...] = (
    "share_of_total", "segment_sum", "change_vs_prior",
    "change_abs_vs_pct", "direction_sign", "conflict",
)
"""The check kinds, in the order rows are written."""

STATUSES: tuple[str, ...] = ("consistent", "inconsistent")

CHECK_FIELDS: tuple[str, ...] = (
    "check", "status", "claim_ids", "expected", "observed", "tolerance", "message",
)
"""The check row's columns in the schema's order."""

CHECKS_FILE = "checks.jsonl"
CHECK_SUMMARY_FILE = "checks_summary.json"

# Vocabularies the checks rely on. They describe how segments and metrics
# behave, not any one article; kept here (not in models/) because they are
# the checks' own logic, and overridable through CheckSettings.
GEOGRAPHY_WORDS: frozenset[str] = frozenset({
    "overseas", "international", "domestic", "global", "worldwide", "china", "chinese",
    "mainland", "greater", "hong", "kong", "taiwan", "japan", "korea", "india", "asia",
    "pacific", "apac", "emea", "europe", "european", "americas", "america", "us",
    "u.s.", "usa", "united", "states", "canada", "latin", "africa", "middle", "east",
    "oceania", "australia", "germany", "france", "uk", "britain", "region", "regions",
    "regional", "world", "western", "eastern", "southeast", "north", "south",
})
"""Words that mark a segment as a geography, never summed with product lines."""

CATCH_ALL_WORDS: frozenset[str] = frozenset({"other", "others", "rest", "remaining", "remainder"})
"""Words that mark a segment as a catch-all: a list holding one claims to cover the total."""

NON_ADDITIVE_METRIC_WORDS: frozenset[str] = frozenset({
    "profit", "income", "loss", "earnings", "margin", "share", "price", "rate",
    "ebit", "ebitda", "cash", "per", "valuation", "value", "growth", "average",
})
"""Words that mark a metric whose segments do not add up to the total
(profits can hide a loss-making segment; margins, shares and prices are not sums)."""

ZERO_SCALE_WORDS: dict[str, float] = {
    "thousand": 1e3, "k": 1e3, "lakh": 1e5, "million": 1e6, "mn": 1e6, "m": 1e6, "crore": 1e7,
    "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12,
}
"""Scale words, read only for a stated zero ("0 billion"), whose scale no ratio reveals."""

MARKET_BASE_METRICS: tuple[str, ...] = ("shipments", "deliveries", "sales", "revenue", "users")
"""Metrics a ``market share`` may be a share of, tried in this order."""

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SEPARATORS = re.compile(r"[,\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"(?:\d+(?:[,\u00a0\u202f\u2009']\d{3})*)?\.\d+|\d+(?:[,\u00a0\u202f\u2009']\d{3})*")
_PERIOD = re.compile(r"^(FY)?(\d{4})(?:-(Q[1-4]|H[12]|\d{2})(?:-(\d{2}))?)?$")
_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_BOUNDED_QUALIFIERS = ("exact", "about", "range")


@dataclass(frozen=True)
class CheckSettings:
    """Tunables of the checks (the ``[checks]`` table of ``config.toml``).

    Attributes:
        about_relative: an ``about`` figure stands for value ± this fraction
            of itself (0.10: "about 540 million" is [486, 594] million), or its
            rounding if wider.
        rounding_zeros: a whole number written with at least this many
            trailing zeros is taken as rounded to its last non-zero digit
            ("600 million" is ±50 million, "1,200 people" ±50, but "20
            million" ±0.5 million); 0 = every written digit counts.
            Percentages and percentage points always keep their last digit.
        min_segments: fewest segments a list needs before it is summed.
        segment_sentence_gap: segments further apart than this many
            sentences are not one list.
        flat_band: a change of at most this many % or pp counts as "flat".
        relative_epsilon: float slack, relative to the numbers compared.
        min_confidence: a relation that involves a claim whose ``confidence``
            is below this is not reported (counted as not checked: attachment
            uncertain), so an extraction error is not shown as an error of
            the article (schema v1.1). Claims without a confidence count as sure.
    """

    about_relative: float = 0.10
    rounding_zeros: int = 2
    min_segments: int = 3
    segment_sentence_gap: int = 1
    flat_band: float = 1.0
    relative_epsilon: float = 1e-9
    min_confidence: float = 0.4

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> "CheckSettings":
        """Build settings from a config table, e.g. ``config.toml``'s ``[checks]``.

        Raises:
            LexiconError: ``E320`` for an unknown key (the message lists the
                allowed ones), ``E321`` for a value of the wrong type.
        """
        allowed = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            raise LexiconError("E320", f"unknown [checks] setting(s) {unknown}; allowed: {sorted(allowed)}")
        defaults = cls()
        for key, value in table.items():
            want = type(getattr(defaults, key))
            ok = isinstance(value, bool) if want is bool else (
                isinstance(value, (int, float)) and not isinstance(value, bool)
                and (want is float or float(value).is_integer()))
            if not ok:
                raise LexiconError("E321", f"[checks] {key} = {value!r} should be {want.__name__}")
        return cls(**{k: (type(getattr(defaults, k))(v)) for k, v in table.items()})


class Interval(NamedTuple):
    """A closed interval ``[lo, hi]`` of values with the stated (or implied) value ``mid``."""

    lo: float
    hi: float
    mid: float

    @property
    def bounded(self) -> bool:
        """Both ends finite (an interval has ``lo <= hi``)."""
        return -math.inf < self.lo and self.hi < math.inf


@dataclass
class CheckSummary:
    """What :func:`run_checks` did.

    Attributes:
        out_path: the written ``checks.jsonl``.
        files: the claims files read.
        claims: claims checked (after dropping duplicates and bad rows).
        counts: ``{check kind: {status: n}}`` for every kind and status.
        inconsistent: the inconsistent rows with their sentences, in row order
            (after :func:`run_checks`, each read again from ``checks.jsonl``
            and the claims files when it is asked for, see :class:`pipeline.check_files.FlaggedChecks`).
        problems: bad input rows, skipped (file, line, code, reason).
        duplicates: rows skipped because the same claim was read before.
        not_checked: relations found but not reported, by reason (see :func:`set_aside`).
    """

    out_path: Path
    files: list[Path]
    claims: int
    counts: dict[str, dict[str, int]]
    inconsistent: Sequence[FlaggedCheck] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    duplicates: int = 0
    not_checked: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Number of check rows written."""
        return sum(sum(by_status.values()) for by_status in self.counts.values())


# --------------------------------------------------------------------------
# Precision of a stated number


def _digits_step(number: str, percent: bool, rounding_zeros: int) -> Decimal:
    """Return the place value of the last significant digit of a plain number string.

    ``"59.5"`` -> 0.1, ``"2.40"`` -> 0.01, ``"35"`` -> 1, ``"600"`` -> 100
    (when ``rounding_zeros`` <= 2), ``"20"`` -> 1; for percentages the
    units digit always counts (``"20"`` -> 1).
    """
    clean = _SEPARATORS.sub("", number)
    if "." in clean:
        return Decimal(1).scaleb(-len(clean.split(".", 1)[1]))
    stripped = clean.rstrip("0")
    zeros = len(clean) - len(stripped) if stripped else 0
    if percent or rounding_zeros <= 0 or zeros < rounding_zeros:
        return Decimal(1)
    return Decimal(1).scaleb(zeros)


def half_interval(value: float | None, text: str | None, unit: str | None,
                  settings: CheckSettings | None = None) -> float:
    """Return the rounding half-interval of a stated figure, in the figure's units.

    The precision is read from the figure's words: the last digit written,
    scaled by the scale word (``value / number written``, a power of ten):
    ``"59.5 billion yuan"`` -> 0.05e9, ``"RMB35,691 million"`` -> 0.5e6,
    ``"$2.40"`` -> 0.005, ``"58.8%"`` -> 0.05, ``"Rs 1,200 crore"`` -> 0.5e9.
    A whole number ending in ``settings.rounding_zeros`` (2) or more zeros is
    rounded to its last non-zero digit (``"600 million"`` -> 50e6); ``%``
    and ``pp`` keep their units digit (``"20%"`` -> 0.5). Without usable
    words (missing, number words, a written number that is not the value
    times a power of ten) the value is read as it would be written with the
    largest of thousand/million/billion/trillion not above it (59.5e9 ->
    "59.5 billion" -> 0.05e9; 124800 -> "124.8 thousand" -> 50), at most 12
    significant digits.

    Args:
        value: the figure in base units (``value`` or ``change`` of a claim).
        text: the words it came from (``value_text`` or ``change_text``), or None.
        unit: its unit (``%`` and ``pp`` keep their last digit).
        settings: tunables; defaults if None.

    Returns:
        The half-interval, >= 0, in base units; 0.0 if ``value`` is None.
    """
    if value is None:
        return 0.0
    settings = settings or CheckSettings()
    percent = unit in ("%", "pp")
    magnitude = abs(value)
    if text:
        text = unicodedata.normalize("NFKC", text)
        for match in _NUMBER.finditer(text):
            written = match.group(0)
            number = float(_SEPARATORS.sub("", written))
            if number == 0 or magnitude == 0:
                if number == 0 and magnitude == 0:
                    # No ratio to read the scale from: take the scale word after the zero.
                    word = re.match(r"\s*([a-z]+)", text[match.end():].lower())
                    scale = ZERO_SCALE_WORDS.get(word.group(1), 1.0) if word else 1.0
                    return float(_digits_step(written, percent, settings.rounding_zeros)) * scale / 2
                continue
            exponent = math.log10(magnitude / number)
            if abs(exponent - round(exponent)) < 1e-6:
                step = _digits_step(written, percent, settings.rounding_zeros)
                return float(step.scaleb(round(exponent))) / 2
    if magnitude == 0:
        return 0.0
    power = 0 if percent else min(12, 3 * max(0, int(math.floor(math.log10(magnitude) / 3))))
    mantissa = format(Decimal(f"{magnitude / 10 ** power:.12g}").normalize(), "f")
    step = _digits_step(mantissa, percent, settings.rounding_zeros)
    return float(step.scaleb(power)) / 2


def _stated_interval(value: float, high: float | None, qualifier: str, text: str | None,
                     unit: str | None, settings: CheckSettings) -> Interval:
    """Return the interval a figure stands for, given its qualifier."""
    half = half_interval(value, text, unit, settings)
    if qualifier == "range" and high is not None:
        half_high = half_interval(high, _second_number_text(text), unit, settings)
        return Interval(value - half, high + half_high, (value + high) / 2)
    if qualifier == "about":
        half = max(half, settings.about_relative * abs(value))
    if qualifier in ("more_than", "at_least"):
        return Interval(value - half, math.inf, value)
    if qualifier in ("less_than", "at_most"):
        return Interval(-math.inf, value + half, value)
    return Interval(value - half, value + half, value)


def _second_number_text(text: str | None) -> str | None:
    """Return the words after the first number of a range text (``"10 to 12 billion"`` -> ``"12 billion"``)."""
    if not text:
        return None
    match = _NUMBER.search(unicodedata.normalize("NFKC", text))
    return unicodedata.normalize("NFKC", text)[match.end():] if match else None


# --------------------------------------------------------------------------
# Periods


def shift_period(period: str | None, basis: str) -> str | None:
    """Return the period a change is measured from.

    Args:
        period: a normalised period (``2023-Q1``, ``FY2025-Q1``, ``2023``,
            ``2023-H1``, ``2023-05``, ``2023-05-24``, ``2021-01/2021-08``).
        basis: ``yoy`` (one year earlier), ``qoq`` (the previous quarter,
            quarters only) or ``mom`` (the previous month, months only).

    Returns:
        The earlier period in the same notation (``2023-Q1`` -> ``2022-Q1``
        for yoy, ``2022-Q4`` for qoq; ``FY2025-Q1`` -> ``FY2024-Q1``), or
        None when the basis does not apply to the period.
    """
    if not period:
        return None
    if "/" in period:
        if basis != "yoy":
            return None
        parts = [shift_period(p, basis) for p in period.split("/")]
        return "/".join(parts) if all(parts) else None
    match = _PERIOD.match(period)
    if not match:
        return None
    fy, year, sub, day = match.group(1) or "", int(match.group(2)), match.group(3), match.group(4)
    if basis == "yoy":
        return f"{fy}{year - 1}" + period[len(fy) + 4:]
    if basis == "qoq" and sub and sub.startswith("Q") and not day:
        quarter = int(sub[1])
        return f"{fy}{year}-Q{quarter - 1}" if quarter > 1 else f"{fy}{year - 1}-Q4"
    if basis == "mom" and sub and sub.isdigit() and not fy and not day:
        month = int(sub)
        return f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"
    return None


def _period_start(period: str | None) -> tuple[str, int, int, int] | None:
    """Return a sortable start of a period: (calendar kind ``FY``/``CY``, year, month, day)."""
    if not period:
        return None
    match = _PERIOD.match(period.split("/")[0])
    if not match:
        return None
    kind = "FY" if match.group(1) else "CY"
    sub, day = match.group(3), match.group(4)
    month = 1
    if sub and sub[0] == "Q":
        month = 3 * int(sub[1]) - 2
    elif sub and sub[0] == "H":
        month = 6 * int(sub[1]) - 5
    elif sub:
        month = int(sub)
    return kind, int(match.group(2)), month, int(day or 1)


def _earlier(a: str | None, b: str | None) -> bool | None:
    """True if period ``a`` starts before ``b``; None if either is unknown or their calendars differ."""
    sa, sb = _period_start(a), _period_start(b)
    if sa is None or sb is None or sa[0] != sb[0]:
        return None
    return sa[1:] < sb[1:]


# --------------------------------------------------------------------------
# Claims as the checks see them


def _norm(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text.strip().lower())
    return text or None


def _unit_key(unit: str | None) -> str | None:
    """Money and %/pp keep their unit; every count noun folds into ``count`` (``units`` matches any)."""
    if unit is None or unit in ("%", "pp") or _CURRENCY.match(unit):
        return unit
    return "count"


class _Fig:
    """A claim as the checks see it: its normalised key, the intervals its figures stand for, and the
    few fields the checks and their messages read (not the sentence or the other words of the row).

    Held for every claim of a run, so it is small (slots; the key a shared tuple of interned strings).

    Attributes:
        id, doc_id, sentence_index, start: the claim's id and place (the id made on demand).
        key: (company, metric, segment, period, unit key): company stripped, metric and segment
            lower-cased with single spaces, every count noun folded into ``count``.
        stated_unit, stated_change_unit: the row's ``unit`` and ``change_unit``.
        change_unit: the change's unit key (as in ``key``).
        change_basis, direction, qualifier: the row's fields.
        actual: the row's ``modality`` is ``actual``.
        unsure: the row's ``confidence`` is below ``CheckSettings.min_confidence``.
        value, change: the intervals the stated figures stand for, or None.
        order: the claim's rank by (doc_id, sentence_index, start, claim number, claim_id), set
            once every claim is read.
        file, line: where the row was read (index of the claims file, 1-based line), to read
            its sentence again when a check it is in is shown.
    """

    __slots__ = ("_id", "doc_id", "sentence_index", "start", "key", "stated_unit", "stated_change_unit",
                 "change_unit", "change_basis", "direction", "qualifier", "actual", "unsure", "value",
                 "change", "order", "file", "line")

    def __init__(self, claim_id: str, doc_id: str, sentence_index: int, start: int, key: tuple[Any, ...],
                 stated_unit: str | None, stated_change_unit: str | None, change_basis: str | None,
                 direction: str | None, qualifier: str, actual: bool, unsure: bool,
                 value: Interval | None, change: Interval | None, file: int, line: int) -> None:
        self.doc_id, self.sentence_index, self.start, self.key = doc_id, sentence_index, start, key
        self._id = _claim_number(claim_id, doc_id, sentence_index)
        self.stated_unit, self.stated_change_unit = stated_unit, stated_change_unit
        self.change_unit = _unit_key(stated_change_unit)
        self.change_basis, self.direction, self.qualifier = change_basis, direction, qualifier
        self.actual, self.unsure, self.value, self.change = actual, unsure, value, change
        self.order, self.file, self.line = 0, file, line

    @property
    def id(self) -> str:
        """The claim_id (held as its number k when it is the schema's ``{doc_id}:{sentence_index}:{k}``)."""
        number = self._id
        return number if type(number) is str else f"{self.doc_id}:{self.sentence_index}:{number}"

    @property
    def company(self) -> str | None:
        return self.key[0]

    @property
    def metric(self) -> str:
        return self.key[1]

    @property
    def segment(self) -> str | None:
        return self.key[2]

    @property
    def period(self) -> str | None:
        return self.key[3]

    @property
    def unit(self) -> str | None:
        """The unit key (``count`` for every count noun)."""
        return self.key[4]

    @property
    def place(self) -> tuple[str, int]:
        return self.doc_id, self.sentence_index

    def sort_key(self) -> tuple[Any, ...]:
        """(doc_id, sentence_index, start, claim number, claim_id): the claims' order, and so the rows'."""
        claim_id = self.id
        tail = claim_id.rsplit(":", 1)[-1]
        return self.doc_id, self.sentence_index, self.start, int(tail) if tail.isdigit() else 0, claim_id


def _claim_number(claim_id: str, doc_id: str, sentence_index: int) -> str | int:
    """``k`` when ``claim_id`` is ``f"{doc_id}:{sentence_index}:{k}"`` (the schema's form: the
    id need not be held, it is made again from the claim's place), else ``claim_id`` itself."""
    tail = claim_id[claim_id.rfind(":") + 1:]
    if tail.isascii() and tail.isdigit() and (tail == "0" or tail[0] != "0"):
        number = int(tail)
        if claim_id == f"{doc_id}:{sentence_index}:{number}":
            return number
    return claim_id


class _FigMaker:
    """Makes the :class:`_Fig` of each claim row of one run.

    A run repeats few doc ids, units, names and keys many times: each is
    held once (one object per distinct value), and each name normalised once.
    """

    def __init__(self, settings: CheckSettings) -> None:
        self.settings = settings
        self._shared: dict[Any, Any] = {}
        self._names: dict[str, str | None] = {}
        self._intervals: dict[tuple[Any, ...], Interval] = {}

    def _interval(self, value: float, high: float | None, qualifier: str, text: str | None,
                  unit: str | None) -> Interval:
        """:func:`_stated_interval` with these settings, worked out once per distinct figure.

        A run states the same figure many times ("14%", "$1 billion"), and reading its precision
        from the words is the costliest part of a claim's record. The cache holds at most
        :data:`_INTERVAL_CACHE` figures (emptied when full, so memory stays flat over a run); a
        zero is not cached (0.0 and -0.0 are one key but keep their sign in the interval).
        """
        if not value or high == 0:
            return _stated_interval(value, high, qualifier, text, unit, self.settings)
        key = (value, high, qualifier, text, unit)
        found = self._intervals.get(key)
        if found is None:
            if len(self._intervals) >= _INTERVAL_CACHE:
                self._intervals.clear()
            found = self._intervals[key] = _stated_interval(value, high, qualifier, text, unit, self.settings)
        return found

    def _share(self, value: Any) -> Any:
        return self._shared.setdefault(value, value)

    def _name(self, text: str | None) -> str | None:
        """``text`` lower-cased with single spaces (None when empty), one object per distinct name."""
        if text is None:
            return None
        name = self._names.get(text)
        if name is None and text not in self._names:
            name = self._names[text] = self._share(_norm(text))
        return name

    def make(self, row: Mapping[str, Any], file: int = 0, line: int = 0) -> _Fig:
        """The checks' view of a valid claim row (:func:`claim_row`; a field left out is at its default).

        Args:
            row: the claim row.
            file, line: where it was read (index of the claims file, byte offset of the line).
        """
        settings, share, name = self.settings, self._shared.setdefault, self._name
        if len(row) == len(_FIELD_SET):  # every field written (a valid row has no other): one call
            (claim_id, doc_id, sentence_index, start, company, metric, segment, period, unit, change_unit,
             qualifier, value, value_high, value_text, change, change_text, change_basis, direction, modality,
             confidence) = _TAKE_MADE(row)
        else:
            (claim_id, doc_id, sentence_index, start, company, metric, segment, period, unit, change_unit,
             qualifier, value, value_high, value_text, change, change_text, change_basis, direction, modality,
             confidence) = [row[k] if k in row else _MADE_DEFAULTS.get(k) for k in _MADE_FIELDS]
        value, change = (None if value is None else float(value)), (None if change is None else float(change))
        qualifier = share(qualifier, qualifier)
        if company:
            company = company.strip()
            company = share(company, company)
        else:
            company = None
        key = (company, name(metric) or "", name(segment), share(period, period), _unit_key(unit))
        key = share(key, key)
        stated_value = None if value is None else self._interval(value, value_high, qualifier, value_text, unit)
        stated_change = None
        if change is not None:
            # The qualifier belongs to the claim's main figure: the change only when there is no value.
            # A change-only range ("up 10-12%") keeps its lower end; its upper end is not in the row.
            main = qualifier if value is None else "exact"
            stated_change = self._interval(change, None, "at_least" if main == "range" else main,
                                           change_text, change_unit)
        return _Fig(claim_id, share(doc_id, doc_id), sentence_index, start, key,
                    share(unit, unit), share(change_unit, change_unit), share(change_basis, change_basis),
                    share(direction, direction), qualifier, modality == "actual",
                    confidence is not None and confidence < settings.min_confidence,
                    stated_value, stated_change, file, line)


_INTERVAL_CACHE = 1 << 16
"""Most distinct figures :meth:`_FigMaker._interval` keeps (some 200 bytes each)."""
_MADE_FIELDS = ("claim_id", "doc_id", "sentence_index", "start", "company", "metric", "segment", "period", "unit",
                "change_unit", "qualifier", "value", "value_high", "value_text", "change", "change_text",
                "change_basis", "direction", "modality", "confidence")
"""The fields :meth:`_FigMaker.make` reads, in the order it takes them."""
_TAKE_MADE = operator.itemgetter(*_MADE_FIELDS)
_MADE_DEFAULTS = {"start": 0, "qualifier": "exact", "modality": "actual"}
"""The value :meth:`_FigMaker.make` reads for a field left out of a row (None for any other)."""


_NUMERIC_FIELDS = ("value", "value_high", "change")


def _finite(x: int | float) -> bool:
    """Finite and within a float's range (``10**400`` written out is not)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def parse_claim_row(row: Any, where: str = "claim row") -> Claim:
    """Validate one claim row (schema v1) and return it as a :class:`Claim`.

    Args:
        row: the decoded JSON object.
        where: how to name the row in errors (``"claims.jsonl:12"``).

    Raises:
        SchemaError: ``E210`` when the row is not an object, lacks a field
            the checks need, has a field of the wrong type or an unknown field
            or value outside the schema (the reason names the field).
    """
    if not isinstance(row, dict):
        raise SchemaError("E210", f"expected a JSON object, got {type(row).__name__}", where)
    for name in ("claim_id", "doc_id", "metric"):
        if not isinstance(row.get(name), str) or not row.get(name):
            raise SchemaError("E210", f"field {name!r} must be a non-empty string", where)
    if isinstance(row.get("sentence_index"), bool) or not isinstance(row.get("sentence_index"), int):
        raise SchemaError("E210", "field 'sentence_index' must be an integer", where)
    for name in _NUMERIC_FIELDS:
        item = row.get(name)
        if item is not None and (isinstance(item, bool) or not isinstance(item, (int, float))
                                 or not _finite(item)):
            raise SchemaError("E210", f"field {name!r} must be a finite number or null, got {item!r}", where)
    for name in ("company", "segment", "unit", "period", "value_text", "change_text", "change_unit"):
        if row.get(name) is not None and not isinstance(row[name], str):
            raise SchemaError("E210", f"field {name!r} must be a string or null", where)
    data = dict(row)
    for name in _NUMERIC_FIELDS:
        if data.get(name) is not None:
            data[name] = float(data[name])
    data.setdefault("doc_date", None)
    data.setdefault("sentence", "")
    data.setdefault("start", 0)
    data.setdefault("end", data["start"])
    try:
        return Claim.from_dict(data)
    except SchemaError as err:
        raise SchemaError("E210", err.reason, where) from err
    except TypeError as err:
        raise SchemaError("E210", f"not a claim row: {err}", where) from err


# --------------------------------------------------------------------------
# Interval arithmetic and verdicts


def _implied(relation: Callable[..., float], *inputs: Interval) -> Interval | None:
    """Evaluate a relation monotone in each argument at the corners of the input intervals.

    Returns:
        The interval of values the relation can take, with ``mid`` its value
        at the stated figures; None if it is undefined or unbounded there.
    """
    try:
        corners = [relation(*combo) for combo in itertools.product(*((i.lo, i.hi) for i in inputs))]
        mid = relation(*(i.mid for i in inputs))
    except (ZeroDivisionError, OverflowError):
        return None
    if not all(math.isfinite(x) for x in (*corners, mid)):
        return None
    return Interval(min(corners), max(corners), mid)


def _slack(settings: CheckSettings, *intervals: Interval) -> float:
    finite = [abs(x) for i in intervals for x in i if math.isfinite(x)]  # an Interval is (lo, hi, mid)
    scale = max(finite) if finite else 1.0
    return settings.relative_epsilon * max(scale, 1e-12)


def _verdict(implied: Interval, stated: Interval, settings: CheckSettings) -> tuple[bool, float]:
    """Compare what other claims imply with what a claim states.

    Returns:
        ``(consistent, tolerance)``: consistent when the two intervals meet;
        tolerance is the largest ``|observed - expected|`` the rounding
        explains on the side where the difference lies, so ``consistent``
        is exactly ``|stated.mid - implied.mid| <= tolerance``.
    """
    observed, expected = stated.mid, implied.mid
    if observed >= expected:
        tolerance = (implied.hi - expected) + (observed - stated.lo)
    else:
        tolerance = (expected - implied.lo) + (stated.hi - observed)
    consistent = abs(observed - expected) <= tolerance + _slack(settings, implied, stated)
    return consistent, tolerance


# --------------------------------------------------------------------------
# Display


def _num(x: float, places: int = 4) -> str:
    text = f"{x:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@functools.lru_cache(maxsize=65536)
def _amount(x: float, unit: str | None, places: int = 4) -> str:
    """Format a figure in base units for a message: ``35e9, CNY`` -> ``35 billion CNY``.

    Cached (a run's messages name the same figures and tolerances many times; 0.0 and -0.0,
    one key, are both written ``0``)."""
    if unit == "%":
        return f"{_num(x, places)}%"
    if unit == "pp":
        return f"{_num(x, places)} pp"
    for scale, word in _SCALES:
        if abs(x) >= scale:
            text = f"{_num(x / scale, places)} {word}"
            break
    else:
        text = _num(x, places)
    return f"{text} {unit}" if unit else text


def _change_text(x: float, unit: str | None) -> str:
    sign = "+" if x > 0 else ""
    return f"{sign}{_amount(x, unit, 2)}"


def _label(fig: _Fig) -> str:
    """The claim's company, segment and metric, as a message names them."""
    return _key_label(fig.key)


@functools.lru_cache(maxsize=65536)
def _key_label(key: tuple[Any, ...]) -> str:
    """The label of a key (company, metric, segment, ...): worked out once per key, not per row."""
    company, metric, segment = key[:3]
    return " ".join(p for p in (company, segment, metric) if p)


def _period(fig: _Fig) -> str:
    return f" ({fig.period})" if fig.period else ""


def _result(consistent: bool, tolerance: float, unit: str | None) -> str:
    if consistent:
        return f"consistent within rounding (±{_amount(tolerance, unit, 2)})"
    return f"inconsistent: no rounding of the stated figures explains it (±{_amount(tolerance, unit, 2)})"


def _clean(x: float) -> float:
    """``x`` rounded to 12 significant digits (the figures a check row states); a zero keeps its sign."""
    return _clean_nonzero(x) if x else float(f"{x:.12g}")


@functools.lru_cache(maxsize=65536)
def _clean_nonzero(x: float) -> float:
    """:func:`_clean` of a non-zero ``x``, cached (check rows repeat their tolerances and figures)."""
    return float(f"{x:.12g}")


def _row(kind: str, consistent: bool, figs: Sequence[_Fig], expected: float, observed: float,
         tolerance: float, message: str) -> _Found:
    return _Found({
        "check": kind,
        "status": "consistent" if consistent else "inconsistent",
        "claim_ids": [f.id for f in figs],
        "expected": _clean(expected),
        "observed": _clean(observed),
        "tolerance": _clean(tolerance),
        "message": message,
    }, tuple(figs))


# --------------------------------------------------------------------------
# The index the checks look claims up in


class _Index:
    """Claims grouped by (company, metric, segment, period, unit) for the lookups of the checks.

    The run-wide lists are built once, in one pass over the claims (given
    sorted by ``order``, so every list here is in that order too); the lists
    of one article are built when the checks come to it (:meth:`open_doc`)
    and dropped after. Each lookup of a check then touches the claims of one
    key in one article, not every claim of the key, so the checks stay
    linear in the number of claims when a key recurs across thousands of
    articles.

    Attributes:
        valued: key -> actual claims with a bounded value, every article.
        by_key: key -> actual claims, every article.
        units: (metric, period) -> units of the valued claims.
        doc_figs: the claims of the open article.
        valued_in_doc: (key, doc_id) -> the valued claims of the open article.
        by_key_in_doc: (key, doc_id) -> actual claims of the open article (with or without a value).
        by_sentence: (doc_id, sentence_index) -> claims of one sentence of the open article.
        lo_desc, hi_asc: key -> the valued claims by lower end, highest
            first, and by upper end, lowest first (whether a key's claims
            of other articles agree, in a few steps).
    """

    def __init__(self, docs: Iterable[Sequence[_Fig]]) -> None:
        self.valued: dict[tuple[Any, ...], list[_Fig]] = defaultdict(list)
        self.by_key: dict[tuple[Any, ...], list[_Fig]] = defaultdict(list)
        self.units: dict[tuple[str, str | None], set[str | None]] = defaultdict(set)
        for figs in docs:
            for fig in figs:
                if fig.actual:
                    self.by_key[fig.key].append(fig)
                    if fig.value is not None and fig.value.bounded:
                        self.valued[fig.key].append(fig)
                        self.units[(fig.metric, fig.period)].add(fig.unit)
        self.open_doc(())
        self._lo_desc: dict[tuple[Any, ...], list[_Fig]] = {}
        self._hi_asc: dict[tuple[Any, ...], list[_Fig]] = {}
        self._pct: dict | None = None  # made on first use by nearest_pct
        self._references: dict[tuple[Any, ...], _Fig | None] = {}

    def open_doc(self, figs: Sequence[_Fig]) -> None:
        """Make the lists of one article's claims (``figs``, in order), in place of the previous article's."""
        self.doc_figs = figs
        self.valued_in_doc: dict[tuple[tuple[Any, ...], str], list[_Fig]] = defaultdict(list)
        self.by_sentence: dict[tuple[str, int], list[_Fig]] = defaultdict(list)
        self.by_key_in_doc: dict[tuple[tuple[Any, ...], str], list[_Fig]] = defaultdict(list)
        for fig in figs:
            self.by_sentence[fig.place].append(fig)
            if fig.actual:
                self.by_key_in_doc[(fig.key, fig.doc_id)].append(fig)
                if fig.value is not None and fig.value.bounded:
                    self.valued_in_doc[(fig.key, fig.doc_id)].append(fig)

    def conflict_reference(self, key: tuple[Any, ...]) -> _Fig | None:
        """The claim every other valued claim of ``key`` is compared with in a ``conflict`` check, or None
        when the key has no such check (no period, or all its claims in one sentence); made once per key.

        That is the key's median claim by (value, order), or its widest stated range when it has one
        ("prices ranging from 229,800 to 289,800 yuan": the figure varies within a stated range, so each
        figure is compared with the widest range, not with the others). O(n log n) per key.
        """
        if key in self._references:
            return self._references[key]
        figs = self.valued.get(key, ())
        reference = None
        if key[3] is not None and len({f.place for f in figs}) >= 2:
            ranked = sorted(figs, key=lambda f: (f.value.mid, f.order))
            reference = ranked[(len(ranked) - 1) // 2]
            ranges = [f for f in figs if f.qualifier == "range" and f.value.bounded]
            if ranges:
                reference = max(ranges, key=lambda f: (f.value.hi - f.value.lo, f.order))
        self._references[key] = reference
        return reference

    def nearest_pct(self, key: tuple[Any, ...], basis: str | None, sentence_index: int) -> _Fig | None:
        """The actual claim of ``key`` with a bounded percent change whose sentence index is nearest
        ``sentence_index`` (then the first by order), among those whose ``change_basis`` is None or
        ``basis`` (any, when ``basis`` is None).

        Per key the claims are kept by change basis, sorted by (sentence index, order), and looked up
        by bisection: O(log n) a lookup.
        """
        if self._pct is None:
            self._pct = defaultdict(lambda: defaultdict(list))
            for k, figs in self.by_key.items():
                for f in figs:
                    if f.change_unit == "%" and f.change is not None and f.change.bounded:
                        self._pct[k][f.change_basis].append(f)
            for by_basis in self._pct.values():
                for b, figs in by_basis.items():
                    figs.sort(key=lambda f: (f.sentence_index, f.order))
                    by_basis[b] = (figs, [f.sentence_index for f in figs])
        by_basis = self._pct.get(key)
        if not by_basis:
            return None
        lists = by_basis.values() if basis is None else [by_basis[b] for b in (None, basis) if b in by_basis]
        found: list[_Fig] = []
        for figs, indexes in lists:
            i = bisect.bisect_left(indexes, sentence_index)
            if i < len(figs):  # the first of the nearest sentence at or after
                found.append(figs[i])
            if i > 0:  # the first of the nearest sentence before
                found.append(figs[bisect.bisect_left(indexes, indexes[i - 1])])
        return min(found, key=lambda f: (abs(f.sentence_index - sentence_index), f.order), default=None)

    def _extremes(self, key: tuple[Any, ...]) -> tuple[list[_Fig], list[_Fig]]:
        """The key's valued claims by ``value.lo`` descending and by ``value.hi`` ascending (made once per key)."""
        if key not in self._lo_desc:
            figs = self.valued.get(key, [])
            self._lo_desc[key] = sorted(figs, key=lambda f: f.value.lo, reverse=True)
            self._hi_asc[key] = sorted(figs, key=lambda f: f.value.hi)
        return self._lo_desc[key], self._hi_asc[key]

    def pick(self, key: tuple[Any, ...], anchor: _Fig, exclude: Iterable[_Fig] = ()) -> _Fig | None:
        """Choose the claim with this key that ``anchor`` relates to.

        The nearest sentence in the anchor's article wins. Other articles
        are used only when the article has none, when the period is known,
        and when they agree with each other (else the conflict check speaks):
        every other claim's interval overlaps the first one's (by order),
        that is the highest lower end is at most its upper end and the
        lowest upper end at least its lower end.
        """
        skip = {*exclude, anchor}  # claims are unique by id, so by identity
        same_doc = [f for f in self.valued_in_doc.get((key, anchor.doc_id), ()) if f not in skip]
        if same_doc:
            return min(same_doc, key=lambda f: (abs(f.sentence_index - anchor.sentence_index),
                                                f.order))
        if key[3] is None:
            return None
        first_fig = next((f for f in self.valued.get(key, ()) if f not in skip), None)  # the list is in order
        if first_fig is None:
            return None
        first = first_fig.value
        lo_desc, hi_asc = self._extremes(key)
        top_lo = next((f.value.lo for f in lo_desc if f is not first_fig and f not in skip), None)
        low_hi = next((f.value.hi for f in hi_asc if f is not first_fig and f not in skip), None)
        if top_lo is None or (top_lo <= first.hi and first.lo <= low_hi):
            return first_fig
        return None


# --------------------------------------------------------------------------
# share_of_total


def _share_bases(fig: _Fig) -> list[tuple[str, bool]]:
    """Return (base metric, market-wide whole?) pairs a share claim may relate, in order of preference."""
    metric = fig.metric
    if metric == "market share":
        return [(m, True) for m in MARKET_BASE_METRICS]
    if metric.endswith(" share") and metric != "market share":
        return [(metric[: -len(" share")], False)]
    if metric.startswith("share of "):
        base = metric[len("share of "):]
        return [(base, False), (base, True)]
    return []


def _check_share(fig: _Fig, index: _Index, settings: CheckSettings) -> _Found | None:
    if not (fig.actual and fig.stated_unit == "%" and fig.value is not None and fig.value.bounded
            and fig.segment is not None):
        return None
    for base, market_wide in _share_bases(fig):
        if market_wide and fig.company is None:
            continue
        period = fig.period
        for unit in sorted(index.units.get((base, period), ()), key=lambda u: u or ""):
            if unit in ("%", "pp"):
                continue
            part = index.pick((fig.company, base, fig.segment, period, unit), fig)
            whole_key = (None, base, fig.segment, period, unit) if market_wide else (
                fig.company, base, None, period, unit)
            whole = index.pick(whole_key, fig, exclude=[part] if part else ())
            if part is None or whole is None or whole.value.lo <= 0 or part.value.lo < 0:
                continue
            implied = _implied(lambda p, w: 100.0 * p / w, part.value, whole.value)
            if implied is None:
                continue
            consistent, tolerance = _verdict(implied, fig.value, settings)
            whole_label = (f"{whole.segment} {base}" if market_wide else _label(whole))
            message = (f"{_label(part)} {_amount(part.value.mid, part.stated_unit)} is "
                       f"{_num(implied.mid, 2)}% of {whole_label} {_amount(whole.value.mid, whole.stated_unit)}"
                       f"{_period(fig)}; stated {fig.metric} {_amount(fig.value.mid, '%')}: "
                       f"{_result(consistent, tolerance, '%')}")
            return _row("share_of_total", consistent, [fig, part, whole], implied.mid, fig.value.mid,
                        tolerance, message)
    return None


# --------------------------------------------------------------------------
# segment_sum


def _words(segment: str) -> set[str]:
    return set(re.findall(r"[\w.&-]+", segment))


def _is_geography(segment: str, settings_words: frozenset[str]) -> bool:
    return bool(_words(segment) & settings_words)


def _is_catch_all(segment: str) -> bool:
    return bool(_words(segment) & CATCH_ALL_WORDS)


def _additive(metric: str) -> bool:
    return not (set(metric.split()) & NON_ADDITIVE_METRIC_WORDS)


def _segment_lists(segments: list[_Fig], rank: Mapping[int, int],
                   settings: CheckSettings) -> Iterator[list[_Fig]]:
    """Split one article's segments of one metric into lists that may cover the total.

    A list is a run of segments in sentences at most ``segment_sentence_gap``
    apart, counting only sentences that state actual figures (so prose and
    forecast lines in between do not break a list), each segment named once.
    Geographies and product lines form separate lists (one never bridges
    the other's gap); a segment whose name contains another's is a sub-part
    and is dropped.

    Args:
        segments: valued segment claims of one article, company, metric,
            period and unit.
        rank: the article's sentence index -> ordinal among its sentences
            with actual figures.
        settings: tunables.
    """
    for geography in (False, True):
        runs: list[list[_Fig]] = []
        for fig in sorted(segments, key=lambda f: f.order):
            if _is_geography(fig.segment, GEOGRAPHY_WORDS) != geography:
                continue
            run = runs[-1] if runs else None
            if (run is None
                    or rank[fig.sentence_index] - rank[run[-1].sentence_index]
                    > settings.segment_sentence_gap
                    or any(f.segment == fig.segment for f in run)):
                runs.append([fig])
            else:
                run.append(fig)
        for run in runs:
            names = [f.segment for f in run]
            group = [f for f in run
                     if not any(other != f.segment and re.search(rf"\b{re.escape(other)}\b", f.segment)
                                for other in names)]
            if len(group) >= settings.min_segments:
                yield group


def _check_segment_sums(index: _Index, settings: CheckSettings) -> list[_Found]:
    """The segment sums of the article open in ``index``."""
    rows = []
    groups: dict[tuple[Any, ...], list[_Fig]] = defaultdict(list)
    for (key, doc_id), figs in index.valued_in_doc.items():
        company, metric, segment, period, unit = key
        if segment is None or unit in ("%", "pp") or not _additive(metric):
            continue
        groups[(doc_id, company, metric, period, unit)].extend(figs)
    ranks: dict[str, dict[int, int]] = defaultdict(dict)
    for doc_id, sentence_index in sorted({f.place for f in index.doc_figs if f.actual}):
        ranks[doc_id][sentence_index] = len(ranks[doc_id])
    for (doc_id, company, metric, period, unit), segments in sorted(groups.items(), key=_group_order):
        for group in _segment_lists(segments, ranks[doc_id], settings):
            anchor = group[0]
            totals = index.valued_in_doc.get(((company, metric, None, period, unit), doc_id), ())
            if not totals:
                continue
            total = min(totals, key=lambda f: (abs(f.sentence_index - anchor.sentence_index),
                                               f.order))
            implied = _implied(lambda *xs: math.fsum(xs), *(f.value for f in group))
            if implied is None:
                continue
            consistent, tolerance = _verdict(implied, total.value, settings)
            undershoot = implied.hi < total.value.lo
            if undershoot and not any(_is_catch_all(f.segment) for f in group):
                continue  # a partial list: nothing to say
            money = total.stated_unit
            parts = " + ".join(f"{f.segment} {_amount(f.value.mid, money)}" for f in group)
            message = (f"{_label(total)} segments {parts} sum to {_amount(implied.mid, money)}"
                       f"{_period(total)}; stated total {_amount(total.value.mid, money)}: "
                       f"{_result(consistent, tolerance, money)}")
            rows.append(_row("segment_sum", consistent, [total, *group], implied.mid, total.value.mid,
                             tolerance, message))
    return rows


def _group_order(item: tuple[tuple[Any, ...], list[_Fig]]) -> tuple[Any, ...]:
    return min(f.order for f in item[1])


# --------------------------------------------------------------------------
# change_vs_prior, change_abs_vs_pct, direction_sign


def _level_of(fig: _Fig, index: _Index) -> _Fig | None:
    """Return the claim holding the level a change is about.

    That is the claim itself, or for a change-only claim (a figure's second
    change) the nearest preceding claim of its sentence with a value and the
    same key.
    """
    if fig.value is not None:
        return fig if fig.value.bounded else None
    same = [f for f in index.by_sentence[fig.place]
            if f is not fig and f.key == fig.key and f.value is not None and f.value.bounded]
    before = [f for f in same if f.start <= fig.start]
    pool = before or same
    return max(pool, key=lambda f: f.start) if pool else None


def _prior_of(level: _Fig, basis: str | None, index: _Index) -> _Fig | None:
    """Return the claim stating the level a change is measured from."""
    if basis == "from_value":
        candidates = [f for f in index.by_sentence[level.place]
                      if f is not level and f.actual and f.change is None and f.value is not None
                      and f.value.bounded and (f.company, f.metric, f.segment, f.unit)
                      == (level.company, level.metric, level.segment, level.unit)]
        earlier = [f for f in candidates if _earlier(f.period, level.period)]
        if earlier:
            candidates = earlier
        else:
            candidates = [f for f in candidates if _earlier(f.period, level.period) is None]
        return candidates[0] if len(candidates) == 1 else None
    if basis in ("yoy", "qoq", "mom"):
        period = shift_period(level.period, basis)
        if period is None:
            return None
        return index.pick((level.company, level.metric, level.segment, period, level.unit), level)
    return None


def _relation_for(fig: _Fig) -> tuple[Callable[[float, float], float], str] | None:
    """Return the change relation f(level, prior) for the change unit, and the unit to show it in."""
    if fig.change_unit == "%":
        return (lambda v, p: 100.0 * (v / p - 1.0)), "%"
    if fig.change_unit == "pp" and fig.unit == "%":
        return (lambda v, p: v - p), "pp"
    if fig.change_unit is not None and fig.change_unit == fig.unit and fig.unit not in ("%", "pp"):
        return (lambda v, p: v - p), fig.stated_change_unit
    return None


def _check_change_vs_prior(fig: _Fig, index: _Index, settings: CheckSettings) -> _Found | None:
    if not (fig.actual and fig.change is not None and fig.change.bounded
            and fig.change_basis in ("yoy", "qoq", "mom", "from_value")):
        return None
    relation = _relation_for(fig)
    level = _level_of(fig, index)
    if relation is None or level is None:
        return None
    prior = _prior_of(level, fig.change_basis, index)
    if prior is None or (fig.change_unit == "%" and prior.value.lo <= 0):
        return None
    function, show_unit = relation
    implied = _implied(function, level.value, prior.value)
    if implied is None:
        return None
    consistent, tolerance = _verdict(implied, fig.change, settings)
    unit = level.stated_unit
    message = (f"{_label(level)} {_amount(level.value.mid, unit)}{_period(level)} against "
               f"{_amount(prior.value.mid, unit)}{_period(prior)} is a change of "
               f"{_change_text(implied.mid, show_unit)}; stated {_change_text(fig.change.mid, show_unit)} "
               f"({fig.change_basis}): {_result(consistent, tolerance, show_unit)}")
    ids = [fig, level, prior] if level is not fig else [fig, prior]
    return _row("change_vs_prior", consistent, ids, implied.mid, fig.change.mid, tolerance, message)


def _check_abs_vs_pct(fig: _Fig, index: _Index, settings: CheckSettings) -> _Found | None:
    if not (fig.actual and fig.change is not None and fig.change.bounded
            and fig.change_unit not in (None, "%", "pp")):
        return None
    key = (fig.company, fig.metric, fig.segment, fig.period, fig.change_unit)

    def usable(f: _Fig) -> bool:
        return (f is not fig and f.change_unit == "%" and f.change is not None and f.change.bounded
                and (fig.change_basis is None or f.change_basis is None
                     or f.change_basis == fig.change_basis))

    same_doc = [f for f in index.by_key_in_doc.get((key, fig.doc_id), ()) if usable(f)]
    if same_doc:
        pct = min(same_doc, key=lambda f: (abs(f.sentence_index - fig.sentence_index), f.order))
    else:
        if fig.period is None:
            return None
        pct = index.nearest_pct(key, fig.change_basis, fig.sentence_index)
        if pct is None:
            return None
    level = pct if pct.value is not None and pct.value.bounded else (
        fig if fig.value is not None and fig.value.bounded else None)
    if level is None or pct.change.lo <= -100:
        return None
    implied = _implied(lambda v, c: v * c / (100.0 + c), level.value, pct.change)
    if implied is None:
        return None
    consistent, tolerance = _verdict(implied, fig.change, settings)
    unit = fig.stated_change_unit
    message = (f"{_label(level)} {_amount(level.value.mid, level.stated_unit)}{_period(level)} after a change of "
               f"{_change_text(pct.change.mid, '%')} implies a change of {_change_text(implied.mid, unit)}; "
               f"stated {_change_text(fig.change.mid, unit)}: {_result(consistent, tolerance, unit)}")
    return _row("change_abs_vs_pct", consistent, [fig, pct], implied.mid, fig.change.mid, tolerance, message)


def _sign_verdict(direction: str, stated: Interval, band: float | None,
                  settings: CheckSettings) -> tuple[bool, float, float] | None:
    """Compare a direction with an interval of changes.

    Returns:
        ``(consistent, expected, tolerance)``: ``expected`` is the value
        nearest to the stated one that the direction allows (0 for a rise
        stated as a fall), ``tolerance`` the rounding toward it; None if
        the direction has no test here (``flat`` without a band).
    """
    if direction == "increase":
        low, high = 0.0, math.inf
    elif direction == "decrease":
        low, high = -math.inf, 0.0
    elif direction == "flat" and band is not None:
        low, high = -band, band
    else:
        return None
    observed = stated.mid
    expected = min(max(observed, low), high)
    if expected > observed:
        tolerance = stated.hi - observed
    elif expected < observed:
        tolerance = observed - stated.lo
    else:
        sides = [s for s in (stated.hi - observed, observed - stated.lo) if math.isfinite(s)]
        tolerance = max(sides, default=0.0)
    consistent = abs(observed - expected) <= tolerance + _slack(settings, stated)
    return consistent, expected, tolerance


def _check_direction(fig: _Fig, index: _Index, settings: CheckSettings) -> _Found | None:
    direction = fig.direction
    if direction is None:
        return None
    if fig.change is not None:
        band = settings.flat_band if fig.change_unit in ("%", "pp") else None
        verdict = _sign_verdict(direction, fig.change, band, settings)
        if verdict is None:
            return None
        consistent, expected, tolerance = verdict
        unit = fig.stated_change_unit
        message = (f"{_label(fig)}{_period(fig)}: direction {direction}, stated change "
                   f"{_change_text(fig.change.mid, unit)}: "
                   + ("consistent" if consistent else "inconsistent: the sign says the opposite"))
        return _row("direction_sign", consistent, [fig], expected, fig.change.mid, tolerance, message)
    if fig.change_basis != "from_value" or fig.value is None or not fig.value.bounded:
        return None
    prior = _prior_of(fig, "from_value", index)
    if prior is None:
        return None
    difference = _implied(lambda v, p: v - p, fig.value, prior.value)
    verdict = _sign_verdict(direction, difference, None, settings) if difference else None
    if verdict is None:
        return None
    consistent, expected, tolerance = verdict
    unit = fig.stated_unit
    message = (f"{_label(fig)} from {_amount(prior.value.mid, unit)}{_period(prior)} to "
               f"{_amount(fig.value.mid, unit)}{_period(fig)} is a change of "
               f"{_change_text(difference.mid, unit)}; stated direction {direction}: "
               + ("consistent" if consistent else "inconsistent: the values move the other way"))
    return _row("direction_sign", consistent, [fig, prior], expected, difference.mid, tolerance, message)


# --------------------------------------------------------------------------
# conflict


def _check_conflict(fig: _Fig, index: _Index, settings: CheckSettings) -> _Found | None:
    """Compare a valued claim with its key's reference claim (:meth:`_Index.conflict_reference`)."""
    if not (fig.actual and fig.value is not None and fig.value.bounded):
        return None
    if fig.company is None and fig.segment is None:
        # no owner read: a company the extractor did not find ("Revenue at Plumbrook rose to $10
        # million" and "Sales at Brightvane rose to $300 million" are not one quantity stated twice)
        return None
    reference = index.conflict_reference(fig.key)
    if reference is None or fig.place == reference.place:
        return None
    consistent, tolerance = _verdict(reference.value, fig.value, settings)
    if not consistent and fig.doc_id != reference.doc_id:
        # the article states the other value too (the same story syndicated, a segment the
        # extractor missed): the difference is the article's own, set aside like one within it
        own = next((g for g in index.valued_in_doc.get((fig.key, fig.doc_id), ())
                    if g is not fig and _verdict(reference.value, g.value, settings)[0]), None)
        if own is not None:
            reference = own
            consistent, tolerance = _verdict(reference.value, fig.value, settings)
    unit = fig.stated_unit
    where = (f"in {fig.doc_id} and {reference.doc_id}"
             if fig.doc_id != reference.doc_id
             else f"in sentences {fig.sentence_index} and {reference.sentence_index} "
                  f"of {fig.doc_id}")
    verdict = ("consistent within rounding" if consistent
               else "inconsistent: no rounding reconciles them")
    message = (f"{_label(fig)}{_period(fig)} is stated as {_amount(fig.value.mid, unit)} and "
               f"{_amount(reference.value.mid, unit)} {where}: {verdict} "
               f"(difference {_amount(abs(fig.value.mid - reference.value.mid), unit, 2)}, "
               f"tolerance ±{_amount(tolerance, unit, 2)})")
    return _row("conflict", consistent, [fig, reference], reference.value.mid, fig.value.mid,
                tolerance, message)


# --------------------------------------------------------------------------
# Entry points


def _dedupe(claims: Iterable[Claim]) -> tuple[list[Claim], int]:
    """Drop repeated claims (same id, same content); a repeated id with other content is an error."""
    seen: dict[str, Claim] = {}
    duplicates = 0
    for claim in claims:
        before = seen.get(claim.claim_id)
        if before is None:
            seen[claim.claim_id] = claim
        elif before == claim:
            duplicates += 1
        else:
            raise SchemaError("E211", f"claim_id {claim.claim_id!r} appears twice with different content")
    return list(seen.values()), duplicates


class _Found(NamedTuple):
    """A check row and the claims it relates, in the row's order."""

    row: dict[str, Any]
    figs: tuple[_Fig, ...]


_FIG_CHECKS = (_check_share, _check_change_vs_prior, _check_abs_vs_pct, _check_direction, _check_conflict)
"""The checks made for each claim (the claim is the first of the row); ``segment_sum`` is made per article."""


def _in_order(by_doc: Mapping[str, list[_Fig]]) -> list[list[_Fig]]:
    """Each article's claims sorted (:meth:`_Fig.sort_key`), the articles by doc_id; sets each ``order``."""
    docs = [by_doc[doc_id] for doc_id in sorted(by_doc)]
    order = 0
    for figs in docs:
        figs.sort(key=_Fig.sort_key)
        for fig in figs:
            fig.order = order
            order += 1
    return docs


def _find(docs: list[list[_Fig]], settings: CheckSettings) -> Iterator[_Found]:
    """Make every check of the claims of ``docs`` (as :func:`_in_order` gives them), article by article.

    Within one check kind the rows come in their final order: by the order of
    the claims they relate, the checked claim first (a claim is checked
    once per kind, and the segment sums of one article are sorted here).
    """
    index = _Index(docs)
    for figs in docs:
        index.open_doc(figs)
        for fig in figs:
            for check in _FIG_CHECKS:
                found = check(fig, index, settings)
                if found is not None:
                    yield found
        yield from sorted(_check_segment_sums(index, settings), key=lambda found: [f.order for f in found.figs])


NOT_CHECKED_REASONS = ("attachment_uncertain", "missed_segment_possible")
"""Why a relation found is not reported (``checks_summary.json`` ``not_checked``)."""


def _aside(kind: str, unsure: bool, doc_ids: Iterable[str]) -> str | None:
    """Why a relation is not reported (see :func:`set_aside`), or None."""
    if unsure:
        return "attachment_uncertain"
    if kind == "conflict" and len(set(doc_ids)) == 1:
        return "missed_segment_possible"
    return None


def set_aside(rows: list[dict[str, Any]], claims: Sequence[Claim],
              settings: CheckSettings) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Drop the relations that would say more about the extraction than about the article.

    * ``attachment_uncertain``: a claim of the relation has ``confidence``
      below ``settings.min_confidence``;
    * ``missed_segment_possible``: a conflict between two claims of one
      article: within one article two values for one company, metric,
      segment and period are far more often of two things the extractor did
      not tell apart (a segment or a variant it missed, a year-earlier
      figure) than an article contradicting itself. Conflicts across
      articles are reported.

    Returns:
        The rows kept, and how many were set aside for each reason.
    """
    by_id = {c.claim_id: c for c in claims}
    unsure = {c.claim_id for c in claims if c.confidence is not None and c.confidence < settings.min_confidence}
    kept, counts = [], {r: 0 for r in NOT_CHECKED_REASONS}
    for row in rows:
        ids = row["claim_ids"]
        reason = _aside(row["check"], any(i in unsure for i in ids), (by_id[i].doc_id for i in ids if i in by_id))
        if reason:
            counts[reason] += 1
        else:
            kept.append(row)
    return kept, counts


def check_claims(claims: Iterable[dict[str, Any]], settings: CheckSettings | None = None) -> list[dict[str, Any]]:
    """Run every check over claim rows, within and across articles.

    Args:
        claims: claim rows (schema v1 dicts), from any number of articles.
            A row repeated with the same ``claim_id`` and content counts once.
        settings: tunables; defaults if None.

    Returns:
        Check rows (dicts with ``CHECK_FIELDS`` in order), sorted by check
        kind (``CHECK_KINDS`` order), then by the position (doc_id,
        sentence_index, offset) of the claims they relate. ``expected``,
        ``observed`` and ``tolerance`` are in the checked claim's unit
        (base units for money and counts, percent for ``%``).

    Raises:
        SchemaError: ``E210`` for a row that is not a valid claim (naming
            its 0-based position), ``E211`` for one claim_id with two contents.
    """
    settings = settings or CheckSettings()
    parsed = [parse_claim_row(row, f"claims[{i}]") for i, row in enumerate(claims)]
    unique, _ = _dedupe(parsed)
    maker = _FigMaker(settings)
    by_doc: dict[str, list[_Fig]] = defaultdict(list)
    for claim in unique:
        by_doc[claim.doc_id].append(maker.make(claim.__dict__))
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CHECK_KINDS}
    for found in _find(_in_order(by_doc), settings):
        by_kind[found.row["check"]].append(found.row)
    return [row for kind in CHECK_KINDS for row in by_kind[kind]]


_ROW_DEFAULTS: dict[str, Any] = {**{f.name: f.default for f in fields(Claim) if f.default is not MISSING},
                                 "doc_date": None, "sentence": "", "start": 0}
"""The value of each field a claim row may leave out (``end`` defaults to ``start``)."""

_FIELD_SET = frozenset(FIELD_NAMES)
_OPTIONAL_TEXT = ("company", "segment", "unit", "period", "value_text", "change_text", "change_unit")


_TAKE_CHECKED = operator.itemgetter(
    "claim_id", "doc_id", "metric", "sentence_index", "qualifier", "modality", "direction", "change_basis",
    "start", "end", "confidence", *_NUMERIC_FIELDS, *_OPTIONAL_TEXT)
"""The fields :func:`_plainly_valid` checks, taken from a whole row in one call."""
_FLOAT_TYPES = (int, float)


def _plainly_valid(row: Any) -> bool:
    """True when :func:`parse_claim_row` certainly accepts ``row``: only known fields, each of the
    plain type it needs. A row that is not is left to :func:`parse_claim_row` (its error, or the rare
    odd row it accepts)."""
    if type(row) is not dict:
        return False
    if len(row) == len(_FIELD_SET) and row.keys() <= _FIELD_SET:
        return _whole_row_valid(row)
    get = row.get
    if not (row.keys() <= _FIELD_SET and type(get("claim_id")) is str and get("claim_id")
            and type(get("doc_id")) is str and get("doc_id") and type(get("metric")) is str and get("metric")
            and type(get("sentence_index")) is int
            and get("qualifier", "exact") in QUALIFIERS and get("modality", "actual") in MODALITIES
            and (get("direction") is None or get("direction") in DIRECTIONS)
            and (get("change_basis") is None or get("change_basis") in CHANGE_BASES)):
        return False
    start = get("start", 0)
    end = get("end", start)
    if not (type(start) is int and type(end) is int and 0 <= start <= end):
        return False
    confidence = get("confidence")
    if confidence is not None and type(confidence) not in (int, float):
        return False
    for name in _NUMERIC_FIELDS:
        item = get(name)
        if item is not None and not (type(item) in (int, float) and _finite(item)):
            return False
    return all(get(name) is None or type(get(name)) is str for name in _OPTIONAL_TEXT)


def _whole_row_valid(row: dict[str, Any]) -> bool:
    """:func:`_plainly_valid` of a row that has every schema field (as ``extract`` writes them):
    the same tests on the fields taken in one call, not looked up one by one."""
    (claim_id, doc_id, metric, sentence_index, qualifier, modality, direction, change_basis, start, end,
     confidence, value, value_high, change, *texts) = _TAKE_CHECKED(row)
    if not (type(claim_id) is str and claim_id and type(doc_id) is str and doc_id and type(metric) is str
            and metric and type(sentence_index) is int and qualifier in QUALIFIERS and modality in MODALITIES
            and (direction is None or direction in DIRECTIONS)
            and (change_basis is None or change_basis in CHANGE_BASES)
            and type(start) is int and type(end) is int and 0 <= start <= end
            and (confidence is None or type(confidence) in _FLOAT_TYPES)):
        return False
    for item in (value, value_high, change):
        if item is not None and not (type(item) in _FLOAT_TYPES and _finite(item)):
            return False
    for text in texts:
        if text is not None and type(text) is not str:
            return False
    return True


def claim_row(row: Any, where: str = "claim row") -> dict[str, Any]:
    """``parse_claim_row(row, where).to_dict()``, made without the :class:`Claim` when the row is plainly valid.

    Returns:
        The row with every schema field (left-out ones at their defaults) and its numbers as floats.

    Raises:
        SchemaError: as :func:`parse_claim_row`.
    """
    if not _plainly_valid(row):
        return parse_claim_row(row, where).to_dict()
    data = {**_ROW_DEFAULTS, **row}
    if "end" not in row:
        data["end"] = data["start"]
    for name in _NUMERIC_FIELDS:
        if data[name] is not None:
            data[name] = float(data[name])
    return data


def _read_claims(path: Path, problems: list[InputProblem]) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Yield (line number, byte offset, claim row) from one claims file; bad rows go to ``problems``.

    Each line is decoded and parsed alone (:func:`pipeline.rows.read_jsonl_at`):
    a bad byte, bad JSON or an unusable number skips that line only, and the
    line numbers are the file's. A row may leave optional fields out
    (:meth:`_FigMaker.make` reads their defaults).
    """
    for line_number, offset, row in read_jsonl_at(path, problems, "E210", "E212"):
        if _plainly_valid(row):
            yield line_number, offset, row
            continue
        try:
            yield line_number, offset, parse_claim_row(row, f"{path}:{line_number}").to_dict()
        except SchemaError as err:
            problems.append(InputProblem(str(path), line_number, err.code, err.reason))


def _write_summary(path: Path, data: dict[str, Any]) -> None:
    """Write ``checks_summary.json`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def run_checks(claim_paths: Sequence[Path], out_dir: Path,
               settings: CheckSettings | None = None) -> CheckSummary:
    """Check the claims of one or more ``claims.jsonl`` files and write ``OUT_DIR/checks.jsonl``.

    Bad rows (not JSON, not a claim, one claim_id with two contents) are
    skipped and listed in ``CheckSummary.problems`` with file and line; the
    other rows are still checked. ``checks.jsonl`` is derived output: an
    existing one is replaced (atomically, only once the new one is complete).
    ``checks_summary.json`` beside it gives the counts and says
    ``"complete": false`` when input rows were skipped.

    Args:
        claim_paths: claims files (schema v1 JSONL).
        out_dir: folder for ``checks.jsonl`` (created if missing).
        settings: tunables; defaults if None.

    Returns:
        Counts by check kind and status, the inconsistent rows with their
        sentences, and the input problems.

    Raises:
        UsageError: ``E410`` no claims file given or one does not exist;
            ``E404`` another run holds ``out_dir``.
    """
    settings = settings or CheckSettings()
    paths = [Path(p) for p in claim_paths]
    if not paths:
        raise UsageError("E410", "no claims file given")
    for path in paths:
        if not path.is_file():
            raise UsageError("E410", "claims file not found", str(path))
    out_path = Path(out_dir) / CHECKS_FILE
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError("E403", f"cannot create output folder {out_path.parent}: {exc.strerror}") from None
    with OutputLock(out_path.parent, "newsfigures check"):
        return _run_checks(paths, out_path, settings)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees memory).

    Reading and checking make a few objects per claim and keep them all to
    the end; the collector's repeated passes over that growing heap made
    ``check`` grow faster than the number of claims (measured: 4.5 s instead
    of 3.5 s at 50,000 claims; bench/check_bench.py). The data made here
    holds no reference cycles worth collecting early; the collector runs
    again afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_checks(paths: list[Path], out_path: Path, settings: CheckSettings) -> CheckSummary:
    with no_cycle_collection():
        return _run_checks_collected(paths, out_path, settings)


def _run_checks_collected(paths: list[Path], out_path: Path, settings: CheckSettings) -> CheckSummary:
    problems: list[InputProblem] = []
    maker = _FigMaker(settings)
    seen = SeenIds()
    by_doc: dict[str, list[_Fig]] = defaultdict(list)
    duplicates = 0
    with ClaimFiles(paths) as files:
        for file, path in enumerate(paths):
            for line, offset, row in _read_claims(path, problems):
                before = seen.get(row["claim_id"])
                if before is None:
                    fig = maker.make(row, file, offset)
                    seen.add(row["claim_id"], fig)
                    by_doc[fig.doc_id].append(fig)
                elif claim_row(files.row(before)) == claim_row(row):
                    duplicates += 1
                else:
                    problems.append(InputProblem(str(path), line, "E211",
                                                 f"claim_id {row['claim_id']!r} was read before with other content"))
        claims = len(seen)
        del seen
        counts = {kind: {status: 0 for status in STATUSES} for kind in CHECK_KINDS}
        not_checked = {reason: 0 for reason in NOT_CHECKED_REASONS}
        # the inconsistent rows, in row order: where each is in its kind's file, and its claims
        inconsistent: dict[str, list[tuple[int, tuple[_Fig, ...]]]] = {kind: [] for kind in CHECK_KINDS}
        with RowsByKind(out_path.parent, CHECK_KINDS, CHECK_FIELDS) as rows:
            for row, figs in _find(_in_order(by_doc), settings):
                reason = _aside(row["check"], any([f.unsure for f in figs]), [f.doc_id for f in figs])
                if reason:
                    not_checked[reason] += 1
                    continue
                at = rows.write(row)
                counts[row["check"]][row["status"]] += 1
                if row["status"] == "inconsistent":
                    inconsistent[row["check"]].append((at, figs))
            del by_doc  # only the claims of the inconsistent rows are needed from here on
            rows.save(out_path)
            total = sum(sum(by_status.values()) for by_status in counts.values())
            _write_summary(out_path.parent / CHECK_SUMMARY_FILE, {
                "inputs": [str(x) for x in paths], "claims": claims, "checks": total, "by_check": counts,
                "not_checked": not_checked, "min_confidence": settings.min_confidence,
                "duplicates_skipped": duplicates, "input_rows_skipped": len(problems),
                "problems": [str(x) for x in problems[:1000]],
                # checks of every input row; false when bad rows were left out
                "complete": not problems})
            starts = rows.starts()
            flagged = FlaggedChecks(out_path, paths, [(starts[kind] + at, figs) for kind in CHECK_KINDS
                                                 for at, figs in inconsistent[kind]])
    return CheckSummary(out_path, paths, claims, counts, flagged, problems, duplicates, not_checked)


def format_summary(summary: CheckSummary, max_sentence: int = 240) -> str:
    """Render a :class:`CheckSummary` as plain text for the terminal: :func:`summary_lines` joined."""
    return "\n".join(summary_lines(summary, max_sentence))


def summary_lines(summary: CheckSummary, max_sentence: int = 240, max_shown: int = 50) -> Iterator[str]:
    """The lines of :func:`format_summary`, one at a time (a large run's text is not held whole).

    Args:
        summary: what :func:`run_checks` returned.
        max_sentence: sentences longer than this many characters are cut
            with an ellipsis.
        max_shown: inconsistent checks shown at most (the rest are counted, and all are in
            ``checks.jsonl``): a large archive's thousands would flood the terminal.

    Yields:
        Lines: a header, a table of counts by check kind and status, each
        inconsistent check (message, then article and sentence of each
        claim it relates), and the skipped input rows.
    """
    yield (f"Checked {summary.claims} claims from {len(summary.files)} file(s): "
           f"{summary.total} checks -> {summary.out_path}")
    width = max(len(k) for k in CHECK_KINDS)
    yield f"  {'check':<{width}}  {'consistent':>10}  {'inconsistent':>12}"
    for kind in CHECK_KINDS:
        by_status = summary.counts.get(kind, {})
        yield (f"  {kind:<{width}}  {by_status.get('consistent', 0):>10}  "
               f"{by_status.get('inconsistent', 0):>12}")
    consistent = sum(s.get("consistent", 0) for s in summary.counts.values())
    inconsistent = sum(s.get("inconsistent", 0) for s in summary.counts.values())
    yield f"  {'total':<{width}}  {consistent:>10}  {inconsistent:>12}"
    if summary.inconsistent:
        yield ""
        yield f"Inconsistent ({len(summary.inconsistent)}):"
        for n, flagged in enumerate(summary.inconsistent, 1):
            if n > max_shown:
                yield f"... and {len(summary.inconsistent) - max_shown} more, all in {summary.out_path}"
                break
            yield f"{n}. [{flagged.row['check']}] {flagged.row['message']}"
            shown: set[tuple[str, int]] = set()
            for claim in flagged.claims:
                place = (claim["doc_id"], claim["sentence_index"])
                if place in shown:
                    continue
                shown.add(place)
                sentence = claim["sentence"] or ""
                if len(sentence) > max_sentence:
                    sentence = sentence[: max_sentence - 1].rstrip() + "…"
                yield f"   {claim['doc_id']}, sentence {claim['sentence_index']}: {sentence}"
    if any(summary.not_checked.values()):
        yield "Not checked: " + ", ".join(f"{n} {reason.replace('_', ' ')}"
                                          for reason, n in summary.not_checked.items() if n) + "."
    if summary.duplicates:
        yield f"{summary.duplicates} repeated claim row(s) counted once."
    if summary.problems:
        yield ""
        yield f"{len(summary.problems)} input row(s) skipped:"
        yield from (f"  {problem}" for problem in summary.problems)
