"""The reviews' and actions' frames: their columns, and the records as they stood on a date (see
docs/analysis.md).

The derived columns call the plans' own rules: RAG (``plans.rag.doc_rag``), the
current due date (``plans.plan_dates.current_due_iso``), a rule's wording
(``describe_rule``), a review's title and statutory dates (``Review.title``,
``statutory_dates``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from .frames_columns import (
    BOOL,
    DATE,
    INT,
    TEXT,
    Builder,
    Column,
    Env,
    Kind,
    agency_field,
    cat,
    column_of,
    count_of,
    on_or_before,
    text_field,
)
from .model import ActionStatus, DueRule, Review, ReviewKind, ReviewStatus
from .plans.plan_dates import (
    OPEN_STATUSES,
    PlanRules,
    current_due_iso,
    describe_rule,
    statutory_dates,
)
from .plans.rag import RAG_ORDER, doc_rag
from .store.protocol import Doc

# --- reviews ------------------------------------------------------------------------------------------

REVIEW_STEPS = ("known_on", "notified_on", "decision_on", "initiated_on", "published_on")
REVIEW_DATES = ("incident_on", *REVIEW_STEPS)
# The date a stage needs (a stage with none is kept as stored).
STAGE_NEEDS = {"closed": "published_on", "published": "published_on", "in_progress": "initiated_on",
               "rapid_review": "notified_on"}
STAGES = tuple(s.value for s in ReviewStatus)


def review_start(d: Doc) -> str | None:
    """When the board had the review: its first dated step, else the incident; None if it has no date."""
    steps = [v for k in REVIEW_STEPS if (v := d.get(k))]
    return min(steps) if steps else d.get("incident_on")


def reviews_as_of(docs: Iterable[Doc], as_of: str) -> list[Doc]:
    """The reviews the board had on ``as_of``, each at the stage its dates show (see docs/analysis.md)."""
    out = []
    for stored in docs:
        start = review_start(stored)
        if start is not None and start > as_of:
            continue
        d = dict(stored)
        for key in REVIEW_DATES:
            d[key] = on_or_before(d.get(key), as_of)
        status = d.get("status") or "notified"
        if status in STAGES:
            i = STAGES.index(status)
            while i > 0:
                needed = stored.get(STAGE_NEEDS.get(STAGES[i], ""))
                if needed is None or needed <= as_of:
                    break
                i -= 1
            d["status"] = STAGES[i]
        out.append(d)
    return out


def review_view(d: Doc) -> Review:
    """The attributes ``Review.title`` and ``statutory_dates`` read, over a document (no model is built)."""
    def day(key: str) -> date | None:
        value = d.get(key)
        return date.fromisoformat(value) if value else None
    return cast(Review, SimpleNamespace(kind=ReviewKind(d["kind"]), name=d.get("name") or "",
                                        lead_board=d.get("lead_board") or "", known_on=day("known_on"),
                                        incident_on=day("incident_on"), notified_on=day("notified_on"),
                                        initiated_on=day("initiated_on")))


_TITLE = cast(Callable[[Review], str], cast(property, vars(Review)["title"]).fget)


def review_title(d: Doc) -> str:
    """'SCR Dawn', 'Audit: Neglect': ``Review.title`` over a stored document."""
    return _TITLE(review_view(d))


def _statutory(which: str) -> Builder:
    def build(rows: list[Doc], env: Env) -> list[Any]:
        rules = env.once("plan_rules", lambda: PlanRules.from_settings(env.ctx.settings))
        out: list[Any] = []
        for d in rows:
            due = getattr(statutory_dates(review_view(d), rules), which)
            out.append(due.isoformat() if due is not None else None)
        return out
    return build


def _action_counts(env: Env) -> dict[str, list[int]]:
    """Per review: [actions, open, overdue], over the frame's actions (as of its date)."""
    counts: dict[str, list[int]] = {}
    for d in env.cache["actions_rows"]:
        c = counts.setdefault(d["review"], [0, 0, 0])
        c[0] += 1
        c[1] += d.get("status", "not_started") in OPEN_STATUSES
        c[2] += days_overdue(d, env) > 0
    return counts


def _per_review(i: int) -> Builder:
    def build(rows: list[Doc], env: Env) -> list[Any]:
        counts = env.once("action_counts", lambda: _action_counts(env))
        return [counts.get(d["reference"], (0, 0, 0))[i] for d in rows]
    return build


REVIEW_COLUMNS: dict[str, Column] = {
    "reference": Column(TEXT, column_of("reference")),
    "kind": Column(cat(ReviewKind), column_of("kind")),
    "name": Column(TEXT, text_field("name")),
    "title": Column(TEXT, lambda rows, env: [review_title(d) for d in rows]),
    "lead_board": Column(TEXT, text_field("lead_board")),
    "themes": Column(TEXT, lambda rows, env: ["; ".join(d.get("themes") or ()) for d in rows]),
    "status": Column(cat(ReviewStatus, ordered=True), column_of("status")),
    **{key: Column(DATE, column_of(key)) for key in REVIEW_DATES},
    "notification_due": Column(DATE, _statutory("notification_due")),
    "rapid_review_due": Column(DATE, _statutory("rapid_review_due")),
    "publication_due": Column(DATE, _statutory("publication_due")),
    "recommendations": Column(INT, count_of("recommendations")),
    "actions": Column(INT, _per_review(0)),
    "open_actions": Column(INT, _per_review(1)),
    "overdue_actions": Column(INT, _per_review(2)),
    "revision": Column(INT, lambda rows, env: env.values(rows, "_rev", 0)),
    "chair": Column(TEXT, text_field("chair"), personal=True),
    "author": Column(TEXT, text_field("author"), personal=True),
}


