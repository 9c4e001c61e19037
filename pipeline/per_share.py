"""Figures of a company's shares: per-share sums ("$1.59 per share", "70 cents a share", "$0.74 EPS"
measure earnings or a loss per share, not the amount named before them) and moves of the shares
("Shares have lost about 13.9%", "the stock fell 3%").

Read by the rules and the attachment model alike.
"""
from __future__ import annotations

import re

_PER_SHARE = re.compile(r"\s*(?:\([^()]{0,30}\)\s*)?(?:per|a)\s+(?:diluted\s+|basic\s+|adjusted\s+|ordinary\s+)?"
                        r"(?:share|ads)\b", re.I)
_EPS_AFTER = re.compile(r"\s*(?:in\s+)?(?:adjusted\s+|diluted\s+|non-gaap\s+)?eps\b", re.I)
PER_SHARE_METRIC = re.compile(r"per (?:share|ads)\b|price")
"""Metrics a per-share sum may measure: earnings, loss or dividend per share, a share's price."""


def per_share_metric(text: str, s0: int, fa: int, fb: int, unit: str | None) -> str | None:
    """The per-share metric of a sum at ``text[fa:fb]`` in a sentence starting at ``s0``, or None.

    Args:
        unit: the figure's unit (an ISO 4217 code for money); "EPS" after a figure counts only
            for money.

    Returns:
        "earnings per share", "loss per share" (a loss and no profit in the 80 characters
        before), each with "adjusted " before it when "adjusted" or "non-GAAP" is near;
        None when no "per share", "a share", "per ADS" or "EPS" follows the figure.
    """
    after = text[fb:fb + 40]
    if not (_PER_SHARE.match(after) or (unit or "").isupper() and _EPS_AFTER.match(after)):
        return None
    head = text[max(s0, fa - 80):fa].lower()
    adjusted = "adjusted" in head or "non-gaap" in head or "adjusted" in after.lower()
    base = "loss per share" if "loss" in head and "profit" not in head else "earnings per share"
    return ("adjusted " if adjusted else "") + base


SHARES_MOVE = re.compile(r"(?i)\b(?:shares|stock|share\s+price)\b[^.;]{0,40}$")
"""The shares or the stock within 40 characters before a figure, in its sentence."""


def shares_move(text: str, s0: int, fa: int, metric_spans: list[tuple[int, int]]) -> bool:
    """Whether a percentage at ``fa`` is the move of the shares named right before it ("Shares have
    lost about 13.9%", "the stock has fallen around 8 per cent"): the shares or the stock within 40
    characters before it in the sentence starting at ``s0``, not a "market share", and no metric
    (``metric_spans``, ``[start, end)`` offsets) named between them and the figure.
    """
    at = SHARES_MOVE.search(text, max(s0, fa - 80), fa)
    if at is None or text[max(s0, at.start() - 7):at.start()].lower().endswith("market "):
        return False
    return not any(at.end() <= a and b <= fa for a, b in metric_spans)
