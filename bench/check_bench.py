"""How `newsfigures check` grows with the number of claims: time and peak memory at several sizes.

Makes claims files of about ``--sizes`` claims by copying the rows of a base
``claims.jsonl`` (default: the dev articles extracted once into a temporary
folder) under new article ids (``copy{k}/`` + the original id, the claim id
likewise), so every key (company, metric, segment, period, unit) recurs once
per copy, as in a large run of similar articles; then runs ``run_checks`` on
each file in a fresh child process and reports the wall time of the checks
(reading and writing included, start-up excluded) and the child's peak
resident memory (``ru_maxrss``).

Run ``python bench/check_bench.py [--sizes 10000 50000] [--base CLAIMS.jsonl]
[--keep DIR] [--json FILE]``. With ``--keep DIR`` the claims files and the
checks written are left in DIR (to compare ``checks.jsonl`` bytes between
versions of the code).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "dev" / "articles"

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from pipeline.checks import run_checks
started = time.perf_counter()
summary = run_checks([Path(sys.argv[1])], Path(sys.argv[2]))
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "checks": summary.total}))
"""


def synthesise(base: list[str], n: int, path: Path) -> int:
    """Write about ``n`` claim rows to ``path``: whole copies of ``base`` under new ids; return the count."""
    rows = [json.loads(line) for line in base if line.strip()]
    written = 0
    with path.open("w", encoding="utf-8") as out:
        copy = 0
        while written < n:
            for row in rows:
                new = dict(row, doc_id=f"copy{copy}/{row['doc_id']}",
                           claim_id=f"copy{copy}/{row['claim_id']}")
                out.write(json.dumps(new, separators=(",", ":")) + "\n")
                written += 1
            copy += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--base", type=Path, default=None, help="claims.jsonl to copy (default: extract the dev articles)")
    parser.add_argument("--keep", type=Path, default=None, help="leave the claims and checks files here")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="check_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    base = args.base
    if base is None:
        from pipeline.extract import run_extract

        run_extract(DEV, work / "base", force=True, progress=False)
        base = work / "base" / "claims.jsonl"
    lines = base.read_text(encoding="utf-8").splitlines()
    results = []
    for n in args.sizes:
        claims = work / f"claims_{n}.jsonl"
        count = synthesise(lines, n, claims)
        out = work / f"checks_{n}"
        done = subprocess.run([sys.executable, "-c", _CHILD, str(claims), str(out)], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        result = {"claims": count, **json.loads(done.stdout.strip().splitlines()[-1])}
        results.append(result)
        print(f"{count:>8,} claims: {result['seconds']:8.2f} s, peak {result['peak_rss_mib']:7.1f} MiB, "
              f"{result['checks']:,} check rows", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
