"""The face's roles part: who may do what in a PostgreSQL store, enforced by the database itself."""

from __future__ import annotations

from typing import Optional

from ..store.postgres import roles
from ..store.postgres.roles import Holder
from .face import Face


class RolesFace(Face):
    """Giving, taking away and listing the roles of a PostgreSQL store (docs/postgres.md)."""

    @property
    def role(self) -> Optional[str]:
        """The role this login holds in a PostgreSQL store (lado, subgroup, partner, analyst, admin); None for
        a file store and for the database's owner, who may do everything.

        >>> t.role is None
        True
        """
        return getattr(self.store, "role", None)

    def grant_role(self, username: str, role: str, *, agency: Optional[str] = None) -> Optional[str]:
        """Give a login on the server a role in this store, replacing any role it held: ``lado``,
        ``subgroup``, ``partner`` (with the agency whose actions it leads), ``analyst`` or ``admin``.  Only
        the database's owner or an admin may.  Returns a partner's agency as the store's list names it.
        A file store has no roles: its file's permissions protect it.

        >>> t.grant_role("p.officer", "partner", agency="Police")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        if agency is not None and role.strip().lower() == "partner":
            agency = self._ctx.plan_agencies.canonical(agency, "agency")   # 'kent police' -> Police; unknown: refused
        roles.grant(self.store, username, role, agency)
        return agency

    def revoke_role(self, username: str) -> bool:
        """Take a login's role in this store away (it keeps its login on the server); False if it held none.

        >>> t.revoke_role("p.officer")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        return roles.revoke(self.store, username)

    def role_holders(self) -> list[Holder]:
        """Every login holding a role in this store: its role, a partner's agency, who gave it and when.

        >>> t.role_holders()
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        return roles.holders(self.store)
