"""Output folders: one run at a time, and no file that looks complete before it is.

* :class:`OutputLock`: a lock file (``.newsfigures.lock``) made with
  ``O_CREAT | O_EXCL`` that holds the owner's process id, host, command and
  start time. A second run into the same folder is refused (E404) with
  the owner named; a lock whose process is gone (same host) is stale and
  is taken over. Re-entrant within one process (``extract --check
  --report`` takes it once and the checks and the report inside reuse it).
* :func:`atomic_path`: a temporary name beside the final one, renamed over
  it (``os.replace``) only when the block that writes it ends without an
  error, after an ``fsync``; on any error the temporary file is removed.
* :class:`StagedFiles`: a set of such files (the report's tables and page)
  renamed together only when every one is whole, under a marker file
  (``report.partial``) that stays behind if the renames are cut short, so a
  folder holding new and old files of the set says so.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Iterator

from .errors import OutputError, UsageError, os_reason

LOCK_NAME = ".newsfigures.lock"
# a lock file left empty (its owner died between creating and writing it) is stale after this long
EMPTY_LOCK_GRACE_SECONDS = 10.0

_held: dict[Path, int] = {}  # lock path -> nesting depth, this process


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (on this host)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _read_owner(path: Path) -> dict | None:
    """The lock file's content, ``{}`` when empty or unreadable, None when it is gone."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _stale(path: Path, owner: dict) -> bool:
    """Whether the lock's owner is gone: its process no longer runs on this host."""
    if not owner:
        try:
            return time.time() - path.stat().st_mtime > EMPTY_LOCK_GRACE_SECONDS
        except OSError:
            return False
    if owner.get("host") != socket.gethostname():
        return False  # another machine's run (a shared folder): cannot tell, never taken over
    pid = owner.get("pid")
    return not (isinstance(pid, int) and _alive(pid))


