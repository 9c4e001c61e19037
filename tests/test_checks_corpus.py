"""The checks on the extractor's own output for the corpus articles written for them.

``xiaomi_q1_2023_results.txt`` states five relations that hold within
rounding; the ``altered_*`` articles state figures that no rounding
reconciles. These tests run the real extractor (no hand-made claims), so
they fail when either extraction or checking breaks a relation.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from seed_relations import SEED_RELATIONS, checks_of_extracted

ARTICLES = Path(__file__).resolve().parent.parent / "corpus" / "articles"
NAMES = ("xiaomi_q1_2023_results.txt", "altered_share_off.txt", "altered_segment_overshoot.txt",
         "altered_conflict_a.txt", "altered_conflict_b.txt")


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict]:
    return checks_of_extracted([ARTICLES / name for name in NAMES], tmp_path_factory)


def about(rows: list[dict], doc: str, check: str, observed: float) -> list[dict]:
    """Rows of one check on one article whose checked figure is ``observed``."""
    return [r for r in rows if r["check"] == check and r["claim_ids"][0].startswith(doc + ":")
            and r["observed"] == pytest.approx(observed, rel=1e-9)]


@pytest.mark.parametrize("check, observed, expected", SEED_RELATIONS)
def test_seed_relations_hold(rows, check, observed, expected):
    found = about(rows, "xiaomi_q1_2023_results.txt", check, observed)
    assert [r["status"] for r in found] == ["consistent"], found or rows
    assert found[0]["expected"] == pytest.approx(expected, rel=1e-6)


def test_seed_article_has_no_inconsistency(rows):
    flagged = [r["message"] for r in rows if r["status"] == "inconsistent"
               and r["claim_ids"][0].startswith("xiaomi_q1_2023_results.txt:")]
    assert flagged == []


def test_share_off_by_three_points_is_flagged(rows):
    found = about(rows, "altered_share_off.txt", "share_of_total", 43.0)
    assert [r["status"] for r in found] == ["inconsistent"], rows
    assert found[0]["expected"] == pytest.approx(40.0)
    assert "43%" in found[0]["message"] and "40%" in found[0]["message"]


def test_segment_overshoot_is_flagged(rows):
    found = about(rows, "altered_segment_overshoot.txt", "segment_sum", 8.2e9)
    assert [r["status"] for r in found] == ["inconsistent"], rows
    assert found[0]["expected"] == pytest.approx(9.0e9)
    assert "8.2 billion EUR" in found[0]["message"] and "9 billion EUR" in found[0]["message"]


def test_two_articles_disagreeing_on_revenue_are_flagged(rows):
    found = [r for r in rows if r["check"] == "conflict" and r["status"] == "inconsistent"
             and {i.split(":")[0] for i in r["claim_ids"]} == {"altered_conflict_a.txt", "altered_conflict_b.txt"}]
    assert len(found) == 1, rows
    assert sorted([found[0]["expected"], found[0]["observed"]]) == pytest.approx([12.4e9, 13.9e9])
    assert "12.4 billion USD" in found[0]["message"] and "13.9 billion USD" in found[0]["message"]
