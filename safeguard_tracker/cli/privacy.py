"""retention, redact, access-log: what a data protection officer asks for."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from ..dates import fmt
from ..lado.privacy import RetentionItem
from ..text import say
from .common import CliError, Groups, open_from_args


def register(groups: Groups) -> None:
    sub = groups["root"]
    p = sub.add_parser("retention", help="contacts past their retention review date, and false or malicious "
                                         "outcomes to remove the subject's identity from")
    p.add_argument("--as-of", metavar="DATE", help="the date to judge by (default: today)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("redact", help="remove a closed contact's personal data (names, date of birth, free text, "
                                      "referrer), keeping what the statistics need")
    p.add_argument("reference", metavar="REF")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_redact)

    p = sub.add_parser("access-log", help="who exported or reported personal data, when, what, and to which file")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_access_log)


def _table(items: Sequence[RetentionItem], empty: str) -> list[str]:
    if not items:
        return [f"  {empty}"]
    lines = [f"  {'REF':<13} {'RECEIVED':<10}  {'CLOSED':<10}  {'REVIEW':<10}  {'CATEGORY':<12} {'OUTCOME':<16} AGENCY"]
    for i in items:
        lines.append(f"  {i.reference:<13} {fmt(i.received_on):<10}  {fmt(i.closed_on) or '-':<10}  "
                     f"{fmt(i.review_on):<10}  {i.category:<12} {i.outcome or '-':<16} {i.agency}")
    return lines


def cmd_retention(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    report = tracker.retention(as_of=args.as_of)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    rules = tracker.deadline_rules()
    print(f"Retention review as of {fmt(report.as_of)} (keep until {rules.retention_minimum} from the allegation, "
          f"or age {rules.retirement_age} if later):")
    say(*_table(report.past_review, "no closed contact is past its retention review date"))
    print("\nFalse or malicious allegations: remove the subject's identity:")
    say(*_table(report.remove_identity, "none with the subject still identified"))
    if report.past_review or report.remove_identity:
        print("\nRemove a record's personal data with: safeguard-tracker redact REF")
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    contact = tracker.get_contact(args.reference)
    if not args.yes and contact.redacted_on is None:   # (a redaction the open just finished needs no question)
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError("redact removes personal data for good: confirm with --yes when not at a terminal")
        answer = input(f"Remove the names, date of birth, free text and referrer details of {contact.reference} "
                       f"(received {fmt(contact.received_on)}, {contact.agency}) from the record, its history and "
                       f"the backups? This cannot be undone. Type 'yes' to confirm: ")
        if answer.strip().lower() != "yes":
            print("not redacted")
            return 1
    result = tracker.redact_contact(contact.reference, expected_rev=contact.rev)
    for ref in result.finished_earlier:
        print(f"finished the interrupted redaction of {ref}")
    if result.resumed:
        print(f"finished the interrupted redaction of {contact.reference}: names, date of birth, free text and "
              f"referrer details are gone from the record, its history, the journal and "
              f"{len(result.backups_scrubbed)} backup(s) scrubbed now; it was redacted on "
              f"{fmt(result.contact.redacted_on)}.")
    else:
        print(f"redacted {contact.reference}: names, date of birth, free text and referrer details removed from the "
              f"record and its history ({', '.join(result.fields)}); dates, categories, agency, harm and outcome "
              f"kept; {len(result.backups_scrubbed)} backup(s) scrubbed. The history records that {tracker.user} "
              f"redacted it on {fmt(result.contact.redacted_on)}.")
    for w in result.warnings:
        if w not in tracker.store.warnings:      # (those were printed when the store was opened)
            print(f"safeguard-tracker: warning: {w}", file=sys.stderr)
    return 0


def cmd_access_log(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=False)
    entries = tracker.access_log()
    if args.format == "json":
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return 0
    if not entries:
        print("no exports or reports holding personal data have been logged")
        return 0
    print(f"{'WHEN':<16}  {'WHO':<14} {'RECORDS':>7}  WHAT -> WHERE")
    for e in entries:
        detail = f" ({e.detail})" if e.detail else ""
        say(f"{e.at:%d/%m/%Y %H:%M}  {e.user:<14} {e.records:>7}  {e.what}{detail} -> {e.target}")
    return 0
