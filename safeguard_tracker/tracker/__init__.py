"""The public face: ``Tracker`` and ``open_tracker``, the one API for scripts, the CLI and the TUI.

Thin and typed: every method hands its work to a service (``lado/``,
``plans/``) over a ``Context``; nothing below this package imports it.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Callable, Optional

import platformdirs

from ..model import Change
from ..store.opening import open_location
from ..store.postgres import is_server_url
from ..store.protocol import Store
from .lado import LadoFace
from .plans import PlansFace
from .frames import FramesFace
from .lists import ListsFace
from .roles import RolesFace

ENV_DB = "SAFEGUARD_TRACKER_DB"


class Tracker(LadoFace, PlansFace, FramesFace, ListsFace, RolesFace):
    """Everything a LADO, the Learning Lessons sub group, or a script can do to a store."""

    def __enter__(self) -> "Tracker":
        return self

    def __exit__(self, kind: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()


def default_store_path() -> Path:
    """$SAFEGUARD_TRACKER_DB, else store.json in the user's data folder.

    >>> import os
    >>> from pathlib import Path
    >>> from safeguard_tracker.tracker import default_store_path
    >>> os.environ["SAFEGUARD_TRACKER_DB"] = "~/lado/store.json"
    >>> default_store_path() == Path.home() / "lado" / "store.json"
    True
    """
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    folder = Path(platformdirs.user_data_dir("safeguard-tracker", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / "store.json"


def store_location() -> str | Path:
    """Where a store is when none is named: $SAFEGUARD_TRACKER_DB (a file path or a ``postgresql://`` URL),
    else store.json in the user's data folder."""
    env = os.environ.get(ENV_DB, "").strip()
    return env if is_server_url(env) else default_store_path()


def open_store(path: Optional[str | os.PathLike[str]] = None, *, user: Optional[str] = None,
               lock_timeout: float = 15.0, on_wait: Optional[Callable[[str], None]] = None,
               progress: Optional[Callable[[str], None]] = None, authority: Optional[str] = None) -> Store:
    """Open (or create) the store at ``path`` (None: $SAFEGUARD_TRACKER_DB, else the user data folder).

    ``path`` may be a ``postgresql://user@host/dbname`` URL: the server store (docs/postgres.md), which
    must hold the schema already (``safeguard-tracker admin migrate``); ``authority`` chooses one of a
    database's authorities (docs/postgres.md).

    The store alone, without the services: its tables of stored documents, its audit trail and
    its integrity check.  ``open_tracker`` opens one and puts the whole API on it.

    >>> from safeguard_tracker.tracker import open_store
    >>> store = open_store("demo.json", user="an.analyst")
    >>> len(store.all("contacts")), store.get("contacts", "L-2018-0202")["category"], store.check()
    (1015, 'referral', [])
    >>> store.close()
    """
    return open_location(path if path is not None else store_location(), user=user, lock_timeout=lock_timeout,
                         on_wait=on_wait, progress=progress, authority=authority)


def open_tracker(path: Optional[str | os.PathLike[str]] = None, *, user: Optional[str] = None,
                 today: Optional[Callable[[], date]] = None, lock_timeout: float = 15.0,
                 on_wait: Optional[Callable[[str], None]] = None,
                 progress: Optional[Callable[[str], None]] = None, authority: Optional[str] = None) -> Tracker:
    """Open (or create) a store.  ``path=None``: $SAFEGUARD_TRACKER_DB, else the user data folder.

    ``user`` is who the changes are attributed to (default: the login name); ``today`` gives the
    working date (default: the clock, unless the store is frozen at a date, as the demo is).
    Use it in a ``with`` block, which closes the store at the end.

    >>> import safeguard_tracker as st
    >>> with st.open_tracker("demo.json", user="an.analyst") as analyst:
    ...     len(analyst.contacts(year="2017-18", category="referral"))
    90
    >>> from datetime import date
    >>> with st.open_tracker("new-store.json", user="a.lado", today=lambda: date(2018, 1, 8)) as fresh:
    ...     c = fresh.add_contact(received_on="05/01/2018", agency="School - Primary", category="enquiry")
    >>> c.reference, c.received_on
    ('L-2018-0001', datetime.date(2018, 1, 5))
    """
    store = open_store(path, user=user, lock_timeout=lock_timeout, on_wait=on_wait, progress=progress,
                       authority=authority)
    return Tracker(store, today=today)


__all__ = ["Change", "ENV_DB", "Tracker", "default_store_path", "open_store", "open_tracker", "store_location"]
