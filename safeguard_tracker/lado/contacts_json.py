"""Contacts from a JSON export: whole records, upserted by reference, all or nothing.

Each record passes the API's rules (``contacts_rules``, and the API's cleaner for each field);
text is kept exactly as the file has it, so JSON round-trips losslessly.  A record whose contact
changed in the store since the export is a conflict, and history is never removed (see
``importing``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Optional

import attrs

from ..convert import from_doc, to_doc
from ..dates import fmt
from ..errors import ValidationError
from ..model import Category, Contact, Outcome
from ..store.protocol import Doc
from ..validation.contact import SIMPLE_FIELDS, closing_problem
from .contacts import ContactService
from .contacts_rules import REFERENCE, final_check
from ..io.csvfiles import import_failed
from ..io.importing import HISTORY, ImportResult, changed_fields, conflict_problem, keep_history, parse_revision
from ..io.jsonfiles import describe_structure_error, read_json_file, record_shape_problem, unstorable

TABLE = "contacts"
JSON_FORMAT = "safeguard-tracker/contacts"
JSON_VERSION = 1

# Fields the API's cleaner checks (in its words); the rest of a record is checked for its shape.
_CLEANED = frozenset(SIMPLE_FIELDS | {"subject", "referrer", "category", "outcome", "closed_on"})
_TEXT_FIELDS = ("summary", "case_manager", "police_reference", "disciplinary", "employer_outcome")
_PERSON_TEXT = {"subject": ("name", "role", "employer"), "referrer": ("name", "role", "organisation")}


def _json_contact(contacts: ContactService, rec: Doc, ref: str) -> Doc:
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
    historic = bool(body.get("historic"))       # imported from an old log: its unrecorded steps are not demanded
    if closed_on is not None:
        problem_args = closing_problem(category, outcome)
        if problem_args is not None and not (historic and (category is None or outcome is None)):
            raise ValidationError(*problem_args)
    doc = to_doc(contact)
    if not historic:
        final_check(doc, None)
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


def _json_records(data: Any, source: str) -> list[Any]:
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
    docs: list[tuple[str, str, Doc, Optional[int]]] = []
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
        if not REFERENCE.match(ref):
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


def _apply_json(contacts: ContactService, source: str, docs: list[tuple[str, str, Doc, Optional[int]]], dry_run: bool,
                overwrite: bool) -> ImportResult:
    added: list[str] = []
    updated: dict[str, tuple[str, ...]] = {}
    unchanged: list[str] = []
    overwritten: list[str] = []
    problems: list[str] = []
    with contacts.ctx.store.transaction() as txn:
        staged: list[tuple[str, Doc]] = []
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
