"""The steps of a contact's case in the TUI, each one form and one tracker call.

``STEPS`` is the single list behind the detail screen's keys, the list views' keys, the
command palette ("escalate L-2018-0042") and the help screen.  Every save passes the revision
the form was opened with (``expected_rev``), so another user's change in between is a CONFLICT
shown in the form, never a silent overwrite.  Adding a contact is in add_contact.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from safeguard_tracker import Tracker
from safeguard_tracker.validation.contact import PATTERN_FIELDS
from safeguard_tracker.dates import fmt, parse_date
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.model import ALLEGATION_OUTCOMES, Category, Contact, Harm, Outcome, SuspensionDecision

from ..fields import Field
from ..record_forms import RecordFormScreen, open_record_form
from .data import HARM_CHOICES
from .redaction import redaction_intro

REGULATOR_BODIES = ("DBS", "Teaching Regulation Agency", "Ofsted", "HCPC", "NMC", "Social Work England")
MEETING_KINDS = {"JEM": "jem", "JEM review": "jem_review", "strategy discussion": "strategy", "other": "other"}


@dataclass(frozen=True)
class ContactStep:
    verb: str                      # the palette word: "escalate"
    key: str                       # the key on the detail screen
    label: str                     # the footer label
    help: str                      # one line for the help screen and palette
    fields: Callable[[Contact, Any], list[Field]]
    save: Callable[[Any, Contact, dict[str, str]], str]     # returns the status-line confirmation
    refuse: Callable[[Contact], Optional[str]] = lambda c: None   # why not, for this contact
    in_lists: bool = False         # also a key on the queue and the contact lists
    footer: bool = True
    title: str = ""                # the form's title, when not the label
    intro: Optional[Callable[[Contact, Any], str]] = None   # the form's intro, when not the contact's summary line
    shown: Callable[[Contact], bool] = lambda c: True       # in the footer for this contact (when it applies)
    # The question answered y/n before saving ("Close L-2018-0042 as UNSUBSTANTIATED?"), or None.
    question: Optional[Callable[[Any, Contact, dict[str, str]], Optional[str]]] = None


def an(word: str) -> str:
    """'an enquiry', 'a referral': the article a category or an outcome takes."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _words(value: str) -> str:
    """A stored choice as the question names it: 'no_further_action' -> NO FURTHER ACTION."""
    return value.replace("_", " ").upper()


def _on(tracker: Tracker, value: Optional[str]) -> str:
    """' on 15/06/2018' for a date as typed ('today'), or '' when it cannot be read (the tracker says why)."""
    try:
        day = parse_date(value or "today", "on", today=tracker.today())
    except ValidationError:
        return ""
    return f" on {fmt(day)}" if day else ""


def _change_question(tracker: Tracker, c: Contact, to: str, on: Optional[str]) -> Optional[str]:
    """Before a category that is already decided changes: the change in words."""
    if c.category is None or not to:
        return None
    try:
        new = Category.parse(to, "category")
    except ValidationError:
        return None                  # the tracker says what is wrong with it
    if new is c.category:
        return None
    if new.rank > c.category.rank:
        return f"Escalate {c.reference} from {c.category.value} to {_words(new.value)}{_on(tracker, on)}? y/n"
    return f"Step {c.reference} down from {c.category.value} to {_words(new.value)}{_on(tracker, on)}? y/n"


def _closed(c: Contact) -> Optional[str]:
    if c.closed_on is not None:
        return f"{c.reference} was closed on {fmt(c.closed_on)}: reopen it first (o)"
    return None


# --- categorise ------------------------------------------------------------------------------
def _categorise_fields(c: Contact, tracker: Tracker) -> list[Field]:
    choices = [cat.value for cat in Category if cat is not c.category]
    return [
        Field("category", "Category", "choice", required=True, choices=choices, aliases=("to",),
              hint="up is an escalation, down a step-down; both stay in the history"),
        Field("rationale", "Rationale", required=True, aliases=("reason",),
              hint="why this category: the threshold test and the facts that meet it"),
        Field("on", "Decided on", "date", value="today"),
    ]


