"""Review outputs: claims and checks as tables, and one self-contained HTML report.

Reads ``OUT_DIR/claims.jsonl`` (claim rows, ``../shared/claim_schema.md`` v1)
and, when present, ``OUT_DIR/checks.jsonl`` and ``OUT_DIR/errors.jsonl``, and
writes:

- ``claims.csv`` / ``claims.parquet``: one row per claim, columns in
  :data:`pipeline.claim.FIELD_NAMES` order;
- ``checks.csv`` / ``checks.parquet``: one row per check, the schema's check
  columns first (``claim_ids`` as a JSON list in the CSV);
- ``report.html``: overview, failed checks, failed articles, per-company
  charts, every article's sentences with the claim parts highlighted (spaCy
  displaCy span rendering), and searchable, filterable, sortable claims
  tables where a reviewer records corrections and downloads them as gold
  rows. Everything is inline: the file makes no network request.

Offsets are end-exclusive character offsets. A claim's ``start``/``end``
point into the article text; the report works per sentence, so it first
finds each sentence's own offset in the article (see :func:`locate_sentence`)
and then marks every part only where its text is actually found.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import html
import json
import operator
import re
import time
from collections import Counter, defaultdict
from collections.abc import Container, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from spacy import displacy

from .claim import CHANGE_BASES, DIRECTIONS, FIELD_NAMES, MODALITIES, QUALIFIERS, Claim
from .errors import SchemaError
from .aside import Aside, core_free
from .outdir import OutputLock, StagedFiles, atomic_path
from .rows import InputProblem, loads_line, read_jsonl
from .tables import CHECK_FIELDS, ClaimTables, CheckTables, claims_arrow_schema  # noqa: F401 (claims_arrow_schema: public here before)
from .lexicons import Cues
from .config import Settings
from .report_pack import ENCODING as PACKED, pack
from .report_sentences import read_texts, sentence_spans

CLAIMS_FILE = "claims.jsonl"
CHECKS_FILE = "checks.jsonl"
ERRORS_FILE = "errors.jsonl"
REPORT_FILE = "report.html"
REPORT_MARKER = "report.partial"
"""Left in the output folder by a report stopped while it renamed its files into place (some new, some
older); removed when every one is renamed (:class:`~pipeline.outdir.StagedFiles`)."""
SUMMARY_FILE = "summary.json"
TABLE_FILES = ("claims.csv", "claims.parquet", "checks.csv", "checks.parquet")
"""The tables :func:`write_tables` writes; the page links those present beside it."""

STATUS_INCONSISTENT = "inconsistent"
STATUS_CONSISTENT = "consistent"
STATUS_UNCHECKED = "unchecked"

PARTS: dict[str, tuple[str, str]] = {
    "company": ("CO", "#7aecec"),
    "metric": ("MET", "#b5e48c"),
    "value": ("VAL", "#feca74"),
    "change": ("CHG", "#c3b1fa"),
    "period": ("PER", "#9ec9ff"),
    "direction": ("DIR", "#f7a8c8"),
}
"""Each highlighted claim part: its displaCy span label (short, so that labels
of adjacent short words do not run into each other) and its colour."""
LABEL_OF = {part: label for part, (label, _) in PARTS.items()}
LABEL_COLORS = {label: color for label, color in PARTS.values()}

FILLER_LABEL = ""
"""Invisible displaCy span put on a token that directly touches the next one
(``(`` before ``35%``), so that displaCy does not add a space after it."""

# displaCy span templates: one ``nf-text`` element per highlighted token, so
# that the main figure's element can carry the claim's data attributes.
_TPL_TOKEN = ('<span class="nf-tok" style="height: {total_height}px">'
              '<span class="nf-text">{text}</span>{span_slices}{span_starts}</span>')
_TPL_SLICE = '<span class="nf-bar" style="background: {bg}; top: {top_offset}px"></span>'
_TPL_START = ('<span class="nf-bar nf-bar-start" style="background: {bg}; top: {top_offset}px">'
              '<span class="nf-label" style="background: {bg}">{label}{kb_link}</span></span>')
_TEXT_TAG = '<span class="nf-text">'
_DISPLACY_OPTIONS: dict[str, Any] = {
    "colors": {**LABEL_COLORS, FILLER_LABEL: "transparent"},
    "template": {"span": _TPL_TOKEN, "slice": _TPL_SLICE, "start": _TPL_START},
    "top_offset": 26,
    "span_label_offset": 14,
    "top_offset_step": 15,
}

_WS = re.compile(r"\s+|\S+")


# ---------------------------------------------------------------------------
# Reading

def read_claims(out_dir: Path | str, problems: list[InputProblem] | None = None) -> list[dict[str, Any]]:
    """Read and validate ``OUT_DIR/claims.jsonl``.

    Args:
        out_dir: the extractor's output folder.
        problems: when given, a bad row (bad bytes, not JSON, an unusable
            number, a schema break, a repeated ``claim_id``) is skipped and
            appended here with its line number; when None, it raises.

    Returns:
        The claim rows, each a dict with every schema field in
        :data:`~pipeline.claim.FIELD_NAMES` order (missing optional fields
        filled with their defaults), in file order.

    Raises:
        SchemaError: ``E250`` when the file is missing; without ``problems``,
            ``E251`` when a line is not a JSON object (or not UTF-8, or holds
            a number out of range), ``E252`` when a row breaks the schema,
            ``E255`` when a ``claim_id`` repeats; the message names the file
            and line.
    """
    found: list[InputProblem] = []
    rows = [claim for _, claim in iter_claims(out_dir, found, problems is None, {})]
    if problems is not None:
        problems.extend(found)
    return rows


def iter_claims(out_dir: Path | str, found: list[InputProblem], strict: bool,
                seen: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The valid rows of ``OUT_DIR/claims.jsonl`` one at a time, as :func:`read_claims` reads them.

    Args:
        out_dir: the output folder.
        found: bad rows are appended here (E251, E252, E255) with their line numbers.
        strict: raise on the first bad row instead.
        seen: filled with ``claim_id -> line number`` of every row yielded
            (the repeated-id check; callers use it as the set of ids).

    Yields:
        ``(line number, claim row)``, the row with every field of :data:`FIELD_NAMES`.

    Raises:
        SchemaError: E250 when the file is missing; with ``strict``, the
            first bad row's error.
    """
    path = Path(out_dir) / CLAIMS_FILE
    if not path.is_file():
        raise SchemaError("E250", f"no {CLAIMS_FILE} in {out_dir}; run `newsfigures extract` first",
                          str(path))
    for line_no, row in _read_jsonl(path, found, strict):
        if row.get("claim_id") in seen:
            found.append(InputProblem(str(path), line_no, "E255", f"claim_id {row['claim_id']!r} is already used "
                                      f"on line {seen[row['claim_id']]}; claim ids must be unique"))
        else:
            try:
                claim = row if _whole_row(row) else Claim.from_dict(row).to_dict()  # every field, in order
                if not isinstance(claim["claim_id"], str) or not claim["claim_id"]:
                    raise SchemaError("E252", "field 'claim_id' must be a non-empty string")
            except (SchemaError, TypeError) as err:
                reason = err.reason if isinstance(err, SchemaError) else _missing_fields(row, err)
                found.append(InputProblem(str(path), line_no, "E252", reason))
            else:
                seen[claim["claim_id"]] = line_no
                _raise_first(found, None if strict else [])
                yield line_no, claim
                continue
        _raise_first(found, None if strict else [])


def _missing_fields(row: dict[str, Any], err: TypeError) -> str:
    """The reason a row could not be made a claim, in the schema's words: the required fields it
    lacks ("missing required field(s): doc_id, start"), else the error's own message."""
    missing = [name for name in FIELD_NAMES if name not in row and f"'{name}'" in str(err)]
    return f"missing required field(s): {', '.join(missing)}" if missing else str(err)


def _whole_row(row: dict[str, Any]) -> bool:
    """True when ``row`` is already what ``Claim.from_dict(row).to_dict()`` gives: every field in
    :data:`FIELD_NAMES` order, the vocabulary fields within the schema's words and the offsets a span
    (what :class:`Claim` checks). Rows written by ``extract`` are; any other row is made a Claim."""
    return (tuple(row) == FIELD_NAMES and row["qualifier"] in QUALIFIERS and row["modality"] in MODALITIES
            and (row["direction"] is None or row["direction"] in DIRECTIONS)
            and (row["change_basis"] is None or row["change_basis"] in CHANGE_BASES)
            and type(row["start"]) is int and type(row["end"]) is int and 0 <= row["start"] <= row["end"])


def read_checks(out_dir: Path | str, problems: list[InputProblem] | None = None,
                claim_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Read ``OUT_DIR/checks.jsonl`` if it exists.

    Args:
        out_dir: the output folder.
        problems: when given, a bad row is skipped and appended here with
            its line number; when None, it raises.
        claim_ids: the ids of the claims file; a check that names a claim
            not among them was made from other claims and is refused.

    Returns:
        The check rows (``check``, ``status``, ``claim_ids``, ``expected``,
        ``observed``, ``tolerance``, ``message`` and any further keys), or an
        empty list when there is no checks file.

    Raises:
        SchemaError: without ``problems``, ``E251`` when a line is not a JSON
            object, ``E253`` when a row lacks ``status`` or ``claim_ids``;
            always ``E256`` when a check names a claim the claims file does
            not have (the checks belong to another run).
    """
    known = set(claim_ids) if claim_ids is not None else None
    found: list[InputProblem] = []
    rows = [row for _, row in iter_checks(out_dir, found, problems is None, known)]
    if problems is not None:
        problems.extend(found)
    return rows


def iter_checks(out_dir: Path | str, found: list[InputProblem], strict: bool,
                known: Container[str] | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """The valid rows of ``OUT_DIR/checks.jsonl`` one at a time (none when there is no such file).

    Args:
        out_dir: the output folder.
        found: bad rows are appended here (E251, E253) with their line numbers.
        strict: raise on the first bad row instead.
        known: the claim ids of the claims file, or None not to compare.

    Yields:
        ``(line number, check row)``.

    Raises:
        SchemaError: E256 when a check names a claim not in ``known``; with
            ``strict``, the first bad row's error.
    """
    path = Path(out_dir) / CHECKS_FILE
    if not path.is_file():
        return
    for line_no, row in _read_jsonl(path, found, strict):
        ids = row.get("claim_ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not isinstance(
                row.get("status"), str):
            found.append(InputProblem(str(path), line_no, "E253", f"a check row needs a `status` string and a "
                                      f"`claim_ids` list of strings; allowed keys: {list(CHECK_FIELDS)}"))
            _raise_first(found, None if strict else [])
            continue
        if known is not None:
            missing = [i for i in ids if i not in known]
            if missing:
                raise SchemaError("E256", f"line {line_no}: the check names claim {missing[0]!r}, which is not in "
                                  f"{CLAIMS_FILE}: these checks were made from other claims; run "
                                  f"`newsfigures check {Path(out_dir) / CLAIMS_FILE} --out {out_dir}` again",
                                  str(path))
        yield line_no, row


def _raise_first(found: list[InputProblem], problems: list[InputProblem] | None) -> None:
    """Without a ``problems`` list, the first bad row is an error (the strict reading)."""
    if problems is None and found:
        first = found[0]
        raise SchemaError(first.code, f"line {first.line}: {first.reason}", first.path)


def read_errors(out_dir: Path | str) -> list[dict[str, Any]]:
    """Read ``OUT_DIR/errors.jsonl`` (articles that failed), or ``[]`` if absent.

    Args:
        out_dir: the output folder.

    Returns:
        The error rows as written by the extractor (``file``, ``reason``, ...).
    """
    path = Path(out_dir) / ERRORS_FILE
    if not path.is_file():
        return []
    return [row for _, row in _read_jsonl(path, [], False)]  # for display: a bad row is left out


def read_article_texts(articles: Path | str) -> dict[str, str]:
    """Read the article texts that the claims' offsets point into.

    Args:
        articles: the folder (or file) that was given to ``extract``, so
            that ``doc_id`` values match.

    Returns:
        ``{doc_id: text}`` for every article that could be read (failures
        and skipped files are left out; the report then confirms those
        offsets from the sentences alone).
    """
    from .reading import Article, iter_articles

    return {a.doc_id: a.text for a in iter_articles(Path(articles)) if isinstance(a, Article)}


def _read_jsonl(path: Path, found: list[InputProblem], strict: bool) -> Iterable[tuple[int, dict[str, Any]]]:
    """Rows of a JSONL file, line by line (:func:`pipeline.rows.read_jsonl`); strict: raise E251 on the first bad line."""
    for line_no, row in read_jsonl(path, found, "E251", "E251"):
        yield line_no, row
    _raise_first(found, None if strict else [])


# ---------------------------------------------------------------------------
# Tables

# ---------------------------------------------------------------------------
# Locating sentences and claim parts

@dataclass
class Mark:
    """One highlighted range of a sentence (sentence-relative, end-exclusive)."""

    start: int
    end: int
    label: str
    claim_ids: list[str] = field(default_factory=list)
    main: str | None = None  # "value" or "change" for a claim's main figure


@dataclass
class Placement:
    """Where a claim's main figure was found in its sentence.

    ``how`` is ``offsets`` (the claim's ``start``/``end`` point at its
    figure text), ``text`` (the offsets do not, the text was found elsewhere
    in the sentence) or ``missing`` (not highlighted).
    """

    how: str
    start: int | None = None
    end: int | None = None


def main_part(claim: Mapping[str, Any]) -> tuple[str, str | None]:
    """Return which part anchors the claim and its text.

    Args:
        claim: a claim row.

    Returns:
        ``("value", value_text)`` when the claim has a value text, else
        ``("change", change_text)`` (the schema's rule for ``start``/``end``).
    """
    if claim.get("value_text"):
        return "value", claim["value_text"]
    return "change", claim.get("change_text")


def find_all(text: str, needle: str, ignore_case: bool = False) -> list[int]:
    """Return every start of ``needle`` in ``text`` that sits on word edges.

    A match may not continue a word on either side (``up`` does not match in
    ``support``), so short period or cue words land on whole words only.

    Args:
        text: the text to search.
        needle: the literal to find (not a pattern).
        ignore_case: match case-insensitively.

    Returns:
        Start offsets in ``text``, ascending.
    """
    if not needle:
        return []
    if ignore_case:
        pattern = re.escape(needle)
        if needle[0].isalnum():
            pattern = r"(?<!\w)" + pattern
        if needle[-1].isalnum():
            pattern += r"(?!\w)"
        return [m.start() for m in re.finditer(pattern, text, re.IGNORECASE)]
    hits = []
    check_left, check_right = needle[0].isalnum(), needle[-1].isalnum()
    pos = text.find(needle)
    while pos >= 0:
        end = pos + len(needle)
        if not (check_left and pos > 0 and _is_word(text[pos - 1])) and not (
                check_right and end < len(text) and _is_word(text[end])):
            hits.append(pos)
        pos = text.find(needle, pos + 1)
    return hits


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def locate_sentence(sentence: str, claims: list[Mapping[str, Any]],
                    article_text: str | None = None) -> int | None:
    """Find the article offset at which a sentence starts.

    With the article text, the sentence is looked up there and the
    occurrence that holds the most claims' ``[start, end)`` is taken. Without
    it (or when the sentence is not found verbatim), every claim votes for
    ``start - p`` for each position ``p`` of its figure text in the sentence,
    and the offset with most votes wins (the smallest on a tie).

    Args:
        sentence: the sentence text of the claim rows.
        claims: the claim rows of that sentence.
        article_text: the article text the offsets point into, if known.

    Returns:
        The sentence's start offset in the article, or ``None`` when no
        claim's figure text occurs in the sentence.
    """
    if article_text:
        best, best_held = None, -1
        pos = article_text.find(sentence)
        while pos >= 0:
            held = sum(pos <= c["start"] and c["end"] <= pos + len(sentence) for c in claims)
            if held > best_held:
                best, best_held = pos, held
            pos = article_text.find(sentence, pos + 1)
        if best is not None and best_held > 0:
            return best
    votes: Counter[int] = Counter()
    for claim in claims:
        _, figure = main_part(claim)
        for pos in find_all(sentence, figure or ""):
            if claim["end"] - claim["start"] == len(figure):
                votes[claim["start"] - pos] += 1
    if not votes:
        return None
    top = max(votes.values())
    return min(offset for offset, n in votes.items() if n == top)


def place_main(claim: Mapping[str, Any], sentence: str, offset: int | None) -> Placement:
    """Place a claim's main figure in its sentence.

    Args:
        claim: the claim row.
        sentence: its sentence text.
        offset: the sentence's article offset (:func:`locate_sentence`).

    Returns:
        The figure's sentence-relative range and how it was found.
    """
    _, figure = main_part(claim)
    if offset is not None:
        rel_start, rel_end = claim["start"] - offset, claim["end"] - offset
        if 0 <= rel_start < rel_end <= len(sentence) and (
                figure is None or sentence[rel_start:rel_end] == figure):
            return Placement("offsets", rel_start, rel_end)
    if figure:
        guess = claim["start"] - offset if offset is not None else 0
        hits = find_all(sentence, figure) or find_all(sentence, figure, ignore_case=True)
        if hits:
            pos = min(hits, key=lambda p: abs(p - guess))
            return Placement("text", pos, pos + len(figure))
    return Placement("missing")


@lru_cache(maxsize=1)
def direction_cues() -> dict[str, re.Pattern[str]]:
    """Return a whole-word, case-insensitive pattern per direction.

    The words are the extractor's own (``models/cues.toml``: ``increase``,
    ``decrease``, ``flat``), so the report marks the words the extractor
    reads as a direction.

    Returns:
        ``{"increase": pattern, "decrease": pattern, "flat": pattern}``.

    Raises:
        LexiconError: ``models/cues.toml`` is missing or malformed.
    """
    cues = Cues.load()
    patterns = {}
    for direction in ("increase", "decrease", "flat"):
        words = sorted(getattr(cues, direction), key=len, reverse=True)
        alternation = "|".join(re.escape(w) for w in words)
        patterns[direction] = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
    return patterns


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _crosses(part: tuple[int, int], main: tuple[int, int]) -> bool:
    """True when ``part`` would cut ``main`` into pieces (partial overlap or inside)."""
    if part[1] <= main[0] or main[1] <= part[0]:
        return False
    return not (part[0] <= main[0] and main[1] <= part[1]) or part == main


def sentence_marks(sentence: str, claims: list[Mapping[str, Any]],
                   offset: int | None) -> tuple[list[Mark], dict[str, Placement], dict[str, list[str]]]:
    """Work out every highlighted range of one sentence.

    Each claim's main figure (value, else change) is placed first and kept
    whole; then company, metric, period, change and direction words are
    marked where their text occurs in the sentence, at the occurrence nearest
    to the claim's figure, and only if they do not cut a main figure.

    Args:
        sentence: the sentence text.
        claims: the claim rows of the sentence, in claim order.
        offset: the sentence's article offset, or ``None``.

    Returns:
        ``(marks, placements, unmarked)``: the marks (duplicates merged),
        the main figure's placement per claim id, and per claim id the
        labels of parts whose text was given but not found.
    """
    mains: dict[tuple[int, int], Mark] = {}
    placements: dict[str, Placement] = {}
    anchor: dict[str, tuple[int, int]] = {}
    for claim in claims:
        placement = place_main(claim, sentence, offset)
        span = (placement.start, placement.end)
        if placement.how != "missing" and any(
                span != other and _overlaps(span, other) for other in mains):
            placement = Placement("missing")
        placements[claim["claim_id"]] = placement
        if placement.how == "missing":
            continue
        anchor[claim["claim_id"]] = span
        kind, _ = main_part(claim)
        mark = mains.setdefault(span, Mark(span[0], span[1], LABEL_OF[kind], main=kind))
        mark.claim_ids.append(claim["claim_id"])

    parts: dict[tuple[int, int, str], Mark] = {}
    unmarked: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        cid = claim["claim_id"]
        near = anchor.get(cid, (claim["start"] - (offset or 0),) * 2)
        kind, _ = main_part(claim)
        wanted = [("company", claim.get("company_text")), ("metric", claim.get("metric_text")),
                  ("period", claim.get("period_text"))]
        if kind == "value":
            wanted.append(("change", claim.get("change_text")))
        for part, text in wanted:
            text = (text or "").strip()
            if not text:
                continue
            hits = find_all(sentence, text) or find_all(sentence, text, ignore_case=True)
            spans = [(p, p + len(text)) for p in hits]
            spans = [s for s in spans if not any(_crosses(s, m) for m in mains)]
            if not spans:
                unmarked[cid].append(part)
                continue
            best = min(spans, key=lambda s: (_distance(s, near), s[0]))
            label = LABEL_OF[part]
            parts.setdefault((*best, label), Mark(best[0], best[1], label)).claim_ids.append(cid)
            if part == "change":
                near = (min(near[0], best[0]), max(near[1], best[1]))
        cue = direction_cues().get(claim.get("direction") or "")
        if cue is not None:
            spans = [m.span() for m in cue.finditer(sentence)]
            spans = [s for s in spans if not any(_crosses(s, m) for m in mains)]
            if spans:
                best = min(spans, key=lambda s: (_distance(s, near), s[0]))
                label = LABEL_OF["direction"]
                parts.setdefault((*best, label), Mark(best[0], best[1], label)).claim_ids.append(cid)
            else:
                unmarked[cid].append("direction")
    marks = sorted([*mains.values(), *parts.values()], key=lambda m: (m.start, -m.end, m.label))
    return marks, placements, dict(unmarked)


# ---------------------------------------------------------------------------
# displaCy rendering

def tokens_for(sentence: str, marks: list[Mark]) -> list[tuple[int, int]]:
    """Cut a sentence into displaCy tokens.

    Tokens are the whitespace runs and the non-whitespace runs of the
    sentence, further cut at every mark's edges; a main figure stays one
    token (whitespace inside it included), so its element's text is exactly
    the figure text.

    Args:
        sentence: the sentence text.
        marks: the sentence's marks (main figures never overlap partially).

    Returns:
        Token ranges ``[start, end)`` covering the sentence in order.
    """
    cuts = {0, len(sentence)}
    for mark in marks:
        cuts.update((mark.start, mark.end))
    atomic = [(m.start, m.end) for m in marks if m.main]
    for match in _WS.finditer(sentence):
        for edge in match.span():
            if not any(a < edge < b for a, b in atomic):
                cuts.add(edge)
    edges = sorted(c for c in cuts if 0 <= c <= len(sentence))
    return [(a, b) for a, b in zip(edges, edges[1:]) if a < b]


SentenceMarkup = tuple[str, list[Mark], Mapping[tuple[int, int], Mapping[str, str]],
                       Mapping[tuple[int, int], str]]
"""One sentence to render: its text, its marks, and the extra HTML attributes
and CSS classes of its main figures' elements keyed by their range."""

_SPANS_DIV = re.compile(r'(?=<div class="spans")')


def render_sentences(items: list[SentenceMarkup]) -> list[str]:
    """Render sentences with displaCy's span visualiser, in one displaCy call.

    Each sentence is cut into tokens (:func:`tokens_for`), its marks become
    displaCy spans, and every highlighted token is one ``span.nf-text``
    element; the element of a main figure then gets the given attributes
    (``data-claim-id``, ``data-start``, ...) and classes.

    Args:
        items: ``(sentence, marks, attrs, classes)`` per sentence; ``attrs``
            and ``classes`` are keyed by a main figure's sentence range.

    Returns:
        The HTML of each sentence (a ``div.spans`` block), in input order.

    Raises:
        RuntimeError: displaCy's output does not have one block per sentence
            and one text element per highlighted token (a displaCy change
            this code must follow).
    """
    parsed, extras = [], []
    for sentence, marks, attrs, classes in items:
        tokens = tokens_for(sentence, marks)
        index_of_start = {a: i for i, (a, _) in enumerate(tokens)}
        index_of_end = {b: i for i, (_, b) in enumerate(tokens)}
        spans = [{"start_token": index_of_start[m.start], "end_token": index_of_end[m.end] + 1,
                  "label": m.label} for m in marks]
        covered = set()
        for span in spans:
            covered.update(range(span["start_token"], span["end_token"]))
        texts = [sentence[a:b] for a, b in tokens]
        for i, text in enumerate(texts):
            glued = i + 1 < len(texts) and not texts[i + 1].isspace()
            if i not in covered and not text.isspace() and glued:
                spans.append({"start_token": i, "end_token": i + 1, "label": FILLER_LABEL})
                covered.add(i)
        parsed.append({"text": sentence, "tokens": texts, "spans": spans})
        mine = []
        for i, (a, b) in enumerate(tokens):
            if i in covered and not texts[i].isspace():
                extra = " ".join(f'{k}="{html.escape(v, quote=True)}"'
                                 for k, v in attrs.get((a, b), {}).items())
                mine.append((classes.get((a, b), ""), extra))
        extras.append(mine)
    if not parsed:
        return []
    rendered = displacy.render(parsed, style="span", manual=True, jupyter=False,
                               options=_DISPLACY_OPTIONS)
    blocks = [b.strip() for b in _SPANS_DIV.split(rendered) if b.strip()]
    if len(blocks) != len(parsed):
        raise RuntimeError(f"displaCy rendered {len(blocks)} sentences, expected {len(parsed)}")
    out = []
    for block, mine in zip(blocks, extras):
        if block.count(_TEXT_TAG) != len(mine):
            raise RuntimeError(f"displaCy rendered {block.count(_TEXT_TAG)} highlighted tokens, "
                               f"expected {len(mine)}")
        pieces = iter(mine)

        def tag(_: re.Match[str]) -> str:
            cls, extra = next(pieces)
            return f'<span class="nf-text{" " + cls if cls else ""}"{" " + extra if extra else ""}>'

        out.append(re.sub(re.escape(_TEXT_TAG), tag, block))
    return out


def render_sentence(sentence: str, marks: list[Mark],
                    attrs: Mapping[tuple[int, int], Mapping[str, str]],
                    classes: Mapping[tuple[int, int], str]) -> str:
    """Render one sentence; see :func:`render_sentences`.

    Args:
        sentence: the sentence text.
        marks: the highlighted ranges (sentence-relative).
        attrs: extra HTML attributes of main figures' elements, by range.
        classes: extra CSS classes of those elements, by range.

    Returns:
        The HTML of the sentence (a ``div.spans`` block).
    """
    return render_sentences([(sentence, marks, attrs, classes)])[0]


# ---------------------------------------------------------------------------
# Formatting

_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))
_QUALIFIER_SIGNS = {"about": "≈ ", "more_than": "> ", "at_least": "≥ ", "less_than": "< ",
                    "at_most": "≤ "}


