"""Bench case: one article that is a single line without sentence punctuation.

Times the default pipeline on single lines of 0.25, 0.5, 1 and 2 MB (each
one article, no ". " and no line break anywhere) and prints seconds, seconds
per MB and peak memory. Linear time shows as a flat seconds-per-MB column;
before the fix (issue 10) it grew with the size (0.25 MB 2.2 s, 1 MB 17.7 s,
2 MB 43.7 s: the claim stage compared every mention of the one huge sentence
with every other, and looked for a line's start from each period).

Each size runs in its own process so that peak memory (ru_maxrss) is that
size's alone.

Usage: ``python bench/long_lines.py [--sizes 0.25,0.5,1,2] [--text plain|news]``.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

TEXTS = {
    # words only: no figure, so nothing cuts the sentence but max_sentence_chars
    "plain": "the company said its market was growing and the new product line sold well among buyers in the region ",
    # companies, metrics, segments, periods, forecasts and figures, with no ". " anywhere
    "news": ("Samsung Electronics said revenue in the first quarter of 2024 rose 12 percent to 3 billion dollars "
             "and Apple expects shipments in 2025 to grow 5 million units while smartphone sales in China fell "
             "the company said its market was growing and the new product line sold well among buyers in the region "),
}


def one(size_mb: float, kind: str) -> dict:
    """Run the pipeline on one single-line article of ``size_mb`` MB; return its timing."""
    from pipeline.build import make_article_doc, make_nlp
    from pipeline.config import Settings

    size = int(size_mb * 1_000_000)
    unit = TEXTS[kind]
    text = (unit * (size // len(unit) + 1))[:size]
    nlp = make_nlp(Settings())
    began = time.perf_counter()
    doc = nlp(make_article_doc(nlp, text, "long", None))
    seconds = time.perf_counter() - began
    return {"mb": size_mb, "seconds": round(seconds, 3), "s_per_mb": round(seconds / size_mb, 3),
            "claims": len(doc.user_data.get("claims", [])),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.25,0.5,1,2", help="sizes in MB, comma-separated")
    parser.add_argument("--text", default="news", choices=sorted(TEXTS))
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)  # a child run
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.text)))
        return
    rows = []
    for size in (float(x) for x in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--text", args.text],
                             check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{r['mb']:>5} MB  {r['seconds']:>7.2f} s  {r['s_per_mb']:>6.2f} s/MB  "
              f"{r['claims']:>6} claims  {r['peak_mib']:>7.1f} MiB peak", flush=True)
    first, last = rows[0], rows[-1]
    print(f"size x{last['mb'] / first['mb']:.0f} -> time x{last['seconds'] / first['seconds']:.1f} "
          f"(linear: x{last['mb'] / first['mb']:.0f})")


if __name__ == "__main__":
    main()
