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
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from ..convert import to_doc
from ..errors import ValidationError
from ..model import Contact
from ..progress import NO_PROGRESS, Progress, counted
from ..store.gc_pause import gc_paused
from ..store.protocol import Doc
from .contacts import ContactService
from .contacts_json import import_contacts_json
from .contacts_rules import (EVENT_COLUMNS, LIST_COLUMNS, REFERENCE, cell_converters, final_check, merge_rules,
                             new_history, row_rules, uncategorised_problem)
from ..io.csvfiles import import_failed, read_cells, unguard
from ..io.importing import ImportResult, changed_fields, conflict_problem
from ..io.csvfiles import header_key
from ..io.mapping import EXTRA, EXTRA_PREFIX, IGNORE, ImportMapping, unknown_columns_problem
from ..folding import fold

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
    "legacy_reference": ("legacy_reference",), "historic": ("historic",),
}
COLUMN_OF = {path: column for column, path in PATHS.items()}
# Columns that identify a contact imported from a file without references (see _identity_index).
IDENTITY_COLUMNS = ("received", "agency", "summary", "subject_name", "subject_role", "employer", "subject_dob",
                    "referrer", "referrer_role", "referrer_organisation")

# Columns about the record's history rather than its fields: used when a contact is created.
HISTORY_COLUMNS = ("rationale", "first_category", "category_changed")
EXPORT_ONLY = ("status", "escalated", "jem_held", "meetings", "suspension", "regulator_referrals", "reopened",
               "extra")
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
# The headings LADO spreadsheets use (the councils' own words), in any case and spacing.  A heading
# could mean two things in two councils ("Nature of concern": a harm in one, a summary in another);
# those are left out, and the dry run proposes a field by what the column holds.
SYNONYMS = {
    # the council's reference (not ours: kept as the legacy reference)
    "lado_ref": "reference", "lado_ref_no": "reference", "ref_no": "reference", "reference_number": "reference",
    "case_no": "reference", "case_number": "reference", "case_ref": "reference", "lado_number": "reference",
    "lado_id": "reference", "lado_case_number": "reference", "lado_case_ref": "reference",
    "legacy_ref": "legacy_reference", "old_reference": "legacy_reference",
    # dates
    "date_of_referral": "received", "referral_date": "received", "date_referred": "received",
    "date_of_contact": "received", "contact_date": "received", "date_contact_received": "received",
    "date_referral_received": "received", "date_received_by_lado": "received", "date_reported": "received",
    "date_lado_notified": "received", "date_notified": "received", "date_lado_informed": "received",
    "date_of_notification": "received", "notification_date": "received",
    "date_of_outcome": "closed", "outcome_date": "closed", "closure_date": "closed", "date_case_closed": "closed",
    "case_closed": "closed", "date_of_closure": "closed",
    "employer_report_received_date": "employer_report_received", "employer_outcome_received": "employer_report_received",
    "date_employer_report_received": "employer_report_received", "report_received": "employer_report_received",
    "date_of_first_response": "responded", "first_response": "responded",
    "strategy_discussion": "s47_strategy", "date_of_strategy_discussion": "s47_strategy",
    # the agency and who referred
    "employment_sector": "agency", "sector": "agency", "employer_sector": "agency", "organisation_type": "agency",
    "organization_type": "agency", "employer_type": "agency", "employing_agency": "agency", "setting_type": "agency",
    "type_of_setting": "agency", "type_of_employer": "agency", "agency_sector": "agency", "service_area": "agency",
    "referring_agency": "referrer_organisation", "referrer_agency": "referrer_organisation",
    "source_of_referral": "referrer_organisation", "referral_source": "referrer_organisation",
    "referred_by": "referrer", "referrer_job_title": "referrer_role",
    # the adult
    "name_of_adult": "subject_name", "adult_name": "subject_name", "name_of_person": "subject_name",
    "person_subject_of_allegation": "subject_name", "name_of_staff_member": "subject_name",
    "subject_of_allegation": "subject_name", "position": "subject_role", "occupation": "subject_role",
    "job_role": "subject_role", "role_of_adult": "subject_role", "role_of_person": "subject_role",
    "employer": "employer", "name_of_employer": "employer", "setting_name": "employer", "employer_name_setting": "employer",
    "establishment": "employer", "name_of_setting": "employer", "organisation": "employer", "organisation_name": "employer",
    "date_of_birth_of_adult": "subject_dob",
    # what it is
    "allegation_type": "harm", "type_of_allegation": "harm", "category_of_abuse": "harm", "type_of_abuse": "harm",
    "abuse_type": "harm", "category_of_harm": "harm", "harm_category": "harm",
    "contact_type": "category", "type_of_contact": "category", "lado_category": "category",
    "contact_category": "category",
    "details": "summary", "description": "summary", "brief_details": "summary", "allegation_details": "summary",
    "nature_of_allegation": "summary", "details_of_allegation": "summary",
    # what happened
    "police_involvement": "police_involved", "police_y_n": "police_involved", "police_investigation": "police_involved",
    "police_involved_y_n": "police_involved",
    "outcome_of_investigation": "outcome", "result": "outcome", "allegation_outcome": "outcome",
    "lado_outcome": "outcome", "outcome_of_allegation": "outcome", "conclusion": "outcome",
    "employer_action": "employer_outcome", "outcome_for_employer": "employer_outcome",
    "disciplinary_outcome": "disciplinary", "disciplinary_action": "disciplinary", "hr_outcome": "disciplinary",
    # shortened headings
    "date_rec_d": "received", "date_recd": "received", "d_o_b": "subject_dob", "lado_no": "reference",
    "employer_setting": "employer",
}
HEADINGS = {**ALIASES, **SYNONYMS}