def format_number(x: float) -> str:
    """Format a base-unit number for reading: ``59500000000.0`` -> ``59.5 bn``.

    Args:
        x: the number.

    Returns:
        The number scaled to tn/bn/M when at least a million, with at most
        three decimals and thousands separators.
    """
    for scale, word in _SCALES:
        if abs(x) >= scale:
            return f"{_trim(x / scale)} {word}"
    return _trim(x)


def _trim(x: float) -> str:
    text = f"{x:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _with_unit(number: str, unit: str | None) -> str:
    if unit in ("%",):
        return f"{number}%"
    return f"{number} {unit}" if unit else number


def format_value(claim: Mapping[str, Any]) -> str:
    """Return the claim's value as a reader sees it: ``≈ 59.5 bn CNY``, ``10–12 bn USD``.

    Args:
        claim: a claim row.

    Returns:
        The qualifier sign, number (or range) and unit; ``""`` when the
        claim has no value.
    """
    if claim.get("value") is None:
        return ""
    number = format_number(claim["value"])
    if claim.get("qualifier") == "range" and claim.get("value_high") is not None:
        high = format_number(claim["value_high"])
        low, _, word = number.partition(" ")
        high_num, _, high_word = high.partition(" ")
        number = f"{low}–{high}" if word != high_word else f"{low}–{high_num} {word}".strip()
        return _with_unit(number, claim.get("unit"))
    return _QUALIFIER_SIGNS.get(claim.get("qualifier", ""), "") + _with_unit(number, claim.get("unit"))


