"""Learning Lessons reports, and reviews and actions in and out of CSV and JSON, from the command line.

Every command is a thin wrapper over the tracker; a wrong value exits 2 with
the library's one-line reason.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..text import say
from .common import EXPORT_AS_OF, CliError, Groups, add_as_of, emit, export_format, open_from_args
from .mappings import mapping_from_args, mapping_options, show_plan
from .progress_bar import progress_for


def register(groups: Groups) -> None:
    p = groups["report"].add_parser("action-plan", help="the progress report for the Executive")
    p.add_argument("--review", metavar="NAME")
    p.add_argument("--agency", metavar="NAME", help="only actions this agency leads")
    add_as_of(p, "the plan as it stood at the end of DATE (the last sub group meeting, say), rebuilt from the "
                 "audit trail, with RAG judged on that day (default: today)")
    p.add_argument("--format", choices=("md", "html", "csv", "json", "docx"), default="md",
                   help="md, html, csv, json, or docx (a Word document; needs -o FILE.docx)")
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
        p = groups["import"].add_parser(kind, help=f"import {kind} from a CSV, an Excel workbook (.xlsx) or Unicode "
                                        f"text (or a JSON export): all or nothing")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--dry-run", action="store_true",
                       help="say what each column and word would become and what would change; write nothing")
        p.add_argument("--overwrite", action="store_true",
                       help="let rows without a revision column change stored records (history such as notes is kept)")
        mapping_options(p)
        p.set_defaults(func=cmd_import, table=kind)
        p = groups["export"].add_parser(kind, help=f"export {kind} as CSV or an Excel workbook (formula-safe), or "
                                        f"JSON (lossless)")
        p.add_argument("--format", choices=("csv", "json", "xlsx"), default=None,
                       help="csv, json, or xlsx (needs -o FILE); default: by the -o file\'s ending (.xlsx, .json), else csv")
        p.add_argument("-o", "--output", metavar="FILE")
        add_as_of(p, EXPORT_AS_OF)
        p.set_defaults(func=cmd_export, table=kind)


def _output(args: argparse.Namespace) -> None:
    if args.output is not None and ("\x00" in args.output or not args.output.strip()):
        raise CliError(f"-o: {args.output!r} is not a file name")


def _report(args: argparse.Namespace, report: str, what: str, **options: Any) -> int:
    _output(args)
    t = open_from_args(args, create=False, sees=("reviews", "actions"))   # (a role without them: said, not zeros)
    with progress_for() as progress:
        text = getattr(t, report)(args.format, agency=args.agency, as_of=args.as_of, templates=args.templates,
                                  progress=progress, **options)
    emit(t, args, text, what=what, personal=False)
    return 0


def cmd_action_plan(args: argparse.Namespace) -> int:
    if args.format == "docx":
        if args.output in (None, "-"):
            raise CliError("--format docx writes a Word document: name the file with -o FILE.docx", code=2)
        _output(args)
        t = open_from_args(args, create=False, sees=("reviews", "actions"))
        with progress_for() as progress:
            data = t.report_action_plan("docx", review=args.review, agency=args.agency, as_of=args.as_of,
                                        progress=progress)
        target = t.write_output(args.output, data, what="report action-plan (docx)", personal=False)
        print(f"wrote {target}", file=sys.stderr)
        return 0
    return _report(args, "report_action_plan", "report action-plan", review=args.review)


def cmd_chase_letters(args: argparse.Namespace) -> int:
    return _report(args, "report_chase_letters", "report chase-letters", within_days=args.within)


def cmd_import(args: argparse.Namespace) -> int:
    if args.historic_before:
        raise CliError("--historic-before is for contacts: reviews and actions have no historic rules", code=2)
    t = open_from_args(args)   # a first import may create the store
    mapping = mapping_from_args(t, args, args.table)
    if args.dry_run and not args.file.lower().endswith(".json"):
        return show_plan(t, args, t.plan_plans_import(args.table, args.file, mapping=mapping, sheet=args.sheet))
    method = t.import_reviews if args.table == "reviews" else t.import_actions
    with progress_for() as progress:
        result = method(args.file, dry_run=args.dry_run, overwrite=args.overwrite, mapping=mapping, sheet=args.sheet,
                        progress=progress)
    if args.save_mapping and mapping is not None:
        t.save_import_mapping(args.save_mapping, mapping)
        say(f"saved the mapping {args.save_mapping!r}")
    say(*result.summary())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    args.format = export_format(args)
    _output(args)
    t = open_from_args(args, create=False, sees=(args.table,))
    count = len(t.review_docs() if args.table == "reviews" else t.action_docs())
    if args.format == "xlsx":
        if args.output in (None, "-"):
            raise CliError("--format xlsx writes a workbook: name the file with -o FILE.xlsx", code=2)
        with progress_for() as progress:
            data = t.export_plans_xlsx(args.table, progress=progress)
        target = t.write_output(args.output, data, what=f"export {args.table} xlsx",
                                personal=True, records=count)
        print(f"wrote {target}", file=sys.stderr)
        return 0
    with progress_for() as progress:
        text = t.export_plans(args.table, args.format, progress=progress)
    emit(t, args, text, what=f"export {args.table} ({args.format})", personal=True, records=count)
    return 0
