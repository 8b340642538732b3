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
from ..store import FileStore
from ..store.protocol import Store
from .lado import LadoFace
from .plans import PlansFace

ENV_DB = "SAFEGUARD_TRACKER_DB"


class Tracker(LadoFace, PlansFace):
    """Everything a LADO, the Learning Lessons sub group, or a script can do to a store."""

    def __enter__(self) -> "Tracker":
        return self

    def __exit__(self, kind: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()


def default_store_path() -> Path:
    """$SAFEGUARD_TRACKER_DB, else store.json in the user's data folder."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    folder = Path(platformdirs.user_data_dir("safeguard-tracker", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / "store.json"


def open_store(path: Optional[str | os.PathLike] = None, *, user: Optional[str] = None, lock_timeout: float = 15.0,
               on_wait: Optional[Callable[[str], None]] = None,
               progress: Optional[Callable[[str], None]] = None) -> Store:
    """Open (or create) the store at ``path`` (None: $SAFEGUARD_TRACKER_DB, else the user data folder)."""
    return FileStore(path if path is not None else default_store_path(), user=user, lock_timeout=lock_timeout,
                     on_wait=on_wait, progress=progress).open()


def open_tracker(path: Optional[str | os.PathLike] = None, *, user: Optional[str] = None,
                 today: Optional[Callable[[], date]] = None, lock_timeout: float = 15.0,
                 on_wait: Optional[Callable[[str], None]] = None,
                 progress: Optional[Callable[[str], None]] = None) -> Tracker:
    """Open (or create) a store.  ``path=None``: $SAFEGUARD_TRACKER_DB, else the user data folder."""
    store = open_store(path, user=user, lock_timeout=lock_timeout, on_wait=on_wait, progress=progress)
    return Tracker(store, today=today)


__all__ = ["Change", "ENV_DB", "Tracker", "default_store_path", "open_store", "open_tracker"]
