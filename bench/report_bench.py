"""How fast report.html opens and filters on a large run, in headless Chromium.

Builds a run of about ``--articles`` articles (the corpus and, when present,
``../shared/dev`` articles copied under new names until the count is reached;
with ``--distinct`` every copy's three-digit number groups are shifted by the
copy's number, so most claim sentences and values differ from copy to copy,
as in a run of distinct articles), extracts, checks and reports it with the
default settings (``newsfigures extract --check --report``: at most 200
article sections, every claim in the embedded table), times
``build_report`` alone on that run, then opens ``report.html`` in headless
Chromium and times:

- ``open``, each time cold: a new browser with a new profile, and the page's
  file dropped from the operating system's cache first
  (``posix_fadvise(DONTNEED)``), so it is read from disk. Times are from
  navigation start to the page's ``nf-ready`` mark (its data unpacked and
  the claims table drawn: the page can be filtered) and to the end of the
  load event;
- each filter and search right after: the time from the change to the table
  redrawn, with layout forced (``offsetHeight``) so that the browser's own
  work is counted.

Run ``python bench/report_bench.py [--articles 5000] [--distinct] [--out DIR]
[--reuse] [--repeats 5]``; needs Debian's ``chromium`` and ``chromium-driver``.

``--scale 10000 50000`` measures instead how ``newsfigures report`` itself
grows (no browser): for each number of articles it writes a ``claims.jsonl``
of that many articles by copying the claims of the dev articles (extracted
once) under new article ids, runs ``newsfigures check`` on it and then times
``newsfigures report`` (default settings, charts included) in a child
process: wall and CPU seconds, the child's peak resident memory and the
size of ``report.html``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "corpus" / "articles", ROOT.parent / "shared" / "dev" / "articles"]
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000")


_GROUP = re.compile(r"(?<![\d])\d{3}(?![\d])")
"""A group of exactly three digits (``156`` in ``234,156``; not a year, a day or a quarter)."""


def make_articles(target: Path, count: int, distinct: bool = False) -> int:
    """Copy the source articles under new names until ``count`` articles; returns the number written.

    With ``distinct``, copy ``k`` (k-th pass over the sources) has every
    three-digit group shifted by ``k`` (modulo 1000), so its figures and
    sentences are not those of the other copies.
    """
    files = [p for src in SOURCES if src.is_dir() for p in sorted(src.iterdir())
             if p.suffix in (".txt", ".md", ".html")]
    target.mkdir(parents=True, exist_ok=True)
    n = 0
    while n < count:
        copy = n // len(files)
        for path in files:
            if n >= count:
                break
            if distinct and copy:
                text = _GROUP.sub(lambda m: f"{(int(m.group()) + copy) % 1000:03d}",
                                  path.read_text(encoding="utf-8"))
                (target / f"{n:05d}_{path.name}").write_text(text, encoding="utf-8")
            else:
                shutil.copy(path, target / f"{n:05d}_{path.name}")
            n += 1
    return n


def build(out: Path, count: int, distinct: bool) -> dict:
    """Make the articles, then ``extract --check --report`` them into ``out``; returns the counts and seconds."""
    from click.testing import CliRunner

    from pipeline.cli import main

    articles = out.parent / "articles"
    if articles.exists():
        shutil.rmtree(articles)
    make_articles(articles, count, distinct)
    began = time.perf_counter()
    result = CliRunner().invoke(main, ["extract", str(articles), "--out", str(out), "--force", "--check",
                                       "--report", "--no-progress"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return {"articles": count, "distinct": distinct, "extract_check_report_s": round(time.perf_counter() - began, 1)}


def time_report(out: Path) -> float:
    """Seconds of ``build_report`` alone on the run in ``out`` (as ``extract --report`` calls it)."""
    from pipeline.report import build_report

    began = time.perf_counter()
    build_report(out, problems=[], articles=out.parent / "articles")
    return round(time.perf_counter() - began, 1)


def drop_from_cache(path: Path) -> None:
    """Ask the operating system to forget the file's cached pages, so the next read is from disk."""
    if hasattr(os, "posix_fadvise"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def measure(page: Path, repeats: int) -> dict:
    """Open ``page`` cold ``repeats`` times (new browser, new profile, file out of the cache) and filter it."""
    opens, filters, severe = [], {}, []
    for _ in range(repeats):
        drop_from_cache(page)
        result = _one_open(page)
        opens.append(result["open"])
        for key, value in result["steps"].items():
            filters.setdefault(key, []).append(value)
        severe += result["console_errors"]
    return {"open": opens, "filters": filters, "console_errors": severe,
            "html_mb": round(page.stat().st_size / 1e6, 1)}


def _one_open(page: Path) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="nf-bench-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        began = time.perf_counter()
        driver.get(page.resolve().as_uri())
        WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(
            "const d = document.documentElement.dataset; return d.nfReady === '1' || d.nfError;"))
        wall = time.perf_counter() - began
        nav = driver.execute_script("""
            const t = performance.getEntriesByType('navigation')[0];
            const ready = performance.getEntriesByName('nf-ready')[0];
            return [t.loadEventEnd, t.domInteractive, ready ? ready.startTime : null,
                    document.documentElement.dataset.nfError || null];""")
        if nav[3]:
            raise SystemExit(f"the page failed: {nav[3]}")
        opened = {"ready_ms": nav[2], "load_event_ms": nav[0], "dom_interactive_ms": nav[1], "wall_s": wall}
        steps = driver.execute_script("""
            const out = {};
            function timed(name, act) {
                const t0 = performance.now();
                act();
                document.body.offsetHeight;
                out[name] = performance.now() - t0;
            }
            function pick(id, k) {
                const s = document.getElementById(id);
                s.value = s.options[Math.min(k, s.options.length - 1)].value;
                s.dispatchEvent(new Event('change'));
            }
            function reset(id) { const s = document.getElementById(id); s.value = ''; s.dispatchEvent(new Event('change')); }
            const search = document.getElementById('f-search');
            timed('company', () => pick('f-company', 1)); reset('f-company');
            timed('metric', () => pick('f-metric', 1)); reset('f-metric');
            timed('period', () => pick('f-period', 3)); reset('f-period');
            timed('confidence below 0.5', () => pick('f-confidence', 1));
            timed('least sure first', () => document.getElementById('nf-least-sure').click());
            reset('f-confidence');
            timed('search "revenue"', () => { search.value = 'revenue';
                search.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); });
            timed('search two words', () => { search.value = 'quarter billion';
                search.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); });
            timed('clear search', () => { search.value = '';
                search.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); });
            out.claims = parseInt(document.getElementById('f-count').textContent, 10);
            return out;""")
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return {"open": opened, "steps": steps, "console_errors": severe}


