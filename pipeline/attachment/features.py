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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"[A-Za-z][A-Za-z'&.-]*|[,;(]")
_GAP_CHARS = 400
"""Longest stretch between a figure and a mention read word by word (beyond it the distance is the
last bucket anyway, and a flattened table's sentence stays linear)."""
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
    places: frozenset[str]


@lru_cache(maxsize=4)
def word_lists(models_dir: str) -> WordLists:
    """Load the word lists once per models folder.

    Raises:
        LexiconError: E301 when the file is missing or has an unknown key.
    """
    from ..lexicons import read_toml

    data = read_toml(Path(models_dir) / "attachment_features.toml",
                     {"between", "before", "after", "titles", "not_names", "institutions", "after_figure",
                      "not_segment_words", "change_nouns"})
    return WordLists(*(frozenset(data.get(k, ())) for k in ("between", "before", "after", "titles", "not_names",
                                                             "institutions", "after_figure", "not_segment_words",
                                                             "change_nouns")),
                     places=place_names())


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
    return [w.lower() for w in _WORD.findall(s)]


def position(view, a: int, b: int, fa: int, fb: int, lists: WordLists, prefix: str = "") -> dict[str, float]:
    """Features of a mention at ``[a, b)`` relative to a figure at ``[fa, fb)`` in one sentence.

    Returns:
        side (before/after/overlap), token distance bucket, same clause and
        same comma part, the number of other figures between, the cue words
        between, and the words right before and after the mention.
    """
    f: dict[str, float] = {}
    if b <= fa:
        side, lo, hi = "before", b, fa
    elif a >= fb:
        side, lo, hi = "after", fb, a
    else:
        side, lo, hi = "overlap", fa, fa
    gap = words(view.norm[lo:hi] if hi - lo <= _GAP_CHARS else view.norm[lo:lo + _GAP_CHARS])
    f[f"{prefix}side={side}"] = 1.0
    f[f"{prefix}dist={bucket(len(gap))}"] = 1.0
    f[f"{prefix}dist_{side}={bucket(len(gap))}"] = 1.0
    same_clause = view.clause(a) == view.clause(fa)
    f[f"{prefix}same_clause={same_clause}"] = 1.0
    f[f"{prefix}same_comma={view.comma_clause(a) == view.comma_clause(fa)}"] = 1.0
    starts = view.figure_starts
    between_figs = bisect.bisect_left(starts, hi) - bisect.bisect_left(starts, lo)
    f[f"{prefix}figs_between={min(between_figs, 3)}"] = 1.0
    for w in set(gap) & lists.between:
        f[f"{prefix}between={w}"] = 1.0
    if "," in gap or ";" in gap:
        f[f"{prefix}punct_between"] = 1.0
    prev = words(view.norm[max(view.s0, a - 30):a])
    if prev and prev[-1] in lists.before:
        f[f"{prefix}prev={prev[-1]}"] = 1.0
    nxt = view.norm[b:b + 30]
    if nxt.startswith("'s") or nxt.startswith("’s"):
        f[f"{prefix}next='s"] = 1.0
    else:
        nw = words(nxt)
        if nw and nw[0] in lists.after:
            f[f"{prefix}next={nw[0]}"] = 1.0
    return f


def person_like(view, a: int, b: int, lists: WordLists) -> bool:
    """A mention that reads as a person: after a title word, or before "said"/"says"."""
    prev = words(view.norm[max(0, a - 40):a])
    nxt = words(view.norm[b:b + 12])
    return bool(prev and prev[-1] in lists.titles) or bool(nxt and nxt[0] in ("said", "says", "told"))


def claim_features(row: dict, view, lists: WordLists, role: str, kind: str) -> dict[str, float]:
    """Features of a whole row for the claim decision (is this figure a claim at all?).

    Returns:
        indicators of the figure's role, kind, unit class, qualifier, size,
        change and basis, modality, the words right around it, whether it
        stands in parentheses, the number of figures in the sentence, and
        whether the rules found a metric, company and period for it.
    """
    fa, fb = row["start"], row["end"]
    unit = row.get("unit") or ""
    unit_cls = "pct" if unit in ("%", "pp") else "money" if len(unit) == 3 and unit.isupper() else \
        "none" if not unit else "count"
    v = row.get("value")
    size = "none" if v is None else bucket(len(str(int(abs(v)))) if abs(v) < 1e18 else 19, (1, 2, 3, 4, 6, 9))
    f = {f"role={role}": 1.0, f"kind={kind}": 1.0, f"unit={unit_cls}": 1.0, f"size={unit_cls}|{size}": 1.0,
         f"qualifier={row.get('qualifier')}": 1.0, f"has_change={row.get('change') is not None}|role={role}": 1.0,
         f"basis={row.get('change_basis')}": 1.0, f"modality={row.get('modality')}": 1.0,
         f"metric_unknown={row.get('metric') == 'unknown'}": 1.0, f"company={row.get('company') is not None}": 1.0,
         f"period={row.get('period') is not None}": 1.0, f"segment={row.get('segment') is not None}": 1.0,
         f"figures={min(len(view.figure_spans), 5)}": 1.0, f"headline={view.index == 0}": 1.0}
    prev = words(view.norm[max(view.s0, fa - 30):fa])
    if prev:
        f[f"prev={prev[-1] if prev[-1] in lists.before or prev[-1] in lists.between else 'other'}"] = 1.0
    nxt = words(view.norm[fb:fb + 30])
    if nxt:
        f[f"next={nxt[0] if nxt[0] in lists.after_figure or nxt[0] in lists.after else 'other'}"] = 1.0
    opened = view.norm.rfind("(", view.s0, fa)
    if opened > view.norm.rfind(")", view.s0, fa):
        f["in_parentheses"] = 1.0
    rank = sum(1 for a, _ in view.figure_spans if a < fa)
    f[f"figure_rank={min(rank, 3)}|of={min(len(view.figure_spans), 4)}"] = 1.0
    return f


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
