"""Persistence: a crash-safe, locked, audited journal store in TinyDB's layout."""

from .check import check_store
from .core import RestoreReport, Store, Transaction, default_user
from .shapes import StoreMalformed
from .tinydb_storage import JournalStorage, open_tinydb

__all__ = ["JournalStorage", "RestoreReport", "Store", "StoreMalformed", "Transaction", "check_store", "default_user",
           "open_tinydb"]
