"""Shared by the check tests on extracted articles (not a test module itself).

``SEED_RELATIONS``: the five relations a story on Xiaomi's first quarter of
2023 states, as ``(check, observed, expected)``: smartphone revenue 35 of
59.5 billion yuan is 58.8%; overseas 27 of 59.5 is 45.4%; segments summing
to 59.4 against the stated 59.5 billion; 6.2 -> 4.7 billion yuan is -24.2%;
30.4 million units down 21.1% is "8 million fewer".
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipeline.checks import check_claims
from pipeline.extract import run_extract

SEED_RELATIONS = [
    ("share_of_total", 58.8, 35 / 59.5 * 100),
    ("share_of_total", 45.4, 27 / 59.5 * 100),
    ("segment_sum", 59.5e9, 59.4e9),
    ("change_vs_prior", -24.2, (4.7 / 6.2 - 1) * 100),
    ("change_abs_vs_pct", -8e6, 30.4e6 * -21.1 / 78.9),
]


def checks_of_extracted(articles: list[Path], tmp_path_factory) -> list[dict]:
    """Copy ``articles`` into a temporary folder, run ``extract`` on it and check its claims.

    Returns:
        The check rows (schema v1) of the extractor's own output.
    """
    folder = tmp_path_factory.mktemp("articles")
    for path in articles:
        shutil.copy(path, folder / path.name)
    out = tmp_path_factory.mktemp("out")
    run_extract(folder, out, force=True, progress=False)
    with (out / "claims.jsonl").open(encoding="utf-8") as handle:
        return check_claims([json.loads(line) for line in handle])
