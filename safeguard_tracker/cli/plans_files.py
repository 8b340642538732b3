"""Learning Lessons reports, and reviews and actions in and out of CSV and JSON, from the command line.

Every command is a thin wrapper over the tracker; a wrong value exits 2 with
the library's one-line reason.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..text import say
from .common import CliError, Groups, emit, open_from_args


def register(groups: Groups) -> None:
    p = groups["report"].add_parser("action-plan", help="the progress report for the Executive")
    p.add_argument("--review", metavar="NAME")
    p.add_argument("--agency", metavar="NAME", help="only actions this agency leads")
    p.add_argument("--as-of", metavar="DATE")
    p.add_argument("--format", choices=("md", "html", "csv", "json"), default="md")
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--templates", metavar="DIR", help="a folder of templates overriding the shipped ones")
    p.set_defaults(func=cmd_action_plan)

    p = groups["report"].add_parser("chase-letters", help="one letter per lead agency: overdue and due-soon actions")
    p.add_argument("--agency", metavar="NAME", help="only this agency's letter")
    p.add_argument("--as-of", metavar="DATE")
    p.add_argument("--within", type=int, default=30, metavar="DAYS", help="due soon means within DAYS (default 30)")
    p.add_argument("--format", choices=("md", "html", "json"), default="md")
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--templates", metavar="DIR")
    p.set_defaults(func=cmd_chase_letters)

    for kind in ("reviews", "actions"):
        p = groups["import"].add_parser(kind, help=f"import {kind} from a CSV (or a JSON export): all or nothing")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--dry-run", action="store_true", help="check and report what would change; write nothing")
        p.add_argument("--overwrite", action="store_true",
                       help="let rows without a revision column change stored records (history such as notes is kept)")
        p.set_defaults(func=cmd_import, table=kind)
        p = groups["export"].add_parser(kind, help=f"export {kind} as CSV or JSON (lossless)")
        p.add_argument("--format", choices=("csv", "json"), default="csv")
        p.add_argument("-o", "--output", metavar="FILE")
        p.set_defaults(func=cmd_export, table=kind)


def _output(args: argparse.Namespace) -> None:
    if args.output is not None and ("\x00" in args.output or not args.output.strip()):
        raise CliError(f"-o: {args.output!r} is not a file name")


def _report(args: argparse.Namespace, report: str, what: str, **options: Any) -> int:
    _output(args)
    t = open_from_args(args, create=False)
    text = getattr(t, report)(args.format, agency=args.agency, as_of=args.as_of, templates=args.templates, **options)
    emit(t, args, text, what=what, personal=False)
    return 0


def cmd_action_plan(args: argparse.Namespace) -> int:
    return _report(args, "report_action_plan", "report action-plan", review=args.review)


def cmd_chase_letters(args: argparse.Namespace) -> int:
    return _report(args, "report_chase_letters", "report chase-letters", within_days=args.within)


def cmd_import(args: argparse.Namespace) -> int:
    t = open_from_args(args)   # a first import may create the store
    method = t.import_reviews if args.table == "reviews" else t.import_actions
    result = method(args.file, dry_run=args.dry_run, overwrite=args.overwrite)
    say(*result.summary())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _output(args)
    t = open_from_args(args, create=False)
    text = t.export_plans(args.table, args.format)
    count = len(t.review_docs() if args.table == "reviews" else t.action_docs())
    emit(t, args, text, what=f"export {args.table} ({args.format})", personal=True, records=count)
    return 0