class OutputLock:
    """Hold ``OUT_DIR/.newsfigures.lock`` for the length of a ``with`` block.

    Args:
        out_dir: the output folder (must exist).
        command: what the run is, for the message another run gets.

    Raises:
        UsageError: E404 when another live run holds the folder (naming its
            pid, host, command and start), E403 when the lock file cannot be made.
    """

    def __init__(self, out_dir: Path | str, command: str = "") -> None:
        self.path = Path(out_dir) / LOCK_NAME
        self.command = command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
        self.key = Path(os.path.abspath(self.path))

    def __enter__(self) -> "OutputLock":
        if _held.get(self.key):
            _held[self.key] += 1
            return self
        content = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
                              "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                owner = _read_owner(self.path)
                if owner is None:
                    continue  # released just now: try again
                if _stale(self.path, owner) and self._break(owner):
                    continue
                raise UsageError("E404", self._busy(owner)) from None
            except OSError as exc:
                raise UsageError("E403", f"cannot create the lock file {self.path}: {exc.strerror}") from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content + "\n")
            self.content = content
            _held[self.key] = 1
            return self
        raise UsageError("E404", self._busy(_read_owner(self.path) or {}))

    def _break(self, owner: dict) -> bool:
        """Take a stale lock away; False when another run took it over meanwhile."""
        aside = self.path.with_name(f"{LOCK_NAME}.stale.{os.getpid()}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return True  # someone else removed it: try to create ours
        moved = _read_owner(aside)
        if moved != owner:  # a live lock made after we looked: put it back
            with contextlib.suppress(OSError):
                os.link(aside, self.path)
            aside.unlink(missing_ok=True)
            return False
        aside.unlink(missing_ok=True)
        return True

    def _busy(self, owner: dict) -> str:
        who = (f"process {owner.get('pid')} on {owner.get('host')}, started {owner.get('started')}: "
               f"`{owner.get('command')}`") if owner else "a run that has not written its details yet"
        return (f"output folder {self.path.parent} is in use by another run ({who}); wait for it to end, "
                f"or use another --out. If that process is gone, remove {self.path}")

    def __exit__(self, *exc: object) -> None:
        depth = _held.get(self.key, 0) - 1
        if depth > 0:
            _held[self.key] = depth
            return
        _held.pop(self.key, None)
        if _read_owner(self.path) == json.loads(self.content):
            self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def output_errors(path: Path | str, then: str = "") -> Iterator[None]:
    """Turn an OS error inside the block (a full disk) into E412 naming the file being written.

    Args:
        path: the file the block writes.
        then: what the user can do next, added to the message.

    Raises:
        OutputError: E412 naming ``path`` (or, when the OS error names
            another file, that one: a part being read) and the OS's reason.
    """
    try:
        yield
    except OSError as exc:
        other = exc.filename is not None and Path(os.fsdecode(exc.filename)) != Path(path)
        what = f"cannot read {os.fsdecode(exc.filename)} to write it" if other else "cannot write it"
        raise OutputError("E412", f"{what}: {os_reason(exc)}" + (f"; {then}" if then else ""), str(path)) from None


def temp_name(path: Path) -> Path:
    """A hidden temporary name beside ``path``, unique to this process: ``.NAME.PID.tmp``."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_path(path: Path | str, stage: "StagedFiles | None" = None) -> Iterator[Path]:
    """Yield a temporary path to write; it becomes ``path`` only when the block ends without error.

    The temporary file is flushed to disk (``fsync``) before the rename, so a
    crash leaves either the old file, the new one whole, or no file; a
    failure inside the block (a full disk, an interruption) removes it.
    With ``stage``, the whole file is handed to it instead of renamed: it is
    renamed with the rest of its set (:meth:`StagedFiles.commit`).
    """
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if stage is None:
            os.replace(tmp, path)
        else:
            stage.add(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class StagedFiles:
    """Files of one set, written whole under temporary names and renamed together at the end.

    Use as a context manager around the writing, with :func:`atomic_path`
    given this stage, and call :meth:`commit` when every file is written.
    Until then no file of the set is replaced: an error or an interruption
    (the block left by an exception) removes the temporary files and leaves
    the old set as it was. :meth:`commit` first writes the marker file (its
    ``files`` the names about to be replaced), then renames each file, then
    removes the marker; a run killed between the first rename and the last
    leaves the marker, which says that the set may mix new files and old.

    Args:
        out_dir: the folder of the set.
        marker: the marker file's name (``report.partial``).
        command: what writes the set, for the marker's note.
    """

    def __init__(self, out_dir: Path | str, marker: str, command: str) -> None:
        self.marker = Path(out_dir) / marker
        self.command = command
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, final path)

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        for tmp, _ in self._staged:  # left by an error: not renamed (those renamed are gone already)
            tmp.unlink(missing_ok=True)
        self._staged = []

    def add(self, tmp: Path, path: Path) -> None:
        """Take a whole temporary file to rename to ``path`` at :meth:`commit`."""
        self._staged.append((tmp, path))

    @property
    def names(self) -> set[str]:
        """The names of the files staged so far."""
        return {path.name for _, path in self._staged}

    def commit(self) -> None:
        """Rename every staged file into place, under the marker (removed when all are renamed)."""
        names = [path.name for _, path in self._staged]
        note = {"complete": False, "files": names,
                "reason": f"`{self.command}` was stopped while it renamed these files into place: some may be "
                          f"new and the others older; run it again"}
        with atomic_path(self.marker) as tmp:
            tmp.write_text(json.dumps(note) + "\n", encoding="utf-8")
        while self._staged:
            tmp, path = self._staged[0]
            os.replace(tmp, path)
            self._staged.pop(0)
        self.marker.unlink()


def leftover_temps(out_dir: Path) -> list[Path]:
    """Temporary files an interrupted run of ours left in ``out_dir`` (removed by ``--force``)."""
    names = ("claims", "errors", "warnings", "summary", "checks", "report", "manifest")
    return [p for p in Path(out_dir).iterdir() if p.is_file() and (
            (p.name.endswith(".tmp") and p.name.startswith(".") and any(p.name[1:].startswith(n) for n in names))
            or (p.name.endswith(".partial") and any(p.name.startswith(n + ".") for n in names)))]
