"""A write transaction: buffered edits, each field's change audited, committed as one durable unit.

Also the audit trail's one rewrite (redaction) and the check that refuses,
before anything is written, a document the store would refuse to read back.
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

import orjson

from ..errors import ConflictError, ValidationError
from .item_changes import field_changes
from .shapes import document_problem
from .protocol import Doc, Store


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return f"uid{os.getuid()}"


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def without_rev(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if k != "_rev"}


def refuse_unredacting(key: str, current: Doc, new: Doc) -> None:
    """A redacted contact stays redacted, whoever writes and however (a form, an import, the API): a change
    may not put back a name, a date of birth, free text or a referrer, nor take the redaction's date away."""
    from datetime import date
    from ..errors import RuleError
    from ..model.personal_data import redact_doc
    day = str(current["redacted_on"])
    shown = "/".join(reversed(day.split("-")))
    if new.get("redacted_on") != day:
        raise RuleError(f"{key} was redacted on {shown} and stays redacted; nothing was saved")
    if redact_doc(new, date.fromisoformat(day)) != new:
        raise RuleError(f"{key} was redacted on {shown}: its personal data (names, date of birth, free text, the "
                        f"referrer) may not be entered again; nothing was saved")


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
    if "\x00" in key:
        raise ValidationError(f"{table} key", key.replace("\x00", "\\x00"), "a key without the NUL character (U+0000)")
    nul = nul_in(doc)
    if nul is not None:
        field, value = nul
        raise ValidationError(f"{table} '{key}' {field}", value.replace("\x00", "\\x00")[:80],
                              "text without the NUL character (U+0000), which the server store cannot keep "
                              "(PostgreSQL refuses it), so neither store takes it")


_NUL_ESCAPED = b"\\u0000"      # how orjson writes U+0000


def nul_in(doc: Any) -> Optional[tuple[str, str]]:
    """The first field (dotted: ``subject.name``, ``notes.2.text``) whose text or name holds U+0000, with that
    text; None when none does.  One serialisation finds most documents clean at once."""
    try:
        if _NUL_ESCAPED not in orjson.dumps(doc):
            return None
    except (TypeError, orjson.JSONEncodeError):
        return None

    def walk(value: Any, where: str) -> Optional[tuple[str, str]]:
        if isinstance(value, str):
            return (where, value) if "\x00" in value else None
        if isinstance(value, dict):
            for k, v in value.items():
                inside = f"{where}.{k}" if where else str(k)
                if "\x00" in str(k):
                    return inside, str(k)
                found = walk(v, inside)
                if found:
                    return found
        if isinstance(value, (list, tuple)):
            for n, v in enumerate(value):
                found = walk(v, f"{where}.{n}")
                if found:
                    return found
        return None
    return walk(doc, "")


RedactValue = Callable[[str, Sequence[Union[int, str]], Any], Any]   # (field, path inside it, value) -> redacted


def redact_audit_values(entries: Iterable[Doc], ref: str, redact_value: RedactValue) -> None:
    """Redact, in place, every value that ``ref``'s audit entries hold, each by where it sits in the record.

    Redaction only: the entries keep who changed which field and when, and the
    values the rule keeps (dates, categories), but no personal value.  Used on
    the live trail, on this transaction's own entries and on the backups'
    trails.  Applying it twice changes nothing.
    """
    for a in entries:
        if a.get("ref") != ref:
            continue
        field = a["field"]
        if field == "*":
            if isinstance(a.get("new"), dict):
                a["new"] = redact_value("*", (), a["new"])
            continue
        path = a.get("path") or ()
        if a.get("old") is not None:
            a["old"] = redact_value(field, path, a["old"])
        if a.get("new") is not None:
            a["new"] = redact_value(field, path, a["new"])


def substitute_audit_values(entries: Iterable[Doc], ref: str, fields: dict[str, Any]) -> None:
    """Overwrite the old and new values of ``ref``'s whole-field entries for ``fields`` with the values given.

    How redaction was recorded in journal lines written before item entries
    (``{"ref", "fields"}``); such a line is still replayed this way.
    """
    for a in entries:
        if a.get("ref") != ref or "op" in a:
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
        self.puts: dict[tuple[str, str], Doc] = {}
        self.audit: list[Doc] = []
        self.access: list[Doc] = []
        self.rewrites: list[Doc] = []
        self.at = now_iso()

    def get(self, table: str, key: str) -> Optional[Doc]:
        if (table, key) in self.puts:
            return self.puts[(table, key)]
        return self.store.get(table, key)

    def exists(self, table: str, key: str) -> bool:
        return self.get(table, key) is not None

    def put(self, table: str, key: str, doc: Doc, expected_rev: Optional[int] = None,
            user: Optional[str] = None) -> Doc:
        """Stage a new version of a record; audit each changed field with old and new values.

        A changed list is audited item by item (``item_changes``), so the trail
        grows with what was added, not with the length of the list.
        """
        current = self.get(table, key)
        current_rev = current.get("_rev", 0) if current else 0
        if expected_rev is not None and expected_rev != current_rev:
            raise ConflictError(key, expected_rev, current_rev, by=self.store.last_editor(key))
        new = dict(doc)  # (copies made in C: an import puts 100,000 of these in one transaction)
        new.pop("_rev", None)
        refuse_malformed(table, key, new)
        if current is not None and table == "contacts" and current.get("redacted_on"):
            refuse_unredacting(key, current, new)
        who = user or self.store.user
        entries: list[Doc] = []
        if current is None:
            entries.append({"field": "*", "old": None, "new": dict(new)})
        else:
            for field, old_value in current.items():
                if field != "_rev" and old_value != new.get(field):
                    entries.extend(field_changes(field, old_value, new.get(field)))
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

    def redact_audit(self, table: str, ref: str) -> None:
        """Redact every value in ``ref``'s audit entries by ``table``'s redaction rule (redaction only)."""
        self.rewrites.append({"ref": ref, "table": table})

    @property
    def empty(self) -> bool:
        return not (self.puts or self.access or self.rewrites)

    def staged_keys(self, table: str) -> Iterator[str]:
        """The keys of ``table`` staged so far in this transaction."""
        return (key for (t, key) in self.puts if t == table)
