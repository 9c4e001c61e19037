"""Candidates for each claim slot (company, metric, segment, period).

A candidate is a value the slot could take: a mention in the sentence, what
carry-over holds from earlier sentences, the headline's and lead's
mentions, the article's most-named company, a variant of a period (fiscal or
calendar naming, a year earlier), the value the rules of
:mod:`pipeline.claims` chose, and NONE. One module per slot; the pool that
merges the candidates of one value is :mod:`pipeline.attachment.pool`.
"""
from __future__ import annotations

from .company import company_candidates
from .metric import metric_candidates
from .period import period_candidates
from .pool import Candidate
from .segment import segment_candidates

__all__ = ["GENERATORS", "Candidate"]

GENERATORS = {"company": company_candidates, "metric": metric_candidates,
              "segment": segment_candidates, "period": period_candidates}
"""Slot -> candidate generator ``(row, view, lists, role, kind) -> list[Candidate]``."""
