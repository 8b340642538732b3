"""What a redaction removes and keeps, in words, for the confirmation the LADO reads before saying "yes"."""

from __future__ import annotations

from typing import Any

from safeguard_tracker import Tracker
from safeguard_tracker.dates import fmt
from safeguard_tracker.model import Contact
from safeguard_tracker.model.personal_data import redact_doc

# How the removed values read in the confirmation: by where they sit in the stored document.
REMOVED_LABELS = {
    "subject.name": "staff name", "subject.date_of_birth": "date of birth", "subject.role": "role",
    "subject.employer": "employer", "referrer.name": "referrer's name", "referrer.role": "referrer's role",
    "referrer.organisation": "referrer's organisation", "summary": "summary", "case_manager": "case manager",
    "police_reference": "crime reference", "disciplinary": "disciplinary", "employer_outcome": "employer's outcome",
    "category_history": "decision rationales", "meetings": "meeting decisions and actions", "notes": "note texts",
    "suspension": "suspension reasoning", "reopenings": "reopening reasons",
    "regulator_referrals": "regulators' reference numbers",
}
KEPT = ("dates, agency, category and its history, harm, threshold, outcome, the children's count and ages, "
        "the meetings' kinds, dates and agencies present, regulator bodies")


def redaction_removes(doc: dict, on: Any) -> list[str]:
    """What redacting ``doc`` would remove, in words, from the library's own rule (``redact_doc``):
    only the fields that hold something now."""
    redacted = redact_doc(doc, on)
    out: list[str] = []
    for key, value in doc.items():
        if key in ("_rev", "redacted_on") or redacted.get(key) == value:
            continue
        if isinstance(value, dict):
            after = redacted.get(key) or {}
            out.extend(REMOVED_LABELS.get(f"{key}.{k}", f"{key} {k}".replace("_", " "))
                       for k, v in value.items() if after.get(k) != v)
        elif isinstance(value, list):
            n = sum(1 for a, b in zip(value, redacted.get(key) or []) if a != b)
            out.append(f"{REMOVED_LABELS.get(key, key.replace('_', ' '))} ({n})")
        else:
            out.append(REMOVED_LABELS.get(key, key.replace("_", " ")))
    return out


def redaction_intro(tracker: Tracker, c: Contact) -> str:
    """The confirmation's text: what goes, what stays, where, and that it cannot be undone."""
    doc = tracker.contact_docs().get(c.reference) or {}
    removes = redaction_removes(doc, tracker.today()) if doc else []
    outcome = c.outcome.value.replace("_", " ") if c.outcome else "closed"
    return (f"{c.category.value if c.category else 'uncategorised'} \u00b7 {c.agency} \u00b7 received "
            f"{fmt(c.received_on)} \u00b7 {outcome}, closed {fmt(c.closed_on)}\n"
            f"REMOVES for good, from the record, its history and the backups: {', '.join(removes) or 'nothing left'}.\n"
            f"KEEPS for the statistics: {KEPT}.\n"
            f"The history will record that {tracker.user} redacted it on {fmt(tracker.today())}. "
            f"This cannot be undone.")
