"""A request to stop the run (SIGTERM) that is not lost when Python swallows it.

The SIGTERM handler raises ``KeyboardInterrupt`` where the main thread
happens to be. When that is inside a ``__del__`` (a finalizer of the regex
library's compiler, say), Python prints "Exception ignored in ..." and goes
on, and the run would finish as if never asked to stop. So the handler also
records the request here, and the long loops of a run (each article read, each
wait for a worker) call :func:`check`, which raises it again.
"""
from __future__ import annotations

_requested = False


def request() -> None:
    """Record that the run was asked to stop (called by the signal handler)."""
    global _requested
    _requested = True


def check() -> None:
    """Raise ``KeyboardInterrupt`` when a stop was requested and not yet taken.

    Raises:
        KeyboardInterrupt: once a stop was requested (every call after that).
    """
    if _requested:
        raise KeyboardInterrupt


def clear() -> None:
    """Forget a request (a command run again in the same process, as the tests do)."""
    global _requested
    _requested = False