def format_change(claim: Mapping[str, Any]) -> str:
    """Return the claim's change as a reader sees it: ``-18.9% yoy``, ``+6 pp``.

    Args:
        claim: a claim row.

    Returns:
        Signed change, its unit and basis; the direction alone when the
        claim states a direction without a number; ``""`` otherwise.
    """
    change = claim.get("change")
    if change is None:
        return claim.get("direction") or ""
    sign = "+" if change > 0 else ""
    text = _with_unit(sign + format_number(change), claim.get("change_unit"))
    basis = claim.get("change_basis")
    return f"{text} {basis.replace('_', ' ')}" if basis else text


# ---------------------------------------------------------------------------
# Periods on a time axis

_PERIOD_FORMS = (
    (re.compile(r"^(FY)?(\d{4})$"), "year", 1),
    (re.compile(r"^(FY)?(\d{4})-H([12])$"), "half", 2),
    (re.compile(r"^(FY)?(\d{4})-Q([1-4])$"), "quarter", 4),
    (re.compile(r"^(FY)?(\d{4})-(\d{2})$"), "month", 12),
    (re.compile(r"^(FY)?(\d{4})-(\d{2})-(\d{2})$"), "day", 365),
)


@dataclass(frozen=True)
class PeriodPoint:
    """A period placed on a numeric axis."""

    x: float
    """Midpoint of the period in years (``2023-Q1`` -> 2023.125)."""
    granularity: str
    """``year``, ``half``, ``quarter``, ``month``, ``day`` or ``span``; ``fiscal``
    prefixed for fiscal periods (``fiscal quarter``)."""


