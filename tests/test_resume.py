"""Sharded runs: the manifest (pipeline/manifest.py), part files (pipeline/parts.py) and --resume.

The resume test kills a real ``extract`` (``kill -9``) once about half its
shards are done, spoils two of the parts it left, and checks that
``--resume`` keeps exactly the shards whose parts are whole and writes the
same bytes as an uninterrupted run.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.extract import run_extract
from pipeline.manifest import cut_shards, list_input, read_manifest
from pipeline.parts import part_path, shard_done

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus" / "articles"
ROW_FILES = ("claims.jsonl", "errors.jsonl", "warnings.jsonl")
TIMEOUT = 300  # seconds for any one subprocess


def test_shards_are_contiguous_in_input_order_and_balanced_by_size() -> None:
    entries = [("f", f"{i:02d}.txt", size) for i, size in enumerate([10, 10, 10, 10, 40, 10, 10])]
    entries.insert(2, ("s", ".hidden", "hidden"))
    shards = cut_shards(entries, 30)  # 100 bytes: 4 shards of about 25
    assert [e for s in shards for e in s.entries] == entries  # every entry once, in order
    assert [s.index for s in shards] == list(range(len(shards)))
    assert [s.bytes for s in shards] == [20, 20, 40, 20]  # each cut at the boundary nearest its share
    assert cut_shards(entries, 30) == shards  # the same input, the same cut
    fine = cut_shards(entries, 1)  # at most one shard a file, none empty
    assert 5 <= len(fine) <= 7 and all(any(e[0] == "f" for e in s.entries) for s in fine)
    assert len(cut_shards(entries, 10_000)) == 1
    assert cut_shards([], 30) == []


def test_the_listing_is_sorted_and_leaves_out_the_output_folder(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "b").mkdir(parents=True)
    for name in ("z.txt", "a.txt", "b/c.md", ".hid.txt"):
        (src / name).write_text("Revenue was $5 billion in 2023.", encoding="utf-8")
    (src / "out").mkdir()
    base, entries = list_input(src, src / "out", frozenset())
    assert base == str(src)
    assert entries == [("s", ".hid.txt", "hidden"), ("f", "a.txt", 31), ("f", "z.txt", 31), ("f", "b/c.md", 31)]


def test_a_part_changed_or_cut_short_is_not_complete(tmp_path: Path) -> None:
    out = tmp_path / "out"
    settings = Settings(shard_bytes=8_000)
    summary = run_extract(CORPUS, out, settings, progress=False, workers=1, write_summary=False)
    manifest = read_manifest(out)
    parts = out / "parts"
    assert summary.shards == len(manifest.shards) > 2
    assert all(shard_done(parts, s.index, manifest.fingerprint) is not None for s in manifest.shards)
    assert shard_done(parts, 0, "another run") is None
    claims = part_path(parts, 1, "claims")
    data = claims.read_bytes()
    claims.write_bytes(data[:10] + bytes([data[10] ^ 1]) + data[11:])  # same size, one bit changed
    assert shard_done(parts, 1, manifest.fingerprint) is None
    claims.write_bytes(data[:-5])
    assert shard_done(parts, 1, manifest.fingerprint) is None
    claims.write_bytes(data)
    assert shard_done(parts, 1, manifest.fingerprint).claims == data.count(b"\n")


def _config(tmp_path: Path, shard_bytes: int) -> Path:
    """The project's config.toml with smaller shards (and its models folder named absolutely)."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('models_dir = "models"', f'models_dir = "{REPO / "models"}"')
    text = text.replace("shard_bytes = 100_000", f"shard_bytes = {shard_bytes}")
    text = text.replace('sets = [["corpus', f'sets = [["{REPO}/corpus').replace('"corpus/gold', f'"{REPO}/corpus/gold')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=REPO)


def _done(parts: Path) -> set[int]:
    return {int(p.name.split(".")[0]) for p in parts.glob("*.done.json")} if parts.is_dir() else set()


