"""UK GDPR: retention, redaction, and the log of exports that hold personal data.

* **Retention.**  A LADO record is kept until the later of the subject's
  retirement age (where the date of birth is known) and 10 years from the
  allegation (``deadlines.retention_review_on``).  ``retention()`` lists closed
  records past that date, and separately every record whose allegation was
  found false or malicious, flagged for removal of the subject's identity
  (such allegations are removed from personnel records).

* **Redaction** removes the personal data of one contact (names, date of
  birth, every free-text field, the referrer's details) and keeps what the
  statistics need (dates, agency, categories and their history, harm,
  threshold, outcome, children's count and ages, meetings' kinds and dates,
  regulator bodies).  It is a whitelist: a field not named as kept here, in
  this version or a later one, is redacted.  The audit trail keeps that a
  redaction happened, by whom and when (the ``redacted_on`` change), but no
  longer the redacted values: every earlier entry for those fields is
  rewritten, the journal is compacted at once, and the backups are scrubbed
  the same way, so no copy the tool keeps still holds them.  Copies it cannot
  read (``backups/damaged``) are reported, not silently left.

* **Access log.**  Exports and reports that contain personal data are
  recorded (who, when, what, to which file) by ``outputs.write_output`` and
  ``cli.common.emit``; ``access_log()`` reads it back.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Optional

import attrs
import orjson

from .dates import parse_date
from .errors import RuleError
from .model import Contact, Outcome

REDACTED = "[redacted]"
TABLE = "contacts"

# What a redacted contact keeps, by where it sits in the stored document ("" is the top level).
# Everything else is personal or free text and is blanked.
KEEP: dict[str, frozenset[str]] = {
    "": frozenset({
        "reference", "received_on", "agency", "category", "harm", "threshold", "children_count",
        "children_ages", "responded_on", "police_involved", "s47_strategy_on", "employer_report_requested_on",
        "employer_report_received_on", "outcome", "closed_on", "redacted_on",
        # containers whose dated, categorical parts are kept (see below)
        "category_history", "meetings", "suspension", "regulator_referrals", "reopenings", "notes",
    }),
    "category_history": frozenset({"on", "user", "kind", "to", "from"}),
    "meetings": frozenset({"kind", "held_on", "agencies_present", "recorded_by", "actions"}),
    "meetings.actions": frozenset({"due_on", "done_on"}),
    "suspension": frozenset({"decision", "on"}),
    "regulator_referrals": frozenset({"body", "on"}),
    "reopenings": frozenset({"on", "user", "previous_outcome", "previous_closed_on"}),
    "notes": frozenset({"at", "user"}),
}
# Top-level fields kept exactly as they are (their audit entries keep their values too).
KEPT_AS_IS = KEEP[""] - {"category_history", "meetings", "suspension", "regulator_referrals", "reopenings", "notes"}
IDENTITY_OUTCOMES = (Outcome.FALSE.value, Outcome.MALICIOUS.value)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


# --- redaction of one stored document ------------------------------------------------------------

def _blank(value: Any) -> Any:
    """The redacted form of a personal value: text says so, dates go, containers are blanked inside."""
    if isinstance(value, str):
        if not value:
            return ""
        return None if _ISO_DATE.match(value) else REDACTED
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value  # numbers, booleans, None: not identifying on their own


def _redact(value: Any, where: str) -> Any:
    keep = KEEP.get(where)
    if keep is None:
        return _blank(value)
    if isinstance(value, list):
        return [_redact(v, where) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        path = f"{where}.{k}" if where else k
        if k not in keep:
            out[k] = _blank(v)
        elif path in KEEP:
            out[k] = _redact(v, path)
        else:
            out[k] = v
    return out


def redact_doc(doc: dict, on: date) -> dict:
    """The stored contact document with its personal data removed (a new dict; ``_rev`` is dropped)."""
    redacted = _redact({k: v for k, v in doc.items() if k != "_rev"}, "")
    redacted["redacted_on"] = on.isoformat()
    return redacted


def audit_rewrite_fields(redacted: dict, history: Iterable[dict]) -> dict[str, Any]:
    """For each field whose past values must leave the audit trail: the value to put in their place.

    Covers every field the record has had, not only those it has now, so a
    name that was entered and later cleared is removed from the trail too.
    """
    seen: set[str] = set(redacted)
    for a in history:
        if a.get("field") == "*" and isinstance(a.get("new"), dict):
            seen.update(a["new"])
        elif a.get("field"):
            seen.add(a["field"])
    return {f: redacted.get(f) for f in sorted(seen) if f not in KEPT_AS_IS and f not in ("_rev", "*")}


# --- retention ---------------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class RetentionItem:
    reference: str
    received_on: date
    agency: str
    category: str
    outcome: str
    closed_on: Optional[date]
    review_on: date
    why: str

    def to_dict(self) -> dict:
        return {"reference": self.reference, "received": self.received_on.isoformat(), "agency": self.agency,
                "category": self.category, "outcome": self.outcome,
                "closed": self.closed_on.isoformat() if self.closed_on else None,
                "review": self.review_on.isoformat(), "why": self.why}


@attrs.frozen(kw_only=True)
class RetentionReport:
    as_of: date
    past_review: tuple[RetentionItem, ...]       # closed records past their retention review date
    remove_identity: tuple[RetentionItem, ...]   # false or malicious outcomes, subject still identified

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "past_review": [i.to_dict() for i in self.past_review],
                "remove_identity": [i.to_dict() for i in self.remove_identity]}


def _item(doc: dict, review_on: date, why: str) -> RetentionItem:
    closed = doc.get("closed_on")
    return RetentionItem(reference=doc["reference"], received_on=date.fromisoformat(doc["received_on"]),
                         agency=doc.get("agency", ""), category=doc.get("category") or "",
                         outcome=doc.get("outcome") or "", closed_on=date.fromisoformat(closed) if closed else None,
                         review_on=review_on, why=why)


def _identifies_subject(doc: dict) -> bool:
    subject = doc.get("subject") or {}
    return any(subject.get(k) for k in ("name", "date_of_birth"))


def retention(tracker: Any, as_of: Any = None) -> RetentionReport:
    from .deadlines import retention_items, retention_review_on, rules_of
    day = parse_date(as_of, "as_of", required=False, today=tracker.today()) or tracker.today()
    rules = rules_of(tracker)
    docs = tracker.contact_docs()
    past = [_item(docs[i.reference], i.due_on, f"{rules.retention_minimum} from the allegation, or age "
                  f"{rules.retirement_age} if later") for i in retention_items(tracker, day, 0, rules)]
    flagged = [
        _item(doc, retention_review_on(doc, rules), f"the allegation was found {doc['outcome']}: remove the "
                                                    f"subject's identity")
        for doc in docs.values()
        if doc.get("outcome") in IDENTITY_OUTCOMES and not doc.get("redacted_on") and _identifies_subject(doc)
    ]
    return RetentionReport(as_of=day, past_review=tuple(sorted(past, key=lambda i: (i.review_on, i.reference))),
                           remove_identity=tuple(sorted(flagged, key=lambda i: i.reference)))


# --- redaction ----------------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class RedactionResult:
    contact: Contact
    fields: tuple[str, ...]                  # the fields whose values were removed, here and in the trail
    backups_scrubbed: tuple[Path, ...]
    not_scrubbed: tuple[Path, ...]           # copies that could not be read (damaged): delete them by hand
    warnings: tuple[str, ...] = ()


def redact_contact(tracker: Any, reference: str, *, expected_rev: Optional[int] = None) -> RedactionResult:
    """Remove one closed contact's personal data, from the record, its audit trail and the backups."""
    from .convert import from_doc
    from .errors import ConflictError, StoreError, UnknownReference
    store = tracker.store
    ref = reference.strip().upper()
    day = tracker.today()
    with store.transaction() as txn:
        doc = txn.get(TABLE, ref)
        if doc is None:
            raise UnknownReference(ref, "contact")
        if expected_rev is not None and expected_rev != doc.get("_rev", 0):
            raise ConflictError(ref, expected_rev, doc.get("_rev", 0), by=store.last_editor(ref))
        if doc.get("redacted_on"):
            raise RuleError(f"{ref} was already redacted on {_uk(doc['redacted_on'])}")
        if doc.get("closed_on") is None:
            raise RuleError(f"{ref} is open: close it before removing its personal data")
        redacted = redact_doc(doc, day)
        from_doc(Contact, redacted)          # still a valid contact, or nothing is written
        fields = audit_rewrite_fields(redacted, store.history(ref))
        txn.put(TABLE, ref, redacted, expected_rev=doc.get("_rev", 0))
        # Not even this transaction's own journal line may carry the values being removed.
        for a in txn.audit:
            if a["ref"] == ref and a["field"] in fields:
                a["old"] = a["new"] = fields[a["field"]]
        txn.rewrite_audit(ref, fields)
    warnings = []
    try:
        store.compact()      # the journal's earlier lines still hold the values: fold them away now
    except StoreError as exc:
        warnings.append(f"the record is redacted, but the journal could not be compacted ({exc}): the removed "
                        f"values stay in {store.journal_path} until it is next compacted, which happens by "
                        f"itself as the store grows")
    scrubbed, failed = scrub_backups(store, ref, day)
    if failed:
        warnings.append(f"{len(failed)} cop(ies) could not be read, so may still hold the removed values; delete "
                        f"them when they are no longer needed: " + ", ".join(str(p) for p in failed))
    return RedactionResult(contact=tracker.get_contact(ref), fields=tuple(fields), backups_scrubbed=scrubbed,
                           not_scrubbed=failed, warnings=tuple(warnings))


