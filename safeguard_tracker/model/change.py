"""One entry of the audit trail as a reader sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

    @classmethod
    def from_entry(cls, a: dict) -> "Change":
        return cls(at=datetime.fromisoformat(a["at"]), user=a["user"], reference=a["ref"], field=a["field"],
                   old=a.get("old"), new=a.get("new"), table=a.get("table", "contacts"), seq=a.get("seq", 0))

    @property
    def description(self) -> str:
        if self.field == "*":
            return "created"
        return f"{self.field}: {_short(self.old)} -> {_short(self.new)}"


def _short(value: Any, limit: int = 60) -> str:
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        last = value[-1]
        text = last.get("text") or last.get("rationale") or last.get("reason") or last.get("kind") or last
        value = f"{len(value)} item(s); latest: {text}"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
