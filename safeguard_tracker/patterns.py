"""Pattern warnings: earlier contacts about the same person or setting.

A national review found a LADO had not collated concerns about the same staff
member.  These warnings never block saving.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from .dates import fmt
from .model import Contact

DEFAULT_EMPLOYER_THRESHOLD = 3


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def pattern_warnings(tracker: Any, contact: Contact) -> list[str]:
    warnings: list[str] = []
    name = _key(contact.subject.name)
    dob = contact.subject.date_of_birth.isoformat() if contact.subject.date_of_birth else None
    employer = _key(contact.subject.employer)
    same_person: list[str] = []
    same_setting: list[str] = []
    window_start = (contact.received_on - relativedelta(months=12)).isoformat()
    received = contact.received_on.isoformat()
    for ref, d in tracker.contact_docs().items():
        if ref == contact.reference:
            continue
        s = d.get("subject") or {}
        if name and _key(s.get("name", "")) == name:
            other_dob = s.get("date_of_birth")
            if (dob and other_dob == dob) or (not (dob and other_dob) and employer and _key(s.get("employer", "")) == employer):
                same_person.append(ref)
        if employer and _key(s.get("employer", "")) == employer and window_start <= d["received_on"] <= received:
            same_setting.append(ref)
    if same_person:
        warnings.append(f"{contact.subject.name} has {len(same_person)} earlier contact(s): {', '.join(sorted(same_person))}")
    threshold = int(tracker.settings.get("employer_threshold", DEFAULT_EMPLOYER_THRESHOLD))
    if employer and len(same_setting) + 1 >= threshold:
        warnings.append(
            f"{contact.subject.employer} has had {len(same_setting) + 1} contacts in the 12 months to "
            f"{fmt(contact.received_on)} (threshold {threshold}): {', '.join(sorted(same_setting))}"
        )
    return warnings
