"""Every date a review or an action plan depends on, computed, never typed.

- The national Child Safeguarding Practice Review Panel is notified within 5
  working days of the incident becoming known; the rapid review is due 15
  working days after that notification (working days skip weekends and
  England's bank holidays); an LCSPR (and an SCR) is published within 6 months
  of its initiation.  Sources: Working Together to Safeguard Children 2023,
  chapter 5 (2018 edition, chapter 4); see docs/plans.md.
- The Panel duty (s.16C Children Act 2004, inserted by the Children and Social
  Work Act 2017) and the rapid review began on 29/06/2018
  (:data:`PANEL_DUTY_FROM`, Working Together 2018 transitional arrangements).
  A review whose incident became known before that day (``known_on``, else
  ``incident_on``, else ``notified_on``) gets no Panel notification and no
  rapid-review date: its serious incident went to Ofsted and it ran under the
  LSCB regulations (Working Together 2015, chapter 4), which set no rapid
  review.  Decision: such an SCR keeps only its publication date, 6 months
  after initiation, because Working Together 2015 asked LSCBs to aim to
  complete an SCR within six months of initiating it and boards kept that
  expectation; the date stays a board setting (``plan_rules.publication``).
  A review with no date at all keeps the current rules.
- An action's due date may be relative to an event ("3 months after
  publication", "3 months after A-000002 is complete").  The rule is kept with
  the action and the date is resolved again whenever the event's date changes.
- A recommendation whose actions are all signed off has an impact review due
  12 months after the last sign-off, open until its finding is recorded.

The periods are defaults that a board can change in the store's settings
(``plan_rules``); see :class:`PlanRules`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Callable, Iterable, Optional

import attrs

from ..context import Context
from ..dates import add_period, fmt, parse_date, parse_period
from ..model.due import DueItem
from ..errors import ValidationError
from ..model import DueRule, Review, ReviewKind, ReviewStatus
from ..store.protocol import Doc

# The day the duty to notify the Child Safeguarding Practice Review Panel, and the rapid review, began.
PANEL_DUTY_FROM = date(2018, 6, 29)
# Kinds that start with a serious incident notification (to the national Panel from PANEL_DUTY_FROM, to Ofsted
# before it).
NOTIFIED_KINDS = (ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.RAPID_REVIEW)
# Kinds with a publication deadline after initiation.
PUBLISHED_KINDS = (ReviewKind.SCR, ReviewKind.LCSPR)

EVENTS = ("publication", "initiation", "notification", "decision", "completion")
_REVIEW_EVENT_FIELDS = {"publication": "published_on", "initiation": "initiated_on",
                        "notification": "notified_on", "decision": "decision_on"}
EVENT_FIELDS = {v: k for k, v in _REVIEW_EVENT_FIELDS.items()}
DUE_HELP = ("a date such as 29/06/2018, or a period after an event: '3 months after publication', "
            "'6 weeks after initiation', '3 months after A-000002 is complete'")


@attrs.frozen(kw_only=True)
class PlanRules:
    """The statutory periods.  Defaults from Working Together 2023 chapter 5; a board may change them in settings."""
    notification: str = "5 working days"       # incident known -> Panel notified
    rapid_review: str = "15 working days"      # notification -> rapid review
    publication: str = "6 months"              # initiation -> publication
    impact_review: str = "12 months"           # last sign-off -> impact review

    @classmethod
    def from_settings(cls, settings: Doc) -> "PlanRules":
        values = settings.get("plan_rules") or {}
        known = {a.name for a in attrs.fields(cls)}
        rules = cls(**{k: str(v) for k, v in values.items() if k in known})
        for a in attrs.fields(cls):
            parse_period(getattr(rules, a.name), f"plan_rules.{a.name}")
        return rules


@attrs.frozen(kw_only=True)
class StatutoryDates:
    notification_due: Optional[date] = None
    rapid_review_due: Optional[date] = None
    publication_due: Optional[date] = None


@attrs.frozen(kw_only=True)
class ReviewDeadline:
    """One statutory date of one review, and whether it has been met."""
    what: str              # "Panel notification"
    rule: str              # "5 working days after the incident became known"
    due_on: date
    done_on: Optional[date]
    outstanding: bool      # not yet done and the review is still live


def under_panel_duty(review: Review) -> bool:
    """Whether the review's incident became known on or after :data:`PANEL_DUTY_FROM` (or it has no date yet)."""
    known = review.known_on or review.incident_on or review.notified_on
    return known is None or known >= PANEL_DUTY_FROM


