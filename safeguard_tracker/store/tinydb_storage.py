"""A TinyDB Storage over the safeguard-tracker store, for analysts' ad-hoc queries.

TinyDB's own JSONStorage rewrites the whole file in place on every change, with
no lock, so it can lose records.  This Storage reads through ``FileStore`` (snapshot
plus journal, under the lock) and refuses writes: every change must go through
the tracker so that it is validated and audited.

    from tinydb import Query
    db = safeguard_tracker.store.open_tinydb("store.json")
    db.table("contacts").search(Query().agency == "Police")
"""

from __future__ import annotations

from typing import Any, Optional

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from ..errors import SafeguardError
from .file_store import FileStore


class JournalStorage(Storage):
    def __init__(self, path: str, user: Optional[str] = None, store: Optional[FileStore] = None):
        self.store = store or FileStore(path, user=user).open()

    def read(self) -> Optional[dict[str, dict[str, Any]]]:
        self.store.refresh()
        return self.store.tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise SafeguardError("this TinyDB view is read-only: change records through safeguard_tracker.open_tracker")


class ReferenceTable(Table):
    """Documents are keyed by their stable reference (``L-2018-0042``), not a numeric doc_id."""
    document_id_class = str   # type: ignore[assignment]  # TinyDB declares int ids; these tables key by reference


class _TrackerDB(TinyDB):
    table_class = ReferenceTable


def open_tinydb(path: str, store: Optional[FileStore] = None) -> TinyDB:
    return _TrackerDB(path, storage=JournalStorage, store=store)