@lru_cache(maxsize=4096)  # a run has few distinct periods, each placed once; a PeriodPoint is frozen
def period_point(period: str | None) -> PeriodPoint | None:
    """Place a normalised period (schema ``period``) on a year axis.

    Args:
        period: ``2023``, ``2023-Q1``, ``2023-H1``, ``2023-05``,
            ``2023-05-24``, ``FY2024``, ``FY2024-Q1``, ``FY2024-H1`` or an
            ISO 8601 interval ``2021-01/2021-08``.

    Returns:
        The midpoint in years and the granularity; ``None`` for a null or
        unreadable period. Fiscal periods are placed by their fiscal year
        number (their calendar dates depend on the company).
    """
    if not period:
        return None
    if "/" in period:
        ends = [period_point(p) for p in period.split("/", 1)]
        if None in ends:
            return None
        return PeriodPoint((ends[0].x + ends[1].x) / 2, "span")
    for pattern, granularity, per_year in _PERIOD_FORMS:
        match = pattern.match(period)
        if not match:
            continue
        fiscal, year = match.group(1), int(match.group(2))
        if granularity == "year":
            x = year + 0.5
        elif granularity == "day":
            month, day = int(match.group(3)), int(match.group(4))
            x = year + ((month - 1) * 30.5 + day - 0.5) / 366
        else:
            x = year + (int(match.group(3)) - 0.5) / per_year
        return PeriodPoint(x, f"fiscal {granularity}" if fiscal else granularity)
    return None


# ---------------------------------------------------------------------------
# The report