def scrub_backups(store: Any, ref: str, day: date) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Apply the same redaction to ``ref`` in every backup, keeping each backup's name and time."""
    from .store.core import now_iso, rewrite_audit_values
    from .store.files import atomic_write
    from .store.format import decode_snapshot, encode_snapshot
    from .errors import StoreError
    scrubbed: list[Path] = []
    failed: list[Path] = []
    if not store.backup_dir.is_dir():
        return (), ()
    with store.locked():
        for path in sorted(p for p in store.backup_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
            try:
                raw = path.read_bytes()
            except OSError:
                failed.append(path)
                continue
            if ref.encode() not in raw:
                continue                      # the record is not in this copy at all
            try:
                info = decode_snapshot(raw, path)
            except StoreError:
                failed.append(path)           # damaged: it cannot be rewritten, only deleted
                continue
            if info.legacy:
                changed = _scrub_legacy(info.tables, ref, day)
                data: Any = orjson.dumps(info.tables) if changed else None
            else:
                doc = info.tables.get(TABLE, {}).get(ref)
                audit = info.tables.get("audit", {})
                if doc is not None and doc.get("redacted_on"):
                    continue                  # written after the redaction (the compaction's backup)
                history = [a for a in audit.values() if a.get("ref") == ref]
                last_seq = info.last_seq
                if doc is not None:
                    redacted = redact_doc(doc, day)
                    rewrite_audit_values(history, ref, audit_rewrite_fields(redacted, history))
                    # The copy records the redaction as the live trail does, so it stays sound if restored.
                    last_seq += 1
                    audit[str(len(audit) + 1)] = {"at": now_iso(), "user": store.user, "table": TABLE, "ref": ref,
                                                  "field": "redacted_on", "old": None, "new": day.isoformat(),
                                                  "seq": last_seq}
                    info.tables[TABLE][ref] = {**redacted, "_rev": doc.get("_rev", 0) + 1}
                else:
                    rewrite_audit_values(history, ref, audit_rewrite_fields({}, history))
                data = encode_snapshot(info.tables, last_seq)
            if data is None:
                continue
            st = path.stat()
            try:
                atomic_write(path, data)
            except StoreError:
                failed.append(path)
                continue
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            scrubbed.append(path)
    return tuple(scrubbed), tuple(failed)


def _scrub_legacy(tables: dict, ref: str, day: date) -> bool:
    changed = False
    for docs in tables.values():
        for key, doc in list(docs.items()):
            if isinstance(doc, dict) and doc.get("reference") == ref:
                docs[key] = redact_doc(doc, day)
                changed = True
    return changed


def _uk(iso: str) -> str:
    from .dates import fmt
    return fmt(date.fromisoformat(iso))


# --- the access log -------------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class AccessEntry:
    at: datetime
    user: str
    what: str
    target: str
    records: int
    detail: str = ""

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(timespec="seconds"), "user": self.user, "what": self.what,
                "target": self.target, "records": self.records, "detail": self.detail}


def access_log(tracker: Any) -> list[AccessEntry]:
    """Every logged export or report holding personal data, oldest first."""
    from .outputs import access_log as raw_log
    return [AccessEntry(at=datetime.fromisoformat(e["at"]), user=e.get("user", ""), what=e.get("what", ""),
                        target=e.get("target", ""), records=int(e.get("records") or 0), detail=e.get("detail", ""))
            for e in raw_log(tracker)]
