"""The five seed relations on the real dev article, checked on the extractor's own output.

``../shared/dev/articles/xiaomi-q1-2023-ai-models.txt`` (not ours; copied
only to a temporary folder, never into the project) states: smartphone
revenue 35 of 59.5 billion yuan is 58.8%; overseas revenue 27 of 59.5 is 45.4%; segments 35 + 16.8 + 7 + 0.6
against 59.5; 6.2 -> 4.7 billion yuan is -24.2%; 30.4 million units down
21.1% is "8 million fewer". Each must come out ``consistent``. Skipped when
``../shared`` is not beside the project.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from seed_relations import SEED_RELATIONS, checks_of_extracted

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "dev" / "articles" / "xiaomi-q1-2023-ai-models.txt"

pytestmark = pytest.mark.skipif(not ARTICLE.exists(), reason=f"{ARTICLE} is not here (../shared beside the project)")


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict]:
    return checks_of_extracted([ARTICLE], tmp_path_factory)


@pytest.mark.parametrize("check, observed, expected", SEED_RELATIONS)
def test_seed_relation_is_consistent(rows, check, observed, expected):
    found = [r for r in rows if r["check"] == check and r["observed"] == pytest.approx(observed, rel=1e-9)]
    assert [r["status"] for r in found] == ["consistent"], found
    assert found[0]["expected"] == pytest.approx(expected, rel=1e-6)


def test_nothing_in_the_article_is_flagged(rows):
    assert [r["message"] for r in rows if r["status"] == "inconsistent"] == []