def claim_status(claims: list[Mapping[str, Any]], checks: list[Mapping[str, Any]]
                 ) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Give each claim its check status.

    Args:
        claims: the claim rows.
        checks: the check rows.

    Returns:
        ``(status, checks_of)``: per claim id ``inconsistent`` (some check
        naming it failed), ``consistent`` (checked, none failed) or
        ``unchecked``; and per claim id the indices of the checks naming it.
    """
    checks_of: dict[str, list[int]] = defaultdict(list)
    for i, check in enumerate(checks):
        for cid in dict.fromkeys(check.get("claim_ids", [])):
            checks_of[cid].append(i)
    status = {}
    for claim in claims:
        found = [checks[i].get("status") for i in checks_of.get(claim["claim_id"], [])]
        status[claim["claim_id"]] = (STATUS_INCONSISTENT if STATUS_INCONSISTENT in found
                                     else STATUS_CONSISTENT if found else STATUS_UNCHECKED)
    return status, dict(checks_of)


def _company_label(claim: Mapping[str, Any]) -> str:
    return claim.get("company") or "(market-wide)"


def _env() -> Environment:
    env = Environment(loader=PackageLoader("pipeline", "templates"),
                      autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x: format_number(x) if isinstance(x, (int, float)) else (x or "")
    env.filters["pack"] = lambda text: Markup(pack(str(text)))
    return env


MAX_EMBEDDED_CLAIMS = 100_000
"""Claims embedded in the page for search, filters and review by default (whole articles, in the order
the articles are drawn: failed checks first); the others are counted, and are in the tables."""

MAX_FAILED_LISTED = 1000
"""Failed checks listed on the page (with their claims); the others are counted, and are in ``checks.csv``."""


def write_tables(out_dir: Path | str, problems: list[InputProblem] | None = None) -> list[Path]:
    """Write the claims and checks of ``OUT_DIR`` as CSV and Parquet tables.

    ``claims.csv`` and ``claims.parquet`` have the schema's columns in
    :data:`FIELD_NAMES` order; null is an empty CSV cell. ``checks.csv`` and
    ``checks.parquet`` (only when ``checks.jsonl`` exists) have
    :data:`CHECK_FIELDS` first, then any further keys in first-seen order;
    ``claim_ids`` is a list in Parquet and a JSON list in the CSV. Floats are
    written with Python's shortest round-trip repr, so ``pandas.read_csv``
    gives back the exact values. Rows stream from the JSONL files to the
    tables (:mod:`pipeline.tables`); each table is written to a temporary
    name and renamed when complete, so an interruption or a full disk leaves
    the old table or none, never a truncated one.

    Args:
        out_dir: the output folder holding ``claims.jsonl``.
        problems: when given, bad rows are skipped and listed here (see
            :func:`read_claims`); when None, they raise.

    Returns:
        The paths written.

    Raises:
        SchemaError: when ``claims.jsonl`` is missing or malformed, or the
            checks name claims it does not have (E256).
        UsageError: E404 when another run holds the folder.
    """
    return write_review_outputs(out_dir, problems=problems, page=False)


def build_report(out_dir: Path | str, articles_text: Mapping[str, str] | None = None,
                 charts: bool = True, max_articles: int = 200, problems: list[InputProblem] | None = None,
                 max_claims: int = MAX_EMBEDDED_CLAIMS, articles: Path | str | None = None,
                 settings: Settings | None = None) -> Path:
    """Write ``OUT_DIR/report.html``, one self-contained review page.

    The page has an overview (articles, claims, checks by kind and status,
    claims per company and metric), the inconsistent checks with links to
    their claims (the first :data:`MAX_FAILED_LISTED`; all are in
    ``checks.csv``), a chart per company of each metric over its periods
    (inline SVG, inconsistent points marked), one collapsible section per
    drawn article with its claim sentences highlighted by displaCy, its
    other sentences as plain text (when its text is known, so that a
    reviewer can add a figure the extractor missed in any sentence) and its
    claims table, the failed and skipped articles (``errors.jsonl``,
    ``summary.json``), links to the CSV/Parquet tables beside it, and a table
    of the claims (embedded as data, :func:`page_data`; up to ``max_claims``) that
    can be searched, filtered by company, metric, period, unit, source,
    modality, check status and confidence, sorted by any column, and
    reviewed: corrections are downloaded as gold rows
    (:mod:`pipeline.corrections`). Every main figure is an element with
    ``data-claim-id``, ``data-claim-ids`` (JSON list), ``data-part``
    (``value``/``change``), ``data-start`` and ``data-end`` (the claim's
    article offsets).

    The page's size is bounded by what it draws and embeds (``max_articles``,
    ``max_claims``), not by the run: the claims are read as they stream past,
    keeping a few fields of each for the overview and the charts; only the
    embedded claims (and those the listed failed checks name) are read whole.

    Args:
        out_dir: folder with ``claims.jsonl`` (and optionally
            ``checks.jsonl``, ``errors.jsonl``).
        articles_text: article text per ``doc_id``; when given, sentences
            are found in it to confirm the claims' offsets. Without it the
            offsets are confirmed from the sentences alone.
        charts: draw the per-company charts (matplotlib); off makes the
            report faster to build.
        max_articles: at most this many article sections, and their claims
            in the tables and the embedded search data (articles with failed
            checks first, then in ``doc_id`` order); 0 shows all. The
            overview, the check counts and the charts always cover every
            claim, and the page says how many articles it leaves out (their
            claims are in ``claims.csv``/``claims.parquet``). Keeps the page
            usable for runs of thousands of articles.
        problems: when given, bad input rows are skipped and listed here
            (see :func:`read_claims`); when None, they raise.
        max_claims: at most about this many claims embedded for the "All
            claims" table (whole articles, in the order above, the drawn ones
            always); 0 embeds every claim. The page says how many it leaves out.
        articles: the folder (or file) given to ``extract``; the texts of
            the drawn articles missing from ``articles_text`` are read from
            it (only those files: :func:`pipeline.report_sentences.read_texts`).
        settings: the extraction's settings (reading limits, sentence
            length), to cut the drawn articles into the same sentences;
            default settings when None.

    Returns:
        The path of ``report.html``.

    Raises:
        SchemaError: when ``claims.jsonl`` or ``checks.jsonl`` is missing or
            malformed, or the checks name claims it does not have (E256).
    """
    return write_review_outputs(out_dir, articles_text, charts=charts, max_articles=max_articles,
                                problems=problems, tables=False, max_claims=max_claims,
                                articles=articles, settings=settings)[0]



_DIGEST_FIELDS = operator.itemgetter("claim_id", "doc_id", "sentence_index", "company", "metric", "unit",
                                     "segment", "period", "value", "modality")
"""The fields of a claim row a :class:`ClaimDigest` keeps, taken in one call."""


class ClaimDigest(NamedTuple):
    """The few fields of a claim the page needs for every claim (overview, charts, which articles to draw).

    Read like a claim row: ``digest["company"]`` and ``digest.get("value")``.
    """

    claim_id: str
    doc_id: str
    sentence_index: int
    company: str | None
    metric: str
    unit: str | None
    segment: str | None
    period: str | None
    value: float | None
    modality: str
    line: int

    def get(self, key: str, default: Any = None) -> Any:
        """The field ``key``, or ``default`` when there is no such field."""
        return getattr(self, key, default)

    def __getitem__(self, key):  # a field by name, or by position as a tuple
        return getattr(self, key) if isinstance(key, str) else tuple.__getitem__(self, key)


_STATUS_CODES = {0: STATUS_UNCHECKED, 1: STATUS_CONSISTENT, 2: STATUS_INCONSISTENT}


class _StatusByLine(Mapping):
    """Check status per claim id, read from one byte per claims-file line (0 unchecked, 1, 2 inconsistent)."""

    def __init__(self, line_of: Mapping[str, int], flags: bytearray) -> None:
        self.line_of, self.flags = line_of, flags

    def __getitem__(self, claim_id: str) -> str:
        return _STATUS_CODES[self.flags[self.line_of[claim_id]]]

    def __iter__(self):
        return iter(self.line_of)

    def __len__(self) -> int:
        return len(self.line_of)


def write_review_outputs(out_dir: Path | str, articles_text: Mapping[str, str] | None = None,
                         charts: bool = True, max_articles: int = 200,
                         problems: list[InputProblem] | None = None,
                         tables: bool = True, page: bool = True,
                         max_claims: int = MAX_EMBEDDED_CLAIMS, articles: Path | str | None = None,
                         settings: Settings | None = None) -> list[Path]:
    """Write the tables (:func:`write_tables`) and ``report.html`` (:func:`build_report`) from one read.

    The claims and checks stream from their JSONL files once for both (the
    checks twice: their Parquet types are known only at the end), so time
    grows linearly with the run and memory with the claims' few kept fields.
    Every file is written whole under a temporary name first, and nothing is
    renamed into place before all of them are (E256, a full disk or an
    interruption leaves the old files as they were); they are then renamed
    together under ``report.partial`` (:data:`REPORT_MARKER`), which is removed
    after the last rename, so a run killed among the renames leaves the
    marker: the folder's tables and page may then be of two runs.

    Args:
        out_dir: the output folder.
        articles_text: as :func:`build_report`.
        charts: as :func:`build_report`.
        max_articles: as :func:`build_report`.
        problems: when given, bad input rows are skipped and listed here once;
            when None, they raise.
        tables: write ``claims.csv``, ``claims.parquet``, ``checks.csv`` and ``checks.parquet``.
        page: write ``report.html``.
        max_claims: as :func:`build_report`.
        articles: as :func:`build_report` (the drawn articles' texts, for every sentence).
        settings: as :func:`build_report`.

    Returns:
        The paths written (the tables first, the page last).

    Raises:
        SchemaError: as :func:`build_report`.
        UsageError: E404 when another run holds the folder.
    """
    out = Path(out_dir)
    with OutputLock(out, "newsfigures report"), StagedFiles(out, REPORT_MARKER, "newsfigures report") as stage, \
            _heap_kept():
        written = _review_outputs(out, stage, articles_text, charts, max_articles, problems, tables, page,
                                  max_claims, articles, settings)
        stage.commit()
        return written


@contextlib.contextmanager
def _heap_kept() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off the objects made before the block, while it runs.

    The report keeps a digest of every claim (tuples the collector never lets go of) and then makes
    the page and the charts, whose many short-lived objects set off collections: each full one went
    over every digest again (measured at 10,000 articles: drawing the charts after the page, on the
    larger heap, cost 2-3 CPU s more). :func:`_reading` stops the collector while the claims and
    checks are read (no cycles are made there); here ``gc.freeze`` then sets what was read aside,
    so later collections see only the objects made since. ``gc.unfreeze`` when the block ends.
    """
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """No cyclic collection while the claims and checks are read (rows are freed by reference
    counting; the digests kept make no cycles); what was read is then frozen (:func:`_heap_kept`)."""
    from .checks import no_cycle_collection

    try:
        with no_cycle_collection():
            yield
    finally:
        gc.freeze()


def _review_outputs(out: Path, stage: StagedFiles, articles_text: Mapping[str, str] | None, charts: bool,
                    max_articles: int, problems: list[InputProblem] | None, tables: bool, page: bool,
                    max_claims: int, articles_path: Path | str | None = None,
                    settings: Settings | None = None) -> list[Path]:
    began = time.perf_counter()
    strict = problems is None
    found: list[InputProblem] = []
    line_of: dict[str, int] = {}  # claim id -> line of claims.jsonl
    digests: list[ClaimDigest] = []
    shared: dict[Any, Any] = {}  # one string object per distinct value
    written: list[Path] = []
    check_tables = CheckTables(out, stage) if tables and (out / CHECKS_FILE).is_file() else None
    checks_seen = _CheckStats()
    with ExitStack() as stack:
        stack.enter_context(_reading())
        claim_tables = stack.enter_context(ClaimTables(out, stage)) if tables else None
        share, digest = shared.setdefault, digests.append
        for line_no, claim in iter_claims(out, found, strict, line_of):
            if claim_tables is not None:
                claim_tables.add(claim)
            if page:
                claim_id, doc_id, sentence_index, company, metric, unit, segment, period, value, modality = (
                    _DIGEST_FIELDS(claim))
                digest(ClaimDigest(claim_id, share(doc_id, doc_id), sentence_index, share(company, company),
                                   share(metric, metric), share(unit, unit), share(segment, segment),
                                   share(period, period), value, share(modality, modality), line_no))
        flags = bytearray(max(line_of.values(), default=0) + 1)  # per claims-file line: check status code
        for _, check in iter_checks(out, found, strict, line_of):
            if check_tables is not None:
                check_tables.see(check)
            if page:
                checks_seen.add(check, line_of, flags)
        # the claims tables are whole here, after the checks proved theirs (renamed with the page)
    if claim_tables is not None:
        written += claim_tables.paths
    if problems is not None:
        problems.extend(found)
    if not page:
        if check_tables is not None:
            written += check_tables.write(row for _, row in iter_checks(out, [], False, None))
        return written

    # when a second core is idle the charts are drawn in a forked child (matplotlib's time on that
    # core, its memory not this process's) while the page is made here, and taken just before the
    # page is rendered
    status = _StatusByLine(line_of, flags)
    drawing = Aside(lambda: _company_charts(digests, status), enabled=CHARTS_ASIDE and core_free()) if charts else None
    try:
        return _review_page(out, stage, articles_text, max_articles, max_claims, articles_path, settings,
                            began, found, line_of, digests, flags, status, checks_seen, check_tables,
                            written, drawing)
    finally:
        if drawing is not None:
            drawing.cancel()  # a page that failed: the child is not waited for


CHARTS_ASIDE = True
"""Draw the charts in a forked child while the page is made, when a core is idle
(:class:`pipeline.aside.Aside`, :func:`pipeline.aside.core_free`; Linux)."""


def _company_charts(digests: list[ClaimDigest], status: Mapping[str, str]) -> list[dict[str, Any]]:
    """:func:`pipeline.report_chart.company_charts` (matplotlib imported only where the charts are drawn)."""
    from .report_chart import company_charts

    return company_charts(digests, status)


def _review_page(out: Path, stage: StagedFiles, articles_text: Mapping[str, str] | None, max_articles: int,
                 max_claims: int, articles_path: Path | str | None, settings: Settings | None, began: float,
                 found: list[InputProblem], line_of: dict[str, int], digests: list[ClaimDigest],
                 flags: bytearray, status: "_StatusByLine", checks_seen: "_CheckStats",
                 check_tables: CheckTables | None, written: list[Path], drawing: Aside | None) -> list[Path]:
    """The second half of :func:`_review_outputs`: the check tables' second pass and ``report.html``."""

    # which articles are drawn: those with a failed check first, then in doc_id order
    per_doc = Counter(d.doc_id for d in digests)
    doc_ids = sorted(per_doc)
    failing = sorted({d.doc_id for d in digests if flags[d.line] == 2})
    failing_set = set(failing)
    order = failing + [d for d in doc_ids if d not in failing_set]
    shown = set(order[:max_articles] if max_articles else order)
    # the claims embedded for search and review: the drawn articles', then whole articles in
    # the same order while they fit in max_claims
    embedded = set(shown)
    room = (max_claims or len(digests)) - sum(per_doc[d] for d in shown)
    for doc in order:
        if doc not in embedded:
            if per_doc[doc] > room:
                break
            embedded.add(doc)
            room -= per_doc[doc]
    article_anchor = {doc: f"a{i}" for i, doc in enumerate(doc_ids)}
    row_id = {d.claim_id: f"c{i}" for i, d in enumerate(digests) if d.doc_id in shown}
    embedded_ids = {d.claim_id for d in digests if d.doc_id in embedded}

    # the checks that name a drawn claim (for its tooltip and row); the check tables are written meanwhile
    checks: list[dict[str, Any]] = []
    checks_of: dict[str, list[int]] = defaultdict(list)
    rows_again = (row for _, row in iter_checks(out, [], False, None))
    for check in (check_tables.rows(rows_again) if check_tables is not None else rows_again):
        named = [cid for cid in dict.fromkeys(check["claim_ids"]) if cid in embedded_ids]
        if named:
            for cid in named:
                checks_of[cid].append(len(checks))
            checks.append(check)
    if check_tables is not None:
        written += check_tables.paths

    # the drawn articles' claims, and those the listed failed checks name, read whole
    wanted = {line_of[cid] for cid in embedded_ids}
    wanted |= {line_of[cid] for check in checks_seen.failed for cid in check["claim_ids"] if cid in line_of}
    whole = _claims_at_lines(out / CLAIMS_FILE, wanted)
    claims = [whole[d.line] for d in digests if d.claim_id in embedded_ids]  # file order
    errors = read_errors(out)
    articles_text = articles_text or {}

    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        by_doc[claim["doc_id"]].append(claim)
    # every sentence of the drawn articles (their texts given or read again from the articles given)
    shown_texts = {doc: articles_text[doc] for doc in shown if doc in articles_text}
    if articles_path is not None and len(shown_texts) < len(shown):
        shown_texts.update(read_texts(Path(articles_path), sorted(shown - set(shown_texts)), settings))
    spans_of = sentence_spans(shown_texts, {doc: by_doc[doc] for doc in shown}, settings)

    placements: dict[str, Placement] = {}
    unmarked: dict[str, list[str]] = {}
    articles = []
    for doc in sorted(by_doc):
        sentences = defaultdict(list)
        for claim in by_doc[doc]:
            sentences[(claim["sentence_index"], claim["sentence"])].append(claim)
        items: list[SentenceMarkup] = []
        anchors: list[tuple[int, str]] = []
        offsets: list[int | None] = []
        used: set[str] = set()
        for (index, text), rows in sorted(sentences.items(), key=lambda kv: kv[0][0]):
            offset = locate_sentence(text, rows, articles_text.get(doc))
            offsets.append(offset)
            marks, placed, missing = sentence_marks(text, rows, offset)
            placements.update(placed)
            unmarked.update(missing)
            attrs, classes = {}, {}
            for mark in marks:
                if not mark.main or doc not in shown:
                    continue
                first = next(c for c in rows if c["claim_id"] == mark.claim_ids[0])
                span = (mark.start, mark.end)
                attrs[span] = {
                    "data-claim-id": first["claim_id"],
                    "data-claim-ids": json.dumps(mark.claim_ids, ensure_ascii=False),
                    "data-part": mark.main, "data-start": str(first["start"]),
                    "data-end": str(first["end"]), "data-row": row_id[first["claim_id"]],
                    "title": " | ".join(_tooltip(c, status, checks, checks_of)
                                        for c in rows if c["claim_id"] in mark.claim_ids),
                }
                cls = ["nf-main", f"nf-main-{mark.main}"]
                if any(status[c] == STATUS_INCONSISTENT for c in mark.claim_ids):
                    cls.append("nf-fail")
                if any(placed[c].how != "offsets" for c in mark.claim_ids):
                    cls.append("nf-moved")
                classes[span] = " ".join(cls)
            items.append((text, marks, attrs, classes))
            anchor = f"{article_anchor[doc]}-s{index}"
            # two different texts under one sentence index (an extractor slip) stay apart
            anchors.append((index, anchor if anchor not in used else f"{anchor}-{len(used)}"))
            used.add(anchors[-1][1])
        if doc not in shown:
            continue  # embedded for search (its placements are known) but not drawn
        rendered = [{"index": index, "anchor": anchor, "html": Markup(markup), "offset": offset}
                    for (index, anchor), offset, markup in zip(anchors, offsets, render_sentences(items))]
        if doc in spans_of:
            rendered = _with_plain_sentences(rendered, spans_of[doc], shown_texts[doc], article_anchor[doc])
        doc_claims = by_doc[doc]
        articles.append({
            "anchor": article_anchor[doc], "doc_id": doc,
            "doc_date": doc_claims[0].get("doc_date"),
            "n_claims": len(doc_claims),
            "n_fail": sum(status[c["claim_id"]] == STATUS_INCONSISTENT for c in doc_claims),
            "sentences": rendered,
            "n_sentences": sum(1 for s in rendered if not s.get("plain")),
            "all_sentences": doc in spans_of,
        })

    rows = [_table_row(c, status, checks, checks_of, row_id, article_anchor, placements, unmarked)
            for c in claims if c["claim_id"] in row_id]
    rows_by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        rows_by_doc[row["doc_id"]].append(row)
    for article in articles:
        article["rows"] = rows_by_doc[article["doc_id"]]


    overview = _overview(digests, checks_seen, errors, flags, placements)
    failed = []
    for check in checks_seen.failed:
        links = [{"claim_id": cid, "row": row_id.get(cid),
                  "label": _short_claim(whole.get(line_of.get(cid, -1)))}
                 for cid in check.get("claim_ids", [])]
        failed.append({**check, "links": links})
    misplaced = [{"row": row_id.get(c["claim_id"]), "claim_id": c["claim_id"],
                  "how": placements[c["claim_id"]].how, "figure": main_part(c)[1]}
                 for c in claims if placements[c["claim_id"]].how != "offsets"]

    review_data = page_data(claims, status, checks, checks_of, row_id, article_anchor, placements)
    # the page keeps a reviewer's decisions in the browser under this run's digest only
    with (out / CLAIMS_FILE).open("rb") as handle:
        review_data["run"] = hashlib.file_digest(handle, "sha256").hexdigest()[:16]
    summary = read_summary(out)
    table_names = [name for name in TABLE_FILES if (out / name).is_file() or name in stage.names]
    # what the page needs of the embedded claims, so that they can go before the page is rendered
    embedded_facts = {
        "review_claims": len(claims), "unembedded_claims": len(digests) - len(claims),
        "companies": sorted({_company_label(c) for c in claims}),
        "metrics": sorted({c.get("metric") or "" for c in claims}),
        "filter_values": filter_values(claims),
    }
    claims = whole = by_doc = doc_claims = None  # the embedded claims, read whole, are not needed further
    embedded_facts["review_data"] = Markup(pack(_script_json(review_data)))
    del review_data

    chart_list, chart_seconds = [], 0.0
    if drawing is not None:
        chart_list, chart_seconds = drawing.result(), drawing.seconds
    env = _env()
    template = env.get_template("report.html.j2")
    assets = Path(__file__).parent / "templates"
    html_page = template.render(
        title=f"newsfigures report: {out.resolve().name}",
        overview=overview, failed=failed, failed_total=checks_seen.inconsistent, misplaced=misplaced,
        charts=chart_list, articles=articles, rows=rows, errors=errors,
        hidden_articles=len(doc_ids) - len(shown),
        skipped_rows=[str(p) for p in found],
        total_articles=len(doc_ids), hidden_claims=len(digests) - len(rows),
        **embedded_facts, packed=PACKED,
        tables=table_names, skipped=summary.get("skipped"),
        parts=PARTS,
        css=Markup((assets / "report.css").read_text(encoding="utf-8")),
        js=Markup((assets / "report.js").read_text(encoding="utf-8")),
    )
    seconds = time.perf_counter() - began
    html_page = html_page.replace("<!--BUILD-SECONDS-->",
                                  f"built in {seconds:.2f} s (charts {chart_seconds:.2f} s)")
    path = out / REPORT_FILE
    with atomic_path(path, stage) as tmp:  # a full disk leaves no half-written page behind
        tmp.write_text(html_page, encoding="utf-8")
    return [*written, path]


class _CheckStats:
    """What the page counts over every check row, kept as the rows stream past."""

    def __init__(self) -> None:
        self.total = self.consistent = self.inconsistent = 0
        self.by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        self.failed: list[dict[str, Any]] = []  # the first MAX_FAILED_LISTED inconsistent checks

    def add(self, check: Mapping[str, Any], line_of: Mapping[str, int], flags: bytearray) -> None:
        """Count one check row and mark the status of the claims it names in ``flags`` (by claims-file line)."""
        state = check.get("status")
        self.total += 1
        self.by_kind[check.get("check", "?")][state] += 1
        code = 2 if state == STATUS_INCONSISTENT else 1
        if state == STATUS_CONSISTENT:
            self.consistent += 1
        elif state == STATUS_INCONSISTENT:
            self.inconsistent += 1
            if len(self.failed) < MAX_FAILED_LISTED:
                self.failed.append(dict(check))
        for cid in check["claim_ids"]:
            line = line_of.get(cid)
            if line is not None and flags[line] < code:
                flags[line] = code


def _claims_at_lines(path: Path, lines: set[int]) -> dict[int, dict[str, Any]]:
    """The claim rows on the given lines of a claims file (lines already validated), normalised as
    :func:`read_claims` gives them; the other lines are not parsed."""
    out: dict[int, dict[str, Any]] = {}
    if not lines:
        return out
    last = max(lines)
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, 1):
            if line_no in lines:
                row = loads_line(raw, line_no == 1)
                out[line_no] = row if _whole_row(row) else Claim.from_dict(row).to_dict()
            if line_no >= last:
                break
    return out


