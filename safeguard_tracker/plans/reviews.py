"""Reviews and their recommendations: the Learning Lessons sub group's plans, and the 12-month impact review.

A review (``R-2018-002``) holds its numbered recommendations; each action
(``A-000123``, ``actions.py``) is its own record, so two people updating
different actions of one plan never conflict.  Every step is one store
transaction: validated, locked, audited and attributed.  Pass ``expected_rev``
(the ``rev`` of the copy you are looking at) to refuse the change if someone
else got there first.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional, cast

import attrs

from ..context import Context
from ..dates import fmt, parse_date
from ..errors import RuleError, UnknownReference, ValidationError, nearest
from ..model import Action, ActionStatus, ImpactFinding, Recommendation, Review, ReviewKind, ReviewStatus
from ..store.protocol import Doc, Transaction
from ..validation.fields import split_list, text_value
from ..validation.plans import REVIEW_DATE_FIELDS, REVIEW_FIELDS, clean_owners, clean_review
from .dependants import stage_dependants
from .plan_dates import (EVENT_FIELDS, NOTIFIED_KINDS, PlanRules, ReviewDeadline, StatutoryDates, impact_review_due,
                         review_deadlines, statutory_dates)

REVIEWS = "reviews"
ACTIONS = "actions"
_REVIEW_REF = re.compile(r"^R-(\d{4})-(\d+)$", re.IGNORECASE)
# The stages a review is at before it is initiated: an initiation date moves it on to in progress.
_BEFORE_INITIATION = (ReviewStatus.NOTIFIED, ReviewStatus.RAPID_REVIEW)


class UnknownReview(UnknownReference):
    """No review by that reference or name; the message suggests the nearest names."""

    def __init__(self, key: str, names: Iterable[str]):
        super().__init__(key, "review")
        hint = nearest(key, names)
        tail = f" (did you mean {' or '.join(repr(h) for h in hint)}?)" if hint else ""
        self.args = (f"no review with reference or name '{key}'{tail}; give a reference like R-2018-002 "
                     f"or a name like 'Dawn' or 'SCR Dawn' (a review is added with `review add`, or a plan's "
                     f"reviews with `import reviews FILE` before its actions)",)


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


class ReviewService:
    """Reviews and recommendations in the store: read, find by name, add, change, assure impact."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._name_index: Optional[tuple[Any, dict[str, list[str]], dict[str, list[str]]]] = None

    @property
    def plan_rules(self) -> PlanRules:
        return PlanRules.from_settings(self.ctx.settings)

    def _names_index(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """References by folded name and by folded title, rebuilt only when the store has moved on."""
        docs = self.ctx.store.all(REVIEWS)
        stamp = (id(docs), self.ctx.store.last_seq, len(docs))
        cached = self._name_index
        if cached is None or cached[0] != stamp:
            by_name: dict[str, list[str]] = {}
            by_title: dict[str, list[str]] = {}
            for k, d in docs.items():
                by_name.setdefault(d["name"].casefold(), []).append(k)
                by_title.setdefault(self.ctx.structure(Review, REVIEWS, k, d).title.casefold(), []).append(k)
            cached = (stamp, by_name, by_title)
            self._name_index = cached
        return cached[1], cached[2]

    def key(self, key: Any) -> str:
        """A reference, 'Dawn', or 'SCR Dawn' -> the review's reference."""
        if isinstance(key, Review):
            return key.reference
        text = " ".join(str(key or "").split())
        if not text:
            raise ValidationError("review", key, "a review's reference (R-2018-002) or name ('Dawn', 'SCR Dawn')")
        docs = self.ctx.store.all(REVIEWS)
        if _REVIEW_REF.match(text):
            ref = text.upper()
            if ref in docs:
                return ref
        names, titles = self._names_index()
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
            shown = sorted(self.ctx.structure(Review, REVIEWS, k, docs[k]).title for k in by_name)
            raise ValidationError("review", text, "one review: several have that name, so give the kind or the "
                                  "reference (" + ", ".join(shown) + ")")
        raise UnknownReview(text, [d["name"] for d in docs.values()] + list(
            self.ctx.structure(Review, REVIEWS, k, d).title for k, d in docs.items()))

    def get(self, key: Any) -> Review:
        """A review by its reference (R-2018-002), its name ('Dawn') or its title ('SCR Dawn')."""
        return self.ctx.load(Review, REVIEWS, self.key(key), "review")

    def docs(self) -> Mapping[str, Doc]:
        """The raw stored review documents, for quick questions (read-only: never mutate them)."""
        return self.ctx.store.all(REVIEWS)

    def find(self, *, kind: Any = None, status: Any = None, text: Optional[str] = None) -> list[Review]:
        """Reviews in reference order, narrowed by kind, status or words in the name, board, chair or themes."""
        k = None if kind in (None, "") else ReviewKind.parse(kind, "kind").value
        s = None if status in (None, "") else ReviewStatus.parse(status, "status").value
        words = (text or "").casefold().split()
        out = []
        for key, doc in sorted(self.ctx.store.all(REVIEWS).items()):
            if k is not None and doc["kind"] != k:
                continue
            if s is not None and doc.get("status") != s:
                continue
            if words:
                hay = " ".join([key, doc["name"], doc.get("lead_board", ""), doc.get("chair", ""),
                                doc.get("author", ""), *doc.get("themes", ())]).casefold()
                if not all(w in hay for w in words):
                    continue
            out.append(self.ctx.structure(Review, REVIEWS, key, doc))
        return out

    def statutory_dates(self, review: Any) -> StatutoryDates:
        r = review if isinstance(review, Review) else self.get(review)
        return statutory_dates(r, self.plan_rules)

    def review_deadlines(self, review: Any) -> list[ReviewDeadline]:
        r = review if isinstance(review, Review) else self.get(review)
        return review_deadlines(r, self.plan_rules)

    def clean(self, base: Review, fields: Doc, row: Optional[int] = None,
              others: Optional[Mapping[str, Doc]] = None) -> Review:
        """Apply user-supplied fields to a review (``validation.plans.clean_review``); ``others`` are the
        reviews its name must not repeat (default: the store's).

        The status follows the dates unless a status is given with them: an initiation date moves
        a review still at the notification or rapid review stage to in progress (as a publication
        date moves it to published)."""
        review = clean_review(base, fields, today=self.ctx.today(),
                              others=self.docs() if others is None else others, row=row)
        if "status" not in fields and fields.get("initiated_on") not in (None, "") \
                and review.initiated_on is not None and review.status in _BEFORE_INITIATION:
            review = attrs.evolve(review, status=ReviewStatus.IN_PROGRESS)
        return review

    def next_reference(self, txn: Transaction, review: Review, taken: Iterable[str] = ()) -> str:
        """R-YYYY-NNN, by the year of the review's earliest date (else this year), not in ``taken``."""
        year = min((d for d in (getattr(review, f) for f in REVIEW_DATE_FIELDS) if d is not None),
                   default=self.ctx.today()).year
        highest = 0
        for key in list(self.ctx.store.all(REVIEWS)) + list(taken):
            m = _REVIEW_REF.match(key)
            if m and int(m.group(1)) == year:
                highest = max(highest, int(m.group(2)))
        n = highest + 1
        while txn.exists(REVIEWS, f"R-{year}-{n:03d}"):
            n += 1
        return f"R-{year}-{n:03d}"

    def add(self, *, name: str, kind: Any, reference: Optional[str] = None, **fields: Any) -> Review:
        """Record a review: its name (a pseudonym), kind, lead board, chair, author, themes, status and dates."""
        k = ReviewKind.parse(kind, "kind")
        first = ReviewStatus.NOTIFIED if k in NOTIFIED_KINDS else ReviewStatus.IN_PROGRESS
        review = self.clean(Review(reference="", kind=k, name="x", status=first), {"name": name, **fields})
        with self.ctx.store.transaction() as txn:
            if reference:
                ref = reference.strip().upper()
                if not _REVIEW_REF.match(ref):
                    raise ValidationError("reference", reference, "a reference like R-2018-002")
                if txn.exists(REVIEWS, ref):
                    raise ValidationError("reference", reference, "a reference not already in use")
            else:
                ref = self.next_reference(txn, review)
            review = attrs.evolve(review, reference=ref)
            self.check_closing(review)
            self.ctx.put(txn, REVIEWS, review, expected_rev=0)
        return self.get(ref)

    def check_closing(self, review: Review) -> None:
        if review.status is not ReviewStatus.CLOSED:
            return
        unassured = [k for k, d in self.ctx.store.all(ACTIONS).items()
                     if d["review"] == review.reference and d.get("status") != "signed_off"]
        if unassured:
            raise RuleError(f"{review.title} has {len(unassured)} action(s) not yet signed off "
                            f"({', '.join(sorted(unassured)[:5])}{'...' if len(unassured) > 5 else ''}); "
                            f"a review closes when every action is signed off")

    def change(self, key: Any, change: Callable[[Review, Transaction], Review], expected_rev: Optional[int],
               after: Optional[Callable[[Review, Review, Transaction], None]] = None) -> Review:
        return self.ctx.change_record(REVIEWS, Review, self.key(key), "review", change, expected_rev, after)

    def update(self, review: Any, *, expected_rev: Optional[int] = None, **fields: Any) -> Review:
        """Change a review's details, status or dates.  Actions due relative to a date follow it."""
        def change(r: Review, txn: Transaction) -> Review:
            updated = self.clean(r, fields)
            self.check_closing(updated)
            return updated

        def after(old: Review, new: Review, txn: Transaction) -> None:
            moved = {EVENT_FIELDS[f] for f in EVENT_FIELDS if getattr(new, f) != getattr(old, f)}
            if moved:
                stage_dependants(self.ctx, txn, reviews=[new])
        return self.change(review, change, expected_rev, after)

    def save(self, review: Review) -> Review:
        """Store a review changed with ``attrs.evolve``; refuses if the stored copy moved on."""
        fields = {f: getattr(review, f) for f in REVIEW_FIELDS}
        current = self.get(review.reference)
        if review.recommendations != current.recommendations:
            raise RuleError("recommendations change through add_recommendation, update_recommendation and "
                            "record_impact_finding")
        return self.update(review.reference, expected_rev=review.rev, **fields)

    def add_recommendation(self, review: Any, *, text: str, owner_agencies: Any, themes: Any = (),
                           number: Optional[int] = None, expected_rev: Optional[int] = None) -> Recommendation:
        """Add a recommendation, numbered next within its review unless ``number`` is given."""
        text = text_value(text, "text", "the recommendation's text")
        owners = clean_owners(self.ctx.plan_agencies, owner_agencies)
        theme_list = split_list(themes)

        def change(r: Review, txn: Transaction) -> Review:
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
        saved = self.change(review, change, expected_rev)
        added = saved.recommendation(number if number is not None else max(x.number for x in saved.recommendations))
        return cast(Recommendation, added)         # there: it was just added

    def recommendation(self, review: Review, number: Any) -> Recommendation:
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
        def change(r: Review, txn: Transaction) -> Review:
            rec = self.recommendation(r, number)
            new = attrs.evolve(rec, text=rec.text if text is None else text_value(text, "text", "the recommendation's text"),
                               owner_agencies=rec.owner_agencies if owner_agencies is None
                               else clean_owners(self.ctx.plan_agencies, owner_agencies),
                               themes=rec.themes if themes is None else split_list(themes))
            return attrs.evolve(r, recommendations=tuple(new if x.number == rec.number else x for x in r.recommendations))
        return self.recommendation(self.change(review, change, expected_rev), number)

    def record_impact_finding(self, review: Any, number: Any, text: str, *, on: Any = None, by: Optional[str] = None,
                              expected_rev: Optional[int] = None) -> Recommendation:
        """Close a recommendation's impact review: did it make a difference?  Only after every action is signed off."""
        text = text_value(text, "text", "the impact finding")
        day = parse_date(on, "on", required=False, today=self.ctx.today()) or self.ctx.today()
        if day > self.ctx.today():
            raise ValidationError("on", fmt(day), f"a date no later than today ({fmt(self.ctx.today())})")

        def change(r: Review, txn: Transaction) -> Review:
            rec = self.recommendation(r, number)
            if rec.impact_finding is not None:
                raise RuleError(f"{r.title} recommendation {rec.number} already has its impact finding "
                                f"(recorded {fmt(rec.impact_finding.on)} by {rec.impact_finding.by})")
            acts = [a for a in self.actions_of(r.reference) if a.recommendation == rec.number]
            if not acts:
                raise RuleError(f"{r.title} recommendation {rec.number} has no actions: add and sign off its "
                                f"actions before recording its impact")
            waiting = [a.reference for a in acts if a.status is not ActionStatus.SIGNED_OFF]
            if waiting:
                raise RuleError(f"{r.title} recommendation {rec.number}: the impact finding is recorded once every "
                                f"action is signed off; not yet: {', '.join(waiting)}")
            finding = ImpactFinding(on=day, by=(by or self.ctx.user).strip(), text=text)
            new = attrs.evolve(rec, impact_finding=finding)
            return attrs.evolve(r, recommendations=tuple(new if x.number == rec.number else x for x in r.recommendations))
        return self.recommendation(self.change(review, change, expected_rev), number)

    def impact_reviews(self, *, open_only: bool = True) -> list[ImpactReview]:
        """Recommendations whose actions are all signed off, with the impact review's due date."""
        rules = self.plan_rules
        groups: dict[tuple[str, int], list[Optional[date]]] = {}
        for doc in self.ctx.store.all(ACTIONS).values():
            d = doc.get("signed_off_on") if doc.get("status") == "signed_off" else None
            groups.setdefault((doc["review"], doc["recommendation"]), []).append(
                date.fromisoformat(d) if d else None)
        out = []
        for (rkey, number), dates in sorted(groups.items()):
            due = impact_review_due(dates, rules)
            if due is None or self.ctx.store.get(REVIEWS, rkey) is None:
                continue
            review = self.get(rkey)
            rec = review.recommendation(number)
            if rec is None or (open_only and rec.impact_finding is not None):
                continue
            last = max(cast(list[date], dates))      # a due date means every action has its sign-off date
            out.append(ImpactReview(review=rkey, title=review.title, number=number, text=rec.text,
                                    last_signed_off_on=last, due_on=due, finding=rec.impact_finding))
        return out

    def actions_of(self, review_ref: str) -> list[Action]:
        return [self.ctx.structure(Action, ACTIONS, k, d) for k, d in sorted(self.ctx.store.all(ACTIONS).items())
                if d["review"] == review_ref]
