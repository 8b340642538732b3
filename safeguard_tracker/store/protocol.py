"""What the services need from a store, and nothing more: the seam every store implements.

The file store (``FileStore``: a snapshot, a journal and backups beside one
file) implements it today; a server store implements the same protocol.  The
services, the face and the frontends name only these types, so a reader sees
what they rely on without opening either store.

Records are plain JSON-safe dicts keyed by their reference in a named table
(``contacts``, ``reviews``, ``actions``, ``settings``); every stored document
carries ``_rev``, its revision.  Returned documents belong to the store: never
mutate them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Protocol, Sequence, runtime_checkable

import attrs

from ..documents import Doc as Doc   # a stored document: JSON-safe, keyed by field name
from ..progress import NO_PROGRESS, Progress
Changed = list[tuple[str, str]]     # (table, key) pairs that another process changed; ("*", "*") for everything


@attrs.frozen
class StoreFiles:
    """The files a file store keeps, so that no export or report is ever written over one of them."""
    data: Path
    journal: Path
    lock: Path
    backups: Path


@attrs.frozen(kw_only=True)
class Redacted:
    """What a redaction removed and what could not be reached."""
    fields: dict[str, tuple[str, ...]]          # reference -> the fields whose values were removed
    backups_scrubbed: tuple[Path, ...] = ()
    not_scrubbed: tuple[Path, ...] = ()          # copies that could not be read: delete them by hand
    warnings: tuple[str, ...] = ()


class Transaction(Protocol):
    """Buffered edits, committed as one durable, audited unit when the ``with`` block ends cleanly."""

    def get(self, table: str, key: str) -> Optional[Doc]: ...

    def exists(self, table: str, key: str) -> bool: ...

    def put(self, table: str, key: str, doc: Doc, expected_rev: Optional[int] = None,
            user: Optional[str] = None) -> Doc:
        """Stage a new version; raises ConflictError if ``expected_rev`` is not the stored revision."""
        ...

    def staged_keys(self, table: str) -> Iterable[str]:
        """The keys of ``table`` staged so far in this transaction."""
        ...

    def log_access(self, what: str, detail: str = "", target: str = "", records: int = 0) -> None:
        """Record an export or view of personal data: who, when, what, where to."""
        ...


class RedactionSession(Protocol):
    """A redaction under way: the store is locked and signals deferred until the ``with`` block ends."""

    def redact(self, table: str, ref: str, *, on: date, user: str) -> Redacted: ...


@runtime_checkable
class Store(Protocol):
    """A store of records that never loses an acknowledged write and attributes every change."""

    user: str
    warnings: list[str]                      # things to tell the user once (loose file modes, a migration...)
    read_only: Optional[str]                 # why nothing can be written here, or None
    last_seq: int                            # the number of the last transaction seen: changes when others write
    listeners: list[Callable[[Changed], None]]

    @property
    def location(self) -> str:
        """Where the store is, as a person would name it (a file path, a database URL without its password)."""
        ...

    @property
    def files(self) -> Optional[StoreFiles]:
        """The files the store keeps, if it keeps any."""
        ...

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Lock, catch up with other writers, stage edits, commit them as one durable write."""
        ...

    def get(self, table: str, key: str) -> Optional[Doc]: ...

    def all(self, table: str) -> Mapping[str, Doc]: ...

    def history(self, ref: str) -> list[Doc]:
        """The audit entries of one record, oldest first: at, user, table, ref, field, old, new, seq.

        A change to a list field is an item entry with ``op`` and ``path`` as
        well (``store.item_changes``); ``item_changes.apply_change`` replays any entry.
        """
        ...

    def last_editor(self, ref: str) -> Optional[str]: ...

    def audit_trail(self) -> Sequence[Doc]:
        """Every audit entry, oldest first (as ``history`` gives one record's): for rebuilding the
        records as they stood on a past day (``store.past``)."""
        ...

    def issued_floor(self, prefix: str) -> int:
        """The highest number ever issued for a reference prefix ('L-2018-', 'A-'): never issue it again."""
        ...

    def issued_numbers(self) -> dict[str, int]:
        """Every prefix's floor (``issued_floor``), for moving a whole store to another kind of store."""
        ...

    def authority_figures(self, year: str) -> Sequence[Doc]:
        """Each authority's aggregate figures for a financial year, where a store holds several (a region's
        server store); empty for a store of one authority, as a file store is."""
        ...

    def refresh(self) -> Changed:
        """Catch up with what other processes committed."""
        ...

    def change_mark(self) -> tuple[int, int]:
        """Where the sequence of changes this store has applied stands now (an opaque mark)."""
        ...

    def changed_since(self, mark: tuple[int, int]) -> Optional[Changed]:
        """The (table, key) pairs applied since ``mark`` (this process's writes and others' caught up with),
        or None when the store cannot say (reloaded whole, or too far behind): rebuild from ``all``.

        An index kept beside the records (the pattern warnings' index) follows the store with it, at the
        cost of what changed rather than of the whole table.
        """
        ...

    def check(self, progress: Progress = NO_PROGRESS) -> list[str]:
        """Integrity problems as sentences; empty when the store is sound (``progress`` counts the work)."""
        ...

    def redaction(self) -> AbstractContextManager[RedactionSession]:
        """Begin a redaction (finishing any interrupted one first)."""
        ...

    def finished_redactions(self) -> dict[tuple[str, str], Redacted]:
        """Interrupted redactions this process finished, by (table, reference), each reported once."""
        ...

    def access_log(self) -> list[Doc]: ...

    def close(self) -> None: ...