# --- actions ------------------------------------------------------------------------------------------

def _update_day(u: Doc) -> str:
    """An update's date: the day it reports on, else the day it was written (as the action-plan report)."""
    return cast(str, u.get("on") or (u.get("at") or "")[:10])


def actions_as_of(docs: Iterable[Doc], as_of: str, reviews_left_out: Iterable[str] = ()) -> list[Doc]:
    """The actions as they stood on ``as_of`` (see docs/analysis.md); those of reviews left out go too."""
    gone = set(reviews_left_out)
    out = []
    for stored in docs:
        if stored.get("review") in gone:
            continue
        d = dict(stored)
        if d.get("revisions"):
            d["revisions"] = [r for r in d["revisions"] if (r.get("on") or "") <= as_of]
        if d.get("updates"):
            d["updates"] = [u for u in d["updates"] if _update_day(u) <= as_of]
        completed, signed = d.get("completed_on"), d.get("signed_off_on")
        if completed is not None and completed > as_of:
            d.update(status="in_progress" if d.get("updates") else "not_started", completed_on=None,
                     signed_off_on=None, signed_off_by="")
        elif signed is not None and signed > as_of:
            d.update(status="complete", signed_off_on=None, signed_off_by="")
        out.append(d)
    return out


def days_overdue(d: Doc, env: Env) -> int:
    """``plans.rag.days_overdue`` over a stored document: days past the current due date for an action
    not yet complete; 0 otherwise (due today is not overdue)."""
    due = current_due_iso(d)
    if due is None or due >= env.as_of_iso or d.get("status", "not_started") not in OPEN_STATUSES:
        return 0
    return (env.as_of - date.fromisoformat(due)).days


def _review_titles(env: Env) -> dict[str, str]:
    return {key: review_title(d) for key, d in env.ctx.store.all("reviews").items()}


def _due_rule(rows: list[Doc], env: Env) -> list[Any]:
    said: dict[tuple[str, str, str], str] = {}
    out = []
    for d in rows:
        rule = d.get("due_rule")
        if not rule:
            out.append("")
            continue
        key = (rule.get("period", ""), rule.get("event", ""), rule.get("action") or "")
        text = said.get(key)
        if text is None:
            text = said[key] = describe_rule(DueRule(period=key[0], event=key[1], action=key[2]))
        out.append(text)
    return out


def _latest_update(item: Callable[[Doc], Any]) -> Builder:
    return lambda rows, env: [item(u[-1]) if (u := d.get("updates")) else None for d in rows]


ACTION_COLUMNS: dict[str, Column] = {
    "reference": Column(TEXT, column_of("reference")),
    "review": Column(TEXT, column_of("review")),
    "review_title": Column(TEXT, lambda rows, env: [
        env.once("titles", lambda: _review_titles(env)).get(d["review"], d["review"]) for d in rows]),
    "recommendation": Column(INT, column_of("recommendation")),
    "description": Column(TEXT, text_field("description")),
    "lead_agency": Column(lambda env: Kind("cat", env.ctx.plan_agencies.agencies, False, True),
                          agency_field("lead_agency", plan=True)),
    "due_on": Column(DATE, column_of("due_on")),
    "due_rule": Column(TEXT, _due_rule),
    "revisions": Column(INT, count_of("revisions")),
    "current_due_on": Column(DATE, lambda rows, env: [current_due_iso(d) for d in rows]),
    "status": Column(cat(ActionStatus, ordered=True), lambda rows, env: [d.get("status", "not_started") for d in rows]),
    "rag": Column(cat(RAG_ORDER, ordered=True), lambda rows, env: [doc_rag(d, env.as_of_iso).value for d in rows]),
    "overdue": Column(BOOL, lambda rows, env: [days_overdue(d, env) > 0 for d in rows]),
    "days_overdue": Column(INT, lambda rows, env: [days_overdue(d, env) for d in rows]),
    "off_track": Column(BOOL, lambda rows, env: [bool((d.get("off_track_reason") or "").strip()) for d in rows]),
    "off_track_reason": Column(TEXT, text_field("off_track_reason")),
    "has_evidence": Column(BOOL, lambda rows, env: [bool((d.get("evidence") or "").strip()) for d in rows]),
    "evidence": Column(TEXT, text_field("evidence")),
    "impact_measure": Column(TEXT, text_field("impact_measure")),
    "updates": Column(INT, count_of("updates")),
    "latest_update_on": Column(DATE, _latest_update(_update_day)),
    "completed_on": Column(DATE, column_of("completed_on")),
    "signed_off_on": Column(DATE, column_of("signed_off_on")),
    "follow_up_of": Column(TEXT, text_field("follow_up_of")),
    "revision": Column(INT, lambda rows, env: env.values(rows, "_rev", 0)),
    "lead_officer": Column(TEXT, text_field("lead_officer"), personal=True),
    "signed_off_by": Column(TEXT, text_field("signed_off_by"), personal=True),
    "latest_update": Column(TEXT, lambda rows, env: [u[-1].get("text") or "" if (u := d.get("updates")) else ""
                                                     for d in rows], personal=True),
}
