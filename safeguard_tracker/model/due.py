"""A chase-list item.  Overdue is derived from dates, never stored."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ..dates import fmt


@attrs.frozen(kw_only=True)
class DueItem:
    reference: str            # the record to open: L-2018-0042, A-000123 or R-2018-001
    what: str                 # "JEM (5 working days from referral)"
    due_on: date
    as_of: date
    area: str = "lado"        # lado | action | review
    agency: str = ""
    detail: str = ""

    @property
    def days_overdue(self) -> int:
        """Positive when overdue, 0 on the day, negative while still to come."""
        return (self.as_of - self.due_on).days

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def state(self) -> str:
        if self.days_overdue > 0:
            return "OVERDUE"
        if self.days_overdue == 0:
            return "DUE TODAY"
        return "DUE SOON"

    def sort_key(self) -> tuple[int, date, str, str]:
        return (-self.days_overdue, self.due_on, self.reference, self.what)

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "what": self.what, "due": self.due_on.isoformat(),
                "days_overdue": max(self.days_overdue, 0), "state": self.state, "area": self.area,
                "agency": self.agency, "detail": self.detail}

    def line(self) -> str:
        late = f"{self.days_overdue} day(s) overdue" if self.overdue else self.state.lower()
        return f"{self.reference:<14} {fmt(self.due_on)}  {late:<18} {self.what}"


def sort_items(items: list[DueItem]) -> list[DueItem]:
    return sorted(items, key=DueItem.sort_key)
