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


def _not_found(path: Path) -> LexiconError:
    """E300 for a missing file, naming it by its absolute resolved path (a relative
    ``models_dir`` or ``..`` in it would not say where it was looked for)."""
    return LexiconError("E300", "file not found", str(Path(path).resolve()))


MODEL_FILES = ("numbers.toml", "cues.toml", "currencies.toml", "currencies_cldr.json", "metrics.jsonl",
               "segments.jsonl", "companies.jsonl", "sources.jsonl", "company_rules.toml", "fiscal_calendars.toml",
               "attachment_features.toml")
"""The files of ``models_dir`` that building the pipeline reads (the attachment model's file besides)."""


def check_models(models_dir: Path, attachment_model: str = "", config: Path | None = None) -> None:
    """Refuse a ``models_dir`` that lacks a file the pipeline reads, before a run writes anything
    (a missing file found while a worker builds the pipeline would leave a started run behind).

    Raises:
        LexiconError: E300 naming the first missing file by its absolute path, and the setting
            that points there (``models_dir`` of ``config``).
    """
    where = f"models_dir of {config}" if config else "models_dir"
    names = MODEL_FILES + ((attachment_model,) if attachment_model else ())
    for name in names:
        path = Path(models_dir) / name
        if not path.is_file():
            raise LexiconError("E300", f"file not found (is {where} = {str(models_dir)!r} right?)",
                               str(path.resolve()))


def read_toml(path: Path, allowed: set[str]) -> dict[str, Any]:
    """Read a TOML file whose top-level keys must lie in ``allowed``.

    Raises:
        LexiconError: the file is missing, not TOML, or has an unknown key.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _not_found(path) from None
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
        raise _not_found(path) from None
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
    """Scale words, count nouns and qualifiers (``models/numbers.toml``); currencies are a :class:`CurrencyTable`."""

    scales: dict[str, str]
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
    A case-sensitive alias of four or more characters also matches in capitals
    ("HUAWEI", "ZEEKR": how brands and headlines write names).
    """
    allowed = {"name", "aliases", "fiscal_calendar", "case_sensitive", "note"}
    out = []
    for fname, kind in (("companies.jsonl", "company"), ("sources.jsonl", "source")):
        for row in read_jsonl(models_dir / fname, allowed, {"name"}):
            written = [row["name"], *row.get("aliases", [])]
            if row.get("case_sensitive", True):
                written += [a.upper() for a in written if len(a) >= 4]
            aliases = tuple(dict.fromkeys(written))
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
    refines: str | None = None


def load_metrics(models_dir: Path = MODELS_DIR) -> list[MetricEntry]:
    """Read ``models/metrics.jsonl``: rows ``{"metric", "patterns", "share_of"?, "unit"?, "after"?}``.

    ``share_of`` marks a share-of-total form (``of revenue``) and names the
    base metric; ``unit`` is the count noun a bare figure of this metric
    counts (``shipments`` -> ``units``); ``after`` limits the entry to
    patterns written right after one of those words, and such a reading wins
    over the plain one (``achieved operating income`` is revenue in
    translated Chinese reports, where plain ``operating income`` is
    operating profit). ``refines`` names a more general metric that a mention of this one in the
    same sentence makes specific (``ipo proceeds`` refines ``funding``: "raises $4.7 billion from
    its IPO").
    """
    rows = read_jsonl(models_dir / "metrics.jsonl", {"metric", "patterns", "share_of", "unit", "after", "refines", "note"},
                      {"metric", "patterns"})
    return [MetricEntry(r["metric"], tuple(r["patterns"]), r.get("share_of"), r.get("unit"), tuple(r.get("after", ())),
                        r.get("refines")) for r in rows]


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
    entries = [SegmentEntry(r["segment"], tuple(r["patterns"]), r.get("kind", "product"),
                            tuple(r.get("companies", ())), tuple(r.get("case_patterns", ()))) for r in rows]
    return entries + _cldr_countries(entries)


def _cldr_countries(entries: list[SegmentEntry]) -> list[SegmentEntry]:
    """Geography entries for the countries the lexicon does not name: CLDR's English names of the
    ISO 3166 two-letter territories (via Babel), matched only as written ("Morocco", not a
    "turkey"), named in lowercase ("morocco"); a parenthesised qualifier is dropped
    ("Myanmar (Burma)" -> "myanmar")."""
    from babel import Locale

    known = {p.lower() for e in entries for p in (e.segment, *e.patterns, *e.case_patterns)}
    out, seen = [], set()
    for code, name in sorted(Locale("en").territories.items()):
        name = name.split(" (")[0]
        if len(code) != 2 or not code.isalpha() or name.lower() in known or name in seen:
            continue
        seen.add(name)
        out.append(SegmentEntry(name.lower(), (), "geography", (), (name,)))
    return out


@dataclass
class Cues:
    """Direction, basis, modality and other cue words (``models/cues.toml``)."""

    increase: list[str] = field(default_factory=list)
    decrease: list[str] = field(default_factory=list)
    increase_forms: list[str] = field(default_factory=list)
    """The other forms of the ``increase`` verbs, made by ``python -m pipeline.cue_forms``."""
    decrease_forms: list[str] = field(default_factory=list)
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


