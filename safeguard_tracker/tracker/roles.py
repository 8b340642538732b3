"""The face's roles part: who may do what in a PostgreSQL store, enforced by the database itself."""

from __future__ import annotations

from typing import Any, Optional

from ..errors import StoreError, ValidationError
from ..progress import NO_PROGRESS, Progress
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

    @property
    def authority(self) -> Optional[str]:
        """The authority whose records this tracker holds, in a PostgreSQL store of several (None: all of them,
        or a store of one authority).

        >>> t.authority is None
        True
        """
        return getattr(self.store, "authority", None)

    def authorities(self) -> list[dict[str, Any]]:
        """A PostgreSQL store's authorities (code, name, child population); empty for a file store, which
        holds one authority's records.

        >>> t.authorities()
        []
        """
        return roles.authorities(self.store)

    def add_authority(self, code: str, name: str, *, child_population: Optional[int] = None) -> None:
        """Add an authority to a PostgreSQL store shared by a region (or rename one, or set its child
        population, for its contacts per 10,000 children).  The first added takes in the records the store
        already holds.  Only the database's owner or an admin of the whole network may.

        >>> t.add_authority("NTH", "Northshire County Council", child_population=61500)
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        roles.add_authority(self.store, code, name, child_population)

    def may_change(self, table: str) -> Optional[str]:
        """Why this login cannot change records of ``table`` ("contacts", "reviews", "actions", "settings"),
        or None when it can: a read-only store, or a role of a PostgreSQL store that does not reach them (a
        form says so before anything is typed).  A partner may change its agency's actions, but only their
        progress updates and evidence: the database refuses the rest, naming it.

        >>> t.may_change("contacts") is None
        True
        """
        if self.store.read_only:
            return self.store.read_only
        writable = getattr(self.store, "writable", None)
        if writable is not None and table not in writable:
            return f"the {self.role} role may not change {table}"
        return None

    def may_add(self, table: str) -> Optional[str]:
        """Why this login cannot add a record to ``table`` ("contacts", "reviews", "actions"), or None when it
        can: whatever stops it changing them (``may_change``), or, in a store of several authorities seen
        whole (the network, or the owner, opened without an authority), that a new record would not say whose
        it is.  An add form says so before anything is typed.

        >>> t.may_add("contacts") is None
        True
        """
        why = self.may_change(table)
        codes = list(getattr(self.store, "authorities", []) or [])
        if why is None and table in ("contacts", "reviews", "actions") and self.authority is None and len(codes) > 1:
            why = (f"this store holds several authorities ({', '.join(codes)}) and you see them all, so a new record "
                   f"would not say whose it is: open the store in one to add it, e.g. `safeguard-tracker --db URL "
                   f"--authority {codes[0]}`")
        return why

    def grant_role(self, username: str, role: str, *, agency: Optional[str] = None,
                   authority: Optional[str] = None) -> Optional[str]:
        """Give a login on the server a role in this store, replacing any role it held: ``lado``,
        ``subgroup``, ``partner`` (with the agency whose actions it leads), ``analyst`` or ``admin``.  Only
        the database's owner or an admin may.  In a store of several authorities, ``authority`` is the one
        whose records the login sees (None: the whole network).  Returns a partner's agency as the store's
        list names it.
        A file store has no roles: its file's permissions protect it.

        >>> t.grant_role("p.officer", "partner", agency="Police")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        if agency is not None and role.strip().lower() == "partner":
            try:       # 'kent police' -> Police; unknown: refused, saying where the names are
                agency = self._ctx.plan_agencies.canonical(agency, "agency")
            except ValidationError as exc:
                raise ValidationError(exc.field, exc.value, f"{exc.accepted}: an agency or partner in the store's "
                                      f"lists (`safeguard-tracker vocab agencies list`, `vocab partners list`)",
                                      row=exc.row) from None
        roles.grant(self.store, username, role, agency, authority)
        return agency

    def revoke_role(self, username: str) -> bool:
        """Take a login's role in this store away, and the right to connect that ``grant_role`` gave it, where this
        login may (the database's owner may); the login stays on the server.  False if it held none.

        >>> t.revoke_role("p.officer")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        return roles.revoke(self.store, username)

    def make_analyst_figures(self, *, every: bool = False, progress: Progress = NO_PROGRESS) -> int:
        """Make the analyst's figures (``safeguard_tracker.lado.figures``) of every contact on the server whose
        figures are missing or out of date (written before schema 5, moved in, or changed by hand in SQL), or
        of ``every`` contact (after a change to the council's lists).  The database's owner or a lado only;
        ``admin migrate`` and a move into the server do it.  Returns how many were made.

        >>> t.make_analyst_figures()
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: the analyst's figures are kept by a PostgreSQL store ...
        """
        fill = getattr(self.store, "fill_figures", None)
        if fill is None:
            raise StoreError("the analyst's figures are kept by a PostgreSQL store (--db postgresql://...); a file "
                             "store has no analyst role: its figures are the LADO's")
        return int(fill(progress, every=every))

    def still_connects(self, username: str) -> Optional[str]:
        """Why a login may still connect to this store's database (after ``revoke_role``, say), with what would
        shut it out; None when it may not.  A login with no role reads nothing here either way.

        >>> t.still_connects("p.officer")
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        return roles.still_connects(self.store, username)

    def role_holders(self) -> list[Holder]:
        """Every login holding a role in this store: its role, a partner's agency, who gave it and when.

        >>> t.role_holders()
        Traceback (most recent call last):
        ...
        safeguard_tracker.errors.StoreError: roles are kept by a PostgreSQL store ...
        """
        return roles.holders(self.store)
