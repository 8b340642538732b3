"""The command line: a thin wrapper over the tracker.

``safeguard-tracker`` with no subcommand opens the TUI.  Usage errors exit 2
with a one-line reason; a failed check exits 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from ..errors import ImportFailed, SafeguardError, StoreError, ValidationError
from . import lado, mappings, plans, plans_files, privacy, server_cmds, store_cmds, vocab
from .common import CliError, Parser, one_line, run_tui
from .options import cli_message, command_parser, resolve_choices
from ..text import say


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="safeguard-tracker",
                    description="LADO allegations management and Learning Lessons action plans.")
    parser.add_argument("--db", metavar="PATH", help="the store: a file, or a postgresql:// URL (default: "
                                                     "$SAFEGUARD_TRACKER_DB, else a file in the user data folder)")
    parser.add_argument("--authority", metavar="CODE",
                        help="in a PostgreSQL store of several authorities: work in this one (default: all you see)")
    parser.add_argument("--user", metavar="NAME", help="who is making changes, for the audit trail (default: your login name)")
    parser.add_argument("--demo", action="store_true", help="open the TUI on a fresh synthetic demo store")
    parser.add_argument("--keep", action="store_true",
                        help="with --demo: keep the demo store after quitting (its path is printed)")
    parser.add_argument("--today", metavar="DATE", help=argparse.SUPPRESS)
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"safeguard-tracker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    groups = {
        "root": sub,
        "report": sub.add_parser("report", help="render a report (md, html, csv, json, docx)").add_subparsers(
            dest="report", metavar="REPORT", required=True, parser_class=Parser),
        "import": sub.add_parser("import", help="import a CSV (all or nothing)").add_subparsers(
            dest="kind", metavar="KIND", required=True, parser_class=Parser),
        "export": sub.add_parser("export", help="export records as CSV or JSON").add_subparsers(
            dest="kind", metavar="KIND", required=True, parser_class=Parser),
    }
    for module in (store_cmds, server_cmds, lado, plans, plans_files, mappings, privacy, vocab):
        module.register(groups)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args: Optional[argparse.Namespace] = None
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return run_tui(args)
        resolve_choices(args)       # 'con' -> consultation before the command reads it; agencies once the store is open
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"safeguard-tracker: {one_line(exc)}", file=sys.stderr)
        return exc.code
    except ImportFailed as exc:
        say(f"safeguard-tracker: {str(exc).split(chr(10), 1)[0]}", *(f"  {p}" for p in exc.problems), file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"safeguard-tracker: {one_line(exc)}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)    # 2 for a file that is well formed JSON but not a sound store
    except ValidationError as exc:     # worded with the option the user typed: --received, not received_on
        shown = cli_message(exc, command_parser(parser, args) if args is not None else None)
        print(f"safeguard-tracker: {one_line(shown)}", file=sys.stderr)
        return 2
    except SafeguardError as exc:
        print(f"safeguard-tracker: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