def _with_plain_sentences(rendered: list[dict[str, Any]], spans: list[tuple[int, int]], text: str,
                          anchor: str) -> list[dict[str, Any]]:
    """The claim sentences of an article with every other (not blank) sentence between them, in order.

    A sentence without a claim is plain text (``plain``: its exact text, at
    its article offset), so that a reviewer can select a missed figure in it.
    """
    by_index = {s["index"]: s for s in rendered}
    out = []
    for index, (start, end) in enumerate(spans):
        if index in by_index:
            out.append(by_index[index])
        elif not text[start:end].isspace() and start < end:
            out.append({"index": index, "anchor": f"{anchor}-s{index}", "offset": start,
                        "plain": text[start:end], "html": None})
    return out


def _short_claim(claim: Mapping[str, Any] | None) -> str:
    if claim is None:
        return "(claim not in claims.jsonl)"
    parts = [_company_label(claim), claim.get("metric") or "", claim.get("segment") or "",
             claim.get("period") or "", format_value(claim) or format_change(claim)]
    return " · ".join(p for p in parts if p)


def _tooltip(claim: Mapping[str, Any], status: Mapping[str, str], checks: list[Mapping[str, Any]],
             checks_of: Mapping[str, list[int]]) -> str:
    text = f"{claim['claim_id']}: {_short_claim(claim)}"
    failed = [checks[i] for i in checks_of.get(claim["claim_id"], [])
              if checks[i].get("status") == STATUS_INCONSISTENT]
    for check in failed:
        text += f" — FAILED {check.get('check')}: {check.get('message', '')}"
    return text


