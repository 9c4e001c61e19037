"""Interval search: does any of many ranges overlap or hold a given one?

The lexicon stages ask, for every mention of an article, whether one of
the article's blocked ranges (metrics, segments, known names, cue
blockers) overlaps or contains it. Asked by scanning every range, that is
mentions x ranges work: quadratic in an article's length. :class:`Ranges`
sorts the ranges once by start and keeps the running maximum of their
ends, so each question is one binary search (``bisect``): the time per
article stays linear in its length (up to a log factor).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Iterable


class Ranges:
    """A fixed set of ranges ``(start, end)`` (end-exclusive offsets), asked by binary search.

    Args:
        ranges: the ranges, in any order; any integer offsets (characters
            or tokens), empty or overlapping ranges allowed.
    """

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self.starts = [start for start, _ in ordered]
        # the largest end among the ranges up to each position (ranges sorted by start)
        self.max_end = list(accumulate((end for _, end in ordered), max))

    def __len__(self) -> int:
        return len(self.starts)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some range ``(x, y)`` has ``start < y`` and ``x < end``.

        The same answer as ``any(start < y and x < end for x, y in ranges)``.
        """
        k = bisect_left(self.starts, end)  # the ranges with x < end
        return k > 0 and self.max_end[k - 1] > start

    def contains(self, start: int, end: int) -> bool:
        """Whether some range ``(x, y)`` has ``x <= start`` and ``end <= y``.

        The same answer as ``any(x <= start and end <= y for x, y in ranges)``.
        """
        k = bisect_right(self.starts, start)  # the ranges with x <= start
        return k > 0 and self.max_end[k - 1] >= end


def any_between(sorted_points: list[int], low: int, high: int) -> bool:
    """Whether some point ``p`` of ``sorted_points`` (ascending) has ``low < p <= high``.

    The same answer as ``any(low < p <= high for p in sorted_points)``, by one binary search.
    """
    k = bisect_right(sorted_points, low)
    return k < len(sorted_points) and sorted_points[k] <= high
