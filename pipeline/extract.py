"""The batch job: read a folder of articles, run the pipeline, stream claims to disk.

Output (``OUT_DIR``):

* ``claims.jsonl``: one claim row per line (schema v1);
* ``errors.jsonl``: one row per article that could not be read or processed
  (``doc_id``, ``file``, ``code``, ``reason``);
* ``warnings.jsonl``: one row per note on an article that was read (a
  partial date kept unknown, W120; a claim left out because its figure is
  too large for a number, W121; control characters read as spaces, W122);
* ``summary.json``: counts, timing and ``"complete"``; written last, only
  when every file it describes is on disk.

* ``manifest.jsonl``: the input as listed, cut into shards (:mod:`pipeline.manifest`).

The folder is held by one run at a time (:class:`~pipeline.outdir.OutputLock`).
The input is listed once into the manifest; each shard is run by one worker
(:mod:`pipeline.engines`), which writes the shard's rows to part files
(``parts/``, :mod:`pipeline.parts`); the parts are merged in manifest order
into ``*.partial`` files, renamed to their final names only when whole, so
the files are the same bytes for any number of workers and any engine, and
an interrupted run leaves no file that passes for complete (no
``summary.json``). ``--resume`` keeps the shards whose parts are complete.
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

from . import build
from .build import make_article_doc, make_nlp
from .config import Settings
from .engines import ShardOutcome, check_engine, default_workers, run_shards
from .errors import UNREAD_CODES, UsageError
from .manifest import MANIFEST_NAME, Manifest, list_input, make_manifest, read_manifest, run_fingerprint, write_manifest
from .outdir import LOCK_NAME, OutputLock, atomic_path, leftover_temps, output_errors
from .parts import (PARTS_DIR, ROW_KINDS, ShardCounts, append_part, discard_shard, part_path, remove_parts,
                    remove_temps, shard_done)
from .progress import RunProgress
from .reading import Article
from .workers import ShardJob, set_pipeline

OUTPUT_FILES = ("claims.jsonl", "errors.jsonl", "warnings.jsonl", "summary.json")
# Everything a run of extract (with --check and --report) writes: refused without --force
# and removed with it, so no file of an earlier run is left to pass for this one's.
ALL_OUTPUT_FILES = OUTPUT_FILES + ("checks.jsonl", "checks_summary.json", "checks.csv", "checks.parquet",
                                   "claims.csv", "claims.parquet", "report.html", MANIFEST_NAME)


@dataclass
class ExtractSummary(ShardCounts):
    """What one extraction run did (also written as ``summary.json``).

    ``unread`` counts the parts of the input that could not be looked at
    (a folder that cannot be listed, a file that cannot be opened: codes
    E112, E113; they are also in ``failed``). ``shards`` is the manifest's
    shards, ``shards_resumed`` those whose parts an earlier run left
    complete (``--resume``), ``retries`` the shards run a second time,
    ``shards_failed`` those that failed twice (their files are in
    ``failed``), ``words_resumed`` the words of the kept shards (left out of
    the words per second). ``complete`` is true only when the run ended, ``unread``
    is 0 and no shard failed.
    """

    seconds: float = 0.0
    workers: int = 1
    engine: str = "local"
    shards: int = 0
    shards_resumed: int = 0
    retries: int = 0
    shards_failed: int = 0
    words_resumed: int = 0
    complete: bool = False
    failures: list[dict] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        """Words this run processed (not those of shards kept by ``--resume``) a second."""
        return (self.words - self.words_resumed) / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        """One readable line for the end of a run."""
        return (f"articles read {self.articles_read}, skipped {self.skipped}, failed {self.failed}, "
                f"claims {self.claims}, {self.seconds:.2f} s, {self.words_per_second:,.0f} words/s, "
                f"workers {self.workers}, shards {self.shards}"
                + (f" ({self.shards_resumed} resumed)" if self.shards_resumed else "")
                + f", retries {self.retries}" + (f", shards failed {self.shards_failed}" if self.shards_failed else ""))


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
            hint = " (or --resume to go on with the run it lists)" if name == MANIFEST_NAME else ""
            raise UsageError("E401", f"{out_dir / name} exists; use --force to overwrite it{hint}")
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


def check_source(source: Path, extensions: tuple[str, ...] = ()) -> None:
    """Refuse a source that does not exist or cannot be looked at, or one file whose ending is
    not among ``extensions`` (when given), before anything is written.

    Raises:
        UsageError: E402 naming the path and the OS's reason (no such file,
            name too long, permission denied), or the endings read.
    """
    try:
        os.stat(source)
    except FileNotFoundError:
        raise UsageError("E402", f"{source} does not exist") from None
    except OSError as exc:
        raise UsageError("E402", f"cannot look at {str(source)[:200]}: {exc.strerror}") from None
    if extensions and source.is_file() and source.suffix.lower() not in extensions:
        raise UsageError("E402", f"{source}: not an article file of a kind read (extensions read: "
                                 f"{', '.join(extensions)}; [reading] extensions in config.toml)")


def _refuse_early(source: Path, settings: Settings) -> None:
    """The checks made before anything is written: the source (E402) and the model files (E300)."""
    from .lexicons import check_models

    check_source(source, settings.extensions)
    model = settings.claims.get("attachment_model", "")
    check_models(settings.models_dir, model if model and not Path(model).is_absolute() else "", settings.config_path)


def run_extract(source: Path, out_dir: Path, settings: Settings | None = None, force: bool = False,
                default_date: str | None = None, progress: bool | None = None,
                write_summary: bool = True, workers: int | None = None, resume: bool = False,
                engine: str = "local", scheduler: str | None = None) -> ExtractSummary:
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
        workers: processes that run shards with the ``local`` engine
            (default: ``workers`` of the settings; 0 = one a core); the
            files written are the same bytes for any number.
        resume: go on with the run ``out_dir``'s manifest lists: shards
            whose parts are complete are kept, the others run again.
        engine: ``local`` (this machine) or ``dask`` (a dask.distributed cluster).
        scheduler: the Dask scheduler's address, for ``engine="dask"``.

    Returns:
        The run's :class:`ExtractSummary`.

    Raises:
        LexiconError: E300 when ``models_dir`` lacks a file the pipeline reads (before anything is written).
        UsageError: ``source`` does not exist or is one file of a kind not read (E402), output exists (E401),
            the folder is in use by another run (E404), nothing to resume
            (E405), a resume with another source or settings (E406), the
            Dask engine unavailable (E407).
    """
    settings = settings or Settings()
    source, out_dir = Path(source), Path(out_dir)
    check_engine(engine, scheduler)
    _refuse_early(source, settings)
    if source.is_dir() and out_dir.resolve() == source.resolve():
        raise UsageError("E408", f"--out {out_dir} is the folder of the articles: choose a folder of its own "
                                 f"(one inside the articles' folder is not read back)")
    if resume and not out_dir.is_dir():
        raise UsageError("E405", f"{out_dir} does not exist: there is no run to resume in it")
    prepare_out_dir(out_dir, force=True)  # made here; existing output is refused under the lock
    workers = workers if workers is not None else settings.workers
    workers = workers or default_workers()
    with OutputLock(out_dir, "newsfigures extract"):
        fingerprint = run_fingerprint(settings, source, default_date)
        manifest = None
        if resume:
            manifest = _resumable(out_dir, fingerprint, source)
            doomed = [*(out_dir / name for name in ALL_OUTPUT_FILES if name != MANIFEST_NAME),
                      *leftover_temps(out_dir)]
        else:
            prepare_out_dir(out_dir, force, (*ALL_OUTPUT_FILES, PARTS_DIR))
            doomed = [*(out_dir / name for name in ALL_OUTPUT_FILES), *leftover_temps(out_dir)]
            try:
                remove_parts(out_dir / PARTS_DIR)
            except OSError as exc:
                raise UsageError("E403", f"cannot start the run in {out_dir}: {exc}") from None
        for path in doomed:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise UsageError("E403", f"cannot remove {path}: {exc.strerror}") from None
        summary = _extract_into(source, out_dir, settings, default_date, progress, workers, manifest,
                                fingerprint, engine, scheduler)
        if write_summary:
            write_extract_summary(out_dir, summary, source)
            end_run(out_dir, summary)
    return summary


