"""LADO contacts: intake, categorising, escalation, meetings, closing, reopening."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Optional

import attrs

from ..convert import to_doc
from ..dates import fmt, parse_date
from ..errors import RuleError, ValidationError
from ..model import (ALLEGATION_OUTCOMES, Category, CategoryChange, CategoryDecision, Contact, Harm, Meeting,
                     MeetingAction, MeetingKind, Note, Outcome, Referrer, RegulatorReferral, Reopening, Subject,
                     Suspension, SuspensionDecision, Threshold)

TABLE = "contacts"
_REF = re.compile(r"^L-(\d{4})-(\d+)$")

# Fields a caller may set directly with add_contact/update_contact.  Workflow
# fields (category, outcome, meetings...) change only through their own steps.
SIMPLE_FIELDS = {
    "summary", "case_manager", "children_count", "children_ages", "harm", "threshold", "responded_on",
    "police_involved", "police_reference", "s47_strategy_on", "disciplinary", "employer_report_requested_on",
    "employer_report_received_on", "employer_outcome", "received_on", "agency",
}
# Dates of things done for a contact, set directly: on or after receipt, never in the future.
EVENT_FIELDS = ("responded_on", "s47_strategy_on", "employer_report_requested_on", "employer_report_received_on")
SUBJECT_FIELDS = {"subject_name": "name", "subject_role": "role", "employer": "employer",
                  "subject_dob": "date_of_birth"}
REFERRER_FIELDS = {"referrer": "name", "referrer_name": "name", "referrer_role": "role",
                   "referrer_organisation": "organisation"}


def _require_text(value: Any, field: str, what: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        raise ValidationError(field, value if value is not None else "", f"{what} is required")
    return text


class ContactsMixin:
    # --- reading ---------------------------------------------------------------------
    def get_contact(self, reference: str) -> Contact:
        return self._load(Contact, TABLE, reference.strip().upper(), "contact")

    def contact_docs(self) -> dict[str, dict]:
        """The raw stored documents, for fast filtering (read-only: never mutate them)."""
        return self.store.all(TABLE)

    def contacts(self, *, year: Optional[str] = None, category: Any = None, agency: Optional[str] = None,
                 status: Optional[str] = None, harm: Any = None, text: Optional[str] = None) -> list[Contact]:
        """Contacts, oldest first, narrowed by any of the keyword filters."""
        from ..search import ContactFilter
        flt = ContactFilter.build(self, year=year, category=category, agency=agency, status=status, harm=harm,
                                  text=text)
        docs = self.store.all(TABLE)
        return [self._structure(Contact, TABLE, key, docs[key]) for key in flt.keys(docs)]

    # --- references ----------------------------------------------------------------------
    def _next_contact_reference(self, txn, received_on: date) -> str:
        year = received_on.year
        counters = getattr(self, "_ref_counters", None)
        if counters is None or counters[0] != self.store.last_seq:
            highest: dict[int, int] = {}
            for key in self.store.all(TABLE):
                m = _REF.match(key)
                if m:
                    y, n = int(m.group(1)), int(m.group(2))
                    if n > highest.get(y, 0):
                        highest[y] = n
            counters = (self.store.last_seq, highest)
        highest = counters[1]
        # A reference once issued stays issued, even if its record is no longer here (a restore).
        n = max(highest.get(year, 0), self.store.issued_floor(f"L-{year}-")) + 1
        while txn.exists(TABLE, f"L-{year}-{n:04d}"):
            n += 1
        highest[year] = n
        self._ref_counters = counters
        return f"L-{year}-{n:04d}"

    def _after_commit(self) -> None:
        counters = getattr(self, "_ref_counters", None)
        if counters is not None:
            self._ref_counters = (self.store.last_seq, counters[1])

    # --- validation ----------------------------------------------------------------------
    def _clean_fields(self, fields: dict, base: Contact) -> Contact:
        """Turn user-supplied values into a valid Contact, raising ValidationError on the first bad one."""
        changes: dict[str, Any] = {}
        subject = attrs.asdict(base.subject, recurse=False)
        referrer = attrs.asdict(base.referrer, recurse=False)
        for name, value in fields.items():
            if name == "subject" or (name == "referrer" and not isinstance(value, str)):
                person, names = (subject, SUBJECT_FIELDS) if name == "subject" else (referrer, REFERRER_FIELDS)
                for field, part in _person_parts(name, value, names).items():
                    person[names[field]] = self._clean_person(field, part)
            elif name in SUBJECT_FIELDS:
                subject[SUBJECT_FIELDS[name]] = self._clean_person(name, value)
            elif name in REFERRER_FIELDS:
                referrer[REFERRER_FIELDS[name]] = self._clean_person(name, value)
            elif name in SIMPLE_FIELDS:
                changes[name] = self._clean_simple(name, value)
            else:
                raise ValidationError(name, value, "not a contact field; accepted fields are: "
                                      + ", ".join(sorted(SIMPLE_FIELDS | set(SUBJECT_FIELDS) | set(REFERRER_FIELDS))))
        if subject.get("date_of_birth") is not None and isinstance(subject["date_of_birth"], str):
            subject["date_of_birth"] = parse_date(subject["date_of_birth"], "subject_dob")
        changes["subject"] = Subject(**subject)
        changes["referrer"] = Referrer(**referrer)
        contact = attrs.evolve(base, **changes)
        dob = contact.subject.date_of_birth
        if dob is not None and dob >= contact.received_on:
            raise ValidationError("subject_dob", fmt(dob), f"a date of birth before the contact was received "
                                  f"({fmt(contact.received_on)})")
        if contact.received_on > self.today():
            raise ValidationError("received_on", fmt(contact.received_on), f"a date no later than today ({fmt(self.today())})")
        for name in EVENT_FIELDS:
            if name in fields or "received_on" in fields:
                day = getattr(contact, name)
                if day is not None and not contact.received_on <= day <= self.today():
                    raise ValidationError(name, fmt(day), f"a date from the received date {fmt(contact.received_on)} "
                                          f"to today ({fmt(self.today())})")
        requested, got = contact.employer_report_requested_on, contact.employer_report_received_on
        if requested and got and got < requested and ({"employer_report_requested_on",
                                                       "employer_report_received_on"} & set(fields)):
            raise ValidationError("employer_report_received_on", fmt(got), f"a date on or after the report was "
                                  f"requested ({fmt(requested)})")
        return contact

    def _clean_simple(self, name: str, value: Any) -> Any:
        today = self.today()
        if name == "agency":
            return self.taxonomy.canonical(value)
        if name in ("received_on",):
            return parse_date(date_value(value, name), name, today=today)
        if name.endswith("_on"):
            return parse_date(date_value(value, name), name, required=False, today=today)
        if name == "harm":
            return None if value in (None, "") else Harm.parse(value, "harm")
        if name == "threshold":
            return clean_threshold(value, name)
        if name == "children_count":
            return clean_count(value, name)
        if name == "children_ages":
            return clean_ages(value, name)
        if name == "police_involved":
            return parse_yes_no(value, name)
        return clean_text(value, name)

    def _clean_person(self, name: str, value: Any) -> Any:
        """One of the subject's or referrer's fields: the date of birth is a date, the rest text."""
        if name == "subject_dob":
            return parse_date(date_value(value, name), name, required=False, today=self.today())
        return clean_text(value, name)

    # The API's validators, public so that every way in (CSV, JSON, forms) uses the same rules and
    # words the same message for the same bad value.
    clean_contact_fields = _clean_fields

    def clean_contact_field(self, name: str, value: Any) -> Any:
        """One field's value as the API stores it (``subject_dob``, ``referrer_role``... included),
        or the ValidationError the API would raise for it."""
        if name in SUBJECT_FIELDS or name in REFERRER_FIELDS:
            return self._clean_person(name, value)
        return self._clean_simple(name, value)

    # --- intake ----------------------------------------------------------------------------
    def add_contact(self, *, received_on: Any, agency: str, category: Any = None, rationale: str = "",
                    reference: Optional[str] = None, **fields: Any) -> Contact:
        """Log a new contact.  Pattern warnings (earlier contacts) land in ``last_warnings``."""
        received = parse_date(date_value(received_on, "received_on"), "received_on", today=self.today())
        canonical = self.taxonomy.canonical(agency)
        cat = None if category in (None, "") else Category.parse(category, "category")
        base = Contact(reference="", received_on=received, agency=canonical)
        contact = self._clean_fields(fields, base)
        if cat is not None:
            contact = attrs.evolve(contact, category=cat, category_history=(CategoryDecision(
                on=received, user=self.user, kind=CategoryChange.CATEGORISED, to=cat,
                rationale=(rationale or "").strip() or "categorised at intake"),))
        with self.store.transaction() as txn:
            if reference:
                ref = reference.strip().upper()
                if not _REF.match(ref):
                    raise ValidationError("reference", reference, "a reference like L-2018-0042")
                if txn.exists(TABLE, ref):
                    raise ValidationError("reference", reference, "a reference not already in use")
            else:
                ref = self._next_contact_reference(txn, received)
            contact = attrs.evolve(contact, reference=ref)
            self._put(txn, TABLE, contact, expected_rev=0)
        self._after_commit()
        saved = self.get_contact(ref)
        self.last_warnings = self.pattern_warnings(saved)
        return saved

    def add_contacts(self, contacts: Iterable[Contact], *, upsert: bool = False) -> int:
        """Store many contacts as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Returns how many records changed.
        """
        changed = 0
        with self.store.transaction() as txn:
            for c in contacts:
                existing = txn.get(TABLE, c.reference)
                if existing is not None and not upsert:
                    raise ValidationError("reference", c.reference, "a reference not already in use")
                before = existing.get("_rev", 0) if existing else 0
                doc = txn.put(TABLE, c.reference, to_doc(c))
                changed += doc.get("_rev", 0) != before
        self._after_commit()
        return changed

    def update_contact(self, reference: str, *, expected_rev: Optional[int] = None, **fields: Any) -> Contact:
        """Edit a contact's details.  With ``expected_rev``, refuses if someone else changed it first."""
        def change(c: Contact) -> Contact:
            return self._clean_fields(fields, c)
        saved = self._change(reference, change, expected_rev)
        if set(fields) & (set(SUBJECT_FIELDS) | {"subject", "agency"}):
            self.last_warnings = self.pattern_warnings(saved)
        else:
            self.last_warnings = []
        return saved

    def save_contact(self, contact: Contact) -> Contact:
        """Store a contact changed with ``attrs.evolve``; refuses if the stored copy moved on."""
        cleaned = self._clean_fields({}, contact)
        self.taxonomy.canonical(cleaned.agency)
        with self.store.transaction() as txn:
            if not txn.exists(TABLE, contact.reference):
                raise ValidationError("reference", contact.reference, "the reference of a contact in the store")
            before = txn.get(TABLE, contact.reference)
            self._put(txn, TABLE, cleaned, expected_rev=contact.rev)
        self._after_commit()
        saved = self.get_contact(contact.reference)
        moved = (before.get("subject") != to_doc(saved.subject) or before.get("agency") != saved.agency)
        self.last_warnings = self.pattern_warnings(saved) if moved else []
        return saved

    def _change(self, reference: str, change, expected_rev: Optional[int] = None) -> Contact:
        ref = reference.strip().upper()
        with self.store.transaction() as txn:
            doc = txn.get(TABLE, ref)
            if doc is None:
                from ..errors import UnknownReference
                raise UnknownReference(ref, "contact")
            current = self._structure(Contact, TABLE, ref, doc)
            if expected_rev is not None and expected_rev != current.rev:
                from ..errors import ConflictError
                raise ConflictError(ref, expected_rev, current.rev, by=self.store.last_editor(ref))
            updated = change(current)
            self._put(txn, TABLE, updated, expected_rev=current.rev)
        self._after_commit()
        return self.get_contact(ref)

    # --- dates of events ---------------------------------------------------------------------
    def _event_day(self, value: Any, field: str, c: Contact, *, after: Optional[date] = None,
                   after_what: str = "") -> date:
        """A date for something that has happened: defaults to today, never in the future,
        never before the contact was received (or ``after``)."""
        today = self.today()
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
        to = Category.parse(category, field)
        what = {"up": ("reason", "a reason for the escalation"),
                "down": ("rationale", "a rationale for stepping down")}.get(
            direction or "", ("rationale", "a rationale for the category"))
        text = _require_text(text, *what)

        def change(c: Contact) -> Contact:
            # Checked inside the transaction, against the current record, so two
            # users deciding at once cannot turn an escalation into a step-down.
            self._refuse_if_closed(c, "change its category")
            if c.category is None:
                if direction is not None:
                    raise RuleError(f"{c.reference} has no category yet: categorise it (with a rationale) first")
                kind = CategoryChange.CATEGORISED
            elif to is c.category:
                raise RuleError(f"{c.reference} is already a {to.value}")
            elif to.rank > c.category.rank:
                if direction == "down":
                    raise RuleError(f"{c.reference} is a {c.category.value}: stepping down goes to a lower category "
                                    f"({_names(x for x in Category if x.rank < c.category.rank)}); "
                                    f"use escalate with a reason to go up")
                kind = CategoryChange.ESCALATED
            else:
                if direction == "up":
                    higher = _names(x for x in Category if x.rank > c.category.rank) or "nothing higher"
                    raise RuleError(f"{c.reference} is a {c.category.value}: escalation goes up only (to {higher}); "
                                    f"use step_down with a rationale to go down")
                kind = CategoryChange.STEPPED_DOWN
            last = c.category_history[-1].on if c.category_history else c.received_on
            day = self._event_day(on, "on", c, after=max(last, c.received_on),
                                  after_what="the previous category decision was made" if last > c.received_on
                                  else "the contact was received")
            decision = CategoryDecision(on=day, user=self.user, kind=kind, to=to, rationale=text, from_=c.category)
            return attrs.evolve(c, category=to, category_history=c.category_history + (decision,))
        return self._change(reference, change, expected_rev)

    def _refuse_if_closed(self, c: Contact, what: str) -> None:
        if c.closed_on is not None:
            raise RuleError(f"{c.reference} was closed on {fmt(c.closed_on)}; reopen it with a reason to {what}")

    # --- the first response and the employer's report --------------------------------------------
    def record_response(self, reference: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """The LADO's first response to the referrer (due within 1 working day by default)."""
        def change(c: Contact) -> Contact:
            return attrs.evolve(c, responded_on=self._event_day(on, "on", c))
        return self._change(reference, change, expected_rev)

    def request_employer_report(self, reference: str, *, on: Any = None,
                                expected_rev: Optional[int] = None) -> Contact:
        """Ask the employer for the outcome and report of its internal investigation.

        From this date the report is chased when overdue (``deadlines``: 20 working days by default).
        """
        def change(c: Contact) -> Contact:
            self._refuse_if_closed(c, "request the employer's report")
            if c.category not in (Category.CONSULTATION, Category.REFERRAL):
                raise RuleError(f"{c.reference} is {_a(c.category)}: an employer's report is requested for a "
                                f"consultation or a referral")
            if c.employer_report_received_on is not None:
                raise RuleError(f"{c.reference}: the employer's report was already received on "
                                f"{fmt(c.employer_report_received_on)}")
            return attrs.evolve(c, employer_report_requested_on=self._event_day(on, "on", c))
        return self._change(reference, change, expected_rev)

    def record_employer_report(self, reference: str, *, received_on: Any = None, outcome: str = "",
                               expected_rev: Optional[int] = None) -> Contact:
        """The employer's report has arrived, with its outcome in the employer's words."""
        def change(c: Contact) -> Contact:
            self._refuse_if_closed(c, "record the employer's report")
            if c.category not in (Category.CONSULTATION, Category.REFERRAL):
                raise RuleError(f"{c.reference} is {_a(c.category)}: an employer's report belongs to a "
                                f"consultation or a referral")
            requested = c.employer_report_requested_on
            day = self._event_day(received_on, "received_on", c, after=requested,
                                  after_what="the report was requested")
            return attrs.evolve(c, employer_report_received_on=day,
                                employer_outcome=(outcome or "").strip() or c.employer_outcome)
        return self._change(reference, change, expected_rev)

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
        cleaned_actions = tuple(self._meeting_action(a, i) for i, a in enumerate(actions, 1))

        def change(c: Contact) -> Contact:
            self._refuse_if_closed(c, "record a meeting")
            day = self._event_day(held_on, "held_on", c)
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
                              actions=cleaned_actions, recorded_by=self.user)
            return attrs.evolve(c, meetings=c.meetings + (meeting,))
        return self._change(reference, change, expected_rev)

    def _meeting_action(self, a: Any, i: int) -> MeetingAction:
        """An action agreed at a meeting: a description, an owner and a due date are all required."""
        if isinstance(a, MeetingAction):
            a = attrs.asdict(a, recurse=False)
        elif isinstance(a, str):
            parts = [p.strip() for p in a.split("|")]
            a = dict(zip(("description", "owner", "due_on"), parts))
        elif isinstance(a, (tuple, list)):
            a = dict(zip(("description", "owner", "due_on"), a))
        else:
            a = dict(a)
        return MeetingAction(
            description=_require_text(a.get("description"), f"actions[{i}].description", "a description of the action"),
            owner=_require_text(a.get("owner"), f"actions[{i}].owner", "an owner for the action"),
            due_on=parse_date(a.get("due_on"), f"actions[{i}].due_on", today=self.today()),
            done_on=parse_date(a.get("done_on"), f"actions[{i}].done_on", required=False, today=self.today()))

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
            day = self._event_day(done_on, "done_on", c, after=m.held_on, after_what="the meeting was held")
            actions = m.actions[:action - 1] + (attrs.evolve(a, done_on=day),) + m.actions[action:]
            meetings = c.meetings[:meeting - 1] + (attrs.evolve(m, actions=actions),) + c.meetings[meeting:]
            return attrs.evolve(c, meetings=meetings)
        return self._change(reference, change, expected_rev)

    def add_note(self, reference: str, text: str, *, expected_rev: Optional[int] = None) -> Contact:
        text = _require_text(text, "text", "the note's text")
        return self._change(reference, lambda c: attrs.evolve(
            c, notes=c.notes + (Note(at=self.now(), user=self.user, text=text),)), expected_rev)

    def record_regulator_referral(self, reference: str, *, body: str, on: Any = None, reference_number: str = "",
                                  expected_rev: Optional[int] = None) -> Contact:
        """A referral to the DBS (a legal duty on removal from regulated activity) or a regulator
        (Teaching Regulation Agency, Ofsted, HCPC, NMC, Social Work England...).

        Allowed after closing too: the DBS referral often follows the outcome.
        """
        body = _require_text(body, "body", "the body referred to (DBS, Teaching Regulation Agency, Ofsted, HCPC...)")

        def change(c: Contact) -> Contact:
            day = self._event_day(on, "on", c)
            return attrs.evolve(c, regulator_referrals=c.regulator_referrals + (
                RegulatorReferral(body=body, on=day, reference=(reference_number or "").strip()),))
        return self._change(reference, change, expected_rev)

    def record_suspension(self, reference: str, *, decision: Any, on: Any = None, rationale: str,
                          expected_rev: Optional[int] = None) -> Contact:
        """Suspension, an alternative to it, or a decision not to suspend: always with the reasoning."""
        d = SuspensionDecision.parse(decision, "decision")
        rationale = _require_text(rationale, "rationale", "the reasoning for the decision")

        def change(c: Contact) -> Contact:
            self._refuse_if_closed(c, "record a suspension decision")
            day = self._event_day(on, "on", c)
            return attrs.evolve(c, suspension=c.suspension + (Suspension(decision=d, on=day, rationale=rationale),))
        return self._change(reference, change, expected_rev)

    def record_police(self, reference: str, *, involved: bool = True, police_reference: str = "",
                      s47_strategy_on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Police involvement (with the crime reference) and the s47 strategy discussion's date."""
        def change(c: Contact) -> Contact:
            day = (self._event_day(s47_strategy_on, "s47_strategy_on", c)
                   if s47_strategy_on not in (None, "") else c.s47_strategy_on)
            return attrs.evolve(c, police_involved=bool(involved),
                                police_reference=(police_reference or c.police_reference).strip(),
                                s47_strategy_on=day)
        return self._change(reference, change, expected_rev)

    # --- closing ------------------------------------------------------------------------------
    def close_contact(self, reference: str, *, outcome: Any = None, closed_on: Any = None,
                      employer_outcome: str = "", report_received_on: Any = None,
                      expected_rev: Optional[int] = None) -> Contact:
        """Close a contact with the outcome its category needs.

        A referral needs one of the five allegation outcomes; an enquiry closes
        with advice given; a consultation closes with the employer's outcome,
        once the employer's report is received.
        """
        out = None if outcome in (None, "") else Outcome.parse(outcome, "outcome")

        def change(c: Contact) -> Contact:
            if c.closed_on is not None:
                raise RuleError(f"{c.reference} is already closed (on {fmt(c.closed_on)}, "
                                f"{c.outcome.value if c.outcome else 'no outcome'})")
            if c.category is None:
                raise RuleError(f"{c.reference} has no category yet: categorise it before closing")
            day = parse_date(closed_on, "closed_on", required=False, today=self.today()) or self.today()
            if day < c.received_on:
                raise ValidationError("closed_on", fmt(day), f"a date on or after the received date {fmt(c.received_on)}")
            day = self._event_day(day, "closed_on", c)
            final = out
            extra: dict[str, Any] = {}
            if c.category is Category.ENQUIRY:
                final = out or Outcome.ADVICE_GIVEN
            if c.category is Category.CONSULTATION:
                report_on = c.employer_report_received_on
                if report_received_on not in (None, ""):
                    report_on = self._event_day(report_received_on, "report_received_on", c,
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
        return self._change(reference, change, expected_rev)

    def reopen(self, reference: str, reason: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        """Reopen a closed contact with a reason; the previous outcome and date stay in ``reopenings``."""
        reason = _require_text(reason, "reason", "a reason for reopening")

        def change(c: Contact) -> Contact:
            if c.closed_on is None:
                raise RuleError(f"{c.reference} is open: only a closed contact can be reopened")
            day = self._event_day(on, "on", c, after=c.closed_on, after_what="it was closed")
            r = Reopening(on=day, user=self.user, reason=reason, previous_outcome=c.outcome,
                          previous_closed_on=c.closed_on)
            return attrs.evolve(c, outcome=None, closed_on=None, reopenings=c.reopenings + (r,))
        return self._change(reference, change, expected_rev)

    # --- patterns ----------------------------------------------------------------------------------
    def pattern_warnings(self, contact: Contact) -> list[str]:
        """Earlier contacts about the same person, and a setting over its threshold.  Never blocks."""
        from ..patterns import pattern_warnings
        return pattern_warnings(self, contact)


_FIVE = ", ".join(o.value for o in ALLEGATION_OUTCOMES)
_CONSULTATION_OUTCOMES = frozenset(ALLEGATION_OUTCOMES + (Outcome.NO_FURTHER_ACTION,))


def closing_problem(category: Optional[Category], outcome: Optional[Outcome]) -> Optional[tuple[str, str, str]]:
    """Why ``outcome`` cannot close a contact of ``category``, as ValidationError arguments; None if it can.

    One rule for the tracker and the importers: a referral closes only with one
    of the five allegation outcomes; an enquiry with advice given; a
    consultation with the employer's outcome (one of the five, or no further action).
    """
    if category is Category.REFERRAL:
        if outcome in _ALLEGATION:
            return None
        accepted = f"a referral closes only with one of: {_FIVE}"
    elif category is Category.ENQUIRY:
        if outcome is Outcome.ADVICE_GIVEN:
            return None
        accepted = "an enquiry closes with advice_given; escalate it first if the threshold is met"
    elif category is Category.CONSULTATION:
        if outcome in _CONSULTATION_OUTCOMES:
            return None
        accepted = f"a consultation closes with the employer's outcome: one of {_FIVE}, no_further_action"
    else:
        return ("category", "", "a category: categorise the contact before closing it")
    return ("outcome", outcome.value if outcome is not None else "", accepted)


_ALLEGATION = frozenset(ALLEGATION_OUTCOMES)


def _names(categories: Iterable[Category]) -> str:
    return " or ".join(c.value for c in categories)


def _a(category: Optional[Category]) -> str:
    if category is None:
        return "not yet categorised"
    return ("an " if category.value[0] in "aeiou" else "a ") + category.value


# --- the field rules, shared by the API and every import ---------------------------------------------

TEXT_HELP = "text"
COUNT_HELP = "a whole number of children, 0 or more"
MAX_CHILDREN = 9999
AGES_HELP = "ages in whole years from 0 to 17, separated by ',' or ';'"
THRESHOLD_HELP = "limb numbers 1 to 4, or harmed, offence, risk, suitability"
_YES = frozenset(("y", "yes", "true", "1", "x"))
_NO = frozenset(("", "n", "no", "false", "0"))
YES_NO_HELP = "yes or no: one of yes, no, y, n, true, false, 1, 0, x (for yes) or blank (for no)"


def parse_yes_no(value: Any, field: str, row: Optional[int] = None) -> bool:
    """Yes or no, as people write it in a form, a spreadsheet or JSON; anything else is refused
    (a typo must not quietly become 'no')."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _YES:
            return True
        if key in _NO:
            return False
    raise ValidationError(field, value, YES_NO_HELP, row=row)


def clean_text(value: Any, field: str) -> str:
    """Free text, trimmed.  A number is taken as its digits; a list, an object or true/false is refused
    rather than stored as its Python spelling."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValidationError(field, value, TEXT_HELP)


def date_value(value: Any, field: str) -> Any:
    """Only text or a date can be read as a date: 12 or [2018] would otherwise parse as some day."""
    if value is None or isinstance(value, (str, date)):
        return value
    from ..dates import DATE_HELP
    raise ValidationError(field, value, DATE_HELP)


def _whole_number(value: Any) -> Optional[int]:
    """An int from an int, an integral float or a text of ASCII digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    return None


def _shown(value: Any) -> Any:
    """Numbers are quoted like text in messages, so a form, a spreadsheet and JSON word them alike."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def clean_count(value: Any, field: str) -> Optional[int]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    n = _whole_number(value)
    if n is None or n < 0:
        raise ValidationError(field, _shown(value), COUNT_HELP)
    if n > MAX_CHILDREN:
        raise ValidationError(field, _shown(value), f"{COUNT_HELP}, up to {MAX_CHILDREN}")
    return n


def clean_ages(value: Any, field: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = [v for v in re.split(r"[;, ]+", value) if v]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValidationError(field, _shown(value), AGES_HELP)
    ages = []
    for v in items:
        age = _whole_number(v)
        if age is None or not 0 <= age <= 17:
            raise ValidationError(field, _shown(v), AGES_HELP)
        ages.append(age)
    return tuple(ages)


def clean_threshold(value: Any, field: str) -> tuple[Threshold, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = [v for v in re.split(r"[;,]", value) if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValidationError(field, _shown(value), THRESHOLD_HELP)
    limbs = []
    for v in items:
        n = _whole_number(v) if not isinstance(v, float) else None
        if n is not None:
            if not 1 <= n <= 4:
                raise ValidationError(field, _shown(v), THRESHOLD_HELP)
            limbs.append(list(Threshold)[n - 1])
        else:
            limbs.append(Threshold.parse(v.strip() if isinstance(v, str) else v, field))
    return tuple(sorted(set(limbs), key=list(Threshold).index))


def _person_parts(name: str, value: Any, names: dict[str, str]) -> dict[str, Any]:
    """A subject or referrer given whole (an object or the model), as its fields' API names."""
    if isinstance(value, (Subject, Referrer)):
        value = attrs.asdict(value, recurse=False)
    if value is None:
        return {}
    by_key: dict[str, str] = {}
    for field, key in names.items():
        by_key.setdefault(key, field)
    if not isinstance(value, dict):
        raise ValidationError(name, value, f"an object with the {name}'s {', '.join(by_key)}")
    parts = {}
    for key, part in value.items():
        if key not in by_key:
            raise ValidationError(f"{name}.{key}", part, f"one of the {name}'s fields: {', '.join(by_key)}")
        parts[by_key[key]] = part
    return parts
