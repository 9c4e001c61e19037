"""Claims and one failed check written for the report tests: ``docs`` one-claim articles, and a
conflict between the last article named and the first."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.claim import FIELD_NAMES


def write_conflicted_run(out_dir: Path, docs: int) -> Path:
    """Write ``claims.jsonl`` (article ``d{k}.txt``: "Revenue was $1{k} billion.") and a
    ``checks.jsonl`` with one inconsistent conflict between d5 and d0 into ``out_dir``; return it."""
    rows = []
    for k in range(docs):
        rows.append({name: None for name in FIELD_NAMES} | {
            "claim_id": f"d{k}.txt:0:0", "doc_id": f"d{k}.txt", "sentence_index": 0,
            "sentence": f"Revenue was $1{k} billion.", "start": 12, "end": 12 + len(f"$1{k} billion"),
            "company": "Acme", "metric": "revenue", "value": float(f"1{k}e9"), "value_text": f"$1{k} billion",
            "unit": "USD", "qualifier": "exact", "modality": "actual", "period": "2023"})
    (out_dir / "claims.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    check = {"check": "conflict", "status": "inconsistent", "claim_ids": ["d5.txt:0:0", "d0.txt:0:0"],
             "expected": 1e10, "observed": 1.5e10, "tolerance": 1e8, "message": "differ"}
    (out_dir / "checks.jsonl").write_text(json.dumps(check) + "\n", encoding="utf-8")
    return out_dir
