"""How fast report.html opens and filters on a large run, in headless Chromium.

Builds a run of about ``--articles`` articles (the corpus and, when present,
``../shared/dev`` articles copied under new names until the count is reached),
extracts, checks and reports it with the default settings (``newsfigures
extract --check --report``: at most 200 article sections drawn, every claim in
the embedded table), then opens ``report.html`` in headless Chromium and times:

- ``open``: from navigation start to the end of the load event (the page's
  script parses the embedded claims and draws the first rows before it);
- each filter and search: the time from the change to the table redrawn, with
  layout forced (``offsetHeight``) so that the browser's own work is counted.

Run ``python bench/report_bench.py [--articles 5000] [--out DIR] [--reuse]``;
needs Debian's ``chromium`` and ``chromium-driver``.

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


def make_articles(target: Path, count: int) -> int:
    """Copy the source articles under new names until ``count`` articles; returns the number written."""
    files = [p for src in SOURCES if src.is_dir() for p in sorted(src.iterdir())
             if p.suffix in (".txt", ".md", ".html")]
    target.mkdir(parents=True, exist_ok=True)
    n = 0
    while n < count:
        for path in files:
            if n >= count:
                break
            shutil.copy(path, target / f"{n:05d}_{path.name}")
            n += 1
    return n


def build(out: Path, count: int) -> dict:
    from click.testing import CliRunner

    from pipeline.cli import main

    articles = out.parent / "articles"
    if articles.exists():
        shutil.rmtree(articles)
    make_articles(articles, count)
    began = time.perf_counter()
    result = CliRunner().invoke(main, ["extract", str(articles), "--out", str(out), "--force", "--check",
                                       "--report", "--no-progress"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return {"articles": count, "extract_check_report_s": round(time.perf_counter() - began, 1)}


def measure(page: Path, repeats: int) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="nf-bench-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        opens, filters = [], {}
        for _ in range(repeats):
            began = time.perf_counter()
            driver.get(page.resolve().as_uri())
            wall = time.perf_counter() - began
            nav = driver.execute_script(
                "const t = performance.getEntriesByType('navigation')[0]; return [t.loadEventEnd, t.domInteractive];")
            opens.append({"load_event_ms": nav[0], "dom_interactive_ms": nav[1], "wall_s": wall})
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
                out.claims = JSON.parse(document.getElementById('nf-data').textContent).claims.length;
                out.count = document.getElementById('f-count').textContent;
                return out;""")
            for key, value in steps.items():
                filters.setdefault(key, []).append(value)
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return {"open": opens, "filters": filters, "console_errors": severe,
            "html_mb": round(page.stat().st_size / 1e6, 1)}


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
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the run in --out (skip extract)")
    parser.add_argument("--repeats", type=int, default=3)
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
    info = {} if args.reuse else build(out, args.articles)
    result = {**info, **measure(out / "report.html", args.repeats)}
    loads = [o["load_event_ms"] for o in result["open"]]
    print(f"report.html {result['html_mb']} MB, {result['filters']['claims'][0]} claims embedded; "
          f"{info.get('articles', '?')} articles ({info.get('extract_check_report_s', '?')} s to extract, check, report)")
    print(f"open (navigation start to load event end): {', '.join(f'{x:.0f}' for x in loads)} ms "
          f"(median {statistics.median(loads):.0f})")
    for key, values in result["filters"].items():
        if key in ("claims", "count"):
            continue
        print(f"  {key:22s} {', '.join(f'{v:.0f}' for v in values)} ms (median {statistics.median(values):.0f})")
    if result["console_errors"]:
        print("console errors:", result["console_errors"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
