"""One row of an actions CSV: its cells parsed and checked, then applied to an action with the
tracker's rules; and the dates of both plans' CSVs, read as spreadsheets write them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Optional

import attrs

from ..dates import fmt, parse_date
from ..errors import ValidationError
from ..model import Action, ActionStatus, Revision
from ..validation.plans import plan_agency
from .actions import ActionService
from .plan_dates import describe_rule, parse_due
from ..io.csvfiles import unguard

_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def cell_day(text: str, column: str, row: int, today: date) -> Optional[date]:
    """A cell as a date: dd/mm/yyyy directly (the common case, and fast), else the general reader."""
    m = _UK_DATE.fullmatch(text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass   # 31/02/2018: let the general reader word the error
    return parse_date(unguard(text), column, row=row, today=today, required=False)


def cell_past_day(actions: ActionService, column: str, text: str, row: int) -> Optional[date]:
    """A cell as the date of something done: never after today."""
    day = cell_day(text, column, row, actions.ctx.today())
    if day is not None and day > actions.ctx.today():
        raise ValidationError(column, fmt(day), f"a date no later than today ({fmt(actions.ctx.today())})", row=row)
    return day


def action_row(actions: ActionService, row: dict[str, str], number: int, review_key: Any) -> dict[str, Any]:
    """One row's cells, parsed and checked on their own (rules against the store come later)."""
    v: dict[str, Any] = {}
    v["review"] = review_key(unguard(row["review"])) if row.get("review") else None
    text = row.get("recommendation", "")
    if not re.fullmatch(r"\d+", text or "") or int(text) < 1:
        raise ValidationError("recommendation", text, "the recommendation's number within its review (1, 2, 3...)",
                              row=number)
    v["recommendation"] = int(text)
    v["recommendation_text"] = " ".join(unguard(row.get("recommendation_text", "")).split())
    v["action"] = " ".join(unguard(row.get("action", "")).split())
    if not v["action"]:
        raise ValidationError("action", "", "the action's description", row=number)
    if v["review"] is None:
        raise ValidationError("review", "", "the review's name or reference", row=number)
    v["agency"] = plan_agency(actions.ctx.plan_agencies, unguard(row.get("agency", "")), "agency", number)
    v["officer"] = unguard(row.get("officer", ""))
    due = unguard(row.get("due", ""))
    v["due"] = (cell_day(due, "due", number, actions.ctx.today()), None) if _UK_DATE.fullmatch(due) else \
        parse_due(due, "due", row=number, today=actions.ctx.today())
    v["status"] = ActionStatus.parse(row["status"], "status", row=number) if row.get("status") else None
    for column in ("completed", "signed_off_on"):
        v[column] = cell_past_day(actions, column, row.get(column, ""), number)
    v["revised_due"] = cell_day(row.get("revised_due", ""), "revised_due", number, actions.ctx.today())
    for column in ("evidence", "impact_measure", "revision_reason", "signed_off_by", "off_track_reason"):
        v[column] = unguard(row.get(column, "")).strip()
    v["reference"] = actions.key(row["reference"]) if row.get("reference") else None
    v["follow_up_of"] = actions.key(row["follow_up_of"]) if row.get("follow_up_of") else ""
    status, done = v["status"], v["completed"]
    if status is None:
        v["status"] = status = ActionStatus.COMPLETE if done else None
    if status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF) and done is None:
        raise ValidationError("completed", "", f"the completion date: the status is {status.label}", row=number)
    if status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS) and done is not None:
        raise ValidationError("status", status.label, f"complete or signed off: the row has a completion date "
                              f"({fmt(done)})", row=number)
    if status is ActionStatus.SIGNED_OFF:
        if not v["evidence"]:
            raise ValidationError("evidence", "", "the evidence of completion: only a complete action with evidence "
                                  "can be signed off", row=number)
        if not v["signed_off_by"] or v["signed_off_on"] is None:
            raise ValidationError("signed_off_by" if not v["signed_off_by"] else "signed_off_on", "",
                                  "who signed it off for the sub group (signed_off_by) and when (signed_off_on)",
                                  row=number)
        if v["signed_off_on"] < done:
            raise ValidationError("signed_off_on", fmt(v["signed_off_on"]), f"a date on or after completion "
                                  f"({fmt(done)})", row=number)
    elif v["signed_off_by"] or v["signed_off_on"]:
        raise ValidationError("status", status.label if status else "", "signed off: the row records a sign-off",
                              row=number)
    if v["revised_due"] is not None and not v["revision_reason"]:
        raise ValidationError("revision_reason", "", "the reason for the revised due date", row=number)
    if v["off_track_reason"] and status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF):
        raise ValidationError("off_track_reason", v["off_track_reason"], "blank: only an open action can be off "
                              "track", row=number)
    return v


def merge_action(actions: ActionService, a: Action, v: dict[str, Any], number: int) -> Action:
    """Apply a row to an action (new or stored) with the tracker's rules; blank cells keep stored values."""
    due_on, rule = v["due"]
    changes: dict[str, Any] = {"description": v["action"], "lead_agency": v["agency"]}
    if v["officer"]:
        changes["lead_officer"] = v["officer"]
    if due_on is not None or rule is not None:
        same = (rule is not None and rule == a.due_rule) or (rule is None and a.due_rule is None and due_on == a.due_on)
        if not same:
            if a.reference and (a.due_on is not None or a.due_rule is not None):
                was = describe_rule(a.due_rule) if a.due_rule else fmt(a.due_on)
                raise ValidationError("due", describe_rule(rule) if rule else fmt(due_on),
                                      f"the original due date of {a.reference} ({was}): a due date is revised with "
                                      f"revised_due and revision_reason, so the original stays visible", row=number)
            changes.update(due_on=due_on, due_rule=rule)
    status = v["status"]
    if status is not None and status != a.status:
        if a.reference and status.rank < a.status.rank:
            raise ValidationError("status", status.label, f"{a.status.label} or later: {a.reference} is "
                                  f"{a.status.label} in the store (reopen it with a reason instead)", row=number)
        changes["status"] = status
    if v["completed"] is not None:
        changes["completed_on"] = v["completed"]
    for column in ("evidence", "impact_measure", "signed_off_by", "off_track_reason"):
        if v[column]:
            changes[column] = v[column]
    if v["signed_off_on"] is not None:
        changes["signed_off_on"] = v["signed_off_on"]
    if v["follow_up_of"]:
        changes["follow_up_of"] = v["follow_up_of"]
    merged = attrs.evolve(a, **changes)
    if v["revised_due"] is not None and v["revised_due"] != merged.revised_due_on:
        merged = attrs.evolve(merged, revisions=merged.revisions + (Revision(
            on=actions.ctx.today(), by=actions.ctx.user, from_=merged.current_due_on, to=v["revised_due"],
            reason=v["revision_reason"]),))
    if merged.status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF) and merged.off_track_reason:
        merged = attrs.evolve(merged, off_track_reason="")
    return merged
