"""The rules a contacts import applies, each in the API's words, by the CSV's column names.

Each cell is read by the API's own rule for its field (``ContactsMixin.clean_contact_field``),
so a bad value reads the same however it came in; the converters *return* a ValidationError
rather than raise it, so that an importer can check each distinct value once and reuse the
result.  Then the rules across a row's cells, the category history of a new contact, the
workflow rules for a row that changes a stored contact, and the rules on the record as it will
be stored (which the JSON import applies too).
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Any, Callable, Optional

from ..dates import fmt
from ..errors import ValidationError
from ..model import Category, Outcome
from ..model.enums import Choice
from ..store.protocol import Doc
from ..validation.contact import closing_problem
from ..validation.fields import parse_yes_no
from .contacts import ContactService
from ..io.importing import parse_revision

REFERENCE = re.compile(r"^L-\d{4}-\d+$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- cells: text in, JSON-safe value out, ValidationError on bad input ----------------------

DATE_COLUMNS = ("received", "closed", "responded", "subject_dob", "s47_strategy", "employer_report_requested",
                "employer_report_received", "category_changed")
# Dates that record something done for the contact: on or after receipt, never in the future.
EVENT_COLUMNS = ("closed", "responded", "s47_strategy", "employer_report_requested", "employer_report_received",
                 "category_changed")
LIST_COLUMNS = ("threshold", "children_ages")
# column -> the API field whose rule (ContactsMixin.clean_contact_field) checks it
API_FIELDS = {"received": "received_on", "closed": "closed_on", "responded": "responded_on",
              "subject_dob": "subject_dob", "s47_strategy": "s47_strategy_on",
              "employer_report_requested": "employer_report_requested_on",
              "employer_report_received": "employer_report_received_on", "category_changed": "category_changed_on",
              "agency": "agency", "harm": "harm", "threshold": "threshold", "children_count": "children_count",
              "children_ages": "children_ages", "police_involved": "police_involved"}


def _plain(value: Any) -> Any:
    """A cleaned value as the stored document holds it: ISO dates, enums by value."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _fast_date(text: str) -> Optional[str]:
    """The two spellings a spreadsheet nearly always uses, read without the general date reader
    (the same result it gives); None for anything else, which the API's rule then reads."""
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text).isoformat()
        m = _UK_DATE.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    except ValueError:
        pass
    return None


