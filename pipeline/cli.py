"""Command line: ``newsfigures extract | eval | check | report | show``.

Thin by design: each command checks its arguments and calls importable
functions that the tests call too.
"""
from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Iterable

import click

from .config import load_settings
from .errors import EXIT_INCOMPLETE, FiguresError, UsageError


def _fail(exc: FiguresError) -> None:
    click.echo(f"newsfigures: error: {exc}", err=True)
    sys.exit(exc.exit_status)


def _echo_lines(lines: Iterable[str], chunk: int = 1000) -> None:
    """Print lines as ``click.echo("\\n".join(lines))`` would, a chunk at a time (the text is not held whole)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= chunk:
            click.echo("\n".join(batch))
            batch = []
    if batch:
        click.echo("\n".join(batch))


def _incomplete(problems: list, what: str) -> None:
    """List skipped input rows and exit with EXIT_INCOMPLETE (the same status for every command)."""
    click.echo(f"newsfigures: {len(problems)} input row(s) were skipped: {what}", err=True)
    for problem in problems[:20]:
        click.echo(f"  {problem}", err=True)
    sys.exit(EXIT_INCOMPLETE)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM handler: stop as Ctrl-C does (click prints ``Aborted!``, exit status 1); the request
    is also recorded (:mod:`pipeline.interrupt`), since an exception raised inside a finalizer is lost."""
    from . import interrupt

    interrupt.request()
    raise KeyboardInterrupt


def _sigterm_as_interrupt(ctx: click.Context) -> None:
    """Handle SIGTERM like Ctrl-C for the length of the command, so that a ``kill`` (a service
    stopping, a job's time running out) releases the output folder's lock and leaves what an
    interrupted run leaves (resumable parts, no summary); restored when the command ends."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set in the main thread
    from . import interrupt

    interrupt.clear()
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _terminated)
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL))


@click.group()
@click.version_option(package_name="newsfigures")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Extract the figures tech-news articles report as checkable claims, and check them."""
    _sigterm_as_interrupt(ctx)


def _iso_date(value: str) -> str:
    """``--date``: a real calendar day written YYYY-MM-DD, else a usage error saying which is wrong."""
    import datetime as _dt
    import re

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD", param_hint="--date")
    try:
        day = _dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is written YYYY-MM-DD but is no calendar day ({exc})", param_hint="--date") from None
    if not 1900 <= day.year <= 2100:
        raise click.BadParameter(f"{value!r} is outside the years 1900-2100 a publication date may fall in",
                                 param_hint="--date")
    return day.isoformat()


@main.command()
@click.argument("articles", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--force", is_flag=True, help="Overwrite existing output in the folder.")
@click.option("--date", "default_date", default=None, help="Publication date (YYYY-MM-DD) for articles that carry none.")
@click.option("--config", "config_path", default=None, type=click.Path(path_type=Path), help="Settings file (default: the project's config.toml).")
@click.option("--check", "run_check", is_flag=True, help="Run the claim checks into the same folder.")
@click.option("--report", "run_report", is_flag=True, help="Write report.html and the claim tables into the same folder.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--workers", default=None, type=click.IntRange(0, 256),
              help="Processes that run the shards (default: workers in config.toml; 0 = one per core); "
                   "same output for any number.")
@click.option("--resume", is_flag=True, help="Go on with the interrupted run in OUT: keep its complete shards.")
@click.option("--engine", default="local", show_default=True, type=click.Choice(["local", "dask"]),
              help="Run the shards on this machine, or on a dask.distributed cluster (pip install -e \".[dask]\").")
@click.option("--scheduler", default=None, help="With --engine dask: the scheduler's address (tcp://HOST:8786).")
def extract(articles: Path, out_dir: Path, force: bool, default_date: str | None, config_path: Path | None,
            run_check: bool, run_report: bool, progress: bool | None, workers: int | None, resume: bool,
            engine: str, scheduler: str | None) -> None:
    """Extract claims from ARTICLES (a folder, read recursively, or one file) into OUT/claims.jsonl."""
    from .extract import run_extract_job

    if resume and force:
        raise click.UsageError("give --resume or --force, not both")
    if (engine == "dask") != (scheduler is not None):
        raise click.UsageError("--engine dask needs --scheduler ADDRESS, and --scheduler needs --engine dask")
    try:
        if default_date is not None:
            default_date = _iso_date(default_date)
        settings = load_settings(config_path)
        job = run_extract_job(articles, out_dir, settings, force=force, default_date=default_date,
                              progress=progress, check=run_check, report=run_report,
                              workers=workers, resume=resume, engine=engine, scheduler=scheduler)
    except FiguresError as exc:
        _fail(exc)
    summary = job.summary
    click.echo(summary.line())
    if summary.skipped:
        click.echo("skipped: " + ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped_by_reason.items())),
                   err=True)
    if summary.failed:
        click.echo(f"{summary.failed} article(s), file(s) or folder(s) failed; reasons in {out_dir / 'errors.jsonl'}",
                   err=True)
        for row in summary.failures[:5]:
            click.echo(f"  {row['file']}: [{row['code']}] {row['reason']}", err=True)
    if summary.warnings:
        click.echo(f"{summary.warnings} warning(s) (a partial date kept unknown, a figure out of range, "
                   f"control characters read as spaces); "
                   f"in {out_dir / 'warnings.jsonl'}", err=True)
    click.echo(f"wrote {out_dir / 'claims.jsonl'}")
    if job.checks is not None:
        from .checks import summary_lines

        _echo_lines(summary_lines(job.checks))
    for path in job.written:
        if path.name in ("report.html", "claims.csv", "checks.csv"):
            click.echo(f"wrote {path}")
    if not job.complete:
        if summary.unread:
            click.echo(f"newsfigures: {summary.unread} part(s) of the input could not be looked at (E112/E113, "
                       f"in errors.jsonl): summary.json says \"complete\": false", err=True)
        if summary.shards_failed:
            click.echo(f"newsfigures: {summary.shards_failed} shard(s) failed twice (E114/E115: their files are in "
                       f"errors.jsonl): summary.json says \"complete\": false; `--resume` runs them again", err=True)
        problems = [*(job.checks.problems if job.checks is not None else []), *job.problems]
        if problems:
            _incomplete(problems, "the checks (and tables) cover the other rows only "
                                  "(summary.json says \"complete\": false)")
        sys.exit(EXIT_INCOMPLETE)


