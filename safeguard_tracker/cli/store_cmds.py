"""check, history, restore, demo."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import textwrap
from typing import Any, Optional

from pathlib import Path

from ..demo import build_demo
from ..errors import StoreError, UnknownReference
from ..model.change import Change, describe_path, item_name
from ..store import FileStore
from ..text import printable
from ..store.postgres import is_server_url
from ..tracker import default_store_path, store_location
from .common import CliError, Groups, add_as_of, contact_reference, emit, one_line, open_from_args
from .progress_bar import progress_for


def register(groups: Groups) -> None:
    sub = groups["root"]
    p = sub.add_parser("check", help="check the store's integrity (exit 0 sound, 1 not)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("history", help="show every change to a record")
    p.add_argument("reference", metavar="REF")
    add_as_of(p, "only the changes made by the end of DATE: the record's history as it could be read that day")
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
        if args.db and not is_server_url(args.db) and not Path(args.db).expanduser().exists():
            FileStore(args.db).refuse_if_store_was_here()   # a lost file beside its journal or backups: say so
        tracker = open_from_args(args, create=False)
        with progress_for() as progress:
            problems = tracker.check(progress=progress)   # parses the audit trail, refused there if malformed
        counts = {t: len(tracker.store.all(t)) for t in ("contacts", "reviews", "actions", "audit")}
    except StoreError as exc:
        print(f"NOT SOUND: {one_line(exc)}")
        return 1
    if problems:
        print(f"NOT SOUND: {tracker.location}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  {p}")
        return 1
    left_out = getattr(tracker.store, "check_left_out", [])
    print(f"sound: {tracker.location}: {counts['contacts']} contacts, {counts['reviews']} reviews, "
          f"{counts['actions']} actions, {counts['audit']} audit entries, schema known, references unique, "
          f"audit trail agrees with every record" + (f" except {'; '.join(left_out)}" if left_out else ""))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Every change to a record, one entry each, its words whole (a long reason wraps under itself).
    A contact's history holds its personal data (old and new values), so printing it is logged as
    ``contact show`` is; reviews and actions are not."""
    tracker = open_from_args(args, create=False, sees=("audit",))
    try:
        changes = tracker.history(args.reference)
    except UnknownReference:
        changes = tracker.history(contact_reference(tracker, args.reference))   # the council's own reference
    # At a terminal a long entry wraps under itself; into a pipe or a file each entry stays one line.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() and getattr(args, "output", None) in (None, "-") \
        else None
    lines = [line for c in changes for line in history_lines(c, width)]
    if changes:
        personal = any(c.table == "contacts" for c in changes)
        what = f"history of {'contact ' if personal else ''}{changes[0].reference}"
        emit(tracker, args, "\n".join(lines), what=what, personal=personal, records=1 if personal else 0)
    return 0


# --- history in words, whole ------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?)?$")
_TEXT_KEYS = ("text", "rationale", "reason", "description", "decisions", "kind", "to", "body")


def uk(value: Any) -> str:
    """A stored value as the CLI shows it: ISO dates (and times) as UK dates, blanks as (blank)."""
    if value is None or value == "" or value == [] or value == {}:
        return "(blank)"
    if isinstance(value, str):
        m = _ISO_DAY.match(value)
        if m:
            day = f"{m.group(3)}/{m.group(2)}/{m.group(1)}"
            return f"{day} {m.group(4)}:{m.group(5)}" if m.group(4) else day
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')} {uk(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[-1], dict):
            return f"{len(value)} item(s); latest: {_item(value[-1]).lstrip(': ')}"
        return ", ".join(uk(v) for v in value)
    return str(value)


def _item(item: Any) -> str:
    """ " (a.lado, 12/03/2018): the whole text" for an item with an author, a date and some text."""
    if not isinstance(item, dict):
        return f": {uk(item)}"
    who = item.get("user") or item.get("recorded_by") or item.get("by") or item.get("owner")
    when = item.get("on") or item.get("held_on") or item.get("at") or item.get("due_on")
    text = next((item[k] for k in _TEXT_KEYS if item.get(k) not in (None, "")), None)
    day = uk(when[:10]) if isinstance(when, str) else None     # the day it is about, not the time of day
    said = ", ".join(str(x) for x in (who, day) if x)
    return (f" ({said})" if said else "") + (f": {uk(text)}" if text is not None else "")


