"""Read ``config.toml`` (every user-tunable setting) and validate it."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LexiconError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_DIR / "config.toml"

_ALLOWED = {
    "pipeline": {"lang", "models_dir", "batch_size", "workers", "shard_bytes", "ner_model"},
    "reading": {"extensions", "max_chars", "html_max_bytes", "dateline_chars", "html_min_words",
                "max_sentence_chars"},
    "numbers": {"min_count_in_words"},
    "periods": {"two_digit_year_ahead"},
    "claims": {"min_bare_number", "event_metrics", "carry_company", "carry_metric", "carry_period",
               "max_sentence_figures", "attachment_model", "min_claim_probability"},
    "training": {"sets", "folds", "regularization", "calibration_min_claims", "calibration_exclude"},
    "checks": {"min_confidence"},
}


@dataclass
class Settings:
    """All settings, with the defaults of the shipped ``config.toml``."""

    lang: str = "en"
    models_dir: Path = PROJECT_DIR / "models"
    batch_size: int = 64
    workers: int = 0  # 0: one a core
    shard_bytes: int = 100_000
    ner_model: str = ""
    extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".jsonl")
    max_chars: int = 2_000_000
    html_max_bytes: int = 2_000_000
    max_sentence_chars: int = 6000
    dateline_chars: int = 600
    html_min_words: int = 10
    config_path: Path | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=lambda: {"sets": [], "folds": 5, "regularization": 1.0,
                                                              "calibration_min_claims": 0, "calibration_exclude": []})
    numbers: dict[str, Any] = field(default_factory=dict)
    periods: dict[str, Any] = field(default_factory=dict)


def load_settings(path: Path | None = None) -> Settings:
    """Load settings from ``path`` (default: ``config.toml`` of the project).

    Raises:
        LexiconError: the file is not TOML or has an unknown section or key
            (the message lists the allowed ones).
    """
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.exists():
        if path == DEFAULT_CONFIG:
            return Settings()
        raise LexiconError("E310", "config file not found", str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError("E311", f"not valid TOML: {exc}", str(path)) from None
    for section, values in data.items():
        if section not in _ALLOWED:
            raise LexiconError("E312", f"unknown section [{section}]; allowed: {sorted(_ALLOWED)}", str(path))
        if not isinstance(values, dict):
            raise LexiconError("E312", f"{section} must be a table ([{section}]), not {values!r}", str(path))
        unknown = set(values) - _ALLOWED[section]
        if unknown:
            raise LexiconError("E312", f"unknown key(s) {sorted(unknown)} in [{section}]; "
                               f"allowed: {sorted(_ALLOWED[section])}", str(path))
    _validate(data, str(path))
    p, r = data.get("pipeline", {}), data.get("reading", {})
    models_dir = Path(p["models_dir"]) if "models_dir" in p else Settings.models_dir  # not given: the project's
    if not models_dir.is_absolute():
        models_dir = path.parent / models_dir
    return Settings(
        lang=p.get("lang", "en"), models_dir=models_dir, batch_size=int(p.get("batch_size", 64)),
        workers=int(p.get("workers", Settings.workers)),
        shard_bytes=int(p.get("shard_bytes", Settings.shard_bytes)), ner_model=p.get("ner_model", ""),
        extensions=tuple(r.get("extensions", Settings.extensions)), max_chars=int(r.get("max_chars", 2_000_000)),
        html_max_bytes=int(r.get("html_max_bytes", Settings.html_max_bytes)),
        max_sentence_chars=int(r.get("max_sentence_chars", Settings.max_sentence_chars)),
        dateline_chars=int(r.get("dateline_chars", 600)), html_min_words=int(r.get("html_min_words", 10)),
        config_path=path, claims=dict(data.get("claims", {})),
        training=_training(data.get("training", {}), path.parent), checks=dict(data.get("checks", {})),
        numbers=dict(data.get("numbers", {})), periods=dict(data.get("periods", {})),
    )


def _training(t: dict[str, Any], base: Path) -> dict[str, Any]:
    """The [training] section with its folder paths made absolute (relative to the config file).

    Each set is ``[articles folder, gold file, label]``; the label is the folder as written in
    the file, so that what a model records of its training data does not depend on where the
    project is checked out.
    """
    sets = [[str((base / a).resolve()), str((base / g).resolve()), a] for a, g in t.get("sets", [])]
    return {"sets": sets, "folds": int(t.get("folds", 5)), "regularization": float(t.get("regularization", 1.0)),
            "calibration_min_claims": int(t.get("calibration_min_claims", 0)),
            "calibration_exclude": [str(x) for x in t.get("calibration_exclude", [])]}


def _spacy_has_language(code: str) -> bool:
    """Whether spaCy ships a language ``code`` (its ``spacy/lang/<code>`` package), found
    without importing spaCy (a command that reads no article does not need it)."""
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return bool(code)  # no spaCy to ask: building the pipeline will say so
    return code.isidentifier() and any((Path(loc) / "lang" / code / "__init__.py").is_file()
                                       for loc in spec.submodule_search_locations)


def _is_int(v: Any, least: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= least


# (section, key) -> (test, what a valid value is)
_RULES: dict[tuple[str, str], tuple[Any, str]] = {
    ("pipeline", "lang"): (lambda v: isinstance(v, str) and _spacy_has_language(v),
                           "a language code spaCy has, such as \"en\""),
    ("pipeline", "models_dir"): (lambda v: isinstance(v, str) and v != "", "a folder path"),
    ("pipeline", "batch_size"): (lambda v: _is_int(v, 1), "an integer of at least 1"),
    ("pipeline", "workers"): (lambda v: _is_int(v, 0) and v <= 256, "an integer from 0 (one a core) to 256"),
    ("pipeline", "shard_bytes"): (lambda v: _is_int(v, 1), "an integer of at least 1"),
    ("pipeline", "ner_model"): (lambda v: isinstance(v, str), "a package name, or \"\" for none"),
    ("reading", "extensions"): (lambda v: isinstance(v, list) and v != [] and all(
        isinstance(x, str) and x.startswith(".") and len(x) > 1 for x in v), "a list of file endings such as \".txt\""),
    ("reading", "max_chars"): (lambda v: _is_int(v, 1), "an integer of at least 1"),
    ("reading", "html_max_bytes"): (lambda v: _is_int(v, 1), "an integer of at least 1"),
    ("reading", "max_sentence_chars"): (lambda v: _is_int(v, 100), "an integer of at least 100"),
    ("reading", "dateline_chars"): (lambda v: _is_int(v, 0), "an integer of at least 0"),
    ("reading", "html_min_words"): (lambda v: _is_int(v, 0), "an integer of at least 0"),
    ("claims", "min_bare_number"): (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
                                    "a number of at least 0"),
    ("claims", "event_metrics"): (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                                  "a list of metric names"),
    ("numbers", "min_count_in_words"): (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
                                        "a number of at least 0"),
    ("periods", "two_digit_year_ahead"): (lambda v: _is_int(v, 0) and v < 100, "an integer from 0 to 99"),
    ("claims", "carry_company"): (lambda v: isinstance(v, bool), "true or false"),
    ("claims", "carry_metric"): (lambda v: isinstance(v, bool), "true or false"),
    ("claims", "carry_period"): (lambda v: isinstance(v, bool), "true or false"),
    ("claims", "max_sentence_figures"): (lambda v: _is_int(v, 1), "an integer of at least 1"),
    ("checks", "min_confidence"): (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
                                   "a number from 0 to 1"),
    ("training", "sets"): (lambda v: isinstance(v, list) and all(
        isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) and y for y in x) for x in v),
        "a list of [articles folder, gold file] pairs"),
    ("training", "folds"): (lambda v: _is_int(v, 2), "an integer of at least 2"),
    ("training", "regularization"): (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
                                     "a number greater than 0"),
    ("training", "calibration_min_claims"): (lambda v: _is_int(v, 0), "an integer of at least 0"),
    ("training", "calibration_exclude"): (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                                          "a list of articles folders as written in sets"),
    ("claims", "min_claim_probability"): (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
                                          and 0 <= v <= 1, "a number from 0 to 1"),
    ("claims", "attachment_model"): (lambda v: isinstance(v, str), "a file name in models_dir, or \"\" for none"),
}


def _validate(data: dict[str, Any], where: str) -> None:
    """Raise E313 naming the file, the key and what a valid value is, for the first bad value."""
    for section, values in data.items():
        for key, value in values.items():
            test, wanted = _RULES[(section, key)]
            if not test(value):
                raise LexiconError("E313", f"[{section}] {key} = {value!r}: expected {wanted}", where)
