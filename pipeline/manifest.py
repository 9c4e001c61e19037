"""The manifest of a run: the input listed once and cut into shards.

The input is walked once (:func:`~pipeline.reading.walk_inputs`: depth
first, in name order, the order of every output row) and every entry is
put in a shard. Shards are contiguous runs of that order, balanced by file
size, so writing the shards' rows one shard after another gives the rows
of a one-process run. The manifest (``OUT_DIR/manifest.jsonl``) is written
before any shard runs and is what ``--resume`` reads back: a first line
with the run's source, base folder and fingerprint, then one line a shard.

An entry is a list:

* ``["f", rel, bytes]``: a file to read (``rel`` relative to the base
  folder, ``/``-separated; its size when listed);
* ``["s", rel, reason]``: an entry only counted as skipped (hidden, a link
  to a folder);
* ``["x", doc_id, path, code, reason]``: a folder that could not be listed
  (E112), written as an error row.
"""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .config import Settings
from .errors import UsageError
from .outdir import atomic_path
from .reading import ArticleFailure, Skipped, walk_inputs

MANIFEST_NAME = "manifest.jsonl"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Shard:
    """One unit of work: a contiguous run of the listed input.

    Attributes:
        index: its place in the output order, from 0.
        entries: the manifest entries (see the module docstring), in order.
        bytes: the sum of its files' sizes when listed.
    """

    index: int
    entries: tuple[tuple, ...]
    bytes: int

    def files(self) -> list[str]:
        """The paths (relative, ``/``-separated) of the files and folders this shard covers."""
        return [e[1] if e[0] != "x" else e[2] for e in self.entries]


@dataclass(frozen=True)
class Manifest:
    """The listed input: where it is, what settings it is read with, and its shards."""

    source: str
    base: str
    fingerprint: str
    shards: tuple[Shard, ...]

    @property
    def entries(self) -> int:
        """How many entries (files, skipped entries, unlisted folders) the shards hold."""
        return sum(len(s.entries) for s in self.shards)


def run_fingerprint(settings: Settings, source: Path, default_date: str | None) -> str:
    """A digest of what decides a run's output: source, settings, ``--date`` and the model files.

    Two runs with the same fingerprint over the same files write the same
    bytes, so parts of one can be kept by the other (``--resume``). The
    number of workers and ``shard_bytes`` are left out: they change neither
    the rows nor (on resume, which reads the manifest back) the shards.
    """
    digest = hashlib.sha256()
    rows_settings = dataclasses.replace(settings, workers=0, shard_bytes=0)
    digest.update(repr((os.path.abspath(source), repr(rows_settings), default_date)).encode())
    models = Path(settings.models_dir)
    if models.is_dir():
        for path in sorted(models.rglob("*")):
            if path.is_file():
                st = path.stat()
                digest.update(f"{path.relative_to(models).as_posix()}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


def list_input(source: Path, out_dir: Path, own_files: frozenset[str]) -> tuple[str, list[tuple]]:
    """Walk ``source`` once; return its base folder and its entries in output order.

    Args:
        source: the input folder (read recursively) or one file.
        out_dir: the output folder, left out when it is inside ``source``.
        own_files: names of our output files, left out when ``out_dir`` is ``source``.
    """
    source = Path(source)
    base = source if source.is_dir() else source.parent
    entries: list[tuple] = []
    for item in walk_inputs(source, out_dir, own_files):
        if isinstance(item, Skipped):
            entries.append(("s", item.path, item.reason))
        elif isinstance(item, ArticleFailure):
            entries.append(("x", item.doc_id, item.path, item.code, item.reason))
        else:
            try:
                size = os.stat(item).st_size
            except (OSError, ValueError):
                size = 0  # reading it says why (E111, E113)
            entries.append(("f", item.relative_to(base).as_posix(), size))
    return os.path.abspath(base), entries


def cut_shards(entries: list[tuple], shard_bytes: int) -> list[Shard]:
    """Cut ``entries`` (in order) into contiguous shards of about ``shard_bytes`` of files each.

    The number of shards is ``ceil(total bytes / shard_bytes)``, at most one
    a file and at least one when there is any entry; shard ``k`` ends at the
    entry boundary whose running total of bytes is nearest to ``k / n`` of
    the total (the earlier one on a tie), so the shards are balanced by size
    and the cut depends only on the listed input.
    """
    if not entries:
        return []
    sizes = [e[2] if e[0] == "f" else 0 for e in entries]
    running = list(itertools.accumulate(sizes, initial=0))  # running[i]: bytes before entry i
    total = running[-1]
    n = max(1, min(sum(e[0] == "f" for e in entries), math.ceil(total / max(1, shard_bytes))))
    cuts = [0]
    for k in range(1, n):
        target = total * k / n
        i = bisect.bisect_left(running, target)
        if i > 0 and (i == len(running) or target - running[i - 1] <= running[i] - target):
            i -= 1  # the boundary before is nearer (or as near)
        if cuts[-1] < i < len(entries):
            cuts.append(i)
    cuts.append(len(entries))
    return [Shard(k, tuple(entries[a:b]), running[b] - running[a]) for k, (a, b) in enumerate(zip(cuts, cuts[1:]))]


def make_manifest(source: Path, out_dir: Path, own_files: frozenset[str], shard_bytes: int,
                  fingerprint: str) -> Manifest:
    """List ``source`` and cut it into shards (see :func:`list_input` and :func:`cut_shards`)."""
    base, entries = list_input(source, out_dir, own_files)
    return Manifest(os.path.abspath(source), base, fingerprint, tuple(cut_shards(entries, shard_bytes)))


def write_manifest(out_dir: Path, manifest: Manifest) -> Path:
    """Write ``OUT_DIR/manifest.jsonl`` atomically; return its path."""
    path = Path(out_dir) / MANIFEST_NAME
    head = {"manifest": MANIFEST_VERSION, "source": manifest.source, "base": manifest.base,
            "fingerprint": manifest.fingerprint, "shards": len(manifest.shards), "entries": manifest.entries}
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(head) + "\n")
        for shard in manifest.shards:
            handle.write(json.dumps({"shard": shard.index, "bytes": shard.bytes,
                                     "entries": [list(e) for e in shard.entries]}) + "\n")
    return path


def read_manifest(out_dir: Path) -> Manifest:
    """Read ``OUT_DIR/manifest.jsonl`` back.

    Raises:
        UsageError: E405 when there is none or it is not a whole manifest of ours.
    """
    path = Path(out_dir) / MANIFEST_NAME
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UsageError("E405", f"{path} does not exist: there is no run to resume in {out_dir}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("E405", f"cannot read {path}: {exc}") from None
    try:
        head = json.loads(lines[0])
        shards = tuple(_shard(json.loads(line)) for line in lines[1:])
        if head.get("manifest") != MANIFEST_VERSION or head["shards"] != len(shards) \
                or [s.index for s in shards] != list(range(len(shards))):
            raise ValueError("not a whole manifest")
        return Manifest(head["source"], head["base"], head["fingerprint"], shards)
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise UsageError("E405", f"{path} is not a whole manifest ({exc}): cannot resume; run with --force") from None


def _shard(row: dict) -> Shard:
    entries: Iterable = row["entries"]
    return Shard(int(row["shard"]), tuple(tuple(e) for e in entries), int(row["bytes"]))
