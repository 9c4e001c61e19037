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


def articles_text() -> str:
    """The corpus and ``../shared/dev`` articles (as ``extract`` reads them) joined by blank lines."""
    from pathlib import Path

    from pipeline.reading import Article, iter_articles

    root = Path(__file__).resolve().parents[1]
    texts = [a.text for src in (root / "corpus" / "articles", root.parent / "shared" / "dev" / "articles")
             if src.is_dir() for a in iter_articles(src) if isinstance(a, Article)]
    return "\n\n".join(texts) + "\n\n"


def one(size_mb: float, kind: str) -> dict:
    """Run the pipeline on one single-line article of ``size_mb`` MB; return its timing."""
    import dataclasses

    from pipeline.build import make_article_doc, make_nlp
    from pipeline.config import load_settings

    size = int(size_mb * 1_000_000)
    unit = articles_text() if kind == "articles" else TEXTS[kind]
    text = (unit * (size // len(unit) + 1))[:size]
    # the project's settings (attachment model included), max_chars raised to fit the text
    settings = load_settings(None)
    settings = dataclasses.replace(settings, max_chars=max(settings.max_chars, size + 1))
    nlp = make_nlp(settings)
    began, cpu = time.perf_counter(), time.process_time()
    doc = make_article_doc(nlp, text, "long", None)
    stages = {"tokenizer": time.process_time() - cpu}
    for name, component in nlp.pipeline:  # as nlp(doc) does, each stage's CPU time apart
        at = time.process_time()
        doc = component(doc)
        stages[name] = time.process_time() - at
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {"mb": size_mb, "seconds": round(seconds, 3), "cpu": round(cpu, 3), "s_per_mb": round(seconds / size_mb, 3),
            "stages": {name: round(t, 3) for name, t in stages.items()},
            "claims": len(doc.user_data.get("claims", [])),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.25,0.5,1,2", help="sizes in MB, comma-separated")
    parser.add_argument("--text", default="news", choices=sorted(TEXTS) + ["articles"],
                        help="articles: the corpus and dev articles joined into one text (many sentences)")
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
        print(f"{r['mb']:>5} MB  {r['seconds']:>7.2f} s  {r['cpu']:>7.2f} s CPU  {r['s_per_mb']:>6.2f} s/MB  "
              f"{r['claims']:>6} claims  {r['peak_mib']:>7.1f} MiB peak", flush=True)
    first, last = rows[0], rows[-1]
    print("CPU s per stage: " + "  ".join(f"{name} {first['stages'][name]:.2f}->{last['stages'][name]:.2f}"
                                           f" (x{last['stages'][name] / max(first['stages'][name], 1e-3):.1f})"
                                           for name in first["stages"]))
    print(f"size x{last['mb'] / first['mb']:.0f} -> time x{last['seconds'] / first['seconds']:.1f} "
          f"(linear: x{last['mb'] / first['mb']:.0f})")


if __name__ == "__main__":
    main()
