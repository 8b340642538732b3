"""Import mappings from the command line: the options that read a council's own file, the dry run's
account of it, and the saved mappings (``mapping list|show|export|import|delete``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional

import attrs

from ..dates import fmt, parse_date
from ..io.import_plan import ImportPlan
from ..io.mapping import ImportMapping, parse_column_option, parse_value_option
from ..text import say
from ..tracker import Tracker
from .common import CliError, Groups, Parser, emit, open_from_args


def register(groups: Groups) -> None:
    sub = groups["root"]
    p = sub.add_parser("mapping", help="saved import mappings: list, show, export, import, delete")
    msub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    msub.add_parser("list", help="the saved mappings").set_defaults(func=cmd_mapping)
    for action, what in (("show", "one mapping, as JSON"), ("delete", "remove a mapping")):
        q = msub.add_parser(action, help=what)
        q.add_argument("name")
        q.set_defaults(func=cmd_mapping)
    q = msub.add_parser("export", help="a mapping as JSON, to edit and import back")
    q.add_argument("name")
    q.add_argument("-o", "--output", metavar="FILE")
    q.set_defaults(func=cmd_mapping)
    q = msub.add_parser("import", help="save a mapping from a JSON file (as `mapping export` writes)")
    q.add_argument("name")
    q.add_argument("file")
    q.set_defaults(func=cmd_mapping)


def mapping_options(p: argparse.ArgumentParser) -> None:
    """The options that read a council's own file: a saved mapping, and changes to it."""
    p.add_argument("--mapping", metavar="NAME", help="read the file with a saved mapping (`mapping list`)")
    p.add_argument("--map", action="append", default=[], metavar="HEADING=FIELD",
                   help="what a column is: a field, 'extra' (kept on each record) or 'ignore'; repeatable")
    p.add_argument("--value", action="append", default=[], metavar="FIELD:WORD=ENTRY",
                   help="what one of the council's words means, e.g. 'outcome:Founded=substantiated'; "
                        "'outcome:Ongoing=' for blank; repeatable")
    p.add_argument("--historic-before", metavar="DATE",
                   help="rows received before this date are historic: steps the old log never recorded are "
                        "not demanded, and the records are marked historic")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of an Excel workbook (default: the first)")
    p.add_argument("--save-mapping", metavar="NAME",
                   help="save the mapping used (with --dry-run: the one proposed, with your changes) under NAME")


def mapping_from_args(tracker: Tracker, args: argparse.Namespace, kind: str) -> Optional[ImportMapping]:
    """The saved mapping named by --mapping (if any), changed by --map, --value, --historic-before, --sheet."""
    base = tracker.import_mapping(args.mapping) if args.mapping else None
    if base is not None and base.kind != kind:
        raise CliError(f"--mapping {args.mapping!r} reads {base.kind}, not {kind}", code=2)
    if not (args.map or args.value or args.historic_before or args.sheet):
        return base
    mapping = base or ImportMapping(kind=kind)
    if args.map:
        mapping = mapping.with_columns(dict(parse_column_option(m) for m in args.map))
    for text in args.value:
        field, word, entry = parse_value_option(text)
        mapping = mapping.with_values(field, {word: entry})
    if args.historic_before:
        mapping = attrs.evolve(mapping, historic_before=parse_date(args.historic_before, "--historic-before"))
    if args.sheet:
        mapping = attrs.evolve(mapping, sheet=args.sheet)
    return mapping


def show_plan(tracker: Tracker, args: argparse.Namespace, plan: ImportPlan) -> int:
    """Print a dry run's plan; save its mapping with --save-mapping.  Exit 2 when rows would be refused."""
    say(*plan.lines(problems=False))
    if args.save_mapping:
        tracker.save_import_mapping(args.save_mapping, plan.mapping)
        say(f"saved the mapping {args.save_mapping!r}: import with --mapping {args.save_mapping}"
            + (f" once the {len(plan.undecided)} word(s) to decide are mapped "
               f"(--mapping {args.save_mapping} --value ... --save-mapping {args.save_mapping} --dry-run)"
               if plan.undecided else ""))
    if plan.problems:
        say(*plan.problem_lines())
        say(f"safeguard-tracker: {plan.source}: {len(plan.problems)} row problem(s) with this mapping"
            + (" (the first 20 are above)" if len(plan.problems) > 20 else "")
            + ("; mapping the words to decide may clear some of them" if plan.undecided else ""), file=sys.stderr)
        return 2
    if plan.result is not None:
        say(*plan.result.summary())
    return 0


def cmd_mapping(args: argparse.Namespace) -> int:
    tracker = open_from_args(args, create=args.action == "import")
    if args.action == "list":
        saved = tracker.import_mappings()
        if not saved:
            say("no saved mappings: a dry run proposes one (import contacts FILE --dry-run --save-mapping NAME)")
        for name, m in saved.items():
            historic = f", historic before {fmt(m.historic_before)}" if m.historic_before else ""
            words = sum(len(v) for v in m.values.values())
            say(f"{name}: {m.kind}, {len(m.columns)} column(s), {words} word(s){historic}"
                + (f", sheet {m.sheet!r}" if m.sheet else ""))
        return 0
    if args.action == "import":
        try:
            with open(args.file, encoding="utf-8-sig") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CliError(f"{args.file}: not a mapping file: {exc}", code=2) from None
        tracker.save_import_mapping(args.name, ImportMapping.from_doc(doc, args.file))
        say(f"saved the mapping {args.name!r} from {args.file}")
        return 0
    mapping = tracker.import_mapping(args.name)
    if args.action == "delete":
        tracker.delete_import_mapping(args.name)
        say(f"deleted the mapping {args.name!r}")
        return 0
    text = json.dumps(mapping.to_doc(), indent=2, ensure_ascii=False) + "\n"
    emit(tracker, args, text, what=f"mapping {args.name}", personal=False)
    return 0


__all__ = ["mapping_from_args", "mapping_options", "register", "show_plan"]
