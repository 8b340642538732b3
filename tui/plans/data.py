"""What the Learning Lessons screens show, computed from the tracker without Textual.

``PlansData`` holds the reviews and actions as models for one data version (the app bumps the
version after each save and when another user's changes arrive), with each action's RAG and
days overdue as of the tracker's date.  ``board_keys`` is the actions board: filtering,
grouping (by RAG or by lead agency) and ordering (overdue first), as a list of keys the paged
table shows: action references, and ``group:NAME`` for each group's heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from safeguard_tracker import Tracker
from safeguard_tracker.model import RAG, Action, ActionStatus, Review
from safeguard_tracker.plans.plan_dates import ReviewDeadline
from safeguard_tracker.plans.rag import RAG_ORDER, action_rag, days_overdue, doc_rag
from safeguard_tracker.taxonomy import fold

GROUP = "group:"
GROUPINGS = ("rag", "agency")
RAG_MEANING = {
    RAG.RED: "overdue or off track",
    RAG.AMBER: "in progress, on track (or complete without evidence)",
    RAG.GREEN: "complete with evidence: awaiting sign-off",
    RAG.BLUE: "signed off (assured)",
}
NO_AGENCY = "(no lead agency)"


@dataclass(frozen=True)
class BoardCriteria:
    """The actions board's filter.  Blank means any; each text matches words or parts of names,
    case and dash blind, so the list narrows as the user types."""
    review: str = ""
    agency: str = ""
    officer: str = ""
    text: str = ""
    signed_off: bool = False     # also show signed-off (Blue) actions

    @property
    def empty(self) -> bool:
        return not (self.review.strip() or self.agency.strip() or self.officer.strip() or self.text.strip())


class PlansData:
    """Reviews and actions of one data version, with derived RAG and lateness."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.version = -1
        self._reset()

    def _reset(self) -> None:
        self._reviews: Optional[list[Review]] = None
        self._review_by_ref: Optional[dict[str, Review]] = None
        self._actions: Optional[list[Action]] = None
        self._action_by_ref: Optional[dict[str, Action]] = None
        self._by_rec: Optional[dict[tuple[str, int], list[Action]]] = None
        self._rag: dict[str, RAG] = {}
        self._rag_counts: Optional[dict[RAG, int]] = None
        self._hay: Optional[dict[str, str]] = None
        self._deadlines: dict[str, list[ReviewDeadline]] = {}
        self._late: dict[str, int] = {}
        self._today: Optional[date] = None

    def sync(self, version: int) -> None:
        if version != self.version:
            self.version = version
            self._reset()

    @property
    def today(self) -> date:
        if self._today is None:
            self._today = self.tracker.today()
        return self._today

    # --- records ---------------------------------------------------------------------------
    @property
    def reviews(self) -> list[Review]:
        if self._reviews is None:
            self._reviews = self.tracker.reviews()
        return self._reviews

    @property
    def review_by_ref(self) -> dict[str, Review]:
        if self._review_by_ref is None:
            self._review_by_ref = {r.reference: r for r in self.reviews}
        return self._review_by_ref

    def review(self, ref: str) -> Optional[Review]:
        return self.review_by_ref.get(ref)

    def title(self, ref: str) -> str:
        r = self.review(ref)
        return r.title if r is not None else ref

    @property
    def actions(self) -> list[Action]:
        if self._actions is None:
            self._actions = self.tracker.actions()
        return self._actions

    @property
    def action_by_ref(self) -> dict[str, Action]:
        if self._action_by_ref is None:
            self._action_by_ref = {a.reference: a for a in self.actions}
        return self._action_by_ref

    def action(self, ref: str) -> Optional[Action]:
        return self.action_by_ref.get(ref)

    def actions_of(self, review_ref: str, number: Optional[int] = None) -> list[Action]:
        """A review's actions (or one recommendation's), in reference order."""
        if self._by_rec is None:
            self._by_rec = {}
            for a in self.actions:
                self._by_rec.setdefault((a.review, a.recommendation), []).append(a)
                self._by_rec.setdefault((a.review, -1), []).append(a)
        return list(self._by_rec.get((review_ref, -1 if number is None else number), ()))

    def rag(self, a: Action) -> RAG:
        rag = self._rag.get(a.reference)
        if rag is None:
            rag = self._rag[a.reference] = action_rag(a, self.today)
        return rag

    def late(self, a: Action) -> int:
        late = self._late.get(a.reference)
        if late is None:
            late = self._late[a.reference] = days_overdue(a, self.today)
        return late

    def deadlines(self, r: Review) -> list[ReviewDeadline]:
        if r.reference not in self._deadlines:
            self._deadlines[r.reference] = self.tracker.review_deadlines(r)
        return self._deadlines[r.reference]

    def late_deadlines(self, r: Review) -> list[ReviewDeadline]:
        """The review's statutory dates that have passed without being met."""
        return [d for d in self.deadlines(r) if d.outstanding and d.due_on < self.today]

    def rag_counts(self, actions: Optional[list[Action]] = None) -> dict[RAG, int]:
        """Actions by RAG: of ``actions``, or of every action in the store.  The store's are
        counted from the stored documents by the library's document rule (``rag.doc_rag``, the
        same rule as ``action_rag``), so the dashboard does not structure 20,000 actions."""
        counts = {k: 0 for k in RAG_ORDER}
        if actions is None and self._actions is None:
            if self._rag_counts is None:
                iso = self.today.isoformat()
                for d in self.tracker.action_docs().values():
                    counts[doc_rag(d, iso)] += 1
                self._rag_counts = counts
            return dict(self._rag_counts)
        for a in self.actions if actions is None else actions:
            counts[self.rag(a)] += 1
        return counts

    # --- the actions board ----------------------------------------------------------------------
    @property
    def hay(self) -> dict[str, str]:
        """Each action's searchable text (reference, description, updates, evidence), casefolded."""
        if self._hay is None:
            self._hay = {a.reference: " ".join([a.reference, a.description, a.lead_agency, a.lead_officer,
                                                a.evidence, a.impact_measure, a.off_track_reason,
                                                *(u.text for u in a.updates)]).casefold()
                         for a in self.actions}
        return self._hay

    def reviews_matching(self, text: str) -> set[str]:
        """References of the reviews whose reference, name or title contains ``text``."""
        key = fold(text)
        return {r.reference for r in self.reviews
                if key in fold(r.reference) or key in fold(r.title) or key in fold(r.name)}

    def board_actions(self, crit: BoardCriteria) -> list[Action]:
        """The actions the board lists: not yet signed off (unless asked), matching the filter."""
        reviews = self.reviews_matching(crit.review) if crit.review.strip() else None
        agency = fold(crit.agency) if crit.agency.strip() else ""
        officer = crit.officer.casefold().split()
        words = crit.text.casefold().split()
        hay = self.hay if words else {}
        out = []
        for a in self.actions:
            if a.status is ActionStatus.SIGNED_OFF and not crit.signed_off:
                continue
            if reviews is not None and a.review not in reviews:
                continue
            if agency and agency not in fold(a.lead_agency):
                continue
            if officer and not all(w in a.lead_officer.casefold() for w in officer):
                continue
            if words and not all(w in hay[a.reference] for w in words):
                continue
            out.append(a)
        return out

    def urgency(self, a: Action) -> tuple:
        """Overdue first (most days late first), then by current due date; undated last."""
        due = a.current_due_on
        return (-self.late(a), due or date.max, a.reference)

    def board_groups(self, crit: BoardCriteria, group_by: str = "rag") -> list[tuple[str, list[Action]]]:
        """(group name, actions overdue first) in the board's order.

        By RAG: Red, Amber, Green, Blue.  By agency: the agencies with the most overdue actions
        first, then the agency list's order.
        """
        if group_by not in GROUPINGS:
            raise ValueError(f"group by one of {GROUPINGS}, not {group_by!r}")
        groups: dict[str, list[Action]] = {}
        for a in self.board_actions(crit):
            name = self.rag(a).value.upper() if group_by == "rag" else (a.lead_agency or NO_AGENCY)
            groups.setdefault(name, []).append(a)
        for acts in groups.values():
            acts.sort(key=self.urgency)
        if group_by == "rag":
            names = [k.value.upper() for k in RAG_ORDER if k.value.upper() in groups]
        else:
            order = {n: i for i, n in enumerate(self.tracker.plan_agencies.agencies)}
            names = sorted(groups, key=lambda n: (-sum(1 for a in groups[n] if self.late(a) > 0),
                                                  order.get(n, len(order)), n))
        return [(n, groups[n]) for n in names]

    def board_keys(self, crit: BoardCriteria, group_by: str = "rag") -> list[str]:
        return keys_of(self.board_groups(crit, group_by))


def keys_of(groups: list[tuple[str, list[Action]]]) -> list[str]:
    """The board's rows: each group's heading (``group:NAME``) then its actions' references."""
    keys: list[str] = []
    for name, acts in groups:
        keys.append(GROUP + name)
        keys.extend(a.reference for a in acts)
    return keys


def is_group(key: str) -> bool:
    return key.startswith(GROUP)


def group_name(key: str) -> str:
    return key[len(GROUP):]
