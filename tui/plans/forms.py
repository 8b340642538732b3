"""The Learning Lessons forms: add a review, a recommendation or an action.

They are the shared ``FormScreen`` (messages beside each field, input kept on any failure), with
live notes for the fields whose meaning depends on what is typed: a relative due date
("3 months after publication") shows the date it resolves to, a review's dates show the
statutory deadlines they start, and the owner agencies show the names that match.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from safeguard_tracker import Tracker
from safeguard_tracker.dates import fmt, parse_date
from safeguard_tracker.errors import SafeguardError, ValidationError
from safeguard_tracker.model import Review, ReviewKind, ReviewStatus
from safeguard_tracker.plans.plan_dates import DUE_HELP, describe_rule, parse_due, statutory_dates
from safeguard_tracker.taxonomy import fold

from ..fields import Field, FieldRow, matching_choices
from ..forms import FormScreen
from ..record_forms import confirm, fetch_or_say, reloader

Note = Callable[[dict[str, str]], str]


class PlanFormScreen(FormScreen):
    """A ``FormScreen`` whose listed fields show a note computed from the whole form as typed."""

    def __init__(self, title: str, fields: Sequence[Field], submit: Callable[[dict[str, str]], str], *,
                 today, notes: Optional[dict[str, Note]] = None, **kwargs: Any) -> None:
        super().__init__(title, fields, submit, today=today, **kwargs)
        self.notes = dict(notes or {})

    def on_mount(self) -> None:
        # FormScreen.on_mount (focus the first field) runs too: Textual calls both.
        for name, note in self.notes.items():
            row = self.row(name)
            row.note_text = self._note_for(row, note)  # type: ignore[method-assign]

    def _note_for(self, row: FieldRow, note: Note) -> Callable[[], str]:
        plain = type(row).note_text.__get__(row)

        def text() -> str:
            try:
                extra = note(self.values())
            except SafeguardError as exc:
                extra = str(exc)
            return extra or plain()
        return text


def added(submit: Any, on_added: Optional[Callable[[Any], None]]) -> Optional[Callable[[], None]]:
    """``then`` for ``confirm``: hand what ``submit`` added (``submit.added``) to ``on_added``."""
    if on_added is None:
        return None
    return lambda: on_added(submit.added)


# --- the due date preview ------------------------------------------------------------------------
def due_note(tracker: Tracker, review_of: Callable[[dict[str, str]], Optional[str]], name: str = "due") -> Note:
    """What the due date as typed resolves to, for the review the form is about."""
    def note(values: dict[str, str]) -> str:
        typed = values.get(name, "")
        if not typed:
            return "a date (dd/mm/yyyy) or '3 months after publication'; blank for none yet"
        try:
            day, rule = parse_due(typed, name, today=tracker.today())
        except ValidationError:
            return f"not understood: {DUE_HELP}"
        if rule is None:
            return f"= {day:%A %d/%m/%Y}"
        review = review_of(values)
        if review is None:
            return f"= {describe_rule(rule)}: choose the review to see the date it gives"
        day, _ = tracker.preview_due(review, typed)
        if day is None:
            return f"= {describe_rule(rule)}: no date yet (it is set when that happens)"
        return f"= {day:%A %d/%m/%Y} ({describe_rule(rule)})"
    return note


# --- add a review ----------------------------------------------------------------------------------
REVIEW_KINDS = [k.value for k in ReviewKind]
REVIEW_STATUSES = [s.value for s in ReviewStatus]
REVIEW_DATES = (("incident_on", "Incident"), ("known_on", "Known on"), ("notified_on", "Panel notified"),
                ("decision_on", "Decision"), ("initiated_on", "Initiated"), ("published_on", "Published"))


def review_fields(values: Optional[Review] = None) -> list[Field]:
    v = values
    fields = [
        Field("name", "Name", required=True, value=v.name if v else "",
              hint="usually a pseudonym: 'Dawn' (never a child's real name)"),
        Field("kind", "Kind", "choice", required=True, choices=REVIEW_KINDS, value=v.kind.value if v else "",
              hint="the first letters are enough ('ll' for llr, 'a' for audit)"),
        Field("lead_board", "Lead board", value=v.lead_board if v else "",
              hint="needed for a review led by another board (other_board)"),
        Field("chair", "Chair", value=v.chair if v else "", hint="the independent chair or reviewer"),
        Field("author", "Author", value=v.author if v else ""),
        Field("themes", "Themes", value="; ".join(v.themes) if v else "",
              hint="separated by ';' e.g. recognising neglect; the child's voice"),
    ]
    if v is not None:
        fields.append(Field("status", "Status", "choice", choices=REVIEW_STATUSES, value=v.status.value,
                            required=True))
    for name, label in REVIEW_DATES:
        fields.append(Field(name, label, "date", value=fmt(getattr(v, name)) if v else ""))
    return fields


def kind_note(values: dict[str, str]) -> str:
    """Every kind of review, named: the list is short, so none hides behind '(+1 more)'."""
    from ..fields import resolve_choice
    typed = values.get("kind", "")
    if typed and resolve_choice(typed, REVIEW_KINDS) is not None:
        return ""                                    # the field's own note: '= llr'
    shown = matching_choices(typed, REVIEW_KINDS) if typed else []
    listed = " \u00b7 ".join(shown or REVIEW_KINDS)
    if not typed:
        return f"one of {listed} (the first letters are enough: 'll' for llr)"
    return listed if shown else f"no kind matches '{typed}': one of {listed}"


def review_date_notes(tracker: Tracker) -> dict[str, Note]:
    """Each date field says which statutory deadline it starts, computed as typed."""
    rules = tracker.plan_rules
    today = tracker.today()

    def provisional(values: dict[str, str]) -> Optional[Review]:
        try:
            kind = ReviewKind.parse(values.get("kind", ""), "kind")
        except ValidationError:
            return None
        dates = {}
        for name, _ in REVIEW_DATES:
            try:
                dates[name] = parse_date(values.get(name) or None, name, today=today, required=False)
            except ValidationError:
                dates[name] = None
        return Review(reference="", kind=kind, name="x", **dates)

    def note(field: str, what: str, rule: str) -> Note:
        def text(values: dict[str, str]) -> str:
            if not values.get(field):
                return ""
            r = provisional(values)
            if r is None:
                return ""
            due = getattr(statutory_dates(r, rules), what)
            try:
                day = parse_date(values[field], field, today=today)
            except ValidationError:
                return ""
            return f"= {day:%d/%m/%Y}" + (f"; {rule} due {fmt(due)}" if due else "")
        return text

    return {
        "kind": kind_note,
        "incident_on": note("incident_on", "notification_due", f"Panel notification ({rules.notification})"),
        "known_on": note("known_on", "notification_due", f"Panel notification ({rules.notification})"),
        "notified_on": note("notified_on", "rapid_review_due", f"rapid review ({rules.rapid_review})"),
        "initiated_on": note("initiated_on", "publication_due", f"publication ({rules.publication})"),
    }


def add_review_form(app: Any, *, on_added: Optional[Callable[[str], None]] = None) -> FormScreen:
    tracker = app.tracker

    def submit(values: dict[str, str]) -> str:
        fields = {k: v for k, v in values.items() if v != ""}
        review = tracker.add_review(**fields)
        submit.added = review.reference  # type: ignore[attr-defined]
        dates = statutory_dates(review, tracker.plan_rules)
        due = [f"{label} {fmt(d)}" for label, d in (("notification", dates.notification_due),
                                                     ("rapid review", dates.rapid_review_due),
                                                     ("publication", dates.publication_due)) if d]
        return f"Added {review.title} as {review.reference}" + (f"; due: {', '.join(due)}" if due else "")

    screen = PlanFormScreen("New review", review_fields(), submit, today=tracker.today(),
                            notes=review_date_notes(tracker), id="form-add-review", table="reviews", adds=True,
                            intro="The statutory dates are computed from the dates you give.")

    app.push_screen(screen, confirm(app, added(submit, on_added)))
    return screen


def edit_review_form(app: Any, reference: str) -> Optional[FormScreen]:
    tracker = app.tracker
    review = fetch_or_say(app, lambda: tracker.get_review(reference))
    if review is None:
        return None
    state = {"review": review}

    def submit(values: dict[str, str]) -> str:
        current = {f.name: f.value for f in review_fields(state["review"])}
        changed = {k: v for k, v in values.items() if v != current.get(k, "")}
        if not changed:
            return f"{reference}: nothing changed"
        tracker.update_review(reference, expected_rev=state["review"].rev, **changed)
        return f"{state['review'].title} saved: {', '.join(sorted(changed))} changed"

    reload = reloader(app, state, "review", lambda: tracker.get_review(reference), reference)

    screen = PlanFormScreen(f"Edit {review.title}", review_fields(review), submit, today=tracker.today(),
                            notes=review_date_notes(tracker), reload=reload, id="form-edit-review",
                            table="reviews")
    app.push_screen(screen, confirm(app))
    return screen


# --- add a recommendation ----------------------------------------------------------------------------
def agencies_note(tracker: Tracker, name: str) -> Note:
    """The agency names matching what is typed after the last ';'."""
    agencies = list(tracker.plan_agencies.agencies)

    def note(values: dict[str, str]) -> str:
        typed = values.get(name, "")
        last = typed.split(";")[-1].strip()
        if not last:
            return "one or more agencies from the list, separated by ';'"
        exact = [a for a in agencies if fold(a) == fold(last)]
        if exact:
            return f"\u2713 {exact[0]}"
        shown = matching_choices(last, agencies)
        if not shown:
            return f"no agency name contains '{last}'"
        return " \u00b7 ".join(shown[:5]) + (f" \u2026 (+{len(shown) - 5})" if len(shown) > 5 else "")
    return note


def resolve_agencies(tracker: Tracker, typed: str, name: str) -> str:
    """'nhs; police' -> the full names, when each part names exactly one agency."""
    from ..fields import resolve_choice
    agencies = list(tracker.plan_agencies.agencies)
    out = []
    for part in [p.strip() for p in typed.split(";") if p.strip()]:
        chosen = resolve_choice(part, agencies)
        if chosen is None:
            near = matching_choices(part, agencies)
            raise ValidationError(name, part, (f"one agency: '{part}' could be {', '.join(near[:4])}" if near else
                                               "an agency from the list (type part of its name)"))
        out.append(chosen)
    return "; ".join(out)


def add_recommendation_form(app: Any, review_ref: str, *, on_added: Optional[Callable[[int], None]] = None
                            ) -> Optional[FormScreen]:
    tracker = app.tracker
    review = fetch_or_say(app, lambda: tracker.get_review(review_ref))
    if review is None:
        return None
    state = {"review": review}
    next_number = max((x.number for x in review.recommendations), default=0) + 1
    fields = [
        Field("text", "Recommendation", required=True, hint="as the review worded it"),
        Field("owner_agencies", "Owner(s)", required=True, hint="agencies, separated by ';'"),
        Field("themes", "Themes", hint="separated by ';'"),
        Field("number", "Number", value=str(next_number), hint="the review's own numbering"),
    ]

    def submit(values: dict[str, str]) -> str:
        owners = resolve_agencies(tracker, values["owner_agencies"], "owner_agencies")
        number: Optional[int] = None
        if values.get("number"):
            try:
                number = int(values["number"])
            except ValueError:
                raise ValidationError("number", values["number"], "a whole number from 1") from None
        rec = tracker.add_recommendation(review_ref, text=values["text"], owner_agencies=owners,
                                         themes=values.get("themes", ""), number=number,
                                         expected_rev=state["review"].rev)
        submit.added = rec.number  # type: ignore[attr-defined]
        return f"Added recommendation {rec.number} to {review.title}"

    reload = reloader(app, state, "review", lambda: tracker.get_review(review_ref), review_ref, review.title)

    screen = PlanFormScreen(f"New recommendation: {review.title}", fields, submit, today=tracker.today(),
                            notes={"owner_agencies": agencies_note(tracker, "owner_agencies")}, reload=reload,
                            intro=f"{review.reference} \u00b7 {len(review.recommendations)} recommendation(s) so far",
                            id="form-add-recommendation", table="reviews")

    app.push_screen(screen, confirm(app, added(submit, on_added)))
    return screen


# --- add an action ---------------------------------------------------------------------------------
def add_action_form(app: Any, review_ref: Optional[str] = None, number: Optional[int] = None, *,
                    on_added: Optional[Callable[[str], None]] = None) -> Optional[FormScreen]:
    """The action form; the review and recommendation are asked for when not given."""
    tracker = app.tracker
    review: Optional[Review] = None
    if review_ref is not None:
        try:
            review = tracker.get_review(review_ref)
        except SafeguardError as exc:
            app.say(str(exc), "error")
            return None
    titles = [r.title for r in tracker.reviews()]
    fields: list[Field] = []
    if review is None:
        fields.append(Field("review", "Review", "choice", required=True, choices=titles,
                            hint="type part of its name: 'dawn'"))
    if number is None:
        have = ", ".join(str(x.number) for x in review.recommendations) if review else ""
        fields.append(Field("recommendation", "Recommendation", required=True,
                            value=str(review.recommendations[-1].number) if review and len(review.recommendations) == 1
                            else "", hint=f"its number ({have})" if have else "its number"))
    agencies = list(tracker.plan_agencies.agencies)
    default_agency = ""
    if review is not None and number is not None:
        rec = review.recommendation(number)
        if rec is not None and len(rec.owner_agencies) == 1:
            default_agency = rec.owner_agencies[0]
    fields += [
        Field("description", "Action", required=True, hint="what will be done, by whom, to show what"),
        Field("lead_agency", "Lead agency", "choice", required=True, choices=agencies, value=default_agency,
              hint="type part of the name"),
        Field("lead_officer", "Lead officer", hint="the person who answers for it"),
        Field("due", "Due", hint="a date, or '3 months after publication'"),
    ]

    def review_of(values: dict[str, str]) -> Optional[str]:
        if review is not None:
            return review.reference
        title = values.get("review", "")
        from ..fields import resolve_choice
        chosen = resolve_choice(title, titles) if title else None
        return chosen

    def submit(values: dict[str, str]) -> str:
        rkey = review_of(values)
        if rkey is None:
            raise ValidationError("review", values.get("review", ""), "a review from the list")
        rec_no = number if number is not None else values.get("recommendation", "")
        action = tracker.add_action(rkey, rec_no, description=values["description"],
                                    lead_agency=values["lead_agency"], lead_officer=values.get("lead_officer", ""),
                                    due=values.get("due") or None)
        submit.added = action.reference  # type: ignore[attr-defined]
        due = fmt(action.due_on) if action.due_on else ("no date yet" if action.due_rule else "no due date")
        return f"Added {action.reference} to {tracker.get_review(action.review).title} rec {action.recommendation}, due {due}"

    where = ""
    if review is not None:
        where = review.title + (f" \u00b7 recommendation {number}" if number is not None else "")
    screen = PlanFormScreen("New action" + (f": {where}" if where else ""), fields, submit, today=tracker.today(),
                            notes={"due": due_note(tracker, review_of)}, id="form-add-action", table="actions", adds=True,
                            intro="A relative due date follows its event: the date it gives is shown as you type.")

    app.push_screen(screen, confirm(app, added(submit, on_added)))
    return screen



# --- a recommendation's impact finding ------------------------------------------------------------------
def impact_form(app: Any, review_ref: str, number: Optional[int] = None) -> Optional[FormScreen]:
    """The 12-month check that a recommendation made a difference, once its actions are signed off."""
    tracker = app.tracker
    review = fetch_or_say(app, lambda: tracker.get_review(review_ref))
    if review is None:
        return None
    state = {"review": review}
    fields = []
    if number is None:
        fields.append(Field("number", "Recommendation", required=True,
                            hint="its number (" + ", ".join(str(x.number) for x in review.recommendations) + ")"))
    fields += [Field("text", "Finding", required=True, hint="did it make the difference the review meant?"),
               Field("by", "By", value=tracker.user, required=True),
               Field("on", "On", "date", value="today", required=True)]

    def submit(values: dict[str, str]) -> str:
        n = number if number is not None else values.get("number", "")
        rec = tracker.record_impact_finding(review_ref, n, values["text"], on=values["on"], by=values["by"],
                                            expected_rev=state["review"].rev)
        return f"Impact finding recorded for {review.title} recommendation {rec.number}"

    reload = reloader(app, state, "review", lambda: tracker.get_review(review_ref), review_ref, review.title)

    screen = PlanFormScreen(f"Impact finding: {review.title}" + (f" rec {number}" if number else ""), fields, submit,
                            today=tracker.today(), reload=reload, id="form-impact", table="reviews")
    app.push_screen(screen, confirm(app))
    return screen
