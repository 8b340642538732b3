"""What every stored document must look like, checked where it is read into memory.

A snapshot or a journal line whose checksum is right can still hold something
this tool never wrote: a file edited by hand or by another program, with a table
that is a list, a record that is a number, a key that differs from the record's
reference, a date that is not a date.  Such a document would crash a filter, a
report or the model's structuring far from where it came in, so it is refused
here, at the store boundary, with one line naming the table, key and field.

The record checks are compiled from the model's attrs classes, so a field added
to a model is checked without anything being written here.  They accept exactly
what ``convert.to_doc`` writes (and the JSON it reads back as): ISO dates,
enum values, lists for tuples, objects for nested classes.  Keys a model does
not know are left alone, as the converter leaves them.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Callable, Optional, cast

import attrs

from ..errors import StoreCorrupt
from .item_changes import OPS

# A check returns None for a good value, else (path inside the value, the bad value, what is accepted).
Problem = tuple[str, Any, str]
Check = Callable[[Any], Optional[Problem]]

RECORD_TABLES = ("contacts", "reviews", "actions")


class StoreMalformed(StoreCorrupt):
    """A file whose checksum is right but whose contents are not this tool's records.

    It is input that cannot be used (exit 2 in the CLI, 1 for ``check``), and
    it is refused before anything is written.
    """

    exit_code = 2


def describe(value: Any) -> str:
    """A short, one-line picture of a bad value for a message."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "\u2026'"


def _join(outer: str, inner: str) -> str:
    if not inner:
        return outer
    return outer + inner if inner.startswith("[") else f"{outer}.{inner}"


# --- leaf checks -----------------------------------------------------------------------------------------
def _check_str(v: Any) -> Optional[Problem]:
    return None if type(v) is str else ("", v, "text")


def _check_int(v: Any) -> Optional[Problem]:
    return None if type(v) is int else ("", v, "a whole number")


def _check_bool(v: Any) -> Optional[Problem]:
    return None if type(v) is bool else ("", v, "true or false")


def _check_date(v: Any) -> Optional[Problem]:
    if type(v) is str:
        try:
            date.fromisoformat(v)
            return None
        except ValueError:
            pass
    return ("", v, "a date such as 2018-01-05")


def _check_datetime(v: Any) -> Optional[Problem]:
    if type(v) is str:
        try:
            datetime.fromisoformat(v)
            return None
        except ValueError:
            pass
    return ("", v, "a date and time such as 2018-01-05T10:30:00+00:00")


def _check_any(v: Any) -> Optional[Problem]:
    return None


def _check_op(v: Any) -> Optional[Problem]:
    return None if v in OPS else ("", v, "one of " + ", ".join(OPS))


def _check_path(v: Any) -> Optional[Problem]:
    ok = type(v) is list and v and all((type(s) is int and s >= 0) or type(s) is str for s in v)
    return None if ok else ("", v, "a list of positions and keys inside the field, such as [2, \"done_on\"]")


def _enum_check(enum: type[Enum]) -> Check:
    values = frozenset(m.value for m in enum)
    accepted = "one of: " + ", ".join(m.value for m in enum)

    def check(v: Any) -> Optional[Problem]:
        return None if type(v) is str and v in values else ("", v, accepted)
    return check


def _optional_check(inner: Check) -> Check:
    def check(v: Any) -> Optional[Problem]:
        return None if v is None else inner(v)
    return check


def _list_check(inner: Check) -> Check:
    def check(v: Any) -> Optional[Problem]:
        if type(v) is not list and type(v) is not tuple:
            return ("", v, "a list")
        for i, item in enumerate(v):
            bad = inner(item)
            if bad is not None:
                return (_join(f"[{i}]", bad[0]), bad[1], bad[2])
        return None
    return check


def _is_date(v: Any) -> bool:
    return _check_date(v) is None


def _is_datetime(v: Any) -> bool:
    return _check_datetime(v) is None


_ACCEPTED = {str: "text", int: "a whole number", bool: "true or false", date: "a date such as 2018-01-05",
             datetime: "a date and time such as 2018-01-05T10:30:00+00:00"}


def _leaf(tp: Any, names: dict[str, Any]) -> Optional[tuple[str, str]]:
    """A Python expression that is true when the value ``x`` is bad, and what is accepted; None if not a leaf."""
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _leaf(args[0], names) if len(args) == 1 else ("False", "")
        return None if inner is None else (f"(x is not None and {inner[0]})", inner[1] + " or null")
    if isinstance(tp, type) and issubclass(tp, Enum):
        name = f"_E{len(names)}"
        names[name] = frozenset(m.value for m in tp)
        return f"(type(x) is not str or x not in {name})", "one of: " + ", ".join(m.value for m in tp)
    if tp in (str, int, bool):
        return f"type(x) is not {tp.__name__}", _ACCEPTED[tp]
    if tp is date:
        return "not _is_date(x)", _ACCEPTED[date]
    if tp is datetime:
        return "not _is_datetime(x)", _ACCEPTED[datetime]
    if origin is dict:
        return ("(type(x) is not dict or (len(x) > 0 and not all(type(w) is str for w in x.values())))",
                "an object of text values")
    if origin in (tuple, list) or attrs.has(tp):
        return None
    return "False", ""


