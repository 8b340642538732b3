"""Persistence behind one protocol: ``Store`` (what the services rely on) and ``FileStore``, a
crash-safe, locked, audited journal store in TinyDB's layout."""

from .check import check_store
from .file_store import FileStore, RestoreReport
from .protocol import Redacted, Store, StoreFiles, Transaction
from .shapes import StoreMalformed
from .tinydb_storage import JournalStorage, open_tinydb
from .transaction import default_user

__all__ = ["FileStore", "JournalStorage", "Redacted", "RestoreReport", "Store", "StoreFiles", "StoreMalformed",
           "Transaction", "check_store", "default_user", "open_tinydb"]
