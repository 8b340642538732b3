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
        n = highest.get(year, 0) + 1
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
            if name in SUBJECT_FIELDS:
                key = SUBJECT_FIELDS[name]
                subject[key] = (parse_date(value, name, required=False, today=self.today()) if key == "date_of_birth"
                                else (value or "").strip())
            elif name in REFERRER_FIELDS:
                referrer[REFERRER_FIELDS[name]] = (value or "").strip()
            elif name == "subject":
                subject.update(attrs.asdict(value, recurse=False) if isinstance(value, Subject) else dict(value))
            elif name == "referrer" and isinstance(value, (Referrer, dict)):
                referrer.update(attrs.asdict(value, recurse=False) if isinstance(value, Referrer) else dict(value))
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
        if contact.received_on > self.today():
            raise ValidationError("received_on", fmt(contact.received_on), f"a date no later than today ({fmt(self.today())})")
        return contact

    def _clean_simple(self, name: str, value: Any) -> Any:
        today = self.today()
        if name == "agency":
            return self.taxonomy.canonical(value)
        if name in ("received_on",):
            return parse_date(value, name, today=today)
        if name.endswith("_on"):
            return parse_date(value, name, required=False, today=today)
        if name == "harm":
            return None if value in (None, "") else Harm.parse(value, "harm")
        if name == "threshold":
            if isinstance(value, str):
                value = [v for v in re.split(r"[;,]", value) if v.strip()]
            limbs = []
            for v in value or ():
                if isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit()):
                    i = int(v)
                    if not 1 <= i <= 4:
                        raise ValidationError("threshold", v, "limb numbers 1 to 4, or harmed, offence, risk, suitability")
                    limbs.append(list(Threshold)[i - 1])
                else:
                    limbs.append(Threshold.parse(v, "threshold"))
            return tuple(sorted(set(limbs), key=list(Threshold).index))
        if name == "children_count":
            if value in (None, ""):
                return None
            try:
                n = int(value)
            except (TypeError, ValueError):
                raise ValidationError(name, value, "a whole number of children, 0 or more") from None
            if n < 0:
                raise ValidationError(name, value, "a whole number of children, 0 or more")
            return n
        if name == "children_ages":
            if isinstance(value, str):
                value = [v for v in re.split(r"[;, ]+", value) if v]
            ages = []
            for v in value or ():
                try:
                    age = int(v)
                except (TypeError, ValueError):
                    raise ValidationError(name, v, "ages in whole years from 0 to 17, separated by commas") from None
                if not 0 <= age <= 17:
                    raise ValidationError(name, v, "ages in whole years from 0 to 17 (children, not adults)")
                ages.append(age)
            return tuple(ages)
        if name == "police_involved":
            if isinstance(value, str):
                return value.strip().lower() in ("y", "yes", "true", "1")
            return bool(value)
        return (value or "").strip() if isinstance(value, str) or value is None else str(value)

    # --- intake ----------------------------------------------------------------------------
    def add_contact(self, *, received_on: Any, agency: str, category: Any = None, rationale: str = "",
                    reference: Optional[str] = None, **fields: Any) -> Contact:
        """Log a new contact.  Pattern warnings (earlier contacts) land in ``last_warnings``."""
        received = parse_date(received_on, "received_on", today=self.today())
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
            self._put(txn, TABLE, cleaned, expected_rev=contact.rev)
        return self.get_contact(contact.reference)

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

    # --- categories ------------------------------------------------------------------------
    def categorise(self, reference: str, category: Any, rationale: str, *, on: Any = None,
                   expected_rev: Optional[int] = None) -> Contact:
        """Decide the category.  Moving up is an escalation; moving down needs a rationale."""
        to = Category.parse(category, "category")
        rationale = _require_text(rationale, "rationale", "a rationale for the category")

        def change(c: Contact) -> Contact:
            day = parse_date(on, "on", required=False, today=self.today()) or self.today()
            if c.category is None:
                kind = CategoryChange.CATEGORISED
            elif to is c.category:
                raise RuleError(f"{c.reference} is already a {to.value}")
            else:
                kind = CategoryChange.ESCALATED if to.rank > c.category.rank else CategoryChange.STEPPED_DOWN
            self._refuse_if_closed(c, "change its category")
            decision = CategoryDecision(on=day, user=self.user, kind=kind, to=to, rationale=rationale,
                                        from_=c.category)
            return attrs.evolve(c, category=to, category_history=c.category_history + (decision,))
        return self._change(reference, change, expected_rev)

    def escalate(self, reference: str, to: Any = "referral", reason: str = "", *, on: Any = None,
                 expected_rev: Optional[int] = None) -> Contact:
        """Escalate up only: enquiry to consultation or referral, consultation to referral."""
        target = Category.parse(to, "to")
        reason = _require_text(reason, "reason", "a reason for the escalation")
        current = self.get_contact(reference)
        if current.category is not None and target.rank <= current.category.rank:
            raise RuleError(
                f"{current.reference} is a {current.category.value}: escalation goes up only "
                f"(to {', '.join(c.value for c in Category if c.rank > current.category.rank) or 'nothing higher'}); "
                f"use step_down with a rationale to go down"
            )
        return self.categorise(reference, target, reason, on=on, expected_rev=expected_rev)

    def step_down(self, reference: str, to: Any, rationale: str, *, on: Any = None,
                  expected_rev: Optional[int] = None) -> Contact:
        target = Category.parse(to, "to")
        rationale = _require_text(rationale, "rationale", "a rationale for stepping down")
        current = self.get_contact(reference)
        if current.category is None or target.rank >= current.category.rank:
            raise RuleError(f"{current.reference} is a {current.category.value if current.category else 'uncategorised contact'}: "
                            f"stepping down goes to a lower category")
        return self.categorise(reference, target, rationale, on=on, expected_rev=expected_rev)

    def _refuse_if_closed(self, c: Contact, what: str) -> None:
        if c.closed_on is not None:
            raise RuleError(f"{c.reference} was closed on {fmt(c.closed_on)}; reopen it with a reason to {what}")

    # --- the work of a referral -------------------------------------------------------------
    def record_meeting(self, reference: str, *, kind: Any = "jem", held_on: Any, agencies_present: Iterable[str] = (),
                       decisions: str = "", actions: Iterable[Any] = (), expected_rev: Optional[int] = None) -> Contact:
        """Record a JEM, its review, or a strategy discussion, with its actions."""
        mk = MeetingKind.parse(kind, "kind")
        day = parse_date(held_on, "held_on", today=self.today())
        cleaned_actions = []
        for i, a in enumerate(actions, 1):
            if isinstance(a, MeetingAction):
                cleaned_actions.append(a)
                continue
            a = dict(a) if not isinstance(a, str) else {"description": a}
            cleaned_actions.append(MeetingAction(
                description=_require_text(a.get("description"), f"actions[{i}].description", "a description"),
                owner=(a.get("owner") or "").strip(),
                due_on=parse_date(a.get("due_on"), f"actions[{i}].due_on", required=False, today=self.today())))
        present = tuple(p.strip() for p in agencies_present if p and p.strip())

        def change(c: Contact) -> Contact:
            self._refuse_if_closed(c, "record a meeting")
            if day < c.received_on:
                raise ValidationError("held_on", fmt(day), f"a date on or after the contact was received ({fmt(c.received_on)})")
            meeting = Meeting(kind=mk, held_on=day, agencies_present=present, decisions=(decisions or "").strip(),
                              actions=tuple(cleaned_actions), recorded_by=self.user)
            return attrs.evolve(c, meetings=c.meetings + (meeting,))
        return self._change(reference, change, expected_rev)

    def add_note(self, reference: str, text: str, *, expected_rev: Optional[int] = None) -> Contact:
        text = _require_text(text, "text", "the note's text")
        return self._change(reference, lambda c: attrs.evolve(
            c, notes=c.notes + (Note(at=self.now(), user=self.user, text=text),)), expected_rev)

    def record_regulator_referral(self, reference: str, *, body: str, on: Any, reference_number: str = "",
                                  expected_rev: Optional[int] = None) -> Contact:
        """A referral to the DBS or a regulator (TRA, Ofsted, HCPC, NMC, Social Work England...)."""
        body = _require_text(body, "body", "the body referred to (DBS, Teaching Regulation Agency, Ofsted, HCPC...)")
        day = parse_date(on, "on", today=self.today())
        return self._change(reference, lambda c: attrs.evolve(c, regulator_referrals=c.regulator_referrals + (
            RegulatorReferral(body=body, on=day, reference=(reference_number or "").strip()),)), expected_rev)

    def record_suspension(self, reference: str, *, decision: Any, on: Any, rationale: str,
                          expected_rev: Optional[int] = None) -> Contact:
        d = SuspensionDecision.parse(decision, "decision")
        rationale = _require_text(rationale, "rationale", "the reasoning for the decision")
        day = parse_date(on, "on", today=self.today())
        return self._change(reference, lambda c: attrs.evolve(
            c, suspension=c.suspension + (Suspension(decision=d, on=day, rationale=rationale),)), expected_rev)

    def record_police(self, reference: str, *, involved: bool = True, police_reference: str = "",
                      s47_strategy_on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        day = parse_date(s47_strategy_on, "s47_strategy_on", required=False, today=self.today())
        return self._change(reference, lambda c: attrs.evolve(
            c, police_involved=bool(involved), police_reference=(police_reference or c.police_reference).strip(),
            s47_strategy_on=day or c.s47_strategy_on), expected_rev)

    # --- closing ------------------------------------------------------------------------------
    def close_contact(self, reference: str, *, outcome: Any = None, closed_on: Any = None,
                      employer_outcome: str = "", report_received_on: Any = None,
                      expected_rev: Optional[int] = None) -> Contact:
        """Close a contact with the outcome its category needs.

        A referral needs one of the five allegation outcomes; an enquiry closes
        with advice given; a consultation closes once the employer's report is in.
        """
        out = None if outcome in (None, "") else Outcome.parse(outcome, "outcome")
        day = parse_date(closed_on, "closed_on", required=False, today=self.today()) or self.today()
        received_report = parse_date(report_received_on, "report_received_on", required=False, today=self.today())

        def change(c: Contact) -> Contact:
            nonlocal out
            if c.closed_on is not None:
                raise RuleError(f"{c.reference} is already closed (on {fmt(c.closed_on)}, {c.outcome.value if c.outcome else 'no outcome'})")
            if day < c.received_on:
                raise ValidationError("closed_on", fmt(day), f"a date on or after the received date {fmt(c.received_on)}")
            five = ", ".join(o.value for o in ALLEGATION_OUTCOMES)
            extra: dict[str, Any] = {}
            if c.category is None:
                raise RuleError(f"{c.reference} has no category yet: categorise it before closing")
            if c.category is Category.REFERRAL:
                if out is None:
                    raise ValidationError("outcome", "", f"a referral closes only with one of: {five}")
                if out not in ALLEGATION_OUTCOMES:
                    raise ValidationError("outcome", out.value, f"a referral closes only with one of: {five}")
            elif c.category is Category.ENQUIRY:
                out = out or Outcome.ADVICE_GIVEN
                if out is not Outcome.ADVICE_GIVEN:
                    raise ValidationError("outcome", out.value, "an enquiry closes with advice_given; escalate it first if the threshold is met")
            else:
                report_on = received_report or c.employer_report_received_on
                if report_on is None:
                    raise RuleError(f"{c.reference} is a consultation: record the employer's report "
                                    f"(report_received_on) before closing it")
                if out is None or out not in ALLEGATION_OUTCOMES + (Outcome.NO_FURTHER_ACTION,):
                    raise ValidationError("outcome", out.value if out else "",
                                          f"a consultation closes with the employer's outcome: one of {five}, no_further_action")
                extra["employer_report_received_on"] = report_on
                if employer_outcome:
                    extra["employer_outcome"] = employer_outcome.strip()
            return attrs.evolve(c, outcome=out, closed_on=day, **extra)
        return self._change(reference, change, expected_rev)

    def reopen(self, reference: str, reason: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Contact:
        reason = _require_text(reason, "reason", "a reason for reopening")
        day = parse_date(on, "on", required=False, today=self.today()) or self.today()

        def change(c: Contact) -> Contact:
            if c.closed_on is None:
                raise RuleError(f"{c.reference} is open: only a closed contact can be reopened")
            r = Reopening(on=day, user=self.user, reason=reason, previous_outcome=c.outcome,
                          previous_closed_on=c.closed_on)
            return attrs.evolve(c, outcome=None, closed_on=None, reopenings=c.reopenings + (r,))
        return self._change(reference, change, expected_rev)

    # --- patterns (filled in by the LADO rules) ---------------------------------------------------
    def pattern_warnings(self, contact: Contact) -> list[str]:
        from ..patterns import pattern_warnings
        return pattern_warnings(self, contact)
