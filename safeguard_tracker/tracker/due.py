"""The chase list: what is overdue and what falls due soon, most urgent first.

Each area contributes its items: ``deadlines.contact_due_items`` for the LADO
and ``plan_dates.plan_due_items`` for reviews and actions.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from ..dates import parse_date
from ..due import DueItem, sort_items

DUE_SOON_DAYS = 7


class DueMixin:
    def due(self, as_of: Any = None, within_days: int = DUE_SOON_DAYS, areas: tuple[str, ...] = ("lado", "action", "review")) -> list[DueItem]:
        """What is overdue, and what falls due within ``within_days``, most urgent first."""
        day = parse_date(as_of, "as_of", required=False, today=self.today()) or self.today()
        items: list[DueItem] = []
        if "lado" in areas:
            try:
                from ..deadlines import contact_due_items
            except ImportError:
                contact_due_items = None
            if contact_due_items is not None:
                items.extend(contact_due_items(self, day, within_days))
        if "action" in areas or "review" in areas:
            try:
                from ..plan_dates import plan_due_items
            except ImportError:
                plan_due_items = None
            if plan_due_items is not None:
                items.extend(i for i in plan_due_items(self, day, within_days) if i.area in areas)
        return sort_items(items)