# -- currencies --------------------------------------------------------------

CLDR_CURRENCIES = "currencies_cldr.json"
"""The table generated from Babel's CLDR data (:func:`generate_cldr_currencies`), under ``models/``."""


def generate_cldr_currencies() -> dict[str, Any]:
    """Build the currency table from Babel's copy of the CLDR data (ISO 4217 codes).

    Querying the locales of every territory takes about half a second, so the
    result is cached as ``models/currencies_cldr.json`` (regenerate with
    ``python -m pipeline.lexicons``); :meth:`CurrencyTable.load` regenerates
    it in memory when the installed Babel differs from the one that wrote it.

    Returns:
        ``{"babel": version, "currencies": {code: {...}}}`` for every ISO 4217
        code that is legal tender in some territory today (CLDR
        ``territory_currencies`` with no end date): its English name
        (singular, plural), its English symbol (if it is not the code), the
        symbols the territories' own main locales write (``kr`` for SEK,
        ``Rp`` for IDR), its minor-unit digits (``get_currency_precision``:
        2 for USD, 0 for JPY) and the English names of its territories.
    """
    import babel
    from babel.core import Locale, UnknownLocaleError, get_global
    from babel.numbers import get_currency_name, get_currency_precision

    en = Locale("en")
    likely = get_global("likely_subtags")
    territories: dict[str, list[str]] = {}
    for terr, rows in get_global("territory_currencies").items():
        for code, _start, end, tender in rows:
            if end is None and tender and code in en.currencies:
                territories.setdefault(code, []).append(terr)
    local_cache: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for code in sorted(territories):
        local = set()
        for terr in sorted(territories[code]):
            tag = likely.get(f"und_{terr}")
            if not tag:
                continue
            if tag not in local_cache:
                try:
                    local_cache[tag] = Locale.parse(tag)
                except (UnknownLocaleError, ValueError):  # a tag Babel has no data for
                    local_cache[tag] = None
            loc = local_cache[tag]
            sym = loc.currency_symbols.get(code) if loc is not None else None
            if sym and sym != code and sym.strip():
                local.add(sym)
        symbol = en.currency_symbols.get(code)
        out[code] = {
            "name": en.currencies[code],
            "plural": get_currency_name(code, count=2, locale="en"),
            "symbol": symbol if symbol and symbol != code else None,
            "local_symbols": sorted(local),
            "digits": get_currency_precision(code),
            "territories": sorted(en.territories.get(t, t) for t in territories[code]),
        }
    return {"babel": babel.__version__, "currencies": out}


@dataclass(frozen=True)
class SharedMark:
    """A currency mark or word several currencies share, resolved by the article's context.

    Attributes:
        name: the key in ``models/currencies.toml`` (``dollar``, ``crown``).
        default: the currency read when the context names no other; None
            when the mark means nothing without context (``R``, ``pesos``).
        cues: currency -> words that name its country (the English names of
            its territories from CLDR plus ``models/currencies.toml`` extras).
        min_mentions: how often the article must name another currency's
            country for the mark to mean it instead of the default.
    """

    name: str
    default: str | None
    cues: dict[str, tuple[str, ...]]
    min_mentions: int = 1


