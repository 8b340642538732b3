"""The steps on an action, each one form and one tracker call.

``STEPS`` is the single list behind the keys on the action screen, the reviews tree and the
actions board, the command palette ("sign off A-000006") and the help screen.  Every save
passes the revision the form was opened with (``expected_rev``), so another user's change in
between is a CONFLICT shown in the form, with the input kept, never a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from safeguard_tracker import Tracker
from safeguard_tracker.dates import fmt, parse_date
from safeguard_tracker.errors import SafeguardError, ValidationError
from safeguard_tracker.model import Action, ActionStatus

from ..fields import Field
from ..record_forms import open_record_form
from .forms import Note, PlanFormScreen
from .render import due_text


@dataclass(frozen=True)
class Step:
    verb: str                      # the palette word: "sign off"
    key: str                       # the key wherever an action is highlighted or open
    label: str                     # the footer label
    help: str                      # one line for the help screen and the palette
    fields: Callable[[Action, Any], list[Field]]
    save: Callable[[Any, Action, dict[str, str]], str]     # returns the status-line confirmation
    refuse: Callable[[Action], Optional[str]] = lambda a: None
    notes: Callable[[Action, Any], dict[str, Note]] = lambda a, t: {}
    footer: bool = True

    @property
    def name(self) -> str:
        return self.verb.replace(" ", "_")


def _not_open(a: Action) -> Optional[str]:
    if not a.is_open:
        return f"{a.reference} is {a.status.label}: this step is for an open action"
    return None


# --- progress update ---------------------------------------------------------------------------------
def _update_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("text", "Update", required=True, hint="what has happened since the last update"),
            Field("on", "As of", "date", value="today")]


def _update(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    saved = tracker.add_update(a.reference, v["text"], on=v.get("on") or None, expected_rev=a.rev)
    moved = " (now in progress)" if a.status is ActionStatus.NOT_STARTED else ""
    return f"Update added to {a.reference}{moved}; {len(saved.updates)} update(s) in all"


# --- revise the due date ----------------------------------------------------------------------------
def _revise_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("to", "New due date", "date", required=True, aliases=("due",),
                  hint=f"now due {due_text(a)}"),
            Field("reason", "Reason", required=True, hint="why the date moves: it is kept with the original")]


def _revise_notes(a: Action, tracker: Tracker) -> dict[str, Note]:
    def note(values: dict[str, str]) -> str:
        typed = values.get("to", "")
        was = f"now {fmt(a.current_due_on) or 'no date'}; original {fmt(a.due_on) or 'none'}"
        if not typed:
            return was
        try:
            day = parse_date(typed, "to", today=tracker.today())
        except ValidationError:
            return ""
        return f"= {day:%A %d/%m/%Y} ({was})"
    return {"to": note}


def _revise(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    saved = tracker.revise_due(a.reference, v["to"], v["reason"], expected_rev=a.rev)
    was = fmt(a.current_due_on) or "none"
    original = fmt(saved.due_on) or "none"
    return (f"{a.reference} now due {fmt(saved.current_due_on)} (was {was}"
            + (f", original {original}" if original != was else "") + "); reason recorded")


# --- evidence and impact ------------------------------------------------------------------------------
def _signed(a: Action) -> Optional[str]:
    if a.status is ActionStatus.SIGNED_OFF:
        return f"{a.reference} is signed off: its evidence is what the sub group assured"
    return None


def _evidence_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("evidence", "Evidence", value=a.evidence, hint="what shows it is done (report, audit, minutes)"),
            Field("impact_measure", "Impact measure", value=a.impact_measure,
                  hint="how the sub group will know it made a difference")]


def _evidence(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    if v.get("evidence", "") == a.evidence and v.get("impact_measure", "") == a.impact_measure:
        return f"{a.reference}: nothing changed"
    if not v.get("evidence") and not v.get("impact_measure"):
        raise ValidationError("evidence", "", "evidence, an impact measure, or both")
    tracker.record_evidence(a.reference, evidence=v.get("evidence", ""), impact_measure=v.get("impact_measure", ""),
                            expected_rev=a.rev)
    return f"Evidence and impact measure recorded for {a.reference}"


# --- complete ---------------------------------------------------------------------------------------------
def _complete_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("on", "Completed on", "date", value="today", required=True),
            Field("evidence", "Evidence", value=a.evidence, hint="needed for GREEN and before sign-off"),
            Field("impact_measure", "Impact measure", value=a.impact_measure),
            Field("follow_up", "Follow-up", hint="optional: a follow-up action, e.g. 'audit the new protocol'"),
            Field("follow_up_after", "Follow-up after", value="3 months",
                  hint="the follow-up is due this long after completion")]


def _complete(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    saved = tracker.complete_action(a.reference, on=v["on"], evidence=v.get("evidence", ""),
                                    impact_measure=v.get("impact_measure", ""), follow_up=v.get("follow_up") or None,
                                    follow_up_after=v.get("follow_up_after") or "3 months", expected_rev=a.rev)
    rag = tracker.rag(saved).value.upper()
    msg = f"{a.reference} complete on {fmt(saved.completed_on)}: {rag}"
    if rag != "GREEN":
        msg += " (record its evidence for GREEN)"
    follow = tracker.follow_ups(a.reference)
    if v.get("follow_up") and follow:
        f = follow[-1]
        msg += f"; follow-up {f.reference} due {fmt(f.due_on)}"
    return msg


# --- sign off -----------------------------------------------------------------------------------------------
def _sign_off_refuse(a: Action) -> Optional[str]:
    if a.status is ActionStatus.SIGNED_OFF:
        return f"{a.reference} was signed off on {fmt(a.signed_off_on)} by {a.signed_off_by}"
    if a.status is not ActionStatus.COMPLETE:
        return f"{a.reference} is {a.status.label}: complete it first (c), with its evidence"
    if not a.evidence.strip():
        return f"{a.reference} has no evidence of completion: record it first (e)"
    return None


def _sign_off_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("by", "Signed off by", required=True,
                  hint="who signs it off for the sub group (name or role, e.g. 'chair of the sub group')"),
            Field("on", "Signed off on", "date", value="today", required=True)]


def _sign_off(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    saved = tracker.sign_off(a.reference, by=v["by"], on=v["on"], expected_rev=a.rev)
    return f"{a.reference} signed off by {saved.signed_off_by} on {fmt(saved.signed_off_on)}: BLUE"


# --- off track, back on track, reopen -----------------------------------------------------------------------
def _off_track_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("reason", "Reason", required=True, value=a.off_track_reason,
                  hint="why it is off track: it shows RED until completed or back on track")]


def _off_track(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    tracker.flag_off_track(a.reference, v["reason"], expected_rev=a.rev)
    return f"{a.reference} flagged OFF TRACK: RED; reason recorded as an update"


def _on_track_refuse(a: Action) -> Optional[str]:
    if not a.off_track_reason:
        return f"{a.reference} is not flagged off track"
    return None


def _on_track_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("note", "Note", hint=f"was off track: {a.off_track_reason}")]


def _on_track(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    saved = tracker.clear_off_track(a.reference, v.get("note", ""), expected_rev=a.rev)
    return f"{a.reference} back on track: {tracker.rag(saved).value.upper()}"


def _reopen_refuse(a: Action) -> Optional[str]:
    if a.status is not ActionStatus.COMPLETE:
        return f"{a.reference} is {a.status.label}: only a complete action (not signed off) can be reopened"
    return None


def _reopen_fields(a: Action, tracker: Tracker) -> list[Field]:
    return [Field("reason", "Reason", required=True, hint="why it is not done after all")]


def _reopen(tracker: Tracker, a: Action, v: dict[str, str]) -> str:
    tracker.reopen_action(a.reference, v["reason"], expected_rev=a.rev)
    return f"{a.reference} reopened: in progress again; reason recorded as an update"


STEPS: tuple[Step, ...] = (
    Step("update", "u", "Update", "add a dated progress update", _update_fields, _update,
         lambda a: None if a.status is not ActionStatus.SIGNED_OFF else f"{a.reference} is signed off"),
    Step("revise", "d", "Due date", "revise the due date, giving the reason (the original stays visible)",
         _revise_fields, _revise, _not_open, _revise_notes),
    Step("evidence", "e", "Evidence", "record the evidence of completion and the impact measure",
         _evidence_fields, _evidence, _signed),
    Step("complete", "c", "Complete", "mark it complete (with evidence: GREEN), optionally with a follow-up",
         _complete_fields, _complete, _not_open),
    Step("sign off", "s", "Sign off", "sign it off for the sub group: asks who signs (BLUE)",
         _sign_off_fields, _sign_off, _sign_off_refuse),
    Step("off track", "f", "Off track", "flag it off track, giving the reason (RED)",
         _off_track_fields, _off_track, _not_open),
    Step("on track", "k", "On track", "clear the off-track flag", _on_track_fields, _on_track, _on_track_refuse,
         footer=False),
    Step("reopen", "o", "Reopen", "reopen a complete action that is not done after all, giving the reason",
         _reopen_fields, _reopen, _reopen_refuse, footer=False),
)
BY_NAME = {s.name: s for s in STEPS}


def open_step(app: Any, name: str, reference: str, *, on_saved: Optional[Callable[[], None]] = None) -> None:
    """Open the form for step ``name`` on action ``reference``; confirm in the status line once saved."""
    step = BY_NAME[name]
    tracker = app.tracker

    def intro(action: Action) -> str:
        try:
            review_title = tracker.get_review(action.review).title
        except SafeguardError:
            review_title = action.review
        return (f"{review_title} rec {action.recommendation} \u00b7 {action.lead_agency or 'no lead agency'} \u00b7 "
                f"due {due_text(action)}\n{action.description}")

    open_record_form(app, reference, fetch=lambda: tracker.get_action(reference), refuse=step.refuse,
                     fields=lambda a: step.fields(a, tracker), save=lambda a, v: step.save(tracker, a, v),
                     title=lambda a: f"{step.label}: {a.reference}", intro=intro,
                     form_id=f"form-{step.name.replace('_', '-')}", screen=PlanFormScreen,
                     extra=lambda a: {"notes": step.notes(a, tracker)}, on_saved=on_saved)