def _blank_doc() -> Doc:
    return to_doc(Contact(reference="", received_on=date(2000, 1, 1), agency=""))


def _column_name(path: tuple[str, ...]) -> str:
    """A stored document's path as the CSV's column ('subject', 'name' -> 'subject_name')."""
    return COLUMN_OF.get(path) or ".".join(path)


# --- import ------------------------------------------------------------------------------------------

def import_contacts(contacts: ContactService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False,
                    mapping: Optional[ImportMapping] = None, sheet: Optional[str] = None,
                    progress: Progress = NO_PROGRESS) -> ImportResult:
    """Import contacts from a CSV file or an Excel workbook (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored contacts (see ``importing``).  ``mapping``
    reads a council's own headings and words (``io.mapping``); ``sheet`` chooses a workbook's sheet.
    ``progress`` is told of each phase: reading, the columns, the rows checked, the rows stored, saving.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return import_contacts_json(contacts, path, dry_run=dry_run, overwrite=overwrite)
    # An import makes millions of small containers and no reference cycles: the cyclic GC is kept
    # out (it re-walked the growing heap, a third of the time at 100,000 rows), and what was built
    # is frozen out of its sight afterwards instead of being walked once more when it comes back on.
    with gc_paused(freeze=True):
        return _import_csv(contacts, path, dry_run, overwrite, mapping, sheet, progress)


class Headings(dict[str, str]):
    """header_key -> the column a heading fills: the mapping's word first, then the usual LADO headings;
    a heading neither knows is kept as an extra field when the mapping says so or ``keep`` is set."""

    def __init__(self, mapping: Optional[ImportMapping], keep: bool = False):
        super().__init__(HEADINGS)
        self.mapping, self.keep = mapping, keep

    def get(self, key: str, default: Any = None) -> Any:
        said = self.mapping.key_for(key, _column) if self.mapping is not None else None
        if said is not None:
            return said
        found = super().get(key)
        if found is not None:
            return found
        if key in KNOWN:
            return key
        return EXTRA_PREFIX + key if self.keep else default


def check_mapping_columns(mapping: Optional[ImportMapping]) -> None:
    """Refuse a mapping that sends a column to a field contacts do not have, naming the column."""
    if mapping is None:
        return
    fields = set(KNOWN) - set(EXPORT_ONLY)
    for heading, target in mapping.columns.items():
        if target in (EXTRA, IGNORE):
            continue
        if _column(target) not in fields:
            raise ValidationError(f"--map '{heading}={target}'", target, "a contacts field (" + ", ".join(
                sorted(fields)) + "), 'extra' to keep the column on each record, or 'ignore'")


def _extra_headings(keys: list[str], headings: list[str]) -> dict[str, str]:
    """extra:key -> the heading as the file spells it."""
    return {k: h for k, h in zip(keys, headings) if k.startswith(EXTRA_PREFIX)}


def _column(target: str) -> str:
    """A mapping's target ("Date of referral", "received") as the contacts column it names."""
    key = header_key(target)
    return HEADINGS.get(key, key)


