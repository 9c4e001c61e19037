"""Who runs the shards: this process, a local pool of worker processes, or a Dask cluster.

:func:`run_shards` runs :func:`~pipeline.workers.run_shard` for every
shard it is given and yields a :class:`ShardOutcome` for each, in the
order they end. Every engine runs the same function on the same shards,
so the part files, and the outputs merged from them, are the same bytes
whatever runs them.

* ``local`` with one worker: the shards one after another in this process.
* ``local`` with N workers: N worker slots, each a standard-library
  ``ProcessPoolExecutor`` of one process (``fork`` on Linux: the pipeline
  built here is inherited, not built again), so a worker that dies breaks
  only its own slot and the shard it held is known exactly.
* ``dask``: ``dask.distributed`` (imported only for this engine), given
  a scheduler address; shard entries go to the workers and part files come
  back on a filesystem every worker and this process share.

A shard whose worker dies (killed, out of memory, a crash in C code), or
whose run raises (its parts cannot be written), is run once more; if that
fails too it is failed: its files are listed as errors (E114 the worker
died, E115 the shard raised) and the run is not complete.
"""
from __future__ import annotations

import os
import signal
import sys
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable, Iterator

from . import interrupt
from .errors import UsageError
from .manifest import Shard
from .parts import ShardCounts
from .workers import ShardJob, run_shard

ENGINES = ("local", "dask")
WORKER_DIED = "E114"
SHARD_RAISED = "E115"
ATTEMPTS = 2  # a shard is run at most twice: once, and once more after its worker died or it raised
# how often the progress bar is brought up to date while shards run, in seconds
PROGRESS_INTERVAL = 0.25

Progress = Callable[[int, int], None]  # (entries done over all shards, shards done)


@dataclass
class ShardOutcome:
    """How one shard ended.

    Attributes:
        shard: the shard.
        counts: its counts when its parts were published, else None.
        error: ``(code, reason)`` when it failed twice (E114, E115), else None.
        attempts: how many times it was run (2 means it was retried).
    """

    shard: Shard
    counts: ShardCounts | None
    error: tuple[str, str] | None
    attempts: int


def default_workers() -> int:
    """The number of cores this process may run on (``sched_getaffinity``, else ``os.cpu_count``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_engine(engine: str, scheduler: str | None) -> None:
    """Refuse an engine that cannot run, before anything is written.

    Raises:
        UsageError: E407 for an unknown engine, ``dask`` without
            dask.distributed installed or without a scheduler address.
    """
    if engine not in ENGINES:
        raise UsageError("E407", f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    if engine == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise UsageError("E407", "--engine dask needs dask.distributed: pip install -e \".[dask]\"")
        if not scheduler:
            raise UsageError("E407", "--engine dask needs --scheduler ADDRESS (a dask.distributed scheduler)")


def run_shards(shards: list[Shard], job: ShardJob, workers: int, engine: str = "local",
               scheduler: str | None = None, progress: Progress | None = None,
               started: Callable[[int], None] | None = None) -> Iterator[ShardOutcome]:
    """Run every shard; yield each one's :class:`ShardOutcome` as it ends.

    Args:
        shards: the shards to run.
        job: what they share.
        workers: worker processes for the ``local`` engine (1: this process).
        engine: ``local`` or ``dask``.
        scheduler: the Dask scheduler's address (``tcp://host:8786``), for ``dask``.
        progress: called now and then with (entries done, shards done).
        started: called once with the number of workers (``local``: ``workers``,
            of which at most one a shard runs; ``dask``: the cluster's workers
            when it was reached).

    Raises:
        UsageError: E407 when ``dask`` is asked for and not installed or
            the scheduler cannot be reached.
    """
    progress = progress or (lambda entries, done: None)
    started = started or (lambda n: None)
    if engine == "dask":
        yield from _run_dask(shards, job, scheduler, progress, started)
    elif workers <= 1 or len(shards) <= 1:
        started(workers)
        yield from _run_here(shards, job, progress)
    else:
        started(workers)
        yield from _run_pool(shards, job, min(workers, len(shards)), progress)


def _failed(shard: Shard, code: str, why: str) -> ShardOutcome:
    return ShardOutcome(shard, None, (code, f"shard {shard.index} failed twice: {why}"), ATTEMPTS)


def _run_here(shards: list[Shard], job: ShardJob, progress: Progress) -> Iterator[ShardOutcome]:
    entries_done = 0
    for n_done, shard in enumerate(shards):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                counts = run_shard(shard, job, lambda n: progress(entries_done + n, n_done))
            except Exception as exc:  # noqa: BLE001  (a shard that cannot be written is retried, then failed)
                if attempt == ATTEMPTS:
                    yield _failed(shard, SHARD_RAISED, f"{type(exc).__name__}: {exc}")
                continue
            yield ShardOutcome(shard, counts, None, attempt)
            break
        entries_done += len(shard.entries)
        progress(entries_done, n_done + 1)


# --- local worker processes --------------------------------------------------

_slot: int = -1
_cells = None  # shared array: entries done of the shard each slot is running


def _init_slot(slot: int, cells, parent: int) -> None:
    """Worker initializer: remember the slot; on Linux, die with the parent (a kill -9 leaves no orphan).

    SIGTERM is set back to its default (the command's handler, inherited on
    ``fork``, turns it into an interruption for the main process only): a
    worker sent SIGTERM dies, and its shard is run again.
    """
    global _slot, _cells
    _slot, _cells = slot, cells
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _slot_work(shard: Shard, job: ShardJob) -> ShardCounts:
    def on_entry(n: int) -> None:
        _cells[_slot] = n

    if _cells is not None:
        _cells[_slot] = 0
    return run_shard(shard, job, on_entry if _cells is not None else None)


def _context():
    """``fork`` where there is one (Linux: workers start with the pipeline built here), else the default."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)


