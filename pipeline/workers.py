"""What a worker does: run the pipeline over one shard and write its part files.

:func:`run_shard` is the one unit of work of a run (any engine: this
process, a local process pool, a Dask cluster): it reads the shard's files
in order, runs the pipeline over them :data:`CHUNK_ARTICLES` at a time,
and writes the rows a one-process run would write for them, in the same
order, to the shard's part files (:mod:`pipeline.parts`), published whole
or not at all. The pipeline is built once a process (:func:`pipeline_for`)
and reused for every shard it runs.

Failures stay per article: an exception inside one article (or a chunk's
run raising outside any one article) fails that article only (``E110``).
A worker process that dies loses its whole shard; the engine
(:mod:`pipeline.engines`) retries it once, then fails it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

import jsonlines

from . import interrupt
from .config import Settings
from .errors import UNREAD_CODES
from .manifest import Shard
from .outdir import temp_name
from .parts import ROW_KINDS, ShardCounts, part_path, publish_parts
from .reading import Article, ArticleFailure, Skipped, read_file
from .rows import number_problem

# articles given to nlp.pipe at a time (and run again one by one when a chunk's run raises)
CHUNK_ARTICLES = 16


class ArticleResult(NamedTuple):
    """What the pipeline made of one article (plain data, picklable).

    Attributes:
        rows: claim rows (schema v1 dicts), in the article's order.
        rejected: figures read but refused, ``(start, end, reason)`` with
            character offsets into the article text.
        error: None, or ``(code, reason)`` when the article failed (E110: an
            exception while processing it).
        words: the article's words (whitespace split), counted as ``extract`` counts them.
    """

    rows: list[dict]
    rejected: list[tuple[int, int, str]]
    error: tuple[str, str] | None
    words: int


def process_chunk(nlp, articles: list[Article], settings: Settings) -> list[ArticleResult]:
    """Run ``nlp`` over ``articles``; return one :class:`ArticleResult` per article, in order.

    An article whose processing raises gets ``error = ("E110", reason)`` and
    no rows; the others are unaffected.
    """
    from .extract import extract_claims

    errors: dict[int, tuple[str, str]] = {}
    index = {id(art): i for i, art in enumerate(articles)}

    def on_error(art: Article, exc: Exception) -> None:
        errors[index[id(art)]] = ("E110", f"processing failed: {type(exc).__name__}: {exc}")

    done: dict[int, tuple[list[dict], list]] = {}
    for art, rows, rejected in extract_claims(articles, settings, on_error, nlp=nlp):
        done[index[id(art)]] = (rows, rejected)
    out = []
    for i, art in enumerate(articles):
        rows, rejected = done.get(i, ([], []))
        error = errors.get(i)
        if error is None and i not in done:  # neither yielded nor reported: never silently dropped
            error = ("E110", "processing failed: the pipeline returned no result for this article")
        out.append(ArticleResult(rows if error is None else [], rejected if error is None else [], error,
                                 len(art.text.split())))
    return out


def process_chunk_safely(nlp, articles: list[Article], settings: Settings) -> list[ArticleResult]:
    """:func:`process_chunk`, and when the chunk as a whole raises (outside any one article's
    processing), each article again alone, so the exception fails only the article that raises it (E110)."""
    try:
        return process_chunk(nlp, articles, settings)
    except Exception:  # noqa: BLE001  (a batch never dies on one bad article)
        out = []
        for art in articles:
            try:
                out.extend(process_chunk(nlp, [art], settings))
            except Exception as exc:  # noqa: BLE001
                out.append(ArticleResult([], [], ("E110", f"processing failed: {type(exc).__name__}: {exc}"),
                                         len(art.text.split())))
        return out




@dataclass(frozen=True)
class ShardJob:
    """What every shard of a run shares (picklable: sent to worker processes and Dask workers).

    Attributes:
        settings: the run's settings.
        base: the folder the manifest's relative paths are in (absolute).
        parts_dir: where the part files go (absolute; on a shared filesystem for Dask).
        fingerprint: the run's fingerprint, recorded in each done record.
        default_date: ``--date``, for articles that carry none.
    """

    settings: Settings
    base: str
    parts_dir: str
    fingerprint: str
    default_date: str | None = None


_pipeline: tuple[str, object] | None = None  # (settings key, nlp) of this process


def set_pipeline(settings: Settings | None, nlp=None) -> None:
    """Make ``nlp`` this process's pipeline for ``settings`` (forked workers inherit it); None forgets it."""
    global _pipeline
    _pipeline = None if settings is None else (repr(settings), nlp)


def pipeline_for(settings: Settings):
    """This process's pipeline for ``settings``: the one set or inherited, else built once here."""
    global _pipeline
    key = repr(settings)
    if _pipeline is None or _pipeline[0] != key:
        from . import build

        _pipeline = (key, build.make_nlp(settings))
    return _pipeline[1]


