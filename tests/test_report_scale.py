"""The report on a large run: tables written in batches, page bounded by what it draws and embeds."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline import tables
from pipeline.claim import FIELD_NAMES
from pipeline.report import build_report, write_tables
from pipeline.report_pack import unpack

from report_rows import write_conflicted_run

FIXTURE = Path(__file__).parent / "fixtures" / "review"


def _copy_fixture(tmp_path: Path) -> Path:
    for name in ("claims.jsonl", "checks.jsonl"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    return tmp_path


def test_tables_in_batches_are_the_bytes_of_one_frame(tmp_path, monkeypatch):
    """Rows written a few at a time give the CSV of one frame of every row, and the same Parquet values."""
    out = _copy_fixture(tmp_path)
    claims = [json.loads(line) for line in (out / "claims.jsonl").read_text(encoding="utf-8").splitlines() if line]
    checks = [json.loads(line) for line in (out / "checks.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert len(claims) > 4 and len(checks) > 4  # several batches of each
    monkeypatch.setattr(tables, "BATCH_ROWS", 2)
    write_tables(out)
    whole = pd.DataFrame([{name: c.get(name) for name in FIELD_NAMES} for c in claims], columns=list(FIELD_NAMES))
    assert (out / "claims.csv").read_text(encoding="utf-8") == whole.to_csv(index=False)
    parquet = pd.read_parquet(out / "claims.parquet")
    assert list(parquet["claim_id"]) == [c["claim_id"] for c in claims]
    checks_csv = pd.read_csv(out / "checks.csv")
    assert [json.loads(ids) for ids in checks_csv["claim_ids"]] == [c["claim_ids"] for c in checks]
    assert [list(ids) for ids in pd.read_parquet(out / "checks.parquet")["claim_ids"]] == [c["claim_ids"] for c in checks]


def _run(tmp_path: Path, docs: int) -> Path:
    return write_conflicted_run(tmp_path, docs)


def _embedded(page: str) -> dict:
    """The page's claim data: packed (gzip+base64), one list per column, ``n`` claims."""
    data = page.split('id="nf-data" data-encoding="gzip+base64">', 1)[1].split("</script>", 1)[0]
    return json.loads(unpack(data))


def test_the_page_embeds_at_most_max_claims_whole_articles_drawn_ones_first(tmp_path):
    out = _run(tmp_path, 6)
    page = build_report(out, charts=False, max_articles=2, max_claims=3).read_text(encoding="utf-8")
    data = _embedded(page)
    # the two drawn articles (failed check: d0, d5), then d1 in doc_id order
    assert sorted(data["docs"]) == ["d0.txt", "d1.txt", "d5.txt"]
    assert "the other 3 claims are counted above" in page
    assert page.count('class="nf-article"') == 2
    every = _embedded(build_report(out, charts=False, max_articles=2, max_claims=0).read_text(encoding="utf-8"))
    assert every["n"] == 6 and all(len(column) == 6 for column in every["claims"])
    assert data["n"] == 3 and all(len(column) == 3 for column in data["claims"])


def test_the_overview_counts_every_claim_when_few_are_drawn(tmp_path):
    out = _run(tmp_path, 6)
    page = build_report(out, charts=False, max_articles=1, max_claims=1).read_text(encoding="utf-8")
    assert "Showing 1 of 6 articles" in page
    assert "1 / 1</b>highlighted at their offsets (of the claims on this page)" in page
