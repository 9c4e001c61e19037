#!/usr/bin/env python3
"""Build ``corpus/gold.jsonl`` from ``corpus/annotations.jsonl`` and the articles.

An annotation row is one gold claim (fields as in ``../shared/claim_schema.md``)
plus an ``anchor``: the exact text of the claim's main figure (the value text,
or the change text when the claim has no value), and an optional 0-based
``occurrence`` saying which occurrence of the anchor in the article is meant.
This script finds the anchor in the article text and writes the gold row with
end-exclusive character offsets ``start``/``end`` into that text.

The article text is, by the schema:

- ``.txt``: the file's text (UTF-8);
- ``.md``: the body after the YAML front matter, as
  ``frontmatter.loads(text).content`` gives it; ``doc_date`` from ``date``;
- ``.html``/``.htm``: the main text ``trafilatura.extract(html,
  include_comments=False, include_tables=True, favor_precision=False)``
  returns; ``doc_date`` from ``trafilatura.extract_metadata(html).date``;
- ``.jsonl``: the ``text`` field of the line whose ``id`` follows ``#`` in
  the doc_id (``briefs.jsonl#some-id``); ``doc_date`` from ``date``.

An anchor only matches at figure boundaries: not inside a longer number or
word (``7 billion yuan`` does not match inside ``27 billion yuan``, ``5%``
does not match inside ``1.5%``). A missing anchor, an ambiguous anchor without
``occurrence``, an occurrence out of range or a field outside the schema's
vocabulary is an error naming the doc and the anchor; all errors are listed
and the script exits with status 1 without writing.

Usage::

    python corpus/make_gold.py            # writes corpus/gold.jsonl
    python corpus/make_gold.py --check    # exit 1 if gold.jsonl is stale
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

import frontmatter
import trafilatura

HERE = Path(__file__).resolve().parent

# Claim fields a gold row carries, in the claim row's order (schema v1).
CLAIM_FIELDS = (
    "company", "metric", "segment", "value", "unit", "qualifier", "value_high",
    "period", "direction", "change", "change_unit", "change_basis", "modality",
    "source",
)
ANNOTATION_KEYS = frozenset(CLAIM_FIELDS) | {"doc_id", "anchor", "occurrence", "optional"}
QUALIFIERS = {"exact", "about", "more_than", "at_least", "less_than", "at_most", "range"}
DIRECTIONS = {None, "increase", "decrease", "flat"}
CHANGE_BASES = {None, "yoy", "qoq", "mom", "from_value"}
MODALITIES = {"actual", "forecast"}
# ISO 4217 codes the corpus uses; other units are %, pp or a lowercase count noun.
CURRENCIES = {"USD", "CNY", "EUR", "JPY", "KRW", "INR", "TWD", "HKD", "GBP"}


class GoldError(Exception):
    """An annotation that cannot be turned into a gold row."""


def _iso(value: object) -> str | None:
    """Return a front-matter or metadata date as ``YYYY-MM-DD`` (None stays None)."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)[:10]


def article_text(articles_dir: Path, doc_id: str) -> tuple[str, str | None]:
    """Read one article's text and publication date.

    Args:
        articles_dir: the folder doc_ids are relative to.
        doc_id: path relative to ``articles_dir`` with extension, ``/``
            separators; ``"{path}#{id}"`` for one line of a ``.jsonl`` file.

    Returns:
        ``(text, doc_date)``: the article text offsets refer to, and the date
        as ``YYYY-MM-DD`` or None.

    Raises:
        GoldError: the file, the jsonl line or the html main text is missing.
    """
    path_part, _, line_id = doc_id.partition("#")
    path = articles_dir / path_part
    if not path.is_file():
        raise GoldError(f"{doc_id}: no such article file {path}")
    raw = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        for line in raw.splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("id") == line_id:
                    return row["text"], _iso(row.get("date"))
        raise GoldError(f"{doc_id}: no line with id {line_id!r} in {path_part}")
    if suffix == ".md":
        post = frontmatter.loads(raw)
        return post.content, _iso(post.metadata.get("date"))
    if suffix in (".html", ".htm"):
        text = trafilatura.extract(raw, include_comments=False, include_tables=True,
                                   favor_precision=False)
        if not text:
            raise GoldError(f"{doc_id}: trafilatura found no main text")
        meta = trafilatura.extract_metadata(raw)
        return text, _iso(meta.date if meta else None)
    return raw, None


