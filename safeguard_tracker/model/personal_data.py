"""Which of a contact's stored fields are personal data, and what a redaction leaves in their place.

A whitelist: a field not named as kept here, in this version or a later one,
is blanked.  Pure functions over the stored document (a dict), so the store can
apply the same rule to every copy it keeps (backups, a restored snapshot)
without knowing the domain, and the LADO's privacy service can check a
redaction before asking for it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable, Sequence, Union

from .enums import Outcome

TABLE = "contacts"
REDACTED = "[redacted]"

# What a redacted contact keeps, by where it sits in the stored document ("" is the top level).
# Everything else is personal or free text and is blanked.
KEEP: dict[str, frozenset[str]] = {
    "": frozenset({
        "reference", "received_on", "agency", "category", "harm", "threshold", "children_count",
        "children_ages", "responded_on", "police_involved", "s47_strategy_on", "employer_report_requested_on",
        "employer_report_received_on", "outcome", "closed_on", "redacted_on",
        # containers whose dated, categorical parts are kept (see below)
        "category_history", "meetings", "suspension", "regulator_referrals", "reopenings", "notes",
    }),
    "category_history": frozenset({"on", "user", "kind", "to", "from"}),
    "meetings": frozenset({"kind", "held_on", "agencies_present", "recorded_by", "actions"}),
    "meetings.actions": frozenset({"due_on", "done_on"}),
    "suspension": frozenset({"decision", "on"}),
    "regulator_referrals": frozenset({"body", "on"}),
    "reopenings": frozenset({"on", "user", "previous_outcome", "previous_closed_on"}),
    "notes": frozenset({"at", "user"}),
}
# Top-level fields kept exactly as they are (their audit entries keep their values too).
KEPT_AS_IS = KEEP[""] - {"category_history", "meetings", "suspension", "regulator_referrals", "reopenings", "notes"}
IDENTITY_OUTCOMES = (Outcome.FALSE.value, Outcome.MALICIOUS.value)
# A stored date or date and time, whole: free text that merely starts with a date ("2018-02-01 phoned
# the school") is text, and is redacted as text, never turned into a missing date.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")


# --- redaction of one stored document ------------------------------------------------------------

def _blank(value: Any) -> Any:
    """The redacted form of a personal value: text says so, dates go, containers are blanked inside."""
    if isinstance(value, str):
        if not value:
            return ""
        return None if _ISO_DATE.match(value) else REDACTED
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value  # numbers, booleans, None: not identifying on their own


def _redact(value: Any, where: str) -> Any:
    keep = KEEP.get(where)
    if keep is None:
        return _blank(value)
    if isinstance(value, list):
        return [_redact(v, where) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        path = f"{where}.{k}" if where else k
        if k not in keep:
            out[k] = _blank(v)
        elif path in KEEP:
            out[k] = _redact(v, path)
        else:
            out[k] = v
    return out


def redact_doc(doc: dict[str, Any], on: date) -> dict[str, Any]:
    """The stored contact document with its personal data removed (a new dict; ``_rev`` is dropped)."""
    redacted: dict[str, Any] = _redact({k: v for k, v in doc.items() if k != "_rev"}, "")   # a dict in, a dict out
    redacted["redacted_on"] = on.isoformat()
    return redacted


def redact_at(field: str, path: Sequence[Union[int, str]], value: Any) -> Any:
    """The redacted form of ``value`` found at ``path`` inside the top-level ``field`` ("*": a whole record).

    The same rule as ``redact_doc``, applied where the value sits, so an audit
    entry that holds one item of a list (a note, one meeting action's date) is
    redacted exactly as that item is in the redacted record; replaying the
    redacted trail then rebuilds the redacted record.
    """
    if field == "*":
        return _redact(value, "") if isinstance(value, dict) else _blank(value)
    top = KEEP[""]
    if field not in top:
        return _blank(value)
    where = field
    if where not in KEEP:
        return value                      # kept as it is, with everything inside it
    for step in path:
        if isinstance(step, int):
            continue                      # a position in a list: the rule is the same for every item
        if step not in KEEP[where]:
            return _blank(value)
        where = f"{where}.{step}"
        if where not in KEEP:
            return value
    return _redact(value, where)


def audit_rewrite_fields(redacted: dict[str, Any], history: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """For each field whose past values must leave the audit trail: the value to put in their place.

    Covers every field the record has had, not only those it has now, so a
    name that was entered and later cleared is removed from the trail too.
    """
    seen: set[str] = set(redacted)
    for a in history:
        if a.get("field") == "*" and isinstance(a.get("new"), dict):
            seen.update(a["new"])
        elif a.get("field"):
            seen.add(a["field"])
    return {f: redacted.get(f) for f in sorted(seen) if f not in KEPT_AS_IS and f not in ("_rev", "*")}
