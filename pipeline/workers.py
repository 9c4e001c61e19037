"""Run the pipeline over chunks of articles: in this process, or in a pool of worker processes.

:func:`process_chunk` is the one unit of work: a list of articles in, one
:data:`ArticleResult` per article out, in the same order, as plain Python
data (never spaCy Docs). :class:`ChunkRunner` runs chunks either in-process
(one worker) or in a standard-library process pool and hands the results
back in input order, so the rows written do not depend on the number of
workers. The pipeline is built once in this process before the pool starts
(so a bad setting is the same usage error as with one worker, not a failure
of every article); with ``fork`` (Linux) each worker inherits it, and its
initializer builds one only where nothing is inherited (``spawn``), so a
fresh worker after a crash starts in milliseconds.

Failures stay per article:

* an exception inside one article becomes an error for that article only
  (``E110``), as in the one-process run;
* a worker process that dies (killed, out of memory, a crash in C code)
  loses its chunk: the chunk is run again alone in a fresh worker, and if
  that worker dies too, article by article, each in a fresh worker; the
  article whose worker dies is failed with ``E114`` and the others keep
  their claims. Nothing waits on a dead process: the pool reports it
  (``BrokenProcessPool``).
"""
from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Iterable, Iterator, NamedTuple

from .config import Settings
from .reading import Article

# articles sent to a worker at a time: small enough that a corpus of a few dozen
# articles keeps every worker busy, large enough that pickling costs little
CHUNK_ARTICLES = 16
# chunks in flight per worker (bounds the articles held in memory: read ahead, not yet written)
WINDOW_PER_WORKER = 3

WORKER_DIED = "E114"


class ArticleResult(NamedTuple):
    """What the pipeline made of one article (plain data, picklable).

    Attributes:
        rows: claim rows (schema v1 dicts), in the article's order.
        rejected: figures read but refused, ``(start, end, reason)`` with
            character offsets into the article text.
        error: None, or ``(code, reason)`` when the article failed (E110: an
            exception while processing it; E114: its worker process died).
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


# --- the worker processes ----------------------------------------------------

_worker_nlp = None
_worker_settings: Settings | None = None


def _init_worker(settings: Settings) -> None:
    """Pool initializer: the worker's pipeline, inherited from the parent (fork) or built once here."""
    global _worker_nlp, _worker_settings
    _worker_settings = settings
    if _worker_nlp is None:
        from .build import make_nlp

        _worker_nlp = make_nlp(settings)


def _work(articles: list[Article]) -> list[ArticleResult]:
    return process_chunk_safely(_worker_nlp, articles, _worker_settings)


def _context():
    """``fork`` where there is one (Linux: workers start without importing anything again), else the default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)


class ChunkRunner:
    """Run chunks of articles with ``workers`` processes; results come back in submission order.

    Use as a context manager; :meth:`run` takes an iterable of ``(tag,
    articles)`` pairs and yields ``(tag, results)`` pairs in the same order,
    keeping at most ``WINDOW_PER_WORKER * workers`` chunks in flight. ``tag``
    is anything the caller wants back with the chunk (the reading events
    between its articles).
    """

    def __init__(self, settings: Settings, workers: int = 1) -> None:
        self.settings = settings
        self.workers = max(1, int(workers))
        self._nlp = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "ChunkRunner":
        global _worker_nlp
        from .build import make_nlp

        self._nlp = make_nlp(self.settings)  # raises a bad setting's error here, for any number of workers
        if self.workers > 1:
            _worker_nlp = self._nlp  # what forked workers start with
            self._pool = self._new_pool(self.workers)
        return self

    def __exit__(self, *exc) -> None:
        global _worker_nlp
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        _worker_nlp = None

    def _new_pool(self, n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=_context(), initializer=_init_worker,
                                   initargs=(self.settings,))

    def run(self, chunks: Iterable[tuple[object, list[Article]]]) -> Iterator[tuple[object, list[ArticleResult]]]:
        """Yield ``(tag, results)`` for each ``(tag, articles)`` of ``chunks``, in order (one result an article)."""
        if self._pool is None:
            for tag, articles in chunks:
                yield tag, process_chunk_safely(self._nlp, articles, self.settings) if articles else []
            return
        window: deque[tuple[object, list[Article], Future | None]] = deque()
        limit = WINDOW_PER_WORKER * self.workers
        for tag, articles in chunks:
            window.append((tag, articles, self._submit(articles)))
            while len(window) >= limit:
                yield self._collect(*window.popleft())
        while window:
            yield self._collect(*window.popleft())

    def _submit(self, articles: list[Article]) -> Future | None:
        if not articles:
            return None
        try:
            return self._pool.submit(_work, articles)
        except BrokenProcessPool:  # a worker died since the last chunk: a fresh pool for the rest
            self._replace_pool()
            return self._pool.submit(_work, articles)

    def _collect(self, tag: object, articles: list[Article], future: Future | None
                 ) -> tuple[object, list[ArticleResult]]:
        if future is None:
            return tag, []
        try:
            return tag, future.result()
        except BrokenProcessPool:
            # a worker died: every chunk in flight is lost, not only the one that killed it
            self._replace_pool()
            return tag, self._rerun(articles)

    def _replace_pool(self) -> None:
        old, self._pool = self._pool, None
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool(self.workers)

    def _rerun(self, articles: list[Article]) -> list[ArticleResult]:
        """Run a lost chunk again alone; if its worker dies again, article by article."""
        results = self._alone(articles)
        if results is not None:
            return results
        out = []
        for art in articles:
            one = self._alone([art])
            out.extend(one if one is not None else [ArticleResult(
                [], [], (WORKER_DIED, "processing failed: the worker process died (killed, out of memory "
                                      "or crashed) while processing this article"), len(art.text.split()))])
        return out

    def _alone(self, articles: list[Article]) -> list[ArticleResult] | None:
        """The chunk's results from a fresh one-worker pool, or None when that worker dies too."""
        pool = self._new_pool(1)
        try:
            return pool.submit(_work, articles).result()
        except BrokenProcessPool:
            return None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
