"""Load and validate the data files under ``models/``.

Every lexicon is data (TOML or JSONL) so a user adds a company, a metric or
a cue by editing a file. Each loader checks the keys it reads: an unknown key
is a :class:`~pipeline.errors.LexiconError` that lists the allowed keys.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LexiconError

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def _check_keys(where: str, got: dict[str, Any], allowed: set[str], required: set[str] = frozenset()) -> None:
    unknown = set(got) - allowed
    if unknown:
        raise LexiconError("E301", f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}", where)
    missing = set(required) - set(got)
    if missing:
        raise LexiconError("E302", f"missing key(s) {sorted(missing)}", where)


def read_toml(path: Path, allowed: set[str]) -> dict[str, Any]:
    """Read a TOML file whose top-level keys must lie in ``allowed``.

    Raises:
        LexiconError: the file is missing, not TOML, or has an unknown key.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LexiconError("E300", "file not found", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError("E303", f"not valid TOML: {exc}", str(path)) from None
    _check_keys(str(path), data, allowed)
    return data


def read_jsonl(path: Path, allowed: set[str], required: set[str]) -> list[dict[str, Any]]:
    """Read a JSONL lexicon; every row is checked against ``allowed``/``required``.

    Raises:
        LexiconError: naming the file and line of a bad row.
    """
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise LexiconError("E300", "file not found", str(path)) from None
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LexiconError("E303", f"line {i}: not JSON: {exc}", str(path)) from None
        if not isinstance(row, dict):
            raise LexiconError("E303", f"line {i}: a row must be an object", str(path))
        _check_keys(f"{path}:{i}", row, allowed, required)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class NumberLexicon:
    """Scale words, currency marks, count nouns and qualifiers (``models/numbers.toml``)."""

    scales: dict[str, str]
    currency_prefixes: dict[str, str]
    currency_suffixes: dict[str, str]
    yen_sign_cues: dict[str, list[str]]
    count_nouns: dict[str, str]
    count_noun_modifiers: list[str]
    qualifiers: dict[str, str]
    range_blockers: list[str]
    spec_units: list[str]

    @classmethod
    def load(cls, models_dir: Path = MODELS_DIR) -> "NumberLexicon":
        data = read_toml(models_dir / "numbers.toml", {f for f in cls.__dataclass_fields__})
        missing = set(cls.__dataclass_fields__) - set(data)
        if missing:
            raise LexiconError("E302", f"missing table(s) {sorted(missing)}", str(models_dir / "numbers.toml"))
        return cls(**data)


@dataclass(frozen=True)
class Entity:
    """A company or a source (research firm, newswire) with its aliases."""

    name: str
    aliases: tuple[str, ...]
    kind: str = "company"
    fiscal_calendar: str | None = None
    case_sensitive: bool = True


def load_entities(models_dir: Path = MODELS_DIR) -> list[Entity]:
    """Read ``models/companies.jsonl`` and ``models/sources.jsonl``.

    Row keys: ``name`` (canonical), ``aliases`` (list of surface forms; the
    name itself is always an alias), optional ``fiscal_calendar`` (a key of
    ``models/fiscal_calendars.toml``) and ``case_sensitive`` (default true).
    """
    allowed = {"name", "aliases", "fiscal_calendar", "case_sensitive", "note"}
    out = []
    for fname, kind in (("companies.jsonl", "company"), ("sources.jsonl", "source")):
        for row in read_jsonl(models_dir / fname, allowed, {"name"}):
            aliases = tuple(dict.fromkeys([row["name"], *row.get("aliases", [])]))
            out.append(Entity(row["name"], aliases, kind, row.get("fiscal_calendar"),
                              row.get("case_sensitive", True)))
    return out


@dataclass(frozen=True)
class CompanyRules:
    """Rules that propose companies missing from the lexicon (``models/company_rules.toml``)."""

    industry_words: list[str]
    legal_suffixes: list[str]
    business_verbs: list[str]
    firm_nouns: list[str]
    stop_words: list[str]
    source_intros: list[str]

    @classmethod
    def load(cls, models_dir: Path = MODELS_DIR) -> "CompanyRules":
        path = models_dir / "company_rules.toml"
        data = read_toml(path, set(cls.__dataclass_fields__))
        missing = set(cls.__dataclass_fields__) - set(data)
        if missing:
            raise LexiconError("E302", f"missing key(s) {sorted(missing)}", str(path))
        return cls(**data)


@dataclass(frozen=True)
class MetricEntry:
    """One metric surface form (``models/metrics.jsonl``)."""

    metric: str
    patterns: tuple[str, ...]
    share_of: str | None = None
    unit: str | None = None
    after: tuple[str, ...] = ()


def load_metrics(models_dir: Path = MODELS_DIR) -> list[MetricEntry]:
    """Read ``models/metrics.jsonl``: rows ``{"metric", "patterns", "share_of"?, "unit"?, "after"?}``.

    ``share_of`` marks a share-of-total form (``of revenue``) and names the
    base metric; ``unit`` is the count noun a bare figure of this metric
    counts (``shipments`` -> ``units``); ``after`` limits the entry to
    patterns written right after one of those words, and such a reading wins
    over the plain one (``achieved operating income`` is revenue in
    translated Chinese reports, where plain ``operating income`` is
    operating profit).
    """
    rows = read_jsonl(models_dir / "metrics.jsonl", {"metric", "patterns", "share_of", "unit", "after", "note"},
                      {"metric", "patterns"})
    return [MetricEntry(r["metric"], tuple(r["patterns"]), r.get("share_of"), r.get("unit"), tuple(r.get("after", ())))
            for r in rows]


@dataclass(frozen=True)
class SegmentEntry:
    """One segment (product line, business unit, geography) and its surface forms."""

    segment: str
    patterns: tuple[str, ...]
    kind: str = "product"
    companies: tuple[str, ...] = ()
    case_patterns: tuple[str, ...] = ()


def load_segments(models_dir: Path = MODELS_DIR) -> list[SegmentEntry]:
    """Read ``models/segments.jsonl``: rows ``{"segment", "patterns", "kind"?, "companies"?, "case_patterns"?}``.

    ``kind`` is ``product`` or ``geography``; ``companies`` limits an entry to
    those companies' claims (``China`` means ``greater china`` for Apple);
    ``case_patterns`` match only as written (``US``, not the pronoun ``us``).
    """
    rows = read_jsonl(models_dir / "segments.jsonl", {"segment", "patterns", "kind", "companies", "case_patterns", "note"},
                      {"segment", "patterns"})
    return [SegmentEntry(r["segment"], tuple(r["patterns"]), r.get("kind", "product"),
                         tuple(r.get("companies", ())), tuple(r.get("case_patterns", ()))) for r in rows]


@dataclass
class Cues:
    """Direction, basis, modality and other cue words (``models/cues.toml``)."""

    increase: list[str] = field(default_factory=list)
    decrease: list[str] = field(default_factory=list)
    flat: list[str] = field(default_factory=list)
    not_direction: list[str] = field(default_factory=list)
    cut_verbs: list[str] = field(default_factory=list)
    yoy: list[str] = field(default_factory=list)
    qoq: list[str] = field(default_factory=list)
    mom: list[str] = field(default_factory=list)
    forecast: list[str] = field(default_factory=list)
    forecast_after: list[str] = field(default_factory=list)
    market_words: list[str] = field(default_factory=list)
    segment_heads: list[str] = field(default_factory=list)
    multipliers: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, models_dir: Path = MODELS_DIR) -> "Cues":
        data = read_toml(models_dir / "cues.toml", set(cls.__dataclass_fields__))
        return cls(**data)


def load_fiscal_calendars(models_dir: Path = MODELS_DIR) -> dict[str, dict[str, Any]]:
    """Read ``models/fiscal_calendars.toml``: calendar name -> ``{year_end_month, naming}``.

    ``year_end_month`` is 1-12, the month in which the fiscal year ends;
    ``naming`` is ``end`` when fiscal year N ends in calendar year N (Apple,
    Microsoft, Alibaba) or ``end_plus_one`` when FY N ends early in calendar
    year N (Nvidia: FY2024 ends January 2024; source: the companies' 10-K filings).
    """
    data = read_toml(models_dir / "fiscal_calendars.toml", {"calendar"})
    for name, cal in data.get("calendar", {}).items():
        _check_keys(f"fiscal_calendars.toml [calendar.{name}]", cal,
                    {"year_end_month", "note"}, {"year_end_month"})
    return data.get("calendar", {})
