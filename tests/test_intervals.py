"""Interval search (pipeline/intervals.py) gives the answers of the all-pairs scans it replaces."""
from hypothesis import given
from hypothesis import strategies as st

from pipeline.intervals import Ranges, any_between

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1])), max_size=25)
query = st.tuples(st.integers(-5, 70), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1]))


@given(spans, query)
def test_overlaps_is_the_all_pairs_scan(ranges, q):
    a, b = q
    assert Ranges(ranges).overlaps(a, b) == any(a < y and x < b for x, y in ranges)


@given(spans, query)
def test_contains_is_the_all_pairs_scan(ranges, q):
    s, e = q
    assert Ranges(ranges).contains(s, e) == any(x <= s and e <= y for x, y in ranges)


@given(st.lists(st.integers(0, 100), max_size=30), st.integers(-5, 105), st.integers(0, 40))
def test_any_between_is_the_scan(points, low, width):
    assert any_between(sorted(points), low, low + width) == any(low < p <= low + width for p in points)


def test_examples():
    ranges = Ranges([(10, 20), (0, 3)])
    assert ranges.overlaps(19, 25) and not ranges.overlaps(20, 25) and not ranges.overlaps(3, 10)
    assert ranges.contains(12, 20) and not ranges.contains(12, 21) and not Ranges([]).contains(0, 0)
    assert any_between([5, 40], 4, 5) and not any_between([5, 40], 5, 39)
