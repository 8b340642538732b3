"""What every importer shares: the result, and the rules that keep an import from undoing other
people's work.  (Reading a JSON file and checking its records' shape: ``jsonfiles``.)

Revisions.  Every stored record carries a revision, raised by one at each change, and every
export writes it (a ``revision`` column or key).  A row whose record is in the store is
checked against it before anything is written:

* a row identical to the stored record changes nothing, whatever its revision;
* a row with the stored revision is based on the record as it is, and is applied;
* a row with another revision was exported before someone changed the record (or from another
  copy of the store): it is a conflict, listed with what changed since and who changed it;
* a row without a revision (a spreadsheet) that would change a stored record is refused,
  listing each field's stored and new value and who last changed it, unless the import is
  told ``overwrite=True`` (``--overwrite``).

Whatever the rows say, an import never removes a record's history (notes, meetings, category
decisions, reopenings; an action's updates and due-date revisions): entries the store holds
are kept, and a file can only add to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional, Sequence

import attrs

from ..errors import ValidationError
from ..store.protocol import Doc, Store

# Lists that only ever grow: an import keeps every entry the store holds.
HISTORY = {
    "contacts": ("category_history", "meetings", "suspension", "regulator_referrals", "reopenings", "notes"),
    "actions": ("revisions", "updates"),
    "reviews": (),
}
REVISION_HELP = "the record's revision as the export wrote it (a whole number from 1), or blank"
_MAX_REVISION = 1 << 53
OVERWRITE_HINT = ("import with --overwrite (API: overwrite=True) to apply the file's values anyway "
                  "(history such as notes, updates and due-date revisions is kept)")


@attrs.frozen(kw_only=True)
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""
    source: str
    rows: int
    added: tuple[str, ...]
    updated: dict[str, tuple[str, ...]]           # reference -> the fields that change
    unchanged: tuple[str, ...]
    dry_run: bool = False
    ignored_columns: tuple[str, ...] = ()
    without_reference: int = 0                    # rows added with a new reference: a re-import adds them again
    already: dict[int, str] = attrs.field(factory=dict)  # row number -> the stored contact it was imported as before
    overwritten: tuple[str, ...] = ()             # updated from rows without a revision, as asked (overwrite)

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated)

    def summary(self, limit: int = 20) -> list[str]:
        verb = ("would add", "would update") if self.dry_run else ("added", "updated")
        lines = [f"{self.source}: {self.rows} row(s): {verb[0]} {len(self.added)}, {verb[1]} {len(self.updated)}, "
                 f"{len(self.unchanged)} unchanged" + (" (dry run: nothing was written)" if self.dry_run else "")]
        for ref, fields in list(self.updated.items())[:limit]:
            lines.append(f"  {verb[1]} {ref}: {', '.join(fields)}")
        if len(self.updated) > limit:
            lines.append(f"  ... and {len(self.updated) - limit} more updated")
        if self.added:
            shown = ", ".join(self.added[:limit])
            more = f" ... and {len(self.added) - limit} more" if len(self.added) > limit else ""
            lines.append(f"  {verb[0]}: {shown}{more}")
        if self.overwritten:
            shown = ", ".join(self.overwritten[:limit])
            more = f" ... and {len(self.overwritten) - limit} more" if len(self.overwritten) > limit else ""
            lines.append(f"  overwritten without a revision check (--overwrite): {shown}{more}")
        if self.already:
            rows = sorted(self.already.items())
            shown = ", ".join(f"row {n} = {ref}" for n, ref in rows[:limit])
            more = f" ... and {len(rows) - limit} more" if len(rows) > limit else ""
            lines.append(f"  already in the store (same date, agency and details; no reference in the file): "
                         f"{shown}{more}")
        if self.without_reference:
            lines.append(f"  note: {self.without_reference} row(s) had no reference, so importing this file again "
                         f"would add them again unless their details match; export the records to get a file "
                         f"with references")
        if self.ignored_columns:
            lines.append(f"  ignored (export-only) column(s): {', '.join(self.ignored_columns)}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "dry_run": self.dry_run, "added": list(self.added),
                "updated": {k: list(v) for k, v in self.updated.items()}, "unchanged": len(self.unchanged),
                "overwritten": list(self.overwritten)}


def changed_fields(old: Doc, new: Doc) -> tuple[str, ...]:
    """The top-level fields of a stored document that ``new`` would change."""
    return tuple(k for k in new if k != "_rev" and new[k] != old.get(k))


def parse_revision(value: Any, field: str = "revision", row: Optional[int] = None) -> Optional[int]:
    """A row's revision: a whole number from 1 (text in a CSV, a number in JSON), or None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < _MAX_REVISION:
        return value
    raise ValidationError(field, value, REVISION_HELP, row=row)


# --- history is only added to ------------------------------------------------------------------------------

def _meeting_key(m: Any) -> Any:
    return (m.get("kind"), m.get("held_on"), m.get("recorded_by")) if isinstance(m, dict) else repr(m)


