"""Claim assembly: turn the mentions of one article into schema-v1 claim rows.

Runs last in the pipeline (component ``figures_claims``). Per sentence it
decides, for every figure, whether it is a *level* (``revenue was 59.5
billion yuan``), a *change* (``down 18.9%``) or a *prior* level (``from 6.2
billion yuan``), pairs changes with their levels, and fills company, metric,
segment, period, direction, basis, modality and source from the mentions
around the figure and from what is in force from earlier sentences (schema
v1 carry-over rules). The attachment model (:mod:`pipeline.attachment`)
then re-decides company, metric, segment and period over candidates.

The modules follow the data, from mentions to candidates to decisions to rows::

    builder.py      ClaimBuilder: the component; an article's span groups -> Mention lists,
                    reference year, sentences (long ones cut), one _Sentence each
    items.py        Mention (a lexicon mention) and Item (a figure being assembled)
    sentence.py     _Sentence: one sentence's mentions, clauses and asides; the decisions combined
    figures.py      mentions -> candidate figures (kept figures, multipliers, "was flat")
    decisions/      one decision per module, in the order they are taken:
      roles.py        level, change or prior
      pairing.py      change -> its level; "from X to Y"
      direction.py    direction, change basis, forecast modality
      metric.py       what the figure measures
      company.py      whose figure, or market-wide; the source
      segment.py      the segment from the lexicon's mentions, lists, markets
      segment_names.py  unit names, spending targets, geographies read from the text
      period.py       the figure's period; period label comparisons
    rows.py         decisions -> claim rows (claims(), _row)
    state.py        ArticleState and carry-over after each sentence
    patterns.py     patterns and word lists several decisions share

Attachment rules (``../shared/claim_schema.md``):

* a level and its change in one sentence are ONE claim;
* a second change of the same level is its own claim without a value;
* ``from X to Y`` gives two claims: Y with the change (basis ``from_value``)
  and X with its own period and no change;
* a parenthesised currency conversion is not a claim (numbers stage).
"""
from __future__ import annotations

from .builder import ClaimBuilder, ClaimSettings
from .items import Item, Mention
from .sentence import _Sentence
from .state import ArticleState

__all__ = ["ArticleState", "ClaimBuilder", "ClaimSettings", "Item", "Mention", "_Sentence"]
