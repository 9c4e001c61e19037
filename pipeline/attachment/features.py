"""Features of a candidate: how it stands to the figure, never what it is.

Every feature is a name with the value 1.0 (an indicator) unless said
otherwise. Names are ``group=value`` strings so that the model file reads
as a table of evidence. Identity features (a company's name, an article's
words) are left out on purpose: they memorise articles (see
``../shared/attachment_design.md``).
"""
from __future__ import annotations

import bisect
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..claim import ALT_BASES

_WORD = re.compile(r"[A-Za-z][A-Za-z'&.-]*|[,;(]")
_DISTANCE_EDGES = (0, 2, 5, 10, 20, 40)
"""Token-distance buckets: 0, 1-2, 3-5, 6-10, 11-20, 21-40, more."""


@dataclass(frozen=True)
class WordLists:
    """The closed word lists of ``models/attachment_features.toml``."""

    between: frozenset[str]
    before: frozenset[str]
    after: frozenset[str]
    titles: frozenset[str]
    not_names: frozenset[str]
    institutions: frozenset[str]
    after_figure: frozenset[str]
    not_segment_words: frozenset[str]
    change_nouns: frozenset[str]
    modifier_stops: frozenset[str]
    places: frozenset[str]
    segment_words: frozenset[str] = frozenset()


@lru_cache(maxsize=4)
def word_lists(models_dir: str) -> WordLists:
    """Load the word lists once per models folder.

    Raises:
        LexiconError: E301 when the file is missing or has an unknown key.
    """
    from ..lexicons import read_toml

    data = read_toml(Path(models_dir) / "attachment_features.toml",
                     {"between", "before", "after", "titles", "not_names", "institutions", "after_figure",
                      "not_segment_words", "change_nouns", "modifier_stops"})
    return WordLists(*(frozenset(data.get(k, ())) for k in ("between", "before", "after", "titles", "not_names",
                                                             "institutions", "after_figure", "not_segment_words",
                                                             "change_nouns", "modifier_stops")),
                     places=place_names(), segment_words=_segment_words(Path(models_dir)))


def _segment_words(models_dir: Path) -> frozenset[str]:
    """Every word of the segment lexicon's names and patterns (``models/segments.jsonl``),
    lowercased: a phrase made of them reads like a product line, unit or geography."""
    from ..lexicons import load_segments

    return frozenset(w for e in load_segments(models_dir) for form in (e.segment, *e.patterns, *e.case_patterns)
                     for w in form.lower().split())


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """English names of countries and territories, lowercased (CLDR data, via Babel)."""
    from babel import Locale

    names = set()
    for name in Locale("en").territories.values():
        names.add(name.lower())
        names.add(name.split(" (")[0].lower())
    return frozenset(names)


def bucket(n: int, edges: tuple[int, ...] = _DISTANCE_EDGES) -> str:
    """The bucket label of a non-negative count: ``"0"``, ``"<=2"`` ... ``">40"``."""
    for e in edges:
        if n <= e:
            return f"<={e}" if e else "0"
    return f">{edges[-1]}"


def words(s: str) -> list[str]:
    """Lowercased words and the punctuation marks ``, ; (`` of a stretch of text."""
    if s.isascii():  # lowering first changes no match: only A-Z change, and the pattern takes either case
        return _WORD.findall(s.lower())
    return [w.lower() for w in _WORD.findall(s)]


def position(view, a: int, b: int, fa: int, fb: int, lists: WordLists) -> dict[str, float]:
    """Features of a mention at ``[a, b)`` relative to a figure at ``[fa, fb)`` in one sentence.

    Returns:
        side (before/after/overlap), token distance bucket, same clause and
        same comma part, the number of other figures between, the cue words
        between, and the words right before and after the mention. Words are
        read from the sentence's word index (:func:`sentence_words`), once per
        sentence.
    """
    if b <= fa:
        side, lo, hi = "before", b, fa
    elif a >= fb:
        side, lo, hi = "after", fb, a
    else:
        side, lo, hi = "overlap", fa, fa
    ix = _word_index(view, lists)
    starts = ix.starts
    i, j = bisect_left(starts, lo), bisect_left(starts, hi)
    dist = _BUCKETS[j - i] if j - i < len(_BUCKETS) else _FAR
    breaks, commas = view.breaks, view.commas
    f = {_SIDE[side]: 1.0, _DIST[dist]: 1.0, _SIDE_DIST[side, dist]: 1.0,
         "same_clause=True" if bisect_left(breaks, a) == bisect_left(breaks, fa) else "same_clause=False": 1.0,
         "same_comma=True" if bisect_left(commas, a) == bisect_left(commas, fa) else "same_comma=False": 1.0}
    figs = ix.figure_starts
    f[_FIGS[min(bisect_left(figs, hi) - bisect_left(figs, lo), 3)]] = 1.0
    if side != "overlap":
        other = _nearest_other_figure(view, starts, a, b, fa)
        if other is not None and other < j - i:
            # another figure stands nearer the mention: "HP, with 17.4 percent market share,
            # dropped 9.5 percent" (the share names the 17.4, not the 9.5)
            f["other_figure_nearer"] = 1.0
            if other == 0:
                f["other_figure_adjacent"] = 1.0
    at, names = ix.mark_at, ix.mark_names
    for k in range(bisect_left(at, i), bisect_left(at, j)):
        f[names[k]] = 1.0
    f.update(_mention_context(view, a, b, lists, starts, ix.lowered))
    return f


