"""The dashboard's figures, computed without Textual from what the other areas already hold.

Contacts by month come from ``tracker.lado_statistics`` (the annual report's own count, so the
dashboard and the report never disagree); overdue items from ``tracker.due()``; actions by RAG
and late statutory dates from the Learning Lessons data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from safeguard_tracker import Tracker
from safeguard_tracker.dates import financial_year_of, previous_financial_year
from safeguard_tracker.model.due import DueItem
from safeguard_tracker.errors import SafeguardError
from safeguard_tracker.model import RAG
from safeguard_tracker.plans.rag import RAG_ORDER

MOST_OVERDUE = 50     # the most overdue items the dashboard can list when it has the room
MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


@dataclass(frozen=True)
class LateDeadline:
    reference: str
    title: str
    what: str
    due_on: date
    days: int


@dataclass(frozen=True)
class Figures:
    today: date
    open_contacts: int
    overdue: int
    overdue_by_area: dict[str, int]
    due_soon: int
    year: str
    compare_year: str
    by_month: tuple[tuple[str, int, int], ...]      # (month, this year, last year), April first
    months_so_far: int                               # months of ``year`` begun by today
    rag: dict[RAG, int]
    late_deadlines: tuple[LateDeadline, ...]
    impact_overdue: int = 0
    notes: tuple[str, ...] = field(default=())
    due_known: bool = True       # False while a large store's deadlines are still being worked out
    most_overdue: tuple[DueItem, ...] = field(default=())          # the longest overdue first (at most 50)
    overdue_by_agency: tuple[tuple[str, int], ...] = field(default=())   # most overdue items first

    @property
    def year_to_date(self) -> tuple[int, int]:
        """Contacts this year so far, and in the same months of last year."""
        n = self.months_so_far
        return (sum(m[1] for m in self.by_month[:n]), sum(m[2] for m in self.by_month[:n]))


def figures(tracker: Tracker, due_items: list[DueItem], open_contacts: int, plans: Any, due_known: bool = True) -> Figures:
    today = tracker.today()
    year = financial_year_of(today)
    compare = previous_financial_year(year)
    notes: list[str] = []
    try:
        s = tracker.lado_statistics(year, compare)
        by_month = tuple(s.by_month)
    except (AttributeError, ImportError, SafeguardError) as exc:     # a build without stats
        notes.append(f"contacts by month unavailable: {exc}")
        by_month = tuple((m, 0, 0) for m in MONTHS)
    start_month = 4
    months_so_far = (today.year - int(year[:4])) * 12 + today.month - start_month + 1
    overdue_by_area = {"lado": 0, "action": 0, "review": 0}
    overdue = soon = 0
    for item in due_items:
        if item.overdue:
            overdue += 1
            overdue_by_area[item.area] = overdue_by_area.get(item.area, 0) + 1
        else:
            soon += 1
    # The reviews with a statutory date passed are among the overdue items (the chase list's
    # rule); only theirs are looked at again, for the date itself.
    late = []
    late_refs = sorted({i.reference for i in due_items if i.area == "review" and i.overdue})
    for r in filter(None, map(plans.review, late_refs)):
        for d in plans.late_deadlines(r):
            late.append(LateDeadline(r.reference, r.title, d.what, d.due_on, (today - d.due_on).days))
    late.sort(key=lambda x: (-x.days, x.reference))
    impact = sum(1 for i in due_items if i.overdue and i.area == "review" and "impact review" in i.what)
    rag = plans.rag_counts()
    overdue_items = [i for i in due_items if i.overdue]
    most_overdue = sorted(overdue_items, key=lambda i: (-i.days_overdue, i.reference, i.what))[:MOST_OVERDUE]
    per_agency: dict[str, int] = {}
    for item in overdue_items:
        name = item.agency or ("reviews (the sub group)" if item.area == "review" else "agency not recorded")
        per_agency[name] = per_agency.get(name, 0) + 1
    by_agency = tuple(sorted(per_agency.items(), key=lambda kv: (-kv[1], kv[0])))
    return Figures(today=today, open_contacts=open_contacts, overdue=overdue, overdue_by_area=overdue_by_area,
                   due_soon=soon, year=year, compare_year=compare, by_month=by_month,
                   months_so_far=max(0, min(12, months_so_far)), rag={k: rag.get(k, 0) for k in RAG_ORDER},
                   late_deadlines=tuple(late), impact_overdue=impact, notes=tuple(notes), due_known=due_known,
                   most_overdue=tuple(most_overdue), overdue_by_agency=by_agency)


def scale(value: int, peak: int, cells: int) -> int:
    """How many whole cells of ``cells`` a bar of ``value`` fills (at least one for any non-zero value)."""
    if value <= 0 or peak <= 0:
        return 0
    return max(1, round(cells * value / peak))


def month_columns(by_month: tuple[tuple[str, int, int], ...], height: int, months_so_far: Optional[int] = None
                  ) -> tuple[int, list[tuple[int, int]]]:
    """(the axis top, [(this year's cells, last year's cells)]) for a vertical bar chart ``height`` tall.

    Months of this year still to come have no bar (rather than a misleading zero).
    """
    peak = max([m[1] for m in by_month] + [m[2] for m in by_month] + [1])
    top = nice_top(peak)
    out = []
    for i, (_, this, last) in enumerate(by_month):
        future = months_so_far is not None and i >= months_so_far
        out.append((0 if future else scale(this, top, height), scale(last, top, height)))
    return top, out


def nice_top(peak: int) -> int:
    """A round axis maximum at or above ``peak``: 10, 20, 25, 50, 100..."""
    if peak <= 10:
        return 10
    magnitude = 10 ** (len(str(peak)) - 1)
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        top = int(step * magnitude)
        if top >= peak:
            return top
    return peak
