"""The face's LADO part: contacts, their casework, deadlines, patterns, statistics, privacy, CSV and reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence, Union, overload

import attrs

from ..chase import DUE_SOON_DAYS
from ..dates import normalise_financial_year, parse_date
from ..lado import annual_report, contacts_csv, contacts_export, deadlines, patterns, privacy, statistics
from ..lado.deadlines import DeadlineRules
from ..lado.privacy import AccessEntry, RedactionResult, RetentionReport
from ..lado.statistics import LadoStatistics
from ..lado.annual_measures import AnnualMeasures, annual_measures, report_settings_change
from ..model import Category, Contact, Harm, MeetingAction, MeetingKind, Outcome, SuspensionDecision
from ..model.due import DueItem
from ..io.importing import ImportResult
from ..io.mapping import ImportMapping
from ..io.import_plan import ImportPlan
from ..lado.contacts_mapping import plan_contacts_import
from ..progress import NO_PROGRESS, Progress
from ..store.protocol import Doc
from .face import Face

# An action agreed at a meeting, as ``record_meeting`` takes it: a MeetingAction, "description|owner|due",
# (description, owner, due) or {"description": ..., "owner": ..., "due_on": ...}; the due date is a date or text.
MeetingActionInput = Union[MeetingAction, str, Sequence[Union[str, date, None]], Mapping[str, Union[str, date, None]]]


class LadoFace(Face):
    """Everything the LADO, or a script, does with contacts."""

    def get_contact(self, reference: str) -> Contact:
        """One contact by its reference, as typed ('l-2018-0202' works too).

        >>> c = t.get_contact("L-2018-0202")
        >>> c.category.value, c.agency, c.status
        ('referral', 'Medway NHS Foundation Trust', 'open')
        """
        return self._contacts.get(reference)

    def contact_by_legacy_reference(self, legacy: str) -> Optional[Contact]:
        """The contact imported with a council's own reference (any case and spacing), or None.

        >>> _ = t.update_contact("L-2018-0202", legacy_reference="B18-0042")
        >>> t.contact_by_legacy_reference("b18-0042 ").reference
        'L-2018-0202'
        """
        key = " ".join(str(legacy).split()).casefold()
        for ref, d in self._contacts.docs().items():
            if d.get("legacy_reference") and " ".join(d["legacy_reference"].split()).casefold() == key:
                return self.get_contact(ref)
        return None

    def contact_docs(self) -> Mapping[str, Doc]:
        """The raw stored documents, for fast filtering (read-only: never mutate them).

        >>> docs = t.contact_docs()
        >>> len(docs)
        1015
        >>> sum(1 for d in docs.values() if d["received_on"] >= "2018-04-01" and d.get("category") == "referral")
        17
        """
        return self._contacts.docs()

    def contacts(self, *, year: Optional[str] = None, category: Category | str | None = None,
                 agency: Optional[str] = None, status: Optional[str] = None, harm: Harm | str | None = None,
                 text: Optional[str] = None) -> list[Contact]:
        """Contacts, oldest first, narrowed by any of the keyword filters.

        ``year`` is a financial year ('2017-18'); ``category`` may also be 'none' (not yet
        categorised); ``status`` is 'open' or 'closed'; ``text`` matches words anywhere.

        >>> len(t.contacts(year="2017-18"))
        495
        >>> [c.reference for c in t.contacts(year="2018-19", category="referral", status="open")]
        ['L-2018-0137', 'L-2018-0139', 'L-2018-0188', 'L-2018-0192', 'L-2018-0200', 'L-2018-0202']
        """
        return self._contacts.find(year=year, category=category, agency=agency, status=status, harm=harm, text=text)

    def add_contact(self, *, received_on: date | str, agency: str, category: Category | str | None = None,
                    rationale: str = '', reference: Optional[str] = None, **fields: Any) -> Contact:
        """Log a new contact.  Its pattern warnings: ``pattern_warnings(contact)``.

        ``fields`` are the contact's other details (summary, subject_name, subject_role, employer,
        referrer_name, harm, children_count...); a wrong name is refused with the accepted list.

        >>> c = t.add_contact(received_on="2018-06-01", agency="School - Primary", category="consultation",
        ...                   rationale="advice only", summary="Raised voice at a pupil")
        >>> c.reference, c.category.value, c.received_on
        ('L-2018-0203', 'consultation', datetime.date(2018, 6, 1))
        """
        return self._contacts.add(received_on=received_on, agency=agency, category=category, rationale=rationale, reference=reference, **fields)

    def add_contacts(self, contacts: Iterable[Contact], *, upsert: bool = False) -> int:
        """Store many contacts as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Returns how many records changed.

        >>> from datetime import date
        >>> from safeguard_tracker import Contact
        >>> t.add_contacts([Contact(reference=f"L-2018-090{n}", received_on=date(2018, 6, 14), agency="Police")
        ...                 for n in (1, 2)])
        2
        >>> t.get_contact("L-2018-0902").agency
        'Police'
        """
        return self._contacts.add_many(contacts, upsert=upsert)

    def update_contact(self, reference: str, *, expected_rev: Optional[int] = None, **fields: Any) -> Contact:
        """Edit a contact's details.  With ``expected_rev``, refuses if someone else changed it first.

        >>> c = t.get_contact("L-2018-0202")
        >>> t.update_contact(c.reference, case_manager="HR business partner", expected_rev=c.rev).case_manager
        'HR business partner'
        >>> t.update_contact(c.reference, case_manager="Head of service", expected_rev=c.rev)
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.ConflictError: L-2018-0202 was changed by a.lado since you opened it ...
        """
        return self._contacts.update(reference, expected_rev=expected_rev, **fields)

    def save_contact(self, contact: Contact) -> Contact:
        """Store a contact changed with ``attrs.evolve``; refuses if the stored copy moved on.

        >>> import attrs
        >>> c = t.get_contact("L-2018-0202")
        >>> t.save_contact(attrs.evolve(c, case_manager="Named senior officer")).case_manager
        'Named senior officer'
        """
        return self._contacts.save(contact)

    def categorise(self, reference: str, category: Category | str, rationale: str, *, on: date | str | None = None,
                   expected_rev: Optional[int] = None) -> Contact:
        """Decide the category, with a rationale.

        The first decision is a categorisation; moving up is an escalation and
        moving down a step-down.  Every decision stays in ``category_history``.

        >>> c = t.add_contact(received_on="2018-06-14", agency="School - Secondary", summary="Remarks to a pupil")
        >>> print(c.category)
        None
        >>> c = t.categorise(c.reference, "consultation", "practice issue for the employer")
        >>> c.category.value, c.category_history[-1].kind.value
        ('consultation', 'categorised')
        """
        return self._casework.categorise(reference, category, rationale, on=on, expected_rev=expected_rev)

    def escalate(self, reference: str, to: Category | str = 'referral', reason: str = '', *,
                 on: date | str | None = None, expected_rev: Optional[int] = None) -> Contact:
        """Escalate up only: an enquiry to a consultation or a referral, a consultation to a referral.

        The escalation date (``on``, default today) is the referral date for the JEM deadline.

        >>> c = t.escalate("L-2018-0199", to="referral", reason="a second pupil has come forward")
        >>> c.category.value, c.referral_on
        ('referral', datetime.date(2018, 6, 15))
        """
        return self._casework.escalate(reference, to, reason, on=on, expected_rev=expected_rev)

    def step_down(self, reference: str, to: Category | str, rationale: str, *, on: date | str | None = None,
                  expected_rev: Optional[int] = None) -> Contact:
        """Step a contact down to a lower category: allowed only with a rationale, and kept in the history.

        >>> c = t.step_down("L-2018-0200", to="consultation", rationale="no allegation of harm: a conduct matter")
        >>> c.category.value, c.category_history[-1].kind.value
        ('consultation', 'stepped_down')
        """
        return self._casework.step_down(reference, to, rationale, on=on, expected_rev=expected_rev)

    def record_response(self, reference: str, *, on: date | str | None = None,
                        expected_rev: Optional[int] = None) -> Contact:
        """The LADO's first response to the referrer (due within 1 working day by default).

        >>> t.record_response("L-2018-0202", on="15/06/2018").responded_on
        datetime.date(2018, 6, 15)
        """
        return self._casework.record_response(reference, on=on, expected_rev=expected_rev)

    def request_employer_report(self, reference: str, *, on: date | str | None = None,
                                expected_rev: Optional[int] = None) -> Contact:
        """Ask the employer for the outcome and report of its internal investigation.

        From this date the report is chased when overdue (``deadlines``: 20 working days by default).

        >>> c = t.request_employer_report("L-2018-0192", on="2018-06-08")
        >>> [(i.what, i.due_on) for i in t.contact_due(c, within_days=30) if "employer's report" in i.what]
        [("chase the employer's report (20 working days from request)", datetime.date(2018, 7, 6))]
        """
        return self._casework.request_employer_report(reference, on=on, expected_rev=expected_rev)

    def record_employer_report(self, reference: str, *, received_on: date | str | None = None, outcome: str = '',
                               expected_rev: Optional[int] = None) -> Contact:
        """The employer's report has arrived, with its outcome in the employer's words.

        >>> c = t.record_employer_report("L-2018-0196", received_on="2018-06-15", outcome="Management advice")
        >>> c.employer_report_received_on, c.employer_outcome
        (datetime.date(2018, 6, 15), 'Management advice')
        """
        return self._casework.record_employer_report(reference, received_on=received_on, outcome=outcome, expected_rev=expected_rev)

    def record_meeting(self, reference: str, *, kind: MeetingKind | str = 'jem', held_on: date | str | None = None,
                       agencies_present: Iterable[str] = (), decisions: str = '',
                       actions: Iterable[MeetingActionInput] = (), expected_rev: Optional[int] = None) -> Contact:
        """Record a JEM, its review, or a strategy discussion: who came, what was decided, and
        the actions, each with an owner and a due date.

        JEMs and their reviews belong to referrals; a review needs a JEM before it.

        >>> c = t.record_meeting("L-2018-0202", kind="jem", held_on="2018-06-15",
        ...                      agencies_present=["Police", "Employer", "LADO"], decisions="Employer to investigate",
        ...                      actions=["Share the CCTV|Employer|22/06/2018"])
        >>> c.jem_held_on, c.meetings[-1].actions[0].owner, c.meetings[-1].actions[0].due_on
        (datetime.date(2018, 6, 15), 'Employer', datetime.date(2018, 6, 22))
        """
        return self._casework.record_meeting(reference, kind=kind, held_on=held_on, agencies_present=agencies_present, decisions=decisions, actions=actions, expected_rev=expected_rev)

    def complete_meeting_action(self, reference: str, meeting: int, action: int, *, done_on: date | str | None = None,
                                expected_rev: Optional[int] = None) -> Contact:
        """Mark a meeting's action done (numbers count from 1, in the order recorded).

        >>> c = t.complete_meeting_action("L-2018-0192", 1, 1, done_on="2018-06-14")
        >>> c.meetings[0].actions[0].done_on
        datetime.date(2018, 6, 14)
        """
        return self._casework.complete_meeting_action(reference, meeting, action, done_on=done_on, expected_rev=expected_rev)

    def add_note(self, reference: str, text: str, *, expected_rev: Optional[int] = None) -> Contact:
        """Add a dated note, attributed to the user, to a contact's record.

        >>> note = t.add_note("L-2018-0202", "Spoke to the designated officer").notes[-1]
        >>> note.user, note.text
        ('a.lado', 'Spoke to the designated officer')
        """
        return self._casework.add_note(reference, text, expected_rev=expected_rev)

    def record_regulator_referral(self, reference: str, *, body: str, on: date | str | None = None,
                                  reference_number: str = '', expected_rev: Optional[int] = None) -> Contact:
        """A referral to the DBS (a legal duty on removal from regulated activity) or a regulator
        (Teaching Regulation Agency, Ofsted, HCPC, NMC, Social Work England...).

        Allowed after closing too: the DBS referral often follows the outcome.

        >>> c = t.record_regulator_referral("L-2018-0117", body="DBS", on="2018-06-15")
        >>> c.status, [(r.body, r.on) for r in c.regulator_referrals]
        ('closed', [('DBS', datetime.date(2018, 6, 15))])
        """
        return self._casework.record_regulator_referral(reference, body=body, on=on, reference_number=reference_number, expected_rev=expected_rev)

    def record_suspension(self, reference: str, *, decision: SuspensionDecision | str, on: date | str | None = None,
                          rationale: str, expected_rev: Optional[int] = None) -> Contact:
        """Suspension, an alternative to it, or a decision not to suspend: always with the reasoning.

        >>> c = t.record_suspension("L-2018-0202", decision="alternative", on="2018-06-15",
        ...                         rationale="moved to a non-clinical role while the police enquire")
        >>> c.suspension[-1].decision.value
        'alternative'
        """
        return self._casework.record_suspension(reference, decision=decision, on=on, rationale=rationale, expected_rev=expected_rev)

    def record_police(self, reference: str, *, involved: bool = True, police_reference: str = '',
                      s47_strategy_on: date | str | None = None, expected_rev: Optional[int] = None) -> Contact:
        """Police involvement (with the crime reference) and the s47 strategy discussion's date.

        >>> c = t.record_police("L-2018-0202", police_reference="CR/1234/18", s47_strategy_on="2018-06-15")
        >>> c.police_involved, c.police_reference, c.s47_strategy_on
        (True, 'CR/1234/18', datetime.date(2018, 6, 15))
        """
        return self._casework.record_police(reference, involved=involved, police_reference=police_reference, s47_strategy_on=s47_strategy_on, expected_rev=expected_rev)

    def close_contact(self, reference: str, *, outcome: Outcome | str | None = None,
                      closed_on: date | str | None = None, employer_outcome: str = '',
                      report_received_on: date | str | None = None, expected_rev: Optional[int] = None) -> Contact:
        """Close a contact with the outcome its category needs.

        A referral needs one of the five allegation outcomes; an enquiry closes
        with advice given; a consultation closes with the employer's outcome,
        once the employer's report is received.

        >>> c = t.close_contact("L-2018-0188", outcome="unsubstantiated", closed_on="2018-06-15")
        >>> c.status, c.outcome.value, c.closed_on
        ('closed', 'unsubstantiated', datetime.date(2018, 6, 15))
        >>> t.close_contact("L-2018-0192")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.ValidationError: outcome ...
        """
        return self._casework.close_contact(reference, outcome=outcome, closed_on=closed_on, employer_outcome=employer_outcome, report_received_on=report_received_on, expected_rev=expected_rev)

    def reopen(self, reference: str, reason: str, *, on: date | str | None = None,
               expected_rev: Optional[int] = None) -> Contact:
        """Reopen a closed contact with a reason; the previous outcome and date stay in ``reopenings``.

        >>> c = t.reopen("L-2018-0117", "the employer found new evidence", on="2018-06-15")
        >>> c.status, c.reopenings[-1].previous_outcome.value, c.reopenings[-1].previous_closed_on
        ('open', 'substantiated', datetime.date(2018, 4, 12))
        """
        return self._casework.reopen(reference, reason, on=on, expected_rev=expected_rev)

    # --- deadlines, patterns and figures ---------------------------------------------------------------
    def deadline_rules(self) -> DeadlineRules:
        """The deadline rules in force: DOMAIN.md's defaults, changed by this store's settings.

        >>> rules = t.deadline_rules()
        >>> rules.response, rules.jem, rules.employer_report
        ('1 working day', '5 working days', '20 working days')
        """
        return deadlines.rules_of(self._ctx)

    def set_deadline_rules(self, **changes: Any) -> DeadlineRules:
        """Change deadline rules, e.g. ``set_deadline_rules(employer_report="15 working days")``.

        Validated before anything is written; audited like any settings change.

        >>> t.set_deadline_rules(employer_report="15 working days").employer_report
        '15 working days'
        >>> t.deadline_rules().employer_report
        '15 working days'
        """
        rules = self.deadline_rules().with_changes(**changes)
        self.update_settings(**{deadlines.SETTINGS_KEY: rules.to_settings()})
        return rules

    def retention_review_on(self, reference: str) -> date:
        """When the contact comes up for retention review (see ``deadlines.retention_review_on``).

        >>> t.retention_review_on("L-2016-0001")
        datetime.date(2026, 4, 5)
        """
        self._refuse_withheld("contacts", "a retention date, which counts from the subject's date of birth")
        return deadlines.retention_review_on(self.get_contact(reference), self.deadline_rules())

    def contact_due(self, contact: Contact, within_days: int = DUE_SOON_DAYS) -> list[DueItem]:
        """One contact's deadlines that are overdue or fall due within ``within_days`` of today.

        >>> [(i.what, i.due_on) for i in t.contact_due(t.get_contact("L-2018-0202"))]
        [('respond to the referrer (1 working day)', datetime.date(2018, 6, 18)),
         ('JEM (5 working days from referral)', datetime.date(2018, 6, 22))]
        """
        return list(deadlines.contact_items(contact, self.today(), within_days, self.deadline_rules()))

    def pattern_warnings(self, contact: Contact) -> list[str]:
        """Earlier contacts about the same person, and a setting over its threshold.  Never blocks.

        >>> c = t.add_contact(received_on="2018-06-15", agency="School - Primary", category="enquiry",
        ...                   subject_name="Sam Underhill", employer="Riverside Academy")
        >>> for warning in t.pattern_warnings(c):
        ...     print(warning)
        same person: 1 other contact(s) match this subject's name and employer: L-2018-0196 (11/06/2018, consultation)
        same setting: Riverside Academy has had 4 contacts in the 12 months to 15/06/2018 (warning at 3): ...
        """
        return patterns.pattern_warnings(self._ctx, contact)

    def pattern_warnings_for(self, references: Iterable[str]) -> dict[str, list[str]]:
        """Pattern warnings for many contacts at once (after an import): {reference: warnings}.

        From the index kept beside the store (built once, then moved on by each change), not
        a pass per contact; an import does not work these out itself, so that loading 100,000
        rows does not pay for them.

        >>> warnings = t.pattern_warnings_for(["L-2018-0199", "L-2018-0200", "L-2018-0202"])
        >>> sorted(warnings)
        ['L-2018-0200']
        >>> warnings["L-2018-0200"]
        ['same setting: the Secure Training Centre has had 61 contacts in the 12 months to 14/06/2018 ...']
        """
        with self._ctx.kept_lock:
            return patterns.pattern_index(self._ctx).warnings_for(references)

    def pattern_flagged(self, references: Iterable[str]) -> list[str]:
        """Those of ``references`` that have pattern warnings, in the order given, without the warnings'
        words: after an import of many rows, name the first few (``pattern_warnings_for``) and count the rest.

        >>> t.pattern_flagged(["L-2018-0199", "L-2018-0200", "L-2018-0202"])
        ['L-2018-0200']
        """
        with self._ctx.kept_lock:
            return patterns.pattern_index(self._ctx).flagged(references)

    def lado_statistics(self, year: str = "2017-18", compare_with: Optional[str] = None, *,
                        stated_totals: Optional[dict[str, int]] = None) -> LadoStatistics:
        """The annual LADO figures; ``.to_dict()`` gives the report's keys.  See ``lado.statistics``.

        >>> figures = t.lado_statistics("2017-18", compare_with="2016-17")
        >>> figures.total_contacts, figures.compare_total, figures.change_percent
        (495, 430, 15.1)
        >>> figures.to_dict()["by_category"]
        {...'referral': ...}
        """
        return statistics.lado_statistics(self._ctx, year, compare_with, stated_totals=stated_totals)

    def set_stated_total(self, year: str, total: Optional[int]) -> None:
        """Record a headline total published elsewhere (the annual report's 494), to reconcile against.

        ``None`` removes it.

        >>> t.set_stated_total("2017/18", 494)
        >>> t.settings["stated_totals"]
        {'2017-18': 494}
        """
        stated = dict(self.settings.get("stated_totals") or {})
        key = normalise_financial_year(year)
        if total is None:
            stated.pop(key, None)
        else:
            stated[key] = int(total)
        self.update_settings(stated_totals=stated)

    @overload
    def report_lado_annual(self, year: str, compare_with: Optional[str], fmt: Literal["docx"], *,  # type: ignore[overload-overlap]
                           templates: Optional[str | Path] = None, stated_totals: Optional[dict[str, int]] = None,
                           child_population: Optional[int] = None, repeat_years: Optional[int] = None,
                           progress: Progress = NO_PROGRESS) -> bytes: ...

    @overload
    def report_lado_annual(self, year: str, compare_with: Optional[str] = None, fmt: str = "md", *,
                           templates: Optional[str | Path] = None, stated_totals: Optional[dict[str, int]] = None,
                           child_population: Optional[int] = None, repeat_years: Optional[int] = None,
                           progress: Progress = NO_PROGRESS) -> str: ...

    def report_lado_annual(self, year: str, compare_with: Optional[str] = None, fmt: str = "md", *,
                           templates: Optional[str | Path] = None,
                           stated_totals: Optional[dict[str, int]] = None, child_population: Optional[int] = None,
                           repeat_years: Optional[int] = None, progress: Progress = NO_PROGRESS) -> str | bytes:
        """The LADO annual report (md, html, csv or json as text; docx, a Word document, as bytes): no names,
        so no access-log entry.  ``progress`` (see ``safeguard_tracker.progress``) counts the contacts read.
        On ``t.as_of(day)`` it is the report as the store stood at the end of that day.

        >>> text = t.report_lado_annual("2017-18", compare_with="2016-17")
        >>> text.splitlines()[0]
        '## Allegations against people who work with children: the LADO, 2017-18'
        >>> "495" in text, t.access_log()
        (True, [])
        >>> t.report_lado_annual("2017-18", None, "docx")[:2]
        b'PK'
        """
        self._refuse_unseen("contacts")
        return annual_report.render_lado_annual(self._ctx, year, compare_with, fmt, templates=templates,
                                                stated_totals=stated_totals, child_population=child_population,
                                                repeat_years=repeat_years, progress=progress)

    def set_report_settings(self, *, child_population: int | str | None = None, year: Optional[str] = None,
                            repeat_years: int | str | None = None) -> dict[str, Any]:
        """Set what the annual report's measures read: the child population (for contacts per 10,000 children;
        for every year, or for one ``year``) and the years within which a subject counts as a repeat.
        Checked before anything is written; audited like any settings change.  Returns the settings changed.

        >>> t.set_report_settings(child_population=61_500)
        {'child_population': 61500}
        >>> t.set_report_settings(child_population=62_000, year="2018-19")["child_population"]
        {'2018-19': 62000}
        >>> t.set_report_settings(repeat_years=0)
        Traceback (most recent call last):
        safeguard_tracker.errors.ValidationError: repeat_years 0 is not valid: a whole number of years, 1 or more
        """
        changes = report_settings_change(self.settings, child_population=child_population, year=year,
                                         repeat_years=repeat_years)
        if changes:
            self.update_settings(**changes)
        return changes

    def annual_measures(self, year: str = "2017-18", compare_with: Optional[str] = None, *,
                        child_population: Optional[int] = None, repeat_years: Optional[int] = None) -> AnnualMeasures:
        """Every further measure of the annual report, the comparison year beside each: sectors with subtotals,
        source of referral, threshold limbs, outcomes by harm and sector, police and s47, suspensions, DBS and
        regulators, disciplinary outcomes, repeats, referrals' time to resolution against the guidance's
        expectations, cases open at the year end, the rate per 10,000 children and a five-year trend.
        ``to_dict()`` gives the stable JSON keys (docs/lado.md).  The rate needs the child population:
        ``child_population=`` or the setting of that name (a number, or one per year).

        >>> m = t.annual_measures("2017-18", child_population=61_500)
        >>> m.totals[1].label, m.totals[1].count, [r.rate for r in m.rates]
        ('Referrals', 90, [80.5, 14.6])
        >>> [(x.period, x.target_percent) for x in m.targets]
        [('1 month', 80), ('3 months', 90), ('12 months', 100)]
        """
        return annual_measures(self._ctx, year, compare_with, child_population=child_population,
                               repeat_years=repeat_years)

    # --- import and export -------------------------------------------------------------------------
    def import_contacts(self, path: str | Path, *, dry_run: bool = False, overwrite: bool = False,
                        mapping: str | ImportMapping | None = None, sheet: Optional[str] = None,
                        progress: Progress = NO_PROGRESS) -> ImportResult:
        """Import a contacts CSV, Excel workbook or "Unicode text" file (or a JSON export): all or nothing, one
        transaction, upsert by reference.  ``mapping`` (a saved mapping's name, or an ImportMapping) reads a
        council's own headings and words; a reference not in the tracker's form is kept as the record's
        legacy reference, and matches it on the next import.

        A row exported before someone else changed its contact is refused; a row without a
        revision changes a stored contact only with ``overwrite=True``.  Raises ImportFailed
        listing every bad row; returns an ImportResult.  ``progress`` (see ``safeguard_tracker.progress``)
        is taken for the rows read.

        >>> from pathlib import Path
        >>> _ = Path("june.csv").write_text("received_on,agency,category,summary\\n"
        ...                                 "14/06/2018,Police,enquiry,Off-duty officer seen shouting at a child\\n")
        >>> result = t.import_contacts("june.csv")
        >>> result.rows, result.added
        (1, ('L-2018-0203',))
        """
        return contacts_csv.import_contacts(self._contacts, path, dry_run=dry_run, overwrite=overwrite,
                                            mapping=self._mapping(mapping, "contacts"), sheet=sheet, progress=progress)

    def plan_contacts_import(self, path: str | Path, *, mapping: str | ImportMapping | None = None,
                             sheet: Optional[str] = None, historic_before: date | str | None = None) -> ImportPlan:
        """A dry run in the council's own words: each column and the field it fills, each word the lists do
        not know with the entries it may mean, what would be added, and a proposed mapping
        (``plan.mapping``) to save with ``save_import_mapping``.  Nothing is written.

        >>> from pathlib import Path
        >>> _ = Path("log.csv").write_text("LADO Ref,Date of referral,Employment sector,Contact type,Team notes\\n"
        ...                                "B18-0007,14/06/2018,Medway CCG,Consultation,rang twice\\n")
        >>> plan = t.plan_contacts_import("log.csv")
        >>> [(c.heading, c.target) for c in plan.columns][:3]
        [('LADO Ref', 'reference'), ('Date of referral', 'received'), ('Employment sector', 'agency')]
        >>> plan.columns[-1].target, plan.result.added
        ('extra', ('L-2018-0203',))
        """
        base = self._mapping(mapping, "contacts")
        if historic_before is not None:
            base = attrs.evolve(base or ImportMapping(), historic_before=parse_date(historic_before, "historic_before"))
        return plan_contacts_import(self._contacts, path, mapping=base, sheet=sheet)

    def export_contacts(self, fmt: str = "csv", *, year: Optional[str] = None,
                        progress: Progress = NO_PROGRESS) -> str:
        """Contacts as CSV (defended against formula injection) or JSON (lossless).

        The text holds personal data: write it with ``write_output`` (which logs the export)
        or log it yourself with ``log_access``.  ``progress`` (see ``safeguard_tracker.progress``)
        counts the contacts written.

        >>> import csv, io
        >>> rows = list(csv.DictReader(io.StringIO(t.export_contacts("csv", year="2017-18"))))
        >>> len(rows), rows[0]["reference"], rows[0]["received"]
        (495, 'L-2017-0108', '2017-04-04')
        """
        return contacts_export.export_contacts(self._contacts, fmt, year=year, progress=progress)

    def export_contacts_xlsx(self, *, year: Optional[str] = None, progress: Progress = NO_PROGRESS) -> bytes:
        """Contacts as an Excel workbook: the CSV's columns, dates as real dates, every text cell defended
        against formula injection.  Personal data: write it with ``write_output``.

        >>> data = t.export_contacts_xlsx(year="2017-18")
        >>> data[:2]
        b'PK'
        """
        return contacts_export.export_contacts_xlsx(self._contacts, year=year, progress=progress)

    def count_contacts(self, year: Optional[str] = None) -> int:
        """How many contacts ``export_contacts(year=...)`` holds (for the access log).

        >>> t.count_contacts("2017-18"), t.count_contacts()
        (495, 1015)
        """
        return contacts_export.count_contacts(self._contacts, year)

    # --- privacy -------------------------------------------------------------------------------------
    def retention(self, as_of: date | str | None = None) -> RetentionReport:
        """Closed contacts past their retention review date, and false or malicious outcomes whose
        subject is still identified (flagged for removal of the identity).

        >>> report = t.retention()
        >>> len(report.past_review), [(i.reference, i.outcome) for i in report.remove_identity][:2]
        (0, [('L-2016-0009', 'malicious'), ...])
        """
        self._refuse_withheld("contacts", "the retention review, which counts from the subjects' dates of birth")
        return privacy.retention(self._ctx, as_of)

    def redact_contact(self, reference: str, *, expected_rev: Optional[int] = None) -> RedactionResult:
        """Remove a closed contact's personal data from the record, its audit trail and the backups,
        keeping what the statistics need.  Audited: who redacted it, and when.

        >>> result = t.redact_contact("L-2016-0009")
        >>> c = t.get_contact("L-2016-0009")
        >>> c.subject.name, c.outcome.value, c.redacted_on
        ('[redacted]', 'malicious', datetime.date(2018, 6, 15))
        """
        return privacy.redact_contact(self._ctx, reference, expected_rev=expected_rev)

    def access_log(self) -> list[AccessEntry]:
        """Every export or report holding personal data: who, when, what, to which file.

        >>> t.access_log()
        []
        >>> t.log_access("contacts shown to the panel", records=3)
        >>> [(e.user, e.what, e.records) for e in t.access_log()]
        [('a.lado', 'contacts shown to the panel', 3)]
        """
        return privacy.access_log(self.store)
