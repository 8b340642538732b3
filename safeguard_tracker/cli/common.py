"""Shared CLI plumbing: the parser that exits 2 with one line, opening the store, output."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Callable, NoReturn, Optional, TypeAlias

from ..dates import parse_date
from ..store.postgres import is_server_url
from ..tracker import Tracker, default_store_path, open_tracker
from .options import resolve_choices
from .progress_bar import opening


class CliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line and exit code 2, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        where = self.prog.replace("safeguard-tracker", "").strip()
        raise CliError(f"{where + ': ' if where else ''}{message} (see --help)")


# The subcommand groups every module registers its commands in ("root", "report", "import", "export").
# Strings, because argparse's action class cannot be subscripted at run time.
Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"
Groups: TypeAlias = "dict[str, Subparsers]"


def one_line(exc: BaseException | str) -> str:
    """A message stays one line even when it quotes a value holding a line break."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(exc))


def today_from_args(args: argparse.Namespace) -> Optional[Callable[[], date]]:
    if getattr(args, "today", None):
        fixed = parse_date(args.today, "--today")     # required: a date, or a ValidationError
        if fixed is not None:
            return lambda: fixed
    return None


AS_OF_HELP = ("the store as it stood at the end of DATE, rebuilt from the audit trail (read-only), and judged "
              "on that day; a later date only judges deadlines as of it (default: today)")
EXPORT_AS_OF = ("the records as they stood at the end of DATE, rebuilt from the audit trail: the dataset a return "
                "or a board was given, given again")


def add_as_of(p: argparse.ArgumentParser, help: str = AS_OF_HELP) -> None:
    """``--as-of DATE``: the command runs on the store as it stood at the end of that day (``Tracker.as_of``)."""
    p.add_argument("--as-of", metavar="DATE", help=help)
    p.set_defaults(rebuild_as_of=True)


def as_of_view(tracker: Tracker, args: argparse.Namespace) -> Tracker:
    """The tracker as it stood on ``--as-of``, for a command that takes it (``add_as_of``) and a past day."""
    if not (getattr(args, "rebuild_as_of", False) and getattr(args, "as_of", None)):
        return tracker
    day = parse_date(args.as_of, "--as-of", today=tracker.today())
    if day is None or day >= tracker.today():
        return tracker                  # today or later: nothing to rebuild; the command judges as of the day
    past = tracker.as_of(day)
    for w in past.store.warnings:
        print(f"safeguard-tracker: note: {w}", file=sys.stderr)
    return past


def open_from_args(args: argparse.Namespace, *, create: bool = True, sees: tuple[str, ...] = ()) -> Tracker:
    """The store ``--db`` names.  ``sees``: the tables the command shows ("contacts", "audit"...): a login whose
    role sees none of one is told so, rather than that nothing matches."""
    if args.db and not create and not is_server_url(args.db) and not Path(args.db).expanduser().exists():
        raise CliError(f"--db: {args.db} does not exist")

    def waiting(msg: str) -> None:
        print(f"safeguard-tracker: {msg}", file=sys.stderr)

    with opening(None if is_server_url(args.db) else args.db or default_store_path()):     # a large store, at a terminal: its size and the time taken
        tracker = open_tracker(args.db, user=args.user, today=today_from_args(args), on_wait=waiting,
                               authority=getattr(args, "authority", None))
    for w in tracker.store.warnings:
        print(f"safeguard-tracker: warning: {w}", file=sys.stderr)
    for table in sees:
        why = tracker.unseen(table)
        if why:
            from ..errors import StoreError
            raise StoreError(f"{tracker.location}: {why}")
    resolve_choices(args, tracker)     # 'prim' -> School - Primary; a name that is no choice exits 2
    return as_of_view(tracker, args)


def emit(tracker: Tracker, args: argparse.Namespace, text: str | bytes, *, what: str, personal: bool,
         records: int = 0) -> None:
    """Print (no ``-o``, or ``-o -``), or write to ``-o FILE``; both through ``Tracker.write_output``,
    which refuses the store's own files, writes through to a FIFO or device, and logs personal data."""
    out = getattr(args, "output", None)
    if out is None or out == "-":
        if isinstance(text, bytes):     # a Word document: the command asks for -o FILE first
            raise CliError("this format is a file, not text: name the file with -o FILE", code=2)
        tracker.write_output("-", text if text.endswith("\n") else text + "\n", what=what, personal=personal,
                             records=records)
        return
    target = tracker.write_output(out, text, what=what, personal=personal, records=records)
    print(f"wrote {target}", file=sys.stderr)


def run_tui(args: argparse.Namespace) -> int:
    """Open the TUI with plain values: the store's path, the user, the working date, or the demo."""
    try:
        from tui.app import run   # textual loads only when the TUI is asked for
    except ImportError as exc:  # pragma: no cover - textual is a dependency
        raise CliError(f"the TUI cannot start: {exc}", code=1)
    today = today_from_args(args)
    # --keep (with --demo): keep the demo store's folder after quitting; its path is printed either way.
    code: int = run(args.db, user=args.user, today=today() if today else None, demo=bool(args.demo),
                    authority=getattr(args, "authority", None),
                    keep=bool(getattr(args, "keep", False)))
    return code


def export_format(args: argparse.Namespace) -> str:
    """--format as given, else by the -o file's ending: contacts.xlsx is a workbook, contacts.json JSON."""
    if getattr(args, "format", None):
        return str(args.format)
    out = str(getattr(args, "output", None) or "").lower()
    return "xlsx" if out.endswith((".xlsx", ".xlsm")) else "json" if out.endswith(".json") else "csv"


def contact_reference(tracker: Tracker, text: str) -> str:
    """Our reference for a contact named by ours or by the council's own (its legacy reference), or the
    UnknownReference that ours gives."""
    from ..errors import UnknownReference
    try:
        return str(tracker.get_contact(text).reference)
    except UnknownReference:
        found = tracker.contact_by_legacy_reference(text)
        if found is None:
            raise
        return str(found.reference)

