"""Relative due dates that follow their event: when a review's date moves or an action is completed,
the actions due "3 months after publication" or "after A-000002 is complete" move with it, in the
same transaction."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

import attrs

from ..context import Context
from ..convert import to_doc
from ..model import Action, Review
from ..store.protocol import Transaction
from .plan_dates import resolve_rule

REVIEWS = "reviews"
ACTIONS = "actions"


def due_changes(ctx: Context, reviews: dict[str, Review], actions: dict[str, Action]) -> dict[str, Action]:
    """The actions whose relative due dates move, given changed (not yet stored) reviews and actions.

    ``reviews`` and ``actions`` override what the store holds.  Returns each
    action (stored or overridden) whose resolved date differs, with the new
    date.  Completion only feeds its dependents' dates, never another
    completion, so one pass is enough.  Callers stage each record once.
    """
    docs = ctx.store.all(ACTIONS)

    def completed_on(ref: str) -> Optional[date]:
        a = actions.get(ref)
        if a is not None:
            return a.completed_on
        d = docs.get(ref)
        return date.fromisoformat(d["completed_on"]) if d and d.get("completed_on") else None

    def review_of(ref: str) -> Optional[Review]:
        if ref in reviews:
            return reviews[ref]
        d = ctx.store.get(REVIEWS, ref)
        return ctx.structure(Review, REVIEWS, ref, d) if d is not None else None

    out: dict[str, Action] = {}
    for key in set(docs) | set(actions):
        a = actions.get(key)
        if a is None:
            if not docs[key].get("due_rule"):
                continue
            a = ctx.structure(Action, ACTIONS, key, docs[key])
        if a.due_rule is None:
            continue
        due = resolve_rule(a.due_rule, review_of(a.review), completed_on)
        if due != a.due_on:
            out[key] = attrs.evolve(a, due_on=due)
    return out


def stage_dependants(ctx: Context, txn: Transaction, *, reviews: Iterable[Review] = (), actions: Iterable[Action] = ()) -> None:
    """Stage the dependants of records just staged in ``txn`` (which are not staged again)."""
    changed_reviews = {r.reference: r for r in reviews}
    changed_actions = {a.reference: a for a in actions}
    for key, a in due_changes(ctx, changed_reviews, changed_actions).items():
        if key not in changed_actions:
            txn.put(ACTIONS, key, to_doc(a))