def _table_row(claim: Mapping[str, Any], status: Mapping[str, str],
               checks: list[Mapping[str, Any]], checks_of: Mapping[str, list[int]],
               row_id: Mapping[str, str], article_anchor: Mapping[str, str],
               placements: Mapping[str, Placement], unmarked: Mapping[str, list[str]]
               ) -> dict[str, Any]:
    cid = claim["claim_id"]
    return {
        "id": row_id[cid], "claim_id": cid, "doc_id": claim["doc_id"],
        "article": article_anchor[claim["doc_id"]],
        "sentence_anchor": f"{article_anchor[claim['doc_id']]}-s{claim['sentence_index']}",
        "sentence_index": claim["sentence_index"],
        "company": _company_label(claim), "metric": claim.get("metric") or "",
        "segment": claim.get("segment") or "",
        "value": format_value(claim), "value_sort": "" if claim.get("value") is None else claim["value"],
        "unit": claim.get("unit") or "",
        "period": claim.get("period") or "",
        "change": format_change(claim),
        "change_sort": "" if claim.get("change") is None else claim["change"],
        "modality": claim.get("modality") or "", "source": claim.get("source") or "",
        "confidence": "" if claim.get("confidence") is None else f"{claim['confidence']:.2f}",
        "status": status[cid],
        "checks": [checks[i] for i in checks_of.get(cid, [])],
        "placement": placements[cid].how,
        "unmarked": unmarked.get(cid, []),
        "sentence": claim["sentence"],
    }


