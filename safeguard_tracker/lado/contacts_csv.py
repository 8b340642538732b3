"""Contacts in and out: CSV as spreadsheets write it, and JSON that round-trips losslessly.

Import is **all or nothing**: every row is checked first and every problem is
listed (row number, column, value, what is accepted, the nearest agency
names); if there is one, ``ImportFailed`` is raised and nothing is written.
Otherwise the whole file is one store transaction.  Rows with a ``reference``
upsert, so re-importing a file changes nothing; a row that would change a stored
contact is checked against the contact's ``revision`` first (see ``importing``:
a row exported before someone else's change is a conflict, and a row without a
revision is applied only with ``overwrite=True``).  A row without a reference is added,
unless a contact already in the store has the same identifying details
(received date, agency and every one of summary, subject, employer and
referrer columns the file has): then it is the same spreadsheet row imported
before, and it is left alone ("already in the store"), so re-importing a
spreadsheet that never had references does not duplicate either.

Every field is checked by the API's own rules (``ContactsMixin.clean_contact_field``), so a
bad value reads the same however it came in.  Speed matters (100,000 rows): each distinct
cell value is checked once and the result reused, and each row is turned straight
into the stored document (the same dict that ``convert.to_doc`` makes from a
Contact; a test holds them equal), never into model objects and back.

Columns (headers in any case and spacing; aliases such as "Date received"):

* required: ``received``, ``agency``, ``category``
* optional: ``reference``, ``revision`` (as exported), ``summary``, ``harm``, ``threshold``, ``subject_name``,
  ``subject_role``, ``employer``, ``subject_dob``, ``referrer``, ``referrer_role``,
  ``referrer_organisation``, ``case_manager``, ``children_count``, ``children_ages``,
  ``responded``, ``police_involved``, ``police_reference``, ``s47_strategy``,
  ``disciplinary``, ``employer_report_requested``, ``employer_report_received``,
  ``employer_outcome``, ``outcome``, ``closed``, ``rationale``, ``first_category``,
  ``category_changed``
* written by the export for reading only, and ignored on import: ``status``,
  ``escalated``, ``jem_held``, ``meetings``, ``suspension``, ``regulator_referrals``,
  ``reopened``
"""

from __future__ import annotations

import csv
import json
import operator
import re
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Optional

import attrs

from ..convert import from_doc, to_doc
from ..dates import fmt
from ..errors import ValidationError
from ..model import Category, Contact, Outcome
from ..store.format import gc_paused
from ..validation.contact import SIMPLE_FIELDS, closing_problem
from .contacts import ContactService
from .search import ContactFilter
from ..io.csvfiles import import_failed, open_table, unguard, write_csv
from ..io.importing import (HISTORY, ImportResult, changed_fields, conflict_problem,
                        describe_structure_error, keep_history, parse_revision, read_json_file,
                        record_shape_problem, unstorable)

