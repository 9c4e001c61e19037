"""The decisions of claim assembly, one module each, in the order a sentence takes them.

1. :mod:`.roles`: each figure a level, a change or a prior (earlier) level.
2. :mod:`.pairing`: each change paired with the level it moves; "from X to Y".
3. :mod:`.direction`: a change's direction, its basis (yoy, qoq, mom,
   from_value) and the claim's modality (actual or forecast).
4. :mod:`.metric`: the metric a figure measures.
5. :mod:`.company`: the company, or market-wide; the research firm as source.
6. :mod:`.segment`: the segment from the lexicon's mentions, lists, markets;
   :mod:`.segment_names`: unit names the lexicon does not know, what money
   is spent on, a geography after the figure.
7. :mod:`.period`: the figure's own period, the sentence's, or the one in force.

Each module holds one mixin class that ``pipeline.claims.sentence._Sentence``
combines; the methods read the sentence's mentions and clause offsets
(``self.norm``, ``self.items``, ``self.clause`` ...) and the article state in
force (``self.state``).
"""
from __future__ import annotations

from .company import CompanyRules
from .direction import DirectionRules
from .metric import MetricRules
from .pairing import PairingRules
from .period import PeriodRules
from .roles import RoleRules
from .segment import SegmentRules
from .segment_names import SegmentNameRules

__all__ = ["CompanyRules", "DirectionRules", "MetricRules", "PairingRules", "PeriodRules", "RoleRules",
           "SegmentNameRules", "SegmentRules"]
