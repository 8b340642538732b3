"""The steps of a contact's case: categorising, escalating and stepping down, the first response, the
employer's report, meetings and their actions, notes, regulator referrals, suspension, police
involvement, closing and reopening.

Each step is one revision-checked transaction through ``ContactService.change``;
a refused step writes nothing.  Dates of events default to today, are never in
the future and never before the contact was received.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Optional

import attrs

from ..context import Context
from ..dates import fmt, parse_date
from ..errors import RuleError, ValidationError
from ..model import (Category, CategoryChange, CategoryDecision, Contact, Meeting, MeetingKind, Note, Outcome,
                     RegulatorReferral, Reopening, Suspension, SuspensionDecision)
from ..validation.choices import article
from ..validation.contact import clean_meeting_action, closing_problem
from ..validation.fields import require_text
from .contacts import ContactService


class Casework:
    """The steps of a contact's case, for one open store."""

    def __init__(self, ctx: Context, contacts: ContactService):
        self.ctx = ctx
        self.contacts = contacts

    def event_day(self, value: Any, field: str, c: Contact, *, after: Optional[date] = None,
                   after_what: str = "") -> date:
        """A date for something that has happened: defaults to today, never in the future,
        never before the contact was received (or ``after``)."""
        today = self.ctx.today()
        day = parse_date(value, field, required=False, today=today) or today
        if day > today:
            raise ValidationError(field, fmt(day), f"a date no later than today ({fmt(today)}): record it when it has happened")
        floor, what = (after, after_what) if after is not None else (c.received_on, "the contact was received")
        if day < floor:
            raise ValidationError(field, fmt(day), f"a date on or after {fmt(floor)}, when {what}")
        return day

    # --- categories ------------------------------------------------------------------------
    def categorise(self, reference: str, category: Any, rationale: str, *, on: Any = None,
                   expected_rev: Optional[int] = None) -> Contact:
        """Decide the category, with a rationale.

        The first decision is a categorisation; moving up is an escalation and
        moving down a step-down.  Every decision stays in ``category_history``.
        """
        return self._recategorise(reference, category, rationale, on, expected_rev, direction=None)

    def escalate(self, reference: str, to: Any = "referral", reason: str = "", *, on: Any = None,
                 expected_rev: Optional[int] = None) -> Contact:
        """Escalate up only: an enquiry to a consultation or a referral, a consultation to a referral.

        The escalation date (``on``, default today) is the referral date for the JEM deadline.
        """
        return self._recategorise(reference, to, reason, on, expected_rev, direction="up")

    def step_down(self, reference: str, to: Any, rationale: str, *, on: Any = None,
                  expected_rev: Optional[int] = None) -> Contact:
        """Step a contact down to a lower category: allowed only with a rationale, and kept in the history."""
        return self._recategorise(reference, to, rationale, on, expected_rev, direction="down")

    def _recategorise(self, reference: str, category: Any, text: str, on: Any, expected_rev: Optional[int],
                      direction: Optional[str]) -> Contact:
        field = {"up": "to", "down": "to"}.get(direction or "", "category")
        to = self.ctx.parse_choice(Category, "categories", category, field)
        what = {"up": ("reason", "a reason for the escalation"),
                "down": ("rationale", "a rationale for stepping down")}.get(
            direction or "", ("rationale", "a rationale for the category"))
        text = require_text(text, *what)

        def change(c: Contact) -> Contact:
            # Checked inside the transaction, against the current record, so two
            # users deciding at once cannot turn an escalation into a step-down.
            refuse_if_closed(c, "change its category")
            if c.category is None:
                if direction is not None:
                    raise RuleError(f"{c.reference} has no category yet: categorise it (with a rationale) first")
                kind = CategoryChange.CATEGORISED
            elif to is c.category:
                raise RuleError(f"{c.reference} is already {_a(to)}")
            elif to.rank > c.category.rank:
                if direction == "down":
                    raise RuleError(f"{c.reference} is {_a(c.category)}: stepping down goes to a lower category "
                                    f"({_names(x for x in Category if x.rank < c.category.rank)}); "
                                    f"use escalate with a reason to go up")
                kind = CategoryChange.ESCALATED
            else:
                if direction == "up":
                    higher = _names(x for x in Category if x.rank > c.category.rank) or "nothing higher"
                    raise RuleError(f"{c.reference} is {_a(c.category)}: escalation goes up only (to {higher}); "
                                    f"use step_down with a rationale to go down")
                kind = CategoryChange.STEPPED_DOWN
            last = c.category_history[-1].on if c.category_history else c.received_on
            day = self.event_day(on, "on", c, after=max(last, c.received_on),
                                  after_what="the previous category decision was made" if last > c.received_on
                                  else "the contact was received")
            decision = CategoryDecision(on=day, user=self.ctx.user, kind=kind, to=to, rationale=text, from_=c.category)
            return attrs.evolve(c, category=to, category_history=c.category_history + (decision,))
        return self.contacts.change(reference, change, expected_rev)

    # --- the first response and the employer's report --------------------------------------------
    def record_response(self, reference: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """The LADO's first response to the referrer (due within 1 working day by default)."""
        def change(c: Contact) -> Contact:
            return attrs.evolve(c, responded_on=self.event_day(on, "on", c))
        return self.contacts.change(reference, change, expected_rev)

    def request_employer_report(self, reference: str, *, on: Any = None,
                                expected_rev: Optional[int] = None) -> Contact:
        """Ask the employer for the outcome and report of its internal investigation.

        From this date the report is chased when overdue (``deadlines``: 20 working days by default).
        """
        def change(c: Contact) -> Contact:
            refuse_if_closed(c, "request the employer's report")
            if c.category not in (Category.CONSULTATION, Category.REFERRAL):
                raise RuleError(f"{c.reference} is {_a(c.category)}: an employer's report is requested for a "
                                f"consultation or a referral")
            if c.employer_report_received_on is not None:
                raise RuleError(f"{c.reference}: the employer's report was already received on "
                                f"{fmt(c.employer_report_received_on)}")
            return attrs.evolve(c, employer_report_requested_on=self.event_day(on, "on", c))
        return self.contacts.change(reference, change, expected_rev)

    def record_employer_report(self, reference: str, *, received_on: Any = None, outcome: str = "",
                               expected_rev: Optional[int] = None) -> Contact:
        """The employer's report has arrived, with its outcome in the employer's words."""
        def change(c: Contact) -> Contact:
            refuse_if_closed(c, "record the employer's report")
            if c.category not in (Category.CONSULTATION, Category.REFERRAL):
                raise RuleError(f"{c.reference} is {_a(c.category)}: an employer's report belongs to a "
                                f"consultation or a referral")
            requested = c.employer_report_requested_on
            day = self.event_day(received_on, "received_on", c, after=requested,
                                  after_what="the report was requested")
            return attrs.evolve(c, employer_report_received_on=day,
                                employer_outcome=(outcome or "").strip() or c.employer_outcome)
        return self.contacts.change(reference, change, expected_rev)

    # --- the work of a referral -------------------------------------------------------------
    def record_meeting(self, reference: str, *, kind: Any = "jem", held_on: Any = None,
                       agencies_present: Iterable[str] = (), decisions: str = "", actions: Iterable[Any] = (),
                       expected_rev: Optional[int] = None) -> Contact:
        """Record a JEM, its review, or a strategy discussion: who came, what was decided, and
        the actions, each with an owner and a due date.

        JEMs and their reviews belong to referrals; a review needs a JEM before it.
        """
        mk = MeetingKind.parse(kind, "kind")
        if isinstance(agencies_present, str):
            agencies_present = [a for a in re.split(r"[;,\n]", agencies_present)]
        present = tuple(p.strip() for p in agencies_present if p and p.strip())
        cleaned_actions = tuple(clean_meeting_action(a, i, self.ctx.today()) for i, a in enumerate(actions, 1))

        def change(c: Contact) -> Contact:
            refuse_if_closed(c, "record a meeting")
            day = self.event_day(held_on, "held_on", c)
            if mk in (MeetingKind.JEM, MeetingKind.JEM_REVIEW) and c.category is not Category.REFERRAL:
                what = "JEM" if mk is MeetingKind.JEM else "JEM review"
                raise RuleError(f"{c.reference} is {_a(c.category)}: a {what} is held for a referral; "
                                f"escalate it with a reason first")
            if mk is MeetingKind.JEM_REVIEW:
                jem = c.jem_held_on
                if jem is None:
                    raise RuleError(f"{c.reference} has no JEM yet: record the JEM before its review")
                if day < jem:
                    raise ValidationError("held_on", fmt(day), f"a date on or after the JEM ({fmt(jem)})")
            for n, a in enumerate(cleaned_actions, 1):
                if a.due_on is not None and a.due_on < day:
                    raise ValidationError(f"actions[{n}].due_on", fmt(a.due_on),
                                          f"a date on or after the meeting ({fmt(day)})")
            meeting = Meeting(kind=mk, held_on=day, agencies_present=present, decisions=(decisions or "").strip(),
                              actions=cleaned_actions, recorded_by=self.ctx.user)
            return attrs.evolve(c, meetings=c.meetings + (meeting,))
        return self.contacts.change(reference, change, expected_rev)

    def complete_meeting_action(self, reference: str, meeting: int, action: int, *, done_on: Any = None,
                                expected_rev: Optional[int] = None) -> Contact:
        """Mark a meeting's action done (numbers count from 1, in the order recorded)."""
        def change(c: Contact) -> Contact:
            if not 1 <= meeting <= len(c.meetings):
                raise ValidationError("meeting", meeting, f"a meeting number from 1 to {len(c.meetings)}"
                                      if c.meetings else f"a meeting number, but {c.reference} has no meetings")
            m = c.meetings[meeting - 1]
            if not 1 <= action <= len(m.actions):
                raise ValidationError("action", action, f"an action number from 1 to {len(m.actions)}"
                                      if m.actions else "an action number, but that meeting agreed no actions")
            a = m.actions[action - 1]
            if a.done_on is not None:
                raise RuleError(f"{c.reference}: meeting {meeting}'s action {action} was already done on {fmt(a.done_on)}")
            day = self.event_day(done_on, "done_on", c, after=m.held_on, after_what="the meeting was held")
            actions = m.actions[:action - 1] + (attrs.evolve(a, done_on=day),) + m.actions[action:]
            meetings = c.meetings[:meeting - 1] + (attrs.evolve(m, actions=actions),) + c.meetings[meeting:]
            return attrs.evolve(c, meetings=meetings)
        return self.contacts.change(reference, change, expected_rev)

    def add_note(self, reference: str, text: str, *, expected_rev: Optional[int] = None) -> Contact:
        text = require_text(text, "text", "the note's text")
        return self.contacts.change(reference, lambda c: attrs.evolve(
            c, notes=c.notes + (Note(at=self.ctx.now(), user=self.ctx.user, text=text),)), expected_rev)

    def record_regulator_referral(self, reference: str, *, body: str, on: Any = None, reference_number: str = "",
                                  expected_rev: Optional[int] = None) -> Contact:
        """A referral to the DBS (a legal duty on removal from regulated activity) or a regulator
        (Teaching Regulation Agency, Ofsted, HCPC, NMC, Social Work England...).

        Allowed after closing too: the DBS referral often follows the outcome.
        """
        body = require_text(body, "body", "the body referred to (DBS, Teaching Regulation Agency, Ofsted, HCPC...)")

        def change(c: Contact) -> Contact:
            day = self.event_day(on, "on", c)
            return attrs.evolve(c, regulator_referrals=c.regulator_referrals + (
                RegulatorReferral(body=body, on=day, reference=(reference_number or "").strip()),))
        return self.contacts.change(reference, change, expected_rev)

    def record_suspension(self, reference: str, *, decision: Any, on: Any = None, rationale: str,
                          expected_rev: Optional[int] = None) -> Contact:
        """Suspension, an alternative to it, or a decision not to suspend: always with the reasoning."""
        d = SuspensionDecision.parse(decision, "decision")
        rationale = require_text(rationale, "rationale", "the reasoning for the decision")

        def change(c: Contact) -> Contact:
            refuse_if_closed(c, "record a suspension decision")
            day = self.event_day(on, "on", c)
            return attrs.evolve(c, suspension=c.suspension + (Suspension(decision=d, on=day, rationale=rationale),))
        return self.contacts.change(reference, change, expected_rev)

    def record_police(self, reference: str, *, involved: bool = True, police_reference: str = "",
                      s47_strategy_on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Police involvement (with the crime reference) and the s47 strategy discussion's date."""
        def change(c: Contact) -> Contact:
            day = (self.event_day(s47_strategy_on, "s47_strategy_on", c)
                   if s47_strategy_on not in (None, "") else c.s47_strategy_on)
            return attrs.evolve(c, police_involved=bool(involved),
                                police_reference=(police_reference or c.police_reference).strip(),
                                s47_strategy_on=day)
        return self.contacts.change(reference, change, expected_rev)

    # --- closing ------------------------------------------------------------------------------
    def close_contact(self, reference: str, *, outcome: Any = None, closed_on: Any = None,
                      employer_outcome: str = "", report_received_on: Any = None,
                      expected_rev: Optional[int] = None) -> Contact:
        """Close a contact with the outcome its category needs.

        A referral needs one of the five allegation outcomes; an enquiry closes
        with advice given; a consultation closes with the employer's outcome,
        once the employer's report is received.
        """
        out = None if outcome in (None, "") else self.ctx.parse_choice(Outcome, "outcomes", outcome, "outcome")

        def change(c: Contact) -> Contact:
            if c.closed_on is not None:
                raise RuleError(f"{c.reference} is already closed (on {fmt(c.closed_on)}, "
                                f"{c.outcome.value if c.outcome else 'no outcome'})")
            if c.category is None:
                raise RuleError(f"{c.reference} has no category yet: categorise it before closing")
            day = parse_date(closed_on, "closed_on", required=False, today=self.ctx.today()) or self.ctx.today()
            if day < c.received_on:
                raise ValidationError("closed_on", fmt(day), f"a date on or after the received date {fmt(c.received_on)}")
            day = self.event_day(day, "closed_on", c)
            final = out
            extra: dict[str, Any] = {}
            if c.category is Category.ENQUIRY:
                final = out or Outcome.ADVICE_GIVEN
            if c.category is Category.CONSULTATION:
                report_on = c.employer_report_received_on
                if report_received_on not in (None, ""):
                    report_on = self.event_day(report_received_on, "report_received_on", c,
                                                after=c.employer_report_requested_on,
                                                after_what="the report was requested")
                if report_on is None:
                    raise RuleError(f"{c.reference} is a consultation: record the employer's report "
                                    f"(report_received_on) before closing it")
                if report_on > day:
                    raise ValidationError("closed_on", fmt(day), f"a date on or after the employer's report was "
                                          f"received ({fmt(report_on)})")
                extra["employer_report_received_on"] = report_on
                if employer_outcome:
                    extra["employer_outcome"] = employer_outcome.strip()
            problem = closing_problem(c.category, final)
            if problem is not None:
                raise ValidationError(*problem)
            return attrs.evolve(c, outcome=final, closed_on=day, **extra)
        return self.contacts.change(reference, change, expected_rev)

    def reopen(self, reference: str, reason: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Reopen a closed contact with a reason; the previous outcome and date stay in ``reopenings``."""
        reason = require_text(reason, "reason", "a reason for reopening")

        def change(c: Contact) -> Contact:
            if c.closed_on is None:
                raise RuleError(f"{c.reference} is open: only a closed contact can be reopened")
            day = self.event_day(on, "on", c, after=c.closed_on, after_what="it was closed")
            r = Reopening(on=day, user=self.ctx.user, reason=reason, previous_outcome=c.outcome,
                          previous_closed_on=c.closed_on)
            return attrs.evolve(c, outcome=None, closed_on=None, reopenings=c.reopenings + (r,))
        return self.contacts.change(reference, change, expected_rev)


def refuse_if_closed(c: Contact, what: str) -> None:
    """A closed contact changes only after it is reopened, with a reason."""
    if c.closed_on is not None:
        raise RuleError(f"{c.reference} was closed on {fmt(c.closed_on)}; reopen it with a reason to {what}")


def _names(categories: Iterable[Category]) -> str:
    return " or ".join(c.value for c in categories)


def _a(category: Optional[Category]) -> str:
    if category is None:
        return "not yet categorised"
    return article(category.value)