def _run_pool(shards: list[Shard], job: ShardJob, workers: int, progress: Progress) -> Iterator[ShardOutcome]:
    ctx = _context()
    cells = ctx.RawArray("q", workers)
    executors: list[ProcessPoolExecutor | None] = [None] * workers
    todo: deque[tuple[Shard, int]] = deque((s, 1) for s in shards)
    running: dict = {}  # future -> (slot, shard, attempt)
    entries_done = shards_done = 0

    def executor(slot: int) -> ProcessPoolExecutor:
        if executors[slot] is None:
            executors[slot] = ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_slot,
                                                  initargs=(slot, cells, os.getpid()))
        return executors[slot]

    try:
        while todo or running:
            busy = {slot for slot, _, _ in running.values()}
            for slot in range(workers):
                if todo and slot not in busy:
                    shard, attempt = todo.popleft()
                    cells[slot] = 0
                    running[executor(slot).submit(_slot_work, shard, job)] = (slot, shard, attempt)
            finished, _ = wait(list(running), timeout=PROGRESS_INTERVAL, return_when=FIRST_COMPLETED)
            interrupt.check()  # a stop requested while waiting (see pipeline.interrupt)
            for future in finished:
                slot, shard, attempt = running.pop(future)
                try:
                    counts = future.result()
                except BrokenProcessPool:  # its worker died: only this slot is broken
                    executors[slot].shutdown(wait=False, cancel_futures=True)
                    executors[slot] = None
                    outcome = None if attempt < ATTEMPTS else _failed(
                        shard, WORKER_DIED, "its worker process died (killed, out of memory or crashed)")
                except Exception as exc:  # noqa: BLE001
                    outcome = None if attempt < ATTEMPTS else _failed(shard, SHARD_RAISED,
                                                                      f"{type(exc).__name__}: {exc}")
                else:
                    outcome = ShardOutcome(shard, counts, None, attempt)
                if outcome is None:
                    todo.appendleft((shard, attempt + 1))
                    continue
                entries_done += len(shard.entries)
                shards_done += 1
                # each shard's end is shown, also when two end in one wait
                progress(entries_done + sum(cells[slot] for slot, _, _ in running.values()), shards_done)
                yield outcome
            progress(entries_done + sum(cells[slot] for slot, _, _ in running.values()), shards_done)
    finally:
        for ex in executors:
            if ex is not None:
                ex.shutdown(wait=True, cancel_futures=True)


# --- Dask ----------------------------------------------------------------------

def _run_dask(shards: list[Shard], job: ShardJob, scheduler: str | None, progress: Progress,
              started: Callable[[int], None]) -> Iterator[ShardOutcome]:
    try:
        from distributed import Client, as_completed
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise UsageError("E407", "--engine dask needs dask.distributed: pip install -e \".[dask]\"") from None
    if not scheduler:
        raise UsageError("E407", "--engine dask needs --scheduler ADDRESS (a dask.distributed scheduler)")
    try:
        client = Client(scheduler, set_as_default=False, timeout="30s")
    except (OSError, TimeoutError) as exc:
        raise UsageError("E407", f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        started(len(client.scheduler_info().get("workers", {})))
        attempts = {}
        futures = []
        for shard in shards:
            future = client.submit(run_shard, shard, job, key=f"newsfigures-{job.fingerprint}-{shard.index}-1",
                                   pure=False)
            attempts[future.key] = (shard, 1)
            futures.append(future)
        entries_done = shards_done = 0
        pending = as_completed(futures, loop=client.loop)
        for future in pending:
            shard, attempt = attempts.pop(future.key)
            try:
                outcome = ShardOutcome(shard, future.result(), None, attempt)
            except Exception as exc:  # noqa: BLE001
                if attempt < ATTEMPTS:
                    again = client.submit(run_shard, shard, job, pure=False,
                                          key=f"newsfigures-{job.fingerprint}-{shard.index}-{attempt + 1}")
                    attempts[again.key] = (shard, attempt + 1)
                    pending.add(again)
                    continue
                code = WORKER_DIED if isinstance(exc, KilledWorker) else SHARD_RAISED
                outcome = _failed(shard, code, f"{type(exc).__name__}: {exc}")
            finally:
                future.release()
            entries_done += len(shard.entries)
            shards_done += 1
            progress(entries_done, shards_done)
            yield outcome
    finally:
        client.close()

