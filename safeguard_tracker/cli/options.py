"""The CLI's options as the user typed them: every value naming one of a list (an agency, a category,
a status, a RAG...) resolved by the library's one rule (``validation.choices``), and a
ValidationError worded with the option the user typed (``--received``), not the API's field name
(``received_on``).
"""

from __future__ import annotations

import argparse
import re
from typing import Any, Callable, Optional, Sequence

from ..errors import ValidationError
from ..model import (RAG, ActionStatus, Category, Harm, MeetingKind, Outcome, ReviewKind, ReviewStatus,
                     SuspensionDecision)
from ..model.enums import Choice
from ..tracker import Tracker
from ..validation.choices import resolve_choice

# --- which option names what ------------------------------------------------------------------------------

# An API field -> the parser destinations that may have given it, the first the command has wins
# ("received_on" is --received when adding a contact, --on when recording the employer's report).
FIELD_DESTS: dict[str, tuple[str, ...]] = {
    "received_on": ("received", "on"), "closed_on": ("on", "closed"), "done_on": ("on",), "held_on": ("held_on", "on"),
    "lead_agency": ("lead_agency", "agency"), "owner_agencies": ("agency",), "referrer_name": ("referrer",),
    "s47_strategy_on": ("s47",), "reference_number": ("their_reference",), "report_received_on": ("report_received",),
    "impact_measure": ("impact",), "lead_officer": ("lead_officer", "officer"), "reason": ("reason", "rationale"),
    "rationale": ("rationale", "reason"), "follow_up_agency": ("agency",), "agencies_present": ("agencies",),
    "within_days": ("within",),
}
_ACTION_ITEM = re.compile(r"^actions\[(\d+)\]\.(\w+)$")
_ITEM_WORDS = {"due_on": "due date", "description": "what", "owner": "owner", "done_on": "done date"}


def command_parser(root: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The parser of the (sub)command that ``args`` came from: ``contact close`` -> its own parser."""
    parser = root
    while True:
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        name = getattr(args, sub.dest, None) if sub is not None else None
        if sub is None or name not in sub.choices:
            return parser
        parser = sub.choices[name]


def _dests(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.dest: a for a in parser._actions if a.dest != argparse.SUPPRESS}


def option_name(parser: Optional[argparse.ArgumentParser], field: str) -> str:
    """The option (or argument) of this command that gave ``field``: 'received_on' -> '--received'."""
    m = _ACTION_ITEM.match(field)
    if m:
        return f"--action {m.group(1)} ({_ITEM_WORDS.get(m.group(2), m.group(2).replace('_', ' '))})"
    if field.startswith("deadlines."):                        # deadlines --set jem=...
        return f"--set {field.split('.', 1)[1]}"
    if parser is None or field.startswith("-"):
        return field
    actions = _dests(parser)
    tries = FIELD_DESTS.get(field, ()) + (field,) + ((field[:-3],) if field.endswith("_on") else ())
    for dest in tries:
        action = actions.get(dest)
        if action is None:
            continue
        if action.option_strings:
            return max(action.option_strings, key=len)
        metavar = action.metavar
        return metavar if isinstance(metavar, str) else dest.upper()
    return field


def cli_message(exc: ValidationError, parser: Optional[argparse.ArgumentParser]) -> str:
    """The library's message with the option the user typed in place of the API's field name."""
    where = f"row {exc.row}: " if exc.row is not None else ""
    return f"{where}{option_name(parser, exc.field)} {exc.beside}"


# --- values naming one of a list ----------------------------------------------------------------------------

Chooser = Callable[[Any], Any]


def _enum(enum: type[Choice], extra: Sequence[str] = ()) -> Callable[[str, str], str]:
    """A value of ``enum`` (or one of ``extra``, such as 'open'): exact names and the library's synonyms
    first ('done' is complete), then the one rule for a beginning ('con' is consultation)."""
    values = [m.value for m in enum] + list(extra)

    def choose(value: str, field: str) -> str:
        key = value.strip().lower()
        if key in extra:
            return key
        try:
            return enum.parse(value, field).value
        except ValidationError:
            return resolve_choice(value, values, field)
    return choose


def _agency(agencies: Any) -> Callable[[str, str], str]:
    def choose(value: str, field: str) -> str:
        if value in agencies:                    # a name or an alias, in any case and dash style
            return str(agencies.canonical(value, field))
        return resolve_choice(value, list(agencies.offered), field, what="agency names",
                              suggest=agencies.suggestions)
    return choose


def _choosers(args: argparse.Namespace, tracker: Optional[Tracker]) -> dict[str, Callable[[str, str], str]]:
    """For this command, each destination whose value names one of a list, and how to read it (the
    agency lists only with the store open: an area may have its own)."""
    command = args.command
    step = getattr(args, "contact_command", None) or getattr(args, "action_command", None)
    found: dict[str, Callable[[str, str], str]] = {}
    if command in ("contacts", "contact"):
        if tracker is not None:
            found["agency"] = _agency(tracker.taxonomy)
        found["harm"] = _enum(Harm)
        found["category"] = _enum(Category, ("none", "uncategorised") if command == "contacts" else ())
        if command == "contacts":
            found["status"] = _enum_list(("open", "closed"))
        if step in ("escalate", "step-down"):
            found["to"] = _enum(Category)
        if step == "meeting":
            found["kind"] = _enum(MeetingKind)
        if step == "suspension":
            found["decision"] = _enum(SuspensionDecision)
        if step == "close":
            found["outcome"] = _enum(Outcome)
    elif command in ("reviews", "review"):
        found["kind"] = _enum(ReviewKind)
        found["status"] = _enum(ReviewStatus)
        if tracker is not None:
            found["agency"] = _agency(tracker.plan_agencies)
    elif command in ("actions", "action"):
        if tracker is not None:
            found["agency"] = found["lead_agency"] = _agency(tracker.plan_agencies)
        found["status"] = _enum(ActionStatus, ("open",) if command == "actions" else ())
        found["rag"] = _enum(RAG)
    elif command == "report" and getattr(args, "report", None) in ("action-plan", "chase-letters") \
            and tracker is not None:
        found["agency"] = _agency(tracker.plan_agencies)
    return found


def _enum_list(values: Sequence[str]) -> Callable[[str, str], str]:
    def choose(value: str, field: str) -> str:
        return resolve_choice(value, list(values), field)
    return choose


def resolve_choices(args: argparse.Namespace, tracker: Optional[Tracker] = None) -> None:
    """Put each list value of this command in the list's own spelling, or refuse it (exit 2) naming the
    value and what it could be: 'prim' -> 'School - Primary'; 'Scool - Primary' and 'school' refused.
    Without the tracker (before the command runs) the fixed lists; with it (the store just opened)
    the agency lists as well."""
    for dest, choose in _choosers(args, tracker).items():
        value = getattr(args, dest, None)
        if value is None:
            continue
        if isinstance(value, list):
            setattr(args, dest, [choose(v, dest) for v in value])
        elif isinstance(value, str) and value.strip():
            setattr(args, dest, choose(value, dest))
