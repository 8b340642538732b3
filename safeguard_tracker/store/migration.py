"""Bringing a schema-0 file (a plain TinyDB JSON file, as an early prototype wrote it) up to the current schema.

Records are keyed by their reference and made valid by the model's converter,
or the file is refused naming the table, key and field; nothing is written
until every record is sound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cattrs

from ..convert import from_doc, to_doc
from ..model import Action, Contact, Review
from .format import empty_tables
from .protocol import Doc
from .shapes import StoreMalformed, check_tables, describe, document_problem
from .transaction import now_iso, without_rev

RECORD_TABLES = ("contacts", "reviews", "actions")


def migrated_tables(old: dict[str, dict[str, Any]], path: Path, user: str) -> dict[str, dict[str, Doc]]:
    """A schema-0 file's tables (TinyDB's ``{table: {doc_id: doc}}``) as valid schema-1 tables.

    Records are keyed by their reference and normalised by the model's
    converter; each gets a creation entry in the audit trail, so the trail
    agrees with it.  Raises StoreMalformed naming the table, key and field of
    the first record that cannot be made valid, or a reference used twice.
    """
    tables = empty_tables()
    for name, docs in old.items():
        target = tables.setdefault(name, {})
        for doc_id, doc in docs.items():
            key = str(doc_id)
            if name in RECORD_TABLES:
                key, doc = _migrated_record(name, doc_id, doc, path)
                if key in target:
                    raise StoreMalformed(f"{path} cannot be upgraded from schema 0: {name} has two records with the "
                                         f"reference '{key}'; give one of them another reference. Nothing was changed")
            target[key] = doc
    audit = tables["audit"]
    for name in RECORD_TABLES:
        for key, doc in tables[name].items():
            audit[str(len(audit) + 1)] = {"at": now_iso(), "user": user, "table": name, "ref": key,
                                          "field": "*", "old": None, "new": without_rev(doc), "seq": 0,
                                          "migrated": True}
            doc["_rev"] = 1
    try:
        check_tables(path, tables)
    except StoreMalformed as exc:
        raise StoreMalformed(f"{exc} (while upgrading from schema 0). Nothing was changed") from None
    return tables


def _migrated_record(table: str, doc_id: Any, doc: Any, path: Path) -> tuple[str, Doc]:
    """One schema-0 record as (reference, valid document), or StoreMalformed naming what is wrong."""
    where = f"{path} cannot be upgraded from schema 0: {table} '{doc_id}'"
    if not isinstance(doc, dict):
        raise StoreMalformed(f"{where} is {describe(doc)}, where an object is expected. Nothing was changed")
    ref = doc.get("reference")
    if not isinstance(ref, str) or not ref.strip():
        raise StoreMalformed(f"{where} has no reference (such as L-2017-0001), so it cannot be kept under one. "
                             f"Nothing was changed")
    cls = {"contacts": Contact, "reviews": Review, "actions": Action}[table]
    try:
        clean = to_doc(from_doc(cls, {k: v for k, v in doc.items() if k not in ("_rev", "rev")}))
    except Exception as exc:  # cattrs raises many kinds: each is reported by field below
        problem = document_problem(table, ref, doc)
        if problem is not None:
            field, value, accepted = problem
            detail = f"{field} is {describe(value)}, where {accepted} is expected"
        else:
            detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, cattrs.BaseValidationError) else str(exc)
        raise StoreMalformed(f"{where} (reference {ref}): {detail}. Nothing was changed") from None
    extra = {k: v for k, v in doc.items() if k not in clean and k not in ("_rev", "rev")}
    return ref, {**clean, **extra}


