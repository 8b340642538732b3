"""The LADO from the command line: contacts and their workflow, the chase list, the annual report,
and contacts in and out of CSV and JSON.

Every command is a thin wrapper over the tracker.  Pattern warnings are
printed to stderr as ``warning: ...`` and never stop a save.  A wrong value
exits 2 with the library's one-line reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Optional


from ..convert import to_doc
from ..dates import fmt, parse_date
from ..lado.annual_measures import DEFAULT_REPEAT_YEARS, REPORT_SETTINGS
from ..model import Contact
from ..tracker import Tracker
from ..validation.contact import PATTERN_FIELDS, intake_category
from ..text import json_safe, printable, say
from .common import (EXPORT_AS_OF, CliError, Groups, Parser, Subparsers, add_as_of, contact_reference, emit, export_format,
                     open_from_args)
from .mappings import mapping_from_args, mapping_options, show_plan
from .progress_bar import progress_for

FORMATS = ("md", "html", "csv", "json", "docx")
IMPORT_WARNINGS_SHOWN = 20    # contacts whose pattern warnings an import prints in full; the rest are counted


def register(groups: Groups) -> None:
    sub = groups["root"]

    # --- the chase list ----------------------------------------------------------------------------
    p = sub.add_parser("due", help="what is overdue and what falls due within 7 days, most urgent first")
    add_as_of(p)
    p.add_argument("--within", type=int, default=7, metavar="DAYS", help="the look-ahead in days (default 7)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("settings", help="show or set what the annual report reads: the child population "
                                        "(per 10,000 children) and the repeat-subject window")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="child_population=61500 (every year), child_population=2019-20:64000 (one year), "
                        "or repeat_years=3")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("deadlines", help="show the LADO deadline rules, or change one with --set")
    p.add_argument("--set", action="append", default=[], metavar="RULE=VALUE",
                   help="e.g. employer_report='15 working days' or resolution='1 month,3 months,12 months'")
    p.set_defaults(func=cmd_deadlines)

    # --- contacts ------------------------------------------------------------------------------------
    p = sub.add_parser("contacts", help="list contacts (reference, received, agency, category, status)")
    p.add_argument("--year", help="a financial year, e.g. 2017-18")
    p.add_argument("--category", help="enquiry, consultation, referral or none")
    p.add_argument("--agency", help="an agency from the list; a unique beginning is enough ('prim')")
    p.add_argument("--status", help="open or closed")
    p.add_argument("--harm", help="physical, sexual, emotional, neglect or suitability")
    p.add_argument("--text", help="words in the reference, employer, role, summary, agency or their reference "
                                  "(the council's own, from an imported log)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_as_of(p)
    p.set_defaults(func=cmd_contacts)

    contact = sub.add_parser("contact", help="add a contact, or take a step on one")
    csub = contact.add_subparsers(dest="contact_command", metavar="STEP", required=True)

    p = csub.add_parser("add", help="log a new contact (pattern warnings are printed, never blocking)")
    p.add_argument("--received", required=True, metavar="DATE")
    p.add_argument("--agency", required=True)
    p.add_argument("--category", help="enquiry, consultation or referral, with --rationale (or decide later with "
                                      "`categorise`)")
    p.add_argument("--rationale", default="", help="why this category (required with --category)")
    p.add_argument("--reference", help="a reference of your choosing (default: the next L-YYYY-NNNN)")
    _detail_options(p)
    p.set_defaults(func=cmd_add)

    p = csub.add_parser("update", help="change a contact's details (subject, referrer, summary, harm...)")
    p.add_argument("reference", metavar="REF")
    p.add_argument("--received", metavar="DATE")
    p.add_argument("--agency")
    _detail_options(p)
    _rev(p)
    p.set_defaults(func=cmd_update)

    p = csub.add_parser("show", help="one contact in full (holds personal data: the view is logged)")
    p.add_argument("reference", metavar="REF")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_as_of(p)
    p.set_defaults(func=cmd_show)

    p = _step_parser(csub, "categorise", "decide the category, with a rationale", on="")
    p.add_argument("category", metavar="CATEGORY", help="enquiry, consultation or referral")
    p.add_argument("--rationale", required=True)
    p.set_defaults(func=lambda a: _step(a, "categorise", a.reference, a.category, a.rationale, on=a.on))

    p = _step_parser(csub, "escalate", "escalate up (enquiry -> consultation/referral, consultation -> referral)",
                     on="the date of the decision; it starts the JEM clock")
    p.add_argument("--to", default="referral", help="consultation or referral (default: referral)")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=lambda a: _step(a, "escalate", a.reference, to=a.to, reason=a.reason, on=a.on))

    p = _step_parser(csub, "step-down", "step down to a lower category, with a rationale", on="")
    p.add_argument("--to", required=True, help="enquiry or consultation")
    p.add_argument("--rationale", required=True)
    p.set_defaults(func=lambda a: _step(a, "step_down", a.reference, a.to, a.rationale, on=a.on))

    p = _step_parser(csub, "respond", "record the first response to the referrer", on="")
    p.set_defaults(func=lambda a: _step(a, "record_response", a.reference, on=a.on))

    p = _step_parser(csub, "meeting", "record a JEM, a JEM review or a strategy discussion")
    p.add_argument("--kind", default="jem", help="jem, jem_review, strategy or other (default jem)")
    p.add_argument("--on", dest="held_on", metavar="DATE", help="when it was held (default: today)")
    p.add_argument("--agencies", default="", help="agencies present, separated by ';'")
    p.add_argument("--decisions", default="")
    p.add_argument("--action", action="append", default=[], metavar="'WHAT|OWNER|DUE'",
                   help="an action with its owner and due date (repeat for several)")
    p.set_defaults(func=lambda a: _step(a, "record_meeting", a.reference, kind=a.kind, held_on=a.held_on,
                                        agencies_present=a.agencies.split(";"), decisions=a.decisions,
                                        actions=a.action))

    p = _step_parser(csub, "action-done", "mark a meeting's action done", on="")
    p.add_argument("meeting", type=int, metavar="MEETING", help="the meeting's number (1 = first recorded)")
    p.add_argument("action", type=int, metavar="ACTION", help="the action's number within the meeting")
    p.set_defaults(func=lambda a: _step(a, "complete_meeting_action", a.reference, a.meeting, a.action,
                                        done_on=a.on))

    p = _step_parser(csub, "police", "record police involvement and the s47 strategy discussion")
    p.add_argument("--police-reference", default="")
    p.add_argument("--s47", metavar="DATE", help="the date of the s47 strategy discussion")
    p.add_argument("--not-involved", action="store_true", help="record that the police are not involved")
    p.set_defaults(func=lambda a: _step(a, "record_police", a.reference, involved=not a.not_involved,
                                        police_reference=a.police_reference, s47_strategy_on=a.s47))

    p = _step_parser(csub, "suspension", "record suspension, an alternative, or not suspending, with the reasoning",
                     on="")
    p.add_argument("--decision", required=True, help="suspended, alternative or not_suspended")
    p.add_argument("--rationale", required=True)
    p.set_defaults(func=lambda a: _step(a, "record_suspension", a.reference, decision=a.decision, on=a.on,
                                        rationale=a.rationale))

    p = _step_parser(csub, "regulator", "record a referral to the DBS or a regulator", on="")
    p.add_argument("--body", required=True, help="DBS, Teaching Regulation Agency, Ofsted, HCPC, NMC...")
    p.add_argument("--their-reference", default="", help="the body's reference number")
    p.set_defaults(func=lambda a: _step(a, "record_regulator_referral", a.reference, body=a.body, on=a.on,
                                        reference_number=a.their_reference))

    p = _step_parser(csub, "report-requested", "record asking the employer for its investigation report", on="")
    p.set_defaults(func=lambda a: _step(a, "request_employer_report", a.reference, on=a.on))

    p = _step_parser(csub, "report-received", "record the employer's report and its outcome", on="")
    p.add_argument("--outcome", default="", help="the employer's outcome, in its words")
    p.set_defaults(func=lambda a: _step(a, "record_employer_report", a.reference, received_on=a.on,
                                        outcome=a.outcome))

    p = _step_parser(csub, "note", "add a dated, attributed note")
    p.add_argument("text", metavar="TEXT")
    p.set_defaults(func=lambda a: _step(a, "add_note", a.reference, a.text))

    p = _step_parser(csub, "close", "close with the outcome the category needs", on="the closing date (default: today)")
    p.add_argument("--outcome", help="referral: substantiated, false, malicious, unsubstantiated or unfounded; "
                                     "enquiry: advice_given; consultation: one of the five or no_further_action")
    p.add_argument("--employer-outcome", default="", help="a consultation: the employer's outcome in its words")
    p.add_argument("--report-received", metavar="DATE", help="a consultation: when the employer's report came in")
    p.set_defaults(func=lambda a: _step(a, "close_contact", a.reference, outcome=a.outcome, closed_on=a.on,
                                        employer_outcome=a.employer_outcome, report_received_on=a.report_received))

    p = _step_parser(csub, "reopen", "reopen a closed contact, with a reason", on="")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=lambda a: _step(a, "reopen", a.reference, a.reason, on=a.on))

    # --- the annual report ---------------------------------------------------------------------------------
    p = groups["report"].add_parser("lado-annual", help="the annual report's LADO section (no names)")
    p.add_argument("--year", required=True, help="a financial year, e.g. 2017-18")
    p.add_argument("--compare-with", metavar="YEAR", help="the year to compare with (default: the year before)")
    p.add_argument("--format", choices=FORMATS, default="md")
    p.add_argument("--stated-total", type=int, metavar="N",
                   help="a headline total published elsewhere for --year, to reconcile against the records")
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--templates", metavar="DIR", help="a folder of your own templates (e.g. a letterhead)")
    p.add_argument("--child-population", type=int, metavar="N",
                   help="children living in the area, for contacts per 10,000 children (default: the store's "
                        "child_population setting)")
    p.add_argument("--repeat-years", type=int, metavar="N",
                   help="a repeat subject is the same person within N years (default: the repeat_years setting, "
                        "else 3)")
    add_as_of(p, "the report as the store stood at the end of DATE, rebuilt from the audit trail: a published "
                 "year reproduced exactly (default: today)")
    p.set_defaults(func=cmd_report)

    # --- import and export -----------------------------------------------------------------------------------
    p = groups["import"].add_parser("contacts", help="contacts from a CSV, an Excel workbook (.xlsx) or Unicode "
                                    "text (or a JSON export): all or nothing")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true",
                   help="say what each column and word would become and what would change; write nothing")
    p.add_argument("--overwrite", action="store_true",
                   help="let rows without a revision column change stored records (history such as notes is kept)")
    mapping_options(p)
    p.set_defaults(func=cmd_import)


    p = groups["export"].add_parser("contacts", help="contacts as CSV or an Excel workbook (formula-safe), or JSON "
                                    "(lossless)")
    p.add_argument("--format", choices=("csv", "json", "xlsx"), default=None,
                   help="csv, json, or xlsx (needs -o FILE); default: by the -o file\'s ending (.xlsx, .json), else csv")
    p.add_argument("--year", help="only one financial year, e.g. 2017-18")
    p.add_argument("-o", "--output", metavar="FILE")
    add_as_of(p, EXPORT_AS_OF)
    p.set_defaults(func=cmd_export)


def _detail_options(p: argparse.ArgumentParser) -> None:
    for option, help_ in (("summary", None), ("harm", "physical, sexual, emotional, neglect or suitability"),
                          ("threshold", "limbs met: 1-4 or harmed, offence, risk, suitability, separated by ','"),
                          ("subject-name", "optional for an enquiry or consultation"), ("subject-role", None),
                          ("employer", None), ("subject-dob", "date of birth"), ("referrer", "the referrer's name"),
                          ("referrer-role", None), ("referrer-organisation", None), ("case-manager", None),
                          ("children-count", None), ("children-ages", "ages separated by ','"),
                          ("police-reference", None), ("disciplinary", None)):
        p.add_argument(f"--{option}", dest=option.replace("-", "_"), help=help_)


DETAIL_FIELDS = ("summary", "harm", "threshold", "subject_name", "subject_role", "employer", "subject_dob",
                 "referrer", "referrer_role", "referrer_organisation", "case_manager", "children_count",
                 "children_ages", "police_reference", "disciplinary")


def _step_parser(csub: Subparsers, name: str, help_: str, *, on: Optional[str] = None) -> Parser:
    """A workflow step on one contact: REF, optionally --on DATE, and --expected-rev."""
    p = csub.add_parser(name, help=help_)
    p.add_argument("reference", metavar="REF")
    if on is not None:
        p.add_argument("--on", metavar="DATE", help=on or None)
    _rev(p)
    return p


def _rev(p: argparse.ArgumentParser) -> None:
    p.add_argument("--expected-rev", type=int, metavar="N", help="refuse if the contact is no longer at revision N")


def _details(args: argparse.Namespace) -> dict[str, Any]:
    return {k: getattr(args, k) for k in DETAIL_FIELDS if getattr(args, k, None) is not None}


def _warn(tracker: Tracker, contact: Contact) -> None:
    """Earlier contacts about the same person or setting: said, never blocking."""
    for w in tracker.pattern_warnings(contact):
        say(f"warning: {w}", file=sys.stderr)


def _status_line(c: Any) -> str:
    cat = c.category.value if c.category else "uncategorised"
    state = f"closed {fmt(c.closed_on)} ({c.outcome.value})" if c.closed_on and c.outcome else (
        f"closed {fmt(c.closed_on)}" if c.closed_on else "open")
    return f"{c.reference}  {fmt(c.received_on)}  {cat:<12}  {state}  rev {c.rev}"


# --- commands -----------------------------------------------------------------------------------------------

def _step(args: argparse.Namespace, method: str, *pos: Any, **kw: Any) -> int:
    tracker = open_from_args(args, create=False)
    c = getattr(tracker, method)(*pos, expected_rev=args.expected_rev, **kw)
    say(_status_line(c))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    tracker = open_from_args(args)
    category, rationale = intake_category(args.category, args.rationale)   # the TUI's rule: a decision has its reason
    c = tracker.add_contact(received_on=args.received, agency=args.agency, category=category,
                            rationale=rationale, reference=args.reference, **_details(args))
    say(f"added {_status_line(c)}")
    _warn(tracker, c)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    fields = _details(args)
    if args.received is not None:
        fields["received_on"] = args.received
    if args.agency is not None:
        fields["agency"] = args.agency
    if not fields:
        raise CliError("contact update: give at least one field to change (see --help)")
    c = tracker.update_contact(args.reference, expected_rev=args.expected_rev, **fields)
    say(f"updated {_status_line(c)}")
    if set(fields) & PATTERN_FIELDS:
        _warn(tracker, c)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    c = tracker.get_contact(contact_reference(tracker, args.reference))   # ours, or the council's own
    if args.format == "json":
        text = json_safe(json.dumps(to_doc(c), indent=2, ensure_ascii=False))
    else:
        s, r = c.subject, c.referrer
        lines = [_status_line(c), f"agency:     {c.agency}"]
        if tracker.as_of_day is not None:      # a pasted copy keeps the day it shows
            lines.insert(0, f"as at the end of {fmt(tracker.as_of_day)} (rebuilt from the audit trail)")
        if c.legacy_reference:
            lines.append(f"their ref:  {c.legacy_reference} (the reference in the log it was imported from)")
        if c.historic:
            lines.append("historic:   imported from the log kept before this tracker; steps it never recorded "
                         "show as not recorded")
        lines += [f"summary:    {c.summary}",
                 f"subject:    {s.name or '(not named)'}; {s.role}; {s.employer}"
                 + (f"; born {fmt(s.date_of_birth)}" if s.date_of_birth else ""),
                 f"referrer:   {'; '.join(x for x in (r.name, r.role, r.organisation) if x) or '(not recorded)'}",
                 f"harm:       {c.harm.value if c.harm else '(not recorded)'}"
                 + (f"; threshold: {', '.join(t.value for t in c.threshold)}" if c.threshold else "")]
        for d in c.category_history:
            lines.append(f"category:   {fmt(d.on)} {d.kind.value} {d.from_.value + ' -> ' if d.from_ else ''}"
                         f"{d.to.value} by {d.user}: {d.rationale}")
        for n, m in enumerate(c.meetings, 1):
            lines.append(f"meeting {n}:  {m.kind.value} {fmt(m.held_on)}; present: {', '.join(m.agencies_present)}; "
                         f"{m.decisions}")
            for k, a in enumerate(m.actions, 1):
                lines.append(f"  action {k}: {a.description} ({a.owner}, due {fmt(a.due_on)})"
                             + (f" done {fmt(a.done_on)}" if a.done_on else ""))
        if c.police_involved or c.s47_strategy_on:
            lines.append(f"police:     {c.police_reference or 'involved'}"
                         + (f"; s47 strategy {fmt(c.s47_strategy_on)}" if c.s47_strategy_on else ""))
        lines += [f"suspension: {fmt(x.on)} {x.decision.value}: {x.rationale}" for x in c.suspension]
        lines += [f"regulator:  {fmt(x.on)} {x.body} {x.reference}" for x in c.regulator_referrals]
        if c.employer_report_requested_on or c.employer_report_received_on:
            lines.append(f"employer's report: requested {fmt(c.employer_report_requested_on) or '-'}, received "
                         f"{fmt(c.employer_report_received_on) or '-'} {c.employer_outcome}")
        lines += [f"reopened:   {fmt(x.on)} by {x.user}: {x.reason}" for x in c.reopenings]
        lines += [f"{k}: {v}" for k, v in c.extra.items()]
        lines += [f"note:       {x.at:%d/%m/%Y %H:%M} {x.user}: {x.text}" for x in c.notes]
        due = tracker.contact_due(c)
        lines += [f"due:        {i.line()}" for i in due]
        text = "\n".join(_shown(line) for line in lines)
    emit(tracker, args, text, what=f"show contact {c.reference}", personal=True, records=1)
    _warn_patterns(tracker, c)
    return 0


def _shown(line: str) -> str:
    """One line of ``contact show`` made printable.  A line break inside a value (a summary, a
    note) stays one, its continuation indented under the value, so it cannot pass for a field."""
    return printable(line, multiline=True).replace("\n", "\n" + " " * 12)


def _warn_patterns(tracker: Tracker, c: Any) -> None:
    for w in tracker.pattern_warnings(c):
        say(f"warning: {w}", file=sys.stderr)


def cmd_contacts(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False, sees=("contacts",))
    found = tracker.contacts(year=args.year, category=args.category, agency=args.agency, status=args.status,
                             harm=args.harm, text=args.text)
    if args.format == "json":
        rows = [{"reference": c.reference, "received": c.received_on.isoformat(), "agency": c.agency,
                 "category": c.category.value if c.category else None, "status": c.status,
                 "outcome": c.outcome.value if c.outcome else None} for c in found]
        text = json_safe(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        text = "\n".join(printable(f"{_status_line(c)}  {c.agency}") for c in found) or "no contacts match"
    emit(tracker, args, text, what="list contacts", personal=False)
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    items = tracker.due(as_of=args.as_of, within_days=args.within)
    if args.format == "json":
        text = json_safe(json.dumps([i.to_dict() for i in items], indent=2, ensure_ascii=False))
    elif items:
        overdue = sum(1 for i in items if i.overdue)
        text = "\n".join([f"{overdue} overdue, {len(items) - overdue} due within {args.within} days "
                          f"(as of {fmt(items[0].as_of)}):"] + [printable(i.line()) for i in items])
    else:
        day = parse_date(args.as_of, "--as-of", required=False, today=tracker.today()) or tracker.today()
        text = f"nothing overdue or due within {args.within} days (as of {fmt(day)})"
    emit(tracker, args, text, what="due", personal=False)
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=bool(args.set))
    for item in args.set:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or name not in REPORT_SETTINGS:
            raise CliError(f"settings --set: '{item}' is not NAME=VALUE with NAME one of: {', '.join(REPORT_SETTINGS)} "
                           f"(for example child_population=61500)")
        if name == "child_population":
            year, colon, number = value.rpartition(":")
            tracker.set_report_settings(child_population=number if colon else value, year=year if colon else None)
        else:
            tracker.set_report_settings(repeat_years=value)
    current = tracker.settings
    population = current.get("child_population")
    shown = (", ".join(f"{y}: {n:,}" for y, n in sorted(population.items())) if isinstance(population, dict)
             else f"{population:,}" if population else "not set (no rate per 10,000 children in the report)")
    say(f"child_population  {shown}")
    say(f"repeat_years      {current.get('repeat_years', DEFAULT_REPEAT_YEARS)} (a subject is a repeat within this "
        f"many years)")
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=bool(args.set))
    if args.set:
        changes = {}
        for item in args.set:
            name, sep, value = item.partition("=")
            if not sep:
                raise CliError(f"deadlines --set: '{item}' is not RULE=VALUE (for example jem='5 working days')")
            changes[name.strip()] = value.strip()
        tracker.set_deadline_rules(**changes)
    for name, value, meaning in tracker.deadline_rules().describe():
        say(f"{name:<20} {value:<26} {meaning}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.format == "docx" and args.output in (None, "-"):
        raise CliError("--format docx writes a Word document: name the file with -o FILE.docx", code=2)
    tracker = open_from_args(args, create=False)
    stated = {args.year: args.stated_total} if args.stated_total is not None else None
    with progress_for() as progress:
        text = tracker.report_lado_annual(args.year, args.compare_with, args.format, templates=args.templates,
                                          stated_totals=stated, child_population=args.child_population,
                                          repeat_years=args.repeat_years, progress=progress)
    emit(tracker, args, text, what=f"report lado-annual {args.year} {args.format}", personal=False)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    tracker = open_from_args(args)
    mapping = mapping_from_args(tracker, args, "contacts")
    if args.dry_run and not args.file.lower().endswith(".json"):
        return show_plan(tracker, args, tracker.plan_contacts_import(args.file, mapping=mapping, sheet=args.sheet))
    with progress_for() as progress:
        result = tracker.import_contacts(args.file, dry_run=args.dry_run, overwrite=args.overwrite, mapping=mapping,
                                         sheet=args.sheet, progress=progress)
    if args.save_mapping and mapping is not None:
        tracker.save_import_mapping(args.save_mapping, mapping)
        say(f"saved the mapping {args.save_mapping!r}")
    say(*result.summary())
    if not args.dry_run and result.changed:
        with progress_for() as progress:
            progress.start("looking for earlier contacts about the same people and settings", None)
            flagged = tracker.pattern_flagged(list(result.added) + list(result.updated))
        if flagged:
            say(f"warning: {len(flagged)} imported contact(s) match earlier contacts or a busy setting "
                f"(`safeguard-tracker contact show REF` lists them):", file=sys.stderr)
            for ref, ws in tracker.pattern_warnings_for(flagged[:IMPORT_WARNINGS_SHOWN]).items():
                for w in ws:
                    say(f"warning: {ref}: {w}", file=sys.stderr)
            if len(flagged) > IMPORT_WARNINGS_SHOWN:
                print(f"warning: ... and {len(flagged) - IMPORT_WARNINGS_SHOWN} more contact(s) with warnings",
                      file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    args.format = export_format(args)
    tracker = open_from_args(args, create=False)
    if args.format == "xlsx":
        if args.output in (None, "-"):
            raise CliError("--format xlsx writes a workbook: name the file with -o FILE.xlsx", code=2)
        with progress_for() as progress:
            data = tracker.export_contacts_xlsx(year=args.year, progress=progress)
        target = tracker.write_output(args.output, data,
                                      what="export contacts xlsx" + (f" {args.year}" if args.year else ""),
                                      personal=True, records=tracker.count_contacts(args.year))
        print(f"wrote {target}", file=sys.stderr)
        return 0
    with progress_for() as progress:
        text = tracker.export_contacts(args.format, year=args.year, progress=progress)
    emit(tracker, args, text, what=f"export contacts {args.format}" + (f" {args.year}" if args.year else ""),
         personal=True, records=tracker.count_contacts(args.year))
    return 0
