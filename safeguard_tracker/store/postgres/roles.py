"""Who holds which role in a PostgreSQL store: giving, taking away and listing, through the server's own
functions (``st_grant``, ``st_revoke``, ``st_who`` in migrations/0002_roles.sql), which refuse anyone but the
database's owner or a login holding the admin role.  What each role may do is in that file's head."""

from __future__ import annotations

from datetime import datetime
import re
from contextlib import contextmanager
from typing import Any, Iterator, Optional

import attrs

from ...errors import StoreError, ValidationError

ROLES = ("lado", "subgroup", "partner", "analyst", "admin")
ROLE_WORDS = {
    "lado": "contacts and everything about them, read and write",
    "subgroup": "reviews, recommendations and actions, read and write; no contacts",
    "partner": "its own agency's actions only: progress updates and evidence",
    "analyst": "the figures, through views without personal data",
    "admin": "the council's lists, the access log, and who holds which role",
}


@attrs.frozen
class Holder:
    """A login and its role here."""
    username: str
    role: str
    agency: Optional[str]
    granted_by: Optional[str]
    granted_at: Optional[datetime]
    in_force: bool        # the server agrees (False: taken away by hand outside the tool)
    recorded: bool = True  # False: given by hand outside the tool, so nobody recorded who gave it
    authority: Optional[str] = None   # the authority whose records it sees (None: the whole network)


def _server_store(store: Any) -> Any:
    from .store import PostgresStore
    if not isinstance(store, PostgresStore):
        raise StoreError("roles are kept by a PostgreSQL store (--db postgresql://...); a file store is protected "
                         "by its file's permissions: give the folder only to the LADO team")
    return store


@contextmanager
def _administering(pg: Any) -> Iterator[Any]:
    """A connection for the role functions; the server's refusal of them to a non-admin, in words."""
    try:
        with pg._conn() as conn:
            yield conn
    except StoreError as exc:
        if "permission denied for function" in str(exc):
            raise StoreError(f"{pg.where}: only the database owner or an admin may give, take away or list "
                             f"roles") from None
        raise


def grant(store: Any, username: str, role: str, agency: Optional[str] = None, authority: Optional[str] = None) -> None:
    """Give ``username`` (an existing login on the server) ``role`` here, replacing any role it held; in a
    store of several authorities, ``authority`` is the one whose records it sees (None: the whole network)."""
    pg = _server_store(store)
    role = role.strip().lower()
    if role not in ROLES:
        raise ValidationError("role", role, ", ".join(ROLES))
    if role == "partner" and not (agency or "").strip():
        raise ValidationError("agency", agency or "", "the partner's agency (--agency NAME): the actions it leads")
    if role != "partner" and agency:
        raise ValidationError("agency", agency, "no agency: only a partner has one")
    with _administering(pg) as conn:
        conn.execute("SELECT st_grant(%s, %s, %s)", (username, role, agency.strip() if agency else None))
        conn.execute("SELECT st_place(%s, %s)", (username, authority.strip() if authority else None))
        conn.commit()


def revoke(store: Any, username: str) -> bool:
    """Take ``username``'s role here away, and the right to connect to the database that ``grant`` gave
    (where the login running it may take that: the database's owner may); False when it held no role."""
    pg = _server_store(store)
    with _administering(pg) as conn:
        row = conn.execute("SELECT st_revoke(%s)", (username,)).fetchone()
        held = bool(row and row[0])
        if held and conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,)).fetchone():
            from psycopg import errors, sql
            try:
                with conn.transaction():      # (anyone but the owner may only be refused: the role still goes)
                    conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM {}").format(
                        sql.Identifier(database_name(conn)), sql.Identifier(username)))
            except errors.InsufficientPrivilege:
                pass
        conn.commit()
    return held


def database_name(conn: Any) -> str:
    return str(conn.execute("SELECT current_database()").fetchone()[0])


def still_connects(store: Any, username: str) -> Optional[str]:
    """Why ``username`` may still connect to the store's database, in words with the fix (every login may,
    or a right given to it that the login asking could not take away), or None when it may not."""
    pg = _server_store(store)
    with _administering(pg) as conn:
        row = conn.execute("SELECT has_database_privilege(%s, current_database(), 'CONNECT'), "
                           "has_database_privilege('public', current_database(), 'CONNECT'), current_database(), "
                           "pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database() "
                           "AND EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", (username, username)).fetchone()
        conn.rollback()
    if not row or not row[0]:
        return None
    if row[1]:
        return (f"every login may connect to {row[2]} until the DBA runs REVOKE CONNECT ON DATABASE {_sql_name(row[2])} "
                f"FROM PUBLIC (docs/postgres.md, section 2)")
    return (f"only the database's owner, {row[3]}, may take its right to connect away: REVOKE CONNECT ON DATABASE "
            f"{_sql_name(row[2])} FROM {_sql_name(username)}")


def _sql_name(name: str) -> str:
    """A name as it is typed in SQL: quoted unless it is plain lower-case letters, digits and '_'."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'


def holders(store: Any) -> list[Holder]:
    """Every login holding a role here, with who gave it and when."""
    pg = _server_store(store)
    with _administering(pg) as conn:
        rows = conn.execute("SELECT username, kind, agency, granted_by, granted_at, member, authority "
                            "FROM st_who()").fetchall()
        conn.rollback()
    return [Holder(username=r[0], role=r[1], agency=r[2], granted_by=r[3], granted_at=r[4], in_force=bool(r[5]),
                   recorded=r[3] is not None, authority=r[6]) for r in rows]


def add_authority(store: Any, code: str, name: str, child_population: Optional[int] = None) -> None:
    """Add an authority to the store (or rename it, or set its child population).  The first one added takes
    in the records the store already holds."""
    pg = _server_store(store)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", code or ""):
        raise ValidationError("code", code, "a short code of letters, digits, '-' or '_' (up to 32), such as NTH")
    if not (name or "").strip():
        raise ValidationError("name", name, "the authority's name, such as 'Northshire County Council'")
    if child_population is not None and child_population <= 0:
        raise ValidationError("children", child_population, "the number of children living in the authority")
    with _administering(pg) as conn:
        conn.execute("SELECT st_add_authority(%s, %s, %s)", (code, name.strip(), child_population))
        conn.commit()
    pg.refresh_authorities()


def authorities(store: Any) -> list[dict[str, Any]]:
    """The store's authorities: code, name, child population (empty for a file store: it holds one)."""
    from .store import PostgresStore
    return store.authority_list() if isinstance(store, PostgresStore) else []
