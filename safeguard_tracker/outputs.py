"""Writing exports and reports to a file: atomically, 0600, never over the store,
and logged when the content holds personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from .errors import ValidationError
from .store.files import atomic_write


def guard_output_path(tracker: Any, path: str | Path) -> Path:
    """Refuse an output path that is the store, its journal, lock, or a backup."""
    target = Path(path).expanduser().absolute()
    store = tracker.store
    protected = {store.path, store.journal_path, store.lock_path}
    resolved = target.resolve() if target.exists() else target.parent.resolve() / target.name
    for p in protected:
        if resolved == p.resolve() if p.exists() else resolved == p:
            raise ValidationError("output", str(path), "a file other than the store itself, its journal or its lock")
    backups = store.backup_dir.resolve()
    if resolved.parent == backups or backups in resolved.parents:
        raise ValidationError("output", str(path), f"a file outside the backups folder {store.backup_dir}")
    if target.is_dir():
        raise ValidationError("output", str(path), "a file name, not a folder")
    if not target.parent.exists():
        raise ValidationError("output", str(path), f"a path in an existing folder ({target.parent} does not exist)")
    return target


def write_output(tracker: Any, path: str | Path, content: str | bytes, *, what: str,
                 personal: bool, records: int = 0, detail: str = "") -> Path:
    """Write a report or export.  Exports holding personal data go in the access log."""
    target = guard_output_path(tracker, path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    atomic_write(target, data)
    if personal:
        log_access(tracker, what, target=str(target), records=records, detail=detail)
    return target


def log_access(tracker: Any, what: str, *, target: str = "", records: int = 0, detail: str = "") -> None:
    with tracker.store.transaction() as txn:
        txn.log_access(what, detail=detail, target=target, records=records)


def access_log(tracker: Any) -> list[dict]:
    return list(tracker.store.all("access_log").values())