# an output folder inside the input is not read back as articles: these names are left out of it
_OWN_FILES = frozenset(ALL_OUTPUT_FILES) | {f"{n}.partial" for n in ALL_OUTPUT_FILES} | {LOCK_NAME, PARTS_DIR}


def _resumable(out_dir: Path, fingerprint: str, source: Path) -> Manifest:
    """The manifest of the run to go on with in ``out_dir``.

    Raises:
        UsageError: E405 when there is none, or the run ended (its parts are
            gone); E406 when it was made from another source or other settings,
            or the articles changed since (a file added, removed or of another size).
    """
    manifest = read_manifest(out_dir)
    if manifest.fingerprint != fingerprint:
        raise UsageError("E406", f"the run in {out_dir} read another source or used other settings, --date or "
                                 f"model files: it cannot be resumed by this one; use --force to start again")
    if not (out_dir / PARTS_DIR).is_dir() and (out_dir / "summary.json").exists():
        raise UsageError("E405", f"the run in {out_dir} has ended (summary.json): nothing to resume; "
                                 f"use --force to run it again")
    _, entries = list_input(source, out_dir, _OWN_FILES)
    listed = [tuple(e) for shard in manifest.shards for e in shard.entries]
    if [tuple(e) for e in entries] != listed:
        changed = next((b for a, b in zip(entries, listed) if tuple(a) != b), None) or (entries or listed)[-1]
        raise UsageError("E406", f"the articles in {source} changed since the run in {out_dir} started "
                                 f"(a file added, removed or of another size; first: {changed[1]}): its finished "
                                 f"shards would not match them; use --force to start again")
    return manifest


