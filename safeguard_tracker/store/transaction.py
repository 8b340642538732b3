"""A write transaction: buffered edits, each field's change audited, committed as one durable unit.

Also the audit trail's one rewrite (redaction) and the check that refuses,
before anything is written, a document the store would refuse to read back.
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Optional

from ..errors import ConflictError, ValidationError
from .shapes import document_problem
from .protocol import Store


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return f"uid{os.getuid()}"


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def without_rev(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_rev"}


def refuse_malformed(table: str, key: str, doc: Any) -> None:
    """Refuse to stage a document the store would refuse to read back (ValidationError: nothing is written).

    The tracker's own documents always pass; this catches a script handing
    ``update_settings`` or ``save_contact`` something of the wrong type, which
    would otherwise be written, and then keep the store from opening.
    """
    problem = document_problem(table, key, doc)
    if problem is not None:
        field, value, accepted = problem
        raise ValidationError(f"{table} '{key}'" + (f" {field}" if field else ""), value,
                              accepted.replace(" (it is missing)", ""))


def rewrite_audit_values(entries: Iterable[dict], ref: str, fields: dict[str, Any]) -> None:
    """Overwrite, in place, the old and new values that ``ref``'s audit entries hold for ``fields``.

    Redaction only: the entries keep who changed which field and when, but no
    longer the values.  Used on the live trail and on the backups' trails.
    """
    for a in entries:
        if a.get("ref") != ref:
            continue
        if a["field"] == "*" and isinstance(a.get("new"), dict):
            a["new"] = {**a["new"], **{k: v for k, v in fields.items() if k in a["new"]}}
        elif a["field"] in fields:
            if a.get("old") is not None:
                a["old"] = fields[a["field"]]
            a["new"] = fields[a["field"]]


class Transaction:
    """Buffered edits, committed as one journal line when the ``with`` block ends cleanly."""

    def __init__(self, store: Store):
        self.store = store
        self.puts: dict[tuple[str, str], dict] = {}
        self.audit: list[dict] = []
        self.access: list[dict] = []
        self.rewrites: list[dict] = []
        self.at = now_iso()

    def get(self, table: str, key: str) -> Optional[dict]:
        if (table, key) in self.puts:
            return self.puts[(table, key)]
        return self.store.get(table, key)

    def exists(self, table: str, key: str) -> bool:
        return self.get(table, key) is not None

    def put(self, table: str, key: str, doc: dict, expected_rev: Optional[int] = None,
            user: Optional[str] = None) -> dict:
        """Stage a new version of a record; audit each changed field with old and new values."""
        current = self.get(table, key)
        current_rev = current.get("_rev", 0) if current else 0
        if expected_rev is not None and expected_rev != current_rev:
            raise ConflictError(key, expected_rev, current_rev, by=self.store.last_editor(key))
        new = dict(doc)  # (copies made in C: an import puts 100,000 of these in one transaction)
        new.pop("_rev", None)
        refuse_malformed(table, key, new)
        who = user or self.store.user
        entries: list[dict] = []
        if current is None:
            entries.append({"field": "*", "old": None, "new": dict(new)})
        else:
            for field, old_value in current.items():
                if field != "_rev" and old_value != new.get(field):
                    entries.append({"field": field, "old": old_value, "new": new.get(field)})
            for field, new_value in new.items():
                if field not in current and new_value is not None:
                    entries.append({"field": field, "old": None, "new": new_value})
            if not entries:
                return current
        for e in entries:
            self.audit.append({"at": self.at, "user": who, "table": table, "ref": key, **e})
        new["_rev"] = current_rev + 1
        self.puts[(table, key)] = new
        return new

    def log_access(self, what: str, detail: str = "", target: str = "", records: int = 0) -> None:
        """Record an export or report containing personal data: who, when, what, where to."""
        entry = {"at": self.at, "user": self.store.user, "what": what, "detail": detail, "target": target,
                 "records": records}
        refuse_malformed("access_log", str(len(self.access) + 1), entry)
        self.access.append(entry)

    def rewrite_audit(self, ref: str, fields: dict[str, Any]) -> None:
        """Replace old/new values of ``ref``'s audit entries for ``fields`` (used by redaction only)."""
        self.rewrites.append({"ref": ref, "fields": fields})

    @property
    def empty(self) -> bool:
        return not (self.puts or self.access or self.rewrites)

    def staged_keys(self, table: str) -> Iterator[str]:
        """The keys of ``table`` staged so far in this transaction."""
        return (key for (t, key) in self.puts if t == table)
