"""The chase list: what is overdue and what falls due soon across both areas, most urgent first.

Each area contributes its items: ``lado.deadlines.contact_due_items`` for the
LADO and ``plans.plan_dates.plan_due_items`` for reviews and actions.
"""

from __future__ import annotations

from datetime import date
from .context import Context
from .dates import parse_date
from .lado.deadlines import contact_due_items
from .model.due import DueItem, sort_items
from .plans.plan_dates import plan_due_items

DUE_SOON_DAYS = 7
AREAS = ("lado", "action", "review")


def chase_list(ctx: Context, as_of: date | str | None = None, within_days: int = DUE_SOON_DAYS,
               areas: tuple[str, ...] = AREAS) -> list[DueItem]:
    """What is overdue, and what falls due within ``within_days``, most urgent first."""
    day: date = parse_date(as_of, "as_of", required=False, today=ctx.today()) or ctx.today()
    items: list[DueItem] = []
    if "lado" in areas:
        items.extend(contact_due_items(ctx, day, within_days))
    if "action" in areas or "review" in areas:
        items.extend(i for i in plan_due_items(ctx, day, within_days) if i.area in areas)
    return sort_items(items)
