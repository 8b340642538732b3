"""The server store's schema: versioned migration files shipped in the package, applied in order.

``migrations/NNNN_name.sql`` is schema version NNNN.  ``apply_migrations`` (the CLI's ``admin
migrate``) applies the missing ones in one transaction, each with its row in ``st_schema``;
``schema_problem`` is what opening a store checks: a database with no schema, an older schema, or
one newer than this code knows, each as one line that says what to do.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any, Optional

import attrs

from ...errors import StoreError, StoreTooNew

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LOCK_KEY = 0x5347_5452   # 'SGTR': the advisory lock that serialises migrations (and, per transaction, writers)


@attrs.frozen
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with this version, oldest first (numbered 1, 2, 3... without gaps)."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        m = MIGRATION_NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    if [mig.version for mig in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"the shipped migrations are not numbered 1..{len(found)}: {[m.version for m in found]}")
    return found


def code_version() -> int:
    """The newest schema this code knows."""
    return len(migrations())


def database_version(conn: Any) -> Optional[int]:
    """The schema version a database holds; None when it holds no safeguard-tracker schema."""
    row = conn.execute("SELECT to_regclass('st_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    got = conn.execute("SELECT max(version) FROM st_schema").fetchone()
    return int(got[0]) if got and got[0] is not None else 0


def schema_problem(version: Optional[int], where: str) -> Optional[StoreError]:
    """Why a store at ``where`` with schema ``version`` cannot be opened by this code, or None."""
    known = code_version()
    if version is None or version == 0:
        return StoreError(f"{where} holds no safeguard-tracker schema: create it with "
                          f"`safeguard-tracker --db {where} admin migrate` (see docs/postgres.md)")
    if version > known:
        return StoreTooNew(f"{where} has schema version {version}, but this safeguard-tracker knows versions up to "
                           f"{known}: upgrade safeguard-tracker (pip install -U 'safeguard-tracker[postgres]')")
    if version < known:
        return StoreError(f"{where} has schema version {version}; this safeguard-tracker needs version {known}: "
                          f"apply the migrations with `safeguard-tracker --db {where} admin migrate`, connecting as "
                          f"the database's owner (take a pg_dump first: docs/postgres.md)")
    return None


TEMPORARY_OPEN = "SELECT has_database_privilege('public', current_database(), 'TEMPORARY')"
TEMPORARY_OPEN_PROBLEM = ("every login may make temporary tables in this database, as in a database restored from a "
                          "dump or copied from a template: the owner runs `safeguard-tracker --db URL admin migrate`, "
                          "which takes that right away (or, where the database belongs to another login than the "
                          "store's tables, that login runs `REVOKE TEMPORARY ON DATABASE name FROM PUBLIC`)")


def temporary_tables_open(conn: Any) -> bool:
    """Whether every login may make temporary tables here: schema 4 takes that right away, but a database's own
    rights are not in a plain pg_dump nor copied with a template, so a restored database has it back."""
    row = conn.execute(TEMPORARY_OPEN).fetchone()
    return bool(row and row[0])


def close_temporary_tables(conn: Any) -> str:
    """Take the right to make temporary tables away from every login again (schema 4 and later), where it had
    come back (a restored or copied database): "" when there was nothing to do, "closed", or why it could not
    be (only the database's own owner, or a superuser, may; PostgreSQL only warns anyone else)."""
    if (database_version(conn) or 0) < 4 or not temporary_tables_open(conn):
        return ""
    name, owner = conn.execute("SELECT d.datname, pg_get_userbyid(d.datdba) FROM pg_database d "
                               "WHERE d.datname = current_database()").fetchone()
    from psycopg import sql
    conn.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(sql.Identifier(str(name))))
    if temporary_tables_open(conn):
        return (f"every login may still make temporary tables here: only the database's owner, {owner}, or a "
                f"superuser may take that away (REVOKE TEMPORARY ON DATABASE {name} FROM PUBLIC)")
    return "closed"


ROLES_ALREADY_THERE = """
WITH names AS (
    SELECT 'st_' || left(regexp_replace(lower(current_database()), '[^a-z0-9_]', '_', 'g'), 40) || '_' || k AS name
    FROM unnest(ARRAY['lado', 'subgroup', 'partner', 'analyst', 'admin']) AS k)
SELECT r.rolname,
       (SELECT string_agg(DISTINCT d.datname, ', ') FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
        WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = r.oid AND d.datname <> current_database()),
       (SELECT string_agg(m.rolname, ', ' ORDER BY m.rolname) FROM pg_auth_members a JOIN pg_roles m
        ON m.oid = a.member WHERE a.roleid = r.oid)
FROM names JOIN pg_roles r ON r.rolname = names.name ORDER BY r.rolname
"""
ROLE_NAMING = ("a store's role names are made from its database's name: lower-cased, anything but a letter, a digit or "
               "_ as _, cut to 40 characters")


def roles_taken_problem(conn: Any, where: str) -> Optional[StoreError]:
    """Why a database about to get the store's roles (schema 2) must not: the roles its name gives are already
    another store's (a database whose name differs only in capitals or punctuation, or shares its first 40
    characters), or are left with members by a dropped database of the same name.  Either way whoever holds
    them would hold them in this store too.  None when the names are free (or left unused)."""
    rows = conn.execute(ROLES_ALREADY_THERE).fetchall()
    elsewhere = sorted({db for _, dbs, _ in rows if dbs for db in dbs.split(", ")})
    names = ", ".join(r[0] for r in rows)
    if elsewhere:
        return StoreError(f"{where}: the roles this store would use ({names}) are already the roles of the store in "
                          f"database {', '.join(elsewhere)} ({ROLE_NAMING}), so whoever holds one there would hold it "
                          f"here: create this store in a database whose name differs in its letters or digits; "
                          f"nothing was changed")
    members = sorted({m for _, _, ms in rows if ms for m in ms.split(", ")})
    if members:
        return StoreError(f"{where}: the roles this store would use ({names}) are already on the server, held by "
                          f"{', '.join(members)} (left by a dropped database of this name?), so they would hold them "
                          f"here: the DBA drops them first (DROP ROLE {names}), or the store goes in a database of "
                          f"another name; nothing was changed")
    return None


def apply_migrations(conn: Any, where: str) -> list[Migration]:
    """Apply every missing migration, all or none (one transaction); return those applied.

    Refuses a database whose schema is newer than this code, and a new store whose roles would be another's
    (``roles_taken_problem``).  Two admins running it at once are
    serialised by an advisory lock, so each migration is applied once.
    """
    applied: list[Migration] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        have = database_version(conn) or 0
        if have > code_version():
            problem = schema_problem(have, where)
            assert problem is not None
            raise problem
        if have < 2:     # (schema 2 makes the roles; a store already past it has its own)
            taken = roles_taken_problem(conn, where)
            if taken is not None:
                raise taken
        for mig in migrations():
            if mig.version <= have:
                continue
            with conn.transaction():
                conn.execute(mig.sql)
                conn.execute("INSERT INTO st_schema (version, name) VALUES (%s, %s)", (mig.version, mig.name))
            applied.append(mig)
    return applied
