"""Deferring SIGINT and SIGTERM over a critical section.

A redaction (and a store commit or compaction) is a sequence of durable steps.
Each is safe to interrupt on its own, but stopping between them leaves work
for the next run, so Ctrl+C or a polite ``kill`` is remembered while the
section runs and delivered, to whatever handler was there before, as soon as
it ends.  ``kill -9`` cannot be deferred; the steps are idempotent for that.

``signal.signal`` works only in the main thread: elsewhere (the TUI's workers)
the section runs without deferral.  A handler installed outside Python (which
``signal.getsignal`` reports as None) could not be put back, so that signal is
left alone.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Callable, Iterator, Optional, Union

DEFERRED = (signal.SIGINT, signal.SIGTERM)

_depth = 0
# A handler as ``signal.getsignal`` returns it: a function, SIG_DFL or SIG_IGN.
_Handler = Union[Callable[[int, Optional[FrameType]], object], int, signal.Handlers]
_previous: dict[int, _Handler] = {}
_pending: list[int] = []


def _remember(signum: int, frame: Optional[FrameType]) -> None:
    """The handler while deferred: note the signal, once, to deliver it when the section ends."""
    if signum not in _pending:
        _pending.append(signum)


def _install() -> None:
    for sig in DEFERRED:
        previous = signal.getsignal(sig)
        if previous is None:
            continue
        try:
            signal.signal(sig, _remember)
        except (ValueError, OSError):
            continue  # not allowed here (a subinterpreter): run undeferred
        _previous[sig] = previous


def _release() -> None:
    """Put the earlier handlers back, then deliver what arrived meanwhile, in arrival order."""
    for sig, previous in list(_previous.items()):
        signal.signal(sig, previous)
    _previous.clear()
    arrived = list(_pending)
    _pending.clear()
    for sig in arrived:
        signal.raise_signal(sig)


@contextmanager
def deferred_signals() -> Iterator[bool]:
    """Hold SIGINT and SIGTERM until the block ends; yields whether they are held (main thread only).

    Nested sections are counted: only the outermost one delivers.
    """
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    if _depth == 0:
        _install()
    _depth += 1
    try:
        yield True
    finally:
        _depth -= 1
        if _depth == 0:
            _release()
