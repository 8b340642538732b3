"""The RAG rating of an action: derived from its status, evidence, flag and dates, never stored.

- Blue: signed off (complete and assured);
- Green: complete, with evidence;
- Red: overdue against the current (revised, else original) due date and not
  complete, or flagged off track with a reason;
- Amber: everything else (on track, not yet due, or complete without evidence).

Blue and Green win over Red: a finished action is not "off track", and
completing or signing off an action clears its off-track flag anyway.
Overdue means the due date is strictly before the as-of date: an action due
today is not yet late.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from ..model import RAG, Action, ActionStatus
from ..store.protocol import Doc
from .plan_dates import current_due_iso

RAG_ORDER = (RAG.RED, RAG.AMBER, RAG.GREEN, RAG.BLUE)


def derive_rag(status: str, has_evidence: bool, off_track: bool, current_due: Optional[str], as_of: str) -> RAG:
    """The one rule, over plain values (ISO date strings) so documents and models share it."""
    if status == "signed_off":
        return RAG.BLUE
    if status == "complete":
        return RAG.GREEN if has_evidence else RAG.AMBER
    if off_track or (current_due is not None and current_due < as_of):
        return RAG.RED
    return RAG.AMBER


def action_rag(action: Action, as_of: date) -> RAG:
    due = action.current_due_on
    return derive_rag(action.status.value, bool(action.evidence.strip()), bool(action.off_track_reason.strip()),
                      due.isoformat() if due else None, as_of.isoformat())


def doc_rag(doc: Doc, as_of_iso: str) -> RAG:
    """The same rule over a stored document, for filtering thousands of actions quickly."""
    return derive_rag(doc.get("status", "not_started"), bool((doc.get("evidence") or "").strip()),
                      bool((doc.get("off_track_reason") or "").strip()), current_due_iso(doc), as_of_iso)


def days_overdue(action: Action, as_of: date) -> int:
    """Days past the current due date for an action not yet complete; 0 otherwise."""
    due = action.current_due_on
    if due is None or action.status not in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS):
        return 0
    return max((as_of - due).days, 0)


def is_overdue(action: Action, as_of: date) -> bool:
    return days_overdue(action, as_of) > 0
