"""Progress on long work, as the library reports it: a tiny interface with no display of its own.

A long library function (an export, an import, a report, ``check``, the demo) takes a keyword
``progress=`` and reports through it: ``start(label, total)`` when a phase begins, ``advance(n)``
as items are done, ``done()`` when the phase ends (one call may run several phases, each started
and done in turn).  The default, ``NO_PROGRESS``, does nothing and costs nothing: ``counted``
hands back the iterable itself when given it.  The CLI passes a rich bar
(``cli.progress_bar``) when stderr is a terminal; a script passes its own object with these three
methods, or nothing.
"""

from __future__ import annotations

from typing import Iterable, Iterator, List, Optional, Protocol, TypeVar

__all__ = ["NO_PROGRESS", "Progress", "counted", "counted_list"]

T = TypeVar("T")


class Progress(Protocol):
    """Something that shows how far a long piece of work has got."""

    def start(self, label: str, total: Optional[int]) -> None:
        """A phase begins: ``label`` says what is being done, ``total`` how many items (None: unknown)."""
        ...

    def advance(self, n: int = 1) -> None:
        """``n`` more items are done."""
        ...

    def done(self) -> None:
        """The phase has ended (finished, or stopped by an error)."""
        ...


class _NoProgress:
    """Progress that is not shown."""

    def start(self, label: str, total: Optional[int]) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def done(self) -> None:
        pass

    def __repr__(self) -> str:
        return "NO_PROGRESS"


NO_PROGRESS: Progress = _NoProgress()


def counted(iterable: Iterable[T], total: int, progress: Progress, label: str) -> Iterable[T]:
    """``iterable``, reporting to ``progress`` as a phase called ``label`` of ``total`` items.

    Each item counts once the loop asks for the next one (so once it has been dealt with);
    ``advance`` is called about every 1% of ``total``, not per item, and once more at the end
    with the rest, so the count ends at the number of items seen (``total`` when it was right).
    The phase is ``done`` when the loop ends, breaks or raises.  With ``NO_PROGRESS`` the
    iterable itself comes back, untouched.
    """
    if progress is NO_PROGRESS:
        return iterable
    return _counting(iterable, total, progress, label)


def _counting(iterable: Iterable[T], total: int, progress: Progress, label: str) -> Iterator[T]:
    step = max(1, total // 100)
    progress.start(label, total)
    finished = reported = 0
    due = step
    try:
        for item in iterable:
            yield item
            finished += 1                          # the loop has come back for the next one
            if finished >= due:
                progress.advance(finished - reported)
                reported, due = finished, finished + step
        if finished > reported:
            progress.advance(finished - reported)
    finally:
        progress.done()


class _CountedList(List[T]):
    """A list that reports progress each time it is iterated whole (see ``counted_list``)."""

    def __init__(self, items: Iterable[T], progress: Progress, label: str):
        super().__init__(items)
        self._progress, self._label = progress, label

    def __iter__(self) -> Iterator[T]:
        return iter(counted(super().__iter__(), len(self), self._progress, self._label))


def counted_list(items: list[T], progress: Progress, label: str) -> list[T]:
    """``items``, reporting a phase called ``label`` when something iterates it: for work that takes
    a list and loops over it inside, such as ``json.dumps(..., indent=1)`` (whose encoder is Python
    and walks the list with ``for``).  Equal to ``items`` in every way; with ``NO_PROGRESS``, ``items``
    itself."""
    if progress is NO_PROGRESS:
        return items
    return _CountedList(items, progress, label)