def _at_boundary(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is not part of a longer number or word."""
    if start > 0:
        before = text[start - 1]
        if before.isalnum():
            return False
        if before in ".," and start > 1 and text[start - 2].isdigit():
            return False
    if end < len(text):
        after = text[end]
        if after.isalnum():
            return False
        if after in ".," and end + 1 < len(text) and text[end + 1].isdigit():
            return False
    return True


def find_anchor(text: str, anchor: str, occurrence: int | None) -> tuple[int, int]:
    """Locate an anchor in an article text.

    Args:
        text: the article text.
        anchor: the exact figure text to find.
        occurrence: 0-based index among the anchor's boundary matches, or
            None when the anchor must be unique.

    Returns:
        ``(start, end)``, end-exclusive character offsets.

    Raises:
        GoldError: the anchor is missing, ambiguous without ``occurrence``,
            or ``occurrence`` is out of range.
    """
    hits = []
    i = text.find(anchor)
    while i != -1:
        if _at_boundary(text, i, i + len(anchor)):
            hits.append(i)
        i = text.find(anchor, i + 1)
    if not hits:
        raise GoldError(f"anchor {anchor!r} not found")
    if occurrence is None:
        if len(hits) > 1:
            raise GoldError(f"anchor {anchor!r} occurs {len(hits)} times; give 'occurrence'")
        occurrence = 0
    if not 0 <= occurrence < len(hits):
        raise GoldError(f"anchor {anchor!r} has {len(hits)} occurrence(s), not index {occurrence}")
    return hits[occurrence], hits[occurrence] + len(anchor)


def _check_fields(row: dict) -> None:
    """Raise GoldError when an annotation's fields break the schema's vocabulary."""
    unknown = set(row) - ANNOTATION_KEYS
    if unknown:
        raise GoldError(f"unknown keys {sorted(unknown)}; allowed: {sorted(ANNOTATION_KEYS)}")
    missing = [k for k in ("doc_id", "anchor", "metric") if not row.get(k)]
    if missing:
        raise GoldError(f"missing {missing}")
    if row.get("qualifier", "exact") not in QUALIFIERS:
        raise GoldError(f"qualifier {row.get('qualifier')!r} not in {sorted(QUALIFIERS)}")
    if row.get("direction") not in DIRECTIONS:
        raise GoldError(f"direction {row.get('direction')!r} not allowed")
    if row.get("change_basis") not in CHANGE_BASES:
        raise GoldError(f"change_basis {row.get('change_basis')!r} not allowed")
    if row.get("modality", "actual") not in MODALITIES:
        raise GoldError(f"modality {row.get('modality')!r} not allowed")
    for key in ("unit", "change_unit"):
        unit = row.get(key)
        if unit is not None and unit not in CURRENCIES and unit not in ("%", "pp") \
                and not (unit.isalpha() and unit.islower()):
            raise GoldError(f"{key} {unit!r} is not ISO 4217, %, pp or a count noun")
    if row.get("value") is None and row.get("change") is None and not row.get("optional"):
        raise GoldError("a required claim needs a value or a change")
    if (row.get("qualifier") == "range") != (row.get("value_high") is not None) \
            and row.get("value") is not None:
        raise GoldError("value_high is set exactly when qualifier is 'range'")
    change, direction = row.get("change"), row.get("direction")
    if change is not None and row.get("qualifier") != "range":
        if (change > 0 and direction != "increase") or (change < 0 and direction != "decrease"):
            raise GoldError(f"direction {direction!r} disagrees with change {change}")
    if change is not None and not row.get("change_unit"):
        raise GoldError("change without change_unit")


def build(annotations: Path, articles_dir: Path) -> list[dict]:
    """Turn annotation rows into gold rows.

    Args:
        annotations: JSONL file, one annotation (claim fields + anchor) a line.
        articles_dir: the folder doc_ids are relative to.

    Returns:
        Gold rows: ``doc_id``, ``doc_date``, ``start``, ``end``, ``value_text``
        or ``change_text`` (the anchor), the claim fields, and
        ``optional: true`` where the annotation says so.

    Raises:
        GoldError: one message per bad annotation, joined by newlines.
    """
    texts: dict[str, tuple[str, str | None]] = {}
    rows, errors = [], []
    lines = annotations.read_text(encoding="utf-8").splitlines()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ann = json.loads(line)
        where = f"line {lineno}: {ann.get('doc_id')}: {ann.get('anchor')!r}"
        try:
            _check_fields(ann)
            doc_id = ann["doc_id"]
            if doc_id not in texts:
                texts[doc_id] = article_text(articles_dir, doc_id)
            text, doc_date = texts[doc_id]
            start, end = find_anchor(text, ann["anchor"], ann.get("occurrence"))
        except GoldError as err:
            errors.append(f"{where}: {err}")
            continue
        row = {"doc_id": doc_id, "doc_date": doc_date, "start": start, "end": end}
        text_key = "value_text" if ann.get("value") is not None else "change_text"
        row[text_key] = text[start:end]
        for field in CLAIM_FIELDS:
            row[field] = ann.get(field)
        row["qualifier"] = row["qualifier"] or "exact"
        row["modality"] = row["modality"] or "actual"
        if ann.get("optional"):
            row["optional"] = True
        rows.append(row)
    if errors:
        raise GoldError("\n".join(errors))
    return rows


def dumps(rows: list[dict]) -> str:
    """Serialise gold rows as JSONL (UTF-8 text, one row a line)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path, default=HERE / "annotations.jsonl")
    parser.add_argument("--articles", type=Path, default=HERE / "articles")
    parser.add_argument("--out", type=Path, default=HERE / "gold.jsonl")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if --out differs from what would be written")
    args = parser.parse_args(argv)
    try:
        rows = build(args.annotations, args.articles)
    except GoldError as err:
        print(f"make_gold: errors:\n{err}", file=sys.stderr)
        return 1
    out = dumps(rows)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != out:
            print(f"make_gold: {args.out} is stale; run corpus/make_gold.py", file=sys.stderr)
            return 1
        print(f"make_gold: {args.out} is up to date ({len(rows)} rows)")
        return 0
    args.out.write_text(out, encoding="utf-8")
    docs = {r["doc_id"] for r in rows}
    n_opt = sum(1 for r in rows if r.get("optional"))
    print(f"make_gold: wrote {len(rows)} rows ({len(rows) - n_opt} required, "
          f"{n_opt} optional) for {len(docs)} articles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
