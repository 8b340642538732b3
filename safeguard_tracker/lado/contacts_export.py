"""Contacts out: CSV for spreadsheets, an Excel workbook with the same columns, JSON that round-trips
losslessly, each with its revision."""

from __future__ import annotations

import json
from typing import Any, Optional

from ..errors import ValidationError
from ..progress import NO_PROGRESS, Progress, counted, counted_list
from ..store.protocol import Doc
from .contacts import ContactService
from .contacts_json import JSON_FORMAT, JSON_VERSION
from .search import ContactFilter
from ..io.csvfiles import write_csv
from ..io.xlsx import date_columns, dated_rows, xlsx_bytes

CSV_COLUMNS = (
    "reference", "received", "agency", "category", "first_category", "category_changed", "rationale", "status",
    "escalated", "summary", "harm", "threshold", "subject_name", "subject_role", "employer", "subject_dob",
    "referrer", "referrer_role", "referrer_organisation", "case_manager", "children_count", "children_ages",
    "responded", "jem_held", "meetings", "police_involved", "police_reference", "s47_strategy", "suspension",
    "regulator_referrals", "disciplinary", "employer_report_requested", "employer_report_received",
    "employer_outcome", "outcome", "closed", "reopened", "legacy_reference", "historic", "extra", "revision",
)


def _csv_row(d: Doc) -> list[Any]:
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
        d.get("closed_on") or "", len(d.get("reopenings") or ()) or "", d.get("legacy_reference", ""),
        "yes" if d.get("historic") else "",
        "; ".join(f"{k}: {v}" for k, v in (d.get("extra") or {}).items()), d.get("_rev", ""),
    ]


def _selected(contacts: ContactService, year: Optional[str]) -> list[tuple[str, Doc]]:
    docs = contacts.docs()
    if year:
        keys = ContactFilter.build(contacts.ctx.taxonomy, year=year).keys(docs)
    else:
        keys = list(docs)
    return [(k, docs[k]) for k in sorted(keys)]


def export_contacts(contacts: ContactService, fmt_: str = "csv", *, year: Optional[str] = None,
                    progress: Progress = NO_PROGRESS) -> str:
    """Every contact (or one financial year's) as CSV or JSON, each with its revision.

    CSV: one row a contact, ISO dates, every text cell defended against formula
    injection (numbers stay numbers).  It re-imports without change.  JSON: whole
    records, sorted, so that export -> import into an empty store -> export is identical
    but for the revisions, which are the store's.  ``progress`` counts the contacts written.
    """
    chosen = _selected(contacts, year)
    if fmt_ == "csv":
        return write_csv(CSV_COLUMNS, counted((_csv_row(d) for _, d in chosen), len(chosen), progress,
                                              "exporting contacts"))
    if fmt_ == "json":
        records = [{**{k: v for k, v in d.items() if k != "_rev"}, "revision": d.get("_rev", 0)} for _, d in chosen]
        records = counted_list(records, progress, "exporting contacts")    # counted as the encoder walks it
        return json.dumps({"format": JSON_FORMAT, "version": JSON_VERSION, "contacts": records},
                          indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    raise ValidationError("format", fmt_, "csv or json")


# Columns written as real dates in a workbook.
DATE_COLUMNS = ("received", "category_changed", "subject_dob", "responded", "jem_held", "s47_strategy",
                "employer_report_requested", "employer_report_received", "closed")


def export_contacts_xlsx(contacts: ContactService, *, year: Optional[str] = None,
                         progress: Progress = NO_PROGRESS) -> bytes:
    """Every contact (or one financial year's) as an Excel workbook: the CSV export's columns and
    values, dates as real dates, every text cell defended against formula injection as the CSV's
    are.  It re-imports without change (``import_contacts`` reads .xlsx).  ``progress``: the rows
    prepared, then written."""
    chosen = _selected(contacts, year)
    rows = counted((_csv_row(d) for _, d in chosen), len(chosen), progress, "preparing contacts")
    return xlsx_bytes(CSV_COLUMNS, dated_rows(rows, date_columns(CSV_COLUMNS, DATE_COLUMNS)), title="contacts",
                      progress=progress)


def count_contacts(contacts: ContactService, year: Optional[str] = None) -> int:
    return len(_selected(contacts, year))
