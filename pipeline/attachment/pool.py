"""Candidates and the pool that merges them; the nearest mentions of a kind.

A candidate is a value a slot (company, metric, segment, period) could take,
with its features. Candidates with the same value are merged into one whose
features are the union, so the softmax is over distinct values.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache

from .features import WordLists, position


@dataclass(slots=True)
class Candidate:
    """One value a slot may take.

    Attributes:
        value: the slot's value (None = NONE).
        text: the words it came from, or None (carried, inferred).
        feats: feature name -> value.
        dist: character distance of its nearest mention to the figure (None: not in the sentence).
    """

    value: str | None
    text: str | None = None
    feats: dict[str, float] = field(default_factory=dict)
    dist: int | None = None


def _fold_case(v):
    return v.lower() if isinstance(v, str) else v


class Pool:
    """Candidates keyed by value; entries with the same value are merged when the pool is done.

    A merged candidate has the position features of its nearest mention,
    the other features of every entry that has no position (carried,
    article-level, the rules' choice), and one ``src=`` feature per entry.
    Features are indicators: every value is 1.0 (see :mod:`.features`).
    """

    __slots__ = ("entries", "fold")

    def __init__(self, fold=_fold_case) -> None:
        self.entries: dict = {}
        self.fold = fold

    def add(self, value: str | None, src: str, text: str | None = None, feats: dict | None = None,
            dist: int | None = None) -> None:
        """Add an entry: a value with its source, the words it came from, its features and the
        distance of its mention to the figure (None: no mention).

        The features of an entry with a distance (a mention's, made for this figure) are handed
        over: the candidate may keep and extend that dict. Those of an entry without one may be
        shared (cached) and are only read.
        """
        if isinstance(value, str) and not value.strip():
            return
        key = self.fold(value)
        group = self.entries.get(key)
        if group is None:
            self.entries[key] = group = (value, [], [])
        if dist is None:
            group[2].append((src, text, feats))
        else:
            group[1].append((src, text, feats, dist))

    def done(self, row: dict, slot: str, role: str, kind: str) -> list[Candidate]:
        """The merged candidates, one per value, in the order their values were first added."""
        out = []
        rule = self.fold(row.get(slot))
        for key, (value, placed, other) in self.entries.items():
            if not placed and len(other) == 1:  # the common case: one entry without a mention
                src, text, fs = other[0]
                feats = dict(fs) if fs else {}
                srcs = (src,)
                dist = None
            else:
                if placed:
                    best = min(placed, key=_distance) if len(placed) > 1 else placed[0]
                    srcs, text, feats, dist = [e[0] for e in placed], best[1], best[2], best[3]
                    if feats is None:
                        feats = {}  # handed over by add(): the candidate keeps the nearest mention's dict
                else:
                    srcs, text, feats, dist = [], None, {}, None
                for src, t, fs in other:
                    srcs.append(src)
                    if fs:
                        feats.update(fs)  # indicators (every value 1.0): the union of the features
                    if text is None:
                        text = t
                srcs = tuple(srcs)
            feats.update(_source_features(srcs, role, kind))
            if key == rule:
                feats["rule_choice"] = 1.0
            if value is None:
                feats["none"] = 1.0
            out.append(Candidate(value, text, feats, dist))  # indicators only: every value is 1.0
        return out


def _distance(entry: tuple) -> int:
    return entry[3]


SOURCE_FEATURE_SETS = 4096
"""Distinct (sources, role, kind) combinations whose features are kept (a run meets a few hundred)."""


@lru_cache(maxsize=SOURCE_FEATURE_SETS)
def _source_features(srcs: tuple[str, ...], role: str, kind: str) -> dict[str, float]:
    """The features a candidate's sources give it: ``src=``, crossed with the figure's role and
    kind, for each source in order, then the number of distinct sources (capped at 4)."""
    feats = {}
    for src in srcs:
        for k in (f"src={src}", f"src={src}|role={role}", f"src={src}|kind={kind}"):
            feats[k] = 1.0
    feats[f"n_src={min(len(set(srcs)), 4)}"] = 1.0
    return feats


NEAREST = 5
"""Mentions of one kind a figure considers: the nearest this many on each side (a sentence of a
flattened table may hold hundreds; the far ones are never the figure's)."""


def nearest(view, group: str, fa: int, fb: int) -> list:
    """The mentions of ``group`` in the sentence nearest a figure at ``[fa, fb)``, in text order."""
    mentions = getattr(view, group)
    if len(mentions) <= 2 * NEAREST:
        return mentions
    starts = view.cache.get(("starts", group))
    if starts is None:
        starts = view.cache[("starts", group)] = [m.start for m in mentions]
    i = bisect.bisect_left(starts, fa)
    return mentions[max(0, i - NEAREST):i + NEAREST]


def mention_feats(view, m, fa: int, fb: int, lists: WordLists) -> tuple[dict, int]:
    f = position(view, m.start, m.end, fa, fb, lists)
    dist = fa - m.end if m.end <= fa else m.start - fb if m.start >= fb else 0
    return f, dist