def end_run(out_dir: Path, summary: ExtractSummary) -> None:
    """After ``summary.json``: remove the part files, unless a shard failed (``--resume`` retries it)."""
    if not summary.shards_failed:
        try:
            remove_parts(Path(out_dir) / PARTS_DIR)
        except OSError:
            pass  # a file someone put in parts/ during the run stays, with our parts (the outputs are whole)


def _extract_into(source: Path, out_dir: Path, settings: Settings, default_date: str | None,
                  progress: bool | None, workers: int, manifest: Manifest | None, fingerprint: str,
                  engine: str, scheduler: str | None) -> ExtractSummary:
    summary = ExtractSummary(workers=workers, engine=engine)
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    parts_dir = out_dir / PARTS_DIR
    if manifest is None:
        manifest = make_manifest(source, out_dir, _OWN_FILES, settings.shard_bytes, fingerprint)
        write_manifest(out_dir, manifest)
    parts_dir.mkdir(exist_ok=True)
    remove_temps(parts_dir)
    done: dict[int, ShardCounts] = {}
    todo = []
    for shard in manifest.shards:
        counts = shard_done(parts_dir, shard.index, fingerprint)
        if counts is None:
            discard_shard(parts_dir, shard.index)
            todo.append(shard)
        else:
            done[shard.index] = counts
    summary.shards, summary.shards_resumed = len(manifest.shards), len(done)
    summary.words_resumed = sum(counts.words for counts in done.values())
    failed: dict[int, ShardOutcome] = {}
    if todo:
        job = ShardJob(settings, manifest.base, str(parts_dir.resolve()), fingerprint, default_date)
        # built here: a bad setting is a usage error before any shard runs, and forked workers inherit it
        set_pipeline(settings, build.make_nlp(settings))
        kept = sum(len(s.entries) for s in manifest.shards if s.index in done)
        resumed = len(done)
        try:
            with RunProgress(show, manifest.entries, len(manifest.shards)) as update:
                update(kept, resumed)

                def started_with(n: int) -> None:
                    summary.workers = n

                for outcome in run_shards(todo, job, workers, engine, scheduler,
                                          lambda entries, shards: update(kept + entries, resumed + shards),
                                          started_with):
                    summary.retries += outcome.attempts - 1
                    if outcome.error is None:
                        done[outcome.shard.index] = outcome.counts
                    else:
                        failed[outcome.shard.index] = outcome
        finally:
            set_pipeline(None)
    _merge(manifest, parts_dir, out_dir, done, failed, summary)
    summary.seconds = time.perf_counter() - started
    summary.complete = summary.unread == 0 and summary.shards_failed == 0
    return summary


RESUME_HINT = "the finished shards are kept in parts/: make room and run `extract --resume`"


