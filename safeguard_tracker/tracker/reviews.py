"""Reviews, recommendations and actions: the Learning Lessons sub group's plans.

A review (``R-2018-002``) holds its numbered recommendations; each action
(``A-000123``) is its own record, so two people updating different actions of
one plan never conflict.  Every step is one store transaction: validated,
locked, audited and attributed.  Pass ``expected_rev`` (the ``rev`` of the
copy you are looking at) to refuse the change if someone else got there first.

Relative due dates ("3 months after publication") are kept as rules and
resolved again, in the same transaction, whenever their event moves.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable, Optional, TypeVar

import attrs

from ..convert import to_doc
from ..dates import add_period, fmt, parse_date
from ..errors import ConflictError, RuleError, UnknownReference, ValidationError, nearest
from ..model import (RAG, Action, ActionStatus, DueRule, ImpactFinding, Recommendation, Review, ReviewKind,
                     ReviewStatus, Revision, Update)
from ..plan_dates import (EVENT_FIELDS, NOTIFIED_KINDS, OPEN_STATUSES, PlanRules, ReviewDeadline, StatutoryDates,
                          action_reference, check_period, describe_rule, impact_review_due, parse_due, period_text, resolve_rule,
                          review_deadlines, statutory_dates)
from ..rag import action_rag, days_overdue, doc_rag
from ..taxonomy import Taxonomy

REVIEWS = "reviews"
ACTIONS = "actions"
_REVIEW_REF = re.compile(r"^R-(\d{4})-(\d+)$", re.IGNORECASE)
_ACTION_REF = re.compile(r"^A-(\d+)$", re.IGNORECASE)
REVIEW_DATE_FIELDS = ("incident_on", "known_on", "notified_on", "decision_on", "initiated_on", "published_on")
REVIEW_TEXT_FIELDS = ("name", "lead_board", "chair", "author")
REVIEW_FIELDS = REVIEW_TEXT_FIELDS + REVIEW_DATE_FIELDS + ("kind", "status", "themes")
# Dates that cannot come before another (later, earlier).
_DATE_ORDER = (("known_on", "incident_on"), ("notified_on", "incident_on"), ("notified_on", "known_on"),
               ("decision_on", "notified_on"), ("published_on", "initiated_on"))
ACTION_FIELDS = ("description", "lead_agency", "lead_officer", "status", "due")
# The board itself owns some recommendations ("alert another area's board"); its name is accepted
# as an owner or lead agency beside the agency list.  Settings: plan_agencies.
DEFAULT_PLAN_AGENCIES = ("Safeguarding Children Board",)

T = TypeVar("T")


class UnknownReview(UnknownReference):
    """No review by that reference or name; the message suggests the nearest names."""

    def __init__(self, key: str, names: Iterable[str]):
        super().__init__(key, "review")
        hint = nearest(key, names)
        tail = f" (did you mean {' or '.join(repr(h) for h in hint)}?)" if hint else ""
        self.args = (f"no review with reference or name '{key}'{tail}; give a reference like R-2018-002 "
                     f"or a name like 'Dawn' or 'SCR Dawn'",)


@attrs.frozen(kw_only=True)
class ImpactReview:
    """The 12-month check that a signed-off recommendation made a difference."""
    review: str
    title: str
    number: int
    text: str
    last_signed_off_on: date
    due_on: date
    finding: Optional[ImpactFinding]

    @property
    def open(self) -> bool:
        return self.finding is None


def _text(value: Any, field: str, what: str, required: bool = True, row: Optional[int] = None) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(field, value if value is not None else "", f"{what} is required", row=row)
    return text


def split_list(value: Any) -> tuple[str, ...]:
    """'neglect; voice of the child' or a list -> a tuple of trimmed, non-blank, de-duplicated items."""
    if value is None:
        return ()
    items = re.split(r"[;\n]", value) if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if text and text.casefold() not in (o.casefold() for o in out):
            out.append(text)
    return tuple(out)


class ReviewsMixin:
    # --- settings -------------------------------------------------------------------------
    @property
    def plan_rules(self) -> PlanRules:
        return PlanRules.from_settings(self.settings)

    @property
    def plan_agencies(self) -> Taxonomy:
        """The agency list plus the plan-only owners (the board itself): who can own or lead."""
        base = self.taxonomy
        extra = tuple(self.settings.get("plan_agencies", DEFAULT_PLAN_AGENCIES))
        cached = getattr(self, "_plan_taxonomy", None)
        if cached is None or cached[0] is not base or cached[1] != extra:
            cached = (base, extra, Taxonomy(tuple(base.agencies) + tuple(a for a in extra if a not in base)))
            self._plan_taxonomy = cached
        return cached[2]

    def _plan_agency(self, name: Any, field: str, row: Optional[int] = None) -> str:
        return self.plan_agencies.canonical(name if isinstance(name, str) else str(name or ""), field, row=row)

    # --- reading reviews ----------------------------------------------------------------------
    def _review_names(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """References by folded name and by folded title, rebuilt only when the store has moved on."""
        docs = self.store.all(REVIEWS)
        stamp = (id(docs), self.store.last_seq, len(docs))
        cached = getattr(self, "_review_name_index", None)
        if cached is None or cached[0] != stamp:
            by_name: dict[str, list[str]] = {}
            by_title: dict[str, list[str]] = {}
            for k, d in docs.items():
                by_name.setdefault(d["name"].casefold(), []).append(k)
                by_title.setdefault(self._structure(Review, REVIEWS, k, d).title.casefold(), []).append(k)
            cached = (stamp, by_name, by_title)
            self._review_name_index = cached
        return cached[1], cached[2]

    def _review_key(self, key: Any) -> str:
        """A reference, 'Dawn', or 'SCR Dawn' -> the review's reference."""
        if isinstance(key, Review):
            return key.reference
        text = " ".join(str(key or "").split())
        if not text:
            raise ValidationError("review", key, "a review's reference (R-2018-002) or name ('Dawn', 'SCR Dawn')")
        docs = self.store.all(REVIEWS)
        if _REVIEW_REF.match(text):
            ref = text.upper()
            if ref in docs:
                return ref
        names, titles = self._review_names()
        folded = text.casefold()
        by_name = names.get(folded, [])
        by_title = titles.get(folded, [])
        if len(by_title) == 1:
            return by_title[0]
        words = text.split(" ")
        for cut in (1, 2, 3):
            if len(words) <= cut:
                break
            try:
                kind = ReviewKind.parse(" ".join(words[:cut]), "kind")
            except ValidationError:
                continue
            named = names.get(" ".join(words[cut:]).casefold(), [])
            typed = [k for k in named if docs[k]["kind"] == kind.value]
            if len(typed) == 1:
                return typed[0]
            if not by_name and len(named) == 1:
                return named[0]     # 'SCR Harry' for a review led by another board
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            shown = sorted(self._structure(Review, REVIEWS, k, docs[k]).title for k in by_name)
            raise ValidationError("review", text, "one review: several have that name, so give the kind or the "
                                  "reference (" + ", ".join(shown) + ")")
        raise UnknownReview(text, [d["name"] for d in docs.values()] + list(
            self._structure(Review, REVIEWS, k, d).title for k, d in docs.items()))

    def get_review(self, key: Any) -> Review:
        """A review by its reference (R-2018-002), its name ('Dawn') or its title ('SCR Dawn')."""
        return self._load(Review, REVIEWS, self._review_key(key), "review")

    def review_docs(self) -> dict[str, dict]:
        """The raw stored review documents, for quick questions (read-only: never mutate them)."""
        return self.store.all(REVIEWS)

    def reviews(self, *, kind: Any = None, status: Any = None, text: Optional[str] = None) -> list[Review]:
        """Reviews in reference order, narrowed by kind, status or words in the name, board, chair or themes."""
        k = None if kind in (None, "") else ReviewKind.parse(kind, "kind").value
        s = None if status in (None, "") else ReviewStatus.parse(status, "status").value
        words = (text or "").casefold().split()
        out = []
        for key, doc in sorted(self.store.all(REVIEWS).items()):
            if k is not None and doc["kind"] != k:
                continue
            if s is not None and doc.get("status") != s:
                continue
            if words:
                hay = " ".join([key, doc["name"], doc.get("lead_board", ""), doc.get("chair", ""),
                                doc.get("author", ""), *doc.get("themes", ())]).casefold()
                if not all(w in hay for w in words):
                    continue
            out.append(self._structure(Review, REVIEWS, key, doc))
        return out

    def statutory_dates(self, review: Any) -> StatutoryDates:
        r = review if isinstance(review, Review) else self.get_review(review)
        return statutory_dates(r, self.plan_rules)

    def review_deadlines(self, review: Any) -> list[ReviewDeadline]:
        r = review if isinstance(review, Review) else self.get_review(review)
        return review_deadlines(r, self.plan_rules)

    # --- writing reviews ----------------------------------------------------------------------
    def _clean_review(self, base: Review, fields: dict, row: Optional[int] = None,
                      others: Optional[dict] = None) -> Review:
        """Apply user-supplied fields to a review, raising ValidationError on the first bad one."""
        changes: dict[str, Any] = {}
        today = self.today()
        for name, value in fields.items():
            if name in REVIEW_TEXT_FIELDS:
                changes[name] = _text(value, name, "the review's name (usually a pseudonym)", name == "name", row)
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
                raise ValidationError(later, fmt(a), f"a date on or after {earlier} ({fmt(b)})", row=row)
        if review.kind is ReviewKind.OTHER_BOARD and not review.lead_board:
            raise ValidationError("lead_board", "", "the board leading the review (required for a review led by "
                                  "another board)", row=row)
        if "published_on" in changes and review.published_on is not None and "status" not in fields \
                and review.status in (ReviewStatus.NOTIFIED, ReviewStatus.RAPID_REVIEW, ReviewStatus.IN_PROGRESS):
            review = attrs.evolve(review, status=ReviewStatus.PUBLISHED)
        if review.status is ReviewStatus.PUBLISHED and review.published_on is None and review.kind in (
                ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.LLR, ReviewKind.DHR):
            raise ValidationError("published_on", "", "the publication date, for a published review", row=row)
        docs = self.store.all(REVIEWS) if others is None else others
        for key, doc in docs.items():
            if key != review.reference and doc["kind"] == review.kind.value \
                    and doc["name"].casefold() == review.name.casefold():
                raise ValidationError("name", review.name, f"a name not already used by another {review.kind.label} "
                                      f"({key})", row=row)
        return review

    def _next_review_reference(self, txn, review: Review, taken: Iterable[str] = ()) -> str:
        """R-YYYY-NNN, by the year of the review's earliest date (else this year), not in ``taken``."""
        year = min((d for d in (getattr(review, f) for f in REVIEW_DATE_FIELDS) if d is not None),
                   default=self.today()).year
        highest = 0
        for key in list(self.store.all(REVIEWS)) + list(taken):
            m = _REVIEW_REF.match(key)
            if m and int(m.group(1)) == year:
                highest = max(highest, int(m.group(2)))
        n = highest + 1
        while txn.exists(REVIEWS, f"R-{year}-{n:03d}"):
            n += 1
        return f"R-{year}-{n:03d}"

    def add_review(self, *, name: str, kind: Any, reference: Optional[str] = None, **fields: Any) -> Review:
        """Record a review: its name (a pseudonym), kind, lead board, chair, author, themes, status and dates."""
        k = ReviewKind.parse(kind, "kind")
        first = ReviewStatus.NOTIFIED if k in NOTIFIED_KINDS else ReviewStatus.IN_PROGRESS
        review = self._clean_review(Review(reference="", kind=k, name="x", status=first), {"name": name, **fields})
        with self.store.transaction() as txn:
            if reference:
                ref = reference.strip().upper()
                if not _REVIEW_REF.match(ref):
                    raise ValidationError("reference", reference, "a reference like R-2018-002")
                if txn.exists(REVIEWS, ref):
                    raise ValidationError("reference", reference, "a reference not already in use")
            else:
                ref = self._next_review_reference(txn, review)
            review = attrs.evolve(review, reference=ref)
            self._check_closing(review)
            self._put(txn, REVIEWS, review, expected_rev=0)
        return self.get_review(ref)

    def _check_closing(self, review: Review) -> None:
        if review.status is not ReviewStatus.CLOSED:
            return
        unassured = [k for k, d in self.store.all(ACTIONS).items()
                     if d["review"] == review.reference and d.get("status") != "signed_off"]
        if unassured:
            raise RuleError(f"{review.title} has {len(unassured)} action(s) not yet signed off "
                            f"({', '.join(sorted(unassured)[:5])}{'...' if len(unassured) > 5 else ''}); "
                            f"a review closes when every action is signed off")

    def _change_record(self, table: str, cls: type[T], reference: str, kind: str,
                       change: Callable[[T, Any], T], expected_rev: Optional[int],
                       after: Optional[Callable[[T, T, Any], None]] = None) -> T:
        """Read, check the revision, change and write one record in one transaction.

        ``after(old, new, txn)`` runs once the change is staged and may stage
        other records in the same transaction (a follow-up, or the actions whose
        relative due dates follow this change).
        """
        with self.store.transaction() as txn:
            doc = txn.get(table, reference)
            if doc is None:
                raise UnknownReference(reference, kind)
            current = self._structure(cls, table, reference, doc)
            if expected_rev is not None and expected_rev != current.rev:
                raise ConflictError(reference, expected_rev, current.rev, by=self.store.last_editor(reference))
            updated = change(current, txn)
            self._put(txn, table, updated, expected_rev=current.rev)
            if after is not None:
                after(current, updated, txn)
        return self._load(cls, table, reference, kind)

    def _change_review(self, key: Any, change: Callable[[Review, Any], Review], expected_rev: Optional[int],
                       after: Optional[Callable[[Review, Review, Any], None]] = None) -> Review:
        return self._change_record(REVIEWS, Review, self._review_key(key), "review", change, expected_rev, after)

    def update_review(self, review: Any, *, expected_rev: Optional[int] = None, **fields: Any) -> Review:
        """Change a review's details, status or dates.  Actions due relative to a date follow it."""
        def change(r: Review, txn) -> Review:
            updated = self._clean_review(r, fields)
            self._check_closing(updated)
            return updated

        def after(old: Review, new: Review, txn) -> None:
            moved = {EVENT_FIELDS[f] for f in EVENT_FIELDS if getattr(new, f) != getattr(old, f)}
            if moved:
                self._follow(txn, reviews=[new])
        return self._change_review(review, change, expected_rev, after)

    def save_review(self, review: Review) -> Review:
        """Store a review changed with ``attrs.evolve``; refuses if the stored copy moved on."""
        fields = {f: getattr(review, f) for f in REVIEW_FIELDS}
        current = self.get_review(review.reference)
        if review.recommendations != current.recommendations:
            raise RuleError("recommendations change through add_recommendation, update_recommendation and "
                            "record_impact_finding")
        return self.update_review(review.reference, expected_rev=review.rev, **fields)

    # --- recommendations ------------------------------------------------------------------------
    def _clean_owners(self, value: Any, row: Optional[int] = None) -> tuple[str, ...]:
        owners = tuple(dict.fromkeys(self._plan_agency(a, "owner_agencies", row) for a in split_list(value)))
        if not owners:
            raise ValidationError("owner_agencies", "", "one or more owner agencies from the agency list", row=row)
        return owners

    def add_recommendation(self, review: Any, *, text: str, owner_agencies: Any, themes: Any = (),
                           number: Optional[int] = None, expected_rev: Optional[int] = None) -> Recommendation:
        """Add a recommendation, numbered next within its review unless ``number`` is given."""
        text = _text(text, "text", "the recommendation's text")
        owners = self._clean_owners(owner_agencies)
        theme_list = split_list(themes)

        def change(r: Review, txn) -> Review:
            n = number
            if n is None:
                n = max((x.number for x in r.recommendations), default=0) + 1
            elif not isinstance(n, int) or n < 1:
                raise ValidationError("number", n, "a whole number from 1")
            elif r.recommendation(n) is not None:
                raise ValidationError("number", n, f"a number not already used in {r.title} "
                                      f"(next free: {max(x.number for x in r.recommendations) + 1})")
            rec = Recommendation(number=n, text=text, owner_agencies=owners, themes=theme_list)
            recs = tuple(sorted(r.recommendations + (rec,), key=lambda x: x.number))
            return attrs.evolve(r, recommendations=recs)
        saved = self._change_review(review, change, expected_rev)
        return saved.recommendation(number if number is not None else max(x.number for x in saved.recommendations))

    def _recommendation(self, review: Review, number: Any) -> Recommendation:
        try:
            n = int(number)
        except (TypeError, ValueError):
            raise ValidationError("recommendation", number, f"a recommendation number of {review.title}") from None
        rec = review.recommendation(n)
        if rec is None:
            have = ", ".join(str(x.number) for x in review.recommendations) or "none yet"
            raise ValidationError("recommendation", number, f"a recommendation number of {review.title} ({have})")
        return rec

    def update_recommendation(self, review: Any, number: Any, *, text: Optional[str] = None,
                              owner_agencies: Any = None, themes: Any = None,
                              expected_rev: Optional[int] = None) -> Recommendation:
        def change(r: Review, txn) -> Review:
            rec = self._recommendation(r, number)
            new = attrs.evolve(rec, text=rec.text if text is None else _text(text, "text", "the recommendation's text"),
                               owner_agencies=rec.owner_agencies if owner_agencies is None
                               else self._clean_owners(owner_agencies),
                               themes=rec.themes if themes is None else split_list(themes))
            return attrs.evolve(r, recommendations=tuple(new if x.number == rec.number else x for x in r.recommendations))
        return self._recommendation(self._change_review(review, change, expected_rev), number)

    def record_impact_finding(self, review: Any, number: Any, text: str, *, on: Any = None, by: Optional[str] = None,
                              expected_rev: Optional[int] = None) -> Recommendation:
        """Close a recommendation's impact review: did it make a difference?  Only after every action is signed off."""
        text = _text(text, "text", "the impact finding")
        day = parse_date(on, "on", required=False, today=self.today()) or self.today()
        if day > self.today():
            raise ValidationError("on", fmt(day), f"a date no later than today ({fmt(self.today())})")

        def change(r: Review, txn) -> Review:
            rec = self._recommendation(r, number)
            if rec.impact_finding is not None:
                raise RuleError(f"{r.title} recommendation {rec.number} already has its impact finding "
                                f"(recorded {fmt(rec.impact_finding.on)} by {rec.impact_finding.by})")
            acts = [a for a in self._actions_of(r.reference) if a.recommendation == rec.number]
            if not acts:
                raise RuleError(f"{r.title} recommendation {rec.number} has no actions: add and sign off its "
                                f"actions before recording its impact")
            waiting = [a.reference for a in acts if a.status is not ActionStatus.SIGNED_OFF]
            if waiting:
                raise RuleError(f"{r.title} recommendation {rec.number}: the impact finding is recorded once every "
                                f"action is signed off; not yet: {', '.join(waiting)}")
            finding = ImpactFinding(on=day, by=(by or self.user).strip(), text=text)
            new = attrs.evolve(rec, impact_finding=finding)
            return attrs.evolve(r, recommendations=tuple(new if x.number == rec.number else x for x in r.recommendations))
        return self._recommendation(self._change_review(review, change, expected_rev), number)

    def impact_reviews(self, *, open_only: bool = True) -> list[ImpactReview]:
        """Recommendations whose actions are all signed off, with the impact review's due date."""
        rules = self.plan_rules
        groups: dict[tuple[str, int], list[Optional[date]]] = {}
        for doc in self.store.all(ACTIONS).values():
            d = doc.get("signed_off_on") if doc.get("status") == "signed_off" else None
            groups.setdefault((doc["review"], doc["recommendation"]), []).append(
                date.fromisoformat(d) if d else None)
        out = []
        for (rkey, number), dates in sorted(groups.items()):
            due = impact_review_due(dates, rules)
            if due is None or self.store.get(REVIEWS, rkey) is None:
                continue
            review = self.get_review(rkey)
            rec = review.recommendation(number)
            if rec is None or (open_only and rec.impact_finding is not None):
                continue
            out.append(ImpactReview(review=rkey, title=review.title, number=number, text=rec.text,
                                    last_signed_off_on=max(dates), due_on=due, finding=rec.impact_finding))
        return out

    # --- reading actions ------------------------------------------------------------------------
    def _action_key(self, reference: Any) -> str:
        if isinstance(reference, Action):
            return reference.reference
        text = str(reference or "").strip()
        try:
            return action_reference(text)
        except ValidationError:
            raise ValidationError("action", reference, "an action reference such as A-000002") from None

    def get_action(self, reference: Any) -> Action:
        return self._load(Action, ACTIONS, self._action_key(reference), "action")

    def action_docs(self) -> dict[str, dict]:
        """The raw stored action documents, for fast counting (read-only: never mutate them)."""
        return self.store.all(ACTIONS)

    def _actions_of(self, review_ref: str) -> list[Action]:
        return [self._structure(Action, ACTIONS, k, d) for k, d in sorted(self.store.all(ACTIONS).items())
                if d["review"] == review_ref]

    def actions(self, *, review: Any = None, recommendation: Optional[int] = None, agency: Optional[str] = None,
                officer: Optional[str] = None, text: Optional[str] = None, status: Any = None, rag: Any = None,
                open_only: bool = False, as_of: Any = None) -> list[Action]:
        """Actions in reference order, narrowed by any filter.

        ``status`` is an action status or 'open'; ``rag`` is red, amber, green or blue
        as of ``as_of`` (default today); ``officer`` and ``text`` match words.
        """
        rkey = None if review in (None, "") else self._review_key(review)
        ag = None if agency in (None, "") else self._plan_agency(agency, "agency")
        st = None
        if status not in (None, ""):
            if str(status).strip().lower() == "open":
                open_only = True
            else:
                st = ActionStatus.parse(status, "status").value
        rg = None if rag in (None, "") else RAG.parse(rag, "rag")
        day = parse_date(as_of, "as_of", required=False, today=self.today()) or self.today()
        iso = day.isoformat()
        officer_words = (officer or "").casefold().split()
        words = (text or "").casefold().split()
        out = []
        for key, d in sorted(self.store.all(ACTIONS).items()):
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
            out.append(self._structure(Action, ACTIONS, key, d))
        return out

    def follow_ups(self, reference: Any) -> list[Action]:
        ref = self._action_key(reference)
        return [self._structure(Action, ACTIONS, k, d) for k, d in sorted(self.store.all(ACTIONS).items())
                if d.get("follow_up_of") == ref]

    def rag(self, action: Any, as_of: Any = None) -> RAG:
        """Blue, green, red or amber, derived as of ``as_of`` (default today)."""
        a = action if isinstance(action, Action) else self.get_action(action)
        day = parse_date(as_of, "as_of", required=False, today=self.today()) or self.today()
        return action_rag(a, day)

    def days_overdue(self, action: Any, as_of: Any = None) -> int:
        a = action if isinstance(action, Action) else self.get_action(action)
        day = parse_date(as_of, "as_of", required=False, today=self.today()) or self.today()
        return days_overdue(a, day)

    def preview_due(self, review: Any, due: Any) -> tuple[Optional[date], str]:
        """What a due date as typed resolves to now, and how it reads: for forms that show it as you type."""
        day, rule = parse_due(due, "due", today=self.today())
        if rule is None:
            return day, fmt(day) if day else "(no due date)"
        r = self.get_review(review)
        resolved = resolve_rule(rule, r, self._completed_on)
        when = fmt(resolved) if resolved else "when that happens"
        return resolved, f"{describe_rule(rule)}: {when}"

    # --- writing actions ---------------------------------------------------------------------------
    def _completed_on(self, reference: str, txn: Any = None) -> Optional[date]:
        doc = txn.get(ACTIONS, reference) if txn is not None else self.store.get(ACTIONS, reference)
        if doc is None or not doc.get("completed_on"):
            return None
        return date.fromisoformat(doc["completed_on"])

    def _resolve_due(self, txn, review: Review, due: Any, own_ref: str = "",
                     row: Optional[int] = None) -> tuple[Optional[date], Optional[DueRule]]:
        day, rule = parse_due(due, "due", row=row, today=self.today())
        if rule is None:
            return day, None
        if rule.event == "completion":
            if rule.action == own_ref:
                raise ValidationError("due", describe_rule(rule), "an event other than this action's own completion",
                                      row=row)
            if txn.get(ACTIONS, rule.action) is None:
                raise ValidationError("due", describe_rule(rule), f"a rule naming an action in the store "
                                      f"({rule.action} is not)", row=row)
        return resolve_rule(rule, review, lambda ref: self._completed_on(ref, txn)), rule

    def _due_changes(self, reviews: dict[str, Review], actions: dict[str, Action]) -> dict[str, Action]:
        """The actions whose relative due dates move, given changed (not yet stored) reviews and actions.

        ``reviews`` and ``actions`` override what the store holds.  Returns each
        action (stored or overridden) whose resolved date differs, with the new
        date.  Completion only feeds its dependents' dates, never another
        completion, so one pass is enough.  Callers stage each record once.
        """
        docs = self.store.all(ACTIONS)

        def completed_on(ref: str) -> Optional[date]:
            a = actions.get(ref)
            if a is not None:
                return a.completed_on
            d = docs.get(ref)
            return date.fromisoformat(d["completed_on"]) if d and d.get("completed_on") else None

        def review_of(ref: str) -> Optional[Review]:
            if ref in reviews:
                return reviews[ref]
            d = self.store.get(REVIEWS, ref)
            return self._structure(Review, REVIEWS, ref, d) if d is not None else None

        out: dict[str, Action] = {}
        for key in set(docs) | set(actions):
            a = actions.get(key)
            if a is None:
                if not docs[key].get("due_rule"):
                    continue
                a = self._structure(Action, ACTIONS, key, docs[key])
            if a.due_rule is None:
                continue
            due = resolve_rule(a.due_rule, review_of(a.review), completed_on)
            if due != a.due_on:
                out[key] = attrs.evolve(a, due_on=due)
        return out

    def _follow(self, txn, *, reviews: Iterable[Review] = (), actions: Iterable[Action] = ()) -> None:
        """Stage the dependants of records just staged in ``txn`` (which are not staged again)."""
        changed_reviews = {r.reference: r for r in reviews}
        changed_actions = {a.reference: a for a in actions}
        for key, a in self._due_changes(changed_reviews, changed_actions).items():
            if key not in changed_actions:
                txn.put(ACTIONS, key, to_doc(a))

    def _next_action_number(self, txn) -> int:
        highest = self.store.issued_floor("A-")  # issued once, never again (even after a restore)
        for key in self.store.all(ACTIONS):
            m = _ACTION_REF.match(key)
            if m:
                highest = max(highest, int(m.group(1)))
        for (table, key) in txn.puts:
            m = _ACTION_REF.match(key) if table == ACTIONS else None
            if m:
                highest = max(highest, int(m.group(1)))
        return highest + 1

    def _clean_action_fields(self, action: Action, fields: dict, row: Optional[int] = None) -> Action:
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "description":
                changes[name] = _text(value, name, "the action's description", row=row)
            elif name == "lead_agency":
                changes[name] = self._plan_agency(value, "lead_agency", row)
            elif name == "lead_officer":
                changes[name] = _text(value, name, "", required=False, row=row)
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

    def add_action(self, review: Any, recommendation: Any, *, description: str, lead_agency: str,
                   lead_officer: str = "", due: Any = None, status: Any = None,
                   reference: Optional[str] = None) -> Action:
        """Add an action to a recommendation.

        ``due`` is a date, or a rule such as "3 months after publication" or
        "3 months after A-000002 is complete"; a rule's date follows its event.
        """
        fields = {"description": description, "lead_agency": lead_agency, "lead_officer": lead_officer}
        if status not in (None, ""):
            fields["status"] = status
        base = self._clean_action_fields(Action(reference="", review="", recommendation=0, description="x"), fields)
        rkey = self._review_key(review)
        with self.store.transaction() as txn:
            r = self.get_review(rkey)
            rec = self._recommendation(r, recommendation)
            if reference:
                ref = self._action_key(reference)
                if txn.exists(ACTIONS, ref):
                    raise ValidationError("reference", reference, "a reference not already in use")
            else:
                ref = f"A-{self._next_action_number(txn):06d}"
            due_on, rule = self._resolve_due(txn, r, due, own_ref=ref)
            action = attrs.evolve(base, reference=ref, review=rkey, recommendation=rec.number, due_on=due_on,
                                  due_rule=rule)
            self._put(txn, ACTIONS, action, expected_rev=0)
        return self.get_action(ref)

    def _change_action(self, reference: Any, change: Callable[[Action, Any], Action], expected_rev: Optional[int],
                       after: Optional[Callable[[Action, Action, Any], None]] = None) -> Action:
        return self._change_record(ACTIONS, Action, self._action_key(reference), "action", change, expected_rev, after)

    def _day(self, on: Any, field: str = "on") -> date:
        day = parse_date(on, field, required=False, today=self.today()) or self.today()
        if day > self.today():
            raise ValidationError(field, fmt(day), f"a date no later than today ({fmt(self.today())})")
        return day

    def update_action(self, reference: Any, *, expected_rev: Optional[int] = None, **fields: Any) -> Action:
        """Change the description, lead agency, lead officer or (open) status.

        A due date can be set here only while the action has none; after that it
        changes through ``revise_due`` with a reason, so the original stays visible.
        """
        due = fields.pop("due", None)

        def change(a: Action, txn) -> Action:
            updated = self._clean_action_fields(a, fields)
            if due not in (None, ""):
                if a.due_on is not None or a.due_rule is not None or a.revisions:
                    raise RuleError(f"{a.reference} already has a due date ({self._due_text(a)}); "
                                    f"revise it with a reason instead")
                due_on, rule = self._resolve_due(txn, self.get_review(a.review), due, own_ref=a.reference)
                updated = attrs.evolve(updated, due_on=due_on, due_rule=rule)
            return updated
        return self._change_action(reference, change, expected_rev)

    def _due_text(self, a: Action) -> str:
        if a.due_rule is not None:
            return describe_rule(a.due_rule) + (f" = {fmt(a.due_on)}" if a.due_on else "")
        return fmt(a.due_on) if a.due_on else "none"

    def add_update(self, reference: Any, text: str, *, on: Any = None, expected_rev: Optional[int] = None) -> Action:
        """A dated, attributed progress update.  The first update on a not-started action marks it in progress."""
        text = _text(text, "text", "the update's text")
        day = self._day(on)

        def change(a: Action, txn) -> Action:
            status = ActionStatus.IN_PROGRESS if a.status is ActionStatus.NOT_STARTED else a.status
            return attrs.evolve(a, status=status, updates=a.updates + (Update(at=self.now(), by=self.user, text=text,
                                                                               on=day),))
        return self._change_action(reference, change, expected_rev)

    def revise_due(self, reference: Any, to: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Move the due date, with a reason.  The original and every earlier revision stay visible."""
        new = parse_date(to, "to", today=self.today())
        reason = _text(reason, "reason", "a reason for revising the due date")

        def change(a: Action, txn) -> Action:
            if not a.is_open:
                raise RuleError(f"{a.reference} is {a.status.label}: only an open action's due date can be revised")
            if new == a.current_due_on:
                raise ValidationError("to", fmt(new), f"a date other than the current due date ({fmt(new)})")
            rev = Revision(on=self.today(), by=self.user, from_=a.current_due_on, to=new, reason=reason)
            return attrs.evolve(a, revisions=a.revisions + (rev,))
        return self._change_action(reference, change, expected_rev)

    def record_evidence(self, reference: Any, *, evidence: Optional[str] = None, impact_measure: Optional[str] = None,
                        expected_rev: Optional[int] = None) -> Action:
        """Evidence of completion and the measure that will show impact."""
        if evidence is None and impact_measure is None:
            raise ValidationError("evidence", "", "evidence, an impact measure, or both")

        def change(a: Action, txn) -> Action:
            if a.status is ActionStatus.SIGNED_OFF:
                raise RuleError(f"{a.reference} is signed off: its evidence is what the sub group assured")
            return attrs.evolve(a, evidence=a.evidence if evidence is None else _text(evidence, "evidence", "", False),
                                impact_measure=a.impact_measure if impact_measure is None
                                else _text(impact_measure, "impact_measure", "", False))
        return self._change_action(reference, change, expected_rev)

    def complete_action(self, reference: Any, *, on: Any = None, evidence: Optional[str] = None,
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
        follow_text = None if follow_up in (None, "") else _text(follow_up, "follow_up", "the follow-up's description")
        if follow_text is not None:
            n, unit = check_period(str(follow_up_after), "follow_up_after")
        agency = None if follow_up_agency in (None, "") else self._plan_agency(follow_up_agency, "follow_up_agency")

        def change(a: Action, txn) -> Action:
            if not a.is_open:
                raise RuleError(f"{a.reference} is already {a.status.label}")
            return attrs.evolve(a, status=ActionStatus.COMPLETE, completed_on=day, off_track_reason="",
                                evidence=a.evidence if evidence is None else _text(evidence, "evidence", "", False),
                                impact_measure=a.impact_measure if impact_measure is None
                                else _text(impact_measure, "impact_measure", "", False))

        def after(old: Action, a: Action, txn) -> None:
            self._follow(txn, actions=[a])
            if follow_text is not None:
                ref = f"A-{self._next_action_number(txn):06d}"
                rule = DueRule(period=period_text(n, unit), event="completion", action=a.reference)
                follow = Action(reference=ref, review=a.review, recommendation=a.recommendation,
                                description=follow_text, lead_agency=agency or a.lead_agency,
                                lead_officer=a.lead_officer if follow_up_officer is None else follow_up_officer.strip(),
                                due_on=add_period(day, rule.period), due_rule=rule, follow_up_of=a.reference)
                txn.put(ACTIONS, ref, to_doc(follow), expected_rev=0)
        return self._change_action(reference, change, expected_rev, after)

    def reopen_action(self, reference: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """A complete action found not to be done after all goes back in progress, with the reason as an update."""
        reason = _text(reason, "reason", "a reason for reopening")

        def change(a: Action, txn) -> Action:
            if a.status is not ActionStatus.COMPLETE:
                raise RuleError(f"{a.reference} is {a.status.label}: only a complete action (not yet signed off) "
                                f"can be reopened")
            return attrs.evolve(a, status=ActionStatus.IN_PROGRESS, completed_on=None, updates=a.updates + (
                Update(at=self.now(), by=self.user, text=f"Reopened: {reason}", on=self.today()),))
        return self._change_action(reference, change, expected_rev,
                                   lambda old, new, txn: self._follow(txn, actions=[new]))

    def sign_off(self, reference: Any, *, by: str, on: Any = None, expected_rev: Optional[int] = None) -> Action:
        """The sub group's assurance: records who signed it off and when.  Only a complete action with evidence."""
        by = _text(by, "by", "who signed it off for the sub group")
        day = self._day(on)

        def change(a: Action, txn) -> Action:
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
        return self._change_action(reference, change, expected_rev)

    def flag_off_track(self, reference: Any, reason: str, *, expected_rev: Optional[int] = None) -> Action:
        """Mark an open action off track (Red whatever its dates), with the reason as an update too."""
        reason = _text(reason, "reason", "the reason the action is off track")

        def change(a: Action, txn) -> Action:
            if not a.is_open:
                raise RuleError(f"{a.reference} is {a.status.label}: only an open action can be off track")
            return attrs.evolve(a, off_track_reason=reason, updates=a.updates + (
                Update(at=self.now(), by=self.user, text=f"Flagged off track: {reason}", on=self.today()),))
        return self._change_action(reference, change, expected_rev)

    def clear_off_track(self, reference: Any, note: str = "", *, expected_rev: Optional[int] = None) -> Action:
        def change(a: Action, txn) -> Action:
            if not a.off_track_reason:
                raise RuleError(f"{a.reference} is not flagged off track")
            text = "Back on track" + (f": {note.strip()}" if note and note.strip() else "")
            return attrs.evolve(a, off_track_reason="", updates=a.updates + (
                Update(at=self.now(), by=self.user, text=text, on=self.today()),))
        return self._change_action(reference, change, expected_rev)

    # --- import and export ----------------------------------------------------------------------------
    def import_reviews(self, path: Any, *, dry_run: bool = False, overwrite: bool = False):
        """Import reviews from a CSV (or a JSON export): all or nothing, one transaction, idempotent.

        A row exported before someone else changed its review is refused; a row without a
        revision changes a stored review only with ``overwrite=True``.  Raises ImportFailed
        listing every bad row; returns an ImportResult.
        """
        from ..io.plans_csv import import_reviews
        return import_reviews(self, path, dry_run=dry_run, overwrite=overwrite)

    def import_actions(self, path: Any, *, dry_run: bool = False, overwrite: bool = False):
        """Import an action plan (one row per action) from a CSV or a JSON export: all or nothing, idempotent.

        Revisions are checked as for ``import_reviews``; updates and due-date revisions are never removed.
        """
        from ..io.plans_csv import import_actions
        return import_actions(self, path, dry_run=dry_run, overwrite=overwrite)

    def export_plans(self, kind: str = "actions", fmt: str = "csv") -> str:
        """Reviews or actions as CSV (defended against formula injection) or JSON (lossless)."""
        from ..io.plans_csv import export_plans
        return export_plans(self, kind, fmt)

    # --- bulk --------------------------------------------------------------------------------------------
    def add_plan_records(self, reviews: Iterable[Review] = (), actions: Iterable[Action] = (), *,
                         upsert: bool = False) -> int:
        """Store many reviews and actions as one transaction and one durable write (imports, the demo).

        Each must already be valid; references must be new unless ``upsert``.
        Every action's review and recommendation must exist.  Returns how many records changed.
        """
        reviews = list(reviews)
        actions = list(actions)
        changed = 0
        with self.store.transaction() as txn:
            for table, items in ((REVIEWS, reviews), (ACTIONS, actions)):
                for obj in items:
                    existing = txn.get(table, obj.reference)
                    if existing is not None and not upsert:
                        raise ValidationError("reference", obj.reference, "a reference not already in use")
                    if table == ACTIONS:
                        rdoc = txn.get(REVIEWS, obj.review)
                        if rdoc is None:
                            raise ValidationError("review", obj.review, f"a review in the store (for {obj.reference})")
                        if not any(r["number"] == obj.recommendation for r in rdoc.get("recommendations", ())):
                            raise ValidationError("recommendation", obj.recommendation,
                                                  f"a recommendation of {obj.review} (for {obj.reference})")
                    before = existing.get("_rev", 0) if existing else 0
                    doc = txn.put(table, obj.reference, to_doc(obj))
                    changed += doc.get("_rev", 0) != before
        return changed
