"""What every importer shares: the result, reading JSON, the type check of a JSON record, and
the rules that keep an import from undoing other people's work.

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

import json
import math
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

import attrs

from ..errors import ValidationError, choice_error
from ..store.protocol import Store
from .csvfiles import decode_bytes, import_failed

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

    def to_dict(self) -> dict:
        return {"source": self.source, "rows": self.rows, "dry_run": self.dry_run, "added": list(self.added),
                "updated": {k: list(v) for k, v in self.updated.items()}, "unchanged": len(self.unchanged),
                "overwritten": list(self.overwritten)}


def changed_fields(old: dict, new: dict) -> tuple[str, ...]:
    """The top-level fields of a stored document that ``new`` would change."""
    return tuple(k for k in new if k != "_rev" and new[k] != old.get(k))


# --- JSON files ---------------------------------------------------------------------------------------

def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_int(text: str) -> Any:
    """Digits as an int; beyond what Python converts (4,300 digits), infinity, which no rule accepts."""
    return int(text) if len(text) < 4000 else math.inf


def read_json_file(path: str | Path) -> Any:
    """A JSON file's contents, or ImportFailed with one line naming the file and what is wrong."""
    path = Path(path)
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise import_failed([f"{source}: cannot be read ({exc.strerror})"], source=source) from None
    try:
        return json.loads(decode_bytes(raw, source), parse_constant=_refuse_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise import_failed([f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"],
                           source=source) from None
    except RecursionError:
        raise import_failed([f"{source}: not readable: lists or objects nested too deeply"], source=source) from None
    except ValueError as exc:
        raise import_failed([f"{source}: not valid JSON ({exc})"], source=source) from None


def describe_structure_error(exc: BaseException) -> str:
    """A one-line reason from cattrs' nested exceptions: 'invalid value for type, expected date @ $.received_on'."""
    try:
        from cattrs import transform_error
        return "; ".join(transform_error(exc, path="$")[:5]) or type(exc).__name__
    except Exception:  # pragma: no cover - not a cattrs error
        return f"{type(exc).__name__}: {exc}"


def parse_revision(value: Any, field: str = "revision", row: Optional[int] = None) -> Optional[int]:
    """A row's revision: a whole number from 1 (text in a CSV, a number in JSON), or None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < _MAX_REVISION:
        return value
    raise ValidationError(field, value, REVISION_HELP, row=row)


# --- the type check of a JSON record --------------------------------------------------------------------

@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _key(name: str) -> str:
    return "from" if name == "from_" else name


def shape_problem(value: Any, tp: Any, path: str) -> Optional[ValidationError]:
    """Why ``value`` (parsed JSON) cannot be a ``tp``, as a ValidationError naming its path; None if it can.

    Stricter than cattrs, which turns a list or an object into its Python spelling where
    text belongs: JSON is read as written, and whatever the store could not hold is refused.
    """
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else shape_problem(value, args[0], path)
    if tp is str:
        return None if isinstance(value, str) else ValidationError(path, value, "text")
    if tp is bool:
        return None if isinstance(value, bool) else ValidationError(path, value, "true or false")
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < (1 << 63)
        return None if ok else ValidationError(path, value, "a whole number")
    if tp is datetime:
        return None if _is_datetime(value) else ValidationError(path, value, "a date and time written "
                                                                "2018-01-05T10:30:00+00:00")
    if tp is date:
        return None if _is_date(value) else ValidationError(path, value, "a date written 2018-01-05")
    if isinstance(tp, type) and issubclass(tp, Enum):
        values = [m.value for m in tp]
        return None if value in values and isinstance(value, str) else choice_error(path, value, values)
    if origin is tuple:
        if not isinstance(value, list):
            return ValidationError(path, value, "a list")
        item = typing.get_args(tp)[0]
        for i, v in enumerate(value, 1):
            problem = shape_problem(v, item, f"{path}[{i}]")
            if problem is not None:
                return problem
        return None
    if attrs.has(tp):
        return record_shape_problem(value, tp, path)
    return None


def record_shape_problem(value: Any, cls: type, path: str = "", skip: Iterable[str] = ()) -> Optional[ValidationError]:
    """``shape_problem`` for an object of the attrs class ``cls`` (fields in ``skip`` are left out)."""
    if not isinstance(value, dict):
        return ValidationError(path or cls.__name__.lower(), value, f"an object with the fields of a "
                               f"{cls.__name__.lower()}")
    fields = {_key(a.name): a for a in attrs.fields(cls) if a.name != "rev"}
    prefix = f"{path}." if path else ""
    extra = sorted(k for k in value if k not in fields)
    if extra and path:
        return ValidationError(f"{prefix}{extra[0]}", value[extra[0]], f"a field of {path}: "
                               f"{', '.join(fields)}")
    hints = _hints(cls)
    skipped = set(skip)
    for key, a in fields.items():
        if key in skipped:
            continue
        if key not in value:
            if a.default is attrs.NOTHING:
                return ValidationError(f"{prefix}{key}", "", "a value: it is required")
            continue
        problem = shape_problem(value[key], hints[a.name], f"{prefix}{key}")
        if problem is not None:
            return problem
    return None


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def unstorable(docs: Sequence[tuple[str, dict]]) -> list[str]:
    """Records the store could not write (a number beyond 64 bits, text with a lone surrogate...),
    each as 'where: key: why'.  One fast encoding of everything; a walk only when it fails."""
    import orjson
    try:
        orjson.dumps([d for _, d in docs])
        return []
    except (TypeError, ValueError):
        pass
    problems = []
    for where, doc in docs:
        try:
            orjson.dumps(doc)
        except (TypeError, ValueError):
            problems.append(f"{where}: {_unstorable_part(doc, '') or 'a value the store cannot hold'}")
    return problems


def _unstorable_part(value: Any, path: str) -> Optional[str]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -(1 << 63) <= value < (1 << 64) else f"{path or 'value'}: {str(value)[:30]} is beyond the " \
                                                            f"largest whole number the store can hold"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path or 'value'}: {value} is not a number the store can hold"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path or 'value'}: text with an unpaired surrogate ({value[:30]!r}) is not text the store can hold"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"{path or 'value'}: the key {k!r} is not text"
            found = _unstorable_part(v, f"{path}.{k}" if path else k)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value, 1):
            found = _unstorable_part(v, f"{path}[{i}]")
            if found:
                return found
    return None


# --- history is only added to ------------------------------------------------------------------------------

def _meeting_key(m: Any) -> Any:
    return (m.get("kind"), m.get("held_on"), m.get("recorded_by")) if isinstance(m, dict) else repr(m)


def keep_history(existing: dict, doc: dict, fields: Sequence[str]) -> tuple[str, ...]:
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


def diff_paths(old: dict, new: dict) -> list[tuple[str, ...]]:
    """Every path where ``new`` differs from the stored ``old``."""
    out: list[tuple[str, ...]] = []
    for field in changed_fields(old, new):
        out.extend(_paths(old.get(field), new.get(field), field))
    return out


def _get(doc: dict, path: tuple[str, ...]) -> Any:
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
        groups: list[list[dict]] = []
        key = None
        for a in store.history(ref):
            k = (a.get("seq"), a.get("at"))
            if not groups or k != key:
                groups.append([])
                key = k
            groups[-1].append(a)
        self.groups = groups

    def since(self, revision: int, current: int) -> list[dict]:
        """The entries of the revisions after ``revision`` (the last ``current - revision`` groups)."""
        count = max(0, current - revision)
        return [a for g in (self.groups[len(self.groups) - count:] if count else []) for a in g]

    def last(self) -> dict[tuple[str, ...], dict]:
        """The latest entry touching each path (a path's own, else its top-level field's)."""
        out: dict[tuple[str, ...], dict] = {}
        for g in self.groups:
            for a in g:
                if a.get("field") == "*":
                    out[("*",)] = a
                    continue
                for p in _paths(a.get("old"), a.get("new"), a["field"]):
                    out[p] = a
                out[(a["field"],)] = a
        return out


def _describe_since(entries: list[dict], name: Callable[[tuple[str, ...]], str], limit: int = 6) -> str:
    seen: dict[tuple[str, str], str] = {}
    for a in entries:
        paths = [("*",)] if a.get("field") == "*" else _paths(a.get("old"), a.get("new"), a["field"])
        for p in paths:
            label = "created" if p == ("*",) else name(p)
            seen.setdefault((label, a.get("user", "?")), _when(a.get("at")))
    items = [f"{label} by {user} on {when}" for (label, user), when in seen.items()]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more if items else "changes the trail does not show"


def conflict_problem(store: Store, where: str, ref: str, existing: dict, doc: dict, revision: Optional[int], *,
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