def _class_check(cls: type) -> Check:
    """A check for one attrs class, generated as straight-line code.

    Opening a store checks every record, so this runs a few million times at
    100,000 contacts: one function per class with the field tests inlined is
    about twice as fast as a call per field.
    """
    hints = typing.get_type_hints(cls)
    names: dict[str, Any] = {"_is_date": _is_date, "_is_datetime": _is_datetime, "_join": _join,
                             "_ABSENT": _ABSENT}
    lines = ["def check(v):",
             "    if type(v) is not dict:",
             "        return ('', v, 'an object')"]
    for a in attrs.fields(cls):
        if a.name == "rev":
            continue  # kept as the store's own ``_rev``
        key = "from" if a.name == "from_" else a.name
        if a.default is attrs.NOTHING:
            lines += [f"    if {key!r} not in v:", f"        return ({key!r}, None, 'a value (it is missing)')"]
        lines.append(f"    x = v.get({key!r}, _ABSENT)")
        leaf = _leaf(hints[a.name], names)
        if leaf is not None:
            if leaf[0] != "False":
                lines += [f"    if {leaf[0]} and x is not _ABSENT:", f"        return ({key!r}, x, {leaf[1]!r})"]
            continue
        name = f"_C{len(names)}"
        names[name] = compile_check(hints[a.name])
        test = "x is not _ABSENT and (x or type(x) is not list)"   # an empty list, the usual case, is good
        lines += [f"    if {test}:", f"        bad = {name}(x)", "        if bad is not None:",
                  f"            return (_join({key!r}, bad[0]), bad[1], bad[2])"]
    lines.append("    return None")
    exec("\n".join(lines), names)  # noqa: S102 - source built above from the model's own field names
    return cast(Check, names["check"])   # the function the source above defines


_ABSENT = object()


