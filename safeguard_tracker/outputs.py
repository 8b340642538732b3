"""Writing exports and reports to a file: atomically, 0600, never over the store,
and logged when the content holds personal data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

from .errors import StoreError, StoreWriteError, ValidationError
from .store.files import atomic_write


def _entry(path: Path) -> Path:
    """The directory entry a write to ``path`` replaces: its folder resolved, its own name kept
    (an atomic write replaces a symlink itself rather than following it)."""
    return path.parent.resolve() / path.name


def guard_output_path(tracker: Any, path: str | Path) -> Path:
    """Refuse an output path that is, or leads to, the store, its journal, its lock, or the backups.

    Compared by directory entry, by where a symlink points, and by inode (a
    hard link, or another spelling of the name on a case-insensitive disk).
    """
    target = Path(path).expanduser().absolute()
    store = tracker.store
    if target.is_dir():
        raise ValidationError("output", str(path), "a file name, not a folder")
    if not target.parent.is_dir():
        raise ValidationError("output", str(path), f"a path in an existing folder ({target.parent} does not exist)")
    entry = _entry(target)
    pointed = target.resolve() if target.is_symlink() else entry
    for p in (store.path, store.journal_path, store.lock_path):
        same_file = target.exists() and p.exists() and os.path.samefile(target, p)
        if same_file or _entry(p) in (entry, pointed):
            raise ValidationError("output", str(path), "a file other than the store itself, its journal or its lock")
    backups = _entry(store.backup_dir)
    for candidate in (entry, pointed):
        if candidate == backups or backups in candidate.parents:
            raise ValidationError("output", str(path), f"a file outside the backups folder {store.backup_dir}")
    return target


def write_output(tracker: Any, path: str | Path, content: str | bytes, *, what: str,
                 personal: bool, records: int = 0, detail: str = "") -> Path:
    """Write a report or export.  Exports holding personal data go in the access log.

    An export of personal data that cannot be logged is not made: a read-only
    store refuses it up front, and if the log cannot be written afterwards
    (a full disk) the file just written is removed again.
    """
    target = guard_output_path(tracker, path)
    if personal and tracker.store.read_only:
        raise StoreWriteError(f"{tracker.store.read_only}; exports holding personal data are logged, so none can "
                              f"be made from here (copy the store somewhere writable first)")
    data = content.encode("utf-8") if isinstance(content, str) else content
    atomic_write(target, data)
    if personal:
        try:
            log_access(tracker, what, target=str(target), records=records, detail=detail)
        except StoreError as exc:
            target.unlink(missing_ok=True)
            raise type(exc)(f"{exc}; the export could not be logged, so {target} was removed again") from exc
    return target


def log_access(tracker: Any, what: str, *, target: str = "", records: int = 0, detail: str = "") -> None:
    with tracker.store.transaction() as txn:
        txn.log_access(what, detail=detail, target=target, records=records)


def access_log(tracker: Any) -> list[dict]:
    return list(tracker.store.all("access_log").values())
