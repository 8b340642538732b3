"""Chase letters: one per lead agency, listing its overdue and due-soon actions (and any off track).

The sub group's monthly chore.  The letters are rendered through a Jinja2
template (``chase-letter.md.j2`` or ``.html.j2``) that a board can override
with ``--templates DIR``; every date and count is computed here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Optional


from ..dates import add_working_days, parse_date
from ..errors import ValidationError
from .actions import ActionService
from ..progress import NO_PROGRESS, Progress, counted
from .action_plan_report import action_entry, md_cell
from ..reports.render import render
from ..store.protocol import Doc

TEMPLATE = "chase-letter"
DUE_SOON_DAYS = 30          # a month ahead: the letters go out monthly
REPLY_WORKING_DAYS = 10     # the agency is asked to reply within two working weeks
FORMATS = ("md", "html", "json")


def chase_letters_data(actions: ActionService, *, agency: Optional[str] = None, as_of: Any = None,
                       within_days: int = DUE_SOON_DAYS, progress: Progress = NO_PROGRESS) -> Doc:
    """Each lead agency with open actions overdue, due within ``within_days`` of ``as_of``, or off track.

    Off-track actions are chased whatever their date: they are Red.  ``progress`` counts the open actions read.
    """
    day = parse_date(as_of, "as_of", required=False, today=actions.ctx.today()) or actions.ctx.today()
    if not 0 <= within_days <= 3660:
        raise ValidationError("within_days", within_days, "a number of days from 0 to 3660")
    lead = None if agency in (None, "") else actions.ctx.plan_agencies.canonical(agency, "agency")
    horizon = day + timedelta(days=within_days)
    titles = {r.reference: r.title for r in actions.reviews.find()}
    letters: dict[str, Doc] = {}
    found = actions.find(agency=lead, open_only=True)
    for a in counted(found, len(found), progress, "reading open actions"):
        due = a.current_due_on
        soon = due is not None and due <= horizon
        if not soon and not a.off_track_reason:
            continue
        entry = action_entry(actions, a, day, titles)
        letter = letters.setdefault(a.lead_agency, {"agency": a.lead_agency, "overdue": [], "due_soon": [],
                                                    "off_track": []})
        letter["overdue" if entry["overdue"] else "due_soon" if soon else "off_track"].append(entry)
    order = {name: i for i, name in enumerate(actions.ctx.plan_agencies.agencies)}
    out = []
    for name in sorted(letters, key=lambda n: (order.get(n, len(order)), n)):
        letter = letters[name]
        letter["overdue"].sort(key=lambda e: (-e["days_overdue"], e["reference"]))
        letter["due_soon"].sort(key=lambda e: (e["due"], e["reference"]))
        letter["off_track"].sort(key=lambda e: e["reference"])
        letter["count"] = len(letter["overdue"]) + len(letter["due_soon"]) + len(letter["off_track"])
        out.append(letter)
    if lead is not None and not out:
        out.append({"agency": lead, "overdue": [], "due_soon": [], "off_track": [], "count": 0})
    return {"as_of": day, "due_by": horizon, "reply_by": add_working_days(day, REPLY_WORKING_DAYS),
            "within_days": within_days, "letters": out}


def render_chase_letters(actions: ActionService, fmt_: str = "md", *, agency: Optional[str] = None, as_of: Any = None,
                         within_days: int = DUE_SOON_DAYS, templates: Optional[str | Path] = None,
                         progress: Progress = NO_PROGRESS) -> str:
    """Every letter in one document (md, html) or the data (json)."""
    if fmt_ not in FORMATS:
        raise ValidationError("format", fmt_, "one of: " + ", ".join(FORMATS))
    data = chase_letters_data(actions, agency=agency, as_of=as_of, within_days=within_days, progress=progress)
    return render(TEMPLATE, fmt_, {"data": data, "d": data, "md": md_cell}, templates=templates)
