"""Runs paired by "respectively": the n-th figure of a run belongs to the n-th name of a run before it.

"Rivals XPeng and NIO reported gross margins of 12.9% and 4.9%, respectively"; "adjusted
EBITDA and adjusted net profit were CNY2.6 billion and CNY2.7 billion, respectively". Read by
the rules and the attachment model alike (company and metric names).
"""
from __future__ import annotations

import re

# between two members of a run: a comma or "and", then maybe "the"/"its" and one word more
# ("shipments and the average price"; a figure's unit may be written after each one: "146
# million units and 103 million units")
_RUN_GAP = re.compile(r"(?:\s*(?:%|percent|per\s+cent)|\s+[a-z]+)?\s*(?:,\s*(?:and\s+)?|\s+and\s+)"
                      r"(?:(?:the|its|their)\s+(?:[a-z-]+\s+)?)?")


def runs(spans: list[tuple[int, int]], text: str) -> list[list[tuple[int, int]]]:
    """Spans (``[start, end)`` offsets in ``text``, in text order) grouped into runs joined by
    commas or "and" ("XPeng and NIO", "12.9% and 4.9%")."""
    out: list[list[tuple[int, int]]] = []
    for a, b in spans:
        if out and _RUN_GAP.fullmatch(text, out[-1][-1][1], a):
            out[-1].append((a, b))
        else:
            out.append([(a, b)])
    return out


def respective_owners(text: str, s0: int, s1: int, figure_spans: list[tuple[int, int]],
                      mentions: list) -> dict[int, int]:
    """For a sentence ``text[s0:s1]`` that says "respectively": figure start -> start of the
    mention at the same place in the run of ``mentions`` (objects with ``start``/``end``) right
    before the figures' run, for runs of the same length (two or more); empty otherwise."""
    if text.find("respectively", s0, s1) == -1 or len(mentions) < 2:
        return {}
    named = runs(sorted({(m.start, m.end) for m in mentions}), text)
    out: dict[int, int] = {}
    for figures in runs(sorted(figure_spans), text):
        if len(figures) < 2:
            continue
        before = [run for run in named if len(run) == len(figures) and run[-1][1] <= figures[0][0]]
        if before:
            out.update({fa: ma for (fa, _), (ma, _) in zip(figures, before[-1])})
    return out


# a figure shared out by "each": ", each with 16% market share", "each shipped 3.6 million units"
_EACH_BEFORE = re.compile(r"(?i)\beach\s+(?:with|at|had|has|have|held|holding|shipped|shipping|taking|took|"
                          r"accounting\s+for|recording|recorded)\s+(?:a\s+|an\s+|about\s+|around\s+|some\s+|nearly\s+)?$")


def each_owners(text: str, s0: int, fa: int, figure_spans: list[tuple[int, int]], mentions: list) -> list[int]:
    """For a figure at ``fa`` shared out by "each" ("Oppo and Vivo ..., each with 16% market
    share"; "Xiaomi and Fitbit ... each with 3.6 million units shipped and 13.7 per cent market
    share"): the starts of the mentions of the last run of two or more names before the "each"
    (``mentions``: objects with ``start``/``end``), one claim each; empty when no "each" governs
    the figure (the figures of one "each" phrase, joined by "and", share it)."""
    lead = text.rfind("each", s0, fa)
    if lead == -1:
        return []
    first = min(((a, b) for a, b in figure_spans if a >= lead), default=None)
    m = _EACH_BEFORE.search(text, max(s0, lead - 1), first[0]) if first else None
    if m is None or m.end() != first[0] or re.search(r"[,;.]", text[first[1]:fa]):
        return []  # no "each" right before the phrase's first figure, or the figure is past the phrase
    named = [run for run in runs(sorted({(x.start, x.end) for x in mentions if x.end <= lead}), text) if len(run) >= 2]
    return [a for a, _ in named[-1]] if named else []
