"""Per-share sums: "$1.59 per share", "70 cents a share", "$0.74 EPS" measure earnings (or a loss)
per share, not the amount named before them ("profit rose to $720 million or $1.59 per share").

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
