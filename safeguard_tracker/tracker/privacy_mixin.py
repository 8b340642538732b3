"""Retention, redaction and the access log, on the tracker (see ``safeguard_tracker.privacy``)."""

from __future__ import annotations

from typing import Any, Optional


class PrivacyMixin:
    def retention(self, as_of: Any = None):
        """Closed contacts past their retention review date, and false or malicious outcomes whose
        subject is still identified (flagged for removal of the identity).  A RetentionReport."""
        from ..privacy import retention
        return retention(self, as_of)

    def redact_contact(self, reference: str, *, expected_rev: Optional[int] = None):
        """Remove a closed contact's personal data from the record, its audit trail, the journal and the
        backups, keeping what the statistics need.  Audited: who redacted it, and when.  An earlier
        redaction that was interrupted is finished first (``.resumed`` when it was this contact's,
        ``.finished_earlier`` otherwise).  A RedactionResult."""
        from ..privacy import redact_contact
        return redact_contact(self, reference, expected_rev=expected_rev)

    def access_log(self):
        """Every export or report holding personal data: who, when, what, to which file."""
        from ..privacy import access_log
        return access_log(self)