def test_kill_9_half_way_then_resume_keeps_the_complete_shards_and_gives_the_same_bytes(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for copy in range(8):  # about 40,000 words
        for path in sorted(CORPUS.iterdir()):
            shutil.copy(path, src / f"{copy}_{path.name}")
    config = _config(tmp_path, 12_000)  # about 26 shards
    ref = tmp_path / "ref"
    result = _cli("extract", str(src), "--out", str(ref), "--config", str(config), "--workers", "2", "--no-progress")
    assert result.returncode == 0, result.stderr

    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", str(src), "--out", str(out),
                             "--config", str(config), "--workers", "2", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    try:
        total = None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if total is None and (out / "manifest.jsonl").exists():
                total = read_manifest(out).shards.__len__()
            if total and len(_done(out / "parts")) >= total // 2:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=TIMEOUT)
    time.sleep(0.5)  # the workers die with the run (PR_SET_PDEATHSIG): let the kernel finish them
    assert not (out / "summary.json").exists(), "the run ended before it was killed; nothing was tested"
    manifest = read_manifest(out)
    done = sorted(_done(out / "parts"))
    assert 0 < len(done) < len(manifest.shards)
    spoiled = part_path(out / "parts", done[0], "claims")  # a part changed since it was written
    spoiled.write_bytes(spoiled.read_bytes()[:-1] + b"X")
    part_path(out / "parts", done[-1], "done").unlink()  # a shard killed before its done record
    with pytest.raises(UsageError) as err:  # without --resume or --force, the run's files are not touched
        run_extract(src, out, progress=False)
    assert err.value.code == "E401" and "--resume" in err.value.reason

    result = _cli("extract", str(src), "--out", str(out), "--config", str(config), "--workers", "2", "--resume",
                  "--no-progress")
    assert result.returncode == 0, result.stderr
    for name in ROW_FILES:
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["shards_resumed"] == len(done) - 2 and summary["shards"] == len(manifest.shards)
    assert f"({len(done) - 2} resumed)" in result.stdout
    assert sorted(os.listdir(out)) == sorted(os.listdir(ref))  # parts and temporary files gone

    result = _cli("extract", str(src), "--out", str(out), "--config", str(config), "--resume", "--no-progress")
    assert result.returncode == 2 and "E405" in result.stderr  # the run has ended: nothing to resume


def test_resume_refuses_a_run_of_other_settings_and_a_folder_without_a_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(UsageError) as err:
        run_extract(CORPUS, out, progress=False, resume=True)
    assert err.value.code == "E405"
    assert not out.exists()  # refused before anything is written: the folder is not made
    run_extract(CORPUS, out, Settings(shard_bytes=8_000), progress=False, workers=1, write_summary=False)
    with pytest.raises(UsageError) as err:
        run_extract(CORPUS, out, Settings(shard_bytes=8_000, max_chars=5_000), progress=False, resume=True)
    assert err.value.code == "E406"
    with pytest.raises(UsageError) as err:
        run_extract(CORPUS, out, Settings(shard_bytes=8_000), default_date="2024-01-01", progress=False,
                    resume=True)
    assert err.value.code == "E406"
    # other workers and shard_bytes change no row: the run goes on, with the manifest's shards
    summary = run_extract(CORPUS, out, Settings(shard_bytes=50_000, workers=2), progress=False, resume=True)
    assert summary.shards_resumed == summary.shards > 2 and summary.complete


@pytest.mark.parametrize("args, message", [
    (["--resume", "--force"], "--resume or --force"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    (["--engine", "dask"], "--engine dask needs --scheduler"),
])
def test_the_command_line_refuses_options_that_do_not_go_together(tmp_path: Path, args: list[str],
                                                                   message: str) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["extract", str(CORPUS), "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()


def test_resume_refuses_articles_that_changed_since_the_run_started(tmp_path: Path) -> None:
    src = tmp_path / "articles"
    shutil.copytree(CORPUS, src)
    out = tmp_path / "out"
    run_extract(src, out, Settings(shard_bytes=8_000), progress=False, workers=1, write_summary=False)
    first = sorted(p for p in src.rglob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nRevenue rose 5% to $1 billion.\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        run_extract(src, out, Settings(shard_bytes=8_000), progress=False, resume=True)
    assert err.value.code == "E406" and first.name in str(err.value)
    first.write_text("", encoding="utf-8")
    (src / "added.txt").write_text("Apple revenue rose 5% to $90 billion.\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        run_extract(src, out, Settings(shard_bytes=8_000), progress=False, resume=True)
    assert err.value.code == "E406"