@main.command(name="eval")
@click.option("--gold", "gold_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Gold claims (JSONL).")
@click.option("--pred", "pred_path", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Predicted claims (JSONL); not with --cv.")
@click.option("--cv", "cv_folds", default=None, type=click.IntRange(2, 50), help="Cross-validate by article with this many folds (needs --articles).")
@click.option("--articles", "articles_path", default=None, type=click.Path(exists=True, path_type=Path), help="With --cv: the gold's articles.")
@click.option("--pred-out", default=None, type=click.Path(path_type=Path), help="With --cv: write the held-out claims here (JSONL).")
@click.option("--config", "config_path", default=None, type=click.Path(path_type=Path), help="Settings file (default: the project's config.toml).")
@click.option("--json", "json_path", default=None, type=click.Path(path_type=Path), help="Also write the scores as JSON here ('-' for stdout).")
@click.option("--doc-prefix", default="", help="Score only gold documents whose id starts with this.")
@click.option("--show-misses", is_flag=True, help="List each missed or wrong claim.")
@click.option("--unknown-companies", is_flag=True,
              help="With --cv: leave every company the gold names out of the company lexicon (training and "
                   "held-out folds): the accuracy on companies the lexicon does not know.")
def evaluate(gold_path: Path, pred_path: Path | None, cv_folds: int | None, articles_path: Path | None,
             pred_out: Path | None, config_path: Path | None, json_path: Path | None, doc_prefix: str,
             show_misses: bool, unknown_companies: bool) -> None:
    """Score claims against gold: recall, precision, F1, per-field accuracy, full-claim F1.

    With --cv N: N-fold cross-validation by article over ARTICLES; each fold is extracted by a
    model trained on the other folds plus the configured training sets ([training] sets in
    config.toml), and the pooled held-out claims are scored.
    """
    from .evaluate import format_score, load_rows, score

    if (cv_folds is None) == (pred_path is None):
        raise click.UsageError("give either --pred or --cv (with --articles)")
    if cv_folds is not None and articles_path is None:
        raise click.UsageError("--cv needs --articles")
    if unknown_companies and cv_folds is None:
        raise click.UsageError("--unknown-companies needs --cv")
    _writable(("--pred-out", pred_out), ("--json", json_path))
    reliability = None
    problems: list = []
    try:
        gold = load_rows(gold_path, problems)
        if cv_folds is not None:
            from .attachment.crossval import cross_validate, format_reliability
            from .attachment.training import GoldSet, training_sets

            from .corrections import is_corrections, read_corrections, reviewed_only, without_reviewed

            settings = load_settings(config_path)
            evaluated = reviewed_only(GoldSet.read(articles_path, gold_path, settings))
            if cv_folds > len(evaluated.articles):
                # each fold also calibrates on as many inner folds: more folds than articles only costs time
                raise UsageError("E413", f"--cv {cv_folds}: more folds than the {len(evaluated.articles)} articles "
                                         f"with gold in {articles_path}; give at most {len(evaluated.articles)}")
            if is_corrections(gold):  # a reviewer's corrections: only their articles leave the training sets
                read_corrections(gold_path)
                extra = without_reviewed(training_sets(settings), [evaluated])
            else:
                extra = [s for s in training_sets(settings) if s.path != Path(articles_path).resolve()]
            if unknown_companies:
                import tempfile

                from .attachment.crossval import without_gold_companies

                with tempfile.TemporaryDirectory(prefix="newsfigures-lexicon-") as tmp:
                    hidden, dropped = without_gold_companies(settings, gold, Path(tmp) / "models")
                    click.echo(f"company lexicon: {dropped} entries the gold names left out", err=True)
                    cv = cross_validate(evaluated, extra, hidden, cv_folds, settings.training["regularization"])
            else:
                cv = cross_validate(evaluated, extra, settings, cv_folds, settings.training["regularization"])
            pred = cv.predictions
            reliability = format_reliability(cv.reliability)
            if pred_out is not None:
                Path(pred_out).write_text("".join(json.dumps(r) + "\n" for r in pred), encoding="utf-8")
        else:
            pred = load_rows(pred_path, problems)
            gold_docs = {g["doc_id"] for g in gold if g["doc_id"].startswith(doc_prefix)}
            if gold and not gold_docs:
                raise UsageError("E411", f"no gold article's id starts with --doc-prefix {doc_prefix!r}")
            if gold_docs and pred and not gold_docs & _doc_ids(pred):
                raise UsageError("E411", f"no article of {pred_path} is in {gold_path} (gold names "
                                         f"{sorted(gold_docs)[0]!r}, the claims {pred[0].get('doc_id')!r}): "
                                         f"claims and gold of other articles?")
        result = score(gold, pred, doc_prefix)
    except FiguresError as exc:
        _fail(exc)
    if str(json_path) != "-":
        click.echo(format_score(result, show_misses))
        if reliability:
            click.echo(f"reliability of confidence (held-out folds):\n{reliability}")
    if json_path is not None:
        data = json.dumps(result.to_dict(details=show_misses), indent=2)
        if str(json_path) == "-":
            click.echo(data)
        else:
            from .outdir import atomic_path

            with atomic_path(Path(json_path)) as tmp:  # whole or not at all
                tmp.write_text(data + "\n", encoding="utf-8")
    if problems:
        _incomplete(problems, "the scores cover the other rows only")


def _doc_ids(rows: list[dict]) -> set[str]:
    """Every id a predicted row's article may be scored as: its doc_id and each tail after a folder
    or a ``#`` ("dev/a.txt" is scored as "a.txt", as ``evaluate`` matches them)."""
    out = set()
    for row in rows:
        doc = str(row.get("doc_id", "")).replace("\\", "/")
        out.add(doc)
        out.update(doc[i + 1:] for i, ch in enumerate(doc) if ch in "/#")
    return out


def _writable(*options: tuple[str, Path | None]) -> None:
    """Refuse, before any work, a file option whose folder does not exist (E409)."""
    for option, path in options:
        if path is not None and str(path) != "-" and not Path(path).resolve().parent.is_dir():
            _fail(UsageError("E409", f"{option} {path}: the folder {Path(path).resolve().parent} does not exist"))


@main.command()
@click.option("--articles", "articles_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="An extra folder of articles to learn from (with --gold, as many times as needed).")
@click.option("--gold", "gold_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="The gold claims of the --articles given at the same position (e.g. a reviewer's corrections).")
@click.option("--config", "config_path", default=None, type=click.Path(path_type=Path), help="Settings file (default: the project's config.toml).")
@click.option("--out", "out_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (default: models_dir / [claims] attachment_model).")
def train(articles_paths: tuple[Path, ...], gold_paths: tuple[Path, ...], config_path: Path | None,
          out_path: Path | None) -> None:
    """Fit the attachment model from the configured gold sets ([training] sets) plus any --articles/--gold pairs."""
    from .attachment.training import GoldSet, train as fit_model, training_sets
    from .corrections import is_corrections, read_corrections, reviewed_only, without_reviewed

    if len(articles_paths) != len(gold_paths):
        raise click.UsageError("give --articles and --gold in pairs")
    _writable(("--out", out_path))
    try:
        settings = load_settings(config_path)
        given = [reviewed_only(GoldSet.read(a, g, settings)) for a, g in zip(articles_paths, gold_paths)]
        for g, gold_set in zip(gold_paths, given):
            if is_corrections(gold_set.gold):
                read_corrections(g)  # a reviewer's file is validated row by row (E260)
                click.echo(f"{g}: corrections of {len(gold_set.articles)} reviewed articles "
                           f"({len(gold_set.gold)} claims); they replace those articles' gold in the training sets")
        # a reviewed article is learned from its corrections, not also from its older gold
        sets = without_reviewed(training_sets(settings), given) + given
        name = settings.claims.get("attachment_model", "attachment.json") or "attachment.json"
        out = out_path or (Path(settings.models_dir) / name)
        model = fit_model(sets, settings, out, settings.training["folds"], settings.training["regularization"])
    except FiguresError as exc:
        _fail(exc)
    t = model.training
    click.echo(f"trained on {t['articles']} articles ({t['matched_claims']} matched claims); wrote {out}")


@main.command()
@click.argument("claims", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder for checks.jsonl (created if missing; an older checks.jsonl is replaced).")
def check(claims: tuple[Path, ...], out_dir: Path) -> None:
    """Check the figures of CLAIMS.jsonl files against each other and write OUT/checks.jsonl.

    Prints the checks run by kind and status, then each inconsistent one
    with its article and sentences. Bad input rows are skipped and listed;
    then the exit status is 3 and OUT/checks_summary.json says
    "complete": false.
    """
    from .checks import run_checks, summary_lines

    try:
        from .checks import CheckSettings

        summary = run_checks(list(claims), out_dir, CheckSettings.from_mapping(load_settings().checks))
    except FiguresError as exc:
        _fail(exc)
    _echo_lines(summary_lines(summary))
    if summary.problems:
        click.echo(f"newsfigures: {len(summary.problems)} input row(s) were skipped: the checks cover the other rows "
                   f"only (checks_summary.json says \"complete\": false)", err=True)
        sys.exit(EXIT_INCOMPLETE)


@main.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--articles", "articles_path", default=None, type=click.Path(exists=True, path_type=Path),
              help="The ARTICLES given to extract; their text confirms each claim's offsets and gives the drawn articles every sentence (to add a missed figure in).")
@click.option("--charts/--no-charts", default=True, show_default=True,
              help="Draw the per-company charts (the slowest part on large outputs).")
@click.option("--max-articles", default=200, show_default=True, type=click.IntRange(min=0),
              help="Article sections (and their claims in the tables) on the page, failed checks first; 0 = all.")
@click.option("--max-claims", default=100_000, show_default=True, type=click.IntRange(min=0),
              help="Claims embedded for the page's search, filters and review (whole articles, drawn ones first); 0 = all.")
def report(out_dir: Path, articles_path: Path | None, charts: bool, max_articles: int, max_claims: int) -> None:
    """Write OUT_DIR/report.html and the claims and checks tables (CSV, Parquet).

    OUT_DIR is an output folder of `extract` (claims.jsonl, and checks.jsonl
    when checks were run). The report is one self-contained HTML file.
    """
    import time

    from .report import read_article_texts, write_review_outputs

    from .outdir import OutputLock

    began = time.perf_counter()
    problems: list = []
    try:
        texts = read_article_texts(articles_path) if articles_path is not None else None
        with OutputLock(out_dir, "newsfigures report"):
            paths = write_review_outputs(out_dir, texts, charts=charts, max_articles=max_articles,
                                         problems=problems, max_claims=max_claims)
    except FiguresError as exc:
        _fail(exc)
    for path in paths:
        click.echo(f"wrote {path}")
    click.echo(f"report built in {time.perf_counter() - began:.2f} s")
    if problems:
        _incomplete(problems, "the tables and the report cover the other rows only")


@main.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--company", default=None, help="Only this company (case-insensitive; '(market-wide)' for none).")
@click.option("--metric", default=None, help="Only this canonical metric, e.g. 'revenue'.")
@click.option("--inconsistent", is_flag=True, help="Only claims that an inconsistent check names.")
def show(out_dir: Path, company: str | None, metric: str | None, inconsistent: bool) -> None:
    """Print the claims of OUT_DIR as a table, one row per claim, grouped by company and period."""
    from rich.console import Console

    from .show import claims_table

    problems: list = []
    try:
        table, failed = claims_table(out_dir, company=company, metric=metric, inconsistent=inconsistent,
                                     width=Console().width, problems=problems)
    except FiguresError as exc:
        _fail(exc)
    console = Console()
    if table.width and table.width > console.width:
        console = Console(width=table.width)  # a narrow terminal wraps the lines; no figure is cut
    console.print(table)
    for message in failed:
        console.print(f"[bold red]✗[/] {message}", highlight=False)
    if problems:  # a broken row is left out, as check and report do, and the run says so
        _incomplete(problems, "the table shows the other rows only")


if __name__ == "__main__":
    main()
