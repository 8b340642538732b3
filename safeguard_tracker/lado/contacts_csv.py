"""Contacts from a CSV file as spreadsheets write it (a file named .json is a JSON export: ``contacts_json``).

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

Every field is checked by the API's own rules (``contacts_rules``), so a bad value reads
the same however it came in.  Speed matters (100,000 rows): each distinct
cell value is checked once and the result reused, and each row is turned straight
into the stored document (the same dict that ``convert.to_doc`` makes from a
Contact; a test holds them equal), never into model objects and back.

The export (``contacts_export``) writes the same columns.

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

import operator
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from ..convert import to_doc
from ..errors import ValidationError
from ..model import Contact
from ..store.gc_pause import gc_paused
from ..store.protocol import Doc
from .contacts import ContactService
from .contacts_json import import_contacts_json
from .contacts_rules import (EVENT_COLUMNS, LIST_COLUMNS, REFERENCE, cell_converters, final_check, merge_rules,
                             new_history, row_rules)
from ..io.csvfiles import import_failed, read_cells, unguard
from ..io.importing import ImportResult, changed_fields, conflict_problem

TABLE = "contacts"

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


def _blank_doc() -> Doc:
    return to_doc(Contact(reference="", received_on=date(2000, 1, 1), agency=""))


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
    # 1. The rows, padded to the header's width; blank lines dropped, malformed rows refused.
    keys, numbers, rows = read_cells(path, required=REQUIRED, aliases=ALIASES, known=KNOWN, source=source)
    converters = cell_converters(contacts)
    today = contacts.ctx.today().isoformat()
    wanted = [(i, k) for i, k in enumerate(keys) if k and k not in EXPORT_ONLY and k not in ("reference", "revision")]
    columns = [k for _, k in wanted]
    ignored = tuple(k for k in dict.fromkeys(keys) if k in EXPORT_ONLY)
    events = tuple(c for c in EVENT_COLUMNS if c in columns)
    problems: list[str] = []

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
        converted = convert_column(i, column)
        out.append([v if v.__class__ is ValidationError else list(v) for v in converted]
                   if column in LIST_COLUMNS else converted)
    refs: list[str] = (list(map(str.upper, map(str.strip, by_column[keys.index("reference")])))
                       if "reference" in keys else [""] * len(numbers))
    revisions: list[Any] = (convert_column(keys.index("revision"), "revision") if "revision" in keys
                            else [None] * len(numbers))
    by_column.clear()                 # the cells are converted: let them go

    # 3. Row by row: references, and the rules across a row's cells.
    parsed: list[Parsed] = []
    seen: dict[str, int] = {}
    for j, (number, ref, revision, row_values) in enumerate(zip(numbers, refs, revisions,
                                                                zip(*out) if out else ((),) * len(numbers))):
        row_bad = bad.get(j, [])
        if ref:
            if not REFERENCE.match(ref):
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
            row_bad = row_rules(values, number, today, events)
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
    def getter(pairs: list[tuple[str, str]]) -> tuple[list[str], Callable[[Doc], Any]]:
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
        docs: list[tuple[str, Doc]] = []
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
                doc["category_history"] = new_history(v, user, source, number)
                if doc["closed_on"] is not None and doc["category"] == "consultation":
                    try:
                        final_check(doc, number)
                    except ValidationError as exc:
                        problems.append(str(exc))
                        continue
                named = ref
                while ref is None or (named is None and ref in explicit):   # not a reference another row names
                    ref = contacts.references.next(txn, date.fromisoformat(v["received"]))
                doc["reference"] = ref
                added.append(ref)
            else:
                assert ref is not None                    # only a row with a reference finds a stored contact
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
                    merge_rules(existing, doc, v, user, today, number)
                    final_check(doc, number)
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


def _identity_index(docs: Mapping[str, Doc], columns: list[str],
                    parsed: list[Parsed]) -> Optional[tuple[list[str], dict[tuple[Any, ...], str]]]:
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
    index: dict[tuple[Any, ...], str] = {}
    for ref, d in docs.items():
        key = tuple(d[p[0]] if len(p) == 1 else (d.get(p[0]) or {}).get(p[1]) for p in paths)
        index.setdefault(key, ref)
    return cols, index


def _set(doc: Doc, path: tuple[str, ...], value: Any) -> None:
    if len(path) == 1:
        doc[path[0]] = value
    else:
        doc[path[0]][path[1]] = value


__all__ = ["ImportResult", "import_contacts", "unguard"]
