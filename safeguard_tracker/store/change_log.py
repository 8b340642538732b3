"""What a store has applied, for ``Store.change_mark`` and ``Store.changed_since``: the (table, key) pairs
in order, a generation that moves on when the tables are loaded whole, and a bound on how many are kept.

Both stores keep one: an index built beside the records (the pattern warnings', the next reference)
moves on by what changed, at the cost of what changed rather than of the whole store.
"""

from __future__ import annotations

from typing import Iterable, Optional


class ChangeLog:
    """The (table, key) pairs applied since the tables were last loaded whole, up to ``kept`` of them."""

    def __init__(self, kept: int):
        self.kept = kept
        self._generation = 0
        self._changes: list[tuple[str, str]] = []
        self._base = 0                      # the position of _changes[0] in the whole sequence

    def note(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Pairs applied (a write, or others' caught up with); the list starts again past ``kept``."""
        if len(self._changes) > self.kept:
            self._base += len(self._changes)
            self._changes = []
        self._changes.extend(pairs)

    def reloaded(self) -> None:
        """The tables were loaded whole: nothing kept from before still holds."""
        self._generation += 1
        self._base += len(self._changes)
        self._changes = []

    def mark(self) -> tuple[int, int]:
        """Where the sequence stands now: give it to ``since`` later."""
        return self._generation, self._base + len(self._changes)

    def since(self, mark: tuple[int, int]) -> Optional[list[tuple[str, str]]]:
        """The pairs applied since ``mark``, in order (repeats possible); None when that cannot be said (loaded
        whole since, or the list started again): whatever was built on them must be rebuilt."""
        generation, at = mark
        if generation != self._generation or at < self._base:
            return None
        return self._changes[at - self._base:]
