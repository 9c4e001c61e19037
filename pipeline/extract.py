"""The batch job: read a folder of articles, run the pipeline, stream claims to disk.

Output (``OUT_DIR``):

* ``claims.jsonl``: one claim row per line (schema v1);
* ``errors.jsonl``: one row per article that could not be read or processed
  (``doc_id``, ``file``, ``code``, ``reason``);
* ``warnings.jsonl``: one row per note on an article that was read (a
  partial date kept unknown, W120; a claim left out because its figure is
  too large for a number, W121);
* ``summary.json``: counts, timing and ``"complete"``; written last, only
  when every file it describes is on disk.

The folder is held by one run at a time (:class:`~pipeline.outdir.OutputLock`).
Rows stream to ``*.partial`` files as they are made and are renamed to their
final names only when the run ends; an interrupted run leaves only
``.partial`` files and no ``summary.json``, so partial output is never
passed off as complete.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import jsonlines

from .build import make_article_doc, make_nlp
from .config import Settings
from .errors import UNREAD_CODES, UsageError
from .outdir import LOCK_NAME, OutputLock, atomic_path, leftover_temps
from .rows import number_problem
from .reading import Article, ArticleFailure, Skipped, iter_articles, walk_inputs
from .workers import CHUNK_ARTICLES, ChunkRunner

OUTPUT_FILES = ("claims.jsonl", "errors.jsonl", "warnings.jsonl", "summary.json")
# Everything a run of extract (with --check and --report) writes: refused without --force
# and removed with it, so no file of an earlier run is left to pass for this one's.
ALL_OUTPUT_FILES = OUTPUT_FILES + ("checks.jsonl", "checks_summary.json", "checks.csv", "checks.parquet",
                                   "claims.csv", "claims.parquet", "report.html")


@dataclass
class ExtractSummary:
    """What one extraction run did (also written as ``summary.json``).

    ``unread`` counts the parts of the input that could not be looked at
    (a folder that cannot be listed, a file that cannot be opened: codes
    E112, E113; they are also in ``failed``). ``complete`` is true only when
    the run ended and ``unread`` is 0.
    """

    articles_read: int = 0
    skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    unread: int = 0
    warnings: int = 0
    claims: int = 0
    words: int = 0
    seconds: float = 0.0
    workers: int = 1
    complete: bool = False
    failures: list[dict] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        """One readable line for the end of a run."""
        return (f"articles read {self.articles_read}, skipped {self.skipped}, failed {self.failed}, "
                f"claims {self.claims}, {self.seconds:.2f} s, {self.words_per_second:,.0f} words/s, "
                f"workers {self.workers}")


def prepare_out_dir(out_dir: Path, force: bool, names: Iterable[str] = ALL_OUTPUT_FILES) -> None:
    """Create ``out_dir``; refuse when it already holds output unless ``force``.

    Raises:
        UsageError: E401 naming the existing file; E403 when the folder cannot
            be made or written (a file of that name, no permission, read-only).
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError("E403", f"{out_dir} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError("E403", f"cannot create output folder {out_dir}: {exc.strerror}") from None
    for name in names:
        if (out_dir / name).exists() and not force:
            raise UsageError("E401", f"{out_dir / name} exists; use --force to overwrite it")
    if not os.access(out_dir, os.W_OK):
        raise UsageError("E403", f"output folder {out_dir} is not writable")


def extract_claims(articles: Iterable[Article], settings: Settings | None = None,
                   on_error: Callable[[Article, Exception], None] | None = None, nlp=None,
                   ) -> Iterator[tuple[Article, list[dict], list[tuple[int, int, str]]]]:
    """Run the pipeline over articles; yield ``(article, claim rows, rejected figures)`` in input order.

    The rejected figures are numbers the grammar read but refused, as
    ``(start, end, reason)`` (a value no float holds). An article whose
    processing raises is passed to ``on_error`` and yields nothing; the
    others go on. ``nlp``: a pipeline from :func:`~pipeline.build.make_nlp`
    to reuse (default: one is built from ``settings``).
    """
    settings = settings or Settings()
    nlp = nlp if nlp is not None else make_nlp(settings)
    pending: dict[int, Article] = {}

    def docs():
        for art in articles:
            try:
                doc = make_article_doc(nlp, art.text, art.doc_id, art.doc_date)
            except Exception as exc:  # the tokenizer failing on one odd text must not stop the batch
                if on_error is not None:
                    on_error(art, exc)
                continue
            pending[id(doc)] = art
            yield doc

    def handler(proc_name, proc, docs_, exc):
        for d in docs_:
            art = pending.pop(id(d), None)
            if art is not None and on_error is not None:
                on_error(art, exc)

    nlp.set_error_handler(handler)
    for doc in nlp.pipe(docs(), batch_size=settings.batch_size):
        art = pending.pop(id(doc))
        yield art, doc.user_data.get("claims", []), doc.user_data.get("figures_rejected", [])


def check_source(source: Path) -> None:
    """Refuse a source that does not exist or cannot be looked at, before anything is written.

    Raises:
        UsageError: E402 naming the path and the OS's reason (no such file,
            name too long, permission denied).
    """
    try:
        os.stat(source)
    except FileNotFoundError:
        raise UsageError("E402", f"{source} does not exist") from None
    except OSError as exc:
        raise UsageError("E402", f"cannot look at {str(source)[:200]}: {exc.strerror}") from None


def run_extract(source: Path, out_dir: Path, settings: Settings | None = None, force: bool = False,
                default_date: str | None = None, progress: bool | None = None,
                write_summary: bool = True, workers: int | None = None) -> ExtractSummary:
    """Extract claims from every article under ``source`` into ``out_dir``.

    Args:
        source: a folder (read recursively) or one file.
        out_dir: output folder; see the module docstring for its files.
        settings: loaded ``config.toml``.
        force: overwrite existing output.
        default_date: ISO date for articles that carry none.
        progress: show a progress bar (default: when stderr is a terminal).
        write_summary: write ``summary.json`` at the end; False when the
            caller writes more output first (``extract --check --report``)
            and then calls :func:`write_extract_summary` itself, under the
            same lock.
        workers: processes that run the pipeline (default: ``workers`` of
            the settings); the files written are the same bytes for any number.

    Returns:
        The run's :class:`ExtractSummary`.

    Raises:
        UsageError: ``source`` does not exist (E402), output exists (E401),
            the folder is in use by another run (E404).
    """
    settings = settings or Settings()
    source, out_dir = Path(source), Path(out_dir)
    check_source(source)
    prepare_out_dir(out_dir, force=True)  # made here; existing output is refused under the lock
    with OutputLock(out_dir, "newsfigures extract"):
        prepare_out_dir(out_dir, force)
        for path in [*(out_dir / name for name in ALL_OUTPUT_FILES), *leftover_temps(out_dir)]:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise UsageError("E403", f"cannot remove {path}: {exc.strerror}") from None
        summary = _extract_into(source, out_dir, settings, default_date, progress,
                                workers if workers is not None else settings.workers)
        if write_summary:
            write_extract_summary(out_dir, summary, source)
    return summary


def _extract_into(source: Path, out_dir: Path, settings: Settings, default_date: str | None,
                  progress: bool | None, workers: int) -> ExtractSummary:
    summary = ExtractSummary(workers=workers)
    claims_tmp = out_dir / "claims.jsonl.partial"
    errors_tmp = out_dir / "errors.jsonl.partial"
    warnings_tmp = out_dir / "warnings.jsonl.partial"
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    # an output folder inside the input is not read back as articles
    own_files = (frozenset(ALL_OUTPUT_FILES) | {f"{n}.partial" for n in ALL_OUTPUT_FILES}
                 | {LOCK_NAME})
    n_files = sum(1 for _ in walk_inputs(source, out_dir, own_files)) if show else 0  # every entry advances the bar
    with jsonlines.open(claims_tmp, "w", compact=True) as claims_out, \
            jsonlines.open(errors_tmp, "w", compact=True) as errors_out, \
            jsonlines.open(warnings_tmp, "w", compact=True) as warnings_out, \
            _progress(show, n_files) as advance:

        def fail(doc_id: str, path: str, code: str, reason: str) -> None:
            row = {"doc_id": doc_id, "file": path, "code": code, "reason": reason}
            errors_out.write(row)
            summary.failed += 1
            summary.unread += code in UNREAD_CODES
            summary.failures.append(row)

        def chunks() -> Iterator[tuple[list, list[Article]]]:
            """The input as ``(reading items, their articles)``, CHUNK_ARTICLES articles at a time."""
            last_path = None
            items: list = []
            arts: list[Article] = []
            for item in iter_articles(source, settings.extensions, default_date, settings.max_chars,
                                      settings.dateline_chars, settings.html_min_words, out_dir, own_files,
                                      settings.html_max_bytes):
                if item.path != last_path:
                    advance()
                    last_path = item.path
                if isinstance(item, Skipped):  # only counted: nothing is written for it
                    summary.skipped += 1
                    summary.skipped_by_reason[item.reason] = summary.skipped_by_reason.get(item.reason, 0) + 1
                    continue
                items.append(item)
                if isinstance(item, Article):
                    arts.append(item)
                    if len(arts) >= CHUNK_ARTICLES:
                        yield items, arts
                        items, arts = [], []
            if items:
                yield items, arts

        # every row of an article (its reading failure, date note, processing error, claims) is
        # written when its chunk's results come back, in input order: the same bytes for any --workers
        with ChunkRunner(settings, workers) as runner:
            for items, results in runner.run(chunks()):
                results = iter(results)
                for item in items:
                    if isinstance(item, ArticleFailure):
                        fail(item.doc_id, item.path, item.code, item.reason)
                        continue
                    art, result = item, next(results)
                    if art.date_note:
                        warnings_out.write({"doc_id": art.doc_id, "file": art.path, "code": "W120",
                                            "reason": art.date_note})
                        summary.warnings += 1
                    if result.error is not None:
                        fail(art.doc_id, art.path, *result.error)
                        continue
                    _write_article(art, result, claims_out, warnings_out, summary)
    for tmp in (claims_tmp, errors_tmp, warnings_tmp):
        _fsync(tmp)
    summary.seconds = time.perf_counter() - started
    summary.complete = summary.unread == 0
    os.replace(claims_tmp, out_dir / "claims.jsonl")
    os.replace(errors_tmp, out_dir / "errors.jsonl")
    os.replace(warnings_tmp, out_dir / "warnings.jsonl")
    return summary


def _write_article(art: Article, result, claims_out, warnings_out, summary: ExtractSummary) -> None:
    """Write one processed article's claim rows and W121 notes, and count them."""
    summary.articles_read += 1
    summary.words += result.words
    for start, end, reason in result.rejected:  # never a claim: JSON has no Infinity
        warnings_out.write({"doc_id": art.doc_id, "file": art.path, "code": "W121",
                            "reason": f"figure at [{start}, {end}) left out: {reason}"})
        summary.warnings += 1
    for row in result.rows:
        bad = number_problem(row)
        if bad:  # a figure too large for a float ("$1e400 billion"): JSON has no Infinity
            warnings_out.write({"doc_id": art.doc_id, "file": art.path, "code": "W121",
                                "reason": f"claim {row.get('claim_id')} left out: {bad}"})
            summary.warnings += 1
            continue
        claims_out.write(row)
        summary.claims += 1


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_extract_summary(out_dir: Path, summary: ExtractSummary, source: Path,
                          extra: dict | None = None) -> Path:
    """Write ``summary.json`` (atomically): the last file of a run.

    Args:
        out_dir: the output folder.
        summary: the extraction's counts; ``complete`` is written as given.
        source: the input folder or file.
        extra: more keys (the checks' completeness, the files written).

    Returns:
        The path written.
    """
    data = asdict(summary)
    data.pop("failures")
    data["words_per_second"] = round(summary.words_per_second, 1)
    data["source"] = str(source)
    data.update(extra or {})
    data["complete"] = summary.complete and all(v is not False for k, v in (extra or {}).items()
                                                if k.endswith("_complete"))
    path = Path(out_dir) / "summary.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


@dataclass
class ExtractJob:
    """What ``extract`` (with ``--check`` and ``--report``) did: the summary, the checks, the files written."""

    summary: ExtractSummary
    checks: object | None = None  # a checks.CheckSummary when --check
    written: list[Path] = field(default_factory=list)
    problems: list = field(default_factory=list)  # bad rows the report skipped (rows.InputProblem)

    @property
    def complete(self) -> bool:
        """Every input looked at, and every claim row checked and tabled."""
        checks_ok = self.checks is None or not self.checks.problems
        return self.summary.complete and checks_ok and not self.problems


def run_extract_job(source: Path, out_dir: Path, settings: Settings | None = None, force: bool = False,
                    default_date: str | None = None, progress: bool | None = None, check: bool = False,
                    report: bool = False, workers: int | None = None) -> ExtractJob:
    """``extract`` as the command runs it: extraction, then checks and the report, then ``summary.json``.

    The folder is held (one lock) from the first file removed to the last
    written, and ``summary.json`` is written last, only when every file it
    describes is on disk; its ``complete`` is false when any input could not
    be looked at or any claim row was skipped by the checks or the report.

    Raises:
        UsageError: as :func:`run_extract`.
        SchemaError: when the report refuses the folder's rows.
    """
    settings = settings or Settings()
    source, out_dir = Path(source), Path(out_dir)
    check_source(source)
    prepare_out_dir(out_dir, force=True)  # only made here; existing output is refused under the lock
    with OutputLock(out_dir, "newsfigures extract"):
        job = ExtractJob(run_extract(source, out_dir, settings, force, default_date, progress, write_summary=False,
                                     workers=workers))
        job.written += [out_dir / "claims.jsonl", out_dir / "errors.jsonl", out_dir / "warnings.jsonl"]
        extra: dict = {}
        if check:
            from .checks import CHECK_SUMMARY_FILE, CheckSettings, run_checks

            job.checks = run_checks([out_dir / "claims.jsonl"], out_dir, CheckSettings.from_mapping(settings.checks))
            job.written += [out_dir / "checks.jsonl", out_dir / CHECK_SUMMARY_FILE]
            extra["checks_complete"] = not job.checks.problems
        if report:
            from .report import write_review_outputs

            # tables and page from one read; the drawn articles' texts are read again from source
            # (every sentence, to add a missed figure in)
            job.written += write_review_outputs(out_dir, problems=job.problems, articles=source, settings=settings)
            extra["report_complete"] = not job.problems
        extra["files"] = sorted({p.name for p in job.written} | {"summary.json"})
        job.written.append(write_extract_summary(out_dir, job.summary, source, extra))
    return job


class _progress:
    """A rich progress bar on a terminal; nothing when output is piped."""

    def __init__(self, show: bool, total: int) -> None:
        self.show, self.total = show, total
        self.bar = None

    def __enter__(self) -> Callable[[], None]:
        if not self.show:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), transient=True)
        self.bar.__enter__()
        task = self.bar.add_task("extracting", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
