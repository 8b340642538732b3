"""Actions of a plan: each its own record (``A-000123``), with a lead agency and officer, a due date
(a date, or a rule such as "3 months after publication" that follows its event), dated updates,
evidence, completion with follow-ups, sign-off by the sub group, and off-track flags.

RAG is derived from these (``rag.py``), never typed.  Every step is one
revision-checked transaction; a refused step writes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional, cast

import attrs

from ..context import Context
from ..convert import to_doc
from ..dates import add_period, fmt, parse_date
from ..errors import RuleError, ValidationError
from ..model import RAG, Action, ActionStatus, DueRule, Review, Revision, Update
from ..store.protocol import Doc, Transaction
from ..validation.fields import text_value
from ..validation.plans import clean_action_fields, plan_agency
from .dependants import stage_dependants
from .plan_dates import (OPEN_STATUSES, action_reference, check_period, describe_rule, parse_due, period_text,
                         resolve_rule)
from .rag import action_rag, days_overdue, doc_rag
from .reviews import ReviewService

REVIEWS = "reviews"
ACTIONS = "actions"
_ACTION_REF = re.compile(r"^A-(\d+)$", re.IGNORECASE)


class ActionService:
    """The actions of the store's plans: read, filter, add, and every step of their life."""

    def __init__(self, ctx: Context, reviews: ReviewService):
        self.ctx = ctx
        self.reviews = reviews

    def key(self, reference: Any) -> str:
        if isinstance(reference, Action):
            return reference.reference
        text = str(reference or "").strip()
        try:
            return action_reference(text)
        except ValidationError:
            raise ValidationError("action", reference, "an action reference such as A-000002") from None

    def get(self, reference: Any) -> Action:
        return self.ctx.load(Action, ACTIONS, self.key(reference), "action")

    def docs(self) -> Mapping[str, Doc]:
        """The raw stored action documents, for fast counting (read-only: never mutate them)."""
        return self.ctx.store.all(ACTIONS)

    def find(self, *, review: Any = None, recommendation: Optional[int] = None, agency: Optional[str] = None,
                officer: Optional[str] = None, text: Optional[str] = None, status: Any = None, rag: Any = None,
                open_only: bool = False, as_of: Any = None) -> list[Action]:
        """Actions in reference order, narrowed by any filter.

        ``status`` is an action status or 'open'; ``rag`` is red, amber, green or blue
        as of ``as_of`` (default today); ``officer`` and ``text`` match words.
        """
        rkey = None if review in (None, "") else self.reviews.key(review)
        ag = None if agency in (None, "") else plan_agency(self.ctx.plan_agencies, agency, "agency")
        st = None
        if status not in (None, ""):
            if str(status).strip().lower() == "open":
                open_only = True
            else:
                st = ActionStatus.parse(status, "status").value
        rg = None if rag in (None, "") else RAG.parse(rag, "rag")
        day = parse_date(as_of, "as_of", required=False, today=self.ctx.today()) or self.ctx.today()
        iso = day.isoformat()
        officer_words = (officer or "").casefold().split()
        words = (text or "").casefold().split()
        out = []
        for key, d in sorted(self.ctx.store.all(ACTIONS).items()):
            if rkey is not None and d["review"] != rkey:
                continue
            if recommendation is not None and d["recommendation"] != int(recommendation):
                continue
            if ag is not None and d.get("lead_agency") != ag:
                continue
            if st is not None and d.get("status") != st:
                continue
            if open_only and d.get("status") not in OPEN_STATUSES:
                continue
            if officer_words and not all(w in (d.get("lead_officer") or "").casefold() for w in officer_words):
                continue
            if words:
                hay = " ".join([key, d["description"], d.get("lead_agency", ""), d.get("lead_officer", ""),
                                d.get("evidence", ""), d.get("off_track_reason", ""),
                                *(u["text"] for u in d.get("updates", ()))]).casefold()
                if not all(w in hay for w in words):
                    continue
            if rg is not None and doc_rag(d, iso) is not rg:
                continue
            out.append(self.ctx.structure(Action, ACTIONS, key, d))
        return out

    def follow_ups(self, reference: Any) -> list[Action]:
        ref = self.key(reference)
        return [self.ctx.structure(Action, ACTIONS, k, d) for k, d in sorted(self.ctx.store.all(ACTIONS).items())
                if d.get("follow_up_of") == ref]

    def rag(self, action: Any, as_of: Any = None) -> RAG:
        """Blue, green, red or amber, derived as of ``as_of`` (default today)."""
        a = action if isinstance(action, Action) else self.get(action)
        day = parse_date(as_of, "as_of", required=False, today=self.ctx.today()) or self.ctx.today()
        return action_rag(a, day)

    def days_overdue(self, action: Any, as_of: Any = None) -> int:
        a = action if isinstance(action, Action) else self.get(action)
        day = parse_date(as_of, "as_of", required=False, today=self.ctx.today()) or self.ctx.today()
        return days_overdue(a, day)

    def preview_due(self, review: Any, due: Any) -> tuple[Optional[date], str]:
        """What a due date as typed resolves to now, and how it reads: for forms that show it as you type."""
        day, rule = parse_due(due, "due", today=self.ctx.today())
        if rule is None:
            return day, fmt(day) if day else "(no due date)"
        r = self.reviews.get(review)
        resolved = resolve_rule(rule, r, self.completed_on)
        when = fmt(resolved) if resolved else "when that happens"
        return resolved, f"{describe_rule(rule)}: {when}"

    def completed_on(self, reference: str, txn: Optional[Transaction] = None) -> Optional[date]:
        doc = txn.get(ACTIONS, reference) if txn is not None else self.ctx.store.get(ACTIONS, reference)
        if doc is None or not doc.get("completed_on"):
            return None
        return date.fromisoformat(doc["completed_on"])

    def resolve_due(self, txn: Transaction, review: Review, due: Any, own_ref: str = "",
                     row: Optional[int] = None) -> tuple[Optional[date], Optional[DueRule]]:
        day, rule = parse_due(due, "due", row=row, today=self.ctx.today())
        if rule is None:
            return day, None
        if rule.event == "completion":
            if rule.action == own_ref:
                raise ValidationError("due", describe_rule(rule), "an event other than this action's own completion",
                                      row=row)
            if txn.get(ACTIONS, rule.action) is None:
                raise ValidationError("due", describe_rule(rule), f"a rule naming an action in the store "
                                      f"({rule.action} is not)", row=row)
        return resolve_rule(rule, review, lambda ref: self.completed_on(ref, txn)), rule

    def next_number(self, txn: Transaction) -> int:
        highest = self.ctx.highest_issued("A-")   # issued once, never again (even after a restore)
        for key in txn.staged_keys(ACTIONS):
            m = _ACTION_REF.match(key)
            if m:
                highest = max(highest, int(m.group(1)))
        return highest + 1

    def clean(self, action: Action, fields: Doc, row: Optional[int] = None) -> Action:
        """Apply user-supplied fields to an action (``validation.plans.clean_action_fields``)."""
        return clean_action_fields(self.ctx.plan_agencies, action, fields, row)

    def add(self, review: Any, recommendation: Any, *, description: str, lead_agency: str,
                   lead_officer: str = "", due: Any = None, status: Any = None,
                   reference: Optional[str] = None) -> Action:
        """Add an action to a recommendation.

        ``due`` is a date, or a rule such as "3 months after publication" or
        "3 months after A-000002 is complete"; a rule's date follows its event.
        """
        fields = {"description": description, "lead_agency": lead_agency, "lead_officer": lead_officer}
        if status not in (None, ""):
            fields["status"] = status
        base = self.clean(Action(reference="", review="", recommendation=0, description="x"), fields)
        rkey = self.reviews.key(review)
        with self.ctx.store.transaction() as txn:
            r = self.reviews.get(rkey)
            rec = self.reviews.recommendation(r, recommendation)
            if reference:
                ref = self.key(reference)
                if txn.exists(ACTIONS, ref):
                    raise ValidationError("reference", reference, "a reference not already in use")
            else:
                ref = f"A-{self.next_number(txn):06d}"
            due_on, rule = self.resolve_due(txn, r, due, own_ref=ref)
            action = attrs.evolve(base, reference=ref, review=rkey, recommendation=rec.number, due_on=due_on,
                                  due_rule=rule)
            self.ctx.put(txn, ACTIONS, action, expected_rev=0)
        return self.get(ref)

    def change(self, reference: Any, change: Callable[[Action, Transaction], Action], expected_rev: Optional[int],
               after: Optional[Callable[[Action, Action, Transaction], None]] = None) -> Action:
        return self.ctx.change_record(ACTIONS, Action, self.key(reference), "action", change, expected_rev, after)

    def _day(self, on: Any, field: str = "on") -> date:
        day = parse_date(on, field, required=False, today=self.ctx.today()) or self.ctx.today()
        if day > self.ctx.today():
            raise ValidationError(field, fmt(day), f"a date no later than today ({fmt(self.ctx.today())})")
        return day

    def update(self, reference: Any, *, expected_rev: Optional[int] = None, **fields: Any) -> Action:
        """Change the description, lead agency, lead officer or (open) status.

        A due date can be set here only while the action has none; after that it
        changes through ``revise_due`` with a reason, so the original stays visible.
        """
        due = fields.pop("due", None)

        def change(a: Action, txn: Transaction) -> Action:
            updated = self.clean(a, fields)
            if due not in (None, ""):
                if a.due_on is not None or a.due_rule is not None or a.revisions:
                    raise RuleError(f"{a.reference} already has a due date ({self.due_text(a)}); "
                                    f"revise it with a reason instead")
                due_on, rule = self.resolve_due(txn, self.reviews.get(a.review), due, own_ref=a.reference)
                updated = attrs.evolve(updated, due_on=due_on, due_rule=rule)
            return updated
        return self.change(reference, change, expected_rev)

    def due_text(self, a: Action) -> str:
        if a.due_rule is not None:
            return describe_rule(a.due_rule) + (f" = {fmt(a.due_on)}" if a.due_on else "")
        return fmt(a.due_on) if a.due_on else "none"

    def add_update(self, reference: Any, text: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Action:
        """A dated, attributed progress update.  The first update on a not-started action marks it in progress."""
        text = text_value(text, "text", "the update's text")
        day = self._day(on)

        def change(a: Action, txn: Transaction) -> Action:
            status = ActionStatus.IN_PROGRESS if a.status is ActionStatus.NOT_STARTED else a.status
            return attrs.evolve(a, status=status, updates=a.updates + (Update(at=self.ctx.now(), by=self.ctx.user, text=text,
                                                                               on=day),))
        return self.change(reference, change, expected_rev)

    def revise_due(self, reference: Any, to: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Move the due date, with a reason.  The original and every earlier revision stay visible."""
        new = parse_date(to, "to", today=self.ctx.today())
        assert new is not None                    # required: a date, or a ValidationError
        reason = text_value(reason, "reason", "a reason for revising the due date")

        def change(a: Action, txn: Transaction) -> Action:
            if not a.is_open:
                raise RuleError(f"{a.reference} is {a.status.label}: only an open action's due date can be revised")
            if new == a.current_due_on:
                raise ValidationError("to", fmt(new), f"a date other than the current due date ({fmt(new)})")
            rev = Revision(on=self.ctx.today(), by=self.ctx.user, from_=a.current_due_on, to=new, reason=reason)
            return attrs.evolve(a, revisions=a.revisions + (rev,))
        return self.change(reference, change, expected_rev)

    def record_evidence(self, reference: Any, *, evidence: Optional[str] = None, impact_measure: Optional[str] = None,
                        expected_rev: Optional[int] = None) -> Action:
        """Evidence of completion and the measure that will show impact."""
        if evidence is None and impact_measure is None:
            raise ValidationError("evidence", "", "evidence, an impact measure, or both")

        def change(a: Action, txn: Transaction) -> Action:
            if a.status is ActionStatus.SIGNED_OFF:
                raise RuleError(f"{a.reference} is signed off: its evidence is what the sub group assured")
            return attrs.evolve(a, evidence=a.evidence if evidence is None else text_value(evidence, "evidence", "", False),
                                impact_measure=a.impact_measure if impact_measure is None
                                else text_value(impact_measure, "impact_measure", "", False))
        return self.change(reference, change, expected_rev)

    def complete(self, reference: Any, *, on: Any = None, evidence: Optional[str] = None,
                        impact_measure: Optional[str] = None, follow_up: Optional[str] = None,
                        follow_up_after: str = "3 months", follow_up_agency: Optional[str] = None,
                        follow_up_officer: Optional[str] = None, expected_rev: Optional[int] = None) -> Action:
        """Mark an action complete (clearing any off-track flag).

        With ``follow_up``, also creates a follow-up action due ``follow_up_after``
        the completion -- Ellie's "audit after 3 months" -- in the same transaction.
        Find it with ``follow_ups(reference)``.  Actions due relative to this
        completion get their dates.
        """
        day = self._day(on)
        follow_text = None if follow_up in (None, "") else text_value(follow_up, "follow_up", "the follow-up's description")
        if follow_text is not None:
            n, unit = check_period(str(follow_up_after), "follow_up_after")
        agency = None if follow_up_agency in (None, "") else plan_agency(self.ctx.plan_agencies, follow_up_agency, "follow_up_agency")

        def change(a: Action, txn: Transaction) -> Action:
            if not a.is_open:
                raise RuleError(f"{a.reference} is already {a.status.label}")
            return attrs.evolve(a, status=ActionStatus.COMPLETE, completed_on=day, off_track_reason="",
                                evidence=a.evidence if evidence is None else text_value(evidence, "evidence", "", False),
                                impact_measure=a.impact_measure if impact_measure is None
                                else text_value(impact_measure, "impact_measure", "", False))

        def after(old: Action, a: Action, txn: Transaction) -> None:
            stage_dependants(self.ctx, txn, actions=[a])
            if follow_text is not None:
                ref = f"A-{self.next_number(txn):06d}"
                rule = DueRule(period=period_text(n, unit), event="completion", action=a.reference)
                follow = Action(reference=ref, review=a.review, recommendation=a.recommendation,
                                description=follow_text, lead_agency=agency or a.lead_agency,
                                lead_officer=a.lead_officer if follow_up_officer is None else follow_up_officer.strip(),
                                due_on=add_period(day, rule.period), due_rule=rule, follow_up_of=a.reference)
                txn.put(ACTIONS, ref, to_doc(follow), expected_rev=0)
        return self.change(reference, change, expected_rev, after)

    def reopen(self, reference: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """A complete action found not to be done after all goes back in progress, with the reason as an update."""
        reason = text_value(reason, "reason", "a reason for reopening")

        def change(a: Action, txn: Transaction) -> Action:
            if a.status is not ActionStatus.COMPLETE:
                raise RuleError(f"{a.reference} is {a.status.label}: only a complete action (not yet signed off) "
                                f"can be reopened")
            return attrs.evolve(a, status=ActionStatus.IN_PROGRESS, completed_on=None, updates=a.updates + (
                Update(at=self.ctx.now(), by=self.ctx.user, text=f"Reopened: {reason}", on=self.ctx.today()),))
        return self.change(reference, change, expected_rev,
                                   lambda old, new, txn: stage_dependants(self.ctx, txn, actions=[new]))

    def sign_off(self, reference: Any, *, by: str, on: Any = None, expected_rev: Optional[int] = None) -> Action:
        """The sub group's assurance: records who signed it off and when.  Only a complete action with evidence."""
        by = text_value(by, "by", "who signed it off for the sub group")
        day = self._day(on)

        def change(a: Action, txn: Transaction) -> Action:
            if a.status is ActionStatus.SIGNED_OFF:
                raise RuleError(f"{a.reference} was already signed off on {fmt(a.signed_off_on)} by {a.signed_off_by}")
            if a.status is not ActionStatus.COMPLETE:
                raise RuleError(f"{a.reference} is {a.status.label}: only a complete action can be signed off; "
                                f"complete it first, with its evidence")
            if not a.evidence.strip():
                raise RuleError(f"{a.reference} has no evidence of completion: record the evidence before sign-off")
            if a.completed_on is not None and day < a.completed_on:
                raise ValidationError("on", fmt(day), f"a date on or after completion ({fmt(a.completed_on)})")
            return attrs.evolve(a, status=ActionStatus.SIGNED_OFF, signed_off_by=by, signed_off_on=day)
        return self.change(reference, change, expected_rev)

    def flag_off_track(self, reference: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Mark an open action off track (Red whatever its dates), with the reason as an update too."""
        reason = text_value(reason, "reason", "the reason the action is off track")

        def change(a: Action, txn: Transaction) -> Action:
            if not a.is_open:
                raise RuleError(f"{a.reference} is {a.status.label}: only an open action can be off track")
            return attrs.evolve(a, off_track_reason=reason, updates=a.updates + (
                Update(at=self.ctx.now(), by=self.ctx.user, text=f"Flagged off track: {reason}", on=self.ctx.today()),))
        return self.change(reference, change, expected_rev)

    def clear_off_track(self, reference: Any, note: str = "", *, expected_rev: Optional[int] = None) -> Action:
        def change(a: Action, txn: Transaction) -> Action:
            if not a.off_track_reason:
                raise RuleError(f"{a.reference} is not flagged off track")
            text = "Back on track" + (f": {note.strip()}" if note and note.strip() else "")
            return attrs.evolve(a, off_track_reason="", updates=a.updates + (
                Update(at=self.ctx.now(), by=self.ctx.user, text=text, on=self.ctx.today()),))
        return self.change(reference, change, expected_rev)

    def add_plan_records(self, reviews: Iterable[Review] = (), actions: Iterable[Action] = (), *,
                         upsert: bool = False) -> int:
        """Store many reviews and actions as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Every action's review and recommendation must exist.  Returns how many records changed.
        """
        reviews = list(reviews)
        actions = list(actions)
        changed = 0
        with self.ctx.store.transaction() as txn:
            for table, items in ((REVIEWS, reviews), (ACTIONS, actions)):
                for obj in items:
                    existing = txn.get(table, obj.reference)
                    if existing is not None and not upsert:
                        raise ValidationError("reference", obj.reference, "a reference not already in use")
                    if table == ACTIONS:
                        action = cast(Action, obj)          # the actions' table holds the actions
                        rdoc = txn.get(REVIEWS, action.review)
                        if rdoc is None:
                            raise ValidationError("review", action.review,
                                                  f"a review in the store (for {action.reference})")
                        if not any(r["number"] == action.recommendation for r in rdoc.get("recommendations", ())):
                            raise ValidationError("recommendation", action.recommendation,
                                                  f"a recommendation of {action.review} (for {action.reference})")
                    before = existing.get("_rev", 0) if existing else 0
                    doc = txn.put(table, obj.reference, to_doc(obj))
                    changed += doc.get("_rev", 0) != before
        return changed
