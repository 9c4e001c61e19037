"""Part files: the rows of one shard on disk, and their merge into a run's outputs.

A shard's rows go to ``OUT_DIR/parts/NNNNNN.claims.jsonl``,
``NNNNNN.errors.jsonl`` and ``NNNNNN.warnings.jsonl``, each written under a
temporary name and renamed when whole; then ``NNNNNN.done.json`` records
the shard's counts and each part's size and SHA-256. A shard is complete
only when its done record is there, names the run's fingerprint and every
part matches it, so a part cut short by a crash, or changed since, is never
merged: ``--resume`` runs that shard again. (The parts are not fsync'd:
the check at resume time is what makes them safe, not the disk's order of
writes.)

:func:`merge_parts` concatenates the parts shard by shard, in manifest
order, into the run's output files: the same bytes as one process writing
every row in input order.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from .outdir import temp_name

PARTS_DIR = "parts"
ROW_KINDS = ("claims", "errors", "warnings")


@dataclass
class ShardCounts:
    """What one shard's worker did: the counts a run's summary adds up."""

    articles_read: int = 0
    skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    unread: int = 0
    warnings: int = 0
    claims: int = 0
    words: int = 0


def part_path(parts_dir: Path, index: int, kind: str) -> Path:
    """The path of shard ``index``'s part of ``kind`` (``claims``, ``errors``, ``warnings`` or ``done``)."""
    return Path(parts_dir) / f"{index:06d}.{kind}.{'json' if kind == 'done' else 'jsonl'}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def publish_parts(parts_dir: Path, index: int, temps: dict[str, Path], counts: ShardCounts,
                  fingerprint: str) -> None:
    """Rename a shard's whole temporary part files to their names, then write its done record.

    Args:
        parts_dir: the run's parts folder.
        index: the shard.
        temps: ``{kind: temporary file}`` for each of :data:`ROW_KINDS`, written and closed.
        counts: the shard's counts.
        fingerprint: the run's fingerprint (:func:`~pipeline.manifest.run_fingerprint`).
    """
    files = {}
    for kind in ROW_KINDS:
        final = part_path(parts_dir, index, kind)
        files[final.name] = {"bytes": temps[kind].stat().st_size, "sha256": _sha256(temps[kind])}
        os.replace(temps[kind], final)
    done = part_path(parts_dir, index, "done")
    tmp = temp_name(done)
    tmp.write_text(json.dumps({"shard": index, "fingerprint": fingerprint, "counts": asdict(counts),
                               "files": files}) + "\n", encoding="utf-8")
    os.replace(tmp, done)


def shard_done(parts_dir: Path, index: int, fingerprint: str, verify: bool = True) -> ShardCounts | None:
    """The counts of shard ``index`` when its parts are complete, else None.

    Complete: the done record is whole JSON naming ``fingerprint``, and
    (with ``verify``) every part file has the size and SHA-256 it records.
    """
    try:
        record = json.loads(part_path(parts_dir, index, "done").read_text(encoding="utf-8"))
        if record.get("fingerprint") != fingerprint or record.get("shard") != index:
            return None
        for kind in ROW_KINDS:
            path = part_path(parts_dir, index, kind)
            want = record["files"][path.name]
            if path.stat().st_size != want["bytes"] or (verify and _sha256(path) != want["sha256"]):
                return None
        return ShardCounts(**record["counts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def discard_shard(parts_dir: Path, index: int) -> None:
    """Remove shard ``index``'s done record and parts (before it is run again)."""
    for kind in ("done", *ROW_KINDS):
        part_path(parts_dir, index, kind).unlink(missing_ok=True)


def remove_temps(parts_dir: Path) -> None:
    """Remove the temporary files interrupted shard runs left in ``parts_dir``."""
    if Path(parts_dir).is_dir():
        for path in Path(parts_dir).iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)


_OWN_PART = re.compile(r"\.?\d{6}\.(?:done\.json|(?:claims|errors|warnings)\.jsonl)(?:\.\d+\.tmp)?")
"""The name of a part file of ours (``part_path``), or of its temporary file."""


def foreign_parts(parts_dir: Path) -> list[Path]:
    """What ``parts_dir`` holds that no run of ours wrote (a user's files, folders): never removed."""
    parts_dir = Path(parts_dir)
    if not parts_dir.is_dir():
        return [parts_dir] if parts_dir.exists() else []
    return sorted(p for p in parts_dir.iterdir() if p.is_dir() or not _OWN_PART.fullmatch(p.name))


def remove_parts(parts_dir: Path) -> None:
    """Remove the parts folder and our part files (after a complete merge, or with ``--force``).

    Raises:
        OSError: the folder holds something we did not write (``foreign_parts``): nothing is removed.
    """
    parts_dir = Path(parts_dir)
    if parts_dir.is_dir():
        foreign = foreign_parts(parts_dir)
        if foreign:
            raise OSError(f"{parts_dir} holds files newsfigures did not write ({foreign[0].name}"
                          f"{' ...' if len(foreign) > 1 else ''}): nothing removed")
        for path in parts_dir.iterdir():
            path.unlink(missing_ok=True)
        parts_dir.rmdir()


def append_part(parts_dir: Path, index: int, kind: str, out: BinaryIO) -> None:
    """Copy shard ``index``'s part of ``kind`` to the end of ``out`` (an output file open for binary writing)."""
    with part_path(parts_dir, index, kind).open("rb") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)