Parsed = tuple[int, Optional[str], dict[str, Any], Optional[int]]   # row, reference, values, revision
# Keys a row's values carry beside its columns: the council's reference, the historic mark, extra fields.
LEGACY, HISTORIC, EXTRA_KEY = "\x00legacy", "\x00historic", "\x00extra"
OURS = re.compile(r"^L-\d")           # looks like one of ours: must then be one, not a legacy reference


def _import_csv(contacts: ContactService, path: Path, dry_run: bool, overwrite: bool,
                mapping: Optional[ImportMapping] = None, sheet: Optional[str] = None,
                progress: Progress = NO_PROGRESS) -> ImportResult:
    source = path.name
    # 1. The rows, padded to the header's width; blank lines dropped, malformed rows refused.
    check_mapping_columns(mapping)
    headings: list[str] = []
    progress.start(f"reading {source}", None)
    try:
        keys, numbers, rows = read_cells(
            path, required=REQUIRED, aliases=Headings(mapping), known=None, source=source,
            sheet=sheet if sheet is not None else (mapping.sheet or None) if mapping else None, headings=headings)
    finally:
        progress.done()
    unknown = unknown_columns_problem(keys, headings, KNOWN, EXPORT_ONLY, mapping)
    if unknown is not None:
        raise import_failed([unknown], source=source)
    extra_names = _extra_headings(keys, headings)
    # A column read through the council's own heading is named by it too: "harm (their 'Allegation type')".
    named = {k: f"{k} (their '{h}')" for k, h in zip(keys, headings)
             if k and not k.startswith(EXTRA_PREFIX) and header_key(h) != k and header_key(h) not in ALIASES}
    converters = cell_converters(contacts)
    today = contacts.ctx.today().isoformat()
    historic_before = mapping.historic_before.isoformat() if mapping and mapping.historic_before else None
    value_maps = {c: m for c in set(keys) if mapping is not None and (m := mapping.value_map(c))}
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
        if column in value_maps:                          # the council's words for the entries ("Founded")
            words = value_maps[column]
            seen = {t: words.get(fold(t), t) if t else t for t in set(cells)}
            cells = list(map(seen.__getitem__, cells))
        convert = converters[column]
        cache = {text: convert(column, text) for text in set(cells)}
        for text, value in cache.items():
            if value.__class__ is ValidationError:
                for j in (j for j, t in enumerate(cells) if t == text):
                    bad.setdefault(j, []).append(ValidationError(named.get(column, column), value.value,
                                                                 value.accepted, row=numbers[j]))
        return list(map(cache.__getitem__, cells))

    out: list[Any] = []
    for i, column in counted(wanted, len(wanted), progress, "converting the columns"):
        if column not in converters:                 # free text
            cells = list(map(str.strip, by_column[i]))
            if "\x00'" in "\x00" + "\x00".join(cells):  # a cell starting with ' (the export's defence)
                cells = list(map(unguard, cells))
            out.append(cells)
            continue
        converted = convert_column(i, column)
        out.append([v if v.__class__ is ValidationError else list(v) for v in converted]
                   if column in LIST_COLUMNS else converted)
    raw_refs: list[str] = (list(map(str.strip, by_column[keys.index("reference")])) if "reference" in keys
                           else [""] * len(numbers))
    refs: list[str] = list(map(str.upper, raw_refs))
    revisions: list[Any] = (convert_column(keys.index("revision"), "revision") if "revision" in keys
                            else [None] * len(numbers))
    by_column.clear()                 # the cells are converted: let them go

    # 3. Row by row: references, and the rules across a row's cells.
    parsed: list[Parsed] = []
    seen: dict[str, int] = {}
    legacy_seen: dict[str, int] = {}
    extra_cols = [c for c in columns if c.startswith(EXTRA_PREFIX)]
    for j, (number, ref, revision, row_values) in enumerate(counted(
            zip(numbers, refs, revisions, zip(*out) if out else ((),) * len(numbers)), len(numbers), progress,
            "checking the rows")):
        row_bad = bad.get(j, [])
        legacy = ""
        if ref and not REFERENCE.match(ref) and not OURS.match(ref):
            legacy, ref = raw_refs[j], ""                 # the council's own reference: kept beside ours
            if len(legacy) > 100:
                row_bad.append(ValidationError("reference", legacy[:40] + "\u2026", "a reference of at most 100 "
                                               "characters", row=number))
            elif legacy.casefold() in legacy_seen:
                row_bad.append(ValidationError("reference", legacy, f"a reference used once in the file (it is "
                                               f"also on row {legacy_seen[legacy.casefold()]})", row=number))
            else:
                legacy_seen[legacy.casefold()] = number
        if ref:
            if not REFERENCE.match(ref):
                row_bad.append(ValidationError("reference", ref, "a reference like L-2018-0042, another system's "
                                               "reference (kept as the legacy reference), or blank to have one "
                                               "assigned", row=number))
            elif ref in seen:
                row_bad.append(ValidationError("reference", ref, f"a reference used once in the file (it is also on "
                                               f"row {seen[ref]})", row=number))
            else:
                seen[ref] = number
        elif revision is not None and revision.__class__ is not ValidationError:
            row_bad.append(ValidationError("reference", "", f"the reference of the contact that revision {revision} "
                                           f"belongs to", row=number))
        values = dict(zip(columns, row_values))
        historic = historic_before is not None and isinstance(values.get("received"), str) \
            and values["received"] < historic_before
        if values.get("historic"):
            historic = True
        if values.get("category") is None and not historic and not any(e.field == "category" for e in row_bad):
            problem = uncategorised_problem(values)
            if problem:
                row_bad.append(ValidationError("category", "", problem, row=number))
        if not row_bad:
            row_bad = row_rules(values, number, today, events, historic=historic)
        values[LEGACY], values[HISTORIC] = legacy, historic
        if extra_cols:
            values[EXTRA_KEY] = {extra_names[c]: values.pop(c) for c in extra_cols if values.get(c)}
            for c in extra_cols:
                values.pop(c, None)
        if row_bad:
            order = ["reference", "revision"] + columns
            problems.extend(str(e) for e in sorted(row_bad, key=lambda e: order.index(e.field)
                                                   if e.field in order else -1))
            continue
        parsed.append((number, ref or None, values, revision))
    if problems:
        raise import_failed(problems, source=source)
    return _apply(contacts, source, parsed, columns, ignored, dry_run, overwrite, progress)


