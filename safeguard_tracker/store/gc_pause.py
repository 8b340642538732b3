"""Keeping the cyclic garbage collector out of a bulk parse (the store's, an import's)."""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True
_gc_freeze = False


@contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Keep the cyclic garbage collector out of a bulk parse.

    Parsing a large store creates millions of containers, and each burst of
    allocations sets off collections that walk all of them again: at 100,000
    contacts the collector took longer than the parse itself.  JSON data holds
    no cycles, so there is nothing for it to find.  With ``freeze`` the parsed
    data is then moved out of the collector's sight for good (``gc.freeze``),
    so no later full collection walks it either (a pause of half a second at
    100,000 contacts); it is still freed as usual when the store lets go of it.
    Nested and threaded uses are counted; the last one out restores the
    collector, and only if it was on before.
    """
    global _gc_pauses, _gc_was_enabled, _gc_freeze
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            _gc_freeze = False
            gc.disable()
        _gc_pauses += 1
        _gc_freeze = _gc_freeze or freeze
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                if _gc_freeze:
                    gc.freeze()
                if _gc_was_enabled:
                    gc.enable()
