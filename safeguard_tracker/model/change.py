"""One entry of the audit trail as a reader sees it, and how it reads in words.

A change to a list field is an item entry (``op`` and ``path``, see
``store.item_changes``): "added note (a.lado, 12/03/2018): ...", "meeting 2
action 1 done (14/03/2018)", never two copies of the list.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Union

import attrs


@attrs.frozen
class Change:
    """One entry of the audit trail: who changed which field of which record, from what to what."""
    at: datetime
    user: str
    reference: str
    field: str
    old: Any
    new: Any
    table: str = "contacts"
    seq: int = 0
    op: str = ""                                 # "", or add / remove / set / unset for an item change
    path: tuple[Union[int, str], ...] = ()       # where inside the field, for an item change

    @classmethod
    def from_entry(cls, a: dict[str, Any]) -> "Change":
        return cls(at=datetime.fromisoformat(a["at"]), user=a["user"], reference=a["ref"], field=a["field"],
                   old=a.get("old"), new=a.get("new"), table=a.get("table", "contacts"), seq=a.get("seq", 0),
                   op=a.get("op", ""), path=tuple(a.get("path") or ()))

    @property
    def added_item(self) -> bool:
        """True when this change adds one item to a list field (a note, a meeting, an update)."""
        return self.op == "add" and len(self.path) == 1

    @property
    def where(self) -> str:
        """The field, or the item inside it, in words: "notes", "meeting 2 action 1 done on"."""
        return describe_path(self.field, self.path)

    @property
    def description(self) -> str:
        if self.field == "*":
            return "created"
        if self.added_item:
            return f"added {item_name(self.field)}{_item_summary(self.new)}"
        if self.op == "add":
            return f"added {describe_path(self.field, self.path)}{_item_summary(self.new)}"
        if self.op == "remove":
            return f"removed {describe_path(self.field, self.path)}{_item_summary(self.old)}"
        if self.op == "unset":
            return f"{describe_path(self.field, self.path)}: {_short(self.old)} -> (removed)"
        last = self.path[-1] if self.path else ""
        if isinstance(last, str) and last.endswith("_on") and self.old is None and _is_date(self.new):
            where = describe_path(self.field, self.path[:-1] + (last[:-3],))
            return f"{where} ({_date(self.new)})"
        return f"{describe_path(self.field, self.path) if self.op else self.field}: {_short(self.old)} -> {_short(self.new)}"


# What one item of a list field is called.
ITEM_NAMES = {
    "notes": "note", "meetings": "meeting", "actions": "action", "category_history": "category decision",
    "updates": "progress update", "revisions": "due date revision", "evidence": "evidence",
    "recommendations": "recommendation", "regulator_referrals": "regulator referral", "reopenings": "reopening",
    "agencies_present": "agency present", "agencies": "agency", "children_ages": "child's age",
    "follow_ups": "follow-up", "impact_reviews": "impact review", "owner_agencies": "owner agency",
    "themes": "theme",
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def item_name(field: str) -> str:
    return ITEM_NAMES.get(field) or (field[:-1] if field.endswith("s") else field).replace("_", " ")


def describe_path(field: str, path: tuple[Union[int, str], ...]) -> str:
    """A place inside a record in words: ("meetings", (1, "actions", 0, "done_on")) -> "meeting 2 action 1 done on"."""
    words: list[str] = []
    name = field
    for i, step in enumerate(path):
        if isinstance(step, int):
            words.append(f"{item_name(name)} {step + 1}")
        else:
            name = step
            if i == len(path) - 1 or not isinstance(path[i + 1], int):   # a list is named by its items
                words.append(step.replace("_", " "))
    if not path or isinstance(path[0], str):
        words.insert(0, field.replace("_", " "))
    return " ".join(words)


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and bool(_ISO.match(value))


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _item_summary(item: Any) -> str:
    """ " (a.lado, 12/03/2018): text" for an item with an author, a date and some text; else its value."""
    if not isinstance(item, dict):
        return f": {_short(item)}"
    who = item.get("user") or item.get("recorded_by") or item.get("by") or item.get("owner")
    when = item.get("on") or item.get("held_on") or item.get("at") or item.get("due_on")   # the day it is about
    if isinstance(when, str) and len(when) >= 10 and _is_date(when[:10]):
        when = _date(when[:10])
    text = (item.get("text") or item.get("rationale") or item.get("reason") or item.get("description")
            or item.get("decisions") or item.get("kind") or item.get("to") or item.get("body"))
    said = ", ".join(str(x) for x in (who, when) if x)
    return (f" ({said})" if said else "") + (f": {_short(text)}" if text not in (None, "") else "")


def _short(value: Any, limit: int = 60) -> str:
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        last = value[-1]
        text = last.get("text") or last.get("rationale") or last.get("reason") or last.get("kind") or last
        value = f"{len(value)} item(s); latest: {text}"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
