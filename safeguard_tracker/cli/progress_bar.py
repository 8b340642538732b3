"""The CLI's progress bar: rich, on stderr, only at a terminal, gone when the work is done.

``progress_for()`` gives the library a ``Progress`` to report through: a rich bar (what is being
done, the bar, a count such as 12,345/100,000 and the time left) when stderr is a terminal and
``SAFEGUARD_TRACKER_NO_PROGRESS`` is not set, else ``NO_PROGRESS``, which prints nothing.
``opening(path)`` shows the file's size and the time taken while a large store opens.  Nothing
here ever writes to stdout, so a command's output is the same with a bar or without one.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterator, Optional

from ..progress import NO_PROGRESS, Progress

if TYPE_CHECKING:                   # rich is imported only when a bar is shown: every command starts faster
    from rich.console import Console
    from rich.progress import Progress as RichBar, TaskID

ENV = "SAFEGUARD_TRACKER_NO_PROGRESS"
OPENING_FROM = 20 * 1024 * 1024     # a store smaller than this opens too fast to need a word


def wanted(stream: Optional[IO[str]] = None) -> bool:
    """A bar is shown when ``stream`` (default stderr) is a terminal and the environment does not forbid it."""
    if ENV in os.environ:
        return False
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):      # closed, or not a real stream
        return False


def _count_column() -> Any:
    """'12,345/100,000', or '12,345' when the total is not known (a rich column, made when first needed)."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class CountColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            done = f"{int(task.completed):,}"
            return Text(done if task.total is None else f"{done}/{int(task.total):,}", style="progress.download")

    return CountColumn()


class Bar:
    """A ``Progress`` drawn by rich: one bar per phase, shown from ``start`` to ``done``, then cleared."""

    def __init__(self, console: "Console"):
        self.console = console
        self._bar: Optional[RichBar] = None
        self._task: Optional[TaskID] = None

    def start(self, label: str, total: Optional[int]) -> None:
        self.done()
        # stderr written meanwhile (a warning) is printed above the bar; stdout is never touched.
        from rich.progress import BarColumn, Progress as RichBar, TextColumn, TimeRemainingColumn
        self._bar = RichBar(TextColumn("{task.description}"), BarColumn(), _count_column(), TimeRemainingColumn(),
                            console=self.console, transient=True, redirect_stdout=False, redirect_stderr=True)
        self._task = self._bar.add_task(label, total=total)
        self._bar.start()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, n)

    def done(self) -> None:
        bar, self._bar, self._task = self._bar, None, None
        if bar is not None:
            bar.stop()


def console_for(stream: IO[str]) -> "Console":
    from rich.console import Console
    return Console(file=stream, stderr=True)


@contextmanager
def progress_for(stream: Optional[IO[str]] = None) -> Iterator[Progress]:
    """A ``Progress`` for the command's long work: a bar on ``stream`` (default stderr) when it is a
    terminal, else ``NO_PROGRESS``.  Any bar still shown is cleared when the block ends."""
    stream = sys.stderr if stream is None else stream
    if not wanted(stream):
        yield NO_PROGRESS
        return
    bar = Bar(console_for(stream))
    try:
        yield bar
    finally:
        bar.done()


@contextmanager
def opening(path: Optional[str | Path], stream: Optional[IO[str]] = None) -> Iterator[None]:
    """While a store over ~20 MB opens, at a terminal: 'opening store.json (270 MB)' and the time taken."""
    stream = sys.stderr if stream is None else stream
    try:
        size = Path(path).expanduser().stat().st_size if path else 0
    except (OSError, ValueError):
        size = 0
    if size < OPENING_FROM or not wanted(stream):
        yield
        return
    from rich.progress import Progress as RichBar, SpinnerColumn, TextColumn, TimeElapsedColumn
    bar = RichBar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console_for(stream), transient=True, redirect_stdout=False, redirect_stderr=True)
    bar.add_task(f"opening {Path(path or '').name} ({size / 1e6:,.0f} MB)", total=None)
    bar.start()
    try:
        yield
    finally:
        bar.stop()