def _merge(manifest: Manifest, parts_dir: Path, out_dir: Path, done: dict[int, ShardCounts],
           failed: dict[int, ShardOutcome], summary: ExtractSummary) -> None:
    """Concatenate the shards' parts, in manifest order, into the run's row files, and add up their counts.

    Each file is written as ``KIND.jsonl.partial`` and renamed when the
    three are whole. A failed shard's files are each an error row (its code
    and reason) where its rows would have been; its skipped entries are
    counted as skipped.

    Raises:
        OutputError: E412 naming the file when it cannot be written (a full
            disk): the ``*.partial`` files and ``parts/`` are left, no row
            file passes for complete, and ``--resume`` goes on.
    """
    failed_rows = _add_up(manifest, parts_dir, done, failed, summary)
    partials = {kind: out_dir / f"{kind}.jsonl.partial" for kind in ROW_KINDS}
    for kind in ROW_KINDS:
        with output_errors(partials[kind], RESUME_HINT):
            with partials[kind].open("wb") as out:
                for shard in manifest.shards:
                    if shard.index not in failed_rows:
                        append_part(parts_dir, shard.index, kind, out)
                    elif kind == "errors":
                        jsonlines.Writer(out, compact=True).write_all(failed_rows[shard.index])
            _fsync(partials[kind])
    for kind in ROW_KINDS:
        with output_errors(out_dir / f"{kind}.jsonl", RESUME_HINT):
            os.replace(partials[kind], out_dir / f"{kind}.jsonl")


def _add_up(manifest: Manifest, parts_dir: Path, done: dict[int, ShardCounts],
            failed: dict[int, ShardOutcome], summary: ExtractSummary) -> dict[int, list[dict]]:
    """Add the shards' counts and failure rows to ``summary``, in manifest order.

    Returns:
        ``{shard index: error rows}`` for each failed shard: one row a file
        (a folder that could not be listed keeps its own row).
    """
    failed_rows: dict[int, list[dict]] = {}
    for shard in manifest.shards:
        if shard.index in failed:
            summary.shards_failed += 1
            code, reason = failed[shard.index].error
            rows = failed_rows[shard.index] = []
            for entry in shard.entries:
                if entry[0] == "s":
                    summary.skipped += 1
                    summary.skipped_by_reason[entry[2]] = summary.skipped_by_reason.get(entry[2], 0) + 1
                    continue
                if entry[0] == "x":  # a folder that could not be listed: its own row, as any run writes it
                    row = dict(zip(("doc_id", "file", "code", "reason"), entry[1:]))
                    summary.unread += row["code"] in UNREAD_CODES
                else:
                    row = {"doc_id": entry[1], "file": entry[1], "code": code, "reason": reason}
                rows.append(row)
                summary.failed += 1
                summary.failures.append(row)
            continue
        counts = done[shard.index]
        for name in ("articles_read", "skipped", "failed", "unread", "warnings", "claims", "words"):
            setattr(summary, name, getattr(summary, name) + getattr(counts, name))
        for reason, n in counts.skipped_by_reason.items():
            summary.skipped_by_reason[reason] = summary.skipped_by_reason.get(reason, 0) + n
        if counts.failed:
            with jsonlines.open(part_path(parts_dir, shard.index, "errors")) as rows_in:
                summary.failures.extend(rows_in)
    return failed_rows


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

    Raises:
        OutputError: E412 when it cannot be written (a full disk): no summary is left.
    """
    data = asdict(summary)
    data.pop("failures")
    data["words_per_second"] = round(summary.words_per_second, 1)
    data["source"] = str(source)
    data.update(extra or {})
    data["complete"] = summary.complete and all(v is not False for k, v in (extra or {}).items()
                                                if k.endswith("_complete"))
    path = Path(out_dir) / "summary.json"
    with output_errors(path, RESUME_HINT), atomic_path(path) as tmp:
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
                    report: bool = False, workers: int | None = None, resume: bool = False,
                    engine: str = "local", scheduler: str | None = None) -> ExtractJob:
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
    _refuse_early(source, settings)
    if resume and not Path(out_dir).is_dir():
        raise UsageError("E405", f"{out_dir} does not exist: there is no run to resume in it")
    prepare_out_dir(out_dir, force=True)  # only made here; existing output is refused under the lock
    with OutputLock(out_dir, "newsfigures extract"):
        job = ExtractJob(run_extract(source, out_dir, settings, force, default_date, progress, write_summary=False,
                                     workers=workers, resume=resume, engine=engine, scheduler=scheduler))
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
        extra["files"] = sorted({p.name for p in job.written} | {"summary.json", MANIFEST_NAME})
        job.written.append(write_extract_summary(out_dir, job.summary, source, extra))
        end_run(out_dir, job.summary)
    return job
