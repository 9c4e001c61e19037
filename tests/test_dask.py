"""extract --engine dask: the same shard function on a dask.distributed cluster writes the same bytes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.extract import run_extract

distributed = pytest.importorskip("distributed")

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "articles"
ROW_FILES = ("claims.jsonl", "errors.jsonl", "warnings.jsonl")
SMALL = Settings(shard_bytes=8_000)


def test_a_local_cluster_of_two_workers_writes_the_same_bytes_as_the_local_run(tmp_path: Path) -> None:
    local = tmp_path / "local"
    run_extract(CORPUS, local, SMALL, progress=False, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        out = tmp_path / "dask"
        summary = run_extract(CORPUS, out, SMALL, progress=False, engine="dask",
                              scheduler=cluster.scheduler_address)
    for name in ROW_FILES:
        assert (out / name).read_bytes() == (local / name).read_bytes(), name
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (data["engine"], data["workers"], data["complete"]) == ("dask", 2, True)
    assert summary.shards == data["shards"] > 2 and summary.claims > 300
    assert not (out / "parts").exists()  # merged, then removed


def test_the_dask_engine_without_a_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        run_extract(CORPUS, tmp_path / "out", SMALL, progress=False, engine="dask")
    assert err.value.code == "E407"
    assert not (tmp_path / "out").exists()  # refused before anything is written