def describe(c: Change) -> list[str]:
    """One change in words, whole: what ``Change.description`` says, without cutting a reason short,
    with UK dates; a change to a person's details (a dict) is one line per detail that changed."""
    if c.field == "*":
        return ["created"]
    if c.added_item:
        return [f"added {item_name(c.field)}{_item(c.new)}"]
    if c.op in ("add", "remove"):
        verb, value = ("added", c.new) if c.op == "add" else ("removed", c.old)
        return [f"{verb} {describe_path(c.field, c.path)}{_item(value)}"]
    if c.op == "unset":
        return [f"{describe_path(c.field, c.path)}: {uk(c.old)} -> (removed)"]
    last = c.path[-1] if c.path else c.field
    if isinstance(last, str) and last.endswith("_on") and c.old is None and isinstance(c.new, str) \
            and _ISO_DAY.match(c.new):
        where = describe_path(c.field, c.path[:-1] + (last[:-3],)) if c.path else last[:-3].replace("_", " ")
        return [f"{where} ({uk(c.new)})"]
    where = describe_path(c.field, c.path) if c.op else c.field.replace("_", " ")
    if isinstance(c.old, dict) and isinstance(c.new, dict):
        keys = [k for k in dict.fromkeys([*c.old, *c.new]) if c.old.get(k) != c.new.get(k)]
        return [f"{where} {k.replace('_', ' ')}: {uk(c.old.get(k))} -> {uk(c.new.get(k))}" for k in keys] or [where]
    return [f"{where}: {uk(c.old)} -> {uk(c.new)}"]


def history_lines(c: Change, width: Optional[int] = None) -> list[str]:
    """A change as printed: when, who, which record, then its words whole: wrapped under themselves
    to ``width`` (a terminal's), else on one line; every value made printable so that a line break
    in it cannot start a line."""
    lead = printable(f"{c.at:%d/%m/%Y %H:%M}  {c.user:<12} {c.reference:<14} ")
    out: list[str] = []
    for words in describe(c):
        text = printable(words)
        if width is None:
            out.append(lead + text)
            continue
        room = max(width - len(lead) - 1, 30)
        wrapped = textwrap.wrap(text, room, break_long_words=False, break_on_hyphens=False) or [""]
        out.append(lead + wrapped[0])
        out += [" " * len(lead) + more for more in wrapped[1:]]
    return out


def cmd_restore(args: argparse.Namespace) -> int:
    if is_server_url(args.db or store_location()):
        raise CliError("a PostgreSQL store keeps no backup files of its own: restore a pg_dump of the database "
                       "(pg_restore), as docs/postgres.md describes", code=2)
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
        raise CliError("demo needs --db PATH (or a postgresql:// URL) for the new store")
    with progress_for() as progress:
        if is_server_url(args.db):    # built as a file, then moved in whole (the database must hold no store yet)
            import tempfile
            from ..store.moving import move_store
            from ..tracker import open_tracker
            with tempfile.TemporaryDirectory(prefix="safeguard-demo-") as folder:
                build_demo(Path(folder) / "demo.json", contacts=args.contacts, seed=args.seed,
                           progress=progress).close()
                move_store(str(Path(folder) / "demo.json"), args.db, user=args.user, progress=progress)
            tracker = open_tracker(args.db, user=args.user)
            tracker.make_analyst_figures(progress=progress)
        else:
            tracker = build_demo(args.db, contacts=args.contacts, seed=args.seed, progress=progress)
    print(f"wrote a demo store to {tracker.location}: {len(tracker.contact_docs())} contacts, "
          f"{len(tracker.review_docs())} reviews, {len(tracker.action_docs())} actions")
    return 0
