"""The five seed relations on the real dev article, checked on the extractor's own output.

``../shared/dev/articles/xiaomi-q1-2023-ai-models.txt`` (not ours; read in
place, never copied) states: smartphone revenue 35 of 59.5 billion yuan is
58.8%; overseas revenue 27 of 59.5 is 45.4%; segments 35 + 16.8 + 7 + 0.6
against 59.5; 6.2 -> 4.7 billion yuan is -24.2%; 30.4 million units down
21.1% is "8 million fewer". Each must come out ``consistent``. Skipped when
``../shared`` is not beside the project.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.checks import check_claims
from pipeline.extract import run_extract

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "dev" / "articles" / "xiaomi-q1-2023-ai-models.txt"

pytestmark = pytest.mark.skipif(not ARTICLE.exists(), reason=f"{ARTICLE} is not here (../shared beside the project)")


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("dev")
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    out = tmp_path_factory.mktemp("out")
    run_extract(folder, out, force=True, progress=False)
    with (out / "claims.jsonl").open(encoding="utf-8") as handle:
        return check_claims([json.loads(line) for line in handle])


@pytest.mark.parametrize("check, observed, expected", [
    ("share_of_total", 58.8, 35 / 59.5 * 100),
    ("share_of_total", 45.4, 27 / 59.5 * 100),
    ("segment_sum", 59.5e9, 59.4e9),
    ("change_vs_prior", -24.2, (4.7 / 6.2 - 1) * 100),
    ("change_abs_vs_pct", -8e6, 30.4e6 * -21.1 / 78.9),
])
def test_seed_relation_is_consistent(rows, check, observed, expected):
    found = [r for r in rows if r["check"] == check and r["observed"] == pytest.approx(observed, rel=1e-9)]
    assert [r["status"] for r in found] == ["consistent"], found
    assert found[0]["expected"] == pytest.approx(expected, rel=1e-6)


def test_nothing_in_the_article_is_flagged(rows):
    assert [r["message"] for r in rows if r["status"] == "inconsistent"] == []
