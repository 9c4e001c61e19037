"""A reviewer's corrections: gold rows written by the report page, read by ``train`` and ``eval``.

The page (``report.html``, "Review") writes ``corrections.jsonl`` in the gold
format of ``../shared/claim_schema.md``: for every article the reviewer
touched, that article's full gold list, one claim per line:

- each extracted claim the reviewer marked right (``"review": "accepted"``)
  or left alone (``"unchanged"``), with its extracted fields;
- each claim they fixed (``"corrected"``), with their fields in place of the
  extracted ones;
- each figure they added by selecting its words (``"added"``);
- a claim marked "not a claim" is absent: the gold lists only claims, so
  training then counts the extractor's claim on that figure as wrong.

The ``review`` field is the marker that a row comes from a review: in a
folder of articles, only the articles that have reviewed rows are learned
from (:func:`reviewed_only`), so the articles nobody looked at are not
taken as articles without claims. An article whose every claim was marked
"not a claim" has no row, and so is not learned from either.

:func:`build_corrections` writes the same rows from Python (the page's
export, rule for rule); the tests check that both agree.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from .claim import CHANGE_BASES, DIRECTIONS, MODALITIES, QUALIFIERS
from .errors import SchemaError

GOLD_FIELDS: tuple[str, ...] = (
    "doc_id", "doc_date", "sentence_index", "sentence", "start", "end", "company", "metric",
    "segment", "value", "value_text", "unit", "qualifier", "value_high", "period", "direction", "change",
    "change_unit", "change_basis", "change_text", "modality", "source", "claim_id", "review")
"""A corrections row's keys, in the order the page writes them: the claim
row's fields (schema order, without ``confidence``), the extracted claim's
``claim_id`` (null for an added figure) and the ``review`` mark."""

EDITABLE: tuple[str, ...] = ("company", "metric", "segment", "period", "value", "unit", "direction",
                             "change", "change_unit", "modality")
"""The fields a reviewer can fix on the page."""

REVIEW_MARKS = ("accepted", "unchanged", "corrected", "added")
"""Values of the ``review`` field."""

PERIOD = re.compile(r"(FY)?\d{4}(-(Q[1-4]|H[12]|\d{2}(-\d{2})?))?")
"""One period as the schema writes it; an interval is two joined by ``/``."""

_TYPES: dict[str, tuple[type, ...]] = {
    "doc_id": (str,), "doc_date": (str, type(None)), "sentence_index": (int,), "sentence": (str,),
    "start": (int,), "end": (int,), "company": (str, type(None)), "metric": (str,),
    "segment": (str, type(None)), "value": (int, float, type(None)), "value_text": (str, type(None)),
    "unit": (str, type(None)), "qualifier": (str,), "value_high": (int, float, type(None)),
    "period": (str, type(None)), "direction": (str, type(None)), "change": (int, float, type(None)),
    "change_unit": (str, type(None)), "change_basis": (str, type(None)), "change_text": (str, type(None)),
    "modality": (str,), "source": (str, type(None)), "claim_id": (str, type(None)), "review": (str,),
}


def validate_row(row: Mapping[str, Any], where: str = "") -> None:
    """Check one corrections row against the schema's gold format.

    Args:
        row: the parsed JSON object.
        where: ``"line N"`` for the message.

    Raises:
        SchemaError: ``E260`` naming the field: an unknown or missing key, a
            wrong type, a value outside the schema's vocabulary, offsets that
            are not a span, a period not written as the schema says, a row
            with neither value nor change, or a ``review`` mark not in
            :data:`REVIEW_MARKS`.
    """
    at = f"{where}: " if where else ""
    keys = set(row)
    if keys - set(GOLD_FIELDS):
        raise SchemaError("E260", f"{at}unknown field(s) {sorted(keys - set(GOLD_FIELDS))}; allowed: {list(GOLD_FIELDS)}")
    if set(GOLD_FIELDS) - keys:
        raise SchemaError("E260", f"{at}missing field(s) {sorted(set(GOLD_FIELDS) - keys)}")
    for name, types in _TYPES.items():
        value = row[name]
        if isinstance(value, bool) or not isinstance(value, types):
            raise SchemaError("E260", f"{at}{name} is {value!r}; expected {' or '.join(t.__name__ for t in types)}")
    vocab = {"qualifier": QUALIFIERS, "direction": DIRECTIONS + (None,), "change_basis": CHANGE_BASES + (None,),
             "modality": MODALITIES, "review": REVIEW_MARKS}
    for name, allowed in vocab.items():
        if row[name] not in allowed:
            raise SchemaError("E260", f"{at}{name} {row[name]!r} is not one of {[a for a in allowed if a]}")
    if not 0 <= row["start"] < row["end"]:
        raise SchemaError("E260", f"{at}offsets [{row['start']}, {row['end']}) are not a span")
    if row["period"] is not None and not all(PERIOD.fullmatch(p) for p in row["period"].split("/")):
        raise SchemaError("E260", f"{at}period {row['period']!r} is not written as the schema says "
                          "(2023, 2023-Q1, 2023-H1, 2023-05, 2023-05-24, FY2024-Q1, 2021-01/2021-08)")
    if row["value"] is None and row["change"] is None:
        raise SchemaError("E260", f"{at}a claim needs a value or a change")
    if row["change"] is not None and row["change_unit"] is None:
        raise SchemaError("E260", f"{at}a change needs its change_unit")
    if row["review"] == "added" and row["claim_id"] is not None:
        raise SchemaError("E260", f"{at}an added figure has no claim_id")
    if row["review"] != "added" and row["claim_id"] is None:
        raise SchemaError("E260", f"{at}a reviewed claim keeps its claim_id")


def read_corrections(path: Path | str) -> list[dict[str, Any]]:
    """Read and validate a corrections file.

    Returns:
        The rows, in file order.

    Raises:
        SchemaError: ``E260`` naming the file and line of the first bad row
            (``E261`` when a line is not a JSON object).
    """
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SchemaError("E261", f"line {n}: not JSON ({exc.msg})", str(path)) from None
        if not isinstance(row, dict):
            raise SchemaError("E261", f"line {n}: not a JSON object", str(path))
        try:
            validate_row(row, f"line {n}")
        except SchemaError as err:
            raise SchemaError(err.code, err.reason, str(path)) from None
        rows.append(row)
    return rows


def is_corrections(rows: Iterable[Mapping[str, Any]]) -> bool:
    """True when the rows carry the review mark (a reviewer's corrections, not a full gold file)."""
    return any("review" in row for row in rows)


def reviewed_only(gold_set):
    """Keep only the articles of a gold set that a reviewer touched.

    Args:
        gold_set: a :class:`pipeline.attachment.training.GoldSet`.

    Returns:
        The set itself when its gold is not a corrections file; else a copy
        with only the articles that have rows marked ``review`` (the others
        were not looked at, and are not articles without claims).
    """
    if not is_corrections(gold_set.gold):
        return gold_set
    reviewed = {row["doc_id"] for row in gold_set.gold if "review" in row}
    return replace(gold_set, articles=[a for a in gold_set.articles if a.doc_id in reviewed])


def without_reviewed(sets: list, corrections: list) -> list:
    """Drop from ``sets`` the articles that a corrections set re-annotates (same file).

    A reviewer's gold for an article replaces that article's gold in the
    configured training sets, so the article is not learned twice with two
    different answers.

    Args:
        sets: the configured :class:`GoldSet` list.
        corrections: the gold sets given on the command line (after
            :func:`reviewed_only`).
    """
    replaced = {(s.path / a.doc_id) for s in corrections if is_corrections(s.gold)
                for a in s.articles}
    if not replaced:
        return sets
    out = []
    for s in sets:
        keep = [a for a in s.articles if (s.path / a.doc_id) not in replaced]
        out.append(s if len(keep) == len(s.articles) else replace(s, articles=keep))
    return out


def build_corrections(claims: list[Mapping[str, Any]], decisions: Mapping[str, Mapping[str, Any]],
                      added: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Write the corrections rows the page writes for these decisions.

    Args:
        claims: the extracted claim rows (``claims.jsonl``), in file order.
        decisions: per ``claim_id``: ``{"action": "accepted"}``,
            ``{"action": "rejected"}`` or ``{"action": "corrected",
            "fields": {field: value}}`` (fields from :data:`EDITABLE`).
        added: missed figures: ``doc_id``, ``doc_date``, ``sentence_index``,
            ``sentence``, ``start``, ``end`` (article offsets of the selected
            words), ``text`` (those words) and ``fields`` (every field of
            :data:`EDITABLE`).

    Returns:
        Rows of :data:`GOLD_FIELDS`: per touched article (in ``doc_id``
        order) its claims in file order, without the rejected ones, then
        its added figures by offset.
    """
    by_id = {c["claim_id"]: c for c in claims}
    added = list(added)
    touched = sorted({by_id[cid]["doc_id"] for cid in decisions if cid in by_id} | {a["doc_id"] for a in added})
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for claim in claims:
        by_doc[claim["doc_id"]].append(claim)
    rows = []
    for doc in touched:
        for claim in by_doc[doc]:
            decision = decisions.get(claim["claim_id"])
            if decision and decision["action"] == "rejected":
                continue
            values = {name: claim.get(name) for name in GOLD_FIELDS}
            values["review"] = decision["action"] if decision else "unchanged"
            values.update((decision or {}).get("fields", {}))
            rows.append(values)
        for item in sorted((a for a in added if a["doc_id"] == doc), key=lambda a: a["start"]):
            values = dict.fromkeys(GOLD_FIELDS)
            values.update({key: item[key] for key in ("doc_id", "doc_date", "sentence_index", "sentence",
                                                       "start", "end")})
            values.update(qualifier="exact", review="added", **item["fields"])
            values["value_text" if values["value"] is not None else "change_text"] = item["text"]
            rows.append(values)
    return rows


def write_corrections(rows: Iterable[Mapping[str, Any]], path: Path | str) -> Path:
    """Write corrections rows as JSONL, as the page does (one compact JSON object per line)."""
    path = Path(path)
    path.write_text("".join(json.dumps(dict(r), ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows),
                    encoding="utf-8")
    return path
