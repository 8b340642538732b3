"""check, history, restore, demo."""

from __future__ import annotations

import argparse
import sys

from pathlib import Path

from ..demo import build_demo
from ..errors import StoreError
from ..store import FileStore
from ..text import printable
from ..tracker import default_store_path
from .common import CliError, Groups, emit, one_line, open_from_args


def register(groups: Groups) -> None:
    sub = groups["root"]
    p = sub.add_parser("check", help="check the store's integrity (exit 0 sound, 1 not)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("history", help="show every change to a record")
    p.add_argument("reference", metavar="REF")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("restore", help="list backups, or restore one after confirmation")
    p.add_argument("--from-backup", nargs="?", const="", metavar="NAME",
                   help="the backup to restore (a name from the list, or 'newest'); without a name, lists them")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("demo", help="write a synthetic demo store to --db")
    p.add_argument("--contacts", type=int, default=None,
                   help="how many contacts (default: the board's two years and this spring, about 1,000)")
    p.add_argument("--seed", type=int, default=2018)
    p.set_defaults(func=cmd_demo)


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when sound, else 1.  A store that cannot be used at all is one line saying why and the way back."""
    try:
        if args.db and not Path(args.db).expanduser().exists():
            FileStore(args.db).refuse_if_store_was_here()   # a lost file beside its journal or backups: say so
        tracker = open_from_args(args, create=False)
        problems = tracker.check()        # parses the audit trail, which is refused there if malformed
        counts = {t: len(tracker.store.all(t)) for t in ("contacts", "reviews", "actions", "audit")}
    except StoreError as exc:
        print(f"NOT SOUND: {one_line(exc)}")
        return 1
    if problems:
        print(f"NOT SOUND: {tracker.path}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"sound: {tracker.path}: {counts['contacts']} contacts, {counts['reviews']} reviews, "
          f"{counts['actions']} actions, {counts['audit']} audit entries, schema known, references unique, "
          f"audit trail agrees with every record")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Every change to a record, one line each.  A contact's history holds its personal data (old
    and new values), so printing it is logged as ``contact show`` is; reviews and actions are not."""
    tracker = open_from_args(args, create=False)
    changes = tracker.history(args.reference)
    lines = [printable(f"{c.at:%d/%m/%Y %H:%M}  {c.user:<12} {c.reference:<14} {c.description}") for c in changes]
    if changes:
        personal = any(c.table == "contacts" for c in changes)
        what = f"history of {'contact ' if personal else ''}{changes[0].reference}"
        emit(tracker, args, "\n".join(lines), what=what, personal=personal, records=1 if personal else 0)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    store = FileStore(args.db or default_store_path(), user=args.user)
    backups = store.backups()
    if args.from_backup in (None, ""):
        if not backups:
            raise CliError(f"no backups of {store.path} (they are kept in {store.backup_dir})", code=1)
        print(f"backups of {store.path}, newest first:")
        for b in backups:
            print(f"  {b.name}  ({b.stat().st_size:,} bytes)")
        print("restore one with: safeguard-tracker restore --from-backup NAME (or 'newest')")
        return 0
    chosen = backups[0] if args.from_backup == "newest" and backups else next(
        (b for b in backups if b.name == args.from_backup), None)
    if chosen is None:
        raise CliError(f"--from-backup: no backup named '{args.from_backup}'; run `safeguard-tracker restore` to list them")
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError("restore replaces the live store: confirm with --yes when not at a terminal")
        answer = input(f"Replace {store.path} with {chosen.name}? Type 'yes' to confirm: ")
        if answer.strip().lower() != "yes":
            print("not restored")
            return 1
    report = store.restore(chosen)
    print(f"{store.path}: {report.describe()}")
    for w in store.warnings:   # e.g. a redaction that could not be applied again yet, or a copy it cannot read
        print(f"safeguard-tracker: warning: {w}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.db:
        raise CliError("demo needs --db PATH for the new store")
    tracker = build_demo(args.db, contacts=args.contacts, seed=args.seed)
    print(f"wrote a demo store to {tracker.location}: {len(tracker.contact_docs())} contacts, "
          f"{len(tracker.review_docs())} reviews, {len(tracker.action_docs())} actions")
    return 0
