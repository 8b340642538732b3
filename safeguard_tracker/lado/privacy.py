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
  regulator bodies).  It is a whitelist (``model/personal_data.py``): a
  field not named as kept, in this version or a later one, is redacted.  The audit trail keeps that a
  redaction happened, by whom and when (the ``redacted_on`` change), but no
  longer the redacted values: every earlier entry for those fields is
  rewritten, the journal is compacted at once, and the backups are scrubbed
  the same way, so no copy the tool keeps still holds them.  Copies it cannot
  read (``backups/damaged``) are reported, not silently left.  This module
  checks that a contact may be redacted; the store applies the rule to its
  files (``store/redaction.py``), records each redaction in a ledger before
  touching the record, finishes one that was interrupted, and applies every
  redaction again to whatever a restore brings back.

* **Access log.**  Exports and reports that contain personal data are
  recorded (who, when, what, to which file) by ``outputs.write_output`` and
  ``cli.common.emit``; ``access_log()`` reads it back.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Optional

import attrs

from ..context import Context
from ..convert import from_doc
from ..dates import fmt, parse_date
from ..errors import ConflictError, RuleError, UnknownReference
from ..model import Contact
from ..model.personal_data import IDENTITY_OUTCOMES, redact_doc
from ..store.protocol import Doc, Redacted, Store
from .deadlines import retention_items, retention_review_on, rules_of

TABLE = "contacts"

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

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "received": self.received_on.isoformat(), "agency": self.agency,
                "category": self.category, "outcome": self.outcome,
                "closed": self.closed_on.isoformat() if self.closed_on else None,
                "review": self.review_on.isoformat(), "why": self.why}


@attrs.frozen(kw_only=True)
class RetentionReport:
    as_of: date
    past_review: tuple[RetentionItem, ...]       # closed records past their retention review date
    remove_identity: tuple[RetentionItem, ...]   # false or malicious outcomes, subject still identified

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "past_review": [i.to_dict() for i in self.past_review],
                "remove_identity": [i.to_dict() for i in self.remove_identity]}


def _item(doc: Doc, review_on: date, why: str) -> RetentionItem:
    closed = doc.get("closed_on")
    return RetentionItem(reference=doc["reference"], received_on=date.fromisoformat(doc["received_on"]),
                         agency=doc.get("agency", ""), category=doc.get("category") or "",
                         outcome=doc.get("outcome") or "", closed_on=date.fromisoformat(closed) if closed else None,
                         review_on=review_on, why=why)


def _identifies_subject(doc: Doc) -> bool:
    subject = doc.get("subject") or {}
    return any(subject.get(k) for k in ("name", "date_of_birth"))


def retention(ctx: Context, as_of: Any = None) -> RetentionReport:
    """Closed contacts past their retention review date, and false or malicious outcomes whose subject is
    still identified (flagged for removal of the identity)."""
    day = parse_date(as_of, "as_of", required=False, today=ctx.today()) or ctx.today()
    rules = rules_of(ctx)
    docs = ctx.store.all(TABLE)
    past = [_item(docs[i.reference], i.due_on, f"{rules.retention_minimum} from the allegation, or age "
                  f"{rules.retirement_age} if later") for i in retention_items(ctx, day, 0, rules)]
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
    resumed: bool = False                    # this was an interrupted redaction of the contact, now finished
    finished_earlier: tuple[str, ...] = ()   # other interrupted redactions finished on the way


def _result(ctx: Context, ref: str, done: Redacted, finished: dict[tuple[str, str], Redacted], *,
            resumed: bool) -> RedactionResult:
    """The outcome for ``ref``, with what finishing earlier, interrupted redactions had to say."""
    warnings = dict.fromkeys(w for f in (*finished.values(), done) for w in f.warnings)
    return RedactionResult(contact=ctx.load(Contact, TABLE, ref, "contact"), fields=done.fields.get(ref, ()),
                           backups_scrubbed=done.backups_scrubbed, not_scrubbed=done.not_scrubbed,
                           warnings=tuple(warnings), resumed=resumed,
                           finished_earlier=tuple(sorted(r for (_, r) in finished if r != ref)))


def redact_contact(ctx: Context, reference: str, *, expected_rev: Optional[int] = None) -> RedactionResult:
    """Remove one closed contact's personal data, from the record, its audit trail, the journal and the backups.

    An earlier redaction that was interrupted (a kill, a full disk) is finished
    first, whichever contact it was for; asked for that same contact again,
    this reports it finished (``resumed``) instead of refusing it as done.
    """
    store = ctx.store
    ref = reference.strip().upper()
    day = ctx.today()
    with store.redaction() as session:
        doc = store.get(TABLE, ref)
        if doc is None:
            raise UnknownReference(ref, "contact")
        finished = store.finished_redactions()       # on opening the store, or as this session began
        if (TABLE, ref) in finished:
            return _result(ctx, ref, finished[(TABLE, ref)], finished, resumed=True)
        if expected_rev is not None and expected_rev != doc.get("_rev", 0):
            raise ConflictError(ref, expected_rev, doc.get("_rev", 0), by=store.last_editor(ref))
        if doc.get("redacted_on"):
            raise RuleError(f"{ref} was already redacted on {_uk(doc['redacted_on'])}")
        if doc.get("closed_on") is None:
            raise RuleError(f"{ref} is open: close it before removing its personal data")
        from_doc(Contact, redact_doc(doc, day))       # still a valid contact, or nothing is written
        done = session.redact(TABLE, ref, on=day, user=store.user)
    return _result(ctx, ref, done, finished, resumed=False)


def _uk(iso: str) -> str:
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

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(timespec="seconds"), "user": self.user, "what": self.what,
                "target": self.target, "records": self.records, "detail": self.detail}


def access_log(store: Store) -> list[AccessEntry]:
    """Every logged export or report holding personal data, oldest first."""
    return [AccessEntry(at=datetime.fromisoformat(e["at"]), user=e.get("user", ""), what=e.get("what", ""),
                        target=e.get("target", ""), records=int(e.get("records") or 0), detail=e.get("detail", ""))
            for e in store.access_log()]
