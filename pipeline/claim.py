"""The claim row: one figure statement, as ``../shared/claim_schema.md`` (v1) defines it.

A :class:`Claim` is frozen; :meth:`Claim.to_dict` gives the JSONL row with the
schema's fields in the schema's order, and :meth:`Claim.from_dict` reads one
back (unknown keys are an error, missing optional keys default to null).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .errors import SchemaError

QUALIFIERS = ("exact", "about", "more_than", "at_least", "less_than", "at_most", "range")
DIRECTIONS = ("increase", "decrease", "flat")
CHANGE_BASES = ("yoy", "qoq", "mom", "from_value")
MODALITIES = ("actual", "forecast")
ALT_BASES = ("constant currency", "fx-neutral")
"""Bases a second change of one figure is stated on ("or 29% on a constant currency basis"):
the prefix of that change's metric ("constant currency revenue")."""


@dataclass(frozen=True)
class Claim:
    """One extracted figure statement (schema v1.1).

    ``confidence`` (v1.1) is the calibrated probability that company,
    metric, segment and period are all right; None when no attachment model ran.

    Offsets ``start``/``end`` are end-exclusive character offsets into the
    article text of the claim's main figure (``value_text``, else
    ``change_text``). ``value`` is in base units (``59.5 billion yuan`` ->
    ``59500000000.0``); ``unit`` is an ISO 4217 code, ``%``, ``pp`` or a
    lowercase plural count noun.
    """

    claim_id: str
    doc_id: str
    doc_date: str | None
    sentence_index: int
    sentence: str
    start: int
    end: int
    company: str | None = None
    company_text: str | None = None
    metric: str = "unknown"
    metric_text: str | None = None
    segment: str | None = None
    value: float | None = None
    value_text: str | None = None
    unit: str | None = None
    qualifier: str = "exact"
    value_high: float | None = None
    period: str | None = None
    period_text: str | None = None
    direction: str | None = None
    change: float | None = None
    change_unit: str | None = None
    change_basis: str | None = None
    change_text: str | None = None
    modality: str = "actual"
    source: str | None = None
    confidence: float | None = None

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise SchemaError("E201", f"qualifier {self.qualifier!r} is not one of {QUALIFIERS}")
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise SchemaError("E201", f"direction {self.direction!r} is not one of {DIRECTIONS}")
        if self.change_basis is not None and self.change_basis not in CHANGE_BASES:
            raise SchemaError("E201", f"change_basis {self.change_basis!r} is not one of {CHANGE_BASES}")
        if self.modality not in MODALITIES:
            raise SchemaError("E201", f"modality {self.modality!r} is not one of {MODALITIES}")
        if not 0 <= self.start <= self.end:
            raise SchemaError("E201", f"offsets [{self.start}, {self.end}) are not a span")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSONL row: every schema field, in schema order."""
        return dict(self.__dict__)  # exactly the fields, set by __init__ in schema order

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "Claim":
        """Build a claim from a JSONL row.

        Raises:
            SchemaError: the row has a key the schema does not define, or a
                value outside the schema's vocabulary.
        """
        unknown = row.keys() - _FIELD_SET
        if unknown:
            raise SchemaError(
                "E200", f"unknown claim field(s) {sorted(unknown)}; allowed: {list(FIELD_NAMES)}")
        return cls(**row)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Claim))
"""The claim row's columns in the schema's order (used by every table writer)."""
_FIELD_SET = frozenset(FIELD_NAMES)