def _categorise(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.categorise(c.reference, v["category"], v["rationale"], on=v.get("on") or None,
                               expected_rev=c.rev)
    kind = saved.category_history[-1].kind.value.replace("_", " ")
    return f"{c.reference} {kind}: now {an(saved.category.value)}"


def _categorise_question(tracker: Tracker, c: Contact, v: dict[str, str]) -> Optional[str]:
    return _change_question(tracker, c, v.get("category", ""), v.get("on"))


# --- escalate --------------------------------------------------------------------------------
def _escalate_refuse(c: Contact) -> Optional[str]:
    if c.category is Category.REFERRAL:
        return f"{c.reference} is already a referral: nothing higher to escalate to"
    if c.category is None and c.closed_on is None:
        return f"{c.reference} has no category yet: categorise it first (c)"
    return _closed(c)


def _escalate_fields(c: Contact, tracker: Tracker) -> list[Field]:
    higher = [cat.value for cat in Category if c.category is None or cat.rank > c.category.rank]
    # The form starts where the decision is: with two categories above (an enquiry), an empty
    # "to" (the first field to fill); with only one, it is filled and the form starts at Reason.
    return [
        Field("to", "Escalate to", "choice", value=higher[0] if len(higher) == 1 else "",
              required=True, choices=higher, hint="the category the new concern meets"
              if len(higher) > 1 else ""),
        Field("reason", "Reason", required=True, aliases=("rationale",),
              hint="what changed: the further concern that meets the threshold"),
        Field("on", "Decided on", "date", value="today"),
    ]


def _escalate(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.escalate(c.reference, to=v["to"], reason=v["reason"], on=v.get("on") or None,
                             expected_rev=c.rev)
    was = c.category.value if c.category else "uncategorised"
    return f"{c.reference} escalated from {was} to {saved.category.value}; reason recorded"


# --- step down ----------------------------------------------------------------------------------
def _step_down_refuse(c: Contact) -> Optional[str]:
    if c.closed_on is not None:
        return _closed(c)
    if c.category is None:
        return f"{c.reference} has no category yet: categorise it first (c)"
    if c.category is Category.ENQUIRY:
        return f"{c.reference} is an enquiry: there is no lower category to step down to"
    return None


def _step_down_fields(c: Contact, tracker: Tracker) -> list[Field]:
    lower = [cat.value for cat in Category if c.category is not None and cat.rank < c.category.rank]
    return [
        Field("to", "Step down to", "choice", value=lower[0] if len(lower) == 1 else "", required=True,
              choices=lower, hint="the category it now meets" if len(lower) > 1 else ""),
        Field("rationale", "Rationale", required=True, aliases=("reason",),
              hint="why the threshold is no longer met: the facts that changed"),
        Field("on", "Decided on", "date", value="today"),
    ]


def _step_down(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.step_down(c.reference, to=v["to"], rationale=v["rationale"], on=v.get("on") or None,
                              expected_rev=c.rev)
    was = c.category.value if c.category else "uncategorised"
    return f"{c.reference} stepped down from {was} to {saved.category.value}; rationale recorded"


def _step_down_question(tracker: Tracker, c: Contact, v: dict[str, str]) -> Optional[str]:
    return _change_question(tracker, c, v.get("to", ""), v.get("on"))


# --- the first response and the employer's report --------------------------------------------------
def _respond_refuse(c: Contact) -> Optional[str]:
    if c.responded_on is not None:
        return (f"{c.reference}: the first response was recorded on {fmt(c.responded_on)} "
                f"(to correct the date: Edit, u)")
    return None


def _respond_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [Field("on", "Responded on", "date", value="today", required=True,
                  hint="when the LADO first responded to the referrer (due within 1 working day)")]


def _respond(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.record_response(c.reference, on=v["on"], expected_rev=c.rev)
    return f"First response to the referrer recorded for {c.reference}: {fmt(saved.responded_on)}"


def _report_refuse(c: Contact, what: str) -> Optional[str]:
    if c.closed_on is not None:
        return _closed(c)
    if c.category not in (Category.CONSULTATION, Category.REFERRAL):
        kind = an(c.category.value) if c.category else "not yet categorised"
        return f"{c.reference} is {kind}: {what} for a consultation or a referral"
    if c.employer_report_received_on is not None:
        return (f"{c.reference}: the employer's report came in on {fmt(c.employer_report_received_on)} "
                f"(to correct it: Edit, u)")
    return None


def _report_requested_refuse(c: Contact) -> Optional[str]:
    why = _report_refuse(c, "the employer's report is asked")
    if why is None and c.employer_report_requested_on is not None:
        return (f"{c.reference}: the employer's report was asked for on {fmt(c.employer_report_requested_on)}; "
                f"when it comes in, press i")
    return why


def _report_requested_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [Field("on", "Asked on", "date", value="today", required=True,
                  hint="when the employer was asked for its investigation report; it is chased from then")]


def _report_requested(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.request_employer_report(c.reference, on=v["on"], expected_rev=c.rev)
    return f"Employer's report asked for on {fmt(saved.employer_report_requested_on)} for {c.reference}"


def _report_received_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [
        Field("received_on", "Received on", "date", value="today", required=True, aliases=("on",),
              hint="when the employer's report came in"),
        Field("outcome", "Employer outcome", value=c.employer_outcome, aliases=("employer_outcome",),
              hint="what the employer did, in its words (training, final warning, dismissal...)"),
    ]


def _report_received(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.record_employer_report(c.reference, received_on=v["received_on"], outcome=v.get("outcome", ""),
                                           expected_rev=c.rev)
    said = f": {saved.employer_outcome}" if saved.employer_outcome else ""
    return f"Employer's report in on {fmt(saved.employer_report_received_on)} for {c.reference}{said}"


# --- meetings ---------------------------------------------------------------------------------
def _meeting_fields(c: Contact, tracker: Tracker) -> list[Field]:
    kind = "JEM review" if c.jem_held_on else "JEM"
    return [
        Field("kind", "Meeting", "choice", value=kind, required=True, choices=list(MEETING_KINDS)),
        Field("held_on", "Held on", "date", value="today", required=True),
        Field("agencies_present", "Present", placeholder="Police, Employer, Ofsted...",
              hint="the agencies present, separated by commas"),
        Field("decisions", "Decisions"),
        Field("action", "Action", placeholder="optional: one action agreed", aliases=("actions[1].description",)),
        Field("action_owner", "Action owner", aliases=("actions[1].owner",),
              hint="who does it (a person or an agency): needed with an action"),
        Field("action_due", "Action due", "date", aliases=("actions[1].due_on",), hint="needed with an action"),
    ]


def _meeting(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    actions = []
    if v.get("action") and not v.get("action_owner"):
        raise ValidationError("action_owner", "", "who does the action (a person or an agency), or clear the action")
    if v.get("action") and not v.get("action_due"):
        raise ValidationError("action_due", "", "when the action is due (dd/mm/yyyy), or clear the action")
    if v.get("action"):
        actions.append({"description": v["action"], "owner": v.get("action_owner", ""),
                        "due_on": v.get("action_due") or None})
    elif v.get("action_owner") or v.get("action_due"):
        raise ValidationError("action", "", "a description of the action (or clear its owner and due date)")
    present = [p for p in (v.get("agencies_present") or "").split(",")]
    kind = MEETING_KINDS[v["kind"]]
    saved = tracker.record_meeting(c.reference, kind=kind, held_on=v["held_on"], agencies_present=present,
                                   decisions=v.get("decisions", ""), actions=actions, expected_rev=c.rev)
    m = saved.meetings[-1]
    return f"{v['kind']} recorded for {c.reference}, held on {fmt(m.held_on)}"


# --- a meeting's actions ------------------------------------------------------------------------
ACTION_CHOICE = re.compile(r"^meeting (\d+) action (\d+):")


def open_meeting_actions(c: Contact) -> list[str]:
    """The actions agreed at the contact's meetings and not yet done, as the chase list names
    them: "meeting 1 action 1: Share the CCTV (Employer, due 23/01/2018)"."""
    out = []
    for n, m in enumerate(c.meetings, 1):
        for k, a in enumerate(m.actions, 1):
            if a.done_on is None:
                bits = [b for b in (a.owner, f"due {fmt(a.due_on)}" if a.due_on else "") if b]
                out.append(f"meeting {n} action {k}: {a.description}" + (f" ({', '.join(bits)})" if bits else ""))
    return out


def _action_done_refuse(c: Contact) -> Optional[str]:
    if not open_meeting_actions(c):
        if any(m.actions for m in c.meetings):
            return f"{c.reference}: every action agreed at its meetings is already done"
        return f"{c.reference} has no meeting actions to mark done (a JEM's actions are recorded with it: m)"
    return None


def _action_done_fields(c: Contact, tracker: Tracker) -> list[Field]:
    choices = open_meeting_actions(c)
    return [
        Field("action", "Action", "choice", required=True, choices=choices, aliases=("meeting",),
              value=choices[0] if len(choices) == 1 else "",
              hint="which action: type 'meeting 2' or a word of it"),
        Field("done_on", "Done on", "date", value="today", required=True, aliases=("on",)),
    ]


def _action_done(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    m = ACTION_CHOICE.match(v["action"])
    if m is None:
        raise ValidationError("action", v["action"], "one of the actions listed under the field")
    meeting, action = int(m.group(1)), int(m.group(2))
    saved = tracker.complete_meeting_action(c.reference, meeting, action, done_on=v["done_on"], expected_rev=c.rev)
    done = saved.meetings[meeting - 1].actions[action - 1]
    return f"{c.reference} meeting {meeting} action {action} done on {fmt(done.done_on)}: {done.description}"


# --- notes ---------------------------------------------------------------------------------------
def _note_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [Field("text", "Note", required=True, hint="what happened or was said; it is kept with your name")]


def _note(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    tracker.add_note(c.reference, v["text"], expected_rev=c.rev)
    return f"Note added to {c.reference}"


# --- DBS and regulators ---------------------------------------------------------------------------
def _regulator_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [
        Field("body", "Referred to", "choice", value="DBS", required=True, choices=REGULATOR_BODIES,
              hint="DBS (a legal duty on removal from regulated activity) or the regulator"),
        Field("on", "Referred on", "date", value="today", required=True),
        Field("reference_number", "Their reference"),
    ]


def _regulator(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    tracker.record_regulator_referral(c.reference, body=v["body"], on=v["on"],
                                      reference_number=v.get("reference_number", ""), expected_rev=c.rev)
    return f"Referral to {v['body']} recorded for {c.reference}"


# --- suspension and police --------------------------------------------------------------------------
def _suspension_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [
        Field("decision", "Decision", "choice", required=True, choices=[d.value for d in SuspensionDecision]),
        Field("on", "Decided on", "date", value="today", required=True),
        Field("rationale", "Reasoning", required=True, hint="the risk to children and the alternatives considered"),
    ]


def _suspension(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    tracker.record_suspension(c.reference, decision=v["decision"], on=v["on"], rationale=v["rationale"],
                              expected_rev=c.rev)
    return f"Suspension decision ({v['decision'].replace('_', ' ')}) recorded for {c.reference}"


def _police_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [
        Field("involved", "Police involved", "choice", value="yes", required=True, choices=["yes", "no"]),
        Field("police_reference", "Crime reference", value=c.police_reference),
        Field("s47_strategy_on", "s47 strategy on", "date", value=fmt(c.s47_strategy_on)),
    ]


def _police(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    tracker.record_police(c.reference, involved=v["involved"] == "yes", police_reference=v.get("police_reference", ""),
                          s47_strategy_on=v.get("s47_strategy_on") or None, expected_rev=c.rev)
    return f"Police involvement recorded for {c.reference}"


# --- editing details ---------------------------------------------------------------------------------
EDIT_FIELDS = (
    # (tracker field, label, kind, getter)
    ("received_on", "Received", "date", lambda c: fmt(c.received_on)),
    ("agency", "Agency", "agency", lambda c: c.agency),
    ("summary", "Summary", "text", lambda c: c.summary),
    ("subject_name", "Staff name", "text", lambda c: c.subject.name),
    ("subject_role", "Role", "text", lambda c: c.subject.role),
    ("employer", "Employer", "text", lambda c: c.subject.employer),
    ("subject_dob", "Date of birth", "date", lambda c: fmt(c.subject.date_of_birth)),
    ("case_manager", "Case manager", "text", lambda c: c.case_manager),
    ("harm", "Harm", "choice", lambda c: c.harm.value if c.harm else ""),
    ("threshold", "Threshold", "text", lambda c: ", ".join(t.value for t in c.threshold)),
    ("children_count", "Children", "text", lambda c: "" if c.children_count is None else str(c.children_count)),
    ("children_ages", "Ages", "text", lambda c: ", ".join(str(a) for a in c.children_ages)),
    ("responded_on", "Responded on", "date", lambda c: fmt(c.responded_on)),
    ("referrer_name", "Referrer", "text", lambda c: c.referrer.name),
    ("referrer_role", "Referrer role", "text", lambda c: c.referrer.role),
    ("referrer_organisation", "Referrer org", "text", lambda c: c.referrer.organisation),
    ("employer_report_requested_on", "Report asked", "date", lambda c: fmt(c.employer_report_requested_on)),
    ("employer_report_received_on", "Report in", "date", lambda c: fmt(c.employer_report_received_on)),
    ("employer_outcome", "Employer outcome", "text", lambda c: c.employer_outcome),
    ("disciplinary", "Disciplinary", "text", lambda c: c.disciplinary),
)
FIELD_HINTS = {
    "threshold": "limbs 1-4: harmed, offence, risk, suitability (e.g. 1, 3)",
    "children_ages": "ages in years, separated by commas",
    "responded_on": "when the LADO responded to the referrer (due within 1 working day)",
    "employer_report_requested_on": "when the employer's internal investigation report was asked for",
    "employer_report_received_on": "when the employer's report arrived",
}


def detail_fields(tracker: Tracker, values: Optional[Contact] = None) -> list[Field]:
    out = []
    for name, label, kind, get in EDIT_FIELDS:
        choices: Any = ()
        check = None
        if kind == "agency":
            offered = list(tracker.taxonomy.offered)       # and the contact's own, retired or not
            if values is not None and values.agency not in offered:
                offered.append(values.agency)
            choices, kind, check = offered, "choice", tracker.taxonomy.canonical
        elif name == "harm":
            choices, check = HARM_CHOICES, (lambda v: Harm.parse(v, "harm"))
        out.append(Field(name, label, kind, value=get(values) if values is not None else "",
                         choices=choices, hint=FIELD_HINTS.get(name, ""), check=check,
                         required=name in ("received_on", "agency")))
    return out


def _edit(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    current = {f.name: f.value for f in detail_fields(tracker, c)}
    changed = {k: val for k, val in v.items() if val != current.get(k, "")}
    if not changed:
        return f"{c.reference}: nothing changed"
    saved = tracker.update_contact(c.reference, expected_rev=c.rev, **changed)
    warnings = tracker.pattern_warnings(saved) if set(changed) & PATTERN_FIELDS else []
    warn = f"; {len(warnings)} pattern warning(s)" if warnings else ""
    return f"{c.reference} saved: {', '.join(sorted(changed))} changed{warn}"


# --- closing and reopening --------------------------------------------------------------------------
def _close_refuse(c: Contact) -> Optional[str]:
    if c.closed_on is not None:
        return f"{c.reference} is already closed ({c.outcome.value if c.outcome else 'no outcome'}, {fmt(c.closed_on)})"
    if c.category is None:
        return f"{c.reference} has no category yet: categorise it first (c)"
    return None


def _close_fields(c: Contact, tracker: Tracker) -> list[Field]:
    if c.category is Category.REFERRAL:
        outcomes = [o.value for o in ALLEGATION_OUTCOMES]
        hint = "a referral closes with one of the five allegation outcomes"
    elif c.category is Category.ENQUIRY:
        outcomes = [Outcome.ADVICE_GIVEN.value]
        hint = "an enquiry closes with advice given"
    else:
        outcomes = [o.value for o in ALLEGATION_OUTCOMES] + [Outcome.NO_FURTHER_ACTION.value]
        hint = "the employer's outcome: one of the five, or no further action"
    fields = [
        Field("outcome", "Outcome", "choice", required=True, choices=outcomes, hint=hint,
              value=outcomes[0] if len(outcomes) == 1 else ""),
        Field("closed_on", "Closed on", "date", value="today", required=True),
    ]
    if c.category is Category.CONSULTATION:
        fields += [
            Field("report_received_on", "Report in", "date", value=fmt(c.employer_report_received_on),
                  required=True, hint="the employer's report must be in before a consultation closes"),
            Field("employer_outcome", "Employer outcome", value=c.employer_outcome,
                  hint="what the employer did (training, warning, dismissal...)"),
        ]
    return fields


def _close(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    saved = tracker.close_contact(c.reference, outcome=v["outcome"], closed_on=v["closed_on"],
                                  report_received_on=v.get("report_received_on") or None,
                                  employer_outcome=v.get("employer_outcome", ""), expected_rev=c.rev)
    return f"{c.reference} closed on {fmt(saved.closed_on)}: {saved.outcome.value.replace('_', ' ')}"


def _close_question(tracker: Tracker, c: Contact, v: dict[str, str]) -> Optional[str]:
    return f"Close {c.reference} as {_words(v.get('outcome', ''))}{_on(tracker, v.get('closed_on'))}? y/n"


def _reopen_refuse(c: Contact) -> Optional[str]:
    if c.closed_on is None:
        return f"{c.reference} is open: only a closed contact can be reopened"
    return None


def _reopen_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [
        Field("reason", "Reason", required=True, hint="the new information that reopens it"),
        Field("on", "Reopened on", "date", value="today"),
    ]


def _reopen(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    tracker.reopen(c.reference, v["reason"], on=v.get("on") or None, expected_rev=c.rev)
    return f"{c.reference} reopened (was {c.outcome.value if c.outcome else 'closed'}); reason recorded"


# --- redaction (UK GDPR): remove a closed contact's personal data ------------------------------------
def _redact_refuse(c: Contact) -> Optional[str]:
    if c.redacted_on is not None:
        return f"{c.reference} was already redacted on {fmt(c.redacted_on)}"
    if c.closed_on is None:
        return f"{c.reference} is open: close it before removing its personal data (x)"
    return None


def _redact_intro(c: Contact, tracker: Tracker) -> str:
    return redaction_intro(tracker, c)


def _redact_fields(c: Contact, tracker: Tracker) -> list[Field]:
    return [Field("confirm", "Type yes", required=True,
                  hint="yes removes it for good; esc keeps everything")]


def _redact(tracker: Tracker, c: Contact, v: dict[str, str]) -> str:
    if v["confirm"].strip().lower() != "yes":
        raise ValidationError("confirm", v["confirm"], "yes, to remove the personal data for good (esc keeps it)")
    result = tracker.redact_contact(c.reference, expected_rev=c.rev)
    message = (f"{c.reference} redacted: {len(result.fields)} fields removed, from its history and "
               f"{len(result.backups_scrubbed)} backup(s) too")
    if result.warnings:
        message += "; WARNING: " + " | ".join(result.warnings)
    return message


# The order is the footer's: the keys that fit at 80 columns are shown, in this order, among
# those that apply to the contact now (``shown`` and ``refuse``); every key works and is in help.
STEPS: tuple[ContactStep, ...] = (
    ContactStep("categorise", "c", "Category", "decide the category (enquiry, consultation, referral) with the rationale; "
                "changing a decided one asks first, naming the new category",
                _categorise_fields, _categorise, _closed, in_lists=True, shown=lambda c: c.category is None,
                question=_categorise_question),
    ContactStep("respond", "f", "Respond", "record the first response to the referrer (due within 1 working day)",
                _respond_fields, _respond, _respond_refuse, shown=lambda c: c.closed_on is None,
                title="First response"),
    ContactStep("action done", "t", "Action done", "mark a meeting's action done (meeting 1 action 1: ...)",
                _action_done_fields, _action_done, _action_done_refuse, title="Meeting action done"),
    ContactStep("report requested", "k", "Report asked", "record asking the employer for its investigation report",
                _report_requested_fields, _report_requested, _report_requested_refuse,
                title="Employer's report asked for"),
    ContactStep("report received", "i", "Report in", "record the employer's report and its outcome",
                _report_received_fields, _report_received,
                lambda c: _report_refuse(c, "an employer's report is recorded"),
                shown=lambda c: c.employer_report_requested_on is not None, title="Employer's report received"),
    ContactStep("escalate", "e", "Escalate", "escalate up a category, giving the reason",
                _escalate_fields, _escalate, _escalate_refuse, in_lists=True),
    ContactStep("meeting", "m", "JEM", "record a JEM, its review or a strategy discussion",
                _meeting_fields, _meeting, _closed, title="Meeting or JEM",
                shown=lambda c: c.category is Category.REFERRAL),
    ContactStep("note", "n", "Note", "add a note", _note_fields, _note, in_lists=True),
    ContactStep("close", "x", "Close", "close with the outcome (asks before saving, naming it)",
                _close_fields, _close, _close_refuse, question=_close_question),
    ContactStep("reopen", "o", "Reopen", "reopen a closed contact, giving the reason",
                _reopen_fields, _reopen, _reopen_refuse),
    ContactStep("regulator", "d", "DBS", "record a referral to the DBS or a regulator (TRA, Ofsted, HCPC...)",
                _regulator_fields, _regulator),
    ContactStep("step down", "l", "Step down", "step down to a lower category, giving the rationale (asks first, naming it)",
                _step_down_fields, _step_down, _step_down_refuse, footer=False,
                question=_step_down_question),
    ContactStep("suspension", "s", "Suspension", "record a suspension decision and its reasoning",
                _suspension_fields, _suspension, _closed, footer=False),
    ContactStep("police", "p", "Police", "record police involvement, crime reference and s47 strategy date",
                _police_fields, _police, footer=False),
    ContactStep("edit", "u", "Edit", "edit the contact's details (staff, referrer, dates, harm...)",
                lambda c, t: detail_fields(t, c), _edit, footer=False),
    ContactStep("redact", "r", "Redact", "remove a closed contact's personal data (names, date of birth, free text, "
                "referrer), keeping what the statistics need", _redact_fields, _redact, _redact_refuse,
                title="Redact (remove personal data)", intro=_redact_intro),
)
BY_VERB = {a.verb: a for a in STEPS}


def open_step(app: Any, verb: str, reference: str, *, on_saved: Optional[Callable[[], None]] = None) -> None:
    """Open the form for ``verb`` on ``reference``; confirm in the status line once saved."""
    action = BY_VERB[verb]
    tracker = app.tracker

    def intro(c: Contact) -> str:
        if action.intro is not None:
            return action.intro(c, tracker)
        return f"{c.category.value if c.category else 'uncategorised'} \u00b7 {c.agency} \u00b7 received {fmt(c.received_on)}"

    def extra(c: Contact) -> dict[str, Any]:
        question = action.question
        return {"question": (lambda v: question(tracker, c, v)) if question is not None else None}

    open_record_form(app, reference, fetch=lambda: tracker.get_contact(reference), refuse=action.refuse,
                     fields=lambda c: action.fields(c, tracker), save=lambda c, v: action.save(tracker, c, v),
                     title=lambda c: f"{action.title or action.label}: {c.reference}", intro=intro,
                     form_id=f"form-{verb.replace(' ', '-')}", on_saved=on_saved, screen=RecordFormScreen,
                     extra=extra)