def statutory_dates(review: Review, rules: PlanRules = PlanRules()) -> StatutoryDates:
    """The review's computed deadlines (None where the kind has none or the base date is missing).

    A review whose incident became known before :data:`PANEL_DUTY_FROM` has no Panel notification or
    rapid-review date, only its publication date.
    """
    known = review.known_on or review.incident_on
    notification = rapid = publication = None
    if review.kind in NOTIFIED_KINDS and under_panel_duty(review):
        if known is not None:
            notification = add_period(known, rules.notification)
        if review.notified_on is not None:
            rapid = add_period(review.notified_on, rules.rapid_review)
    if review.kind in PUBLISHED_KINDS and review.initiated_on is not None:
        publication = add_period(review.initiated_on, rules.publication)
    return StatutoryDates(notification_due=notification, rapid_review_due=rapid, publication_due=publication)


_LIVE = (ReviewStatus.NOTIFIED, ReviewStatus.RAPID_REVIEW, ReviewStatus.IN_PROGRESS)


def review_deadlines(review: Review, rules: PlanRules = PlanRules()) -> list[ReviewDeadline]:
    """Each statutory date with whether it is met.

    The rapid review counts as done once the decision it leads to is recorded
    (``decision_on``) or the review has moved past the rapid review stage.
    """
    dates = statutory_dates(review, rules)
    live = review.status in _LIVE
    out = []
    if dates.notification_due is not None:
        out.append(ReviewDeadline(what="Panel notification", rule=f"{rules.notification} after the incident became known",
                                  due_on=dates.notification_due, done_on=review.notified_on,
                                  outstanding=live and review.notified_on is None))
    if dates.rapid_review_due is not None:
        done = review.decision_on
        out.append(ReviewDeadline(what="Rapid review", rule=f"{rules.rapid_review} after notification",
                                  due_on=dates.rapid_review_due, done_on=done,
                                  outstanding=done is None and review.status in (ReviewStatus.NOTIFIED,
                                                                                 ReviewStatus.RAPID_REVIEW)))
    if dates.publication_due is not None:
        out.append(ReviewDeadline(what="Publication", rule=f"{rules.publication} after initiation",
                                  due_on=dates.publication_due, done_on=review.published_on,
                                  outstanding=live and review.published_on is None))
    return out


# --- relative due dates ------------------------------------------------------------------

def period_text(n: int, unit: str) -> str:
    """(3, 'months') -> '3 months'; (1, 'working_days') -> '1 working day'."""
    words = unit.replace("_", " ")
    if n == 1:
        words = words[:-1]
    return f"{n} {words}"


_RULE = re.compile(r"^\s*(?P<period>\d+\s*[a-z ]+?)\s+(?:after|from|following)\s+(?P<event>.+?)\s*\.?\s*$",
                   re.IGNORECASE)


def action_reference(text: str | int) -> str:
    """'2', 'a-2', 'A-000002' -> 'A-000002'."""
    m = re.fullmatch(r"\s*(?:A-)?(\d{1,9})\s*", str(text), re.IGNORECASE)
    if not m:
        raise ValidationError("action", text, "an action reference such as A-000002")
    return f"A-{int(m.group(1)):06d}"


def _event(text: str, field: str, row: Optional[int]) -> tuple[str, str]:
    t = re.sub(r"\s+", " ", text.strip().lower())
    t = re.sub(r"^(the|its|review)\s+", "", t)
    t = re.sub(r"^(the|its|review)\s+", "", t)
    for event, words in (("publication", ("publication", "published", "publishing", "publication date")),
                         ("initiation", ("initiation", "initiated", "the start", "start", "initiation date")),
                         ("notification", ("notification", "notified", "panel notification")),
                         ("decision", ("decision", "the decision"))):
        if t in words:
            return event, ""
    m = re.fullmatch(r"(?:completion of |the completion of )?(?:action )?((?:a-)?\d{1,9})(?: is| has been| was)?"
                     r"(?: complete| completed| done)?", t)
    if m and ("complet" in t or "action" in t or t.startswith("a-") or "done" in t):
        return "completion", action_reference(m.group(1))
    raise ValidationError(field, text, DUE_HELP, row=row)


def parse_due(value: Any, field: str = "due", row: Optional[int] = None,
              today: Optional[date] = None) -> tuple[Optional[date], Optional[DueRule]]:
    """A due date as typed: an absolute date, or a rule relative to an event.

    Returns (date, None) or (None, rule); (None, None) for a blank value.
    """
    if isinstance(value, DueRule):
        return None, value
    if value is None or isinstance(value, date) or (isinstance(value, str) and not value.strip()):
        return parse_date(value, field, row=row, today=today, required=False), None
    text = str(value).strip()
    m = _RULE.match(text)
    if m:
        try:
            n, unit = parse_period(m.group("period"), field)
        except ValidationError:
            raise ValidationError(field, text, DUE_HELP, row=row) from None
        event, action = _event(m.group("event"), field, row)
        check_period((n, unit), field, row)
        return None, DueRule(period=period_text(n, unit), event=event, action=action)
    try:
        return parse_date(text, field, row=row, today=today), None
    except ValidationError:
        raise ValidationError(field, text, DUE_HELP, row=row) from None


