"""The face's LADO part: contacts, their casework, deadlines, patterns, statistics, privacy, CSV and reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

from ..chase import DUE_SOON_DAYS
from ..dates import normalise_financial_year
from ..lado import annual_report, contacts_csv, contacts_export, deadlines, patterns, privacy, statistics
from ..lado.deadlines import DeadlineRules
from ..lado.privacy import AccessEntry, RedactionResult, RetentionReport
from ..lado.statistics import LadoStatistics
from ..model import Contact
from ..model.due import DueItem
from ..io.importing import ImportResult
from .face import Face


class LadoFace(Face):
    """Everything the LADO, or a script, does with contacts."""

    def get_contact(self, reference: str) -> Contact:
        return self._contacts.get(reference)

    def contact_docs(self) -> dict[str, dict]:
        """The raw stored documents, for fast filtering (read-only: never mutate them)."""
        return self._contacts.docs()

    def contacts(self, *, year: Optional[str] = None, category: Any = None, agency: Optional[str] = None, status: Optional[str] = None, harm: Any = None, text: Optional[str] = None) -> list[Contact]:
        """Contacts, oldest first, narrowed by any of the keyword filters."""
        return self._contacts.find(year=year, category=category, agency=agency, status=status, harm=harm, text=text)

    def add_contact(self, *, received_on: Any, agency: str, category: Any = None, rationale: str = '', reference: Optional[str] = None, **fields: Any) -> Contact:
        """Log a new contact.  Its pattern warnings: ``pattern_warnings(contact)``."""
        return self._contacts.add(received_on=received_on, agency=agency, category=category, rationale=rationale, reference=reference, **fields)

    def add_contacts(self, contacts: Iterable[Contact], *, upsert: bool = False) -> int:
        """Store many contacts as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Returns how many records changed.
        """
        return self._contacts.add_many(contacts, upsert=upsert)

    def update_contact(self, reference: str, *, expected_rev: Optional[int] = None, **fields: Any) -> Contact:
        """Edit a contact's details.  With ``expected_rev``, refuses if someone else changed it first."""
        return self._contacts.update(reference, expected_rev=expected_rev, **fields)

    def save_contact(self, contact: Contact) -> Contact:
        """Store a contact changed with ``attrs.evolve``; refuses if the stored copy moved on."""
        return self._contacts.save(contact)

    def categorise(self, reference: str, category: Any, rationale: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Decide the category, with a rationale.

        The first decision is a categorisation; moving up is an escalation and
        moving down a step-down.  Every decision stays in ``category_history``.
        """
        return self._casework.categorise(reference, category, rationale, on=on, expected_rev=expected_rev)

    def escalate(self, reference: str, to: Any = 'referral', reason: str = '', *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Escalate up only: an enquiry to a consultation or a referral, a consultation to a referral.

        The escalation date (``on``, default today) is the referral date for the JEM deadline.
        """
        return self._casework.escalate(reference, to, reason, on=on, expected_rev=expected_rev)

    def step_down(self, reference: str, to: Any, rationale: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Step a contact down to a lower category: allowed only with a rationale, and kept in the history."""
        return self._casework.step_down(reference, to, rationale, on=on, expected_rev=expected_rev)

    def record_response(self, reference: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """The LADO's first response to the referrer (due within 1 working day by default)."""
        return self._casework.record_response(reference, on=on, expected_rev=expected_rev)

    def request_employer_report(self, reference: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Ask the employer for the outcome and report of its internal investigation.

        From this date the report is chased when overdue (``deadlines``: 20 working days by default).
        """
        return self._casework.request_employer_report(reference, on=on, expected_rev=expected_rev)

    def record_employer_report(self, reference: str, *, received_on: Any = None, outcome: str = '', expected_rev: Optional[int] = None) -> Contact:
        """The employer's report has arrived, with its outcome in the employer's words."""
        return self._casework.record_employer_report(reference, received_on=received_on, outcome=outcome, expected_rev=expected_rev)

    def record_meeting(self, reference: str, *, kind: Any = 'jem', held_on: Any = None, agencies_present: Iterable[str] = (), decisions: str = '', actions: Iterable[Any] = (), expected_rev: Optional[int] = None) -> Contact:
        """Record a JEM, its review, or a strategy discussion: who came, what was decided, and
        the actions, each with an owner and a due date.

        JEMs and their reviews belong to referrals; a review needs a JEM before it.
        """
        return self._casework.record_meeting(reference, kind=kind, held_on=held_on, agencies_present=agencies_present, decisions=decisions, actions=actions, expected_rev=expected_rev)

    def complete_meeting_action(self, reference: str, meeting: int, action: int, *, done_on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Mark a meeting's action done (numbers count from 1, in the order recorded)."""
        return self._casework.complete_meeting_action(reference, meeting, action, done_on=done_on, expected_rev=expected_rev)

    def add_note(self, reference: str, text: str, *, expected_rev: Optional[int] = None) -> Contact:
        return self._casework.add_note(reference, text, expected_rev=expected_rev)

    def record_regulator_referral(self, reference: str, *, body: str, on: Any = None, reference_number: str = '', expected_rev: Optional[int] = None) -> Contact:
        """A referral to the DBS (a legal duty on removal from regulated activity) or a regulator
        (Teaching Regulation Agency, Ofsted, HCPC, NMC, Social Work England...).

        Allowed after closing too: the DBS referral often follows the outcome.
        """
        return self._casework.record_regulator_referral(reference, body=body, on=on, reference_number=reference_number, expected_rev=expected_rev)

    def record_suspension(self, reference: str, *, decision: Any, on: Any = None, rationale: str, expected_rev: Optional[int] = None) -> Contact:
        """Suspension, an alternative to it, or a decision not to suspend: always with the reasoning."""
        return self._casework.record_suspension(reference, decision=decision, on=on, rationale=rationale, expected_rev=expected_rev)

    def record_police(self, reference: str, *, involved: bool = True, police_reference: str = '', s47_strategy_on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Police involvement (with the crime reference) and the s47 strategy discussion's date."""
        return self._casework.record_police(reference, involved=involved, police_reference=police_reference, s47_strategy_on=s47_strategy_on, expected_rev=expected_rev)

    def close_contact(self, reference: str, *, outcome: Any = None, closed_on: Any = None, employer_outcome: str = '', report_received_on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Close a contact with the outcome its category needs.

        A referral needs one of the five allegation outcomes; an enquiry closes
        with advice given; a consultation closes with the employer's outcome,
        once the employer's report is received.
        """
        return self._casework.close_contact(reference, outcome=outcome, closed_on=closed_on, employer_outcome=employer_outcome, report_received_on=report_received_on, expected_rev=expected_rev)

    def reopen(self, reference: str, reason: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Reopen a closed contact with a reason; the previous outcome and date stay in ``reopenings``."""
        return self._casework.reopen(reference, reason, on=on, expected_rev=expected_rev)

    # --- deadlines, patterns and figures ---------------------------------------------------------------
    def deadline_rules(self) -> DeadlineRules:
        """The deadline rules in force: DOMAIN.md's defaults, changed by this store's settings."""
        return deadlines.rules_of(self._ctx)

    def set_deadline_rules(self, **changes: Any) -> DeadlineRules:
        """Change deadline rules, e.g. ``set_deadline_rules(employer_report="15 working days")``.

        Validated before anything is written; audited like any settings change.
        """
        rules = self.deadline_rules().with_changes(**changes)
        self.update_settings(**{deadlines.SETTINGS_KEY: rules.to_settings()})
        return rules

    def retention_review_on(self, reference: str) -> date:
        """When the contact comes up for retention review (see ``deadlines.retention_review_on``)."""
        return deadlines.retention_review_on(self.get_contact(reference), self.deadline_rules())

    def contact_due(self, contact: Contact, within_days: int = DUE_SOON_DAYS) -> list[DueItem]:
        """One contact's deadlines that are overdue or fall due within ``within_days`` of today."""
        return list(deadlines.contact_items(contact, self.today(), within_days, self.deadline_rules()))

    def pattern_warnings(self, contact: Contact) -> list[str]:
        """Earlier contacts about the same person, and a setting over its threshold.  Never blocks."""
        return patterns.pattern_warnings(self._ctx, contact)

    def pattern_warnings_for(self, references: Iterable[str]) -> dict[str, list[str]]:
        """Pattern warnings for many contacts at once (after an import): {reference: warnings}.

        One index over the store instead of one pass per contact; an import does not work
        these out itself, so that loading 100,000 rows does not pay for them.
        """
        return patterns.PatternIndex(self._ctx).warnings_for(references)

    def lado_statistics(self, year: str = "2017-18", compare_with: Optional[str] = None, *,
                        stated_totals: Optional[dict[str, int]] = None) -> LadoStatistics:
        """The annual LADO figures; ``.to_dict()`` gives the report's keys.  See ``lado.statistics``."""
        return statistics.lado_statistics(self._ctx, year, compare_with, stated_totals=stated_totals)

    def set_stated_total(self, year: str, total: Optional[int]) -> None:
        """Record a headline total published elsewhere (the annual report's 494), to reconcile against."""
        stated = dict(self.settings.get("stated_totals") or {})
        key = normalise_financial_year(year)
        if total is None:
            stated.pop(key, None)
        else:
            stated[key] = int(total)
        self.update_settings(stated_totals=stated)

    def report_lado_annual(self, year: str, compare_with: Optional[str] = None, fmt: str = "md", *,
                           templates: Optional[str | Path] = None,
                           stated_totals: Optional[dict[str, int]] = None) -> str:
        """The LADO annual report (md, html, csv or json): no names, so no access-log entry."""
        return annual_report.render_lado_annual(self._ctx, year, compare_with, fmt, templates=templates,
                                                stated_totals=stated_totals)

    # --- import and export -------------------------------------------------------------------------
    def import_contacts(self, path: str | Path, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
        """Import a contacts CSV (or a JSON export): all or nothing, one transaction, upsert by reference.

        A row exported before someone else changed its contact is refused; a row without a
        revision changes a stored contact only with ``overwrite=True``.  Raises ImportFailed
        listing every bad row; returns an ImportResult.
        """
        return contacts_csv.import_contacts(self._contacts, path, dry_run=dry_run, overwrite=overwrite)

    def export_contacts(self, fmt: str = "csv", *, year: Optional[str] = None) -> str:
        """Contacts as CSV (defended against formula injection) or JSON (lossless).

        The text holds personal data: write it with ``write_output`` (which logs the export)
        or log it yourself with ``log_access``.
        """
        return contacts_export.export_contacts(self._contacts, fmt, year=year)

    def count_contacts(self, year: Optional[str] = None) -> int:
        """How many contacts ``export_contacts(year=...)`` holds (for the access log)."""
        return contacts_export.count_contacts(self._contacts, year)

    # --- privacy -------------------------------------------------------------------------------------
    def retention(self, as_of: Any = None) -> RetentionReport:
        """Closed contacts past their retention review date, and false or malicious outcomes whose
        subject is still identified (flagged for removal of the identity)."""
        return privacy.retention(self._ctx, as_of)

    def redact_contact(self, reference: str, *, expected_rev: Optional[int] = None) -> RedactionResult:
        """Remove a closed contact's personal data from the record, its audit trail and the backups,
        keeping what the statistics need.  Audited: who redacted it, and when."""
        return privacy.redact_contact(self._ctx, reference, expected_rev=expected_rev)

    def access_log(self) -> list[AccessEntry]:
        """Every export or report holding personal data: who, when, what, to which file."""
        return privacy.access_log(self.store)
