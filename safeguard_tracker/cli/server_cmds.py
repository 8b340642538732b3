"""The server store's commands: ``admin migrate`` (the schema) and ``migrate --from --to`` (a whole store,
either way between a file and a PostgreSQL database)."""

from __future__ import annotations

import argparse
import sys

from ..store.moving import move_store
from ..store.postgres import is_server_url, redacted_url
from ..tracker import store_location
from .common import CliError, Groups
from .progress_bar import progress_for


def register(groups: Groups) -> None:
    sub = groups["root"]
    admin = sub.add_parser("admin", help="administer a PostgreSQL store (docs/postgres.md)")
    verbs = admin.add_subparsers(dest="admin", metavar="VERB", required=True, parser_class=type(admin))
    p = verbs.add_parser("migrate", help="create or upgrade the database's schema (--db postgresql://...)")
    p.set_defaults(func=cmd_admin_migrate)

    p = sub.add_parser("migrate", help="copy a whole store to a new one: a file to PostgreSQL, or back")
    p.add_argument("--from", dest="source", required=True, metavar="STORE",
                   help="the store to copy: a file path or a postgresql:// URL")
    p.add_argument("--to", dest="target", required=True, metavar="STORE",
                   help="the new store: a path where no file is, or a database holding no store")
    p.set_defaults(func=cmd_migrate)


def cmd_admin_migrate(args: argparse.Namespace) -> int:
    from ..store.postgres.connection import connect
    from ..store.postgres.schema import apply_migrations, code_version
    url = str(args.db or store_location())
    if not is_server_url(url):
        raise CliError("admin migrate works on a PostgreSQL store: give --db postgresql://USER@HOST/DBNAME "
                       "(a file store upgrades itself when opened)", code=2)
    where = redacted_url(url)
    conn = connect(url)
    try:
        applied = apply_migrations(conn, where)
        conn.commit()
    finally:
        conn.close()
    if applied:
        names = ", ".join(f"{m.version:04d} {m.name}" for m in applied)
        print(f"{where}: schema now at version {code_version()} (applied {names})")
    else:
        print(f"{where}: schema already at version {code_version()}; nothing to do")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    with progress_for() as progress:
        moved = move_store(args.source, args.target, user=args.user, progress=progress)
    if moved.problems:
        print(f"NOT SOUND: the copy at {moved.target}:", *moved.problems, sep="\n  ", file=sys.stderr)
        return 1
    print(moved.describe())
    return 0
