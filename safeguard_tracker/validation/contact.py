"""One validator for a contact's fields: the API, the CSV and JSON imports and the TUI's forms all use it.

``ContactValidator(today, agencies)`` turns values as people and files give
them into a valid Contact, or raises ValidationError naming the field, the
value and what would be accepted.  ``closing_problem`` is the rule for which
outcome closes which category, shared by the API and the importers.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Optional

import attrs

from ..dates import fmt, parse_date
from ..errors import ValidationError
from ..model import ALLEGATION_OUTCOMES, Category, Contact, Harm, MeetingAction, Outcome, Referrer, Subject
from ..taxonomy import Taxonomy
from .choices import article
from .fields import clean_ages, clean_count, clean_text, clean_threshold, date_value, parse_yes_no, require_text

# Fields a caller may set directly with add_contact/update_contact.  Workflow
# fields (category, outcome, meetings...) change only through their own steps.
SIMPLE_FIELDS = {
    "summary", "case_manager", "children_count", "children_ages", "harm", "threshold", "responded_on",
    "police_involved", "police_reference", "s47_strategy_on", "disciplinary", "employer_report_requested_on",
    "employer_report_received_on", "employer_outcome", "received_on", "agency", "legacy_reference",
}
# Dates of things done for a contact, set directly: on or after receipt, never in the future.
EVENT_FIELDS = ("responded_on", "s47_strategy_on", "employer_report_requested_on", "employer_report_received_on")
SUBJECT_FIELDS = {"subject_name": "name", "subject_role": "role", "employer": "employer",
                  "subject_dob": "date_of_birth"}
REFERRER_FIELDS = {"referrer": "name", "referrer_name": "name", "referrer_role": "role",
                   "referrer_organisation": "organisation"}
# Changing any of these can make a contact match earlier ones (the pattern warnings).
PATTERN_FIELDS = frozenset(SUBJECT_FIELDS) | {"subject", "agency"}


class ContactValidator:
    """The rules for a contact's fields as of a working date, with the store's agency list."""

    def __init__(self, today: date, agencies: Taxonomy, harms: Optional[Callable[[str], Optional[str]]] = None):
        self.today = today
        self.agencies = agencies
        self.harms = harms          # the store's local labels for harms: label -> harm value, or None

    def clean_fields(self, fields: dict[str, Any], base: Contact) -> Contact:
        """Turn user-supplied values into a valid Contact, raising ValidationError on the first bad one."""
        changes: dict[str, Any] = {}
        subject = attrs.asdict(base.subject, recurse=False)
        referrer = attrs.asdict(base.referrer, recurse=False)
        for name, value in fields.items():
            if name == "subject" or (name == "referrer" and not isinstance(value, str)):
                person, names = (subject, SUBJECT_FIELDS) if name == "subject" else (referrer, REFERRER_FIELDS)
                for field, part in _person_parts(name, value, names).items():
                    person[names[field]] = self._person(field, part)
            elif name in SUBJECT_FIELDS:
                subject[SUBJECT_FIELDS[name]] = self._person(name, value)
            elif name in REFERRER_FIELDS:
                referrer[REFERRER_FIELDS[name]] = self._person(name, value)
            elif name in SIMPLE_FIELDS:
                changes[name] = self._simple(name, value)
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
        if contact.received_on > self.today:
            raise ValidationError("received_on", fmt(contact.received_on), f"a date no later than today ({fmt(self.today)})")
        for name in EVENT_FIELDS:
            if name in fields or "received_on" in fields:
                day = getattr(contact, name)
                if day is not None and not contact.received_on <= day <= self.today:
                    raise ValidationError(name, fmt(day), f"a date from the received date {fmt(contact.received_on)} "
                                          f"to today ({fmt(self.today)})")
        requested, got = contact.employer_report_requested_on, contact.employer_report_received_on
        if requested and got and got < requested and ({"employer_report_requested_on",
                                                       "employer_report_received_on"} & set(fields)):
            raise ValidationError("employer_report_received_on", fmt(got), f"a date on or after the report was "
                                  f"requested ({fmt(requested)})")
        return contact

    def _simple(self, name: str, value: Any) -> Any:
        today = self.today
        if name == "agency":
            return self.agencies.canonical(value)
        if name in ("received_on",):
            return parse_date(date_value(value, name), name, today=today)
        if name.endswith("_on"):
            return parse_date(date_value(value, name), name, required=False, today=today)
        if name == "harm":
            if value in (None, ""):
                return None
            local = self.harms(value) if self.harms is not None and isinstance(value, str) else None
            return Harm(local) if local is not None else Harm.parse(value, "harm")
        if name == "threshold":
            return clean_threshold(value, name)
        if name == "children_count":
            return clean_count(value, name)
        if name == "children_ages":
            return clean_ages(value, name)
        if name == "police_involved":
            return parse_yes_no(value, name)
        return clean_text(value, name)

    def _person(self, name: str, value: Any) -> Any:
        """One of the subject's or referrer's fields: the date of birth is a date, the rest text."""
        if name == "subject_dob":
            return parse_date(date_value(value, name), name, required=False, today=self.today)
        return clean_text(value, name)

    def clean_field(self, name: str, value: Any) -> Any:
        """One field's value as the API stores it (``subject_dob``, ``referrer_role``... included),
        or the ValidationError the API would raise for it."""
        if name in SUBJECT_FIELDS or name in REFERRER_FIELDS:
            return self._person(name, value)
        return self._simple(name, value)


def intake_category(category: Any, rationale: Any) -> tuple[Optional[Category], str]:
    """The rule for a category chosen when a person logs a contact (the CLI's ``contact add``, the TUI's
    New contact form): a category is a threshold decision and carries its rationale, as ``categorise``
    does; a rationale without a category is refused too.  Both blank: decide later.

    >>> intake_category("enquiry", " advice and signposting only ")
    (<Category.ENQUIRY: 'enquiry'>, 'advice and signposting only')
    >>> intake_category("enquiry", "")
    Traceback (most recent call last):
    ...
    safeguard_tracker.errors.ValidationError: rationale '' is not valid: a rationale for making it an enquiry is required (or leave the category blank and decide it later)
    """
    text = clean_text(rationale, "rationale")
    if category in (None, ""):
        if text:
            raise ValidationError("category", "", "a category for this rationale (or leave the rationale blank)")
        return None, ""
    cat = Category.parse(category, "category")
    if not text:
        raise ValidationError("rationale", "", f"a rationale for making it {article(cat.value)} is required "
                              f"(or leave the category blank and decide it later)")
    return cat, text


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


def clean_meeting_action(a: Any, i: int, today: date) -> MeetingAction:
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
        description=require_text(a.get("description"), f"actions[{i}].description", "a description of the action"),
        owner=require_text(a.get("owner"), f"actions[{i}].owner", "an owner for the action"),
        due_on=parse_date(a.get("due_on"), f"actions[{i}].due_on", today=today),
        done_on=parse_date(a.get("done_on"), f"actions[{i}].done_on", required=False, today=today))