def _overview(claims: list[ClaimDigest], checks: "_CheckStats", errors: list[Mapping[str, Any]],
              flags: bytearray, placements: Mapping[str, Placement]) -> dict[str, Any]:
    """The overview's numbers: every claim and check counted; ``at_offsets`` of the ``placed`` claims drawn."""
    companies = Counter(_company_label(c) for c in claims)
    metrics = Counter(c.metric or "" for c in claims)
    statuses = Counter(_STATUS_CODES[flags[c.line]] for c in claims)
    sentences: dict[str, set[int]] = defaultdict(set)
    for c in claims:
        sentences[c.doc_id].add(c.sentence_index)
    top_company = max([*companies.values(), 1])
    top_metric = max([*metrics.values(), 1])
    return {
        "articles": len(sentences),
        "sentences": sum(map(len, sentences.values())),
        "claims": len(claims),
        "checks": checks.total,
        "consistent": checks.consistent,
        "inconsistent": checks.inconsistent,
        "claims_by_status": dict(statuses),
        "checks_by_kind": [{"check": k, "consistent": v[STATUS_CONSISTENT],
                            "inconsistent": v[STATUS_INCONSISTENT]}
                           for k, v in sorted(checks.by_kind.items())],
        "companies": [{"name": k, "n": v, "pct": 100 * v / top_company} for k, v in companies.most_common()],
        "metrics": [{"name": k, "n": v, "pct": 100 * v / top_metric} for k, v in metrics.most_common()],
        "at_offsets": sum(p.how == "offsets" for p in placements.values()),
        "placed": len(placements),
        "failed_articles": len(errors),
    }


# ---------------------------------------------------------------------------
# Data the page embeds for search, filters and review

REVIEW_COLUMNS: tuple[str, ...] = (
    "claim_id", "doc", "sentence_index", "sentence", "row", "article",
    "doc_date", "start", "end", "company", "metric", "segment",
    "value", "value_text", "unit", "qualifier", "value_high", "period",
    "direction", "change", "change_unit", "change_basis", "change_text", "modality", "source",
    "confidence", "status", "value_label", "change_label", "checks", "placement")
"""Columns of the embedded claim table (one list per column, in this order).

``doc`` and ``sentence`` index the ``docs`` and ``sentences`` lists (each
sentence text is stored once); ``claim_id`` is the number ``k`` when the id
is ``"{doc_id}:{sentence_index}:{k}"`` (the schema's form), else the id;
``row`` and ``article`` are the element ids of the claim's row and article
section when the article is drawn, else null; ``value_label`` and
``change_label`` are the figures as the tables write them; ``checks`` is a
flat list of ``check, status, count, message`` fours per kind and status
of the checks naming the claim: ``check`` and ``status`` index
``check_words``, ``message`` indexes ``messages`` (the first inconsistent
check's message) or is null; ``placement`` is ``offsets``, ``text`` or
``missing`` (see :class:`Placement`). The other columns are the claim row's
own fields, so that the page can write a corrected claim in the gold
format. Columns in :data:`CODED_COLUMNS` hold an index into
``vocab[column]`` (null stays null)."""

CODED_COLUMNS: tuple[str, ...] = (
    "article", "doc_date", "company", "metric", "segment", "unit", "qualifier", "period", "direction",
    "change_unit", "change_basis", "modality", "source", "status", "placement")
"""Embedded columns with few distinct values, stored as indices into a list of them
(keeps the page small: 5,000 articles, 70,000 claims)."""


def read_summary(out_dir: Path | str) -> dict[str, Any]:
    """Read ``OUT_DIR/summary.json`` (written by ``extract``), or ``{}`` when absent or unreadable."""
    path = Path(out_dir) / SUMMARY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def page_data(claims: list[Mapping[str, Any]], status: Mapping[str, str],
              checks: list[Mapping[str, Any]], checks_of: Mapping[str, list[int]],
              row_id: Mapping[str, str], article_anchor: Mapping[str, str],
              placements: Mapping[str, Placement]) -> dict[str, Any]:
    """Build the claim table the page embeds (every claim, also of articles not drawn).

    Args:
        claims: the claim rows.
        status: check status per claim id.
        checks: the check rows.
        checks_of: per claim id the indices of the checks naming it.
        row_id: element id of each drawn claim's table row.
        article_anchor: element id of each article's section.
        placements: where each claim's main figure was found.

    Returns:
        ``{"columns": REVIEW_COLUMNS, "n": number of claims, "claims":
        [[...], ...], "vocab": {column: [values]}, "check_words": [...],
        "messages": [...], "docs": [...], "sentences": [...]}``: ``claims``
        holds one list per column of :data:`REVIEW_COLUMNS` (in that order),
        each with one value per claim in file order. Column by column, like
        values sit together, so the packed page data is about a seventh of
        the row-by-row layout's (:mod:`pipeline.report_pack`).
    """
    docs: dict[str, int] = {}
    sentences: dict[str, int] = {}
    vocab: dict[str, dict[Any, int]] = {name: {} for name in CODED_COLUMNS}
    kinds: dict[str, int] = {}
    messages: dict[str, int] = {}
    table: list[list[Any]] = [[] for _ in REVIEW_COLUMNS]
    for claim in claims:
        cid = claim["claim_id"]
        doc = docs.setdefault(claim["doc_id"], len(docs))
        sentence = sentences.setdefault(claim["sentence"], len(sentences))
        prefix = f"{claim['doc_id']}:{claim['sentence_index']}:"
        suffix = cid[len(prefix):] if cid.startswith(prefix) else ""
        row = row_id.get(cid)
        summary: dict[tuple[str, str], list] = {}
        for i in checks_of.get(cid, []):
            kind, state = checks[i].get("check"), checks[i].get("status")
            entry = summary.setdefault((kind, state), [_code(kinds, kind), _code(kinds, state), 0, None])
            entry[2] += 1
            if state == STATUS_INCONSISTENT and entry[3] is None:
                entry[3] = _code(messages, checks[i].get("message", ""))
        values = {
            **claim, "doc": doc, "sentence": sentence, "row": row,
            "claim_id": int(suffix) if suffix.isdigit() and str(int(suffix)) == suffix else cid,
            "article": article_anchor[claim["doc_id"]] if row else None,
            "status": status[cid], "value_label": format_value(claim),
            "change_label": format_change(claim), "checks": [x for e in summary.values() for x in e],
            "placement": placements[cid].how,
        }
        for name in CODED_COLUMNS:
            if values.get(name) is not None:
                values[name] = vocab[name].setdefault(values[name], len(vocab[name]))
        for column, name in zip(table, REVIEW_COLUMNS):
            column.append(values.get(name))
    return {"columns": list(REVIEW_COLUMNS), "n": len(claims), "claims": table,
            "vocab": {name: list(codes) for name, codes in vocab.items()},
            "check_words": list(kinds), "messages": list(messages),
            "docs": list(docs), "sentences": list(sentences)}


def _code(codes: dict[str, int], value: str) -> int:
    return codes.setdefault(value, len(codes))


def filter_values(claims: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The choices of the page's filters: every period (in time order), unit, source and modality."""
    def by_time(period: str) -> tuple:
        point = period_point(period)
        return (point is None, point.x if point else 0.0, period)

    return {
        "period": sorted({c["period"] for c in claims if c.get("period")}, key=by_time),
        "unit": sorted({c["unit"] for c in claims if c.get("unit")}),
        "source": sorted({c["source"] for c in claims if c.get("source")}),
        "modality": sorted({c["modality"] for c in claims if c.get("modality")}),
    }


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