def _apply(contacts: ContactService, source: str, parsed: list[Parsed], columns: list[str], ignored: tuple[str, ...],
           dry_run: bool, overwrite: bool, progress: Progress = NO_PROGRESS) -> ImportResult:
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
    try:
        with contacts.ctx.store.transaction() as txn:
            stored = contacts.ctx.store.all(TABLE)
            legacy_index = {d["legacy_reference"].casefold(): r for r, d in stored.items() if d.get("legacy_reference")} \
                if any(v[LEGACY] for _, _, v, _ in parsed) else {}
            identity = _identity_index(stored, columns, [p for p in parsed if not p[2][LEGACY]])
            docs: list[tuple[str, Doc]] = []
            for number, ref, v, revision in counted(parsed, len(parsed), progress, "making the records"):
                legacy, historic = v[LEGACY], v[HISTORIC]
                if ref is None and legacy:
                    ref = legacy_index.get(legacy.casefold())      # imported before from this file or another
                elif ref is None and identity:
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
                    doc["category_history"] = new_history(v, user, source, number) if v["category"] is not None else []
                    doc["legacy_reference"], doc["historic"] = legacy, historic
                    doc["extra"] = v.get(EXTRA_KEY) or {}         # a dict of its own, never the blank's
                    if doc["closed_on"] is not None and doc["category"] == "consultation" and not historic:
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
                    if legacy:
                        doc["legacy_reference"] = legacy
                    if historic:
                        doc["historic"] = True
                    if v.get(EXTRA_KEY):
                        doc["extra"] = {**(existing.get("extra") or {}), **v[EXTRA_KEY]}
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
                        if not doc.get("historic"):
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
                for ref, doc in counted(docs, len(docs), progress, "checking and staging the records"):
                    put(TABLE, ref, doc)
                progress.start(f"saving {len(docs):,} records", None)    # the commit, as the block ends
    finally:
        progress.done()                 # (a failed commit ends the phase too)
    if not dry_run:
        contacts.references.committed()
    return ImportResult(source=source, rows=len(parsed), added=tuple(added), updated=updated,
                        unchanged=tuple(unchanged), dry_run=dry_run, ignored_columns=ignored,
                        without_reference=sum(1 for number, ref, v, _ in parsed
                                              if ref is None and not v[LEGACY] and number not in already),
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
