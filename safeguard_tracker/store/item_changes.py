"""How a change to a list field is audited: as the items that changed, never as two copies of the list.

A record's lists (notes, meetings and their actions, category decisions, an
action's updates and revisions, evidence...) only grow in ordinary use.  An
audit entry holding the whole list before and after would copy every earlier
item twice on every addition, so the trail would grow with the square of a
case file.  Instead a changed list is recorded as item entries:

``{"field": "notes", "op": "add", "path": [3], "old": None, "new": {...}}``
    the item inserted at position 3 (positions count from 0);
``{"field": "notes", "op": "remove", "path": [3], "old": {...}, "new": None}``
    the item at position 3 removed;
``{"field": "meetings", "op": "set", "path": [1, "actions", 0, "done_on"], "old": None, "new": "2018-03-12"}``
    one value inside an item changed (a key that was absent has ``old`` None);
``{"field": "meetings", "op": "unset", "path": [1, "decisions"], "old": "...", "new": None}``
    a key removed from an item.

Within a list, items are compared position by position after the common
beginning and end, so an addition, a removal or an edit to one item costs one
small entry; inside an item that is an object, only the keys that changed are
recorded, to any depth.  A field that was absent or is not a list on either
side keeps one entry with its old and new values, as a scalar field does.

``apply_change`` replays an entry onto a document without changing the entry
or any value shared with it, so the trail rebuilds every record exactly, at
any past moment (``check`` does this for every record).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, Optional, Union

from .protocol import Doc

Step = Union[int, str]
ItemPath = list[Step]              # where inside a field: list positions and object keys
ItemOp = tuple[str, ItemPath, Any, Any]  # (op, path, old, new)
OPS = ("add", "remove", "set", "unset")


def field_changes(field: str, old: Any, new: Any) -> list[Doc]:
    """The entries (without who and when) that take ``field`` from ``old`` to ``new``; [] if equal.

    ``old`` None means the field was absent.
    """
    if old == new:
        return []
    if type(old) is list and type(new) is list:
        return [{"field": field, "op": op, "path": path, "old": o, "new": n}
                for op, path, o, n in _list_ops(old, new, [])]
    return [{"field": field, "old": old, "new": new}]


def _list_ops(old: list[Any], new: list[Any], at: ItemPath) -> Iterator[ItemOp]:
    lo, ln = len(old), len(new)
    start = 0
    while start < lo and start < ln and old[start] == new[start]:
        start += 1
    end = 0
    while end < lo - start and end < ln - start and old[lo - 1 - end] == new[ln - 1 - end]:
        end += 1
    paired = min(lo, ln) - start - end
    for i in range(start, start + paired):
        yield from _value_ops(old[i], new[i], at + [i])
    # extra old items go (from the last, so positions stay valid), then extra new items come in
    for i in range(lo - end - 1, start + paired - 1, -1):
        yield "remove", at + [i], old[i], None
    for i in range(start + paired, ln - end):
        yield "add", at + [i], None, new[i]


def _value_ops(old: Any, new: Any, at: ItemPath) -> Iterator[ItemOp]:
    if old == new:
        return
    if type(old) is dict and type(new) is dict:
        for k, v in new.items():
            if k not in old:
                yield "set", at + [k], None, v
            elif old[k] != v:
                yield from _value_ops(old[k], v, at + [k])
        for k, v in old.items():
            if k not in new:
                yield "unset", at + [k], v, None
    elif type(old) is list and type(new) is list:
        yield from _list_ops(old, new, at)
    else:
        yield "set", at, old, new


def is_item_change(entry: Doc) -> bool:
    """True for an entry that changes items of a list field rather than the whole field."""
    return "op" in entry


def apply_change(doc: Doc, entry: Doc) -> None:
    """Replay one audit entry (not a creation) onto ``doc``, in place at the top level only.

    Containers along the entry's path are copied before they are changed, so
    neither the entry nor a value shared with an earlier entry is altered.
    Raises ValueError if the path does not fit the document (a damaged trail).
    """
    field = entry["field"]
    op = entry.get("op")
    if op is None:
        if entry.get("new") is None and field not in doc:
            return
        doc[field] = entry.get("new")
        return
    if op not in OPS:
        raise ValueError(f"unknown change '{op}'")
    doc[field] = _applied(doc.get(field), list(entry.get("path") or ()), op, entry.get("new"))


def replay_entry(records: dict[tuple[str, str], Doc], key: tuple[str, str], entry: Doc) -> None:
    """Replay one audit entry into ``records`` (by table and reference): a creation (``field`` "*") sets the
    record, any other entry is applied to it (``apply_change``, which raises ValueError on a damaged trail)."""
    if entry["field"] == "*":
        records[key] = dict(entry["new"] or {})
    else:
        apply_change(records.setdefault(key, {}), entry)


def _applied(value: Any, path: list[Any], op: str, new: Any) -> Any:
    if not path:
        raise ValueError("an item change without a position")
    step, rest = path[0], path[1:]
    if type(value) is list and type(step) is int:
        copy = list(value)
        if rest:
            if not 0 <= step < len(copy):
                raise ValueError(f"position {step} is outside a list of {len(copy)}")
            copy[step] = _applied(copy[step], rest, op, new)
        elif op == "add":
            if not 0 <= step <= len(copy):
                raise ValueError(f"position {step} is outside a list of {len(copy)}")
            copy.insert(step, new)
        elif op == "remove":
            if not 0 <= step < len(copy):
                raise ValueError(f"position {step} is outside a list of {len(copy)}")
            del copy[step]
        elif op == "set":
            if not 0 <= step < len(copy):
                raise ValueError(f"position {step} is outside a list of {len(copy)}")
            copy[step] = new
        else:
            raise ValueError(f"'{op}' on a list position")
        return copy
    if type(value) is dict and type(step) is str:
        item: Doc = dict(value)
        if rest:
            if step not in item:
                raise ValueError(f"'{step}' is not in the item")
            item[step] = _applied(item[step], rest, op, new)
        elif op == "set":
            item[step] = new
        elif op == "unset":
            item.pop(step, None)
        else:
            raise ValueError(f"'{op}' on a key")
        return item
    raise ValueError(f"the path step {step!r} does not fit {type(value).__name__}")


def entries_by_record(entries: Iterable[Doc]) -> dict[tuple[str, str], list[Doc]]:
    """Audit entries grouped by (table, reference), each group in its original order."""
    groups: dict[tuple[str, str], list[Doc]] = {}
    for a in entries:
        groups.setdefault((a.get("table", "contacts"), a["ref"]), []).append(a)
    return groups


def patched(doc: Doc, entries: Iterable[Doc], rev: Optional[int] = None) -> Doc:
    """A new document: ``doc`` with ``entries`` (none a creation) replayed onto it, and ``_rev`` set to ``rev``.

    With ``rev`` None the revision is the stored one plus one.  Raises ValueError
    for an entry that does not fit.
    """
    out = dict(doc)
    for entry in entries:
        apply_change(out, entry)
    out["_rev"] = (doc.get("_rev", 0) + 1) if rev is None else rev
    return out


def item_entries(entry: Doc) -> list[Doc]:
    """An older whole-list entry as item entries (the upgrade of a trail written before them)."""
    if is_item_change(entry) or entry.get("field") == "*":
        return [entry]
    old, new = entry.get("old"), entry.get("new")
    if type(old) is not list or type(new) is not list:
        return [entry]
    base = {k: v for k, v in entry.items() if k not in ("old", "new", "field")}
    return [{**base, **change} for change in field_changes(entry["field"], old, new)] or [entry]


def shrink_trail(entries: Iterable[Doc]) -> Iterator[Doc]:
    """Every entry of a trail, whole-list entries replaced by their item entries, in order."""
    for entry in entries:
        yield from item_entries(entry)


def shrunk_audit(audit: Mapping[str, Doc]) -> dict[str, Doc]:
    """An audit table (``{number: entry}``, in order) with whole-list entries replaced by item entries."""
    return {str(n): a for n, a in enumerate(shrink_trail(audit.values()), 1)}
