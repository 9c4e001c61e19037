"""Attachment as learned decisions.

The grammars find figures, periods and mentions, and the rules of
:mod:`pipeline.claims` give every figure its role and a first claim row.
This package then decides each claim's company, metric, segment and period
again, from data:

```
SentenceView + ArticleContext        (context.py: what the sentence and article hold)
  -> candidates per slot             (candidates.py: mentions, carry-over, lead, NONE)
  -> features per candidate          (features.py: relations, never identities)
  -> linear scorer, softmax, argmax  (model.py: weights read from models/attachment.json)
  -> rows with confidence            (model.py: calibrated on held-out folds)
```

The model is fitted by :mod:`pipeline.attachment.training` (``newsfigures
train``) and measured by cross-validation over articles
(:mod:`pipeline.attachment.crossval`, ``newsfigures eval --cv``).
"""

SLOTS = ("company", "metric", "segment", "period")
"""The claim fields decided by the model, in the order they are decided."""

DECISIONS = SLOTS + ("claim", "role")
"""Every decision the model file holds weights for: the slots (softmax over candidates), and two
yes/no decisions over a row (``claim``: is it a claim at all; ``role``: is a lone percentage a change)."""