@lru_cache(maxsize=None)
def compile_check(tp: Any) -> Check:
    """The check for one annotated type of the model."""
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = compile_check(args[0]) if len(args) == 1 else _check_any
        return _optional_check(inner)
    if origin in (tuple, list):
        items = typing.get_args(tp)
        return _list_check(compile_check(items[0]) if items else _check_any)
    if attrs.has(tp):
        return _class_check(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum_check(tp)
    if tp is bool:
        return _check_bool
    if tp is int:
        return _check_int
    if tp is str:
        return _check_str
    if tp is datetime:
        return _check_datetime
    if tp is date:
        return _check_date
    return _check_any


@lru_cache(maxsize=None)
def record_check(table: str) -> Check:
    """The check for a record of ``table`` (contacts, reviews, actions), compiled once from its model."""
    from ..model import Action, Contact, Review
    return compile_check({"contacts": Contact, "reviews": Review, "actions": Action}[table])


# --- settings, audit and access-log entries --------------------------------------------------------------
def _text_list(v: Any) -> Optional[Problem]:
    return _list_check(_check_str)(v)


def _object(v: Any) -> Optional[Problem]:
    return None if type(v) is dict else ("", v, "an object")


def _whole_or_text(v: Any) -> Optional[Problem]:
    return None if type(v) in (int, str) else ("", v, "a whole number or text")


SETTINGS_FIELDS: dict[str, Check] = {
    "reference": _check_str,
    "fixed_today": _optional_check(_check_date),
    "agencies": _text_list,
    "plan_agencies": _text_list,
    "stated_totals": _optional_check(_object),
    "deadlines": _optional_check(_object),
    "plan_rules": _optional_check(_object),
    "employer_threshold": _optional_check(_whole_or_text),
    "employer_window": _optional_check(_whole_or_text),
    "vocabularies": _optional_check(_object),
    "import_mappings": _optional_check(_object),
}

AUDIT_FIELDS: dict[str, Check] = {
    "at": _check_datetime, "user": _check_str, "ref": _check_str, "field": _check_str,
    "old": _check_any, "new": _check_any,
}
AUDIT_OPTIONAL: dict[str, Check] = {"table": _check_str, "seq": _check_int, "migrated": _check_bool,
                                    "op": _check_op, "path": _check_path}
ACCESS_FIELDS: dict[str, Check] = {"at": _check_datetime, "user": _check_str, "what": _check_str}
ACCESS_OPTIONAL: dict[str, Check] = {"detail": _check_str, "target": _check_str, "records": _check_int}


def _fields_check(needed: dict[str, Check], optional: dict[str, Check]) -> Check:
    def check(v: Any) -> Optional[Problem]:
        if type(v) is not dict:
            return ("", v, "an object")
        for name, field_check in needed.items():
            if name not in v:
                return (name, None, "a value (it is missing)")
            bad = field_check(v[name])
            if bad is not None:
                return (_join(name, bad[0]), bad[1], bad[2])
        for name, field_check in optional.items():
            if name in v:
                bad = field_check(v[name])
                if bad is not None:
                    return (_join(name, bad[0]), bad[1], bad[2])
        return None
    return check


_audit_fields = _fields_check(AUDIT_FIELDS, AUDIT_OPTIONAL)
_access_entry = _fields_check(ACCESS_FIELDS, ACCESS_OPTIONAL)
_settings_doc = _fields_check({}, SETTINGS_FIELDS)


def audit_entry_problem(v: Any) -> Optional[Problem]:
    """An audit entry: who, when, which record and field, old and new; a creation's new value is the record."""
    bad = _audit_fields(v)
    if bad is None and v["field"] == "*" and type(v["new"]) is not dict:
        return ("new", v["new"], "an object (the record as created)")
    if bad is None and ("op" in v) != ("path" in v):
        return ("path" if "op" in v else "op", None, "both op and path for an item change (it is missing)")
    return bad


def access_entry_problem(v: Any) -> Optional[Problem]:
    return _access_entry(v)


# --- whole tables and journal entries --------------------------------------------------------------------
def _refuse(path: Any, where: str, problem: Problem) -> StoreMalformed:
    field, value, accepted = problem
    what = f"{where}: {field} is {describe(value)}" if field else f"{where} is {describe(value)}"
    if value is None and accepted.endswith("(it is missing)"):
        what = f"{where}: {field} is missing"
        accepted = accepted.replace(" (it is missing)", "")
    return StoreMalformed(f"{path} is not a sound store: {what}, where {accepted} is expected")


def document_problem(table: str, key: Any, doc: Any) -> Optional[Problem]:
    """What is wrong with one stored document of ``table`` under ``key``, or None."""
    if table in RECORD_TABLES:
        bad = record_check(table)(doc)
        if bad is not None:
            return bad
        if doc["reference"] != key:
            return ("reference", doc["reference"], f"'{key}', the key it is stored under")
        rev = doc.get("_rev", 0)
        if type(rev) is not int or rev < 0:
            return ("_rev", rev, "a revision number, 0 or more")
        return None
    if table == "settings":
        bad = _settings_doc(doc)
        if bad is None and "reference" in doc and doc["reference"] != key:
            return ("reference", doc["reference"], f"'{key}', the key it is stored under")
        return bad
    if table == "audit":
        return audit_entry_problem(doc)
    if table == "access_log":
        return access_entry_problem(doc)
    return _object(doc)


def check_table(path: Any, table: str, docs: Any) -> None:
    """Refuse a table that is not an object of well-formed documents."""
    if type(docs) is not dict:
        raise _refuse(path, f"the table '{table}'", ("", docs, "an object of records keyed by reference"))
    for key, doc in docs.items():
        bad = document_problem(table, key, doc)
        if bad is not None:
            raise _refuse(path, f"{table} '{key}'", bad)


def check_tables(path: Any, tables: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    """Refuse a snapshot whose parsed tables are not well formed (tables in ``skip`` are checked when parsed)."""
    for name, docs in tables.items():
        if name not in skip:
            check_table(path, name, docs)


def check_entry(path: Any, entry: Any, at: int) -> None:
    """Refuse a journal line (checksum already good) that is not a well-formed transaction."""
    where = f"the journal line at byte {at}"
    if type(entry) is not dict:
        raise _refuse(path, where, ("", entry, "an object"))
    seq = entry.get("seq")
    if type(seq) is not int or seq < 0:
        raise _refuse(path, where, ("seq", seq, "a transaction number"))
    for name in ("puts", "patches", "audit", "access", "rewrites"):
        if type(entry.get(name, [])) is not list:
            raise _refuse(path, where, (name, entry[name], "a list"))
    for put in entry.get("puts", ()):
        if type(put) is not list or len(put) != 3 or type(put[0]) is not str or type(put[1]) is not str:
            raise _refuse(path, where, ("puts", put, "[table, key, record]"))
        bad = document_problem(put[0], put[1], put[2])
        if bad is not None:
            raise _refuse(path, f"{where}, {put[0]} '{put[1]}'", bad)
    for patch in entry.get("patches", ()):
        if type(patch) is not list or len(patch) != 3 or type(patch[0]) is not str or type(patch[1]) is not str \
                or type(patch[2]) is not int:
            raise _refuse(path, where, ("patches", patch, "[table, key, revision]"))
    for name, problem in (("audit", audit_entry_problem), ("access", access_entry_problem)):
        for i, item in enumerate(entry.get(name, ())):
            bad = problem(item)
            if bad is not None:
                raise _refuse(path, f"{where}, {name} entry {i + 1}", bad)
    for rw in entry.get("rewrites", ()):
        if type(rw) is not dict or type(rw.get("ref")) is not str or \
                not (type(rw.get("fields")) is dict or type(rw.get("table")) is str):
            raise _refuse(path, where, ("rewrites", rw, "{ref, table} (or, in an older line, {ref, fields})"))
