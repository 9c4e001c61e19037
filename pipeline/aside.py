"""Work done in a forked child process while this process goes on (the report's charts on a second core).

:class:`Aside` runs a function in a child made by ``fork`` (Linux), which
sees this process's data as it is at that moment, and hands its return value
back through a pipe (pickled) when :meth:`Aside.result` is called. The result
is the function's return value in every case: when the child cannot be made
(no ``fork``, no memory), fails or dies, the function is run again here, so
an error it raises is raised here, as it would be without the child.

The child writes nothing but its pipe and ends with ``os._exit`` (no
``atexit`` handler, no flush of a file object it inherited), and it dies with
this process (``PR_SET_PDEATHSIG``), so an interrupted run leaves no child
behind. Its CPU time is this process's children's (``wait4``, ``RUSAGE_CHILDREN``).
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import time
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """True where :class:`Aside` runs its function in a child (Linux: ``fork`` is safe and cheap)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def core_free() -> bool:
    """True when a second core is idle for a child: this process may use at least two cores and the
    one-minute load average (this process included) is at most their number less one half.

    A child on a core another program keeps busy only shares this process's core: measured on a
    2-core VM with one core taken, the report's charts aside made ``report`` slower (75.6 s against
    70.4 s at 50,000 articles), so the work is then done in this process instead.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return False
    return cores > 1 and load <= cores - 0.5


class Aside(Generic[T]):
    """Run ``function()`` in a forked child now; :meth:`result` returns what it returned.

    Args:
        function: takes no argument; its return value must pickle.
        enabled: False runs it in this process at once (as when no child can be made); an
            error it raises is then raised here, by the constructor.

    Attributes:
        seconds: wall seconds the function took (in the child, or here), set by :meth:`result`.
        forked: the value came from a child.
    """

    def __init__(self, function: Callable[[], T], enabled: bool = True) -> None:
        self._function = function
        self._pid: int | None = None
        self._read: int | None = None
        self._done: tuple[T, float] | None = None
        self.seconds = 0.0
        self.forked = False
        if enabled and can_fork():
            self._start()
        if self._pid is None:  # no child: run it now, where the caller put it (the heap is smaller now)
            began = time.perf_counter()
            self._done = (function(), time.perf_counter() - began)

    def _start(self) -> None:
        parent = os.getpid()
        try:
            read, write = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:  # no memory or process left for a child: the function runs here later
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _die_with_parent(parent)
                began = time.perf_counter()
                value = self._function()
                data = pickle.dumps((value, time.perf_counter() - began), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The function's return value: the child's when it gave one, else the function run here.

        Raises:
            Whatever the function raises when run here.
        """
        if self._done is not None:
            value, self.seconds = self._done
            self._done = None
            return value
        if self._pid is not None:
            pid, read = self._pid, self._read
            self._pid = self._read = None
            with os.fdopen(read, "rb") as handle:
                data = handle.read()
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) == 0 and data:
                value, self.seconds = pickle.loads(data)
                self.forked = True
                return value
        began = time.perf_counter()
        value = self._function()
        self.seconds = time.perf_counter() - began
        return value

    def cancel(self) -> None:
        """End the child (if any) and reap it; :meth:`result` then runs the function here."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            os.close(self._read)
            self._pid = self._read = None


def _die_with_parent(parent: int) -> None:
    """In the child: be killed when ``parent`` ends (Linux ``PR_SET_PDEATHSIG``); end now if it has."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)
