"""The two records claim assembly works on: a lexicon mention and a figure being assembled.

:class:`Mention` is a span of a lexicon span group (``companies``,
``metrics``, ``segments``, ``cues``) laid on the text; :class:`Item` is one
figure of a sentence with the role it is given (level, change, prior) and
the figures it is paired with.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..numbers import Figure


@dataclass(slots=True)
class Mention:
    """A lexicon mention laid on the text: offsets, label, canonical id."""

    start: int
    end: int
    label: str
    id: str = ""
    extra: str = ""
    text: str = ""


@dataclass(slots=True, eq=False)
class Item:
    """A figure being assembled into a claim."""

    fig: Figure
    role: str = "level"  # level | change | prior
    change: "Item | None" = None
    level: "Item | None" = None
    prior: "Item | None" = None
    basis: str | None = None
    direction: str | None = None
    multiplier: float | None = None
    text: str = ""
    direction_src: str = ""
    further_of: "Item | None" = None  # the level this second change also moves ("down 5% ... but up 19% sequentially")
    metric_prefix: str = ""  # one of ALT_BASES: "or 29% on a constant currency basis"
