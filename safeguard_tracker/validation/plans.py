"""One validator for reviews and actions: the API, the plans' CSV and JSON imports and the TUI's forms all use it."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Optional

import attrs

from ..dates import fmt, parse_date
from ..errors import RuleError, ValidationError
from ..model import Action, ActionStatus, Review, ReviewKind, ReviewStatus
from ..documents import Doc
from ..taxonomy import Taxonomy
from .fields import clean_text, require_text, split_list, text_value

REVIEW_DATE_FIELDS = ("incident_on", "known_on", "notified_on", "decision_on", "initiated_on", "published_on")
REVIEW_TEXT_FIELDS = ("name", "lead_board", "chair", "author")
REVIEW_FIELDS = REVIEW_TEXT_FIELDS + REVIEW_DATE_FIELDS + ("kind", "status", "themes")
# Dates that cannot come before another (later, earlier).
_DATE_ORDER = (("known_on", "incident_on"), ("notified_on", "incident_on"), ("notified_on", "known_on"),
               ("decision_on", "notified_on"), ("published_on", "initiated_on"))
# The dates in words, for messages read by people who never see the field names.
_DATE_WORDS = {"incident_on": "incident date", "known_on": "date it became known", "notified_on": "notified date",
               "decision_on": "decision date", "initiated_on": "initiated date", "published_on": "published date"}
ACTION_FIELDS = ("description", "lead_agency", "lead_officer", "status", "due")


def plan_agency(agencies: Taxonomy, name: Any, field: str, row: Optional[int] = None) -> str:
    """An owner or lead agency: one of the agency list, or a plan-only owner such as the board itself."""
    return agencies.canonical(name if isinstance(name, str) else str(name or ""), field, row=row)


def clean_review(base: Review, fields: dict[str, Any], *, today: date, others: Mapping[str, Doc],
                 row: Optional[int] = None) -> Review:
    """Apply user-supplied fields to a review, raising ValidationError on the first bad one."""
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name in REVIEW_TEXT_FIELDS:
            changes[name] = text_value(value, name, "the review's name (usually a pseudonym)", name == "name", row)
        elif name in REVIEW_DATE_FIELDS:
            day = parse_date(value, name, row=row, today=today, required=False)
            if day is not None and day > today:
                raise ValidationError(name, fmt(day), f"a date no later than today ({fmt(today)})", row=row)
            changes[name] = day
        elif name == "kind":
            changes[name] = ReviewKind.parse(value, "kind", row=row)
        elif name == "status":
            changes[name] = ReviewStatus.parse(value, "status", row=row)
        elif name == "themes":
            changes[name] = split_list(value)
        else:
            raise ValidationError(name, value, "not a review field; accepted fields are: " + ", ".join(REVIEW_FIELDS),
                                  row=row)
    review = attrs.evolve(base, **changes)
    for later, earlier in _DATE_ORDER:
        a, b = getattr(review, later), getattr(review, earlier)
        if a is not None and b is not None and a < b:
            raise ValidationError(later, fmt(a), f"a date on or after the {_DATE_WORDS[earlier]} ({fmt(b)})", row=row)
    if review.kind is ReviewKind.OTHER_BOARD and not review.lead_board:
        raise ValidationError("lead_board", "", "the board leading the review (required for a review led by "
                              "another board)", row=row)
    if "published_on" in changes and review.published_on is not None and "status" not in fields \
            and review.status in (ReviewStatus.NOTIFIED, ReviewStatus.RAPID_REVIEW, ReviewStatus.IN_PROGRESS):
        review = attrs.evolve(review, status=ReviewStatus.PUBLISHED)
    if review.status is ReviewStatus.PUBLISHED and review.published_on is None and review.kind in (
            ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.LLR, ReviewKind.DHR):
        raise ValidationError("published_on", "", "the publication date, for a published review", row=row)
    for key, doc in others.items():
        if key != review.reference and doc["kind"] == review.kind.value \
                and doc["name"].casefold() == review.name.casefold():
            raise ValidationError("name", review.name, f"a name not already used by another {review.kind.label} "
                                  f"({key})", row=row)
    return review


def clean_owners(agencies: Taxonomy, value: Any, row: Optional[int] = None) -> tuple[str, ...]:
    owners = tuple(dict.fromkeys(plan_agency(agencies, a, "owner_agencies", row) for a in split_list(value)))
    if not owners:
        raise ValidationError("owner_agencies", "", "one or more owner agencies from the agency list", row=row)
    return owners


def clean_action_fields(agencies: Taxonomy, action: Action, fields: dict[str, Any],
                        row: Optional[int] = None) -> Action:
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "description":
            changes[name] = require_text(value, name, "the action's description", row=row)
        elif name == "lead_agency":
            changes[name] = plan_agency(agencies, value, "lead_agency", row)
        elif name == "lead_officer":
            changes[name] = clean_text(value, name, row=row)
        elif name == "status":
            st = ActionStatus.parse(value, "status", row=row)
            if st not in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS):
                raise ValidationError("status", st.value, "not_started or in_progress here; use complete_action "
                                      "and sign_off for the later steps", row=row)
            if not action.is_open and action.reference:
                raise RuleError(f"{action.reference} is {action.status.label}; reopen it with a reason first")
            changes[name] = st
        else:
            raise ValidationError(name, value, "not an action field; accepted fields are: "
                                  + ", ".join(ACTION_FIELDS), row=row)
    return attrs.evolve(action, **changes)
