"""One progress bar for a run, over all its workers: entries of the input read, and shards done."""
from __future__ import annotations

from typing import Callable


class RunProgress:
    """A rich progress bar on a terminal (nothing when ``show`` is false).

    Use as a context manager; it gives a function ``update(entries, shards)``
    that sets how many of the manifest's entries (files, skipped entries)
    and shards are done, over all workers.

    Args:
        show: draw the bar.
        entries: the manifest's entries.
        shards: the manifest's shards.
    """

    def __init__(self, show: bool, entries: int, shards: int) -> None:
        self.show, self.entries, self.shards = show, entries, shards
        self.bar = None

    def __enter__(self) -> Callable[[int, int], None]:
        if not self.show:
            return lambda entries, shards: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                            TextColumn("files, shards {task.fields[shards]}"), TimeRemainingColumn(),
                            transient=True)
        self.bar.__enter__()
        task = self.bar.add_task("extracting", total=self.entries, shards=f"0/{self.shards}")

        def update(entries: int, shards: int) -> None:
            self.bar.update(task, completed=min(entries, self.entries), shards=f"{shards}/{self.shards}")

        return update

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