def _nearest_other_figure(view, starts: list[int], a: int, b: int, fa: int) -> int | None:
    """Words between a mention at ``[a, b)`` and the nearest figure of the sentence that does not
    start at ``fa`` and does not overlap the mention; None when there is no such figure."""
    spans = view.cache.get("sorted_figure_spans")
    if spans is None:
        spans = view.cache["sorted_figure_spans"] = sorted(view.figure_spans)
    k = bisect_left(spans, (b, -1))
    best = None
    for fs, fe in spans[k:k + 2]:  # the first figures after the mention
        if fs != fa:
            best = bisect_left(starts, fs) - bisect_left(starts, b)
            break
    for fs, fe in reversed(spans[max(0, k - 2):k]):  # the last ones before it
        if fs != fa and fe <= a:
            n = bisect_left(starts, a) - bisect_left(starts, fe)
            best = n if best is None else min(best, n)
            break
    return best


class _WordIndex(NamedTuple):
    """What :func:`position` reads of a sentence, found once per sentence.

    Attributes:
        starts, lowered: the sentence's words and marks (:func:`sentence_words`).
        mark_at, mark_names: the indices (into ``starts``) of the words that give a ``between``
            feature when they stand between a mention and a figure (a cue word of
            ``lists.between``, or "," ";" for ``punct_between``) and those features' names.
        figure_starts: start offsets of the sentence's figures, increasing.
    """

    starts: list[int]
    lowered: list[str]
    mark_at: list[int]
    mark_names: list[str]
    figure_starts: list[int]


def _word_index(view, lists: WordLists) -> _WordIndex:
    found = view.cache.get("word_index")
    if found is None:
        starts, lowered = sentence_words(view)
        at, names = [], []
        for k, w in enumerate(lowered):
            if w in lists.between:
                at.append(k)
                names.append("between=" + w)
            elif w == "," or w == ";":
                at.append(k)
                names.append("punct_between")
        found = view.cache["word_index"] = _WordIndex(starts, lowered, at, names, view.figure_starts)
    return found


_SIDE = {s: f"side={s}" for s in ("before", "after", "overlap")}
_DIST = {bucket(n): f"dist={bucket(n)}" for n in range(0, 60)}
_BUCKETS = [bucket(n) for n in range(_DISTANCE_EDGES[-1] + 1)]
"""The distance bucket of each word count up to the last edge; beyond it, ``_FAR``."""
_FAR = bucket(_DISTANCE_EDGES[-1] + 1)
_SIDE_DIST = {(s, d): f"dist_{s}={d}" for s in _SIDE for d in _DIST}
_FIGS = [f"figs_between={n}" for n in range(4)]


def sentence_words(view) -> tuple[list[int], list[str]]:
    """The sentence's words and the marks ``, ; (``: their start offsets and lowercased forms."""
    found = view.cache.get("words")
    if found is None:
        starts = [m.start() for m in _WORD.finditer(view.norm, view.s0, view.s1)]
        text = view.norm[view.s0:view.s1]
        if text.isascii():  # lowering first changes no match (see words()): the same words, lowercased
            lowered = _WORD.findall(text.lower())
        else:
            lowered = [m.group(0).lower() for m in _WORD.finditer(view.norm, view.s0, view.s1)]
        found = view.cache["words"] = (starts, lowered)
    return found


def _mention_context(view, a: int, b: int, lists: WordLists, starts: list[int], lowered: list[str]) -> dict:
    """The words right before and after a mention (cached per mention)."""
    key = ("context", a, b)
    found = view.cache.get(key)
    if found is None:
        found = {}
        i = bisect.bisect_left(starts, a)
        if i and lowered[i - 1] in lists.before:
            found["prev=" + lowered[i - 1]] = 1.0
        nxt = view.norm[b:b + 2]
        if nxt in ("'s", "’s"):
            found["next='s"] = 1.0
        else:
            k = bisect.bisect_left(starts, b)
            if k < len(lowered) and lowered[k] in lists.after:
                found["next=" + lowered[k]] = 1.0
        view.cache[key] = found
    return found


def person_like(view, a: int, b: int, lists: WordLists) -> bool:
    """A mention that reads as a person: after a title word, or before "said"/"says"."""
    prev = words(view.norm[max(0, a - 40):a])
    nxt = words(view.norm[b:b + 12])
    return bool(prev and prev[-1] in lists.titles) or bool(nxt and nxt[0] in ("said", "says", "told"))


def _derived(metric: str) -> str:
    """The form the rules gave a metric: a range of change ("revenue growth"), a change on an
    alternative basis ("constant currency revenue"), or none."""
    if metric.startswith(tuple(f"{b} " for b in ALT_BASES)):
        return "alt_basis"
    return "growth" if metric.endswith(" growth") else "none"