def run_child(argv: list[str]) -> dict:
    """Run a command to the end; its wall and CPU seconds and peak resident memory (its own, by ``wait4``)."""
    import subprocess

    began = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - began
    if child.returncode not in (0, 3):
        raise SystemExit(f"{argv} failed ({child.returncode}): {child.stderr.read().decode()[-2000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def synthesise_run(base: Path, articles: int, out: Path) -> int:
    """Write ``out/claims.jsonl``: the claims of ``base`` copied, article by article, under new ids
    (``copy{k}/`` + the article id, the claim id likewise) until ``articles`` articles; returns the claims written."""
    by_doc: dict[str, list[dict]] = {}
    for line in base.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by_doc.setdefault(row["doc_id"], []).append(row)
    docs = list(by_doc.values())
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    with (out / "claims.jsonl").open("w", encoding="utf-8") as handle:
        for n in range(articles):
            copy, rows = divmod(n, len(docs))
            for row in docs[rows]:
                new = dict(row, doc_id=f"copy{copy}/{row['doc_id']}", claim_id=f"copy{copy}/{row['claim_id']}")
                handle.write(json.dumps(new, ensure_ascii=False, separators=(",", ":")) + "\n")
                written += 1
    return written


def scale(sizes: list[int], work: Path) -> list[dict]:
    """Time ``newsfigures check`` and ``newsfigures report`` on runs of ``sizes`` articles (see the module doc)."""
    base = work / "base"
    if not (base / "claims.jsonl").is_file():
        run_child([sys.executable, "-m", "pipeline.cli", "extract", str(SOURCES[1]), "--out", str(base),
                   "--force", "--no-progress"])
    results = []
    for articles in sizes:
        out = work / f"run_{articles}"
        claims = synthesise_run(base / "claims.jsonl", articles, out)
        check = run_child([sys.executable, "-m", "pipeline.cli", "check", str(out / "claims.jsonl"),
                           "--out", str(out)])
        report = run_child([sys.executable, "-m", "pipeline.cli", "report", str(out)])
        results.append({"articles": articles, "claims": claims, "check": check, "report": report,
                        "report_html_mb": round((out / "report.html").stat().st_size / 1e6, 1)})
        r = results[-1]
        print(f"{articles:>7,} articles {claims:>9,} claims: report {report['wall_s']:7.2f} s wall "
              f"{report['cpu_s']:7.2f} s CPU {report['peak_rss_mib']:7.1f} MiB peak, page {r['report_html_mb']} MB; "
              f"check {check['wall_s']:.2f} s wall {check['cpu_s']:.2f} s CPU {check['peak_rss_mib']:.1f} MiB",
              flush=True)
    if len(results) > 1:
        a, b = results[0], results[-1]
        print(f"articles x{b['articles'] / a['articles']:.1f} -> report CPU x{b['report']['cpu_s'] / a['report']['cpu_s']:.2f}, "
              f"peak memory x{b['report']['peak_rss_mib'] / a['report']['peak_rss_mib']:.2f}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--distinct", action="store_true", help="shift each copy's figures (see make_articles)")
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the run in --out (skip extract)")
    parser.add_argument("--no-build-time", action="store_true", help="do not time build_report alone")
    parser.add_argument("--repeats", type=int, default=5, help="cold opens (each in a new browser)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--scale", type=int, nargs="+", default=None, metavar="ARTICLES",
                        help="time `newsfigures report` (and check) at these numbers of articles, no browser")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.scale:
        work = args.out or Path(tempfile.mkdtemp(prefix="nf-report-scale-"))
        results = scale(args.scale, work)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="nf-report-bench-")) / "out"
    info = {} if args.reuse else build(out, args.articles, args.distinct)
    if not args.no_build_time:
        info["report_s"] = time_report(out)
    result = {**info, **measure(out / "report.html", args.repeats), "load": os.getloadavg()}
    print(f"report.html {result['html_mb']} MB, {result['filters']['claims'][0]} claims embedded; "
          f"{info.get('articles', '?')} articles ({info.get('extract_check_report_s', '?')} s to extract, check, "
          f"report; build_report alone {info.get('report_s', '?')} s)")
    for key, label in (("ready_ms", "cold open to ready (data unpacked, table drawn)"),
                       ("load_event_ms", "cold open to load event end")):
        values = [o[key] for o in result["open"]]
        print(f"{label}: {', '.join(f'{x:.0f}' for x in values)} ms "
              f"(median {statistics.median(values):.0f}, max {max(values):.0f})")
    for key, values in result["filters"].items():
        if key in ("claims", "count"):
            continue
        print(f"  {key:22s} {', '.join(f'{v:.0f}' for v in values)} ms "
              f"(median {statistics.median(values):.0f}, max {max(values):.0f})")
    worst = [o["ready_ms"] + max(times[n] for name, times in result["filters"].items() if name != "claims")
             for n, o in enumerate(result["open"])]
    print(f"cold open + its slowest filter: {', '.join(f'{x:.0f}' for x in worst)} ms (max {max(worst):.0f})")
    print(f"load average during the run: {', '.join(f'{x:.2f}' for x in result['load'])}")
    if result["console_errors"]:
        print("console errors:", result["console_errors"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