TABLE = "contacts"
JSON_FORMAT = "safeguard-tracker/contacts"
JSON_VERSION = 1
_REF = re.compile(r"^L-\d{4}-\d+$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

REQUIRED = ("received", "agency", "category")

# column -> where it lives in the stored document
PATHS: dict[str, tuple[str, ...]] = {
    "received": ("received_on",), "agency": ("agency",), "category": ("category",),
    "summary": ("summary",), "harm": ("harm",), "threshold": ("threshold",),
    "subject_name": ("subject", "name"), "subject_role": ("subject", "role"),
    "employer": ("subject", "employer"), "subject_dob": ("subject", "date_of_birth"),
    "referrer": ("referrer", "name"), "referrer_role": ("referrer", "role"),
    "referrer_organisation": ("referrer", "organisation"),
    "case_manager": ("case_manager",), "children_count": ("children_count",),
    "children_ages": ("children_ages",), "responded": ("responded_on",),
    "police_involved": ("police_involved",), "police_reference": ("police_reference",),
    "s47_strategy": ("s47_strategy_on",), "disciplinary": ("disciplinary",),
    "employer_report_requested": ("employer_report_requested_on",),
    "employer_report_received": ("employer_report_received_on",),
    "employer_outcome": ("employer_outcome",), "outcome": ("outcome",), "closed": ("closed_on",),
}
COLUMN_OF = {path: column for column, path in PATHS.items()}
# Columns that identify a contact imported from a file without references (see _identity_index).
IDENTITY_COLUMNS = ("received", "agency", "summary", "subject_name", "subject_role", "employer", "subject_dob",
                    "referrer", "referrer_role", "referrer_organisation")

# Columns about the record's history rather than its fields: used when a contact is created.
HISTORY_COLUMNS = ("rationale", "first_category", "category_changed")
EXPORT_ONLY = ("status", "escalated", "jem_held", "meetings", "suspension", "regulator_referrals", "reopened")
KNOWN = ("reference", "revision") + tuple(PATHS) + HISTORY_COLUMNS + EXPORT_ONLY

ALIASES = {
    "ref": "reference", "lado_reference": "reference", "id": "reference", "rev": "revision",
    "received_on": "received", "date_received": "received", "received_date": "received", "date": "received",
    "employer_agency": "agency", "agency_type": "agency",
    "closed_on": "closed", "date_closed": "closed", "closed_date": "closed",
    "harm_category": "harm", "category_of_harm": "harm", "harm_type": "harm",
    "name": "subject_name", "subject": "subject_name", "subject_role_title": "subject_role", "role": "subject_role",
    "job_title": "subject_role", "employer_name": "employer", "setting": "employer",
    "dob": "subject_dob", "date_of_birth": "subject_dob", "subject_date_of_birth": "subject_dob",
    "referrer_name": "referrer", "referrer_organization": "referrer_organisation",
    "responded_on": "responded", "response": "responded",
    "police": "police_involved", "s47": "s47_strategy", "s47_strategy_on": "s47_strategy",
    "employer_report_requested_on": "employer_report_requested",
    "employer_report_received_on": "employer_report_received",
    "threshold_limbs": "threshold", "initial_category": "first_category",
    "escalated_on": "category_changed", "escalation_date": "category_changed",
    "category_changed_on": "category_changed", "children": "children_count", "number_of_children": "children_count",
}


# --- cell parsers: text in, JSON-safe value out, ValidationError on bad input ----------------------

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


def _converters(contacts: ContactService) -> dict[str, Callable[[str, str], Any]]:
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

    def choice(enum: type, required: bool = False) -> Callable[[str, str], Any]:
        def parse(column: str, text: str) -> Optional[str]:
            if not text:
                if required:
                    raise ValidationError(column, "", "one of: " + ", ".join(m.value for m in enum) + " is required")
                return None
            return enum.parse(text, column).value
        return parse

    table: dict[str, Callable[[str, str], Any]] = {c: by_api for c in API_FIELDS}
    table.update(category=choice(Category, required=True), first_category=choice(Category), outcome=choice(Outcome),
                 revision=lambda column, text: parse_revision(text, column))
    return {column: guard(fn) for column, fn in table.items()}


def _blank_doc() -> dict:
    return to_doc(Contact(reference="", received_on=date(2000, 1, 1), agency=""))


def _row_rules(v: dict[str, Any], row: int, today: str, events: tuple[str, ...]) -> list[ValidationError]:
    """The rules across a row's cells, in the API's words.  ``v`` maps column to parsed value (None when blank)."""
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
        category = Category(v["category"])
        if closed is None:
            problems.append(ValidationError("closed", "", "a closing date: the row has an outcome", row=row))
        else:
            if outcome is None and category is Category.ENQUIRY:
                v["outcome"] = outcome = Outcome.ADVICE_GIVEN.value
            problem = closing_problem(category, Outcome(outcome) if outcome else None)
            if problem is not None:
                problems.append(ValidationError(*problem, row=row))
    first = v.get("first_category")
    if first is not None and first != v["category"] and v.get("category_changed") is None:
        problems.append(ValidationError("category_changed", "", f"the date the category changed from {first} "
                                        f"to {v['category']}", row=row))
    return problems


def _uk(iso: str) -> str:
    return fmt(date.fromisoformat(iso))


def _column_name(path: tuple[str, ...]) -> str:
    """A stored document's path as the CSV's column ('subject', 'name' -> 'subject_name')."""
    return COLUMN_OF.get(path) or ".".join(path)


# --- import ------------------------------------------------------------------------------------------

def import_contacts(contacts: ContactService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
    """Import contacts from a CSV file (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored contacts (see ``importing``).
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return import_contacts_json(contacts, path, dry_run=dry_run, overwrite=overwrite)
    # An import makes millions of small containers and no reference cycles: the cyclic GC is kept
    # out (it re-walked the growing heap, a third of the time at 100,000 rows), and what was built
    # is frozen out of its sight afterwards instead of being walked once more when it comes back on.
    with gc_paused(freeze=True):
        return _import_csv(contacts, path, dry_run, overwrite)


Parsed = tuple[int, Optional[str], dict[str, Any], Optional[int]]   # row, reference, values, revision


def _import_csv(contacts: ContactService, path: Path, dry_run: bool, overwrite: bool) -> ImportResult:
    source = path.name
    keys, reader = open_table(path, required=REQUIRED, aliases=ALIASES, known=KNOWN)
    width = len(keys)
    converters = _converters(contacts)
    today = contacts.ctx.today().isoformat()
    wanted = [(i, k) for i, k in enumerate(keys) if k and k not in EXPORT_ONLY and k not in ("reference", "revision")]
    columns = [k for _, k in wanted]
    ignored = tuple(k for k in dict.fromkeys(keys) if k in EXPORT_ONLY)
    events = tuple(c for c in EVENT_COLUMNS if c in columns)
    problems: list[str] = []

    # 1. The rows, padded to the header's width; blank lines (spreadsheets leave them) dropped.
    numbers: list[int] = []
    rows: list[list[str]] = []
    number = 1
    try:
        for number, cells in enumerate(reader, start=2):
            if len(cells) != width:
                if len(cells) > width and any(c.strip() for c in cells[width:]):
                    problems.append(f"row {number}: has {len(cells)} cells but the header names {width} columns")
                    continue
                cells = (cells + [""] * width)[:width]
            if "".join(cells).strip():
                rows.append(cells)
                numbers.append(number)
    except csv.Error as exc:
        problems.append(f"row {number + 1}: {exc}")
    else:
        reader.check(number)
    if problems:
        raise import_failed(problems, source=source)

    # 2. Column by column: each distinct value is converted once, and map() applies the results.
    #    A file repeats the same few hundred dates, agencies and categories, so this is most of
    #    the speed.  Converters *return* ValidationErrors, which are reported by row below.
    by_column = list(zip(*rows)) if rows else [() for _ in keys]
    del rows
    bad: dict[int, list[ValidationError]] = {}

    def convert_column(i: int, column: str) -> list[Any]:
        cells = list(map(str.strip, by_column[i]))
        convert = converters[column]
        cache = {text: convert(column, text) for text in set(cells)}
        for text, value in cache.items():
            if value.__class__ is ValidationError:
                for j in (j for j, t in enumerate(cells) if t == text):
                    bad.setdefault(j, []).append(ValidationError(column, value.value, value.accepted, row=numbers[j]))
        return list(map(cache.__getitem__, cells))

    out: list[Any] = []
    for i, column in wanted:
        if column not in converters:                 # free text
            cells = list(map(str.strip, by_column[i]))
            if "\x00'" in "\x00" + "\x00".join(cells):  # a cell starting with ' (the export's defence)
                cells = list(map(unguard, cells))
            out.append(cells)
            continue
        values = convert_column(i, column)
        out.append([v if v.__class__ is ValidationError else list(v) for v in values]
                   if column in LIST_COLUMNS else values)
    refs: list[str] = (list(map(str.upper, map(str.strip, by_column[keys.index("reference")])))
                       if "reference" in keys else [""] * len(numbers))
    revisions: list[Any] = (convert_column(keys.index("revision"), "revision") if "revision" in keys
                            else [None] * len(numbers))
    del by_column

    # 3. Row by row: references, and the rules across a row's cells.
    parsed: list[Parsed] = []
    seen: dict[str, int] = {}
    for j, (number, ref, revision, row_values) in enumerate(zip(numbers, refs, revisions,
                                                                zip(*out) if out else ((),) * len(numbers))):
        row_bad = bad.get(j, [])
        if ref:
            if not _REF.match(ref):
                row_bad.append(ValidationError("reference", ref, "a reference like L-2018-0042, or blank to have "
                                               "one assigned", row=number))
            elif ref in seen:
                row_bad.append(ValidationError("reference", ref, f"a reference used once in the file (it is also on "
                                               f"row {seen[ref]})", row=number))
            else:
                seen[ref] = number
        elif revision is not None and revision.__class__ is not ValidationError:
            row_bad.append(ValidationError("reference", "", f"the reference of the contact that revision {revision} "
                                           f"belongs to", row=number))
        values = dict(zip(columns, row_values))
        if not row_bad:
            row_bad = _row_rules(values, number, today, events)
        if row_bad:
            order = ["reference", "revision"] + columns
            problems.extend(str(e) for e in sorted(row_bad, key=lambda e: order.index(e.field)
                                                   if e.field in order else -1))
            continue
        parsed.append((number, ref or None, values, revision))
    if problems:
        raise import_failed(problems, source=source)
    return _apply(contacts, source, parsed, columns, ignored, dry_run, overwrite)


def _apply(contacts: ContactService, source: str, parsed: list[Parsed], columns: list[str], ignored: tuple[str, ...],
           dry_run: bool, overwrite: bool) -> ImportResult:
    """Merge the checked rows into the store in one transaction (or only work out what would change)."""
    blank = _blank_doc()
    list_keys = [k for k, v in blank.items() if isinstance(v, list)]
    field_columns = [(c, PATHS[c]) for c in columns if c in PATHS]
    # For new contacts: which row values go where, as (keys, getter) pairs that dict.update can use.
    def getter(pairs: list[tuple[str, str]]) -> tuple[list[str], Callable[[dict], Any]]:
        cols = [c for c, _ in pairs]
        if not cols:
            return [], lambda v: ()
        pick = operator.itemgetter(*cols)
        return [k for _, k in pairs], (pick if len(cols) > 1 else lambda v: (pick(v),))
    top_keys, top_values = getter([(c, p[0]) for c, p in field_columns if len(p) == 1])
    subject_keys, subject_values = getter([(c, p[1]) for c, p in field_columns if p[0] == "subject"])
    referrer_keys, referrer_values = getter([(c, p[1]) for c, p in field_columns if p[0] == "referrer"])
    blank_subject, blank_referrer = blank["subject"], blank["referrer"]
    user, today = contacts.ctx.user, contacts.ctx.today().isoformat()
    added: list[str] = []
    updated: dict[str, tuple[str, ...]] = {}
    unchanged: list[str] = []
    overwritten: list[str] = []
    problems: list[str] = []
    explicit = {ref for _, ref, _, _ in parsed if ref}
    already: dict[int, str] = {}
    with contacts.ctx.store.transaction() as txn:
        identity = _identity_index(contacts.ctx.store.all(TABLE), columns, parsed)
        docs: list[tuple[str, dict]] = []
        for number, ref, v, revision in parsed:
            if ref is None and identity:
                seen = identity[1].get(tuple(v[c] for c in identity[0]))
                if seen is not None:
                    already[number] = seen
                    unchanged.append(seen)
                    continue
            existing = txn.get(TABLE, ref) if ref is not None else None
            if existing is None:
                doc = dict(blank)
                for k in list_keys:
                    doc[k] = []
                doc.update(zip(top_keys, top_values(v)))
                doc["subject"] = s_doc = dict(blank_subject)
                s_doc.update(zip(subject_keys, subject_values(v)))
                doc["referrer"] = r_doc = dict(blank_referrer)
                r_doc.update(zip(referrer_keys, referrer_values(v)))
                doc["category_history"] = _history(v, user, source, number)
                if doc["closed_on"] is not None and doc["category"] == "consultation":
                    try:
                        _final_check(doc, number)
                    except ValidationError as exc:
                        problems.append(str(exc))
                        continue
                named = ref
                while ref is None or (named is None and ref in explicit):   # not a reference another row names
                    ref = contacts.references.next(txn, date.fromisoformat(v["received"]))
                doc["reference"] = ref
                added.append(ref)
            else:
                doc = {k: (dict(x) if isinstance(x, dict) else x) for k, x in existing.items() if k != "_rev"}
                for column, path in field_columns:
                    _set(doc, path, v[column])
                if not changed_fields(existing, doc):
                    unchanged.append(ref)
                    continue
                problem = conflict_problem(contacts.ctx.store, f"row {number}", ref, existing, doc, revision,
                                           overwrite=overwrite, name=_column_name)
                if problem is not None:
                    problems.append(problem)
                    continue
                try:
                    _merge_rules(existing, doc, v, user, today, number)
                    _final_check(doc, number)
                except ValidationError as exc:
                    problems.append(str(exc))
                    continue
                updated[ref] = changed_fields(existing, doc)
                if revision is None:
                    overwritten.append(ref)
            docs.append((ref, doc))
        if problems or dry_run:
            contacts.references.abandoned()   # references handed out here were never used
        if problems:
            raise import_failed(problems, source=source)
        if not dry_run:
            put = txn.put
            for ref, doc in docs:
                put(TABLE, ref, doc)
    if not dry_run:
        contacts.references.committed()
    return ImportResult(source=source, rows=len(parsed), added=tuple(added), updated=updated,
                        unchanged=tuple(unchanged), dry_run=dry_run, ignored_columns=ignored,
                        without_reference=sum(1 for number, ref, _, _ in parsed
                                              if ref is None and number not in already),
                        already=already, overwritten=tuple(overwritten))


def _identity_index(docs: dict[str, dict], columns: list[str],
                    parsed: list[Parsed]) -> Optional[tuple[list[str], dict]]:
    """For rows without a reference: the contacts already stored, keyed by their identifying details.

    Only when the file has received, agency and at least one descriptive
    column: a date and an agency alone would merge different contacts.
    """
    if all(ref is not None for _, ref, _, _ in parsed):
        return None
    cols = [c for c in IDENTITY_COLUMNS if c in columns]
    if len(cols) < 3:
        return None
    paths = [PATHS[c] for c in cols]
    index: dict[tuple, str] = {}
    for ref, d in docs.items():
        key = tuple(d[p[0]] if len(p) == 1 else (d.get(p[0]) or {}).get(p[1]) for p in paths)
        index.setdefault(key, ref)
    return cols, index


def _set(doc: dict, path: tuple[str, ...], value: Any) -> None:
    if len(path) == 1:
        doc[path[0]] = value
    else:
        doc[path[0]][path[1]] = value


def _history(v: dict[str, Any], user: str, source: str, number: int) -> list[dict]:
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


def _merge_rules(existing: dict, doc: dict, v: dict[str, Any], user: str, today: str, number: int) -> None:
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
    if new != old:
        if not v.get("rationale"):
            raise ValidationError("rationale", "", f"a rationale for changing the category from {old} to {new} "
                                  f"(an escalation needs a reason, a step-down a rationale)", row=number)
        kind = ("categorised" if old is None else
                "escalated" if Category(new).rank > Category(old).rank else "stepped_down")
        doc["category_history"] = list(existing.get("category_history") or ()) + [
            {"on": today, "user": user, "kind": kind, "to": new, "rationale": v["rationale"], "from": old}]


def _final_check(doc: dict, number: Optional[int]) -> None:
    """Rules on the record as it will be stored (new, or merged with what the store holds)."""
    closed = doc.get("closed_on")
    if closed is None or doc.get("category") != "consultation":
        return
    got = doc.get("employer_report_received_on")
    if got is None:
        raise ValidationError("employer_report_received", "", "the date the employer's report was received: a "
                              "consultation closes with the employer's outcome once its report is in", row=number)
    if got > closed:
        raise ValidationError("closed", fmt(date.fromisoformat(closed)),
                              f"a date on or after the employer's report was received "
                              f"({fmt(date.fromisoformat(got))})", row=number)


# --- JSON -----------------------------------------------------------------------------------------------

# Fields the API's cleaner checks (in its words); the rest of a record is checked for its shape.
_CLEANED = frozenset(SIMPLE_FIELDS | {"subject", "referrer", "category", "outcome", "closed_on"})
_TEXT_FIELDS = ("summary", "case_manager", "police_reference", "disciplinary", "employer_outcome")
_PERSON_TEXT = {"subject": ("name", "role", "employer"), "referrer": ("name", "role", "organisation")}


def _json_contact(contacts: ContactService, rec: dict, ref: str) -> dict:
    """One record of a JSON file as the stored document, checked by the API's rules, or ValidationError.

    Text is kept exactly as the file has it (JSON round-trips losslessly); everything
    else is what the API would store for the same values.
    """
    body = {k: v for k, v in rec.items() if k not in ("revision", "_rev")}
    problem = record_shape_problem(body, Contact, skip=_CLEANED)
    if problem is not None:
        raise problem
    fields: dict[str, Any] = {name: body.get(name) for name in SIMPLE_FIELDS if name in body}
    fields.setdefault("received_on", None)
    fields.setdefault("agency", None)
    for person in ("subject", "referrer"):
        if body.get(person) is not None:
            fields[person] = body[person]
    cleaned = contacts.validator().clean_fields(fields, Contact(reference=ref, received_on=date(2000, 1, 1), agency=""))
    category = None if body.get("category") is None else Category.parse(body["category"], "category")
    outcome = None if body.get("outcome") is None else Outcome.parse(body["outcome"], "outcome")
    closed_on = contacts.validator().clean_field("closed_on", body.get("closed_on"))
    today = contacts.ctx.today()
    if closed_on is not None and not cleaned.received_on <= closed_on <= today:
        raise ValidationError("closed_on", fmt(closed_on), f"a date from the received date "
                              f"{fmt(cleaned.received_on)} to today ({fmt(today)})")
    rest = {k: v for k, v in body.items() if k not in _CLEANED}
    contact = from_doc(Contact, {**rest, "reference": ref, "received_on": cleaned.received_on.isoformat(),
                                 "agency": cleaned.agency})
    contact = attrs.evolve(cleaned, **{a.name: getattr(contact, a.name) for a in attrs.fields(Contact)
                                       if a.name not in _CLEANED and a.name not in ("received_on", "agency")},
                           category=category, outcome=outcome, closed_on=closed_on)
    if closed_on is not None:
        problem_args = closing_problem(category, outcome)
        if problem_args is not None:
            raise ValidationError(*problem_args)
    doc = to_doc(contact)
    _final_check(doc, None)
    for field in _TEXT_FIELDS:
        if isinstance(body.get(field), str):
            doc[field] = body[field]
    for person, keys in _PERSON_TEXT.items():
        raw = body.get(person)
        if isinstance(raw, dict):
            for key in keys:
                if isinstance(raw.get(key), str):
                    doc[person][key] = raw[key]
    return doc


def _json_records(data: Any, source: str) -> list:
    if isinstance(data, dict) and data.get("format") == JSON_FORMAT:
        if data.get("version") != JSON_VERSION:
            raise import_failed([f"{source}: version {data.get('version')!r} of {JSON_FORMAT}; this version reads "
                                f"version {JSON_VERSION}"], source=source)
        records = data.get("contacts")
    else:
        records = data
    if not isinstance(records, list):
        raise import_failed([f"{source}: expected a safeguard-tracker contacts export (an object with a 'contacts' "
                            f"list) or a list of contacts"], source=source)
    return records


def import_contacts_json(contacts: ContactService, path: str | Path, *, dry_run: bool = False,
                         overwrite: bool = False) -> ImportResult:
    """Import a JSON export: whole records, upserted by reference, all or nothing.

    Each record passes the API's rules; one whose contact changed in the store since the
    export (its ``revision`` is older) is a conflict; history is never removed.
    """
    path = Path(path)
    source = path.name
    records = _json_records(read_json_file(path), source)
    known = {a.name for a in attrs.fields(Contact)} - {"rev"}
    problems: list[str] = []
    docs: list[tuple[str, str, dict, Optional[int]]] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(records, 1):
        where = f"contacts[{i}]"
        if not isinstance(rec, dict):
            problems.append(f"{where}: expected an object, got {type(rec).__name__}")
            continue
        raw_ref = rec.get("reference")
        ref = raw_ref.strip().upper() if isinstance(raw_ref, str) else ""
        where += f" ({ref})" if ref else ""
        extra = sorted(set(rec) - known - {"revision", "_rev"}, key=str)
        if extra:
            problems.append(f"{where}: unknown field(s) {', '.join(map(str, extra))}; accepted: "
                            f"{', '.join(sorted(known | {'revision'}))}")
            continue
        if not _REF.match(ref):
            problems.append(f"{where}: reference {raw_ref!r} is not valid: a reference like L-2018-0042")
            continue
        if ref in seen:
            problems.append(f"{where}: reference {ref} appears twice (also contacts[{seen[ref]}])")
            continue
        seen[ref] = i
        try:
            revision = parse_revision(rec.get("revision", rec.get("_rev")))
            docs.append((where, ref, _json_contact(contacts, rec, ref), revision))
        except ValidationError as exc:
            problems.append(f"{where}: {exc}")
        except Exception as exc:  # cattrs reports what the shape check let through as assorted exceptions
            problems.append(f"{where}: {describe_structure_error(exc)}")
    problems += unstorable([(where, doc) for where, _, doc, _ in docs])
    if problems:
        raise import_failed(problems, source=source)
    return _apply_json(contacts, source, docs, dry_run, overwrite)


def _apply_json(contacts: ContactService, source: str, docs: list[tuple[str, str, dict, Optional[int]]], dry_run: bool,
                overwrite: bool) -> ImportResult:
    added: list[str] = []
    updated: dict[str, tuple[str, ...]] = {}
    unchanged: list[str] = []
    overwritten: list[str] = []
    problems: list[str] = []
    with contacts.ctx.store.transaction() as txn:
        staged: list[tuple[str, dict]] = []
        for where, ref, doc, revision in docs:
            existing = txn.get(TABLE, ref)
            if existing is None:
                added.append(ref)
            else:
                altered = keep_history(existing, doc, HISTORY[TABLE])
                changed = changed_fields(existing, doc)
                if not changed:
                    unchanged.append(ref)
                    continue
                problem = conflict_problem(contacts.ctx.store, where, ref, existing, doc, revision, overwrite=overwrite,
                                           altered=altered)
                if problem is not None:
                    problems.append(problem)
                    continue
                updated[ref] = changed
                if revision is None:
                    overwritten.append(ref)
            staged.append((ref, doc))
        if problems:
            raise import_failed(problems, source=source)
        if not dry_run:
            for ref, doc in staged:
                txn.put(TABLE, ref, doc)
    if not dry_run:
        contacts.references.committed()
    return ImportResult(source=source, rows=len(docs), added=tuple(added), updated=updated,
                        unchanged=tuple(unchanged), dry_run=dry_run, overwritten=tuple(overwritten))


# --- export ---------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "reference", "received", "agency", "category", "first_category", "category_changed", "rationale", "status",
    "escalated", "summary", "harm", "threshold", "subject_name", "subject_role", "employer", "subject_dob",
    "referrer", "referrer_role", "referrer_organisation", "case_manager", "children_count", "children_ages",
    "responded", "jem_held", "meetings", "police_involved", "police_reference", "s47_strategy", "suspension",
    "regulator_referrals", "disciplinary", "employer_report_requested", "employer_report_received",
    "employer_outcome", "outcome", "closed", "reopened", "revision",
)


def _csv_row(d: dict) -> list[Any]:
    s, r = d.get("subject") or {}, d.get("referrer") or {}
    history = d.get("category_history") or []
    first = history[0]["to"] if history else ""
    changed = history[-1]["on"] if len(history) > 1 else ""
    jems = [m["held_on"] for m in d.get("meetings") or () if m.get("kind") == "jem"]
    suspension = d.get("suspension") or []
    return [
        d["reference"], d["received_on"], d.get("agency", ""), d.get("category") or "",
        first if first != (d.get("category") or "") or changed else "", changed,
        history[-1]["rationale"] if history else "", "closed" if d.get("closed_on") else "open",
        "yes" if any(h.get("kind") == "escalated" for h in history) else "", d.get("summary", ""), d.get("harm") or "",
        ";".join(d.get("threshold") or ()), s.get("name", ""), s.get("role", ""), s.get("employer", ""),
        s.get("date_of_birth") or "", r.get("name", ""), r.get("role", ""), r.get("organisation", ""),
        d.get("case_manager", ""), "" if d.get("children_count") is None else d["children_count"],
        ";".join(str(a) for a in d.get("children_ages") or ()), d.get("responded_on") or "",
        min(jems) if jems else "", len(d.get("meetings") or ()), "yes" if d.get("police_involved") else "",
        d.get("police_reference", ""), d.get("s47_strategy_on") or "",
        f"{suspension[-1]['decision']} {suspension[-1]['on']}" if suspension else "",
        "; ".join(f"{x['body']} {x['on']}{' ' + x['reference'] if x.get('reference') else ''}"
                  for x in d.get("regulator_referrals") or ()),
        d.get("disciplinary", ""), d.get("employer_report_requested_on") or "",
        d.get("employer_report_received_on") or "", d.get("employer_outcome", ""), d.get("outcome") or "",
        d.get("closed_on") or "", len(d.get("reopenings") or ()) or "", d.get("_rev", ""),
    ]


def _selected(contacts: ContactService, year: Optional[str]) -> list[tuple[str, dict]]:
    docs = contacts.docs()
    if year:
        keys = ContactFilter.build(contacts.ctx.taxonomy, year=year).keys(docs)
    else:
        keys = list(docs)
    return [(k, docs[k]) for k in sorted(keys)]


def export_contacts(contacts: ContactService, fmt_: str = "csv", *, year: Optional[str] = None) -> str:
    """Every contact (or one financial year's) as CSV or JSON, each with its revision.

    CSV: one row a contact, ISO dates, every text cell defended against formula
    injection (numbers stay numbers).  It re-imports without change.  JSON: whole
    records, sorted, so that export -> import into an empty store -> export is identical
    but for the revisions, which are the store's.
    """
    chosen = _selected(contacts, year)
    if fmt_ == "csv":
        return write_csv(CSV_COLUMNS, (_csv_row(d) for _, d in chosen))
    if fmt_ == "json":
        records = [{**{k: v for k, v in d.items() if k != "_rev"}, "revision": d.get("_rev", 0)} for _, d in chosen]
        return json.dumps({"format": JSON_FORMAT, "version": JSON_VERSION, "contacts": records},
                          indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    raise ValidationError("format", fmt_, "csv or json")


def count_contacts(contacts: ContactService, year: Optional[str] = None) -> int:
    return len(_selected(contacts, year))


__all__ = ["CSV_COLUMNS", "ImportResult", "export_contacts", "import_contacts", "import_contacts_json", "unguard"]