def claim_features(row: dict, view, lists: WordLists, role: str, kind: str) -> dict[str, float]:
    """Features of a whole row for the claim decision (is this figure a claim at all?).

    Returns:
        indicators of the figure's role, kind, unit class, qualifier, size,
        change and basis, modality, the words right around it, whether it
        stands in parentheses, the number of figures in the sentence,
        whether the rules found a metric, company and period for it, and
        whether the rules derived its metric (a range of change, an
        alternative basis).
    """
    fa, fb = row["start"], row["end"]
    unit = row.get("unit") or ""
    unit_cls = "pct" if unit in ("%", "pp") else "money" if len(unit) == 3 and unit.isupper() else \
        "none" if not unit else "count"
    v = row.get("value")
    size = "none" if v is None else bucket(len(str(int(abs(v)))) if abs(v) < 1e18 else 19, (1, 2, 3, 4, 6, 9))
    f = dict(_row_facts(role, kind, unit_cls, size, row.get("qualifier"), row.get("change") is not None,
                        row.get("change_basis"), row.get("modality"), row.get("metric") == "unknown",
                        row.get("company") is not None, row.get("period") is not None,
                        row.get("segment") is not None, min(len(view.figure_spans), 5), view.index == 0,
                        _derived(row.get("metric") or "")))
    prev = words(view.norm[max(view.s0, fa - 30):fa])
    if prev:
        f[f"prev={prev[-1] if prev[-1] in lists.before or prev[-1] in lists.between else 'other'}"] = 1.0
    nxt = words(view.norm[fb:fb + 30])
    if nxt:
        f[f"next={nxt[0] if nxt[0] in lists.after_figure or nxt[0] in lists.after else 'other'}"] = 1.0
    opened = view.norm.rfind("(", view.s0, fa)
    if opened > view.norm.rfind(")", view.s0, fa):
        f["in_parentheses"] = 1.0
    rank = bisect_left(view.figure_starts, fa)  # the figures that start before this one
    f[f"figure_rank={min(rank, 3)}|of={min(len(view.figure_spans), 4)}"] = 1.0
    return f


ROW_FACT_SETS = 4096
"""Distinct combinations of a row's facts whose claim features are kept (closed sets of words,
flags and small counts: a run meets a few hundred)."""


@lru_cache(maxsize=ROW_FACT_SETS)
def _row_facts(role: str, kind: str, unit_cls: str, size: str, qualifier: str | None, has_change: bool,
               basis: str | None, modality: str | None, metric_unknown: bool, company: bool, period: bool,
               segment: bool, figures: int, headline: bool, derived: str) -> dict[str, float]:
    """The claim features of :func:`claim_features` that come from the row's facts alone
    (shared: the caller copies the dict)."""
    return {f"role={role}": 1.0, f"kind={kind}": 1.0, f"unit={unit_cls}": 1.0, f"size={unit_cls}|{size}": 1.0,
            f"qualifier={qualifier}": 1.0, f"has_change={has_change}|role={role}": 1.0,
            f"basis={basis}": 1.0, f"modality={modality}": 1.0,
            f"metric_unknown={metric_unknown}": 1.0, f"company={company}": 1.0,
            f"period={period}": 1.0, f"segment={segment}": 1.0,
            f"figures={figures}": 1.0, f"headline={headline}": 1.0,
            f"derived_metric={derived}": 1.0}


def role_features(row: dict, view, lists: WordLists) -> dict[str, float]:
    """Features for the role decision of a lone percentage: a level ("a margin of 21%") or a
    change ("21% growth", "grew 21%")?

    Returns:
        the claim features plus: the position of a change noun after the
        figure, the direction and basis cues of its clause (before or after
        it), the word before it, the metric's kind, and the role the rules
        gave it (measured: without it the decision is worse, CV matched
        claims 1,144 -> 1,129).
    """
    fa, fb = row["start"], row["end"]
    f = {"r:" + k: v for k, v in claim_features(row, view, lists, "", "").items()}
    nxt = words(view.norm[fb:fb + 40])[:3]
    for i, w in enumerate(nxt):
        if w in lists.change_nouns:
            f[f"r:change_noun_at={i}"] = 1.0
            break
    clause = view.clause(fa)
    for c in view.cues:
        if view.clause(c.start) != clause:
            continue
        side = "before" if c.end <= fa else "after"
        f[f"r:cue={c.label}|{side}"] = 1.0
    prev = words(view.norm[max(view.s0, fa - 25):fa])
    if prev:
        f[f"r:prev={prev[-1] if prev[-1] in lists.before or prev[-1] in lists.between else 'other'}"] = 1.0
    metric = row.get("metric") or ""
    kind = "ratio" if any(w in metric for w in ("margin", "share", "rate", "ratio", "penetration")) else \
        "unknown" if metric == "unknown" else "amount"
    f[f"r:metric={kind}"] = 1.0
    f[f"r:rules_read_a_change={row.get('value') is None}"] = 1.0
    return f
