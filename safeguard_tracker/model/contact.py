"""A LADO contact: one concern about an adult who works with children.

Pure data: frozen attrs classes with no I/O.  Change one with ``attrs.evolve``
and hand it to the tracker, which validates, audits and stores it.  Children
are recorded by number and age only, never by name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import attrs

from .enums import Category, CategoryChange, Harm, MeetingKind, Outcome, SuspensionDecision, Threshold


@attrs.frozen(kw_only=True)
class Referrer:
    name: str = ""
    role: str = ""
    organisation: str = ""


@attrs.frozen(kw_only=True)
class Subject:
    """The adult the concern is about.  The name may be blank for an enquiry or consultation."""
    name: str = ""
    role: str = ""
    employer: str = ""
    date_of_birth: Optional[date] = None


@attrs.frozen(kw_only=True)
class CategoryDecision:
    """One categorisation, escalation or step-down, kept for ever in the contact's history."""
    on: date
    user: str
    kind: CategoryChange
    to: Category
    rationale: str
    from_: Optional[Category] = None


@attrs.frozen(kw_only=True)
class MeetingAction:
    description: str
    owner: str = ""
    due_on: Optional[date] = None
    done_on: Optional[date] = None


@attrs.frozen(kw_only=True)
class Meeting:
    """A Joint Evaluation Meeting, its review, or an s47 strategy discussion."""
    kind: MeetingKind
    held_on: date
    agencies_present: tuple[str, ...] = ()
    decisions: str = ""
    actions: tuple[MeetingAction, ...] = ()
    recorded_by: str = ""


@attrs.frozen(kw_only=True)
class Suspension:
    decision: SuspensionDecision
    on: date
    rationale: str


@attrs.frozen(kw_only=True)
class RegulatorReferral:
    """A referral to the DBS (a legal duty on removal from regulated activity) or a regulator."""
    body: str           # DBS, Teaching Regulation Agency, Ofsted, HCPC, NMC, Social Work England ...
    on: date
    reference: str = ""


@attrs.frozen(kw_only=True)
class Note:
    at: datetime
    user: str
    text: str


@attrs.frozen(kw_only=True)
class Reopening:
    on: date
    user: str
    reason: str
    previous_outcome: Optional[Outcome] = None
    previous_closed_on: Optional[date] = None


@attrs.frozen(kw_only=True)
class Contact:
    reference: str
    received_on: date
    agency: str
    category: Optional[Category] = None
    summary: str = ""
    referrer: Referrer = Referrer()
    subject: Subject = Subject()
    case_manager: str = ""                      # the employer's case manager
    children_count: Optional[int] = None
    children_ages: tuple[int, ...] = ()
    harm: Optional[Harm] = None
    threshold: tuple[Threshold, ...] = ()
    category_history: tuple[CategoryDecision, ...] = ()
    responded_on: Optional[date] = None         # the LADO's first response to the referrer
    meetings: tuple[Meeting, ...] = ()
    police_involved: bool = False
    police_reference: str = ""
    s47_strategy_on: Optional[date] = None
    suspension: tuple[Suspension, ...] = ()
    regulator_referrals: tuple[RegulatorReferral, ...] = ()
    disciplinary: str = ""
    employer_report_requested_on: Optional[date] = None
    employer_report_received_on: Optional[date] = None
    employer_outcome: str = ""
    outcome: Optional[Outcome] = None
    closed_on: Optional[date] = None
    reopenings: tuple[Reopening, ...] = ()
    notes: tuple[Note, ...] = ()
    redacted_on: Optional[date] = None
    legacy_reference: str = ""                  # the council's own reference from the log it came from
    historic: bool = False                      # imported under historic rules: steps never recorded
    extra: dict[str, str] = attrs.field(factory=dict, hash=False)   # spreadsheet columns with no field here
    rev: int = 0                                # store revision, for conflict detection

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def status(self) -> str:
        return "open" if self.closed_on is None else "closed"

    @property
    def escalated(self) -> bool:
        return any(d.kind is CategoryChange.ESCALATED for d in self.category_history)

    def meetings_of(self, kind: MeetingKind) -> tuple[Meeting, ...]:
        return tuple(m for m in self.meetings if m.kind is kind)

    @property
    def jem_held_on(self) -> Optional[date]:
        jems = self.meetings_of(MeetingKind.JEM)
        return min(m.held_on for m in jems) if jems else None

    @property
    def referral_on(self) -> Optional[date]:
        """When the contact became a referral: received, or the escalation date."""
        if self.category is not Category.REFERRAL:
            return None
        for d in reversed(self.category_history):
            if d.to is Category.REFERRAL and (d.from_ is None or d.from_ is not Category.REFERRAL):
                return d.on if d.from_ is not None else self.received_on
        return self.received_on
