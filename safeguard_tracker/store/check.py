"""Integrity check: the store parses, its references are unique, and its audit
trail, replayed from the start, rebuilds every record exactly."""

from __future__ import annotations

from typing import Collection, Optional, Protocol

from ..progress import NO_PROGRESS, Progress, counted
from .gc_pause import gc_paused
from .item_changes import replay_entry
from .protocol import Doc


class Tables(Protocol):
    """A store whose every table can be read whole (the audit trail included)."""

    @property
    def tables(self) -> dict[str, dict[str, Doc]]: ...


RECORD_TABLES = ("contacts", "reviews", "actions")


def replay(store: Tables, problems: Optional[list[str]] = None, progress: Progress = NO_PROGRESS,
           seqs: Optional[dict[tuple[str, str], set[Optional[int]]]] = None) -> dict[tuple[str, str], Doc]:
    """Rebuild every record from the audit trail alone.

    An item entry that does not fit the record rebuilt so far is a damaged
    trail: it is named in ``problems`` (when given) and skipped.  ``progress`` counts the entries replayed.
    ``seqs``, when given, receives each record's transaction numbers (one per revision), in the same pass.
    """
    rebuilt: dict[tuple[str, str], Doc] = {}
    audit = store.tables["audit"]
    for n, a in counted(audit.items(), len(audit), progress, "replaying the audit trail"):
        key = (a.get("table", "contacts"), a["ref"])
        if seqs is not None:
            seqs.setdefault(key, set()).add(a.get("seq"))
        try:
            replay_entry(rebuilt, key, a)
        except ValueError as exc:
            if problems is not None:
                problems.append(f"{key[0]} {key[1]}: audit entry {n} ({a['field']}) does not fit the record: {exc}")
    return rebuilt


def check_store(store: Tables, progress: Progress = NO_PROGRESS,
                compared: Optional[Collection[str]] = None) -> list[str]:
    """Problems found, as sentences; an empty list means the store is sound.  ``progress`` counts the
    audit entries replayed, then the records compared with the trail.  ``compared``: the tables whose records
    are compared with the trail (default: all; a login that reads a table but not its trail leaves it out)."""
    # The replay makes a few hundred thousand small containers and no cycles: with the collector on,
    # it walked the whole heap again and again (the check took twice as long at 100,000 contacts).
    with gc_paused():
        return _check(store, progress, RECORD_TABLES if compared is None else tuple(compared))


def _check(store: Tables, progress: Progress, compared: Collection[str]) -> list[str]:
    problems: list[str] = []
    seen_refs: dict[str, str] = {}
    for table in RECORD_TABLES:
        for key, doc in store.tables[table].items():
            ref = doc.get("reference")
            if ref != key:
                problems.append(f"{table}: record stored under '{key}' says its reference is '{ref}'")
            folded = str(key).casefold()
            if folded in seen_refs:
                problems.append(f"{table}: reference '{key}' is not unique (also '{seen_refs[folded]}')")
            seen_refs[folded] = key
    revs: dict[tuple[str, str], set[Optional[int]]] = {}
    rebuilt = replay(store, problems, progress, revs)
    records = ((table, key, doc) for table in RECORD_TABLES if table in compared
               for key, doc in store.tables[table].items())
    total = sum(len(store.tables[table]) for table in RECORD_TABLES if table in compared)
    for table, key, doc in counted(records, total, progress, "comparing records with the trail"):
        current = dict(doc)
        current.pop("_rev", None)
        from_trail = rebuilt.get((table, key))
        if from_trail is None:
            problems.append(f"{table} {key}: has no entry in the audit trail")
            continue
        if from_trail != current and \
                {k: v for k, v in from_trail.items() if v is not None} != {k: v for k, v in current.items() if v is not None}:
            diff = sorted(k for k in set(current) | set(from_trail) if current.get(k) != from_trail.get(k))
            problems.append(f"{table} {key}: the audit trail does not agree with the record (fields: {', '.join(diff)})")
        changes = len(revs.get((table, key), ()))
        if doc.get("_rev", 0) != changes:
            problems.append(f"{table} {key}: revision {doc.get('_rev')} but the trail has {changes} change(s)")
    for (table, key) in rebuilt:
        if table in compared and key not in store.tables[table]:
            problems.append(f"{table} {key}: in the audit trail but missing from the store")
    for key, doc in store.tables["actions"].items():
        if doc.get("review") not in store.tables["reviews"]:
            problems.append(f"actions {key}: belongs to review '{doc.get('review')}', which is not in the store")
    return problems