def check_period(period: str | tuple[int, str], field: str, row: Optional[int] = None) -> tuple[int, str]:
    """A period that gives a real date for any event this century (not '999999 years')."""
    n, unit = parse_period(period, field) if isinstance(period, str) else period
    try:
        add_period(date(2100, 12, 31), (n, unit))
    except (ValueError, OverflowError):
        raise ValidationError(field, period_text(n, unit), "a period of at most a few years, such as '3 months'",
                              row=row) from None
    return n, unit


def describe_rule(rule: DueRule) -> str:
    if rule.event == "completion":
        return f"{rule.period} after {rule.action} is complete"
    return f"{rule.period} after {rule.event}"


def resolve_rule(rule: DueRule, review: Optional[Review],
                 completed_on: Callable[[str], Optional[date]]) -> Optional[date]:
    """The date a rule gives now, or None while its event has not happened."""
    if rule.event == "completion":
        base = completed_on(rule.action)
    else:
        base = getattr(review, _REVIEW_EVENT_FIELDS[rule.event]) if review is not None else None
    return add_period(base, rule.period) if base is not None else None


def impact_review_due(signed_off_dates: Iterable[Optional[date]], rules: PlanRules = PlanRules()) -> Optional[date]:
    """12 months after the last sign-off, when every action is signed off; else None."""
    dates = list(signed_off_dates)
    signed = [d for d in dates if d is not None]
    if not dates or len(signed) < len(dates):
        return None
    return add_period(max(signed), rules.impact_review)


# --- the chase list ------------------------------------------------------------------------

def _short(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def current_due_iso(doc: Doc) -> Optional[str]:
    """An action document's current due date (the latest revision, else the original), as ISO."""
    revisions = doc.get("revisions")
    due: Optional[str] = revisions[-1]["to"] if revisions else doc.get("due_on")
    return due


OPEN_STATUSES = ("not_started", "in_progress")


def plan_due_items(ctx: Context, as_of: date, within_days: int) -> list[DueItem]:
    """Overdue and due-soon actions, statutory review dates, and impact reviews.

    Works over the stored documents so that a chase list over 20,000 actions
    stays one pass over plain dicts.
    """
    rules = PlanRules.from_settings(ctx.settings)
    limit = (as_of + timedelta(days=within_days)).isoformat()
    reviews = ctx.store.all("reviews")
    titles: dict[str, str] = {}
    items: list[DueItem] = []
    for key, doc in reviews.items():
        review = ctx.structure(Review, "reviews", key, doc)
        titles[key] = review.title
        for d in review_deadlines(review, rules):
            if d.outstanding and d.due_on.isoformat() <= limit:
                items.append(DueItem(reference=key, what=f"{review.title}: {d.what} ({d.rule})", due_on=d.due_on,
                                     as_of=as_of, area="review", detail=f"due {fmt(d.due_on)}"))
    signed: dict[tuple[str, int], list[Optional[str]]] = {}
    for key, doc in ctx.store.all("actions").items():
        status = doc.get("status")
        signed.setdefault((doc["review"], doc["recommendation"]), []).append(
            doc.get("signed_off_on") if status == "signed_off" else None)
        if status not in OPEN_STATUSES:
            continue
        due = current_due_iso(doc)
        if due is None or due > limit:
            continue
        updates = doc.get("updates") or ()
        detail = f"lead officer: {doc.get('lead_officer') or '(none)'}"
        if doc.get("revisions"):
            detail += f"; revised from {fmt(date.fromisoformat(doc['due_on']))}" if doc.get("due_on") else "; revised"
        if updates:
            detail += f"; latest update: {_short(updates[-1]['text'], 80)}"
        title = titles.get(doc["review"], doc["review"])
        items.append(DueItem(reference=key, what=f"{title} rec {doc['recommendation']}: {_short(doc['description'])}",
                             due_on=date.fromisoformat(due), as_of=as_of, area="action",
                             agency=doc.get("lead_agency", ""), detail=detail))
    for (rkey, number), dates in signed.items():
        signed_on = [d for d in dates if d is not None]
        if len(signed_on) < len(dates):
            continue
        review_doc = reviews.get(rkey)
        if review_doc is None:
            continue
        rec = next((r for r in review_doc.get("recommendations", ()) if r["number"] == number), None)
        if rec is None or rec.get("impact_finding"):
            continue
        impact_due = impact_review_due((date.fromisoformat(d) for d in signed_on), rules)
        if impact_due is not None and impact_due.isoformat() <= limit:
            items.append(DueItem(reference=rkey, what=f"{titles.get(rkey, rkey)} rec {number}: impact review "
                                 f"({rules.impact_review} after the last sign-off)", due_on=impact_due, as_of=as_of,
                                 area="review", detail=f"all {len(dates)} action(s) signed off; record the impact finding"))
    return items
