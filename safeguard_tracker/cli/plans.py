"""Learning Lessons from the command line: reviews, recommendations and actions (reports, import
and export: ``plans_files``).

Every command is a thin wrapper over the tracker; a wrong value exits 2 with
the library's one-line reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, cast

from ..tracker import Tracker
from ..dates import fmt, parse_date
from ..convert import to_doc
from ..model import ImpactFinding
from ..text import json_safe, say
from .common import CliError, Groups, add_as_of, open_from_args

REVIEW_DATE_OPTIONS = (("incident", "incident_on"), ("known", "known_on"), ("notified", "notified_on"),
                       ("decision", "decision_on"), ("initiated", "initiated_on"), ("published", "published_on"))


def register(groups: Groups) -> None:
    sub = groups["root"]

    # --- reviews ---------------------------------------------------------------------------------------
    p = sub.add_parser("reviews", help="list reviews with their statutory dates")
    p.add_argument("--kind", help="scr, lcspr, rapid_review, llr, audit, dhr, other_board")
    p.add_argument("--status", help="notified, rapid_review, in_progress, published, closed")
    p.add_argument("--text", help="words in the name, board, chair, author or themes")
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_as_of(p)
    p.set_defaults(func=cmd_reviews)

    review = sub.add_parser("review", help="add, change or show a review; add recommendations; record impact")
    rsub = review.add_subparsers(dest="review_command", metavar="STEP", required=True)
    p = rsub.add_parser("show", help="a review, its statutory dates, recommendations and actions with RAG")
    p.add_argument("review", metavar="REVIEW", help="a reference (R-2018-002), name ('Dawn') or title ('SCR Dawn')")
    add_as_of(p)
    p.set_defaults(func=cmd_review_show)

    p = rsub.add_parser("add", help="record a review")
    p.add_argument("name", metavar="NAME", help="the review's name, usually a pseudonym")
    p.add_argument("--kind", required=True, help="scr, lcspr, rapid_review, llr, audit, dhr, other_board")
    _review_options(p)
    p.set_defaults(func=cmd_review_add)

    p = rsub.add_parser("update", help="change a review's details, status or dates")
    p.add_argument("review", metavar="REVIEW")
    p.add_argument("--name")
    p.add_argument("--kind")
    _review_options(p)
    p.add_argument("--expected-rev", type=int, metavar="N", help="refuse if the review is no longer at revision N")
    p.set_defaults(func=cmd_review_update)

    p = rsub.add_parser("recommend", help="add a recommendation (numbered next within the review)")
    p.add_argument("review", metavar="REVIEW")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--agency", action="append", required=True, metavar="AGENCY",
                   help="an owner agency (repeat for several)")
    p.add_argument("--themes", help="themes separated by ';'")
    p.add_argument("--number", type=int, help="a number of your choosing instead of the next")
    p.set_defaults(func=cmd_recommend)

    p = rsub.add_parser("impact", help="record a recommendation's impact finding (after every action is signed off)")
    p.add_argument("review", metavar="REVIEW")
    p.add_argument("number", type=int, metavar="NUMBER")
    p.add_argument("finding", metavar="FINDING")
    p.add_argument("--on", metavar="DATE")
    p.add_argument("--by", metavar="NAME", help="who for the sub group (default: --user)")
    p.set_defaults(func=cmd_impact)

    # --- actions ------------------------------------------------------------------------------------------
    p = sub.add_parser("actions", help="list actions with their derived RAG, overdue first")
    p.add_argument("--review", metavar="REVIEW")
    p.add_argument("--agency", metavar="AGENCY", help="lead agency")
    p.add_argument("--officer", metavar="NAME")
    p.add_argument("--text", metavar="WORDS")
    p.add_argument("--status", help="not_started, in_progress, complete, signed_off, or open")
    p.add_argument("--rag", help="red, amber, green or blue")
    p.add_argument("--open", action="store_true", help="only actions not yet complete")
    add_as_of(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_actions)

    action = sub.add_parser("action", help="add an action, or take a step on one")
    asub = action.add_subparsers(dest="action_command", metavar="STEP", required=True)
    p = asub.add_parser("add", help="add an action to a recommendation")
    p.add_argument("review", metavar="REVIEW")
    p.add_argument("recommendation", type=int, metavar="NUMBER")
    p.add_argument("description", metavar="DESCRIPTION")
    p.add_argument("--agency", required=True, metavar="AGENCY", help="the lead agency")
    p.add_argument("--officer", default="", metavar="NAME", help="the lead officer")
    p.add_argument("--due", metavar="WHEN",
                   help="a date, or '3 months after publication', or '3 months after A-000002 is complete'")
    p.set_defaults(func=cmd_action_add)

    p = asub.add_parser("show", help="an action with its dates, updates, evidence and RAG")
    p.add_argument("reference", metavar="A-NNNNNN")
    add_as_of(p)
    p.set_defaults(func=cmd_action_show)

    p = asub.add_parser("update", help="add a dated, attributed progress update")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--on", metavar="DATE", help="the date of the progress (default: today)")
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "add_update", a.reference, a.text, on=a.on))

    p = asub.add_parser("edit", help="change the description, lead agency, lead officer or open status")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--description")
    p.add_argument("--agency", dest="lead_agency")
    p.add_argument("--officer", dest="lead_officer")
    p.add_argument("--status", help="not_started or in_progress")
    p.add_argument("--due", help="only while the action has no due date; otherwise use `action revise`")
    _rev(p)
    p.set_defaults(func=cmd_action_edit)

    p = asub.add_parser("revise", help="revise the due date, with a reason (the original stays visible)")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--to", required=True, metavar="DATE")
    p.add_argument("--reason", required=True)
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "revise_due", a.reference, a.to, a.reason))

    p = asub.add_parser("evidence", help="record evidence of completion and the impact measure")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--evidence")
    p.add_argument("--impact", metavar="MEASURE")
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "record_evidence", a.reference, evidence=a.evidence,
                                        impact_measure=a.impact))

    p = asub.add_parser("complete", help="mark complete, optionally creating a follow-up")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--on", metavar="DATE", help="the completion date (default: today)")
    p.add_argument("--evidence")
    p.add_argument("--impact", metavar="MEASURE")
    p.add_argument("--follow-up", metavar="DESCRIPTION", help="create a follow-up action, e.g. an audit")
    p.add_argument("--follow-up-after", default="3 months", metavar="PERIOD",
                   help="the follow-up is due this long after completion (default: 3 months)")
    _rev(p)
    p.set_defaults(func=cmd_action_complete)

    p = asub.add_parser("reopen", help="put a complete (not signed-off) action back in progress, with a reason")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--reason", required=True)
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "reopen_action", a.reference, a.reason))

    p = asub.add_parser("sign-off", help="sign off a complete action with evidence, for the sub group")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--by", required=True, metavar="NAME", help="who signs it off for the sub group")
    p.add_argument("--on", metavar="DATE")
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "sign_off", a.reference, by=a.by, on=a.on))

    p = asub.add_parser("off-track", help="flag an open action off track, with the reason")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--reason", required=True)
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "flag_off_track", a.reference, a.reason))

    p = asub.add_parser("on-track", help="clear the off-track flag")
    p.add_argument("reference", metavar="A-NNNNNN")
    p.add_argument("--note", default="")
    _rev(p)
    p.set_defaults(func=lambda a: _step(a, "clear_off_track", a.reference, a.note))


def _review_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lead-board", metavar="BOARD")
    p.add_argument("--chair", metavar="NAME")
    p.add_argument("--author", metavar="NAME")
    p.add_argument("--themes", help="themes separated by ';'")
    p.add_argument("--status", help="notified, rapid_review, in_progress, published, closed")
    for option, _ in REVIEW_DATE_OPTIONS:
        p.add_argument(f"--{option}", metavar="DATE")


def _rev(p: argparse.ArgumentParser) -> None:
    p.add_argument("--expected-rev", type=int, metavar="N", help="refuse if the record is no longer at revision N")


def _review_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = {f: getattr(args, f) for f in ("name", "kind", "lead_board", "chair", "author", "themes", "status")
              if getattr(args, f, None) is not None}
    for option, field in REVIEW_DATE_OPTIONS:
        value = getattr(args, option)
        if value is not None:
            fields[field] = value
    return fields


# --- output -------------------------------------------------------------------------------------------------

def review_lines(tracker: Tracker, r: Any) -> list[str]:
    dates = []
    for d in tracker.review_deadlines(r):
        state = (f"done {fmt(d.done_on)}" if d.done_on else
                 f"{(tracker.today() - d.due_on).days} day(s) OVERDUE" if d.outstanding and d.due_on < tracker.today()
                 else "to do")
        dates.append(f"  {d.what} due {fmt(d.due_on)} ({d.rule}): {state}")
    head = f"{r.reference}  {r.title}  [{r.status.label}]"
    extra = [f"  {k}: {v}" for k, v in (("lead board", r.lead_board), ("chair", r.chair), ("author", r.author),
                                         ("themes", "; ".join(r.themes))) if v]
    return [head] + extra + dates


def action_line(tracker: Tracker, a: Any, as_of: Any = None) -> str:
    rag = tracker.rag(a, as_of).value.upper()
    late = tracker.days_overdue(a, as_of)
    due = fmt(a.current_due_on) if a.current_due_on else "(on event)"
    if a.revisions:
        due += "*"
    state = f"{late}d late" if late else a.status.label
    return f"{a.reference}  {rag:<5}  {due:<11} {state:<12} {a.lead_agency[:28]:<28}  {a.description}"


def cmd_reviews(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False, sees=("reviews",))
    found = t.reviews(kind=args.kind, status=args.status, text=args.text)
    if args.format == "json":
        print(json_safe(json.dumps([to_doc(r) for r in found], indent=1, ensure_ascii=False)))
        return 0
    for r in found:
        say(*review_lines(t, r))
    if not found:
        say("no reviews match")
    return 0


def cmd_review_show(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    r = t.get_review(args.review)
    say(*review_lines(t, r))
    acts = t.actions(review=r.reference)
    for rec in r.recommendations:
        say("", f"  Recommendation {rec.number}: {rec.text}")
        say(f"    owner: {'; '.join(rec.owner_agencies)}")
        if rec.impact_finding:
            say(f"    impact finding {fmt(rec.impact_finding.on)} ({rec.impact_finding.by}): {rec.impact_finding.text}")
        for a in acts:
            if a.recommendation == rec.number:
                say("    " + action_line(t, a, args.as_of))
    for i in t.impact_reviews():
        if i.review == r.reference:
            say("", f"  Impact review of recommendation {i.number} due {fmt(i.due_on)} "
                    f"(every action signed off; last {fmt(i.last_signed_off_on)})")
    return 0


def cmd_review_add(args: argparse.Namespace) -> int:
    t = open_from_args(args)
    fields = _review_fields(args)
    r = t.add_review(**fields)
    say(f"added {r.reference}: {r.title}")
    return 0


def cmd_review_update(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    r = t.update_review(args.review, expected_rev=args.expected_rev, **_review_fields(args))
    say(*review_lines(t, r))
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    rec = t.add_recommendation(args.review, text=args.text, owner_agencies=args.agency, themes=args.themes or (),
                               number=args.number)
    say(f"added recommendation {rec.number} to {t.get_review(args.review).title}")
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    rec = t.record_impact_finding(args.review, args.number, args.finding, on=args.on, by=args.by)
    finding = cast(ImpactFinding, rec.impact_finding)    # set: it was just recorded
    say(f"recorded the impact finding of recommendation {rec.number} ({fmt(finding.on)}, {finding.by})")
    return 0


def cmd_actions(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False, sees=("actions",))
    found = t.actions(review=args.review, agency=args.agency, officer=args.officer, text=args.text,
                      status=args.status, rag=args.rag, open_only=args.open, as_of=args.as_of)
    found.sort(key=lambda a: (-t.days_overdue(a, args.as_of), a.reference))
    if args.format == "json":
        day = parse_date(args.as_of, "--as-of", required=False, today=t.today()) or t.today()
        print(json_safe(json.dumps([t.action_entry(a, day) for a in found], indent=1, ensure_ascii=False,
                                   default=str)))
        return 0
    for a in found:
        say(action_line(t, a, args.as_of))
    say(f"{len(found)} action(s)" + ("; * = revised due date" if any(a.revisions for a in found) else ""),
        file=sys.stderr)
    return 0


def cmd_action_add(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    a = t.add_action(args.review, args.recommendation, description=args.description, lead_agency=args.agency,
                     lead_officer=args.officer, due=args.due)
    due = fmt(a.due_on) if a.due_on else "when its event happens"
    say(f"added {a.reference} to {t.get_review(a.review).title} recommendation {a.recommendation}; due {due}")
    return 0


def cmd_action_show(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    a = t.get_action(args.reference)
    r = t.get_review(a.review)
    say(action_line(t, a, args.as_of))
    say(f"  review: {r.title} ({r.reference}), recommendation {a.recommendation}")
    say(f"  lead: {a.lead_agency}" + (f", {a.lead_officer}" if a.lead_officer else ""))
    say(f"  due: {t.due_text(a)}")
    for v in a.revisions:
        say(f"  revised {fmt(v.on)} by {v.by}: {fmt(v.from_) or '(none)'} -> {fmt(v.to)} because {v.reason}")
    if a.off_track_reason:
        say(f"  OFF TRACK: {a.off_track_reason}")
    for u in a.updates:
        say(f"  update {fmt(u.on or u.at.date())} {u.by}: {u.text}")
    for label, value in (("evidence", a.evidence), ("impact measure", a.impact_measure),
                         ("completed", fmt(a.completed_on)), ("follow-up of", a.follow_up_of)):
        if value:
            say(f"  {label}: {value}")
    if a.signed_off_on:
        say(f"  signed off {fmt(a.signed_off_on)} by {a.signed_off_by}")
    for f in t.follow_ups(a.reference):
        say(f"  follow-up: {f.reference} due {fmt(f.current_due_on)}: {f.description}")
    return 0


def _step(args: argparse.Namespace, method: str, *positional: Any, **keywords: Any) -> int:
    t = open_from_args(args, create=False)
    a = getattr(t, method)(*positional, expected_rev=args.expected_rev, **keywords)
    say(action_line(t, a))
    return 0


def cmd_action_edit(args: argparse.Namespace) -> int:
    fields = {f: getattr(args, f) for f in ("description", "lead_agency", "lead_officer", "status", "due")
              if getattr(args, f) is not None}
    if not fields:
        raise CliError("action edit: give at least one of --description, --agency, --officer, --status, --due")
    return _step(args, "update_action", args.reference, **fields)


def cmd_action_complete(args: argparse.Namespace) -> int:
    t = open_from_args(args, create=False)
    a = t.complete_action(args.reference, on=args.on, evidence=args.evidence, impact_measure=args.impact,
                          follow_up=args.follow_up, follow_up_after=args.follow_up_after,
                          expected_rev=args.expected_rev)
    say(action_line(t, a))
    for f in t.follow_ups(a.reference):
        say(f"follow-up {f.reference} due {fmt(f.current_due_on)}: {f.description}")
    return 0
