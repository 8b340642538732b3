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
  read (``backups/damaged``) are reported, not silently left.  This module
  holds the rule (``REDACTION_RULES``); the store applies it to its files
  (``store/redaction.py``), records each redaction in a ledger before
  touching the record, finishes one that was interrupted, and applies every
  redaction again to whatever a restore brings back.

* **Access log.**  Exports and reports that contain personal data are
  recorded (who, when, what, to which file) by ``outputs.write_output`` and
  ``cli.common.emit``; ``access_log()`` reads it back.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Optional

import attrs

from .dates import parse_date
from .errors import RuleError
from .model import Contact, Outcome
from .store import redaction
from .store.redaction import Finished, Rule

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

# The rule the store applies wherever it keeps a copy (store/redaction.py does the file work).
REDACTION_RULES: dict[str, Rule] = {TABLE: Rule(redact=redact_doc, trail_values=audit_rewrite_fields)}


@attrs.frozen(kw_only=True)
class RedactionResult:
    contact: Contact
    fields: tuple[str, ...]                  # the fields whose values were removed, here and in the trail
    backups_scrubbed: tuple[Path, ...]
    not_scrubbed: tuple[Path, ...]           # copies that could not be read (damaged): delete them by hand
    warnings: tuple[str, ...] = ()
    resumed: bool = False                    # this was an interrupted redaction of the contact, now finished
    finished_earlier: tuple[str, ...] = ()   # other interrupted redactions finished on the way


def _result(tracker: Any, ref: str, done: Finished, finished: dict[tuple[str, str], Finished], *,
            resumed: bool) -> RedactionResult:
    """The outcome for ``ref``, with what finishing earlier, interrupted redactions had to say."""
    warnings = dict.fromkeys(w for f in (*finished.values(), done) for w in f.warnings)
    return RedactionResult(contact=tracker.get_contact(ref), fields=done.fields.get(ref, ()),
                           backups_scrubbed=done.backups_scrubbed, not_scrubbed=done.not_scrubbed,
                           warnings=tuple(warnings), resumed=resumed,
                           finished_earlier=tuple(sorted(r for (_, r) in finished if r != ref)))


def redact_contact(tracker: Any, reference: str, *, expected_rev: Optional[int] = None) -> RedactionResult:
    """Remove one closed contact's personal data, from the record, its audit trail, the journal and the backups.

    An earlier redaction that was interrupted (a kill, a full disk) is finished
    first, whichever contact it was for; asked for that same contact again,
    this reports it finished (``resumed``) instead of refusing it as done.
    """
    from .convert import from_doc
    from .errors import ConflictError, UnknownReference
    store = tracker.store
    ref = reference.strip().upper()
    day = tracker.today()
    with redaction.session(store) as session:
        doc = store.get(TABLE, ref)
        if doc is None:
            raise UnknownReference(ref, "contact")
        finished = redaction.take_finished(store)       # on opening the store, or as this session began
        if (TABLE, ref) in finished:
            return _result(tracker, ref, finished[(TABLE, ref)], finished, resumed=True)
        if expected_rev is not None and expected_rev != doc.get("_rev", 0):
            raise ConflictError(ref, expected_rev, doc.get("_rev", 0), by=store.last_editor(ref))
        if doc.get("redacted_on"):
            raise RuleError(f"{ref} was already redacted on {_uk(doc['redacted_on'])}")
        if doc.get("closed_on") is None:
            raise RuleError(f"{ref} is open: close it before removing its personal data")
        from_doc(Contact, redact_doc(doc, day))       # still a valid contact, or nothing is written
        done = session.redact(TABLE, ref, on=day, user=store.user)
    return _result(tracker, ref, done, finished, resumed=False)


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
