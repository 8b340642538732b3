"""Reviews, their numbered recommendations, and the actions that answer them.

An Action is its own record (reference ``A-000123``) so that two people updating
different actions of one plan never conflict.  RAG is derived, never stored:
see ``safeguard_tracker.plans.rag``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import attrs

from .enums import ActionStatus, ReviewKind, ReviewStatus


@attrs.frozen(kw_only=True)
class ImpactFinding:
    on: date
    by: str
    text: str


@attrs.frozen(kw_only=True)
class Recommendation:
    number: int
    text: str
    owner_agencies: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    impact_finding: Optional[ImpactFinding] = None


@attrs.frozen(kw_only=True)
class Review:
    reference: str
    kind: ReviewKind
    name: str                                   # usually a pseudonym: "Ellie", "Dawn"
    lead_board: str = ""
    chair: str = ""
    author: str = ""
    themes: tuple[str, ...] = ()
    status: ReviewStatus = ReviewStatus.NOTIFIED
    incident_on: Optional[date] = None
    known_on: Optional[date] = None             # when the incident became known to the board
    notified_on: Optional[date] = None          # national Panel notified
    decision_on: Optional[date] = None
    initiated_on: Optional[date] = None
    published_on: Optional[date] = None
    recommendations: tuple[Recommendation, ...] = ()
    legacy_reference: str = ""                  # the board's own reference from the plan it came from
    extra: dict[str, str] = attrs.field(factory=dict, hash=False)   # spreadsheet columns with no field here
    rev: int = 0

    @property
    def title(self) -> str:
        """'SCR Dawn', 'LLR Ruby', 'Audit: Neglect', 'Harry (led by Thurrock LSCB)'."""
        if self.kind is ReviewKind.AUDIT:
            return f"Audit: {self.name}"
        if self.kind is ReviewKind.OTHER_BOARD:
            return f"{self.name} (led by {self.lead_board})" if self.lead_board else self.name
        return f"{self.kind.label} {self.name}"

    def recommendation(self, number: int) -> Optional[Recommendation]:
        for r in self.recommendations:
            if r.number == number:
                return r
        return None


@attrs.frozen(kw_only=True)
class DueRule:
    """A due date given relative to an event: '3 months after publication'.

    ``event`` is one of: publication, initiation, notification, completion
    (of ``action`` -- another action's reference).
    """
    period: str
    event: str
    action: str = ""


@attrs.frozen(kw_only=True)
class Revision:
    on: date
    by: str
    from_: Optional[date]
    to: date
    reason: str


@attrs.frozen(kw_only=True)
class Update:
    at: datetime
    by: str
    text: str
    on: Optional[date] = None


@attrs.frozen(kw_only=True)
class Action:
    reference: str
    review: str                                 # the review's reference
    recommendation: int
    description: str
    lead_agency: str = ""
    lead_officer: str = ""
    due_on: Optional[date] = None               # the original due date (resolved if relative)
    due_rule: Optional[DueRule] = None
    revisions: tuple[Revision, ...] = ()
    status: ActionStatus = ActionStatus.NOT_STARTED
    updates: tuple[Update, ...] = ()
    evidence: str = ""
    impact_measure: str = ""
    completed_on: Optional[date] = None
    signed_off_by: str = ""
    signed_off_on: Optional[date] = None
    off_track_reason: str = ""
    follow_up_of: str = ""                      # the action this one follows up
    legacy_reference: str = ""                  # the board's own reference from the plan it came from
    extra: dict[str, str] = attrs.field(factory=dict, hash=False)   # spreadsheet columns with no field here
    rev: int = 0

    @property
    def revised_due_on(self) -> Optional[date]:
        return self.revisions[-1].to if self.revisions else None

    @property
    def current_due_on(self) -> Optional[date]:
        return self.revised_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