def cell_converters(contacts: ContactService) -> dict[str, Callable[[str, str], Any]]:
    """For each column that is not free text: cell text -> stored value, or a ValidationError *returned*
    (not raised), so that the result can be cached: a file repeats the same few hundred values."""
    clean = contacts.validator().clean_field

    def guard(fn: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
        def run(column: str, text: str) -> Any:
            try:
                return fn(column, text)
            except ValidationError as exc:
                return exc
        return run

    def by_api(column: str, text: str) -> Any:
        if column in DATE_COLUMNS and text:
            fast = _fast_date(text)
            if fast is not None:
                return fast
        return _plain(clean(API_FIELDS[column], text))

    def choice(enum: type[Choice], kind: str, required: bool = False) -> Callable[[str, str], Any]:
        labels = contacts.ctx.vocabulary(kind).lookup          # the store's local labels ("Founded")

        def parse(column: str, text: str) -> Optional[str]:
            if not text:
                if required:
                    raise ValidationError(column, "", "one of: " + ", ".join(m.value for m in enum) + " is required")
                return None
            local = labels(text)
            return local if local is not None else enum.parse(text, column).value
        return parse

    table: dict[str, Callable[[str, str], Any]] = {c: by_api for c in API_FIELDS}
    table.update(category=choice(Category, "categories"), first_category=choice(Category, "categories"),
                 historic=lambda column, text: parse_yes_no(text, column) if text else False,
                 outcome=choice(Outcome, "outcomes"),
                 revision=lambda column, text: parse_revision(text, column))
    return {column: guard(fn) for column, fn in table.items()}


def row_rules(v: dict[str, Any], row: int, today: str, events: tuple[str, ...],
              historic: bool = False) -> list[ValidationError]:
    """The rules across a row's cells, in the API's words.  ``v`` maps column to parsed value (None when blank).
    A ``historic`` row (from before the tracker) need not have a category, nor an outcome to be closed."""
    problems: list[ValidationError] = []
    received = v["received"]
    if received > today:
        problems.append(ValidationError("received", _uk(received), f"a date no later than today ({_uk(today)})",
                                        row=row))
    for column in events:
        d = v[column]
        if d is not None and (d < received or d > today):
            problems.append(ValidationError(column, _uk(d), f"a date from the received date {_uk(received)} to today "
                                            f"({_uk(today)})", row=row))
    dob = v.get("subject_dob")
    if dob is not None and dob >= received:
        problems.append(ValidationError("subject_dob", _uk(dob), f"a date of birth before the contact was received "
                                        f"({_uk(received)})", row=row))
    requested, got = v.get("employer_report_requested"), v.get("employer_report_received")
    if requested and got and got < requested:
        problems.append(ValidationError("employer_report_received", _uk(got), f"a date on or after the report was "
                                        f"requested ({_uk(requested)})", row=row))
    outcome, closed = v.get("outcome"), v.get("closed")
    if outcome is not None or closed is not None:
        category = Category(v["category"]) if v.get("category") else None
        if closed is None:
            problems.append(ValidationError("closed", "", "a closing date: the row has an outcome", row=row))
        elif category is not None:
            if outcome is None and category is Category.ENQUIRY:
                v["outcome"] = outcome = Outcome.ADVICE_GIVEN.value
            problem = closing_problem(category, Outcome(outcome) if outcome else None)
            if problem is not None and not (historic and outcome is None):
                problems.append(ValidationError(*problem, row=row))
    first = v.get("first_category")
    if first is not None and first != v["category"] and v.get("category_changed") is None:
        problems.append(ValidationError("category_changed", "", f"the date the category changed from {first} "
                                        f"to {v['category']}", row=row))
    return problems


def uncategorised_problem(v: dict[str, Any]) -> Optional[str]:
    """What a row with a blank category needs, or None where blank is right: an open contact not yet
    categorised goes in uncategorised, as `contact add` without --category logs it, to be decided with
    `categorise`.  A closed one (or one with an outcome or a first category) needs its category."""
    if v.get("first_category") is not None:
        why = f"the category the contact changed to from {v['first_category']}"
    elif v.get("closed") is not None or v.get("outcome") is not None:
        why = "a category: a contact is categorised before it is closed"
    else:
        return None
    return (f"one of: enquiry, consultation, referral ({why}; blank only for an open contact not yet "
            f"categorised; a row from before the tracker, whose category was never recorded, can be imported as "
            f"historic: --historic-before DATE)")


def _uk(iso: str) -> str:
    return fmt(date.fromisoformat(iso))


# --- records: a new contact's history, a change to a stored one, the record as it will be stored ------

def new_history(v: dict[str, Any], user: str, source: str, number: int) -> list[Doc]:
    """The category history of a new contact: its categorisation, and a change if the row records one."""
    received, category, first = v["received"], v["category"], v.get("first_category")
    note = v.get("rationale") or f"as recorded in {source}, row {number}"
    if first is None or first == category:
        return [{"on": received, "user": user, "kind": "categorised", "to": category, "rationale": note, "from": None}]
    kind = "escalated" if Category(category).rank > Category(first).rank else "stepped_down"
    return [{"on": received, "user": user, "kind": "categorised", "to": first,
             "rationale": f"as recorded in {source}, row {number}", "from": None},
            {"on": v["category_changed"], "user": user, "kind": kind, "to": category, "rationale": note,
             "from": first}]


def merge_rules(existing: Doc, doc: Doc, v: dict[str, Any], user: str, today: str, number: int) -> None:
    """The workflow rules for a row that changes a stored contact (the same as the tracker's steps)."""
    was_closed = existing.get("closed_on")
    if was_closed is not None:
        if doc.get("closed_on") is None:
            raise ValidationError("closed", "", f"the closing date {fmt(date.fromisoformat(was_closed))}: the "
                                  f"contact is closed, and reopening needs `reopen` with a reason", row=number)
        for field, column in (("closed_on", "closed"), ("outcome", "outcome"), ("category", "category")):
            if doc.get(field) != existing.get(field):
                raise ValidationError(column, v.get(column) or "", f"'{existing.get(field)}' as stored: the contact "
                                      f"is closed; reopen it with a reason to change its {column}", row=number)
    old, new = existing.get("category"), doc.get("category")
    if new is None and old is not None:
        raise ValidationError("category", "", f"'{old}' as stored, or another category with a rationale: a "
                              f"categorised contact is not made uncategorised again", row=number)
    if new != old:
        if not v.get("rationale"):
            raise ValidationError("rationale", "", f"a rationale for changing the category from {old} to {new} "
                                  f"(an escalation needs a reason, a step-down a rationale)", row=number)
        kind = ("categorised" if old is None else
                "escalated" if Category(new).rank > Category(old).rank else "stepped_down")
        doc["category_history"] = list(existing.get("category_history") or ()) + [
            {"on": today, "user": user, "kind": kind, "to": new, "rationale": v["rationale"], "from": old}]


def final_check(doc: Doc, number: Optional[int]) -> None:
    """Rules on the record as it will be stored (new, or merged with what the store holds)."""
    closed = doc.get("closed_on")
    if closed is None or doc.get("category") != "consultation":
        return
    got = doc.get("employer_report_received_on")
    if got is None:
        raise ValidationError("employer_report_received", "", "the date the employer's report was received: a "
                              "consultation closes with the employer's outcome once its report is in (a row from "
                              "before the tracker, whose log never recorded it, can be imported as historic: "
                              "--historic-before DATE)", row=number)
    if got > closed:
        raise ValidationError("closed", fmt(date.fromisoformat(closed)),
                              f"a date on or after the employer's report was received "
                              f"({fmt(date.fromisoformat(got))})", row=number)
