"""Opening a store by where it is: a ``postgresql://`` URL opens the server store, anything else a file."""

from __future__ import annotations

import os
from typing import Callable, Optional

from .file_store import FileStore
from .postgres import is_server_url
from .protocol import Store


def open_location(where: str | os.PathLike[str], *, user: Optional[str] = None, lock_timeout: float = 15.0,
                  on_wait: Optional[Callable[[str], None]] = None,
                  progress: Optional[Callable[[str], None]] = None, authority: Optional[str] = None) -> Store:
    """The store at ``where``: a file (created when missing) or a PostgreSQL database (holding the schema).
    ``authority``: of a database holding several authorities, the one to work in (a file holds one)."""
    if is_server_url(where):
        from .postgres.store import PostgresStore
        return PostgresStore(str(where).strip(), user=user, lock_timeout=lock_timeout, progress=progress,
                             authority=authority).open()
    if authority:
        from ..errors import StoreError
        raise StoreError(f"--authority {authority}: a file store holds one authority's records; --authority "
                         f"chooses among a PostgreSQL store's authorities")
    return FileStore(where, user=user, lock_timeout=lock_timeout, on_wait=on_wait, progress=progress).open()