@dataclass(frozen=True)
class CurrencyTable:
    """Every currency mark the number grammar reads, from CLDR data plus our overrides.

    ``prefixes`` and ``suffixes`` map a mark written before or after a number
    to an ISO 4217 code or to ``"?" + name`` of a :class:`SharedMark`;
    ``suffix_names`` are matched ignoring case (names), the other suffixes as
    written (codes and symbols). ``minor_units`` maps a word (``pence``,
    ``cents``) to (currency or ``?shared``, digits): the amount is divided by
    ``10**digits``. ``weak`` marks count only on a figure with a scale word
    or digit grouping (``PHP 8`` is a version, ``PHP 8 billion`` pesos).
    ``digits`` gives each code's minor-unit digits (CLDR: 2 for HKD, 0 for JPY).
    """

    prefixes: dict[str, str]
    suffixes: dict[str, str]
    suffix_names: dict[str, str]
    minor_units: dict[str, tuple[str, int]]
    shared: dict[str, SharedMark]
    weak: frozenset[str]
    digits: dict[str, int] = field(default_factory=dict)

    _ALLOWED = {"prefixes", "suffixes", "suffix_symbols", "minor_units", "shared", "blocked_codes",
                "blocked_symbols", "blocked_names", "weak", "note"}
    _SHARED_KEYS = {"default", "currencies", "cues", "min_mentions", "note"}

    @classmethod
    def load(cls, models_dir: Path = MODELS_DIR) -> "CurrencyTable":
        """Read ``models/currencies_cldr.json`` (CLDR) and ``models/currencies.toml`` (overrides).

        Raises:
            LexiconError: an unknown key, or an override naming a currency
                that is neither an ISO 4217 code of the table nor a shared mark.
        """
        import babel

        path = models_dir / "currencies.toml"
        over = read_toml(path, cls._ALLOWED)
        cldr_path = models_dir / CLDR_CURRENCIES
        try:
            cldr = json.loads(cldr_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            cldr = None
        if cldr is None or cldr.get("babel") != babel.__version__:
            cldr = generate_cldr_currencies()
        table = cldr["currencies"]
        shared: dict[str, SharedMark] = {}
        for name, row in over.get("shared", {}).items():
            _check_keys(f"{path} [shared.{name}]", row, cls._SHARED_KEYS, {"currencies"})
            extra = row.get("cues", {})
            cues = {}
            for code in row["currencies"]:
                if code not in table:
                    raise LexiconError("E305", f"[shared.{name}]: {code!r} is not a current ISO 4217 code", str(path))
                cues[code] = tuple(dict.fromkeys([*table[code]["territories"], *extra.get(code, [])]))
            default = row.get("default")
            if default is not None and default not in cues:
                raise LexiconError("E305", f"[shared.{name}]: default {default!r} is not one of its currencies", str(path))
            shared[name] = SharedMark(name, default, cues, int(row.get("min_mentions", 1)))

        def unit(value: str, where: str) -> str:
            if value in table:
                return value
            if value.startswith("?") and value[1:] in shared:
                return value
            raise LexiconError("E305", f"{where}: {value!r} is neither a current ISO 4217 code nor ?<shared mark>; "
                               f"shared marks: {sorted(shared)}", str(path))

        blocked_codes = set(over.get("blocked_codes", []))
        blocked_symbols = set(over.get("blocked_symbols", []))
        prefixes: dict[str, str] = {}
        suffixes: dict[str, str] = {}
        names: dict[str, str] = {}
        # CLDR first: codes, then the territories' own symbols, then the English symbols
        # (an English symbol wins over a local one: "£" is GBP, not SSP)
        local_of: dict[str, set[str]] = {}
        for code, row in table.items():
            for sym in row["local_symbols"]:
                local_of.setdefault(sym, set()).add(code)
        for code in table:
            if code not in blocked_codes:
                prefixes[code] = suffixes[code] = code
        for sym, codes in local_of.items():
            if len(codes) == 1 and sym not in blocked_symbols and _usable_symbol(sym):
                prefixes[sym] = next(iter(codes))
        for code, row in table.items():
            sym = row["symbol"]
            if sym and sym not in blocked_symbols and _usable_symbol(sym):
                prefixes[sym] = code
        # names: "Swedish krona", "Swedish kronor"; a last word that only one currency
        # has ("rupiahs", "ringgit") is its name too
        last_words: dict[str, set[str]] = {}
        for code, row in table.items():
            for name in (row["name"], row["plural"]):
                names[name.lower()] = code
                last_words.setdefault(name.lower().rsplit(" ", 1)[-1], set()).add(code)
        blocked_names = set(over.get("blocked_names", []))
        for word, codes in last_words.items():
            if len(codes) == 1 and word not in names and word not in blocked_names:
                names[word] = next(iter(codes))
        for mark, value in over.get("prefixes", {}).items():
            prefixes[mark] = unit(value, f"[prefixes] {mark!r}")
        for mark, value in over.get("suffixes", {}).items():
            names[mark.lower()] = unit(value, f"[suffixes] {mark!r}")
        for mark in over.get("suffix_symbols", []):
            if mark not in prefixes:
                raise LexiconError("E305", f"[suffix_symbols]: {mark!r} is not a prefix mark", str(path))
            suffixes[mark] = prefixes[mark]
        # spaced forms of a lettered dollar: "HK $", "US $"
        for mark, value in list(prefixes.items()):
            if mark.endswith("$") and len(mark) > 1 and mark[:-1].isalpha():
                prefixes.setdefault(f"{mark[:-1]} $", value)
        minor: dict[str, tuple[str, int]] = {}
        for word, value in over.get("minor_units", {}).items():
            code = unit(value, f"[minor_units] {word!r}")
            digits = table[code]["digits"] if code in table else 2
            minor[word] = (code, digits or 2)
        weak = frozenset(over.get("weak", []))
        return cls(prefixes, suffixes, names, minor, shared, weak, {code: row["digits"] for code, row in table.items()})


def _usable_symbol(sym: str) -> bool:
    """Whether a CLDR symbol can be read as a currency mark in English text.

    Kept: currency signs and marks of at least two Latin letters or
    punctuation (``kr``, ``Rp``, ``zł``, ``R$``). Left out: single letters (``K``,
    ``L``, ``Q``: a quarter or a model name, not money) and marks in other
    scripts (Arabic, Cyrillic), which an English article does not write.
    """
    import unicodedata

    if any(unicodedata.category(c) == "Sc" for c in sym):
        return all(c.isascii() or unicodedata.category(c) == "Sc" for c in sym)
    return len(sym) >= 2 and all((c.isascii() or unicodedata.name(c, "").startswith("LATIN")) and not c.isspace()
                                 for c in sym)


if __name__ == "__main__":  # python -m pipeline.lexicons: regenerate the cached CLDR table
    target = MODELS_DIR / CLDR_CURRENCIES
    target.write_text(json.dumps(generate_cldr_currencies(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    print(f"wrote {target}")