def keep_history(existing: Doc, doc: Doc, fields: Sequence[str]) -> tuple[str, ...]:
    """Make ``doc`` keep every history entry ``existing`` holds; entries the file adds come after them.

    Returns the fields whose entries the file left out or changed.  A meeting is one
    entry even when its actions were ticked off later, so an older copy of it is not added
    again beside the newer.
    """
    altered = []
    for f in fields:
        old, new = existing.get(f) or [], doc.get(f) or []
        if new[: len(old)] == old:
            continue
        altered.append(f)
        seen = [_meeting_key(x) for x in old] if f == "meetings" else old
        doc[f] = list(old) + [x for x in new if (_meeting_key(x) if f == "meetings" else x) not in seen]
    return tuple(altered)


# --- who changed what: the audit trail, read only when a row is refused ---------------------------------------

def _paths(old: Any, new: Any, field: str) -> list[tuple[str, ...]]:
    """The paths that differ between two values of one top-level field (one level into objects)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = [k for k in dict.fromkeys(list(old) + list(new)) if old.get(k) != new.get(k)]
        return [(field, k) for k in keys] or [(field,)]
    return [(field,)]


def _entry_paths(a: Doc) -> list[tuple[str, ...]]:
    """The paths an audit entry touched: an item change touches its field (or the key of an object field)."""
    if a.get("field") == "*":
        return [("*",)]
    if "op" in a:
        first = (a.get("path") or [None])[0]
        return [(a["field"], first)] if isinstance(first, str) else [(a["field"],)]
    return _paths(a.get("old"), a.get("new"), a["field"])


def diff_paths(old: Doc, new: Doc) -> list[tuple[str, ...]]:
    """Every path where ``new`` differs from the stored ``old``."""
    out: list[tuple[str, ...]] = []
    for field in changed_fields(old, new):
        out.extend(_paths(old.get(field), new.get(field), field))
    return out


def _get(doc: Doc, path: tuple[str, ...]) -> Any:
    value: Any = doc
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _when(at: Any) -> str:
    try:
        return datetime.fromisoformat(at).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return str(at)


def _short(value: Any, limit: int = 40) -> str:
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    text = " ".join(str(value).split())
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "\u2026") + "'"


class History:
    """A record's audit entries grouped by revision, for saying who changed what."""

    def __init__(self, store: Store, ref: str):
        groups: list[list[Doc]] = []
        key = None
        for a in store.history(ref):
            k = (a.get("seq"), a.get("at"))
            if not groups or k != key:
                groups.append([])
                key = k
            groups[-1].append(a)
        self.groups = groups

    def since(self, revision: int, current: int) -> list[Doc]:
        """The entries of the revisions after ``revision`` (the last ``current - revision`` groups)."""
        count = max(0, current - revision)
        return [a for g in (self.groups[len(self.groups) - count:] if count else []) for a in g]

    def last(self) -> dict[tuple[str, ...], Doc]:
        """The latest entry touching each path (a path's own, else its top-level field's)."""
        out: dict[tuple[str, ...], Doc] = {}
        for g in self.groups:
            for a in g:
                if a.get("field") == "*":
                    out[("*",)] = a
                    continue
                for p in _entry_paths(a):
                    out[p] = a
                out[(a["field"],)] = a
        return out


def _describe_since(entries: list[Doc], name: Callable[[tuple[str, ...]], str], limit: int = 6) -> str:
    seen: dict[tuple[str, str], str] = {}
    for a in entries:
        paths = _entry_paths(a)
        for p in paths:
            label = "created" if p == ("*",) else name(p)
            seen.setdefault((label, a.get("user", "?")), _when(a.get("at")))
    items = [f"{label} by {user} on {when}" for (label, user), when in seen.items()]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "changes the trail does not show"


def conflict_problem(store: Store, where: str, ref: str, existing: Doc, doc: Doc, revision: Optional[int], *,
                     overwrite: bool, altered: Sequence[str] = (),
                     name: Callable[[tuple[str, ...]], str] = ".".join) -> Optional[str]:
    """Why a row that would change the stored record ``ref`` must not be applied; None if it may.

    ``where`` names the row ("row 4", "contacts[2] (L-2018-0042)"); ``name`` turns a
    document path into the file's own column or key.
    """
    current = existing.get("_rev", 0)
    what = "the record" if ref in where else ref
    if revision is not None and revision != current:
        if revision > current:
            return (f"{where}: {what}: the file holds revision {revision} but the store only {current}, so the file "
                    f"was not exported from this store as it is now (another copy, or a store restored from a "
                    f"backup); export the records from this store and make the change in the new file")
        since = _describe_since(History(store, ref).since(revision, current), name)
        return (f"{where}: {what} was changed after this file was exported (the file holds revision {revision}, "
                f"the store {current}): {since}; importing the row would undo that, so export the records again "
                f"and make the change in the new file")
    if revision is not None:
        if altered and not overwrite:
            return (f"{where}: {what}: the file leaves out or changes entries of {', '.join(altered)} that the store "
                    f"holds; an import only adds to a record's history")
        return None
    if overwrite:
        return None
    last = History(store, ref).last()
    parts = []
    for p in diff_paths(existing, doc)[:8]:
        a = last.get(p) or last.get(p[:1]) or last.get(("*",))
        who = f" (last changed by {a.get('user', '?')} on {_when(a.get('at'))})" if a else ""
        parts.append(f"{name(p)} {_short(_get(existing, p))} -> {_short(_get(doc, p))}{who}")
    return (f"{where}: {what} would change, and the file has no revision to show it was based on the stored "
            f"record: {'; '.join(parts)}; export the records to get a file with revisions, or {OVERWRITE_HINT}")
