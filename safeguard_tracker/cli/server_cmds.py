"""The server store's commands: ``admin migrate`` (the schema) and ``migrate --from --to`` (a whole store,
either way between a file and a PostgreSQL database)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

from ..store.moving import move_store
from ..store.postgres.roles import ROLE_WORDS, ROLES
from ..store.postgres import is_server_url, redacted_url
from ..errors import StoreError
from ..text import printable
from ..tracker import Tracker, store_location
from .common import CliError, Groups, open_from_args
from .progress_bar import progress_for


def register(groups: Groups) -> None:
    sub = groups["root"]
    admin = sub.add_parser("admin", help="administer a PostgreSQL store (docs/postgres.md)")
    verbs = admin.add_subparsers(dest="admin", metavar="VERB", required=True, parser_class=type(admin))
    p = verbs.add_parser("migrate", help="create or upgrade the database's schema (--db postgresql://...)")
    p.add_argument("--all-figures", action="store_true",
                   help="make the analyst's figures of every contact again, not only those missing or out of date "
                        "(after a change to the council's lists)")
    p.set_defaults(func=cmd_admin_migrate)
    p = verbs.add_parser("grant", help="give a login a role here: " + ", ".join(ROLES) + " (the database enforces it)")
    p.add_argument("login", metavar="USER", help="a login on the server (createuser makes one)")
    p.add_argument("role", metavar="ROLE", help="; ".join(f"{r}: {w}" for r, w in ROLE_WORDS.items()))
    p.add_argument("--agency", metavar="NAME", help="a partner's agency: the actions it leads")
    p.add_argument("--authority", dest="in_authority", metavar="CODE",
                   help="in a store of several authorities: the authority whose records it sees (default: the "
                        "whole network)")
    p.set_defaults(func=cmd_admin_grant)
    p = verbs.add_parser("authority", help="a region's authorities in one store: add CODE NAME [--children N], list")
    p.add_argument("verb", choices=("add", "list"))
    p.add_argument("code", nargs="?", metavar="CODE", help="a short code, such as NTH")
    p.add_argument("name", nargs="?", metavar="NAME", help="the authority's name")
    p.add_argument("--children", type=int, metavar="N", help="the children living there (for rates per 10,000)")
    p.set_defaults(func=cmd_admin_authority)
    p = verbs.add_parser("revoke", help="take a login's role here away")
    p.add_argument("login", metavar="USER")
    p.set_defaults(func=cmd_admin_revoke)
    p = verbs.add_parser("who", help="every login holding a role here, and who gave it")
    p.set_defaults(func=cmd_admin_who)

    p = sub.add_parser("migrate", help="copy a whole store to a new one: a file to PostgreSQL, or back")
    p.add_argument("--from", dest="source", required=True, metavar="STORE",
                   help="the store to copy: a file path or a postgresql:// URL")
    p.add_argument("--to", dest="target", required=True, metavar="STORE",
                   help="the new store: a path where no file is, or a database holding no store")
    p.set_defaults(func=cmd_migrate)


def cmd_admin_migrate(args: argparse.Namespace) -> int:
    from ..store.postgres.connection import connect
    from ..store.postgres.schema import apply_migrations, close_temporary_tables, code_version
    url = str(args.db or store_location())
    if not is_server_url(url):
        raise CliError("admin migrate works on a PostgreSQL store: give --db postgresql://USER@HOST/DBNAME "
                       "(a file store upgrades itself when opened)", code=2)
    import psycopg
    from ..store.postgres.connection import server_error
    where = redacted_url(url)
    conn = connect(url)
    try:
        applied = apply_migrations(conn, where)
        closed = close_temporary_tables(conn)      # (a restored database has that right back)
        conn.commit()
        missing = _figures_missing(conn)
    except psycopg.Error as exc:
        raise server_error(exc, where, written="; nothing was changed", url=url) from None
    finally:
        conn.close()
    if applied:
        names = ", ".join(f"{m.version:04d} {m.name}" for m in applied)
        print(f"{where}: schema now at version {code_version()} (applied {names})"
              + (f"; but {closed}" if closed not in ("", "closed") else ""))
    elif closed == "closed":
        print(f"{where}: schema already at version {code_version()}; logins may no longer make temporary tables "
              f"here (a restored or copied database had that right back)")
    elif closed:
        print(f"{where}: schema already at version {code_version()}; but {closed}")
    else:
        print(f"{where}: schema already at version {code_version()}; nothing to do")
    every = bool(getattr(args, "all_figures", False))
    if missing or every:
        print(analyst_figures_made(url, getattr(args, "user", None), every=every))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    with progress_for() as progress:
        moved = move_store(args.source, args.target, user=args.user, progress=progress,
                           authority=getattr(args, "authority", None))
    if moved.problems:
        print(f"NOT SOUND: the copy at {moved.target}:", *moved.problems, sep="\n  ", file=sys.stderr)
        return 1
    print(moved.describe())
    if is_server_url(args.target):
        print(analyst_figures_made(args.target, args.user))
    return 0


def _figures_missing(conn: Any) -> int:
    """How many contacts lack the analyst's figures, or hold figures of another version of the record (0 where
    this login may not count them)."""
    import psycopg
    from ..store.postgres.store import FIGURES_OUT_OF_DATE
    try:
        row = conn.execute(f"SELECT count(*) FROM contacts WHERE {FIGURES_OUT_OF_DATE}").fetchone()
        return int(row[0]) if row else 0
    except psycopg.Error:
        return 0
    finally:
        conn.rollback()


def analyst_figures_made(url: str, user: Optional[str], *, every: bool = False) -> str:
    """Make the analyst's figures of the contacts on a server store that lack them (after a move or a
    migration); one line saying what was done."""
    from ..tracker import open_tracker
    try:
        with progress_for() as progress, open_tracker(url, user=user) as tracker:
            made = tracker.make_analyst_figures(every=every, progress=progress)
    except StoreError as exc:
        return f"the analyst's figures were not made ({exc}): the database's owner runs `admin migrate`"
    return f"{redacted_url(url)}: made the analyst's figures of {made:,} contact(s) (what the analyst role reads)"


def _server_tracker(args: argparse.Namespace) -> Tracker:
    if not is_server_url(str(args.db or store_location())):
        raise CliError("roles are kept by a PostgreSQL store: give --db postgresql://USER@HOST/DBNAME (a file store "
                       "is protected by its file's permissions)", code=2)
    return open_from_args(args, create=False)


def cmd_admin_grant(args: argparse.Namespace) -> int:
    with _server_tracker(args) as tracker:
        named = tracker.grant_role(args.login, args.role, agency=args.agency, authority=args.in_authority)
        agency = f" for {named}" if named else ""
        agency += f" in the authority {args.in_authority}" if args.in_authority else ""
        print(f"{args.login} now holds the {args.role.strip().lower()} role{agency} in {tracker.location}: "
              f"{ROLE_WORDS[args.role.strip().lower()]}")
    return 0


def cmd_admin_revoke(args: argparse.Namespace) -> int:
    with _server_tracker(args) as tracker:
        if not tracker.revoke_role(args.login):
            print(f"{args.login} held no role in {tracker.location}; nothing to take away")
            return 1
        why = tracker.still_connects(args.login)
        if why is None:
            print(f"{args.login} no longer holds a role in {tracker.location}, nor may it connect to the database "
                  f"(the login itself stays on the server)")
        else:
            print(f"{args.login} no longer holds a role in {tracker.location}, and reads nothing in it; it may still "
                  f"connect: {why}")
    return 0


def cmd_admin_who(args: argparse.Namespace) -> int:
    with _server_tracker(args) as tracker:
        holders = tracker.role_holders()
        authorities = tracker.authorities()          # (one query to the server)
        regional, several = bool(authorities), len(authorities) > 1
        if not holders:
            print(f"nobody holds a role in {tracker.location} yet: safeguard-tracker admin grant USER ROLE")
            return 0
        print(f"{'login':<20} {'role':<9} {'authority':<10} {'agency':<28} given by, on")
        for h in holders:
            given = (f"{h.granted_by}, {h.granted_at:%d/%m/%Y}" if h.recorded and h.granted_at
                     else "given by hand outside the tool")
            if not h.in_force:
                given += "  (NOT IN FORCE: taken away by hand outside the tool)"
            # (a role given by hand has no authority: in a region it sees none, schema 4, not all)
            where = (h.authority or ("(all)" if h.recorded or not several else "(none)")) if regional else "-"
            print(f"{printable(h.username):<20} {h.role:<9} {printable(where):<10} "
                  f"{printable(h.agency or ''):<28} {printable(given)}")
    return 0


def cmd_admin_authority(args: argparse.Namespace) -> int:
    with _server_tracker(args) as tracker:
        if args.verb == "add":
            if not args.code or not args.name:
                raise CliError("admin authority add needs CODE and NAME: e.g. admin authority add NTH "
                               "'Northshire County Council' --children 61500", code=2)
            tracker.add_authority(args.code, args.name, child_population=args.children)
            print(f"{args.code}: {args.name} is an authority of {tracker.location}")
            return 0
        found = tracker.authorities()
        if not found:
            print(f"{tracker.location} holds one authority's records (none named): admin authority add CODE NAME")
            return 0
        for a in found:
            children = f"{a['child_population']:,} children" if a["child_population"] else "child population not set"
            print(f"{printable(a['code']):<10} {printable(a['name']):<40} {children}")
    return 0