def run_shard(shard: Shard, job: ShardJob, on_entry: Callable[[int], None] | None = None) -> ShardCounts:
    """Read, process and write one shard; return its counts.

    Writes the shard's part files (claims, errors, warnings: the rows a
    one-process run writes for these entries, in the same order) under
    temporary names, then publishes them with a done record
    (:func:`~pipeline.parts.publish_parts`). On any exception the temporary
    files are removed and nothing is published.

    Args:
        shard: the shard (its manifest entries).
        job: what the run's shards share.
        on_entry: called with the number of the shard's entries done so far,
            after each (for a progress bar).

    Raises:
        OSError: the parts cannot be written (the engine retries the shard once).
    """
    settings = job.settings
    nlp = pipeline_for(settings)
    parts_dir = Path(job.parts_dir)
    parts_dir.mkdir(parents=True, exist_ok=True)
    temps = {kind: temp_name(part_path(parts_dir, shard.index, kind)) for kind in ROW_KINDS}
    counts = ShardCounts()
    try:
        with jsonlines.open(temps["claims"], "w", compact=True) as claims_out, \
                jsonlines.open(temps["errors"], "w", compact=True) as errors_out, \
                jsonlines.open(temps["warnings"], "w", compact=True) as warnings_out:
            writer = _ShardWriter(counts, claims_out, errors_out, warnings_out)
            items: list = []
            articles: list[Article] = []
            for done, entry in enumerate(shard.entries, 1):
                if entry[0] == "s":  # only counted: nothing is written for it
                    counts.skipped += 1
                    counts.skipped_by_reason[entry[2]] = counts.skipped_by_reason.get(entry[2], 0) + 1
                elif entry[0] == "x":
                    items.append(ArticleFailure(*entry[1:]))
                else:
                    rel = entry[1]
                    for item in read_file(Path(job.base) / rel, rel, settings.extensions, job.default_date,
                                          settings.max_chars, settings.dateline_chars, settings.html_min_words,
                                          settings.html_max_bytes):
                        if isinstance(item, Skipped):
                            counts.skipped += 1
                            counts.skipped_by_reason[item.reason] = counts.skipped_by_reason.get(item.reason, 0) + 1
                            continue
                        items.append(item)
                        if isinstance(item, Article):
                            articles.append(item)
                            if len(articles) >= CHUNK_ARTICLES:
                                writer.write(items, process_chunk_safely(nlp, articles, settings))
                                items, articles = [], []
                if on_entry is not None:
                    on_entry(done)
                interrupt.check()  # a stop requested while an article was read (see pipeline.interrupt)
            writer.write(items, process_chunk_safely(nlp, articles, settings) if articles else [])
        publish_parts(parts_dir, shard.index, temps, counts, job.fingerprint)
    except BaseException:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise
    return counts


class _ShardWriter:
    """Writes the rows of read items and their pipeline results, in input order, and counts them."""

    def __init__(self, counts: ShardCounts, claims_out, errors_out, warnings_out) -> None:
        self.counts, self.claims_out, self.errors_out, self.warnings_out = counts, claims_out, errors_out, warnings_out

    def fail(self, doc_id: str, path: str, code: str, reason: str) -> None:
        self.errors_out.write({"doc_id": doc_id, "file": path, "code": code, "reason": reason})
        self.counts.failed += 1
        self.counts.unread += code in UNREAD_CODES

    def warn(self, art: Article, code: str, reason: str) -> None:
        self.warnings_out.write({"doc_id": art.doc_id, "file": art.path, "code": code, "reason": reason})
        self.counts.warnings += 1

    def write(self, items: list, results: list[ArticleResult]) -> None:
        """Write the rows of ``items`` (articles and reading failures, in order); ``results`` one an article."""
        results_iter = iter(results)
        for item in items:
            if isinstance(item, ArticleFailure):
                self.fail(item.doc_id, item.path, item.code, item.reason)
                continue
            art, result = item, next(results_iter)
            if art.date_note:
                self.warn(art, "W120", art.date_note)
            if art.text_note:
                self.warn(art, "W122", art.text_note)
            if result.error is not None:
                self.fail(art.doc_id, art.path, *result.error)
                continue
            self.counts.articles_read += 1
            self.counts.words += result.words
            for start, end, reason in result.rejected:  # never a claim: JSON has no Infinity
                self.warn(art, "W121", f"figure at [{start}, {end}) left out: {reason}")
            for row in result.rows:
                bad = number_problem(row)
                if bad:  # a figure too large for a float ("$1e400 billion"): JSON has no Infinity
                    self.warn(art, "W121", f"claim {row.get('claim_id')} left out: {bad}")
                    continue
                self.claims_out.write(row)
                self.counts.claims += 1
